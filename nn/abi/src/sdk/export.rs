//! The C side of an SDK backend: one `extern "C"` function per table slot, generic over the
//! [`Backend`] type, each behind [`guard`] (no panic crosses the ABI, pointers checked), and the
//! table built from them. Used through [`backend_table!`](crate::backend_table) and
//! [`export_backend!`](crate::export_backend).

use super::error::{self, Error, Result};
use super::{Backend, Context, Graph, NamedModel, Options, TensorRef};
use crate::sys::{self, Bytes, CStrList, InitArgs, NnError, Tensor, ABI_VERSION};
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

type Ctx<B> = <<B as Backend>::Graph as Graph>::Context;

/// The option keys of `B` as a C string list (for the table's `option_keys`).
pub const fn option_keys<B: Backend, const N: usize>() -> CStrList<N> {
    let mut list = [std::ptr::null(); N];
    let mut i = 0;
    while i < N {
        list[i] = B::OPTIONS[i].as_ptr();
        i += 1;
    }
    CStrList(list)
}

/// The table of `B`; `keys` is `option_keys::<B, N>()` in a static of the caller.
pub const fn table<B: Backend, const N: usize>(keys: &'static CStrList<N>) -> sys::Backend {
    sys::Backend {
        abi_version: ABI_VERSION,
        name: B::NAME.as_ptr(),
        encodings: B::ENCODINGS.as_ptr(),
        encodings_len: B::ENCODINGS.len() as u32,
        option_keys: keys.0.as_ptr(),
        option_keys_len: N as u32,
        init: Some(init::<B>),
        destroy: Some(destroy::<B>),
        load: Some(load::<B>),
        load_named: Some(load_named::<B>),
        unload: Some(unload::<B>),
        init_execution_context: Some(init_execution_context::<B>),
        finalize_execution_context: Some(finalize_execution_context::<B>),
        set_input: Some(set_input::<B>),
        compute: Some(compute::<B>),
        get_output: Some(get_output::<B>),
        compute_single: Some(compute_single::<B>),
        get_output_single: Some(get_output_single::<B>),
        fini_single: Some(fini_single::<B>),
        last_error: Some(last_error),
    }
}

/// Runs one ABI call: an error becomes its code (kept as the thread's last error), a panic an
/// internal runtime_error (debug builds; release builds abort at the panic).
fn guard(what: &str, f: impl FnOnce() -> Result<()>) -> u32 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => NnError::Success as u32,
        Ok(Err(e)) => error::record(what, &e),
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            ::log::error!("{what}: internal error (panic) in the backend: {why}");
            error::record(what, &Error::runtime(format!("internal error (panic) in the backend: {why}")))
        }
    }
}

/// A release call (no result): a panic inside a destructor is contained and logged.
fn release(what: &str, f: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        ::log::error!("{what}: internal error (panic) in the backend");
    }
}

/// # Safety
/// `p` is NULL or points to a live `T` for the call.
unsafe fn deref<'a, T>(p: *mut c_void, what: &str) -> Result<&'a mut T> {
    // SAFETY: the caller's contract; NULL is refused.
    unsafe { (p as *mut T).as_mut() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}

/// # Safety
/// When `len > 0`, `ptr` is NULL or readable for `len` elements for the call.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    match (len, ptr.is_null()) {
        (0, _) => Ok(&[]),
        (_, true) => Err(Error::invalid(format!("{what} is NULL with length {len}"))),
        // SAFETY: the caller's contract.
        _ => Ok(unsafe { std::slice::from_raw_parts(ptr, len) }),
    }
}

/// # Safety
/// As [`slice`], writable.
unsafe fn slice_mut<'a>(ptr: *mut u8, len: usize, what: &str) -> Result<&'a mut [u8]> {
    match (len, ptr.is_null()) {
        (0, _) => Ok(&mut []),
        (_, true) => Err(Error::invalid(format!("{what} is NULL with length {len}"))),
        // SAFETY: the caller's contract.
        _ => Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len) }),
    }
}

/// # Safety
/// `p` is NULL or a NUL-terminated string valid for the call.
unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::invalid(format!("{what} is NULL")));
    }
    // SAFETY: the caller's contract.
    unsafe { CStr::from_ptr(p) }.to_str().map_err(|_| Error::invalid(format!("{what} is not UTF-8")))
}

/// Store a new handle in an out slot.
fn hand_out<T>(slot: *mut *mut c_void, value: T, what: &str) -> Result<()> {
    if slot.is_null() {
        return Err(Error::invalid(format!("{what} out pointer is NULL")));
    }
    // SAFETY: a non-NULL out slot from the runtime, writable for the call.
    unsafe { *slot = Box::into_raw(Box::new(value)) as *mut c_void };
    Ok(())
}

