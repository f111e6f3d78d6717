//! Linear-memory address space: a region of anonymous memory whose first `len` bytes are
//! readable and writable ("committed"), with room reserved behind it to grow into.
//!
//! - 64-bit targets reserve the whole maximum up front (`mmap(PROT_NONE)`: address space only,
//!   no RSS and no commit charge) and grow in place with `mprotect(PROT_READ|PROT_WRITE)`: the
//!   base never moves and nothing is copied.
//! - 32-bit targets (armv7: 3 GiB of address space for everything) reserve only what is
//!   committed and grow with `mremap(MREMAP_MAYMOVE)`: the kernel moves page tables, not bytes,
//!   but the base may change. A 64-bit reservation the kernel refuses (RLIMIT_AS, map count)
//!   falls back to the same.
//!
//! Every committed byte starts as zero (fresh anonymous pages) and costs RSS only once touched.

use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{SysError, SysResult};

/// A reserved region with a committed prefix (see the module docs).
pub struct VMem {
    /// Start of the mapping; dangling when nothing is mapped (`mapped == 0`).
    base: NonNull<u8>,
    /// Committed bytes (as asked for; the pages behind them are committed too).
    len: usize,
    /// Bytes of address space owned (a multiple of the page size, >= the committed pages).
    mapped: usize,
}

// SAFETY: a `VMem` owns its mapping exclusively, like a `Vec<u8>` owns its buffer; shared
// references only hand out `&[u8]`.
unsafe impl Send for VMem {}
// SAFETY: as above.
unsafe impl Sync for VMem {}

/// Whether [`VMem::new`] reserves address space beyond the committed length.
pub const RESERVES_AHEAD: bool = cfg!(target_pointer_width = "64");

/// The system page size.
pub fn page_size() -> usize {
    static PAGE: AtomicUsize = AtomicUsize::new(0);
    let p = PAGE.load(Ordering::Relaxed);
    if p != 0 {
        return p;
    }
    // SAFETY: sysconf has no preconditions.
    let p = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n > 0 => n as usize,
        _ => 4096,
    };
    PAGE.store(p, Ordering::Relaxed);
    p
}

/// `n` rounded up to whole pages, or None on overflow.
fn round_up(n: usize) -> Option<usize> {
    let p = page_size();
    n.checked_add(p - 1).map(|v| v & !(p - 1))
}

