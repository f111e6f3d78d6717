//! libvmcore.so: links Ember's runtime core (`vmcore-rt`, core/src/) into one shared library.
//! Every `#[no_mangle]` function of the C API (core/include/) is defined there and exported
//! from here.
//!
//! Why a crate of its own: with fat LTO, the whole library is optimized at the opt-level of
//! the crate that links it. This one stays at opt-level 3, so the interpreter (ember-interp,
//! opt-level 3) is optimized for speed, while the runtime core, compiled with opt-level "z",
//! keeps its size attributes (see the release profile in the root Cargo.toml).

pub use vmcore_rt;
