//! Linear-memory access for native code: address validation and conversion,
//! module_malloc/module_free.
//!
//! module_malloc, in this order:
//! 1. the module's own exported `malloc`/`free` (wasi-libc apps built with
//!    `-Wl,--export=malloc,--export=free`): the guest allocator stays the
//!    only owner of its heap;
//! 2. a host-managed app heap of `host_managed_heap_size` bytes
//!    (wasm_runtime_instantiate), appended to linear memory by memory.grow at
//!    instantiation and managed by runtime::heap (metadata outside the
//!    sandbox);
//! 3. otherwise 0 with the exception "app heap out of memory" (as WAMR).
//!
//! Native pointers into linear memory are valid until memory grows. With
//! the host-managed heap module_malloc never grows memory; with the guest's
//! own malloc it may (WAMR documents the same caveat).

use std::ffi::c_void;

use super::guard;
use crate::runtime::app_memory::{module_free, module_malloc};
use crate::runtime::guest_memory::GuestMemory;
use crate::runtime::instance::ModuleInst;

const OOB: &str = "out of bounds memory access";

/// Memory 0 as the runtime's checked view (all checks below are its u64 range checks).
fn view(inst: &ModuleInst) -> Option<GuestMemory<'_>> {
    // SAFETY: C API caller: outside wasm or inside its host call (active path); the view
    // lives only for this C API call.
    unsafe { inst.memory_view() }
}

/// # Safety
/// `inst` must be NULL or a live instance (the C API's contract).
unsafe fn inst_ref<'a>(inst: *mut ModuleInst) -> Option<&'a ModuleInst> {
    // SAFETY: the caller's contract.
    unsafe { inst.as_ref() }
}

pub fn app_range_ok(inst: &ModuleInst, off: u64, size: u64) -> bool {
    view(inst).is_some_and(|m| m.contains(off, size))
}

/// Run a check on `inst` (NULL: false); a failed check sets "out of bounds memory access".
///
/// # Safety
/// `inst` must be NULL or a live instance.
unsafe fn checked(inst: *mut ModuleInst, ok: impl FnOnce(&ModuleInst) -> bool) -> bool {
    guard(false, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return false };
        let ok = ok(i);
        if !ok {
            i.set_exception(Some(OOB));
        }
        ok
    })
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_app_addr(inst: *mut ModuleInst, app_offset: u64, size: u64) -> bool {
    // SAFETY: this function's contract.
    unsafe { checked(inst, |i| app_range_ok(i, app_offset, size)) }
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_app_str_addr(inst: *mut ModuleInst, app_str_offset: u64) -> bool {
    // SAFETY: this function's contract.
    unsafe { checked(inst, |i| view(i).is_some_and(|m| m.c_str(app_str_offset).is_ok())) }
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_validate_native_addr(inst: *mut ModuleInst, native_ptr: *mut c_void, size: u64) -> bool {
    // SAFETY: this function's contract.
    unsafe { checked(inst, |i| view(i).is_some_and(|m| m.offset_of(native_ptr.cast()).is_some_and(|o| m.contains(o, size)))) }
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_addr_app_to_native(inst: *mut ModuleInst, app_offset: u64) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return std::ptr::null_mut() };
        match view(i) {
            // WAMR allows the one-past-the-end address.
            Some(mut m) if m.contains(app_offset, 0u64) => m.as_mut_ptr().wrapping_add(app_offset as usize) as *mut c_void,
            _ => std::ptr::null_mut(),
        }
    })
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_addr_native_to_app(inst: *mut ModuleInst, native_ptr: *mut c_void) -> u64 {
    guard(0, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return 0 };
        view(i).and_then(|m| m.offset_of(native_ptr.cast())).unwrap_or(0)
    })
}

/// # Safety
/// Out-pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_app_addr_range(inst: *mut ModuleInst, app_offset: u64, p_start: *mut u64, p_end: *mut u64) -> bool {
    guard(false, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return false };
        let Some(m) = view(i) else { return false };
        if !m.contains(app_offset, 1u64) {
            return false;
        }
        // SAFETY: caller's contract.
        unsafe {
            if !p_start.is_null() {
                *p_start = 0;
            }
            if !p_end.is_null() {
                *p_end = m.len() as u64;
            }
        }
        true
    })
}

/// # Safety
/// Out-pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_native_addr_range(
    inst: *mut ModuleInst,
    native_ptr: *mut u8,
    p_start: *mut *mut u8,
    p_end: *mut *mut u8,
) -> bool {
    guard(false, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return false };
        let Some(mut m) = view(i) else { return false };
        if !m.offset_of(native_ptr).is_some_and(|o| m.contains(o, 1u64)) {
            return false;
        }
        let (base, len) = (m.as_mut_ptr(), m.len());
        // SAFETY: caller's contract.
        unsafe {
            if !p_start.is_null() {
                *p_start = base;
            }
            if !p_end.is_null() {
                *p_end = base.wrapping_add(len);
            }
        }
        true
    })
}

/// # Safety
/// `p_native_addr` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_malloc(inst: *mut ModuleInst, size: u64, p_native_addr: *mut *mut c_void) -> u64 {
    guard(0, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return 0 };
        match module_malloc(i, size) {
            Some(off) => {
                if !p_native_addr.is_null() {
                    let base = view(i).map_or(std::ptr::null_mut(), |mut m| m.as_mut_ptr());
                    // SAFETY: caller's contract.
                    unsafe { *p_native_addr = base.wrapping_add(off as usize) as *mut c_void };
                }
                off
            }
            None => {
                if !i.has_exception() {
                    i.set_exception(Some("app heap out of memory"));
                }
                0
            }
        }
    })
}

/// # Safety
/// `inst` must be NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_free(inst: *mut ModuleInst, ptr: u64) {
    guard((), || {
        // SAFETY: this function's contract.
        if let Some(i) = unsafe { inst_ref(inst) } {
            module_free(i, ptr);
        }
    })
}

/// Allocate `size` bytes with module_malloc and copy `src` there.
///
/// # Safety
/// `src` points to `size` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_module_dup_data(inst: *mut ModuleInst, src: *const u8, size: u64) -> u64 {
    guard(0, || {
        // SAFETY: this function's contract.
        let Some(i) = (unsafe { inst_ref(inst) }) else { return 0 };
        if src.is_null() && size > 0 {
            return 0;
        }
        let Some(off) = module_malloc(i, size) else {
            i.set_exception(Some("app heap out of memory"));
            return 0;
        };
        // SAFETY: caller's contract on src.
        let data = unsafe { std::slice::from_raw_parts(src, size as usize) };
        let Some(memory) = i.memory.get() else { return 0 };
        // SAFETY: C API caller: outside wasm or inside its host call.
        match memory.write(unsafe { i.store() }, off, data) {
            Ok(()) => off,
            Err(_) => 0,
        }
    })
}

