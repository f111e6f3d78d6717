//! wasi-nn dispatch: the `wasi_ephemeral_nn` and legacy `wasi_nn` import modules, registered
//! together, forwarding to inference backends (libwasi_nn_backend_<name>.so) through the
//! versioned backend ABI (nn/include/wasi_nn_backend.h, Rust mirror ember-nn-abi).
//!
//! Code map:
//! - `ephemeral`, `legacy`: the two guest ABIs (guest structs -> host values);
//! - `ctx`:       per-instance graphs and contexts (`NnCtx`), handles, limits;
//! - `backend`:   one loaded backend (validated table, safe call wrappers);
//! - `registry`:  which backend serves which encoding, directory lookup, --native-lib;
//! - `detect`:    encoding names and autodetection from model bytes;
//! - `config`:    process-wide options (named models, backend dirs/preference/options);
//! - `capi`:      C API (core/include/ember_nn.h) used by iwasm's option parser.
//!
//! A guest error is a return code and never kills the instance; nothing here traps except a
//! host-function call with non-i32 arguments (impossible after linking).
//!
//! # The two guest ABIs
//!
//! | module | functions | tensor layout | get_output size |
//! |---|---|---|---|
//! | `wasi_ephemeral_nn` | load, load_by_name, load_by_name_with_config, init_execution_context, set_input, compute, get_output, unload, finalize_execution_context | 20 bytes: dims_ptr, dims_len, u8 type (+3 padding ignored), data_ptr, data_len | `out_max` bytes in, bytes written out |
//! | `wasi_nn` (legacy WAMR) | the same (load takes a pointer to {builders_ptr, count}) | 12 bytes: dims_struct_ptr -> {ptr, len}, u8 type, data_ptr; length = product(dims) x element size | `*inout` = capacity in fp32 elements in, output size in fp32 elements out (WAMR) |
//!
//! Both share one per-instance `NnCtx` (in the instance's `StoreData` slots, put there by
//! [`Nn::prepare`]): graphs and execution contexts keyed
//! by u32 handles counting up from 0, never reused. Limits per instance ([`ctx`]): 64 live
//! graphs, 64 live contexts (one more: too_large), tensor rank <= 16, <= 16 builders per load,
//! names <= 4096 bytes. Unloading a graph finalizes its contexts; dropping the instance
//! releases everything (each backend handle exactly once).
//!
//! Numbering is the spec's and WAMR's: encodings openvino 0, onnx 1, tensorflow 2, pytorch 3,
//! tensorflowlite 4, ggml 5, autodetect 6 ([`detect`]; WasmEdge swaps 5 and 6, so both
//! mean "what the model bytes are": GGUF is ggml, anything else autodetected); targets cpu 0, gpu 1, tpu 2; ephemeral
//! tensor types fp16 0, fp32 1, fp64 2, u8 3, i32 4, i64 5 (`--wasi-nn-legacy-u8`: 2 means u8,
//! for wasm built with old guest crates); legacy types fp16 0, fp32 1, u8 2, i32 3.
//!
//! Validation happens before any backend call: every pointer + length is checked against the
//! memory size in u64 (no wrap-around), output slots (graph_out, bytes_written, ...) before side
//! effects, guest structs are copied into host values (dims are copied; data is not). Tensor
//! data and model bytes reach the backend as pointers into guest memory valid for that call
//! only, and get_output writes straight into the guest buffer. Guest memory is the runtime's
//! `GuestMemory` view (out of bounds: invalid_argument). The host function borrows `NnCtx` out
//! of the store for the call (`runtime::host::lend`), so that guest memory can be borrowed at
//! the same time; guest paths are opened through `runtime::host::GuestFiles` (WASI's preopens).
//!
//! # Error codes (a guest error never traps)
//!
//! | condition | code |
//! |---|---|
//! | pointer/length outside memory, dims_len > 16, data_len != product(dims) x size(type) (u8 inputs of the ggml backend excepted: WasmEdge's crate sends text with dims [1]), unknown type or target, bad/released handle, 0 or > 16 builders | invalid_argument 1 |
//! | encoding > 6, autodetect matches nothing, no backend serves the encoding | invalid_encoding 2 |
//! | calling instance has no memory | missing_memory 3 |
//! | output buffer too small (the needed size is still written to bytes_written / inout); graph/context limit | too_large 7 |
//! | load_by_name of a name that is neither a named model nor a file inside the app's preopens (host paths without the option) | not_found 8 |
//! | anything the backend returns | passed through (unknown codes -> runtime_error 5) |

