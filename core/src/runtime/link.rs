//! Instantiation: resolve every import (registered natives, then WASI, then
//! wasi-nn, then the libc-builtin for `env`; see host.rs), build the store, run the
//! start function.

use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};

use ember_interp::{Caller, Config, Extern, ExternType, Func, FuncType, HostMemory, Instance, Store, Trap, Val, ValType};

use super::instance::ModuleInst;
use super::module::LoadedModule;
use crate::alloc::Mode;
use crate::host::{HostFuncDef, StoreData};
use crate::libc_builtin;
use crate::natives::invoke::{self, Arg, Ret};
use crate::natives::signature::Param;
use crate::natives::{self, NativeEntry};

pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// Bytes per interpreter stack cell: stack_size / CELL = Config::max_stack_cells.
const CELL: u32 = 8;
/// Smallest operand stack we give an instance (bytes).
pub const MIN_STACK_SIZE: u32 = 128 * 1024;

/// Room an instance needs besides its linear memory (store, tables, frames).
const INSTANCE_OVERHEAD: usize = 64 << 10;

static DEFAULT_FUEL: AtomicU64 = AtomicU64::new(0);

pub fn set_default_fuel(fuel: u64) {
    DEFAULT_FUEL.store(fuel, Ordering::Relaxed);
}

/// The Config of an instance with this operand-stack size (bytes), for the current memory mode.
pub fn config_for(stack_size: u32) -> Config {
    let fuel = DEFAULT_FUEL.load(Ordering::Relaxed);
    Config {
        max_stack_cells: (stack_size.max(MIN_STACK_SIZE) / CELL) as usize,
        fuel: (fuel != 0).then_some(fuel),
        host_memory: host_memory(),
        ..Config::default()
    }
}

/// Where an instance's guest-driven memory comes from. System mode: nothing to bound, linear
/// memories reserve address space and commit lazily (ember_platform::vmem). Pool and
/// user-allocator modes: linear memories come from the mode's allocator (WAMR puts them in
/// the pool too), and tables, segments, IR and the operand stack are checked against the pool
/// before they are allocated.
fn host_memory() -> Option<HostMemory> {
    match crate::alloc::mode() {
        Mode::System => None,
        Mode::Pool | Mode::User => Some(HostMemory {
            room_for: crate::alloc::guest_room_for,
            alloc_zeroed: crate::alloc::linear_alloc_zeroed,
            grow_zeroed: crate::alloc::linear_grow_zeroed,
            free: crate::alloc::linear_free,
        }),
    }
}

fn describe(t: &FuncType) -> String {
    format!("{:?} -> {:?}", t.params, t.results)
}

/// Instantiate a loaded module.
///
/// # Safety
/// `lm` must point to a live module that outlives the instance (WAMR's
/// contract for wasm_runtime_instantiate).
pub unsafe fn instantiate(lm: *const LoadedModule, stack_size: u32, heap_size: u32) -> Result<Box<ModuleInst>, String> {
    // SAFETY: caller's contract.
    let module = unsafe { &*lm };
    let imports = module.module.imports();

    // Pool mode: refuse early, with the numbers, when what the module declares cannot fit
    // (the interpreter checks each part again as it allocates it).
    let fp = module.module.footprint();
    let need = fp.total().saturating_add(INSTANCE_OVERHEAD as u64);
    if !crate::alloc::room_for(usize::try_from(need).unwrap_or(usize::MAX)) {
        let free = crate::alloc::stats().free;
        return Err(format!(
            "not enough runtime memory to instantiate: the module needs about {need} bytes (linear memory {}, \
             tables {}, other {}, instance {INSTANCE_OVERHEAD}) and the pool has {free} bytes free (memory pool too small)",
            fp.memory, fp.tables, fp.other
        ));
    }

    // WASI state when the module imports WASI, or when WASI args were set
    // (so that malformed args are reported even for modules without WASI).
    let wasi = if imports.iter().any(|i| &*i.module == WASI_MODULE) || module.settings().wasi_factory.is_some() {
        Some(match &module.settings().wasi_factory {
            Some(f) => f()?,
            None => crate::wasi::WasiCtx::default(),
        })
    } else {
        None
    };
    let data = StoreData { wasi, ..StoreData::default() };
    let inst = ModuleInst::new(lm, config_for(stack_size), data, stack_size, heap_size);
    let ip: *const ModuleInst = &*inst;

    // SAFETY: no wasm runs yet; this is the only reference to the store
    // until Instance::new returns (host calls during the start function go
    // through the Caller's reborrow of it).
    let store = unsafe { inst.store() };
    let mut externs = Vec::with_capacity(imports.len());
    for imp in imports {
        let (m, f) = (&*imp.module, &*imp.name);
        let ExternType::Func(ft) = &imp.ty else {
            return Err(format!(
                "cannot link import {m}.{f}: only function imports can be provided by the host (got {:?})",
                imp.ty
            ));
        };
        let func = if let Some(mut entry) = natives::lookup(m, f) {
            match &entry.signature {
                Some(sig) if !sig.matches(&ft.params, &ft.results) => {
                    return Err(format!(
                        "cannot link import {m}.{f}: native signature does not match the import type {}",
                        describe(ft)
                    ));
                }
                Some(_) => {}
                None if entry.raw => {}
                // Unchecked (NULL signature): called with the import's own types.
                None => entry.signature = Some(unchecked_signature(ft, m, f)?),
            }
            log::trace!("import {m}.{f}: native function{}", if entry.raw { " (raw)" } else { "" });
            native_func(store, ft.clone(), ip, entry)
        } else if let Some(def) = (m == WASI_MODULE).then(|| crate::wasi::lookup(f)).flatten() {
            log::trace!("import {m}.{f}: WASI");
            host_func(store, ft, def, m)?
        } else if let Some(def) = crate::nn::lookup(m, f) {
            log::trace!("import {m}.{f}: wasi-nn");
            host_func(store, ft, def, m)?
        } else if m == libc_builtin::MODULE && libc_builtin::exists(f) {
            log::trace!("import {m}.{f}: libc-builtin");
            let b = libc_builtin::find(f, ft).map_err(|e| format!("cannot link import {m}.{f}: {e}"))?;
            builtin_func(store, ft.clone(), ip, b)
        } else {
            return Err(format!("cannot link import {m}.{f}: no native symbol, WASI or wasi-nn function of that name"));
        };
        externs.push(Extern::Func(func));
    }

    let config = store.config();
    log::debug!(
        "instantiating: {} imports linked, operand stack {} slots, fuel {:?}, WASI {}",
        externs.len(),
        config.max_stack_cells,
        config.fuel,
        if store.data().wasi.is_some() { "on" } else { "off" }
    );
    let instance = Instance::new(store, &module.module, &externs).map_err(|e| e.to_string())?;
    inst.instance.set(Some(instance));
    inst.memory.set(instance.memory(store));
    if heap_size > 0 && inst.memory.get().is_some() && !super::app_memory::has_guest_allocator(&inst) {
        // Failure is not fatal: module_malloc then reports "app heap out of memory".
        super::app_memory::ensure_heap(&inst);
    }
    Ok(inst)
}

