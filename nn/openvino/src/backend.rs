//! The backend on the SDK's traits: options, targets, graphs (compiled models) and contexts
//! (infer requests with their input buffers).

use std::ffi::{CStr, CString};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ember_nn_abi::sdk::{self, Error, Options, Result, TensorRef};
use ember_nn_abi::{encoding, target, tensor_type, NnError};

use crate::ov::{elem, CompiledModel, InferRequest, Model, OpenVinoLib};

const KEYS: &[&CStr] = &[c"engine_lib", c"precision", c"threads", c"performance_hint", c"cache_dir"];

/// The element type OpenVINO uses for a wasi-nn tensor type, and whether a guest type may feed
/// a model input of element type `e` (int8 travels as u8: wasi-nn has no i8).
fn compatible(ty: u32, e: u32) -> bool {
    matches!(
        (ty, e),
        (tensor_type::FP32, elem::F32)
            | (tensor_type::FP16, elem::F16)
            | (tensor_type::FP64, elem::F64)
            | (tensor_type::U8, elem::U8 | elem::I8)
            | (tensor_type::I32, elem::I32)
            | (tensor_type::I64, elem::I64)
    )
}

fn elem_name(e: u32) -> String {
    match e {
        elem::F16 => "f16".into(),
        elem::F32 => "f32".into(),
        elem::F64 => "f64".into(),
        elem::I8 => "i8".into(),
        elem::I32 => "i32".into(),
        elem::I64 => "i64".into(),
        elem::U8 => "u8".into(),
        other => format!("OpenVINO element type {other}"),
    }
}

pub struct OpenVino {
    engine_lib: Option<PathBuf>,
    /// Compile properties (key, value).
    props: Vec<(&'static CStr, CString)>,
    lib: OnceLock<std::result::Result<Arc<OpenVinoLib>, Error>>,
}

impl OpenVino {
    fn lib(&self) -> Result<Arc<OpenVinoLib>> {
        self.lib
            .get_or_init(|| {
                let open = |p: &std::path::Path| OpenVinoLib::open(p);
                let ov = sdk::open_engine("OpenVINO C", self.engine_lib.clone(), "EMBER_OPENVINO_LIB", "libopenvino_c.so", "openvino", &[], open)?;
                log::info!("OpenVINO {} from {} (devices: {})", ov.version, ov.path.display(), ov.devices.join(", "));
                Ok(Arc::new(ov))
            })
            .clone()
    }

    /// The OpenVINO device for a wasi-nn target: gpu -> GPU and tpu -> NPU when the device is
    /// there, else the CPU with a warning (as the TFLite and ArmNN backends do).
    fn device(&self, lib: &OpenVinoLib, tgt: u32) -> Result<&'static str> {
        let has = |d: &str| lib.devices.iter().any(|x| x == d || x.starts_with(&format!("{d}.")));
        match tgt {
            target::CPU => Ok("CPU"),
            target::GPU if has("GPU") => Ok("GPU"),
            target::TPU if has("NPU") => Ok("NPU"),
            target::GPU | target::TPU => {
                let want = if tgt == target::GPU { "GPU" } else { "NPU" };
                log::warn!("target {} asked but OpenVINO has no {want} device here (devices: {}); running on CPU", if tgt == target::GPU { "gpu" } else { "tpu" }, lib.devices.join(", "));
                Ok("CPU")
            }
            _ => Err(Error::invalid(format!("unknown execution target {tgt}"))),
        }
    }

    fn compile(&self, lib: &Arc<OpenVinoLib>, model: &Model<'_>, tgt: u32, weights: Option<Vec<u8>>) -> Result<OvGraph> {
        let device = self.device(lib, tgt)?;
        let compiled = lib.compile(model, device, &self.props)?;
        let (inputs, outputs) = compiled.io_counts()?;
        let input_types = (0..inputs).map(|i| compiled.input_type(i)).collect::<Result<Vec<_>>>()?;
        log::debug!("compiled for {device}: {inputs} inputs ({:?}), {outputs} outputs", input_types.iter().map(|&e| elem_name(e)).collect::<Vec<_>>());
        Ok(OvGraph(Arc::new(GraphInner { input_types, outputs, compiled, _weights: weights })))
    }
}

