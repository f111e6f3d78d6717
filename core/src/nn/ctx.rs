//! Per-instance wasi-nn state: graphs and execution contexts, their u32 handles, limits, and
//! the operations both guest ABIs share (after guest structs were translated to host values).

use super::backend::{Handle, LoadedBackend};
use super::detect::{detect, encoding_name};
use super::{config, registry, NnResult};
use ember_nn_abi::{encoding, tensor_type, NnError};
use ember_nn_abi::host::NamedModelRef;
use crate::runtime::host::GuestFiles;
use ember_nn_abi::encoding::AUTODETECT;
use ember_nn_abi::target::CPU;
use ember_platform::mapped::MappedFile;
use ember_platform::SysError;
use std::collections::BTreeMap;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::Arc;

/// WasmEdge's execution target "auto" (its guest crate's default).
const WASMEDGE_TARGET_AUTO: u32 = 3;

/// Live graphs per instance; one more load returns too_large.
pub const MAX_GRAPHS: usize = 64;
/// Live execution contexts per instance; one more returns too_large.
pub const MAX_CONTEXTS: usize = 64;
/// Tensor rank cap; a larger dims_len is invalid_argument.
pub const MAX_DIMS: u32 = 16;
/// Builders per load (OpenVINO uses 2); more is invalid_argument.
pub const MAX_BUILDERS: u32 = 16;
/// Longest model name accepted by load_by_name.
pub const MAX_NAME_LEN: u32 = 4096;

struct Graph {
    backend: Arc<LoadedBackend>,
    handle: Handle,
}

struct Context {
    graph: u32,
    backend: Arc<LoadedBackend>,
    handle: Handle,
}

/// Per-instance wasi-nn state (lives in StoreData). Handles count up from 0 and are never
/// reused; dropping the NnCtx finalizes every context and unloads every graph.
#[derive(Default)]
pub struct NnCtx {
    graphs: BTreeMap<u32, Graph>,
    contexts: BTreeMap<u32, Context>,
    next_graph: u32,
    next_context: u32,
}

fn next_handle(counter: &mut u32) -> NnResult<u32> {
    let h = *counter;
    *counter = counter.checked_add(1).ok_or_else(|| {
        log::warn!("wasi-nn: handle space of this instance exhausted");
        NnError::TooLarge
    })?;
    Ok(h)
}

/// Byte size of a tensor of `dims` and element type `ty` (ember numbering), overflow-safe.
pub fn tensor_byte_len(dims: &[u32], ty: u32) -> NnResult<u64> {
    let elem = tensor_type::element_size(ty).ok_or(NnError::InvalidArgument)? as u64;
    dims.iter()
        .try_fold(elem, |acc, &d| acc.checked_mul(u64::from(d)))
        .ok_or(NnError::InvalidArgument)
}

/// Map a named model's files read-only (no copy: pages come from the page cache on demand).
fn map_model_files(name: &str, paths: &[std::path::PathBuf]) -> NnResult<Vec<MappedFile>> {
    paths
        .iter()
        .map(|p| {
            MappedFile::open(p).map_err(|e| {
                log::warn!("wasi-nn: load_by_name '{name}': cannot open {}: {e}", p.display());
                NnError::NotFound
            })
        })
        .collect()
}

/// Where load_by_name found a model.
struct ModelFiles {
    /// One file per builder, as the backend is to open them.
    paths: Vec<PathBuf>,
    encoding: u32,
    target: u32,
    /// Descriptors that `paths` name through /proc/self/fd; kept open until the load is done.
    held: Option<OwnedFd>,
}

