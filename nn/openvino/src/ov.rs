//! OpenVINO's C API (openvino/c/*.h of the wheel), loaded at run time: the declarations of the
//! functions used, resolved once from libopenvino_c.so, and owned handles that free what they
//! hold. Every `unsafe` call into OpenVINO is here. Element type numbers are those of
//! OpenVINO 2025.1 and later (the enum was renumbered in 2025.1).

use std::ffi::{c_char, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Arc;

use ember_nn_abi::sdk::{Error, Result};
use ember_nn_abi::NnError;

/// ov_element_type_e values used here.
pub mod elem {
    pub const F16: u32 = 3;
    pub const F32: u32 = 4;
    pub const F64: u32 = 5;
    pub const I8: u32 = 7;
    pub const I32: u32 = 9;
    pub const I64: u32 = 10;
    pub const U8: u32 = 16;
}

type Status = i32;
type Handle = *mut c_void;

#[repr(C)]
struct Shape {
    rank: i64,
    dims: *mut i64,
}

#[repr(C)]
struct Property {
    key: *const c_char,
    value: *const c_void,
}

#[repr(C)]
struct Version {
    build_number: *const c_char,
    description: *const c_char,
}

#[repr(C)]
struct Devices {
    devices: *mut *mut c_char,
    size: usize,
}

/// The functions of libopenvino_c used by this backend (signatures from the wheel's headers).
struct Api {
    core_create: unsafe extern "C" fn(*mut Handle) -> Status,
    core_free: unsafe extern "C" fn(Handle),
    core_get_available_devices: unsafe extern "C" fn(Handle, *mut Devices) -> Status,
    available_devices_free: unsafe extern "C" fn(*mut Devices),
    core_read_model: unsafe extern "C" fn(Handle, *const c_char, *const c_char, *mut Handle) -> Status,
    core_read_model_from_memory_buffer: unsafe extern "C" fn(Handle, *const c_char, usize, Handle, *mut Handle) -> Status,
    core_compile_model_props: unsafe extern "C" fn(Handle, Handle, *const c_char, usize, *const Property, *mut Handle) -> Status,
    model_free: unsafe extern "C" fn(Handle),
    compiled_model_free: unsafe extern "C" fn(Handle),
    compiled_model_inputs_size: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    compiled_model_outputs_size: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    compiled_model_input_by_index: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    port_get_element_type: unsafe extern "C" fn(Handle, *mut u32) -> Status,
    output_const_port_free: unsafe extern "C" fn(Handle),
    compiled_model_create_infer_request: unsafe extern "C" fn(Handle, *mut Handle) -> Status,
    infer_request_free: unsafe extern "C" fn(Handle),
    infer_request_set_input_tensor_by_index: unsafe extern "C" fn(Handle, usize, Handle) -> Status,
    infer_request_infer: unsafe extern "C" fn(Handle) -> Status,
    infer_request_get_output_tensor_by_index: unsafe extern "C" fn(Handle, usize, *mut Handle) -> Status,
    tensor_create_from_host_ptr: unsafe extern "C" fn(u32, Shape, *mut c_void, *mut Handle) -> Status,
    tensor_data: unsafe extern "C" fn(Handle, *mut *mut c_void) -> Status,
    tensor_get_byte_size: unsafe extern "C" fn(Handle, *mut usize) -> Status,
    tensor_free: unsafe extern "C" fn(Handle),
    shape_create: unsafe extern "C" fn(i64, *const i64, *mut Shape) -> Status,
    shape_free: unsafe extern "C" fn(*mut Shape) -> Status,
    get_last_err_msg: unsafe extern "C" fn() -> *const c_char,
    get_openvino_version: unsafe extern "C" fn(*mut Version) -> Status,
    version_free: unsafe extern "C" fn(*mut Version),
}

/// The loaded library and its core (one per process: plugins are process-wide anyway).
pub struct OpenVinoLib {
    api: Api,
    core: Handle,
    pub version: String,
    pub path: PathBuf,
    pub devices: Vec<String>,
    _lib: libloading::Library,
}

// SAFETY: ov_core_t is documented as thread-safe (compile/read from several threads); the API
// is a table of function pointers.
unsafe impl Send for OpenVinoLib {}
// SAFETY: as above.
unsafe impl Sync for OpenVinoLib {}

macro_rules! resolve {
    ($lib:expr, $($field:ident = $sym:literal),* $(,)?) => {
        Api { $(
            // SAFETY: the symbol has the declared signature (openvino/c headers of 2025.1+).
            $field: *unsafe { $lib.get(concat!($sym, "\0").as_bytes()) }
                .map_err(|_| format!("not OpenVINO's C API (2025.1+): no {}", $sym))?,
        )* }
    };
}

impl OpenVinoLib {
    pub fn open(path: &Path) -> std::result::Result<OpenVinoLib, String> {
        // SAFETY: loading OpenVINO runs its initialisers; a well-behaved C++ library.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        let api = resolve!(lib,
            core_create = "ov_core_create",
            core_free = "ov_core_free",
            core_get_available_devices = "ov_core_get_available_devices",
            available_devices_free = "ov_available_devices_free",
            core_read_model = "ov_core_read_model",
            core_read_model_from_memory_buffer = "ov_core_read_model_from_memory_buffer",
            core_compile_model_props = "ov_core_compile_model_props",
            model_free = "ov_model_free",
            compiled_model_free = "ov_compiled_model_free",
            compiled_model_inputs_size = "ov_compiled_model_inputs_size",
            compiled_model_outputs_size = "ov_compiled_model_outputs_size",
            compiled_model_input_by_index = "ov_compiled_model_input_by_index",
            port_get_element_type = "ov_port_get_element_type",
            output_const_port_free = "ov_output_const_port_free",
            compiled_model_create_infer_request = "ov_compiled_model_create_infer_request",
            infer_request_free = "ov_infer_request_free",
            infer_request_set_input_tensor_by_index = "ov_infer_request_set_input_tensor_by_index",
            infer_request_infer = "ov_infer_request_infer",
            infer_request_get_output_tensor_by_index = "ov_infer_request_get_output_tensor_by_index",
            tensor_create_from_host_ptr = "ov_tensor_create_from_host_ptr",
            tensor_data = "ov_tensor_data",
            tensor_get_byte_size = "ov_tensor_get_byte_size",
            tensor_free = "ov_tensor_free",
            shape_create = "ov_shape_create",
            shape_free = "ov_shape_free",
            get_last_err_msg = "ov_get_last_err_msg",
            get_openvino_version = "ov_get_openvino_version",
            version_free = "ov_version_free",
        );
        let mut v = Version { build_number: ptr::null(), description: ptr::null() };
        // SAFETY: an out struct, freed below with the API's own function.
        let version = if unsafe { (api.get_openvino_version)(&mut v) } == 0 && !v.build_number.is_null() {
            // SAFETY: a NUL-terminated string owned by `v`.
            let s = unsafe { CStr::from_ptr(v.build_number) }.to_string_lossy().into_owned();
            // SAFETY: filled by get_openvino_version, freed once.
            unsafe { (api.version_free)(&mut v) };
            s
        } else {
            "unknown".to_string()
        };
        let mut core = ptr::null_mut();
        // SAFETY: an out slot.
        if unsafe { (api.core_create)(&mut core) } != 0 || core.is_null() {
            // SAFETY: a static NUL-terminated message (or NULL).
            return Err(format!("ov_core_create failed: {}", unsafe { last_message(&api) }));
        }
        let mut ov = OpenVinoLib { api, core, version, path: path.to_path_buf(), devices: Vec::new(), _lib: lib };
        ov.devices = ov.available_devices();
        Ok(ov)
    }

    fn check(&self, status: Status, what: &str) -> Result<()> {
        if status == 0 {
            return Ok(());
        }
        // SAFETY: the API's last-error text.
        let msg = unsafe { last_message(&self.api) };
        // -1 GENERAL_ERROR, -2 NOT_IMPLEMENTED, -5 PARAMETER_MISMATCH, -8 OUT_OF_BOUNDS,
        // -14 INVALID_C_PARAM, -15 UNKNOWN_C_ERROR, -17 NOT_IMPLEMENT_C_METHOD.
        let code = match status {
            -2 | -17 => NnError::UnsupportedOperation,
            -5 | -8 | -14 => NnError::InvalidArgument,
            _ => NnError::RuntimeError,
        };
        Err(Error::new(code, format!("OpenVINO {what}: {msg} (status {status})")))
    }

    fn available_devices(&self) -> Vec<String> {
        let mut d = Devices { devices: ptr::null_mut(), size: 0 };
        // SAFETY: a live core and an out struct, freed below.
        if unsafe { (self.api.core_get_available_devices)(self.core, &mut d) } != 0 || d.devices.is_null() {
            return Vec::new();
        }
        let list = (0..d.size)
            // SAFETY: d.size NUL-terminated strings.
            .map(|i| unsafe { CStr::from_ptr(*d.devices.add(i)) }.to_string_lossy().into_owned())
            .collect();
        // SAFETY: filled above, freed once.
        unsafe { (self.api.available_devices_free)(&mut d) };
        list
    }

    /// Read a model: IR (xml text + weights), or one ONNX / TFLite file's bytes.
    pub fn read_model_from_memory(&self, model: &[u8], weights: Option<&mut [u8]>) -> Result<Model<'_>> {
        let weights_tensor = match weights {
            Some(w) => Some(self.tensor(elem::U8, &[w.len() as i64], w)?),
            None => None,
        };
        let mut raw = ptr::null_mut();
        // SAFETY: model bytes readable for the call; the weights tensor (if any) wraps memory
        // the caller keeps alive as long as the model and what is compiled from it.
        let status = unsafe {
            (self.api.core_read_model_from_memory_buffer)(
                self.core,
                model.as_ptr() as *const c_char,
                model.len(),
                weights_tensor.as_ref().map_or(ptr::null_mut(), |t| t.raw),
                &mut raw,
            )
        };
        self.check(status, "read_model")?;
        Ok(Model { ov: self, raw })
    }

    /// Read a model from files (IR: xml + bin; or an .onnx / .tflite file); OpenVINO maps the
    /// weights itself.
    pub fn read_model_from_files(&self, model: &Path, weights: Option<&Path>) -> Result<Model<'_>> {
        let c = |p: &Path| CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| Error::invalid("path with NUL"));
        let m = c(model)?;
        let w = weights.map(c).transpose()?;
        let mut raw = ptr::null_mut();
        // SAFETY: NUL-terminated paths for the call; an out slot.
        let status =
            unsafe { (self.api.core_read_model)(self.core, m.as_ptr(), w.as_ref().map_or(ptr::null(), |w| w.as_ptr()), &mut raw) };
        self.check(status, "read_model")?;
        Ok(Model { ov: self, raw })
    }

    /// Compile for `device` with string properties.
    pub fn compile(self: &Arc<Self>, model: &Model<'_>, device: &str, props: &[(&CStr, CString)]) -> Result<CompiledModel> {
        let dev = CString::new(device).map_err(|_| Error::invalid("device with NUL"))?;
        let list: Vec<Property> =
            props.iter().map(|(k, v)| Property { key: k.as_ptr(), value: v.as_ptr() as *const c_void }).collect();
        let mut raw = ptr::null_mut();
        // SAFETY: a live model, NUL-terminated strings and a property array for the call.
        let status = unsafe {
            (self.api.core_compile_model_props)(self.core, model.raw, dev.as_ptr(), list.len(), list.as_ptr(), &mut raw)
        };
        self.check(status, "compile_model")?;
        Ok(CompiledModel { ov: self.clone(), raw })
    }

    /// A tensor over `data` (not copied: it must outlive the tensor and its uses).
    pub fn tensor(&self, ty: u32, dims: &[i64], data: &mut [u8]) -> Result<Tensor<'_>> {
        let mut shape = Shape { rank: 0, dims: ptr::null_mut() };
        // SAFETY: dims readable for the call; the shape is freed below.
        self.check(unsafe { (self.api.shape_create)(dims.len() as i64, dims.as_ptr(), &mut shape) }, "shape")?;
        let mut raw = ptr::null_mut();
        // SAFETY: shape passed by value as declared; data writable and kept alive by the caller.
        let status = unsafe {
            (self.api.tensor_create_from_host_ptr)(ty, Shape { rank: shape.rank, dims: shape.dims }, data.as_mut_ptr() as *mut c_void, &mut raw)
        };
        // SAFETY: the shape made above, freed once (the tensor copied it).
        unsafe { (self.api.shape_free)(&mut shape) };
        self.check(status, "tensor")?;
        Ok(Tensor { ov: self, raw })
    }
}

