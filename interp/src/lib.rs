//! Ember's interpreter: the WebAssembly 2.0 core.
//!
//! Public surface (the embedding API everything else builds on):
//! - [`Module::new`]: bytes -> validated module (wasmparser), functions translated lazily.
//! - [`Store<T>`]: owns every runtime entity (functions, memories, tables, globals, instances)
//!   plus the embedder's data `T`. Entities are `Copy` handles into the store.
//! - [`Instance::new`]: instantiate with resolved imports (`&[Extern]`, in import order).
//! - [`Func::call`]: call with typed [`Val`]s; host functions get a [`Caller`].
//! - [`Memory`]: bounds-checked reads and writes by (offset, length).
//!
//! Errors are small typed values: [`Error`] (load/link/instantiate) and [`Trap`] (execution).

mod api;
mod exec;
mod instantiate;
mod numeric;
mod store;

pub use api::*;
