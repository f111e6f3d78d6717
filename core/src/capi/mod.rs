//! The WAMR-style C API of libvmcore.so (core/include/wasm_export.h).
//!
//! Every exported function runs its body inside [`guard`], so no Rust panic
//! crosses the C ABI: a panic becomes the function's failure value and a log
//! record. Release builds use `panic = "abort"` (root Cargo.toml): there a panic,
//! always a bug, aborts the process; debug builds and tests keep the guard's path.
//!
//! Files by topic: `runtime.rs`, `module.rs`, `instance.rs`, `call.rs`, `memory.rs`;
//! `types.rs` mirrors the header's structs; `compat.rs` gives the fixed answers of an
//! interpreter-only runtime. WASI's functions are in `crate::wasi::capi`, wasi-nn's
//! (`core/include/ember_nn.h`) in `crate::nn::capi`.
//!
//! # Coverage of WAMR's wasm_export.h
//!
//! Implemented (names, types, behaviour of WAMR's `wasm_export.h`): init, full_init, destroy,
//! set_log_level, get_version, is_running_mode_supported/set_default_running_mode (interpreter
//! only), malloc/realloc/free, get_mem_alloc_info, get_package_type/get_file_package_type,
//! load/unload, instantiate/deinstantiate, get_module, is_wasi_mode, get_wasi_exit_code,
//! get/set/clear_exception, set/get_custom_data, create/destroy_context_key,
//! set_context(_spread), get_context, lookup_function, wasm_func_get_param/result_count/types,
//! create/destroy_exec_env, get_exec_env_singleton, get/set_module_inst,
//! get_function_attachment, set/get_user_data, call_wasm, call_wasm_a, call_indirect (table 0),
//! wasm_application_execute_main/_func, validate_app_addr, validate_app_str_addr,
//! validate_native_addr, addr_app_to_native, addr_native_to_app, get_app_addr_range,
//! get_native_addr_range, module_malloc/free/dup_data, register_natives, register_natives_raw,
//! unregister_natives, is_import_func_linked/is_import_global_linked (no host globals),
//! enlarge_memory; fixed answers (`compat.rs`): module/file package type and version,
//! is_xip_file (false), is_underlying_binary_freeable (true), set/get_running_mode
//! (interpreter), set/is_bounds_checks (always on), init/destroy_thread_env, thread_env_inited,
//! begin/end_blocking_op (no-ops, as WAMR without its thread manager); WASI's
//! set_wasi_args(_ex) and lookup_wasi_start_function. Ember extensions:
//! `ember_runtime_get_mem_stats`, `ember_runtime_load_native_lib`,
//! `ember_runtime_set_default_fuel`, `ember_runtime_version_string`.
//!
//! # Left out, and why
//!
//! Of WAMR 2.4's wasm_export.h these are not declared in Ember's header (so
//! `tests/native/capi_symbols.c`, which references every declared function, still links):
//! - `wasm_runtime_call_wasm_v`: a C-variadic definition needs unstable Rust;
//! - AoT and JIT: `load_ex`, `resolve_symbols`, `load_from_sections`, `get_module_hash`, PGO dumps;
//! - multi-module: `register_module`, `find_module_registered`, `set_module_reader`,
//!   `set/get_module_name`, `create_imports*`;
//! - threads: `spawn_exec_env`, `spawn_thread`, `join_thread`, `set_max_thread_num`;
//! - asynchronous `terminate` (the executor has no interrupt check; use fuel);
//! - shared heaps, the debugger, native stack boundary and overflow detection (wasm calls never
//!   recurse natively), profiling and dumps (`dump_mem_consumption`, `dump_call_stack*`, exec
//!   times);
//! - `instantiate_ex`/`InstantiationArgs`; memory/table/global handles (`lookup_memory`,
//!   `get_default_memory`, `wasm_memory_*`, `get_export_*_inst`, `wasm_table_get_func_inst`);
//!   import and export type queries (`get_import_*`, `get_export_*`, `wasm_*_type_*`);
//! - `get_custom_section` (the loader keeps no custom sections),
//!   `set_enlarge_mem_error_callback`, `wasm_externref_*`, the wasm-c-api (`wasm_c_api.h`),
//!   `WASM_MEM_ALLOC_WITH_USER_DATA` allocator signatures, WASI socket address and name-lookup
//!   pools.
//!
//! `create_exec_env`'s stack size is recorded, but the operand-stack bound is the instance's.

pub mod call;
pub mod compat;
pub mod instance;
pub mod memory;
pub mod module;
pub mod runtime;
pub mod types;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `f`, turning a panic into `fallback`.
pub fn guard<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            log::error!("internal error (caught at the C API boundary): {msg}");
            fallback
        }
    }
}

/// Copy `msg` into a caller's error buffer (truncated, always NUL-terminated).
///
/// # Safety
/// `buf` must be NULL or point to `size` writable bytes.
pub unsafe fn write_error(buf: *mut c_char, size: u32, msg: &str) {
    if buf.is_null() || size == 0 {
        return;
    }
    let bytes = msg.as_bytes();
    let n = bytes.len().min(size as usize - 1);
    // SAFETY: `n + 1 <= size` bytes are written into the caller's buffer.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf as *mut u8, n);
        *buf.add(n) = 0;
    }
}

/// A C string argument as UTF-8 (lossy), or None for NULL.
///
/// # Safety
/// `p` must be NULL or NUL-terminated.
pub unsafe fn cstr<'a>(p: *const c_char) -> Option<std::borrow::Cow<'a, str>> {
    if p.is_null() {
        None
    } else {
        // SAFETY: forwarded.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy())
    }
}
