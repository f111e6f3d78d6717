//! The Rust SDK for wasi-nn backends: three small traits ([`Backend`], [`Graph`], [`Context`])
//! and one macro, [`export_backend!`](crate::export_backend), that turns an implementation
//! into `libwasi_nn_backend_<name>.so`:
//!
//! - the versioned table and entry symbol (`export.rs`), every slot filled from the traits;
//! - the guards: no panic crosses the C ABI (debug builds: a panic is an error to the guest;
//!   release builds abort on a bug, as the runtime does), NULL and length checks on every
//!   pointer;
//! - the per-thread last error (`error.rs`): guest errors are [`Error`] values with a wasi-nn
//!   code, logged once (by libvmcore.so, at warn, with this text);
//! - the backend's `log` records routed through libvmcore.so's logger (`log.rs`), so
//!   `iwasm -v=N` and `RUST_LOG` reach it;
//! - the global allocator over `wasm_runtime_malloc` (`alloc.rs`), so the runtime's memory mode
//!   (pool, user allocator, system) bounds the backend's Rust allocations;
//! - options (`options.rs`): the keys a backend declares, parsed with clear errors;
//! - where engine libraries are looked for (`locate.rs`), the same for every backend.
//!
//! A backend crate depends on `ember-nn-abi`, `vmcore-sys` (it links libvmcore.so) and `log`:
//!
//! ```ignore
//! struct Mine;
//! impl ember_nn_abi::sdk::Backend for Mine {
//!     const NAME: &'static CStr = c"mine";
//!     const ENCODINGS: &'static [u32] = &[encoding::ONNX];
//!     const OPTIONS: &'static [&'static CStr] = &[c"threads"];
//!     type Graph = MyGraph;                      // impl Graph (type Context = MyContext)
//!     fn new(options: &Options) -> Result<Self> { ... }
//!     fn load(&self, builders: &[&[u8]], encoding: u32, target: u32) -> Result<MyGraph> { ... }
//! }
//! ember_nn_abi::export_backend!(Mine);
//! ```

mod alloc;
mod error;
#[doc(hidden)]
pub mod export;
mod locate;
mod log;
mod options;

pub use alloc::RuntimeAlloc;
pub use error::{Error, Result};
pub use locate::{engine_candidates, open_engine};
pub use options::Options;

use crate::sys::NnError;
use std::ffi::CStr;
use std::path::Path;

/// A tensor as set_input hands it over: it points into guest memory and is valid for the call.
/// `data.len()` was checked by the runtime to equal product(dims) x element size of `ty`, except
/// for u8 inputs of backends serving ggml (text: WasmEdge's guest crate sends dims [1]).
#[derive(Clone, Copy, Debug)]
pub struct TensorRef<'a> {
    pub dims: &'a [u32],
    /// `crate::tensor_type` numbering.
    pub ty: u32,
    pub data: &'a [u8],
}

/// A named model (`iwasm --nn-preload NAME:ENCODING:TARGET:PATH[,PATH]`) handed over by path.
#[derive(Clone, Debug)]
pub struct NamedModel<'a> {
    pub name: &'a str,
    /// One file per builder (OpenVINO: .xml then .bin).
    pub paths: Vec<&'a Path>,
    pub encoding: u32,
    pub target: u32,
}

