//! `wasm_module_inst_t`: one instance with its own store.
//!
//! Borrowing: the store lives in an `UnsafeCell`. While wasm runs, the
//! interpreter holds the `&mut Store`; when it calls a native function, the
//! native may call back into the C API with the instance handle (validate an
//! address, module_malloc, call wasm again). For that window the host-call
//! glue records the `Caller`'s store pointer in `active`, and [`ModuleInst::store`]
//! hands out that pointer instead of the cell's, so there is only ever one
//! live path to the store.

use std::cell::{Cell, RefCell, UnsafeCell};
use std::collections::HashMap;
use std::ffi::{c_void, CString};

use ember_interp::{Config, Func, FuncType, Instance, Memory, Store, Trap};

use super::exec_env::ExecEnv;
use super::heap::AppHeap;
use super::module::LoadedModule;
use super::guest_memory::GuestMemory;
use super::host::StoreData;

/// What a `wasm_function_inst_t` points to (boxed, so the pointer is stable
/// for the instance's lifetime).
pub struct FuncHandle {
    pub func: Func,
    pub ty: FuncType,
}

/// The exception text WAMR uses for proc_exit inside a nested call.
pub const PROC_EXIT: &str = "wasi proc exit";

pub struct ModuleInst {
    store: UnsafeCell<Store<StoreData>>,
    /// The store of the host call in progress (see module docs), or null.
    active: Cell<*mut Store<StoreData>>,
    pub instance: Cell<Option<Instance>>,
    pub memory: Cell<Option<Memory>>,
    pub module: *const LoadedModule,
    /// "Exception: ..." as WAMR reports it.
    exception: RefCell<Option<CString>>,
    /// The exception is a nested proc_exit ([`PROC_EXIT`]), not a message: the outer guest
    /// ends with [`Trap::Exit`] too (the code is in `exit_code`).
    exiting: Cell<bool>,
    /// Status given to proc_exit, or main's return value.
    pub exit_code: Cell<Option<i32>>,
    pub custom_data: Cell<*mut c_void>,
    /// Context-key values (key address -> value).
    pub contexts: RefCell<Vec<(usize, *mut c_void)>>,
    /// Exec env of the wasm call in progress (native calls receive it).
    pub current_env: Cell<*mut ExecEnv>,
    singleton: Cell<*mut ExecEnv>,
    /// Default operand-stack size for the singleton exec env, in bytes.
    pub stack_size: u32,
    /// Requested host-managed heap size (bytes); created on first use.
    pub heap_size: u32,
    pub heap: RefCell<Option<AppHeap>>,
    pub funcs: RefCell<HashMap<String, Box<FuncHandle>>>,
}

impl ModuleInst {
    pub fn new(module: *const LoadedModule, config: Config, data: StoreData, stack_size: u32, heap_size: u32) -> Box<ModuleInst> {
        Box::new(ModuleInst {
            store: UnsafeCell::new(Store::new(config, data)),
            active: Cell::new(std::ptr::null_mut()),
            instance: Cell::new(None),
            memory: Cell::new(None),
            module,
            exception: RefCell::new(None),
            exiting: Cell::new(false),
            exit_code: Cell::new(None),
            custom_data: Cell::new(std::ptr::null_mut()),
            contexts: RefCell::new(Vec::new()),
            current_env: Cell::new(std::ptr::null_mut()),
            singleton: Cell::new(std::ptr::null_mut()),
            stack_size,
            heap_size,
            heap: RefCell::new(None),
            funcs: RefCell::new(HashMap::new()),
        })
    }

    /// The one live path to the store (see module docs).
    ///
    /// # Safety
    /// The returned reference must not outlive the current C API call or host
    /// call, and must not coexist with another one from this function.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn store(&self) -> &mut Store<StoreData> {
        let a = self.active.get();
        // SAFETY: `active` is the Caller's store pointer of the running host
        // call (whose own borrow is suspended while the native runs); else no
        // wasm runs and the cell's store is unborrowed. Caller's contract
        // excludes overlapping references.
        unsafe {
            if a.is_null() {
                &mut *self.store.get()
            } else {
                &mut *a
            }
        }
    }

    /// Record the store of a host call; returns the previous value to restore.
    pub fn enter_host(&self, store: *mut Store<StoreData>) -> *mut Store<StoreData> {
        self.active.replace(store)
    }
    pub fn leave_host(&self, prev: *mut Store<StoreData>) {
        self.active.set(prev);
    }
    /// Is a native function of this instance running right now?
    pub fn in_host_call(&self) -> bool {
        !self.active.get().is_null()
    }

    pub fn set_exception(&self, msg: Option<&str>) {
        self.exiting.set(false);
        *self.exception.borrow_mut() = msg.map(|m| {
            let text = format!("Exception: {m}").replace('\0', " ");
            CString::new(text).unwrap_or_default()
        });
    }
    /// proc_exit(`code`) inside a nested call: recorded, and reported as WAMR does (the
    /// exception text [`PROC_EXIT`]) until the host call returns to the outer guest.
    pub fn set_proc_exit(&self, code: i32) {
        self.exit_code.set(Some(code));
        self.set_exception(Some(PROC_EXIT));
        self.exiting.set(true);
    }
    /// After a host call: what the outer guest must end with, if anything (the exception a
    /// native set with wasm_runtime_set_exception, or a nested proc_exit); cleared.
    pub fn take_pending_trap(&self) -> Option<Trap> {
        let msg = self.exception_message()?;
        let exit = self.exiting.get().then(|| self.exit_code.get()).flatten();
        self.set_exception(None);
        Some(match exit {
            Some(code) => Trap::Exit(code),
            None => Trap::Host(msg.into()),
        })
    }
    pub fn has_exception(&self) -> bool {
        self.exception.borrow().is_some()
    }
    /// The exception text (without the "Exception: " prefix).
    pub fn exception_message(&self) -> Option<String> {
        self.exception
            .borrow()
            .as_ref()
            .map(|c| c.to_string_lossy().trim_start_matches("Exception: ").to_string())
    }
    /// Pointer to the NUL-terminated exception, valid until it changes.
    pub fn exception_ptr(&self) -> *const std::ffi::c_char {
        match &*self.exception.borrow() {
            Some(c) => c.as_ptr(),
            None => std::ptr::null(),
        }
    }

    /// The singleton exec env (created on first use).
    pub fn singleton_env(&self) -> *mut ExecEnv {
        let s = self.singleton.get();
        if !s.is_null() {
            return s;
        }
        let env = Box::into_raw(ExecEnv::new(self as *const ModuleInst as *mut ModuleInst, self.stack_size, true));
        self.singleton.set(env);
        env
    }

    /// Memory 0 as a [`GuestMemory`] view, if the instance has memory.
    ///
    /// # Safety
    /// As for [`ModuleInst::store`]; the view is valid until memory grows.
    pub unsafe fn memory_view(&self) -> Option<GuestMemory<'_>> {
        let mem = self.memory.get()?;
        // SAFETY: forwarded contract.
        Some(GuestMemory::new(mem.data_mut(unsafe { self.store() })))
    }
}

impl Drop for ModuleInst {
    fn drop(&mut self) {
        let s = self.singleton.replace(std::ptr::null_mut());
        if !s.is_null() {
            // SAFETY: created by Box::into_raw in `singleton_env`, freed once here.
            drop(unsafe { Box::from_raw(s) });
        }
    }
}
