//! Pool mode: a caller-given buffer managed by TLSF (the `rlsf` crate), so
//! malloc and free run in bounded time. One pool per process, behind a mutex.
//!
//! The pool's address range is also kept in atomics so that a free can tell
//! "this pointer belongs to the pool" without taking the lock. A pool that
//! was destroyed (`wasm_runtime_destroy`) is *retired*: its range is
//! remembered and frees into it are ignored (the caller owns the buffer and
//! may reuse it; objects the runtime still held are leaked, never corrupted).

use core::alloc::Layout;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// FLLEN 28 with GRANULARITY 32 (64-bit) covers blocks up to 8 GiB, more
/// than a u32-sized pool can hold; SLLEN 16 keeps fragmentation low.
type Tlsf = rlsf::Tlsf<'static, u32, u16, 28, 16>;

struct PoolState {
    tlsf: Tlsf,
    /// Start of the buffer as given, with the length TLSF reported as managed
    /// (exactly what `iter_blocks` needs).
    buf: Option<NonNull<[u8]>>,
    /// Length of the buffer as given.
    total: usize,
    /// Bytes in blocks handed out, with TLSF's per-block header.
    used: usize,
    /// Bytes kept back for small runtime allocations (see [`alloc`]).
    reserve: usize,
}

// SAFETY: the raw buffer pointer is only used under the mutex.
unsafe impl Send for PoolState {}

static POOL: Mutex<PoolState> = Mutex::new(PoolState { tlsf: Tlsf::new(), buf: None, total: 0, used: 0, reserve: 0 });

/// Active pool range [START, END); both 0 when no pool is active.
static START: AtomicUsize = AtomicUsize::new(0);
static END: AtomicUsize = AtomicUsize::new(0);

/// Ranges of retired pools (frees into them are dropped).
const RETIRED_SLOTS: usize = 8;
static RETIRED: [(AtomicUsize, AtomicUsize); RETIRED_SLOTS] = {
    #[allow(clippy::declare_interior_mutable_const)]
    const Z: (AtomicUsize, AtomicUsize) = (AtomicUsize::new(0), AtomicUsize::new(0));
    [Z; RETIRED_SLOTS]
};

fn lock() -> std::sync::MutexGuard<'static, PoolState> {
    POOL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Smallest pool we accept (TLSF's control data lives outside the pool; this
/// is just so that a pool can hold anything at all).
pub const MIN_POOL_SIZE: usize = 1024;

/// Install `buf[..len]` as the process's pool.
///
/// # Safety
/// The buffer must stay valid and unused by anyone else until the pool is
/// retired by [`retire`].
pub unsafe fn install(buf: *mut u8, len: usize) -> Result<(), &'static str> {
    if buf.is_null() || len < MIN_POOL_SIZE {
        return Err("pool buffer is NULL or smaller than 1 KiB");
    }
    let mut st = lock();
    if st.buf.is_some() {
        return Err("a memory pool is already active");
    }
    let slice = ptr::slice_from_raw_parts_mut(buf, len);
    let nn = NonNull::new(slice).ok_or("pool buffer is NULL")?;
    st.tlsf = Tlsf::new();
    // SAFETY: the caller hands the buffer over to us until `retire`.
    let managed = match unsafe { st.tlsf.insert_free_block_ptr(nn) } {
        Some(n) => n.get(),
        None => return Err("pool buffer too small for the allocator"),
    };
    st.buf = NonNull::new(ptr::slice_from_raw_parts_mut(buf, managed));
    st.total = len;
    st.used = 0;
    st.reserve = (len / 8).clamp(RESERVE_MIN, RESERVE_MAX);
    START.store(buf as usize, Ordering::Release);
    END.store(buf as usize + len, Ordering::Release);
    Ok(())
}

/// Stop using the pool. Its range stays known so late frees are ignored.
pub fn retire() {
    let mut st = lock();
    if let Some(b) = st.buf.take() {
        let start = b.as_ptr() as *mut u8 as usize;
        let end = start + st.total;
        START.store(0, Ordering::Release);
        END.store(0, Ordering::Release);
        st.tlsf = Tlsf::new();
        // Remember the range (oldest slot is overwritten when all are used).
        let slot = RETIRED
            .iter()
            .position(|(s, _)| s.load(Ordering::Acquire) == 0)
            .unwrap_or(0);
        RETIRED[slot].0.store(start, Ordering::Release);
        RETIRED[slot].1.store(end, Ordering::Release);
    }
}

pub fn is_active() -> bool {
    END.load(Ordering::Acquire) != 0
}

/// Does `p` point into the active pool?
pub fn owns(p: *mut u8) -> bool {
    let a = p as usize;
    a >= START.load(Ordering::Acquire) && a < END.load(Ordering::Acquire)
}

/// Does `p` point into a retired pool?
pub fn owned_by_retired(p: *mut u8) -> bool {
    let a = p as usize;
    RETIRED.iter().any(|(s, e)| {
        let (s, e) = (s.load(Ordering::Acquire), e.load(Ordering::Acquire));
        s != 0 && a >= s && a < e
    })
}

/// Per-block bookkeeping of TLSF (the used-block header).
const BLOCK_OVERHEAD: usize = rlsf::GRANULARITY / 2;
/// The reserve: pool/8, at least 64 KiB, at most 4 MiB.
const RESERVE_MIN: usize = 64 << 10;
const RESERVE_MAX: usize = 4 << 20;

