//! The translator's fusions: an instruction whose result the next one consumes, taken out of
//! the code and merged into a combined op where one exists (the list is in translate.rs's
//! docs). Each function says when its fusion is sound; all rely on `just_emitted` (the value
//! was computed by the last instruction, nothing after it) or, for branches, on no branch
//! target in between (`barrier`). The ops are declared in ir.rs; tests in translate_tests.rs
//! (IR shapes) and ember-interp's tests (fusions.rs, memory.rs: semantics).

use super::{Opd, Tr};
use crate::ir::{Field, Instr, Op, Slot};

/// Whether `x op v` is `x` for every integer `x` (`op` an integer binary operator, `v` its right
/// operand as the translator keeps constants: an i32 zero-extended).
pub(super) fn is_identity(op: Op, v: u64) -> bool {
    match op {
        Op::I32Add | Op::I32Sub | Op::I32Or | Op::I32Xor => v as u32 == 0,
        Op::I64Add | Op::I64Sub | Op::I64Or | Op::I64Xor => v == 0,
        Op::I32Shl | Op::I32ShrS | Op::I32ShrU | Op::I32Rotl | Op::I32Rotr => v as u32 & 31 == 0,
        Op::I64Shl | Op::I64ShrS | Op::I64ShrU | Op::I64Rotl | Op::I64Rotr => v & 63 == 0,
        Op::I32Mul => v as u32 == 1,
        Op::I64Mul => v == 1,
        Op::I32And => v as u32 == u32::MAX,
        Op::I64And => v == u64::MAX,
        _ => false,
    }
}

