//! The WAMR-style C API of libvmcore.so (core/include/wasm_export.h).
//!
//! Every exported function runs its body inside [`guard`], so no Rust panic
//! crosses the C ABI: a panic becomes the function's failure value and a log
//! record.

pub mod call;
pub mod compat;
pub mod instance;
pub mod memory;
pub mod module;
pub mod runtime;
pub mod types;

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `f`, turning a panic into `fallback`.
pub fn guard<R>(fallback: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            log::error!("internal error (caught at the C API boundary): {msg}");
            fallback
        }
    }
}

/// Copy `msg` into a caller's error buffer (truncated, always NUL-terminated).
///
/// # Safety
/// `buf` must be NULL or point to `size` writable bytes.
pub unsafe fn write_error(buf: *mut c_char, size: u32, msg: &str) {
    if buf.is_null() || size == 0 {
        return;
    }
    let bytes = msg.as_bytes();
    let n = bytes.len().min(size as usize - 1);
    // SAFETY: `n + 1 <= size` bytes are written into the caller's buffer.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), buf as *mut u8, n);
        *buf.add(n) = 0;
    }
}

/// A C string argument as UTF-8 (lossy), or None for NULL.
///
/// # Safety
/// `p` must be NULL or NUL-terminated.
pub unsafe fn cstr<'a>(p: *const c_char) -> Option<std::borrow::Cow<'a, str>> {
    if p.is_null() {
        None
    } else {
        // SAFETY: forwarded.
        Some(unsafe { CStr::from_ptr(p) }.to_string_lossy())
    }
}