/// Allocate; returns the pointer and its usable size.
///
/// `strict` allocations (the C API: wasm_runtime_malloc & co., used by
/// native libraries and backends) fail when they would eat into the
/// reserve; the runtime's own allocations may use it. So native code that
/// exhausts the pool gets NULL while the runtime keeps room for the
/// allocations that cannot fail gracefully in Rust.
pub fn alloc(layout: Layout, strict: bool) -> Option<(NonNull<u8>, usize)> {
    let mut st = lock();
    st.buf?;
    if strict && st.used + layout.size() + BLOCK_OVERHEAD + st.reserve > st.total {
        return None;
    }
    let p = st.tlsf.allocate(layout)?;
    // SAFETY: `p` was just returned by this Tlsf.
    let usable = unsafe { Tlsf::allocation_usable_size(p) };
    st.used += usable + BLOCK_OVERHEAD;
    Some((p, usable))
}

/// Free; returns the usable size that was released.
///
/// # Safety
/// `p` must come from [`alloc`]/[`realloc`] of the active pool with `align`.
pub unsafe fn free(p: NonNull<u8>, align: usize) -> usize {
    let mut st = lock();
    // SAFETY: upheld by the caller.
    unsafe {
        let usable = Tlsf::allocation_usable_size(p);
        st.tlsf.deallocate(p, align);
        st.used = st.used.saturating_sub(usable + BLOCK_OVERHEAD);
        usable
    }
}

/// Reallocate in the pool; returns (new pointer, old usable, new usable).
///
/// # Safety
/// As for [`free`]; `new_layout.align()` must be the original alignment.
pub unsafe fn realloc(p: NonNull<u8>, new_layout: Layout, strict: bool) -> Option<(NonNull<u8>, usize, usize)> {
    let mut st = lock();
    // SAFETY: upheld by the caller.
    unsafe {
        let old = Tlsf::allocation_usable_size(p);
        let grow = new_layout.size().saturating_sub(old);
        if strict && grow > 0 && st.used + grow + BLOCK_OVERHEAD + st.reserve > st.total {
            return None;
        }
        let np = st.tlsf.reallocate(p, new_layout)?;
        let new = Tlsf::allocation_usable_size(np);
        st.used = (st.used + new).saturating_sub(old);
        Some((np, old, new))
    }
}

/// (pool size, free payload bytes, largest free block payload) of the active pool.
pub fn sizes() -> Option<(usize, usize, usize)> {
    let st = lock();
    let buf = st.buf?;
    let mut free = 0usize;
    let mut largest = 0usize;
    // SAFETY: `buf` is the exact buffer given to this Tlsf.
    for b in unsafe { st.tlsf.iter_blocks(buf) } {
        if !b.is_occupied() {
            free += b.max_payload_size();
            largest = largest.max(b.max_payload_size());
        }
    }
    Some((st.total, free, largest))
}

/// Usable size of a live pool block.
///
/// # Safety
/// `p` must be a live block of the active pool.
pub unsafe fn usable_size(p: NonNull<u8>) -> usize {
    // SAFETY: upheld by the caller; reads only the block's own header.
    unsafe { Tlsf::allocation_usable_size(p) }
}

/// Would `bytes` more fit without touching the reserve (and in one block)?
pub fn room_for(bytes: usize) -> bool {
    let st = lock();
    let Some(buf) = st.buf else { return false };
    if st.used + bytes + st.reserve > st.total {
        return false;
    }
    // SAFETY: `buf` is the exact range given to this Tlsf.
    let fits = unsafe { st.tlsf.iter_blocks(buf) }.any(|b| !b.is_occupied() && b.max_payload_size() >= bytes);
    fits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The only test touching the process's pool. The global mode stays
    /// "system", so no other allocation of the test binary lands in it.
    #[test]
    fn tlsf_pool_accounting_reserve_and_retirement() {
        let mut buf = vec![0u8; 1 << 20];
        // SAFETY: `buf` outlives the pool (retired below before it drops).
        unsafe { install(buf.as_mut_ptr(), buf.len()) }.unwrap();
        assert!(is_active());
        // SAFETY: as above (a second install must be refused).
        assert!(unsafe { install(buf.as_mut_ptr(), buf.len()) }.is_err());
        let (total, free0, _) = sizes().unwrap();
        assert_eq!(total, 1 << 20);

        let l = Layout::from_size_align(1000, 16).unwrap();
        let (a, ua) = alloc(l, true).unwrap();
        assert!(ua >= 1000 && owns(a.as_ptr()));
        assert_eq!(a.as_ptr() as usize % super::super::C_ALIGN, 0);
        let (_, free1, _) = sizes().unwrap();
        assert!(free0 - free1 >= 1000);

        // Strict allocations stop at the reserve (pool/8 = 128 KiB); others may use it.
        let big = Layout::from_size_align(900 << 10, 16).unwrap();
        assert!(alloc(big, true).is_none());
        let (b, _) = alloc(big, false).unwrap();
        assert!(!room_for(200 << 10));

        // SAFETY: live blocks of this pool with their alignment.
        unsafe {
            let (a2, _, new) = realloc(a, Layout::from_size_align(4000, 16).unwrap(), false).unwrap();
            assert!(new >= 4000);
            free(a2, 16);
            free(b, 16);
        }
        let (_, free2, largest) = sizes().unwrap();
        assert_eq!(free2, free0);
        assert_eq!(largest, free0);
        let p = buf.as_mut_ptr();
        retire();
        assert!(!is_active() && !owns(p) && owned_by_retired(p));
    }
}
