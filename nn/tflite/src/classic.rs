//! The classic TensorFlow Lite C API (tensorflow/lite/c/c_api.h, stable since TF 2.x; tested
//! with the 2.9 build from npm tfjs-tflite-node), loaded with dlopen at run time.
//!
//! The declarations below are written by hand from the 2.9 header (25 functions); see
//! the crate doc (lib.rs) for why not bindgen/tflitec. One interpreter per execution context, all
//! sharing the graph's TfLiteModel (and its delegate, when there is one).

use std::ffi::{c_char, c_int, c_void, CStr};
use std::path::Path;
use std::sync::Arc;

use crate::delegate::ExternalDelegate;
use crate::engine::{self, Context, Engine, Graph, ModelBytes, Target, TensorIn};
use ember_nn_abi::sdk::{Error, Result};
use crate::flatbuf::ModelInfo;
use crate::options::Options;

type Model = c_void;
type Options_ = c_void;
type Interp = c_void;
type Tensor = c_void;
type Reporter = unsafe extern "C" fn(*mut c_void, *const c_char, *mut c_void);

const OK: c_int = 0;

/// Function pointers resolved from the library; valid while `_lib` stays loaded.
struct Api {
    version: unsafe extern "C" fn() -> *const c_char,
    model_create: unsafe extern "C" fn(*const c_void, usize) -> *mut Model,
    model_delete: unsafe extern "C" fn(*mut Model),
    options_create: unsafe extern "C" fn() -> *mut Options_,
    options_delete: unsafe extern "C" fn(*mut Options_),
    options_threads: unsafe extern "C" fn(*mut Options_, i32),
    options_delegate: unsafe extern "C" fn(*mut Options_, *mut c_void),
    options_reporter: unsafe extern "C" fn(*mut Options_, Reporter, *mut c_void),
    interp_create: unsafe extern "C" fn(*const Model, *const Options_) -> *mut Interp,
    interp_delete: unsafe extern "C" fn(*mut Interp),
    input_count: unsafe extern "C" fn(*const Interp) -> i32,
    input_tensor: unsafe extern "C" fn(*const Interp, i32) -> *mut Tensor,
    resize_input: unsafe extern "C" fn(*mut Interp, i32, *const c_int, i32) -> c_int,
    allocate: unsafe extern "C" fn(*mut Interp) -> c_int,
    invoke: unsafe extern "C" fn(*mut Interp) -> c_int,
    output_count: unsafe extern "C" fn(*const Interp) -> i32,
    output_tensor: unsafe extern "C" fn(*const Interp, i32) -> *const Tensor,
    tensor_type: unsafe extern "C" fn(*const Tensor) -> c_int,
    tensor_num_dims: unsafe extern "C" fn(*const Tensor) -> i32,
    tensor_dim: unsafe extern "C" fn(*const Tensor, i32) -> i32,
    tensor_byte_size: unsafe extern "C" fn(*const Tensor) -> usize,
    tensor_copy_from: unsafe extern "C" fn(*mut Tensor, *const c_void, usize) -> c_int,
    tensor_copy_to: unsafe extern "C" fn(*const Tensor, *mut c_void, usize) -> c_int,
    /// Never closed: engines register thread-local destructors (XNNPACK, TFLite's C++ runtime)
    /// that would run into unmapped code after a dlclose. Engines stay loaded for the process.
    _lib: std::mem::ManuallyDrop<libloading::Library>,
}

pub struct Classic {
    api: Api,
    options: Options,
}

macro_rules! sym {
    ($lib:expr, $name:literal) => {{
        // SAFETY: the symbol is declared above with the type the TFLite 2.9 C API header gives
        // it; the pointer is only used while the library stays loaded (Api owns it).
        let s = unsafe { $lib.get(concat!($name, "\0").as_bytes()) };
        match s {
            Ok(s) => *s,
            Err(e) => return Err(format!("{} lacks {}: {e}", stringify!($lib), $name)),
        }
    }};
}

