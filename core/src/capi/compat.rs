//! WAMR API functions whose answer follows from what Ember is: an interpreter only (no AoT,
//! no JIT, no XIP), always bounds-checked, needing no per-thread set-up and no blocking-op
//! wake-ups (no thread manager), loading WebAssembly version 1 binaries that it copies (the
//! caller's buffer may be freed). Also the import-linking queries and memory enlargement.

use std::ffi::c_char;

use super::cstr;
use crate::runtime::exec_env::ExecEnv;
use crate::runtime::instance::ModuleInst;
use crate::runtime::module::LoadedModule;

const WASM_MODULE_BYTECODE: u32 = 0;
const PACKAGE_TYPE_UNKNOWN: u32 = 0xFFFF;
const MODE_INTERP: u32 = 1;
/// The binary format version Ember loads.
const WASM_VERSION: u32 = 1;

#[no_mangle]
pub extern "C" fn wasm_runtime_get_module_package_type(module: *const LoadedModule) -> u32 {
    if module.is_null() {
        PACKAGE_TYPE_UNKNOWN
    } else {
        WASM_MODULE_BYTECODE
    }
}

/// The version field of a wasm binary (bytes 4..8), 0 for anything else.
///
/// # Safety
/// `buf` NULL or `size` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_file_package_version(buf: *const u8, size: u32) -> u32 {
    if buf.is_null() || size < 8 {
        return 0;
    }
    // SAFETY: at least 8 readable bytes (caller's contract).
    let head = unsafe { std::slice::from_raw_parts(buf, 8) };
    if &head[..4] != b"\0asm" {
        return 0;
    }
    u32::from_le_bytes([head[4], head[5], head[6], head[7]])
}

#[no_mangle]
pub extern "C" fn wasm_runtime_get_module_package_version(module: *const LoadedModule) -> u32 {
    if module.is_null() {
        0
    } else {
        WASM_VERSION
    }
}

#[no_mangle]
pub extern "C" fn wasm_runtime_get_current_package_version(package_type: u32) -> u32 {
    if package_type == WASM_MODULE_BYTECODE {
        WASM_VERSION
    } else {
        0
    }
}

/// No AoT, so no XIP files.
#[no_mangle]
pub extern "C" fn wasm_runtime_is_xip_file(_buf: *const u8, _size: u32) -> bool {
    false
}

/// Ember copies what it needs at load.
#[no_mangle]
pub extern "C" fn wasm_runtime_is_underlying_binary_freeable(module: *const LoadedModule) -> bool {
    !module.is_null()
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_running_mode(inst: *mut ModuleInst, running_mode: u32) -> bool {
    !inst.is_null() && running_mode == MODE_INTERP
}

#[no_mangle]
pub extern "C" fn wasm_runtime_get_running_mode(inst: *mut ModuleInst) -> u32 {
    if inst.is_null() {
        0
    } else {
        MODE_INTERP
    }
}

/// Any thread may call into the runtime without set-up.
#[no_mangle]
pub extern "C" fn wasm_runtime_init_thread_env() -> bool {
    true
}

#[no_mangle]
pub extern "C" fn wasm_runtime_destroy_thread_env() {}

#[no_mangle]
pub extern "C" fn wasm_runtime_thread_env_inited() -> bool {
    true
}

/// Bounds checks cannot be turned off (there are no guard pages to rely on).
#[no_mangle]
pub extern "C" fn wasm_runtime_set_bounds_checks(_inst: *mut ModuleInst, _enable: bool) {}

#[no_mangle]
pub extern "C" fn wasm_runtime_is_bounds_checks_enabled(inst: *mut ModuleInst) -> bool {
    !inst.is_null()
}

/// WAMR without its thread manager: blocking operations need no wrapping.
#[no_mangle]
pub extern "C" fn wasm_runtime_begin_blocking_op(_env: *mut ExecEnv) -> bool {
    true
}

#[no_mangle]
pub extern "C" fn wasm_runtime_end_blocking_op(_env: *mut ExecEnv) {}

/// Would an import `module_name.func_name` be linked now: a registered native, WASI,
/// wasi-nn or the libc-builtin (`capi::instance::HOST_INTERFACES`).
///
/// # Safety
/// Both strings NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_is_import_func_linked(module_name: *const c_char, func_name: *const c_char) -> bool {
    super::guard(false, || {
        // SAFETY: caller's contract.
        let (Some(m), Some(f)) = (unsafe { cstr(module_name) }, unsafe { cstr(func_name) }) else { return false };
        super::instance::HOST_INTERFACES.iter().any(|i| i.provides(&m, &f))
    })
}

/// The host provides no globals.
#[no_mangle]
pub extern "C" fn wasm_runtime_is_import_global_linked(_module_name: *const c_char, _global_name: *const c_char) -> bool {
    false
}

/// Grow memory 0 by `inc_page_count` pages (as memory.grow: false when it cannot).
///
/// # Safety
/// `inst` NULL or live; not called while the instance runs, except from its natives.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_enlarge_memory(inst: *mut ModuleInst, inc_page_count: u64) -> bool {
    super::guard(false, || {
        // SAFETY: caller's contract.
        let Some(i) = (unsafe { inst.as_ref() }) else { return false };
        let (Some(memory), Ok(pages)) = (i.memory.get(), u32::try_from(inc_page_count)) else { return false };
        // SAFETY: C API caller: outside wasm or inside its host call (one store path).
        memory.grow(unsafe { i.store() }, pages).is_ok()
    })
}
