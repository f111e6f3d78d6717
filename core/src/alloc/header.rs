//! Blocks of the system and user-allocator modes carry a 16-byte header just
//! before the returned pointer, so that a free finds its origin whatever the
//! current mode is:
//!
//! ```text
//! raw ... [size: u64][tag: u32][offset: u32] | payload (returned pointer p)
//!          p-16       p-8       p-4
//! ```
//! `offset` = p - raw (what the underlying allocator returned).
//! System blocks: raw comes from libc with alignment `a = max(align, 16)` and
//! `offset == a`, so the raw layout is (size + a, a).
//! User blocks: raw comes from the caller's malloc (any alignment >= 1);
//! p = align_up(raw + 16, a).

use core::alloc::{GlobalAlloc, Layout};
use core::ptr;
use std::alloc::System;

use super::UserMalloc;
use super::UserFree;

const HDR: usize = 16;
const TAG_SYSTEM: u32 = 0x454d_5359; // "EMSY"
const TAG_USER: u32 = 0x454d_5553; // "EMUS"

/// # Safety
/// `p` must have `HDR` writable bytes before it.
unsafe fn write_hdr(p: *mut u8, size: usize, tag: u32, offset: usize) {
    // SAFETY: the header lies within the raw block (caller's contract);
    // unaligned writes keep this independent of the raw alignment.
    unsafe {
        ptr::write_unaligned(p.sub(16) as *mut u64, size as u64);
        ptr::write_unaligned(p.sub(8) as *mut u32, tag);
        ptr::write_unaligned(p.sub(4) as *mut u32, offset as u32);
    }
}

/// (size, tag, offset) of a header block.
///
/// # Safety
/// `p` must be a live header block.
unsafe fn read_hdr(p: *mut u8) -> (usize, u32, usize) {
    // SAFETY: as above.
    unsafe {
        (
            ptr::read_unaligned(p.sub(16) as *const u64) as usize,
            ptr::read_unaligned(p.sub(8) as *const u32),
            ptr::read_unaligned(p.sub(4) as *const u32) as usize,
        )
    }
}

fn raw_align(layout: Layout) -> usize {
    layout.align().max(HDR)
}

pub fn alloc_system(layout: Layout) -> Option<*mut u8> {
    alloc_system_with(layout, false)
}

/// As [`alloc_system`], the payload zeroed by libc (calloc: fresh pages stay untouched).
pub fn alloc_system_zeroed(layout: Layout) -> Option<*mut u8> {
    alloc_system_with(layout, true)
}

fn alloc_system_with(layout: Layout, zeroed: bool) -> Option<*mut u8> {
    let a = raw_align(layout);
    let raw_layout = Layout::from_size_align(layout.size().checked_add(a)?, a).ok()?;
    // SAFETY: non-zero size (a >= 16).
    let raw = unsafe { if zeroed { System.alloc_zeroed(raw_layout) } else { System.alloc(raw_layout) } };
    if raw.is_null() {
        return None;
    }
    // SAFETY: raw has a + size bytes; p = raw + a leaves `a >= 16` header bytes.
    unsafe {
        let p = raw.add(a);
        write_hdr(p, layout.size(), TAG_SYSTEM, a);
        Some(p)
    }
}

pub fn alloc_user(layout: Layout, malloc: UserMalloc) -> Option<*mut u8> {
    let a = raw_align(layout);
    let total = layout.size().checked_add(HDR)?.checked_add(a)?;
    let total = u32::try_from(total).ok()?;
    // SAFETY: calling the user's malloc with a size, per its contract.
    let raw = unsafe { malloc(total) };
    if raw.is_null() {
        return None;
    }
    let start = raw as usize + HDR;
    let p_addr = (start + a - 1) & !(a - 1);
    let offset = p_addr - raw as usize; // <= HDR + a - 1 < total - size
    // SAFETY: p lies within the raw block with `size` bytes after it and
    // at least HDR bytes before it.
    unsafe {
        let p = raw.add(offset);
        write_hdr(p, layout.size(), TAG_USER, offset);
        Some(p)
    }
}

