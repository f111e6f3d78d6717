//! ONNX Runtime's C API, loaded at run time: the library, its `OrtApi` table (declarations from
//! `ort-sys`, API version 22; newer libraries serve older versions), the process's one `OrtEnv`
//! with ONNX Runtime's log routed into `log`, and owned wrappers that release what they hold.
//! Every `unsafe` call into the table is here.

use std::ffi::{c_char, c_void, CStr, CString};
use std::path::{Path, PathBuf};
use std::ptr;

use ember_nn_abi::sdk::{Error, Result};
use ember_nn_abi::NnError;
use ort_sys::{
    GraphOptimizationLevel, OrtAllocatorType, OrtApi, OrtApiBase, OrtEnv, OrtErrorCode, OrtLoggingLevel,
    OrtMemType, OrtMemoryInfo, OrtSession, OrtSessionOptions, OrtStatusPtr, OrtTensorTypeAndShapeInfo,
    OrtValue, ORT_API_VERSION,
};

/// The loaded library and its API table, for the life of the process.
pub struct Ort {
    api: &'static OrtApi,
    env: *mut OrtEnv,
    cpu: *mut OrtMemoryInfo,
    pub version: String,
    pub path: PathBuf,
    /// Keeps the library mapped (never unloaded: ONNX Runtime keeps thread pools in it).
    _lib: libloading::Library,
}

// SAFETY: OrtEnv and the CPU OrtMemoryInfo are immutable after creation and documented as
// usable from any thread; the API table is static data of the library.
unsafe impl Send for Ort {}
// SAFETY: as above.
unsafe impl Sync for Ort {}

/// ONNX Runtime's log records -> `log` (target wasi_nn_backend_onnx::ort).
unsafe extern "system" fn ort_log(
    _param: *mut c_void,
    severity: OrtLoggingLevel,
    category: *const c_char,
    _logid: *const c_char,
    _location: *const c_char,
    message: *const c_char,
) {
    let text = |p: *const c_char| {
        if p.is_null() {
            String::new()
        } else {
            // SAFETY: ONNX Runtime passes NUL-terminated strings valid for the call.
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        }
    };
    let level = match severity {
        OrtLoggingLevel::ORT_LOGGING_LEVEL_VERBOSE => log::Level::Trace,
        OrtLoggingLevel::ORT_LOGGING_LEVEL_INFO => log::Level::Debug,
        OrtLoggingLevel::ORT_LOGGING_LEVEL_WARNING => log::Level::Warn,
        _ => log::Level::Error,
    };
    log::log!(level, "ONNX Runtime [{}]: {}", text(category), text(message));
}

/// The most detailed ONNX Runtime level worth producing for our log level.
fn ort_level() -> OrtLoggingLevel {
    match log::max_level() {
        log::LevelFilter::Trace => OrtLoggingLevel::ORT_LOGGING_LEVEL_VERBOSE,
        log::LevelFilter::Debug => OrtLoggingLevel::ORT_LOGGING_LEVEL_INFO,
        log::LevelFilter::Warn | log::LevelFilter::Info => OrtLoggingLevel::ORT_LOGGING_LEVEL_WARNING,
        _ => OrtLoggingLevel::ORT_LOGGING_LEVEL_ERROR,
    }
}

impl Ort {
    /// Open the library at `path` (or a bare name for the loader's search).
    pub fn open(path: &Path) -> std::result::Result<Ort, String> {
        // SAFETY: loading ONNX Runtime runs its initialisers; it is a well-behaved C library.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        // SAFETY: OrtGetApiBase is ONNX Runtime's one exported function, `const OrtApiBase*
        // OrtGetApiBase(void)`.
        let base: *const OrtApiBase = unsafe {
            let f = lib
                .get::<unsafe extern "system" fn() -> *const OrtApiBase>(b"OrtGetApiBase\0")
                .map_err(|_| "not ONNX Runtime: no OrtGetApiBase".to_string())?;
            f()
        };
        // SAFETY: a non-NULL pointer to the library's static OrtApiBase (checked).
        let base = unsafe { base.as_ref() }.ok_or("OrtGetApiBase returned NULL")?;
        // SAFETY: GetVersionString returns a static NUL-terminated string.
        let version = unsafe { CStr::from_ptr((base.GetVersionString)()) }.to_string_lossy().into_owned();
        // SAFETY: GetApi returns NULL or the static table of that version.
        let api = unsafe { (base.GetApi)(ORT_API_VERSION).as_ref() }
            .ok_or_else(|| format!("ONNX Runtime {version} does not offer C API version {ORT_API_VERSION} (1.22 or later needed)"))?;
        let mut ort = Ort { api, env: ptr::null_mut(), cpu: ptr::null_mut(), version, path: path.to_path_buf(), _lib: lib };
        let id = c"ember";
        let mut env = ptr::null_mut();
        // SAFETY: a valid logger function for the life of the process, a static id, an out slot.
        ort.check(unsafe { (api.CreateEnvWithCustomLogger)(ort_log, ptr::null_mut(), ort_level(), id.as_ptr(), &mut env) })
            .map_err(|e| e.message().to_string())?;
        ort.env = env;
        let mut cpu = ptr::null_mut();
        // SAFETY: an out slot.
        ort.check(unsafe {
            (api.CreateCpuMemoryInfo)(OrtAllocatorType::OrtDeviceAllocator, OrtMemType::OrtMemTypeDefault, &mut cpu)
        })
        .map_err(|e| e.message().to_string())?;
        ort.cpu = cpu;
        Ok(ort)
    }

