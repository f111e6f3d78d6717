//! libwasi_nn_backend_ggml.so: Ember's wasi-nn backend for GGUF models on llama.cpp (vendored
//! and built by the llama-cpp-sys-2 crate, =0.1.161, linked in statically): text generation,
//! streaming and embeddings, with the guest API of WasmEdge's ggml plugin (the one LlamaEdge
//! apps use). CPU only. Written on the backend SDK (ember-nn-abi).
//!
//! Models: a named model (`--nn-preload name:GGML:AUTO:model.gguf`) is memory-mapped by
//! llama.cpp from its file, never copied; a model sent as bytes by `load` is copied once into
//! an anonymous in-memory file (guest memory is only lent for the call) and mapped from there.
//! Encodings: ggml is 5 in WAMR's and the WIT numbering and 6 in WasmEdge's; libvmcore.so
//! reads 5 and 6 on a GGUF model as ggml under both (core/src/nn/detect.rs).
//!
//! Code map: `settings.rs` the JSON config (WasmEdge's keys, defaults, errors); `llama.rs` the
//! owners of llama.cpp's objects (all the `unsafe`); `engine.rs` generation, streaming and
//! embedding on one llama context (shared with the native harness `src/bin/ggml_native.rs`);
//! `backend.rs` the SDK traits and WasmEdge's input/output indices.
//!
//! Options (`--wasi-nn-backend-opt=ggml:threads=N`): the default thread count of contexts
//! (a config's `threads` still wins).

mod backend;
mod engine;
mod llama;
mod settings;

ember_nn_abi::export_backend!(backend::Ggml);
