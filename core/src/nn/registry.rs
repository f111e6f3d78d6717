//! Which backend serves which encoding: backends registered through --native-lib, and
//! automatic lookup of libwasi_nn_backend_<name>.so in backend directories.
//!
//! Order for an encoding E:
//! 1. every preferred backend name (--wasi-nn-backend), registered or found in a directory;
//! 2. backends already registered (--native-lib, or loaded earlier), in registration order;
//! 3. the default names for E (tensorflowlite: tflite, armnn, openvino; onnx: onnx, openvino,
//!    tract; openvino: openvino; ggml: ggml, llamacpp; tensorflow: tensorflow; pytorch: pytorch)
//!    in the directories.
//!
//! A candidate is used only if its table lists E. Directories, in order: --wasi-nn-backend-dir
//! options, EMBER_NN_BACKEND_DIR (colon-separated), then `<dir of libvmcore.so>/wasi-nn` and
//! `<dir of libvmcore.so>` (found through /proc/self/maps, so a relocated bundle works).
//! Backends are loaded once per process and stay loaded: `nn::shutdown` (last
//! `wasm_runtime_destroy`) destroys each backend no instance still uses, but its library stays
//! mapped (engines may keep threads or atexit handlers in it).
//!
//! A file that fails (cannot open, no `ember_nn_backend_entry` = "not a wasi-nn backend",
//! another ABI version, init failure) is logged with `log::error` and not retried. A backend
//! whose init fails with invalid_argument (a bad option value) ends the search with an error:
//! the model is not handed to the next backend. When nothing serves E the guest gets
//! invalid_encoding and the log names the encoding, every file tried, every directory searched
//! and each failure. Options: a backend gets only the keys it declares (`option_keys`); a key
//! given with its name that it does not declare, and a `--wasi-nn-backend`/`-opt` name that
//! matches no library, are warned about at the default level.

use super::backend::{LoadedBackend, OpenError};
use super::config;
use super::detect::encoding_name;
use ember_nn_abi::encoding;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Registry {
    backends: Vec<Arc<LoadedBackend>>,
    /// Files that failed to load, with the reason (not retried).
    failed: BTreeMap<PathBuf, OpenError>,
    /// The user's backend names were checked against the directories (once per settings).
    names_checked: bool,
}

static REGISTRY: Mutex<Registry> =
    Mutex::new(Registry { backends: Vec::new(), failed: BTreeMap::new(), names_checked: false });

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|p| p.into_inner())
}

/// File name of backend `name`.
pub fn library_file_name(name: &str) -> String {
    format!("libwasi_nn_backend_{name}.so")
}

/// Backend names conventionally serving `enc`.
pub fn default_names(enc: u32) -> &'static [&'static str] {
    match enc {
        encoding::TENSORFLOWLITE => &["tflite", "armnn", "openvino"],
        encoding::ONNX => &["onnx", "openvino", "tract"],
        encoding::OPENVINO => &["openvino"],
        encoding::GGML => &["ggml", "llamacpp"],
        encoding::TENSORFLOW => &["tensorflow"],
        encoding::PYTORCH => &["pytorch"],
        _ => &[],
    }
}

/// The directories searched for backend libraries, in order.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = config::with_settings(|s| s.backend_dirs.clone());
    if let Some(env) = std::env::var_os("EMBER_NN_BACKEND_DIR") {
        for d in std::env::split_paths(&env) {
            if !d.as_os_str().is_empty() {
                dirs.push(d);
            }
        }
    }
    if let Some(own) = ember_platform::dynlib::path_of_address(search_dirs as fn() -> Vec<PathBuf> as usize) {
        if let Some(libdir) = own.parent() {
            dirs.push(libdir.join("wasi-nn"));
            dirs.push(libdir.to_path_buf());
        }
    }
    let mut seen = Vec::new();
    dirs.retain(|d| {
        if seen.contains(d) {
            false
        } else {
            seen.push(d.clone());
            true
        }
    });
    dirs
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Load a backend library the user names (`ember_nn_register_backend`) and register it
/// (`--native-lib` goes through [`claim_library`]). The error's `Display` is a complete
/// one-line message: not a backend, wrong ABI version (naming both versions), init failure.
/// Registering the same file twice returns the backend already loaded.
pub fn register_backend_library(path: &Path) -> Result<Arc<LoadedBackend>, OpenError> {
    register_opened(path, None)
}

