//! libwasi_nn_backend_openvino.so: Ember's wasi-nn backend on OpenVINO, whose C API it loads at
//! run time (libopenvino_c.so of OpenVINO 2025.1 or later; nn/engines/fetch.sh brings 2026.4.1
//! from the openvino wheel). Written on the backend SDK (ember-nn-abi).
//!
//! Models: OpenVINO IR (2 builders: .xml then .bin weights, as WAMR, WasmEdge and Wasmtime
//! take them), or 1 builder with an .onnx or .tflite model (OpenVINO's frontends read them);
//! named models by path (`--nn-preload name:openvino:cpu:model.xml,model.bin`: OpenVINO maps
//! the weights itself, nothing is copied).
//!
//! Code map: `backend.rs` the SDK traits (options, targets, graphs = compiled models, contexts
//! = infer requests with their input buffers); `ov.rs` the C API (declarations of the ~30
//! functions used, loading, owned handles; every unsafe call).
//!
//! Options (`--wasi-nn-backend-opt=openvino:KEY=VALUE`): `engine_lib=PATH` (also
//! EMBER_OPENVINO_LIB), `precision=f32|bf16|f16` (inference precision; default f32 so results
//! agree with the other engines: OpenVINO's own default is bf16 on x86 with AMX and f16 on
//! ARM), `threads=N`, `performance_hint=latency|throughput`, `cache_dir=DIR` (compiled-model
//! cache).

mod backend;
mod ov;

ember_nn_abi::export_backend!(backend::OpenVino);
