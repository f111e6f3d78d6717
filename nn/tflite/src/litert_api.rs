//! The LiteRT 2.3 C API as this backend uses it: handle and status types, the few structs passed
//! by value or pointer, and the 24 functions resolved from libLiteRt.so at run time.
//!
//! No headers ship with the ai-edge-litert wheel: these are written by hand from the LiteRT 2.x C
//! headers (litert/c/litert_{environment,model,options,compiled_model,tensor_buffer,layout}.h at
//! the 2.3 era, where LiteRtCreateModelFromBuffer takes the environment and LiteRtLayout is
//! {rank:7, has_strides:1, int32 dimensions[8], uint32 strides[8]}). litert.rs checks every
//! ranked tensor type LiteRT reports against the model's own flatbuffer, so a layout mismatch
//! with another LiteRT version is refused instead of misread.

use std::ffi::{c_int, c_void};

use crate::engine;
use ember_nn_abi::sdk::Error;

pub(crate) type Status = c_int;
pub(crate) type Handle = *mut c_void;
pub(crate) const OK: Status = 0;
pub(crate) const MAX_RANK: usize = 8;
pub(crate) const HW_CPU: c_int = 1;
pub(crate) const HW_GPU: c_int = 2;
pub(crate) const HW_NPU: c_int = 4;
pub(crate) const LOCK_READ: c_int = 0;
pub(crate) const LOCK_WRITE: c_int = 1;
pub(crate) const ENV_TAG_DISPATCH_DIR: c_int = 1;
pub(crate) const ENV_TAG_MIN_LOGGER_SEVERITY: c_int = 25;
pub(crate) const ANY_TYPE_INT: c_int = 2;
pub(crate) const ANY_TYPE_STRING: c_int = 8;
pub(crate) const SEVERITY_INFO: u64 = 1;
pub(crate) const SEVERITY_WARNING: u64 = 2;
pub(crate) const SEVERITY_ERROR: u64 = 3;

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    /// rank in bits 0..7, has_strides in bit 7 (GCC/Clang bit-field packing).
    pub(crate) rank_bits: u32,
    pub(crate) dims: [i32; MAX_RANK],
    /// Carried through to LiteRT unchanged.
    #[allow(dead_code)]
    pub(crate) strides: [u32; MAX_RANK],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct RankedType {
    pub(crate) element_type: c_int,
    pub(crate) layout: Layout,
}

impl RankedType {
    pub(crate) fn rank(&self) -> usize {
        (self.layout.rank_bits & 0x7f) as usize
    }
    pub(crate) fn dims(&self) -> &[i32] {
        &self.layout.dims[..self.rank().min(MAX_RANK)]
    }
    pub(crate) fn byte_size(&self) -> Option<usize> {
        let dims: Vec<i64> = self.dims().iter().map(|&d| d as i64).collect();
        engine::byte_size(&dims, engine::elem_size(self.element_type)?)
    }
}

/// LiteRtAny: a type tag and an 8-byte union (bool / int64 / double / pointer); pointers are
/// stored in the low bytes (little-endian targets only, as LiteRT itself).
#[repr(C)]
pub(crate) struct Any {
    pub(crate) ty: c_int,
    pub(crate) value: u64,
}

#[repr(C)]
pub(crate) struct EnvOption {
    pub(crate) tag: c_int,
    pub(crate) value: Any,
}

pub(crate) struct Api {
    pub(crate) create_env: unsafe extern "C" fn(c_int, *const EnvOption, *mut Handle) -> Status,
    pub(crate) destroy_env: unsafe extern "C" fn(Handle),
    pub(crate) model_from_buffer: unsafe extern "C" fn(Handle, *const c_void, usize, *mut Handle) -> Status,
    pub(crate) destroy_model: unsafe extern "C" fn(Handle),
    pub(crate) get_signature: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    pub(crate) num_sig_inputs: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    pub(crate) num_sig_outputs: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    pub(crate) sig_input: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    pub(crate) sig_output: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    pub(crate) ranked_type: unsafe extern "C" fn(Handle, *mut RankedType) -> Status,
    pub(crate) tensor_name: unsafe extern "C" fn(Handle, *mut *const std::ffi::c_char) -> Status,
    pub(crate) create_options: unsafe extern "C" fn(*mut Handle) -> Status,
    pub(crate) destroy_options: unsafe extern "C" fn(Handle),
    pub(crate) set_accelerators: unsafe extern "C" fn(Handle, c_int) -> Status,
    pub(crate) create_compiled: unsafe extern "C" fn(Handle, Handle, Handle, *mut Handle) -> Status,
    pub(crate) destroy_compiled: unsafe extern "C" fn(Handle),
    pub(crate) input_reqs: unsafe extern "C" fn(Handle, usize, usize, *mut Handle) -> Status,
    pub(crate) output_reqs: unsafe extern "C" fn(Handle, usize, usize, *mut Handle) -> Status,
    pub(crate) resize_input: unsafe extern "C" fn(Handle, usize, usize, *const c_int, usize) -> Status,
    pub(crate) output_layouts: unsafe extern "C" fn(Handle, usize, usize, *mut Layout, bool) -> Status,
    pub(crate) buffer_from_reqs: unsafe extern "C" fn(Handle, *const RankedType, Handle, *mut Handle) -> Status,
    pub(crate) destroy_buffer: unsafe extern "C" fn(Handle),
    pub(crate) lock: unsafe extern "C" fn(Handle, *mut *mut c_void, c_int) -> Status,
    pub(crate) unlock: unsafe extern "C" fn(Handle) -> Status,
    pub(crate) run: unsafe extern "C" fn(Handle, usize, usize, *mut Handle, usize, *mut Handle) -> Status,
    /// Never closed: engines register thread-local destructors (XNNPACK, TFLite's C++ runtime)
    /// that would run into unmapped code after a dlclose. Engines stay loaded for the process.
    pub(crate) _lib: std::mem::ManuallyDrop<libloading::Library>,
}

