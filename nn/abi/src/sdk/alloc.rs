//! The global allocator of a backend library: every Rust allocation goes through libvmcore.so's
//! `wasm_runtime_malloc` / `wasm_runtime_realloc` / `wasm_runtime_free`, so the runtime's memory mode (pool, user
//! allocator, system) bounds the backend too. Engines written in C/C++ call the C library's
//! malloc themselves and stay outside it.
//!
//! Blocks come back aligned to `WASM_RUNTIME_MALLOC_ALIGN` (core/include/wasm_export.h, 16);
//! larger alignments over-allocate and keep the original pointer in the word before the block.
//! A size above 4 GiB - 1 (the C API's u32) fails like an exhausted pool. Where stable Rust
//! leaves a gap: an infallible allocation (Box::new, Vec::push) that fails aborts the process,
//! so code sizing buffers from guest input reserves with `try_reserve` and returns an error.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// `#[global_allocator]` over a runtime's malloc/free (set up by `export_backend!`).
pub struct RuntimeAlloc {
    malloc: unsafe extern "C" fn(u32) -> *mut c_void,
    realloc: unsafe extern "C" fn(*mut c_void, u32) -> *mut c_void,
    free: unsafe extern "C" fn(*mut c_void),
    /// The alignment every block of `malloc` has.
    align: usize,
}

impl RuntimeAlloc {
    pub const fn new(
        malloc: unsafe extern "C" fn(u32) -> *mut c_void,
        realloc: unsafe extern "C" fn(*mut c_void, u32) -> *mut c_void,
        free: unsafe extern "C" fn(*mut c_void),
        align: usize,
    ) -> RuntimeAlloc {
        RuntimeAlloc { malloc, realloc, free, align }
    }
}

