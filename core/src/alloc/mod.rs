//! Memory modes, WAMR-style, and the process-wide allocator of libvmcore.so.
//!
//! There is exactly one mode per process (this library is loaded once):
//! - [`Mode::System`]: libc malloc (the mode before any init, and after destroy),
//! - [`Mode::Pool`]: a caller-given buffer managed by TLSF ([`pool`]),
//! - [`Mode::User`]: the caller's malloc/free (WAMR's Alloc_With_Allocator).
//!
//! Both the C API (`wasm_runtime_malloc` & co.) and every Rust allocation
//! inside libvmcore.so (modules, instances, linear memories, IR: the
//! `#[global_allocator]` below) go through the active mode, so pool mode
//! bounds the whole runtime.
//!
//! Memory always goes back to where it came from, even across a mode change:
//! pool blocks are recognised by address range; every system/user block
//! carries a 16-byte header ([`header`]) naming its origin.
//!
//! Guest-driven allocations are checked before they are made, so in pool mode
//! a hostile module or native library gets an error, not an abort: module
//! sections (declared counts, `ember_interp::Module::new_checked`), the
//! instance's footprint (tables, element segments, globals, functions;
//! `runtime::link`), linear memory (strict pool blocks, [`linear_alloc_zeroed`]),
//! code, operand stack and table growth (`guest_room_for` through
//! `ember_interp::HostMemory`, then `try_reserve`), native-symbol registrations
//! (`capi::runtime::check_native_room`).
//!
//! What remains (stable Rust has no fallible `push` and no allocation-error
//! hook: `handle_alloc_error` aborts): an infallible allocation of the runtime's
//! own code that finds the pool exhausted still aborts. They are small and
//! bounded: per-call host state, WASI/wasi-nn bookkeeping, wasmparser's
//! validator state (bounded by the section counts checked above and by
//! wasmparser's limits), translation scratch (bounded by a function body's
//! size); the pool's reserve (pool/8) is kept for them: guest-driven
//! allocations may use at most half of it, linear memory none.
//!
//! # The modes for embedders
//!
//! `wasm_runtime_full_init` picks the mode for the whole process; iwasm, `--native-lib`
//! libraries and wasi-nn backends all link libvmcore.so dynamically and so share it.
//! - Pool (`Alloc_With_Pool`): TLSF (`rlsf`, O(1) malloc/free, low fragmentation) behind a
//!   mutex. C API allocations (`wasm_runtime_malloc`, used by native libraries and backends) are
//!   *strict*: they fail with NULL (counted in `failed_allocs`) when they would eat into the
//!   reserve (pool/8, 64 KiB..4 MiB) kept for the runtime's own small allocations.
//! - User allocator (`Alloc_With_Allocator`): `malloc_func(unsigned)`/`free_func(void *)`
//!   (WAMR's signatures without user data). `realloc_func` is accepted but unused: blocks carry a
//!   header whose alignment padding may change, so realloc is malloc+copy+free.
//! - System (`Alloc_With_System_Allocator`, also before init and after destroy): libc malloc.
//!
//! `wasm_runtime_destroy` (the last of counted inits) *retires* the pool: its range is
//! remembered and later frees into it are ignored (leaked, never corrupting the caller's
//! buffer). Lazily allocated std state (e.g. the stdout buffer of libvmcore.so's std, ~1 KiB)
//! allocated in pool mode stays in the pool: keep the pool buffer alive while libvmcore.so is
//! loaded. Statistics: `wasm_runtime_get_mem_alloc_info` (pool only, WAMR's struct) and
//! `ember_runtime_get_mem_stats` (mode, pool size/free/largest free block, bytes in use, peak,
//! failed and successful allocations; all modes).

mod header;
pub mod pool;

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};

/// The memory mode. Numbering follows WAMR's mem_alloc_type_t.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Pool = 0,
    User = 1,
    System = 2,
}

static MODE: AtomicU8 = AtomicU8::new(Mode::System as u8);

pub fn mode() -> Mode {
    match MODE.load(Ordering::Acquire) {
        0 => Mode::Pool,
        1 => Mode::User,
        _ => Mode::System,
    }
}