/// Requested size of a header block, or None when the tag is unknown.
///
/// # Safety
/// `p` must be a live header block.
pub unsafe fn size_of(p: *mut u8) -> Option<usize> {
    // SAFETY: forwarded.
    let (size, tag, _) = unsafe { read_hdr(p) };
    matches!(tag, TAG_SYSTEM | TAG_USER).then_some(size)
}

/// Free a header block; returns its size. Unknown tags are left alone.
///
/// # Safety
/// `p` must be a live header block.
pub unsafe fn free(p: *mut u8, user_free: Option<UserFree>) -> Option<usize> {
    // SAFETY: forwarded.
    let (size, tag, offset) = unsafe { read_hdr(p) };
    match tag {
        TAG_SYSTEM => {
            // SAFETY: the layout is reconstructed exactly as allocated.
            unsafe {
                System.dealloc(p.sub(offset), Layout::from_size_align_unchecked(size + offset, offset));
            }
            Some(size)
        }
        TAG_USER => {
            let f = user_free?;
            // SAFETY: raw = p - offset came from the user's malloc.
            unsafe { f(p.sub(offset)) };
            Some(size)
        }
        _ => None,
    }
}

/// Grow/shrink a system block in place with libc realloc. Returns None when
/// `p` is not a system block (the caller then copies), Some(None) on failure,
/// Some(Some((new pointer, old size))) on success.
///
/// # Safety
/// `p` must be a live header block.
pub unsafe fn realloc_system(p: *mut u8, new_size: usize) -> Option<Option<(*mut u8, usize)>> {
    // SAFETY: forwarded.
    let (size, tag, offset) = unsafe { read_hdr(p) };
    if tag != TAG_SYSTEM {
        return None;
    }
    let Some(new_total) = new_size.checked_add(offset) else {
        return Some(None);
    };
    // SAFETY: layout reconstructed as allocated; new_total is non-zero.
    unsafe {
        let raw = System.realloc(p.sub(offset), Layout::from_size_align_unchecked(size + offset, offset), new_total);
        if raw.is_null() {
            return Some(None);
        }
        let np = raw.add(offset);
        write_hdr(np, new_size, TAG_SYSTEM, offset);
        Some(Some((np, size)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static USER_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    unsafe extern "C" fn user_malloc(n: u32) -> *mut u8 {
        USER_BYTES.fetch_add(n as usize, std::sync::atomic::Ordering::Relaxed);
        // SAFETY: plain libc-backed allocation with an 8-byte alignment, as a C malloc may give.
        unsafe { System.alloc(Layout::from_size_align_unchecked(n as usize, 8)) }
    }
    unsafe extern "C" fn user_free(_p: *mut u8) {
        // Leaked on purpose: the test only checks that the right function is called.
        USER_BYTES.fetch_add(1 << 20, std::sync::atomic::Ordering::Relaxed);
    }

    #[test]
    fn headers_keep_size_origin_and_alignment() {
        for align in [1usize, 8, 16, 64, 4096] {
            let l = Layout::from_size_align(100, align).unwrap();
            let p = alloc_system(l).unwrap();
            assert_eq!(p as usize % align, 0);
            // SAFETY: live header block.
            unsafe {
                assert_eq!(size_of(p), Some(100));
                let (np, old) = realloc_system(p, 5000).unwrap().unwrap();
                assert_eq!(old, 100);
                assert_eq!(np as usize % align.max(16), 0);
                assert_eq!(free(np, None), Some(5000));
            }
            let u = alloc_user(l, user_malloc).unwrap();
            assert_eq!(u as usize % align, 0);
            // SAFETY: live header block.
            unsafe {
                assert_eq!(size_of(u), Some(100));
                assert!(realloc_system(u, 10).is_none(), "user blocks are not realloc'ed by libc");
                let before = USER_BYTES.load(std::sync::atomic::Ordering::Relaxed);
                assert_eq!(free(u, Some(user_free)), Some(100));
                assert!(USER_BYTES.load(std::sync::atomic::Ordering::Relaxed) > before);
            }
        }
    }
}
