//! The wasi-nn backend ABI shared by libvmcore.so and libwasi_nn_backend_*.so, and the Rust SDK
//! backends are written against.
//!
//! - [`sys`] (re-exported here): the Rust mirror of `nn/include/wasi_nn_backend.h`, the ABI's
//!   source of truth for C and C++ backends (a test checks that both agree);
//! - [`sdk`]: traits, guards, options, logging and allocator for Rust backends, and the
//!   [`export_backend!`] macro that makes a type a backend library;
//! - [`host`]: the runtime's side, a checked table and safe wrappers of its calls (libvmcore.so
//!   and tests that drive a backend directly).
//!
//! # The table (ABI version 2)
//!
//! A backend is `libwasi_nn_backend_<name>.so`, linking libvmcore.so dynamically (so
//! `wasm_runtime_malloc` and the pool are the runtime's), exporting `const ember_nn_backend
//! *ember_nn_backend_entry(void)`. `nn/abi/tests/layout_matches_header.rs` compiles the header
//! and compares every size, offset and constant with [`sys`] from one list of facts.
//!
//! - The table: `abi_version`, `name`, `encodings[]`, `option_keys[]` (the init keys it takes;
//!   a key ending in `.` is a prefix), then function slots that may all be NULL. The runtime
//!   refuses a table without `load`, `init_execution_context`, `set_input`, `compute` or
//!   `get_output`; the other slots have defaults (no state, nothing to release, files mapped and
//!   given to `load`, streaming unsupported).
//! - `init(args, &state)`: args carry the filtered "key=value" options, the runtime's log level
//!   and its log sink. INVALID_ARGUMENT from init means a bad option value.
//! - `load_named(state, {name, paths[], encoding, target}, config, &graph)`: a named model by
//!   path (the backend may mmap it; nothing is copied) with the guest's
//!   `load_by_name_with_config` bytes.
//! - `compute_single` / `get_output_single` / `fini_single`: WasmEdge's streaming API;
//!   WasmEdge's codes 100-103 (end_of_sequence, context_full, prompt_too_long,
//!   model_not_found) pass through.
//!
//! Threads: calls on one graph or context are serialized by the runtime; different instances
//! may call one backend from different threads, so a backend's state must be `Sync`.
//! Backends with a Rust engine linked in (tract) are released with the `release-unwind`
//! profile, so an engine panic reaches the SDK guard and becomes runtime_error instead of an
//! abort.

pub mod host;
pub mod sdk;
pub mod sys;

pub use sys::*;
