//! The WASI part of the WAMR-style C API: `wasm_runtime_set_wasi_args` and
//! `wasm_runtime_set_wasi_args_ex`. (`wasm_runtime_is_wasi_mode` and
//! `wasm_runtime_get_wasi_exit_code` live with the instance in core/src/capi.)
//!
//! The arguments are copied into a [`WasiConfig`] at once (the caller's
//! arrays need not outlive the call) and installed as the module's WASI
//! factory: each instantiation builds a fresh [`WasiCtx`] from it, and a bad
//! option or unopenable directory fails that instantiation with a one-line
//! message (WAMR reports these at instantiation too).

use std::ffi::{c_char, c_int, c_void, CStr};

use super::{WasiConfig, WasiCtx, WasiFactory};

/// Copy `count` C strings from `list`. NULL list or NULL entries are skipped
/// (with a warning); a count without a list is treated as empty.
///
/// # Safety
/// `list` is NULL or points at `count` pointers, each NULL or a
/// NUL-terminated string, all readable for the duration of the call.
unsafe fn strings(list: *const *const c_char, count: usize) -> Vec<Vec<u8>> {
    if list.is_null() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(count.min(4096));
    for i in 0..count {
        // SAFETY: `i < count` and the caller promises `count` readable entries.
        let p = unsafe { *list.add(i) };
        if p.is_null() {
            log::warn!("wasm_runtime_set_wasi_args: NULL string at index {i} ignored");
            continue;
        }
        // SAFETY: the caller promises a NUL-terminated string.
        out.push(unsafe { CStr::from_ptr(p) }.to_bytes().to_vec());
    }
    out
}

fn lossy(v: Vec<Vec<u8>>) -> Vec<String> {
    v.into_iter().map(|b| String::from_utf8_lossy(&b).into_owned()).collect()
}

fn fd_opt(fd: i64) -> Option<i32> {
    if fd < 0 {
        None
    } else {
        i32::try_from(fd).ok()
    }
}

/// WAMR's `wasm_runtime_set_wasi_args_ex` (stdio descriptors: -1 = inherit).
///
/// # Safety
/// `module` is NULL or a live `wasm_module_t`; the lists satisfy the
/// contract of [`strings`] for their counts.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wasm_runtime_set_wasi_args_ex(
    module: *mut c_void,
    dir_list: *const *const c_char,
    dir_count: u32,
    map_dir_list: *const *const c_char,
    map_dir_count: u32,
    env: *const *const c_char,
    env_count: u32,
    argv: *const *const c_char,
    argc: c_int,
    stdinfd: i64,
    stdoutfd: i64,
    stderrfd: i64,
) {
    let r = std::panic::catch_unwind(|| {
        // SAFETY: forwarded caller contract for each list.
        let cfg = unsafe {
            WasiConfig {
                dirs: lossy(strings(dir_list, dir_count as usize)),
                map_dirs: lossy(strings(map_dir_list, map_dir_count as usize)),
                env: strings(env, env_count as usize),
                args: strings(argv, usize::try_from(argc).unwrap_or(0)),
                stdio: [fd_opt(stdinfd), fd_opt(stdoutfd), fd_opt(stderrfd)],
            }
        };
        if let Err(e) = cfg.validate() {
            // Reported again, as the instantiation error, when it matters.
            log::warn!("wasm_runtime_set_wasi_args: {e}");
        }
        // SAFETY: the caller promises a live module handle (or NULL).
        match unsafe { crate::runtime::host::module_settings(module) } {
            Some(settings) => settings.insert(WasiFactory(Box::new(move || WasiCtx::new(&cfg)))),
            None => log::warn!("wasm_runtime_set_wasi_args: NULL module"),
        }
    });
    if r.is_err() {
        log::error!("wasm_runtime_set_wasi_args: internal error (panic caught)");
    }
}

/// WAMR's `wasm_runtime_set_wasi_args`: as `_ex` with inherited stdio.
///
/// # Safety
/// As [`wasm_runtime_set_wasi_args_ex`].
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wasm_runtime_set_wasi_args(
    module: *mut c_void,
    dir_list: *const *const c_char,
    dir_count: u32,
    map_dir_list: *const *const c_char,
    map_dir_count: u32,
    env: *const *const c_char,
    env_count: u32,
    argv: *const *const c_char,
    argc: c_int,
) {
    // SAFETY: same contract.
    unsafe {
        wasm_runtime_set_wasi_args_ex(
            module, dir_list, dir_count, map_dir_list, map_dir_count, env, env_count, argv, argc, -1, -1, -1,
        )
    }
}

/// WAMR's `wasm_runtime_lookup_wasi_start_function`: the instance's `_start`
/// export when the instance is in WASI mode and `_start` has type `() -> ()`,
/// else NULL.
///
/// # Safety
/// `inst` is NULL or a live `wasm_module_inst_t`.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_lookup_wasi_start_function(inst: *mut c_void) -> *const c_void {
    use crate::capi::call::{wasm_func_get_param_count, wasm_func_get_result_count, wasm_runtime_lookup_function};
    use crate::capi::instance::wasm_runtime_is_wasi_mode;
    let inst = inst.cast::<crate::runtime::instance::ModuleInst>();
    // SAFETY: the caller promises a live instance (or NULL, which these
    // functions answer with false/NULL); the name is a NUL-terminated literal
    // and the function handle comes from lookup_function on the same instance.
    unsafe {
        if !wasm_runtime_is_wasi_mode(inst) {
            return std::ptr::null();
        }
        let f = wasm_runtime_lookup_function(inst, c"_start".as_ptr());
        if f.is_null() || wasm_func_get_param_count(f, inst) != 0 || wasm_func_get_result_count(f, inst) != 0 {
            return std::ptr::null();
        }
        f.cast()
    }
}
