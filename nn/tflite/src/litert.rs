//! LiteRT 2.3 (libLiteRt.so from the ai-edge-litert wheel) through its C API (declared in
//! litert_api.rs), loaded at run time. Every ranked tensor type LiteRT reports is checked
//! against the model's own flatbuffer, so a layout mismatch with another LiteRT version is
//! detected and refused instead of misread.
//!
//! Flow: one LiteRtEnvironment per backend; per graph a LiteRtModel (over our copy of the
//! bytes); per execution context a LiteRtCompiledModel with its own managed input/output
//! buffers. set_input copies guest bytes into the locked input buffer, get_output copies the
//! locked output buffer into the guest's buffer.

use std::ffi::{c_int, c_void};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::engine::{self, Context, Engine, Graph, ModelBytes, Target, TensorIn};
use ember_nn_abi::sdk::{Error, Result};
use crate::flatbuf::{ModelInfo, TensorDecl};
use crate::litert_api::{
    self, fail, status_name, Any, Api, EnvOption, Handle, Layout, RankedType, Status, ANY_TYPE_INT, ANY_TYPE_STRING,
    ENV_TAG_DISPATCH_DIR, ENV_TAG_MIN_LOGGER_SEVERITY, HW_CPU, HW_GPU, HW_NPU, LOCK_READ, LOCK_WRITE, OK,
    SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING,
};
use crate::options::Options;

pub struct LiteRt {
    api: Api,
    env: Handle,
    options: Options,
}

// SAFETY: the environment is created once and only passed to LiteRT calls, which LiteRT allows
// from any thread; the Api is immutable function pointers.
unsafe impl Send for LiteRt {}
// SAFETY: as above.
unsafe impl Sync for LiteRt {}

impl Drop for LiteRt {
    fn drop(&mut self) {
        // SAFETY: created in open; every model and compiled model holds an Arc to us.
        unsafe { (self.api.destroy_env)(self.env) };
    }
}

impl LiteRt {
    pub fn open(path: &Path, options: Options) -> std::result::Result<LiteRt, String> {
        // SAFETY: loading the engine runs its initialisers; it was found on the documented
        // search path or named by the user.
        let lib = unsafe { libloading::Library::new(path) }.map_err(|e| e.to_string())?;
        let api = litert_api::resolve(lib)?;
        // An NPU dispatch library directory, when a delegate path is configured (LiteRT's
        // equivalent of an external delegate: vendor dispatch libraries found in that folder).
        let dispatch_dir = options.delegate.as_ref().map(|d| {
            let dir = if d.is_dir() { d.clone() } else { d.parent().map(Path::to_path_buf).unwrap_or_default() };
            std::ffi::CString::new(dir.to_string_lossy().as_bytes()).unwrap_or_default()
        });
        let mut env_opts: Vec<EnvOption> = dispatch_dir
            .iter()
            .map(|d| EnvOption {
                tag: ENV_TAG_DISPATCH_DIR,
                value: Any { ty: ANY_TYPE_STRING, value: d.as_ptr() as usize as u64 },
            })
            .collect();
        // LiteRT logs to stderr (INFO lines, warnings about absent GPU/NPU accelerators): follow
        // our log level, one step quieter (our own messages say what failed and why).
        let severity = if log::log_enabled!(log::Level::Debug) {
            SEVERITY_INFO
        } else if log::log_enabled!(log::Level::Info) {
            SEVERITY_WARNING
        } else {
            SEVERITY_ERROR
        };
        env_opts.push(EnvOption { tag: ENV_TAG_MIN_LOGGER_SEVERITY, value: Any { ty: ANY_TYPE_INT, value: severity } });
        let mut env: Handle = std::ptr::null_mut();
        // SAFETY: env_opts (and the strings they point to) live during the call.
        let mut s = unsafe { (api.create_env)(env_opts.len() as c_int, env_opts.as_ptr(), &mut env) };
        if s != OK {
            // An older LiteRT without the severity option: create without it.
            env_opts.pop();
            // SAFETY: as above.
            s = unsafe { (api.create_env)(env_opts.len() as c_int, env_opts.as_ptr(), &mut env) };
        }
        if s != OK || env.is_null() {
            return Err(format!("LiteRtCreateEnvironment failed (status {s})"));
        }
        log::info!("wasi-nn tflite: LiteRT from {}", path.display());
        Ok(LiteRt { api, env, options })
    }
}

