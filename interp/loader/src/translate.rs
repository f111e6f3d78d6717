//! Translation of one validated function body into register IR (`ir.rs`).
//!
//! Single pass over the operators. The wasm operand stack is modelled at
//! translation time: entry `i` of the stack has a fixed *home* slot
//! (`base + i`, where `base` = params + locals). An entry is either already in
//! its home (`Opd::Slot`), or still a reference to a local (`Opd::Local`,
//! folded `local.get`) or a constant (`Opd::Const`). Consumers read locals and
//! constants directly (constants become immediates where an `*Imm` opcode
//! exists); entries are materialized into their homes only where control flow
//! merges (block entry/exit, branches with values, calls) or a `local.set`
//! would clobber a pending `local.get`. A `local.set`/`local.tee` that directly
//! follows the producer of its value rewrites the producer's destination.
//! A conditional branch that directly follows an i32 comparison is fused
//! into one compare-and-branch instruction.
//!
//! A frame is a window of 8-byte cells of the store's value stack: `[params | locals |
//! operand-stack slots]`, so every stack height and branch target is resolved here. Folding
//! in detail:
//! - constants emit nothing: i32 add/sub/mul/and/or/xor/shifts/comparisons and i64
//!   add/and/shifts take a constant right (or, when commutable, left) operand as an immediate
//!   (`*Imm` ops); elsewhere the constant is materialised into the consumer's operand slot.
//! - two adjacent copies with 16-bit slots fuse into `Copy2`.
//! - `br_if` and `if` after an i32 comparison (or i32/i64 eqz, i64 eq/ne) become one
//!   compare-and-branch (`BrI32LtS a b`, `BrI32LtUImm a imm`, ...; `if` uses the negation).
//! - stores of a constant value take it as an immediate (`I32StoreImm`, `I32Store8Imm`, ...).
//! - `i32.wrap_i64` and integer identities (`x + 0`, `x * 1`, `x & -1`, shifts by a multiple of
//!   the width) emit nothing; a single result computed just before a return is written to
//!   slot 0 directly.
//! - an instruction whose result the next one consumes fuses into it where a combined op exists
//!   (each a `fuse_*` function of translate/fuse.rs, with the reason it is sound): the address add
//!   into a load or store (`fuse_address`), a full-width load into the binary operator reading it
//!   (`fuse_loaded_right`) and that operator into a store back to the same address
//!   (`fuse_read_modify_write`), a byte load into `f32.convert_i32_u` (`fuse_convert_to_f32`), an
//!   i32 comparison into `select` (`select_on_compare`), an operator into the one reading it
//!   (`fuse_chain`, among them an `f32x4.mul` into the add or sub reading it;
//!   `fuse_shift_mask`), a loop's add into its compare-and-branch, with the step before it (`fuse_step`),
//!   and a load into the `br_if` on its value (`fuse_branch_on_load`). Which pairs fuse was chosen
//!   from op-pair counts of benches/ (BENCHMARKS.md).
//! - calls need no argument copying: the arguments' home slots are the callee's parameter cells
//!   (the callee frame starts at the first argument); results come back in the same cells.
//! - `br_table` becomes a jump table of `Br` instructions; targets that need value copies go
//!   through one shared stub per target depth. Unreachable code is not translated.
//!
//! Translation is linear in the body size: folded operands are kept to the top `WINDOW` (32)
//! entries (older ones are materialized), so the scans done by `local.set` and block entry are
//! bounded; `br_table` decides once per target depth whether a stub is needed. The IR holds at
//! most one 16-byte instruction per wasm operator plus copies.
//!
//! Which ops branch and which have fused, negated or immediate forms is not kept here: it is
//! declared with each op in `ir.rs` (`define_isa!`: `Op::is_branch`, `fused_branch`,
//! `negated`, `imm_right`, `imm_left`). `finish` ends the code with an `Unreachable` sentinel
//! and turns branch targets into offsets; in debug builds and with the `verify` feature the
//! result then goes through the IR verifier (`verify.rs`), whose failure is the translation's
//! error.
//!
//! Memory: the IR of a small body can be large (a branch carries up to 1000 values, each a
//! copy), so the output buffers are never grown by an infallible `push`: before each operator
//! `run` makes room for the most any single operator emits ([`OP_HEADROOM`]; `br_table`
//! reserves per target), asking the embedder first (`room`) and allocating with `try_reserve`.
//! Running out ends translation with [`OUT_OF_MEMORY`]. What stays infallible (stable Rust has
//! no fallible `push` and no allocation-error hook): wasmparser's operator reader and the
//! `br_table` scratch lists, bounded by the body's size and its block nesting.

use wasmparser::{BinaryReader, BlockType, FunctionBody, Operator};

use crate::ir::{CompiledFunc, Instr, Op, Slot};
use crate::module::ModuleInner;
use crate::types::ValType;

mod fuse;
use fuse::is_identity;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Opd {
    Slot,
    Local(u32),
    Const(u64),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

struct Ctrl {
    kind: Kind,
    /// The block's type (its params' and results' cell widths).
    bt: BlockType,
    /// Operand-stack height at entry, below the block's parameters.
    height: u32,
    nparams: u32,
    nresults: u32,
    /// Loop header pc.
    start: u32,
    /// Branch instructions whose target is this block's end, chained through
    /// their `dst` fields (NO_PATCH ends the chain): no allocation per block.
    patch_head: u32,
    /// `if`: the branch-if-false instruction to patch to `else`/`end`.
    else_patch: Option<u32>,
    unreachable: bool,
}

struct Tr<'m> {
    m: &'m ModuleInner,
    /// The embedder's memory check (bytes about to be allocated).
    room: fn(usize) -> bool,
    code: Vec<Instr>,
    stack: Vec<Opd>,
    /// Parallel to `stack`: the cell just past each entry, relative to `base` (entry `i`
    /// occupies cells `ends[i - 1]..ends[i]`: one, two for a v128).
    ends: Vec<u32>,
    /// Cell of each local (params first), plus one past the last: empty when every local
    /// takes one cell (no v128), so that local `i` is cell `i`.
    local_cells: Vec<u32>,
    base: u32,
    max_height: u32,
    ctrls: Vec<Ctrl>,
    /// Nesting depth of blocks opened inside unreachable code.
    dead_depth: u32,
    /// Index of the instruction that produced the top-of-stack value, and the
    /// code length right after it (retargetable by `local.set`).
    last_producer: Option<(usize, usize)>,
    num_results: u32,
    /// Stack entries below this index are all `Opd::Slot` (valid while
    /// `clean <= stack.len()`; `push` re-clamps it).
    clean: usize,
    /// Code index of the latest branch target: instructions before it must
    /// not be merged with instructions after it.
    barrier: usize,
}

const NO_PATCH: u32 = u32::MAX;