/// The model a load_by_name name stands for (see [`NnCtx::load_by_name`] for the order).
fn find_model(name: &str, files: Option<&dyn GuestFiles>) -> NnResult<ModelFiles> {
    if let Some(m) = config::find_named_model(name) {
        return Ok(ModelFiles { paths: m.paths, encoding: m.encoding, target: m.target, held: None });
    }
    let guest = match files {
        Some(w) => w.open_guest_file(name.as_bytes()),
        None => Err(SysError::NotCapable),
    };
    let why = match guest {
        Ok(fd) => return Ok(guest_model(fd)),
        Err(SysError::NotCapable) => "not inside the app's preopened directories (--dir, --map-dir)".to_string(),
        Err(e) => format!("inside the app's preopens: {e}"),
    };
    if config::allow_host_paths() {
        log::info!("wasi-nn: load_by_name '{name}': {why}; trying it as a host path (--wasi-nn-allow-host-paths)");
        return Ok(ModelFiles { paths: vec![PathBuf::from(name)], encoding: AUTODETECT, target: CPU, held: None });
    }
    log::warn!(
        "wasi-nn: load_by_name: '{name}' is not a named model (--nn-preload name:encoding:target:path) and not a file the app can open: {why}"
    );
    Err(NnError::NotFound)
}

/// A model file the WASI sandbox opened for the guest, handed on as `/proc/self/fd/N`.
///
/// Race-safe enough: the descriptor is the file the sandbox walk reached (no-follow opens at
/// every step, links resolved inside the preopen), and `/proc/self/fd/N` is a link to that open
/// file itself, not a name looked up again: renaming or swapping anything in the tree after the
/// walk cannot make the backend open another file. A canonical host path would be looked up
/// again by the backend and could be redirected in between. The descriptor stays open until the
/// backend's load returns (backends map or read the file during load). Needs /proc, which Ember
/// already relies on (backend lookup, absolute symlinks); without it the open fails: not_found.
fn guest_model(fd: OwnedFd) -> ModelFiles {
    let path = PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()));
    ModelFiles { paths: vec![path], encoding: AUTODETECT, target: CPU, held: Some(fd) }
}

impl NnCtx {
    pub fn graph_count(&self) -> usize {
        self.graphs.len()
    }
    pub fn context_count(&self) -> usize {
        self.contexts.len()
    }

    /// The concrete encoding of a model: `enc`, or what its bytes are when `enc` is 5 or 6.
    /// Those two numbers mean ggml and autodetect in WAMR's and the WIT numbering but
    /// autodetect and ggml in WasmEdge's, under the same import module name; reading both as
    /// "what the bytes are" is right under either numbering (a GGUF model is ggml, anything
    /// else is autodetected), so no option picks a numbering.
    fn resolve_encoding(builders: &[&[u8]], enc: u32) -> NnResult<u32> {
        if enc == encoding::AUTODETECT || enc == encoding::GGML {
            return match detect(builders) {
                Some(e) => {
                    log::debug!("wasi-nn: autodetected encoding {}", encoding_name(e));
                    Ok(e)
                }
                None => {
                    log::warn!("wasi-nn: autodetect: the model bytes match no known encoding");
                    Err(NnError::InvalidEncoding)
                }
            };
        }
        if enc > encoding::AUTODETECT {
            log::debug!("wasi-nn: unknown graph encoding {enc}");
            return Err(NnError::InvalidEncoding);
        }
        Ok(enc)
    }

    /// The checks before any load: target and graph limit.
    fn check_load(&self, target: u32) -> NnResult<()> {
        if target > ember_nn_abi::target::TPU {
            log::debug!("wasi-nn: unknown execution target {target}");
            return Err(NnError::InvalidArgument);
        }
        if self.graphs.len() >= MAX_GRAPHS {
            log::warn!("wasi-nn: graph limit of {MAX_GRAPHS} per instance reached");
            return Err(NnError::TooLarge);
        }
        Ok(())
    }

    /// Give a graph the backend made its guest handle.
    fn add_graph(&mut self, backend: Arc<LoadedBackend>, handle: Handle) -> NnResult<u32> {
        match next_handle(&mut self.next_graph) {
            Ok(id) => {
                self.graphs.insert(id, Graph { backend, handle });
                Ok(id)
            }
            Err(e) => {
                backend.unload(handle);
                Err(e)
            }
        }
    }

