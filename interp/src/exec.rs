//! The executor: runs register IR with an explicit frame stack (no native
//! recursion per wasm call; only host functions that call back into wasm nest
//! the executor, and those nestings count towards the same depth limit).
//!
//! Hot state lives in registers: the instruction pointer, the frame pointer into the value
//! stack and the base of memory 0 (`Regs`; its length is `Exec::mem_len`). They are re-derived
//! from the store after anything that may move them: host calls (a host function gets `&mut
//! Store` and may grow memory, the stack, or call back into wasm), `memory.grow`, value-stack
//! growth and instance switches.
//!
//! Every op's semantics is one arm of `step`. Optimised builds run it as tail-call threaded
//! handlers (one per op, each jumping to the next instruction's handler), the dev profile as a
//! `loop { match }`; see the comment above `run_loop` and BENCHMARKS.md ("threaded dispatch").
//! Everything besides the hot registers (frame stack, current instance, fuel, depth) lives in
//! the `Exec` struct used by non-inlined helpers for calls, returns and host calls. Wasm-to-wasm
//! calls push a `Frame` on a `Vec`. Host functions get
//! `Caller { store, instance }` and may call back into wasm (`Func::call`): that nests one
//! executor on top of the current frame's stack region.
//!
//! Not generic over the store's data `T`: `Exec` reaches the store through a runtime pointer and
//! calls host functions through one `T`-specific trampoline (`call_host::<T>`). Generic code is
//! compiled in the crate that instantiates it, so a generic executor (`step::<StoreData>`) would be
//! compiled inside `vmcore-rt` at its size-optimizing opt-level (see the root Cargo.toml).

use std::marker::PhantomData;
use std::ptr;

use crate::api::{Caller, Instance, Store, Trap, Val};
use ember_loader::ir::{CompiledFunc, Instr, Op};
use ember_loader::module::ModuleInner;
use crate::numeric as num;
#[cfg(feature = "simd")]
use crate::simd;
use crate::store::{check_val, read_cells, write_cells, FuncKind, GlobalEntity, Runtime};
use ember_loader::translate::{translate, OUT_OF_MEMORY};

// A value's bits sit at the start of its cell (`wrf32!` writes an f32 there): little-endian
// targets only, which x86_64, aarch64 and armv7 (gnueabihf) are.
const _: () = assert!(cfg!(target_endian = "little"), "cells assume a little-endian target");

pub(crate) struct Frame {
    func: *const CompiledFunc,
    ip: *const Instr,
    fp_off: usize,
    inst: u32,
}

/// Get (translating on first use) the code of defined function `def` of `m`. `room` is the
/// embedder's memory check ([`crate::HostMemory::room_for`]); a translation that runs out of
/// memory is not remembered, so it can succeed later when memory was freed.
#[inline(always)]
pub(crate) fn compiled(m: &ModuleInner, def: u32, room: Option<fn(usize) -> bool>) -> Result<&CompiledFunc, Trap> {
    // Every call after the first (inline: this is on the path of every wasm call).
    if let Some(Some(Ok(cf))) = m.compiled.get(def as usize).map(|c| c.get()) {
        return Ok(cf);
    }
    compile_first(m, def, room)
}

#[cold]
#[inline(never)]
fn compile_first(m: &ModuleInner, def: u32, room: Option<fn(usize) -> bool>) -> Result<&CompiledFunc, Trap> {
    let cell = m.compiled.get(def as usize).ok_or_else(|| Trap::Host("bad function index".into()))?;
    let r = match cell.get() {
        Some(r) => r,
        None => match translate(m, def, room.unwrap_or(|_| true)) {
            Err(e) if &*e == OUT_OF_MEMORY => {
                return Err(Trap::Host(format!("cannot translate function {def}: {e}").into()));
            }
            r => cell.get_or_init(|| r),
        },
    };
    match r {
        Ok(cf) => Ok(cf),
        Err(e) => Err(Trap::Host(format!("cannot translate function {def}: {e}").into())),
    }
}

/// Write `v` to the two cells at `p` as one 16-byte store. A value built in general
/// registers (a constant, lanes joined one by one) would otherwise be stored as two 8-byte
/// halves, and the next 16-byte read of it would wait for both to reach the cache (a
/// store-forwarding stall of about a dozen cycles). LLVM turns a vector store of a value in
/// general registers back into two (even `_mm_storeu_si128`), hence the assembly: it takes the
/// value in a vector register, whatever that costs to put it there (three instructions for a
/// value in general registers, nothing for one computed by vector instructions).
///
/// # Safety
/// `p` and `p + 1` are cells of the value stack.
#[inline(always)]
unsafe fn store16(p: *mut u64, v: u128) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the caller's contract (16 writable bytes at p, no alignment needed by movups);
    // `__m128i` and `u128` are both 16 plain bytes.
    unsafe {
        let v = std::mem::transmute::<u128, std::arch::x86_64::__m128i>(v);
        std::arch::asm!("movups xmmword ptr [{p}], {v}", p = in(reg) p, v = in(xmm_reg) v, options(nostack, preserves_flags));
    }
    #[cfg(target_arch = "aarch64")]
    // SAFETY: the caller's contract (16 writable bytes at p; unaligned `str q` is allowed for
    // normal memory); `uint8x16_t` and `u128` are both 16 plain bytes.
    unsafe {
        let v = std::mem::transmute::<u128, std::arch::aarch64::uint8x16_t>(v);
        std::arch::asm!("str {v:q}, [{p}]", p = in(reg) p, v = in(vreg) v, options(nostack, preserves_flags));
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    // SAFETY: the caller's contract.
    unsafe {
        ptr::write_unaligned(p as *mut u128, v)
    }
}

/// Zero the first `n` cells of `cells` (a callee's locals): a few stores for the usual handful
/// (a `fill` is a call of libc's memset, which cost 8% of a call-heavy program).
#[inline(always)]
fn zero_locals(cells: &mut [u64], n: usize) {
    match n {
        0 => {}
        1 => cells[0] = 0,
        2 => cells[..2].copy_from_slice(&[0; 2]),
        3 => cells[..3].copy_from_slice(&[0; 3]),
        4 => cells[..4].copy_from_slice(&[0; 4]),
        _ => cells[..n].fill(0),
    }
}

fn ensure_stack(rt: &mut Runtime, need: usize, max_cells: usize, room: Option<fn(usize) -> bool>) -> Result<(), Trap> {
    if need <= rt.stack.len() {
        return Ok(());
    }
    if need > max_cells {
        return Err(Trap::StackExhausted);
    }
    let new_len = need.max(rt.stack.len() * 2).max(1024).min(max_cells);
    let more = new_len - rt.stack.len();
    if !room.is_none_or(|f| f(more * 8)) || rt.stack.try_reserve_exact(more).is_err() {
        return Err(Trap::StackExhausted);
    }
    rt.stack.resize(new_len, 0);
    Ok(())
}

/// Base and length of memory `k` of instance `inst` (null and 0 if it has none).
fn mem_cache(rt: &mut Runtime, inst: u32, k: u32) -> (*mut u8, usize) {
    match rt.instances[inst as usize].memories.get(k as usize) {
        Some(&m) => {
            let d = &mut rt.memories[m as usize];
            (d.as_mut_ptr(), d.len())
        }
        None => (ptr::null_mut(), 0),
    }
}

/// How many executors may nest (wasm -> host -> wasm ...). Each nesting uses
/// native stack (a few KiB), so this bounds native stack use independently of
/// `Config::max_call_depth`, which counts wasm frames.
pub(crate) const MAX_NESTING: u32 = 128;

/// Call store function `f` from the host.
pub(crate) fn invoke<T>(store: &mut Store<T>, f: u32, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    let rt = &mut store.rt;
    let fe = rt.funcs.get(f as usize).ok_or_else(|| Trap::Host("function not in this store".into()))?;
    let ty = &rt.types[fe.type_id as usize];
    if args.len() != ty.params.len() || results.len() != ty.results.len() {
        return Err(Trap::Host("wrong number of arguments or results".into()));
    }
    for (a, t) in args.iter().zip(ty.params.iter()) {
        check_val(a, *t)?;
    }
    match fe.kind {
        FuncKind::Host(h) => {
            for (r, t) in results.iter_mut().zip(ty.results.iter()) {
                *r = Val::default_of(*t);
            }
            let hf = store.hosts[h as usize].clone();
            hf(Caller { store, instance: None }, args, results)?;
            Ok(())
        }
        FuncKind::Wasm { inst, def } => {
            let type_id = fe.type_id as usize;
            let max_depth = store.config().max_call_depth;
            let max_cells = store.config().max_stack_cells;
            let room = store.config().host_memory.map(|h| h.room_for);
            let rt = &mut store.rt;
            if rt.depth >= max_depth || rt.nesting >= MAX_NESTING {
                return Err(Trap::StackExhausted);
            }
            let module: *const ModuleInner = &*rt.instances[inst as usize].module;
            // SAFETY: the instance (and so its module) lives as long as the store.
            let cf = compiled(unsafe { &*module }, def, room)?;
            let base = rt.stack_top;
            ensure_stack(rt, base + cf.frame_size as usize, max_cells, room)?;
            let mut k = 0;
            for a in args {
                write_cells(&mut rt.stack[base..], &mut k, a);
            }
            let p = cf.num_params as usize;
            rt.stack[base + p..base + p + cf.num_locals as usize].fill(0);
            let saved_top = rt.stack_top;
            let saved_depth = rt.depth;
            rt.depth += 1;
            rt.nesting += 1;
            let r = run(store, inst, cf as *const CompiledFunc, base);
            let rt = &mut store.rt;
            rt.stack_top = saved_top;
            rt.depth = saved_depth;
            rt.nesting -= 1;
            r?;
            let mut k = 0;
            for (r, t) in results.iter_mut().zip(rt.types[type_id].results.iter()) {
                *r = read_cells(&rt.stack[base..], &mut k, *t);
            }
            Ok(())
        }
    }
}

/// Cold execution state, kept in memory so that the dispatch loop's few hot
/// values (instruction pointer, frame pointer, memory base and length) stay
/// in machine registers.
///
/// Not generic over the store's data `T`: generic code is compiled in the crate that
/// instantiates it (libvmcore.so's runtime core, built for size), so the executor reaches the
/// store through a raw runtime pointer and calls host functions through `call_host`, the one
/// `T`-specific function, and stays compiled here, for speed.
struct Exec<'s> {
    /// `&mut store.rt` of the store `run` borrowed; see [`Exec::rt`].
    rt: *mut Runtime,
    /// The whole store (`*mut Store<T>`), only for `call_host`.
    store: *mut (),
    call_host: HostCall,
    max_pages: u32,
    /// The store's `Config::host_memory`.
    host: Option<crate::api::HostMemory>,
    _store: PhantomData<&'s mut ()>,
    frames: Vec<Frame>,
    inst: u32,
    module: *const ModuleInner,
    func: *const CompiledFunc,
    fp_off: usize,
    depth: u32,
    max_depth: u32,
    /// The depth below which `enter_local` takes its fast path: 0 with fuel on, else the least
    /// of `max_depth` and the depth at which the frame list is full (`depth - frames.len()` is
    /// the same all through a run). Kept by `refresh_fast_depth` whenever the list grows.
    fast_depth: u32,
    max_cells: usize,
    fuel_on: bool,
    fuel: u64,
    host_args: Vec<Val>,
    host_results: Vec<Val>,
    /// The current instance's global index array and the store's global
    /// cells (re-derived by `hot`, i.e. after instance switches and host calls).
    gidx: *const u32,
    gvals: *mut GlobalEntity,
    /// The length of memory 0 of the current instance (the pointer is a hot register; the
    /// length lives here so that the threaded handlers take four arguments, which armv7 passes
    /// in registers), and how a threaded run ended.
    mem_len: usize,
    /// The memory the hot registers describe, and memory.copy's source memory: both 0 except
    /// between `MemUse k` and `MemUse 0` (an access to another memory; no call or branch comes
    /// between them, so every other re-derivation of the registers takes memory 0).
    mem_idx: u32,
    copy_src: u32,
    #[cfg(ember_threaded)]
    outcome: Result<(), Trap>,
    /// The trap of a helper that reports failure in-band (`enter_local`).
    fault: Option<Trap>,
}

/// Calls host function `h` with a `Caller` on the erased store (`call_host::<T>`).
type HostCall = unsafe fn(store: *mut (), h: u32, inst: u32, args: &[Val], results: &mut [Val]) -> Result<(), Trap>;

/// # Safety
/// `store` must be the `*mut Store<T>` that `run::<T>` erased, with no reference derived from
/// it alive across the call (the executor only keeps raw pointers).
unsafe fn call_host<T>(store: *mut (), h: u32, inst: u32, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    // SAFETY: the caller's contract: `store` is an exclusively borrowed `Store<T>`.
    let store = unsafe { &mut *store.cast::<Store<T>>() };
    let hf = store.hosts[h as usize].clone();
    hf(Caller { store, instance: Some(Instance(inst)) }, args, results)
}

/// What `step` keeps in registers (memory 0's length is `Exec::mem_len`).
#[derive(Clone, Copy)]
struct Regs {
    ip: *const Instr,
    fp: *mut u64,
    mem: *mut u8,
}

/// The hot registers after a control transfer.
struct Hot {
    ip: *const Instr,
    fp: *mut u64,
    mem: *mut u8,
    mem_len: usize,
}

