//! The backend on the SDK's traits: options, loading (the structural checks tract's parser
//! assumes, then tract's ONNX model), graphs (a runnable plan made at load when every input
//! is static, else one plan per set of input shapes, made at the first compute with them) and
//! contexts (their input tensors and last outputs).

use std::collections::HashSet;
use std::ffi::CStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ember_nn_abi::sdk::{self, Error, Options, Result, TensorRef};
use ember_nn_abi::{encoding, tensor_type, NnError};
use prost::Message;
use tract_hir::infer::Factoid;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;
use tract_onnx::pb::{self, type_proto};
use tract_onnx::prelude::*;

use crate::arity::ARITY;

/// A runnable model: tract's plan (optimized unless optimize=0).
type Plan = TypedSimplePlan<TypedModel>;

/// Plans kept per graph for models with dynamic input dims (most recently used first).
const PLAN_CACHE: usize = 4;

const KEYS: &[&CStr] = &[c"optimize"];

/// The tract element type of a guest tensor of wasi-nn type `ty` for a model input that wants
/// `want` (None: the model does not say). int8 travels as u8: wasi-nn has no i8.
fn datum_type(ty: u32, want: Option<DatumType>) -> Option<DatumType> {
    Some(match (ty, want) {
        (tensor_type::FP32, _) => DatumType::F32,
        (tensor_type::FP16, _) => DatumType::F16,
        (tensor_type::FP64, _) => DatumType::F64,
        (tensor_type::U8, Some(DatumType::I8)) => DatumType::I8,
        (tensor_type::U8, _) => DatumType::U8,
        (tensor_type::I32, _) => DatumType::I32,
        (tensor_type::I64, _) => DatumType::I64,
        _ => return None,
    })
}

fn dt_name(dt: DatumType) -> String {
    match dt {
        DatumType::F16 => "f16".into(),
        DatumType::F32 => "f32".into(),
        DatumType::F64 => "f64".into(),
        DatumType::I8 => "i8".into(),
        DatumType::U8 => "u8".into(),
        DatumType::I32 => "i32".into(),
        DatumType::I64 => "i64".into(),
        other => format!("{other:?}").to_ascii_lowercase(),
    }
}

/// A tract error with its causes, on one line.
fn why(e: &TractError) -> String {
    format!("{e:#}")
}

pub struct Tract {
    /// Declutter and optimize the model (tract's codegen) before running it; off: run the
    /// typed model as translated (slower, for comparing or when optimization fails).
    optimize: bool,
    onnx: tract_onnx::Onnx,
}

impl Tract {
    fn check_encoding(enc: u32) -> Result<()> {
        match enc {
            encoding::ONNX | encoding::AUTODETECT => Ok(()),
            _ => Err(Error::new(NnError::InvalidEncoding, format!("encoding {enc} is not onnx"))),
        }
    }
}

/// tract's plan for `model` (its inputs fully known).
fn runnable(model: InferenceModel, optimize: bool) -> TractResult<Arc<Plan>> {
    let typed = if optimize { model.into_optimized()? } else { model.into_typed()? };
    Ok(Arc::new(typed.into_runnable()?))
}