/// Alignment of blocks handed out through the C API (max_align_t): `WASM_RUNTIME_MALLOC_ALIGN`
/// of core/include/wasm_export.h, the source of truth (checked by a test below).
pub const C_ALIGN: usize = 16;

#[cfg(test)]
mod align_tests {
    #[test]
    fn c_align_is_the_headers_wasm_runtime_malloc_align() {
        let header = include_str!("../../include/wasm_export.h");
        let value = header
            .lines()
            .find_map(|l| l.strip_prefix("#define WASM_RUNTIME_MALLOC_ALIGN "))
            .expect("wasm_export.h defines WASM_RUNTIME_MALLOC_ALIGN");
        assert_eq!(value.trim().parse::<usize>().unwrap(), super::C_ALIGN);
        for size in [1usize, 3, 17, 1000, 70_000] {
            let p = super::c_malloc(size);
            assert!(!p.is_null() && p as usize % super::C_ALIGN == 0, "system mode, size {size}");
            // SAFETY: a live block of c_malloc.
            unsafe { super::c_free(p) };
        }
    }
}

/// The caller's allocator (WAMR signatures without user data).
pub type UserMalloc = unsafe extern "C" fn(u32) -> *mut u8;
pub type UserFree = unsafe extern "C" fn(*mut u8);

// Function pointers of the user allocator, stored as addresses (0 = unset).
static USER_MALLOC: AtomicUsize = AtomicUsize::new(0);
static USER_FREE: AtomicUsize = AtomicUsize::new(0);

fn user_fns() -> Option<(UserMalloc, UserFree)> {
    let m = USER_MALLOC.load(Ordering::Acquire);
    let f = USER_FREE.load(Ordering::Acquire);
    if m == 0 || f == 0 {
        return None;
    }
    // SAFETY: both were stored from valid function pointers of these types
    // in `use_user_allocator`, and are never cleared while blocks exist.
    unsafe { Some((core::mem::transmute::<usize, UserMalloc>(m), core::mem::transmute::<usize, UserFree>(f))) }
}

// Statistics (all modes).
static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicU64 = AtomicU64::new(0);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

fn count_alloc(n: usize) {
    let now = IN_USE.fetch_add(n, Ordering::Relaxed) + n;
    PEAK.fetch_max(now, Ordering::Relaxed);
    ALLOCS.fetch_add(1, Ordering::Relaxed);
}
fn count_free(n: usize) {
    // Saturating: blocks allocated before a stats reset may be freed later.
    let _ = IN_USE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| Some(v.saturating_sub(n)));
}
fn count_failure() {
    FAILED.fetch_add(1, Ordering::Relaxed);
}

/// A snapshot of the allocator's statistics.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub mode: Option<Mode>,
    /// Pool size in bytes (0 outside pool mode).
    pub total: usize,
    /// Free payload bytes in the pool (0 outside pool mode).
    pub free: usize,
    /// Largest free block of the pool (0 outside pool mode).
    pub largest_free: usize,
    /// Bytes in use (pool: usable block sizes; else requested sizes).
    pub in_use: usize,
    /// Highest `in_use` since the mode was set.
    pub peak: usize,
    /// Allocations that returned NULL.
    pub failed: u64,
    /// Successful allocations.
    pub allocs: u64,
}

pub fn stats() -> Stats {
    let (total, free, largest_free) = if mode() == Mode::Pool { pool::sizes().unwrap_or((0, 0, 0)) } else { (0, 0, 0) };
    Stats {
        mode: Some(mode()),
        total,
        free,
        largest_free,
        in_use: IN_USE.load(Ordering::Relaxed),
        peak: PEAK.load(Ordering::Relaxed),
        failed: FAILED.load(Ordering::Relaxed),
        allocs: ALLOCS.load(Ordering::Relaxed),
    }
}

fn reset_stats() {
    IN_USE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    FAILED.store(0, Ordering::Relaxed);
    ALLOCS.store(0, Ordering::Relaxed);
}

