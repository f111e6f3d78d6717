//! Backend options: the init args' "key=value" strings, then environment variables.
//!
//! | init key     | environment              | meaning                                               |
//! |--------------|--------------------------|-------------------------------------------------------|
//! | engine       | EMBER_TFLITE_ENGINE      | `litert` or `classic`: use only that engine           |
//! | engine_lib   | EMBER_TFLITE_LIB         | exact path of libLiteRt.so / libtensorflowlite_c.so   |
//! | delegate     | EMBER_TFLITE_DELEGATE    | external delegate library for target gpu/tpu          |
//! | delegate.K   |                          | option K=V handed to the external delegate            |
//! | threads      | EMBER_TFLITE_THREADS     | CPU threads of the classic interpreter (default 1)    |
//! | max_tensor_mb|                          | refuse models declaring a larger tensor (default 256) |
//! | log_level    | RUST_LOG (a bare level)  | off/error/warn/info/debug/trace or 0..5 (default warn) |
//! Init args win over the environment. Unknown keys are logged and ignored (iwasm's
//! --wasi-nn-backend-opt=KEY=VALUE without a backend name reaches every backend); a bad value of
//! a known key is refused.

use std::path::PathBuf;

use crate::error::{Error, Result};

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
            _ => Err(Error::invalid(format!("engine '{s}': expected litert or classic"))),
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
    pub log_level: Option<log::LevelFilter>,
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
            log_level: None,
        }
    }
}

impl Options {
    /// `args`: the init strings; `env`: a lookup for environment variables.
    pub fn parse(args: &[String], env: &dyn Fn(&str) -> Option<String>) -> Result<Options> {
        let mut o = Options::default();
        let set = |key: &str, value: &str, o: &mut Options| -> Result<()> {
            match key {
                "engine" => o.engine = Some(EngineKind::parse(value)?),
                "engine_lib" => o.engine_lib = Some(PathBuf::from(value)),
                "delegate" => o.delegate = Some(PathBuf::from(value)),
                "threads" => {
                    let n: i32 = value.parse().map_err(|_| Error::invalid(format!("threads={value}: not a number")))?;
                    if !(1..=256).contains(&n) {
                        return Err(Error::invalid(format!("threads={value}: expected 1..256")));
                    }
                    o.threads = Some(n);
                }
                "log_level" => {
                    o.log_level = Some(
                        crate::logger::parse_level(value)
                            .ok_or_else(|| Error::invalid(format!("log_level={value}: expected off..trace or 0..5")))?,
                    )
                }
                "max_tensor_mb" => {
                    let n: u64 =
                        value.parse().map_err(|_| Error::invalid(format!("max_tensor_mb={value}: not a number")))?;
                    if !(1..=(1 << 20)).contains(&n) {
                        return Err(Error::invalid(format!("max_tensor_mb={value}: expected 1..1048576")));
                    }
                    o.max_tensor_bytes = n << 20;
                }
                k if k.starts_with("delegate.") && k.len() > 9 => {
                    o.delegate_options.push((k[9..].to_string(), value.to_string()))
                }
                _ => log::warn!("wasi-nn tflite: ignoring unknown option '{key}'"),
            }
            Ok(())
        };
        for (var, key) in [
            ("EMBER_TFLITE_ENGINE", "engine"),
            ("EMBER_TFLITE_LIB", "engine_lib"),
            ("EMBER_TFLITE_DELEGATE", "delegate"),
            ("EMBER_TFLITE_THREADS", "threads"),
        ] {
            if let Some(v) = env(var).filter(|v| !v.is_empty()) {
                set(key, &v, &mut o)?;
            }
        }
        for a in args {
            let (k, v) =
                a.split_once('=').ok_or_else(|| Error::invalid(format!("backend option '{a}' is not key=value")))?;
            set(k.trim(), v.trim(), &mut o)?;
        }
        Ok(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_args_override_environment() {
        let env = |k: &str| (k == "EMBER_TFLITE_ENGINE").then(|| "litert".to_string());
        let o = Options::parse(&["engine=classic".into(), "delegate.cache=/tmp".into()], &env).unwrap();
        assert_eq!(o.engine, Some(EngineKind::Classic));
        assert_eq!(o.delegate_options, vec![("cache".to_string(), "/tmp".to_string())]);
        assert!(Options::parse(&["egnine=litert".into()], &|_| None).is_ok());
        assert!(Options::parse(&["engine=tensorrt".into()], &|_| None).is_err());
        assert!(Options::parse(&["threads=0".into()], &|_| None).is_err());
    }
}
