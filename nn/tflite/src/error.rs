//! The backend's error value: a wasi-nn code plus a human-readable detail, kept per thread for
//! the table's `last_error`.

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use ember_nn_abi::NnError;

#[derive(Debug)]
pub struct Error {
    pub code: NnError,
    pub msg: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: NnError, msg: impl Into<String>) -> Error {
        Error { code, msg: msg.into() }
    }
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::new(NnError::InvalidArgument, msg)
    }
    pub fn runtime(msg: impl Into<String>) -> Error {
        Error::new(NnError::RuntimeError, msg)
    }
}

thread_local! {
    static LAST: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `e` as this thread's last error, logs it and returns its code.
pub fn report(e: Error) -> u32 {
    log::warn!("wasi-nn tflite: {}", e.msg);
    let c = CString::new(e.msg.replace('\0', " ")).unwrap_or_default();
    LAST.with(|l| *l.borrow_mut() = c);
    e.code as u32
}

/// Pointer to this thread's last error text; valid until the next failing call on this thread.
pub fn last() -> *const c_char {
    LAST.with(|l| l.borrow().as_ptr())
}
