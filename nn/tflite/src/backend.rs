//! The backend on the SDK's traits: options, the lazily opened engine, and the graph and
//! context types handed to libvmcore.so.

use std::ffi::CStr;
use std::sync::{Arc, Mutex};

use ember_nn_abi::sdk::{self, Error, Result, TensorRef};
use ember_nn_abi::{encoding, target, tensor_type, NnError};

use crate::engine::{Context, Engine, Graph, ModelBytes, Target};
use crate::flatbuf;
use crate::options::{Options, KEYS};
use crate::quantize::InputQuant;
use crate::select;

pub struct Tflite {
    options: Options,
    /// Opened at the first load, so a process that never loads a TFLite model never maps one.
    engine: Mutex<Option<Arc<dyn Engine>>>,
}

impl Tflite {
    fn engine(&self) -> Result<Arc<dyn Engine>> {
        let mut e = self.engine.lock().map_err(|_| Error::runtime("engine lock poisoned"))?;
        if let Some(e) = e.as_ref() {
            return Ok(e.clone());
        }
        let found = select::find_engine(&self.options)?;
        log::debug!("using the {} engine", found.name());
        *e = Some(found.clone());
        Ok(found)
    }
}

impl sdk::Backend for Tflite {
    const NAME: &'static CStr = c"tflite";
    const ENCODINGS: &'static [u32] = &[encoding::TENSORFLOWLITE];
    const OPTIONS: &'static [&'static CStr] = KEYS;
    type Graph = TfliteGraph;

    fn new(options: &sdk::Options) -> Result<Tflite> {
        let options = Options::parse(options, &|k| std::env::var(k).ok())?;
        Ok(Tflite { options, engine: Mutex::new(None) })
    }

    fn load(&self, builders: &[&[u8]], enc: u32, tgt: u32) -> Result<TfliteGraph> {
        if enc != encoding::TENSORFLOWLITE && enc != encoding::AUTODETECT {
            return Err(Error::new(NnError::InvalidEncoding, format!("encoding {enc} is not tensorflowlite")));
        }
        let target = match tgt {
            target::CPU => Target::Cpu,
            target::GPU | target::TPU => Target::Accelerator(tgt),
            _ => return Err(Error::invalid(format!("unknown execution target {tgt}"))),
        };
        let [data] = builders else {
            return Err(Error::invalid(format!("a TFLite model is one builder, got {}", builders.len())));
        };
        let info = flatbuf::inspect_with_limit(data, self.options.max_tensor_bytes)
            .map_err(|e| Error::invalid(e.to_string()))?;
        let bytes = ModelBytes::copy_of(data)?;
        let quant = info.inputs.iter().map(InputQuant::of).collect();
        Ok(TfliteGraph { graph: self.engine()?.load(bytes, info, target)?, quant: Arc::new(quant) })
    }
}

pub struct TfliteGraph {
    graph: Box<dyn Graph>,
    /// Per input: how an fp32 tensor is quantized for it (None: not a quantized input).
    quant: Arc<Vec<Option<InputQuant>>>,
}

impl sdk::Graph for TfliteGraph {
    type Context = TfliteContext;
    fn init_execution_context(&self) -> Result<TfliteContext> {
        Ok(TfliteContext { ctx: self.graph.new_context()?, quant: self.quant.clone() })
    }
}

pub struct TfliteContext {
    ctx: Box<dyn Context>,
    quant: Arc<Vec<Option<InputQuant>>>,
}

impl sdk::Context for TfliteContext {
    fn set_input(&mut self, index: u32, tensor: &TensorRef<'_>) -> Result<()> {
        let q = self.quant.get(index as usize).copied().flatten();
        match q {
            Some(q) if tensor.ty == tensor_type::FP32 => {
                let data = q.quantize(index, tensor.data)?;
                log::debug!("input {index}: fp32 tensor quantized for the model's quantized input ({})", q.describe());
                self.ctx.set_input(index, &TensorRef { dims: tensor.dims, ty: tensor_type::U8, data: &data })
            }
            _ => self.ctx.set_input(index, tensor),
        }
    }

    fn compute(&mut self) -> Result<()> {
        self.ctx.compute()
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        let size = self.ctx.output_size(index)?;
        let have = out.len();
        let dst = out
            .get_mut(..size)
            .ok_or_else(|| Error::too_large(size, format!("output {index} needs {size} bytes, the buffer has {have}")))?;
        if size > 0 {
            self.ctx.copy_output(index, dst)?;
        }
        Ok(size)
    }
}
