//! The Rust mirror of `nn/include/wasi_nn_backend.h`, the backend ABI's source of truth for C
//! and C++ backends. Layouts are `#[repr(C)]`; `tests/layout_matches_header.rs` compiles the
//! header and compares every size, offset and constant with these definitions.

#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};

pub const ABI_VERSION: u32 = 2;
/// NUL-terminated name of the entry symbol every backend exports.
pub const ENTRY_SYMBOL: &[u8] = b"ember_nn_backend_entry\0";

/// wasi-nn error codes (wasi_ephemeral_nn numbering, plus WasmEdge's LLM codes). Backend
/// functions return the raw `u32` (a C backend may return anything); convert with
/// [`NnError::from_raw`].
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
    EndOfSequence = 100,
    ContextFull = 101,
    PromptTooLong = 102,
    ModelNotFound = 103,
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
            100 => NnError::EndOfSequence,
            101 => NnError::ContextFull,
            102 => NnError::PromptTooLong,
            103 => NnError::ModelNotFound,
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

/// Log levels of [`HostLog`] (the `log` crate's order; 0 = off).
pub mod log_level {
    pub const OFF: u32 = 0;
    pub const ERROR: u32 = 1;
    pub const WARN: u32 = 2;
    pub const INFO: u32 = 3;
    pub const DEBUG: u32 = 4;
    pub const TRACE: u32 = 5;
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

/// libvmcore.so's log sink (`ember_nn_host_log`).
pub type HostLog = unsafe extern "C" fn(level: u32, target: *const c_char, msg: *const u8, msg_len: usize);

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct InitArgs {
    pub options: *const *const c_char,
    pub options_len: u32,
    pub log_level: u32,
    pub log: HostLog,
}

#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct NamedModel {
    pub name: *const c_char,
    pub paths: *const *const c_char,
    pub paths_len: u32,
    pub encoding: u32,
    pub target: u32,
}

pub type InitFn = unsafe extern "C" fn(args: *const InitArgs, state_out: *mut *mut c_void) -> u32;
pub type DestroyFn = unsafe extern "C" fn(state: *mut c_void);
pub type LoadFn = unsafe extern "C" fn(
    state: *mut c_void,
    builders: *const Bytes,
    builders_len: u32,
    encoding: u32,
    target: u32,
    graph_out: *mut *mut c_void,
) -> u32;
pub type LoadNamedFn = unsafe extern "C" fn(
    state: *mut c_void,
    model: *const NamedModel,
    config: *const u8,
    config_len: usize,
    graph_out: *mut *mut c_void,
) -> u32;
pub type ReleaseFn = unsafe extern "C" fn(state: *mut c_void, handle: *mut c_void);
pub type InitContextFn = unsafe extern "C" fn(state: *mut c_void, graph: *mut c_void, ctx_out: *mut *mut c_void) -> u32;
pub type SetInputFn = unsafe extern "C" fn(state: *mut c_void, ctx: *mut c_void, index: u32, tensor: *const Tensor) -> u32;
pub type ContextFn = unsafe extern "C" fn(state: *mut c_void, ctx: *mut c_void) -> u32;
pub type GetOutputFn = unsafe extern "C" fn(
    state: *mut c_void,
    ctx: *mut c_void,
    index: u32,
    out: *mut u8,
    out_len: usize,
    needed: *mut usize,
) -> u32;
pub type LastErrorFn = unsafe extern "C" fn(state: *mut c_void) -> *const c_char;

/// `ember_nn_backend`. Every function slot is nullable (`None`); which ones a runtime requires
/// is [`crate::host`]'s business.
#[repr(C)]
pub struct Backend {
    pub abi_version: u32,
    pub name: *const c_char,
    pub encodings: *const u32,
    pub encodings_len: u32,
    pub option_keys: *const *const c_char,
    pub option_keys_len: u32,

    pub init: Option<InitFn>,
    pub destroy: Option<DestroyFn>,
    pub load: Option<LoadFn>,
    pub load_named: Option<LoadNamedFn>,
    pub unload: Option<ReleaseFn>,
    pub init_execution_context: Option<InitContextFn>,
    pub finalize_execution_context: Option<ReleaseFn>,
    pub set_input: Option<SetInputFn>,
    pub compute: Option<ContextFn>,
    pub get_output: Option<GetOutputFn>,
    pub compute_single: Option<ContextFn>,
    pub get_output_single: Option<GetOutputFn>,
    pub fini_single: Option<ContextFn>,
    pub last_error: Option<LastErrorFn>,
}

// SAFETY: a backend table is immutable static data (pointers to static strings and functions).
unsafe impl Sync for Backend {}

/// Signature of the entry symbol.
pub type EntryFn = unsafe extern "C" fn() -> *const Backend;

/// A list of static C strings (a table's `option_keys`), shareable between threads.
#[repr(transparent)]
pub struct CStrList<const N: usize>(pub [*const c_char; N]);
// SAFETY: the pointers are to static, immutable NUL-terminated strings.
unsafe impl<const N: usize> Sync for CStrList<N> {}
