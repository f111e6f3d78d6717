//! Process-level C API: init/destroy, memory modes and wasm_runtime_malloc,
//! logging, version, natives registration.

use std::ffi::{c_char, c_void};
use std::sync::Mutex;

use super::types::*;
use super::{cstr, guard, write_error};
use crate::alloc;
use crate::natives::{self, NativeSymbol};

/// Number of successful inits not yet matched by a destroy (WAMR counts too).
static INIT_COUNT: Mutex<u32> = Mutex::new(0);

fn init_with(args: Option<&RuntimeInitArgs>) -> bool {
    let mut count = INIT_COUNT.lock().unwrap_or_else(|e| e.into_inner());
    if *count > 0 {
        *count += 1;
        return true;
    }
    crate::logging::init();
    if let Some(a) = args {
        match a.mem_alloc_type {
            ALLOC_WITH_POOL => {
                // SAFETY: the union member named by mem_alloc_type.
                let p = unsafe { a.mem_alloc_option.pool };
                // SAFETY: WAMR's contract: the buffer belongs to the runtime until destroy.
                if let Err(e) = unsafe { alloc::use_pool(p.heap_buf as *mut u8, p.heap_size as usize) } {
                    log::error!("wasm_runtime_full_init: {e}");
                    return false;
                }
                log::debug!("memory mode: pool of {} bytes", p.heap_size);
            }
            ALLOC_WITH_ALLOCATOR => {
                // SAFETY: the union member named by mem_alloc_type.
                let u = unsafe { a.mem_alloc_option.allocator };
                if u.malloc_func.is_null() || u.free_func.is_null() {
                    log::error!("wasm_runtime_full_init: Alloc_With_Allocator needs malloc_func and free_func");
                    return false;
                }
                // SAFETY: WAMR's contract: these are malloc(uint32)/free(void*) functions.
                let (m, f) = unsafe {
                    (
                        std::mem::transmute::<*mut c_void, alloc::UserMalloc>(u.malloc_func),
                        std::mem::transmute::<*mut c_void, alloc::UserFree>(u.free_func),
                    )
                };
                alloc::use_user_allocator(m, f);
                log::debug!("memory mode: user allocator");
            }
            ALLOC_WITH_SYSTEM_ALLOCATOR => alloc::use_system(),
            other => {
                log::error!("wasm_runtime_full_init: unknown mem_alloc_type {other}");
                return false;
            }
        }
        if !a.native_symbols.is_null() && a.n_native_symbols > 0 {
            // SAFETY: C strings and array given by the caller per the API.
            let name = unsafe { cstr(a.native_module_name) }.unwrap_or_default().into_owned();
            // SAFETY: as above.
            let checked = unsafe { natives::check_native_room(&name, a.native_symbols, a.n_native_symbols) };
            // SAFETY: as above.
            if let Err(e) = checked.and_then(|()| unsafe { natives::register(&name, a.native_symbols, a.n_native_symbols, false) }) {
                log::error!("wasm_runtime_full_init: {e}");
                alloc::reset();
                return false;
            }
        }
    } else {
        alloc::use_system();
    }
    *count = 1;
    true
}

#[no_mangle]
pub extern "C" fn wasm_runtime_init() -> bool {
    guard(false, || init_with(None))
}

/// # Safety
/// `init_args` must be NULL or a valid RuntimeInitArgs.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_full_init(init_args: *mut RuntimeInitArgs) -> bool {
    // SAFETY: caller's contract.
    guard(false, || init_with(unsafe { init_args.as_ref() }))
}

#[no_mangle]
pub extern "C" fn wasm_runtime_destroy() {
    guard((), || {
        let mut count = INIT_COUNT.lock().unwrap_or_else(|e| e.into_inner());
        match *count {
            0 => {}
            1 => {
                // wasi-nn first: backends free their memory through wasm_runtime_free.
                crate::nn::shutdown();
                natives::libs::unload_all();
                natives::clear();
                crate::capi::instance::drop_context_keys();
                alloc::reset();
                *count = 0;
            }
            _ => *count -= 1,
        }
    })
}

#[no_mangle]
pub extern "C" fn wasm_runtime_malloc(size: u32) -> *mut c_void {
    guard(std::ptr::null_mut(), || alloc::c_malloc(size as usize) as *mut c_void)
}

/// # Safety
/// `ptr` must be NULL or from wasm_runtime_malloc/realloc.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_realloc(ptr: *mut c_void, size: u32) -> *mut c_void {
    // SAFETY: caller's contract.
    guard(std::ptr::null_mut(), || unsafe { alloc::c_realloc(ptr as *mut u8, size as usize) as *mut c_void })
}

/// # Safety
/// `ptr` must be NULL or from wasm_runtime_malloc/realloc, freed once.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_free(ptr: *mut c_void) {
    // SAFETY: caller's contract.
    guard((), || unsafe { alloc::c_free(ptr as *mut u8) })
}

fn clamp32(v: usize) -> u32 {
    v.min(u32::MAX as usize) as u32
}

