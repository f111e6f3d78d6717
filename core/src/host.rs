//! What every host function of libvmcore.so shares: the store's data and the
//! shape of a host-function table entry. Owner: CORE. This file is the
//! contract between the linker (CORE), WASI (core/src/wasi/) and wasi-nn
//! (core/src/nn/); changes are announced here.
//!
//! How the linker uses it (core/src/runtime/link.rs): for each function
//! import, in this order,
//! 1. natives registered through the C API (`wasm_runtime_register_natives*`),
//! 2. `crate::wasi::lookup(field)` when the import module is
//!    `wasi_snapshot_preview1`,
//! 3. `crate::nn::lookup(module, field)`.
//!
//! The params/results of a [`HostFuncDef`] must equal the import's type
//! exactly, else instantiation fails naming module and field.
//!
//! A host function that wants to stop the guest returns `Err(Trap::Exit(code))`
//! (proc_exit); the C API records the code (`wasm_runtime_get_wasi_exit_code`,
//! implemented by CORE in capi/) and treats the call as finished, not failed.
//!
//! WASI contexts: when a module imports anything from
//! `wasi_snapshot_preview1`, instantiation sets `StoreData::wasi` to
//! `Some(ctx)` where ctx comes from the module's
//! [`ModuleSettings::wasi_factory`] if `wasm_runtime_set_wasi_args` installed
//! one, else `WasiCtx::default()` (so `Default` must mean: stdio only, no
//! args, no env, no preopens).

use std::ffi::c_void;

use ember_interp::{Caller, Trap, Val, ValType};

/// The embedder data of every Store created by libvmcore.so.
#[derive(Default)]
pub struct StoreData {
    /// WASI state; None when the module was instantiated without WASI.
    pub wasi: Option<crate::wasi::WasiCtx>,
    /// wasi-nn graphs and execution contexts of this instance.
    pub nn: crate::nn::NnCtx,
}

/// A host function implemented in Rust inside libvmcore.so.
pub type HostFn = fn(&mut Caller<'_, StoreData>, &[Val], &mut [Val]) -> Result<(), Trap>;

/// One entry of a host module's function table (WASI, wasi-nn).
pub struct HostFuncDef {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
    pub func: HostFn,
}

/// Builds the WASI context of one new instance (called once per instantiation).
pub type WasiFactory = Box<dyn Fn() -> Result<crate::wasi::WasiCtx, String> + Send + Sync>;

/// Settings attached to a loaded module (`wasm_module_t`) before it is
/// instantiated, WAMR-style (e.g. `wasm_runtime_set_wasi_args(module, ...)`).
#[derive(Default)]
pub struct ModuleSettings {
    /// Set by the WASI C API (owner WASI); see the module docs above.
    pub wasi_factory: Option<WasiFactory>,
}

/// The settings of a `wasm_module_t` handle, for C API functions outside
/// capi/ that take a module (e.g. `wasm_runtime_set_wasi_args`).
/// Returns None for NULL.
///
/// # Safety
/// `module` must be NULL or a live handle returned by `wasm_runtime_load`,
/// and no other reference to its settings may be alive.
pub unsafe fn module_settings<'a>(module: *mut c_void) -> Option<&'a mut ModuleSettings> {
    // SAFETY: forwarded contract.
    unsafe { crate::runtime::module::settings_of(module) }
}
