//! The exported backend table and its C-ABI functions. Every function checks its pointers,
//! catches panics (none may cross the C ABI) and reports errors through `error::report`.

use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use ember_nn_abi::{encoding, target, Backend, Bytes, InitArgs, NnError, Tensor, ABI_VERSION};

use crate::engine::{Context, Engine, Graph, ModelBytes, Target, TensorIn};
use crate::error::{self, Error, Result};
use crate::flatbuf;
use crate::options::Options;
use crate::select;

static ENCODINGS: [u32; 1] = [encoding::TENSORFLOWLITE];

pub static BACKEND: Backend = Backend {
    abi_version: ABI_VERSION,
    name: c"tflite".as_ptr(),
    encodings: ENCODINGS.as_ptr(),
    encodings_len: ENCODINGS.len() as u32,
    init,
    destroy,
    load,
    load_by_name: None,
    unload,
    init_execution_context,
    finalize_execution_context,
    set_input,
    compute,
    get_output,
    last_error: Some(last_error),
};

struct State {
    options: Options,
    /// Opened at the first load, so a process that never loads a TFLite model never maps one.
    engine: Mutex<Option<Arc<dyn Engine>>>,
}

impl State {
    fn engine(&self) -> Result<Arc<dyn Engine>> {
        let mut e = self.engine.lock().map_err(|_| Error::runtime("engine lock poisoned"))?;
        if let Some(e) = e.as_ref() {
            return Ok(e.clone());
        }
        let found = select::find_engine(&self.options)?;
        log::debug!("wasi-nn tflite: using the {} engine", found.name());
        *e = Some(found.clone());
        Ok(found)
    }
}

/// Runs `f`, turning errors and panics into wasi-nn codes.
fn guard(f: impl FnOnce() -> Result<()>) -> u32 {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => NnError::Success as u32,
        Ok(Err(e)) => error::report(e),
        Err(_) => error::report(Error::runtime("internal error (panic) in the tflite backend")),
    }
}

/// # Safety
/// `p` is NULL or points to a live `T` for the call.
unsafe fn as_ref<'a, T>(p: *const T, what: &str) -> Result<&'a T> {
    // SAFETY: forwarded contract.
    unsafe { p.as_ref() }.ok_or_else(|| Error::invalid(format!("{what} is NULL")))
}

/// # Safety
/// When `len > 0`, `ptr` is readable for `len` elements for the call.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, what: &str) -> Result<&'a [T]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::invalid(format!("{what} is NULL with length {len}")));
    }
    // SAFETY: forwarded contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