struct GraphInner {
    rt: Arc<LiteRt>,
    model: Handle,
    accelerators: c_int,
    info: ModelInfo,
    /// Ranked types in LiteRT's signature order.
    inputs: Vec<RankedType>,
    outputs: Vec<RankedType>,
    /// wasi-nn index -> signature index.
    in_map: Vec<usize>,
    out_map: Vec<usize>,
    /// A compiled model made at load (to fail early); the first context takes it.
    spare: Mutex<Option<Compiled>>,
    _bytes: ModelBytes,
}

// SAFETY: the model is immutable after creation and LiteRT compiles it from any thread.
unsafe impl Send for GraphInner {}
// SAFETY: as above; `spare` is behind a Mutex.
unsafe impl Sync for GraphInner {}

impl Drop for GraphInner {
    fn drop(&mut self) {
        if let Ok(mut s) = self.spare.lock() {
            s.take();
        }
        // SAFETY: created in load; every compiled model over it is gone (they hold Arcs).
        unsafe { (self.rt.api.destroy_model)(self.model) };
    }
}

/// A compiled model (owns the handle).
struct Compiled {
    rt: Arc<LiteRt>,
    handle: Handle,
}

// SAFETY: a compiled model is used by one context at a time.
unsafe impl Send for Compiled {}

impl Drop for Compiled {
    fn drop(&mut self) {
        // SAFETY: created by create_compiled, destroyed once.
        unsafe { (self.rt.api.destroy_compiled)(self.handle) };
    }
}

pub struct LiteRtEngine(pub Arc<LiteRt>);

fn check_decl(rt: &RankedType, decl: &TensorDecl, what: &str) -> Result<()> {
    let dims_ok = rt.rank() == decl.shape.len() && rt.dims().iter().zip(&decl.shape).all(|(&a, &b)| a == b || a < 0);
    if !dims_ok {
        return Err(Error::runtime(format!(
            "{what}: LiteRT reports shape {:?} where the model says {:?}; this libLiteRt.so's C API \
             does not match the 2.3 declarations (set engine=classic or use LiteRT 2.3)",
            rt.dims(),
            decl.shape
        )));
    }
    Ok(())
}

/// For each wasi-nn index (subgraph order), LiteRT's signature index: the tensor of the same
/// name; LiteRT's own order when names are missing or not one-to-one.
fn match_by_name(decls: &[TensorDecl], names: &[String]) -> Vec<usize> {
    let identity: Vec<usize> = (0..decls.len()).collect();
    log::trace!("wasi-nn tflite: LiteRT signature tensors {names:?}");
    if names.len() != decls.len() {
        return identity;
    }
    let mut map = Vec::with_capacity(decls.len());
    for d in decls {
        let mut hits = names.iter().enumerate().filter(|(_, n)| !n.is_empty() && **n == d.name);
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) if !map.contains(&i) => map.push(i),
            _ => return identity,
        }
    }
    if map != identity {
        log::debug!("wasi-nn tflite: LiteRT signature order {names:?}, wasi-nn indices follow the subgraph");
    }
    map
}

