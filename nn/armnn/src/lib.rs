//! libwasi_nn_backend_armnn.so: Ember's wasi-nn backend on Debian's ArmNN 20.08.
//!
//! Debian's ArmNN 20.08 (libarmnn-dev, libarmnntfliteparser-dev, libarmnn-cpuref-backend22; arm64
//! also libarmnn-cpuacc-backend22) runs TFLite models (encoding tensorflowlite, and autodetect
//! when the bytes carry `TFL3`). ArmNN is C++ only, so the backend is Rust on the backend SDK over
//! a small C++ shim; no exception and no panic crosses a boundary.
//!
//! Layers:
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
//!
//! Decisions:
//! - Targets: cpu -> `CpuAcc,CpuRef` (whichever are installed; ArmNN places each layer on the
//!   first backend that supports it, so CpuRef is the per-layer fallback); gpu -> `GpuAcc` first
//!   when installed, else CPU with a warning; tpu -> CPU with a warning (ArmNN has no TPU
//!   backend); any other target is invalid_argument. Init logs `ArmNN backends [CpuRef, ...] from
//!   <folder>` at info (tests/cross greps it).
//! - Dynamic backends folder: init option `backends_path=DIR`, else `EMBER_ARMNN_BACKENDS_PATH`,
//!   else ArmNN's compiled-in `/usr/lib/<triplet>/armnn22` (where Debian's CpuRef lives on
//!   x86_64, arm64 and armhf). Init fails, naming the folder, when no CPU backend is found.
//! - Tensors: the guest type must be the tensor's (fp32, fp16, i32; u8 for uint8 and int8
//!   tensors, wasi-nn having no int8), the element count of its dims the tensor's and data_len
//!   its byte size; no implicit quantization. compute needs every input set; get_output before a
//!   compute is runtime_error; a too-small buffer is too_large with the size reported. A context
//!   keeps its network alive (Arc), so unload before finalize is safe. Runs of one network are
//!   serialized (ArmNN 20.08 keeps input/output handles in the loaded network; without the lock
//!   the threaded test gets wrong values); different graphs run in parallel.
//! - Errors: bytes that are not a TFLite model, or a malformed operator -> invalid_argument; an
//!   operator ArmNN does not support (or cannot place) -> unsupported_operation naming it (e.g.
//!   DEQUANTIZE in MediaPipe's fp16 models; fold them with `nn/models/fold_fp16.py`).
//! - Hostile models: ArmNN 20.08 kills the process (SIGSEGV, SIGFPE, abort) on some well-formed
//!   but malformed models (fuzzing found them). Two defences: `tflite_scan` refuses out-of-range
//!   offsets and indices, negative opcodes and wrong option types; then every load is first tried
//!   in a forked child (`ember_armnn_net_probe`; the fork happens under a lock that keeps other
//!   threads out of ArmNN) on CpuRef only (CpuAcc's thread pool does not survive fork: a child
//!   using it waits forever; without CpuRef the child only parses). A child that dies or exceeds
//!   `probe_timeout_ms` (default 60000; 0 turns probing off for trusted models) makes the load
//!   invalid_argument. Cost (BlazeFace, x86_64 release): load ~40 ms instead of ~2 ms.
//!   `probe_run=1` also runs one inference on zeroed inputs in the child (~2 s for BlazeFace on
//!   CpuRef); every crash found by fuzzing happened at load, none at compute.

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
