//! Finds and opens an engine: LiteRT first, then the classic C API (unless one is forced), each
//! along the search path of `locate.rs`. The first library that opens and exports the C API
//! wins; when none does, the error lists every path tried and why it was not used.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ember_nn_abi::NnError;

use crate::classic::{Classic, ClassicEngine};
use crate::engine::Engine;
use ember_nn_abi::sdk::{Error, Result};
use crate::litert::{LiteRt, LiteRtEngine};
use crate::locate;
use crate::options::{EngineKind, Options};

fn open(kind: EngineKind, path: &Path, o: &Options) -> std::result::Result<Arc<dyn Engine>, String> {
    match kind {
        EngineKind::LiteRt => {
            LiteRt::open(path, o.clone()).map(|e| Arc::new(LiteRtEngine(Arc::new(e))) as Arc<dyn Engine>)
        }
        EngineKind::Classic => {
            Classic::open(path, o.clone()).map(|e| Arc::new(ClassicEngine(Arc::new(e))) as Arc<dyn Engine>)
        }
    }
}

pub fn find_engine(o: &Options) -> Result<Arc<dyn Engine>> {
    let kinds: Vec<EngineKind> = match o.engine {
        Some(k) => vec![k],
        None => vec![EngineKind::LiteRt, EngineKind::Classic],
    };
    let mut tried = Vec::new();
    for &kind in &kinds {
        let paths: Vec<PathBuf> = match &o.engine_lib {
            Some(p) => vec![p.clone()],
            None => locate::candidates(kind),
        };
        for p in paths {
            if p.components().count() > 1 && !p.exists() {
                tried.push(format!("{} (absent)", p.display()));
                continue;
            }
            match open(kind, &p, o) {
                Ok(e) => {
                    log::info!("wasi-nn tflite: engine {} ({})", kind.name(), p.display());
                    return Ok(e);
                }
                Err(why) => tried.push(format!("{} ({why})", p.display())),
            }
        }
    }
    Err(Error::new(
        NnError::NotFound,
        format!(
            "no TFLite engine found ({}); tried: {}. Run nn/engines/fetch.sh, or set engine_lib= / EMBER_TFLITE_LIB",
            kinds.iter().map(|k| locate::file_name(*k)).collect::<Vec<_>>().join(" or "),
            tried.join("; ")
        ),
    ))
}
