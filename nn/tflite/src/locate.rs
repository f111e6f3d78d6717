//! Engine library names and where they are looked for (the SDK's order: an explicit path,
//! next to this backend, the Ember cache's `engines/litert|tflite-classic/<arch>/`, the loader).

use std::path::PathBuf;

use crate::options::EngineKind;

pub fn file_name(kind: EngineKind) -> &'static str {
    match kind {
        EngineKind::LiteRt => "libLiteRt.so",
        EngineKind::Classic => "libtensorflowlite_c.so",
    }
}

/// Candidate paths for `kind`, most specific first; the last one is the bare name.
pub fn candidates(kind: EngineKind) -> Vec<PathBuf> {
    let cache_dir = match kind {
        EngineKind::LiteRt => "litert",
        EngineKind::Classic => "tflite-classic",
    };
    ember_nn_abi::sdk::engine_candidates(file_name(kind), cache_dir)
}
