//! libvmcore.so: Ember's runtime core (see ARCHITECTURE.md for the code map).
//!
//! Module ownership (one file tree each):
//! - `alloc`:    memory modes (pool / user allocator / system) and wasm_runtime_malloc & co.
//! - `capi`:     the WAMR-style C API (core/include/wasm_export.h).
//! - `natives`:  the native-symbol registry (register_natives, --native-lib libraries).
//! - `host`:     the shape every host function shares (StoreData, HostFuncDef).
//! - `wasi`:     WASI preview1 (wasi_snapshot_preview1).
//! - `nn`:       wasi-nn dispatch (wasi_ephemeral_nn and legacy wasi_nn) to backends.

pub mod host;
pub mod nn;
pub mod wasi;

/// Placeholder until the C API lands (owner: CORE).
#[no_mangle]
pub extern "C" fn wasm_runtime_init() -> bool {
    true
}
