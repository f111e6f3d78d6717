//! One loaded wasi-nn backend: its validated ABI table, its state, and safe call wrappers.
//!
//! The table comes from a library's `ember_nn_backend_entry` (nn/include/wasi_nn_backend.h).
//! Everything a backend hands back (name, encodings, required function pointers) is checked
//! before it is trusted; a library with another ABI version is refused naming both versions.

use super::NnResult;
use ember_nn_abi::{Backend, Bytes, EntryFn, InitArgs, NnError, Tensor, ABI_VERSION};
use ember_platform::dynlib::DynLib;
use std::ffi::{c_char, c_void, CStr, CString};
use std::path::{Path, PathBuf};

/// The table as raw pointers, same layout as `Backend`: read first so that a C backend's NULL in
/// a required slot is caught instead of becoming an invalid Rust function pointer.
#[repr(C)]
struct RawBackend {
    abi_version: u32,
    name: *const c_char,
    encodings: *const u32,
    encodings_len: u32,
    fns: [*const c_void; 11],
}

// Slots of RawBackend::fns that may be NULL: load_by_name (3) and last_error (10).
const OPTIONAL_SLOTS: [usize; 2] = [3, 10];
const SLOT_NAMES: [&str; 11] = [
    "init",
    "destroy",
    "load",
    "load_by_name",
    "unload",
    "init_execution_context",
    "finalize_execution_context",
    "set_input",
    "compute",
    "get_output",
    "last_error",
];
/// A sane cap on the encodings a backend may declare.
const MAX_ENCODINGS: u32 = 64;

/// An opaque backend handle (graph or execution context) with the backend's thread contract:
/// calls on one handle are serialized by the owner (NnCtx is used through &mut).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Handle(pub *mut c_void);
// SAFETY: the backend ABI allows a graph or context to be used from another thread as long as
// calls on it are serialized, which NnCtx guarantees (exclusive &mut access).
unsafe impl Send for Handle {}

pub struct LoadedBackend {
    table: &'static Backend,
    state: *mut c_void,
    name: String,
    encodings: Vec<u32>,
    /// Where it came from (a file, or "<builtin>" for tables linked in).
    path: PathBuf,
    /// Keeps the library mapped for as long as the table is used. Never closed: engines keep
    /// threads and global state that do not survive dlclose (see Drop).
    lib: Option<DynLib>,
}

// SAFETY: backends must accept calls from any thread on different graphs/contexts (ABI
// contract in wasi_nn_backend.h); the state pointer is only passed back to the backend.
unsafe impl Send for LoadedBackend {}
// SAFETY: as above; LoadedBackend has no interior mutability of its own.
unsafe impl Sync for LoadedBackend {}

impl std::fmt::Debug for LoadedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "backend {} ({})", self.name, self.path.display())
    }
}

impl LoadedBackend {
    /// Open `path`, check that it is a wasi-nn backend of our ABI version, and initialise it
    /// with `options` ("key=value" strings).
    pub fn open(path: &Path, options: &[String]) -> Result<LoadedBackend, String> {
        Self::from_lib(DynLib::open(path)?, options)
    }

    /// As `open`, for a library already opened.
    pub fn from_lib(lib: DynLib, options: &[String]) -> Result<LoadedBackend, String> {
        let path = lib.path().to_path_buf();
        let path = path.as_path();
        let entry_name = std::str::from_utf8(&ember_nn_abi::ENTRY_SYMBOL[..ember_nn_abi::ENTRY_SYMBOL.len() - 1])
            .unwrap_or("ember_nn_backend_entry");
        let addr = lib.symbol_address(entry_name).ok_or_else(|| {
            format!("{} is not a wasi-nn backend: it does not export {}", path.display(), entry_name)
        })?;
        // SAFETY: the symbol is the backend entry point of the ABI, declared in the header as
        // `const ember_nn_backend *ember_nn_backend_entry(void)`, which is what EntryFn is.
        let entry: EntryFn = unsafe { std::mem::transmute::<*const c_void, EntryFn>(addr) };
        // SAFETY: calling the entry function as declared; it takes no arguments.
        let table = unsafe { entry() };
        // SAFETY: the entry function of the ABI returns NULL or such a table, static in `lib`.
        unsafe { Self::from_table(table, path.to_path_buf(), Some(lib), options) }
    }