impl Drop for OpenVinoLib {
    fn drop(&mut self) {
        // SAFETY: the core made in open, freed once.
        unsafe { (self.api.core_free)(self.core) }
    }
}

/// # Safety
/// `api` is a resolved API table.
unsafe fn last_message(api: &Api) -> String {
    // SAFETY: the API returns NULL or a NUL-terminated string.
    let p = unsafe { (api.get_last_err_msg)() };
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: non-NULL NUL-terminated.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().trim().to_string()
    }
}

pub struct Model<'a> {
    ov: &'a OpenVinoLib,
    raw: Handle,
}

impl Drop for Model<'_> {
    fn drop(&mut self) {
        // SAFETY: a model we own, freed once.
        unsafe { (self.ov.api.model_free)(self.raw) }
    }
}

pub struct CompiledModel {
    ov: Arc<OpenVinoLib>,
    raw: Handle,
}

// SAFETY: ov_compiled_model_t may create infer requests from any thread (OpenVINO's contract).
unsafe impl Send for CompiledModel {}
// SAFETY: as above.
unsafe impl Sync for CompiledModel {}

impl Drop for CompiledModel {
    fn drop(&mut self) {
        // SAFETY: a compiled model we own, freed once.
        unsafe { (self.ov.api.compiled_model_free)(self.raw) }
    }
}

