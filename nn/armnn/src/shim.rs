//! Safe Rust face of the C++ shim (shim/armnn_shim.h is the source of truth for these
//! declarations). The shim catches every C++ exception, so these calls never unwind.
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::{self, NonNull};
use std::sync::{Arc, Mutex};

use ember_nn_abi::sdk::{Error, Result};
use ember_nn_abi::NnError;

#[repr(C)]
struct RawRuntime {
    _opaque: [u8; 0],
}
#[repr(C)]
struct RawNetwork {
    _opaque: [u8; 0],
}

pub const MAX_DIMS: usize = 8;

/// Element kinds (EMBER_ARMNN_* in armnn_shim.h).
pub mod kind {
    pub const FLOAT32: u32 = 0;
    pub const FLOAT16: u32 = 1;
    pub const QASYMM_U8: u32 = 2;
    pub const QASYMM_S8: u32 = 3;
    pub const QSYMM_S8: u32 = 4;
    pub const SIGNED32: u32 = 5;
    pub const BOOLEAN: u32 = 6;

    pub fn name(kind: u32) -> &'static str {
        match kind {
            FLOAT32 => "float32",
            FLOAT16 => "float16",
            QASYMM_U8 => "uint8 (quantized)",
            QASYMM_S8 => "int8 (quantized)",
            QSYMM_S8 => "int8 (symmetric quantized)",
            SIGNED32 => "int32",
            BOOLEAN => "bool",
            _ => "an ArmNN type Ember does not map",
        }
    }
}

/// ember_armnn_tensor_desc: shape, element kind and size of a network input or output.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct TensorDesc {
    pub kind: u32,
    pub num_dims: u32,
    pub dims: [u32; MAX_DIMS],
    pub num_elements: u64,
    pub num_bytes: u64,
    pub scale: f32,
    pub offset: i32,
}

impl TensorDesc {
    pub fn shape(&self) -> &[u32] {
        &self.dims[..(self.num_dims as usize).min(MAX_DIMS)]
    }
}

extern "C" {
    fn ember_armnn_rt_create(backends_path: *const c_char, out: *mut *mut RawRuntime, err: *mut c_char, err_len: usize) -> u32;
    fn ember_armnn_rt_destroy(rt: *mut RawRuntime);
    fn ember_armnn_rt_backends(rt: *const RawRuntime, buf: *mut c_char, buf_len: usize) -> usize;
    fn ember_armnn_net_load(
        rt: *mut RawRuntime,
        model: *const u8,
        model_len: usize,
        backends: *const c_char,
        out: *mut *mut RawNetwork,
        err: *mut c_char,
        err_len: usize,
    ) -> u32;
    fn ember_armnn_net_unload(net: *mut RawNetwork);
    fn ember_armnn_net_probe(
        rt: *mut RawRuntime,
        model: *const u8,
        model_len: usize,
        backends: *const c_char,
        run: c_int,
        timeout_ms: u32,
        err: *mut c_char,
        err_len: usize,
    ) -> u32;
    fn ember_armnn_net_num_inputs(net: *const RawNetwork) -> u32;
    fn ember_armnn_net_num_outputs(net: *const RawNetwork) -> u32;
    fn ember_armnn_net_tensor_desc(net: *const RawNetwork, is_output: c_int, index: u32, desc: *mut TensorDesc) -> u32;
    fn ember_armnn_net_run(
        net: *mut RawNetwork,
        inputs: *const *const c_void,
        outputs: *const *mut c_void,
        err: *mut c_char,
        err_len: usize,
    ) -> u32;
}

const ERR_LEN: usize = 1024;

