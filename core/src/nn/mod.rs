//! wasi-nn dispatch (wasi_ephemeral_nn and legacy wasi_nn). Owner: NN-DISPATCH.

/// Per-instance wasi-nn state (graphs, execution contexts).
#[derive(Default)]
pub struct NnCtx {}

/// The functions of import module `module` (wasi_ephemeral_nn or wasi_nn), for the linker.
pub fn lookup(module: &str, name: &str) -> Option<&'static crate::host::HostFuncDef> {
    let _ = (module, name);
    None
}