impl CompiledModel {
    /// (inputs, outputs) counts.
    pub fn io_counts(&self) -> Result<(usize, usize)> {
        let (mut i, mut o) = (0usize, 0usize);
        // SAFETY: a live compiled model, out slots.
        self.ov.check(unsafe { (self.ov.api.compiled_model_inputs_size)(self.raw, &mut i) }, "inputs")?;
        // SAFETY: as above.
        self.ov.check(unsafe { (self.ov.api.compiled_model_outputs_size)(self.raw, &mut o) }, "outputs")?;
        Ok((i, o))
    }

    /// Element type of input `index`.
    pub fn input_type(&self, index: usize) -> Result<u32> {
        let mut port = ptr::null_mut();
        // SAFETY: a live compiled model, an out slot; the port is freed below.
        self.ov.check(unsafe { (self.ov.api.compiled_model_input_by_index)(self.raw, index, &mut port) }, "input")?;
        let mut ty = 0u32;
        // SAFETY: a live port, an out slot (the C enum's size).
        let r = self.ov.check(unsafe { (self.ov.api.port_get_element_type)(port, &mut ty) }, "input type");
        // SAFETY: the port from above, freed once.
        unsafe { (self.ov.api.output_const_port_free)(port) };
        r.map(|()| ty)
    }