impl sdk::Backend for Tract {
    const NAME: &'static CStr = c"tract";
    const ENCODINGS: &'static [u32] = &[encoding::ONNX];
    const OPTIONS: &'static [&'static CStr] = KEYS;
    type Graph = TractGraph;

    fn new(o: &Options) -> Result<Tract> {
        Ok(Tract { optimize: o.flag("optimize")?.unwrap_or(true), onnx: tract_onnx::onnx() })
    }

    fn load(&self, builders: &[&[u8]], enc: u32, tgt: u32) -> Result<TractGraph> {
        Self::check_encoding(enc)?;
        sdk::cpu_only_target("tract", tgt)?;
        let [bytes] = builders else {
            return Err(Error::invalid(format!("an ONNX model is one builder, got {}", builders.len())));
        };
        let started = Instant::now();
        // Decoded straight from the builder (tract's reader path would first copy the whole
        // model into a Vec); the protobuf is dropped once tract has its tensors.
        let model = {
            let mut proto = pb::ModelProto::decode(*bytes).map_err(|e| Error::invalid(format!("not an ONNX model: {e}")))?;
            check_model(&mut proto)?;
            self.onnx.model_for_proto_model(&proto).map_err(|e| Error::invalid(format!("bad ONNX model: {}", why(&e))))?
        };
        let bad = |e: TractError| Error::invalid(format!("bad ONNX model: {}", why(&e)));
        let mut inputs = Vec::new();
        for (i, &outlet) in model.input_outlets().map_err(bad)?.iter().enumerate() {
            let fact = model.outlet_fact(outlet).map_err(bad)?;
            let name = model.node(outlet.node).name.clone();
            let dims = (!fact.shape.is_open()).then(|| {
                fact.shape.dims().map(|d| d.concretize().and_then(|d| d.to_i64().ok()).and_then(|d| usize::try_from(d).ok())).collect()
            });
            let dt = fact.datum_type.concretize();
            if let Some(dt) = dt.filter(|dt| !matches!(dt, DatumType::F16 | DatumType::F32 | DatumType::F64 | DatumType::I8 | DatumType::U8 | DatumType::I32 | DatumType::I64)) {
                log::warn!("input {i} ('{name}') is {}, which no wasi-nn tensor type carries", dt_name(dt));
            }
            inputs.push(InputInfo { name, dt, dims });
        }
        let outputs = model.output_outlets().map_err(bad)?.len();
        let fixed = inputs.iter().all(|i| i.dt.is_some() && i.dims.as_ref().is_some_and(|d| d.iter().all(Option::is_some)));
        let described: Vec<String> = inputs.iter().map(|i| format!("'{}' {}{}", i.name, i.dt.map_or("?".into(), dt_name), i.dims_text())).collect();
        let plans = if fixed {
            Plans::Fixed(runnable(model, self.optimize).map_err(bad)?)
        } else {
            Plans::PerShape { model: Box::new(model), optimize: self.optimize, cache: Mutex::new(Vec::new()) }
        };
        log::debug!(
            "loaded in {} ms: inputs [{}], {outputs} outputs, {}",
            started.elapsed().as_millis(),
            described.join(", "),
            if fixed { "runnable" } else { "dynamic input dims: specialized at the first compute per input shapes" }
        );
        Ok(TractGraph(Arc::new(GraphInner { inputs, outputs, plans })))
    }
}

// ----------------------------------------------------------------------------------------
// Structural checks. tract 0.22's ONNX parser unwraps or indexes on these (a panic, which a
// release build turns into an abort), so a hostile model is refused here with an error.
//
// One repair: value_info entries that name a graph input or output are dropped. The ONNX spec
// keeps value_info for the other values and ONNX Runtime ignores such entries, but tract takes
// them over the input's own type (BlazeFace as converted keeps a stale NCHW value_info for
// its NHWC input, and tract then fails on it).

fn check_model(m: &mut pb::ModelProto) -> Result<()> {
    // The default domain's operator set, as tract reads it (0: not given).
    let opset = m.opset_import.iter().find(|o| o.domain.is_empty() || o.domain == "ai.onnx").map_or(0, |o| o.version);
    let g = m.graph.as_mut().ok_or_else(|| Error::invalid("not an ONNX model (no graph)"))?;
    check_graph(g, opset, "graph")
}

/// The minimum (inputs, outputs) of ONNX operator `op` in operator set `opset` (0: the latest);
/// None for an operator ONNX does not define.
fn min_arity(op: &str, opset: i64) -> Option<(usize, usize)> {
    let start = ARITY.partition_point(|r| r.0 < op);
    let rows = ARITY.get(start..)?;
    let rows = &rows[..rows.iter().take_while(|r| r.0 == op).count()];
    let row = match opset {
        1.. => rows.iter().rev().find(|r| i64::from(r.1) <= opset).or(rows.first())?,
        _ => rows.last()?,
    };
    Some((usize::from(row.2), usize::from(row.3)))
}