/// The signature of a native registered without one (see `NativeEntry::signature`), if
/// this architecture can call it.
fn unchecked_signature(ft: &FuncType, m: &str, f: &str) -> Result<natives::signature::Signature, String> {
    let sig = natives::signature::Signature::of_wasm_type(&ft.params, &ft.results);
    let fits = |s: &natives::signature::Signature| {
        invoke::fits(&std::iter::once(Arg::Ptr(0)).chain(s.params.iter().map(|p| p.probe_arg())).collect::<Vec<_>>())
    };
    match sig {
        Some(s) if fits(&s) => Ok(s),
        _ => Err(format!(
            "cannot link import {m}.{f}: a native without signature cannot be called with the import type {} here",
            describe(ft)
        )),
    }
}

fn host_func(store: &mut Store<StoreData>, ft: &FuncType, def: &'static HostFuncDef, m: &str) -> Result<Func, String> {
    if *ft.params != *def.params || *ft.results != *def.results {
        return Err(format!(
            "cannot link import {m}.{}: the module expects {} but the host function is {:?} -> {:?}",
            def.name,
            describe(ft),
            def.params,
            def.results
        ));
    }
    Ok(Func::new_host(store, ft.clone(), move |mut caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
        (def.func)(&mut caller, args, results)
    }))
}

fn native_func(store: &mut Store<StoreData>, ft: FuncType, ip: *const ModuleInst, entry: NativeEntry) -> Func {
    Func::new_host(store, ft, move |caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
        // SAFETY: the instance owns the store that owns this closure, so it
        // is alive whenever the closure runs.
        let inst = unsafe { &*ip };
        call_native(inst, &entry, caller, args, results)
    })
}

fn builtin_func(store: &mut Store<StoreData>, ft: FuncType, ip: *const ModuleInst, b: &'static libc_builtin::Builtin) -> Func {
    Func::new_host(store, ft, move |caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
        // SAFETY: as in `native_func`: the instance outlives its store's closures.
        let inst = unsafe { &*ip };
        if inst.memory.get().is_none() {
            inst.memory.set(caller.memory());
        }
        let prev = inst.enter_host(caller.store);
        let r = libc_builtin::call(inst, b, args, results);
        inst.leave_host(prev);
        r?;
        pending_trap(inst)
    })
}

/// After a host call: the trap a native asked for with wasm_runtime_set_exception (or a
/// nested call's proc_exit, which ends the outer guest too), if any.
fn pending_trap(inst: &ModuleInst) -> Result<(), Trap> {
    inst.take_pending_trap().map_or(Ok(()), Err)
}

