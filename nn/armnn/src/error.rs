//! Errors of the backend: a wasi-nn code plus a readable message, kept per thread for the ABI's
//! `last_error` and logged where it is recorded.
use std::cell::RefCell;
use std::ffi::{c_char, CString};

use ember_nn_abi::NnError;

#[derive(Debug)]
pub struct Error {
    pub code: NnError,
    pub message: String,
}

impl Error {
    pub fn new(code: NnError, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(NnError::InvalidArgument, message)
    }
    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(NnError::RuntimeError, message)
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Remembers `err` as this thread's last error, logs it and returns its code.
pub fn record(err: Error) -> u32 {
    // libvmcore.so logs every backend error with this text (last_error) at warn level; here it
    // is a debug line, so that a run does not print each error twice.
    log::debug!("armnn backend: {} ({:?})", err.message, err.code);
    // Interior NULs would cut the message short; replace them.
    let text = CString::new(err.message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = text);
    err.code as u32
}

/// This thread's last error message; valid until the next failing call on this thread.
pub fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().as_ptr())
}
