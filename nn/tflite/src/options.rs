//! Backend options: the init options (iwasm `--wasi-nn-backend-opt=tflite:KEY=VALUE`), then
//! environment variables.
//!
//! | init key     | environment              | meaning                                               |
//! |--------------|--------------------------|-------------------------------------------------------|
//! | engine       | EMBER_TFLITE_ENGINE      | `litert` or `classic`: use only that engine           |
//! | engine_lib   | EMBER_TFLITE_LIB         | exact path of libLiteRt.so / libtensorflowlite_c.so   |
//! | delegate     | EMBER_TFLITE_DELEGATE    | external delegate library for target gpu/tpu          |
//! | delegate.K   |                          | option K=V handed to the external delegate            |
//! | threads      | EMBER_TFLITE_THREADS     | CPU threads of the classic interpreter (default 1)    |
//! | max_tensor_mb|                          | refuse models declaring a larger tensor (default 256) |
//!
//! Init options win over the environment. A bad value (of either) fails the backend's init, so
//! the runtime refuses TFLite models loudly rather than running them elsewhere. Log levels come
//! from the runtime (`iwasm -v=N`, `RUST_LOG`).

use std::ffi::CStr;
use std::path::PathBuf;

use ember_nn_abi::sdk::{self, Error, Result};

/// The init keys (the backend table's option_keys).
pub const KEYS: &[&CStr] = &[c"engine", c"engine_lib", c"delegate", c"delegate.", c"threads", c"max_tensor_mb"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EngineKind {
    LiteRt,
    Classic,
}

impl EngineKind {
    pub fn parse(s: &str) -> Result<EngineKind> {
        match s.to_ascii_lowercase().as_str() {
            "litert" => Ok(EngineKind::LiteRt),
            "classic" | "tflite" => Ok(EngineKind::Classic),
            _ => Err(Error::invalid(format!("option engine={s}: expected litert or classic"))),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::LiteRt => "LiteRT",
            EngineKind::Classic => "TFLite classic C API",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Options {
    pub engine: Option<EngineKind>,
    pub engine_lib: Option<PathBuf>,
    pub delegate: Option<PathBuf>,
    pub delegate_options: Vec<(String, String)>,
    pub threads: Option<i32>,
    pub max_tensor_bytes: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            engine: None,
            engine_lib: None,
            delegate: None,
            delegate_options: Vec::new(),
            threads: None,
            max_tensor_bytes: crate::flatbuf::DEFAULT_MAX_TENSOR_BYTES,
        }
    }
}

impl Options {
    /// `init`: the init options; `env`: a lookup for environment variables.
    pub fn parse(init: &sdk::Options, env: &dyn Fn(&str) -> Option<String>) -> Result<Options> {
        // The environment first, as if given before the init options (a later value wins).
        let pairs: Vec<String> = [
            ("EMBER_TFLITE_ENGINE", "engine"),
            ("EMBER_TFLITE_LIB", "engine_lib"),
            ("EMBER_TFLITE_DELEGATE", "delegate"),
            ("EMBER_TFLITE_THREADS", "threads"),
        ]
        .iter()
        .filter_map(|(var, key)| env(var).filter(|v| !v.is_empty()).map(|v| format!("{key}={v}")))
        .collect();
        let from_env = sdk::Options::parse(&pairs)?;
        let mut o = Options::default();
        for opts in [&from_env, init] {
            if let Some(v) = opts.get("engine") {
                o.engine = Some(EngineKind::parse(v)?);
            }
            if let Some(v) = opts.get("engine_lib") {
                o.engine_lib = Some(PathBuf::from(v));
            }
            if let Some(v) = opts.get("delegate") {
                o.delegate = Some(PathBuf::from(v));
            }
            if let Some(n) = opts.number::<i32>("threads", 1..=256)? {
                o.threads = Some(n);
            }
            if let Some(n) = opts.number::<u64>("max_tensor_mb", 1..=(1 << 20))? {
                o.max_tensor_bytes = n << 20;
            }
            o.delegate_options.extend(opts.with_prefix("delegate.").map(|(k, v)| (k.to_string(), v.to_string())));
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init(args: &[&str]) -> sdk::Options {
        sdk::Options::parse(args).unwrap()
    }

    #[test]
    fn init_options_override_environment() {
        let env = |k: &str| (k == "EMBER_TFLITE_ENGINE").then(|| "litert".to_string());
        let o = Options::parse(&init(&["engine=classic", "delegate.cache=/tmp"]), &env).unwrap();
        assert_eq!(o.engine, Some(EngineKind::Classic));
        assert_eq!(o.delegate_options, vec![("cache".to_string(), "/tmp".to_string())]);
        assert_eq!(Options::parse(&init(&[]), &env).unwrap().engine, Some(EngineKind::LiteRt));
        assert!(Options::parse(&init(&["engine=tensorrt"]), &|_| None).is_err());
        assert!(Options::parse(&init(&["threads=0"]), &|_| None).is_err());
        let e = Options::parse(&init(&["threads=abc"]), &|_| None).unwrap_err();
        assert!(e.message().contains("threads=abc"), "{e}");
        let bad_env = |k: &str| (k == "EMBER_TFLITE_THREADS").then(|| "many".to_string());
        assert!(Options::parse(&init(&[]), &bad_env).is_err());
    }
}
