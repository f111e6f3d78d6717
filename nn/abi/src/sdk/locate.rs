//! Where a backend looks for its engine library (LiteRT, ONNX Runtime, OpenVINO, ...), in order:
//! 1. an explicit path given by the backend's `engine_lib=` option or environment variable (the
//!    backend puts it first itself),
//! 2. next to the backend library, and its `engines/` subfolder (the bundle layout),
//! 3. the Ember cache filled by nn/engines/fetch.sh:
//!    `${EMBER_CACHE:-$HOME/.cache/ember}/engines/<cache_dir>/<arch>/`,
//! 4. the loader's own search (LD_LIBRARY_PATH, RUNPATH, system directories) by bare name.

use std::path::{Path, PathBuf};

fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("EMBER_CACHE").filter(|v| !v.is_empty()) {
        Some(c) => Some(PathBuf::from(c)),
        None => std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache").join("ember")),
    }
}

/// The directory holding the backend library this code is linked into.
fn own_dir() -> Option<PathBuf> {
    let addr = own_dir as *const () as usize;
    ember_platform::dynlib::path_of_address(addr).and_then(|p| p.parent().map(Path::to_path_buf))
}

/// Candidate paths of engine library `file_name` (e.g. "libonnxruntime.so"), most specific
/// first; the last one is the bare name. `cache_dir`: its folder under the cache's `engines/`.
pub fn engine_candidates(file_name: &str, cache_dir_name: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(dir) = own_dir() {
        out.push(dir.join(file_name));
        out.push(dir.join("engines").join(file_name));
    }
    if let Some(cache) = cache_dir() {
        out.push(cache.join("engines").join(cache_dir_name).join(std::env::consts::ARCH).join(file_name));
    }
    out.push(PathBuf::from(file_name));
    out
}

/// Open a backend's engine library: `explicit` (the backend's `engine_lib=` option) or the
/// environment variable `env_var` if set, else each of [`engine_candidates`] (plus `extra`
/// bare names) until `open` succeeds. The error (not_found) lists every path tried and why, and
/// says how to provide the engine.
pub fn open_engine<T>(
    what: &str,
    explicit: Option<PathBuf>,
    env_var: &str,
    file_name: &str,
    cache_dir_name: &str,
    extra: &[&str],
    open: impl Fn(&Path) -> Result<T, String>,
) -> super::Result<T> {
    let explicit = explicit.or_else(|| std::env::var_os(env_var).filter(|v| !v.is_empty()).map(PathBuf::from));
    let candidates = match explicit {
        Some(p) => vec![p],
        None => {
            let mut c = engine_candidates(file_name, cache_dir_name);
            c.extend(extra.iter().map(PathBuf::from));
            c
        }
    };
    let mut tried = Vec::new();
    for p in candidates {
        if p.components().count() > 1 && !p.exists() {
            tried.push(format!("{} (absent)", p.display()));
            continue;
        }
        match open(&p) {
            Ok(engine) => return Ok(engine),
            Err(why) => tried.push(format!("{} ({why})", p.display())),
        }
    }
    Err(super::Error::new(
        crate::NnError::NotFound,
        format!(
            "no {what} library found; tried: {}. Run nn/engines/fetch.sh, or set engine_lib= / {env_var}",
            tried.join("; ")
        ),
    ))
}