    /// An OrtStatus -> Ok, or an Error with its message (the status is released).
    fn check(&self, status: OrtStatusPtr) -> Result<()> {
        if status.0.is_null() {
            return Ok(());
        }
        // SAFETY: a live status from the API; message and code read before it is released.
        let (code, msg) = unsafe {
            let code = (self.api.GetErrorCode)(status.0);
            let msg = CStr::from_ptr((self.api.GetErrorMessage)(status.0)).to_string_lossy().into_owned();
            (self.api.ReleaseStatus)(status.0);
            (code, msg)
        };
        let code = match code {
            OrtErrorCode::ORT_INVALID_ARGUMENT | OrtErrorCode::ORT_INVALID_PROTOBUF | OrtErrorCode::ORT_INVALID_GRAPH => {
                NnError::InvalidArgument
            }
            OrtErrorCode::ORT_NO_SUCHFILE | OrtErrorCode::ORT_NO_MODEL => NnError::NotFound,
            OrtErrorCode::ORT_NOT_IMPLEMENTED => NnError::UnsupportedOperation,
            _ => NnError::RuntimeError,
        };
        Err(Error::new(code, format!("ONNX Runtime: {msg}")))
    }

    /// Execution providers this library offers (e.g. CPUExecutionProvider).
    pub fn providers(&self) -> Vec<String> {
        let mut list: *mut *mut c_char = ptr::null_mut();
        let mut n: i32 = 0;
        // SAFETY: out slots; the list is released below with the same API.
        if self.check(unsafe { (self.api.GetAvailableProviders)(&mut list, &mut n) }).is_err() || list.is_null() {
            return Vec::new();
        }
        let names = (0..n.max(0) as usize)
            // SAFETY: n NUL-terminated strings.
            .map(|i| unsafe { CStr::from_ptr(*list.add(i)) }.to_string_lossy().into_owned())
            .collect();
        // SAFETY: the list GetAvailableProviders returned, released once.
        let _ = self.check(unsafe { (self.api.ReleaseAvailableProviders)(list, n) });
        names
    }

