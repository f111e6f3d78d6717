//! C types of wasm_export.h / lib_export.h, mirrored with `#[repr(C)]`.
//! The header is the source of truth; vmcore-sys mirrors the same structs and
//! tests/core_capi.rs checks that mirror against the C compiler's layout.

use std::ffi::{c_char, c_void};

use ember_interp::{Val, ValType};

use crate::natives::NativeSymbol;

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
pub union MemAllocOption {
    pub pool: PoolOption,
    pub allocator: AllocatorOption,
}

/// WAMR's RuntimeInitArgs (only the fields up to n_native_symbols are used;
/// the rest keep the layout).
#[repr(C)]
pub struct RuntimeInitArgs {
    pub mem_alloc_type: u32,
    pub mem_alloc_option: MemAllocOption,
    pub native_module_name: *const c_char,
    pub native_symbols: *mut NativeSymbol,
    pub n_native_symbols: u32,
    pub max_thread_num: u32,
    pub ip_addr: [c_char; 128],
    pub unused: i32,
    pub instance_port: i32,
    pub fast_jit_code_cache_size: u32,
    pub gc_heap_size: u32,
    pub running_mode: u32,
    pub llvm_jit_opt_level: u32,
    pub llvm_jit_size_level: u32,
    pub segue_flags: u32,
    pub enable_linux_perf: bool,
}

impl RuntimeInitArgs {
    /// The system allocator and no natives; every other field zero.
    pub fn system_allocator() -> Self {
        // SAFETY: every field is an integer, a bool, a raw pointer or a union of raw
        // pointers and integers, for all of which all-zero bytes are a valid value.
        let mut args: Self = unsafe { std::mem::zeroed() };
        args.mem_alloc_type = ALLOC_WITH_SYSTEM_ALLOCATOR;
        args
    }
}

#[repr(C)]
pub struct MemAllocInfo {
    pub total_size: u32,
    pub total_free_size: u32,
    pub highmark_size: u32,
}

/// Ember's fuller statistics (ember_mem_stats_t in wasm_export.h).
#[repr(C)]
#[derive(Default)]
pub struct EmberMemStats {
    /// 0 pool, 1 user allocator, 2 system allocator (mem_alloc_type_t).
    pub mode: u32,
    pub pool_size: u64,
    pub pool_free: u64,
    pub pool_largest_free: u64,
    pub in_use: u64,
    pub peak: u64,
    pub failed_allocs: u64,
    pub allocs: u64,
}

pub const WASM_I32: u8 = 0;
pub const WASM_I64: u8 = 1;
pub const WASM_F32: u8 = 2;
pub const WASM_F64: u8 = 3;
pub const WASM_V128: u8 = 4;
pub const WASM_EXTERNREF: u8 = 128;
pub const WASM_FUNCREF: u8 = 129;

#[repr(C)]
#[derive(Clone, Copy)]
pub union WasmValOf {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
    pub foreign: usize,
    pub ref_: *mut c_void,
}

/// wasm_val_t
#[repr(C)]
#[derive(Clone, Copy)]
pub struct WasmVal {
    pub kind: u8,
    pub _paddings: [u8; 7],
    pub of: WasmValOf,
}

pub fn valkind(t: ValType) -> u8 {
    match t {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::V128 => WASM_V128,
        ValType::ExternRef => WASM_EXTERNREF,
        ValType::FuncRef => WASM_FUNCREF,
    }
}

impl WasmVal {
    pub fn from_val(v: &Val) -> WasmVal {
        let (kind, of) = match *v {
            Val::I32(x) => (WASM_I32, WasmValOf { i64: x as u32 as i64 }),
            Val::I64(x) => (WASM_I64, WasmValOf { i64: x }),
            Val::F32(b) => (WASM_F32, WasmValOf { i64: b as i64 }),
            Val::F64(b) => (WASM_F64, WasmValOf { i64: b as i64 }),
            Val::V128(_) => (WASM_V128, WasmValOf { i64: 0 }),
            Val::ExternRef(r) => (WASM_EXTERNREF, WasmValOf { foreign: r.map(|x| x as usize).unwrap_or(usize::MAX) }),
            Val::FuncRef(_) => (WASM_FUNCREF, WasmValOf { i64: 0 }),
        };
        WasmVal { kind, _paddings: [0; 7], of }
    }

    /// The value as wasm type `t`, or None when the kind does not match.
    pub fn to_val(&self, t: ValType) -> Option<Val> {
        if self.kind != valkind(t) {
            return None;
        }
        // SAFETY: every union member is plain old data of at most 8 bytes;
        // reading the one the kind names.
        unsafe {
            Some(match t {
                ValType::I32 => Val::I32(self.of.i32),
                ValType::I64 => Val::I64(self.of.i64),
                ValType::F32 => Val::F32(self.of.f32.to_bits()),
                ValType::F64 => Val::F64(self.of.f64.to_bits()),
                ValType::ExternRef => {
                    let f = self.of.foreign;
                    Val::ExternRef(if f == usize::MAX { None } else { Some(f as u32) })
                }
                ValType::V128 | ValType::FuncRef => return None,
            })
        }
    }
}