/// WAMR: pool mode only (false otherwise).
///
/// # Safety
/// `info` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_mem_alloc_info(info: *mut mem_alloc_info_t) -> bool {
    guard(false, || {
        let s = alloc::stats();
        if info.is_null() || s.mode != Some(alloc::Mode::Pool) {
            return false;
        }
        // SAFETY: checked non-NULL; caller's contract.
        unsafe {
            *info = mem_alloc_info_t {
                total_size: clamp32(s.total),
                total_free_size: clamp32(s.free),
                highmark_size: clamp32(s.peak),
            };
        }
        true
    })
}

/// Ember: statistics of every mode.
///
/// # Safety
/// `out` must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ember_runtime_get_mem_stats(out: *mut ember_mem_stats_t) -> bool {
    guard(false, || {
        if out.is_null() {
            return false;
        }
        let s = alloc::stats();
        // SAFETY: checked non-NULL; caller's contract.
        unsafe {
            *out = ember_mem_stats_t {
                mode: s.mode.map(|m| m as u32).unwrap_or(ALLOC_WITH_SYSTEM_ALLOCATOR),
                pool_size: s.total as u64,
                pool_free: s.free as u64,
                pool_largest_free: s.largest_free as u64,
                in_use: s.in_use as u64,
                peak: s.peak as u64,
                failed_allocs: s.failed,
                allocs: s.allocs,
            };
        }
        true
    })
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_log_level(level: u32) {
    guard((), || crate::logging::set_level(level))
}

/// # Safety
/// Each pointer must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_version(major: *mut u32, minor: *mut u32, patch: *mut u32) {
    let parse = |s: &str| s.parse::<u32>().unwrap_or(0);
    let v = [
        parse(env!("CARGO_PKG_VERSION_MAJOR")),
        parse(env!("CARGO_PKG_VERSION_MINOR")),
        parse(env!("CARGO_PKG_VERSION_PATCH")),
    ];
    for (p, x) in [major, minor, patch].into_iter().zip(v) {
        if !p.is_null() {
            // SAFETY: caller's contract.
            unsafe { *p = x };
        }
    }
}

/// Ember: "ember <version> (interpreter)", static.
#[no_mangle]
pub extern "C" fn ember_runtime_version_string() -> *const c_char {
    concat!("Ember ", env!("CARGO_PKG_VERSION"), " (interpreter)\0").as_ptr() as *const c_char
}

/// Only the interpreter exists (RunningMode Mode_Interp = 1).
#[no_mangle]
pub extern "C" fn wasm_runtime_is_running_mode_supported(running_mode: u32) -> bool {
    running_mode == 1
}

#[no_mangle]
pub extern "C" fn wasm_runtime_set_default_running_mode(running_mode: u32) -> bool {
    running_mode == 1
}

fn register_common(module_name: *const c_char, symbols: *mut NativeSymbol, n: u32, raw: bool) -> bool {
    guard(false, || {
        // SAFETY: C string per the API.
        let Some(name) = (unsafe { cstr(module_name) }) else {
            log::error!("register_natives: module name is NULL");
            return false;
        };
        // SAFETY: array per the API.
        if let Err(e) = unsafe { natives::check_native_room(&name, symbols, n) } {
            log::error!("register_natives: {e}");
            return false;
        }
        // SAFETY: array per the API (kept alive by the caller, as in WAMR).
        match unsafe { natives::register(&name, symbols, n, raw) } {
            Ok(()) => true,
            Err(e) => {
                log::error!("register_natives: {e}");
                false
            }
        }
    })
}

/// # Safety
/// `module_name` NUL-terminated; `native_symbols` points to `n` entries.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_register_natives(
    module_name: *const c_char,
    native_symbols: *mut NativeSymbol,
    n_native_symbols: u32,
) -> bool {
    register_common(module_name, native_symbols, n_native_symbols, false)
}

/// # Safety
/// As for wasm_runtime_register_natives.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_register_natives_raw(
    module_name: *const c_char,
    native_symbols: *mut NativeSymbol,
    n_native_symbols: u32,
) -> bool {
    register_common(module_name, native_symbols, n_native_symbols, true)
}

/// # Safety
/// `module_name` NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_unregister_natives(module_name: *const c_char, native_symbols: *mut NativeSymbol) -> bool {
    guard(false, || {
        // SAFETY: C string per the API.
        match unsafe { cstr(module_name) } {
            Some(n) => natives::unregister(&n, native_symbols),
            None => false,
        }
    })
}

/// Ember: load a native library (WAMR --native-lib protocol) and register
/// its symbols. They stay registered until wasm_runtime_destroy.
///
/// # Safety
/// `path` NUL-terminated; `error_buf` NULL or `error_buf_size` bytes.
#[no_mangle]
pub unsafe extern "C" fn ember_runtime_load_native_lib(path: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool {
    guard(false, || {
        // SAFETY: C string per the API.
        let Some(p) = (unsafe { cstr(path) }) else { return false };
        match natives::libs::load(std::path::Path::new(&*p), &super::instance::HOST_INTERFACES) {
            Ok(_) => true,
            Err(e) => {
                // SAFETY: caller's buffer contract.
                unsafe { write_error(error_buf, error_buf_size, &e.to_string()) };
                false
            }
        }
    })
}

/// Ember: instruction budget given to every instance created afterwards
/// (0 = unlimited). Spent fuel traps with "all fuel consumed".
#[no_mangle]
pub extern "C" fn ember_runtime_set_default_fuel(fuel: u64) {
    crate::runtime::link::set_default_fuel(fuel);
}
