//! The wasi_snapshot_preview1 functions, grouped by area. Each takes the
//! instance's [`WasiCtx`](super::WasiCtx), its memory and the typed arguments,
//! and returns `Ok(())` (errno 0), an errno, or a trap.

// The WASI signatures themselves have this many parameters.
#![allow(clippy::too_many_arguments)]

pub mod args;
pub mod fd;
pub mod path;
pub mod poll;
pub mod sock;

use ember_interp::Trap;

use super::types::Errno;

/// How a WASI function can fail: an errno for the guest, or a trap.
#[derive(Debug)]
pub enum Fail {
    Errno(Errno),
    Trap(Trap),
}

impl From<Errno> for Fail {
    fn from(e: Errno) -> Fail {
        Fail::Errno(e)
    }
}

impl From<ember_platform::SysError> for Fail {
    fn from(e: ember_platform::SysError) -> Fail {
        Fail::Errno(e.into())
    }
}

pub type HResult = Result<(), Fail>;
