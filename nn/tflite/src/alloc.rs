//! Every Rust allocation of this backend goes through libvmcore.so's `wasm_runtime_malloc` /
//! `wasm_runtime_free`, so the runtime's memory mode (pool, user allocator, system) bounds the
//! backend too. The engine libraries (LiteRT, TFLite) call the C library's malloc themselves and
//! cannot be routed: their memory is outside the pool (see ARCHITECTURE.md).
//!
//! wasm_runtime_malloc guarantees `RUNTIME_ALIGN` (16, as WAMR's allocator and glibc's malloc);
//! larger alignments over-allocate and keep the original pointer in the word before the block.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use vmcore_sys::{wasm_runtime_free, wasm_runtime_malloc};

const RUNTIME_ALIGN: usize = 16;

pub struct RuntimeAlloc;

// SAFETY: alloc returns null or a block of at least layout.size() bytes aligned to
// layout.align(); dealloc receives only such blocks (GlobalAlloc contract) and undoes exactly
// the adjustment alloc made for that alignment.
unsafe impl GlobalAlloc for RuntimeAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= RUNTIME_ALIGN {
            let Ok(size) = u32::try_from(layout.size().max(1)) else {
                return std::ptr::null_mut();
            };
            // SAFETY: plain C allocation call.
            return unsafe { wasm_runtime_malloc(size) } as *mut u8;
        }
        let total = layout.size().checked_add(layout.align() + std::mem::size_of::<usize>());
        let Some(size) = total.and_then(|t| u32::try_from(t).ok()) else {
            return std::ptr::null_mut();
        };
        // SAFETY: plain C allocation call.
        let raw = unsafe { wasm_runtime_malloc(size) } as *mut u8;
        if raw.is_null() {
            return raw;
        }
        let start = raw as usize + std::mem::size_of::<usize>();
        let aligned = (start + layout.align() - 1) & !(layout.align() - 1);
        // SAFETY: `aligned - size_of::<usize>()` is at or after `raw` and the block holds
        // size + align + one word, so both the saved pointer and the payload are inside it;
        // the slot is word aligned because `aligned` is aligned to more than a word.
        unsafe { *((aligned - std::mem::size_of::<usize>()) as *mut usize) = raw as usize };
        aligned as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() <= RUNTIME_ALIGN {
            // SAFETY: ptr came from wasm_runtime_malloc in alloc.
            unsafe { wasm_runtime_free(ptr as *mut c_void) };
            return;
        }
        // SAFETY: alloc stored the original pointer in the word before an over-aligned block.
        let raw = unsafe { *((ptr as usize - std::mem::size_of::<usize>()) as *const usize) };
        // SAFETY: raw is the pointer wasm_runtime_malloc returned.
        unsafe { wasm_runtime_free(raw as *mut c_void) };
    }
}
