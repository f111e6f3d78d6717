//! The backend's error: a wasi-nn code plus a readable message (and, for too_large, the size
//! that was needed). The message of the last failing call is kept per thread for the table's
//! `last_error`; libvmcore.so logs it once, at warn, so backends do not log their errors.

use crate::sys::NnError;
use std::cell::RefCell;
use std::ffi::{c_char, CString};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: NnError,
    message: String,
    needed: Option<usize>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(code: NnError, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), needed: None }
    }
    /// A bad argument from the guest (or a bad option value at init).
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(NnError::InvalidArgument, message)
    }
    /// The engine failed.
    pub fn runtime(message: impl Into<String>) -> Error {
        Error::new(NnError::RuntimeError, message)
    }
    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(NnError::UnsupportedOperation, message)
    }
    /// The output needs `needed` bytes, more than the guest's buffer.
    pub fn too_large(needed: usize, message: impl Into<String>) -> Error {
        Error { code: NnError::TooLarge, message: message.into(), needed: Some(needed) }
    }
    pub fn code(&self) -> NnError {
        self.code
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn needed(&self) -> Option<usize> {
        self.needed
    }
    /// The same error with `context: ` in front of its message.
    pub fn context(mut self, context: impl std::fmt::Display) -> Error {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for Error {}

thread_local! {
    static LAST: RefCell<CString> = RefCell::new(CString::default());
}

/// Keep `e` as this thread's last error and return its code. Logged at debug only: the runtime
/// logs the failure (with this text) at warn, so each error is printed once.
pub(crate) fn record(what: &str, e: &Error) -> u32 {
    ::log::debug!("{what}: {e}");
    let text = CString::new(e.message.replace('\0', " ")).unwrap_or_default();
    LAST.with(|l| *l.borrow_mut() = text);
    e.code as u32
}

/// This thread's last error text; valid until the next failing call on this thread.
pub(crate) fn last() -> *const c_char {
    LAST.with(|l| l.borrow().as_ptr())
}
