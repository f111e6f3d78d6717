//! TEST FIXTURE, not an inference backend: a wasi-nn backend written on the Rust SDK of
//! ember-nn-abi (`ember_nn_abi::sdk`, exported with `ember_nn_abi::export_backend!`), used by
//! tests/nn_dispatch.rs to check what the SDK promises through a real libvmcore.so and iwasm:
//! panics contained at the ABI boundary, options with clear errors, log records routed to the
//! runtime's logger, the default load_named (the named model's file mapped and given to load).
//!
//! Library: libwasi_nn_backend_sdktest.so, backend name "sdktest", encoding pytorch (3), which
//! no real backend of this repository serves (the same as the C fixture tests/nn/fake_backend).
//!
//! - "Model": the bytes "EMBER-FAKE-MODEL:sum" (anything else is invalid_argument);
//! - one input (fp32 or u8, any shape), one output: the fp32 sum of the input elements, times
//!   the `scale` option; output index 1 does not exist (invalid_argument);
//! - compute PANICS when the input's first element is fp32 [`PANIC_VALUE`] (-1234.0), or on
//!   every call with the option `panic_in=compute`;
//! - options: `scale=NUMBER` (0..=1000, parsed with `Options::number`: a bad value fails init
//!   with invalid_argument), `panic_in=compute`;
//! - a debug record "sdktest backend: loaded model (N bytes)" on every load; live graphs and
//!   contexts are counted and a leak is logged (error) when the backend is destroyed.

use ember_nn_abi::sdk::{copy_output, Backend, Context, Error, Graph, Options, Result, TensorRef};
use ember_nn_abi::{encoding, tensor_type, NnError};
use std::ffi::CStr;
use std::sync::atomic::{AtomicIsize, Ordering};

/// The model the fixture accepts.
pub const MODEL: &[u8] = b"EMBER-FAKE-MODEL:sum";
/// A first fp32 input element that makes compute panic.
pub const PANIC_VALUE: f32 = -1234.0;

static LIVE_GRAPHS: AtomicIsize = AtomicIsize::new(0);
static LIVE_CONTEXTS: AtomicIsize = AtomicIsize::new(0);

pub struct SdkTest {
    scale: f32,
    panic_in_compute: bool,
}

impl Backend for SdkTest {
    const NAME: &'static CStr = c"sdktest";
    const ENCODINGS: &'static [u32] = &[encoding::PYTORCH];
    const OPTIONS: &'static [&'static CStr] = &[c"scale", c"panic_in"];

    type Graph = SumGraph;

    fn new(options: &Options) -> Result<SdkTest> {
        let scale = options.number::<f32>("scale", 0.0..=1000.0)?.unwrap_or(1.0);
        let panic_in_compute = match options.get("panic_in") {
            None => false,
            Some("compute") => true,
            Some(other) => return Err(Error::invalid(format!("option panic_in={other}: expected compute"))),
        };
        log::debug!("sdktest backend: initialised (scale {scale}, panic_in_compute {panic_in_compute})");
        Ok(SdkTest { scale, panic_in_compute })
    }

    fn load(&self, builders: &[&[u8]], encoding: u32, _target: u32) -> Result<SumGraph> {
        if !Self::ENCODINGS.contains(&encoding) {
            return Err(Error::new(NnError::InvalidEncoding, format!("encoding {encoding} is not pytorch")));
        }
        match builders {
            [model] if *model == MODEL => {}
            [_] => return Err(Error::invalid("not a fake model")),
            _ => return Err(Error::invalid(format!("one builder expected, got {}", builders.len()))),
        }
        let live = LIVE_GRAPHS.fetch_add(1, Ordering::SeqCst) + 1;
        log::debug!("sdktest backend: loaded model ({} bytes), {live} graph(s) live", MODEL.len());
        Ok(SumGraph { scale: self.scale, panic_in_compute: self.panic_in_compute })
    }
}

impl Drop for SdkTest {
    fn drop(&mut self) {
        let (g, c) = (LIVE_GRAPHS.load(Ordering::SeqCst), LIVE_CONTEXTS.load(Ordering::SeqCst));
        if g != 0 || c != 0 {
            log::error!("sdktest backend: LEAK graphs={g} contexts={c}");
        }
    }
}

pub struct SumGraph {
    scale: f32,
    panic_in_compute: bool,
}

