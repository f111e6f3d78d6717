//! Instances: instantiate/deinstantiate, exceptions, custom data, context keys.

use std::ffi::{c_char, c_void};
use std::sync::Mutex;

use super::{cstr, guard, write_error};
use crate::runtime::host::HostInterface;
use crate::runtime::instance::ModuleInst;
use crate::runtime::link;
use crate::runtime::module::LoadedModule;

/// The host interfaces every instance is linked against, in the order the linker asks them:
/// registered natives first (so a user's native wins, as in WAMR), then WASI, wasi-nn, and
/// the libc-builtin for what is left of `env`.
pub static HOST_INTERFACES: [&dyn HostInterface; 4] =
    [&crate::natives::Natives, &crate::wasi::Wasi, &crate::nn::Nn, &crate::libc_builtin::LibcBuiltin];

/// # Safety
/// `module` from wasm_runtime_load (outliving the instance); `error_buf` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_instantiate(
    module: *const LoadedModule,
    default_stack_size: u32,
    host_managed_heap_size: u32,
    error_buf: *mut c_char,
    error_buf_size: u32,
) -> *mut ModuleInst {
    let fail = |msg: &str| {
        // SAFETY: caller's buffer contract.
        unsafe { write_error(error_buf, error_buf_size, msg) };
        std::ptr::null_mut()
    };
    if module.is_null() {
        return fail("instantiate failed: module is NULL");
    }
    // SAFETY: caller's contract (live module outliving the instance).
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
        link::instantiate(module, default_stack_size, host_managed_heap_size, &HOST_INTERFACES)
    }));
    match r {
        Ok(Ok(inst)) => Box::into_raw(inst),
        Ok(Err(e)) => fail(&format!("instantiate failed: {e}")),
        Err(_) => fail("instantiate failed: internal error"),
    }
}

/// # Safety
/// `inst` NULL or from wasm_runtime_instantiate, not running.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_deinstantiate(inst: *mut ModuleInst) {
    guard((), || {
        if inst.is_null() {
            return;
        }
        // SAFETY: live instance (caller's contract).
        let i = unsafe { &*inst };
        let contexts = std::mem::take(&mut *i.contexts.borrow_mut());
        for (key, value) in contexts {
            if let Some(dtor) = key_dtor(key) {
                if !value.is_null() {
                    // SAFETY: the embedder's destructor for its own context.
                    unsafe { dtor(inst, value) };
                }
            }
        }
        // SAFETY: created by Box::into_raw in wasm_runtime_instantiate.
        drop(unsafe { Box::from_raw(inst) });
    })
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module(inst: *mut ModuleInst) -> *const LoadedModule {
    // SAFETY: caller's contract.
    unsafe { inst.as_ref() }.map(|i| i.module).unwrap_or(std::ptr::null())
}

/// "Exception: <message>", or NULL. Valid until the exception changes.
///
/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_exception(inst: *mut ModuleInst) -> *const c_char {
    // SAFETY: caller's contract.
    unsafe { inst.as_ref() }.map(|i| i.exception_ptr()).unwrap_or(std::ptr::null())
}

