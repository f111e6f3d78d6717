//! The IR verifier: checks one translated function ([`CompiledFunc`]) against everything the
//! executor's unchecked accesses rely on, using only the op shapes declared in `ir.rs`
//! ([`Op::shape`]), so a new op is verified as soon as it is declared.
//!
//! Checked, per instruction:
//! - every slot operand (locals are slots too: params, then locals) below the frame size,
//!   both halves of a `Copy2`'s packed slots included;
//! - every branch target (relative to the next instruction, as `finish` leaves it) inside
//!   the function's code, and not on an `Extra` word;
//! - every function, type, global, table, data and element index in range for the module;
//!   ops that access memory 0 only in a module that has a memory;
//! - a call's argument base: the callee's parameters and results fit in this frame;
//! - an op declared with an `Extra` word is followed by one (and `Extra` appears nowhere
//!   else); a `BrTable` is followed by its `n + 1` `Br` entries, inside the code;
//! - fields declared unused are 0 (a field used by the translator but not declared shows up);
//! - the code ends with the `Unreachable` sentinel, so no fall-through leaves it; the frame
//!   holds the params and the locals.
//!
//! It runs in `translate` after every translation in debug builds and with the crate's
//! `verify` feature (the spec-suite harness enables it; release builds of the runtime compile
//! it out): a failure is the translation's error, so the function cannot run.

use std::fmt;

use crate::ir::{CompiledFunc, Field, Instr, Op};
use crate::module::ModuleInner;
use crate::types::ValType;

/// What the verifier found wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// Defined-function index.
    pub func: u32,
    /// Instruction index (the code's length for whole-function checks).
    pub pc: usize,
    pub op: Option<Op>,
    pub what: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IR verifier: defined function {}, instruction {}", self.func, self.pc)?;
        if let Some(op) = self.op {
            write!(f, " ({})", op.name())?;
        }
        write!(f, ": {}", self.what)
    }
}

impl std::error::Error for VerifyError {}

/// Entity counts of the module the function belongs to.
struct Limits {
    frame: u64,
    funcs: u64,
    imported_funcs: u64,
    defined_funcs: u64,
    types: u64,
    globals: u64,
    tables: u64,
    datas: u64,
    elems: u64,
    memories: u64,
}

/// Check defined function `def` of `m`, translated to `f` (see the module docs).
pub fn verify(m: &ModuleInner, def: u32, f: &CompiledFunc) -> Result<(), VerifyError> {
    let code = &f.code;
    let err = |pc: usize, op: Option<Op>, what: String| VerifyError { func: def, pc, op, what };
    let lim = Limits {
        frame: f.frame_size as u64,
        funcs: m.func_types.len() as u64,
        imported_funcs: m.num_imported_funcs as u64,
        defined_funcs: m.bodies.len() as u64,
        types: m.types.len() as u64,
        globals: m.num_imported_globals as u64 + m.globals.len() as u64,
        tables: m.num_imported_tables as u64 + m.tables.len() as u64,
        datas: m.datas.len() as u64,
        elems: m.elems.len() as u64,
        memories: m.num_imported_memories as u64 + m.memories.len() as u64,
    };
    // The frame.
    let func_idx = def as u64 + lim.imported_funcs;
    if def as u64 >= lim.defined_funcs || func_idx >= lim.funcs {
        return Err(err(code.len(), None, format!("no defined function {def}")));
    }
    let ty = m.func_type(func_idx as u32);
    let param_cells = ValType::cells_of(&ty.params);
    if f.num_params != param_cells {
        return Err(err(
            code.len(),
            None,
            format!("{} param cells, the type has {param_cells}", f.num_params),
        ));
    }
    // (Not the results: they are written by copies whose slots are checked below; a body that
    // never returns, `unreachable` alone, may have a frame smaller than its results.)
    let need = f.num_params as u64 + f.num_locals as u64;
    if need > lim.frame {
        return Err(err(code.len(), None, format!("frame of {} cells, params + locals need {need}", lim.frame)));
    }
    match code.last() {
        Some(i) if i.op == Op::Unreachable => {}
        _ => return Err(err(code.len(), None, "the code does not end with the Unreachable sentinel".into())),
    }
    // The instructions, each with its Extra word or jump table.
    let mut pc = 0;
    while pc < code.len() {
        let ins = code[pc];
        let op = ins.op;
        let sh = op.shape();
        let e = |what: String| err(pc, Some(op), what);
        if op == Op::Extra {
            return Err(e("an Extra word that no instruction owns".into()));
        }
        if sh.mem && lim.memories == 0 {
            return Err(e("accesses memory 0 in a module without memory".into()));
        }
        for (name, kind, v) in [("dst", sh.dst, ins.dst), ("a", sh.a, ins.a), ("b", sh.b, ins.b)] {
            check_field(code, pc, &lim, kind, v).map_err(|w| e(format!("{name}: {w}")))?;
        }
        if sh.a == Field::CallBase {
            call_fits(m, &lim, &ins).map_err(e)?;
        }
        let mut next = pc + 1;
        if op == Op::BrTable {
            let n = ins.b as usize;
            if n.saturating_add(2) > code.len() - pc {
                return Err(e(format!("jump table of {} entries runs past the code", n + 1)));
            }
            if let Some(k) = (0..=n).find(|&k| code[pc + 1 + k].op != Op::Br) {
                return Err(e(format!("jump table entry {k} is {}, not Br", code[pc + 1 + k].op.name())));
            }
            // The entries are checked as the Br instructions they are.
        }
        if let Some(fields) = sh.extra {
            let x = match code.get(pc + 1) {
                Some(x) if x.op == Op::Extra => *x,
                _ => return Err(e("not followed by its Extra word".into())),
            };
            for (name, kind, v) in [("dst", fields[0], x.dst), ("a", fields[1], x.a), ("b", fields[2], x.b)] {
                check_field(code, pc + 1, &lim, kind, v).map_err(|w| e(format!("Extra.{name}: {w}")))?;
            }
            next += 1;
        }
        pc = next;
    }
    Ok(())
}

