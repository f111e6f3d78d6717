//! C API of wasi-nn settings (core/include/ember_nn.h), used by iwasm's option parser and by
//! embedders. No panic crosses this boundary.

use super::config;
use std::ffi::{c_char, CStr};
use std::path::Path;

/// Help text for iwasm --help (one option per line).
pub const CLI_HELP: &str = "\
  --nn-preload NAME:ENCODING:TARGET:PATH\n\
                           Named model for wasi-nn load_by_name (WasmEdge syntax; encoding\n\
                           openvino|onnx|tensorflow|pytorch|tensorflowlite|ggml|autodetect,\n\
                           target cpu|gpu|tpu; words are case-insensitive)\n\
  --wasi-nn-graph=NAME:ENCODING:TARGET:PATH  Same as --nn-preload\n\
  --wasi-nn-backend=NAME[,NAME..]  Preferred wasi-nn backends, e.g. armnn or tflite\n\
  --wasi-nn-backend-dir=DIR        Directory searched for libwasi_nn_backend_<name>.so\n\
                           (also EMBER_NN_BACKEND_DIR; default: <libdir>/wasi-nn, <libdir>)\n\
  --wasi-nn-backend-opt=[NAME:]KEY=VALUE  Backend init option, e.g. tflite:threads=2,\n\
                           tflite:delegate=/path/libdelegate.so\n\
  --wasi-nn-allow-host-paths       Let load_by_name open a host file path given by the guest\n\
  --wasi-nn-legacy-u8              Tensor type 2 means u8 (wasm built with old guest crates)\n";

/// Apply one wasi-nn setting by key (the option name without leading dashes).
pub fn set_option(key: &str, value: Option<&str>) -> Result<(), String> {
    let needed = || value.ok_or_else(|| format!("--{key} needs a value"));
    match key {
        "nn-preload" | "wasi-nn-graph" => config::add_named_model(needed()?),
        "wasi-nn-backend" => config::add_preferred_backends(needed()?),
        "wasi-nn-backend-dir" => config::add_backend_dir(needed()?),
        "wasi-nn-backend-opt" => config::add_backend_option(needed()?),
        "wasi-nn-allow-host-paths" | "wasi-nn-legacy-u8" => {
            let on = match value {
                None | Some("1") | Some("true") | Some("on") | Some("yes") => true,
                Some("0") | Some("false") | Some("off") | Some("no") => false,
                Some(v) => return Err(format!("--{key}: expected no value or true/false, got '{v}'")),
            };
            if key == "wasi-nn-allow-host-paths" {
                config::set_allow_host_paths(on)
            } else {
                config::set_legacy_u8(on)
            }
            Ok(())
        }
        _ => Err(format!("unknown wasi-nn option --{key}")),
    }
}

/// How many command-line arguments a wasi-nn option consumes: Ok(0) when `arg` is not one.
pub fn cli_option(arg: &str, next: Option<&str>) -> Result<u32, String> {
    let body = match arg.strip_prefix("--") {
        Some(b) if b.starts_with("nn-preload") || b.starts_with("wasi-nn-") => b,
        _ => return Ok(0),
    };
    let (key, value) = match body.split_once('=') {
        Some((k, v)) => (k, Some(v)),
        None => (body, None),
    };
    if key == "nn-preload" && value.is_none() {
        // WasmEdge form: --nn-preload SPEC
        let spec = next.ok_or_else(|| "--nn-preload needs NAME:ENCODING:TARGET:PATH".to_string())?;
        set_option(key, Some(spec))?;
        return Ok(2);
    }
    if key != "nn-preload" && !key.starts_with("wasi-nn-") {
        return Ok(0);
    }
    set_option(key, value)?;
    Ok(1)
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
unsafe fn guarded<T>(err_buf: *mut c_char, err_size: u32, fail: T, f: impl FnOnce() -> Result<T, String>) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(msg)) => {
            // SAFETY: the caller's buffer contract.
            unsafe { crate::capi::write_error(err_buf, err_size, &msg) };
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
            let arg = str_arg(arg).ok_or("option is not UTF-8")?;
            cli_option(arg, str_arg(next)).map(|n| n as i32)
        })
    }
}

/// See core/include/ember_nn.h.
#[no_mangle]
pub extern "C" fn ember_nn_cli_help() -> *const c_char {
    static HELP: std::sync::OnceLock<std::ffi::CString> = std::sync::OnceLock::new();
    HELP.get_or_init(|| std::ffi::CString::new(CLI_HELP).unwrap_or_default()).as_ptr()
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
            let key = str_arg(key).ok_or("option name missing or not UTF-8")?;
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
            let path = str_arg(path).ok_or("backend path missing or not UTF-8")?;
            super::registry::register_backend_library(Path::new(path)).map(|_| true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_options() {
        assert_eq!(cli_option("--dir=.", None), Ok(0));
        // (Only ever switched off here: other tests run in parallel in this process.)
        assert_eq!(cli_option("--wasi-nn-legacy-u8=off", None), Ok(1));
        assert!(!config::legacy_u8());
        assert!(cli_option("--wasi-nn-legacy-u8=maybe", None).is_err());
        assert_eq!(cli_option("--wasi-nn-backend=armnn,tflite", None), Ok(1));
        assert!(cli_option("--wasi-nn-frobnicate", None).unwrap_err().contains("unknown"));
        assert!(cli_option("--nn-preload", None).is_err());
        assert!(cli_option("--nn-preload", Some("m:tflite:cpu:/nonexistent")).is_err());
        assert!(cli_option("--wasi-nn-backend-dir", None).unwrap_err().contains("needs a value"));
    }
}
