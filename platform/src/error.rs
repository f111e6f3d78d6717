//! The error type of the OS layer: a host errno, or a sandbox refusal.

use std::fmt;

/// Why an OS-layer operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SysError {
    /// The host call failed with this `errno` (a libc `E*` constant).
    Os(i32),
    /// The sandbox refused the operation: the path is absolute, climbs out of
    /// its base directory through `..` or through a symbolic link.
    NotCapable,
}

pub type SysResult<T> = Result<T, SysError>;

impl SysError {
    /// The calling thread's current `errno`, captured right after a failed call.
    pub fn last() -> SysError {
        SysError::Os(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO))
    }
}

impl fmt::Display for SysError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SysError::Os(e) => write!(f, "{}", std::io::Error::from_raw_os_error(*e)),
            SysError::NotCapable => f.write_str("path leaves the sandbox"),
        }
    }
}

impl std::error::Error for SysError {}

/// Turn a libc return value of -1 into the current errno.
pub(crate) fn check(ret: libc::c_int) -> SysResult<libc::c_int> {
    if ret == -1 {
        Err(SysError::last())
    } else {
        Ok(ret)
    }
}

/// Same as [`check`] for calls returning `ssize_t` / `off_t`.
pub(crate) fn check_isize(ret: isize) -> SysResult<usize> {
    if ret < 0 {
        Err(SysError::last())
    } else {
        Ok(ret as usize)
    }
}
