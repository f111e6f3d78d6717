//! The backend on the SDK's traits: options, the engine opened at the first load, graphs (one
//! ONNX Runtime session each) and contexts (their input buffers and last outputs).

use std::ffi::CStr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use ember_nn_abi::sdk::{self, Error, Options, Result, TensorRef};
use ember_nn_abi::{encoding, target, tensor_type, NnError};
use ort_sys::GraphOptimizationLevel;

use crate::ort::{Ort, Session, Settings, TensorInfo};

/// ONNX element type numbers (onnx.proto TensorProto.DataType).
mod elem {
    pub const FLOAT: i32 = 1;
    pub const UINT8: i32 = 2;
    pub const INT8: i32 = 3;
    pub const INT32: i32 = 6;
    pub const INT64: i32 = 7;
    pub const FLOAT16: i32 = 10;
    pub const DOUBLE: i32 = 11;
}

fn elem_size(e: i32) -> Option<usize> {
    match e {
        elem::FLOAT | elem::INT32 => Some(4),
        elem::UINT8 | elem::INT8 => Some(1),
        elem::INT64 | elem::DOUBLE => Some(8),
        elem::FLOAT16 => Some(2),
        _ => None,
    }
}

fn elem_name(e: i32) -> String {
    match e {
        elem::FLOAT => "float32".into(),
        elem::UINT8 => "uint8".into(),
        elem::INT8 => "int8".into(),
        elem::INT32 => "int32".into(),
        elem::INT64 => "int64".into(),
        elem::FLOAT16 => "float16".into(),
        elem::DOUBLE => "float64".into(),
        other => format!("ONNX type {other}"),
    }
}

/// Whether a guest tensor of wasi-nn type `ty` carries an ONNX tensor of `e` (int8 travels as
/// u8: wasi-nn has no i8).
fn compatible(ty: u32, e: i32) -> bool {
    matches!(
        (ty, e),
        (tensor_type::FP32, elem::FLOAT)
            | (tensor_type::FP16, elem::FLOAT16)
            | (tensor_type::FP64, elem::DOUBLE)
            | (tensor_type::U8, elem::UINT8 | elem::INT8)
            | (tensor_type::I32, elem::INT32)
            | (tensor_type::I64, elem::INT64)
    )
}

/// Bytes of a tensor of element type `e` and `dims` (all known, >= 0); None on overflow or an
/// element type wasi-nn cannot carry.
pub fn byte_size(e: i32, dims: &[i64]) -> Option<usize> {
    dims.iter().try_fold(elem_size(e)?, |acc, &d| usize::try_from(d).ok().and_then(|d| acc.checked_mul(d)))
}

pub struct Onnx {
    settings: Settings,
    engine_lib: Option<PathBuf>,
    /// Opened at the first load, so a process that never loads an ONNX model never maps it.
    ort: OnceLock<std::result::Result<Arc<Ort>, Error>>,
}

const KEYS: &[&CStr] = &[c"engine_lib", c"threads", c"inter_threads", c"graph_optimization", c"providers"];

impl Onnx {
    fn ort(&self) -> Result<Arc<Ort>> {
        self.ort
            .get_or_init(|| {
                let open = |p: &std::path::Path| Ort::open(p);
                let ort = sdk::open_engine(
                    "ONNX Runtime",
                    self.engine_lib.clone(),
                    "EMBER_ONNXRUNTIME_LIB",
                    "libonnxruntime.so",
                    "onnxruntime",
                    &["libonnxruntime.so.1"],
                    open,
                )?;
                log::info!("ONNX Runtime {} from {} (providers: {})", ort.version, ort.path.display(), ort.providers().join(", "));
                Ok(Arc::new(ort))
            })
            .clone()
    }

    fn check_target(&self, tgt: u32) -> Result<()> {
        match tgt {
            target::CPU => Ok(()),
            target::GPU | target::TPU if !self.settings.providers.is_empty() => Ok(()),
            target::GPU | target::TPU => {
                log::warn!(
                    "target {} asked but no accelerator execution provider is configured (providers=NAME); running on cpu",
                    if tgt == target::GPU { "gpu" } else { "tpu" }
                );
                Ok(())
            }
            _ => Err(Error::invalid(format!("unknown execution target {tgt}"))),
        }
    }