/// Reusable translation buffers (per thread), so translating many small
/// functions does not allocate per function and per block.
#[derive(Default)]
struct Scratch {
    code: Vec<Instr>,
    stack: Vec<Opd>,
    ends: Vec<u32>,
    local_cells: Vec<u32>,
    ctrls: Vec<Ctrl>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Buffers larger than this (in instructions) are freed rather than kept.
const SCRATCH_KEEP: usize = 1 << 16;

/// How many of the topmost operand-stack entries may stay folded (locals/constants).
const WINDOW: usize = 32;

const LIMIT_CODE: usize = u32::MAX as usize / 2;

/// The error of a translation that ran out of memory (not cached by the caller: it may
/// succeed later).
pub const OUT_OF_MEMORY: &str = "out of memory for the function's code";

/// Most values a block or function takes or returns (wasmparser's limits on function types,
/// which validation enforces).
const MAX_ARITY: usize = 1000;

/// Most instructions one operator other than `br_table` emits: copies of a branch's values
/// (at most [`MAX_ARITY`]) plus the folded operands it materializes (at most `WINDOW` + 1,
/// twice for a multi-value return) and a few more.
const OP_HEADROOM: usize = MAX_ARITY + 2 * WINDOW + 16;

/// Make room for `spare` more elements in `v` (doubling when possible), asking `room` first.
#[inline(always)]
fn make_room<T>(v: &mut Vec<T>, spare: usize, room: fn(usize) -> bool) -> Result<(), Box<str>> {
    if v.capacity() - v.len() >= spare {
        return Ok(());
    }
    grow(v, spare, room)
}

#[cold]
#[inline(never)]
fn grow<T>(v: &mut Vec<T>, spare: usize, room: fn(usize) -> bool) -> Result<(), Box<str>> {
    let size = std::mem::size_of::<T>();
    let double = spare.max(v.len());
    if room(double.saturating_mul(size)) && v.try_reserve(double).is_ok() {
        return Ok(());
    }
    if room(spare.saturating_mul(size)) && v.try_reserve_exact(spare).is_ok() {
        return Ok(());
    }
    Err(OUT_OF_MEMORY.into())
}

/// Translate defined function `def` of `m`. `room(bytes)` is asked before the output grows
/// (see the module docs); pass `|_| true` to rely on `try_reserve` alone.
pub fn translate(m: &ModuleInner, def: u32, room: fn(usize) -> bool) -> Result<CompiledFunc, Box<str>> {
    let range = m.bodies[def as usize].clone();
    let func_idx = def + m.num_imported_funcs;
    let ty = m.func_type(func_idx);
    let body = FunctionBody::new(BinaryReader::new(&m.bytes[range.clone()], range.start as u64));
    let err = |e: wasmparser::BinaryReaderError| -> Box<str> { e.to_string().into() };
    let mut nlocals: u64 = 0;
    let mut wide_locals = false;
    for l in body.get_locals_reader().map_err(err)? {
        let (count, t) = l.map_err(err)?;
        nlocals += count as u64;
        wide_locals |= t == wasmparser::ValType::V128 && count > 0;
    }
    if nlocals > 1_000_000 {
        return Err("too many locals".into());
    }
    let nparams = ValType::cells_of(&ty.params);
    let mut scratch = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    // Locals' cells: only functions with a v128 param or local need the map.
    let mut local_cells = std::mem::take(&mut scratch.local_cells);
    let mut nlocal_cells = nlocals as u32;
    if wide_locals || nparams as usize != ty.params.len() {
        make_room(
            &mut local_cells,
            ty.params.len() + nlocals as usize + 1,
            room,
        )?;
        let mut at = 0u32;
        for t in ty.params.iter() {
            local_cells.push(at);
            at += t.cells();
        }
        for l in body.get_locals_reader().map_err(err)? {
            let (count, t) = l.map_err(err)?;
            let w = crate::module::convert_valtype(t).cells();
            for _ in 0..count {
                local_cells.push(at);
                at += w;
            }
        }
        local_cells.push(at);
        nlocal_cells = at - nparams;
    }
    let base = nparams + nlocal_cells;
    let mut tr = Tr {
        m,
        room,
        code: scratch.code,
        stack: scratch.stack,
        ends: scratch.ends,
        local_cells,
        base,
        max_height: 0,
        ctrls: scratch.ctrls,
        dead_depth: 0,
        last_producer: None,
        num_results: ty.results.len() as u32,
        barrier: 0,
        clean: 0,
    };
    tr.ctrls.push(Ctrl {
        kind: Kind::Func,
        bt: BlockType::Empty,
        height: 0,
        nparams: 0,
        nresults: ty.results.len() as u32,
        start: 0,
        patch_head: NO_PATCH,
        else_patch: None,
        unreachable: false,
    });
    let result = tr.run(body);
    let frame_size = base as u64 + tr.max_height as u64 + 1;
    let code = match result {
        Ok(()) => {
            let mut out = Vec::new();
            let n = tr.code.len();
            if room(n * std::mem::size_of::<Instr>()) && out.try_reserve_exact(n).is_ok() {
                out.extend_from_slice(&tr.code);
                Ok(out.into_boxed_slice())
            } else {
                Err(Box::<str>::from(OUT_OF_MEMORY))
            }
        }
        Err(e) => Err(e),
    };
    // Hand the buffers back for the next translation on this thread.
    let mut scratch = Scratch {
        code: tr.code,
        stack: tr.stack,
        ends: tr.ends,
        local_cells: tr.local_cells,
        ctrls: tr.ctrls,
    };
    if scratch.code.capacity() <= SCRATCH_KEEP
        && scratch.stack.capacity() <= SCRATCH_KEEP
        && scratch.local_cells.capacity() <= SCRATCH_KEEP
    {
        scratch.code.clear();
        scratch.stack.clear();
        scratch.ends.clear();
        scratch.local_cells.clear();
        scratch.ctrls.clear();
        SCRATCH.with(|s| *s.borrow_mut() = scratch);
    }
    let code = code?;
    if frame_size > u32::MAX as u64 / 2 {
        return Err("frame too large".into());
    }
    let cf = CompiledFunc {
        code,
        frame_size: frame_size as u32,
        num_params: nparams,
        num_locals: nlocal_cells,
    };
    // The executor's unchecked slot and `ip` accesses rely on what the verifier checks; in
    // debug builds and with the `verify` feature a failure is this translation's error.
    #[cfg(any(debug_assertions, test, feature = "verify"))]
    crate::verify::verify(m, def, &cf).map_err(|e| -> Box<str> { e.to_string().into() })?;
    Ok(cf)
}

/// `op`'s error for an operator Ember does not execute; `run` replaces it with
/// [`unsupported`]'s message (naming the opcode costs no `Debug` of wasmparser's
/// 500-variant `Operator`).
const UNSUPPORTED: &str = "unsupported operator";

/// "unsupported operator 0xfd 0x0c at offset N (...)": the opcode's bytes as they are in
/// the module (a prefix byte and its LEB128 sub-opcode, or one byte).
fn unsupported(m: &ModuleInner, at: usize) -> Box<str> {
    let code = &m.bytes[at.min(m.bytes.len())..];
    let n = match code.first() {
        Some(0xfb..=0xfe) => 1 + code[1..].iter().take(5).position(|b| b & 0x80 == 0).map_or(0, |k| k + 1),
        _ => 1,
    };
    let hex: Vec<String> = code.iter().take(n).map(|b| format!("{b:#04x}")).collect();
    format!("{UNSUPPORTED} {} at offset {at} (SIMD and post-2.0 proposals are not implemented)", hex.join(" ")).into()
}

impl Tr<'_> {
    fn run(&mut self, body: FunctionBody<'_>) -> Result<(), Box<str>> {
        let err = |e: wasmparser::BinaryReaderError| -> Box<str> { e.to_string().into() };
        let mut ops = body.get_operators_reader().map_err(err)?;
        while !ops.eof() {
            let at = ops.original_position() as usize;
            // Used where `read` wrote it: moving the operator out of the `Result` copies it
            // with wide loads of fields just written narrow (store-forwarding stalls, 15% of
            // translation).
            let read = ops.read();
            let op = match &read {
                Ok(op) => op,
                Err(e) => return Err(err(e.clone())),
            };
            // Room for everything this operator can emit or push (see the module docs).
            make_room(&mut self.code, OP_HEADROOM, self.room)?;
            make_room(&mut self.stack, MAX_ARITY + 4, self.room)?;
            make_room(&mut self.ends, MAX_ARITY + 4, self.room)?;
            make_room(&mut self.ctrls, 1, self.room)?;
            self.op(op).map_err(|e| if &*e == UNSUPPORTED { unsupported(self.m, at) } else { e })?;
            if self.code.len() > LIMIT_CODE {
                return Err("function too large".into());
            }
            if self.ctrls.is_empty() {
                break;
            }
        }
        make_room(&mut self.code, 1, self.room)?;
        self.finish();
        Ok(())
    }

    fn finish(&mut self) {
        // Sentinel: execution can never run off the end.
        self.code.push(Instr::new(Op::Unreachable, 0, 0, 0));
        // Branch targets become offsets relative to the instruction after the branch.
        for (idx, ins) in self.code.iter_mut().enumerate() {
            if ins.op.is_branch() {
                ins.dst = (ins.dst as i64 - (idx as i64 + 1)) as i32 as u32;
            }
        }
    }
}

