//! wasi-nn dispatch: the `wasi_ephemeral_nn` and legacy `wasi_nn` import modules, registered
//! together, forwarding to inference backends (libwasi_nn_backend_<name>.so) through the
//! versioned backend ABI (nn/include/wasi_nn_backend.h, Rust mirror ember-nn-abi).
//!
//! Code map:
//! - `guest`:     bounds-checked, overflow-safe access to guest memory;
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

mod backend;
pub mod capi;
pub mod config;
mod ctx;
pub mod detect;
mod ephemeral;
mod guest;
mod legacy;
pub mod registry;

#[cfg(test)]
mod tests;

use crate::host::{HostFuncDef, StoreData};
use crate::wasi::WasiCtx;
use ember_interp::{Caller, Trap, Val, ValType};
use ember_nn_abi::NnError;

pub use backend::LoadedBackend;
pub use ctx::{NnCtx, MAX_BUILDERS, MAX_CONTEXTS, MAX_DIMS, MAX_GRAPHS};
pub use registry::{is_backend_library, native_lib_hook, register_backend_library};

pub type NnResult<T> = Result<T, NnError>;

/// A guest-facing operation: (instance state, guest memory, i32 arguments as u32, the
/// instance's WASI state if any: load_by_name resolves guest paths through its preopens).
type GuestOp<'a> = &'a dyn Fn(&mut NnCtx, &mut [u8], &[u32], Option<&WasiCtx>) -> NnResult<()>;

/// An operation of [`host_fns!`] as a [`GuestOp`]: most take no WASI state (`op`), the
/// load_by_name ones do (`op, wasi`).
macro_rules! guest_op {
    ($op:path) => {
        &|nn: &mut NnCtx, mem: &mut [u8], a: &[u32], _: Option<&WasiCtx>| $op(nn, mem, a)
    };
    ($op:path, wasi) => {
        &$op
    };
}

/// Most arguments of any wasi-nn import.
const MAX_ARGS: usize = 5;

/// Run `op` with the instance's wasi-nn state and memory 0, and store the error code.
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
    let code = match caller.memory() {
        None => {
            log::debug!("wasi-nn: the calling instance has no memory");
            NnError::MissingMemory
        }
        Some(mem) => {
            // Take the states out of the store so that guest memory can be borrowed mutably
            // at the same time (tensors are passed to the backend without copying); wasi-nn
            // never re-enters wasm, so nothing else needs them meanwhile.
            let mut nn = std::mem::take(&mut caller.data_mut().nn);
            let wasi = caller.data_mut().wasi.take();
            let r = op(&mut nn, mem.data_mut(&mut *caller.store), &a[..args.len()], wasi.as_ref());
            caller.data_mut().nn = nn;
            caller.data_mut().wasi = wasi;
            match r {
                Ok(()) => NnError::Success,
                Err(e) => e,
            }
        }
    };
    if let Some(slot) = results.get_mut(0) {
        *slot = Val::I32(code as i32);
    }
    Ok(())
}

macro_rules! host_fns {
    ($table:ident, $module:literal, [$( $name:literal => $wrapper:ident($op:path, $n:literal $(, $wasi:ident)?) ),* $(,)?]) => {
        $(
            fn $wrapper(c: &mut Caller<'_, StoreData>, a: &[Val], r: &mut [Val]) -> Result<(), Trap> {
                dispatch(c, a, r, guest_op!($op $(, $wasi)?))
            }
        )*
        static $table: &[HostFuncDef] = &[
            $( HostFuncDef { name: $name, params: &[ValType::I32; $n], results: &[ValType::I32], func: $wrapper }, )*
        ];
    };
}

host_fns!(EPHEMERAL, "wasi_ephemeral_nn", [
    "load" => eph_load(ephemeral::load, 5),
    "load_by_name" => eph_load_by_name(ephemeral::load_by_name, 3, wasi),
    "load_by_name_with_config" => eph_load_by_name_with_config(ephemeral::load_by_name_with_config, 5, wasi),
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
    "load_by_name" => leg_load_by_name(ephemeral::load_by_name, 3, wasi),
    "load_by_name_with_config" => leg_load_by_name_with_config(ephemeral::load_by_name_with_config, 5, wasi),
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