/// The init options for a backend: those given for all backends or for its name, restricted to
/// the keys its table declares. An undeclared key given with the backend's name is warned
/// about (a typo the user must hear of); one given for all backends is for another backend.
fn select_options(table: &ember_nn_abi::host::Table) -> Vec<String> {
    let keys = table.option_keys();
    let mut chosen = Vec::new();
    for (named, kv) in config::options_for(table.name()) {
        let key = kv.split_once('=').map_or(kv.as_str(), |(k, _)| k).trim();
        if ember_nn_abi::host::key_declared(keys, key) {
            chosen.push(kv);
        } else if named {
            log::warn!(
                "wasi-nn: backend '{}' has no option '{key}' (ignored; it takes: {})",
                table.name(),
                if keys.is_empty() { "none".to_string() } else { keys.join(", ") }
            );
        } else {
            log::debug!("wasi-nn: option '{key}' is not one of backend '{}''s", table.name());
        }
    }
    chosen
}

/// Register `path`, using `lib` if the caller already opened it (no second dlopen).
fn register_opened(path: &Path, lib: Option<ember_platform::dynlib::DynLib>) -> Result<Arc<LoadedBackend>, OpenError> {
    let mut reg = registry();
    if let Some(b) = reg.backends.iter().find(|b| same_file(b.path(), path)) {
        return Ok(b.clone());
    }
    let b = match lib {
        Some(lib) => LoadedBackend::from_lib(lib, select_options)?,
        None => LoadedBackend::open(path, select_options)?,
    };
    let file_name = path.file_name().and_then(|f| f.to_str()).unwrap_or("");
    if file_name.starts_with("libwasi_nn_backend_") && !file_name.starts_with(&library_file_name(b.name())) {
        log::warn!("wasi-nn: {} calls itself '{}'", path.display(), b.name());
    }
    log::info!(
        "wasi-nn: backend '{}' from {} serves {}",
        b.name(),
        path.display(),
        b.encodings().iter().map(|e| encoding_name(*e)).collect::<Vec<_>>().join(", ")
    );
    let b = Arc::new(b);
    reg.backends.push(b.clone());
    Ok(b)
}

/// wasi-nn's library claimer (`HostInterface::claim_library`, asked by the `--native-lib`
/// loader before the WAMR protocol): when `path` exports `ember_nn_backend_entry` it is a
/// wasi-nn backend, registered here, and the result is `Some(Ok(description))` or
/// `Some(Err(why))` (wrong ABI version, init failure: printed like any --native-lib error).
/// `None`: not a backend (or not loadable at all), left to the WAMR protocol.
pub fn claim_library(path: &Path) -> Option<Result<String, OpenError>> {
    let lib = ember_platform::dynlib::DynLib::open(path).ok()?;
    if !is_backend_library(&lib) {
        return None;
    }
    Some(register_opened(path, Some(lib)).map(|b| {
        format!(
            "wasi-nn backend '{}' ({}) for {}",
            b.name(),
            path.display(),
            b.encodings().iter().map(|e| encoding_name(*e)).collect::<Vec<_>>().join(", ")
        )
    }))
}

/// Does this library announce itself as a wasi-nn backend (exports `ember_nn_backend_entry`)?
pub fn is_backend_library(lib: &ember_platform::dynlib::DynLib) -> bool {
    let name = std::str::from_utf8(&ember_nn_abi::ENTRY_SYMBOL[..ember_nn_abi::ENTRY_SYMBOL.len() - 1]).unwrap_or("");
    lib.symbol_address(name).is_some()
}

/// Register a backend table linked into the process (used by tests of libvmcore.so itself).
#[cfg(test)]
pub fn register_table(table: &'static ember_nn_abi::Backend, name: &str) -> Arc<LoadedBackend> {
    // SAFETY: a static Backend table linked into the test binary.
    let b = unsafe { LoadedBackend::from_table(table, PathBuf::from(format!("<builtin {name}>")), None, select_options) };
    let b = Arc::new(b.expect("test table"));
    registry().backends.push(b.clone());
    b
}

/// Warn (once per settings) about backend names the user gave that match no registered backend
/// and no library in the directories: a typo would otherwise go unnoticed.
fn check_user_names(dirs: &[PathBuf]) {
    {
        let mut reg = registry();
        if reg.names_checked {
            return;
        }
        reg.names_checked = true;
    }
    for name in config::named_backends() {
        let registered = registry().backends.iter().any(|b| b.name() == name);
        let file = library_file_name(&name);
        if !registered && !dirs.iter().any(|d| d.join(&file).is_file()) {
            log::warn!(
                "wasi-nn: no backend named '{name}': no {file} in {} (given with --wasi-nn-backend or --wasi-nn-backend-opt)",
                dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
            );
        }
    }
}

