//! Where the engine libraries are looked for, in order:
//! 1. an explicit path (`engine_lib=` / EMBER_TFLITE_LIB),
//! 2. next to this backend library (and its `engines/` subfolder, the bundle layout),
//! 3. the Ember cache filled by nn/engines/fetch.sh: ${EMBER_CACHE:-$HOME/.cache/ember}/engines/
//!    litert/<arch>/ and tflite-classic/<arch>/,
//! 4. the loader's own search (LD_LIBRARY_PATH, RUNPATH, system directories) by bare name.

use std::path::{Path, PathBuf};

use crate::options::EngineKind;

pub fn file_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::LiteRt => "libLiteRt.so",
        EngineKind::Classic => "libtensorflowlite_c.so",
    }
}

fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("EMBER_CACHE").filter(|v| !v.is_empty()) {
        Some(c) => Some(PathBuf::from(c)),
        None => std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache").join("ember")),
    }
}

/// The directory holding this backend library.
fn own_dir() -> Option<PathBuf> {
    let addr = own_dir as *const () as usize;
    ember_platform::dynlib::path_of_address(addr).and_then(|p| p.parent().map(Path::to_path_buf))
}

/// Candidate paths for `kind`, most specific first; the last one is the bare name.
pub fn candidates(kind: EngineKind) -> Vec<PathBuf> {
    let name = file_name(kind);
    let mut out = Vec::new();
    if let Some(dir) = own_dir() {
        out.push(dir.join(name));
        out.push(dir.join("engines").join(name));
    }
    if let Some(cache) = cache_dir() {
        let sub = match kind {
            EngineKind::LiteRt => "litert",
            EngineKind::Classic => "tflite-classic",
        };
        out.push(cache.join("engines").join(sub).join(std::env::consts::ARCH).join(name));
    }
    out.push(PathBuf::from(name));
    out
}
