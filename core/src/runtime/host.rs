//! The one small interface through which host interfaces (WASI, wasi-nn, natives, the
//! libc-builtin; each in its own directory above the runtime) reach an instance, and what they
//! share: the store's data, the shape of a Rust host function, the lending shim.
//!
//! Linking (`link.rs`): the C API hands `instantiate` its list of [`HostInterface`]s in link
//! order (`capi/instance.rs`: natives, WASI, wasi-nn, libc-builtin). Each one first
//! [`prepare`](HostInterface::prepare)s the instance's [`StoreData`] (WASI puts its context
//! there, wasi-nn its handle table); then each function import goes to the first interface that
//! [`provides`](HostInterface::provides) it. The runtime names none of their types: per-instance
//! state lives in [`StoreData::slots`], keyed by type, and per-module settings (WASI's
//! arguments) in [`ModuleSettings`].
//!
//! A host function that wants to stop the guest returns `Err(Trap::Exit(code))` (proc_exit);
//! the runtime records the code (`wasm_runtime_get_wasi_exit_code`) and treats the call as
//! finished, not failed.

use std::ffi::c_void;
use std::os::fd::OwnedFd;
use std::path::Path;

use ember_interp::{Caller, Func, FuncType, Store, Trap, Val, ValType};
use ember_platform::SysResult;

use super::error::{describe, Error, HostError, LinkError};
use super::guest_memory::GuestMemory;
use super::instance::ModuleInst;
use super::module::LoadedModule;
use super::slots::Slots;

/// Opens a file the guest names, as its sandbox allows (WASI's preopens); wasi-nn's
/// load_by_name uses it without knowing WASI.
pub trait GuestFiles {
    fn open_guest_file(&self, path: &[u8]) -> SysResult<OwnedFd>;
}

/// The embedder data of every Store created by libvmcore.so.
#[derive(Default)]
pub struct StoreData {
    /// Each host interface's per-instance state, by type.
    pub slots: Slots,
    /// Finds the instance's [`GuestFiles`] among the slots (set by WASI when it has a context).
    guest_files: Option<FindGuestFiles>,
}

/// How [`StoreData::guest_files`] finds the [`GuestFiles`] among the slots.
pub type FindGuestFiles = fn(&StoreData) -> Option<&dyn GuestFiles>;

impl StoreData {
    pub fn set_guest_files(&mut self, find: FindGuestFiles) {
        self.guest_files = Some(find);
    }
    pub fn guest_files(&self) -> Option<&dyn GuestFiles> {
        (self.guest_files?)(self)
    }
}

/// Settings attached to a loaded module (`wasm_module_t`) before it is instantiated,
/// WAMR-style (e.g. `wasm_runtime_set_wasi_args(module, ...)`), by type.
pub type ModuleSettings = Slots;

/// A host function implemented in Rust inside libvmcore.so.
pub type HostFn = fn(&mut Caller<'_, StoreData>, &[Val], &mut [Val]) -> Result<(), Trap>;

/// One entry of a host module's function table (WASI, wasi-nn).
pub struct HostFuncDef {
    pub name: &'static str,
    pub params: &'static [ValType],
    pub results: &'static [ValType],
    pub func: HostFn,
}

impl HostFuncDef {
    /// This function as the import of type `ty`, whose type must equal the def's exactly.
    pub fn link(&'static self, store: &mut Store<StoreData>, ty: &FuncType) -> Result<Func, LinkError> {
        if *ty.params != *self.params || *ty.results != *self.results {
            return Err(LinkError::Type { import: describe(&ty.params, &ty.results), host: describe(self.params, self.results) });
        }
        Ok(Func::new_host(store, ty.clone(), move |mut caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
            (self.func)(&mut caller, args, results)
        }))
    }
}

/// What the linker gives a host interface to build an import with.
pub struct Linking<'a> {
    pub store: &'a mut Store<StoreData>,
    /// The instance being created; it owns the store and so outlives every function made here.
    pub inst: *const ModuleInst,
}

/// A host interface as the linker sees it.
pub trait HostInterface: Sync {
    /// Before any import is resolved: put this interface's per-instance state into `data`
    /// when `module` needs it.
    fn prepare(&self, _module: &LoadedModule, _data: &mut StoreData) -> Result<(), Error> {
        Ok(())
    }
    /// Does this interface have a function `module.field` (of any type)?
    fn provides(&self, module: &str, field: &str) -> bool;
    /// The function for import `module.field` of type `ty` (only asked when it `provides` it).
    fn link(&self, at: &mut Linking<'_>, module: &str, field: &str, ty: &FuncType) -> Result<Func, LinkError>;
    /// A library claimer: is the shared library at `path` (given to `--native-lib` or
    /// `ember_runtime_load_native_lib`) one of this interface's own (wasi-nn: a backend)? The
    /// natives' loader (`natives/libs.rs`) asks every interface before WAMR's native-lib
    /// protocol. `Some(Ok(description))`: claimed and registered; `Some(Err(why))`: this
    /// interface's kind of library, but refused (the loader's error); None: not claimed.
    fn claim_library(&self, _path: &Path) -> Option<Result<String, HostError>> {
        None
    }
}

/// Lend the calling instance's state `S` and its memory 0 (None without memory) to `f`, with
/// the rest of the store's data. `S` is taken out of the store for the call, so that it, the
/// memory and the other states can be borrowed together; host functions that use this never
/// re-enter wasm, so nothing else looks for `S` meanwhile. None when the instance has no `S`.
pub fn lend<S: 'static, R>(
    caller: &mut Caller<'_, StoreData>,
    f: impl FnOnce(&mut S, Option<&mut GuestMemory<'_>>, &StoreData) -> R,
) -> Option<R> {
    let mut state = caller.data_mut().slots.take::<S>()?;
    let r = match caller.memory() {
        Some(m) => {
            let (bytes, data) = m.data_and_store_mut(&mut *caller.store);
            f(&mut state, Some(&mut GuestMemory::new(bytes)), data)
        }
        None => f(&mut state, None, caller.data()),
    };
    caller.data_mut().slots.put(state);
    Some(r)
}

/// The settings of a `wasm_module_t` handle, for C API functions outside capi/ that take a
/// module (e.g. `wasm_runtime_set_wasi_args`). Returns None for NULL.
///
/// # Safety
/// `module` must be NULL or a live handle returned by `wasm_runtime_load`,
/// and no other reference to its settings may be alive.
pub unsafe fn module_settings<'a>(module: *mut c_void) -> Option<&'a mut ModuleSettings> {
    // SAFETY: forwarded contract.
    unsafe { super::module::settings_of(module) }
}