macro_rules! sym {
    ($lib:expr, $name:literal) => {{
        // SAFETY: declared above with the type of the LiteRT 2.3 C API; used only while the
        // library stays loaded (Api owns it).
        let s = unsafe { $lib.get(concat!($name, "\0").as_bytes()) };
        match s {
            Ok(s) => *s,
            Err(e) => return Err(format!("lacks {}: {e}", $name)),
        }
    }};
}

pub(crate) fn status_name(s: Status) -> &'static str {
    match s {
        1 => "invalid argument",
        2 => "memory allocation failure",
        3 => "runtime failure",
        4 => "missing input tensor",
        5 => "unsupported",
        6 => "not found",
        8 => "wrong version",
        500 => "file I/O",
        501 => "invalid flatbuffer",
        502 => "dynamic loading",
        504 => "compilation",
        _ => "error",
    }
}

pub(crate) fn fail(what: &str, s: Status) -> Error {
    Error::runtime(format!("LiteRT {what} failed (status {s}: {})", status_name(s)))
}

/// Resolves the C API from an opened libLiteRt.so; Err(reason) when a function is missing.
pub(crate) fn resolve(lib: libloading::Library) -> std::result::Result<Api, String> {
    Ok(Api {
        create_env: sym!(lib, "LiteRtCreateEnvironment"),
        destroy_env: sym!(lib, "LiteRtDestroyEnvironment"),
        model_from_buffer: sym!(lib, "LiteRtCreateModelFromBuffer"),
        destroy_model: sym!(lib, "LiteRtDestroyModel"),
        get_signature: sym!(lib, "LiteRtGetModelSignature"),
        num_sig_inputs: sym!(lib, "LiteRtGetNumSignatureInputs"),
        num_sig_outputs: sym!(lib, "LiteRtGetNumSignatureOutputs"),
        sig_input: sym!(lib, "LiteRtGetSignatureInputTensorByIndex"),
        sig_output: sym!(lib, "LiteRtGetSignatureOutputTensorByIndex"),
        ranked_type: sym!(lib, "LiteRtGetRankedTensorType"),
        tensor_name: sym!(lib, "LiteRtGetTensorName"),
        create_options: sym!(lib, "LiteRtCreateOptions"),
        destroy_options: sym!(lib, "LiteRtDestroyOptions"),
        set_accelerators: sym!(lib, "LiteRtSetOptionsHardwareAccelerators"),
        create_compiled: sym!(lib, "LiteRtCreateCompiledModel"),
        destroy_compiled: sym!(lib, "LiteRtDestroyCompiledModel"),
        input_reqs: sym!(lib, "LiteRtGetCompiledModelInputBufferRequirements"),
        output_reqs: sym!(lib, "LiteRtGetCompiledModelOutputBufferRequirements"),
        resize_input: sym!(lib, "LiteRtCompiledModelResizeInputTensor"),
        output_layouts: sym!(lib, "LiteRtGetCompiledModelOutputTensorLayouts"),
        buffer_from_reqs: sym!(lib, "LiteRtCreateManagedTensorBufferFromRequirements"),
        destroy_buffer: sym!(lib, "LiteRtDestroyTensorBuffer"),
        lock: sym!(lib, "LiteRtLockTensorBuffer"),
        unlock: sym!(lib, "LiteRtUnlockTensorBuffer"),
        run: sym!(lib, "LiteRtRunCompiledModel"),
        _lib: std::mem::ManuallyDrop::new(lib),
    })
}
