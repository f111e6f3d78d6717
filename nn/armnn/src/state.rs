//! The backend state created by `init`: its options, the armnn::IRuntime with its dynamic
//! backends, and the mapping from wasi-nn execution targets to ArmNN backend preference lists.
use std::ffi::CString;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ember_nn_abi::sdk::{Error, Options, Result};
use ember_nn_abi::target;

use crate::shim::Runtime;

/// Environment variable naming the folder of ArmNN's dynamic backends (Arm_*_backend.so).
pub const BACKENDS_PATH_ENV: &str = "EMBER_ARMNN_BACKENDS_PATH";
/// Init option with the same meaning (wins over the environment).
pub const BACKENDS_PATH_OPTION: &str = "backends_path";
/// Init option: milliseconds a probe load may take; 0 turns probing off (trusted models only).
pub const PROBE_OPTION: &str = "probe_timeout_ms";
const DEFAULT_PROBE_MS: u32 = 60_000;
/// Init option: `probe_run=1` makes the probe also run one inference on zeroed inputs (catches
/// crashes at compute time too, at the cost of an inference per load: seconds on CpuRef).
pub const PROBE_RUN_OPTION: &str = "probe_run";

/// The process's one IRuntime and the backends folder it was created with. ArmNN's backend
/// registry is process-wide and an IRuntime's destructor unregisters the dynamic backends under
/// the feet of every other IRuntime ("CpuRef has no IBackend factory registered"), so all states
/// share one runtime, created at the first init and kept until the process ends.
static RUNTIME: Mutex<Option<(Arc<Runtime>, Option<String>)>> = Mutex::new(None);

fn shared_runtime(path: Option<&str>) -> Result<Arc<Runtime>> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((runtime, first)) = slot.as_ref() {
        if first.as_deref() != path {
            log::warn!(
                "ArmNN backends folder {:?} ignored: this process's ArmNN runtime already uses {:?}",
                path,
                first
            );
        }
        return Ok(Arc::clone(runtime));
    }
    let c_path = match path {
        Some(p) => Some(CString::new(p).map_err(|_| Error::invalid("backends_path contains NUL"))?),
        None => None,
    };
    let runtime = Arc::new(Runtime::new(c_path.as_deref())?);
    *slot = Some((Arc::clone(&runtime), path.map(str::to_owned)));
    Ok(runtime)
}

pub struct State {
    pub runtime: Arc<Runtime>,
    backends: Vec<String>,
    /// Where the dynamic backends were looked for (for error messages).
    searched: String,
    /// Each model is first loaded and run in a forked child (shim::probe), because ArmNN 20.08
    /// crashes on some malformed models; None when the probe is off.
    pub probe_timeout_ms: Option<u32>,
    pub probe_run: bool,
}

impl State {
    /// `options`: the init options (the keys of `Backend::OPTIONS`).
    pub fn new(options: &Options) -> Result<State> {
        let probe_timeout_ms = match options.parse_value::<u32>(PROBE_OPTION, "a number of milliseconds (0: no probe)")? {
            None => Some(DEFAULT_PROBE_MS),
            Some(0) => None,
            Some(ms) => Some(ms),
        };
        let probe_run = options.flag(PROBE_RUN_OPTION)?.unwrap_or(false);
        // An empty backends_path means ArmNN's default folder (the environment is not consulted).
        let path = match options.get(BACKENDS_PATH_OPTION) {
            Some(p) => Some(p.to_owned()),
            None => std::env::var(BACKENDS_PATH_ENV).ok(),
        }
        .filter(|p| !p.is_empty());
        if let Some(p) = &path {
            if !Path::new(p).is_dir() {
                return Err(Error::invalid(format!("ArmNN backends folder {p} does not exist")));
            }
        }
        let runtime = shared_runtime(path.as_deref())?;
        let backends = runtime.backends();
        let searched = path.unwrap_or_else(|| "ArmNN's built-in folder (/usr/lib/<triplet>/armnn22)".to_string());
        if !backends.iter().any(|b| b == "CpuAcc" || b == "CpuRef") {
            return Err(Error::runtime(format!(
                "no ArmNN CPU backend (CpuAcc or CpuRef) found in {searched} (found: [{}]); install \
                 libarmnn-cpuref-backend22 or set {BACKENDS_PATH_ENV}",
                backends.join(", ")
            )));
        }
        log::info!("ArmNN backends [{}] from {searched}", backends.join(", "));
        Ok(State { runtime, backends, searched, probe_timeout_ms, probe_run })
    }

    fn has(&self, id: &str) -> bool {
        self.backends.iter().any(|b| b == id)
    }

    /// Backends for the probe process: CpuRef only (CpuAcc's and GpuAcc's worker threads do not
    /// survive fork), or none (the probe then only parses) when CpuRef is not installed.
    pub fn probe_backends(&self) -> CString {
        CString::new(if self.has("CpuRef") { "CpuRef" } else { "" }).unwrap_or_default()
    }

    /// ArmNN backend preferences for a wasi-nn target, best first. ArmNN places each layer on the
    /// first backend of the list that supports it, so the CPU backends after GpuAcc/CpuAcc act as
    /// per-layer fallbacks. gpu without GpuAcc, and tpu (ArmNN has no TPU backend), run on the CPU
    /// with a warning, as the TFLite backend does without a delegate.
    pub fn preferences(&self, target: u32) -> Result<CString> {
        let mut list: Vec<&str> = Vec::new();
        match target {
            target::CPU => {}
            target::GPU if self.has("GpuAcc") => list.push("GpuAcc"),
            target::GPU => log::warn!(
                "target gpu asked but ArmNN's GpuAcc backend is not installed in {}; running on the CPU",
                self.searched
            ),
            target::TPU => log::warn!("ArmNN has no TPU backend; running on the CPU"),
            other => return Err(Error::invalid(format!("unknown execution target {other}"))),
        }
        list.extend(["CpuAcc", "CpuRef"].into_iter().filter(|b| self.has(b)));
        log::debug!("target {target} -> backends {}", list.join(","));
        CString::new(list.join(",")).map_err(|_| Error::runtime("internal: backend id with NUL"))
    }
}