unsafe extern "C" fn init<B: Backend>(args: *const InitArgs, state_out: *mut *mut c_void) -> u32 {
    guard("init", || {
        // SAFETY: the runtime passes a live InitArgs (ABI).
        let args = unsafe { args.as_ref() }.ok_or_else(|| Error::invalid("init args are NULL"))?;
        super::log::install(args);
        // SAFETY: options_len C strings (ABI).
        let list = unsafe { slice(args.options, args.options_len as usize, "options") }?;
        let mut strings = Vec::with_capacity(list.len());
        for &o in list {
            // SAFETY: each option is a NUL-terminated string (ABI).
            strings.push(unsafe { c_str(o, "option") }?);
        }
        let options = Options::parse(&strings)?;
        let declared: Vec<String> = B::OPTIONS.iter().map(|k| k.to_string_lossy().into_owned()).collect();
        for key in options.undeclared(&declared) {
            ::log::warn!("backend {}: ignoring unknown option '{key}'", B::NAME.to_string_lossy());
        }
        let backend = B::new(&options)?;
        hand_out(state_out, backend, "state")
    })
}

unsafe extern "C" fn destroy<B: Backend>(state: *mut c_void) {
    release("destroy", || {
        if !state.is_null() {
            // SAFETY: created by init as Box<B>, destroyed once by the runtime (ABI).
            drop(unsafe { Box::from_raw(state as *mut B) });
        }
    })
}

unsafe extern "C" fn load<B: Backend>(
    state: *mut c_void,
    builders: *const Bytes,
    builders_len: u32,
    encoding: u32,
    target: u32,
    graph_out: *mut *mut c_void,
) -> u32 {
    guard("load", || {
        // SAFETY: state is what init returned (ABI).
        let backend = unsafe { deref::<B>(state, "state") }?;
        // SAFETY: builders_len builders valid for the call (ABI).
        let list = unsafe { slice(builders, builders_len as usize, "builders") }?;
        let mut parts = Vec::with_capacity(list.len());
        for b in list {
            // SAFETY: each builder points at len readable bytes for the call (ABI).
            parts.push(unsafe { slice(b.data, b.len, "builder") }?);
        }
        let graph = backend.load(&parts, encoding, target)?;
        hand_out(graph_out, graph, "graph")
    })
}

unsafe extern "C" fn load_named<B: Backend>(
    state: *mut c_void,
    model: *const sys::NamedModel,
    config: *const u8,
    config_len: usize,
    graph_out: *mut *mut c_void,
) -> u32 {
    guard("load_named", || {
        // SAFETY: state is what init returned (ABI).
        let backend = unsafe { deref::<B>(state, "state") }?;
        // SAFETY: a live named model for the call (ABI).
        let m = unsafe { model.as_ref() }.ok_or_else(|| Error::invalid("named model is NULL"))?;
        // SAFETY: paths_len NUL-terminated paths (ABI).
        let raw_paths = unsafe { slice(m.paths, m.paths_len as usize, "paths") }?;
        let mut paths = Vec::with_capacity(raw_paths.len());
        for &p in raw_paths {
            // SAFETY: as above.
            paths.push(Path::new(unsafe { c_str(p, "path") }?));
        }
        let named = NamedModel {
            // SAFETY: NUL-terminated name (ABI).
            name: unsafe { c_str(m.name, "name") }?,
            paths,
            encoding: m.encoding,
            target: m.target,
        };
        // SAFETY: config_len readable bytes for the call (ABI).
        let config = unsafe { slice(config, config_len, "config") }?;
        let graph = backend.load_named(&named, config)?;
        hand_out(graph_out, graph, "graph")
    })
}

unsafe extern "C" fn unload<B: Backend>(_state: *mut c_void, graph: *mut c_void) {
    release("unload", || {
        if !graph.is_null() {
            // SAFETY: created by load, released once by the runtime (ABI).
            drop(unsafe { Box::from_raw(graph as *mut B::Graph) });
        }
    })
}

unsafe extern "C" fn init_execution_context<B: Backend>(
    _state: *mut c_void,
    graph: *mut c_void,
    ctx_out: *mut *mut c_void,
) -> u32 {
    guard("init_execution_context", || {
        // SAFETY: a live graph from load (ABI).
        let graph = unsafe { deref::<B::Graph>(graph, "graph") }?;
        let ctx = graph.init_execution_context()?;
        hand_out(ctx_out, ctx, "context")
    })
}

unsafe extern "C" fn finalize_execution_context<B: Backend>(_state: *mut c_void, ctx: *mut c_void) {
    release("finalize_execution_context", || {
        if !ctx.is_null() {
            // SAFETY: created by init_execution_context, released once by the runtime (ABI).
            drop(unsafe { Box::from_raw(ctx as *mut Ctx<B>) });
        }
    })
}

