//! Checked access to a guest's linear memory.
//!
//! Every guest pointer and length goes through [`GuestMem::range`], which
//! computes the end in 64-bit arithmetic (no overflow for any u32 pair) and
//! fails with EFAULT when any byte would lie outside the memory.

use super::types::{Errno, IOVEC_SIZE};

/// Most (c)iovecs one call may pass (Linux's IOV_MAX): host memory used per
/// call stays bounded whatever the guest asks for.
pub const MAX_IOVECS: u32 = 1024;

pub struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

pub type WResult<T> = Result<T, Errno>;

impl<'a> GuestMem<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMem { bytes }
    }

    /// The host range of guest bytes `[ptr, ptr + len)`, or EFAULT.
    pub fn range(&self, ptr: u32, len: u32) -> WResult<std::ops::Range<usize>> {
        let end = u64::from(ptr) + u64::from(len);
        if end > self.bytes.len() as u64 {
            return Err(Errno::FAULT);
        }
        Ok(ptr as usize..end as usize)
    }

    /// `count` elements of `size` bytes at `ptr`, overflow-checked.
    pub fn array_range(&self, ptr: u32, count: u32, size: u32) -> WResult<std::ops::Range<usize>> {
        let len = u64::from(count) * u64::from(size);
        let len = u32::try_from(len).map_err(|_| Errno::FAULT)?;
        self.range(ptr, len)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> WResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// The whole memory, read-only (for gathering several guest buffers at once).
    pub fn all(&self) -> &[u8] {
        self.bytes
    }

    fn read_array<const N: usize>(&self, ptr: u32) -> WResult<[u8; N]> {
        let r = self.range(ptr, N as u32)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes[r]);
        Ok(out)
    }

    pub fn read_u8(&self, ptr: u32) -> WResult<u8> {
        Ok(self.read_array::<1>(ptr)?[0])
    }
    pub fn read_u16(&self, ptr: u32) -> WResult<u16> {
        Ok(u16::from_le_bytes(self.read_array(ptr)?))
    }
    pub fn read_u32(&self, ptr: u32) -> WResult<u32> {
        Ok(u32::from_le_bytes(self.read_array(ptr)?))
    }
    pub fn read_u64(&self, ptr: u32) -> WResult<u64> {
        Ok(u64::from_le_bytes(self.read_array(ptr)?))
    }

    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> WResult<()> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::FAULT)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }
    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WResult<()> {
        self.write_bytes(ptr, &[v])
    }
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Read and validate an array of `count` (c)iovecs at `ptr`: the array
    /// and every buffer it describes lie inside memory. Returns the buffers'
    /// host ranges (they may overlap; each is within memory).
    /// More than [`MAX_IOVECS`] buffers is EINVAL, as for readv/writev.
    pub fn iovecs(&self, ptr: u32, count: u32) -> WResult<Vec<std::ops::Range<usize>>> {
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

    /// The guest byte string `[ptr, ptr+len)` (a path, not NUL-terminated).
    pub fn bytes_vec(&self, ptr: u32, len: u32) -> WResult<Vec<u8>> {
        Ok(self.slice(ptr, len)?.to_vec())
    }

    pub fn bytes_in(&self, r: std::ops::Range<usize>) -> &[u8] {
        &self.bytes[r]
    }
    pub fn bytes_in_mut(&mut self, r: std::ops::Range<usize>) -> &mut [u8] {
        &mut self.bytes[r]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_overflow_safe() {
        let mut buf = vec![0u8; 100];
        let m = GuestMem::new(&mut buf);
        assert!(m.range(0, 100).is_ok());
        assert_eq!(m.range(1, 100), Err(Errno::FAULT));
        assert_eq!(m.range(u32::MAX, u32::MAX), Err(Errno::FAULT));
        assert_eq!(m.range(100, 0), Ok(100..100));
        assert_eq!(m.range(101, 0), Err(Errno::FAULT));
        assert_eq!(m.array_range(0, u32::MAX, 8), Err(Errno::FAULT));
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
