//! Waiting for descriptors to become ready, with a nanosecond timeout.

use std::os::fd::{AsRawFd, BorrowedFd};

use crate::clock::{monotonic_ns, ns_to_ts};
use crate::error::{SysError, SysResult};

/// One descriptor to wait on.
#[derive(Clone, Copy, Debug)]
pub struct PollFd<'a> {
    pub fd: BorrowedFd<'a>,
    pub read: bool,
    pub write: bool,
}

/// What happened to one descriptor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    pub readable: bool,
    pub writable: bool,
    pub hangup: bool,
    pub error: bool,
    /// The descriptor is not open (POLLNVAL).
    pub invalid: bool,
}

impl Readiness {
    pub fn any(&self) -> bool {
        self.readable || self.writable || self.hangup || self.error || self.invalid
    }
}

/// Wait until one of `fds` is ready or `timeout_ns` passed (`None`: forever).
/// Returns one entry per descriptor, in order; all empty after a timeout.
pub fn poll(fds: &[PollFd<'_>], timeout_ns: Option<u64>) -> SysResult<Vec<Readiness>> {
    let mut raw: Vec<libc::pollfd> = fds
        .iter()
        .map(|p| libc::pollfd {
            fd: p.fd.as_raw_fd(),
            events: (if p.read { libc::POLLIN } else { 0 }) | (if p.write { libc::POLLOUT } else { 0 }),
            revents: 0,
        })
        .collect();
    let deadline = timeout_ns.map(|t| monotonic_ns().saturating_add(t));
    loop {
        let ts = deadline.map(|d| ns_to_ts(d.saturating_sub(monotonic_ns())));
        let tsp = match &ts {
            Some(t) => t as *const libc::timespec,
            None => std::ptr::null(),
        };
        // SAFETY: `raw` is a valid array of `raw.len()` pollfds; `tsp` is null
        // or points at a valid timespec; the signal mask pointer may be null.
        let n = unsafe { libc::ppoll(raw.as_mut_ptr(), raw.len() as libc::nfds_t, tsp, std::ptr::null()) };
        if n < 0 {
            match SysError::last() {
                SysError::Os(libc::EINTR) => continue,
                e => return Err(e),
            }
        }
        return Ok(raw
            .iter()
            .map(|p| Readiness {
                readable: p.revents & libc::POLLIN != 0,
                writable: p.revents & libc::POLLOUT != 0,
                hangup: p.revents & libc::POLLHUP != 0,
                error: p.revents & libc::POLLERR != 0,
                invalid: p.revents & libc::POLLNVAL != 0,
            })
            .collect());
    }
}
