//! Guest memory as WASI sees it: the runtime's [`GuestMemory`] view, whose out-of-bounds
//! answer is EFAULT here, plus the (c)iovec arrays of the read/write calls.
//!
//! Every guest pointer and length goes through [`GuestMemory::range`] (64-bit arithmetic, no
//! overflow for any u32 pair): EFAULT when any byte would lie outside the memory.

use super::funcs::Fail;
use super::types::{Errno, IOVEC_SIZE};
pub use crate::runtime::guest_memory::GuestMemory;
use crate::runtime::guest_memory::OutOfBounds;

/// Most (c)iovecs one call may pass (Linux's IOV_MAX): host memory used per
/// call stays bounded whatever the guest asks for.
pub const MAX_IOVECS: u32 = 1024;

pub type GuestMem<'a> = GuestMemory<'a>;

pub type WResult<T> = Result<T, Errno>;

impl From<OutOfBounds> for Errno {
    fn from(_: OutOfBounds) -> Errno {
        Errno::FAULT
    }
}

impl From<OutOfBounds> for Fail {
    fn from(_: OutOfBounds) -> Fail {
        Fail::Errno(Errno::FAULT)
    }
}

/// The (c)iovec arrays of fd_read/fd_write/sock_recv/...
pub trait Iovecs {
    /// Read and validate an array of `count` (c)iovecs at `ptr`: the array
    /// and every buffer it describes lie inside memory. Returns the buffers'
    /// host ranges (they may overlap; each is within memory).
    /// More than [`MAX_IOVECS`] buffers is EINVAL, as for readv/writev.
    fn iovecs(&self, ptr: u32, count: u32) -> WResult<Vec<std::ops::Range<usize>>>;
}

impl Iovecs for GuestMemory<'_> {
    fn iovecs(&self, ptr: u32, count: u32) -> WResult<Vec<std::ops::Range<usize>>> {
        if count > MAX_IOVECS {
            return Err(Errno::INVAL);
        }
        self.array_range(ptr, count, IOVEC_SIZE)?;
        let mut out = Vec::with_capacity(count as usize);
        for i in 0..count {
            let at = ptr + i * IOVEC_SIZE;
            let buf = self.read_u32(at)?;
            let len = self.read_u32(at + 4)?;
            out.push(self.range(buf, len)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut buf = vec![0u8; 100];
        let m = GuestMem::new(&mut buf);
        assert_eq!(m.range(1u32, 100u32).map_err(Errno::from), Err(Errno::FAULT));
        assert_eq!(m.array_range(0u32, u32::MAX, 8).map_err(Errno::from), Err(Errno::FAULT));
    }

    #[test]
    fn iovecs_are_validated() {
        let mut buf = vec![0u8; 64];
        buf[0..4].copy_from_slice(&16u32.to_le_bytes());
        buf[4..8].copy_from_slice(&8u32.to_le_bytes());
        buf[8..12].copy_from_slice(&60u32.to_le_bytes());
        buf[12..16].copy_from_slice(&8u32.to_le_bytes());
        let m = GuestMem::new(&mut buf);
        assert_eq!(m.iovecs(0, 1), Ok(vec![std::ops::Range { start: 16, end: 24 }]));
        assert_eq!(m.iovecs(0, 2), Err(Errno::FAULT));
        assert_eq!(m.iovecs(60, 1), Err(Errno::FAULT));
        assert_eq!(m.iovecs(0, MAX_IOVECS + 1), Err(Errno::INVAL));
    }
}
