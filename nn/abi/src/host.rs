//! The runtime's side of the backend ABI: a backend table checked once ([`Table`]), initialised
//! into a [`Instance`] whose methods are safe wrappers of the table's calls. libvmcore.so
//! (core/src/nn/backend.rs) and the tests that drive a backend library directly both use it.

use crate::sys::{Backend, Bytes, HostLog, InitArgs, NamedModel, NnError, Tensor, ABI_VERSION};
use std::ffi::{c_char, c_void, CStr, CString};
use std::path::Path;

/// A sane cap on the encodings and option keys a backend may declare.
const MAX_LIST: u32 = 256;

/// An opaque backend handle (graph or execution context). Calls on one handle are serialized by
/// its owner; the ABI allows a handle to move between threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub *mut c_void);
// SAFETY: see above (ABI thread contract in wasi_nn_backend.h).
unsafe impl Send for Handle {}

/// A failed call: the code, the backend's detail (last_error), and for too_large the size the
/// backend reported as needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub code: NnError,
    pub detail: Option<String>,
    pub needed: Option<usize>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

/// Does `key` match one of a backend's declared option keys (a key ending in '.' is a prefix)?
pub fn key_declared(keys: &[String], key: &str) -> bool {
    keys.iter().any(|k| if k.ends_with('.') { key.starts_with(k.as_str()) && key.len() > k.len() } else { k == key })
}

/// A table whose required slots, strings and lists were checked.
pub struct Table {
    raw: &'static Backend,
    name: String,
    encodings: Vec<u32>,
    option_keys: Vec<String>,
}

impl Table {
    /// Check a table returned by a backend's entry symbol. `origin` names it in messages.
    ///
    /// # Safety
    /// `table` is NULL or points to a table that starts with a u32 ABI version and, when that
    /// version is ours, has the layout of [`Backend`] and stays valid (static) from now on.
    pub unsafe fn check(table: *const Backend, origin: &Path) -> Result<Table, String> {
        let origin = origin.display();
        if table.is_null() {
            return Err(format!("{origin}: ember_nn_backend_entry returned NULL"));
        }
        // SAFETY: every ABI version's table starts with the version; only that field is read.
        let version = unsafe { std::ptr::read(table as *const u32) };
        if version != ABI_VERSION {
            return Err(format!(
                "{origin}: backend ABI version {version} is not supported: this libvmcore.so speaks wasi-nn backend ABI version {ABI_VERSION} (rebuild the backend against nn/include/wasi_nn_backend.h of this release)"
            ));
        }
        // SAFETY: the version matches, so the table has this layout (caller's contract); every
        // function slot is an Option, so NULL slots are valid values.
        let raw: &'static Backend = unsafe { &*table };
        let required = [
            ("load", raw.load.is_some()),
            ("init_execution_context", raw.init_execution_context.is_some()),
            ("set_input", raw.set_input.is_some()),
            ("compute", raw.compute.is_some()),
            ("get_output", raw.get_output.is_some()),
        ];
        if let Some((slot, _)) = required.iter().find(|(_, present)| !present) {
            return Err(format!("{origin}: backend table has no {slot} function"));
        }
        if raw.name.is_null() {
            return Err(format!("{origin}: backend table has no name"));
        }
        // SAFETY: a non-NULL NUL-terminated static string per the ABI.
        let name = unsafe { CStr::from_ptr(raw.name) }.to_string_lossy().into_owned();
        // SAFETY: the ABI's list contract (count, then a pointer to that many items).
        let encodings = unsafe { list(raw.encodings, raw.encodings_len) }
            .ok_or_else(|| format!("{origin}: backend table has a bad encodings list"))?
            .to_vec();
        // SAFETY: as above.
        let keys = unsafe { list(raw.option_keys, raw.option_keys_len) }
            .ok_or_else(|| format!("{origin}: backend table has a bad option_keys list"))?;
        let mut option_keys = Vec::with_capacity(keys.len());
        for &k in keys {
            if k.is_null() {
                return Err(format!("{origin}: backend table has a NULL option key"));
            }
            // SAFETY: non-NULL static NUL-terminated strings per the ABI.
            option_keys.push(unsafe { CStr::from_ptr(k) }.to_string_lossy().into_owned());
        }
        Ok(Table { raw, name, encodings, option_keys })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn option_keys(&self) -> &[String] {
        &self.option_keys
    }

    /// Initialise the backend with `options` ("key=value", only declared keys: see
    /// [`key_declared`]) and the runtime's log sink.
    pub fn init(self, options: &[String], log: HostLog, log_level: u32) -> Result<Instance, Failure> {
        let c_opts: Vec<CString> = options.iter().filter_map(|o| CString::new(o.as_str()).ok()).collect();
        let ptrs: Vec<*const c_char> = c_opts.iter().map(|c| c.as_ptr()).collect();
        let args = InitArgs { options: ptrs.as_ptr(), options_len: ptrs.len() as u32, log_level, log };
        let mut state: *mut c_void = std::ptr::null_mut();
        let code = match self.raw.init {
            // SAFETY: valid InitArgs whose strings outlive the call, and a valid out slot.
            Some(init) => unsafe { init(&args, &mut state) },
            None => 0,
        };
        let mut instance = Instance { table: self, state, live: true };
        match NnError::from_raw(code) {
            NnError::Success => Ok(instance),
            code => {
                // Not initialised: destroy must not run.
                instance.live = false;
                Err(Failure { code, detail: instance.last_error(), needed: None })
            }
        }
    }
}

/// # Safety
/// `len == 0`, or `ptr` points to `len` items valid for `'static`.
unsafe fn list<T>(ptr: *const T, len: u32) -> Option<&'static [T]> {
    match (len, ptr.is_null()) {
        (0, _) => Some(&[]),
        (n, false) if n <= MAX_LIST => {
            // SAFETY: the caller's contract; the count is bounded.
            Some(unsafe { std::slice::from_raw_parts(ptr, n as usize) })
        }
        _ => None,
    }
}

