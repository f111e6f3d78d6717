//! Operations on sockets the host handed to a guest (accept, recv, send, shutdown).

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use crate::error::{check, check_isize, SysError, SysResult};

/// `accept4` a connection on a listening socket (close-on-exec).
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool) -> SysResult<OwnedFd> {
    let flags = libc::SOCK_CLOEXEC | if nonblock { libc::SOCK_NONBLOCK } else { 0 };
    loop {
        // SAFETY: null address pointers are allowed when the peer address is not wanted.
        let r = unsafe { libc::accept4(fd.as_raw_fd(), std::ptr::null_mut(), std::ptr::null_mut(), flags) };
        match check(r) {
            // SAFETY: `s` was just created and is owned by nobody else.
            Ok(s) => return Ok(unsafe { OwnedFd::from_raw_fd(s) }),
            Err(SysError::Os(libc::EINTR)) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// `recvmsg` into `buf`; returns the byte count and whether a datagram was truncated.
pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], peek: bool, wait_all: bool) -> SysResult<(usize, bool)> {
    let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    // SAFETY: msghdr is plain old data; all-zero is a valid value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    let flags = (if peek { libc::MSG_PEEK } else { 0 }) | (if wait_all { libc::MSG_WAITALL } else { 0 });
    loop {
        // SAFETY: `msg` points at one iovec describing `buf`, valid for writes.
        let r = unsafe { libc::recvmsg(fd.as_raw_fd(), &mut msg, flags) };
        match check_isize(r) {
            Ok(n) => return Ok((n, msg.msg_flags & libc::MSG_TRUNC != 0)),
            Err(SysError::Os(libc::EINTR)) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// `sendmsg` of `bufs` (never raises SIGPIPE).
pub fn send(fd: BorrowedFd<'_>, bufs: &[&[u8]]) -> SysResult<usize> {
    let iov: Vec<std::io::IoSlice<'_>> = bufs.iter().take(1024).map(|b| std::io::IoSlice::new(b)).collect();
    // SAFETY: msghdr is plain old data; all-zero is a valid value.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = iov.as_ptr() as *mut libc::iovec;
    msg.msg_iovlen = iov.len() as _;
    loop {
        // SAFETY: IoSlice is ABI-compatible with iovec; the kernel only reads them.
        let r = unsafe { libc::sendmsg(fd.as_raw_fd(), &msg, libc::MSG_NOSIGNAL) };
        match check_isize(r) {
            Err(SysError::Os(libc::EINTR)) => continue,
            r => return r,
        }
    }
}

/// `shutdown` the read and/or write half.
pub fn shutdown(fd: BorrowedFd<'_>, read: bool, write: bool) -> SysResult<()> {
    let how = match (read, write) {
        (true, true) => libc::SHUT_RDWR,
        (true, false) => libc::SHUT_RD,
        (false, true) => libc::SHUT_WR,
        (false, false) => return Err(SysError::Os(libc::EINVAL)),
    };
    // SAFETY: shutdown has no memory effects.
    check(unsafe { libc::shutdown(fd.as_raw_fd(), how) }).map(drop)
}