impl Exec<'_> {
    /// The store's runtime. The returned borrow is not tied to `self`, so that it can be
    /// used next to the executor's own fields (as a field borrow of `&mut Store` could).
    #[allow(clippy::mut_from_ref)]
    #[inline(always)]
    fn rt<'r>(&self) -> &'r mut Runtime {
        // SAFETY: `rt` points into the store that `run` borrows exclusively for the
        // executor's whole life. The executor never holds two of these borrows across each
        // other's use, and none across `call_host` (which reborrows the whole store).
        unsafe { &mut *self.rt }
    }

    fn hot(&mut self, ip: *const Instr) -> Hot {
        // SAFETY: `fp_off + frame_size` cells were reserved by `ensure_stack`.
        let fp = unsafe { self.rt().stack.as_mut_ptr().add(self.fp_off) };
        let (mem, mem_len) = mem_cache(self.rt(), self.inst, 0);
        self.gidx = self.rt().instances[self.inst as usize].globals.as_ptr();
        self.gvals = self.rt().globals.as_mut_ptr();
        Hot { ip, fp, mem, mem_len }
    }

    fn room(&self) -> Option<fn(usize) -> bool> {
        self.host.map(|h| h.room_for)
    }

    #[cold]
    #[inline(never)]
    fn charge(&mut self) -> Result<(), Trap> {
        if self.fuel == 0 {
            return Err(Trap::OutOfFuel);
        }
        self.fuel -= 1;
        Ok(())
    }

    /// Push a frame for wasm function `def` of `callee_inst` whose arguments
    /// start at slot `base` of the current frame; `ip` is the return address.
    #[inline(never)]
    fn enter(&mut self, callee_inst: u32, def: u32, base: u32, ip: *const Instr) -> Result<Hot, Trap> {
        if self.depth >= self.max_depth {
            return Err(Trap::StackExhausted);
        }
        if self.fuel_on {
            self.charge()?;
        }
        let callee_mod: *const ModuleInner = if callee_inst == self.inst {
            self.module
        } else {
            &*self.rt().instances[callee_inst as usize].module
        };
        // SAFETY: modules outlive execution (see `run`).
        let cf: &CompiledFunc = compiled(unsafe { &*callee_mod }, def, self.room())?;
        let new_off = self.fp_off + base as usize;
        let need = new_off + cf.frame_size as usize;
        if need > self.rt().stack.len() {
            ensure_stack(self.rt(), need, self.max_cells, self.room())?;
        }
        zero_locals(&mut self.rt().stack[new_off + cf.num_params as usize..], cf.num_locals as usize);
        self.frames.push(Frame { func: self.func, ip, fp_off: self.fp_off, inst: self.inst });
        self.depth += 1;
        self.refresh_fast_depth();
        self.func = cf;
        self.fp_off = new_off;
        self.inst = callee_inst;
        self.module = callee_mod;
        Ok(self.hot(cf.code.as_ptr()))
    }

    /// `enter` for a defined function of the current instance: memory and globals stay as they
    /// are. Returns the new instruction and frame pointers in registers (a `Result` of them
    /// would go through memory), or a null instruction pointer with the trap in `self.fault`.
    ///
    /// The usual call (no fuel, callee translated, stack and frame list with room, at most four
    /// locals) takes a path that calls nothing, so it saves no registers; anything else goes to
    /// `enter_local_slow`.
    #[inline(never)]
    fn enter_local(&mut self, def: u32, base: u32, ip: *const Instr) -> (*const Instr, *mut u64) {
        // Below `fast_depth`: no fuel, and room in the frame list and under `max_depth`.
        if self.depth < self.fast_depth {
            debug_assert!(self.frames.len() < self.frames.capacity() && self.depth < self.max_depth && !self.fuel_on);
            // SAFETY: modules outlive execution (see `run`).
            let m = unsafe { &*self.module };
            if let Some(Some(Ok(cf))) = m.compiled.get(def as usize).map(|c| c.get()) {
                let new_off = self.fp_off + base as usize;
                let locals = new_off + cf.num_params as usize;
                let rt = self.rt();
                let len = rt.stack.len();
                if new_off + cf.frame_size as usize <= len && locals + 4 <= len && cf.num_locals <= 4 {
                    // Four zeros whatever the number of locals: the cells past them are the
                    // callee's operand slots, written before they are read, or unused stack.
                    // SAFETY: `locals + 4 <= len` (checked above); cells are 8-byte aligned.
                    unsafe { (rt.stack.as_mut_ptr().add(locals) as *mut [u64; 4]).write([0; 4]) };
                    // SAFETY: the frame list has room (`fast_depth`) and the frame's cells are
                    // in the stack (checked above).
                    return unsafe { self.push_frame(cf, new_off, ip) };
                }
            }
        }
        self.enter_local_slow(def, base, ip)
    }

    #[cold]
    #[inline(never)]
    fn enter_local_slow(&mut self, def: u32, base: u32, ip: *const Instr) -> (*const Instr, *mut u64) {
        match self.try_enter_local(def, base, ip) {
            Ok(r) => r,
            Err(t) => {
                self.fault = Some(t);
                (ptr::null(), ptr::null_mut())
            }
        }
    }

    #[inline(always)]
    fn try_enter_local(&mut self, def: u32, base: u32, ip: *const Instr) -> Result<(*const Instr, *mut u64), Trap> {
        if self.depth >= self.max_depth {
            return Err(Trap::StackExhausted);
        }
        if self.fuel_on {
            self.charge()?;
        }
        // SAFETY: modules outlive execution (see `run`).
        let cf: &CompiledFunc = compiled(unsafe { &*self.module }, def, self.room())?;
        let new_off = self.fp_off + base as usize;
        let need = new_off + cf.frame_size as usize;
        if need > self.rt().stack.len() {
            ensure_stack(self.rt(), need, self.max_cells, self.room())?;
        }
        zero_locals(&mut self.rt().stack[new_off + cf.num_params as usize..], cf.num_locals as usize);
        self.frames.reserve(1);
        // SAFETY: room for one frame (reserved) and `need` cells in the stack (above).
        let r = unsafe { self.push_frame(cf, new_off, ip) };
        self.refresh_fast_depth();
        Ok(r)
    }

    /// Recompute `fast_depth` (see there) after the frame list may have grown.
    fn refresh_fast_depth(&mut self) {
        self.fast_depth = if self.fuel_on {
            0
        } else {
            let room = self.frames.capacity() - self.frames.len();
            self.max_depth.min(self.depth.saturating_add(u32::try_from(room).unwrap_or(u32::MAX)))
        };
    }

    /// Make `cf`'s frame at `new_off` (its locals already zeroed) the current one, the caller's
    /// pushed on the frame list; returns the callee's first instruction and frame pointer.
    ///
    /// # Safety
    /// The frame list has room for one more frame, and the stack holds the frame's cells.
    #[inline(always)]
    unsafe fn push_frame(&mut self, cf: &CompiledFunc, new_off: usize, ip: *const Instr) -> (*const Instr, *mut u64) {
        let n = self.frames.len();
        // SAFETY: `n < capacity` (the caller's contract): the write stays in the allocation and
        // `n + 1` elements are then initialised.
        unsafe {
            self.frames.as_mut_ptr().add(n).write(Frame { func: self.func, ip, fp_off: self.fp_off, inst: self.inst });
            self.frames.set_len(n + 1);
        }
        self.depth += 1;
        self.func = cf;
        self.fp_off = new_off;
        // SAFETY: the frame's cells are in the stack (the caller's contract).
        let fp = unsafe { self.rt().stack.as_mut_ptr().add(new_off) };
        (cf.code.as_ptr(), fp)
    }

    /// Call store function `f` (wasm or host) with arguments at slot `base`.
    #[inline(never)]
    fn call_func(&mut self, f: u32, base: u32, ip: *const Instr) -> Result<Hot, Trap> {
        let (callee_inst, def, host) = match self.rt().funcs[f as usize].kind {
            FuncKind::Wasm { inst, def } => (inst, def, None),
            FuncKind::Host(h) => (0, 0, Some(h)),
        };
        let h = match host {
            None => return self.enter(callee_inst, def, base, ip),
            Some(h) => h,
        };
        let tid = self.rt().funcs[f as usize].type_id as usize;
        let base = self.fp_off + base as usize;
        self.host_args.clear();
        self.host_results.clear();
        {
            let rt = &self.rt();
            let ty = &rt.types[tid];
            let mut k = 0;
            for t in ty.params.iter() {
                self.host_args.push(read_cells(&rt.stack[base..], &mut k, *t));
            }
            for t in ty.results.iter() {
                self.host_results.push(Val::default_of(*t));
            }
        }
        // Nested executions (host -> wasm) use the stack above this frame.
        // SAFETY: `func` is valid (see `run`).
        self.rt().stack_top = self.fp_off + unsafe { (*self.func).frame_size } as usize;
        self.rt().depth = self.depth;
        if self.fuel_on {
            self.rt().fuel = Some(self.fuel);
        }
        // SAFETY: `store` is `run`'s erased store and no runtime borrow is alive here.
        let r = unsafe { (self.call_host)(self.store, h, self.inst, &self.host_args, &mut self.host_results) };
        if self.fuel_on {
            self.fuel = self.rt().fuel.unwrap_or(0);
        }
        r?;
        let rt = self.rt();
        let ty = &rt.types[tid];
        let mut k = 0;
        for (v, t) in self.host_results.iter().zip(ty.results.iter()) {
            check_val(v, *t)?;
            write_cells(&mut rt.stack[base..], &mut k, v);
        }
        Ok(self.hot(ip))
    }

    #[inline(never)]
    fn call_indirect(&mut self, type_idx: u32, table: u32, idx: u32, base: u32, ip: *const Instr) -> Result<Hot, Trap> {
        let rt = &self.rt();
        let id = &rt.instances[self.inst as usize];
        let t = id.tables[table as usize];
        let expected = id.type_ids[type_idx as usize];
        let cell = match rt.tables[t as usize].elems.get(idx as usize) {
            Some(&c) => c,
            None => return Err(Trap::TableOutOfBounds),
        };
        if cell == 0 {
            return Err(Trap::IndirectCallToNull);
        }
        let f = (cell - 1) as u32;
        if rt.funcs[f as usize].type_id != expected {
            return Err(Trap::IndirectCallTypeMismatch);
        }
        self.call_func(f, base, ip)
    }

    /// Pop a frame; None when the entry frame returned. The flag says whether
    /// the instance changed (memory and globals must be re-derived).
    #[inline]
    fn leave(&mut self) -> Option<(*const Instr, *mut u64, bool)> {
        let fr = self.frames.pop()?;
        self.depth -= 1;
        self.func = fr.func;
        self.fp_off = fr.fp_off;
        let switched = fr.inst != self.inst;
        if switched {
            self.inst = fr.inst;
            self.module = &*self.rt().instances[self.inst as usize].module;
        }
        // SAFETY: the caller's frame is still reserved on the stack.
        let fp = unsafe { self.rt().stack.as_mut_ptr().add(self.fp_off) };
        Some((fr.ip, fp, switched))
    }
}

/// Run `func` of instance `inst` with its frame at `fp_off` until it returns.
fn run<T>(store: &mut Store<T>, inst: u32, func: *const CompiledFunc, fp_off: usize) -> Result<(), Trap> {
    let fuel_on = store.rt.fuel.is_some();
    let fuel = store.rt.fuel.unwrap_or(0);
    let module: *const ModuleInner = &*store.rt.instances[inst as usize].module;
    let (max_depth, max_cells, max_pages) =
        (store.config().max_call_depth, store.config().max_stack_cells, store.config().max_memory_pages);
    let depth = store.rt.depth;
    let frames = std::mem::take(&mut store.rt.frame_pool);
    let host = store.config().host_memory;
    let sp: *mut Store<T> = store;
    let mut ex = Exec {
        max_depth,
        max_cells,
        max_pages,
        host,
        depth,
        fast_depth: 0,
        frames,
        // SAFETY: `sp` comes from the `&mut Store<T>` this function holds until it returns.
        rt: unsafe { &raw mut (*sp).rt },
        store: sp.cast(),
        call_host: call_host::<T>,
        _store: PhantomData,
        inst,
        module,
        func,
        fp_off,
        fuel_on,
        fuel,
        host_args: Vec::new(),
        host_results: Vec::new(),
        gidx: std::ptr::null(),
        gvals: std::ptr::null_mut(),
        mem_len: 0,
        mem_idx: 0,
        copy_src: 0,
        #[cfg(ember_threaded)]
        outcome: Ok(()),
        fault: None,
    };
    ex.refresh_fast_depth();
    // SAFETY: `func` is valid (see `step`).
    let hot = ex.hot(unsafe { (*func).code.as_ptr() });
    let r = run_loop(&mut ex, hot);
    if ex.fuel_on {
        ex.rt().fuel = Some(ex.fuel);
    }
    // Keep the frame stack's allocation for the next call from the host.
    let mut frames = std::mem::take(&mut ex.frames);
    frames.clear();
    if frames.capacity() > ex.rt().frame_pool.capacity() {
        ex.rt().frame_pool = frames;
    }
    r
}

// Two dispatch loops over one body (`step`, every op's semantics, once), chosen by
// interp/build.rs from the crate's opt-level:
// - optimised builds (`ember_threaded`): tail-call threaded. Each op has its own handler
//   (`handler::<K>`, `step` specialised to one op at compile time) that ends by calling the next
//   instruction's handler through `HANDLERS`. The call is in tail position, so LLVM compiles it to
//   a jump (checked in the generated code for x86_64, aarch64 and armv7: BENCHMARKS.md). Four
//   arguments, which armv7 too passes in registers. A trap or the entry frame's return ends the
//   chain through `finish`.
// - opt-level 0 and 1 (the dev profile: tests and debug builds), which give no guarantee that a
//   call in tail position becomes a jump (a chain of real calls would grow the native stack by
//   a frame per executed instruction): `loop { step(op) }`.

/// Run from `hot` until the entry frame returns or a trap.
#[cfg(not(ember_threaded))]
#[inline(never)]
fn run_loop(ex: &mut Exec<'_>, hot: Hot) -> Result<(), Trap> {
    ex.mem_len = hot.mem_len;
    let mut regs = Regs { ip: hot.ip, fp: hot.fp, mem: hot.mem };
    loop {
        // SAFETY: see `step`.
        let op = unsafe { (*regs.ip).op };
        if let Some(r) = unsafe { step(op, &mut regs, ex) } {
            return r;
        }
    }
}

/// Run from `hot` until the entry frame returns or a trap.
#[cfg(ember_threaded)]
#[inline(never)]
fn run_loop(ex: &mut Exec<'_>, hot: Hot) -> Result<(), Trap> {
    ex.mem_len = hot.mem_len;
    // SAFETY: see `step`; `handler_of` is defined for every op.
    unsafe { handler_of(hot.ip)(hot.ip, hot.fp, hot.mem, ex) };
    std::mem::replace(&mut ex.outcome, Ok(()))
}

/// One threaded handler: `ip` at its instruction; `mem_len` lives in `ex` (armv7 has four
/// argument registers).
#[cfg(ember_threaded)]
type Handler = for<'a, 'b> unsafe fn(*const Instr, *mut u64, *mut u8, &'a mut Exec<'b>);

/// Handlers by opcode: `handler::<K>` for every op K.
#[cfg(ember_threaded)]
static HANDLERS: [Handler; Op::ALL.len()] = {
    macro_rules! row {
        ($r:literal) => {
            [
                handler::<{ $r * 16 }>, handler::<{ $r * 16 + 1 }>, handler::<{ $r * 16 + 2 }>,
                handler::<{ $r * 16 + 3 }>, handler::<{ $r * 16 + 4 }>, handler::<{ $r * 16 + 5 }>,
                handler::<{ $r * 16 + 6 }>, handler::<{ $r * 16 + 7 }>, handler::<{ $r * 16 + 8 }>,
                handler::<{ $r * 16 + 9 }>, handler::<{ $r * 16 + 10 }>, handler::<{ $r * 16 + 11 }>,
                handler::<{ $r * 16 + 12 }>, handler::<{ $r * 16 + 13 }>, handler::<{ $r * 16 + 14 }>,
                handler::<{ $r * 16 + 15 }>,
            ]
        };
    }
    let rows: [[Handler; 16]; ROWS] = [
        row!(0), row!(1), row!(2), row!(3), row!(4), row!(5), row!(6), row!(7),
        row!(8), row!(9), row!(10), row!(11), row!(12), row!(13), row!(14), row!(15),
        row!(16), row!(17), row!(18), row!(19), row!(20), row!(21), row!(22), row!(23),
        row!(24), row!(25), row!(26), row!(27), row!(28), row!(29), row!(30), row!(31),
        row!(32), row!(33), row!(34), row!(35), row!(36), row!(37), row!(38), row!(39),
    ];
    // Without the `simd` feature no SIMD instruction is ever emitted (V128Const and after): their
    // entries share `Unreachable`'s handler instead of instantiating one each (row entries past
    // the last op are never linked).
    let mut flat: [Handler; Op::ALL.len()] = [handler::<{ Op::Unreachable as u16 }>; Op::ALL.len()];
    const HANDLED: usize = if cfg!(feature = "simd") { Op::ALL.len() } else { Op::V128Const as usize };
    let mut k = 0;
    while k < HANDLED {
        flat[k] = rows[k / 16][k % 16];
        k += 1;
    }
    flat
};
/// Rows of 16 handlers instantiated for `HANDLERS`.
#[cfg(ember_threaded)]
const ROWS: usize = 40;
#[cfg(ember_threaded)]
const _: () = assert!(Op::ALL.len() <= ROWS * 16, "HANDLERS: add rows");

/// The handler of the instruction at `ip`.
#[cfg(ember_threaded)]
#[inline(always)]
unsafe fn handler_of(ip: *const Instr) -> Handler {
    // SAFETY (caller): `ip` points at an instruction (see `step`).
    let op = unsafe { (*ip).op } as usize;
    // SAFETY: every `Op` discriminant is below `Op::ALL.len()`, the table's length.
    unsafe { *HANDLERS.get_unchecked(op) }
}