/// Switch to pool mode on `buf[..len]`.
///
/// # Safety
/// The buffer must stay valid and untouched by the caller until [`reset`].
pub unsafe fn use_pool(buf: *mut u8, len: usize) -> Result<(), &'static str> {
    // SAFETY: forwarded contract.
    unsafe { pool::install(buf, len)? };
    reset_stats();
    MODE.store(Mode::Pool as u8, Ordering::Release);
    Ok(())
}

/// Switch to the caller's allocator.
pub fn use_user_allocator(malloc: UserMalloc, free: UserFree) {
    USER_MALLOC.store(malloc as usize, Ordering::Release);
    USER_FREE.store(free as usize, Ordering::Release);
    reset_stats();
    MODE.store(Mode::User as u8, Ordering::Release);
}

pub fn use_system() {
    reset_stats();
    MODE.store(Mode::System as u8, Ordering::Release);
}

/// Back to system mode (wasm_runtime_destroy). The pool is retired; the user
/// allocator stays known so that its blocks can still be freed.
pub fn reset() {
    MODE.store(Mode::System as u8, Ordering::Release);
    pool::retire();
}

/// Is there (probably) room for `bytes` more in the current mode? Only pool
/// mode can say no; used before big runtime-internal allocations so that
/// they fail with an error instead of aborting.
pub fn room_for(bytes: usize) -> bool {
    match mode() {
        Mode::Pool => pool::room_for(bytes),
        _ => true,
    }
}

/// [`room_for`] for what a running guest needs to go on (`ember_interp::HostMemory::room_for`:
/// code, operand stack, table growth); in pool mode these may use half of the reserve.
pub fn guest_room_for(bytes: usize) -> bool {
    match mode() {
        Mode::Pool => pool::room_for_guest(bytes),
        _ => true,
    }
}

