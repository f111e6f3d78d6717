//! Calling into an instance from the host: export lookup (cached handles) and one call with
//! WAMR's exception and proc_exit rules. Used by the C API (`capi/call.rs`), the app-memory
//! policy (`app_memory.rs`) and the linker; it knows nothing of C.

use ember_interp::{Extern, Trap, Val};

use super::exec_env::ExecEnv;
use super::instance::{FuncHandle, ModuleInst};

/// Call `fh` on `inst` through `env`. On a trap the exception is set and
/// false returned. proc_exit: at top level the code is recorded and the call
/// counts as finished (true); inside a native call it fails with the
/// PROC_EXIT exception so the outer guest stops too (ModuleInst::set_proc_exit).
pub fn call_func(inst: &ModuleInst, env: *mut ExecEnv, fh: &FuncHandle, args: &[Val], results: &mut [Val]) -> bool {
    let nested = inst.in_host_call();
    inst.set_exception(None);
    let prev_env = inst.current_env.replace(env);
    // SAFETY: one store path at a time (see ModuleInst docs); nothing else
    // holds a store reference across this call.
    let store = unsafe { inst.store() };
    let r = fh.func.call(store, args, results);
    inst.current_env.set(prev_env);
    match r {
        Ok(()) => true,
        Err(Trap::Exit(code)) if nested => {
            inst.set_proc_exit(code);
            false
        }
        Err(Trap::Exit(code)) => {
            inst.exit_code.set(Some(code));
            true
        }
        Err(t) => {
            log::debug!("wasm call trapped: {t}");
            inst.set_exception(Some(t.message()));
            false
        }
    }
}

/// Find (and cache) an exported function.
pub fn lookup(inst: &ModuleInst, name: &str) -> Option<*const FuncHandle> {
    if let Some(h) = inst.funcs.borrow().get(name) {
        return Some(&**h as *const FuncHandle);
    }
    let instance = inst.instance.get()?;
    // SAFETY: called from the C API outside wasm or from a host call (active path).
    let store = unsafe { inst.store() };
    let Some(Extern::Func(func)) = instance.get_export(store, name) else { return None };
    let ty = func.ty(store);
    let h = Box::new(FuncHandle { func, ty });
    let p = &*h as *const FuncHandle;
    inst.funcs.borrow_mut().insert(name.to_string(), h);
    Some(p)
}