/// Record how a threaded run ended (out of line and cold, so that handlers need no stack frame
/// for it).
#[cfg(ember_threaded)]
#[cold]
#[inline(never)]
fn finish(ex: &mut Exec<'_>, r: Result<(), Trap>) {
    ex.outcome = r;
}

/// The op a handler is specialised to, as a constant (so `step`'s `match` folds to one arm).
#[cfg(ember_threaded)]
struct OpAt<const K: u16>;
#[cfg(ember_threaded)]
impl<const K: u16> OpAt<K> {
    const OP: Op = if (K as usize) < Op::ALL.len() { Op::ALL[K as usize] } else { Op::Unreachable };
}

#[cfg(ember_threaded)]
unsafe fn handler<const K: u16>(ip: *const Instr, fp: *mut u64, mem: *mut u8, ex: &mut Exec<'_>) {
    let mut regs = Regs { ip, fp, mem };
    // SAFETY: see `step`.
    if let Some(r) = unsafe { step(OpAt::<K>::OP, &mut regs, ex) } {
        return finish(ex, r); // a tail call: no register saving on the fast path for it
    }
    // SAFETY: `step` left `regs.ip` at the next instruction (see `step`). A tail call.
    unsafe { handler_of(regs.ip)(regs.ip, regs.fp, regs.mem, ex) }
}