fn check_graph(g: &mut pb::GraphProto, opset: i64, at: &str) -> Result<()> {
    let bad = |what: String| Err(Error::invalid(format!("bad ONNX model: {at}: {what}")));
    {
        let io: HashSet<&str> = g.input.iter().chain(&g.output).map(|v| v.name.as_str()).collect();
        let stale: HashSet<String> = g.value_info.iter().filter(|v| io.contains(v.name.as_str())).map(|v| v.name.clone()).collect();
        if !stale.is_empty() {
            log::debug!("{at}: ignoring the value_info of graph inputs/outputs {stale:?}");
            g.value_info.retain(|v| !stale.contains(&v.name));
        }
    }
    let initializers: HashSet<&str> = g.initializer.iter().map(|t| t.name.as_str()).collect();
    for t in &g.initializer {
        check_tensor(t).or_else(|w| bad(format!("initializer '{}': {w}", t.name)))?;
    }
    for v in &g.input {
        match v.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            Some(type_proto::Value::TensorType(t)) => check_elem(t.elem_type).or_else(|w| bad(format!("input '{}': {w}", v.name)))?,
            None if initializers.contains(v.name.as_str()) => {}
            None => return bad(format!("input '{}' has no tensor type", v.name)),
        }
    }
    for v in g.output.iter().chain(&g.value_info) {
        if let Some(type_proto::Value::TensorType(t)) = v.r#type.as_ref().and_then(|t| t.value.as_ref()) {
            check_elem(t.elem_type).or_else(|w| bad(format!("value '{}': {w}", v.name)))?;
        }
    }
    let mut produced: HashSet<&str> = g.input.iter().map(|v| v.name.as_str()).chain(initializers).collect();
    produced.extend(g.node.iter().flat_map(|n| n.output.iter().map(String::as_str)).filter(|s| !s.is_empty()));
    if let Some(o) = g.output.iter().find(|o| !produced.contains(o.name.as_str())) {
        return bad(format!("output '{}' is not produced by any node", o.name));
    }
    for n in &mut g.node {
        // tract builds its operator by op_type whatever the domain, and indexes the required
        // inputs and outputs without counting them first.
        if let Some((inputs, outputs)) = min_arity(&n.op_type, opset) {
            let given = |names: &[String], min: usize| names.get(..min).is_some_and(|n| n.iter().all(|s| !s.is_empty()));
            if !given(&n.input, inputs) || !given(&n.output, outputs) {
                return bad(format!(
                    "node '{}' ({}) has {} inputs and {} outputs; operator set {opset} wants at least {inputs} and {outputs}",
                    n.name,
                    n.op_type,
                    n.input.iter().filter(|s| !s.is_empty()).count(),
                    n.output.iter().filter(|s| !s.is_empty()).count()
                ));
            }
        }
        for a in &mut n.attribute {
            check_attribute(a, opset, &format!("{at}: node '{}' ({}) attribute '{}'", n.name, n.op_type, a.name))?;
        }
    }
    Ok(())
}

