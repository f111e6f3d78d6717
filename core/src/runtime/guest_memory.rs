//! The one view of a guest's linear memory that host code reads and writes through: WASI
//! (`wasi/mem.rs` adds iovecs), wasi-nn (`nn/ephemeral.rs`, `legacy.rs`), the C API's address
//! checks (`capi/memory.rs`), the natives' `*`/`$` checks (`natives/glue.rs`) and the
//! libc-builtin (`libc_builtin/funcs.rs`, `printf.rs`).
//!
//! Every guest pointer and length goes through [`GuestMemory::range`], which computes the end in
//! u64 arithmetic (`checked_add`: no wrap-around for any pointer/length pair) and fails with
//! [`OutOfBounds`] when any byte would lie outside the memory. Each user maps that to its own
//! answer: EFAULT (WASI), invalid_argument (wasi-nn), a trap (natives, libc-builtin: `From`
//! gives `Trap::MemoryOutOfBounds`), false (C API).

use std::ops::Range;

/// A guest pointer and length that do not lie inside linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfBounds;

impl std::fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("out of bounds memory access")
    }
}

impl std::error::Error for OutOfBounds {}

impl From<OutOfBounds> for ember_interp::Trap {
    fn from(_: OutOfBounds) -> Self {
        ember_interp::Trap::MemoryOutOfBounds
    }
}

pub type MemResult<T> = Result<T, OutOfBounds>;

/// Linear memory 0 of an instance, borrowed for one host call (or one C API call).
pub struct GuestMemory<'a> {
    bytes: &'a mut [u8],
}

