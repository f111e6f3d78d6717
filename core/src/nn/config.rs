//! Process-wide wasi-nn settings (set by iwasm options or the C API before instantiation).
//!
//! | iwasm option | meaning |
//! |---|---|
//! | `--nn-preload name:encoding:target:path` | a named model (WasmEdge syntax, words case-insensitive) |
//! | `--wasi-nn-graph=name:encoding:target:path` | the same |
//! | `--wasi-nn-backend=NAME[,NAME..]` | preferred backends, tried first (e.g. `armnn` for tflite models) |
//! | `--wasi-nn-backend-dir=DIR` | a directory searched for libwasi_nn_backend_<name>.so (repeatable) |
//! | `--wasi-nn-backend-opt=[NAME:]KEY=VALUE` | an init option for backend NAME (or all backends) |
//! | `--wasi-nn-allow-host-paths` | load_by_name may also name a host file (off: named models and paths inside the app's preopens) |
//! | `--wasi-nn-legacy-u8` | wasi_ephemeral_nn tensor type 2 means u8 (old guest crates), not fp64 |
//!
//! The environment variable EMBER_NN_BACKEND_DIR (colon-separated) adds backend directories.
//! iwasm applies its options through `ember_nn_set_option` (core/include/ember_nn.h) after
//! runtime init; embedders use the same call, or `ember_nn_cli_option` to forward their argv.
//! Named models (OpenVINO's two files as `a.xml,a.bin`) are checked at start-up and opened at
//! load_by_name.
//!
//! load_by_name resolves a name in this order: a named model; a guest path inside the
//! instance's WASI preopens (WAMR's apps load `./models/x.tflite` with `--dir=.`), matched to a
//! preopen as wasi-libc does (longest preopen name prefixing the path) and opened by the WASI
//! sandbox (`WasiCtx::open_guest_file`: links inside followed, escapes refused), then handed to
//! the backend as `/proc/self/fd/N` of that open file, so nothing can swap the file between the
//! walk and the backend's open; with `--wasi-nn-allow-host-paths`, a host path. Otherwise
//! not_found and a warn line saying why.
//!
//! `load_by_name_with_config` bounds-checks the config and passes it to the backend's
//! `load_named` (a backend without it gets the mapped files through `load`, and the config is
//! ignored with a warning). Named model files are never read into a buffer: they go by path
//! (`load_named`) or as a read-only mapping (`ember_platform::mapped`).

use super::detect::{parse_encoding, parse_target};
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// A wasi-nn setting that cannot be applied. `Display` gives the one-line message iwasm prints
/// and `ember_nn_set_option` writes into its error buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A named model that is not `name:encoding:target:path`.
    NamedModelSyntax { spec: String },
    UnknownEncoding { spec: String, encoding: String },
    UnknownTarget { spec: String, target: String },
    /// A named model's file that does not exist or is not a regular file.
    NotAFile { name: String, path: PathBuf },
    /// A backend list with an empty name or a character outside `[A-Za-z0-9_-]`.
    BackendList { list: String },
    EmptyBackendDir,
    /// A backend option without `=`.
    BackendOptionSyntax { opt: String },
    BackendOptionEmptyKey { opt: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NamedModelSyntax { spec } => write!(f, "bad named model '{spec}': expected name:encoding:target:path"),
            Error::UnknownEncoding { spec, encoding } => write!(
                f,
                "bad named model '{spec}': unknown encoding '{encoding}' (openvino, onnx, tensorflow, pytorch, tensorflowlite, ggml, autodetect)"
            ),
            Error::UnknownTarget { spec, target } => {
                write!(f, "bad named model '{spec}': unknown target '{target}' (cpu, gpu, tpu, auto)")
            }
            Error::NotAFile { name, path } => write!(f, "named model '{name}': {} is not a readable file", path.display()),
            Error::BackendList { list } => write!(f, "bad backend list '{list}': expected names such as tflite,armnn"),
            Error::EmptyBackendDir => f.write_str("empty backend directory"),
            Error::BackendOptionSyntax { opt } => write!(f, "bad backend option '{opt}': expected [NAME:]KEY=VALUE"),
            Error::BackendOptionEmptyKey { opt } => write!(f, "bad backend option '{opt}': empty key"),
        }
    }
}

impl std::error::Error for Error {}

/// A model known by name to load_by_name.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedModel {
    pub name: String,
    pub encoding: u32,
    pub target: u32,
    /// One file per builder (OpenVINO: .xml then .bin).
    pub paths: Vec<PathBuf>,
}

#[derive(Default, Debug)]
pub struct Settings {
    pub named_models: Vec<NamedModel>,
    pub preferred_backends: Vec<String>,
    pub backend_dirs: Vec<PathBuf>,
    /// (backend name or None for all, "key=value").
    pub backend_options: Vec<(Option<String>, String)>,
}

static SETTINGS: Mutex<Settings> = Mutex::new(Settings {
    named_models: Vec::new(),
    preferred_backends: Vec::new(),
    backend_dirs: Vec::new(),
    backend_options: Vec::new(),
});
static ALLOW_HOST_PATHS: AtomicBool = AtomicBool::new(false);
static LEGACY_U8: AtomicBool = AtomicBool::new(false);

pub fn with_settings<R>(f: impl FnOnce(&mut Settings) -> R) -> R {
    let mut guard = SETTINGS.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut guard)
}

/// Forget every setting (named models, backend preferences, directories, options, flags).
pub fn reset() {
    let old = with_settings(std::mem::take);
    drop(old);
    set_allow_host_paths(false);
    set_legacy_u8(false);
}

