//! The wasi-nn backend ABI shared by libvmcore.so and libwasi_nn_backend_*.so, and the Rust SDK
//! backends are written against.
//!
//! - [`sys`] (re-exported here): the Rust mirror of `nn/include/wasi_nn_backend.h`, the ABI's
//!   source of truth for C and C++ backends (a test checks that both agree);
//! - [`sdk`]: traits, guards, options, logging and allocator for Rust backends, and the
//!   [`export_backend!`] macro that makes a type a backend library;
//! - [`host`]: the runtime's side, a checked table and safe wrappers of its calls (libvmcore.so
//!   and tests that drive a backend directly).

pub mod host;
pub mod sdk;
pub mod sys;

pub use sys::*;
