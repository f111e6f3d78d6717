//! Rust declarations of libvmcore.so's C API, for Rust programs that link it
//! dynamically (iwasm). The header core/include/wasm_export.h is the source
//! of truth; the types are vmcore-types' (re-exported here), checked against it. `no_std`
//! (declarations only), so that a release bin/iwasm links no Rust std at all.
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

/// The C API's types and constants: the one Rust mirror, shared with libvmcore.so's own
/// implementation (core/types, checked against the headers by its tests).
pub use vmcore_types::*;

extern "C" {
    pub fn wasm_runtime_init() -> bool;
    pub fn wasm_runtime_full_init(init_args: *mut RuntimeInitArgs) -> bool;
    pub fn wasm_runtime_destroy();
    pub fn wasm_runtime_set_log_level(level: u32);
    pub fn wasm_runtime_get_version(major: *mut u32, minor: *mut u32, patch: *mut u32);

    pub fn wasm_runtime_malloc(size: u32) -> *mut c_void;
    pub fn wasm_runtime_realloc(ptr: *mut c_void, size: u32) -> *mut c_void;
    pub fn wasm_runtime_free(ptr: *mut c_void);
    pub fn wasm_runtime_get_mem_alloc_info(info: *mut mem_alloc_info_t) -> bool;

    pub fn wasm_runtime_load(buf: *mut u8, size: u32, error_buf: *mut c_char, error_buf_size: u32) -> wasm_module_t;
    pub fn wasm_runtime_unload(module: wasm_module_t);
    pub fn wasm_runtime_instantiate(
        module: wasm_module_t,
        default_stack_size: u32,
        host_managed_heap_size: u32,
        error_buf: *mut c_char,
        error_buf_size: u32,
    ) -> wasm_module_inst_t;
    pub fn wasm_runtime_deinstantiate(inst: wasm_module_inst_t);
    pub fn wasm_runtime_get_exception(inst: wasm_module_inst_t) -> *const c_char;
    pub fn wasm_runtime_clear_exception(inst: wasm_module_inst_t);
    pub fn wasm_runtime_get_wasi_exit_code(inst: wasm_module_inst_t) -> u32;

    pub fn wasm_runtime_lookup_function(inst: wasm_module_inst_t, name: *const c_char) -> wasm_function_inst_t;
    pub fn wasm_application_execute_main(inst: wasm_module_inst_t, argc: i32, argv: *mut *mut c_char) -> bool;
    pub fn wasm_application_execute_func(
        inst: wasm_module_inst_t,
        name: *const c_char,
        argc: i32,
        argv: *mut *mut c_char,
    ) -> bool;

    pub fn wasm_runtime_register_natives(module_name: *const c_char, symbols: *mut NativeSymbol, n: u32) -> bool;
    pub fn wasm_runtime_is_import_func_linked(module_name: *const c_char, func_name: *const c_char) -> bool;

    pub fn wasm_runtime_create_exec_env(inst: wasm_module_inst_t, stack_size: u32) -> wasm_exec_env_t;
    pub fn wasm_runtime_destroy_exec_env(exec_env: wasm_exec_env_t);
    pub fn wasm_runtime_call_wasm(exec_env: wasm_exec_env_t, function: wasm_function_inst_t, argc: u32, argv: *mut u32) -> bool;
    pub fn wasm_runtime_call_indirect(exec_env: wasm_exec_env_t, element_index: u32, argc: u32, argv: *mut u32) -> bool;
    pub fn wasm_runtime_enlarge_memory(inst: wasm_module_inst_t, inc_page_count: u64) -> bool;

    pub fn wasm_runtime_set_wasi_args(
        module: wasm_module_t,
        dir_list: *mut *const c_char,
        dir_count: u32,
        map_dir_list: *mut *const c_char,
        map_dir_count: u32,
        env: *mut *const c_char,
        env_count: u32,
        argv: *mut *mut c_char,
        argc: c_int,
    );

    /// `_ex` with the app's stdio fds (-1 = inherit). The arrays are only read (`const char *[]`).
    pub fn wasm_runtime_set_wasi_args_ex(
        module: wasm_module_t,
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
    );
    pub fn wasm_runtime_is_wasi_mode(inst: wasm_module_inst_t) -> bool;
    pub fn wasm_runtime_lookup_wasi_start_function(inst: wasm_module_inst_t) -> wasm_function_inst_t;

    pub fn ember_runtime_get_mem_stats(stats: *mut ember_mem_stats_t) -> bool;
    pub fn ember_runtime_load_native_lib(path: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool;
    pub fn ember_runtime_set_default_fuel(fuel: u64);
    pub fn ember_runtime_version_string() -> *const c_char;
    pub fn ember_iwasm_main(argc: c_int, argv: *const *const c_char) -> c_int;

    // wasi-nn settings (core/include/ember_nn.h).
    pub fn ember_nn_set_option(key: *const c_char, value: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool;
    pub fn ember_nn_register_backend(path: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool;
}