/// The NUL-terminated text the shim wrote into `buf` (all of it if there is no NUL).
fn c_text(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn shim_error(code: u32, buf: &[c_char; ERR_LEN]) -> Error {
    // ArmNN's messages end in " at function F [file:line]" and may contain newlines.
    let text = c_text(buf);
    Error::new(NnError::from_raw(code), text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An armnn::IRuntime with its dynamic backends.
pub struct Runtime {
    raw: NonNull<RawRuntime>,
}

// SAFETY: armnn::IRuntime is built for use from several threads (LoadNetwork, UnloadNetwork and
// EnqueueWorkload take its internal locks); the handle itself is only a pointer.
unsafe impl Send for Runtime {}
// SAFETY: see above.
unsafe impl Sync for Runtime {}

impl Runtime {
    pub fn new(backends_path: Option<&CStr>) -> Result<Runtime> {
        let mut err = [0 as c_char; ERR_LEN];
        let mut raw = ptr::null_mut();
        let path = backends_path.map_or(ptr::null(), CStr::as_ptr);
        // SAFETY: `path` is NULL or a C string; out-pointer and error buffer are valid.
        let code = unsafe { ember_armnn_rt_create(path, &mut raw, err.as_mut_ptr(), ERR_LEN) };
        match NonNull::new(raw) {
            Some(raw) if code == 0 => Ok(Runtime { raw }),
            _ => Err(shim_error(if code == 0 { NnError::RuntimeError as u32 } else { code }, &err)),
        }
    }

    /// Ids of the backends this runtime can use ("CpuRef", "CpuAcc", "GpuAcc").
    pub fn backends(&self) -> Vec<String> {
        let mut buf = [0 as c_char; 256];
        // SAFETY: the runtime is live; the shim writes at most buf.len() bytes with a NUL.
        unsafe { ember_armnn_rt_backends(self.raw.as_ptr(), buf.as_mut_ptr(), buf.len()) };
        c_text(&buf).split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // SAFETY: every Network holds an Arc of this runtime, so none is left; freed once.
        unsafe { ember_armnn_rt_destroy(self.raw.as_ptr()) }
    }
}

/// A network parsed from a TFLite model and loaded into a runtime.
pub struct Network {
    raw: NonNull<RawNetwork>,
    _runtime: Arc<Runtime>, // keeps the IRuntime alive as long as the network
    /// ArmNN 20.08's LoadedNetwork keeps its input/output handles and working memory in the
    /// network: two contexts of one graph must not run it at the same time.
    run_lock: Mutex<()>,
    pub inputs: Vec<TensorDesc>,
    pub outputs: Vec<TensorDesc>,
}

// SAFETY: see Runtime; a loaded network is used through the runtime's thread-safe calls.
unsafe impl Send for Network {}
// SAFETY: see above.
unsafe impl Sync for Network {}

/// Loads `model` (and runs it once when `run`) in a forked child (see ember_armnn_net_probe): Err
/// when ArmNN crashed or hung on it there.
pub fn probe(runtime: &Runtime, model: &[u8], backends: &CStr, run: bool, timeout_ms: u32) -> Result<()> {
    let mut err = [0 as c_char; ERR_LEN];
    // SAFETY: model points to model.len() readable bytes; other pointers are valid.
    let code = unsafe {
        ember_armnn_net_probe(
            runtime.raw.as_ptr(),
            model.as_ptr(),
            model.len(),
            backends.as_ptr(),
            c_int::from(run),
            timeout_ms,
            err.as_mut_ptr(),
            ERR_LEN,
        )
    };
    if code == 0 {
        Ok(())
    } else {
        Err(shim_error(code, &err))
    }
}

impl Network {
    /// `backends`: comma-separated preference list, e.g. "CpuAcc,CpuRef".
    pub fn load(runtime: &Arc<Runtime>, model: &[u8], backends: &CStr) -> Result<Network> {
        let mut err = [0 as c_char; ERR_LEN];
        let mut raw = ptr::null_mut();
        // SAFETY: model points to model.len() readable bytes; other pointers are valid.
        let code = unsafe {
            ember_armnn_net_load(
                runtime.raw.as_ptr(),
                model.as_ptr(),
                model.len(),
                backends.as_ptr(),
                &mut raw,
                err.as_mut_ptr(),
                ERR_LEN,
            )
        };
        let raw = match NonNull::new(raw) {
            Some(raw) if code == 0 => raw,
            _ => return Err(shim_error(if code == 0 { NnError::RuntimeError as u32 } else { code }, &err)),
        };
        let mut net = Network {
            raw,
            _runtime: Arc::clone(runtime),
            run_lock: Mutex::new(()),
            inputs: Vec::new(),
            outputs: Vec::new(),
        };
        // SAFETY: `raw` is a live network.
        let (n_in, n_out) = unsafe { (ember_armnn_net_num_inputs(raw.as_ptr()), ember_armnn_net_num_outputs(raw.as_ptr())) };
        net.inputs = crate::try_vec(n_in as usize, "input descriptors")?;
        net.outputs = crate::try_vec(n_out as usize, "output descriptors")?;
        for (is_output, count) in [(0, n_in), (1, n_out)] {
            for index in 0..count {
                let mut desc = TensorDesc::default();
                // SAFETY: live network, index in range, `desc` is writable.
                let code = unsafe { ember_armnn_net_tensor_desc(raw.as_ptr(), is_output, index, &mut desc) };
                if code != 0 {
                    let which = if is_output == 1 { "output" } else { "input" };
                    return Err(Error::new(
                        NnError::from_raw(code),
                        format!("{which} {index}: more than {MAX_DIMS} dimensions or unreadable tensor info"),
                    ));
                }
                if is_output == 1 { &mut net.outputs } else { &mut net.inputs }.push(desc);
            }
        }
        Ok(net)
    }

    /// Runs the network. `inputs[i]` must hold inputs[i].num_bytes bytes, `outputs[i]` room for
    /// outputs[i].num_bytes (the caller, crate::graph::Context, sizes them from the descriptors).
    pub fn run(&self, inputs: &[*const c_void], outputs: &[*mut c_void]) -> Result<()> {
        if inputs.len() != self.inputs.len() || outputs.len() != self.outputs.len() {
            return Err(Error::runtime("internal: tensor count mismatch"));
        }
        let mut err = [0 as c_char; ERR_LEN];
        // A panic elsewhere while holding the lock leaves nothing half-done here: ignore poison.
        let _running = self.run_lock.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: one buffer per input/output, each sized from this network's descriptors.
        let code = unsafe { ember_armnn_net_run(self.raw.as_ptr(), inputs.as_ptr(), outputs.as_ptr(), err.as_mut_ptr(), ERR_LEN) };
        if code == 0 {
            Ok(())
        } else {
            Err(shim_error(code, &err))
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // SAFETY: the network is live and unloaded once; its runtime is still alive (Arc above).
        unsafe { ember_armnn_net_unload(self.raw.as_ptr()) }
    }
}
