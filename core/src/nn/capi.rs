//! C API of wasi-nn settings (core/include/ember_nn.h), used by iwasm's option parser and by
//! embedders. No panic crosses this boundary.

use super::backend::OpenError;
use super::config;
use std::ffi::{c_char, CStr};
use std::fmt;
use std::path::Path;

/// Why a wasi-nn option or a C API call on the settings failed. `Display` gives the one-line
/// message written into the caller's error buffer (iwasm prints it).
#[derive(Debug)]
pub enum Error {
    /// `--KEY` given without the value it needs.
    NeedsValue { key: String, metavar: Option<&'static str> },
    /// A flag given a value that is not a truth value.
    BadFlag { key: String, value: String },
    /// No wasi-nn option of that name.
    Unknown { key: String },
    /// The value does not parse (the setting's own message).
    Setting(config::Error),
    /// A C string argument that is NULL (where required) or not UTF-8.
    BadString(&'static str),
    /// `ember_nn_register_backend`: the library was refused (not a backend, ABI, init).
    Backend(OpenError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NeedsValue { key, metavar: None } => write!(f, "--{key} needs a value"),
            Error::NeedsValue { key, metavar: Some(m) } => write!(f, "--{key} needs a value ({m})"),
            Error::BadFlag { key, value } => write!(f, "--{key}: expected no value or true/false, got '{value}'"),
            Error::Unknown { key } => write!(f, "unknown wasi-nn option --{key}"),
            Error::Setting(e) => write!(f, "{e}"),
            Error::BadString(what) => f.write_str(what),
            Error::Backend(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<config::Error> for Error {
    fn from(e: config::Error) -> Error {
        Error::Setting(e)
    }
}

/// One wasi-nn command-line option.
pub struct NnOption {
    /// The name without dashes (the key of [`set_option`] / ember_nn_set_option).
    pub name: &'static str,
    /// What the value looks like; None for a flag.
    pub metavar: Option<&'static str>,
    pub help: &'static str,
}

/// The wasi-nn options: the one table iwasm's parser and --help (core/src/cli/options.rs) and
/// embedders' ember_nn_cli_option / ember_nn_cli_help read.
pub const NN_OPTIONS: &[NnOption] = &[
    NnOption {
        name: "nn-preload",
        metavar: Some("NAME:ENCODING:TARGET:PATH"),
        help: "wasi-nn named model for load_by_name (WasmEdge syntax; encoding openvino|onnx|tensorflow|pytorch|tensorflowlite|ggml|autodetect, target cpu|gpu|tpu, case-insensitive)",
    },
    NnOption { name: "wasi-nn-graph", metavar: Some("NAME:ENCODING:TARGET:PATH"), help: "same as --nn-preload" },
    NnOption {
        name: "wasi-nn-backend",
        metavar: Some("NAME[,NAME..]"),
        help: "preferred wasi-nn backends, tried first for an encoding (e.g. armnn or tflite)",
    },
    NnOption {
        name: "wasi-nn-backend-dir",
        metavar: Some("DIR"),
        help: "directory searched for libwasi_nn_backend_<name>.so (repeatable; also EMBER_NN_BACKEND_DIR; then <libdir>/wasi-nn, <libdir>)",
    },
    NnOption {
        name: "wasi-nn-backend-opt",
        metavar: Some("[NAME:]KEY=VALUE"),
        help: "wasi-nn backend init option, e.g. tflite:threads=2 or tflite:delegate=/path/libdelegate.so (repeatable)",
    },
    NnOption {
        name: "wasi-nn-allow-host-paths",
        metavar: None,
        help: "let wasi-nn load_by_name open a host file named by the app (default: named models and files inside the app's --dir/--map-dir)",
    },
    NnOption {
        name: "wasi-nn-legacy-u8",
        metavar: None,
        help: "wasi-nn tensor type 2 means u8 (wasm built with old wasi-nn guest crates), not fp64",
    },
];

/// The option named `name` (without dashes).
pub fn nn_option(name: &str) -> Option<&'static NnOption> {
    NN_OPTIONS.iter().find(|o| o.name == name)
}

/// One line of help in iwasm's format: `  --name=METAVAR` padded to 30 columns, then the text.
pub fn help_line(long: &str, metavar: Option<&str>, help: &str) -> String {
    let left = match metavar {
        Some(m) => format!("{long}={m}"),
        None => long.to_string(),
    };
    format!("  {left:<28} {help}\n")
}

/// Apply one wasi-nn setting by key (the option name without leading dashes).
pub fn set_option(key: &str, value: Option<&str>) -> Result<(), Error> {
    let needed = || value.ok_or_else(|| Error::NeedsValue { key: key.to_string(), metavar: None });
    match key {
        "nn-preload" | "wasi-nn-graph" => Ok(config::add_named_model(needed()?)?),
        "wasi-nn-backend" => Ok(config::add_preferred_backends(needed()?)?),
        "wasi-nn-backend-dir" => Ok(config::add_backend_dir(needed()?)?),
        "wasi-nn-backend-opt" => Ok(config::add_backend_option(needed()?)?),
        "wasi-nn-allow-host-paths" | "wasi-nn-legacy-u8" => {
            let on = match value {
                None | Some("1") | Some("true") | Some("on") | Some("yes") => true,
                Some("0") | Some("false") | Some("off") | Some("no") => false,
                Some(v) => return Err(Error::BadFlag { key: key.to_string(), value: v.to_string() }),
            };
            if key == "wasi-nn-allow-host-paths" {
                config::set_allow_host_paths(on)
            } else {
                config::set_legacy_u8(on)
            }
            Ok(())
        }
        _ => Err(Error::Unknown { key: key.to_string() }),
    }
}

/// How many command-line arguments a wasi-nn option consumes: Ok(0) when `arg` is not one
/// (`--name=VALUE` or a flag: 1; `--name VALUE`: 2).
pub fn cli_option(arg: &str, next: Option<&str>) -> Result<u32, Error> {
    let Some(body) = arg.strip_prefix("--") else { return Ok(0) };
    let (key, value) = match body.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (body, None),
    };
    let Some(opt) = nn_option(key) else {
        // A misspelt wasi-nn option is an error here, not somebody else's option.
        return if key.starts_with("wasi-nn-") { Err(Error::Unknown { key: key.to_string() }) } else { Ok(0) };
    };
    match (opt.metavar, value) {
        (Some(m), None) => {
            let v = next.ok_or_else(|| Error::NeedsValue { key: key.to_string(), metavar: Some(m) })?;
            set_option(key, Some(v))?;
            Ok(2)
        }
        _ => {
            set_option(key, value)?;
            Ok(1)
        }
    }
}

/// # Safety
/// `p` must be NULL or a NUL-terminated string that outlives `'a`.
unsafe fn str_arg<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller's contract (NULL handled above).
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// # Safety
/// `err_buf` must be NULL or point to `err_size` writable bytes.
unsafe fn guarded<T>(err_buf: *mut c_char, err_size: u32, fail: T, f: impl FnOnce() -> Result<T, Error>) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => {
            // SAFETY: the caller's buffer contract.
            unsafe { crate::capi::write_error(err_buf, err_size, &e.to_string()) };
            fail
        }
        Err(_) => {
            // SAFETY: as above.
            unsafe { crate::capi::write_error(err_buf, err_size, "internal error in wasi-nn settings") };
            fail
        }
    }
}

/// See core/include/ember_nn.h.
///
/// # Safety
/// `arg` and `next` NULL or NUL-terminated; `error_buf` NULL or `error_buf_size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ember_nn_cli_option(
    arg: *const c_char,
    next: *const c_char,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> i32 {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        guarded(error_buf, error_buf_size, -1, || {
            let arg = str_arg(arg).ok_or(Error::BadString("option is not UTF-8"))?;
            cli_option(arg, str_arg(next)).map(|n| n as i32)
        })
    }
}