pub fn allow_host_paths() -> bool {
    ALLOW_HOST_PATHS.load(Ordering::Relaxed)
}
pub fn set_allow_host_paths(on: bool) {
    ALLOW_HOST_PATHS.store(on, Ordering::Relaxed)
}
pub fn legacy_u8() -> bool {
    LEGACY_U8.load(Ordering::Relaxed)
}
pub fn set_legacy_u8(on: bool) {
    LEGACY_U8.store(on, Ordering::Relaxed)
}

/// Parse `name:encoding:target:path` (path may itself contain ':'; several builder files are
/// separated by ',' unless the whole text names an existing file). Files must exist.
pub fn parse_named_model(spec: &str) -> Result<NamedModel, Error> {
    let mut parts = spec.splitn(4, ':');
    let (name, enc, target, path) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(n), Some(e), Some(t), Some(p)) if !n.is_empty() && !p.is_empty() => (n, e, t, p),
        _ => return Err(Error::NamedModelSyntax { spec: spec.to_string() }),
    };
    let encoding =
        parse_encoding(enc).ok_or_else(|| Error::UnknownEncoding { spec: spec.to_string(), encoding: enc.to_string() })?;
    let target =
        parse_target(target).ok_or_else(|| Error::UnknownTarget { spec: spec.to_string(), target: target.to_string() })?;
    let paths: Vec<PathBuf> = if std::path::Path::new(path).is_file() {
        vec![PathBuf::from(path)]
    } else {
        path.split(',').map(PathBuf::from).collect()
    };
    for p in &paths {
        if !p.is_file() {
            return Err(Error::NotAFile { name: name.to_string(), path: p.clone() });
        }
    }
    Ok(NamedModel { name: name.to_string(), encoding, target, paths })
}

/// Add a named model; a later definition of the same name replaces the earlier one.
pub fn add_named_model(spec: &str) -> Result<(), Error> {
    let m = parse_named_model(spec)?;
    with_settings(|s| {
        s.named_models.retain(|x| x.name != m.name);
        s.named_models.push(m);
    });
    Ok(())
}

pub fn find_named_model(name: &str) -> Option<NamedModel> {
    with_settings(|s| s.named_models.iter().find(|m| m.name == name).cloned())
}

pub fn add_preferred_backends(list: &str) -> Result<(), Error> {
    let names: Vec<String> = list.split(',').map(|n| n.trim().to_ascii_lowercase()).collect();
    if names.iter().any(|n| n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
        return Err(Error::BackendList { list: list.to_string() });
    }
    with_settings(|s| {
        for n in names {
            if !s.preferred_backends.contains(&n) {
                s.preferred_backends.push(n);
            }
        }
    });
    Ok(())
}

pub fn add_backend_dir(dir: &str) -> Result<(), Error> {
    if dir.is_empty() {
        return Err(Error::EmptyBackendDir);
    }
    with_settings(|s| s.backend_dirs.push(PathBuf::from(dir)));
    Ok(())
}

/// `[NAME:]KEY=VALUE`: NAME is taken only when the text before the first '=' has a ':'.
pub fn add_backend_option(opt: &str) -> Result<(), Error> {
    let eq = opt.find('=').ok_or_else(|| Error::BackendOptionSyntax { opt: opt.to_string() })?;
    let (backend, kv) = match opt[..eq].find(':') {
        Some(c) => (Some(opt[..c].to_ascii_lowercase()), &opt[c + 1..]),
        None => (None, opt),
    };
    if kv.starts_with('=') {
        return Err(Error::BackendOptionEmptyKey { opt: opt.to_string() });
    }
    with_settings(|s| s.backend_options.push((backend, kv.to_string())));
    Ok(())
}

/// The init options that apply to backend `name`: (given with the backend's name, "key=value").
pub fn options_for(name: &str) -> Vec<(bool, String)> {
    with_settings(|s| {
        s.backend_options
            .iter()
            .filter(|(b, _)| b.as_deref().is_none_or(|b| b == name))
            .map(|(b, kv)| (b.is_some(), kv.clone()))
            .collect()
    })
}

/// Backend names the user gave (--wasi-nn-backend, --wasi-nn-backend-opt=NAME:...).
pub fn named_backends() -> Vec<String> {
    with_settings(|s| {
        let mut names = s.preferred_backends.clone();
        for n in s.backend_options.iter().filter_map(|(b, _)| b.clone()) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_model_syntax() {
        let dir = std::env::temp_dir().join(format!("ember-nn-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("m:odel.tflite");
        std::fs::write(&f, b"x").unwrap();
        let spec = format!("face:TensorFlowLite:CPU:{}", f.display());
        let m = parse_named_model(&spec).unwrap();
        assert_eq!((m.name.as_str(), m.encoding, m.target), ("face", 4, 0));
        assert_eq!(m.paths, vec![f.clone()]);
        assert!(parse_named_model("face:tflite:cpu").is_err());
        assert!(parse_named_model("face:caffe:cpu:/x").unwrap_err().to_string().contains("unknown encoding"));
        assert!(parse_named_model("face:tflite:fpga:/x").unwrap_err().to_string().contains("unknown target"));
        let e = parse_named_model("face:tflite:cpu:/nonexistent/m.tflite").unwrap_err();
        assert_eq!(e.to_string(), "named model 'face': /nonexistent/m.tflite is not a readable file");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn backend_option_syntax() {
        add_backend_option("tflite:delegate=/a:b.so").unwrap();
        add_backend_option("threads=2").unwrap();
        assert!(add_backend_option("novalue").is_err());
        let t = options_for("tflite");
        assert!(t.contains(&(true, "delegate=/a:b.so".to_string())) && t.contains(&(false, "threads=2".to_string())));
        assert!(!options_for("armnn").iter().any(|(_, kv)| kv == "delegate=/a:b.so"));
        assert!(named_backends().contains(&"tflite".to_string()));
    }
}