impl Classic {
    /// Opens `path` and resolves the C API; Err(reason) when it is not a usable TFLite library.
    pub fn open(path: &Path, options: Options) -> std::result::Result<Classic, String> {
        // SAFETY: loading the engine runs its initialisers; the library is the TFLite C API
        // found on the documented search path (or named by the user).
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        let api = Api {
            version: sym!(lib, "TfLiteVersion"),
            model_create: sym!(lib, "TfLiteModelCreate"),
            model_delete: sym!(lib, "TfLiteModelDelete"),
            options_create: sym!(lib, "TfLiteInterpreterOptionsCreate"),
            options_delete: sym!(lib, "TfLiteInterpreterOptionsDelete"),
            options_threads: sym!(lib, "TfLiteInterpreterOptionsSetNumThreads"),
            options_delegate: sym!(lib, "TfLiteInterpreterOptionsAddDelegate"),
            options_reporter: sym!(lib, "TfLiteInterpreterOptionsSetErrorReporter"),
            interp_create: sym!(lib, "TfLiteInterpreterCreate"),
            interp_delete: sym!(lib, "TfLiteInterpreterDelete"),
            input_count: sym!(lib, "TfLiteInterpreterGetInputTensorCount"),
            input_tensor: sym!(lib, "TfLiteInterpreterGetInputTensor"),
            resize_input: sym!(lib, "TfLiteInterpreterResizeInputTensor"),
            allocate: sym!(lib, "TfLiteInterpreterAllocateTensors"),
            invoke: sym!(lib, "TfLiteInterpreterInvoke"),
            output_count: sym!(lib, "TfLiteInterpreterGetOutputTensorCount"),
            output_tensor: sym!(lib, "TfLiteInterpreterGetOutputTensor"),
            tensor_type: sym!(lib, "TfLiteTensorType"),
            tensor_num_dims: sym!(lib, "TfLiteTensorNumDims"),
            tensor_dim: sym!(lib, "TfLiteTensorDim"),
            tensor_byte_size: sym!(lib, "TfLiteTensorByteSize"),
            tensor_copy_from: sym!(lib, "TfLiteTensorCopyFromBuffer"),
            tensor_copy_to: sym!(lib, "TfLiteTensorCopyToBuffer"),
            _lib: std::mem::ManuallyDrop::new(lib),
        };
        // SAFETY: TfLiteVersion returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr((api.version)()) }.to_string_lossy().into_owned();
        log::info!("wasi-nn tflite: TFLite {v} classic C API from {}", path.display());
        Ok(Classic { api, options })
    }
}

// SAFETY: the Api is immutable function pointers plus the library handle; the C API functions
// we call on shared objects (model create/delete, interpreter create) are thread-safe for
// distinct interpreters, and each interpreter is used by one context at a time.
unsafe impl Send for Classic {}
// SAFETY: as above; &Classic only reads the function pointers.
unsafe impl Sync for Classic {}