/// A fresh inaccessible private anonymous mapping of `len` (> 0, page-multiple) bytes.
fn reserve(len: usize) -> SysResult<NonNull<u8>> {
    // SAFETY: a new anonymous mapping at an address the kernel picks; no existing memory is
    // affected. PROT_NONE: address space only (not charged against the commit limit).
    let p = unsafe {
        libc::mmap(ptr::null_mut(), len, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
    };
    if p == libc::MAP_FAILED {
        return Err(SysError::last());
    }
    NonNull::new(p.cast()).ok_or(SysError::Os(libc::ENOMEM))
}

impl VMem {
    /// An empty region (nothing mapped).
    pub const fn empty() -> VMem {
        VMem { base: NonNull::dangling(), len: 0, mapped: 0 }
    }

    /// Commit `len` zeroed bytes. On 64-bit targets `max` bytes (at least `len`) of address
    /// space are reserved so that [`VMem::grow`] up to `max` stays in place; on 32-bit targets
    /// only `len` is (see the module docs).
    pub fn new(len: usize, max: usize) -> SysResult<VMem> {
        let overflow = SysError::Os(libc::ENOMEM);
        let committed = round_up(len).ok_or(overflow)?;
        let want = if RESERVES_AHEAD { round_up(max.max(len)).ok_or(overflow)? } else { committed };
        if want == 0 {
            return Ok(VMem::empty());
        }
        let (base, mapped) = match reserve(want) {
            Ok(b) => (b, want),
            Err(e) if want > committed && committed > 0 => {
                log::debug!("vmem: cannot reserve {want} bytes ({e}); reserving {committed}, growth will remap");
                (reserve(committed)?, committed)
            }
            Err(_) if want > committed => return Ok(VMem::empty()),
            Err(e) => return Err(e),
        };
        let mut v = VMem { base, len: 0, mapped };
        // On failure `v` drops and unmaps the reservation.
        v.commit(0, committed)?;
        v.len = len;
        Ok(v)
    }

    /// Make `[from, to)` (page-aligned offsets inside the mapping) readable and writable.
    fn commit(&mut self, from: usize, to: usize) -> SysResult<()> {
        if to <= from {
            return Ok(());
        }
        // SAFETY: `[from, to)` lies inside our own mapping (callers keep `to <= mapped`);
        // mprotect of never-accessed PROT_NONE pages exposes zero-filled pages.
        let r = unsafe { libc::mprotect(self.base.as_ptr().add(from).cast(), to - from, libc::PROT_READ | libc::PROT_WRITE) };
        crate::error::check(r).map(|_| ())
    }

    /// Committed length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of address space held (committed or reserved).
    pub fn reserved(&self) -> usize {
        self.mapped
    }

    /// Base of the committed bytes (dangling when empty). Valid until the next `grow`.
    pub fn as_ptr(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the first `len` bytes are mapped readable (or `len` is 0 and the pointer is
        // dangling but aligned), and borrowed from `self`.
        unsafe { std::slice::from_raw_parts(self.base.as_ptr(), self.len) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, writable, and uniquely borrowed through `&mut self`.
        unsafe { std::slice::from_raw_parts_mut(self.base.as_ptr(), self.len) }
    }

    /// Grow the committed part to `new_len` bytes; the new bytes are zero. In place inside the
    /// reservation; past it the mapping is moved with mremap (the base changes). On failure the
    /// region is unchanged. A `new_len` at or below the current length changes nothing.
    pub fn grow(&mut self, new_len: usize) -> SysResult<()> {
        if new_len <= self.len {
            return Ok(());
        }
        let need = round_up(new_len).ok_or(SysError::Os(libc::ENOMEM))?;
        let have = round_up(self.len).ok_or(SysError::Os(libc::ENOMEM))?;
        if need <= self.mapped {
            self.commit(have, need)?;
            self.len = new_len;
            return Ok(());
        }
        if have == 0 {
            // Nothing committed yet: a fresh mapping of the new size.
            let mut fresh = VMem { base: reserve(need)?, len: 0, mapped: need };
            fresh.commit(0, need)?;
            fresh.len = new_len;
            *self = fresh;
            return Ok(());
        }
        if self.mapped > have {
            // mremap cannot span the committed and the reserved part (two mappings): give the
            // reserved tail back first; the committed part is all that is moved.
            // SAFETY: the tail lies inside our mapping and holds no accessible pages.
            crate::error::check(unsafe { libc::munmap(self.base.as_ptr().add(have).cast(), self.mapped - have) })?;
            self.mapped = have;
        }
        // SAFETY: `[base, base + have)` is our own read-write private anonymous mapping;
        // MREMAP_MAYMOVE lets the kernel move it (page tables, not bytes); the added pages are
        // zero-filled. On failure the old mapping stays as it was.
        let p = unsafe { libc::mremap(self.base.as_ptr().cast(), have, need, libc::MREMAP_MAYMOVE) };
        if p == libc::MAP_FAILED {
            return Err(SysError::last());
        }
        self.base = NonNull::new(p.cast()).ok_or(SysError::Os(libc::ENOMEM))?;
        self.mapped = need;
        self.len = new_len;
        Ok(())
    }
}

impl Drop for VMem {
    fn drop(&mut self) {
        if self.mapped > 0 {
            // SAFETY: our own mapping of `mapped` bytes, unmapped once.
            unsafe { libc::munmap(self.base.as_ptr().cast(), self.mapped) };
        }
    }
}

impl Default for VMem {
    fn default() -> Self {
        VMem::empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resident pages of `[p, p + len)` (mincore).
    fn resident(p: *mut u8, len: usize) -> usize {
        let page = page_size();
        let n = len.div_ceil(page);
        let mut v = vec![0u8; n];
        // SAFETY: the range is mapped (the caller's region); `v` has one byte per page.
        let r = unsafe { libc::mincore(p.cast(), len, v.as_mut_ptr()) };
        assert_eq!(r, 0);
        v.iter().filter(|&&b| b & 1 != 0).count()
    }

    #[test]
    fn commits_zeroed_pages_lazily_and_grows_in_place() {
        let mut m = VMem::new(1 << 20, 64 << 20).unwrap();
        assert_eq!(m.len(), 1 << 20);
        if RESERVES_AHEAD {
            assert_eq!(m.reserved(), 64 << 20);
        }
        assert_eq!(resident(m.as_ptr(), m.len()), 0, "nothing touched, nothing resident");
        assert!(m.as_slice().iter().all(|&b| b == 0));
        m.as_mut_slice()[12345] = 7;
        let base = m.as_ptr();
        for k in 2..=64usize {
            m.grow(k << 20).unwrap();
            assert_eq!(m.len(), k << 20);
        }
        if RESERVES_AHEAD {
            assert_eq!(m.as_ptr(), base, "growth inside the reservation never moves");
        }
        assert_eq!(m.as_slice()[12345], 7);
        assert!(m.as_slice()[(1 << 20)..].iter().step_by(4096).all(|&b| b == 0));
        // Past the reservation: remapped, contents kept, new bytes zero.
        m.grow(65 << 20).unwrap();
        assert_eq!(m.as_slice()[12345], 7);
        assert_eq!(*m.as_slice().last().unwrap(), 0);
        m.grow(1).unwrap();
        assert_eq!(m.len(), 65 << 20, "no shrinking");
    }

    #[test]
    fn empty_regions_grow_and_odd_lengths_round_up() {
        let mut e = VMem::new(0, 0).unwrap();
        assert!(e.is_empty() && e.as_slice().is_empty());
        e.grow(100).unwrap();
        assert_eq!(e.len(), 100);
        e.as_mut_slice()[99] = 1;
        e.grow(3 * page_size() + 5).unwrap();
        assert_eq!(e.as_slice()[99], 1);
        let mut r = VMem::new(0, 1 << 30).unwrap();
        r.grow(1 << 16).unwrap();
        r.as_mut_slice()[65535] = 9;
        assert!(VMem::new(usize::MAX - 10, 0).is_err());
    }

    #[test]
    fn a_huge_reservation_costs_no_memory() {
        if !RESERVES_AHEAD {
            return;
        }
        // 64 GiB of address space, 64 KiB committed.
        let m = VMem::new(1 << 16, 64 << 30).unwrap();
        assert_eq!(resident(m.as_ptr(), m.len()), 0);
    }
}