/// # Safety
/// `inst` live; `exception` NULL (= clear) or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_exception(inst: *mut ModuleInst, exception: *const c_char) {
    guard((), || {
        // SAFETY: caller's contract.
        if let Some(i) = unsafe { inst.as_ref() } {
            // SAFETY: caller's contract.
            let msg = unsafe { cstr(exception) };
            i.set_exception(msg.as_deref());
        }
    })
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_clear_exception(inst: *mut ModuleInst) {
    guard((), || {
        // SAFETY: caller's contract.
        if let Some(i) = unsafe { inst.as_ref() } {
            i.set_exception(None);
        }
    })
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_custom_data(inst: *mut ModuleInst, custom_data: *mut c_void) {
    // SAFETY: caller's contract.
    if let Some(i) = unsafe { inst.as_ref() } {
        i.custom_data.set(custom_data);
    }
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_custom_data(inst: *mut ModuleInst) -> *mut c_void {
    // SAFETY: caller's contract.
    unsafe { inst.as_ref() }.map(|i| i.custom_data.get()).unwrap_or(std::ptr::null_mut())
}

/// The status given to proc_exit (0 when the app returned normally).
///
/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_wasi_exit_code(inst: *mut ModuleInst) -> u32 {
    // SAFETY: caller's contract.
    unsafe { inst.as_ref() }.and_then(|i| i.exit_code.get()).unwrap_or(0) as u32
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_is_wasi_mode(inst: *mut ModuleInst) -> bool {
    guard(false, || {
        // SAFETY: caller's contract; no wasm runs (or we are in its host call).
        unsafe { inst.as_ref() }.map(|i| unsafe { i.store() }.data().slots.contains::<crate::wasi::WasiCtx>()).unwrap_or(false)
    })
}

// ---- Context keys ----

type ContextDtor = unsafe extern "C" fn(*mut ModuleInst, *mut c_void);

/// Live keys: (key address, destructor). A key is a small heap block whose
/// address is its identity.
static KEYS: Mutex<Vec<(usize, Option<ContextDtor>)>> = Mutex::new(Vec::new());

fn key_dtor(key: usize) -> Option<ContextDtor> {
    KEYS.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key).and_then(|(_, d)| *d)
}

fn key_live(key: usize) -> bool {
    KEYS.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|(k, _)| *k == key)
}

/// Forget all keys (wasm_runtime_destroy).
pub fn drop_context_keys() {
    let keys = std::mem::take(&mut *KEYS.lock().unwrap_or_else(|e| e.into_inner()));
    for (k, _) in keys {
        // SAFETY: created by Box::into_raw in create_context_key.
        drop(unsafe { Box::from_raw(k as *mut u8) });
    }
}

#[no_mangle]
pub extern "C" fn wasm_runtime_create_context_key(dtor: Option<ContextDtor>) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        let k = Box::into_raw(Box::new(0u8)) as usize;
        KEYS.lock().unwrap_or_else(|e| e.into_inner()).push((k, dtor));
        k as *mut c_void
    })
}

/// # Safety
/// `key` from wasm_runtime_create_context_key, destroyed once.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_destroy_context_key(key: *mut c_void) {
    guard((), || {
        let mut keys = KEYS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(pos) = keys.iter().position(|(k, _)| *k == key as usize) {
            keys.remove(pos);
            // SAFETY: created by Box::into_raw in create_context_key.
            drop(unsafe { Box::from_raw(key as *mut u8) });
        }
    })
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_context(inst: *mut ModuleInst, key: *mut c_void, ctx: *mut c_void) {
    guard((), || {
        // SAFETY: caller's contract.
        let Some(i) = (unsafe { inst.as_ref() }) else { return };
        if !key_live(key as usize) {
            log::warn!("wasm_runtime_set_context: unknown context key");
            return;
        }
        let mut c = i.contexts.borrow_mut();
        match c.iter_mut().find(|(k, _)| *k == key as usize) {
            Some(slot) => slot.1 = ctx,
            None => c.push((key as usize, ctx)),
        }
    })
}

/// Same as set_context (there is one thread per instance here).
///
/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_context_spread(inst: *mut ModuleInst, key: *mut c_void, ctx: *mut c_void) {
    // SAFETY: forwarded.
    unsafe { wasm_runtime_set_context(inst, key, ctx) }
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_context(inst: *mut ModuleInst, key: *mut c_void) -> *mut c_void {
    guard(std::ptr::null_mut(), || {
        // SAFETY: caller's contract.
        let Some(i) = (unsafe { inst.as_ref() }) else { return std::ptr::null_mut() };
        if !key_live(key as usize) {
            return std::ptr::null_mut();
        }
        i.contexts.borrow().iter().find(|(k, _)| *k == key as usize).map(|(_, v)| *v).unwrap_or(std::ptr::null_mut())
    })
}
