//! The native-symbol registry: functions registered through
//! `wasm_runtime_register_natives[_raw]` (C structs `NativeSymbol`), and
//! `--native-lib` shared libraries (WAMR protocol, see [`libs`]).
//!
//! - Natives with a signature are called through one fixed function type per architecture
//!   ([`invoke`]; x86_64, aarch64, armv7, whose unit tests also pass under qemu). Other
//!   architectures only call raw natives (`register_natives_raw`: `void f(exec_env, uint64_t
//!   *args)`); registering a signature native there fails with a message.
//! - A NULL or empty signature (lib_export.h's `EXPORT_WASM_API`) is unchecked, as in WAMR: the
//!   native links to any import of its name and is called with the import's own wasm types, i32
//!   pointers passed as app offsets (`Signature::of_wasm_type`); a raw native gets its slots.
//! - Checks before the native runs: `*` checks `[ptr, ptr+len)` with the following `~` (else 1
//!   byte), `$` checks that a NUL lies inside linear memory; a failure traps with "out of bounds
//!   memory access" and the native is never called. `r` passes the externref as `uintptr_t`.
//! - `--native-lib=PATH`: the host interfaces may claim the library first
//!   (`HostInterface::claim_library`: wasi-nn registers a library exporting
//!   `ember_nn_backend_entry` as a backend); others follow WAMR's protocol ([`libs`]).

mod error;
mod glue;
pub mod invoke;
pub mod libs;
pub mod signature;

use std::ffi::{c_char, CStr};
use std::sync::{Mutex, MutexGuard};

pub use error::{Error, LibraryError, SignatureError};
pub use glue::{host_call, Natives};
use signature::Signature;

/// WAMR's `NativeSymbol` (lib_export.h), mirrored once in vmcore-types.
pub use vmcore_types::NativeSymbol;

/// One registered native function.
#[derive(Clone, Debug)]
pub struct NativeEntry {
    pub module: String,
    pub field: String,
    pub func_ptr: usize,
    /// None when registered with a NULL or empty signature (lib_export.h's `EXPORT_WASM_API`).
    /// As in WAMR that means unchecked: a raw native gets its slots as always, any other is
    /// called with the import's own wasm types (pointers arrive as app offsets, unconverted).
    pub signature: Option<Signature>,
    pub attachment: usize,
    /// `fn(exec_env, uint64_t *args)` calling convention.
    pub raw: bool,
}

struct Registration {
    /// The caller's array: identifies the registration for unregister.
    symbols: usize,
    module: String,
    entries: Vec<NativeEntry>,
}

static REGISTRY: Mutex<Vec<Registration>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<Registration>> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Register `n` symbols of `module` (copied; the array pointer identifies
/// the registration for [`unregister`]).
///
/// # Safety
/// `symbols` must point to `n` valid `NativeSymbol`s whose strings are
/// NUL-terminated (signature may be NULL: unchecked, see [`NativeEntry::signature`]).
pub unsafe fn register(module: &str, symbols: *const NativeSymbol, n: u32, raw: bool) -> Result<(), Error> {
    if symbols.is_null() && n > 0 {
        return Err(Error::NullArray);
    }
    let mut entries = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        // SAFETY: caller guarantees `n` entries.
        let s = unsafe { &*symbols.add(i) };
        if s.symbol.is_null() || s.func_ptr.is_null() {
            return Err(Error::NullSymbol { index: i, module: module.to_string() });
        }
        // SAFETY: caller guarantees NUL-terminated strings.
        let field = unsafe { CStr::from_ptr(s.symbol) }.to_string_lossy().into_owned();
        // SAFETY: as above (a non-NULL signature is NUL-terminated).
        let text = (!s.signature.is_null()).then(|| unsafe { CStr::from_ptr(s.signature) }.to_string_lossy());
        let signature = match text.filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => {
                let sig = Signature::parse(&text)
                    .map_err(|why| Error::Signature { module: module.to_string(), field: field.clone(), why })?;
                if !raw {
                    let probe: Vec<invoke::Arg> = std::iter::once(invoke::Arg::Ptr(0)).chain(sig.params.iter().map(|p| p.probe_arg())).collect();
                    if !invoke::fits(&probe) {
                        return Err(Error::Uncallable { module: module.to_string(), field });
                    }
                }
                Some(sig)
            }
        };
        entries.push(NativeEntry {
            module: module.to_string(),
            field,
            func_ptr: s.func_ptr as usize,
            signature,
            attachment: s.attachment as usize,
            raw,
        });
    }
    log::debug!("registered {} native symbol(s) for module \"{module}\"{}", entries.len(), if raw { " (raw)" } else { "" });
    registry().push(Registration { symbols: symbols as usize, module: module.to_string(), entries });
    Ok(())
}

/// Remove the registration made with this module name and array.
pub fn unregister(module: &str, symbols: *const NativeSymbol) -> bool {
    let mut r = registry();
    match r.iter().position(|g| g.symbols == symbols as usize && g.module == module) {
        Some(i) => {
            r.remove(i);
            true
        }
        None => false,
    }
}

/// The newest registration of `module`.`field`.
pub fn lookup(module: &str, field: &str) -> Option<NativeEntry> {
    registry()
        .iter()
        .rev()
        .filter(|g| g.module == module)
        .find_map(|g| g.entries.iter().find(|e| e.field == field).cloned())
}

/// Forget everything (wasm_runtime_destroy). The vector itself is replaced,
/// so its buffer goes back to the current mode before a pool is retired.
pub fn clear() {
    let old = std::mem::take(&mut *registry());
    drop(old);
}

/// Refuse a registration of `n` native symbols that the current memory mode cannot hold:
/// `natives::register` copies every symbol (names, parsed signature) with infallible
/// allocations, which would abort the process in a pool too small for them.
///
/// # Safety
/// `symbols` must be NULL or point to `n` `NativeSymbol`s whose non-NULL strings are
/// NUL-terminated.
pub(crate) unsafe fn check_native_room(module: &str, symbols: *const NativeSymbol, n: u32) -> Result<(), Error> {
    if symbols.is_null() || n == 0 || crate::alloc::mode() != crate::alloc::Mode::Pool {
        return Ok(());
    }
    let strlen = |p: *const c_char| {
        if p.is_null() {
            0
        } else {
            // SAFETY: a non-NULL NUL-terminated string of a symbol (caller's contract).
            unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes().len()
        }
    };
    let mut bytes = std::mem::size_of::<NativeEntry>().saturating_mul(n as usize);
    for i in 0..n as usize {
        // SAFETY: `n` entries (caller's contract); strings as documented.
        let s = unsafe { &*symbols.add(i) };
        // The entry's own copies of the module and field names, and its parameter list
        // (at most one parameter per signature character).
        bytes = bytes.saturating_add(module.len() + strlen(s.symbol) + 8 * strlen(s.signature) + 64);
    }
    if crate::alloc::room_for(bytes) {
        Ok(())
    } else {
        Err(Error::NoRoom { n, module: module.to_string(), bytes })
    }
}