    /// load: `encoding` may be autodetect; `target` cpu/gpu/tpu, or WasmEdge's auto (3), which
    /// its guest crate sends by default and which means cpu here.
    pub fn load(&mut self, builders: &[&[u8]], enc: u32, target: u32) -> NnResult<u32> {
        let target = if target == WASMEDGE_TARGET_AUTO { ember_nn_abi::target::CPU } else { target };
        self.check_load(target)?;
        if builders.is_empty() {
            return Err(NnError::InvalidArgument);
        }
        let enc = Self::resolve_encoding(builders, enc)?;
        let backend = registry::backend_for(enc).map_err(|_| NnError::InvalidEncoding)?;
        let handle = backend.load(builders, enc, target)?;
        self.add_graph(backend, handle)
    }

    /// load_by_name(_with_config). The name is, in this order: a named model (--nn-preload /
    /// --wasi-nn-graph); a guest path inside the instance's WASI preopens (WAMR's test apps load
    /// "./models/x.tflite" with `--dir=.`), resolved by the WASI sandbox (links inside followed,
    /// escapes refused); with --wasi-nn-allow-host-paths, a host path. Anything else is
    /// not_found. The files are handed to the backend by path (load_named) with the guest's
    /// config, or mapped and loaded as bytes when the backend does not open files itself: a
    /// model is never read into a buffer here.
    pub fn load_by_name(&mut self, name: &[u8], config_bytes: &[u8], files: Option<&dyn GuestFiles>) -> NnResult<u32> {
        let name = std::str::from_utf8(name).map_err(|_| NnError::InvalidArgument)?;
        let ModelFiles { paths, encoding: enc, target, held } = find_model(name, files)?;
        self.check_load(target)?;
        let maps = map_model_files(name, &paths)?;
        let bytes: Vec<&[u8]> = maps.iter().map(MappedFile::bytes).collect();
        let enc = Self::resolve_encoding(&bytes, enc)?;
        let backend = registry::backend_for(enc).map_err(|_| NnError::InvalidEncoding)?;
        let handle = if backend.loads_files() {
            drop(bytes);
            drop(maps);
            let paths: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
            backend.load_named(&NamedModelRef { name, paths: &paths, encoding: enc, target }, config_bytes)?
        } else {
            if !config_bytes.is_empty() {
                log::warn!(
                    "wasi-nn: load_by_name_with_config: backend {} takes no load config; the {}-byte config for '{name}' is ignored",
                    backend.name(),
                    config_bytes.len()
                );
            }
            backend.load(&bytes, enc, target)?
        };
        drop(held);
        self.add_graph(backend, handle)
    }

    fn graph(&self, id: u32) -> NnResult<&Graph> {
        self.graphs.get(&id).ok_or_else(|| {
            log::debug!("wasi-nn: invalid or released graph handle {id}");
            NnError::InvalidArgument
        })
    }

    fn context(&self, id: u32) -> NnResult<&Context> {
        self.contexts.get(&id).ok_or_else(|| {
            log::debug!("wasi-nn: invalid or released execution context handle {id}");
            NnError::InvalidArgument
        })
    }

    pub fn init_execution_context(&mut self, graph: u32) -> NnResult<u32> {
        let g = self.graph(graph)?;
        if self.contexts.len() >= MAX_CONTEXTS {
            log::warn!("wasi-nn: execution context limit of {MAX_CONTEXTS} per instance reached");
            return Err(NnError::TooLarge);
        }
        let backend = g.backend.clone();
        let handle = backend.init_execution_context(g.handle)?;
        let id = match next_handle(&mut self.next_context) {
            Ok(id) => id,
            Err(e) => {
                backend.finalize_execution_context(handle);
                return Err(e);
            }
        };
        self.contexts.insert(id, Context { graph, backend, handle });
        Ok(id)
    }

