//! libwasi_nn_backend_tflite.so: Ember's wasi-nn backend for TensorFlow Lite models.
//!
//! It serves encoding `tensorflowlite` through the backend ABI v1 (nn/include/wasi_nn_backend.h)
//! and runs models on whichever TFLite engine it finds at run time: LiteRT 2.3 (libLiteRt.so) or
//! the classic TFLite C API (libtensorflowlite_c.so). See ARCHITECTURE.md, "wasi-nn TFLite backend".
//!
//! Code map: `table.rs` the exported table (C ABI, no panics cross it), `select.rs` engine
//! discovery, `classic.rs` / `litert.rs` the two engines behind `engine.rs`'s traits, `flatbuf.rs`
//! model validation, `delegate.rs` external delegates, `options.rs` init options, `logger.rs` our log sink, `alloc.rs` the
//! allocator routed to wasm_runtime_malloc.

mod alloc;
mod classic;
mod delegate;
mod engine;
mod error;
mod flatbuf;
mod litert;
mod litert_api;
mod locate;
mod logger;
mod options;
mod select;
mod table;

#[cfg(not(test))]
#[global_allocator]
static ALLOC: alloc::RuntimeAlloc = alloc::RuntimeAlloc;

/// The backend's entry symbol (EMBER_NN_BACKEND_ENTRY_SYMBOL).
#[no_mangle]
pub extern "C" fn ember_nn_backend_entry() -> *const ember_nn_abi::Backend {
    &table::BACKEND
}
