//! Rust declarations of libvmcore.so's C API, for Rust programs that link it
//! dynamically (iwasm). The header core/include/wasm_export.h is the source
//! of truth; tests/core_capi.rs checks the struct layouts against it. `no_std`
//! (declarations only), so that a release bin/iwasm links no Rust std at all.
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

pub type wasm_module_t = *mut c_void;
pub type wasm_module_inst_t = *mut c_void;
pub type wasm_function_inst_t = *mut c_void;
pub type wasm_exec_env_t = *mut c_void;

/// `WASM_RUNTIME_MALLOC_ALIGN`: the alignment of every wasm_runtime_malloc block.
pub const WASM_RUNTIME_MALLOC_ALIGN: usize = 16;

pub const ALLOC_WITH_POOL: u32 = 0;
pub const ALLOC_WITH_ALLOCATOR: u32 = 1;
pub const ALLOC_WITH_SYSTEM_ALLOCATOR: u32 = 2;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct PoolOption {
    pub heap_buf: *mut c_void,
    pub heap_size: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct AllocatorOption {
    pub malloc_func: *mut c_void,
    pub realloc_func: *mut c_void,
    pub free_func: *mut c_void,
    pub user_data: *mut c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union MemAllocOption {
    pub pool: PoolOption,
    pub allocator: AllocatorOption,
}

#[repr(C)]
pub struct RuntimeInitArgs {
    pub mem_alloc_type: u32,
    pub mem_alloc_option: MemAllocOption,
    pub native_module_name: *const c_char,
    pub native_symbols: *mut NativeSymbol,
    pub n_native_symbols: u32,
    pub max_thread_num: u32,
    pub ip_addr: [c_char; 128],
    pub unused: c_int,
    pub instance_port: c_int,
    pub fast_jit_code_cache_size: u32,
    pub gc_heap_size: u32,
    pub running_mode: u32,
    pub llvm_jit_opt_level: u32,
    pub llvm_jit_size_level: u32,
    pub segue_flags: u32,
    pub enable_linux_perf: bool,
}

impl RuntimeInitArgs {
    /// All zero (system allocator, no natives), like `memset(&args, 0, ...)` in C.
    pub fn zeroed() -> Self {
        RuntimeInitArgs {
            mem_alloc_type: ALLOC_WITH_SYSTEM_ALLOCATOR,
            mem_alloc_option: MemAllocOption {
                allocator: AllocatorOption {
                    malloc_func: core::ptr::null_mut(),
                    realloc_func: core::ptr::null_mut(),
                    free_func: core::ptr::null_mut(),
                    user_data: core::ptr::null_mut(),
                },
            },
            native_module_name: core::ptr::null(),
            native_symbols: core::ptr::null_mut(),
            n_native_symbols: 0,
            max_thread_num: 0,
            ip_addr: [0; 128],
            unused: 0,
            instance_port: 0,
            fast_jit_code_cache_size: 0,
            gc_heap_size: 0,
            running_mode: 0,
            llvm_jit_opt_level: 0,
            llvm_jit_size_level: 0,
            segue_flags: 0,
            enable_linux_perf: false,
        }
    }
}

#[repr(C)]
pub struct NativeSymbol {
    pub symbol: *const c_char,
    pub func_ptr: *mut c_void,
    pub signature: *const c_char,
    pub attachment: *mut c_void,
}

#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
pub struct mem_alloc_info_t {
    pub total_size: u32,
    pub total_free_size: u32,
    pub highmark_size: u32,
}

#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
pub struct ember_mem_stats_t {
    pub mode: u32,
    pub pool_size: u64,
    pub pool_free: u64,
    pub pool_largest_free: u64,
    pub in_use: u64,
    pub peak: u64,
    pub failed_allocs: u64,
    pub allocs: u64,
}

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

    // wasi-nn settings (core/include/ember_nn.h, owner NN-DISPATCH).
    pub fn ember_nn_set_option(key: *const c_char, value: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool;
    pub fn ember_nn_register_backend(path: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool;
}