/// The backend: created once per process by `init` with its options, shared by all threads.
pub trait Backend: Sized + Send + Sync + 'static {
    /// The backend's name: `libwasi_nn_backend_<NAME>.so`.
    const NAME: &'static CStr;
    /// The graph encodings it serves (`crate::encoding`).
    const ENCODINGS: &'static [u32];
    /// The init option keys it takes; a key ending in '.' takes every key with that prefix.
    /// libvmcore.so warns about other keys and does not pass them.
    const OPTIONS: &'static [&'static CStr];

    type Graph: Graph;

    /// Create the backend. A bad option value is `Error::invalid`: the runtime then refuses
    /// models of this backend loudly instead of handing them to another backend.
    fn new(options: &Options) -> Result<Self>;

    /// Load a model from its builders (bytes valid for the call only: copy what you keep).
    fn load(&self, builders: &[&[u8]], encoding: u32, target: u32) -> Result<Self::Graph>;

    /// Load a named model by path. The default maps the files read-only and calls `load` with
    /// their bytes (no read into a buffer); override it to let the engine open the files itself
    /// or keep the mapping. `config`: the guest's load_by_name_with_config bytes (may be empty).
    fn load_named(&self, model: &NamedModel<'_>, config: &[u8]) -> Result<Self::Graph> {
        if !config.is_empty() {
            ::log::warn!(
                "backend {}: the {}-byte load config for '{}' is ignored (this backend takes none)",
                Self::NAME.to_string_lossy(),
                config.len(),
                model.name
            );
        }
        let mut maps = Vec::with_capacity(model.paths.len());
        for p in &model.paths {
            let m = ember_platform::mapped::MappedFile::open(p).map_err(|e| {
                Error::new(NnError::NotFound, format!("named model '{}': cannot map {}: {e}", model.name, p.display()))
            })?;
            maps.push(m);
        }
        let bytes: Vec<&[u8]> = maps.iter().map(|m| m.bytes()).collect();
        self.load(&bytes, model.encoding, model.target)
    }
}

/// A loaded model. Calls on one graph are serialized by the runtime; its contexts are finalized
/// before it is unloaded.
pub trait Graph: Send + 'static {
    type Context: Context;
    fn init_execution_context(&self) -> Result<Self::Context>;
}

/// An execution context: calls on one context are serialized by the runtime (`&mut self`).
pub trait Context: Send + 'static {
    fn set_input(&mut self, index: u32, tensor: &TensorRef<'_>) -> Result<()>;
    fn compute(&mut self) -> Result<()>;
    /// Copy output `index` into `out` and return its size in bytes; when `out` is smaller than
    /// the output, return [`Error::too_large`] with the needed size and write nothing.
    fn get_output(&mut self, index: u32, out: &mut [u8]) -> Result<usize>;

    /// Streaming (LLM backends, WasmEdge's API): one step of the computation.
    fn compute_single(&mut self) -> Result<()> {
        Err(Error::unsupported("streaming (compute_single) is not supported by this backend"))
    }
    /// The output of the current step, as `get_output`.
    fn get_output_single(&mut self, index: u32, out: &mut [u8]) -> Result<usize> {
        let _ = (index, out);
        Err(Error::unsupported("streaming (get_output_single) is not supported by this backend"))
    }
    /// End the stream.
    fn fini_single(&mut self) -> Result<()> {
        Err(Error::unsupported("streaming (fini_single) is not supported by this backend"))
    }
}

/// Copy `src` into `out` with get_output's contract (too_large with the needed size when `out`
/// is too small); returns the size. For outputs the backend holds as bytes.
pub fn copy_output(index: u32, src: &[u8], out: &mut [u8]) -> Result<usize> {
    let have = out.len();
    let dst = out
        .get_mut(..src.len())
        .ok_or_else(|| Error::too_large(src.len(), format!("output {index} needs {} bytes, the buffer has {have}", src.len())))?;
    dst.copy_from_slice(src);
    Ok(src.len())
}

/// The target check of a CPU-only backend: cpu runs; gpu and tpu run on the CPU with a warning
/// (as the other backends fall back); anything else is invalid_argument.
pub fn cpu_only_target(backend: &str, tgt: u32) -> Result<()> {
    match tgt {
        crate::target::CPU => Ok(()),
        crate::target::GPU | crate::target::TPU => {
            let asked = if tgt == crate::target::GPU { "gpu" } else { "tpu" };
            ::log::warn!("target {asked} asked but {backend} runs on the CPU only; running on cpu");
            Ok(())
        }
        _ => Err(Error::invalid(format!("unknown execution target {tgt}"))),
    }
}