impl LiteRtEngine {
    fn compile(&self, g: &GraphInner) -> Result<Compiled> {
        let rt = &self.0;
        let api = &rt.api;
        let attempt = |accel: c_int| -> std::result::Result<Handle, Status> {
            let mut opts: Handle = std::ptr::null_mut();
            // SAFETY: out-pointer to a local.
            let s = unsafe { (api.create_options)(&mut opts) };
            if s != OK {
                return Err(s);
            }
            // SAFETY: opts live until destroyed below; env and model are live.
            let s = unsafe { (api.set_accelerators)(opts, accel) };
            let mut cm: Handle = std::ptr::null_mut();
            let s = if s == OK { unsafe { (api.create_compiled)(rt.env, g.model, opts, &mut cm) } } else { s };
            // SAFETY: created above; LiteRT copies what it needs.
            unsafe { (api.destroy_options)(opts) };
            if s == OK && !cm.is_null() {
                Ok(cm)
            } else {
                Err(s)
            }
        };
        // gpu/tpu: the whole model on the accelerator first; if LiteRT cannot (no accelerator
        // library installed, or an operator it lacks), accelerator + cpu (LiteRT then places
        // what the accelerator cannot run, or everything, on the cpu).
        let handle = match attempt(g.accelerators) {
            Ok(h) => h,
            Err(s) if g.accelerators != HW_CPU => {
                log::warn!(
                    "wasi-nn tflite: LiteRT could not run the whole model on the {} (status {s}: {}; no \
                     accelerator installed, or an operator it lacks); the cpu takes over",
                    if g.accelerators == HW_GPU { "gpu" } else { "npu" },
                    status_name(s)
                );
                attempt(g.accelerators | HW_CPU).map_err(|s| fail("compiling the model", s))?
            }
            Err(s) => return Err(fail("compiling the model", s)),
        };
        Ok(Compiled { rt: rt.clone(), handle })
    }
}

