//! Graphs (a TFLite model loaded into ArmNN) and execution contexts (per-context tensor buffers).
use std::ffi::c_void;
use std::sync::Arc;

use ember_nn_abi::sdk::{self, Error, Result, TensorRef};
use ember_nn_abi::{encoding, tensor_type, NnError};

use crate::shim::{self, kind, Network, TensorDesc};
use crate::state::State;
use crate::tflite_scan;

/// A loaded model. Contexts hold their own reference to the network, so a context stays usable
/// after its graph is unloaded.
pub struct Graph(Arc<Network>);

pub fn load(state: &State, model: &[u8], enc: u32, target: u32) -> Result<Graph> {
    let is_tflite = model.get(4..8) == Some(&tflite_scan::IDENTIFIER[..]);
    match enc {
        encoding::TENSORFLOWLITE => {}
        encoding::AUTODETECT if is_tflite => {}
        _ => {
            return Err(Error::new(
                NnError::InvalidEncoding,
                format!("the ArmNN backend reads TFLite models only (encoding {enc} asked)"),
            ))
        }
    }
    let info = tflite_scan::scan(model)?;
    let prefs = state.preferences(target)?;
    if let Some(ms) = state.probe_timeout_ms {
        match shim::probe(&state.runtime, model, &state.probe_backends(), state.probe_run, ms) {
            // fork is not allowed here (a seccomp sandbox, a process limit): no verdict.
            Err(e) if e.code() == NnError::RuntimeError => {
                log::warn!("no crash probe for this model ({}); loading it directly", e.message())
            }
            other => other?,
        }
    }
    let net = Network::load(&state.runtime, model, &prefs).map_err(|e| {
        // ArmNN names the failing operator by number only: say what it is.
        let armnn = e.message();
        let explained = tflite_scan::operator_index_in(armnn).and_then(|i| info.explain_operator(i));
        match explained {
            Some((blame, text)) if blame == "DEQUANTIZE" => Error::new(
                NnError::UnsupportedOperation,
                format!(
                    "unsupported operation DEQUANTIZE: ArmNN 20.08's TfLiteParser cannot run this model: {text}; \
                     ArmNN needs constant weights: fold the fp16 weights into fp32 constants (e.g. \
                     nn/models/fold_fp16.py); ArmNN says: {armnn}"
                ),
            ),
            Some((blame, text)) if e.code() == NnError::UnsupportedOperation => {
                Error::new(e.code(), format!("unsupported operation {blame}: {text}; ArmNN says: {armnn}"))
            }
            Some((_, text)) => Error::new(e.code(), format!("invalid model: {text}; ArmNN says: {armnn}")),
            None if e.code() == NnError::UnsupportedOperation => Error::new(e.code(), format!("unsupported operation: {armnn}")),
            None => e,
        }
    })?;
    log::debug!(
        "loaded model of {} bytes, inputs {:?}, outputs {:?} on {:?}",
        model.len(),
        net.inputs.iter().map(TensorDesc::shape).collect::<Vec<_>>(),
        net.outputs.iter().map(TensorDesc::shape).collect::<Vec<_>>(),
        prefs
    );
    Ok(Graph(Arc::new(net)))
}

impl sdk::Graph for Graph {
    type Context = Context;
    fn init_execution_context(&self) -> Result<Context> {
        Context::new(&self.0)
    }
}

/// Does a guest tensor of type `ty` carry the bytes of an ArmNN tensor of `kind`?
fn type_matches(ty: u32, k: u32) -> bool {
    match ty {
        tensor_type::FP32 => k == kind::FLOAT32,
        tensor_type::FP16 => k == kind::FLOAT16,
        tensor_type::I32 => k == kind::SIGNED32,
        // wasi-nn has no int8 type: int8 tensors travel as u8 bytes.
        tensor_type::U8 => matches!(k, kind::QASYMM_U8 | kind::QASYMM_S8 | kind::QSYMM_S8 | kind::BOOLEAN),
        _ => false,
    }
}

fn type_name(ty: u32) -> &'static str {
    match ty {
        tensor_type::FP16 => "fp16",
        tensor_type::FP32 => "fp32",
        tensor_type::FP64 => "fp64",
        tensor_type::U8 => "u8",
        tensor_type::I32 => "i32",
        tensor_type::I64 => "i64",
        _ => "unknown",
    }
}

pub struct Context {
    net: Arc<Network>,
    inputs: Vec<Vec<u8>>,
    input_set: Vec<bool>,
    outputs: Vec<Vec<u8>>,
    computed: bool,
}

fn byte_len(desc: &TensorDesc) -> Result<usize> {
    usize::try_from(desc.num_bytes).map_err(|_| Error::runtime("tensor larger than the address space"))
}

/// Zeroed buffers for `descs` (sizes from the model: reserved fallibly, so an exhausted pool
/// is an error).
fn buffers(descs: &[TensorDesc], what: &str) -> Result<Vec<Vec<u8>>> {
    let mut bufs = crate::try_vec(descs.len(), what)?;
    for (i, d) in descs.iter().enumerate() {
        bufs.push(crate::zeroed(byte_len(d)?, &format!("{what} {i}"))?);
    }
    Ok(bufs)
}

impl Context {
    fn new(net: &Arc<Network>) -> Result<Context> {
        let inputs = buffers(&net.inputs, "input tensor")?;
        let outputs = buffers(&net.outputs, "output tensor")?;
        let mut input_set = crate::try_vec(inputs.len(), "input flags")?;
        input_set.resize(inputs.len(), false);
        Ok(Context { net: Arc::clone(net), inputs, input_set, outputs, computed: false })
    }
}

impl sdk::Context for Context {
    fn set_input(&mut self, index: u32, tensor: &TensorRef<'_>) -> Result<()> {
        let TensorRef { dims, ty, data } = *tensor;
        let n = self.inputs.len();
        let i = index as usize;
        let desc = self.net.inputs.get(i).ok_or_else(|| Error::invalid(format!("input {index} does not exist (the model has {n})")))?;
        if !type_matches(ty, desc.kind) {
            return Err(Error::invalid(format!(
                "input {index} is {} but the tensor is {}",
                kind::name(desc.kind),
                type_name(ty)
            )));
        }
        let elements = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(u64::from(d)));
        if elements != Some(desc.num_elements) || data.len() as u64 != desc.num_bytes {
            return Err(Error::invalid(format!(
                "input {index} has shape {:?} ({} bytes) but the tensor has dims {dims:?} ({} bytes)",
                desc.shape(),
                desc.num_bytes,
                data.len()
            )));
        }
        self.inputs[i].copy_from_slice(data);
        self.input_set[i] = true;
        self.computed = false;
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        if let Some(missing) = self.input_set.iter().position(|set| !set) {
            return Err(Error::invalid(format!("input {missing} was not set before compute")));
        }
        let ins: Vec<*const c_void> = self.inputs.iter().map(|b| b.as_ptr().cast()).collect();
        let outs: Vec<*mut c_void> = self.outputs.iter_mut().map(|b| b.as_mut_ptr().cast()).collect();
        self.net.run(&ins, &outs)?;
        self.computed = true;
        Ok(())
    }

    /// Copies output `index` into `out`; too_large, with nothing written, when `out` is shorter.
    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        let n = self.outputs.len();
        let buf = self
            .outputs
            .get(index as usize)
            .ok_or_else(|| Error::invalid(format!("output {index} does not exist (the model has {n})")))?;
        if !self.computed {
            return Err(Error::runtime("get_output before a successful compute"));
        }
        sdk::copy_output(index, buf, out)
    }
}