fn check_attribute(a: &mut pb::AttributeProto, opset: i64, at: &str) -> Result<()> {
    let bad = |what: String| Err(Error::invalid(format!("bad ONNX model: {at}: {what}")));
    let Some(ty) = AttributeType::from_i32(a.r#type) else {
        return bad(format!("unknown attribute type {}", a.r#type));
    };
    match ty {
        AttributeType::Tensor => match &a.t {
            Some(t) => check_tensor(t).or_else(bad),
            None => bad("a tensor attribute without its tensor".into()),
        },
        AttributeType::Tensors => a.tensors.iter().try_for_each(|t| check_tensor(t).or_else(bad)),
        AttributeType::Graph => match &mut a.g {
            Some(g) => check_graph(g, opset, &format!("{at} (subgraph)")),
            None => bad("a graph attribute without its graph".into()),
        },
        AttributeType::Graphs => a.graphs.iter_mut().try_for_each(|g| check_graph(g, opset, &format!("{at} (subgraph)"))),
        // The attributes tract reads as an element type.
        AttributeType::Int if matches!(a.name.as_str(), "to" | "dtype" | "stash_type" | "output_datatype") => {
            check_elem(i32::try_from(a.i).unwrap_or(-1)).or_else(bad)
        }
        _ => Ok(()),
    }
}

fn check_elem(elem_type: i32) -> std::result::Result<(), String> {
    DataType::from_i32(elem_type).map(|_| ()).ok_or_else(|| format!("unknown element type {elem_type}"))
}

/// A tensor in the model: known element type, and raw data the size its dims say.
fn check_tensor(t: &pb::TensorProto) -> std::result::Result<(), String> {
    let dt = DataType::from_i32(t.data_type).ok_or_else(|| format!("unknown element type {}", t.data_type))?;
    if t.raw_data.is_empty() {
        return Ok(());
    }
    let size = match dt {
        DataType::Bool | DataType::Uint8 | DataType::Int8 => 1,
        DataType::Uint16 | DataType::Int16 | DataType::Float16 => 2,
        DataType::Uint32 | DataType::Int32 | DataType::Float => 4,
        DataType::Uint64 | DataType::Int64 | DataType::Double => 8,
        other => return Err(format!("raw data of element type {} is not supported", other.as_str_name())),
    };
    let need = t.dims.iter().try_fold(size, |acc: usize, &d| usize::try_from(d).ok().and_then(|d| acc.checked_mul(d)));
    if need != Some(t.raw_data.len()) {
        return Err(format!("{} bytes of raw data do not match dims {:?}", t.raw_data.len(), t.dims));
    }
    Ok(())
}

// ----------------------------------------------------------------------------------------

struct InputInfo {
    name: String,
    /// None: the model does not say (the guest's type is used).
    dt: Option<DatumType>,
    /// None: any rank; a None dim: any size.
    dims: Option<Vec<Option<usize>>>,
}

impl InputInfo {
    fn dims_text(&self) -> String {
        match &self.dims {
            None => "[..]".into(),
            Some(d) => format!("[{}]", d.iter().map(|d| d.map_or("?".into(), |d| d.to_string())).collect::<Vec<_>>().join(",")),
        }
    }
}

/// The input element types and shapes a plan was made for.
type Shapes = Vec<(DatumType, Vec<usize>)>;

enum Plans {
    /// Every input static: made at load.
    Fixed(Arc<Plan>),
    /// Dynamic input dims: the model as loaded, specialized per set of input shapes.
    PerShape { model: Box<InferenceModel>, optimize: bool, cache: Mutex<Vec<(Shapes, Arc<Plan>)>> },
}

struct GraphInner {
    inputs: Vec<InputInfo>,
    outputs: usize,
    plans: Plans,
}

impl GraphInner {
    fn plan(&self, shapes: Shapes) -> Result<Arc<Plan>> {
        let (model, optimize, cache) = match &self.plans {
            Plans::Fixed(p) => return Ok(p.clone()),
            Plans::PerShape { model, optimize, cache } => (model, *optimize, cache),
        };
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|(s, _)| *s == shapes) {
            let hit = cache.remove(i);
            let plan = hit.1.clone();
            cache.insert(0, hit);
            return Ok(plan);
        }
        let started = Instant::now();
        let text = shapes.iter().map(|(dt, s)| format!("{}{s:?}", dt_name(*dt))).collect::<Vec<_>>().join(", ");
        let specialize = || -> TractResult<Arc<Plan>> {
            let mut m = InferenceModel::clone(model);
            for (i, (dt, s)) in shapes.iter().enumerate() {
                m.set_input_fact(i, InferenceFact::dt_shape(*dt, s.iter().copied()))?;
            }
            runnable(m, optimize)
        };
        let plan = specialize().map_err(|e| Error::invalid(format!("the model cannot run with inputs {text}: {}", why(&e))))?;
        log::debug!("plan for inputs {text} made in {} ms", started.elapsed().as_millis());
        cache.insert(0, (shapes, plan.clone()));
        cache.truncate(PLAN_CACHE);
        Ok(plan)
    }
}

/// A graph; its contexts share it (a context stays usable if the graph is unloaded first).
pub struct TractGraph(Arc<GraphInner>);

impl sdk::Graph for TractGraph {
    type Context = TractContext;
    fn init_execution_context(&self) -> Result<TractContext> {
        Ok(TractContext { graph: self.0.clone(), inputs: (0..self.0.inputs.len()).map(|_| None).collect(), outputs: None })
    }
}

pub struct TractContext {
    graph: Arc<GraphInner>,
    inputs: Vec<Option<Arc<Tensor>>>,
    /// The last compute's outputs.
    outputs: Option<Vec<Arc<Tensor>>>,
}

impl sdk::Context for TractContext {
    fn set_input(&mut self, index: u32, t: &TensorRef<'_>) -> Result<()> {
        let g = &self.graph;
        let info = g
            .inputs
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("input {index} does not exist (the model has {})", g.inputs.len())))?;
        let dt = datum_type(t.ty, info.dt).ok_or_else(|| Error::invalid(format!("input {index}: unknown wasi-nn tensor type {}", t.ty)))?;
        if let Some(want) = info.dt.filter(|&w| w != dt) {
            return Err(Error::invalid(format!(
                "input {index} ('{}'): the model wants {} but the tensor has wasi-nn type {}",
                info.name,
                dt_name(want),
                t.ty
            )));
        }
        let fits = info.dims.as_ref().is_none_or(|m| {
            m.len() == t.dims.len() && t.dims.iter().zip(m).all(|(&d, m)| m.is_none_or(|m| usize::try_from(d).ok() == Some(m)))
        });
        if !fits {
            return Err(Error::invalid(format!(
                "input {index} ('{}'): dims {:?} do not fit the model's {} (?: any)",
                info.name,
                t.dims,
                info.dims_text()
            )));
        }
        let shape: Vec<usize> = t.dims.iter().map(|&d| d as usize).collect();
        let size = shape.iter().try_fold(dt.size_of(), |acc, &d| acc.checked_mul(d));
        if size != Some(t.data.len()) {
            return Err(Error::invalid(format!("input {index}: {} bytes do not match dims {:?}", t.data.len(), t.dims)));
        }
        // Same type and shape as before, and not held by the last outputs: refill in place.
        if let Some(old) = self.inputs[index as usize].as_mut().and_then(Arc::get_mut) {
            if old.datum_type() == dt && old.shape() == shape.as_slice() {
                old.as_bytes_mut().copy_from_slice(t.data);
                return Ok(());
            }
        }
        self.inputs[index as usize] = None;
        // tract's tensors allocate infallibly: see first that the memory is there.
        Vec::<u8>::new()
            .try_reserve_exact(t.data.len())
            .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for a {}-byte input", t.data.len())))?;
        // SAFETY: `dt` is a plain number type and `t.data` is exactly its shape's size (checked).
        let tensor = unsafe { Tensor::from_raw_dt(dt, &shape, t.data) }.map_err(|e| Error::runtime(why(&e)))?;
        self.inputs[index as usize] = Some(Arc::new(tensor));
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        let mut values = TVec::with_capacity(self.inputs.len());
        let mut shapes = Vec::with_capacity(self.inputs.len());
        for (i, slot) in self.inputs.iter().enumerate() {
            let t = slot.as_ref().ok_or_else(|| Error::invalid(format!("input {i} was not set")))?;
            if matches!(self.graph.plans, Plans::PerShape { .. }) {
                shapes.push((t.datum_type(), t.shape().to_vec()));
            }
            values.push(TValue::from_const(t.clone()));
        }
        let plan = self.graph.plan(shapes)?;
        // Free the previous outputs before the run allocates new ones.
        self.outputs = None;
        let results = plan.run(values).map_err(|e| Error::runtime(format!("tract: {}", why(&e))))?;
        let mut outputs = Vec::with_capacity(results.len());
        for v in results {
            let t = v.into_arc_tensor();
            // Shape computations may end in tract's symbolic dims: the guest gets i64.
            let t = if t.datum_type() == DatumType::TDim {
                t.cast_to::<i64>().map_err(|e| Error::runtime(format!("tract: {}", why(&e))))?.into_owned().into_arc_tensor()
            } else {
                t
            };
            outputs.push(t);
        }
        self.outputs = Some(outputs);
        Ok(())
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        let outputs = self.outputs.as_ref().ok_or_else(|| Error::runtime("get_output before compute"))?;
        let t = outputs
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("output {index} does not exist (the model has {})", self.graph.outputs)))?;
        let dt = t.datum_type();
        if !(dt.is_number() || dt == DatumType::Bool) {
            return Err(Error::unsupported(format!("output {index} is {}, which no wasi-nn tensor type carries", dt_name(dt))));
        }
        sdk::copy_output(index, t.as_bytes(), out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arity_by_operator_set() {
        assert_eq!(min_arity("Reshape", 4), Some((1, 1)));
        assert_eq!(min_arity("Reshape", 13), Some((2, 1)));
        assert_eq!(min_arity("Reshape", 0), Some((2, 1)));
        assert_eq!(min_arity("Gemm", 9), Some((3, 1)));
        assert_eq!(min_arity("Gemm", 13), Some((2, 1)));
        // Before the operator existed: its first definition.
        assert_eq!(min_arity("Resize", 9), Some((2, 1)));
        assert_eq!(min_arity("FooBar", 13), None);
        assert!(ARITY.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)), "ARITY is sorted");
    }

    #[test]
    fn tensors_and_graphs() {
        let t = |dims: Vec<i64>, data_type: i32, raw: usize| pb::TensorProto { dims, data_type, raw_data: vec![0; raw], ..Default::default() };
        assert!(check_tensor(&t(vec![2, 3], DataType::Float as i32, 24)).is_ok());
        assert!(check_tensor(&t(vec![2, 3], DataType::Float as i32, 0)).is_ok());
        assert!(check_tensor(&t(vec![2, 3], DataType::Float as i32, 20)).is_err());
        assert!(check_tensor(&t(vec![-1, -24], DataType::Float as i32, 24)).is_err());
        assert!(check_tensor(&t(vec![1 << 40, 1 << 40], DataType::Double as i32, 8)).is_err());
        assert!(check_tensor(&t(vec![1], DataType::String as i32, 4)).is_err());
        assert!(check_tensor(&t(vec![1], 99, 4)).is_err());

        let mut m = pb::ModelProto::default();
        assert!(check_model(&mut m).unwrap_err().message().contains("no graph"));
        let node = |op: &str, inputs: &[&str]| pb::NodeProto {
            op_type: op.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: vec!["y".into()],
            ..Default::default()
        };
        let value = |name: &str| pb::ValueInfoProto {
            name: name.into(),
            r#type: Some(pb::TypeProto {
                value: Some(type_proto::Value::TensorType(type_proto::Tensor { elem_type: 1, shape: None })),
                ..Default::default()
            }),
            ..Default::default()
        };
        let graph = |n: pb::NodeProto| pb::GraphProto { node: vec![n], input: vec![value("x")], output: vec![value("y")], ..Default::default() };
        let model = |g| pb::ModelProto { graph: Some(g), ..Default::default() };
        assert!(check_model(&mut model(graph(node("Relu", &["x"])))).is_ok());
        let e = check_model(&mut model(graph(node("Reshape", &["x"])))).unwrap_err();
        assert!(e.message().contains("wants at least 2"), "{e}");
        assert!(check_model(&mut model(graph(node("Relu", &[""])))).is_err());
        let mut g = graph(node("Relu", &["x"]));
        g.output[0].name = "z".into();
        assert!(check_model(&mut model(g)).unwrap_err().message().contains("'z' is not produced"));
        let mut g = graph(node("Relu", &["x"]));
        g.input[0].r#type = None;
        assert!(check_model(&mut model(g)).is_err());
        // A stale value_info of a graph input is dropped, the others kept.
        let mut g = graph(node("Relu", &["x"]));
        g.value_info = vec![value("x"), value("t")];
        let mut m = model(g);
        check_model(&mut m).unwrap();
        assert_eq!(m.graph.unwrap().value_info.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["t"]);
        // Attributes: unknown type, a tensor attribute without its tensor, Cast to an unknown type.
        for (ty, name, i) in [(99, "foo", 0), (AttributeType::Tensor as i32, "value", 0), (AttributeType::Int as i32, "to", 999)] {
            let mut n = node("Cast", &["x"]);
            n.attribute = vec![pb::AttributeProto { name: name.into(), r#type: ty, i, ..Default::default() }];
            assert!(check_model(&mut model(graph(n))).is_err(), "{name}");
        }
    }
}