impl<'a> GuestMemory<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Self {
        GuestMemory { bytes }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The host range of guest bytes `[ptr, ptr + len)`.
    pub fn range(&self, ptr: impl Into<u64>, len: impl Into<u64>) -> MemResult<Range<usize>> {
        let start = ptr.into();
        let end = start.checked_add(len.into()).ok_or(OutOfBounds)?;
        if end > self.bytes.len() as u64 {
            return Err(OutOfBounds);
        }
        Ok(start as usize..end as usize)
    }

    /// Do the guest bytes `[ptr, ptr + len)` lie inside memory?
    pub fn contains(&self, ptr: impl Into<u64>, len: impl Into<u64>) -> bool {
        self.range(ptr, len).is_ok()
    }

    /// `count` elements of `size` bytes at `ptr`.
    pub fn array_range(&self, ptr: impl Into<u64>, count: u32, size: u32) -> MemResult<Range<usize>> {
        self.range(ptr, u64::from(count) * u64::from(size))
    }

    pub fn slice(&self, ptr: impl Into<u64>, len: impl Into<u64>) -> MemResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub fn slice_mut(&mut self, ptr: impl Into<u64>, len: impl Into<u64>) -> MemResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    /// The bytes from `ptr` to the end of memory (empty when `ptr` is the end).
    pub fn rest(&self, ptr: impl Into<u64>) -> MemResult<&[u8]> {
        let start = ptr.into();
        if start > self.bytes.len() as u64 {
            return Err(OutOfBounds);
        }
        Ok(&self.bytes[start as usize..])
    }

    /// The NUL-terminated string at `ptr`, without its NUL, which must lie inside memory.
    pub fn c_str(&self, ptr: impl Into<u64>) -> MemResult<&[u8]> {
        self.c_str_max(ptr, usize::MAX)
    }

    /// The string at `ptr` as C reads it with a bound (`strncmp`, `%.Ns`): up to its NUL (not
    /// included) or `max` bytes, whichever comes first; only the bytes read must lie inside
    /// memory.
    pub fn c_str_max(&self, ptr: impl Into<u64>, max: usize) -> MemResult<&[u8]> {
        let rest = self.rest(ptr)?;
        match rest.iter().take(max).position(|&b| b == 0) {
            Some(n) => Ok(&rest[..n]),
            None if rest.len() >= max => Ok(&rest[..max]),
            None => Err(OutOfBounds),
        }
    }

    /// Copy `len` bytes from guest `src` to guest `dst`; the ranges may overlap (memmove).
    pub fn copy_within(&mut self, src: impl Into<u64>, dst: impl Into<u64>, len: impl Into<u64>) -> MemResult<()> {
        let len = len.into();
        let (from, to) = (self.range(src, len)?, self.range(dst, len)?);
        self.bytes.copy_within(from, to.start);
        Ok(())
    }

    /// The host address of guest address 0 (for natives, which get host pointers).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr()
    }

    /// The guest address of host pointer `ptr`, if it points into memory or one past its end
    /// (what the C API converts for natives).
    pub fn offset_of(&self, ptr: *const u8) -> Option<u64> {
        let (p, base) = (ptr as usize, self.bytes.as_ptr() as usize);
        let off = p.checked_sub(base)?;
        (off <= self.bytes.len()).then_some(off as u64)
    }

    /// The whole memory, read-only (for gathering several guest buffers at once).
    pub fn all(&self) -> &[u8] {
        self.bytes
    }
    /// The bytes of a range [`GuestMemory::range`] returned.
    pub fn bytes_in(&self, r: Range<usize>) -> &[u8] {
        &self.bytes[r]
    }
    pub fn bytes_in_mut(&mut self, r: Range<usize>) -> &mut [u8] {
        &mut self.bytes[r]
    }

    fn read_array<const N: usize>(&self, ptr: impl Into<u64>) -> MemResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.slice(ptr, N as u64)?);
        Ok(out)
    }
    pub fn read_u8(&self, ptr: impl Into<u64>) -> MemResult<u8> {
        Ok(self.read_array::<1>(ptr)?[0])
    }
    pub fn read_u16(&self, ptr: impl Into<u64>) -> MemResult<u16> {
        Ok(u16::from_le_bytes(self.read_array(ptr)?))
    }
    pub fn read_u32(&self, ptr: impl Into<u64>) -> MemResult<u32> {
        Ok(u32::from_le_bytes(self.read_array(ptr)?))
    }
    pub fn read_u64(&self, ptr: impl Into<u64>) -> MemResult<u64> {
        Ok(u64::from_le_bytes(self.read_array(ptr)?))
    }
    /// `count` consecutive little-endian u32 values at `ptr` (copied: guest arrays may be unaligned).
    pub fn read_u32_array(&self, ptr: impl Into<u64>, count: u32) -> MemResult<Vec<u32>> {
        let b = self.slice(ptr, u64::from(count) * 4)?;
        Ok(b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
    }

    pub fn write_bytes(&mut self, ptr: impl Into<u64>, data: &[u8]) -> MemResult<()> {
        self.slice_mut(ptr, data.len() as u64)?.copy_from_slice(data);
        Ok(())
    }
    pub fn write_u8(&mut self, ptr: impl Into<u64>, v: u8) -> MemResult<()> {
        self.write_bytes(ptr, &[v])
    }
    pub fn write_u16(&mut self, ptr: impl Into<u64>, v: u16) -> MemResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u32(&mut self, ptr: impl Into<u64>, v: u32) -> MemResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u64(&mut self, ptr: impl Into<u64>, v: u64) -> MemResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_overflow_safe() {
        let mut buf = vec![0u8; 100];
        let m = GuestMemory::new(&mut buf);
        assert_eq!(m.range(0u32, 100u32), Ok(0..100));
        assert_eq!(m.range(100u32, 0u32), Ok(100..100));
        assert_eq!(m.range(1u32, 100u32), Err(OutOfBounds));
        assert_eq!(m.range(101u32, 0u32), Err(OutOfBounds));
        assert_eq!(m.range(u32::MAX, u32::MAX), Err(OutOfBounds));
        assert_eq!(m.range(1u64, u64::MAX), Err(OutOfBounds));
        assert_eq!(m.range(u64::MAX, u64::MAX), Err(OutOfBounds));
        assert_eq!(m.array_range(0u32, u32::MAX, 8), Err(OutOfBounds));
    }

    #[test]
    fn reads_writes_and_strings() {
        let mut buf = vec![0u8; 16];
        let mut m = GuestMemory::new(&mut buf);
        m.write_u32(3u32, 0xdeadbeef).unwrap();
        assert_eq!(m.read_u32(3u32), Ok(0xdeadbeef));
        assert_eq!(m.read_u32(13u32), Err(OutOfBounds));
        assert_eq!(m.write_u32(13u32, 1), Err(OutOfBounds));
        assert_eq!(m.read_u32_array(3u32, 1), Ok(vec![0xdeadbeef]));
        assert_eq!(m.read_u32_array(0u32, u32::MAX), Err(OutOfBounds));
        m.write_bytes(10u32, b"hi\0").unwrap();
        assert_eq!(m.c_str(10u32), Ok(&b"hi"[..]));
        m.write_bytes(13u32, b"abc").unwrap();
        assert_eq!(m.c_str(13u32), Err(OutOfBounds));
        assert_eq!(m.c_str(16u32), Err(OutOfBounds));
        assert_eq!(m.c_str_max(13u32, 3), Ok(&b"abc"[..]));
        assert_eq!(m.c_str_max(13u32, 4), Err(OutOfBounds));
        assert_eq!(m.c_str_max(16u32, 0), Ok(&b""[..]));
        assert_eq!(m.c_str_max(17u32, 0), Err(OutOfBounds));
        assert_eq!(m.rest(14u32).map(<[u8]>::len), Ok(2));
        m.copy_within(13u32, 14u32, 2u32).unwrap();
        assert_eq!(m.slice(13u32, 3u32), Ok(&b"aab"[..]));
        assert_eq!(m.copy_within(14u32, 0u32, 3u32), Err(OutOfBounds));
        assert_eq!(m.copy_within(0u32, 14u32, 3u32), Err(OutOfBounds));
    }
}
