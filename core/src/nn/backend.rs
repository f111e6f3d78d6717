//! One loaded wasi-nn backend: its library, its checked table and initialised state
//! (`ember_nn_abi::host`), and the runtime's log sink handed to it.
//!
//! The table comes from a library's `ember_nn_backend_entry` (nn/include/wasi_nn_backend.h).
//! Everything a backend hands back is checked before it is trusted; a library with another ABI
//! version is refused naming both versions. Failures are logged here, once, at warn.

use super::NnResult;
pub use ember_nn_abi::host::Handle;
use ember_nn_abi::host::{Failure, Instance, NamedModelRef, Table};
use ember_nn_abi::{log_level, EntryFn, NnError};
use ember_platform::dynlib::DynLib;
use std::ffi::{c_char, c_void, CStr};
use std::path::{Path, PathBuf};

/// Why a backend could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// Not a backend, another ABI version, a bad table: the library cannot be used.
    Unusable(String),
    /// init refused the options it was given (a bad value): the user must fix the options;
    /// the model must not silently go to another backend.
    BadOptions(String),
    /// init failed for another reason (engine missing, ...): another backend may serve.
    InitFailed(String),
}

impl OpenError {
    pub fn message(&self) -> &str {
        match self {
            OpenError::Unusable(m) | OpenError::BadOptions(m) | OpenError::InitFailed(m) => m,
        }
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for OpenError {}

pub struct LoadedBackend {
    instance: Instance,
    /// Where it came from (a file, or "<builtin ...>" for tables linked in).
    path: PathBuf,
    /// Keeps the library mapped for as long as the table is used. Never closed: engines keep
    /// threads and global state that do not survive dlclose (see Drop).
    lib: Option<DynLib>,
}

impl std::fmt::Debug for LoadedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "backend {} ({})", self.name(), self.path.display())
    }
}

/// libvmcore.so's log sink for backends (`ember_nn_host_log`): the record goes through the
/// runtime's logger, so -v=N and RUST_LOG apply to it.
unsafe extern "C" fn host_log(level: u32, target: *const c_char, msg: *const u8, len: usize) {
    let level = match level {
        log_level::ERROR => log::Level::Error,
        log_level::WARN => log::Level::Warn,
        log_level::INFO => log::Level::Info,
        log_level::DEBUG => log::Level::Debug,
        log_level::TRACE => log::Level::Trace,
        _ => return,
    };
    if level > log::max_level() || msg.is_null() {
        return;
    }
    let target = if target.is_null() {
        "wasi_nn_backend"
    } else {
        // SAFETY: a NUL-terminated string for the call (ABI).
        unsafe { CStr::from_ptr(target) }.to_str().unwrap_or("wasi_nn_backend")
    };
    // SAFETY: msg is readable for len bytes for the call (ABI).
    let text = String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(msg, len) });
    let logger = log::logger();
    let metadata = log::Metadata::builder().level(level).target(target).build();
    if logger.enabled(&metadata) {
        logger.log(&log::Record::builder().metadata(metadata).args(format_args!("{text}")).build());
    }
}

fn current_log_level() -> u32 {
    match log::max_level() {
        log::LevelFilter::Off => log_level::OFF,
        log::LevelFilter::Error => log_level::ERROR,
        log::LevelFilter::Warn => log_level::WARN,
        log::LevelFilter::Info => log_level::INFO,
        log::LevelFilter::Debug => log_level::DEBUG,
        log::LevelFilter::Trace => log_level::TRACE,
    }
}

impl LoadedBackend {
    /// Open `path`, check that it is a wasi-nn backend of our ABI version, and initialise it
    /// with `options` ("key=value"; see `select_options`).
    pub fn open(path: &Path, options: impl FnOnce(&Table) -> Vec<String>) -> Result<LoadedBackend, OpenError> {
        Self::from_lib(DynLib::open(path).map_err(OpenError::Unusable)?, options)
    }

    /// As `open`, for a library already opened.
    pub fn from_lib(lib: DynLib, options: impl FnOnce(&Table) -> Vec<String>) -> Result<LoadedBackend, OpenError> {
        let path = lib.path().to_path_buf();
        let entry_name = std::str::from_utf8(&ember_nn_abi::ENTRY_SYMBOL[..ember_nn_abi::ENTRY_SYMBOL.len() - 1])
            .unwrap_or("ember_nn_backend_entry");
        let addr = lib.symbol_address(entry_name).ok_or_else(|| {
            OpenError::Unusable(format!("{} is not a wasi-nn backend: it does not export {entry_name}", path.display()))
        })?;
        // SAFETY: the symbol is the backend entry point of the ABI, declared in the header as
        // `const ember_nn_backend *ember_nn_backend_entry(void)`, which is what EntryFn is.
        let entry: EntryFn = unsafe { std::mem::transmute::<*const c_void, EntryFn>(addr) };
        // SAFETY: calling the entry function as declared; it takes no arguments.
        let table = unsafe { entry() };
        // SAFETY: the entry function of the ABI returns NULL or a table static in `lib`.
        unsafe { Self::from_table(table, path, Some(lib), options) }
    }