impl Tr<'_> {
    /// The slot stack entry `i` is read from without code (a local, or a computed value in its
    /// home); `None` for a constant, which would need code to materialise.
    fn read_slot(&self, i: usize) -> Option<Slot> {
        match self.stack[i] {
            Opd::Local(l) => Some(l),
            Opd::Slot => Some(self.home(i)),
            Opd::Const(_) => None,
        }
    }

    /// The instruction just emitted fuses into the next one, which takes the top two entries:
    /// remove the instruction and pop the entries.
    fn drop_fused(&mut self) {
        self.code.pop();
        self.last_producer = None;
        self.pop_entry();
        self.pop_entry();
    }

    /// `f32.convert_i32_u` of the byte loaded by the instruction just emitted (into the top
    /// entry's home, which the conversion's result takes too): turn the load into its
    /// converting form ([`Op::to_f32_unsigned`]), in place.
    pub(super) fn fuse_convert_to_f32(&mut self) -> bool {
        let Some(idx) = self.just_emitted(self.stack.len() - 1) else { return false };
        match self.code[idx].op.to_f32_unsigned() {
            Some(c) => {
                self.code[idx].op = c;
                true
            }
            None => false,
        }
    }

    /// For a binary operator `op` with a `loaded_right` form: if its right operand (the top
    /// entry) is the result of the instruction just emitted, that is a full-width load at a
    /// one-slot address (`I32Load`, `I64Load`, `F32Load`, `F64Load`, `V128Load`: validation
    /// makes its type the operator's) or its wrapped form (`I32LoadW`, `I64LoadW`, `V128LoadW`,
    /// when `op` has a `loaded_right_wrapped` form: validation makes the width the operator's), and
    /// the left operand needs no code to read (a local or a computed value), take the load out
    /// of the code, pop both operands and return the fused form with its `a` (left operand and
    /// address slots packed as a [`crate::ir::Field::Slot2`]) and `b` (the offset, or the
    /// wrapped form's constant). The caller emits the fused op next.
    pub(super) fn fuse_loaded_right(&mut self, op: Op) -> Option<(Op, u32, u32)> {
        let top = self.stack.len() - 1;
        let ins = self.code[self.just_emitted(top)?];
        let fused = match ins.op {
            Op::I32Load | Op::I64Load | Op::F32Load | Op::F64Load | Op::V128Load => op.loaded_right()?,
            Op::I32LoadW | Op::I64LoadW | Op::V128LoadW => op.loaded_right_wrapped()?,
            _ => return None,
        };
        let left = self.read_slot(top - 1)?;
        if (left | ins.a) > 0xffff {
            return None;
        }
        self.drop_fused();
        Some((fused, left | ins.a << 16, ins.b))
    }

    /// For a binary operator `op` with a chain form (ir.rs, "Chains", and the f32x4
    /// multiply-adds): if one operand is the result of the instruction just emitted (the right
    /// one, or the left one when the right is a local), that instruction is the operator the
    /// chain form takes, and every slot fits 16 bits, take that instruction out of the code,
    /// pop both operands and return the chain form with its `a` and `b`. The form is the same
    /// for either side when the operator commutes; the f32x4 forms keep the side (a sub does
    /// not commute). The caller emits it next (it reads the removed instruction's operands,
    /// which nothing emitted in between overwrites).
    pub(super) fn fuse_chain(&mut self, op: Op) -> Option<(Op, u32, u32)> {
        let top = self.stack.len() - 1;
        let (idx, other, right) = match self.just_emitted(top) {
            Some(idx) => (idx, top - 1, true),
            None if matches!(self.stack[top], Opd::Local(_)) => (self.just_emitted(top - 1)?, top, false),
            None => return None,
        };
        let l = self.read_slot(other)?;
        let p = self.code[idx];
        // (form, a, b) and the slots packed into 16 bits
        let by_imm = |f: Op| ((f, l | p.a << 16, p.b), l | p.a);
        let by_two = |f: Op| ((f, p.a | p.b << 16, l), p.a | p.b);
        // The form for the computed operand on the right, and on the left.
        let side = |r: Op, left: Op| if right { r } else { left };
        let (fused, packed) = match (op, p.op) {
            (Op::I32Xor, Op::I32RotlImm) => by_imm(Op::I32XorRotlImm),
            (Op::I32Xor, Op::I32ShrUImm) => by_imm(Op::I32XorShrUImm),
            (Op::I32Xor, Op::I32ShlImm) => by_imm(Op::I32XorShlImm),
            (Op::I32Add, Op::I32Add) => by_two(Op::I32AddAdd),
            (Op::I32Add, Op::I32Mul) => by_two(Op::I32AddMul),
            (Op::I32Add, Op::I32And) => by_two(Op::I32AddAnd),
            (Op::I32Add, Op::I32Xor) => by_two(Op::I32AddXor),
            (Op::I32Xor, Op::I32And) => by_two(Op::I32XorAnd),
            (Op::I32And, Op::I32Xor) => by_two(Op::I32AndXor),
            (Op::F32Add, Op::F32Mul) => by_two(Op::F32AddMul),
            (Op::F64Add, Op::F64Mul) => by_two(Op::F64AddMul),
            (Op::F32Add, Op::F32Add) => by_two(Op::F32AddAdd),
            (Op::F64Add, Op::F64Add) => by_two(Op::F64AddAdd),
            (Op::F32x4Add, Op::F32x4Add) => by_two(Op::F32x4AddAdd),
            (Op::F32x4Add, Op::F32x4Mul) => by_two(side(Op::F32x4AddMul, Op::F32x4MulAdd)),
            (Op::F32x4Sub, Op::F32x4Mul) => by_two(side(Op::F32x4SubMul, Op::F32x4MulSub)),
            _ => return None,
        };
        if packed > 0xffff {
            return None;
        }
        self.drop_fused();
        Some(fused)
    }

    /// A shift right by a constant and a mask by a constant in either order, or a shift right
    /// by a slot then a mask, of a value computed by the instruction just emitted (the top
    /// entry's): `I32ShrUImmAndImm`/`I32ShrUAndImm` (ir.rs), as `fuse_chain`. Called with the
    /// constant operand still on the stack.
    pub(super) fn fuse_shift_mask(&mut self, op: Op) -> Option<(Op, u32, u32)> {
        let top = self.stack.len() - 1;
        let Opd::Const(c) = self.stack[top] else { return None };
        let p = self.code[self.just_emitted(top - 1)?];
        let c = c as u32;
        let fused = match (p.op, op) {
            // (x >> k) & m
            (Op::I32ShrUImm, Op::I32And) if c < 1 << 27 => (Op::I32ShrUImmAndImm, p.a, (p.b & 31) | c << 5),
            // (x & m) >> k = (x >> k) & (m >> k)
            (Op::I32AndImm, Op::I32ShrU) if (p.b >> (c & 31)) < 1 << 27 => {
                (Op::I32ShrUImmAndImm, p.a, (c & 31) | (p.b >> (c & 31)) << 5)
            }
            (Op::I32ShrU, Op::I32And) if (p.a | p.b) <= 0xffff => (Op::I32ShrUAndImm, p.a | p.b << 16, c),
            _ => return None,
        };
        self.drop_fused();
        Some(fused)
    }

    /// If stack entry `i`, the address of load or store `op` with offset `off`, is the result
    /// of the instruction just emitted and that is an `i32.add` that can fuse into the access,
    /// take the add out of the code and return the fused op with its `a` and `b`: the
    /// `indexed` form for an add of two slots that fit 16 bits (packed as a
    /// [`crate::ir::Field::Slot2`], `b` = the offset), the `wrapped` form for an add of a
    /// constant when the offset is 0 (`b` = the constant). The caller emits that op next, with
    /// nothing in between: the add's operand slots may be stack homes at or above entry `i`,
    /// which only the fused instruction still reads.
    pub(super) fn fuse_address(&mut self, op: Op, i: usize, off: u32) -> Option<(Op, u32, u32)> {
        let ins = self.code[self.just_emitted(i)?];
        let fused = match ins.op {
            Op::I32Add if (ins.a | ins.b) <= 0xffff => (op.indexed()?, ins.a | ins.b << 16, off),
            Op::I32AddImm if off == 0 => (op.wrapped()?, ins.a, ins.b),
            _ => return None,
        };
        self.code.pop();
        self.last_producer = None;
        Some(fused)
    }

    /// The index of the last instruction emitted, if it is one instruction that produced stack
    /// entry `i` (a computed value in its home) and nothing was emitted after it: the condition
    /// for fusing it into the instruction that consumes the entry.
    pub(super) fn just_emitted(&self, i: usize) -> Option<usize> {
        let (idx, end) = self.last_producer?;
        let ok = self.stack[i] == Opd::Slot && end == self.code.len() && idx + 1 == end && self.code[idx].dst == self.home(i);
        ok.then_some(idx)
    }

    /// Store `op` at offset `off` of a value that the instruction just emitted computed as an
    /// add with a loaded right operand (`*AddLd`) from the store's own address (the same slot
    /// and offset, and the same type): take that instruction out of the code, pop both entries
    /// and return the read-modify-write form (`*AddLdSt`) with its `a` and `b`.
    pub(super) fn fuse_read_modify_write(&mut self, op: Op, off: u32) -> Option<(Op, u32, u32)> {
        let top = self.stack.len() - 1;
        let p = self.code[self.just_emitted(top)?];
        let rmw = match (op, p.op) {
            (Op::I32Store, Op::I32AddLd) => Op::I32AddLdSt,
            (Op::I64Store, Op::I64AddLd) => Op::I64AddLdSt,
            (Op::F32Store, Op::F32AddLd) => Op::F32AddLdSt,
            (Op::F64Store, Op::F64AddLd) => Op::F64AddLdSt,
            (Op::V128Store, Op::F32x4AddLd) => Op::F32x4AddLdSt,
            _ => return None,
        };
        let addr = self.read_slot(top - 1)?;
        if addr != p.a >> 16 || off != p.b {
            return None;
        }
        self.drop_fused();
        Some((rmw, p.a, p.b))
    }

    /// Take the just-emitted comparison producing `cond_home` out of the code,
    /// if there is one, for fusion into a branch.
    pub(super) fn take_fusable_cmp(&mut self, cond_home: Slot) -> Option<Instr> {
        let (idx, end) = self.last_producer?;
        if end != self.code.len() || idx + 1 != end {
            return None;
        }
        let ins = self.code[idx];
        if ins.dst != cond_home || ins.op.fused_branch().is_none() {
            return None;
        }
        self.code.pop();
        self.last_producer = None;
        Some(ins)
    }

    /// `br_if` (no value copies) on an i32 the last instruction loaded, as checked by the
    /// caller with `just_emitted` before popping the condition (which emitted nothing): take
    /// the load out of the code and return the `BrIfI32Load*` form with the load's `a` and `b`.
    pub(super) fn fuse_branch_on_load(&mut self) -> Option<(Op, u32, u32)> {
        let ld = *self.code.last()?;
        let op = match ld.op {
            Op::I32Load => Op::BrIfI32Load,
            Op::I32Load8U => Op::BrIfI32Load8U,
            Op::I32Load8UX => Op::BrIfI32Load8UX,
            _ => return None,
        };
        self.code.pop();
        Some((op, ld.a, ld.b))
    }

    /// A loop's back-edge: comparison `cmp` (taken out of the code for a compare-and-branch)
    /// reads the result of an add emitted just before it (no branch target in between). Take
    /// the add out of the code too and return the `BrI32Inc*`/`BrI64IncNe`/`BrI32Add*` form
    /// doing both (ir.rs), with its `a` and `b`; the caller emits it with the branch target.
    /// Forms: an in-place increment by a constant (`x = x + k`, as a local's `tee` leaves it)
    /// compared with a slot or a 16-bit constant, and an add of two slots compared with a slot
    /// (with an in-place step of one of them just before: `fuse_step_before`).
    pub(super) fn fuse_step(&mut self, cmp: Instr) -> Option<(Op, u32, u32)> {
        let idx = self.code.len().checked_sub(1)?;
        if idx < self.barrier {
            return None;
        }
        let add = self.code[idx];
        let fits16 = |v: u32| (v as i32) == (v as i16 as i32);
        // The add's result must be the comparison's left operand (either one for `!=` of two
        // slots); `n` is the other operand (a slot, or the constant of an `Imm` comparison).
        let n = if cmp.a == add.dst {
            cmp.b
        } else if cmp.b == add.dst && matches!(cmp.op, Op::I32Ne | Op::I64Ne) {
            cmp.a
        } else {
            return None;
        };
        let form = match (add.op, cmp.op) {
            (Op::I32AddImm, Op::I32Ne) => Op::BrI32IncNe,
            (Op::I32AddImm, Op::I32LtS) => Op::BrI32IncLtS,
            (Op::I32AddImm, Op::I32LtU) => Op::BrI32IncLtU,
            (Op::I64AddImm, Op::I64Ne) => Op::BrI64IncNe,
            (Op::I32AddImm, Op::I32NeImm) => Op::BrI32IncNeImm,
            (Op::I32AddImm, Op::I32LtSImm) => Op::BrI32IncLtSImm,
            (Op::I32AddImm, Op::I32LtUImm) => Op::BrI32IncLtUImm,
            (Op::I32Add, Op::I32Ne) => Op::BrI32AddNe,
            (Op::I32Add, Op::I32LtS) => Op::BrI32AddLtS,
            (Op::I32Add, Op::I32LtU) => Op::BrI32AddLtU,
            _ => return None,
        };
        if add.op == Op::I32Add && matches!(form, Op::BrI32AddLtS | Op::BrI32AddLtU) {
            if let Some(stepped) = self.fuse_step_before(add, n, form == Op::BrI32AddLtS) {
                return Some(stepped);
            }
        }
        // Each family's fields (ir.rs) and what must fit them.
        let fused = if add.op == Op::I32Add {
            // t = x + y: a = x | y << 16, b = t | n << 16.
            ((add.a | add.b | add.dst | n) <= 0xffff).then_some((form, add.a | add.b << 16, add.dst | n << 16))?
        } else if add.a != add.dst {
            return None; // an increment fuses only in place
        } else if cmp.op.shape().b == Field::Imm {
            // x += k compared with a constant: both constants in b.
            (fits16(add.b) && fits16(n)).then_some((form, add.dst, (n & 0xffff) | add.b << 16))?
        } else {
            // x += k compared with a slot: a = x | n << 16, b = k.
            ((add.dst | n) <= 0xffff).then_some((form, add.dst | n << 16, add.b))?
        };
        self.code.pop();
        Some(fused)
    }

    /// `fuse_step` of `t = z + x` compared with `n`, where the instruction before that add is
    /// an in-place step `x = x + y` of one of its operands and `t` is a temporary (a stack
    /// home, dead once the branch has read it): take both adds out of the code and return
    /// `BrI32StepAddLtS`/`LtU` with its `a` and `b`.
    fn fuse_step_before(&mut self, add: Instr, n: u32, signed: bool) -> Option<(Op, u32, u32)> {
        let idx = self.code.len().checked_sub(2)?;
        let step = self.code[idx];
        if idx < self.barrier || step.op != Op::I32Add || add.dst < self.base {
            return None;
        }
        // x = x + y, or x = y + x
        let (x, y) = match (step.dst == step.a, step.dst == step.b) {
            (true, _) => (step.a, step.b),
            (false, true) => (step.b, step.a),
            _ => return None,
        };
        let z = match (add.a == x, add.b == x) {
            (_, true) => add.a,
            (true, false) => add.b,
            _ => return None,
        };
        if (x | y | z | n) > 0xffff {
            return None;
        }
        self.code.truncate(idx);
        let op = if signed { Op::BrI32StepAddLtS } else { Op::BrI32StepAddLtU };
        Some((op, x | y << 16, z | n << 16))
    }

    /// `select` (one-cell values) whose condition is the result of an i32 comparison just
    /// emitted: take the comparison out of the code and emit the `SelectI32*` form reading the
    /// comparison's operands (commuted, or with the values swapped, for the comparisons that
    /// have no form of their own); for `i32.eqz`, a `Select` of the eqz's operand with the values
    /// swapped. False (nothing done) when the condition is not such a result or a slot does not
    /// fit 16 bits.
    pub(super) fn select_on_compare(&mut self) -> bool {
        let top = self.stack.len() - 1;
        let Some(idx) = self.just_emitted(top) else { return false };
        let cmp = self.code[idx];
        // (form, commute the comparison's operands, swap the values)
        let (op, commute, swap) = match cmp.op {
            Op::I32Eqz => (Op::Select, false, true),
            Op::I32Eq => (Op::SelectI32Eq, false, false),
            Op::I32Ne => (Op::SelectI32Eq, false, true),
            Op::I32LtS => (Op::SelectI32LtS, false, false),
            Op::I32GtS => (Op::SelectI32LtS, true, false),
            Op::I32GeS => (Op::SelectI32LtS, false, true),
            Op::I32LeS => (Op::SelectI32LtS, true, true),
            Op::I32LtU => (Op::SelectI32LtU, false, false),
            Op::I32GtU => (Op::SelectI32LtU, true, false),
            Op::I32GeU => (Op::SelectI32LtU, false, true),
            Op::I32LeU => (Op::SelectI32LtU, true, true),
            _ => return false,
        };
        // The slots the values will be read from (`pop_use` below puts a constant in its home).
        let slot_of = |i: usize| self.read_slot(i).unwrap_or(self.home(i));
        let (x, y) = (slot_of(top - 2), slot_of(top - 1));
        let (p, q) = if commute { (cmp.b, cmp.a) } else { (cmp.a, cmp.b) };
        if op != Op::Select && (x | y | p | q) > 0xffff {
            return false;
        }
        // The comparison's operand slots are homes at or above the condition's, or locals:
        // the constants materialized below (into the values' homes) do not touch them.
        self.code.pop();
        self.last_producer = None;
        self.pop_entry();
        let b = self.pop_use();
        let a = self.pop_use();
        debug_assert_eq!((a, b), (x, y));
        let (a, b) = if swap { (b, a) } else { (a, b) };
        let idx = if op == Op::Select {
            let idx = self.emit_result(op, a, b);
            self.emit(Op::Extra, 0, cmp.a, 0);
            idx
        } else {
            self.emit_result(op, a | b << 16, p | q << 16)
        };
        self.last_producer = Some((idx, self.code.len()));
        true
    }
}