impl Engine for LiteRtEngine {
    fn name(&self) -> &'static str {
        "litert"
    }

    fn load(&self, bytes: ModelBytes, info: ModelInfo, target: Target) -> Result<Box<dyn Graph>> {
        let rt = &self.0;
        let api = &rt.api;
        let mut model: Handle = std::ptr::null_mut();
        // SAFETY: bytes outlive the model (owned by the graph), as the API requires.
        let s = unsafe { (api.model_from_buffer)(rt.env, bytes.as_ptr() as *const c_void, bytes.len(), &mut model) };
        if s != OK || model.is_null() {
            return Err(Error::invalid(format!("LiteRT refused the model (status {s}: {})", status_name(s))));
        }
        let accelerators = match target {
            Target::Cpu => HW_CPU,
            Target::Accelerator(1) => HW_GPU,
            Target::Accelerator(_) => HW_NPU,
        };
        if let Target::Accelerator(t) = target {
            if t == 1 {
                log::info!("wasi-nn tflite: target gpu -> LiteRT GPU accelerator when available, else cpu");
            } else if rt.options.delegate.is_none() {
                log::warn!("wasi-nn tflite: target tpu asked but no NPU dispatch library is configured (delegate=PATH); LiteRT runs on cpu");
            }
        }
        let mut g = GraphInner {
            rt: rt.clone(),
            model,
            accelerators,
            info,
            inputs: Vec::new(),
            outputs: Vec::new(),
            in_map: Vec::new(),
            out_map: Vec::new(),
            spare: Mutex::new(None),
            _bytes: bytes,
        };
        let mut sig: Handle = std::ptr::null_mut();
        let (mut ni, mut no) = (0usize, 0usize);
        // SAFETY: model live; out-pointers to locals.
        let s = unsafe { (api.get_signature)(model, 0, &mut sig) };
        if s != OK {
            return Err(fail("reading the signature", s));
        }
        // SAFETY: sig belongs to the live model.
        unsafe {
            (api.num_sig_inputs)(sig, &mut ni);
            (api.num_sig_outputs)(sig, &mut no);
        }
        if ni != g.info.inputs.len() || no != g.info.outputs.len() {
            return Err(Error::runtime(format!(
                "LiteRT's signature has {ni} inputs and {no} outputs, the model {} and {}",
                g.info.inputs.len(),
                g.info.outputs.len()
            )));
        }
        // LiteRT orders inputs and outputs by the model's signature; wasi-nn indices follow the
        // subgraph (as the classic API and WAMR do). Match them by tensor name; without usable
        // names (unnamed or duplicate tensors) keep LiteRT's order.
        for (k, count) in [(false, ni), (true, no)] {
            let decls = if k { &g.info.outputs } else { &g.info.inputs };
            let mut types = Vec::with_capacity(count);
            let mut names = Vec::with_capacity(count);
            for i in 0..count {
                let mut t: Handle = std::ptr::null_mut();
                // SAFETY: zeroed plain-data struct filled by LiteRT; sizes match the 2.3 layout.
                let mut rtype: RankedType = unsafe { std::mem::zeroed() };
                let mut name: *const std::ffi::c_char = std::ptr::null();
                // SAFETY: sig live, i in range, out-pointers to locals; the name string is owned
                // by the model and read right away.
                let s = unsafe {
                    let mut s = if k { (api.sig_output)(sig, i, &mut t) } else { (api.sig_input)(sig, i, &mut t) };
                    if s == OK {
                        s = (api.ranked_type)(t, &mut rtype);
                    }
                    if s == OK && (api.tensor_name)(t, &mut name) == OK && !name.is_null() {
                        names.push(std::ffi::CStr::from_ptr(name).to_string_lossy().into_owned());
                    }
                    s
                };
                if s != OK {
                    return Err(fail("reading tensor types", s));
                }
                types.push(rtype);
            }
            let map = match_by_name(decls, &names);
            for (guest, &i) in map.iter().enumerate() {
                check_decl(&types[i], &decls[guest], &format!("{} {guest}", if k { "output" } else { "input" }))?;
            }
            if k {
                g.outputs = types;
                g.out_map = map;
            } else {
                g.inputs = types;
                g.in_map = map;
            }
        }
        let first = self.compile(&g)?;
        // LiteRT sizes output buffers from the declared shapes; a model whose declared output
        // shape differs from what its operators compute would be written past the buffer (heap
        // corruption seen in fuzzing). Compare with the shapes the compiled model computed.
        let mut layouts: Vec<Layout> = g.outputs.iter().map(|o| o.layout).collect();
        // SAFETY: layouts has room for every output layout; the compiled model is live.
        let s = unsafe { (api.output_layouts)(first.handle, 0, layouts.len(), layouts.as_mut_ptr(), true) };
        if s != OK {
            return Err(fail("reading the computed output shapes", s));
        }
        for (i, (decl, computed)) in g.outputs.iter().zip(&layouts).enumerate() {
            let c = RankedType { element_type: decl.element_type, layout: *computed };
            if c.dims() != decl.dims() {
                return Err(Error::invalid(format!(
                    "output {i}: the model declares shape {:?} but its operators compute {:?}",
                    decl.dims(),
                    c.dims()
                )));
            }
        }
        *g.spare.lock().map_err(|_| Error::runtime("poisoned lock"))? = Some(first);
        Ok(Box::new(LiteRtGraph { engine: LiteRtEngine(rt.clone()), inner: Arc::new(g) }))
    }
}

struct LiteRtGraph {
    engine: LiteRtEngine,
    inner: Arc<GraphInner>,
}

impl Graph for LiteRtGraph {
    fn new_context(&self) -> Result<Box<dyn Context>> {
        let g = &self.inner;
        let spare = g.spare.lock().map_err(|_| Error::runtime("poisoned lock"))?.take();
        let compiled = match spare {
            Some(c) => c,
            None => self.engine.compile(g)?,
        };
        let mut ctx = LiteRtContext {
            graph: g.clone(),
            inputs: g.inputs.clone(),
            outputs: g.outputs.clone(),
            in_bufs: Vec::new(),
            out_bufs: Vec::new(),
            compiled,
            computed: false,
            broken: false,
        };
        for i in 0..ctx.inputs.len() {
            let b = ctx.make_buffer(false, i)?;
            ctx.in_bufs.push(b);
        }
        for i in 0..ctx.outputs.len() {
            let b = ctx.make_buffer(true, i)?;
            ctx.out_bufs.push(b);
        }
        Ok(Box::new(ctx))
    }
}