/// One field of the instruction at `pc` holding `v`, declared as `kind`.
fn check_field(code: &[Instr], pc: usize, lim: &Limits, kind: Field, v: u32) -> Result<(), String> {
    let below = |what: &str, n: u64| if (v as u64) < n { Ok(()) } else { Err(format!("{what} {v} out of range (< {n})")) };
    match kind {
        Field::Unused => {
            if v != 0 {
                return Err(format!("unused field holds {v}"));
            }
            Ok(())
        }
        Field::Slot | Field::CallBase => below("slot", lim.frame),
        Field::V128 => below("v128 slot", lim.frame.saturating_sub(1)),
        Field::V128AndSlot => {
            let (v128, slot) = (v & 0xffff, v >> 16);
            if v128 as u64 + 1 >= lim.frame || slot as u64 >= lim.frame {
                return Err(format!("packed v128 slot {v128} and slot {slot} out of range (frame {})", lim.frame));
            }
            Ok(())
        }
        Field::V128x2 => {
            for s in [v & 0xffff, v >> 16] {
                if s as u64 + 1 >= lim.frame {
                    return Err(format!("packed v128 slot {s} out of range (< {})", lim.frame.saturating_sub(1)));
                }
            }
            Ok(())
        }
        Field::Slot2 => {
            for s in [v & 0xffff, v >> 16] {
                if s as u64 >= lim.frame {
                    return Err(format!("packed slot {s} out of range (< {})", lim.frame));
                }
            }
            Ok(())
        }
        Field::Target => {
            let t = pc as i64 + 1 + v as i32 as i64;
            if t < 0 || t >= code.len() as i64 {
                return Err(format!("branch target {t} (offset {}) outside the code (0..{})", v as i32, code.len()));
            }
            if code[t as usize].op == Op::Extra {
                return Err(format!("branch target {t} is an Extra word"));
            }
            Ok(())
        }
        // BrTable's count is checked with its table.
        Field::Count | Field::Imm | Field::ImmS64 => Ok(()),
        Field::DefFunc => below("defined function", lim.defined_funcs),
        Field::ImportFunc => below("imported function", lim.imported_funcs),
        Field::Func => below("function", lim.funcs),
        Field::Type => below("type", lim.types),
        Field::Global => below("global", lim.globals),
        Field::Table => below("table", lim.tables),
        Field::Data => below("data segment", lim.datas),
        Field::Elem => below("element segment", lim.elems),
        Field::Memory => below("memory", lim.memories),
    }
}

