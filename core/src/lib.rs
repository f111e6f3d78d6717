//! libvmcore.so: Ember's runtime core (see ARCHITECTURE.md for the code map).
//!
//! Module ownership (one file tree each):
//! - `alloc`:    memory modes, the global allocator, wasm_runtime_malloc & co. (CORE)
//! - `capi`:     the WAMR-style C API (core/include/wasm_export.h). (CORE)
//! - `cli`:      iwasm's command line (ember_iwasm_main), so bin/iwasm stays a tiny shim. (CORE)
//! - `runtime`:  loaded modules, instances, exec envs, the import linker. (CORE)
//! - `natives`:  the native-symbol registry and --native-lib libraries. (CORE)
//! - `logging`:  env_logger set-up behind wasm_runtime_set_log_level. (CORE)
//! - `libc_builtin`: WAMR's libc-builtin `env` functions (printf, malloc, ...). (CORE)
//! - `wasi`:     WASI preview1 (wasi_snapshot_preview1). (WASI)
//! - `nn`:       wasi-nn dispatch (wasi_ephemeral_nn and legacy wasi_nn). (NN)

pub mod alloc;
pub mod capi;
pub mod cli;
pub mod libc_builtin;
pub mod logging;
pub mod natives;
pub mod nn;
pub mod runtime;
pub mod wasi;