/// Execute the instruction at `regs.ip`, whose op is `op`, and leave `regs` at the next one;
/// `Some` when execution ends (the entry frame returned, or a trap).
///
/// # Safety
/// `op` is the op of the instruction at `regs.ip`, and `regs` and `ex` are as `Exec::hot` and
/// the calls below leave them. In detail (this applies to every raw-pointer use below):
/// `ex.func` points into a `CompiledFunc` owned by a module that the store's instance keeps
/// alive for the store's lifetime; instances are never removed. `ip` points into that
/// function's instruction array: the translator guarantees every branch target and every
/// fall-through stays inside it (it ends with a terminator). `fp` points at `fp_off` in the
/// value stack, and `ensure_stack` guaranteed `frame_size` cells from there; the translator
/// guarantees every slot operand is below `frame_size`. `mem`/`mem_len` describe memory 0 of
/// the current instance. All of these are re-derived from the store (`Exec::hot`) after
/// anything that can move them. The translator's guarantees are checked by the IR verifier
/// (ember-loader's verify.rs) after every translation in debug builds and tests.
#[inline(always)]
unsafe fn step(op: Op, regs: &mut Regs, ex: &mut Exec<'_>) -> Option<Result<(), Trap>> {
    let Regs { mut ip, mut fp, mut mem } = *regs;

    macro_rules! trap {
        ($t:expr) => {{
            return Some(Err($t));
        }};
    }
    macro_rules! tryt {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(t) => trap!(t),
            }
        };
    }
    macro_rules! set_hot {
        ($h:expr) => {{
            let h: Hot = $h;
            ip = h.ip;
            fp = h.fp;
            mem = h.mem;
            ex.mem_len = h.mem_len;
        }};
    }
    macro_rules! rd {
        ($s:expr) => {
            unsafe { *fp.add($s as usize) }
        };
    }
    macro_rules! wr {
        ($s:expr, $v:expr) => {{
            let v: u64 = $v;
            unsafe { *fp.add($s as usize) = v }
        }};
    }
    // An f32 result: the cell's low 4 bytes only (the value's bits on these little-endian
    // targets). Readers of an i32 or f32 cell use its low 32 bits (`r32!`, `f32r!`, the
    // width-checked conversions of store.rs), so the high half may hold anything; a 4-byte
    // store keeps the result in a float register (no move to a general one on its way).
    macro_rules! wrf32 {
        ($s:expr, $v:expr) => {{
            let v: f32 = $v;
            // SAFETY: as `wr!` (a slot below the frame size, see `step`); a cell is 8-byte
            // aligned, so its first 4 bytes are an aligned f32.
            unsafe { *(fp.add($s as usize) as *mut f32) = v }
        }};
    }
    macro_rules! r32 {
        ($s:expr) => {
            rd!($s) as u32
        };
    }
    macro_rules! f32r {
        ($s:expr) => {
            f32::from_bits(rd!($s) as u32)
        };
    }
    macro_rules! f64r {
        ($s:expr) => {
            f64::from_bits(rd!($s))
        };
    }
    macro_rules! jump {
        ($t:expr) => {{
            // Branch offsets are relative to the next instruction.
            ip = unsafe { ip.offset($t as i32 as isize) };
            // Inline (no call): a threaded handler then needs no stack frame for it.
            if ex.fuel_on {
                if ex.fuel == 0 {
                    trap!(Trap::OutOfFuel);
                }
                ex.fuel -= 1;
            }
        }};
    }
    macro_rules! extra {
        () => {{
            let e = unsafe { *ip };
            ip = unsafe { ip.add(1) };
            e
        }};
    }
    // The effective address of a memory access of n bytes at wasm address `base` (u32) plus
    // offset `off` (u32, added without wrapping), bounds-checked. `ea!(i, n)`: base fp[i.a];
    // `ea!(x i, n)`: base fp[lo] + fp[hi] (mod 2^32) of the slots packed in i.a (the `indexed`
    // forms); `ea!(w i, n)`: base fp[i.a] + i.b (mod 2^32), no offset (the `wrapped` forms).
    macro_rules! ea {
        (@at $base:expr, $off:expr, $n:expr) => {{
            let ea = $base as u64 + $off as u64;
            if ea + $n > ex.mem_len as u64 {
                trap!(Trap::MemoryOutOfBounds);
            }
            ea as usize
        }};
        (x $i:expr, $n:expr) => {
            ea!(@at r32!($i.a & 0xffff).wrapping_add(r32!($i.a >> 16)), $i.b, $n)
        };
        (w $i:expr, $n:expr) => {
            ea!(@at r32!($i.a).wrapping_add($i.b), 0u32, $n)
        };
        ($i:expr, $n:expr) => {
            ea!(@at r32!($i.a), $i.b, $n)
        };
    }
    macro_rules! load {
        (x $i:expr, $n:literal, $conv:expr) => {
            load!(@ ea!(x $i, $n), $i, $n, $conv)
        };
        (w $i:expr, $n:literal, $conv:expr) => {
            load!(@ ea!(w $i, $n), $i, $n, $conv)
        };
        ($i:expr, $n:literal, $conv:expr) => {
            load!(@ ea!($i, $n), $i, $n, $conv)
        };
        (@ $ea:expr, $i:expr, $n:literal, $conv:expr) => {{
            let ea = $ea;
            // SAFETY: ea + n <= mem_len was checked above.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            wr!($i.dst, $conv(bytes))
        }};
    }
    macro_rules! store_ {
        (x $i:expr, $n:literal, $conv:expr) => {
            store_!(@ ea!(x $i, $n), $i, $n, $conv)
        };
        (w $i:expr, $n:literal, $conv:expr) => {
            store_!(@ ea!(w $i, $n), $i, $n, $conv)
        };
        ($i:expr, $n:literal, $conv:expr) => {
            store_!(@ ea!($i, $n), $i, $n, $conv)
        };
        (@ $ea:expr, $i:expr, $n:literal, $conv:expr) => {{
            let v = rd!($i.dst);
            let ea = $ea;
            let bytes: [u8; $n] = $conv(v);
            // SAFETY: ea + n <= mem_len was checked above.
            unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], bytes) }
        }};
    }
    macro_rules! store_imm {
        (x $i:expr, $n:literal, $bytes:expr) => {
            store_imm!(@ ea!(x $i, $n), $n, $bytes)
        };
        (w $i:expr, $n:literal, $bytes:expr) => {
            store_imm!(@ ea!(w $i, $n), $n, $bytes)
        };
        ($i:expr, $n:literal, $bytes:expr) => {
            store_imm!(@ ea!($i, $n), $n, $bytes)
        };
        (@ $ea:expr, $n:literal, $bytes:expr) => {{
            let ea = $ea;
            let bytes: [u8; $n] = $bytes;
            // SAFETY: ea + n <= mem_len was checked by `ea!`.
            unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], bytes) }
        }};
    }
    macro_rules! bin32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = r32!($i.a);
            let $b = r32!($i.b);
            wr!($i.dst, ($e) as u32 as u64)
        }};
    }
    macro_rules! imm32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = r32!($i.a);
            let $b = $i.b;
            wr!($i.dst, ($e) as u32 as u64)
        }};
    }
    macro_rules! bin64 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = rd!($i.a);
            let $b = rd!($i.b);
            wr!($i.dst, ($e) as u64)
        }};
    }
    macro_rules! imm64 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = rd!($i.a);
            let $b = $i.b as i32 as i64 as u64;
            wr!($i.dst, ($e) as u64)
        }};
    }
    macro_rules! un32 {
        ($i:expr, |$a:ident| $e:expr) => {{
            let $a = r32!($i.a);
            wr!($i.dst, ($e) as u32 as u64)
        }};
    }
    macro_rules! un64 {
        ($i:expr, |$a:ident| $e:expr) => {{
            let $a = rd!($i.a);
            wr!($i.dst, ($e) as u64)
        }};
    }
    // A binary operator whose right operand is loaded (the `loaded_right` forms): the left
    // operand's slot and the address slot packed in i.a (low, high), the offset in i.b; n bytes
    // little-endian, read as `$t` (u32 or u64) and converted by `$conv` before `$e`. The
    // result is written by `$wr` (`wr` or `wrf32`), as the unfused operator writes it.
    macro_rules! bin_ld {
        (w $i:expr, $n:literal, $t:ty, $conv:path, $wr:ident, |$a:ident, $b:ident| $e:expr) => {
            bin_ld!(@ ea!(@at r32!($i.a >> 16).wrapping_add($i.b), 0u32, $n), $i, $n, $t, $conv, $wr, |$a, $b| $e)
        };
        ($i:expr, $n:literal, $t:ty, $conv:path, $wr:ident, |$a:ident, $b:ident| $e:expr) => {
            bin_ld!(@ ea!(@at r32!($i.a >> 16), $i.b, $n), $i, $n, $t, $conv, $wr, |$a, $b| $e)
        };
        (@ $ea:expr, $i:expr, $n:literal, $t:ty, $conv:path, $wr:ident, |$a:ident, $b:ident| $e:expr) => {{
            let ea = $ea;
            // SAFETY: ea + n <= mem_len was checked by `ea!`.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            let $b = $conv(<$t>::from_le_bytes(bytes));
            let $a = $conv(rd!($i.a & 0xffff) as $t);
            $wr!($i.dst, $e)
        }};
    }
    // `*AddLdSt`: as `bin_ld!`, the result stored back to the loaded address.
    macro_rules! bin_ld_st {
        ($i:expr, $n:literal, $t:ty, $conv:path, |$a:ident, $b:ident| $e:expr) => {{
            let ea = ea!(@at r32!($i.a >> 16), $i.b, $n);
            // SAFETY: ea + n <= mem_len was checked by `ea!`.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            let $b = $conv(<$t>::from_le_bytes(bytes));
            let $a = $conv(rd!($i.a & 0xffff) as $t);
            let r: $t = $e;
            // SAFETY: as the read above.
            unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], r.to_le_bytes()) }
        }};
    }
    macro_rules! binf32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f32r!($i.a);
            let $b = f32r!($i.b);
            wrf32!($i.dst, $e)
        }};
    }
    macro_rules! binf64 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f64r!($i.a);
            let $b = f64r!($i.b);
            wr!($i.dst, ($e).to_bits())
        }};
    }
    macro_rules! cmpf32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f32r!($i.a);
            let $b = f32r!($i.b);
            wr!($i.dst, ($e) as u64)
        }};
    }
    macro_rules! cmpf64 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f64r!($i.a);
            let $b = f64r!($i.b);
            wr!($i.dst, ($e) as u64)
        }};
    }
    macro_rules! unf32 {
        ($i:expr, |$a:ident| $e:expr) => {{
            let $a = f32r!($i.a);
            wrf32!($i.dst, $e)
        }};
    }
    macro_rules! unf64 {
        ($i:expr, |$a:ident| $e:expr) => {{
            let $a = f64r!($i.a);
            wr!($i.dst, ($e).to_bits())
        }};
    }
    macro_rules! br_cmp32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = r32!($i.a);
            let $b = r32!($i.b);
            if $e {
                jump!($i.dst);
            }
        }};
    }
    macro_rules! br_imm32 {
        ($i:expr, |$a:ident, $b:ident| $e:expr) => {{
            let $a = r32!($i.a);
            let $b = $i.b;
            if $e {
                jump!($i.dst);
            }
        }};
    }
    // An add fused into the compare-and-branch reading its result (`BrI32Inc*`, `BrI32Add*`):
    // fp[t] = x + y (wrapping) first, then the comparison (which may read fp[t] again).
    macro_rules! br_step32 {
        ($i:expr, $t:expr, $y:expr, |$v:ident| $e:expr) => {
            br_step32!($i, $t, r32!($t), $y, |$v| $e)
        };
        ($i:expr, $t:expr, $x:expr, $y:expr, |$v:ident| $e:expr) => {{
            let $v = ($x).wrapping_add($y as u32);
            wr!($t, $v as u64);
            if $e {
                jump!($i.dst);
            }
        }};
    }
    // Chains (`I32XorRotlImm` ...): fp[dst] = fp[l] op (fp[x] sh k), a = l | x << 16, b = k.
    macro_rules! chain_imm32 {
        ($i:expr, |$x:ident, $k:ident| $sh:expr, $op:tt) => {{
            let ($x, $k) = (r32!($i.a >> 16), $i.b);
            wr!($i.dst, (r32!($i.a & 0xffff) $op $sh) as u64)
        }};
    }
    // Chains (`I32AddAnd` ...): fp[dst] = fp[b] op (fp[x] op2 fp[y]), a = x | y << 16.
    macro_rules! chain32 {
        ($i:expr, |$x:ident, $y:ident| $inner:expr, |$l:ident, $v:ident| $outer:expr) => {{
            let ($x, $y) = (r32!($i.a & 0xffff), r32!($i.a >> 16));
            let ($l, $v) = (r32!($i.b), $inner);
            wr!($i.dst, $outer as u64)
        }};
    }
    // Float chains (`F32AddMul`, `F32AddAdd` ...): fp[dst] = fp[b] + inner(fp[x], fp[y]),
    // a = x | y << 16; the inner result first, rounded, as the pair.
    macro_rules! chain_f32 {
        ($i:expr, |$x:ident, $y:ident| $inner:expr) => {{
            let ($x, $y) = (f32r!($i.a & 0xffff), f32r!($i.a >> 16));
            wrf32!($i.dst, f32r!($i.b) + $inner)
        }};
    }
    macro_rules! chain_f64 {
        ($i:expr, |$x:ident, $y:ident| $inner:expr) => {{
            let ($x, $y) = (f64r!($i.a & 0xffff), f64r!($i.a >> 16));
            wr!($i.dst, (f64r!($i.b) + $inner).to_bits())
        }};
    }
    // `BrIfI32Load*`: branch if the n bytes at `ea` (bounds-checked by `ea!`) are not all 0.
    macro_rules! br_load {
        ($i:expr, $ea:expr, $n:literal) => {{
            let ea = $ea;
            // SAFETY: ea + n <= mem_len was checked by `ea!`.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            if bytes != [0; $n] {
                jump!($i.dst);
            }
        }};
    }
    // The sign-extended 16-bit constant in the low half of `$v` (`BrI32Inc*Imm`).
    macro_rules! imm16 {
        ($v:expr) => {
            ($v) as u16 as i16 as i32 as u32
        };
    }
    // `SelectI32*`: fp[dst] = fp[x] if fp[p] OP fp[q] else fp[y] (a = x | y << 16,
    // b = p | q << 16).
    macro_rules! select32 {
        ($i:expr, |$p:ident, $q:ident| $e:expr) => {{
            let ($p, $q) = (r32!($i.b & 0xffff), r32!($i.b >> 16));
            let v = if $e { rd!($i.a & 0xffff) } else { rd!($i.a >> 16) };
            wr!($i.dst, v)
        }};
    }
    // v128 values: two cells, low half first, each read and written as one 16-byte access
    // (an unaligned load; `store16`).
    macro_rules! rv {
        ($s:expr) => {
            // SAFETY: as `rd!`, for both cells (a `Field::V128` is verified as two slots).
            unsafe { ptr::read_unaligned(fp.add($s as usize) as *const u128) }
        };
    }
    macro_rules! wv {
        ($s:expr, $v:expr) => {{
            let v: u128 = $v;
            unsafe { store16(fp.add($s as usize), v) }
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_un {
        ($i:expr, $f:path) => {
            wv!($i.dst, $f(rv!($i.a)))
        };
    }
    #[cfg(feature = "simd")]
    macro_rules! v_bin {
        ($i:expr, $f:path) => {
            wv!($i.dst, $f(rv!($i.a), rv!($i.b)))
        };
    }
    // v128 loaded-right forms: fp[dst] = f(fp[a & 0xffff], the 16 bytes at `ea`).
    #[cfg(feature = "simd")]
    macro_rules! v_bin_ld {
        ($ea:expr, $i:expr, $f:path) => {{
            let ea = $ea;
            // SAFETY: ea + 16 <= mem_len was checked by `ea!`.
            let m = u128::from_le_bytes(unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; 16]) });
            wv!($i.dst, $f(rv!($i.a & 0xffff), m))
        }};
    }
    // f32x4 chains: m = inner(fp[x], fp[y]) (a = x | y << 16), o = fp[b].
    #[cfg(feature = "simd")]
    macro_rules! v_chain {
        ($i:expr, $inner:path, |$m:ident, $o:ident| $outer:expr) => {{
            let $m = $inner(rv!($i.a & 0xffff), rv!($i.a >> 16));
            let $o = rv!($i.b);
            wv!($i.dst, $outer)
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_shift {
        ($i:expr, $f:path) => {
            wv!($i.dst, $f(rv!($i.a), r32!($i.b)))
        };
    }
    #[cfg(feature = "simd")]
    macro_rules! v_test {
        ($i:expr, $f:path) => {
            wr!($i.dst, $f(rv!($i.a)) as u64)
        };
    }
    // A v128 load of `$n` bytes, widened to a vector by `$conv`.
    #[cfg(feature = "simd")]
    macro_rules! v_load {
        (x $i:expr, $n:literal, $conv:expr) => {
            v_load!(@ ea!(x $i, $n), $i, $n, $conv)
        };
        (w $i:expr, $n:literal, $conv:expr) => {
            v_load!(@ ea!(w $i, $n), $i, $n, $conv)
        };
        ($i:expr, $n:literal, $conv:expr) => {
            v_load!(@ ea!($i, $n), $i, $n, $conv)
        };
        (@ $ea:expr, $i:expr, $n:literal, $conv:expr) => {{
            let ea = $ea;
            // SAFETY: ea + n <= mem_len was checked above.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            wv!($i.dst, $conv(bytes))
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_store {
        (x $i:expr) => {
            v_store!(@ ea!(x $i, 16), $i)
        };
        (w $i:expr) => {
            v_store!(@ ea!(w $i, 16), $i)
        };
        ($i:expr) => {
            v_store!(@ ea!($i, 16), $i)
        };
        (@ $ea:expr, $i:expr) => {{
            let v = rv!($i.dst);
            let ea = $ea;
            // SAFETY: ea + 16 <= mem_len was checked by `ea!`.
            unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; 16], v.to_le_bytes()) }
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_splat {
        ($i:expr, $t:ty, $put:path) => {{
            let x = rd!($i.a) as $t;
            wv!($i.dst, $put([x; 16 / core::mem::size_of::<$t>()]))
        }};
    }
    // Lane `e.a` of the vector at `e.dst`, replaced by an `$n`-byte load.
    #[cfg(feature = "simd")]
    macro_rules! v_load_lane {
        ($i:expr, $n:literal) => {{
            let e = extra!();
            let ea = ea!($i, $n);
            // SAFETY: ea + n <= mem_len was checked above.
            let bytes: [u8; $n] = unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; $n]) };
            let mut v = rv!(e.dst).to_le_bytes();
            let at = (e.a as usize % (16 / $n)) * $n;
            v[at..at + $n].copy_from_slice(&bytes);
            wv!($i.dst, u128::from_le_bytes(v))
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_store_lane {
        ($i:expr, $n:literal) => {{
            let e = extra!();
            let v = rv!($i.dst).to_le_bytes();
            let ea = ea!($i, $n);
            let at = (e.dst as usize % (16 / $n)) * $n;
            let mut bytes = [0u8; $n];
            bytes.copy_from_slice(&v[at..at + $n]);
            // SAFETY: ea + n <= mem_len was checked above.
            unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], bytes) }
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_extract {
        ($i:expr, $get:path, $conv:expr) => {{
            let l = $get(rv!($i.a));
            wr!($i.dst, $conv(l[$i.b as usize % l.len()]))
        }};
    }
    #[cfg(feature = "simd")]
    macro_rules! v_replace {
        ($i:expr, $get:path, $put:path, $t:ty) => {{
            let e = extra!();
            let mut l = $get(rv!($i.a));
            let n = l.len();
            l[e.dst as usize % n] = rd!($i.b) as $t;
            wv!($i.dst, $put(l))
        }};
    }
    let i = unsafe { *ip };
    ip = unsafe { ip.add(1) };
    match op {
            Op::Extra => {}
            Op::Unreachable => trap!(Trap::Unreachable),
            Op::Br => jump!(i.dst),
            Op::BrIf => {
                if r32!(i.a) != 0 {
                    jump!(i.dst)
                }
            }
            Op::BrIfNot => {
                if r32!(i.a) == 0 {
                    jump!(i.dst)
                }
            }
            Op::BrI32Eq => br_cmp32!(i, |a, b| a == b),
            Op::BrI32Ne => br_cmp32!(i, |a, b| a != b),
            Op::BrI32LtS => br_cmp32!(i, |a, b| (a as i32) < (b as i32)),
            Op::BrI32LtU => br_cmp32!(i, |a, b| a < b),
            Op::BrI32GtS => br_cmp32!(i, |a, b| (a as i32) > (b as i32)),
            Op::BrI32GtU => br_cmp32!(i, |a, b| a > b),
            Op::BrI32LeS => br_cmp32!(i, |a, b| (a as i32) <= (b as i32)),
            Op::BrI32LeU => br_cmp32!(i, |a, b| a <= b),
            Op::BrI32GeS => br_cmp32!(i, |a, b| (a as i32) >= (b as i32)),
            Op::BrI32GeU => br_cmp32!(i, |a, b| a >= b),
            Op::BrI32Eqz => {
                if r32!(i.a) == 0 {
                    jump!(i.dst)
                }
            }
            Op::BrI64Eqz => {
                if rd!(i.a) == 0 {
                    jump!(i.dst)
                }
            }
            Op::BrI64Eq => {
                if rd!(i.a) == rd!(i.b) {
                    jump!(i.dst)
                }
            }
            Op::BrI64Ne => {
                if rd!(i.a) != rd!(i.b) {
                    jump!(i.dst)
                }
            }
            Op::BrI32EqImm => br_imm32!(i, |a, b| a == b),
            Op::BrI32NeImm => br_imm32!(i, |a, b| a != b),
            Op::BrI32LtSImm => br_imm32!(i, |a, b| (a as i32) < (b as i32)),
            Op::BrI32LtUImm => br_imm32!(i, |a, b| a < b),
            Op::BrI32GtSImm => br_imm32!(i, |a, b| (a as i32) > (b as i32)),
            Op::BrI32GtUImm => br_imm32!(i, |a, b| a > b),
            Op::BrI32LeSImm => br_imm32!(i, |a, b| (a as i32) <= (b as i32)),
            Op::BrI32LeUImm => br_imm32!(i, |a, b| a <= b),
            Op::BrI32GeSImm => br_imm32!(i, |a, b| (a as i32) >= (b as i32)),
            Op::BrI32GeUImm => br_imm32!(i, |a, b| a >= b),
            Op::BrIfI32Load => br_load!(i, ea!(i, 4), 4),
            Op::BrIfI32Load8U => br_load!(i, ea!(i, 1), 1),
            Op::BrIfI32Load8UX => br_load!(i, ea!(x i, 1), 1),
            Op::BrI32IncNe => br_step32!(i, i.a & 0xffff, i.b, |x| x != r32!(i.a >> 16)),
            Op::BrI32IncLtS => br_step32!(i, i.a & 0xffff, i.b, |x| (x as i32) < (r32!(i.a >> 16) as i32)),
            Op::BrI32IncLtU => br_step32!(i, i.a & 0xffff, i.b, |x| x < r32!(i.a >> 16)),
            Op::BrI64IncNe => {
                let x = rd!(i.a & 0xffff).wrapping_add(i.b as i32 as i64 as u64);
                wr!(i.a & 0xffff, x);
                if x != rd!(i.a >> 16) {
                    jump!(i.dst);
                }
            }
            Op::BrI32IncNeImm => br_step32!(i, i.a, imm16!(i.b >> 16), |x| x != imm16!(i.b)),
            Op::BrI32IncLtSImm => br_step32!(i, i.a, imm16!(i.b >> 16), |x| (x as i32) < (imm16!(i.b) as i32)),
            Op::BrI32IncLtUImm => br_step32!(i, i.a, imm16!(i.b >> 16), |x| x < imm16!(i.b)),
            Op::BrI32AddNe => br_step32!(i, i.b & 0xffff, r32!(i.a & 0xffff), r32!(i.a >> 16), |t| t != r32!(i.b >> 16)),
            Op::BrI32AddLtS => {
                br_step32!(i, i.b & 0xffff, r32!(i.a & 0xffff), r32!(i.a >> 16), |t| (t as i32) < (r32!(i.b >> 16) as i32))
            }
            Op::BrI32AddLtU => br_step32!(i, i.b & 0xffff, r32!(i.a & 0xffff), r32!(i.a >> 16), |t| t < r32!(i.b >> 16)),
            Op::BrI32StepAddLtS | Op::BrI32StepAddLtU => {
                let x = r32!(i.a & 0xffff).wrapping_add(r32!(i.a >> 16));
                wr!(i.a & 0xffff, x as u64);
                let (t, n) = (r32!(i.b & 0xffff).wrapping_add(x), r32!(i.b >> 16));
                let taken = if op == Op::BrI32StepAddLtS { (t as i32) < (n as i32) } else { t < n };
                if taken {
                    jump!(i.dst);
                }
            }
            Op::BrTable => {
                let idx = r32!(i.a).min(i.b);
                ip = unsafe { ip.add(idx as usize) };
            }
            Op::Return | Op::ReturnSlot => {
                if op == Op::ReturnSlot {
                    wr!(0, rd!(i.a));
                }
                match ex.leave() {
                    None => return Some(Ok(())),
                    Some((nip, nfp, switched)) => {
                        ip = nip;
                        fp = nfp;
                        if switched {
                            set_hot!(ex.hot(ip));
                        }
                    }
                }
            }
            Op::Call => {
                let (nip, nfp) = ex.enter_local(i.dst, i.a, ip);
                if nip.is_null() {
                    trap!(ex.fault.take().unwrap_or(Trap::Unreachable));
                }
                ip = nip;
                fp = nfp;
            }
            Op::CallImport => {
                let f = ex.rt().instances[ex.inst as usize].funcs[i.dst as usize];
                set_hot!(tryt!(ex.call_func(f, i.a, ip)));
            }
            Op::CallIndirect => {
                let e = extra!();
                let idx = r32!(i.b);
                set_hot!(tryt!(ex.call_indirect(i.dst, e.dst, idx, i.a, ip)));
            }
            Op::Copy => wr!(i.dst, rd!(i.a)),
            Op::Copy2 => {
                wr!(i.dst & 0xffff, rd!(i.a & 0xffff));
                wr!(i.dst >> 16, rd!(i.a >> 16));
            }
            Op::Const32 => wr!(i.dst, i.a as u64),
            Op::Const64 => wr!(i.dst, i.a as u64 | (i.b as u64) << 32),
            Op::Select => {
                let e = extra!();
                let v = if r32!(e.a) != 0 { rd!(i.a) } else { rd!(i.b) };
                wr!(i.dst, v)
            }
            Op::SelectI32Eq => select32!(i, |p, q| p == q),
            Op::SelectI32LtS => select32!(i, |p, q| (p as i32) < (q as i32)),
            Op::SelectI32LtU => select32!(i, |p, q| p < q),
            // SAFETY: global indices are validated against the module, whose
            // instance's `globals` array `gidx` points to; `gvals` is the
            // store's current global array (see `Exec::hot`).
            Op::GlobalGet => wr!(i.dst, unsafe { (*ex.gvals.add(*ex.gidx.add(i.a as usize) as usize)).bits } as u64),
            Op::GlobalSet => {
                let v = rd!(i.a);
                unsafe { (*ex.gvals.add(*ex.gidx.add(i.dst as usize) as usize)).bits = v as u128 }
            }
            Op::I32Load => load!(i, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I64Load => load!(i, 8, u64::from_le_bytes),
            Op::F32Load => load!(i, 4, |b| u32::from_le_bytes(b) as u64),
            Op::F64Load => load!(i, 8, u64::from_le_bytes),
            Op::I32Load8S => load!(i, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
            Op::I32Load8U => load!(i, 1, |b: [u8; 1]| b[0] as u64),
            Op::I32Load16S => load!(i, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            Op::I32Load16U => load!(i, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load8S => load!(i, 1, |b: [u8; 1]| b[0] as i8 as i64 as u64),
            Op::I64Load8U => load!(i, 1, |b: [u8; 1]| b[0] as u64),
            Op::I64Load16S => load!(i, 2, |b| i16::from_le_bytes(b) as i64 as u64),
            Op::I64Load16U => load!(i, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I64Load32S => load!(i, 4, |b| i32::from_le_bytes(b) as i64 as u64),
            Op::I64Load32U => load!(i, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I32Store | Op::F32Store => store_!(i, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::I64Store | Op::F64Store => store_!(i, 8, |v: u64| v.to_le_bytes()),
            Op::I32Store8 | Op::I64Store8 => store_!(i, 1, |v: u64| [v as u8]),
            Op::I32Store16 | Op::I64Store16 => store_!(i, 2, |v: u64| (v as u16).to_le_bytes()),
            Op::I64Store32 => store_!(i, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::I32StoreImm => store_imm!(i, 4, (i.dst).to_le_bytes()),
            Op::I32Store8Imm => store_imm!(i, 1, [i.dst as u8]),
            Op::I32Store16Imm => store_imm!(i, 2, (i.dst as u16).to_le_bytes()),
            Op::I64StoreImm => store_imm!(i, 8, (i.dst as i32 as i64).to_le_bytes()),
            Op::I32LoadX => load!(x i, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I64LoadX => load!(x i, 8, u64::from_le_bytes),
            Op::I32Load8SX => load!(x i, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
            Op::I32Load8UX => load!(x i, 1, |b: [u8; 1]| b[0] as u64),
            Op::I32Load16SX => load!(x i, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            Op::I32Load16UX => load!(x i, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I32StoreX => store_!(x i, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::I64StoreX => store_!(x i, 8, |v: u64| v.to_le_bytes()),
            Op::I32Store8X => store_!(x i, 1, |v: u64| [v as u8]),
            Op::I32Store16X => store_!(x i, 2, |v: u64| (v as u16).to_le_bytes()),
            Op::I32StoreImmX => store_imm!(x i, 4, (i.dst).to_le_bytes()),
            Op::I32Store8ImmX => store_imm!(x i, 1, [i.dst as u8]),
            Op::I32Store16ImmX => store_imm!(x i, 2, (i.dst as u16).to_le_bytes()),
            Op::I64StoreImmX => store_imm!(x i, 8, (i.dst as i32 as i64).to_le_bytes()),
            Op::I32LoadW => load!(w i, 4, |b| u32::from_le_bytes(b) as u64),
            Op::I64LoadW => load!(w i, 8, u64::from_le_bytes),
            Op::I32Load8SW => load!(w i, 1, |b: [u8; 1]| b[0] as i8 as i32 as u32 as u64),
            Op::I32Load8UW => load!(w i, 1, |b: [u8; 1]| b[0] as u64),
            Op::I32Load16SW => load!(w i, 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64),
            Op::I32Load16UW => load!(w i, 2, |b| u16::from_le_bytes(b) as u64),
            Op::I32StoreW => store_!(w i, 4, |v: u64| (v as u32).to_le_bytes()),
            Op::I64StoreW => store_!(w i, 8, |v: u64| v.to_le_bytes()),
            Op::I32Store8W => store_!(w i, 1, |v: u64| [v as u8]),
            Op::I32Store16W => store_!(w i, 2, |v: u64| (v as u16).to_le_bytes()),
            Op::I32StoreImmW => store_imm!(w i, 4, (i.dst).to_le_bytes()),
            Op::I32Store8ImmW => store_imm!(w i, 1, [i.dst as u8]),
            Op::I32Store16ImmW => store_imm!(w i, 2, (i.dst as u16).to_le_bytes()),
            Op::I64StoreImmW => store_imm!(w i, 8, (i.dst as i32 as i64).to_le_bytes()),
            Op::I32XorRotlImm => chain_imm32!(i, |x, k| x.rotate_left(k), ^),
            Op::I32XorShrUImm => chain_imm32!(i, |x, k| x.wrapping_shr(k), ^),
            Op::I32XorShlImm => chain_imm32!(i, |x, k| x.wrapping_shl(k), ^),
            Op::I32ShrUImmAndImm => wr!(i.dst, ((r32!(i.a) >> (i.b & 31)) & (i.b >> 5)) as u64),
            Op::I32ShrUAndImm => wr!(i.dst, (r32!(i.a & 0xffff).wrapping_shr(r32!(i.a >> 16)) & i.b) as u64),
            Op::I32AddAdd => chain32!(i, |x, y| x.wrapping_add(y), |l, v| l.wrapping_add(v)),
            Op::I32AddMul => chain32!(i, |x, y| x.wrapping_mul(y), |l, v| l.wrapping_add(v)),
            Op::I32AddAnd => chain32!(i, |x, y| x & y, |l, v| l.wrapping_add(v)),
            Op::I32AddXor => chain32!(i, |x, y| x ^ y, |l, v| l.wrapping_add(v)),
            Op::I32XorAnd => chain32!(i, |x, y| x & y, |l, v| l ^ v),
            Op::I32AndXor => chain32!(i, |x, y| x ^ y, |l, v| l & v),
            Op::F32AddMul => chain_f32!(i, |x, y| x * y),
            Op::F64AddMul => chain_f64!(i, |x, y| x * y),
            Op::F32AddAdd => chain_f32!(i, |x, y| x + y),
            Op::F64AddAdd => chain_f64!(i, |x, y| x + y),
            Op::I32AddLdSt => bin_ld_st!(i, 4, u32, u32::from, |a, b| a.wrapping_add(b)),
            Op::I64AddLdSt => bin_ld_st!(i, 8, u64, u64::from, |a, b| a.wrapping_add(b)),
            Op::F32AddLdSt => bin_ld_st!(i, 4, u32, f32::from_bits, |a, b| (a + b).to_bits()),
            Op::F64AddLdSt => bin_ld_st!(i, 8, u64, f64::from_bits, |a, b| (a + b).to_bits()),
            Op::I32AddLdW => bin_ld!(w i, 4, u32, u32::from, wr, |a, b| a.wrapping_add(b) as u64),
            Op::F32AddLdW => bin_ld!(w i, 4, u32, f32::from_bits, wrf32, |a, b| a + b),
            Op::F32MulLdW => bin_ld!(w i, 4, u32, f32::from_bits, wrf32, |a, b| a * b),
            Op::I32AddLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| a.wrapping_add(b) as u64),
            Op::I32SubLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| a.wrapping_sub(b) as u64),
            Op::I32MulLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| a.wrapping_mul(b) as u64),
            Op::I32AndLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| (a & b) as u64),
            Op::I32OrLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| (a | b) as u64),
            Op::I32XorLd => bin_ld!(i, 4, u32, u32::from, wr, |a, b| (a ^ b) as u64),
            Op::I64AddLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a.wrapping_add(b)),
            Op::I64SubLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a.wrapping_sub(b)),
            Op::I64MulLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a.wrapping_mul(b)),
            Op::I64AndLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a & b),
            Op::I64OrLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a | b),
            Op::I64XorLd => bin_ld!(i, 8, u64, u64::from, wr, |a, b| a ^ b),
            Op::F32AddLd => bin_ld!(i, 4, u32, f32::from_bits, wrf32, |a, b| a + b),
            Op::F32SubLd => bin_ld!(i, 4, u32, f32::from_bits, wrf32, |a, b| a - b),
            Op::F32MulLd => bin_ld!(i, 4, u32, f32::from_bits, wrf32, |a, b| a * b),
            Op::F64AddLd => bin_ld!(i, 8, u64, f64::from_bits, wr, |a, b| (a + b).to_bits()),
            Op::F64SubLd => bin_ld!(i, 8, u64, f64::from_bits, wr, |a, b| (a - b).to_bits()),
            Op::F64MulLd => bin_ld!(i, 8, u64, f64::from_bits, wr, |a, b| (a * b).to_bits()),
            Op::F32Load8U => {
                let ea = ea!(i, 1);
                // SAFETY: ea + 1 <= mem_len was checked by `ea!`.
                wrf32!(i.dst, num::f32_of_u8(unsafe { *mem.add(ea) }))
            }
            Op::F32Load8UX => {
                let ea = ea!(x i, 1);
                // SAFETY: as F32Load8U.
                wrf32!(i.dst, num::f32_of_u8(unsafe { *mem.add(ea) }))
            }
            Op::F32Load8UW => {
                let ea = ea!(w i, 1);
                // SAFETY: as F32Load8U.
                wrf32!(i.dst, num::f32_of_u8(unsafe { *mem.add(ea) }))
            }
            Op::MemUse => {
                let (mm, l) = mem_cache(ex.rt(), ex.inst, i.dst);
                mem = mm;
                ex.mem_len = l;
                ex.mem_idx = i.dst;
                ex.copy_src = i.a;
            }
            Op::MemorySize => wr!(i.dst, (ex.mem_len / crate::store::PAGE_SIZE) as u64),
            Op::MemoryGrow => {
                let delta = r32!(i.a);
                let max_pages = ex.max_pages;
                let k = ex.mem_idx;
                let rt = ex.rt();
                let m = rt.instances[ex.inst as usize].memories[k as usize];
                let r = rt.memories[m as usize].grow(delta, max_pages);
                let (mm, l) = mem_cache(rt, ex.inst, k);
                mem = mm;
                ex.mem_len = l;
                wr!(i.dst, r.unwrap_or(u32::MAX) as u64)
            }
            Op::MemoryFill => {
                let d = r32!(i.dst) as usize;
                let v = r32!(i.a) as u8;
                let n = r32!(i.b) as usize;
                if d as u64 + n as u64 > ex.mem_len as u64 {
                    trap!(Trap::MemoryOutOfBounds);
                }
                // SAFETY: d + n <= mem_len was checked.
                unsafe { ptr::write_bytes(mem.add(d), v, n) }
            }
            Op::MemoryCopy => {
                let d = r32!(i.dst) as usize;
                let s = r32!(i.a) as usize;
                let n = r32!(i.b) as usize;
                // The source: this memory, or another one (multi-memory, `MemUse`).
                let (src, src_len) = match ex.copy_src == ex.mem_idx {
                    true => (mem, ex.mem_len),
                    false => mem_cache(ex.rt(), ex.inst, ex.copy_src),
                };
                if d as u64 + n as u64 > ex.mem_len as u64 || s as u64 + n as u64 > src_len as u64 {
                    trap!(Trap::MemoryOutOfBounds);
                }
                // SAFETY: both ranges are inside their memories (checked); `copy` allows overlap
                // (two memory indices may name one imported memory).
                unsafe { ptr::copy(src.add(s), mem.add(d), n) }
            }
            Op::MemoryInit => {
                let e = extra!();
                let d = r32!(i.dst) as u64;
                let s = r32!(i.a) as u64;
                let n = r32!(i.b) as u64;
                let rt = ex.rt();
                let id = &rt.instances[ex.inst as usize];
                let seg = &id.module.datas[e.dst as usize];
                let seg_len = if id.datas_alive[e.dst as usize] { seg.bytes.len() as u64 } else { 0 };
                if s + n > seg_len || d + n > ex.mem_len as u64 {
                    trap!(Trap::MemoryOutOfBounds);
                }
                let src = &id.module.bytes[seg.bytes.start + s as usize..seg.bytes.start + (s + n) as usize];
                // SAFETY: d + n <= mem_len was checked; the source is module bytes (disjoint).
                unsafe { ptr::copy_nonoverlapping(src.as_ptr(), mem.add(d as usize), n as usize) }
            }
            Op::DataDrop => {
                ex.rt().instances[ex.inst as usize].datas_alive[i.dst as usize] = false;
            }
            Op::TableGet => {
                let rt = &ex.rt();
                let t = rt.instances[ex.inst as usize].tables[i.b as usize];
                match rt.tables[t as usize].elems.get(r32!(i.a) as usize) {
                    Some(&c) => wr!(i.dst, c),
                    None => trap!(Trap::TableOutOfBounds),
                }
            }
            Op::TableSet => {
                let idx = r32!(i.a) as usize;
                let v = rd!(i.b);
                let rt = ex.rt();
                let t = rt.instances[ex.inst as usize].tables[i.dst as usize];
                match rt.tables[t as usize].elems.get_mut(idx) {
                    Some(c) => *c = v,
                    None => trap!(Trap::TableOutOfBounds),
                }
            }
            Op::TableSize => {
                let rt = &ex.rt();
                let t = rt.instances[ex.inst as usize].tables[i.a as usize];
                wr!(i.dst, rt.tables[t as usize].elems.len() as u64)
            }
            Op::TableGrow => {
                let e = extra!();
                let init = rd!(i.a);
                let n = r32!(i.b);
                let rt = ex.rt();
                let t = rt.instances[ex.inst as usize].tables[e.dst as usize];
                let r = rt.tables[t as usize].grow(n, init, ex.host);
                wr!(i.dst, r.unwrap_or(u32::MAX) as u64)
            }
            Op::TableFill => {
                let e = extra!();
                let d = r32!(i.dst) as u64;
                let v = rd!(i.a);
                let n = r32!(i.b) as u64;
                let rt = ex.rt();
                let t = rt.instances[ex.inst as usize].tables[e.dst as usize];
                let elems = &mut rt.tables[t as usize].elems;
                if d + n > elems.len() as u64 {
                    trap!(Trap::TableOutOfBounds);
                }
                elems[d as usize..(d + n) as usize].fill(v);
            }
            Op::TableCopy => {
                let e = extra!();
                let d = r32!(i.dst) as u64;
                let s = r32!(i.a) as u64;
                let n = r32!(i.b) as u64;
                let rt = ex.rt();
                let id = &rt.instances[ex.inst as usize];
                let (td, ts) = (id.tables[e.dst as usize] as usize, id.tables[e.a as usize] as usize);
                if d + n > rt.tables[td].elems.len() as u64 || s + n > rt.tables[ts].elems.len() as u64 {
                    trap!(Trap::TableOutOfBounds);
                }
                let (d, s, n) = (d as usize, s as usize, n as usize);
                if td == ts {
                    rt.tables[td].elems.copy_within(s..s + n, d);
                } else {
                    let src: Vec<u64> = rt.tables[ts].elems[s..s + n].to_vec();
                    rt.tables[td].elems[d..d + n].copy_from_slice(&src);
                }
            }
            Op::TableInit => {
                let e = extra!();
                let d = r32!(i.dst) as u64;
                let s = r32!(i.a) as u64;
                let n = r32!(i.b) as u64;
                let rt = ex.rt();
                let id = &rt.instances[ex.inst as usize];
                let t = id.tables[e.dst as usize] as usize;
                let seg = &id.elems[e.a as usize];
                if s + n > seg.len() as u64 || d + n > rt.tables[t].elems.len() as u64 {
                    trap!(Trap::TableOutOfBounds);
                }
                let src: Vec<u64> = seg[s as usize..(s + n) as usize].to_vec();
                rt.tables[t].elems[d as usize..(d + n) as usize].copy_from_slice(&src);
            }
            Op::ElemDrop => {
                ex.rt().instances[ex.inst as usize].elems[i.dst as usize] = Box::new([]);
            }
            Op::RefFunc => {
                let f = ex.rt().instances[ex.inst as usize].funcs[i.a as usize];
                wr!(i.dst, f as u64 + 1)
            }
            Op::RefIsNull => wr!(i.dst, (rd!(i.a) == 0) as u64),
            // ---- i32 ----
            Op::I32Eqz => un32!(i, |a| a == 0),
            Op::I32Eq => bin32!(i, |a, b| a == b),
            Op::I32Ne => bin32!(i, |a, b| a != b),
            Op::I32LtS => bin32!(i, |a, b| (a as i32) < (b as i32)),
            Op::I32LtU => bin32!(i, |a, b| a < b),
            Op::I32GtS => bin32!(i, |a, b| (a as i32) > (b as i32)),
            Op::I32GtU => bin32!(i, |a, b| a > b),
            Op::I32LeS => bin32!(i, |a, b| (a as i32) <= (b as i32)),
            Op::I32LeU => bin32!(i, |a, b| a <= b),
            Op::I32GeS => bin32!(i, |a, b| (a as i32) >= (b as i32)),
            Op::I32GeU => bin32!(i, |a, b| a >= b),
            Op::I32Clz => un32!(i, |a| a.leading_zeros()),
            Op::I32Ctz => un32!(i, |a| a.trailing_zeros()),
            Op::I32Popcnt => un32!(i, |a| a.count_ones()),
            Op::I32Add => bin32!(i, |a, b| a.wrapping_add(b)),
            Op::I32Sub => bin32!(i, |a, b| a.wrapping_sub(b)),
            Op::I32Mul => bin32!(i, |a, b| a.wrapping_mul(b)),
            Op::I32DivS => {
                let (a, b) = (r32!(i.a) as i32, r32!(i.b) as i32);
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                if a == i32::MIN && b == -1 {
                    trap!(Trap::IntegerOverflow);
                }
                wr!(i.dst, (a / b) as u32 as u64)
            }
            Op::I32DivU => {
                let (a, b) = (r32!(i.a), r32!(i.b));
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, (a / b) as u64)
            }
            Op::I32RemS => {
                let (a, b) = (r32!(i.a) as i32, r32!(i.b) as i32);
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, a.wrapping_rem(b) as u32 as u64)
            }
            Op::I32RemU => {
                let (a, b) = (r32!(i.a), r32!(i.b));
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, (a % b) as u64)
            }
            Op::I32And => bin32!(i, |a, b| a & b),
            Op::I32Or => bin32!(i, |a, b| a | b),
            Op::I32Xor => bin32!(i, |a, b| a ^ b),
            Op::I32Shl => bin32!(i, |a, b| a.wrapping_shl(b)),
            Op::I32ShrS => bin32!(i, |a, b| (a as i32).wrapping_shr(b)),
            Op::I32ShrU => bin32!(i, |a, b| a.wrapping_shr(b)),
            Op::I32Rotl => bin32!(i, |a, b| a.rotate_left(b & 31)),
            Op::I32Rotr => bin32!(i, |a, b| a.rotate_right(b & 31)),
            Op::I32AddImm => imm32!(i, |a, b| a.wrapping_add(b)),
            Op::I32SubImm => imm32!(i, |a, b| a.wrapping_sub(b)),
            Op::I32MulImm => imm32!(i, |a, b| a.wrapping_mul(b)),
            Op::I32AndImm => imm32!(i, |a, b| a & b),
            Op::I32OrImm => imm32!(i, |a, b| a | b),
            Op::I32XorImm => imm32!(i, |a, b| a ^ b),
            Op::I32ShlImm => imm32!(i, |a, b| a.wrapping_shl(b)),
            Op::I32ShrSImm => imm32!(i, |a, b| (a as i32).wrapping_shr(b)),
            Op::I32ShrUImm => imm32!(i, |a, b| a.wrapping_shr(b)),
            Op::I32RotlImm => imm32!(i, |a, b| a.rotate_left(b & 31)),
            Op::I32RotrImm => imm32!(i, |a, b| a.rotate_right(b & 31)),
            Op::I32EqImm => imm32!(i, |a, b| a == b),
            Op::I32NeImm => imm32!(i, |a, b| a != b),
            Op::I32LtSImm => imm32!(i, |a, b| (a as i32) < (b as i32)),
            Op::I32LtUImm => imm32!(i, |a, b| a < b),
            Op::I32GtSImm => imm32!(i, |a, b| (a as i32) > (b as i32)),
            Op::I32GtUImm => imm32!(i, |a, b| a > b),
            Op::I32LeSImm => imm32!(i, |a, b| (a as i32) <= (b as i32)),
            Op::I32LeUImm => imm32!(i, |a, b| a <= b),
            Op::I32GeSImm => imm32!(i, |a, b| (a as i32) >= (b as i32)),
            Op::I32GeUImm => imm32!(i, |a, b| a >= b),
            // ---- i64 ----
            Op::I64Eqz => un64!(i, |a| a == 0),
            Op::I64Eq => bin64!(i, |a, b| a == b),
            Op::I64Ne => bin64!(i, |a, b| a != b),
            Op::I64LtS => bin64!(i, |a, b| (a as i64) < (b as i64)),
            Op::I64LtU => bin64!(i, |a, b| a < b),
            Op::I64GtS => bin64!(i, |a, b| (a as i64) > (b as i64)),
            Op::I64GtU => bin64!(i, |a, b| a > b),
            Op::I64LeS => bin64!(i, |a, b| (a as i64) <= (b as i64)),
            Op::I64LeU => bin64!(i, |a, b| a <= b),
            Op::I64GeS => bin64!(i, |a, b| (a as i64) >= (b as i64)),
            Op::I64GeU => bin64!(i, |a, b| a >= b),
            Op::I64Clz => un64!(i, |a| a.leading_zeros()),
            Op::I64Ctz => un64!(i, |a| a.trailing_zeros()),
            Op::I64Popcnt => un64!(i, |a| a.count_ones()),
            Op::I64Add => bin64!(i, |a, b| a.wrapping_add(b)),
            Op::I64Sub => bin64!(i, |a, b| a.wrapping_sub(b)),
            Op::I64Mul => bin64!(i, |a, b| a.wrapping_mul(b)),
            Op::I64DivS => {
                let (a, b) = (rd!(i.a) as i64, rd!(i.b) as i64);
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                if a == i64::MIN && b == -1 {
                    trap!(Trap::IntegerOverflow);
                }
                wr!(i.dst, (a / b) as u64)
            }
            Op::I64DivU => {
                let (a, b) = (rd!(i.a), rd!(i.b));
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, a / b)
            }
            Op::I64RemS => {
                let (a, b) = (rd!(i.a) as i64, rd!(i.b) as i64);
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, a.wrapping_rem(b) as u64)
            }
            Op::I64RemU => {
                let (a, b) = (rd!(i.a), rd!(i.b));
                if b == 0 {
                    trap!(Trap::IntegerDivideByZero);
                }
                wr!(i.dst, a % b)
            }
            Op::I64And => bin64!(i, |a, b| a & b),
            Op::I64Or => bin64!(i, |a, b| a | b),
            Op::I64Xor => bin64!(i, |a, b| a ^ b),
            Op::I64Shl => bin64!(i, |a, b| a.wrapping_shl(b as u32)),
            Op::I64ShrS => bin64!(i, |a, b| (a as i64).wrapping_shr(b as u32)),
            Op::I64ShrU => bin64!(i, |a, b| a.wrapping_shr(b as u32)),
            Op::I64Rotl => bin64!(i, |a, b| a.rotate_left((b & 63) as u32)),
            Op::I64Rotr => bin64!(i, |a, b| a.rotate_right((b & 63) as u32)),
            Op::I64AddImm => imm64!(i, |a, b| a.wrapping_add(b)),
            Op::I64AndImm => imm64!(i, |a, b| a & b),
            Op::I64ShlImm => imm64!(i, |a, b| a.wrapping_shl(b as u32)),
            Op::I64ShrSImm => imm64!(i, |a, b| (a as i64).wrapping_shr(b as u32)),
            Op::I64ShrUImm => imm64!(i, |a, b| a.wrapping_shr(b as u32)),
            Op::I64RotlImm => imm64!(i, |a, b| a.rotate_left((b & 63) as u32)),
            Op::I64RotrImm => imm64!(i, |a, b| a.rotate_right((b & 63) as u32)),
            // ---- f32 ----
            Op::F32Eq => cmpf32!(i, |a, b| a == b),
            Op::F32Ne => cmpf32!(i, |a, b| a != b),
            Op::F32Lt => cmpf32!(i, |a, b| a < b),
            Op::F32Gt => cmpf32!(i, |a, b| a > b),
            Op::F32Le => cmpf32!(i, |a, b| a <= b),
            Op::F32Ge => cmpf32!(i, |a, b| a >= b),
            Op::F32Abs => wr!(i.dst, (rd!(i.a) as u32 & 0x7fff_ffff) as u64),
            Op::F32Neg => wr!(i.dst, (rd!(i.a) as u32 ^ 0x8000_0000) as u64),
            Op::F32Ceil => unf32!(i, |a| num::f32_ceil(a)),
            Op::F32Floor => unf32!(i, |a| num::f32_floor(a)),
            Op::F32Trunc => unf32!(i, |a| num::f32_trunc(a)),
            Op::F32Nearest => unf32!(i, |a| num::f32_nearest(a)),
            Op::F32Sqrt => unf32!(i, |a| num::f32_sqrt(a)),
            Op::F32Add => binf32!(i, |a, b| a + b),
            Op::F32Sub => binf32!(i, |a, b| a - b),
            Op::F32Mul => binf32!(i, |a, b| a * b),
            Op::F32Div => binf32!(i, |a, b| a / b),
            Op::F32AddImm => unf32!(i, |a| a + f32::from_bits(i.b)),
            Op::F32SubImm => unf32!(i, |a| a - f32::from_bits(i.b)),
            Op::F32MulImm => unf32!(i, |a| a * f32::from_bits(i.b)),
            Op::F32DivImm => unf32!(i, |a| a / f32::from_bits(i.b)),
            Op::F32Min => binf32!(i, |a, b| num::f32_min(a, b)),
            Op::F32Max => binf32!(i, |a, b| num::f32_max(a, b)),
            Op::F32Copysign => {
                let (a, b) = (r32!(i.a), r32!(i.b));
                wr!(i.dst, ((a & 0x7fff_ffff) | (b & 0x8000_0000)) as u64)
            }
            // ---- f64 ----
            Op::F64Eq => cmpf64!(i, |a, b| a == b),
            Op::F64Ne => cmpf64!(i, |a, b| a != b),
            Op::F64Lt => cmpf64!(i, |a, b| a < b),
            Op::F64Gt => cmpf64!(i, |a, b| a > b),
            Op::F64Le => cmpf64!(i, |a, b| a <= b),
            Op::F64Ge => cmpf64!(i, |a, b| a >= b),
            Op::F64Abs => wr!(i.dst, rd!(i.a) & 0x7fff_ffff_ffff_ffff),
            Op::F64Neg => wr!(i.dst, rd!(i.a) ^ 0x8000_0000_0000_0000),
            Op::F64Ceil => unf64!(i, |a| num::f64_ceil(a)),
            Op::F64Floor => unf64!(i, |a| num::f64_floor(a)),
            Op::F64Trunc => unf64!(i, |a| num::f64_trunc(a)),
            Op::F64Nearest => unf64!(i, |a| num::f64_nearest(a)),
            Op::F64Sqrt => unf64!(i, |a| num::f64_sqrt(a)),
            Op::F64Add => binf64!(i, |a, b| a + b),
            Op::F64Sub => binf64!(i, |a, b| a - b),
            Op::F64Mul => binf64!(i, |a, b| a * b),
            Op::F64Div => binf64!(i, |a, b| a / b),
            Op::F64Min => binf64!(i, |a, b| num::f64_min(a, b)),
            Op::F64Max => binf64!(i, |a, b| num::f64_max(a, b)),
            Op::F64Copysign => {
                let (a, b) = (rd!(i.a), rd!(i.b));
                wr!(i.dst, (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000))
            }
            // ---- conversions ----
            Op::I32TruncF32S => wr!(i.dst, tryt!(num::i32_trunc_f32_s(f32r!(i.a))) as u32 as u64),
            Op::I32TruncF32U => wr!(i.dst, tryt!(num::i32_trunc_f32_u(f32r!(i.a))) as u64),
            Op::I32TruncF64S => wr!(i.dst, tryt!(num::i32_trunc_f64_s(f64r!(i.a))) as u32 as u64),
            Op::I32TruncF64U => wr!(i.dst, tryt!(num::i32_trunc_f64_u(f64r!(i.a))) as u64),
            Op::I64ExtendI32S => wr!(i.dst, r32!(i.a) as i32 as i64 as u64),
            Op::I64ExtendI32U => wr!(i.dst, r32!(i.a) as u64),
            Op::I64TruncF32S => wr!(i.dst, tryt!(num::i64_trunc_f32_s(f32r!(i.a))) as u64),
            Op::I64TruncF32U => wr!(i.dst, tryt!(num::i64_trunc_f32_u(f32r!(i.a)))),
            Op::I64TruncF64S => wr!(i.dst, tryt!(num::i64_trunc_f64_s(f64r!(i.a))) as u64),
            Op::I64TruncF64U => wr!(i.dst, tryt!(num::i64_trunc_f64_u(f64r!(i.a)))),
            Op::F32ConvertI32S => wrf32!(i.dst, num::f32_from_i32(r32!(i.a) as i32)),
            Op::F32ConvertI32U => wrf32!(i.dst, num::f32_from_i64(r32!(i.a) as i64)),
            Op::F32ConvertI64S => wrf32!(i.dst, num::f32_from_i64(rd!(i.a) as i64)),
            Op::F32ConvertI64U => wrf32!(i.dst, num::f32_from_u64(rd!(i.a))),
            Op::F32DemoteF64 => wrf32!(i.dst, num::f32_demote(f64r!(i.a))),
            Op::F64ConvertI32S => wr!(i.dst, num::f64_from_i32(r32!(i.a) as i32).to_bits()),
            Op::F64ConvertI32U => wr!(i.dst, num::f64_from_i64(r32!(i.a) as i64).to_bits()),
            Op::F64ConvertI64S => wr!(i.dst, num::f64_from_i64(rd!(i.a) as i64).to_bits()),
            Op::F64ConvertI64U => wr!(i.dst, (rd!(i.a) as f64).to_bits()),
            Op::F64PromoteF32 => wr!(i.dst, num::f64_promote(f32r!(i.a)).to_bits()),
            Op::I32Extend8S => wr!(i.dst, rd!(i.a) as i8 as i32 as u32 as u64),
            Op::I32Extend16S => wr!(i.dst, rd!(i.a) as i16 as i32 as u32 as u64),
            Op::I64Extend8S => wr!(i.dst, rd!(i.a) as i8 as i64 as u64),
            Op::I64Extend16S => wr!(i.dst, rd!(i.a) as i16 as i64 as u64),
            Op::I64Extend32S => wr!(i.dst, rd!(i.a) as i32 as i64 as u64),
            Op::I32TruncSatF32S => wr!(i.dst, (f32r!(i.a) as i32) as u32 as u64),
            Op::I32TruncSatF32U => wr!(i.dst, (f32r!(i.a) as u32) as u64),
            Op::I32TruncSatF64S => wr!(i.dst, (f64r!(i.a) as i32) as u32 as u64),
            Op::I32TruncSatF64U => wr!(i.dst, (f64r!(i.a) as u32) as u64),
            Op::I64TruncSatF32S => wr!(i.dst, (f32r!(i.a) as i64) as u64),
            Op::I64TruncSatF32U => wr!(i.dst, f32r!(i.a) as u64),
            Op::I64TruncSatF64S => wr!(i.dst, (f64r!(i.a) as i64) as u64),
            Op::I64TruncSatF64U => wr!(i.dst, f64r!(i.a) as u64),
            // ---- SIMD (simd.rs has the lane semantics) ----
            // SAFETY (globals): as GlobalGet / GlobalSet above.
            Op::V128GlobalGet => wv!(i.dst, unsafe {
                (*ex.gvals.add(*ex.gidx.add(i.a as usize) as usize)).bits
            }),
            Op::V128GlobalSet => {
                let v = rv!(i.a);
                unsafe { (*ex.gvals.add(*ex.gidx.add(i.dst as usize) as usize)).bits = v }
            }
            Op::V128Copy => wv!(i.dst, rv!(i.a)),
            Op::V128Select => {
                let e = extra!();
                let v = if r32!(e.a) != 0 { rv!(i.a) } else { rv!(i.b) };
                wv!(i.dst, v)
            }
            #[cfg(feature = "simd")]
            Op::V128Const => {
                let e = extra!();
                let v = i.a as u128 | (i.b as u128) << 32 | (e.dst as u128) << 64 | (e.a as u128) << 96;
                wv!(i.dst, v)
            }
            #[cfg(feature = "simd")]
            Op::V128Load => v_load!(i, 16, u128::from_le_bytes),
            #[cfg(feature = "simd")]
            Op::V128Load8x8S => v_load!(i, 8, |b: [u8; 8]| simd::put_i16x8(
                b.map(|x| x as i8 as i16)
            )),
            #[cfg(feature = "simd")]
            Op::V128Load8x8U => v_load!(i, 8, |b: [u8; 8]| simd::put_u16x8(b.map(|x| x as u16))),
            #[cfg(feature = "simd")]
            Op::V128Load16x4S => v_load!(i, 8, |b: [u8; 8]| simd::i32x4_extend_low_i16x8_s(
                u64::from_le_bytes(b) as u128
            )),
            #[cfg(feature = "simd")]
            Op::V128Load16x4U => v_load!(i, 8, |b: [u8; 8]| simd::i32x4_extend_low_i16x8_u(
                u64::from_le_bytes(b) as u128
            )),
            #[cfg(feature = "simd")]
            Op::V128Load32x2S => v_load!(i, 8, |b: [u8; 8]| simd::i64x2_extend_low_i32x4_s(
                u64::from_le_bytes(b) as u128
            )),
            #[cfg(feature = "simd")]
            Op::V128Load32x2U => v_load!(i, 8, |b: [u8; 8]| simd::i64x2_extend_low_i32x4_u(
                u64::from_le_bytes(b) as u128
            )),
            #[cfg(feature = "simd")]
            Op::V128Load8Splat => v_load!(i, 1, |b: [u8; 1]| simd::put_u8x16([b[0]; 16])),
            #[cfg(feature = "simd")]
            Op::V128Load16Splat => v_load!(i, 2, |b| simd::put_u16x8([u16::from_le_bytes(b); 8])),
            #[cfg(feature = "simd")]
            Op::V128Load32Splat => v_load!(i, 4, |b| simd::put_u32x4([u32::from_le_bytes(b); 4])),
            #[cfg(feature = "simd")]
            Op::V128Load64Splat => v_load!(i, 8, |b| simd::put_u64x2([u64::from_le_bytes(b); 2])),
            #[cfg(feature = "simd")]
            Op::V128Load32Zero => v_load!(i, 4, |b| u32::from_le_bytes(b) as u128),
            #[cfg(feature = "simd")]
            Op::V128Load64Zero => v_load!(i, 8, |b| u64::from_le_bytes(b) as u128),
            #[cfg(feature = "simd")]
            Op::V128Store => v_store!(i),
            #[cfg(feature = "simd")]
            Op::V128StoreX => v_store!(x i),
            #[cfg(feature = "simd")]
            Op::V128StoreW => v_store!(w i),
            #[cfg(feature = "simd")]
            Op::V128LoadX => v_load!(x i, 16, u128::from_le_bytes),
            #[cfg(feature = "simd")]
            Op::V128LoadW => v_load!(w i, 16, u128::from_le_bytes),
            #[cfg(feature = "simd")]
            Op::V128Load8Lane => v_load_lane!(i, 1),
            #[cfg(feature = "simd")]
            Op::V128Load16Lane => v_load_lane!(i, 2),
            #[cfg(feature = "simd")]
            Op::V128Load32Lane => v_load_lane!(i, 4),
            #[cfg(feature = "simd")]
            Op::V128Load64Lane => v_load_lane!(i, 8),
            #[cfg(feature = "simd")]
            Op::V128Store8Lane => v_store_lane!(i, 1),
            #[cfg(feature = "simd")]
            Op::V128Store16Lane => v_store_lane!(i, 2),
            #[cfg(feature = "simd")]
            Op::V128Store32Lane => v_store_lane!(i, 4),
            #[cfg(feature = "simd")]
            Op::V128Store64Lane => v_store_lane!(i, 8),
            #[cfg(feature = "simd")]
            Op::I8x16Shuffle => {
                let e = extra!();
                wv!(
                    i.dst,
                    simd::i8x16_shuffle(rv!(i.a), rv!(i.b), [e.dst, e.a, e.b])
                )
            }
            #[cfg(feature = "simd")]
            Op::I8x16ShuffleWindow => wv!(i.dst, simd::i8x16_window(rv!(i.a & 0xffff), rv!(i.a >> 16), i.b)),
            #[cfg(feature = "simd")]
            Op::I8x16ExtractLaneS => v_extract!(i, simd::i8x16, |x: i8| x as i32 as u32 as u64),
            #[cfg(feature = "simd")]
            Op::I8x16ExtractLaneU => v_extract!(i, simd::u8x16, |x: u8| x as u64),
            #[cfg(feature = "simd")]
            Op::I16x8ExtractLaneS => v_extract!(i, simd::i16x8, |x: i16| x as i32 as u32 as u64),
            #[cfg(feature = "simd")]
            Op::I16x8ExtractLaneU => v_extract!(i, simd::u16x8, |x: u16| x as u64),
            #[cfg(feature = "simd")]
            Op::I32x4ExtractLane | Op::F32x4ExtractLane => {
                v_extract!(i, simd::u32x4, |x: u32| x as u64)
            }
            #[cfg(feature = "simd")]
            Op::I64x2ExtractLane | Op::F64x2ExtractLane => v_extract!(i, simd::u64x2, |x: u64| x),
            #[cfg(feature = "simd")]
            Op::I8x16ReplaceLane => v_replace!(i, simd::u8x16, simd::put_u8x16, u8),
            #[cfg(feature = "simd")]
            Op::I16x8ReplaceLane => v_replace!(i, simd::u16x8, simd::put_u16x8, u16),
            #[cfg(feature = "simd")]
            Op::I32x4ReplaceLane | Op::F32x4ReplaceLane => {
                v_replace!(i, simd::u32x4, simd::put_u32x4, u32)
            }
            #[cfg(feature = "simd")]
            Op::I64x2ReplaceLane | Op::F64x2ReplaceLane => {
                v_replace!(i, simd::u64x2, simd::put_u64x2, u64)
            }
            #[cfg(feature = "simd")]
            Op::I8x16Splat => v_splat!(i, u8, simd::put_u8x16),
            #[cfg(feature = "simd")]
            Op::I16x8Splat => v_splat!(i, u16, simd::put_u16x8),
            #[cfg(feature = "simd")]
            Op::I32x4Splat | Op::F32x4Splat => v_splat!(i, u32, simd::put_u32x4),
            #[cfg(feature = "simd")]
            Op::I64x2Splat | Op::F64x2Splat => v_splat!(i, u64, simd::put_u64x2),
            #[cfg(feature = "simd")]
            Op::V128AnyTrue => v_test!(i, simd::v128_any_true),
            #[cfg(feature = "simd")]
            Op::I8x16AllTrue => v_test!(i, simd::i8x16_all_true),
            #[cfg(feature = "simd")]
            Op::I8x16Bitmask => v_test!(i, simd::i8x16_bitmask),
            #[cfg(feature = "simd")]
            Op::I16x8AllTrue => v_test!(i, simd::i16x8_all_true),
            #[cfg(feature = "simd")]
            Op::I16x8Bitmask => v_test!(i, simd::i16x8_bitmask),
            #[cfg(feature = "simd")]
            Op::I32x4AllTrue => v_test!(i, simd::i32x4_all_true),
            #[cfg(feature = "simd")]
            Op::I32x4Bitmask => v_test!(i, simd::i32x4_bitmask),
            #[cfg(feature = "simd")]
            Op::I64x2AllTrue => v_test!(i, simd::i64x2_all_true),
            #[cfg(feature = "simd")]
            Op::I64x2Bitmask => v_test!(i, simd::i64x2_bitmask),
            #[cfg(feature = "simd")]
            Op::I8x16Shl => v_shift!(i, simd::i8x16_shl),
            #[cfg(feature = "simd")]
            Op::I8x16ShrS => v_shift!(i, simd::i8x16_shr_s),
            #[cfg(feature = "simd")]
            Op::I8x16ShrU => v_shift!(i, simd::i8x16_shr_u),
            #[cfg(feature = "simd")]
            Op::I16x8Shl => v_shift!(i, simd::i16x8_shl),
            #[cfg(feature = "simd")]
            Op::I16x8ShrS => v_shift!(i, simd::i16x8_shr_s),
            #[cfg(feature = "simd")]
            Op::I16x8ShrU => v_shift!(i, simd::i16x8_shr_u),
            #[cfg(feature = "simd")]
            Op::I32x4Shl => v_shift!(i, simd::i32x4_shl),
            #[cfg(feature = "simd")]
            Op::I32x4ShrS => v_shift!(i, simd::i32x4_shr_s),
            #[cfg(feature = "simd")]
            Op::I32x4ShrU => v_shift!(i, simd::i32x4_shr_u),
            #[cfg(feature = "simd")]
            Op::I64x2Shl => v_shift!(i, simd::i64x2_shl),
            #[cfg(feature = "simd")]
            Op::I64x2ShrS => v_shift!(i, simd::i64x2_shr_s),
            #[cfg(feature = "simd")]
            Op::I64x2ShrU => v_shift!(i, simd::i64x2_shr_u),
            #[cfg(feature = "simd")]
            Op::V128Bitselect => {
                let e = extra!();
                wv!(i.dst, simd::v128_bitselect(rv!(i.a), rv!(i.b), rv!(e.a)))
            }
            #[cfg(feature = "simd")]
            Op::V128Not => v_un!(i, simd::v128_not),
            #[cfg(feature = "simd")]
            Op::I8x16Abs => v_un!(i, simd::i8x16_abs),
            #[cfg(feature = "simd")]
            Op::I8x16Neg => v_un!(i, simd::i8x16_neg),
            #[cfg(feature = "simd")]
            Op::I8x16Popcnt => v_un!(i, simd::i8x16_popcnt),
            #[cfg(feature = "simd")]
            Op::I16x8Abs => v_un!(i, simd::i16x8_abs),
            #[cfg(feature = "simd")]
            Op::I16x8Neg => v_un!(i, simd::i16x8_neg),
            #[cfg(feature = "simd")]
            Op::I16x8ExtAddPairwiseI8x16S => v_un!(i, simd::i16x8_extadd_pairwise_i8x16_s),
            #[cfg(feature = "simd")]
            Op::I16x8ExtAddPairwiseI8x16U => v_un!(i, simd::i16x8_extadd_pairwise_i8x16_u),
            #[cfg(feature = "simd")]
            Op::I16x8ExtendLowI8x16S => v_un!(i, simd::i16x8_extend_low_i8x16_s),
            #[cfg(feature = "simd")]
            Op::I16x8ExtendHighI8x16S => v_un!(i, simd::i16x8_extend_high_i8x16_s),
            #[cfg(feature = "simd")]
            Op::I16x8ExtendLowI8x16U => v_un!(i, simd::i16x8_extend_low_i8x16_u),
            #[cfg(feature = "simd")]
            Op::I16x8ExtendHighI8x16U => v_un!(i, simd::i16x8_extend_high_i8x16_u),
            #[cfg(feature = "simd")]
            Op::I32x4Abs => v_un!(i, simd::i32x4_abs),
            #[cfg(feature = "simd")]
            Op::I32x4Neg => v_un!(i, simd::i32x4_neg),
            #[cfg(feature = "simd")]
            Op::I32x4ExtAddPairwiseI16x8S => v_un!(i, simd::i32x4_extadd_pairwise_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtAddPairwiseI16x8U => v_un!(i, simd::i32x4_extadd_pairwise_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I32x4ExtendLowI16x8S => v_un!(i, simd::i32x4_extend_low_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtendHighI16x8S => v_un!(i, simd::i32x4_extend_high_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtendLowI16x8U => v_un!(i, simd::i32x4_extend_low_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I32x4ExtendHighI16x8U => v_un!(i, simd::i32x4_extend_high_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I64x2Abs => v_un!(i, simd::i64x2_abs),
            #[cfg(feature = "simd")]
            Op::I64x2Neg => v_un!(i, simd::i64x2_neg),
            #[cfg(feature = "simd")]
            Op::I64x2ExtendLowI32x4S => v_un!(i, simd::i64x2_extend_low_i32x4_s),
            #[cfg(feature = "simd")]
            Op::I64x2ExtendHighI32x4S => v_un!(i, simd::i64x2_extend_high_i32x4_s),
            #[cfg(feature = "simd")]
            Op::I64x2ExtendLowI32x4U => v_un!(i, simd::i64x2_extend_low_i32x4_u),
            #[cfg(feature = "simd")]
            Op::I64x2ExtendHighI32x4U => v_un!(i, simd::i64x2_extend_high_i32x4_u),
            #[cfg(feature = "simd")]
            Op::F32x4Ceil => v_un!(i, simd::f32x4_ceil),
            #[cfg(feature = "simd")]
            Op::F32x4Floor => v_un!(i, simd::f32x4_floor),
            #[cfg(feature = "simd")]
            Op::F32x4Trunc => v_un!(i, simd::f32x4_trunc),
            #[cfg(feature = "simd")]
            Op::F32x4Nearest => v_un!(i, simd::f32x4_nearest),
            #[cfg(feature = "simd")]
            Op::F32x4Abs => v_un!(i, simd::f32x4_abs),
            #[cfg(feature = "simd")]
            Op::F32x4Neg => v_un!(i, simd::f32x4_neg),
            #[cfg(feature = "simd")]
            Op::F32x4Sqrt => v_un!(i, simd::f32x4_sqrt),
            #[cfg(feature = "simd")]
            Op::F64x2Ceil => v_un!(i, simd::f64x2_ceil),
            #[cfg(feature = "simd")]
            Op::F64x2Floor => v_un!(i, simd::f64x2_floor),
            #[cfg(feature = "simd")]
            Op::F64x2Trunc => v_un!(i, simd::f64x2_trunc),
            #[cfg(feature = "simd")]
            Op::F64x2Nearest => v_un!(i, simd::f64x2_nearest),
            #[cfg(feature = "simd")]
            Op::F64x2Abs => v_un!(i, simd::f64x2_abs),
            #[cfg(feature = "simd")]
            Op::F64x2Neg => v_un!(i, simd::f64x2_neg),
            #[cfg(feature = "simd")]
            Op::F64x2Sqrt => v_un!(i, simd::f64x2_sqrt),
            #[cfg(feature = "simd")]
            Op::I32x4TruncSatF32x4S => v_un!(i, simd::i32x4_trunc_sat_f32x4_s),
            #[cfg(feature = "simd")]
            Op::I32x4TruncSatF32x4U => v_un!(i, simd::i32x4_trunc_sat_f32x4_u),
            #[cfg(feature = "simd")]
            Op::F32x4ConvertI32x4S => v_un!(i, simd::f32x4_convert_i32x4_s),
            #[cfg(feature = "simd")]
            Op::F32x4ConvertI32x4U => v_un!(i, simd::f32x4_convert_i32x4_u),
            #[cfg(feature = "simd")]
            Op::I32x4TruncSatF64x2SZero => v_un!(i, simd::i32x4_trunc_sat_f64x2_s_zero),
            #[cfg(feature = "simd")]
            Op::I32x4TruncSatF64x2UZero => v_un!(i, simd::i32x4_trunc_sat_f64x2_u_zero),
            #[cfg(feature = "simd")]
            Op::F64x2ConvertLowI32x4S => v_un!(i, simd::f64x2_convert_low_i32x4_s),
            #[cfg(feature = "simd")]
            Op::F64x2ConvertLowI32x4U => v_un!(i, simd::f64x2_convert_low_i32x4_u),
            #[cfg(feature = "simd")]
            Op::F32x4DemoteF64x2Zero => v_un!(i, simd::f32x4_demote_f64x2_zero),
            #[cfg(feature = "simd")]
            Op::F64x2PromoteLowF32x4 => v_un!(i, simd::f64x2_promote_low_f32x4),
            #[cfg(feature = "simd")]
            Op::I8x16Swizzle => v_bin!(i, simd::i8x16_swizzle),
            #[cfg(feature = "simd")]
            Op::V128And => v_bin!(i, simd::v128_and),
            #[cfg(feature = "simd")]
            Op::V128AndNot => v_bin!(i, simd::v128_andnot),
            #[cfg(feature = "simd")]
            Op::V128Or => v_bin!(i, simd::v128_or),
            #[cfg(feature = "simd")]
            Op::V128Xor => v_bin!(i, simd::v128_xor),
            #[cfg(feature = "simd")]
            Op::I8x16Eq => v_bin!(i, simd::i8x16_eq),
            #[cfg(feature = "simd")]
            Op::I8x16Ne => v_bin!(i, simd::i8x16_ne),
            #[cfg(feature = "simd")]
            Op::I8x16LtS => v_bin!(i, simd::i8x16_lt_s),
            #[cfg(feature = "simd")]
            Op::I8x16LtU => v_bin!(i, simd::i8x16_lt_u),
            #[cfg(feature = "simd")]
            Op::I8x16GtS => v_bin!(i, simd::i8x16_gt_s),
            #[cfg(feature = "simd")]
            Op::I8x16GtU => v_bin!(i, simd::i8x16_gt_u),
            #[cfg(feature = "simd")]
            Op::I8x16LeS => v_bin!(i, simd::i8x16_le_s),
            #[cfg(feature = "simd")]
            Op::I8x16LeU => v_bin!(i, simd::i8x16_le_u),
            #[cfg(feature = "simd")]
            Op::I8x16GeS => v_bin!(i, simd::i8x16_ge_s),
            #[cfg(feature = "simd")]
            Op::I8x16GeU => v_bin!(i, simd::i8x16_ge_u),
            #[cfg(feature = "simd")]
            Op::I16x8Eq => v_bin!(i, simd::i16x8_eq),
            #[cfg(feature = "simd")]
            Op::I16x8Ne => v_bin!(i, simd::i16x8_ne),
            #[cfg(feature = "simd")]
            Op::I16x8LtS => v_bin!(i, simd::i16x8_lt_s),
            #[cfg(feature = "simd")]
            Op::I16x8LtU => v_bin!(i, simd::i16x8_lt_u),
            #[cfg(feature = "simd")]
            Op::I16x8GtS => v_bin!(i, simd::i16x8_gt_s),
            #[cfg(feature = "simd")]
            Op::I16x8GtU => v_bin!(i, simd::i16x8_gt_u),
            #[cfg(feature = "simd")]
            Op::I16x8LeS => v_bin!(i, simd::i16x8_le_s),
            #[cfg(feature = "simd")]
            Op::I16x8LeU => v_bin!(i, simd::i16x8_le_u),
            #[cfg(feature = "simd")]
            Op::I16x8GeS => v_bin!(i, simd::i16x8_ge_s),
            #[cfg(feature = "simd")]
            Op::I16x8GeU => v_bin!(i, simd::i16x8_ge_u),
            #[cfg(feature = "simd")]
            Op::I32x4Eq => v_bin!(i, simd::i32x4_eq),
            #[cfg(feature = "simd")]
            Op::I32x4Ne => v_bin!(i, simd::i32x4_ne),
            #[cfg(feature = "simd")]
            Op::I32x4LtS => v_bin!(i, simd::i32x4_lt_s),
            #[cfg(feature = "simd")]
            Op::I32x4LtU => v_bin!(i, simd::i32x4_lt_u),
            #[cfg(feature = "simd")]
            Op::I32x4GtS => v_bin!(i, simd::i32x4_gt_s),
            #[cfg(feature = "simd")]
            Op::I32x4GtU => v_bin!(i, simd::i32x4_gt_u),
            #[cfg(feature = "simd")]
            Op::I32x4LeS => v_bin!(i, simd::i32x4_le_s),
            #[cfg(feature = "simd")]
            Op::I32x4LeU => v_bin!(i, simd::i32x4_le_u),
            #[cfg(feature = "simd")]
            Op::I32x4GeS => v_bin!(i, simd::i32x4_ge_s),
            #[cfg(feature = "simd")]
            Op::I32x4GeU => v_bin!(i, simd::i32x4_ge_u),
            #[cfg(feature = "simd")]
            Op::I64x2Eq => v_bin!(i, simd::i64x2_eq),
            #[cfg(feature = "simd")]
            Op::I64x2Ne => v_bin!(i, simd::i64x2_ne),
            #[cfg(feature = "simd")]
            Op::I64x2LtS => v_bin!(i, simd::i64x2_lt_s),
            #[cfg(feature = "simd")]
            Op::I64x2GtS => v_bin!(i, simd::i64x2_gt_s),
            #[cfg(feature = "simd")]
            Op::I64x2LeS => v_bin!(i, simd::i64x2_le_s),
            #[cfg(feature = "simd")]
            Op::I64x2GeS => v_bin!(i, simd::i64x2_ge_s),
            #[cfg(feature = "simd")]
            Op::F32x4Eq => v_bin!(i, simd::f32x4_eq),
            #[cfg(feature = "simd")]
            Op::F32x4Ne => v_bin!(i, simd::f32x4_ne),
            #[cfg(feature = "simd")]
            Op::F32x4Lt => v_bin!(i, simd::f32x4_lt),
            #[cfg(feature = "simd")]
            Op::F32x4Gt => v_bin!(i, simd::f32x4_gt),
            #[cfg(feature = "simd")]
            Op::F32x4Le => v_bin!(i, simd::f32x4_le),
            #[cfg(feature = "simd")]
            Op::F32x4Ge => v_bin!(i, simd::f32x4_ge),
            #[cfg(feature = "simd")]
            Op::F64x2Eq => v_bin!(i, simd::f64x2_eq),
            #[cfg(feature = "simd")]
            Op::F64x2Ne => v_bin!(i, simd::f64x2_ne),
            #[cfg(feature = "simd")]
            Op::F64x2Lt => v_bin!(i, simd::f64x2_lt),
            #[cfg(feature = "simd")]
            Op::F64x2Gt => v_bin!(i, simd::f64x2_gt),
            #[cfg(feature = "simd")]
            Op::F64x2Le => v_bin!(i, simd::f64x2_le),
            #[cfg(feature = "simd")]
            Op::F64x2Ge => v_bin!(i, simd::f64x2_ge),
            #[cfg(feature = "simd")]
            Op::I8x16NarrowI16x8S => v_bin!(i, simd::i8x16_narrow_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I8x16NarrowI16x8U => v_bin!(i, simd::i8x16_narrow_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I8x16Add => v_bin!(i, simd::i8x16_add),
            #[cfg(feature = "simd")]
            Op::I8x16AddSatS => v_bin!(i, simd::i8x16_add_sat_s),
            #[cfg(feature = "simd")]
            Op::I8x16AddSatU => v_bin!(i, simd::i8x16_add_sat_u),
            #[cfg(feature = "simd")]
            Op::I8x16Sub => v_bin!(i, simd::i8x16_sub),
            #[cfg(feature = "simd")]
            Op::I8x16SubSatS => v_bin!(i, simd::i8x16_sub_sat_s),
            #[cfg(feature = "simd")]
            Op::I8x16SubSatU => v_bin!(i, simd::i8x16_sub_sat_u),
            #[cfg(feature = "simd")]
            Op::I8x16MinS => v_bin!(i, simd::i8x16_min_s),
            #[cfg(feature = "simd")]
            Op::I8x16MinU => v_bin!(i, simd::i8x16_min_u),
            #[cfg(feature = "simd")]
            Op::I8x16MaxS => v_bin!(i, simd::i8x16_max_s),
            #[cfg(feature = "simd")]
            Op::I8x16MaxU => v_bin!(i, simd::i8x16_max_u),
            #[cfg(feature = "simd")]
            Op::I8x16AvgrU => v_bin!(i, simd::i8x16_avgr_u),
            #[cfg(feature = "simd")]
            Op::I16x8Q15MulrSatS => v_bin!(i, simd::i16x8_q15mulr_sat_s),
            #[cfg(feature = "simd")]
            Op::I16x8NarrowI32x4S => v_bin!(i, simd::i16x8_narrow_i32x4_s),
            #[cfg(feature = "simd")]
            Op::I16x8NarrowI32x4U => v_bin!(i, simd::i16x8_narrow_i32x4_u),
            #[cfg(feature = "simd")]
            Op::I16x8Add => v_bin!(i, simd::i16x8_add),
            #[cfg(feature = "simd")]
            Op::I16x8AddSatS => v_bin!(i, simd::i16x8_add_sat_s),
            #[cfg(feature = "simd")]
            Op::I16x8AddSatU => v_bin!(i, simd::i16x8_add_sat_u),
            #[cfg(feature = "simd")]
            Op::I16x8Sub => v_bin!(i, simd::i16x8_sub),
            #[cfg(feature = "simd")]
            Op::I16x8SubSatS => v_bin!(i, simd::i16x8_sub_sat_s),
            #[cfg(feature = "simd")]
            Op::I16x8SubSatU => v_bin!(i, simd::i16x8_sub_sat_u),
            #[cfg(feature = "simd")]
            Op::I16x8Mul => v_bin!(i, simd::i16x8_mul),
            #[cfg(feature = "simd")]
            Op::I16x8MinS => v_bin!(i, simd::i16x8_min_s),
            #[cfg(feature = "simd")]
            Op::I16x8MinU => v_bin!(i, simd::i16x8_min_u),
            #[cfg(feature = "simd")]
            Op::I16x8MaxS => v_bin!(i, simd::i16x8_max_s),
            #[cfg(feature = "simd")]
            Op::I16x8MaxU => v_bin!(i, simd::i16x8_max_u),
            #[cfg(feature = "simd")]
            Op::I16x8AvgrU => v_bin!(i, simd::i16x8_avgr_u),
            #[cfg(feature = "simd")]
            Op::I16x8ExtMulLowI8x16S => v_bin!(i, simd::i16x8_extmul_low_i8x16_s),
            #[cfg(feature = "simd")]
            Op::I16x8ExtMulHighI8x16S => v_bin!(i, simd::i16x8_extmul_high_i8x16_s),
            #[cfg(feature = "simd")]
            Op::I16x8ExtMulLowI8x16U => v_bin!(i, simd::i16x8_extmul_low_i8x16_u),
            #[cfg(feature = "simd")]
            Op::I16x8ExtMulHighI8x16U => v_bin!(i, simd::i16x8_extmul_high_i8x16_u),
            #[cfg(feature = "simd")]
            Op::I32x4Add => v_bin!(i, simd::i32x4_add),
            #[cfg(feature = "simd")]
            Op::I32x4Sub => v_bin!(i, simd::i32x4_sub),
            #[cfg(feature = "simd")]
            Op::I32x4Mul => v_bin!(i, simd::i32x4_mul),
            #[cfg(feature = "simd")]
            Op::I32x4MinS => v_bin!(i, simd::i32x4_min_s),
            #[cfg(feature = "simd")]
            Op::I32x4MinU => v_bin!(i, simd::i32x4_min_u),
            #[cfg(feature = "simd")]
            Op::I32x4MaxS => v_bin!(i, simd::i32x4_max_s),
            #[cfg(feature = "simd")]
            Op::I32x4MaxU => v_bin!(i, simd::i32x4_max_u),
            #[cfg(feature = "simd")]
            Op::I32x4DotI16x8S => v_bin!(i, simd::i32x4_dot_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtMulLowI16x8S => v_bin!(i, simd::i32x4_extmul_low_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtMulHighI16x8S => v_bin!(i, simd::i32x4_extmul_high_i16x8_s),
            #[cfg(feature = "simd")]
            Op::I32x4ExtMulLowI16x8U => v_bin!(i, simd::i32x4_extmul_low_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I32x4ExtMulHighI16x8U => v_bin!(i, simd::i32x4_extmul_high_i16x8_u),
            #[cfg(feature = "simd")]
            Op::I64x2Add => v_bin!(i, simd::i64x2_add),
            #[cfg(feature = "simd")]
            Op::I64x2Sub => v_bin!(i, simd::i64x2_sub),
            #[cfg(feature = "simd")]
            Op::I64x2Mul => v_bin!(i, simd::i64x2_mul),
            #[cfg(feature = "simd")]
            Op::I64x2ExtMulLowI32x4S => v_bin!(i, simd::i64x2_extmul_low_i32x4_s),
            #[cfg(feature = "simd")]
            Op::I64x2ExtMulHighI32x4S => v_bin!(i, simd::i64x2_extmul_high_i32x4_s),
            #[cfg(feature = "simd")]
            Op::I64x2ExtMulLowI32x4U => v_bin!(i, simd::i64x2_extmul_low_i32x4_u),
            #[cfg(feature = "simd")]
            Op::I64x2ExtMulHighI32x4U => v_bin!(i, simd::i64x2_extmul_high_i32x4_u),
            #[cfg(feature = "simd")]
            Op::F32x4Add => v_bin!(i, simd::f32x4_add),
            #[cfg(feature = "simd")]
            Op::F32x4Sub => v_bin!(i, simd::f32x4_sub),
            #[cfg(feature = "simd")]
            Op::F32x4Mul => v_bin!(i, simd::f32x4_mul),
            #[cfg(feature = "simd")]
            Op::F32x4Div => v_bin!(i, simd::f32x4_div),
            #[cfg(feature = "simd")]
            Op::F32x4Min => v_bin!(i, simd::f32x4_min),
            #[cfg(feature = "simd")]
            Op::F32x4Max => v_bin!(i, simd::f32x4_max),
            #[cfg(feature = "simd")]
            Op::F32x4PMin => v_bin!(i, simd::f32x4_pmin),
            #[cfg(feature = "simd")]
            Op::F32x4PMax => v_bin!(i, simd::f32x4_pmax),
            #[cfg(feature = "simd")]
            Op::F64x2Add => v_bin!(i, simd::f64x2_add),
            #[cfg(feature = "simd")]
            Op::F64x2Sub => v_bin!(i, simd::f64x2_sub),
            #[cfg(feature = "simd")]
            Op::F64x2Mul => v_bin!(i, simd::f64x2_mul),
            #[cfg(feature = "simd")]
            Op::F64x2Div => v_bin!(i, simd::f64x2_div),
            #[cfg(feature = "simd")]
            Op::F64x2Min => v_bin!(i, simd::f64x2_min),
            #[cfg(feature = "simd")]
            Op::F64x2Max => v_bin!(i, simd::f64x2_max),
            #[cfg(feature = "simd")]
            Op::F64x2PMin => v_bin!(i, simd::f64x2_pmin),
            #[cfg(feature = "simd")]
            Op::F64x2PMax => v_bin!(i, simd::f64x2_pmax),
            #[cfg(feature = "simd")]
            Op::F32x4AddMul => v_chain!(i, simd::f32x4_mul, |m, o| simd::f32x4_add(o, m)),
            #[cfg(feature = "simd")]
            Op::F32x4MulAdd => v_chain!(i, simd::f32x4_mul, |m, o| simd::f32x4_add(m, o)),
            #[cfg(feature = "simd")]
            Op::F32x4SubMul => v_chain!(i, simd::f32x4_mul, |m, o| simd::f32x4_sub(o, m)),
            #[cfg(feature = "simd")]
            Op::F32x4MulSub => v_chain!(i, simd::f32x4_mul, |m, o| simd::f32x4_sub(m, o)),
            #[cfg(feature = "simd")]
            Op::F32x4AddAdd => v_chain!(i, simd::f32x4_add, |m, o| simd::f32x4_add(o, m)),
            #[cfg(feature = "simd")]
            Op::F32x4AddLd => v_bin_ld!(ea!(@at r32!(i.a >> 16), i.b, 16), i, simd::f32x4_add),
            #[cfg(feature = "simd")]
            Op::F32x4MulLd => v_bin_ld!(ea!(@at r32!(i.a >> 16), i.b, 16), i, simd::f32x4_mul),
            #[cfg(feature = "simd")]
            Op::F32x4AddLdW => v_bin_ld!(ea!(@at r32!(i.a >> 16).wrapping_add(i.b), 0u32, 16), i, simd::f32x4_add),
            #[cfg(feature = "simd")]
            Op::F32x4MulLdW => v_bin_ld!(ea!(@at r32!(i.a >> 16).wrapping_add(i.b), 0u32, 16), i, simd::f32x4_mul),
            #[cfg(feature = "simd")]
            Op::F32x4AddLdSt => {
                let ea = ea!(@at r32!(i.a >> 16), i.b, 16);
                // SAFETY: ea + 16 <= mem_len was checked by `ea!`.
                let m = u128::from_le_bytes(unsafe { ptr::read_unaligned(mem.add(ea) as *const [u8; 16]) });
                let r = simd::f32x4_add(rv!(i.a & 0xffff), m);
                // SAFETY: as the read above.
                unsafe { ptr::write_unaligned(mem.add(ea) as *mut [u8; 16], r.to_le_bytes()) }
            }
            // Never emitted without the feature (the loader refuses SIMD modules).
            #[cfg(not(feature = "simd"))]
            _ => trap!(Trap::Unreachable),
    }
    *regs = Regs { ip, fp, mem };
    None
}
