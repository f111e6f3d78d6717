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