unsafe extern "C" fn set_input<B: Backend>(_state: *mut c_void, ctx: *mut c_void, index: u32, tensor: *const Tensor) -> u32 {
    guard("set_input", || {
        // SAFETY: a live context; calls on it are serialized by the runtime (ABI).
        let ctx = unsafe { deref::<Ctx<B>>(ctx, "context") }?;
        // SAFETY: a live tensor for the call (ABI).
        let t = unsafe { tensor.as_ref() }.ok_or_else(|| Error::invalid("tensor is NULL"))?;
        let tensor = TensorRef {
            // SAFETY: dims_len u32 values valid for the call (ABI).
            dims: unsafe { slice(t.dims, t.dims_len as usize, "dims") }?,
            ty: t.ty,
            // SAFETY: data_len bytes valid for the call (ABI).
            data: unsafe { slice(t.data, t.data_len, "tensor data") }?,
        };
        ctx.set_input(index, &tensor)
    })
}

unsafe extern "C" fn compute<B: Backend>(_state: *mut c_void, ctx: *mut c_void) -> u32 {
    // SAFETY: a live context, serialized (ABI).
    guard("compute", || unsafe { deref::<Ctx<B>>(ctx, "context") }?.compute())
}

unsafe extern "C" fn compute_single<B: Backend>(_state: *mut c_void, ctx: *mut c_void) -> u32 {
    // SAFETY: a live context, serialized (ABI).
    guard("compute_single", || unsafe { deref::<Ctx<B>>(ctx, "context") }?.compute_single())
}

unsafe extern "C" fn fini_single<B: Backend>(_state: *mut c_void, ctx: *mut c_void) -> u32 {
    // SAFETY: a live context, serialized (ABI).
    guard("fini_single", || unsafe { deref::<Ctx<B>>(ctx, "context") }?.fini_single())
}

/// get_output and get_output_single: `*needed` is always set when the size is known.
///
/// # Safety
/// The ABI's get_output contract.
unsafe fn output<B: Backend>(
    what: &str,
    ctx: *mut c_void,
    index: u32,
    out: *mut u8,
    out_len: usize,
    needed: *mut usize,
    single: bool,
) -> u32 {
    guard(what, || {
        // SAFETY: a live context, serialized (ABI).
        let ctx = unsafe { deref::<Ctx<B>>(ctx, "context") }?;
        // SAFETY: out_len writable bytes for the call (ABI).
        let out = unsafe { slice_mut(out, out_len, "output buffer") }?;
        let r = if single { ctx.get_output_single(index, out) } else { ctx.get_output(index, out) };
        let size = match &r {
            Ok(n) => Some(*n),
            Err(e) => e.needed(),
        };
        if let (Some(n), false) = (size, needed.is_null()) {
            // SAFETY: a non-NULL out slot (ABI).
            unsafe { *needed = n };
        }
        r.map(|_| ())
    })
}

unsafe extern "C" fn get_output<B: Backend>(
    _state: *mut c_void,
    ctx: *mut c_void,
    index: u32,
    out: *mut u8,
    out_len: usize,
    needed: *mut usize,
) -> u32 {
    // SAFETY: forwarded ABI contract.
    unsafe { output::<B>("get_output", ctx, index, out, out_len, needed, false) }
}

unsafe extern "C" fn get_output_single<B: Backend>(
    _state: *mut c_void,
    ctx: *mut c_void,
    index: u32,
    out: *mut u8,
    out_len: usize,
    needed: *mut usize,
) -> u32 {
    // SAFETY: forwarded ABI contract.
    unsafe { output::<B>("get_output_single", ctx, index, out, out_len, needed, true) }
}

unsafe extern "C" fn last_error(_state: *mut c_void) -> *const c_char {
    error::last()
}

/// `&'static ember_nn_abi::Backend`: the table of a [`Backend`](crate::sdk::Backend) type.
#[macro_export]
macro_rules! backend_table {
    ($ty:ty) => {{
        const N: usize = <$ty as $crate::sdk::Backend>::OPTIONS.len();
        static KEYS: $crate::CStrList<N> = $crate::sdk::export::option_keys::<$ty, N>();
        static TABLE: $crate::Backend = $crate::sdk::export::table::<$ty, N>(&KEYS);
        &TABLE
    }};
}

/// Exports a [`Backend`](crate::sdk::Backend) type as this library's wasi-nn backend: the entry
/// symbol `ember_nn_backend_entry` returning its table, and (outside `cargo test`) the global
/// allocator over libvmcore.so's `wasm_runtime_malloc`. The crate depends on `vmcore-sys`.
#[macro_export]
macro_rules! export_backend {
    ($ty:ty) => {
        /// The backend's entry symbol (EMBER_NN_BACKEND_ENTRY_SYMBOL).
        #[no_mangle]
        pub extern "C" fn ember_nn_backend_entry() -> *const $crate::Backend {
            $crate::backend_table!($ty)
        }

        #[cfg(not(test))]
        #[global_allocator]
        static EMBER_NN_RUNTIME_ALLOC: $crate::sdk::RuntimeAlloc = $crate::sdk::RuntimeAlloc::new(
            ::vmcore_sys::wasm_runtime_malloc,
            ::vmcore_sys::wasm_runtime_realloc,
            ::vmcore_sys::wasm_runtime_free,
            ::vmcore_sys::WASM_RUNTIME_MALLOC_ALIGN,
        );
    };
}
