//! libwasi_nn_backend_armnn.so: Ember's wasi-nn backend on Debian's ArmNN 20.08.
//!
//! Layers (see ARCHITECTURE.md, "ArmNN backend"):
//! - this file: the ABI v1 table (nn/include/wasi_nn_backend.h, Rust mirror ember-nn-abi); every
//!   entry point checks its pointers, catches panics and records errors for `last_error`;
//! - `state`: the armnn::IRuntime and target -> backend preferences (CpuAcc/CpuRef/GpuAcc);
//! - `graph`: load (TFLite bytes -> ArmNN network), contexts with their tensor buffers;
//! - `tflite_scan`: bounds-checked model check and explanations of ArmNN's parse errors;
//! - `shim` + shim/armnn_shim.cpp: the C++ side (TfLiteParser, Optimize, LoadNetwork,
//!   EnqueueWorkload), which catches every C++ exception;
//! - `vm_alloc`: records and buffers from libvmcore.so's wasm_runtime_malloc.

mod error;
mod graph;
mod logger;
mod shim;
mod state;
mod tflite_ops;
mod tflite_scan;
mod vm_alloc;

use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use ember_nn_abi::{encoding, Backend, Bytes, InitArgs, NnError, Tensor, ABI_VERSION};

use error::Error;
use graph::{Context, Graph};
use state::State;
use vm_alloc::VmBox;

static ENCODINGS: [u32; 2] = [encoding::TENSORFLOWLITE, encoding::AUTODETECT];

static TABLE: Backend = Backend {
    abi_version: ABI_VERSION,
    name: c"armnn".as_ptr(),
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

/// The backend's entry symbol (EMBER_NN_BACKEND_ENTRY_SYMBOL).
#[no_mangle]
pub extern "C" fn ember_nn_backend_entry() -> *const Backend {
    &TABLE
}

/// Runs `body`, turning an error or a panic into a recorded error code.
fn guard(what: &str, body: impl FnOnce() -> Result<(), Error>) -> u32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => NnError::Success as u32,
        Ok(Err(mut e)) => {
            e.message = format!("{what}: {}", e.message);
            error::record(e)
        }
        Err(_) => error::record(Error::runtime(format!("{what}: internal error (panic) in the ArmNN backend"))),
    }
}

/// Releases a handle; a panic inside a destructor is contained.
fn release(what: &str, body: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(body)).is_err() {
        error::record(Error::runtime(format!("{what}: internal error (panic) in the ArmNN backend")));
    }
}

/// # Safety
/// `p` must be NULL or point to a live T created by this library (ABI handle contract).
unsafe fn handle<'a, T>(p: *mut c_void, what: &str) -> Result<&'a mut T, Error> {
    // SAFETY: forwarded contract; NULL is refused.
    unsafe { (p as *mut T).as_mut() }.ok_or_else(|| Error::invalid(format!("NULL {what} handle")))
}

/// # Safety
/// `data` must be NULL or point to `len` readable bytes for the duration of the call.
unsafe fn bytes<'a>(data: *const u8, len: usize, what: &str) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(Error::invalid(format!("NULL {what} with length {len}")));
    }
    // SAFETY: forwarded contract, non-NULL checked above.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