thread_local! {
    static ENGINE_LOG: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

extern "C" {
    // va_list is passed as one pointer-sized value on x86_64 (array type, decays to a pointer),
    // aarch64 (a >16-byte struct, passed by reference) and armv7 (a one-pointer struct), so the
    // reporter's va_list argument can be forwarded as *mut c_void.
    fn vsnprintf(buf: *mut c_char, n: usize, fmt: *const c_char, ap: *mut c_void) -> c_int;
}

/// TfLite's error reporter: formats the message and keeps it for the error we return.
unsafe extern "C" fn reporter(_user: *mut c_void, fmt: *const c_char, ap: *mut c_void) {
    let mut buf = [0 as c_char; 512];
    // SAFETY: buf is writable for its length; fmt/ap come straight from TFLite's reporter call.
    unsafe { vsnprintf(buf.as_mut_ptr(), buf.len(), fmt, ap) };
    // SAFETY: vsnprintf NUL-terminates within the buffer.
    let msg = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_string_lossy().into_owned();
    log::debug!("tflite: {msg}");
    ENGINE_LOG.with(|l| {
        let mut l = l.borrow_mut();
        if l.len() < 2048 {
            if !l.is_empty() {
                l.push_str("; ");
            }
            l.push_str(msg.trim());
        }
    });
}

fn take_engine_log() -> String {
    ENGINE_LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

fn engine_error(what: &str) -> Error {
    let log = take_engine_log();
    if log.is_empty() {
        Error::runtime(what.to_string())
    } else {
        Error::runtime(format!("{what}: {log}"))
    }
}

struct GraphInner {
    engine: Arc<Classic>,
    model: *mut Model,
    options: *mut Options_,
    info: ModelInfo,
    // Must outlive the interpreters (declared after the pointers, dropped explicitly in Drop).
    delegate: Option<ExternalDelegate>,
    _bytes: ModelBytes,
}

// SAFETY: the model and options are only read after creation (TfLiteInterpreterCreate takes
// const pointers), which the C API allows from any thread.
unsafe impl Send for GraphInner {}
// SAFETY: as above.
unsafe impl Sync for GraphInner {}

impl Drop for GraphInner {
    fn drop(&mut self) {
        let api = &self.engine.api;
        // SAFETY: created by us, released once; every interpreter holding them is gone (they
        // keep an Arc to this GraphInner).
        unsafe {
            (api.options_delete)(self.options);
            (api.model_delete)(self.model);
        }
        self.delegate.take();
    }
}

pub struct ClassicEngine(pub Arc<Classic>);

impl Engine for ClassicEngine {
    fn name(&self) -> &'static str {
        "classic"
    }

    fn load(&self, bytes: ModelBytes, info: ModelInfo, target: Target) -> Result<Box<dyn Graph>> {
        let e = &self.0;
        let api = &e.api;
        take_engine_log();
        // SAFETY: bytes stay alive (owned by the graph) as long as the model, as the API requires.
        let model = unsafe { (api.model_create)(bytes.as_ptr() as *const c_void, bytes.len()) };
        if model.is_null() {
            return Err(Error::invalid("TFLite refused the model (its flatbuffer verifier failed)"));
        }
        // SAFETY: plain constructor.
        let options = unsafe { (api.options_create)() };
        if options.is_null() {
            // SAFETY: model created above, not shared yet.
            unsafe { (api.model_delete)(model) };
            return Err(Error::runtime("TfLiteInterpreterOptionsCreate failed"));
        }
        let mut inner = GraphInner { engine: e.clone(), model, options, info, delegate: None, _bytes: bytes };
        // SAFETY: options is live; reporter matches the declared callback type.
        unsafe {
            (api.options_threads)(options, e.options.threads.unwrap_or(1));
            (api.options_reporter)(options, reporter, std::ptr::null_mut());
        }
        if let Target::Accelerator(t) = target {
            match &e.options.delegate {
                Some(path) => {
                    let d = ExternalDelegate::open(path, &e.options.delegate_options)?;
                    // SAFETY: the delegate lives in inner, dropped after every interpreter.
                    unsafe { (api.options_delegate)(options, d.as_ptr()) };
                    log::info!("wasi-nn tflite: target {t} runs through delegate {}", path.display());
                    inner.delegate = Some(d);
                }
                None => log::warn!(
                    "wasi-nn tflite: target {} asked but no delegate is configured (delegate=PATH); running on cpu",
                    if t == 1 { "gpu" } else { "tpu" }
                ),
            }
        }
        let graph = ClassicGraph(Arc::new(inner));
        // Build one interpreter now so that unsupported operators fail at load, not later.
        drop(graph.new_context()?);
        Ok(Box::new(graph))
    }
}

struct ClassicGraph(Arc<GraphInner>);

impl Graph for ClassicGraph {
    fn new_context(&self) -> Result<Box<dyn Context>> {
        let g = &self.0;
        let api = &g.engine.api;
        take_engine_log();
        // SAFETY: model and options are live for as long as g (held by the context).
        let interp = unsafe { (api.interp_create)(g.model, g.options) };
        if interp.is_null() {
            return Err(engine_error("TFLite could not build an interpreter for the model"));
        }
        let ctx = ClassicContext { graph: g.clone(), interp, computed: false };
        // SAFETY: interp is live.
        if unsafe { (api.allocate)(interp) } != OK {
            return Err(engine_error("TFLite could not allocate the model's tensors"));
        }
        // SAFETY: interp is live.
        let (ni, no) = unsafe { ((api.input_count)(interp), (api.output_count)(interp)) };
        if ni as usize != g.info.inputs.len() || no as usize != g.info.outputs.len() {
            return Err(Error::runtime("the interpreter's inputs/outputs differ from the model's"));
        }
        Ok(Box::new(ctx))
    }
}

struct ClassicContext {
    graph: Arc<GraphInner>,
    interp: *mut Interp,
    computed: bool,
}

// SAFETY: the interpreter is used by one thread at a time (libvmcore.so serializes the calls
// of one context) and TFLite interpreters are not tied to the creating thread.
unsafe impl Send for ClassicContext {}

impl Drop for ClassicContext {
    fn drop(&mut self) {
        // SAFETY: created in new_context, deleted once.
        unsafe { (self.graph.engine.api.interp_delete)(self.interp) };
    }
}

impl ClassicContext {
    fn api(&self) -> &Api {
        &self.graph.engine.api
    }
    fn dims(&self, t: *const Tensor) -> Vec<i32> {
        let api = self.api();
        // SAFETY: t is a live tensor of our interpreter.
        let n = unsafe { (api.tensor_num_dims)(t) }.max(0);
        // SAFETY: as above, 0 <= i < n.
        (0..n).map(|i| unsafe { (api.tensor_dim)(t, i) }).collect()
    }
    fn output(&self, index: u32) -> Result<*const Tensor> {
        if index as usize >= self.graph.info.outputs.len() {
            return Err(Error::invalid(format!(
                "output {index} does not exist (the model has {})",
                self.graph.info.outputs.len()
            )));
        }
        if !self.computed {
            return Err(Error::runtime("get_output before compute"));
        }
        // SAFETY: index is in range.
        let t = unsafe { (self.api().output_tensor)(self.interp, index as i32) };
        if t.is_null() {
            return Err(Error::runtime(format!("output {index} is missing")));
        }
        Ok(t)
    }
}

impl Context for ClassicContext {
    fn set_input(&mut self, index: u32, t: &TensorIn<'_>) -> Result<()> {
        let n_inputs = self.graph.info.inputs.len();
        if index as usize >= n_inputs {
            return Err(Error::invalid(format!("input {index} does not exist (the model has {n_inputs})")));
        }
        let graph = self.graph.clone();
        let api = &graph.engine.api;
        // SAFETY: index in range.
        let mut tensor = unsafe { (api.input_tensor)(self.interp, index as i32) };
        if tensor.is_null() {
            return Err(Error::runtime(format!("input {index} is missing")));
        }
        // SAFETY: tensor is live.
        engine::check_type(index, t, unsafe { (api.tensor_type)(tensor) })?;
        let current = self.dims(tensor);
        let decl = &graph.info.inputs[index as usize];
        if !engine::same_dims(t.dims, &current) && engine::resizable(t.dims, &decl.shape, decl.signature.as_deref()) {
            let dims: Vec<c_int> = t.dims.iter().map(|&d| d as c_int).collect();
            take_engine_log();
            // SAFETY: interp live; dims has dims.len() entries.
            let ok = unsafe { (api.resize_input)(self.interp, index as i32, dims.as_ptr(), dims.len() as i32) } == OK
                // SAFETY: interp live.
                && unsafe { (api.allocate)(self.interp) } == OK;
            if !ok {
                return Err(Error::invalid(format!(
                    "input {index}: the model cannot take shape {:?}: {}",
                    t.dims,
                    take_engine_log()
                )));
            }
            log::debug!("wasi-nn tflite: input {index} resized from {current:?} to {:?}", t.dims);
            self.computed = false;
            // SAFETY: the tensor pointer may change after AllocateTensors; fetch it again.
            tensor = unsafe { (api.input_tensor)(self.interp, index as i32) };
        }
        // SAFETY: tensor is live.
        let want = unsafe { (api.tensor_byte_size)(tensor) };
        if t.data.len() != want {
            return Err(Error::invalid(format!(
                "input {index}: the model wants {want} bytes (shape {:?}) but the tensor has {} bytes (dims {:?})",
                self.dims(tensor),
                t.data.len(),
                t.dims
            )));
        }
        // SAFETY: sizes are equal; data is readable for its length.
        if unsafe { (api.tensor_copy_from)(tensor, t.data.as_ptr() as *const c_void, t.data.len()) } != OK {
            return Err(Error::runtime(format!("input {index}: copy failed")));
        }
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        take_engine_log();
        // SAFETY: interp is live and fully allocated.
        if unsafe { (self.api().invoke)(self.interp) } != OK {
            self.computed = false;
            return Err(engine_error("TFLite inference failed"));
        }
        self.computed = true;
        Ok(())
    }

    fn output_size(&mut self, index: u32) -> Result<usize> {
        let t = self.output(index)?;
        // SAFETY: t is live.
        Ok(unsafe { (self.api().tensor_byte_size)(t) })
    }

    fn copy_output(&mut self, index: u32, out: &mut [u8]) -> Result<()> {
        let t = self.output(index)?;
        // SAFETY: out is writable for its length, which equals the tensor's byte size.
        if unsafe { (self.api().tensor_copy_to)(t, out.as_mut_ptr() as *mut c_void, out.len()) } != OK {
            return Err(Error::runtime(format!("output {index}: copy failed")));
        }
        Ok(())
    }
}
