//! libwasi_nn_backend_armnn.so: Ember's wasi-nn backend on Debian's ArmNN 20.08.
//!
//! Layers (see ARCHITECTURE.md, "ArmNN backend"):
//! - this file: the backend on the SDK's traits (`ember_nn_abi::sdk`); the SDK exports the ABI
//!   table, guards every call, keeps the last error, forwards `log` records to libvmcore.so and
//!   makes every Rust allocation come from libvmcore.so's wasm_runtime_malloc;
//! - `state`: the armnn::IRuntime, init options and target -> backend preferences
//!   (CpuAcc/CpuRef/GpuAcc);
//! - `graph`: load (TFLite bytes -> ArmNN network), contexts with their tensor buffers;
//! - `tflite_scan`: bounds-checked model check and explanations of ArmNN's parse errors;
//! - `shim` + shim/armnn_shim.cpp: the C++ side (TfLiteParser, Optimize, LoadNetwork,
//!   EnqueueWorkload), which catches every C++ exception. ArmNN's own allocations (parsed
//!   network, weights, workspaces) use libstdc++'s operator new, outside the runtime's memory.

mod graph;
mod shim;
mod state;
mod tflite_ops;
mod tflite_scan;

use std::ffi::CStr;

use ember_nn_abi::encoding;
use ember_nn_abi::sdk::{self, Error, Options, Result};

use graph::Graph;
use state::State;

impl sdk::Backend for State {
    const NAME: &'static CStr = c"armnn";
    const ENCODINGS: &'static [u32] = &[encoding::TENSORFLOWLITE, encoding::AUTODETECT];
    const OPTIONS: &'static [&'static CStr] = &[c"backends_path", c"probe_timeout_ms", c"probe_run"];
    type Graph = Graph;

    fn new(options: &Options) -> Result<State> {
        State::new(options)
    }

    fn load(&self, builders: &[&[u8]], enc: u32, target: u32) -> Result<Graph> {
        let [model] = builders else {
            return Err(Error::invalid(format!("a TFLite model is one builder, got {}", builders.len())));
        };
        graph::load(self, model, enc, target)
    }
}

ember_nn_abi::export_backend!(State);

/// An empty vector with room for `n` items, reserved fallibly: sizes that come from the model or
/// the guest must not abort the process when the runtime's memory (a pool) runs out.
pub(crate) fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        let bytes = n.saturating_mul(std::mem::size_of::<T>());
        Error::runtime(format!("{what}: cannot reserve {bytes} bytes from wasm_runtime_malloc (memory pool exhausted?)"))
    })?;
    Ok(v)
}

/// `len` zero bytes, reserved fallibly (see [`try_vec`]).
pub(crate) fn zeroed(len: usize, what: &str) -> Result<Vec<u8>> {
    let mut v = try_vec(len, what)?;
    v.resize(len, 0);
    Ok(v)
}