mod backend;
pub mod capi;
pub mod config;
mod ctx;
pub mod detect;
mod ephemeral;
mod legacy;
pub mod registry;

#[cfg(test)]
mod tests;

use crate::runtime::error::LinkError;
use crate::runtime::guest_memory::{GuestMemory, OutOfBounds};
use crate::runtime::host::{lend, GuestFiles, HostFuncDef, HostInterface, Linking, StoreData};
use crate::runtime::module::LoadedModule;
use ember_interp::{Caller, Func, FuncType, Trap, Val, ValType};
use ember_nn_abi::NnError;

pub use backend::LoadedBackend;
pub use ctx::{NnCtx, MAX_BUILDERS, MAX_CONTEXTS, MAX_DIMS, MAX_GRAPHS};
pub use registry::{claim_library, is_backend_library, register_backend_library};

pub type NnResult<T> = Result<T, NnError>;

/// A guest pointer or length outside memory is the guest's error, never a trap.
impl From<OutOfBounds> for NnError {
    fn from(_: OutOfBounds) -> NnError {
        log::debug!("wasi-nn: a guest pointer/length lies outside memory");
        NnError::InvalidArgument
    }
}

/// A guest-facing operation: (instance state, guest memory, i32 arguments as u32, the
/// instance's guest file opener if it has WASI: load_by_name resolves guest paths through its
/// preopens).
type GuestOp<'a> = &'a dyn Fn(&mut NnCtx, &mut GuestMemory<'_>, &[u32], Option<&dyn GuestFiles>) -> NnResult<()>;

/// An operation of [`host_fns!`] as a [`GuestOp`]: most open no guest files (`op`), the
/// load_by_name ones do (`op, files`).
macro_rules! guest_op {
    ($op:path) => {
        &|nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32], _: Option<&dyn GuestFiles>| $op(nn, mem, a)
    };
    ($op:path, files) => {
        &$op
    };
}

/// Most arguments of any wasi-nn import.
const MAX_ARGS: usize = 5;

/// Run `op` with the instance's wasi-nn state and memory 0 (lent by the runtime's shim: tensors
/// are passed to the backend without copying, and wasi-nn never re-enters wasm), and store the
/// error code.
fn dispatch(caller: &mut Caller<'_, StoreData>, args: &[Val], results: &mut [Val], op: GuestOp<'_>) -> Result<(), Trap> {
    let mut a = [0u32; MAX_ARGS];
    if args.len() > MAX_ARGS {
        return Err(Trap::Host("wasi-nn: too many arguments".into()));
    }
    for (slot, v) in a.iter_mut().zip(args) {
        match v {
            Val::I32(x) => *slot = *x as u32,
            _ => return Err(Trap::Host("wasi-nn: argument is not an i32".into())),
        }
    }
    let r = lend(caller, |nn: &mut NnCtx, mem, data| match mem {
        None => {
            log::debug!("wasi-nn: the calling instance has no memory");
            Err(NnError::MissingMemory)
        }
        Some(mem) => op(nn, mem, &a[..args.len()], data.guest_files()),
    })
    .ok_or_else(|| Trap::Host("wasi-nn function called by an instance without wasi-nn state".into()))?;
    let code = match r {
        Ok(()) => NnError::Success,
        Err(e) => e,
    };
    if let Some(slot) = results.get_mut(0) {
        *slot = Val::I32(code as i32);
    }
    Ok(())
}

