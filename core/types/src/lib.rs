//! The one Rust mirror of the C types and constants of `core/include/wasm_export.h` and
//! `lib_export.h` (the headers are the source of truth). libvmcore.so's C API (`vmcore-rt`,
//! core/src/capi/) is implemented with these types and `vmcore-sys` re-exports them, so the
//! runtime and its Rust users cannot disagree. `no_std`, no dependencies: a release bin/iwasm
//! links no Rust std.
//!
//! Checked in both directions by tests/header_mirror.rs: every struct, field and constant
//! that the headers declare has a fact here (bindgen lists the headers' items), and every fact
//! (size, offset, value) equals what the C compiler says for the same header.
#![no_std]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void};

/// `WASM_RUNTIME_MALLOC_ALIGN`: the alignment of every wasm_runtime_malloc block.
pub const WASM_RUNTIME_MALLOC_ALIGN: usize = 16;

/// `package_type_t`
pub const WASM_MODULE_BYTECODE: u32 = 0;
pub const WASM_MODULE_AOT: u32 = 1;
pub const PACKAGE_TYPE_UNKNOWN: u32 = 0xFFFF;

/// `mem_alloc_type_t`
pub const ALLOC_WITH_POOL: u32 = 0;
pub const ALLOC_WITH_ALLOCATOR: u32 = 1;
pub const ALLOC_WITH_SYSTEM_ALLOCATOR: u32 = 2;

/// `RunningMode`
pub const MODE_INTERP: u32 = 1;
pub const MODE_FAST_JIT: u32 = 2;
pub const MODE_LLVM_JIT: u32 = 3;
pub const MODE_MULTI_TIER_JIT: u32 = 4;

/// `log_level_t`
pub const WASM_LOG_LEVEL_FATAL: u32 = 0;
pub const WASM_LOG_LEVEL_ERROR: u32 = 1;
pub const WASM_LOG_LEVEL_WARNING: u32 = 2;
pub const WASM_LOG_LEVEL_DEBUG: u32 = 3;
pub const WASM_LOG_LEVEL_VERBOSE: u32 = 4;

/// `wasm_valkind_t` (`enum wasm_valkind_enum`)
pub type wasm_valkind_t = u8;
pub const WASM_I32: wasm_valkind_t = 0;
pub const WASM_I64: wasm_valkind_t = 1;
pub const WASM_F32: wasm_valkind_t = 2;
pub const WASM_F64: wasm_valkind_t = 3;
pub const WASM_V128: wasm_valkind_t = 4;
pub const WASM_EXTERNREF: wasm_valkind_t = 128;
pub const WASM_FUNCREF: wasm_valkind_t = 129;

/// Opaque handles.
pub type wasm_module_t = *mut c_void;
pub type wasm_module_inst_t = *mut c_void;
pub type wasm_function_inst_t = *mut c_void;
pub type wasm_exec_env_t = *mut c_void;

/// `MemAllocOption.pool`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct PoolOption {
    pub heap_buf: *mut c_void,
    pub heap_size: u32,
}

/// `MemAllocOption.allocator`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct AllocatorOption {
    pub malloc_func: *mut c_void,
    pub realloc_func: *mut c_void,
    pub free_func: *mut c_void,
    pub user_data: *mut c_void,
}

/// `MemAllocOption`
#[repr(C)]
#[derive(Clone, Copy)]
pub union MemAllocOption {
    pub pool: PoolOption,
    pub allocator: AllocatorOption,
}

/// `RuntimeInitArgs`: only the fields up to `n_native_symbols` are used; the rest keep WAMR's
/// layout.
#[repr(C)]
pub struct RuntimeInitArgs {
    /// `mem_alloc_type_t`
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
    /// `RunningMode`
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

/// WAMR's `NativeSymbol` (lib_export.h).
#[repr(C)]
pub struct NativeSymbol {
    pub symbol: *const c_char,
    pub func_ptr: *mut c_void,
    pub signature: *const c_char,
    pub attachment: *mut c_void,
}

/// `mem_alloc_info_t`: pool statistics.
#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
pub struct mem_alloc_info_t {
    pub total_size: u32,
    pub total_free_size: u32,
    pub highmark_size: u32,
}

/// `ember_mem_stats_t`: Ember's statistics of every memory mode.
#[repr(C)]
#[derive(Default, Debug, Clone, Copy)]
pub struct ember_mem_stats_t {
    /// `mem_alloc_type_t`
    pub mode: u32,
    pub pool_size: u64,
    pub pool_free: u64,
    pub pool_largest_free: u64,
    pub in_use: u64,
    pub peak: u64,
    pub failed_allocs: u64,
    pub allocs: u64,
}

/// `wasm_val_t.of`
#[repr(C)]
#[derive(Clone, Copy)]
pub union wasm_val_of_t {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub foreign: usize,
    /// `struct wasm_ref_t *ref`
    pub ref_: *mut c_void,
}

/// `wasm_val_t`
#[repr(C)]
#[derive(Clone, Copy)]
pub struct wasm_val_t {
    pub kind: wasm_valkind_t,
    pub _paddings: [u8; 7],
    pub of: wasm_val_of_t,
}