unsafe extern "C" fn init(args: *const InitArgs, state_out: *mut *mut c_void) -> u32 {
    guard(|| {
        if state_out.is_null() {
            return Err(Error::invalid("state_out is NULL"));
        }
        let mut strings = Vec::new();
        if !args.is_null() {
            // SAFETY: the runtime passes a live InitArgs with options_len C strings.
            let a = unsafe { &*args };
            // SAFETY: as above.
            let opts = unsafe { slice(a.options, a.options_len as usize, "options") }?;
            for &o in opts {
                if !o.is_null() {
                    // SAFETY: each option is a NUL-terminated string.
                    strings.push(unsafe { CStr::from_ptr(o) }.to_string_lossy().into_owned());
                }
            }
        }
        let options = Options::parse(&strings, &|k| std::env::var(k).ok());
        crate::logger::install(options.as_ref().ok().and_then(|o| o.log_level));
        let options = options?;
        let state = Box::new(State { options, engine: Mutex::new(None) });
        // SAFETY: checked non-null above.
        unsafe { *state_out = Box::into_raw(state) as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn destroy(state: *mut c_void) {
    let _ = catch_unwind(|| {
        if !state.is_null() {
            // SAFETY: created by init as Box<State>, destroyed once by the runtime.
            drop(unsafe { Box::from_raw(state as *mut State) });
        }
    });
}

unsafe extern "C" fn load(
    state: *mut c_void,
    builders: *const Bytes,
    builders_len: u32,
    enc: u32,
    tgt: u32,
    graph_out: *mut *mut c_void,
) -> u32 {
    guard(|| {
        // SAFETY: state is what init returned.
        let st = unsafe { as_ref(state as *const State, "state") }?;
        if graph_out.is_null() {
            return Err(Error::invalid("graph_out is NULL"));
        }
        if enc != encoding::TENSORFLOWLITE && enc != encoding::AUTODETECT {
            return Err(Error::new(NnError::InvalidEncoding, format!("encoding {enc} is not tensorflowlite")));
        }
        let target = match tgt {
            target::CPU => Target::Cpu,
            target::GPU | target::TPU => Target::Accelerator(tgt),
            _ => return Err(Error::invalid(format!("unknown execution target {tgt}"))),
        };
        // SAFETY: the runtime passes builders_len builders valid for the call.
        let b = unsafe { slice(builders, builders_len as usize, "builders") }?;
        if b.len() != 1 {
            return Err(Error::invalid(format!("a TFLite model is one builder, got {}", b.len())));
        }
        // SAFETY: the builder points at len readable bytes (guest or host memory) for the call.
        let data = unsafe { slice(b[0].data, b[0].len, "model bytes") }?;
        let info = flatbuf::inspect_with_limit(data, st.options.max_tensor_bytes)
            .map_err(|e| Error::invalid(e.to_string()))?;
        let bytes = ModelBytes::copy_of(data)?;
        let graph = st.engine()?.load(bytes, info, target)?;
        let boxed: Box<Box<dyn Graph>> = Box::new(graph);
        // SAFETY: checked non-null.
        unsafe { *graph_out = Box::into_raw(boxed) as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn unload(_state: *mut c_void, graph: *mut c_void) {
    let _ = catch_unwind(|| {
        if !graph.is_null() {
            // SAFETY: created by load, released once by the runtime.
            drop(unsafe { Box::from_raw(graph as *mut Box<dyn Graph>) });
        }
    });
}

unsafe extern "C" fn init_execution_context(_state: *mut c_void, graph: *mut c_void, ctx_out: *mut *mut c_void) -> u32 {
    guard(|| {
        // SAFETY: graph is a live handle from load.
        let g = unsafe { as_ref(graph as *const Box<dyn Graph>, "graph") }?;
        if ctx_out.is_null() {
            return Err(Error::invalid("ctx_out is NULL"));
        }
        let ctx: Box<Box<dyn Context>> = Box::new(g.new_context()?);
        // SAFETY: checked non-null.
        unsafe { *ctx_out = Box::into_raw(ctx) as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn finalize_execution_context(_state: *mut c_void, ctx: *mut c_void) {
    let _ = catch_unwind(|| {
        if !ctx.is_null() {
            // SAFETY: created by init_execution_context, released once by the runtime.
            drop(unsafe { Box::from_raw(ctx as *mut Box<dyn Context>) });
        }
    });
}

/// # Safety
/// `ctx` is NULL or a live context handle used by this thread only for the call.
unsafe fn ctx_mut<'a>(ctx: *mut c_void) -> Result<&'a mut Box<dyn Context>> {
    // SAFETY: forwarded contract.
    unsafe { (ctx as *mut Box<dyn Context>).as_mut() }.ok_or_else(|| Error::invalid("context is NULL"))
}

unsafe extern "C" fn set_input(_state: *mut c_void, ctx: *mut c_void, index: u32, tensor: *const Tensor) -> u32 {
    guard(|| {
        // SAFETY: the runtime serializes calls per context.
        let c = unsafe { ctx_mut(ctx) }?;
        // SAFETY: tensor points to a live Tensor for the call.
        let t = unsafe { as_ref(tensor, "tensor") }?;
        // SAFETY: dims/data point into memory valid for the call with the given lengths.
        let dims = unsafe { slice(t.dims, t.dims_len as usize, "dims") }?;
        // SAFETY: as above.
        let data = unsafe { slice(t.data, t.data_len, "tensor data") }?;
        c.set_input(index, &TensorIn { dims, ty: t.ty, data })
    })
}

unsafe extern "C" fn compute(_state: *mut c_void, ctx: *mut c_void) -> u32 {
    guard(|| {
        // SAFETY: the runtime serializes calls per context.
        unsafe { ctx_mut(ctx) }?.compute()
    })
}

unsafe extern "C" fn get_output(
    _state: *mut c_void,
    ctx: *mut c_void,
    index: u32,
    out: *mut u8,
    out_len: usize,
    needed: *mut usize,
) -> u32 {
    guard(|| {
        // SAFETY: the runtime serializes calls per context.
        let c = unsafe { ctx_mut(ctx) }?;
        let size = c.output_size(index)?;
        if !needed.is_null() {
            // SAFETY: non-null out-pointer from the runtime.
            unsafe { *needed = size };
        }
        if out_len < size {
            return Err(Error::new(
                NnError::TooLarge,
                format!("output {index} needs {size} bytes, the buffer has {out_len}"),
            ));
        }
        if size == 0 {
            return Ok(());
        }
        if out.is_null() {
            return Err(Error::invalid("output buffer is NULL"));
        }
        // SAFETY: out is writable for out_len >= size bytes for the call.
        let dst = unsafe { std::slice::from_raw_parts_mut(out, size) };
        c.copy_output(index, dst)
    })
}

unsafe extern "C" fn last_error(_state: *mut c_void) -> *const c_char {
    error::last()
}
