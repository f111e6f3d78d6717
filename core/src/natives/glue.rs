//! How natives are linked and called: the [`Natives`] host interface (a registered native of the
//! import's module and name, newest registration first) and the glue around each call: exec env
//! and attachment, the store path recorded for the C API, the `*`/`$` pointer checks (through
//! [`GuestMemory`]), and the pending exception or nested proc_exit afterwards.

use std::ffi::c_void;

use ember_interp::{Caller, Func, FuncType, Store, Trap, Val, ValType};

use super::invoke::{self, Arg, Ret};
use super::signature::{Param, Signature};
use super::NativeEntry;
use crate::runtime::error::{describe, LinkError};
use crate::runtime::guest_memory::GuestMemory;
use crate::runtime::host::{HostInterface, Linking, StoreData};
use crate::runtime::instance::ModuleInst;

/// Natives registered through the C API (`wasm_runtime_register_natives*`, `--native-lib`).
pub struct Natives;

impl HostInterface for Natives {
    fn provides(&self, module: &str, field: &str) -> bool {
        super::lookup(module, field).is_some()
    }

    fn link(&self, at: &mut Linking<'_>, m: &str, f: &str, ft: &FuncType) -> Result<Func, LinkError> {
        let Some(mut entry) = super::lookup(m, f) else { return Err(LinkError::Missing) };
        match &entry.signature {
            Some(sig) if !sig.matches(&ft.params, &ft.results) => {
                return Err(LinkError::NativeSignature { import: describe(&ft.params, &ft.results) });
            }
            Some(_) => {}
            // A raw native gets one 64-bit slot per argument: no room for a v128 (WAMR's raw
            // natives have none either), so such an import is refused rather than truncated.
            None if entry.raw && ft.params.iter().chain(ft.results.iter()).any(|t| *t == ValType::V128) => {
                return Err(LinkError::Uncallable { import: describe(&ft.params, &ft.results) });
            }
            None if entry.raw => {}
            // Unchecked (NULL signature): called with the import's own types.
            None => entry.signature = Some(unchecked_signature(ft)?),
        }
        log::trace!("import {m}.{f}: native function{}", if entry.raw { " (raw)" } else { "" });
        let ip = at.inst;
        Ok(Func::new_host(at.store, ft.clone(), move |caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
            // SAFETY: the instance owns the store that owns this closure, so it
            // is alive whenever the closure runs.
            let inst = unsafe { &*ip };
            call_native(inst, &entry, caller, args, results)
        }))
    }
}

/// The signature of a native registered without one (see `NativeEntry::signature`), if
/// this architecture can call it.
fn unchecked_signature(ft: &FuncType) -> Result<Signature, LinkError> {
    let sig = Signature::of_wasm_type(&ft.params, &ft.results);
    let fits = |s: &Signature| {
        invoke::fits(&std::iter::once(Arg::Ptr(0)).chain(s.params.iter().map(|p| p.probe_arg())).collect::<Vec<_>>())
    };
    match sig {
        Some(s) if fits(&s) => Ok(s),
        _ => Err(LinkError::Uncallable { import: describe(&ft.params, &ft.results) }),
    }
}

/// Run `call` as a host call of `inst`: memory 0 learnt if the call comes during
/// instantiation (start function), the store path recorded for the C API, and afterwards the
/// trap a native asked for with wasm_runtime_set_exception (or a nested call's proc_exit,
/// which ends the outer guest too), if any. Shared with the libc-builtin.
pub fn host_call(inst: &ModuleInst, caller: Caller<'_, StoreData>, call: impl FnOnce() -> Result<(), Trap>) -> Result<(), Trap> {
    if inst.memory.get().is_none() {
        inst.memory.set(caller.memory());
    }
    let store_ptr: *mut Store<StoreData> = caller.store;
    let prev = inst.enter_host(store_ptr);
    let r = call();
    inst.leave_host(prev);
    r?;
    inst.take_pending_trap().map_or(Ok(()), Err)
}

fn call_native(inst: &ModuleInst, e: &NativeEntry, caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    host_call(inst, caller, || {
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
        r
    })
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
    let nargs = {
        // SAFETY: we are the host call in progress; the store path is `active`. The view ends
        // with this block, before the native runs (and maybe reaches the store itself).
        let mut view = unsafe { inst.memory_view() };
        let base = view.as_mut().map_or(std::ptr::null_mut(), GuestMemory::as_mut_ptr) as usize;
        let oob = |_| Trap::MemoryOutOfBounds;
        let mem = || view.as_ref().ok_or(Trap::MemoryOutOfBounds);
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
                // `*`: [ptr, ptr + the following `~`, else 1 byte) inside memory.
                Param::Ptr { with_len } => {
                    let size = if *with_len { args.get(i + 1).map(val_bits).unwrap_or(0) } else { 1 };
                    Arg::Ptr(base + mem()?.range(bits, size).map_err(oob)?.start)
                }
                // `$`: a NUL inside memory.
                Param::Str => {
                    mem()?.c_str(bits).map_err(oob)?;
                    Arg::Ptr(base + bits as usize)
                }
            });
        }
        nargs
    };
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
