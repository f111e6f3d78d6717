//! WASI preview1 (wasi_snapshot_preview1). Owner: WASI.

/// Per-instance WASI state (args, env, fd table, preopens).
#[derive(Default)]
pub struct WasiCtx {}

/// The functions of `wasi_snapshot_preview1`, for the linker.
pub fn lookup(name: &str) -> Option<&'static crate::host::HostFuncDef> {
    let _ = name;
    None
}
