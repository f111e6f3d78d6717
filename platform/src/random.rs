//! Cryptographically secure random bytes from the kernel.

use crate::error::{SysError, SysResult};

/// Fill `buf` from getrandom(2), falling back to /dev/urandom on kernels
/// (or qemu-user builds) without the syscall.
pub fn fill(buf: &mut [u8]) -> SysResult<()> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: `rest` is a valid writable buffer of `rest.len()` bytes.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            match SysError::last() {
                SysError::Os(libc::EINTR) => continue,
                SysError::Os(libc::ENOSYS) => return fill_from_urandom(rest),
                e => return Err(e),
            }
        }
        done += n as usize;
    }
    Ok(())
}

fn fill_from_urandom(buf: &mut [u8]) -> SysResult<()> {
    use std::io::Read;
    let mut f = std::fs::File::open("/dev/urandom").map_err(io_err)?;
    f.read_exact(buf).map_err(io_err)
}

fn io_err(e: std::io::Error) -> SysError {
    SysError::Os(e.raw_os_error().unwrap_or(libc::EIO))
}
