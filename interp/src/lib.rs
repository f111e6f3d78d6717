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
//!
//! # Data flow
//!
//! `Module::new` validates the whole module up front (invalid modules are rejected at load, as
//! the spec requires) and keeps each body as a byte range. The first call of a function
//! translates it (`OnceLock` per function inside the shared `Arc<ModuleInner>`, so all
//! instances of a module share one translation); `Module::translate_all` translates eagerly.
//! Instantiation (`instantiate.rs`) matches imports, creates entities, initialises element then
//! data segments (2.0 order; partial writes stay) and runs the start function.
//!
//! # Values and cells
//!
//! Every value occupies one 8-byte cell: i32/f32 in the low half, i64/f64 whole, references as
//! `store index + 1` (0 = null); a v128 takes two consecutive cells, low half first. Floats are
//! moved as bits, so NaN payloads survive. The translator knows each operand's width (from the
//! operator, the local's, global's or block's type), so stack homes, locals, call frames and
//! branch copies are laid out in cells; globals hold 128 bits. Fixed-width SIMD (feature
//! `simd`, `simd.rs`): every Wasm 2.0 v128 instruction; without the feature the loader refuses
//! v128 instructions with `Error::Unsupported` (v128 values passed through locals, globals,
//! params and `select` work either way).
//!
//! # Limits and safety
//!
//! - Every load/store checks `address + offset + size <= memory length` in u64 (no guard pages).
//! - `Config::max_call_depth` (wasm frames of all nested executors together) and
//!   `Config::max_stack_cells` (value stack, grown on demand) trap with `Trap::StackExhausted`.
//!   Wasm calls never recurse natively; host -> wasm re-entrance does (one executor per level),
//!   so it is capped at 128 nested executors (`exec::MAX_NESTING`, < 2 KiB of native stack
//!   each), also `StackExhausted`.
//! - `Config::max_memory_pages` caps memories (instantiation fails with `Error::Limit`,
//!   `memory.grow` returns -1). Linear memory is reserved address space committed on demand
//!   (`ember_platform::vmem`: in system mode the declared maximum is reserved on 64-bit and
//!   grown in place; 32-bit reserves what is used and grows with mremap) or zeroed memory from
//!   the embedder (`Config::host_memory`: the pool); untouched pages cost no RSS, grow copies
//!   nothing in system mode, and failure is a clean -1 / `Error::Limit`. Instantiation checks the
//!   module's up-front footprint (`Module::footprint`) against the memory mode first; tables,
//!   segments, globals and the IR are reserved fallibly. Tables are capped at 10 M elements.
//! - Fuel (`Config::fuel`, `Store::set_fuel`): one unit per taken branch and per call, so every
//!   loop iteration and every call is charged and a fuelled run cannot hang; `Trap::OutOfFuel`.
//! - The translator guarantees every slot operand is below the frame size and every branch
//!   target inside the function; the executor's unchecked slot accesses rely on that.

mod api;
mod exec;
mod instantiate;
mod numeric;
#[cfg(feature = "simd")]
mod simd;
mod store;

pub use api::*;