impl sdk::Backend for OpenVino {
    const NAME: &'static CStr = c"openvino";
    const ENCODINGS: &'static [u32] = &[encoding::OPENVINO, encoding::ONNX, encoding::TENSORFLOWLITE];
    const OPTIONS: &'static [&'static CStr] = KEYS;
    type Graph = OvGraph;

    fn new(o: &Options) -> Result<OpenVino> {
        let text = |v: &str| CString::new(v).map_err(|_| Error::invalid("option value with NUL"));
        let precision = match o.get("precision").map(str::to_ascii_lowercase).as_deref() {
            None | Some("f32") => "f32",
            Some("bf16") => "bf16",
            Some("f16") => "f16",
            Some(v) => return Err(Error::invalid(format!("option precision={v}: expected f32, bf16 or f16"))),
        };
        let mut props = vec![(c"INFERENCE_PRECISION_HINT", text(precision)?)];
        if let Some(n) = o.number::<u32>("threads", 1..=256)? {
            props.push((c"INFERENCE_NUM_THREADS", text(&n.to_string())?));
        }
        match o.get("performance_hint").map(str::to_ascii_lowercase).as_deref() {
            None => {}
            Some(h @ ("latency" | "throughput")) => props.push((c"PERFORMANCE_HINT", text(&h.to_ascii_uppercase())?)),
            Some(v) => return Err(Error::invalid(format!("option performance_hint={v}: expected latency or throughput"))),
        }
        if let Some(dir) = o.get("cache_dir") {
            props.push((c"CACHE_DIR", text(dir)?));
        }
        Ok(OpenVino { engine_lib: o.get("engine_lib").map(PathBuf::from), props, lib: OnceLock::new() })
    }

    fn load(&self, builders: &[&[u8]], enc: u32, tgt: u32) -> Result<OvGraph> {
        let lib = self.lib()?;
        match (enc, builders) {
            (encoding::OPENVINO | encoding::AUTODETECT, [xml, bin]) => {
                // The weights are copied once and kept with the graph: OpenVINO may keep
                // pointing at them (a host-pointer tensor), and guest memory lives only for
                // this call.
                let mut weights = Vec::new();
                weights
                    .try_reserve_exact(bin.len())
                    .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for {} bytes of weights", bin.len())))?;
                weights.extend_from_slice(bin);
                let model = lib.read_model_from_memory(xml, Some(&mut weights))?;
                self.compile(&lib, &model, tgt, Some(weights))
            }
            (encoding::OPENVINO, [_]) => Err(Error::invalid("an OpenVINO IR model is two builders: the .xml and the .bin weights")),
            (encoding::TENSORFLOWLITE, [model]) => {
                // OpenVINO's TFLite frontend reads files only: hand it a private temporary
                // copy, removed as soon as the model is read.
                let file = TempModel::write(model, "tflite")?;
                let model = lib.read_model_from_files(&file.0, None)?;
                drop(file);
                self.compile(&lib, &model, tgt, None)
            }
            (encoding::ONNX | encoding::AUTODETECT, [model]) => {
                let model = lib.read_model_from_memory(model, None)?;
                self.compile(&lib, &model, tgt, None)
            }
            (encoding::OPENVINO | encoding::ONNX | encoding::TENSORFLOWLITE | encoding::AUTODETECT, _) => {
                Err(Error::invalid(format!("{} builders: expected 2 (IR .xml + .bin) or 1 (.onnx, .tflite)", builders.len())))
            }
            _ => Err(Error::new(NnError::InvalidEncoding, format!("encoding {enc} is not openvino, onnx or tensorflowlite"))),
        }
    }

    /// By path: OpenVINO reads the files and maps the weights itself (nothing is copied).
    fn load_named(&self, model: &sdk::NamedModel<'_>, config: &[u8]) -> Result<OvGraph> {
        if !config.is_empty() {
            log::warn!("the {}-byte load config for '{}' is ignored (the openvino backend takes none)", config.len(), model.name);
        }
        let lib = self.lib()?;
        let m = match model.paths.as_slice() {
            [xml, bin] => lib.read_model_from_files(xml, Some(bin))?,
            [one] => lib.read_model_from_files(one, None)?,
            _ => return Err(Error::invalid(format!("{} files: expected 2 (IR .xml, .bin) or 1", model.paths.len()))),
        };
        self.compile(&lib, &m, model.target, None)
    }
}