    pub fn infer_request(&self) -> Result<InferRequest> {
        let mut raw = ptr::null_mut();
        // SAFETY: a live compiled model, an out slot.
        self.ov.check(unsafe { (self.ov.api.compiled_model_create_infer_request)(self.raw, &mut raw) }, "infer request")?;
        Ok(InferRequest { ov: self.ov.clone(), raw })
    }
}

pub struct Tensor<'a> {
    ov: &'a OpenVinoLib,
    raw: Handle,
}

impl Drop for Tensor<'_> {
    fn drop(&mut self) {
        // SAFETY: a tensor handle we own, freed once (the data of host-pointer tensors is ours).
        unsafe { (self.ov.api.tensor_free)(self.raw) }
    }
}

pub struct InferRequest {
    ov: Arc<OpenVinoLib>,
    raw: Handle,
}

// SAFETY: an infer request is used by one thread at a time (the runtime serializes calls per
// context) and may move between threads.
unsafe impl Send for InferRequest {}

impl Drop for InferRequest {
    fn drop(&mut self) {
        // SAFETY: a request we own, freed once.
        unsafe { (self.ov.api.infer_request_free)(self.raw) }
    }
}

impl InferRequest {
    pub fn ov(&self) -> Arc<OpenVinoLib> {
        self.ov.clone()
    }

    /// The request keeps using the tensor's memory until another tensor is set.
    pub fn set_input(&mut self, index: usize, t: &Tensor<'_>) -> Result<()> {
        // SAFETY: live request and tensor.
        self.ov.check(unsafe { (self.ov.api.infer_request_set_input_tensor_by_index)(self.raw, index, t.raw) }, "set_input")
    }

    pub fn infer(&mut self) -> Result<()> {
        // SAFETY: a live request whose inputs point at memory its owner keeps alive.
        self.ov.check(unsafe { (self.ov.api.infer_request_infer)(self.raw) }, "infer")
    }

    /// Copy output `index` with `f` (its bytes are valid during the call).
    pub fn with_output<R>(&mut self, index: usize, f: impl FnOnce(&[u8]) -> R) -> Result<R> {
        let mut t = ptr::null_mut();
        // SAFETY: a live request, an out slot; the tensor handle is freed by its wrapper.
        self.ov.check(unsafe { (self.ov.api.infer_request_get_output_tensor_by_index)(self.raw, index, &mut t) }, "get_output")?;
        let tensor = Tensor { ov: &self.ov, raw: t };
        let mut size = 0usize;
        // SAFETY: a live tensor, an out slot.
        self.ov.check(unsafe { (self.ov.api.tensor_get_byte_size)(tensor.raw, &mut size) }, "output size")?;
        let mut data = ptr::null_mut();
        // SAFETY: a live tensor, an out slot.
        self.ov.check(unsafe { (self.ov.api.tensor_data)(tensor.raw, &mut data) }, "output data")?;
        let bytes: &[u8] = if size == 0 || data.is_null() {
            &[]
        } else {
            // SAFETY: the tensor's data, `size` bytes, valid while `tensor` lives.
            unsafe { std::slice::from_raw_parts(data as *const u8, size) }
        };
        Ok(f(bytes))
    }
}