/// A call's callee frame starts at its argument base `a`: its parameters and results must fit
/// in the caller's frame. The callee's type comes from what `dst` names (indices are checked).
fn call_fits(m: &ModuleInner, lim: &Limits, ins: &Instr) -> Result<(), String> {
    let ty = match ins.op.shape().dst {
        Field::DefFunc => m.func_type(ins.dst + m.num_imported_funcs),
        Field::ImportFunc | Field::Func => m.func_type(ins.dst),
        Field::Type => &m.types[ins.dst as usize],
        other => return Err(format!("a call whose dst is {other:?}")),
    };
    let cells = ValType::cells_of(&ty.params).max(ValType::cells_of(&ty.results)) as u64;
    if ins.a as u64 + cells > lim.frame {
        return Err(format!("arguments/results at {}..{} past the frame ({} cells)", ins.a, ins.a as u64 + cells, lim.frame));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::ModuleInner;
    use crate::translate::translate;

    /// A module with a memory, a global, a table, and functions that branch, call, select,
    /// use a br_table and call indirectly.
    const WAT: &str = r#"
        (module
          (type $t (func (param i32) (result i32)))
          (import "env" "f" (func $imp (param i32) (result i32)))
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (table 2 funcref)
          (elem (i32.const 0) $loop)
          (func $loop (param $n i32) (result i32) (local $acc i32)
            (block $done
              (loop $top
                (br_if $done (i32.eqz (local.get $n)))
                (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $n))))
                (global.set $g (local.get $acc))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $top)))
            (local.get $acc))
          (func $calls (param $x i32) (result i32)
            (block $a (block $b (block $c
              (br_table $a $b $c (local.get $x)))
              (return (call $loop (local.get $x))))
              (return (call $imp (local.get $x))))
            (select (call_indirect (type $t) (local.get $x) (i32.const 0))
                    (global.get $g) (local.get $x))))
    "#;

    fn module() -> ModuleInner {
        ModuleInner::parse(&wat::parse_str(WAT).expect("wat")).expect("valid module")
    }

    fn translated(m: &ModuleInner, def: u32) -> CompiledFunc {
        translate(m, def, |_| true).expect("translates (and verifies)")
    }

    fn with_code(f: &CompiledFunc, edit: impl FnOnce(&mut Vec<Instr>)) -> CompiledFunc {
        let mut code = f.code.to_vec();
        edit(&mut code);
        CompiledFunc { code: code.into_boxed_slice(), ..*f }
    }

    fn first(f: &CompiledFunc, pred: impl Fn(&Instr) -> bool) -> usize {
        f.code.iter().position(pred).expect("the test function has such an instruction")
    }

    #[test]
    fn translated_functions_verify() {
        let m = module();
        for def in 0..m.bodies.len() as u32 {
            let f = translated(&m, def);
            verify(&m, def, &f).expect("translator output verifies");
        }
    }

    #[test]
    fn branch_target_outside_the_code_is_rejected() {
        let m = module();
        let f = translated(&m, 0);
        let at = first(&f, |i| i.op.is_branch());
        let len = f.code.len();
        // Past the end, before the start, and onto the last+1 instruction.
        for off in [len as u32 * 2, (-(at as i32) - 2) as u32, (len - at - 1) as u32] {
            let bad = with_code(&f, |c| c[at].dst = off);
            let e = verify(&m, 0, &bad).expect_err("corrupt target must be rejected");
            assert_eq!(e.pc, at, "{e}");
            assert!(e.to_string().contains("branch target"), "{e}");
        }
        // The same instruction with a target inside the code is fine.
        let ok = with_code(&f, |c| c[at].dst = (-(at as i32) - 1) as u32);
        verify(&m, 0, &ok).expect("target 0 is inside the code");
    }

    #[test]
    fn slot_past_the_frame_is_rejected() {
        let m = module();
        let f = translated(&m, 0);
        let at = first(&f, |i| i.op.shape().a == Field::Slot);
        let bad = with_code(&f, |c| c[at].a = f.frame_size);
        let e = verify(&m, 0, &bad).expect_err("slot == frame_size must be rejected");
        assert!(e.to_string().contains("slot"), "{e}");
        let ok = with_code(&f, |c| c[at].a = f.frame_size - 1);
        verify(&m, 0, &ok).expect("the last slot of the frame is fine");
        // A frame without the operand-stack slots the code uses.
        let small = CompiledFunc { frame_size: f.num_params + f.num_locals, code: f.code.clone(), ..f };
        let e = verify(&m, 0, &small).expect_err("frame too small");
        assert!(e.to_string().contains("out of range"), "{e}");
    }

    #[test]
    fn entity_indices_are_checked() {
        let m = module();
        let f = translated(&m, 0);
        let at = first(&f, |i| i.op == Op::GlobalSet);
        let e = verify(&m, 0, &with_code(&f, |c| c[at].dst = 1)).expect_err("global 1 does not exist");
        assert!(e.to_string().contains("global 1 out of range"), "{e}");

        let g = translated(&m, 1);
        let call = first(&g, |i| i.op == Op::Call);
        let e = verify(&m, 1, &with_code(&g, |c| c[call].dst = 2)).expect_err("defined function 2 does not exist");
        assert!(e.to_string().contains("defined function 2"), "{e}");
        let imp = first(&g, |i| i.op == Op::CallImport);
        let e = verify(&m, 1, &with_code(&g, |c| c[imp].dst = 1)).expect_err("import 1 does not exist");
        assert!(e.to_string().contains("imported function 1"), "{e}");
        // The callee frame (1 param / 1 result) starts inside the caller's frame.
        let e = verify(&m, 1, &with_code(&g, |c| c[call].a = g.frame_size)).expect_err("base past frame");
        assert!(e.to_string().contains("slot"), "{e}");

        let ind = first(&g, |i| i.op == Op::CallIndirect);
        let e = verify(&m, 1, &with_code(&g, |c| c[ind + 1].dst = 1)).expect_err("table 1 does not exist");
        assert!(e.to_string().contains("Extra.dst: table 1"), "{e}");
        let e = verify(&m, 1, &with_code(&g, |c| c[ind].dst = 99)).expect_err("type 99 does not exist");
        assert!(e.to_string().contains("type 99"), "{e}");
    }

    #[test]
    fn structure_is_checked() {
        let m = module();
        let g = translated(&m, 1);
        // An op whose Extra word went missing.
        let ind = first(&g, |i| i.op == Op::CallIndirect);
        let e = verify(&m, 1, &with_code(&g, |c| c[ind + 1].op = Op::Unreachable)).expect_err("no Extra");
        assert!(e.to_string().contains("Extra word"), "{e}");
        // A br_table whose count runs past its entries or the code.
        let bt = first(&g, |i| i.op == Op::BrTable);
        let e = verify(&m, 1, &with_code(&g, |c| c[bt].b = 1000)).expect_err("table past the code");
        assert!(e.to_string().contains("jump table"), "{e}");
        let e = verify(&m, 1, &with_code(&g, |c| c[bt].b += 1)).expect_err("entry that is not a Br");
        assert!(e.to_string().contains("not Br"), "{e}");
        // No sentinel at the end.
        let e = verify(&m, 1, &with_code(&g, |c| { c.pop(); })).expect_err("no sentinel");
        assert!(e.to_string().contains("sentinel"), "{e}");
        // A packed Copy2 slot.
        let f = translated(&m, 0);
        let at = first(&f, |i| i.op.shape().a == Field::Slot && i.op.shape().dst == Field::Slot);
        let bad = with_code(&f, |c| {
            c[at].op = Op::Copy2;
            c[at].b = 0;
            c[at].dst = f.frame_size << 16; // low half: slot 0
        });
        let e = verify(&m, 0, &bad).expect_err("packed slot past the frame");
        assert!(e.to_string().contains("packed slot"), "{e}");
    }

    /// The declaration's properties agree with each other (a cheap self-check of ir.rs).
    #[test]
    fn isa_properties_are_consistent() {
        for &op in Op::ALL {
            let sh = op.shape();
            if let Some(br) = op.fused_branch() {
                assert!(br.is_branch(), "{}: fused form {} is no branch", op.name(), br.name());
                assert_eq!((br.shape().a, br.shape().b), (sh.a, sh.b), "{}: operands differ from {}", op.name(), br.name());
            }
            if let Some(n) = op.negated() {
                assert_eq!(n.negated(), Some(op), "{}: negation is not an involution", op.name());
                assert_eq!(n.shape(), sh, "{}: negation has another shape", op.name());
            }
            for imm in [op.imm_right(), op.imm_left()].into_iter().flatten() {
                let s = imm.shape();
                assert!(
                    matches!(s.b, Field::Imm | Field::ImmS64) || matches!(s.dst, Field::Imm | Field::ImmS64),
                    "{}: immediate form {} takes no immediate",
                    op.name(),
                    imm.name()
                );
            }
            if op.is_branch() {
                assert!(sh.extra.is_none(), "{}: a branch with an Extra word", op.name());
            }
        }
    }
}