    /// `ty` in ember numbering; `data` (guest memory, zero copy) was checked by the caller to
    /// hold exactly product(dims) elements.
    /// Whether the backend of context `ctx` takes u8 inputs as byte strings whose length is
    /// data_len whatever the dims say: the ggml (LLM) backends, whose prompts and JSON configs
    /// WasmEdge's guest crate sends with dims [1] (as LlamaEdge apps do).
    pub fn takes_byte_strings(&self, ctx: u32) -> bool {
        self.contexts.get(&ctx).is_some_and(|c| c.backend.serves(encoding::GGML))
    }

    pub fn set_input(&mut self, ctx: u32, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> NnResult<()> {
        let c = self.context(ctx)?;
        c.backend.set_input(c.handle, index, dims, ty, data)
    }

    pub fn compute(&mut self, ctx: u32) -> NnResult<()> {
        let c = self.context(ctx)?;
        c.backend.compute(c.handle)
    }

    /// Output `index` into `out` (guest memory, zero copy): its size in bytes, or the error with
    /// the needed size when the backend reported one (too_large).
    /// `single`: the output of the current step of a stream (get_output_single).
    pub fn get_output(&mut self, ctx: u32, index: u32, out: &mut [u8], single: bool) -> Result<usize, (NnError, Option<usize>)> {
        let c = self.context(ctx).map_err(|e| (e, None))?;
        c.backend.get_output(c.handle, index, out, single)
    }

    /// compute_single / fini_single (streaming; unsupported_operation unless the backend has it).
    pub fn compute_single(&mut self, ctx: u32) -> NnResult<()> {
        let c = self.context(ctx)?;
        c.backend.compute_single(c.handle)
    }

    pub fn fini_single(&mut self, ctx: u32) -> NnResult<()> {
        let c = self.context(ctx)?;
        c.backend.fini_single(c.handle)
    }

    pub fn finalize_execution_context(&mut self, ctx: u32) -> NnResult<()> {
        let c = self.contexts.remove(&ctx).ok_or_else(|| {
            log::debug!("wasi-nn: finalize of invalid or released context {ctx}");
            NnError::InvalidArgument
        })?;
        c.backend.finalize_execution_context(c.handle);
        Ok(())
    }

    /// Unloading a graph first finalizes its remaining execution contexts (their handles become
    /// invalid).
    pub fn unload(&mut self, graph: u32) -> NnResult<()> {
        let g = self.graphs.remove(&graph).ok_or_else(|| {
            log::debug!("wasi-nn: unload of invalid or released graph {graph}");
            NnError::InvalidArgument
        })?;
        let dependent: Vec<u32> = self.contexts.iter().filter(|(_, c)| c.graph == graph).map(|(id, _)| *id).collect();
        for id in dependent {
            if let Some(c) = self.contexts.remove(&id) {
                c.backend.finalize_execution_context(c.handle);
            }
        }
        g.backend.unload(g.handle);
        Ok(())
    }
}

impl Drop for NnCtx {
    fn drop(&mut self) {
        for (_, c) in std::mem::take(&mut self.contexts) {
            c.backend.finalize_execution_context(c.handle);
        }
        for (_, g) in std::mem::take(&mut self.graphs) {
            g.backend.unload(g.handle);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_len_is_checked() {
        assert_eq!(tensor_byte_len(&[1, 5, 5, 1], tensor_type::FP32), Ok(100));
        assert_eq!(tensor_byte_len(&[], tensor_type::U8), Ok(1));
        assert_eq!(tensor_byte_len(&[3], 99), Err(NnError::InvalidArgument));
        assert_eq!(
            tensor_byte_len(&[u32::MAX, u32::MAX, u32::MAX], tensor_type::FP64),
            Err(NnError::InvalidArgument)
        );
    }
}