    fn graph(&self, ort: Arc<Ort>, session: Session) -> Result<OnnxGraph> {
        let mut g = GraphInner { inputs: Vec::new(), outputs: Vec::new(), session, ort };
        g.inputs = g.ort.io(&g.session, false)?;
        g.outputs = g.ort.io(&g.session, true)?;
        log::debug!(
            "loaded: inputs {:?}, outputs {:?}",
            g.inputs.iter().map(|t| (t.name.to_string_lossy().into_owned(), elem_name(t.elem), t.dims.clone())).collect::<Vec<_>>(),
            g.outputs.iter().map(|t| (t.name.to_string_lossy().into_owned(), elem_name(t.elem), t.dims.clone())).collect::<Vec<_>>()
        );
        Ok(OnnxGraph(Arc::new(g)))
    }

    fn check_encoding(enc: u32) -> Result<()> {
        match enc {
            encoding::ONNX | encoding::AUTODETECT => Ok(()),
            _ => Err(Error::new(NnError::InvalidEncoding, format!("encoding {enc} is not onnx"))),
        }
    }
}

impl sdk::Backend for Onnx {
    const NAME: &'static CStr = c"onnx";
    const ENCODINGS: &'static [u32] = &[encoding::ONNX];
    const OPTIONS: &'static [&'static CStr] = KEYS;
    type Graph = OnnxGraph;

    fn new(o: &Options) -> Result<Onnx> {
        let optimization = match o.get("graph_optimization").map(str::to_ascii_lowercase).as_deref() {
            None | Some("all") => GraphOptimizationLevel::ORT_ENABLE_ALL,
            Some("extended") => GraphOptimizationLevel::ORT_ENABLE_EXTENDED,
            Some("basic") => GraphOptimizationLevel::ORT_ENABLE_BASIC,
            Some("disable") | Some("none") => GraphOptimizationLevel::ORT_DISABLE_ALL,
            Some(v) => return Err(Error::invalid(format!("option graph_optimization={v}: expected disable, basic, extended or all"))),
        };
        let providers = o
            .get("providers")
            .map(|v| v.split(',').map(str::trim).filter(|p| !p.is_empty()).map(String::from).collect())
            .unwrap_or_default();
        let settings = Settings {
            threads: o.number::<i32>("threads", 1..=256)?,
            inter_threads: o.number::<i32>("inter_threads", 1..=256)?,
            optimization,
            providers,
        };
        Ok(Onnx { settings, engine_lib: o.get("engine_lib").map(PathBuf::from), ort: OnceLock::new() })
    }

    fn load(&self, builders: &[&[u8]], enc: u32, tgt: u32) -> Result<OnnxGraph> {
        Self::check_encoding(enc)?;
        self.check_target(tgt)?;
        let [model] = builders else {
            return Err(Error::invalid(format!("an ONNX model is one builder, got {}", builders.len())));
        };
        let ort = self.ort()?;
        let session = {
            let opts = ort.session_options(&self.settings)?;
            ort.session_from_bytes(model, &opts)?
        };
        self.graph(ort, session)
    }

    /// By path, so that ONNX Runtime reads the file itself (and finds external weight files
    /// next to it): nothing is copied through this backend.
    fn load_named(&self, model: &sdk::NamedModel<'_>, config: &[u8]) -> Result<OnnxGraph> {
        Self::check_encoding(model.encoding)?;
        self.check_target(model.target)?;
        if !config.is_empty() {
            log::warn!("the {}-byte load config for '{}' is ignored (the onnx backend takes none)", config.len(), model.name);
        }
        let [path] = model.paths.as_slice() else {
            return Err(Error::invalid(format!("an ONNX model is one file, got {}", model.paths.len())));
        };
        let ort = self.ort()?;
        let session = {
            let opts = ort.session_options(&self.settings)?;
            ort.session_from_file(path, &opts)?
        };
        self.graph(ort, session)
    }
}