/// Find (loading if needed) the backend for `enc`. The error is the message that was logged.
///
/// A backend whose init refuses its options (a bad value) ends the search with an error: the
/// model is never handed to another backend behind the user's back.
pub fn backend_for(enc: u32) -> Result<Arc<LoadedBackend>, String> {
    let preferred: Vec<String> = config::with_settings(|s| s.preferred_backends.clone());
    // Directories are listed only when a name is not registered yet (reading /proc/self/maps
    // on every load would be wasted work once the backends are loaded).
    let dirs: std::cell::OnceCell<Vec<PathBuf>> = std::cell::OnceCell::new();
    let mut tried_names: Vec<String> = Vec::new();
    let mut problems: Vec<String> = Vec::new();

    // Ok(Some): found; Ok(None): not here; Err: a bad option, stop.
    let try_name = |name: &str, tried: &mut Vec<String>, problems: &mut Vec<String>| -> Result<Option<Arc<LoadedBackend>>, String> {
        if let Some(b) = registry().backends.iter().find(|b| b.name() == name && b.serves(enc)) {
            return Ok(Some(b.clone()));
        }
        let file = library_file_name(name);
        if !tried.contains(&file) {
            tried.push(file.clone());
        }
        let dirs = dirs.get_or_init(search_dirs);
        check_user_names(dirs);
        for dir in dirs {
            let path = dir.join(&file);
            if !path.is_file() {
                continue;
            }
            if let Some(why) = registry().failed.get(&path) {
                if let OpenError::BadOptions(m) = why {
                    return Err(m.clone());
                }
                problems.push(why.message().to_string());
                continue;
            }
            match register_opened(&path, None) {
                Ok(b) if b.serves(enc) => return Ok(Some(b)),
                Ok(b) => problems.push(format!(
                    "{} (backend '{}') does not serve {}",
                    path.display(),
                    b.name(),
                    encoding_name(enc)
                )),
                Err(e) => {
                    log::error!("wasi-nn: {}", e.message());
                    let stop = matches!(e, OpenError::BadOptions(_)).then(|| e.message().to_string());
                    problems.push(e.message().to_string());
                    registry().failed.insert(path.clone(), e);
                    if let Some(m) = stop {
                        return Err(m);
                    }
                }
            }
        }
        Ok(None)
    };

    for name in &preferred {
        if let Some(b) = try_name(name, &mut tried_names, &mut problems)? {
            return Ok(b);
        }
    }
    if let Some(b) = registry().backends.iter().find(|b| b.serves(enc)) {
        return Ok(b.clone());
    }
    for name in default_names(enc) {
        if let Some(b) = try_name(name, &mut tried_names, &mut problems)? {
            return Ok(b);
        }
    }
    let dirs = dirs.get_or_init(search_dirs);
    let msg = format!(
        "no wasi-nn backend for encoding {} ({}): tried {} in {}{}{}",
        encoding_name(enc),
        enc,
        if tried_names.is_empty() { "no library names".to_string() } else { tried_names.join(", ") },
        if dirs.is_empty() {
            "no directories".to_string()
        } else {
            dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
        },
        if problems.is_empty() { "" } else { "; " },
        problems.join("; ")
    );
    log::error!("wasi-nn: {msg} (use --native-lib=PATH, --wasi-nn-backend-dir=DIR or EMBER_NN_BACKEND_DIR)");
    Err(msg)
}

/// Release every backend that no instance uses any more (their `destroy` runs, libraries stay
/// mapped) and forget failed lookups. Part of `nn::shutdown`.
pub fn shutdown() {
    let (backends, failed) = {
        let mut reg = registry();
        reg.names_checked = false;
        (std::mem::take(&mut reg.backends), std::mem::take(&mut reg.failed))
    };
    drop(failed);
    for b in backends {
        match Arc::try_unwrap(b) {
            Ok(b) => drop(b),
            Err(b) => {
                log::warn!("wasi-nn: backend {} still has live graphs at runtime shutdown; not destroyed", b.name());
                std::mem::forget(b);
            }
        }
    }
}
