//! The wasi-nn backend ABI shared by libvmcore.so and libwasi_nn_backend_*.so.
//!
//! Rust mirror of `nn/include/wasi_nn_backend.h` (the source of truth for C and C++ backends);
//! layouts are `#[repr(C)]` and checked against the header by a test.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};

pub const ABI_VERSION: u32 = 1;
/// NUL-terminated name of the entry symbol every backend exports.
pub const ENTRY_SYMBOL: &[u8] = b"ember_nn_backend_entry\0";

/// wasi-nn error codes (wasi_ephemeral_nn numbering). Backend functions return the raw `u32`
/// (a C backend may return anything); convert with [`NnError::from_raw`].
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NnError {
    Success = 0,
    InvalidArgument = 1,
    InvalidEncoding = 2,
    MissingMemory = 3,
    Busy = 4,
    RuntimeError = 5,
    UnsupportedOperation = 6,
    TooLarge = 7,
    NotFound = 8,
}

impl NnError {
    /// Any code a backend returns; unknown codes become `RuntimeError`.
    pub fn from_raw(code: u32) -> NnError {
        match code {
            0 => NnError::Success,
            1 => NnError::InvalidArgument,
            2 => NnError::InvalidEncoding,
            3 => NnError::MissingMemory,
            4 => NnError::Busy,
            6 => NnError::UnsupportedOperation,
            7 => NnError::TooLarge,
            8 => NnError::NotFound,
            _ => NnError::RuntimeError,
        }
    }
}

/// Graph encodings (WAMR / WIT numbering).
pub mod encoding {
    pub const OPENVINO: u32 = 0;
    pub const ONNX: u32 = 1;
    pub const TENSORFLOW: u32 = 2;
    pub const PYTORCH: u32 = 3;
    pub const TENSORFLOWLITE: u32 = 4;
    pub const GGML: u32 = 5;
    pub const AUTODETECT: u32 = 6;
}

/// Execution targets.
pub mod target {
    pub const CPU: u32 = 0;
    pub const GPU: u32 = 1;
    pub const TPU: u32 = 2;
}

/// Tensor element types (wasi_ephemeral_nn numbering).
pub mod tensor_type {
    pub const FP16: u32 = 0;
    pub const FP32: u32 = 1;
    pub const FP64: u32 = 2;
    pub const U8: u32 = 3;
    pub const I32: u32 = 4;
    pub const I64: u32 = 5;

    /// Size in bytes of one element, None for an unknown type.
    pub fn element_size(ty: u32) -> Option<usize> {
        match ty {
            FP16 => Some(2),
            FP32 | I32 => Some(4),
            FP64 | I64 => Some(8),
            U8 => Some(1),
            _ => None,
        }
    }
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Bytes {
    pub data: *const u8,
    pub len: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Tensor {
    pub dims: *const u32,
    pub dims_len: u32,
    pub ty: u32,
    pub data: *const u8,
    pub data_len: usize,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct InitArgs {
    pub options: *const *const c_char,
    pub options_len: u32,
}

#[repr(C)]
pub struct Backend {
    pub abi_version: u32,
    pub name: *const c_char,
    pub encodings: *const u32,
    pub encodings_len: u32,

    pub init: unsafe extern "C" fn(args: *const InitArgs, state_out: *mut *mut c_void) -> u32,
    pub destroy: unsafe extern "C" fn(state: *mut c_void),

    pub load: unsafe extern "C" fn(
        state: *mut c_void,
        builders: *const Bytes,
        builders_len: u32,
        encoding: u32,
        target: u32,
        graph_out: *mut *mut c_void,
    ) -> u32,
    pub load_by_name: Option<
        unsafe extern "C" fn(
            state: *mut c_void,
            name: *const c_char,
            name_len: usize,
            config: *const u8,
            config_len: usize,
            graph_out: *mut *mut c_void,
        ) -> u32,
    >,
    pub unload: unsafe extern "C" fn(state: *mut c_void, graph: *mut c_void),

    pub init_execution_context:
        unsafe extern "C" fn(state: *mut c_void, graph: *mut c_void, ctx_out: *mut *mut c_void) -> u32,
    pub finalize_execution_context: unsafe extern "C" fn(state: *mut c_void, ctx: *mut c_void),

    pub set_input:
        unsafe extern "C" fn(state: *mut c_void, ctx: *mut c_void, index: u32, tensor: *const Tensor) -> u32,
    pub compute: unsafe extern "C" fn(state: *mut c_void, ctx: *mut c_void) -> u32,
    pub get_output: unsafe extern "C" fn(
        state: *mut c_void,
        ctx: *mut c_void,
        index: u32,
        out: *mut u8,
        out_len: usize,
        needed: *mut usize,
    ) -> u32,
    pub last_error: Option<unsafe extern "C" fn(state: *mut c_void) -> *const c_char>,
}

// SAFETY: a backend table is immutable static data (pointers to static strings and functions).
unsafe impl Sync for Backend {}

/// Signature of the entry symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const Backend;