/// A session and its inputs' and outputs' names and types, shared by the graph and its contexts
/// (a context stays usable if the graph is unloaded first).
struct GraphInner {
    inputs: Vec<TensorInfo>,
    outputs: Vec<TensorInfo>,
    session: Session,
    ort: Arc<Ort>,
}

impl Drop for GraphInner {
    fn drop(&mut self) {
        self.ort.release_session(&mut self.session);
    }
}

pub struct OnnxGraph(Arc<GraphInner>);

impl sdk::Graph for OnnxGraph {
    type Context = OnnxContext;
    fn init_execution_context(&self) -> Result<OnnxContext> {
        Ok(OnnxContext { graph: self.0.clone(), inputs: (0..self.0.inputs.len()).map(|_| None).collect(), outputs: Vec::new() })
    }
}

struct Input {
    dims: Vec<i64>,
    data: Vec<u8>,
}

pub struct OnnxContext {
    graph: Arc<GraphInner>,
    inputs: Vec<Option<Input>>,
    /// The last compute's outputs: (element type, dims, bytes).
    outputs: Vec<(i32, Vec<i64>, Vec<u8>)>,
}

impl sdk::Context for OnnxContext {
    fn set_input(&mut self, index: u32, t: &TensorRef<'_>) -> Result<()> {
        let g = &self.graph;
        let info = g
            .inputs
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("input {index} does not exist (the model has {})", g.inputs.len())))?;
        if !compatible(t.ty, info.elem) {
            return Err(Error::invalid(format!(
                "input {index} ('{}'): the model wants {} but the tensor has wasi-nn type {}",
                info.name.to_string_lossy(),
                elem_name(info.elem),
                t.ty
            )));
        }
        let fits = t.dims.len() == info.dims.len()
            && t.dims.iter().zip(&info.dims).all(|(&d, &m)| m < 0 || i64::from(d) == m);
        if !fits {
            return Err(Error::invalid(format!(
                "input {index} ('{}'): dims {:?} do not fit the model's {:?} (-1: any)",
                info.name.to_string_lossy(),
                t.dims,
                info.dims
            )));
        }
        let dims: Vec<i64> = t.dims.iter().map(|&d| i64::from(d)).collect();
        if byte_size(info.elem, &dims) != Some(t.data.len()) {
            return Err(Error::invalid(format!("input {index}: {} bytes do not match dims {:?}", t.data.len(), t.dims)));
        }
        let mut data = Vec::new();
        data.try_reserve_exact(t.data.len())
            .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for a {}-byte input", t.data.len())))?;
        data.extend_from_slice(t.data);
        self.inputs[index as usize] = Some(Input { dims, data });
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        let g = self.graph.clone();
        let ort = &g.ort;
        let mut values = Vec::with_capacity(self.inputs.len());
        for (i, slot) in self.inputs.iter_mut().enumerate() {
            let input = slot.as_mut().ok_or_else(|| Error::invalid(format!("input {i} was not set")))?;
            values.push(ort.tensor(&mut input.data, &input.dims, g.inputs[i].elem)?);
        }
        let named: Vec<(&CStr, &crate::ort::Value<'_>)> =
            g.inputs.iter().map(|t| t.name.as_c_str()).zip(values.iter()).collect();
        let out_names: Vec<&CStr> = g.outputs.iter().map(|t| t.name.as_c_str()).collect();
        let results = ort.run(&g.session, &named, &out_names)?;
        let mut outputs = Vec::with_capacity(results.len());
        for v in &results {
            let (e, dims, bytes) = ort.read(v)?;
            let mut copy = Vec::new();
            copy.try_reserve_exact(bytes.len())
                .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for a {}-byte output", bytes.len())))?;
            copy.extend_from_slice(bytes);
            outputs.push((e, dims, copy));
        }
        self.outputs = outputs;
        Ok(())
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        if self.outputs.is_empty() {
            return Err(Error::runtime("get_output before compute"));
        }
        let (_, _, bytes) = self
            .outputs
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("output {index} does not exist (the model has {})", self.outputs.len())))?;
        sdk::copy_output(index, bytes, out)
    }
}