    /// Validate and initialise a table (from a library, or linked in for tests).
    ///
    /// # Safety
    /// `table` is NULL or points to a table that starts with a u32 ABI version and, when that
    /// version is ours, has the layout of `Backend`, and stays valid while `lib` is loaded.
    pub unsafe fn from_table(
        table: *const Backend,
        path: PathBuf,
        lib: Option<DynLib>,
        options: &[String],
    ) -> Result<LoadedBackend, String> {
        if table.is_null() {
            return Err(format!("{}: {} returned NULL", path.display(), "ember_nn_backend_entry"));
        }
        // SAFETY: the entry function returned a non-NULL pointer to a static table whose layout
        // starts with the ABI version in every ABI version; we read only that field first.
        let version = unsafe { std::ptr::read(table as *const u32) };
        if version != ABI_VERSION {
            return Err(format!(
                "{}: backend ABI version {} is not supported: this libvmcore.so speaks wasi-nn backend ABI version {}",
                path.display(),
                version,
                ABI_VERSION
            ));
        }
        // SAFETY: version matches, so the table has the layout of ABI version 1, mirrored by
        // RawBackend (same size and offsets as Backend, checked by a test).
        let raw = unsafe { &*(table as *const RawBackend) };
        for (i, f) in raw.fns.iter().enumerate() {
            if f.is_null() && !OPTIONAL_SLOTS.contains(&i) {
                return Err(format!("{}: backend table has no {} function", path.display(), SLOT_NAMES[i]));
            }
        }
        if raw.name.is_null() {
            return Err(format!("{}: backend table has no name", path.display()));
        }
        // SAFETY: name is a non-NULL NUL-terminated static string per the ABI.
        let name = unsafe { CStr::from_ptr(raw.name) }.to_string_lossy().into_owned();
        if raw.encodings_len > MAX_ENCODINGS || (raw.encodings_len > 0 && raw.encodings.is_null()) {
            return Err(format!("{}: backend table has a bad encodings list", path.display()));
        }
        let encodings = if raw.encodings_len == 0 {
            Vec::new()
        } else {
            // SAFETY: non-NULL pointer to encodings_len u32 values (checked above), static data.
            unsafe { std::slice::from_raw_parts(raw.encodings, raw.encodings_len as usize) }.to_vec()
        };
        // SAFETY: all required slots are non-NULL (checked), so reading the table as Backend
        // gives valid function pointers; optional slots are Option<fn> (NULL = None).
        let table: &'static Backend = unsafe { &*table };

        let c_opts: Vec<CString> = options
            .iter()
            .filter_map(|o| CString::new(o.as_str()).ok())
            .collect();
        let ptrs: Vec<*const c_char> = c_opts.iter().map(|c| c.as_ptr()).collect();
        let args = InitArgs { options: ptrs.as_ptr(), options_len: ptrs.len() as u32 };
        let mut state: *mut c_void = std::ptr::null_mut();
        // SAFETY: init gets a valid InitArgs whose strings outlive the call, and a valid out slot.
        let code = unsafe { (table.init)(&args, &mut state) };
        let mut backend = LoadedBackend { table, state, name, encodings, path, lib };
        if code != 0 {
            let detail = backend.last_error().unwrap_or_default();
            // Not initialised: make sure Drop does not call destroy.
            backend.state = std::ptr::null_mut();
            let msg = format!(
                "{}: backend {} failed to initialise (error {:?}){}{}",
                backend.path.display(),
                backend.name,
                NnError::from_raw(code),
                if detail.is_empty() { "" } else { ": " },
                detail
            );
            std::mem::forget(backend);
            return Err(msg);
        }
        Ok(backend)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn encodings(&self) -> &[u32] {
        &self.encodings
    }
    pub fn serves(&self, encoding: u32) -> bool {
        self.encodings.contains(&encoding)
    }

    /// The backend's own detail of its last error, if it offers one.
    pub fn last_error(&self) -> Option<String> {
        let f = self.table.last_error?;
        // SAFETY: optional function of the ABI, called with the backend's state.
        let p = unsafe { f(self.state) };
        if p.is_null() {
            return None;
        }
        // SAFETY: a non-NULL NUL-terminated string valid until the next call on this thread.
        let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
        if s.is_empty() {
            None
        } else {
            Some(s)
        }
    }

    fn check(&self, what: &str, code: u32) -> NnResult<()> {
        match NnError::from_raw(code) {
            NnError::Success => Ok(()),
            NnError::TooLarge => {
                log::debug!("wasi-nn: {} {what}: buffer too small", self.name);
                Err(NnError::TooLarge)
            }
            e => {
                match self.last_error() {
                    Some(d) => log::warn!("wasi-nn: {} {what}: {e:?}: {d}", self.name),
                    None => log::debug!("wasi-nn: {} {what}: {e:?}", self.name),
                }
                Err(e)
            }
        }
    }

    pub fn load(&self, builders: &[&[u8]], encoding: u32, target: u32) -> NnResult<Handle> {
        let list: Vec<Bytes> = builders.iter().map(|b| Bytes { data: b.as_ptr(), len: b.len() }).collect();
        let mut out: *mut c_void = std::ptr::null_mut();
        // SAFETY: builders point into memory borrowed for the whole call; out is a valid slot.
        let code = unsafe {
            (self.table.load)(self.state, list.as_ptr(), list.len() as u32, encoding, target, &mut out)
        };
        self.check("load", code)?;
        Ok(Handle(out))
    }

    pub fn unload(&self, graph: Handle) {
        // SAFETY: graph came from this backend's load and is released exactly once (NnCtx).
        unsafe { (self.table.unload)(self.state, graph.0) }
    }

    pub fn init_execution_context(&self, graph: Handle) -> NnResult<Handle> {
        let mut out: *mut c_void = std::ptr::null_mut();
        // SAFETY: a live graph of this backend and a valid out slot.
        let code = unsafe { (self.table.init_execution_context)(self.state, graph.0, &mut out) };
        self.check("init_execution_context", code)?;
        Ok(Handle(out))
    }

    pub fn finalize_execution_context(&self, ctx: Handle) {
        // SAFETY: ctx came from this backend and is released exactly once (NnCtx).
        unsafe { (self.table.finalize_execution_context)(self.state, ctx.0) }
    }

    /// `data` points into guest memory for the duration of the call (zero copy).
    pub fn set_input(&self, ctx: Handle, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> NnResult<()> {
        let t = Tensor {
            dims: dims.as_ptr(),
            dims_len: dims.len() as u32,
            ty,
            data: data.as_ptr(),
            data_len: data.len(),
        };
        // SAFETY: the tensor's pointers are valid for the whole call (borrowed slices).
        let code = unsafe { (self.table.set_input)(self.state, ctx.0, index, &t) };
        self.check("set_input", code)
    }

    pub fn compute(&self, ctx: Handle) -> NnResult<()> {
        // SAFETY: a live context of this backend.
        let code = unsafe { (self.table.compute)(self.state, ctx.0) };
        self.check("compute", code)
    }

    /// Writes output `index` into `out` (guest memory, zero copy). Returns the output's size in
    /// bytes on success; on too_large, `Err((TooLarge, Some(needed)))`.
    pub fn get_output(&self, ctx: Handle, index: u32, out: &mut [u8]) -> Result<usize, (NnError, Option<usize>)> {
        let mut needed: usize = usize::MAX;
        // SAFETY: out is a writable buffer of out.len() bytes for the call; needed is valid.
        let code = unsafe {
            (self.table.get_output)(self.state, ctx.0, index, out.as_mut_ptr(), out.len(), &mut needed)
        };
        let reported = if needed == usize::MAX { None } else { Some(needed) };
        match self.check("get_output", code) {
            Ok(()) => match reported {
                Some(n) if n <= out.len() => Ok(n),
                _ => {
                    log::error!(
                        "wasi-nn: backend {} reported success from get_output with a bad size {:?} (buffer {})",
                        self.name,
                        reported,
                        out.len()
                    );
                    Err((NnError::RuntimeError, None))
                }
            },
            Err(e) => Err((e, reported)),
        }
    }
}

impl Drop for LoadedBackend {
    fn drop(&mut self) {
        if !self.state.is_null() {
            // SAFETY: called once, after every graph and context of this backend was released
            // (they hold an Arc to the backend, so it is dropped only after them).
            unsafe { (self.table.destroy)(self.state) }
        }
        // The library stays mapped (no dlclose): a backend's engine may keep threads or
        // atexit handlers pointing into it.
        if let Some(lib) = self.lib.take() {
            std::mem::forget(lib);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_table_has_the_abi_layout() {
        assert_eq!(std::mem::size_of::<RawBackend>(), std::mem::size_of::<Backend>());
        assert_eq!(
            std::mem::offset_of!(RawBackend, fns),
            std::mem::offset_of!(Backend, init)
        );
        assert_eq!(
            std::mem::offset_of!(RawBackend, fns) + 3 * std::mem::size_of::<usize>(),
            std::mem::offset_of!(Backend, load_by_name)
        );
        assert_eq!(
            std::mem::offset_of!(RawBackend, fns) + 10 * std::mem::size_of::<usize>(),
            std::mem::offset_of!(Backend, last_error)
        );
    }
}