/// A named model handed over by path.
pub struct NamedModelRef<'a> {
    pub name: &'a str,
    pub paths: &'a [&'a Path],
    pub encoding: u32,
    pub target: u32,
}

/// An initialised backend: its state and safe wrappers of every call.
pub struct Instance {
    table: Table,
    state: *mut c_void,
    /// init succeeded (destroy runs on drop).
    live: bool,
}

// SAFETY: backends accept calls from any thread on different graphs and contexts (ABI thread
// contract); the state pointer is only passed back to the backend.
unsafe impl Send for Instance {}
// SAFETY: as above; Instance has no interior mutability of its own.
unsafe impl Sync for Instance {}

/// Runs a call of a present slot (`None` -> unsupported_operation) and checks its code.
macro_rules! call {
    ($self:ident, $slot:ident, |$f:ident| $body:expr) => {{
        match $self.table.raw.$slot {
            // SAFETY: the slot's function of the ABI; arguments built by the caller are valid
            // for the duration of the call (see each wrapper).
            Some($f) => $self.result(unsafe { $body }),
            None => Err(Failure { code: NnError::UnsupportedOperation, detail: None, needed: None }),
        }
    }};
}

impl Instance {
    pub fn name(&self) -> &str {
        &self.table.name
    }
    pub fn encodings(&self) -> &[u32] {
        &self.table.encodings
    }
    pub fn option_keys(&self) -> &[String] {
        &self.table.option_keys
    }
    pub fn serves(&self, encoding: u32) -> bool {
        self.table.encodings.contains(&encoding)
    }
    /// Whether the backend opens named models itself (load_named present).
    pub fn loads_files(&self) -> bool {
        self.table.raw.load_named.is_some()
    }

    /// The backend's detail of its last error on this thread, if it offers one.
    pub fn last_error(&self) -> Option<String> {
        let f = self.table.raw.last_error?;
        // SAFETY: optional function of the ABI, called with the backend's state.
        let p = unsafe { f(self.state) };
        if p.is_null() {
            return None;
        }
        // SAFETY: a non-NULL NUL-terminated string valid until the next call on this thread.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        (!s.is_empty()).then_some(s)
    }

    fn result(&self, code: u32) -> Result<(), Failure> {
        match NnError::from_raw(code) {
            NnError::Success => Ok(()),
            // A too_large is the guest's business (it retries with a larger buffer): no detail.
            NnError::TooLarge => Err(Failure { code: NnError::TooLarge, detail: None, needed: None }),
            code => Err(Failure { code, detail: self.last_error(), needed: None }),
        }
    }

    pub fn load(&self, builders: &[&[u8]], encoding: u32, target: u32) -> Result<Handle, Failure> {
        let list: Vec<Bytes> = builders.iter().map(|b| Bytes { data: b.as_ptr(), len: b.len() }).collect();
        let mut out: *mut c_void = std::ptr::null_mut();
        // builders point into memory borrowed for the whole call; out is a valid slot.
        call!(self, load, |f| f(self.state, list.as_ptr(), list.len() as u32, encoding, target, &mut out))?;
        Ok(Handle(out))
    }