    pub fn session_options(&self, settings: &Settings) -> Result<SessionOptions<'_>> {
        let mut raw = ptr::null_mut();
        // SAFETY: an out slot.
        self.check(unsafe { (self.api.CreateSessionOptions)(&mut raw) })?;
        let opts = SessionOptions { ort: self, raw };
        // SAFETY (all calls below): live options, plain values or NUL-terminated strings that
        // live for the call.
        if let Some(n) = settings.threads {
            self.check(unsafe { (self.api.SetIntraOpNumThreads)(raw, n) })?;
        }
        if let Some(n) = settings.inter_threads {
            self.check(unsafe { (self.api.SetInterOpNumThreads)(raw, n) })?;
        }
        self.check(unsafe { (self.api.SetSessionGraphOptimizationLevel)(raw, settings.optimization) })?;
        for ep in &settings.providers {
            let name = CString::new(ep.as_str()).map_err(|_| Error::invalid("provider name with NUL"))?;
            self.check(unsafe {
                (self.api.SessionOptionsAppendExecutionProvider)(raw, name.as_ptr(), ptr::null(), ptr::null(), 0)
            })?;
        }
        Ok(opts)
    }

    pub fn session_from_bytes(&self, bytes: &[u8], opts: &SessionOptions<'_>) -> Result<Session> {
        let mut raw = ptr::null_mut();
        // SAFETY: bytes are readable for the call (ONNX Runtime copies what it keeps).
        self.check(unsafe {
            (self.api.CreateSessionFromArray)(self.env, bytes.as_ptr() as *const c_void, bytes.len(), opts.raw, &mut raw)
        })?;
        Ok(Session { raw })
    }

    pub fn session_from_file(&self, path: &Path, opts: &SessionOptions<'_>) -> Result<Session> {
        let c = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|_| Error::invalid("path with NUL"))?;
        let mut raw = ptr::null_mut();
        // SAFETY: a NUL-terminated path (ortchar is char on Linux) for the call; an out slot.
        self.check(unsafe { (self.api.CreateSession)(self.env, c.as_ptr(), opts.raw, &mut raw) })?;
        Ok(Session { raw })
    }

    /// Names and tensor types of a session's inputs or outputs.
    pub fn io(&self, s: &Session, outputs: bool) -> Result<Vec<TensorInfo>> {
        let mut n = 0usize;
        // SAFETY: a live session, an out slot.
        self.check(unsafe {
            if outputs {
                (self.api.SessionGetOutputCount)(s.raw, &mut n)
            } else {
                (self.api.SessionGetInputCount)(s.raw, &mut n)
            }
        })?;
        let mut alloc = ptr::null_mut();
        // SAFETY: an out slot; the default allocator is owned by ONNX Runtime (never released).
        self.check(unsafe { (self.api.GetAllocatorWithDefaultOptions)(&mut alloc) })?;
        let mut list = Vec::with_capacity(n);
        for i in 0..n {
            let mut name: *mut c_char = ptr::null_mut();
            let mut info = ptr::null_mut();
            // SAFETY: index < count; out slots.
            self.check(unsafe {
                if outputs {
                    (self.api.SessionGetOutputName)(s.raw, i, alloc, &mut name)
                } else {
                    (self.api.SessionGetInputName)(s.raw, i, alloc, &mut name)
                }
            })?;
            // SAFETY: name is a NUL-terminated string from `alloc`, freed with it once.
            let owned = unsafe { CStr::from_ptr(name) }.to_owned();
            // SAFETY: as above.
            let _ = self.check(unsafe { (self.api.AllocatorFree)(alloc, name as *mut c_void) });
            // SAFETY: index < count; out slot; released below.
            self.check(unsafe {
                if outputs {
                    (self.api.SessionGetOutputTypeInfo)(s.raw, i, &mut info)
                } else {
                    (self.api.SessionGetInputTypeInfo)(s.raw, i, &mut info)
                }
            })?;
            let mut tensor: *const OrtTensorTypeAndShapeInfo = ptr::null();
            // SAFETY: a live type info; the tensor info it returns is owned by it.
            let r = self.check(unsafe { (self.api.CastTypeInfoToTensorInfo)(info, &mut tensor) });
            let shape = match (r, tensor.is_null()) {
                (Ok(()), false) => self.shape(tensor),
                _ => Err(Error::unsupported(format!("{} '{}' is not a tensor", if outputs { "output" } else { "input" }, owned.to_string_lossy()))),
            };
            // SAFETY: the type info from above, released once.
            unsafe { (self.api.ReleaseTypeInfo)(info) };
            let (elem, dims) = shape?;
            list.push(TensorInfo { name: owned, elem, dims });
        }
        Ok(list)
    }

    /// Element type (ONNX numbering, read as a plain integer so that types newer than the
    /// bindings are not undefined behaviour) and dimensions (-1 = dynamic).
    fn shape(&self, info: *const OrtTensorTypeAndShapeInfo) -> Result<(i32, Vec<i64>)> {
        let mut elem: i32 = 0;
        // SAFETY: a live info; the out slot is an i32, the C enum's size.
        self.check(unsafe { (self.api.GetTensorElementType)(info, &mut elem as *mut i32 as *mut _) })?;
        let mut n = 0usize;
        // SAFETY: a live info, an out slot.
        self.check(unsafe { (self.api.GetDimensionsCount)(info, &mut n) })?;
        let mut dims = vec![0i64; n];
        // SAFETY: dims has room for n values.
        self.check(unsafe { (self.api.GetDimensions)(info, dims.as_mut_ptr(), n) })?;
        Ok((elem, dims))
    }

    /// A tensor over `data` (not copied: `data` must outlive the value and the runs using it).
    pub fn tensor(&self, data: &mut [u8], dims: &[i64], elem: i32) -> Result<Value<'_>> {
        let mut raw = ptr::null_mut();
        // SAFETY: data is writable for its length and outlives the value (caller's contract,
        // kept by Context); dims live for the call; elem is a valid ONNX element type number.
        self.check(unsafe {
            (self.api.CreateTensorWithDataAsOrtValue)(
                self.cpu,
                data.as_mut_ptr() as *mut c_void,
                data.len(),
                dims.as_ptr(),
                dims.len(),
                std::mem::transmute::<i32, ort_sys::ONNXTensorElementDataType>(elem),
                &mut raw,
            )
        })?;
        Ok(Value { ort: self, raw })
    }

    /// Run the session: all inputs in order, all outputs by name.
    pub fn run(&self, s: &Session, inputs: &[(&CStr, &Value<'_>)], outputs: &[&CStr]) -> Result<Vec<Value<'_>>> {
        let in_names: Vec<*const c_char> = inputs.iter().map(|(n, _)| n.as_ptr()).collect();
        let in_values: Vec<*const OrtValue> = inputs.iter().map(|(_, v)| v.raw as *const OrtValue).collect();
        let out_names: Vec<*const c_char> = outputs.iter().map(|n| n.as_ptr()).collect();
        let mut out: Vec<*mut OrtValue> = vec![ptr::null_mut(); outputs.len()];
        // SAFETY: arrays of the given lengths, live values and names for the call; ONNX Runtime
        // fills `out` with new values we own.
        let r = self.check(unsafe {
            (self.api.Run)(
                s.raw,
                ptr::null(),
                in_names.as_ptr(),
                in_values.as_ptr(),
                inputs.len(),
                out_names.as_ptr(),
                out_names.len(),
                out.as_mut_ptr(),
            )
        });
        let values: Vec<Value<'_>> = out.into_iter().filter(|p| !p.is_null()).map(|raw| Value { ort: self, raw }).collect();
        r?;
        if values.len() != outputs.len() {
            return Err(Error::runtime("ONNX Runtime returned fewer outputs than asked for"));
        }
        Ok(values)
    }

    /// An output value's element type, dims and bytes.
    pub fn read<'v>(&self, v: &'v Value<'_>) -> Result<(i32, Vec<i64>, &'v [u8])> {
        let mut info = ptr::null_mut();
        // SAFETY: a live value, an out slot; released below.
        self.check(unsafe { (self.api.GetTensorTypeAndShape)(v.raw, &mut info) })?;
        let shape = self.shape(info);
        // SAFETY: the info from above, released once.
        unsafe { (self.api.ReleaseTensorTypeAndShapeInfo)(info) };
        let (elem, dims) = shape?;
        let size = crate::backend::byte_size(elem, &dims)
            .ok_or_else(|| Error::unsupported(format!("output element type {elem} is not a wasi-nn tensor type")))?;
        let mut data = ptr::null_mut();
        // SAFETY: a live tensor value; the data pointer stays valid while the value lives.
        self.check(unsafe { (self.api.GetTensorMutableData)(v.raw, &mut data) })?;
        if size == 0 {
            return Ok((elem, dims, &[]));
        }
        if data.is_null() {
            return Err(Error::runtime("ONNX Runtime output without data"));
        }
        // SAFETY: a tensor of `size` bytes (its type and shape) owned by `v`.
        Ok((elem, dims, unsafe { std::slice::from_raw_parts(data as *const u8, size) }))
    }
}

/// Session settings from the backend's options.
#[derive(Clone, Debug)]
pub struct Settings {
    pub threads: Option<i32>,
    pub inter_threads: Option<i32>,
    pub optimization: GraphOptimizationLevel,
    pub providers: Vec<String>,
}

pub struct TensorInfo {
    pub name: CString,
    pub elem: i32,
    pub dims: Vec<i64>,
}

pub struct SessionOptions<'a> {
    ort: &'a Ort,
    raw: *mut OrtSessionOptions,
}

impl Drop for SessionOptions<'_> {
    fn drop(&mut self) {
        // SAFETY: created by CreateSessionOptions, released once.
        unsafe { (self.ort.api.ReleaseSessionOptions)(self.raw) }
    }
}

/// A session; released by [`Ort::release_session`] (it needs the API, which lives for the
/// process: see `Drop`).
pub struct Session {
    raw: *mut OrtSession,
}

// SAFETY: OrtSession::Run may be called from any thread (ONNX Runtime's documented contract);
// the backend serializes calls per context anyway.
unsafe impl Send for Session {}
// SAFETY: as above.
unsafe impl Sync for Session {}

impl Ort {
    pub fn release_session(&self, s: &mut Session) {
        if !s.raw.is_null() {
            // SAFETY: created by CreateSession*, released once (then NULL).
            unsafe { (self.api.ReleaseSession)(s.raw) };
            s.raw = ptr::null_mut();
        }
    }
}

pub struct Value<'a> {
    ort: &'a Ort,
    raw: *mut OrtValue,
}

impl Drop for Value<'_> {
    fn drop(&mut self) {
        // SAFETY: a value we own, released once.
        unsafe { (self.ort.api.ReleaseValue)(self.raw) }
    }
}