struct LiteRtContext {
    graph: Arc<GraphInner>,
    inputs: Vec<RankedType>,
    outputs: Vec<RankedType>,
    in_bufs: Vec<Handle>,
    out_bufs: Vec<Handle>,
    // Declared last: buffers are destroyed (in Drop) before the compiled model.
    compiled: Compiled,
    computed: bool,
    /// Set when a resize failed half-way: LiteRT's shapes and our buffers may disagree, so the
    /// context refuses further work instead of running on mismatched buffers.
    broken: bool,
}

// SAFETY: the compiled model and its buffers are used by one thread at a time.
unsafe impl Send for LiteRtContext {}

impl Drop for LiteRtContext {
    fn drop(&mut self) {
        let api = &self.graph.rt.api;
        for b in self.in_bufs.drain(..).chain(self.out_bufs.drain(..)) {
            // SAFETY: created by make_buffer, destroyed once.
            unsafe { (api.destroy_buffer)(b) };
        }
    }
}

impl LiteRtContext {
    fn api(&self) -> &Api {
        &self.graph.rt.api
    }

    fn make_buffer(&self, output: bool, i: usize) -> Result<Handle> {
        let api = self.api();
        let mut reqs: Handle = std::ptr::null_mut();
        // SAFETY: compiled model live, i in range; the requirements stay owned by LiteRT.
        let s = unsafe {
            if output {
                (api.output_reqs)(self.compiled.handle, 0, i, &mut reqs)
            } else {
                (api.input_reqs)(self.compiled.handle, 0, i, &mut reqs)
            }
        };
        if s != OK {
            return Err(fail("querying buffer requirements", s));
        }
        let ty = if output { &self.outputs[i] } else { &self.inputs[i] };
        let mut buf: Handle = std::ptr::null_mut();
        // SAFETY: env live, ty is a valid ranked type, reqs from the compiled model.
        let s = unsafe { (api.buffer_from_reqs)(self.graph.rt.env, ty, reqs, &mut buf) };
        if s != OK || buf.is_null() {
            return Err(fail("creating a tensor buffer", s));
        }
        Ok(buf)
    }

    fn resize(&mut self, index: usize, dims: &[u32]) -> Result<()> {
        let graph = self.graph.clone();
        let api = &graph.rt.api;
        let d: Vec<c_int> = dims.iter().map(|&x| x as c_int).collect();
        // SAFETY: compiled model live; d has d.len() entries.
        let s = unsafe { (api.resize_input)(self.compiled.handle, 0, index, d.as_ptr(), d.len()) };
        if s != OK {
            return Err(Error::invalid(format!(
                "input {index}: the model cannot take shape {dims:?} (LiteRT status {s}: {})",
                status_name(s)
            )));
        }
        // From here until the new buffers exist, LiteRT's shapes and ours differ.
        self.broken = true;
        let mut layouts: Vec<Layout> = vec![self.outputs[0].layout; self.outputs.len()];
        // SAFETY: layouts has room for every output layout.
        let s = unsafe { (api.output_layouts)(self.compiled.handle, 0, layouts.len(), layouts.as_mut_ptr(), true) };
        if s != OK {
            return Err(fail("reading output shapes after a resize", s));
        }
        self.inputs[index].layout.rank_bits = d.len() as u32;
        for (k, &x) in d.iter().enumerate() {
            self.inputs[index].layout.dims[k] = x;
        }
        for (o, l) in self.outputs.iter_mut().zip(layouts) {
            o.layout = l;
            o.layout.rank_bits &= 0x7f;
        }
        let old: Vec<Handle> = self.in_bufs.drain(..).chain(self.out_bufs.drain(..)).collect();
        for b in old {
            // SAFETY: created by make_buffer, no longer referenced.
            unsafe { (self.api().destroy_buffer)(b) };
        }
        for i in 0..self.inputs.len() {
            let b = self.make_buffer(false, i)?;
            self.in_bufs.push(b);
        }
        for i in 0..self.outputs.len() {
            let b = self.make_buffer(true, i)?;
            self.out_bufs.push(b);
        }
        self.computed = false;
        self.broken = false;
        Ok(())
    }

