//! The cold half of Ember's interpreter: decoding and validation of modules
//! (wasmparser) and translation of function bodies into the register IR that
//! `ember-interp`'s executor runs.
//!
//! It is its own crate so that the release profile can give it an opt-level of its own
//! (`"s"`, see the root Cargo.toml: a module's load time, within the 1 MiB footprint) while
//! the executor keeps `opt-level = 3`. Generic code is compiled in the crate that
//! instantiates it: wasmparser's operator decoder is instantiated here, its function-body
//! validator in `ember-validate` (interp/validate), which has its own profile entry.
//!
//! - `types`:     value/entity types, imports/exports, [`Error`] and [`Trap`].
//! - `module`:    bytes -> validated [`module::ModuleInner`]; bodies kept as byte ranges.
//! - `translate`: one function body -> [`ir::CompiledFunc`], on first call.
//! - `ir`:        the 16-byte register instructions; the instruction set, declared once
//!   (`define_isa!`: every op's operands and properties).
//! - `verify`:    the IR verifier, run after each translation in debug builds and with the
//!   `verify` feature (compiled out of release builds).

pub mod ir;
pub mod module;
pub mod translate;
#[cfg(any(debug_assertions, test, feature = "verify"))]
pub mod verify;
mod types;

pub use types::*;
