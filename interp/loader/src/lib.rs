//! The cold half of Ember's interpreter: decoding and validation of modules
//! (wasmparser) and translation of function bodies into the register IR that
//! `ember-interp`'s executor runs.
//!
//! It is its own crate so that the release profile can compile it for size
//! (`opt-level = "z"`, see the root Cargo.toml) while the executor keeps
//! `opt-level = 3`: generic code is compiled in the crate that instantiates it,
//! so wasmparser's validator and operator decoders, instantiated here, are
//! compiled for size too. Load and translation run once per module and function.
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
