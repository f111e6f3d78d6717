//! Graphs (a TFLite model loaded into ArmNN) and execution contexts (per-context tensor buffers).
use std::sync::Arc;

use ember_nn_abi::{encoding, tensor_type, NnError};

use crate::error::Error;
use crate::shim::{self, kind, Network, TensorDesc};
use crate::state::State;
use crate::tflite_scan;
use crate::vm_alloc::VmBuf;

pub type Graph = Arc<Network>;

pub fn load(state: &State, model: &[u8], enc: u32, target: u32) -> Result<Graph, Error> {
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
            Err(e) if e.code == NnError::RuntimeError => {
                log::warn!("armnn backend: no crash probe for this model ({}); loading it directly", e.message)
            }
            other => other?,
        }
    }
    let net = Network::load(&state.runtime, model, &prefs).map_err(|mut e| {
        // ArmNN names the failing operator by number only: say what it is.
        let explained = tflite_scan::operator_index_in(&e.message).and_then(|i| info.explain_operator(i));
        match explained {
            Some((blame, text)) if blame == "DEQUANTIZE" => {
                e.message = format!(
                    "unsupported operation DEQUANTIZE: ArmNN 20.08's TfLiteParser cannot run this model: {text}; \
                     ArmNN needs constant weights: fold the fp16 weights into fp32 constants (e.g. \
                     nn/models/fold_fp16.py); ArmNN says: {}",
                    e.message
                );
                e.code = NnError::UnsupportedOperation;
            }
            Some((blame, text)) if e.code == NnError::UnsupportedOperation => {
                e.message = format!("unsupported operation {blame}: {text}; ArmNN says: {}", e.message);
            }
            Some((_, text)) => e.message = format!("invalid model: {text}; ArmNN says: {}", e.message),
            None if e.code == NnError::UnsupportedOperation => e.message = format!("unsupported operation: {}", e.message),
            None => {}
        }
        e
    })?;
    log::debug!(
        "armnn backend: loaded model of {} bytes, inputs {:?}, outputs {:?} on {:?}",
        model.len(),
        net.inputs.iter().map(TensorDesc::shape).collect::<Vec<_>>(),
        net.outputs.iter().map(TensorDesc::shape).collect::<Vec<_>>(),
        prefs
    );
    Ok(Arc::new(net))
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
    graph: Graph,
    inputs: Vec<VmBuf>,
    input_set: Vec<bool>,
    outputs: Vec<VmBuf>,
    computed: bool,
}

fn byte_len(desc: &TensorDesc) -> Result<usize, Error> {
    usize::try_from(desc.num_bytes).map_err(|_| Error::runtime("tensor larger than the address space"))
}

impl Context {
    pub fn new(graph: &Graph) -> Result<Context, Error> {
        let inputs = graph.inputs.iter().map(|d| VmBuf::zeroed(byte_len(d)?, "input tensor")).collect::<Result<Vec<_>, _>>()?;
        let outputs = graph.outputs.iter().map(|d| VmBuf::zeroed(byte_len(d)?, "output tensor")).collect::<Result<Vec<_>, _>>()?;
        Ok(Context { graph: Arc::clone(graph), input_set: vec![false; inputs.len()], inputs, outputs, computed: false })
    }

    pub fn set_input(&mut self, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> Result<(), Error> {
        let n = self.inputs.len();
        let i = index as usize;
        let desc = self.graph.inputs.get(i).ok_or_else(|| Error::invalid(format!("input {index} does not exist (the model has {n})")))?;
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
        self.inputs[i].as_mut_slice().copy_from_slice(data);
        self.input_set[i] = true;
        self.computed = false;
        Ok(())
    }

    pub fn compute(&mut self) -> Result<(), Error> {
        if let Some(missing) = self.input_set.iter().position(|set| !set) {
            return Err(Error::invalid(format!("input {missing} was not set before compute")));
        }
        let ins: Vec<_> = self.inputs.iter().map(VmBuf::as_ptr).collect();
        let outs: Vec<_> = self.outputs.iter_mut().map(VmBuf::as_mut_ptr).collect();
        self.graph.run(&ins, &outs)?;
        self.computed = true;
        Ok(())
    }

    /// Copies output `index` into `out`. Returns the output's size in bytes (0 for a bad index)
    /// and the result: TooLarge, with nothing written, when `out` is shorter than that.
    pub fn get_output(&self, index: u32, out: &mut [u8]) -> (usize, Result<(), Error>) {
        let n = self.outputs.len();
        let Some(buf) = self.outputs.get(index as usize) else {
            return (0, Err(Error::invalid(format!("output {index} does not exist (the model has {n})"))));
        };
        let needed = buf.as_slice().len();
        if !self.computed {
            return (needed, Err(Error::runtime("get_output before a successful compute")));
        }
        if out.len() < needed {
            let e = Error::new(NnError::TooLarge, format!("output {index} needs {needed} bytes, the buffer has {}", out.len()));
            return (needed, Err(e));
        }
        out[..needed].copy_from_slice(buf.as_slice());
        (needed, Ok(()))
    }
}