    /// A named model by path (unsupported_operation when the backend has no load_named).
    pub fn load_named(&self, model: &NamedModelRef<'_>, config: &[u8]) -> Result<Handle, Failure> {
        let invalid = || Failure { code: NnError::InvalidArgument, detail: Some("path or name with NUL".into()), needed: None };
        let name = CString::new(model.name).map_err(|_| invalid())?;
        let paths: Vec<CString> = model
            .paths
            .iter()
            .map(|p| CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| invalid()))
            .collect::<Result<_, _>>()?;
        let ptrs: Vec<*const c_char> = paths.iter().map(|p| p.as_ptr()).collect();
        let m = NamedModel {
            name: name.as_ptr(),
            paths: ptrs.as_ptr(),
            paths_len: ptrs.len() as u32,
            encoding: model.encoding,
            target: model.target,
        };
        let mut out: *mut c_void = std::ptr::null_mut();
        // m's strings and config live for the call; out is a valid slot.
        call!(self, load_named, |f| f(self.state, &m, config.as_ptr(), config.len(), &mut out))?;
        Ok(Handle(out))
    }

    pub fn unload(&self, graph: Handle) {
        if let Some(f) = self.table.raw.unload {
            // SAFETY: graph came from this backend's load and is released exactly once (owner).
            unsafe { f(self.state, graph.0) }
        }
    }

    pub fn init_execution_context(&self, graph: Handle) -> Result<Handle, Failure> {
        let mut out: *mut c_void = std::ptr::null_mut();
        // a live graph of this backend and a valid out slot.
        call!(self, init_execution_context, |f| f(self.state, graph.0, &mut out))?;
        Ok(Handle(out))
    }

    pub fn finalize_execution_context(&self, ctx: Handle) {
        if let Some(f) = self.table.raw.finalize_execution_context {
            // SAFETY: ctx came from this backend and is released exactly once (owner).
            unsafe { f(self.state, ctx.0) }
        }
    }

    /// `data` may point into guest memory for the duration of the call (zero copy).
    pub fn set_input(&self, ctx: Handle, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> Result<(), Failure> {
        let t = Tensor { dims: dims.as_ptr(), dims_len: dims.len() as u32, ty, data: data.as_ptr(), data_len: data.len() };
        // the tensor's pointers are valid for the whole call (borrowed slices).
        call!(self, set_input, |f| f(self.state, ctx.0, index, &t))
    }

    pub fn compute(&self, ctx: Handle) -> Result<(), Failure> {
        // a live context of this backend.
        call!(self, compute, |f| f(self.state, ctx.0))
    }

    pub fn compute_single(&self, ctx: Handle) -> Result<(), Failure> {
        // a live context of this backend.
        call!(self, compute_single, |f| f(self.state, ctx.0))
    }

    pub fn fini_single(&self, ctx: Handle) -> Result<(), Failure> {
        // a live context of this backend.
        call!(self, fini_single, |f| f(self.state, ctx.0))
    }

    /// Writes output `index` into `out` (may be guest memory: zero copy). Returns the output's
    /// size in bytes; on too_large the failure carries the size the backend needs.
    pub fn get_output(&self, ctx: Handle, index: u32, out: &mut [u8]) -> Result<usize, Failure> {
        self.output(ctx, index, out, false)
    }

    /// As [`Instance::get_output`], for the current step of a stream.
    pub fn get_output_single(&self, ctx: Handle, index: u32, out: &mut [u8]) -> Result<usize, Failure> {
        self.output(ctx, index, out, true)
    }

    fn output(&self, ctx: Handle, index: u32, out: &mut [u8], single: bool) -> Result<usize, Failure> {
        let mut needed: usize = usize::MAX;
        let (ptr, len) = (out.as_mut_ptr(), out.len());
        // out is writable for len bytes for the call; needed is a valid slot.
        let r = if single {
            call!(self, get_output_single, |f| f(self.state, ctx.0, index, ptr, len, &mut needed))
        } else {
            call!(self, get_output, |f| f(self.state, ctx.0, index, ptr, len, &mut needed))
        };
        let reported = (needed != usize::MAX).then_some(needed);
        match r {
            Ok(()) => match reported {
                Some(n) if n <= len => Ok(n),
                _ => Err(Failure {
                    code: NnError::RuntimeError,
                    detail: Some(format!(
                        "backend {} reported success from get_output with a bad size {reported:?} (buffer {len})",
                        self.name()
                    )),
                    needed: None,
                }),
            },
            Err(mut f) => {
                f.needed = reported;
                Err(f)
            }
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let (true, Some(destroy)) = (self.live, self.table.raw.destroy) {
            // SAFETY: called once, after every graph and context of this backend was released
            // (the owner keeps the instance alive while handles exist).
            unsafe { destroy(self.state) }
        }
    }
}

/// A log sink for tests and tools without libvmcore.so's logger: records at warn and above on
/// stderr.
///
/// # Safety
/// Called by backends per the ABI: `target` NUL-terminated or NULL, `msg` readable for `len`.
pub unsafe extern "C" fn stderr_log(level: u32, target: *const c_char, msg: *const u8, len: usize) {
    if level > crate::sys::log_level::WARN || msg.is_null() {
        return;
    }
    // SAFETY: the caller's contract.
    let text = unsafe { std::slice::from_raw_parts(msg, len) };
    let target = if target.is_null() {
        String::new()
    } else {
        // SAFETY: the caller's contract.
        unsafe { CStr::from_ptr(target) }.to_string_lossy().into_owned()
    };
    eprintln!("[{level} {target}] {}", String::from_utf8_lossy(text));
}
