//! Per-instance wasi-nn state: graphs and execution contexts, their u32 handles, limits, and
//! the operations both guest ABIs share (after guest structs were translated to host values).

use super::backend::{Handle, LoadedBackend};
use super::detect::{detect, encoding_name};
use super::{config, registry, NnResult};
use ember_nn_abi::{encoding, tensor_type, NnError};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// Read a named model's file. The buffer is reserved fallibly: in pool mode a model larger than
/// the pool is too_large for the guest instead of an allocation abort.
fn read_model_file(name: &str, path: &std::path::Path) -> NnResult<Vec<u8>> {
    use std::io::Read;
    let not_found = |e: std::io::Error| {
        log::warn!("wasi-nn: load_by_name '{name}': cannot read {}: {e}", path.display());
        NnError::NotFound
    };
    let mut file = std::fs::File::open(path).map_err(not_found)?;
    let size = file.metadata().map_err(not_found)?.len();
    let mut buf = Vec::new();
    let fits = usize::try_from(size).ok().filter(|n| buf.try_reserve_exact(*n).is_ok());
    if fits.is_none() {
        log::warn!("wasi-nn: load_by_name '{name}': no memory for {} ({size} bytes)", path.display());
        return Err(NnError::TooLarge);
    }
    file.read_to_end(&mut buf).map_err(not_found)?;
    Ok(buf)
}

impl NnCtx {
    pub fn graph_count(&self) -> usize {
        self.graphs.len()
    }
    pub fn context_count(&self) -> usize {
        self.contexts.len()
    }

    /// load: `encoding` may be autodetect; `target` cpu/gpu/tpu.
    pub fn load(&mut self, builders: &[&[u8]], enc: u32, target: u32) -> NnResult<u32> {
        if target > ember_nn_abi::target::TPU {
            log::debug!("wasi-nn: unknown execution target {target}");
            return Err(NnError::InvalidArgument);
        }
        if builders.is_empty() {
            return Err(NnError::InvalidArgument);
        }
        let enc = if enc == encoding::AUTODETECT {
            match detect(builders) {
                Some(e) => {
                    log::debug!("wasi-nn: autodetected encoding {}", encoding_name(e));
                    e
                }
                None => {
                    log::warn!("wasi-nn: autodetect: the model bytes match no known encoding");
                    return Err(NnError::InvalidEncoding);
                }
            }
        } else if enc > encoding::AUTODETECT {
            log::debug!("wasi-nn: unknown graph encoding {enc}");
            return Err(NnError::InvalidEncoding);
        } else {
            enc
        };
        if self.graphs.len() >= MAX_GRAPHS {
            log::warn!("wasi-nn: graph limit of {MAX_GRAPHS} per instance reached");
            return Err(NnError::TooLarge);
        }
        let backend = registry::backend_for(enc).map_err(|_| NnError::InvalidEncoding)?;
        let handle = backend.load(builders, enc, target)?;
        let id = match next_handle(&mut self.next_graph) {
            Ok(id) => id,
            Err(e) => {
                backend.unload(handle);
                return Err(e);
            }
        };
        self.graphs.insert(id, Graph { backend, handle });
        Ok(id)
    }

    /// load_by_name(_with_config): only named models (--nn-preload / --wasi-nn-graph), or a host
    /// file path when --wasi-nn-allow-host-paths is on.
    pub fn load_by_name(&mut self, name: &[u8], config_bytes: &[u8]) -> NnResult<u32> {
        let name = std::str::from_utf8(name).map_err(|_| NnError::InvalidArgument)?;
        if !config_bytes.is_empty() {
            log::warn!(
                "wasi-nn: load_by_name_with_config: the {}-byte config for '{name}' is ignored (backend ABI v1 has no load config)",
                config_bytes.len()
            );
        }
        let (paths, enc, target) = match config::find_named_model(name) {
            Some(m) => (m.paths, m.encoding, m.target),
            None if config::allow_host_paths() => {
                (vec![std::path::PathBuf::from(name)], encoding::AUTODETECT, ember_nn_abi::target::CPU)
            }
            None => {
                log::warn!(
                    "wasi-nn: load_by_name: no model named '{name}' (define one with --nn-preload name:encoding:target:path; host paths need --wasi-nn-allow-host-paths)"
                );
                return Err(NnError::NotFound);
            }
        };
        let mut files = Vec::with_capacity(paths.len());
        for p in &paths {
            files.push(read_model_file(name, p)?);
        }
        let builders: Vec<&[u8]> = files.iter().map(|f| f.as_slice()).collect();
        self.load(&builders, enc, target)
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
    pub fn get_output(&mut self, ctx: u32, index: u32, out: &mut [u8]) -> Result<usize, (NnError, Option<usize>)> {
        let c = self.context(ctx).map_err(|e| (e, None))?;
        c.backend.get_output(c.handle, index, out)
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
