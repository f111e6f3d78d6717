//! The app's memory as the host sees it: `module_malloc`/`module_free` (the guest's own exported
//! malloc/free when it has them, else the host-managed app heap of `--heap-size`, created at
//! instantiation so it never grows memory under native pointers), and main's argv copied in.
//! Used by the C API (`capi/memory.rs`, `capi/call.rs`), the linker and libc-builtin.

use ember_interp::{Val, ValType};

use super::call::{call_func, lookup};
use super::heap::AppHeap;
use super::instance::ModuleInst;

/// Call an exported `(i32) -> i32` / `(i32) -> ()` function.
fn call_export(inst: &ModuleInst, name: &str, arg: u32) -> Option<Option<u32>> {
    let f = lookup(inst, name)?;
    // SAFETY: handles live as long as the instance.
    let fh = unsafe { &*f };
    if *fh.ty.params != [ValType::I32] {
        return None;
    }
    let mut res: Vec<Val> = fh.ty.results.iter().map(|t| Val::default_of(*t)).collect();
    let env = match inst.current_env.get() {
        p if p.is_null() => inst.singleton_env(),
        p => p,
    };
    // Keep a pending exception of the caller (call_func clears it).
    if !call_func(inst, env, fh, &[Val::I32(arg as i32)], &mut res) {
        return Some(None);
    }
    Some(match res.first() {
        Some(Val::I32(r)) => Some(*r as u32),
        _ => Some(0),
    })
}

pub fn has_guest_allocator(inst: &ModuleInst) -> bool {
    let ok = |n: &str| {
        lookup(inst, n)
            // SAFETY: handles live as long as the instance.
            .map(|f| *unsafe { &*f }.ty.params == [ValType::I32])
            .unwrap_or(false)
    };
    ok("malloc") && ok("free")
}

/// Create the host-managed heap (at instantiation, so that module_malloc
/// never grows memory under native pointers).
pub fn ensure_heap(inst: &ModuleInst) -> bool {
    if inst.heap.borrow().is_some() {
        return true;
    }
    if inst.heap_size == 0 {
        return false;
    }
    let Some(memory) = inst.memory.get() else { return false };
    // SAFETY: C API caller: outside wasm or inside its host call.
    let store = unsafe { inst.store() };
    let pages = (inst.heap_size as u64).div_ceil(65536) as u32;
    match memory.grow(store, pages) {
        Ok(old) => {
            let start = old as u64 * 65536;
            log::debug!("app heap: {} bytes at offset {start:#x}", inst.heap_size);
            *inst.heap.borrow_mut() = Some(AppHeap::new(start, inst.heap_size as u64));
            true
        }
        Err(t) => {
            log::warn!("app heap: cannot grow memory by {pages} page(s): {t}");
            false
        }
    }
}

pub fn module_malloc(inst: &ModuleInst, size: u64) -> Option<u64> {
    if has_guest_allocator(inst) {
        if size > u32::MAX as u64 {
            return None;
        }
        return match call_export(inst, "malloc", size as u32) {
            Some(Some(off)) if off != 0 => Some(off as u64),
            _ => None,
        };
    }
    if !ensure_heap(inst) {
        return None;
    }
    inst.heap.borrow_mut().as_mut()?.alloc(size)
}

pub fn module_free(inst: &ModuleInst, off: u64) {
    if off == 0 {
        return;
    }
    if has_guest_allocator(inst) {
        if off <= u32::MAX as u64 {
            let _ = call_export(inst, "free", off as u32);
        }
        return;
    }
    let freed = inst.heap.borrow_mut().as_mut().map(|h| h.free(off)).unwrap_or(false);
    if !freed {
        log::warn!("wasm_runtime_module_free: {off:#x} is not a live app-heap block");
    }
}

/// Copy argv into linear memory for main(argc, argv): the strings, then the
/// pointer array. Returns the array's offset.
pub fn copy_argv(inst: &ModuleInst, args: &[String]) -> Option<u64> {
    let strings: usize = args.iter().map(|a| a.len() + 1).sum();
    let table = 4 * (args.len() + 1);
    let total = (strings + table) as u64;
    let off = module_malloc(inst, total)?;
    let memory = inst.memory.get()?;
    let mut blob = vec![0u8; strings + table];
    let mut ptrs = Vec::with_capacity(args.len() + 1);
    let mut p = table;
    for a in args {
        ptrs.push((off as usize + p) as u32);
        blob[p..p + a.len()].copy_from_slice(a.as_bytes());
        p += a.len() + 1;
    }
    ptrs.push(0);
    for (k, v) in ptrs.iter().enumerate() {
        blob[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
    }
    // SAFETY: C API caller: outside wasm or inside its host call.
    memory.write(unsafe { inst.store() }, off, &blob).ok()?;
    Some(off)
}