    fn usable(&self) -> Result<()> {
        if self.broken {
            return Err(Error::runtime("this execution context failed during a resize; make a new one"));
        }
        Ok(())
    }

    fn output_index(&self, index: u32) -> Result<usize> {
        self.usable()?;
        if index as usize >= self.outputs.len() {
            return Err(Error::invalid(format!(
                "output {index} does not exist (the model has {})",
                self.outputs.len()
            )));
        }
        if !self.computed {
            return Err(Error::runtime("get_output before compute"));
        }
        Ok(self.graph.out_map[index as usize])
    }
}

impl Context for LiteRtContext {
    fn set_input(&mut self, index: u32, t: &TensorIn<'_>) -> Result<()> {
        self.usable()?;
        if index as usize >= self.inputs.len() {
            return Err(Error::invalid(format!("input {index} does not exist (the model has {})", self.inputs.len())));
        }
        let i = self.graph.in_map[index as usize];
        engine::check_type(index, t, self.inputs[i].element_type)?;
        let decl = &self.graph.info.inputs[index as usize];
        if !engine::same_dims(t.dims, self.inputs[i].dims())
            && engine::resizable(t.dims, &decl.shape, decl.signature.as_deref())
        {
            self.resize(i, t.dims)?;
            log::debug!("wasi-nn tflite: input {index} resized to {:?}", t.dims);
        }
        let want = self.inputs[i].byte_size().ok_or_else(|| Error::runtime("input of unknown size"))?;
        if t.data.len() != want {
            return Err(Error::invalid(format!(
                "input {index}: the model wants {want} bytes (shape {:?}) but the tensor has {} bytes (dims {:?})",
                self.inputs[i].dims(),
                t.data.len(),
                t.dims
            )));
        }
        let api = self.api();
        let mut p: *mut c_void = std::ptr::null_mut();
        // SAFETY: buffer live; LiteRT returns a host pointer valid until unlock.
        let s = unsafe { (api.lock)(self.in_bufs[i], &mut p, LOCK_WRITE) };
        if s != OK || p.is_null() {
            return Err(fail("locking an input buffer", s));
        }
        // SAFETY: the buffer was created for this ranked type, so it holds at least `want` bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(t.data.as_ptr(), p as *mut u8, want);
            (api.unlock)(self.in_bufs[i]);
        }
        Ok(())
    }

    fn compute(&mut self) -> Result<()> {
        self.usable()?;
        let api = self.api();
        // SAFETY: compiled model and buffers live; the vectors hold the right counts.
        let s = unsafe {
            (api.run)(
                self.compiled.handle,
                0,
                self.in_bufs.len(),
                self.in_bufs.as_mut_ptr(),
                self.out_bufs.len(),
                self.out_bufs.as_mut_ptr(),
            )
        };
        self.computed = s == OK;
        if s != OK {
            return Err(fail("inference", s));
        }
        Ok(())
    }

    fn output_size(&mut self, index: u32) -> Result<usize> {
        let i = self.output_index(index)?;
        self.outputs[i].byte_size().ok_or_else(|| Error::runtime("output of unknown size"))
    }

    fn copy_output(&mut self, index: u32, out: &mut [u8]) -> Result<()> {
        let i = self.output_index(index)?;
        let api = self.api();
        let mut p: *mut c_void = std::ptr::null_mut();
        // SAFETY: buffer live; host pointer valid until unlock.
        let s = unsafe { (api.lock)(self.out_bufs[i], &mut p, LOCK_READ) };
        if s != OK || p.is_null() {
            return Err(fail("locking an output buffer", s));
        }
        // SAFETY: out.len() equals the output's packed size, which the buffer holds.
        unsafe {
            std::ptr::copy_nonoverlapping(p as *const u8, out.as_mut_ptr(), out.len());
            (api.unlock)(self.out_bufs[i]);
        }
        Ok(())
    }
}
