//! Bounds-checked, overflow-safe access to guest linear memory for wasi-nn.
//!
//! Every guest pointer and length goes through here before use. A bad pointer is a guest error
//! (`invalid_argument`), never a trap.

use super::NnResult;
use ember_nn_abi::NnError;
use std::ops::Range;

/// The byte range [ptr, ptr + len) of a memory of `mem_len` bytes, or invalid_argument when it
/// does not fit (computed in u64, so no wrap-around).
pub fn range(mem_len: usize, ptr: u32, len: u64) -> NnResult<Range<usize>> {
    let start = u64::from(ptr);
    let end = start.checked_add(len).ok_or(NnError::InvalidArgument)?;
    if end > mem_len as u64 {
        log::debug!("wasi-nn: guest range {start:#x}+{len} outside memory of {mem_len} bytes");
        return Err(NnError::InvalidArgument);
    }
    Ok(start as usize..end as usize)
}

pub fn slice(mem: &[u8], ptr: u32, len: u64) -> NnResult<&[u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mem[r])
}

pub fn read_u32(mem: &[u8], ptr: u32) -> NnResult<u32> {
    let b = slice(mem, ptr, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Check that a u32 can be written at `ptr` (done before side effects such as a backend call).
pub fn check_u32_slot(mem: &[u8], ptr: u32) -> NnResult<()> {
    range(mem.len(), ptr, 4).map(|_| ())
}

pub fn write_u32(mem: &mut [u8], ptr: u32, value: u32) -> NnResult<()> {
    let r = range(mem.len(), ptr, 4)?;
    mem[r].copy_from_slice(&value.to_le_bytes());
    Ok(())
}

/// `count` consecutive little-endian u32 values at `ptr` (copied: guest arrays may be unaligned).
pub fn read_u32_array(mem: &[u8], ptr: u32, count: u32) -> NnResult<Vec<u32>> {
    let b = slice(mem, ptr, u64::from(count) * 4)?;
    Ok(b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_overflow_safe() {
        assert_eq!(range(100, 0, 100), Ok(0..100));
        assert_eq!(range(100, 100, 0), Ok(100..100));
        assert_eq!(range(100, 100, 1), Err(NnError::InvalidArgument));
        assert_eq!(range(100, u32::MAX, 2), Err(NnError::InvalidArgument));
        assert_eq!(range(100, 1, u64::MAX), Err(NnError::InvalidArgument));
        assert_eq!(range(usize::MAX, u32::MAX, u64::MAX), Err(NnError::InvalidArgument));
    }

    #[test]
    fn reads_and_writes() {
        let mut mem = vec![0u8; 16];
        write_u32(&mut mem, 3, 0xdeadbeef).unwrap();
        assert_eq!(read_u32(&mem, 3), Ok(0xdeadbeef));
        assert_eq!(read_u32(&mem, 13), Err(NnError::InvalidArgument));
        assert_eq!(write_u32(&mut mem, 13, 1), Err(NnError::InvalidArgument));
        assert_eq!(read_u32_array(&mem, 3, 1), Ok(vec![0xdeadbeef]));
        assert_eq!(read_u32_array(&mem, 0, u32::MAX), Err(NnError::InvalidArgument));
    }
}