macro_rules! host_fns {
    ($table:ident, $module:literal, [$( $name:literal => $wrapper:ident($op:path, $n:literal $(, $files:ident)?) ),* $(,)?]) => {
        $(
            fn $wrapper(c: &mut Caller<'_, StoreData>, a: &[Val], r: &mut [Val]) -> Result<(), Trap> {
                dispatch(c, a, r, guest_op!($op $(, $files)?))
            }
        )*
        static $table: &[HostFuncDef] = &[
            $( HostFuncDef { name: $name, params: &[ValType::I32; $n], results: &[ValType::I32], func: $wrapper }, )*
        ];
    };
}

host_fns!(EPHEMERAL, "wasi_ephemeral_nn", [
    "load" => eph_load(ephemeral::load, 5),
    "load_by_name" => eph_load_by_name(ephemeral::load_by_name, 3, files),
    "load_by_name_with_config" => eph_load_by_name_with_config(ephemeral::load_by_name_with_config, 5, files),
    "init_execution_context" => eph_init_execution_context(ephemeral::init_execution_context, 2),
    "set_input" => eph_set_input(ephemeral::set_input, 3),
    "compute" => eph_compute(ephemeral::compute, 1),
    "get_output" => eph_get_output(ephemeral::get_output, 5),
    "unload" => eph_unload(ephemeral::unload, 1),
    "finalize_execution_context" => eph_finalize(ephemeral::finalize_execution_context, 1),
    "compute_single" => eph_compute_single(ephemeral::compute_single, 1),
    "get_output_single" => eph_get_output_single(ephemeral::get_output_single, 5),
    "fini_single" => eph_fini_single(ephemeral::fini_single, 1),
]);

host_fns!(LEGACY, "wasi_nn", [
    "load" => leg_load(legacy::load, 4),
    "load_by_name" => leg_load_by_name(ephemeral::load_by_name, 3, files),
    "load_by_name_with_config" => leg_load_by_name_with_config(ephemeral::load_by_name_with_config, 5, files),
    "init_execution_context" => leg_init_execution_context(ephemeral::init_execution_context, 2),
    "set_input" => leg_set_input(legacy::set_input, 3),
    "compute" => leg_compute(ephemeral::compute, 1),
    "get_output" => leg_get_output(legacy::get_output, 4),
    "unload" => leg_unload(ephemeral::unload, 1),
    "finalize_execution_context" => leg_finalize(ephemeral::finalize_execution_context, 1),
]);

/// Called by `wasm_runtime_destroy` (last reference), before the allocator is reset: destroys
/// the backends (after the instances released their graphs) and forgets the wasi-nn settings,
/// so that nothing of wasi-nn stays in a pool that is about to go away. Settings must be given
/// again after a new `wasm_runtime_init`.
pub fn shutdown() {
    registry::shutdown();
    config::reset();
}

/// The functions of import module `module` (wasi_ephemeral_nn or wasi_nn), for the linker.
pub fn lookup(module: &str, name: &str) -> Option<&'static HostFuncDef> {
    let table = match module {
        "wasi_ephemeral_nn" => EPHEMERAL,
        "wasi_nn" => LEGACY,
        _ => return None,
    };
    table.iter().find(|f| f.name == name)
}

/// wasi-nn as a host interface: an instance importing either module gets an [`NnCtx`].
pub struct Nn;

impl HostInterface for Nn {
    fn prepare(&self, module: &LoadedModule, data: &mut StoreData) -> Result<(), crate::runtime::error::Error> {
        if module.module.imports().iter().any(|i| matches!(&*i.module, "wasi_ephemeral_nn" | "wasi_nn")) {
            data.slots.insert(NnCtx::default());
        }
        Ok(())
    }

    fn provides(&self, module: &str, field: &str) -> bool {
        lookup(module, field).is_some()
    }

    fn link(&self, at: &mut Linking<'_>, m: &str, f: &str, ty: &FuncType) -> Result<Func, LinkError> {
        log::trace!("import {m}.{f}: wasi-nn");
        lookup(m, f).ok_or(LinkError::Missing)?.link(at.store, ty)
    }

    /// A `--native-lib` that exports `ember_nn_backend_entry` is a backend ([`claim_library`]).
    fn claim_library(&self, path: &std::path::Path) -> Option<Result<String, crate::runtime::error::HostError>> {
        claim_library(path).map(|r| r.map_err(|e| e.into()))
    }
}