/// See core/include/ember_nn.h.
#[no_mangle]
pub extern "C" fn ember_nn_cli_help() -> *const c_char {
    static HELP: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    HELP.get_or_init(|| {
        let text: String = NN_OPTIONS.iter().map(|o| help_line(&format!("--{}", o.name), o.metavar, o.help)).collect();
        std::ffi::CString::new(text).unwrap_or_default()
    })
    .as_ptr()
}

/// See core/include/ember_nn.h.
///
/// # Safety
/// `key` and `value` NULL or NUL-terminated; `error_buf` NULL or `error_buf_size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ember_nn_set_option(
    key: *const c_char,
    value: *const c_char,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> bool {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        guarded(error_buf, error_buf_size, false, || {
            let key = str_arg(key).ok_or(Error::BadString("option name missing or not UTF-8"))?;
            set_option(key.trim_start_matches('-'), str_arg(value)).map(|_| true)
        })
    }
}

/// See core/include/ember_nn.h.
///
/// # Safety
/// `path` NULL or NUL-terminated; `error_buf` NULL or `error_buf_size` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn ember_nn_register_backend(path: *const c_char, error_buf: *mut c_char, error_buf_size: u32) -> bool {
    // SAFETY: the caller's contract, forwarded.
    unsafe {
        guarded(error_buf, error_buf_size, false, || {
            let path = str_arg(path).ok_or(Error::BadString("backend path missing or not UTF-8"))?;
            super::registry::register_backend_library(Path::new(path)).map(|_| true).map_err(Error::Backend)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_options() {
        assert_eq!(cli_option("--dir=.", None).unwrap(), 0);
        // (Only ever switched off here: other tests run in parallel in this process.)
        assert_eq!(cli_option("--wasi-nn-legacy-u8=off", None).unwrap(), 1);
        assert!(!config::legacy_u8());
        assert!(cli_option("--wasi-nn-legacy-u8=maybe", None).is_err());
        assert_eq!(cli_option("--wasi-nn-backend=armnn,tflite", None).unwrap(), 1);
        assert_eq!(cli_option("--wasi-nn-frobnicate", None).unwrap_err().to_string(), "unknown wasi-nn option --wasi-nn-frobnicate");
        assert!(cli_option("--nn-preload", None).is_err());
        assert!(cli_option("--nn-preload", Some("m:tflite:cpu:/nonexistent")).is_err());
        assert_eq!(cli_option("--wasi-nn-backend-dir", None).unwrap_err().to_string(), "--wasi-nn-backend-dir needs a value (DIR)");
        assert_eq!(set_option("wasi-nn-backend-dir", None).unwrap_err().to_string(), "--wasi-nn-backend-dir needs a value");
        assert_eq!(
            set_option("wasi-nn-legacy-u8", Some("maybe")).unwrap_err().to_string(),
            "--wasi-nn-legacy-u8: expected no value or true/false, got 'maybe'"
        );
    }
}
