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
use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
    /// Highest end address of any block handed out since install. TLSF writes its headers
    /// only at block boundaries, all of which lie below `high` + a header or in the pool's
    /// last bytes (its sentinel), so the rest of the buffer is as the installer left it.
    high: usize,
    /// The installer's buffer was all zero ([`assume_zeroed`]): bytes never handed out need
    /// no zeroing.
    zeroed: bool,
}

// SAFETY: the raw buffer pointer is only used under the mutex.
unsafe impl Send for PoolState {}

static POOL: Mutex<PoolState> =
    Mutex::new(PoolState { tlsf: Tlsf::new(), buf: None, total: 0, used: 0, reserve: 0, high: 0, zeroed: false });

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
    st.high = buf as usize;
    st.zeroed = false;
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
        // Before the range stops being the active pool's: a free that no longer sees it there
        // then sees this flag too, and scans RETIRED.
        ANY_RETIRED.store(true, Ordering::Release);
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

/// Whether a pool was ever retired: until then every free skips the scan of [`RETIRED`] (one
/// load instead of sixteen, on the path of every block a backend frees).
static ANY_RETIRED: AtomicBool = AtomicBool::new(false);

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
    if !ANY_RETIRED.load(Ordering::Acquire) {
        return false;
    }
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
    alloc_locked(&mut lock(), layout, strict)
}

fn alloc_locked(st: &mut PoolState, layout: Layout, strict: bool) -> Option<(NonNull<u8>, usize)> {
    st.buf?;
    if strict && st.used.saturating_add(layout.size()) + BLOCK_OVERHEAD + st.reserve > st.total {
        return None;
    }
    let p = st.tlsf.allocate(layout)?;
    // SAFETY: `p` was just returned by this Tlsf.
    let usable = unsafe { Tlsf::allocation_usable_size(p) };
    st.used += usable + BLOCK_OVERHEAD;
    st.high = st.high.max(p.as_ptr() as usize + usable);
    Some((p, usable))
}

/// Declare that the active pool's buffer was all zero when it was installed and that nobody
/// but the pool has written to it since (iwasm's calloc'ed pool): from now on zeroed
/// allocations skip the bytes never handed out, so their pages stay untouched.
pub fn assume_zeroed() {
    let mut st = lock();
    if st.buf.is_some() {
        st.zeroed = true;
    }
}

/// Bytes TLSF may have written just above the highest block end (the free block header
/// there: four words, 32 bytes on 64-bit targets) and at the end of the pool (its sentinel
/// header), with margin. Those pages are resident already (TLSF wrote them), so zeroing the
/// slack touches no new page; a memory grown in place page by page touches nothing.
const SLACK_LOW: usize = 4 * rlsf::GRANULARITY;
const SLACK_END: usize = 8 * rlsf::GRANULARITY;

/// `[lo, hi)`: the part of the pool known to be zero, for a pool whose highest block end was
/// `high` (empty unless [`assume_zeroed`]).
fn pristine(st: &PoolState, high: usize) -> (usize, usize) {
    match st.buf {
        Some(b) if st.zeroed => {
            let start = b.as_ptr() as *mut u8 as usize;
            let end = start + b.len();
            let lo = high.saturating_add(SLACK_LOW);
            let hi = end.saturating_sub(SLACK_END);
            (lo, hi.max(lo))
        }
        _ => (0, 0),
    }
}

/// Zero `[from, to)` except the part inside `pristine`.
///
/// # Safety
/// `[from, to)` must be writable bytes of one live block owned by the caller.
unsafe fn zero_except(from: usize, to: usize, pristine: (usize, usize)) {
    let (lo, hi) = pristine;
    let zero = |a: usize, b: usize| {
        if a < b {
            // SAFETY: `[a, b)` lies inside `[from, to)` (caller's contract).
            unsafe { ptr::write_bytes(a as *mut u8, 0, b - a) };
        }
    };
    if lo >= hi {
        zero(from, to);
    } else {
        zero(from, to.min(lo));
        zero(from.max(hi), to);
    }
}

/// [`alloc`] with the whole usable block zeroed (bytes never handed out are not written, see
/// [`assume_zeroed`]).
pub fn alloc_zeroed(layout: Layout, strict: bool) -> Option<(NonNull<u8>, usize)> {
    let (p, usable, pr) = {
        let mut st = lock();
        let high = st.high;
        let (p, usable) = alloc_locked(&mut st, layout, strict)?;
        (p, usable, pristine(&st, high))
    };
    // Zeroing happens outside the lock: the block is ours alone.
    let start = p.as_ptr() as usize;
    // SAFETY: the block is ours and has `usable` bytes.
    unsafe { zero_except(start, start + usable, pr) };
    Some((p, usable))
}