impl<'m> Tr<'m> {
    /// The first cell of stack entry `i` relative to `base` (also for `i == stack.len()`: where
    /// the next entry goes).
    #[inline(always)]
    fn start(&self, i: usize) -> u32 {
        if i == 0 {
            0
        } else {
            self.ends[i - 1]
        }
    }

    /// Cells stack entry `i` occupies: 1, or 2 for a v128.
    #[inline(always)]
    fn width(&self, i: usize) -> u32 {
        self.ends[i] - self.start(i)
    }

    #[inline(always)]
    fn home(&self, i: usize) -> Slot {
        self.base + self.start(i)
    }

    /// The cell of local `l` (params first).
    #[inline(always)]
    fn local_cell(&self, l: u32) -> Slot {
        if self.local_cells.is_empty() {
            l
        } else {
            self.local_cells[l as usize]
        }
    }

    /// Cells local `l` occupies.
    fn local_width(&self, l: u32) -> u32 {
        if self.local_cells.is_empty() {
            1
        } else {
            self.local_cells[l as usize + 1] - self.local_cells[l as usize]
        }
    }

    /// Pop the top entry, returning it and its width.
    #[inline(always)]
    fn pop_entry(&mut self) -> (Opd, u32) {
        let w = self.width(self.stack.len() - 1);
        self.ends.pop();
        (self.stack.pop().expect("validated stack"), w)
    }

    fn truncate(&mut self, n: usize) {
        self.stack.truncate(n);
        self.ends.truncate(n);
    }

    fn emit(&mut self, op: Op, dst: u32, a: u32, b: u32) -> usize {
        if op == Op::Copy && !self.code.is_empty() {
            let idx = self.code.len() - 1;
            let mergeable = idx >= self.barrier && self.last_producer.map(|(p, _)| p != idx).unwrap_or(true);
            if let (true, Some(prev)) = (mergeable, self.code.last_mut()) {
                if prev.op == Op::Copy && (prev.dst | prev.a | dst | a) <= 0xffff {
                    prev.op = Op::Copy2;
                    prev.dst |= dst << 16;
                    prev.a |= a << 16;
                    return idx;
                }
            }
        }
        self.code.push(Instr::new(op, dst, a, b));
        self.code.len() - 1
    }

    /// Copy a `w`-cell value from `src` to `dst`: a v128 (two cells) as one `V128Copy`, so
    /// that it stays one 16-byte access (see the op).
    fn emit_copy(&mut self, dst: u32, src: u32, w: u32) {
        let op = if w == 2 { Op::V128Copy } else { Op::Copy };
        self.emit(op, dst, src, 0);
    }