fn call_native(inst: &ModuleInst, e: &NativeEntry, caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    if inst.memory.get().is_none() {
        // Called during instantiation (start function): learn memory 0 now.
        inst.memory.set(caller.memory());
    }
    let store_ptr: *mut Store<StoreData> = caller.store;
    let prev = inst.enter_host(store_ptr);
    let env = match inst.current_env.get() {
        p if p.is_null() => inst.singleton_env(),
        p => p,
    };
    // SAFETY: exec envs live until destroyed by the embedder, which must not
    // happen while a call through them runs.
    let env_ref = unsafe { &*env };
    let prev_att = env_ref.attachment.replace(e.attachment as *mut c_void);
    let r = if e.raw { call_raw(e, env as *mut c_void, args, results) } else { call_with_signature(inst, e, env as *mut c_void, args, results) };
    env_ref.attachment.set(prev_att);
    inst.leave_host(prev);
    r?;
    pending_trap(inst)
}

fn val_bits(v: &Val) -> u64 {
    match *v {
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(b) => b as u64,
        Val::F64(b) => b,
        Val::ExternRef(r) => r.map(|x| x as u64).unwrap_or(u64::MAX),
        Val::V128(x) => x as u64,
        Val::FuncRef(_) => 0,
    }
}

fn result_from_bits(t: ValType, bits: u64) -> Val {
    match t {
        ValType::I32 => Val::I32(bits as u32 as i32),
        ValType::I64 => Val::I64(bits as i64),
        ValType::F32 => Val::F32(bits as u32),
        ValType::F64 => Val::F64(bits),
        ValType::ExternRef => Val::ExternRef((bits != u64::MAX && bits <= u32::MAX as u64).then_some(bits as u32)),
        ValType::V128 | ValType::FuncRef => Val::default_of(t),
    }
}

/// WAMR raw natives: `void f(wasm_exec_env_t, uint64_t *args)`, one 64-bit
/// slot per argument, the result written to args[0].
fn call_raw(e: &NativeEntry, env: *mut c_void, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    let mut slots: Vec<u64> = args.iter().map(val_bits).collect();
    if slots.is_empty() {
        slots.push(0);
    }
    type RawFn = unsafe extern "C" fn(*mut c_void, *mut u64);
    // SAFETY: registered through register_natives_raw, whose contract is this C type.
    let f: RawFn = unsafe { std::mem::transmute::<usize, RawFn>(e.func_ptr) };
    // SAFETY: `slots` has at least one slot per argument and one for the result.
    unsafe { f(env, slots.as_mut_ptr()) };
    if let Some(r) = results.first_mut() {
        *r = result_from_bits(r.ty(), slots[0]);
    }
    Ok(())
}

fn call_with_signature(inst: &ModuleInst, e: &NativeEntry, env: *mut c_void, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    let Some(sig) = &e.signature else {
        return Err(Trap::Host("native function without signature".into()));
    };
    // SAFETY: we are the host call in progress; the store path is `active`.
    let (base, len) = unsafe { inst.memory_raw() }.unwrap_or((std::ptr::null_mut(), 0));
    let mut nargs = Vec::with_capacity(args.len() + 1);
    nargs.push(Arg::Ptr(env as usize));
    for (i, p) in sig.params.iter().enumerate() {
        let v = args.get(i).ok_or_else(|| Trap::Host("native call: argument count mismatch".into()))?;
        let bits = val_bits(v);
        nargs.push(match p {
            Param::I32 | Param::Len => Arg::I32(bits as u32),
            Param::I64 => Arg::I64(bits),
            Param::ExternRef => Arg::Ptr(bits as usize),
            Param::F32 => Arg::F32(bits as u32),
            Param::F64 => Arg::F64(bits),
            Param::Ptr { with_len } => {
                let off = bits;
                let size = if *with_len { args.get(i + 1).map(val_bits).unwrap_or(0) } else { 1 };
                if base.is_null() || off.checked_add(size).is_none_or(|end| end > len as u64) {
                    return Err(Trap::MemoryOutOfBounds);
                }
                Arg::Ptr(base as usize + off as usize)
            }
            Param::Str => {
                let off = bits as usize;
                // SAFETY: [base, base+len) is memory 0 of this instance.
                let mem = if base.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(base, len) } };
                if off >= mem.len() || !mem[off..].contains(&0) {
                    return Err(Trap::MemoryOutOfBounds);
                }
                Arg::Ptr(base as usize + off)
            }
        });
    }
    let ret = match sig.result {
        Some(ValType::F32) | Some(ValType::F64) => Ret::Float,
        _ => Ret::Int,
    };
    // SAFETY: the registered signature describes the C function (WAMR
    // contract); argument classes follow it.
    let bits = unsafe { invoke::call(e.func_ptr as *const c_void, &nargs, ret) }.map_err(|m| Trap::Host(m.into()))?;
    if let (Some(t), Some(r)) = (sig.result, results.first_mut()) {
        *r = result_from_bits(t, bits);
    }
    Ok(())
}
