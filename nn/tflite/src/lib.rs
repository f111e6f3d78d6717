//! libwasi_nn_backend_tflite.so: Ember's wasi-nn backend for TensorFlow Lite models.
//!
//! It serves encoding `tensorflowlite` on the backend SDK (ember-nn-abi) and runs models on whichever TFLite engine it finds at run time: LiteRT 2.3 (libLiteRt.so) or
//! the classic TFLite C API (libtensorflowlite_c.so). See ARCHITECTURE.md, "wasi-nn TFLite backend".
//!
//! Code map: `backend.rs` the SDK traits (table, guards, logging and allocator come from
//! `ember_nn_abi::export_backend!`), `select.rs` engine discovery, `classic.rs` / `litert.rs`
//! the two engines behind `engine.rs`'s traits, `flatbuf.rs` model validation, `delegate.rs`
//! external delegates, `options.rs` init options, `quantize.rs` fp32 tensors for quantized
//! (uint8/int8) model inputs.

mod backend;
mod classic;
mod delegate;
mod engine;
mod flatbuf;
mod litert;
mod litert_api;
mod locate;
mod options;
mod quantize;
mod select;

ember_nn_abi::export_backend!(backend::Tflite);