    /// Check and initialise a table (from a library, or linked in for tests).
    ///
    /// # Safety
    /// As `ember_nn_abi::host::Table::check`; the table stays valid while `lib` is loaded.
    pub unsafe fn from_table(
        table: *const ember_nn_abi::Backend,
        path: PathBuf,
        lib: Option<DynLib>,
        options: impl FnOnce(&Table) -> Vec<String>,
    ) -> Result<LoadedBackend, OpenError> {
        // SAFETY: forwarded contract.
        let table = unsafe { Table::check(table, &path) }.map_err(OpenError::Unusable)?;
        let name = table.name().to_string();
        let options = options(&table);
        match table.init(&options, host_log, current_log_level()) {
            Ok(instance) => Ok(LoadedBackend { instance, path, lib }),
            Err(f) => {
                let msg = format!("{}: backend {name} failed to initialise ({f})", path.display());
                // The library stays mapped (see Drop).
                std::mem::forget(lib);
                Err(if f.code == NnError::InvalidArgument { OpenError::BadOptions(msg) } else { OpenError::InitFailed(msg) })
            }
        }
    }

    pub fn name(&self) -> &str {
        self.instance.name()
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    pub fn encodings(&self) -> &[u32] {
        self.instance.encodings()
    }
    pub fn serves(&self, encoding: u32) -> bool {
        self.instance.serves(encoding)
    }
    pub fn loads_files(&self) -> bool {
        self.instance.loads_files()
    }

    /// Log a failed call once, here: too_large at debug (the guest retries with a larger
    /// buffer), everything else at warn with the backend's detail.
    fn logged<T>(&self, what: &str, r: Result<T, Failure>) -> Result<T, Failure> {
        if let Err(f) = &r {
            match f.code {
                NnError::TooLarge => log::debug!("wasi-nn: {} {what}: buffer too small", self.name()),
                NnError::EndOfSequence => log::debug!("wasi-nn: {} {what}: end of sequence", self.name()),
                _ => log::warn!("wasi-nn: {} {what}: {f}", self.name()),
            }
        }
        r
    }

    pub fn load(&self, builders: &[&[u8]], encoding: u32, target: u32) -> NnResult<Handle> {
        self.logged("load", self.instance.load(builders, encoding, target)).map_err(|f| f.code)
    }

    pub fn load_named(&self, model: &NamedModelRef<'_>, config: &[u8]) -> NnResult<Handle> {
        self.logged("load", self.instance.load_named(model, config)).map_err(|f| f.code)
    }

    pub fn unload(&self, graph: Handle) {
        self.instance.unload(graph)
    }

    pub fn init_execution_context(&self, graph: Handle) -> NnResult<Handle> {
        self.logged("init_execution_context", self.instance.init_execution_context(graph)).map_err(|f| f.code)
    }

    pub fn finalize_execution_context(&self, ctx: Handle) {
        self.instance.finalize_execution_context(ctx)
    }

    /// `data` points into guest memory for the duration of the call (zero copy).
    pub fn set_input(&self, ctx: Handle, index: u32, dims: &[u32], ty: u32, data: &[u8]) -> NnResult<()> {
        self.logged("set_input", self.instance.set_input(ctx, index, dims, ty, data)).map_err(|f| f.code)
    }

    pub fn compute(&self, ctx: Handle) -> NnResult<()> {
        self.logged("compute", self.instance.compute(ctx)).map_err(|f| f.code)
    }

    pub fn compute_single(&self, ctx: Handle) -> NnResult<()> {
        self.logged("compute_single", self.instance.compute_single(ctx)).map_err(|f| f.code)
    }

    pub fn fini_single(&self, ctx: Handle) -> NnResult<()> {
        self.logged("fini_single", self.instance.fini_single(ctx)).map_err(|f| f.code)
    }

    /// Writes output `index` into `out` (guest memory, zero copy). Returns the output's size in
    /// bytes; on too_large, `Err((TooLarge, Some(needed)))`.
    pub fn get_output(&self, ctx: Handle, index: u32, out: &mut [u8], single: bool) -> Result<usize, (NnError, Option<usize>)> {
        let r = if single {
            self.instance.get_output_single(ctx, index, out)
        } else {
            self.instance.get_output(ctx, index, out)
        };
        self.logged(if single { "get_output_single" } else { "get_output" }, r).map_err(|f| (f.code, f.needed))
    }
}

impl Drop for LoadedBackend {
    fn drop(&mut self) {
        // The instance's destroy runs (after every graph and context of this backend was
        // released: they hold an Arc to it). The library stays mapped (no dlclose): a backend's
        // engine may keep threads or atexit handlers pointing into it.
        if let Some(lib) = self.lib.take() {
            std::mem::forget(lib);
        }
    }
}
