//! The runtime objects behind the C API's opaque handles: loaded modules,
//! module instances, execution environments, and the linker.
//!
//! This layer knows no host interface: WASI, wasi-nn, natives and the libc-builtin sit above it
//! and reach it through [`host`] (`HostInterface`, `StoreData`, `lend`) and [`guest_memory`].
//!
//! - `wasm_runtime_load` validates and keeps no reference to the caller's buffer.
//! - `wasm_runtime_instantiate(module, stack_size, heap_size, ...)`: each instance has its own
//!   `Store<StoreData>`. `stack_size` bytes bound the interpreter's operand stack (8 bytes per
//!   slot, at least 128 KiB). Imports are resolved by the host interfaces the C API passes, in
//!   its order (`capi/instance.rs`: registered natives, newest registration first; WASI; wasi-nn;
//!   the libc-builtin for `env`, so a user's native of the same name wins, as in WAMR; only
//!   imported functions are linked; an import whose type is not WAMR's signature is refused);
//!   anything else fails with `cannot link import MODULE.FIELD: ...`. Only function imports can
//!   come from the host.
//! - The store of an instance sits in an `UnsafeCell`; while a native function runs, the glue
//!   records the `Caller`'s store pointer, and C API calls made by the native (validate/convert
//!   addresses, module_malloc, call_wasm re-entrantly) use that one path to the store.
//! - A native that calls `wasm_runtime_set_exception` makes the guest trap with that message when
//!   it returns. proc_exit at top level ends the call successfully and records the status
//!   (`wasm_runtime_get_wasi_exit_code`); inside a nested call it unwinds the outer guest too.
//! - `wasm_runtime_module_malloc`: the module's exported `malloc`/`free` if it has both (may grow
//!   memory, as in WAMR: native pointers are valid until memory grows); else the host-managed
//!   app heap of `heap_size` bytes ([`heap`]); else 0 with "app heap out of memory".
//! - `wasm_application_execute_main`: `_start`, else `__main_argc_argv`/`main`/`_main` with argv
//!   copied into linear memory; main's return value becomes the exit code.
//!   `wasm_application_execute_func` prints results as WAMR does (`0x2a:i32`, `%.7g:f64`).

pub mod app_memory;
pub mod call;
pub mod error;
pub mod exec_env;
pub mod guest_memory;
pub mod heap;
pub mod host;
pub mod instance;
pub mod link;
pub mod module;
pub mod slots;