const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: alloc returns null or a block of at least layout.size() bytes aligned to
// layout.align(); dealloc receives only such blocks (GlobalAlloc contract) and undoes exactly
// the adjustment alloc made for that alignment.
unsafe impl GlobalAlloc for RuntimeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= self.align {
            let Ok(size) = u32::try_from(layout.size().max(1)) else {
                return std::ptr::null_mut();
            };
            // SAFETY: plain C allocation call.
            return unsafe { (self.malloc)(size) } as *mut u8;
        }
        let total = layout.size().checked_add(layout.align() + WORD);
        let Some(size) = total.and_then(|t| u32::try_from(t).ok()) else {
            return std::ptr::null_mut();
        };
        // SAFETY: plain C allocation call.
        let raw = unsafe { (self.malloc)(size) } as *mut u8;
        if raw.is_null() {
            return raw;
        }
        let aligned = (raw as usize + WORD + layout.align() - 1) & !(layout.align() - 1);
        // SAFETY: `aligned - WORD` is at or after `raw` and the block holds size + align + one
        // word, so both the saved pointer and the payload are inside it; the slot is word
        // aligned because `aligned` is aligned to more than a word.
        unsafe { *((aligned - WORD) as *mut usize) = raw as usize };
        aligned as *mut u8
    }

    /// Through wasm_runtime_realloc when the alignment is the runtime's (the block may grow in
    /// place: GlobalAlloc's default would always allocate, copy and free); over-aligned blocks
    /// take that default.
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= self.align {
            let Ok(size) = u32::try_from(new_size.max(1)) else {
                return std::ptr::null_mut();
            };
            // SAFETY: `ptr` came from this allocator with the runtime's alignment, so from
            // wasm_runtime_malloc/realloc; on failure it stays valid, as GlobalAlloc wants.
            return unsafe { (self.realloc)(ptr as *mut c_void, size) } as *mut u8;
        }
        // SAFETY: GlobalAlloc's own default, with this allocator's alloc and dealloc.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let np = self.alloc(new_layout);
            if !np.is_null() {
                std::ptr::copy_nonoverlapping(ptr, np, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            np
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let raw = if layout.align() <= self.align {
            ptr as usize
        } else {
            // SAFETY: alloc stored the original pointer in the word before an over-aligned block.
            unsafe { *((ptr as usize - WORD) as *const usize) }
        };
        // SAFETY: raw is the pointer malloc returned for this block.
        unsafe { (self.free)(raw as *mut c_void) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    /// The tests share LIVE and REALLOCS: they run one at a time (the test harness runs tests
    /// on several threads; a count taken while another test holds blocks would be wrong).
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

    // A malloc that gives exactly 16-byte alignment and no more (offset 16 into a 32-aligned
    // block), so over-aligned layouts are really exercised.
    unsafe extern "C" fn malloc16(size: u32) -> *mut c_void {
        let l = Layout::from_size_align(size as usize + 32, 32).unwrap();
        // SAFETY: non-zero size.
        let p = unsafe { std::alloc::alloc(l) };
        LIVE.fetch_add(1, Ordering::SeqCst);
        // SAFETY: 16 bytes into the block; the size is stored in the first word.
        unsafe {
            *(p as *mut usize) = size as usize;
            p.add(16) as *mut c_void
        }
    }
    unsafe extern "C" fn free16(p: *mut c_void) {
        // SAFETY: undoes malloc16.
        unsafe {
            let base = (p as *mut u8).sub(16);
            let size = *(base as *const usize);
            std::alloc::dealloc(base, Layout::from_size_align(size + 32, 32).unwrap());
        }
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
    static REALLOCS: AtomicUsize = AtomicUsize::new(0);
    unsafe extern "C" fn realloc16(p: *mut c_void, size: u32) -> *mut c_void {
        REALLOCS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: a malloc16 block; its size is in the header.
        unsafe {
            let old = *((p as *mut u8).sub(16) as *const usize);
            let np = malloc16(size);
            std::ptr::copy_nonoverlapping(p as *const u8, np as *mut u8, old.min(size as usize));
            free16(p);
            np
        }
    }

    #[test]
    fn realloc_keeps_contents_and_uses_the_runtime_when_aligned() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let a = RuntimeAlloc::new(malloc16, realloc16, free16, 16);
        for align in [8usize, 16, 64] {
            let l = Layout::from_size_align(100, align).unwrap();
            let before = REALLOCS.load(Ordering::SeqCst);
            // SAFETY: GlobalAlloc contract; 100 writable bytes, then the grown block of 5000.
            unsafe {
                let p = a.alloc(l);
                for i in 0..100 {
                    *p.add(i) = i as u8;
                }
                let q = a.realloc(p, l, 5000);
                assert!(!q.is_null());
                assert_eq!(q as usize % align, 0);
                assert!((0..100).all(|i| *q.add(i) == i as u8), "align {align}");
                a.dealloc(q, Layout::from_size_align(5000, align).unwrap());
            }
            let through_runtime = REALLOCS.load(Ordering::SeqCst) - before;
            assert_eq!(through_runtime, usize::from(align <= 16), "align {align}");
        }
    }

    #[test]
    fn every_alignment_is_honoured_and_freed() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let a = RuntimeAlloc::new(malloc16, realloc16, free16, 16);
        for align in [1usize, 8, 16, 64, 4096] {
            for size in [0usize, 1, 100, 5000] {
                let l = Layout::from_size_align(size, align).unwrap();
                // SAFETY: GlobalAlloc contract (any layout; zero size is rounded up).
                let p = unsafe { a.alloc(l) };
                assert!(!p.is_null());
                assert_eq!(p as usize % align, 0, "align {align} size {size}");
                // SAFETY: writable block of at least `size` bytes.
                unsafe { std::ptr::write_bytes(p, 0xAB, size) };
                // SAFETY: the block and layout of the alloc above.
                unsafe { a.dealloc(p, l) };
            }
        }
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        #[cfg(target_pointer_width = "64")]
        {
            let huge = Layout::from_size_align(5 << 30, 8).unwrap();
            // SAFETY: as above; more than the C API's u32 can ask for: must fail cleanly.
            assert!(unsafe { a.alloc(huge) }.is_null());
        }
    }
}