thread_local! {
    /// Set while [`with_system`] runs on this thread.
    static FORCE_SYSTEM: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

/// Run `f` with this thread's allocations going to the system allocator,
/// for objects that must outlive the current mode (the logger).
pub fn with_system<R>(f: impl FnOnce() -> R) -> R {
    let prev = FORCE_SYSTEM.try_with(|c| c.replace(true)).unwrap_or(false);
    let r = f();
    let _ = FORCE_SYSTEM.try_with(|c| c.set(prev));
    r
}

fn effective_mode() -> Mode {
    if FORCE_SYSTEM.try_with(|c| c.get()).unwrap_or(false) {
        Mode::System
    } else {
        mode()
    }
}

/// Allocate in the current mode. Returns null (and counts a failure) when
/// the mode has no memory left.
fn alloc_in_mode(layout: Layout, strict: bool) -> *mut u8 {
    let p = match effective_mode() {
        Mode::Pool => match pool::alloc(layout, strict) {
            Some((p, usable)) => {
                count_alloc(usable);
                p.as_ptr()
            }
            None => ptr::null_mut(),
        },
        Mode::System => header::alloc_system(layout).inspect(|_| count_alloc(layout.size())).unwrap_or(ptr::null_mut()),
        Mode::User => match user_fns() {
            Some((m, _)) => header::alloc_user(layout, m).inspect(|_| count_alloc(layout.size())).unwrap_or(ptr::null_mut()),
            None => ptr::null_mut(),
        },
    };
    if p.is_null() {
        count_failure();
    }
    p
}

/// [`alloc_in_mode`] with the payload zeroed: calloc in system mode, and in pool mode
/// without writing pool bytes never handed out (see [`pool::assume_zeroed`]), so fresh
/// pages stay untouched.
fn alloc_zeroed_in_mode(layout: Layout, strict: bool) -> *mut u8 {
    let p = match effective_mode() {
        Mode::Pool => match pool::alloc_zeroed(layout, strict) {
            Some((p, usable)) => {
                count_alloc(usable);
                p.as_ptr()
            }
            None => ptr::null_mut(),
        },
        Mode::System => {
            header::alloc_system_zeroed(layout).inspect(|_| count_alloc(layout.size())).unwrap_or(ptr::null_mut())
        }
        Mode::User => {
            // The caller's malloc says nothing about zeroes.
            let p = alloc_in_mode(layout, strict);
            if !p.is_null() {
                // SAFETY: a fresh block of at least `layout.size()` bytes.
                unsafe { ptr::write_bytes(p, 0, layout.size()) };
            }
            return p;
        }
    };
    if p.is_null() {
        count_failure();
    }
    p
}

/// Size of a live block (as counted in the stats), or None for pointers of a
/// retired pool or unknown origin.
///
/// # Safety
/// `p` must be a live block of this allocator allocated with `align`.
unsafe fn block_size(p: *mut u8, align: usize) -> Option<usize> {
    let _ = align;
    if pool::owns(p) {
        // SAFETY: a live pool block (caller's contract).
        return Some(unsafe { pool::usable_size(NonNull::new_unchecked(p)) });
    }
    if pool::owned_by_retired(p) {
        return None;
    }
    // SAFETY: a live header block (caller's contract).
    unsafe { header::size_of(p) }
}

/// Free a block wherever it came from.
///
/// # Safety
/// `p` must be a live block of this allocator allocated with `align`.
unsafe fn free_anywhere(p: *mut u8, align: usize) {
    if p.is_null() {
        return;
    }
    if pool::owns(p) {
        // SAFETY: a live pool block with this alignment.
        let n = unsafe { pool::free(NonNull::new_unchecked(p), align) };
        count_free(n);
        return;
    }
    if pool::owned_by_retired(p) {
        return; // the buffer is no longer ours
    }
    // SAFETY: a live header block.
    if let Some(n) = unsafe { header::free(p, user_fns().map(|(_, f)| f)) } {
        count_free(n);
    }
}

/// Reallocate, moving across modes when needed.
///
/// # Safety
/// `p` must be a live block allocated with `align`.
unsafe fn realloc_anywhere(p: *mut u8, align: usize, new_size: usize, strict: bool) -> *mut u8 {
    let Ok(new_layout) = Layout::from_size_align(new_size.max(1), align) else {
        count_failure();
        return ptr::null_mut();
    };
    if pool::owns(p) && effective_mode() == Mode::Pool {
        // SAFETY: a live pool block with this alignment.
        return match unsafe { pool::realloc(NonNull::new_unchecked(p), new_layout, strict) } {
            Some((np, old, new)) => {
                count_free(old);
                count_alloc(new);
                np.as_ptr()
            }
            None => {
                count_failure();
                ptr::null_mut()
            }
        };
    }
    if effective_mode() == Mode::System {
        // SAFETY: `p` is live; `realloc_system` checks it is a system block.
        if let Some(r) = unsafe { header::realloc_system(p, new_size) } {
            return match r {
                Some((np, old)) => {
                    count_free(old);
                    count_alloc(new_size);
                    np
                }
                None => {
                    count_failure();
                    ptr::null_mut()
                }
            };
        }
    }
    // Generic path: new block in the current mode, copy, free the old one.
    // SAFETY: `p` is live with this alignment.
    let Some(old) = (unsafe { block_size(p, align) }) else {
        count_failure();
        return ptr::null_mut();
    };
    let np = alloc_in_mode(new_layout, strict);
    if !np.is_null() {
        // SAFETY: both blocks are live and at least min(old, new) long.
        unsafe {
            ptr::copy_nonoverlapping(p, np, old.min(new_size));
            free_anywhere(p, align);
        }
    }
    np
}

// ---- Linear memories in pool and user-allocator modes (ember_interp::HostMemory). ----
//
// A guest drives these sizes, so they are *strict* like the C API's: they never eat into
// the pool's reserve, which stays for the runtime's own infallible allocations.

/// Alignment of linear-memory blocks.
const LINEAR_ALIGN: usize = 16;

/// `len` zeroed bytes for a linear memory from the current mode, or None.
pub fn linear_alloc_zeroed(len: usize) -> Option<NonNull<u8>> {
    let layout = Layout::from_size_align(len.max(1), LINEAR_ALIGN).ok()?;
    NonNull::new(alloc_zeroed_in_mode(layout, true))
}

/// Grow a linear-memory block from `old` to `new` bytes, the added bytes zeroed.
///
/// Pool mode: TLSF grows the block in place when the next block is free; otherwise it moves
/// it, copying. The block gets up to 50% more room than asked for (less as the pool fills):
/// growth within that room costs nothing (the block's bytes past the memory's length are kept
/// zero), so a memory grown one page at a time is reallocated O(log n) times, not n times. Bytes of the pool never handed out
/// are not written (see [`pool::assume_zeroed`]). Other modes: realloc, then zero the tail.
///
/// # Safety
/// `p` must be a live block of `old` bytes from [`linear_alloc_zeroed`] / this function, and
/// only its first `old` bytes may have been written since.
pub unsafe fn linear_grow_zeroed(p: NonNull<u8>, old: usize, new: usize) -> Option<NonNull<u8>> {
    if new <= old {
        return Some(p);
    }
    if pool::owns(p.as_ptr()) && effective_mode() == Mode::Pool {
        // SAFETY: a live pool block.
        if new <= unsafe { pool::usable_size(p) } {
            return Some(p); // room left by an earlier move, already zero
        }
        // Ask for more than needed first (50%, then less as the pool fills): every in-place
        // growth also makes TLSF write a header at the new end, touching a page.
        for extra in [old / 2, old / 8, old / 64, 0] {
            let want = new.max(old.saturating_add(extra));
            if want > new && extra == 0 {
                continue;
            }
            let Ok(layout) = Layout::from_size_align(want, LINEAR_ALIGN) else { continue };
            // SAFETY: a live pool block with this alignment, written only below `old`.
            if let Some((np, o, n)) = unsafe { pool::realloc_zeroed(p, layout, true) } {
                count_free(o);
                count_alloc(n);
                return Some(np);
            }
        }
        count_failure();
        return None;
    }
    // SAFETY: a live block of this allocator with LINEAR_ALIGN.
    let np = NonNull::new(unsafe { realloc_anywhere(p.as_ptr(), LINEAR_ALIGN, new, true) })?;
    // SAFETY: the new block has `new` bytes; the first `old` were copied.
    unsafe { ptr::write_bytes(np.as_ptr().add(old), 0, new - old) };
    Some(np)
}

/// Free a linear-memory block.
///
/// # Safety
/// `p` must be a live block from [`linear_alloc_zeroed`] / [`linear_grow_zeroed`], freed once.
pub unsafe fn linear_free(p: NonNull<u8>, _len: usize) {
    // SAFETY: forwarded contract.
    unsafe { free_anywhere(p.as_ptr(), LINEAR_ALIGN) }
}

// ---- The C-facing functions (wasm_runtime_malloc & co. call these). ----

pub fn c_malloc(size: usize) -> *mut u8 {
    match Layout::from_size_align(size.max(1), C_ALIGN) {
        Ok(l) => alloc_in_mode(l, true),
        Err(_) => {
            count_failure();
            ptr::null_mut()
        }
    }
}

/// # Safety
/// `p` must be NULL or a live block from [`c_malloc`]/[`c_realloc`].
pub unsafe fn c_realloc(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        return c_malloc(size);
    }
    // SAFETY: forwarded contract.
    unsafe { realloc_anywhere(p, C_ALIGN, size, true) }
}

/// # Safety
/// `p` must be NULL or a live block from [`c_malloc`]/[`c_realloc`].
pub unsafe fn c_free(p: *mut u8) {
    // SAFETY: forwarded contract.
    unsafe { free_anywhere(p, C_ALIGN) }
}

/// The allocator of all Rust code in libvmcore.so.
pub struct EmberAlloc;

// SAFETY: every path returns either null or a block of at least
// `layout.size()` bytes aligned to `layout.align()`, and frees go back to the
// origin of the block (pool range check or header tag).
unsafe impl GlobalAlloc for EmberAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        alloc_in_mode(layout, false)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        alloc_zeroed_in_mode(layout, false)
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        // SAFETY: GlobalAlloc contract: `p` is live with `layout`.
        unsafe { free_anywhere(p, layout.align()) }
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: GlobalAlloc contract.
        unsafe { realloc_anywhere(p, layout.align(), new_size, false) }
    }
}

#[global_allocator]
static GLOBAL: EmberAlloc = EmberAlloc;