/// Grow a block from [`alloc_zeroed`] / this function to at least `new_layout.size()` bytes,
/// in place when the next block is free, else moved (TLSF copies the old usable bytes). The
/// added bytes are zeroed without writing bytes never handed out (see [`assume_zeroed`]), so
/// the whole usable block past what the owner wrote stays zero. Returns (pointer, old usable,
/// new usable); None leaves the block as it was.
///
/// # Safety
/// As for [`realloc`]; the owner must only have written below the size it asked for last
/// (linear memories: their current length), so that the rest of the block is still zero.
pub unsafe fn realloc_zeroed(p: NonNull<u8>, new_layout: Layout, strict: bool) -> Option<(NonNull<u8>, usize, usize)> {
    let (np, old, new, pr) = {
        let mut st = lock();
        let high = st.high;
        // SAFETY: forwarded contract.
        let (np, old, new) = unsafe { realloc_locked(&mut st, p, new_layout, strict)? };
        (np, old, new, pristine(&st, high))
    };
    let start = np.as_ptr() as usize;
    // SAFETY: `[old, new)` lies inside the (new) block, which is ours. Bytes below `old` are
    // the old block's (copied when moved), zero past the owner's length by the contract; the
    // rest were free bytes, some perhaps of a former block (zeroed) or never used (skipped).
    unsafe { zero_except(start + old, start + new, pr) };
    Some((np, old, new))
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
    // SAFETY: forwarded contract.
    unsafe { realloc_locked(&mut lock(), p, new_layout, strict) }
}

/// # Safety
/// As for [`realloc`].
unsafe fn realloc_locked(
    st: &mut PoolState,
    p: NonNull<u8>,
    new_layout: Layout,
    strict: bool,
) -> Option<(NonNull<u8>, usize, usize)> {
    // SAFETY: upheld by the caller.
    unsafe {
        let old = Tlsf::allocation_usable_size(p);
        let grow = new_layout.size().saturating_sub(old);
        if strict && grow > 0 && st.used.saturating_add(grow) + BLOCK_OVERHEAD + st.reserve > st.total {
            return None;
        }
        let np = st.tlsf.reallocate(p, new_layout)?;
        let new = Tlsf::allocation_usable_size(np);
        st.used = (st.used + new).saturating_sub(old);
        st.high = st.high.max(np.as_ptr() as usize + new);
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
    // Under the lock: the header word holding the size also holds flags that TLSF rewrites when
    // the physically previous block is freed or split, from any thread (ThreadSanitizer saw
    // such a free race with this read: tests/tsan/run.sh).
    let _st = lock();
    // SAFETY: upheld by the caller.
    unsafe { Tlsf::allocation_usable_size(p) }
}

/// Would `bytes` more fit without touching the reserve (and in one block)?
pub fn room_for(bytes: usize) -> bool {
    room_leaving(bytes, |reserve| reserve)
}

/// [`room_for`] for what a running guest needs to go on (its functions' code, its operand
/// stack, table growth): these may use half of the reserve. Linear memory may not (its
/// allocations are strict), so a guest that grew its memory to the limit can still run.
pub fn room_for_guest(bytes: usize) -> bool {
    room_leaving(bytes, |reserve| reserve / 2)
}

fn room_leaving(bytes: usize, keep: impl Fn(usize) -> usize) -> bool {
    let st = lock();
    let Some(buf) = st.buf else { return false };
    if st.used.saturating_add(bytes).saturating_add(keep(st.reserve)) > st.total {
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
        // Zeroed blocks are zero even where a freed block left garbage, and stay zero past
        // what their owner wrote as they grow (in place or moved).
        let l = Layout::from_size_align(64 << 10, 16).unwrap();
        let (g, _) = alloc(l, false).unwrap();
        // SAFETY: a live block of 64 KiB.
        unsafe {
            ptr::write_bytes(g.as_ptr(), 0xAB, 64 << 10);
            free(g, 16);
        }
        assume_zeroed();
        let (z, uz) = alloc_zeroed(Layout::from_size_align(100 << 10, 16).unwrap(), true).unwrap();
        let (small, _) = alloc(Layout::from_size_align(100, 16).unwrap(), false).unwrap(); // blocks in-place growth
        // SAFETY: live blocks of at least the sizes used.
        unsafe {
            assert!(std::slice::from_raw_parts(z.as_ptr(), uz).iter().all(|&b| b == 0));
            z.as_ptr().write(5);
            let (z2, _, n2) = realloc_zeroed(z, Layout::from_size_align(300 << 10, 16).unwrap(), true).unwrap();
            assert_ne!(z2, z, "moved past the small block");
            let v = std::slice::from_raw_parts(z2.as_ptr(), n2);
            assert_eq!(v[0], 5);
            assert!(v[1..].iter().all(|&b| b == 0));
            let (z3, _, n3) = realloc_zeroed(z2, Layout::from_size_align(400 << 10, 16).unwrap(), true).unwrap();
            assert_eq!(z3, z2, "grown in place");
            assert!(std::slice::from_raw_parts(z3.as_ptr(), n3)[1..].iter().all(|&b| b == 0));
            free(z3, 16);
            free(small, 16);
        }
        let p = buf.as_mut_ptr();
        retire();
        assert!(!is_active() && !owns(p) && owned_by_retired(p));
    }
}