/// A model written to a private temporary file (mode 0600), removed on drop.
struct TempModel(PathBuf);

impl TempModel {
    fn write(bytes: &[u8], extension: &str) -> Result<TempModel> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ember-openvino-{}-{n}.{extension}", std::process::id()));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| Error::runtime(format!("cannot write a temporary model file {}: {e}", path.display())))?;
        let file = TempModel(path);
        f.write_all(bytes).map_err(|e| Error::runtime(format!("cannot write {}: {e}", file.0.display())))?;
        Ok(file)
    }
}

impl Drop for TempModel {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

struct GraphInner {
    input_types: Vec<u32>,
    outputs: usize,
    compiled: CompiledModel,
    /// IR weights given as bytes, alive as long as the compiled model.
    _weights: Option<Vec<u8>>,
}

pub struct OvGraph(Arc<GraphInner>);

impl sdk::Graph for OvGraph {
    type Context = OvContext;
    fn init_execution_context(&self) -> Result<OvContext> {
        let request = self.0.compiled.infer_request()?;
        Ok(OvContext { inputs: (0..self.0.input_types.len()).map(|_| None).collect(), request, computed: false, graph: self.0.clone() })
    }
}

/// An input's buffer, which the tensor set on the request wraps (host pointer), and its dims.
struct Input {
    data: Vec<u8>,
    dims: Vec<i64>,
}

pub struct OvContext {
    /// Declared before `graph` so the request is freed before the compiled model.
    request: InferRequest,
    /// Each input's buffer; the request reads it at infer.
    inputs: Vec<Option<Input>>,
    computed: bool,
    graph: Arc<GraphInner>,
}

impl sdk::Context for OvContext {
    fn set_input(&mut self, index: u32, t: &TensorRef<'_>) -> Result<()> {
        let g = &self.graph;
        let &ty = g
            .input_types
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("input {index} does not exist (the model has {})", g.input_types.len())))?;
        if !compatible(t.ty, ty) {
            return Err(Error::invalid(format!("input {index}: the model wants {} but the tensor has wasi-nn type {}", elem_name(ty), t.ty)));
        }
        let dims: Vec<i64> = t.dims.iter().map(|&d| i64::from(d)).collect();
        // The same dims (and so size) as the tensor already set: refill its buffer in place (the
        // request keeps reading it; a Vec that is not resized does not move).
        if let Some(old) = self.inputs[index as usize].as_mut().filter(|old| old.dims == dims && old.data.len() == t.data.len()) {
            old.data.copy_from_slice(t.data);
            self.computed = false;
            return Ok(());
        }
        let mut data = Vec::new();
        data.try_reserve_exact(t.data.len())
            .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for a {}-byte input", t.data.len())))?;
        data.extend_from_slice(t.data);
        let ov = self.request.ov();
        let tensor = ov.tensor(ty, &dims, &mut data)?;
        self.request.set_input(index as usize, &tensor).map_err(|e| e.context(format!("input {index} with dims {:?}", t.dims)))?;
        // The request now reads `data`; the previous buffer is no longer used.
        self.inputs[index as usize] = Some(Input { data, dims });
        self.computed = false;
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        if let Some(i) = self.inputs.iter().position(Option::is_none) {
            return Err(Error::invalid(format!("input {i} was not set")));
        }
        self.request.infer()?;
        self.computed = true;
        Ok(())
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        if !self.computed {
            return Err(Error::runtime("get_output before compute"));
        }
        if index as usize >= self.graph.outputs {
            return Err(Error::invalid(format!("output {index} does not exist (the model has {})", self.graph.outputs)));
        }
        self.request.with_output(index as usize, |bytes| sdk::copy_output(index, bytes, out))?
    }
}