unsafe extern "C" fn init(args: *const InitArgs, state_out: *mut *mut c_void) -> u32 {
    guard("init", || {
        if state_out.is_null() {
            return Err(Error::invalid("NULL state_out"));
        }
        let mut options = Vec::new();
        // SAFETY: `args` is NULL or valid for the call (ABI).
        if let Some(args) = unsafe { args.as_ref() } {
            if args.options_len > 0 && args.options.is_null() {
                return Err(Error::invalid("NULL options with a non-zero count"));
            }
            for i in 0..args.options_len as usize {
                // SAFETY: `options` holds options_len pointers (ABI), checked non-NULL above.
                let p = unsafe { *args.options.add(i) };
                if !p.is_null() {
                    // SAFETY: each option is a NUL-terminated string (ABI).
                    options.push(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned());
                }
            }
        }
        logger::init(&options);
        let state = VmBox::new(State::new(&options)?, "backend state")?;
        // SAFETY: checked non-NULL above; the caller gives a writable slot.
        unsafe { *state_out = state.into_raw() as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn destroy(state: *mut c_void) {
    release("destroy", || {
        // SAFETY: `state` came from init and is destroyed once (ABI).
        drop(unsafe { VmBox::from_raw(state as *mut State) });
    })
}

unsafe extern "C" fn load(
    state: *mut c_void,
    builders: *const Bytes,
    builders_len: u32,
    enc: u32,
    target: u32,
    graph_out: *mut *mut c_void,
) -> u32 {
    guard("load", || {
        // SAFETY: `state` is NULL or the live state from init (ABI).
        let state = unsafe { handle::<State>(state, "state") }?;
        if graph_out.is_null() {
            return Err(Error::invalid("NULL graph_out"));
        }
        if builders_len != 1 || builders.is_null() {
            return Err(Error::invalid(format!("a TFLite model is one builder, got {builders_len}")));
        }
        // SAFETY: one builder (checked), valid for the call (ABI).
        let b = unsafe { *builders };
        // SAFETY: the builder points to `len` readable bytes for the call (ABI).
        let model = unsafe { bytes(b.data, b.len, "model") }?;
        let graph = VmBox::new(graph::load(state, model, enc, target)?, "graph record")?;
        // SAFETY: checked non-NULL above.
        unsafe { *graph_out = graph.into_raw() as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn unload(_state: *mut c_void, graph: *mut c_void) {
    release("unload", || {
        // SAFETY: `graph` came from load and is released once (ABI). Contexts keep their own
        // reference to the network, so they stay usable.
        drop(unsafe { VmBox::from_raw(graph as *mut Graph) });
    })
}

unsafe extern "C" fn init_execution_context(_state: *mut c_void, graph: *mut c_void, ctx_out: *mut *mut c_void) -> u32 {
    guard("init_execution_context", || {
        // SAFETY: `graph` is NULL or a live graph from load (ABI).
        let graph = unsafe { handle::<Graph>(graph, "graph") }?;
        if ctx_out.is_null() {
            return Err(Error::invalid("NULL ctx_out"));
        }
        let ctx = VmBox::new(Context::new(graph)?, "context record")?;
        // SAFETY: checked non-NULL above.
        unsafe { *ctx_out = ctx.into_raw() as *mut c_void };
        Ok(())
    })
}

unsafe extern "C" fn finalize_execution_context(_state: *mut c_void, ctx: *mut c_void) {
    release("finalize_execution_context", || {
        // SAFETY: `ctx` came from init_execution_context and is released once (ABI).
        drop(unsafe { VmBox::from_raw(ctx as *mut Context) });
    })
}

unsafe extern "C" fn set_input(_state: *mut c_void, ctx: *mut c_void, index: u32, tensor: *const Tensor) -> u32 {
    guard("set_input", || {
        // SAFETY: `ctx` is NULL or a live context (ABI); calls on it are serialized.
        let ctx = unsafe { handle::<Context>(ctx, "context") }?;
        // SAFETY: `tensor` is NULL or valid for the call (ABI).
        let t = unsafe { tensor.as_ref() }.ok_or_else(|| Error::invalid("NULL tensor"))?;
        // SAFETY: dims points to dims_len u32 for the call (ABI).
        let dims = if t.dims_len == 0 {
            &[][..]
        } else if t.dims.is_null() {
            return Err(Error::invalid("NULL dims"));
        } else {
            // SAFETY: as above, non-NULL checked.
            unsafe { std::slice::from_raw_parts(t.dims, t.dims_len as usize) }
        };
        // SAFETY: data points to data_len bytes for the call (ABI).
        let data = unsafe { bytes(t.data, t.data_len, "tensor data") }?;
        ctx.set_input(index, dims, t.ty, data)
    })
}

unsafe extern "C" fn compute(_state: *mut c_void, ctx: *mut c_void) -> u32 {
    guard("compute", || {
        // SAFETY: `ctx` is NULL or a live context (ABI).
        unsafe { handle::<Context>(ctx, "context") }?.compute()
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
    guard("get_output", || {
        // SAFETY: `ctx` is NULL or a live context (ABI).
        let ctx = unsafe { handle::<Context>(ctx, "context") }?;
        let out: &mut [u8] = if out_len == 0 {
            &mut []
        } else if out.is_null() {
            return Err(Error::invalid("NULL output buffer"));
        } else {
            // SAFETY: `out` points to out_len writable bytes for the call (ABI).
            unsafe { std::slice::from_raw_parts_mut(out, out_len) }
        };
        let (size, result) = ctx.get_output(index, out);
        if !needed.is_null() {
            // SAFETY: non-NULL `needed` is writable (ABI).
            unsafe { *needed = size };
        }
        result
    })
}

unsafe extern "C" fn last_error(_state: *mut c_void) -> *const c_char {
    error::last_error_ptr()
}
