//! libwasi_nn_backend_onnx.so: Ember's wasi-nn backend for ONNX models on ONNX Runtime, which it
//! loads at run time (libonnxruntime.so 1.22 or later; nn/engines/fetch.sh brings 1.31.1 from
//! the onnxruntime wheel). Written on the backend SDK (ember-nn-abi).
//!
//! Code map: `backend.rs` the SDK traits (options, graphs = sessions, contexts with their
//! input buffers, type and shape checks); `ort.rs` ONNX Runtime's C API (library, OrtApi,
//! OrtEnv with its log routed into `log`, owned wrappers; every unsafe call).
//!
//! Options (`--wasi-nn-backend-opt=onnx:KEY=VALUE`): `engine_lib=PATH` (also
//! EMBER_ONNXRUNTIME_LIB), `threads=N` (intra-op), `inter_threads=N`,
//! `graph_optimization=disable|basic|extended|all` (default all), `providers=NAME[,NAME]`
//! (execution providers to append, e.g. XnnpackExecutionProvider; CPU is always last).

mod backend;
mod ort;

ember_nn_abi::export_backend!(backend::Onnx);