impl Drop for SumGraph {
    fn drop(&mut self) {
        LIVE_GRAPHS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Graph for SumGraph {
    type Context = SumContext;

    fn init_execution_context(&self) -> Result<SumContext> {
        LIVE_CONTEXTS.fetch_add(1, Ordering::SeqCst);
        Ok(SumContext { scale: self.scale, panic_in_compute: self.panic_in_compute, input: None, output: None })
    }
}

/// The input as it was set: its sum and its first fp32 element.
struct Input {
    sum: f32,
    first_f32: Option<f32>,
}

pub struct SumContext {
    scale: f32,
    panic_in_compute: bool,
    input: Option<Input>,
    output: Option<f32>,
}

impl Drop for SumContext {
    fn drop(&mut self) {
        LIVE_CONTEXTS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Context for SumContext {
    fn set_input(&mut self, index: u32, tensor: &TensorRef<'_>) -> Result<()> {
        if index != 0 {
            return Err(Error::invalid(format!("only input 0 (not {index})")));
        }
        let input = match tensor.ty {
            tensor_type::FP32 => {
                let values = tensor.data.chunks_exact(4).map(|b| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                Input { sum: values.clone().sum(), first_f32: values.clone().next() }
            }
            tensor_type::U8 => Input { sum: tensor.data.iter().map(|&b| f32::from(b)).sum(), first_f32: None },
            other => return Err(Error::invalid(format!("fp32 or u8 input only (not type {other})"))),
        };
        self.input = Some(input);
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        let input = self.input.as_ref().ok_or_else(|| Error::runtime("no input"))?;
        if self.panic_in_compute {
            panic!("sdktest backend: panic in compute (option panic_in=compute)");
        }
        if input.first_f32 == Some(PANIC_VALUE) {
            panic!("sdktest backend: panic in compute (input starts with {PANIC_VALUE})");
        }
        self.output = Some(input.sum * self.scale);
        Ok(())
    }

    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        match (index, self.output) {
            (0, Some(v)) => copy_output(index, &v.to_ne_bytes(), out),
            _ => Err(Error::invalid(format!("no output {index}"))),
        }
    }
}

ember_nn_abi::export_backend!(SdkTest);

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(opts: &[&str]) -> Result<SdkTest> {
        SdkTest::new(&Options::parse(opts).unwrap())
    }

    fn tensor(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_ne_bytes()).collect()
    }

    #[test]
    fn sums_scales_and_refuses_bad_options() {
        let b = backend(&["scale=2"]).unwrap();
        assert!(b.load(&[b"nope"], encoding::PYTORCH, 0).is_err());
        assert_eq!(b.load(&[MODEL], encoding::ONNX, 0).err().map(|e| e.code()), Some(NnError::InvalidEncoding));
        let g = b.load(&[MODEL], encoding::PYTORCH, 0).unwrap();
        let mut c = g.init_execution_context().unwrap();
        assert!(c.compute().is_err());
        let data = tensor(&[1.0, 2.0, 3.5]);
        c.set_input(0, &TensorRef { dims: &[3], ty: tensor_type::FP32, data: &data }).unwrap();
        c.compute().unwrap();
        let mut out = [0u8; 4];
        assert_eq!(c.get_output(0, &mut out).unwrap(), 4);
        assert_eq!(f32::from_ne_bytes(out), 13.0);
        assert_eq!(c.get_output(0, &mut out[..2]).unwrap_err().needed(), Some(4));
        assert!(c.get_output(1, &mut out).is_err());

        let e = backend(&["scale=abc"]).err().unwrap();
        assert_eq!(e.code(), NnError::InvalidArgument);
        assert!(e.message().contains("scale=abc"), "{e}");
        assert_eq!(backend(&["panic_in=load"]).err().map(|e| e.code()), Some(NnError::InvalidArgument));
    }

    #[test]
    fn panics_on_the_magic_input() {
        let b = backend(&[]).unwrap();
        let g = b.load(&[MODEL], encoding::PYTORCH, 0).unwrap();
        let mut c = g.init_execution_context().unwrap();
        let data = tensor(&[PANIC_VALUE, 1.0]);
        c.set_input(0, &TensorRef { dims: &[2], ty: tensor_type::FP32, data: &data }).unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.compute()));
        assert!(r.is_err());
    }
}
