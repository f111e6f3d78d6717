//! What every host function of libvmcore.so shares: the store's data and the
//! shape of a host-function table entry.

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