    /// The current position becomes a branch target.
    fn label(&mut self) -> u32 {
        self.barrier = self.code.len();
        self.pc()
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    #[inline(always)]
    fn push(&mut self, o: Opd) {
        self.push_w(o, 1);
    }

    /// Push an entry `w` cells wide (2 for a v128; those are never constants).
    #[inline(always)]
    fn push_w(&mut self, o: Opd, w: u32) {
        let len = self.stack.len();
        if self.clean > len {
            self.clean = len;
        }
        if o == Opd::Slot && self.clean == len {
            self.clean += 1;
        }
        self.stack.push(o);
        let h = self.start(len) + w;
        self.ends.push(h);
        if h > self.max_height {
            self.max_height = h;
        }
        // Keep folded operands to the top WINDOW entries so that scans for
        // pending locals stay bounded (translation is linear in body size).
        if self.stack.len() - self.clean > WINDOW {
            let upto = self.stack.len() - WINDOW;
            for i in self.clean..upto {
                self.materialize(i);
            }
            self.clean = upto;
        }
    }

    fn push_slot(&mut self) -> Slot {
        self.push(Opd::Slot);
        self.home(self.stack.len() - 1)
    }

    /// Push every value of a block's params (or results) as an entry in its home.
    fn push_block_vals(&mut self, bt: BlockType, results: bool) {
        match bt {
            BlockType::Empty => {}
            BlockType::Type(t) => {
                if results {
                    self.push_w(Opd::Slot, crate::module::convert_valtype(t).cells());
                }
            }
            BlockType::FuncType(t) => {
                let m = self.m;
                let ft = &m.types[t as usize];
                let vals = if results { &ft.results } else { &ft.params };
                for v in vals.iter() {
                    self.push_w(Opd::Slot, v.cells());
                }
            }
        }
    }

    fn emit_const(&mut self, dst: Slot, v: u64) {
        if v >> 32 == 0 {
            self.emit(Op::Const32, dst, v as u32, 0);
        } else {
            self.emit(Op::Const64, dst, v as u32, (v >> 32) as u32);
        }
    }

    /// Pop the top operand and return a slot holding its value.
    fn pop_use(&mut self) -> Slot {
        let (o, _) = self.pop_entry();
        let home = self.home(self.stack.len());
        match o {
            Opd::Slot => home,
            Opd::Local(l) => l,
            Opd::Const(v) => {
                self.emit_const(home, v);
                home
            }
        }
    }

    fn materialize(&mut self, i: usize) {
        self.emit_to_home(i);
        self.stack[i] = Opd::Slot;
    }

    /// Emit the code that puts stack operand `i` into its home slot, without recording that it
    /// is there: for code on one path only (a conditional return), after which the other path
    /// goes on with the operand stack as it was.
    fn emit_to_home(&mut self, i: usize) {
        let home = self.home(i);
        match self.stack[i] {
            Opd::Slot => {}
            Opd::Local(l) => self.emit_copy(home, l, self.width(i)),
            Opd::Const(v) => self.emit_const(home, v),
        }
    }

    fn materialize_all(&mut self) {
        let from = self.clean.min(self.stack.len());
        for i in from..self.stack.len() {
            self.materialize(i);
        }
        self.clean = self.stack.len();
    }

    fn materialize_top(&mut self, n: usize) {
        let len = self.stack.len();
        for i in len - n..len {
            self.materialize(i);
        }
    }

    /// Push the result of an instruction and emit it with that destination.
    fn emit_result(&mut self, op: Op, a: u32, b: u32) -> usize {
        let dst = self.push_slot();
        let idx = self.emit(op, dst, a, b);
        self.last_producer = Some((idx, self.code.len()));
        idx
    }

    /// As `emit_result`, for an instruction producing a v128 (two cells).
    fn emit_result_v(&mut self, op: Op, a: u32, b: u32) -> usize {
        self.push_w(Opd::Slot, 2);
        let dst = self.home(self.stack.len() - 1);
        let idx = self.emit(op, dst, a, b);
        self.last_producer = Some((idx, self.code.len()));
        idx
    }

    fn unop(&mut self, op: Op) {
        if op == Op::F32ConvertI32U && self.fuse_convert_to_f32() {
            return;
        }
        let a = self.pop_use();
        self.emit_result(op, a, 0);
    }

    fn binop(&mut self, op: Op) {
        let bo = *self.stack.last().expect("validated stack");
        let ao = self.stack[self.stack.len() - 2];
        if let Opd::Const(v) = bo {
            if is_identity(op, v) {
                // `x + 0`, `x * 1`, `x << 0` ...: the left operand's entry is the result.
                self.pop_entry();
                return;
            }
        }
        if let Some((f, a, b)) = self.fuse_shift_mask(op) {
            self.emit_result(f, a, b);
            return;
        }
        if let Some(imm_op) = op.imm_right() {
            // An i64 constant becomes an immediate only if it survives sign extension.
            let wide = imm_op.has_imm_s64();
            let fits = |v: u64| !wide || (v as i64) == (v as i32 as i64);
            if let Opd::Const(v) = bo {
                if fits(v) {
                    self.pop_entry();
                    let a = self.pop_use();
                    self.emit_result(imm_op, a, v as u32);
                    return;
                }
            }
            if let (Opd::Const(v), Some(lop)) = (ao, op.imm_left()) {
                if fits(v) {
                    let b = self.pop_use();
                    self.pop_entry();
                    self.emit_result(lop, b, v as u32);
                    return;
                }
            }
        }
        if op.loaded_right().is_some() {
            if let Some((lop, a, b)) = self.fuse_loaded_right(op) {
                self.emit_result(lop, a, b);
                return;
            }
        }
        if let Some((cop, a, b)) = self.fuse_chain(op) {
            self.emit_result(cop, a, b);
            return;
        }
        let b = self.pop_use();
        let a = self.pop_use();
        self.emit_result(op, a, b);
    }

    fn load(&mut self, op: Op, memarg: &wasmparser::MemArg) {
        self.load_cells(op, memarg, 1);
    }

    /// Emit `f`'s memory instruction(s) for memory `mem` (memory.copy: from memory `src`):
    /// between `MemUse mem, src` and `MemUse 0, 0` unless both are memory 0 (multi-memory, see
    /// `Op::MemUse`). The instruction is then neither the last one emitted nor emitted right
    /// after its operands' producer, so nothing fuses with it.
    fn on_memory<R>(&mut self, mem: u32, src: u32, f: impl FnOnce(&mut Self) -> R) -> R {
        if mem == 0 && src == 0 {
            return f(self);
        }
        self.emit(Op::MemUse, mem, src, 0);
        let r = f(self);
        self.emit(Op::MemUse, 0, 0, 0);
        r
    }

    /// A load whose result takes `cells` cells (2: a v128).
    fn load_cells(&mut self, op: Op, memarg: &wasmparser::MemArg, cells: u32) {
        self.on_memory(memarg.memory, 0, |tr| tr.load_cells_here(op, memarg, cells))
    }

    fn load_cells_here(&mut self, op: Op, memarg: &wasmparser::MemArg, cells: u32) {
        let top = self.stack.len() - 1;
        let (op, a, b) = match self.fuse_address(op, top, memarg.offset as u32) {
            Some(fused) => {
                self.pop_entry();
                fused
            }
            None => (op, self.pop_use(), memarg.offset as u32),
        };
        if cells == 2 {
            self.emit_result_v(op, a, b);
        } else {
            self.emit_result(op, a, b);
        }
    }

    fn store(&mut self, op: Op, memarg: &wasmparser::MemArg) {
        self.on_memory(memarg.memory, 0, |tr| tr.store_here(op, memarg))
    }

    fn store_here(&mut self, op: Op, memarg: &wasmparser::MemArg) {
        let value = *self.stack.last().expect("validated stack");
        let addr = self.stack.len() - 2;
        let off = memarg.offset as u32;
        if let Opd::Const(v) = value {
            let fits32 = (v as i64) == (v as i32 as i64);
            // A 64-bit store takes the constant only if it survives sign extension.
            let imm_op = op.imm_right().filter(|i| fits32 || !i.has_imm_s64());
            if let Some(imm_op) = imm_op {
                self.pop_entry();
                match self.fuse_address(imm_op, addr, off) {
                    Some((xop, a, b)) => {
                        self.pop_entry();
                        self.emit(xop, v as u32, a, b)
                    }
                    None => {
                        let a = self.pop_use();
                        self.emit(imm_op, v as u32, a, off)
                    }
                };
                self.last_producer = None;
                return;
            }
        }
        // A value in a local needs no code to read, so the address add can still be the last
        // instruction (a computed value's own instruction came after it).
        if let Opd::Local(l) = value {
            if let Some((xop, a, b)) = self.fuse_address(op, addr, off) {
                self.pop_entry();
                self.pop_entry();
                self.emit(xop, l, a, b);
                self.last_producer = None;
                return;
            }
        }
        if let Some((rmw, a, b)) = self.fuse_read_modify_write(op, off) {
            self.emit(rmw, 0, a, b);
            self.last_producer = None;
            return;
        }
        let v = self.pop_use();
        let a = self.pop_use();
        self.emit(op, v, a, off);
        self.last_producer = None;
    }

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(t) => {
                let ft = &self.m.types[t as usize];
                (ft.params.len() as u32, ft.results.len() as u32)
            }
        }
    }

    fn push_ctrl(&mut self, kind: Kind, bt: BlockType) {
        let (np, nr) = self.block_arity(bt);
        self.materialize_all();
        self.last_producer = None;
        let start = self.label();
        self.ctrls.push(Ctrl {
            kind,
            bt,
            height: self.stack.len() as u32 - np,
            nparams: np,
            nresults: nr,
            start,
            patch_head: NO_PATCH,
            else_patch: None,
            unreachable: false,
        });
    }

    fn set_unreachable(&mut self) {
        let c = self.ctrls.last_mut().expect("ctrl");
        c.unreachable = true;
        let h = c.height as usize;
        self.truncate(h);
        self.last_producer = None;
    }

    fn is_dead(&self) -> bool {
        self.ctrls.last().map(|c| c.unreachable).unwrap_or(true)
    }

    fn ctrl_at(&self, depth: u32) -> usize {
        self.ctrls.len() - 1 - depth as usize
    }

    /// Number of values a branch to this label carries.
    fn label_arity(&self, ci: usize) -> u32 {
        let c = &self.ctrls[ci];
        if c.kind == Kind::Loop {
            c.nparams
        } else {
            c.nresults
        }
    }

    fn needs_copies(&self, ci: usize) -> bool {
        let n = self.label_arity(ci) as usize;
        let len = self.stack.len();
        let h = self.ctrls[ci].height as usize;
        (0..n).any(|i| !(self.stack[len - n + i] == Opd::Slot && len - n + i == h + i))
    }

    fn emit_copies_to(&mut self, ci: usize) {
        let n = self.label_arity(ci) as usize;
        let len = self.stack.len();
        let h = self.ctrls[ci].height as usize;
        // The label's values start where entry `h` does; each is as wide as the value that
        // goes there.
        let mut dst = self.home(h);
        for i in 0..n {
            let src_i = len - n + i;
            let w = self.width(src_i);
            match self.stack[src_i] {
                Opd::Slot => {
                    if src_i != h + i {
                        self.emit_copy(dst, self.home(src_i), w);
                    }
                }
                Opd::Local(l) => self.emit_copy(dst, l, w),
                Opd::Const(v) => self.emit_const(dst, v),
            }
            dst += w;
        }
    }

    /// Emit a jump instruction `op` (target in `dst`) to label `ci` without copies.
    fn emit_jump(&mut self, ci: usize, op: Op, a: u32, b: u32) {
        let idx = self.emit(op, 0, a, b) as u32;
        self.link(ci, idx);
    }

    fn link(&mut self, ci: usize, idx: u32) {
        let c = &mut self.ctrls[ci];
        if c.kind == Kind::Loop {
            let s = c.start;
            self.code[idx as usize].dst = s;
        } else {
            self.code[idx as usize].dst = c.patch_head;
            c.patch_head = idx;
        }
    }

    fn emit_return(&mut self) {
        let n = self.num_results as usize;
        let len = self.stack.len();
        let single = n == 1 && self.width(len - 1) == 1;
        match n {
            0 => {
                self.emit(Op::Return, 0, 0, 0);
            }
            1 if single => match self.stack[len - 1] {
                // The instruction just emitted computed the result: it writes slot 0 instead.
                Opd::Slot => match self.just_emitted(len - 1) {
                    Some(idx) => {
                        self.code[idx].dst = 0;
                        self.emit(Op::Return, 0, 0, 0);
                    }
                    None => {
                        let h = self.home(len - 1);
                        self.emit(Op::ReturnSlot, 0, h, 0);
                    }
                },
                Opd::Local(0) => {
                    self.emit(Op::Return, 0, 0, 0);
                }
                Opd::Local(l) => {
                    self.emit(Op::ReturnSlot, 0, l, 0);
                }
                Opd::Const(v) => {
                    self.emit_const(0, v);
                    self.emit(Op::Return, 0, 0, 0);
                }
            },
            _ => {
                // Into the home slots first (result slots may overlap locals and homes), then
                // down to slots 0..n in order. The operand stack is left as it was: after a
                // br_if or between br_table's stubs, the other path still has its constants and
                // locals where they were (materializing here would make it read home slots that
                // only this path wrote).
                for i in len - n..len {
                    self.emit_to_home(i);
                }
                let mut dst = 0;
                for i in len - n..len {
                    let (src, w) = (self.home(i), self.width(i));
                    if src != dst {
                        self.emit_copy(dst, src, w);
                    }
                    dst += w;
                }
                self.emit(Op::Return, 0, 0, 0);
            }
        }
    }

    /// Unconditional branch to relative depth (copies + jump, or return).
    fn emit_branch(&mut self, depth: u32) {
        let ci = self.ctrl_at(depth);
        if self.ctrls[ci].kind == Kind::Func {
            self.emit_return();
            return;
        }
        self.emit_copies_to(ci);
        self.emit_jump(ci, Op::Br, 0, 0);
    }

    fn br_if(&mut self, depth: u32) {
        let top = *self.stack.last().expect("validated");
        let cond_home = self.home(self.stack.len() - 1);
        let fused = if top == Opd::Slot { self.take_fusable_cmp(cond_home) } else { None };
        // A condition loaded by the instruction just emitted (the load stays last: popping a
        // computed entry emits nothing).
        let loaded = top == Opd::Slot && fused.is_none() && self.just_emitted(self.stack.len() - 1).is_some();
        let cond = if fused.is_some() {
            self.pop_entry();
            0
        } else {
            self.pop_use()
        };
        self.last_producer = None;
        let ci = self.ctrl_at(depth);
        let simple = self.ctrls[ci].kind != Kind::Func && !self.needs_copies(ci);
        if simple {
            match fused {
                Some(ins) => {
                    let (op, a, b) = match self.fuse_step(ins) {
                        Some(stepped) => stepped,
                        None => (ins.op.fused_branch().expect("fusable"), ins.a, ins.b),
                    };
                    self.emit_jump(ci, op, a, b);
                }
                None => match loaded.then(|| self.fuse_branch_on_load()).flatten() {
                    Some((op, a, b)) => self.emit_jump(ci, op, a, b),
                    None => self.emit_jump(ci, Op::BrIf, cond, 0),
                },
            }
        } else {
            // if !cond skip; copies; br; skip:
            let skip = match fused {
                Some(ins) => match ins.op.negated() {
                    Some(neg) => self.emit(neg.fused_branch().expect("fusable"), 0, ins.a, ins.b),
                    None => {
                        // Re-emit the comparison and branch on its value.
                        self.code.push(ins);
                        self.emit(Op::BrIfNot, 0, ins.dst, 0)
                    }
                },
                None => self.emit(Op::BrIfNot, 0, cond, 0),
            };
            self.emit_branch(depth);
            let here = self.label();
            self.code[skip].dst = here;
        }
    }

    fn op_if(&mut self, bt: BlockType) {
        let top = *self.stack.last().expect("validated");
        let cond_home = self.home(self.stack.len() - 1);
        let fused = if top == Opd::Slot { self.take_fusable_cmp(cond_home) } else { None };
        let (fused, cond) = match fused {
            Some(ins) => match ins.op.negated() {
                Some(neg) => {
                    self.pop_entry();
                    (Some(Instr::new(neg, 0, ins.a, ins.b)), 0)
                }
                None => {
                    self.code.push(ins);
                    (None, self.pop_use())
                }
            },
            None => (None, self.pop_use()),
        };
        // The condition's operand slots are not touched by materialization:
        // it writes only home slots below the condition, never locals.
        self.push_ctrl(Kind::If, bt);
        let idx = match fused {
            Some(ins) => self.emit(ins.op.fused_branch().expect("fusable"), 0, ins.a, ins.b),
            None => self.emit(Op::BrIfNot, 0, cond, 0),
        };
        self.ctrls.last_mut().expect("ctrl").else_patch = Some(idx as u32);
    }

    fn op_else(&mut self) {
        let ci = self.ctrls.len() - 1;
        if !self.ctrls[ci].unreachable {
            let n = self.ctrls[ci].nresults as usize;
            self.materialize_top(n);
            self.emit_jump(ci, Op::Br, 0, 0);
        }
        let here = self.label();
        let c = &mut self.ctrls[ci];
        if let Some(p) = c.else_patch.take() {
            self.code[p as usize].dst = here;
        }
        c.kind = Kind::Else;
        c.unreachable = false;
        let (h, bt) = (c.height, c.bt);
        self.truncate(h as usize);
        self.push_block_vals(bt, false);
        self.last_producer = None;
    }

    fn op_end(&mut self) {
        let ci = self.ctrls.len() - 1;
        if self.ctrls[ci].kind == Kind::Func {
            if !self.ctrls[ci].unreachable {
                self.emit_return();
            }
            self.ctrls.pop();
            return;
        }
        if !self.ctrls[ci].unreachable {
            let n = self.ctrls[ci].nresults as usize;
            self.materialize_top(n);
        }
        let here = self.label();
        let c = self.ctrls.pop().expect("ctrl");
        if let Some(p) = c.else_patch {
            self.code[p as usize].dst = here;
        }
        let mut p = c.patch_head;
        while p != NO_PATCH {
            let next = self.code[p as usize].dst;
            self.code[p as usize].dst = here;
            p = next;
        }
        self.truncate(c.height as usize);
        self.push_block_vals(c.bt, true);
        self.last_producer = None;
    }

    fn br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> Result<(), Box<str>> {
        let idx = self.pop_use();
        let n = targets.len();
        // The jump table: one instruction per target plus the default (OP_HEADROOM covered
        // `pop_use` and this one).
        make_room(&mut self.code, n as usize + 2, self.room)?;
        self.emit(Op::BrTable, 0, idx, n);
        let mut stubs: Vec<(usize, u32)> = Vec::new(); // (entry instr, depth)
        let mut all = Vec::with_capacity(n as usize + 1);
        for t in targets.targets() {
            all.push(t.map_err(|e| -> Box<str> { e.to_string().into() })?);
        }
        all.push(targets.default());
        // Whether a target can be jumped to directly, computed once per depth.
        let mut direct: Vec<Option<bool>> = vec![None; self.ctrls.len()];
        for depth in all {
            let ci = self.ctrl_at(depth);
            let entry = self.emit(Op::Br, 0, 0, 0);
            let is_direct = match direct[depth as usize] {
                Some(d) => d,
                None => {
                    let d = self.ctrls[ci].kind != Kind::Func && !self.needs_copies(ci);
                    direct[depth as usize] = Some(d);
                    d
                }
            };
            if is_direct {
                self.link(ci, entry as u32);
            } else {
                stubs.push((entry, depth));
            }
        }
        let mut stub_pc: Vec<Option<u32>> = vec![None; self.ctrls.len()];
        for (entry, depth) in stubs {
            let pc = match stub_pc[depth as usize] {
                Some(pc) => pc,
                None => {
                    make_room(&mut self.code, OP_HEADROOM, self.room)?;
                    let pc = self.label();
                    self.emit_branch(depth);
                    stub_pc[depth as usize] = Some(pc);
                    pc
                }
            };
            self.code[entry].dst = pc;
        }
        Ok(())
    }

    fn call(&mut self, func_idx: u32) {
        let ft = self.m.func_type(func_idx);
        let np = ft.params.len();
        self.materialize_top(np);
        let base = self.home(self.stack.len() - np);
        if func_idx < self.m.num_imported_funcs {
            self.emit(Op::CallImport, func_idx, base, 0);
        } else {
            self.emit(Op::Call, func_idx - self.m.num_imported_funcs, base, 0);
        }
        self.after_call(self.m.func_type(func_idx));
    }

    /// Replace a call's arguments on the stack by its results (in the same cells).
    fn after_call(&mut self, ft: &crate::types::FuncType) {
        let len = self.stack.len();
        self.truncate(len - ft.params.len());
        for t in ft.results.iter() {
            self.push_w(Opd::Slot, t.cells());
        }
        self.last_producer = None;
    }

    fn local_set(&mut self, local: u32, tee: bool) {
        let l = self.local_cell(local);
        let top = self.stack.len() - 1;
        for i in self.clean.min(top)..top {
            if self.stack[i] == Opd::Local(l) {
                self.materialize(i);
            }
        }
        let (o, w) = self.pop_entry();
        let home = self.home(self.stack.len());
        match o {
            Opd::Local(x) if x == l => {}
            Opd::Local(x) => self.emit_copy(l, x, w),
            Opd::Const(v) => self.emit_const(l, v),
            Opd::Slot => {
                let retarget = match self.last_producer {
                    Some((idx, end)) => end == self.code.len() && self.code[idx].dst == home,
                    None => false,
                };
                if retarget {
                    let (idx, _) = self.last_producer.expect("checked");
                    self.code[idx].dst = l;
                } else {
                    self.emit_copy(l, home, w);
                }
            }
        }
        self.last_producer = None;
        if tee {
            self.push_w(Opd::Local(l), w);
        }
    }

    fn op(&mut self, op: &Operator<'_>) -> Result<(), Box<str>> {
        use Operator as O;
        if self.is_dead() {
            match *op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } => self.dead_depth += 1,
                O::Else if self.dead_depth == 0 => self.op_else(),
                O::End => {
                    if self.dead_depth > 0 {
                        self.dead_depth -= 1;
                    } else {
                        self.op_end();
                    }
                }
                _ => {}
            }
            return Ok(());
        }
        match *op {
            O::Unreachable => {
                self.emit(Op::Unreachable, 0, 0, 0);
                self.set_unreachable();
            }
            O::Nop => {}
            O::Block { blockty } => self.push_ctrl(Kind::Block, blockty),
            O::Loop { blockty } => self.push_ctrl(Kind::Loop, blockty),
            O::If { blockty } => self.op_if(blockty),
            O::Else => self.op_else(),
            O::End => self.op_end(),
            O::Br { relative_depth } => {
                self.emit_branch(relative_depth);
                self.set_unreachable();
            }
            O::BrIf { relative_depth } => self.br_if(relative_depth),
            O::BrTable { ref targets } => {
                self.br_table(targets)?;
                self.set_unreachable();
            }
            O::Return => {
                self.emit_return();
                self.set_unreachable();
            }
            O::Call { function_index } => self.call(function_index),
            O::CallIndirect {
                type_index,
                table_index,
            } => {
                let np = self.m.types[type_index as usize].params.len();
                let idx = self.pop_use();
                self.materialize_top(np);
                let base = self.home(self.stack.len() - np);
                self.emit(Op::CallIndirect, type_index, base, idx);
                self.emit(Op::Extra, table_index, 0, 0);
                self.after_call(&self.m.types[type_index as usize]);
            }
            O::Drop => {
                self.pop_entry();
                self.last_producer = None;
            }
            O::Select | O::TypedSelect { .. } => {
                let wide = self.width(self.stack.len() - 2) == 2;
                if !wide && self.select_on_compare() {
                    return Ok(());
                }
                let c = self.pop_use();
                let b = self.pop_use();
                let a = self.pop_use();
                let idx = if wide {
                    self.emit_result_v(Op::V128Select, a, b)
                } else {
                    self.emit_result(Op::Select, a, b)
                };
                self.emit(Op::Extra, 0, c, 0);
                self.last_producer = Some((idx, self.code.len()));
            }
            O::LocalGet { local_index } => {
                let (l, w) = (self.local_cell(local_index), self.local_width(local_index));
                self.push_w(Opd::Local(l), w);
            }
            O::LocalSet { local_index } => self.local_set(local_index, false),
            O::LocalTee { local_index } => self.local_set(local_index, true),
            O::GlobalGet { global_index } => {
                if self.m.global_type(global_index).content == ValType::V128 {
                    self.emit_result_v(Op::V128GlobalGet, global_index, 0);
                } else {
                    self.emit_result(Op::GlobalGet, global_index, 0);
                }
            }
            O::GlobalSet { global_index } => {
                let wide = self.width(self.stack.len() - 1) == 2;
                let a = self.pop_use();
                let op = if wide {
                    Op::V128GlobalSet
                } else {
                    Op::GlobalSet
                };
                self.emit(op, global_index, a, 0);
                self.last_producer = None;
            }
            O::I32Load { memarg } => self.load(Op::I32Load, &memarg),
            O::I64Load { memarg } => self.load(Op::I64Load, &memarg),
            O::F32Load { memarg } => self.load(Op::F32Load, &memarg),
            O::F64Load { memarg } => self.load(Op::F64Load, &memarg),
            O::I32Load8S { memarg } => self.load(Op::I32Load8S, &memarg),
            O::I32Load8U { memarg } => self.load(Op::I32Load8U, &memarg),
            O::I32Load16S { memarg } => self.load(Op::I32Load16S, &memarg),
            O::I32Load16U { memarg } => self.load(Op::I32Load16U, &memarg),
            O::I64Load8S { memarg } => self.load(Op::I64Load8S, &memarg),
            O::I64Load8U { memarg } => self.load(Op::I64Load8U, &memarg),
            O::I64Load16S { memarg } => self.load(Op::I64Load16S, &memarg),
            O::I64Load16U { memarg } => self.load(Op::I64Load16U, &memarg),
            O::I64Load32S { memarg } => self.load(Op::I64Load32S, &memarg),
            O::I64Load32U { memarg } => self.load(Op::I64Load32U, &memarg),
            O::I32Store { memarg } => self.store(Op::I32Store, &memarg),
            O::I64Store { memarg } => self.store(Op::I64Store, &memarg),
            O::F32Store { memarg } => self.store(Op::F32Store, &memarg),
            O::F64Store { memarg } => self.store(Op::F64Store, &memarg),
            O::I32Store8 { memarg } => self.store(Op::I32Store8, &memarg),
            O::I32Store16 { memarg } => self.store(Op::I32Store16, &memarg),
            O::I64Store8 { memarg } => self.store(Op::I64Store8, &memarg),
            O::I64Store16 { memarg } => self.store(Op::I64Store16, &memarg),
            O::I64Store32 { memarg } => self.store(Op::I64Store32, &memarg),
            O::MemorySize { mem } => {
                self.on_memory(mem, 0, |tr| tr.emit_result(Op::MemorySize, 0, 0));
            }
            O::MemoryGrow { mem } => self.on_memory(mem, 0, |tr| tr.unop(Op::MemoryGrow)),
            O::MemoryFill { mem } => self.on_memory(mem, 0, |tr| tr.three(Op::MemoryFill, None)),
            O::MemoryCopy { dst_mem, src_mem } => self.on_memory(dst_mem, src_mem, |tr| tr.three(Op::MemoryCopy, None)),
            O::MemoryInit { data_index, mem } => {
                self.on_memory(mem, 0, |tr| tr.three(Op::MemoryInit, Some((data_index, 0))))
            }
            O::DataDrop { data_index } => {
                self.emit(Op::DataDrop, data_index, 0, 0);
            }
            O::TableGet { table } => {
                let a = self.pop_use();
                self.emit_result(Op::TableGet, a, table);
            }
            O::TableSet { table } => {
                let v = self.pop_use();
                let i = self.pop_use();
                self.emit(Op::TableSet, table, i, v);
                self.last_producer = None;
            }
            O::TableSize { table } => {
                self.emit_result(Op::TableSize, table, 0);
            }
            O::TableGrow { table } => {
                let n = self.pop_use();
                let init = self.pop_use();
                let idx = self.emit_result(Op::TableGrow, init, n);
                self.emit(Op::Extra, table, 0, 0);
                self.last_producer = Some((idx, self.code.len()));
            }
            O::TableFill { table } => self.three(Op::TableFill, Some((table, 0))),
            O::TableCopy { dst_table, src_table } => self.three(Op::TableCopy, Some((dst_table, src_table))),
            O::TableInit { elem_index, table } => self.three(Op::TableInit, Some((table, elem_index))),
            O::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop, elem_index, 0, 0);
            }
            O::RefNull { .. } => self.push(Opd::Const(0)),
            O::RefIsNull => self.unop(Op::RefIsNull),
            O::RefFunc { function_index } => {
                self.emit_result(Op::RefFunc, function_index, 0);
            }
            O::I32Const { value } => self.push(Opd::Const(value as u32 as u64)),
            O::I64Const { value } => self.push(Opd::Const(value as u64)),
            O::F32Const { value } => self.push(Opd::Const(value.bits() as u64)),
            O::F64Const { value } => self.push(Opd::Const(value.bits())),
            _ => return self.numeric(op),
        }
        Ok(())
    }

    /// Three popped operands (d, s/v, n) plus an optional Extra word.
    fn three(&mut self, op: Op, extra: Option<(u32, u32)>) {
        let n = self.pop_use();
        let s = self.pop_use();
        let d = self.pop_use();
        self.emit(op, d, s, n);
        if let Some((x, y)) = extra {
            self.emit(Op::Extra, x, y, 0);
        }
        self.last_producer = None;
    }

    fn numeric(&mut self, op: &Operator<'_>) -> Result<(), Box<str>> {
        use Operator as O;
        macro_rules! un {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w => { self.unop(Op::$w); return Ok(()); })*
                    _ => {}
                }
            };
        }
        macro_rules! bin {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w => { self.binop(Op::$w); return Ok(()); })*
                    _ => {}
                }
            };
        }
        un!(
            I32Eqz, I32Clz, I32Ctz, I32Popcnt, I64Eqz, I64Clz, I64Ctz, I64Popcnt, F32Abs, F32Neg,
            F32Ceil, F32Floor, F32Trunc, F32Nearest, F32Sqrt, F64Abs, F64Neg, F64Ceil, F64Floor,
            F64Trunc, F64Nearest, F64Sqrt, I32TruncF32S, I32TruncF32U, I32TruncF64S,
            I32TruncF64U, I64ExtendI32S, I64ExtendI32U, I64TruncF32S, I64TruncF32U, I64TruncF64S,
            I64TruncF64U, F32ConvertI32S, F32ConvertI32U, F32ConvertI64S, F32ConvertI64U,
            F32DemoteF64, F64ConvertI32S, F64ConvertI32U, F64ConvertI64S, F64ConvertI64U,
            F64PromoteF32, I32Extend8S, I32Extend16S, I64Extend8S, I64Extend16S, I64Extend32S,
            I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U, I64TruncSatF32S,
            I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,
        );
        bin!(
            I32Eq, I32Ne, I32LtS, I32LtU, I32GtS, I32GtU, I32LeS, I32LeU, I32GeS, I32GeU, I32Add,
            I32Sub, I32Mul, I32DivS, I32DivU, I32RemS, I32RemU, I32And, I32Or, I32Xor, I32Shl,
            I32ShrS, I32ShrU, I32Rotl, I32Rotr, I64Eq, I64Ne, I64LtS, I64LtU, I64GtS, I64GtU,
            I64LeS, I64LeU, I64GeS, I64GeU, I64Add, I64Sub, I64Mul, I64DivS, I64DivU, I64RemS,
            I64RemU, I64And, I64Or, I64Xor, I64Shl, I64ShrS, I64ShrU, I64Rotl, I64Rotr, F32Eq,
            F32Ne, F32Lt, F32Gt, F32Le, F32Ge, F32Add, F32Sub, F32Mul, F32Div, F32Min, F32Max,
            F32Copysign, F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge, F64Add, F64Sub, F64Mul, F64Div,
            F64Min, F64Max, F64Copysign,
        );
        // The reinterpretations are no-ops on 8-byte cells, and so is `i32.wrap_i64`: an i32 is
        // its cell's low half (ARCHITECTURE.md), so the i64's entry becomes the i32's, a
        // constant reduced to 32 bits. The entry keeps its producer for the fusions that consume
        // it unless that is a load: a load's fusions take the loaded type to be the consumer's.
        if let O::I32WrapI64 = op {
            let top = self.stack.len() - 1;
            if let Opd::Const(v) = self.stack[top] {
                self.stack[top] = Opd::Const(v as u32 as u64);
            }
            if let Some(idx) = self.just_emitted(top) {
                if self.code[idx].op.shape().mem {
                    self.last_producer = None;
                }
            }
            return Ok(());
        }
        match *op {
            O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => Ok(()),
            #[cfg(feature = "simd")]
            _ => self.simd(op),
            #[cfg(not(feature = "simd"))]
            _ => Err(UNSUPPORTED.into()),
        }
    }

    /// The SIMD operators (each v128 operand and result takes two cells; ir.rs declares the
    /// ops, which have the operators' names).
    #[cfg(feature = "simd")]
    fn simd(&mut self, op: &Operator<'_>) -> Result<(), Box<str>> {
        use Operator as O;
        /// v128 -> v128, and scalar -> v128 (splat).
        macro_rules! un {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w => { let a = self.pop_use(); self.emit_result_v(Op::$w, a, 0); return Ok(()); })*
                    _ => {}
                }
            };
        }
        /// (v128, v128) -> v128, and (v128, i32) -> v128 (shifts).
        macro_rules! bin {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w => {
                        // As `binop`: a loaded right operand, then a chain.
                        let loaded = match Op::$w.loaded_right() {
                            Some(_) => self.fuse_loaded_right(Op::$w),
                            None => None,
                        };
                        if let Some((f, a, b)) = loaded.or_else(|| self.fuse_chain(Op::$w)) {
                            self.emit_result_v(f, a, b);
                            return Ok(());
                        }
                        let b = self.pop_use();
                        let a = self.pop_use();
                        self.emit_result_v(Op::$w, a, b);
                        return Ok(());
                    })*
                    _ => {}
                }
            };
        }
        /// v128 -> i32.
        macro_rules! test {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w => { let a = self.pop_use(); self.emit_result(Op::$w, a, 0); return Ok(()); })*
                    _ => {}
                }
            };
        }
        macro_rules! load {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w { memarg } => {
                        self.load_cells(Op::$w, &memarg, 2);
                        return Ok(());
                    })*
                    _ => {}
                }
            };
        }
        macro_rules! load_lane {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w { memarg, lane } => {
                        self.on_memory(memarg.memory, 0, |tr| {
                            let v = tr.pop_use();
                            let a = tr.pop_use();
                            let idx = tr.emit_result_v(Op::$w, a, memarg.offset as u32);
                            tr.emit(Op::Extra, v, lane as u32, 0);
                            tr.last_producer = Some((idx, tr.code.len()));
                        });
                        return Ok(());
                    })*
                    _ => {}
                }
            };
        }
        macro_rules! store_lane {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w { memarg, lane } => {
                        self.on_memory(memarg.memory, 0, |tr| {
                            let v = tr.pop_use();
                            let a = tr.pop_use();
                            tr.emit(Op::$w, v, a, memarg.offset as u32);
                            tr.emit(Op::Extra, lane as u32, 0, 0);
                        });
                        self.last_producer = None;
                        return Ok(());
                    })*
                    _ => {}
                }
            };
        }
        macro_rules! extract {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w { lane } => { let a = self.pop_use(); self.emit_result(Op::$w, a, lane as u32); return Ok(()); })*
                    _ => {}
                }
            };
        }
        macro_rules! replace {
            ($($w:ident),* $(,)?) => {
                match *op {
                    $(O::$w { lane } => {
                        let x = self.pop_use();
                        let v = self.pop_use();
                        let idx = self.emit_result_v(Op::$w, v, x);
                        self.emit(Op::Extra, lane as u32, 0, 0);
                        self.last_producer = Some((idx, self.code.len()));
                        return Ok(());
                    })*
                    _ => {}
                }
            };
        }
        load!(
            V128Load,
            V128Load8x8S,
            V128Load8x8U,
            V128Load16x4S,
            V128Load16x4U,
            V128Load32x2S,
            V128Load32x2U,
            V128Load8Splat,
            V128Load16Splat,
            V128Load32Splat,
            V128Load64Splat,
            V128Load32Zero,
            V128Load64Zero,
        );
        load_lane!(
            V128Load8Lane,
            V128Load16Lane,
            V128Load32Lane,
            V128Load64Lane
        );
        store_lane!(
            V128Store8Lane,
            V128Store16Lane,
            V128Store32Lane,
            V128Store64Lane
        );
        extract!(
            I8x16ExtractLaneS,
            I8x16ExtractLaneU,
            I16x8ExtractLaneS,
            I16x8ExtractLaneU,
            I32x4ExtractLane,
            I64x2ExtractLane,
            F32x4ExtractLane,
            F64x2ExtractLane,
        );
        replace!(
            I8x16ReplaceLane,
            I16x8ReplaceLane,
            I32x4ReplaceLane,
            I64x2ReplaceLane,
            F32x4ReplaceLane,
            F64x2ReplaceLane,
        );
        un!(
            I8x16Splat,
            I16x8Splat,
            I32x4Splat,
            I64x2Splat,
            F32x4Splat,
            F64x2Splat,
            V128Not,
            I8x16Abs,
            I8x16Neg,
            I8x16Popcnt,
            I16x8Abs,
            I16x8Neg,
            I16x8ExtAddPairwiseI8x16S,
            I16x8ExtAddPairwiseI8x16U,
            I16x8ExtendLowI8x16S,
            I16x8ExtendHighI8x16S,
            I16x8ExtendLowI8x16U,
            I16x8ExtendHighI8x16U,
            I32x4Abs,
            I32x4Neg,
            I32x4ExtAddPairwiseI16x8S,
            I32x4ExtAddPairwiseI16x8U,
            I32x4ExtendLowI16x8S,
            I32x4ExtendHighI16x8S,
            I32x4ExtendLowI16x8U,
            I32x4ExtendHighI16x8U,
            I64x2Abs,
            I64x2Neg,
            I64x2ExtendLowI32x4S,
            I64x2ExtendHighI32x4S,
            I64x2ExtendLowI32x4U,
            I64x2ExtendHighI32x4U,
            F32x4Ceil,
            F32x4Floor,
            F32x4Trunc,
            F32x4Nearest,
            F32x4Abs,
            F32x4Neg,
            F32x4Sqrt,
            F64x2Ceil,
            F64x2Floor,
            F64x2Trunc,
            F64x2Nearest,
            F64x2Abs,
            F64x2Neg,
            F64x2Sqrt,
            I32x4TruncSatF32x4S,
            I32x4TruncSatF32x4U,
            F32x4ConvertI32x4S,
            F32x4ConvertI32x4U,
            I32x4TruncSatF64x2SZero,
            I32x4TruncSatF64x2UZero,
            F64x2ConvertLowI32x4S,
            F64x2ConvertLowI32x4U,
            F32x4DemoteF64x2Zero,
            F64x2PromoteLowF32x4,
        );
        test!(
            V128AnyTrue,
            I8x16AllTrue,
            I8x16Bitmask,
            I16x8AllTrue,
            I16x8Bitmask,
            I32x4AllTrue,
            I32x4Bitmask,
            I64x2AllTrue,
            I64x2Bitmask,
        );
        bin!(
            I8x16Shl,
            I8x16ShrS,
            I8x16ShrU,
            I16x8Shl,
            I16x8ShrS,
            I16x8ShrU,
            I32x4Shl,
            I32x4ShrS,
            I32x4ShrU,
            I64x2Shl,
            I64x2ShrS,
            I64x2ShrU,
            I8x16Swizzle,
            V128And,
            V128AndNot,
            V128Or,
            V128Xor,
            I8x16Eq,
            I8x16Ne,
            I8x16LtS,
            I8x16LtU,
            I8x16GtS,
            I8x16GtU,
            I8x16LeS,
            I8x16LeU,
            I8x16GeS,
            I8x16GeU,
            I16x8Eq,
            I16x8Ne,
            I16x8LtS,
            I16x8LtU,
            I16x8GtS,
            I16x8GtU,
            I16x8LeS,
            I16x8LeU,
            I16x8GeS,
            I16x8GeU,
            I32x4Eq,
            I32x4Ne,
            I32x4LtS,
            I32x4LtU,
            I32x4GtS,
            I32x4GtU,
            I32x4LeS,
            I32x4LeU,
            I32x4GeS,
            I32x4GeU,
            I64x2Eq,
            I64x2Ne,
            I64x2LtS,
            I64x2GtS,
            I64x2LeS,
            I64x2GeS,
            F32x4Eq,
            F32x4Ne,
            F32x4Lt,
            F32x4Gt,
            F32x4Le,
            F32x4Ge,
            F64x2Eq,
            F64x2Ne,
            F64x2Lt,
            F64x2Gt,
            F64x2Le,
            F64x2Ge,
            I8x16NarrowI16x8S,
            I8x16NarrowI16x8U,
            I8x16Add,
            I8x16AddSatS,
            I8x16AddSatU,
            I8x16Sub,
            I8x16SubSatS,
            I8x16SubSatU,
            I8x16MinS,
            I8x16MinU,
            I8x16MaxS,
            I8x16MaxU,
            I8x16AvgrU,
            I16x8Q15MulrSatS,
            I16x8NarrowI32x4S,
            I16x8NarrowI32x4U,
            I16x8Add,
            I16x8AddSatS,
            I16x8AddSatU,
            I16x8Sub,
            I16x8SubSatS,
            I16x8SubSatU,
            I16x8Mul,
            I16x8MinS,
            I16x8MinU,
            I16x8MaxS,
            I16x8MaxU,
            I16x8AvgrU,
            I16x8ExtMulLowI8x16S,
            I16x8ExtMulHighI8x16S,
            I16x8ExtMulLowI8x16U,
            I16x8ExtMulHighI8x16U,
            I32x4Add,
            I32x4Sub,
            I32x4Mul,
            I32x4MinS,
            I32x4MinU,
            I32x4MaxS,
            I32x4MaxU,
            I32x4DotI16x8S,
            I32x4ExtMulLowI16x8S,
            I32x4ExtMulHighI16x8S,
            I32x4ExtMulLowI16x8U,
            I32x4ExtMulHighI16x8U,
            I64x2Add,
            I64x2Sub,
            I64x2Mul,
            I64x2ExtMulLowI32x4S,
            I64x2ExtMulHighI32x4S,
            I64x2ExtMulLowI32x4U,
            I64x2ExtMulHighI32x4U,
            F32x4Add,
            F32x4Sub,
            F32x4Mul,
            F32x4Div,
            F32x4Min,
            F32x4Max,
            F32x4PMin,
            F32x4PMax,
            F64x2Add,
            F64x2Sub,
            F64x2Mul,
            F64x2Div,
            F64x2Min,
            F64x2Max,
            F64x2PMin,
            F64x2PMax,
        );
        match *op {
            O::V128Const { value } => {
                let v = u128::from_le_bytes(*value.bytes());
                let w = |k: u32| (v >> (32 * k)) as u32;
                let idx = self.emit_result_v(Op::V128Const, w(0), w(1));
                self.emit(Op::Extra, w(2), w(3), 0);
                self.last_producer = Some((idx, self.code.len()));
            }
            O::V128Store { memarg } => self.store(Op::V128Store, &memarg),
            O::I8x16Shuffle { lanes } => {
                let b = self.pop_use();
                let a = self.pop_use();
                let k = lanes[0] as u32;
                let window = (1..16).contains(&k) && lanes.iter().zip(k..).all(|(&l, w)| l as u32 == w);
                if window && (a | b) <= 0xffff {
                    self.emit_result_v(Op::I8x16ShuffleWindow, a | b << 16, k);
                    return Ok(());
                }
                let idx = self.emit_result_v(Op::I8x16Shuffle, a, b);
                // 5 bits per lane index (< 32, validated): lanes 0-5, 6-11, 12-15.
                let mut packed = [0u32; 3];
                for (i, &k) in lanes.iter().enumerate() {
                    packed[i / 6] |= (k as u32 & 31) << (5 * (i % 6));
                }
                self.emit(Op::Extra, packed[0], packed[1], packed[2]);
                self.last_producer = Some((idx, self.code.len()));
            }
            O::V128Bitselect => {
                let c = self.pop_use();
                let b = self.pop_use();
                let a = self.pop_use();
                let idx = self.emit_result_v(Op::V128Bitselect, a, b);
                self.emit(Op::Extra, 0, c, 0);
                self.last_producer = Some((idx, self.code.len()));
            }
            _ => return Err(UNSUPPORTED.into()),
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "translate_tests.rs"]
mod tests;
