//! The translator's fusions, seen in the IR it emits (their semantics are tested by running
//! code: interp/tests).

use super::translate;
use crate::ir::{Instr, Op};
use crate::module::ModuleInner;

/// The code of each defined function of `funcs` (functions in the text format, with a memory).
fn code_of(funcs: &str) -> Vec<Vec<Instr>> {
    let wat = format!("(module (memory 1) (func $f (result i32) (i32.const 8)) {funcs})");
    let m = ModuleInner::parse(&wat::parse_str(wat).expect("wat")).expect("valid module");
    (1..m.bodies.len() as u32)
        .map(|def| translate(&m, def, |_| true).expect("translates").code.to_vec())
        .collect()
}

fn ops(code: &[Instr]) -> Vec<Op> {
    code.iter().map(|i| i.op).collect()
}

/// The instructions before the function's return (`Return` or `ReturnSlot`, then a sentinel).
fn body(code: &[Instr]) -> &[Instr] {
    let end = code.iter().position(|i| matches!(i.op, Op::Return | Op::ReturnSlot)).expect("a return");
    &code[..end]
}

#[test]
fn an_address_add_fuses_into_its_load_or_store() {
    let c = code_of(
        "(func (param i32 i32 i32) (result i32) (i32.load8_u offset=3 (i32.add (local.get 0) (local.get 1))))
         (func (param i32 i32 i32) (i32.store16 offset=5 (i32.add (local.get 1) (local.get 0)) (local.get 2)))
         (func (param i32 i32) (i32.store8 (i32.add (local.get 0) (local.get 1)) (i32.const 1)))
         (func (param i32 i32) (result f64) (f64.load (i32.add (call $f) (call $f))))
         (func (param i32 i32) (result i32) (i32.load16_s (i32.add (local.get 1) (i32.const -4))))
         (func (param i32 i64) (i64.store32 (i32.add (i32.const 12) (local.get 0)) (local.get 1)))
         (func (param i32 i64) (i64.store (i32.add (local.get 0) (i32.const 8)) (i64.const -1)))",
    );
    let fused: Vec<Instr> = c.iter().map(|f| *body(f).last().expect("code")).collect();
    assert_eq!(
        ops(&fused),
        [
            Op::I32Load8UX,
            Op::I32Store16X,
            Op::I32Store8ImmX,
            Op::I64LoadX,
            Op::I32Load16SW,
            Op::I32StoreW,
            Op::I64StoreImmW
        ]
    );
    assert_eq!((fused[0].a, fused[0].b), (1 << 16, 3), "slots 0 and 1 packed, offset 3");
    assert_eq!((fused[1].dst, fused[1].a, fused[1].b), (2, 1, 5), "value local 2, slots 1 and 0");
    assert_eq!((fused[2].dst, fused[2].a), (1, 1 << 16), "the constant 1 stored");
    // The two call results' homes (above the 2 params) are the packed slots.
    assert_eq!(fused[3].a, 2 | 3 << 16);
    // Wrapped forms: a = the address slot, b = the constant.
    assert_eq!((fused[4].a, fused[4].b), (1, -4i32 as u32));
    assert_eq!((fused[5].dst, fused[5].a, fused[5].b), (1, 0, 12));
    assert_eq!((fused[6].dst, fused[6].a, fused[6].b), (u32::MAX, 0, 8));
    for f in &c {
        assert!(!ops(f).iter().any(|o| matches!(o, Op::I32Add | Op::I32AddImm)), "{:?}", ops(f));
    }
}

#[test]
fn an_add_does_not_fuse_when_code_comes_between_or_it_is_kept() {
    // The last case: a constant add under a nonzero offset (a wrapped form has no offset).
    let c = code_of(
        // The stored value is computed after the add.
        "(func (param i32 i32 i32) (i32.store (i32.add (local.get 0) (local.get 1)) (i32.mul (local.get 2) (local.get 2))))
         (func (param i32 i32) (i64.store (i32.add (local.get 0) (local.get 1)) (i64.const 0x123456789)))
         (func (param i32 i32) (result i32) (i32.load (local.tee 1 (i32.add (local.get 0) (local.get 1)))))
         (func (param i32 i32) (result i32) (i32.load (i32.sub (local.get 0) (local.get 1))))
         (func (param i32 i32) (result i32) (i32.load offset=4 (i32.add (local.get 0) (i32.const 16))))",
    );
    let want: [&[Op]; 5] = [
        &[Op::I32Add, Op::I32Mul, Op::I32Store],
        &[Op::I32Add, Op::Const64, Op::I64Store],
        &[Op::I32Add, Op::I32Load],
        &[Op::I32Sub, Op::I32Load],
        &[Op::I32AddImm, Op::I32Load],
    ];
    for (f, w) in c.iter().zip(want) {
        assert_eq!(ops(body(f)), w, "{:?}", ops(f));
    }
}

#[cfg(feature = "simd")]
#[test]
fn an_address_add_fuses_into_v128_load_and_store() {
    let c = code_of(
        "(func (param i32 i32 v128) (result v128) (v128.load offset=16 (i32.add (local.get 0) (local.get 1))))
         (func (param i32 i32 v128) (v128.store (i32.add (local.get 0) (i32.const 32)) (local.get 2)))",
    );
    // (the loaded v128 is then copied to the result cells)
    let fused: Vec<Instr> = c.iter().map(|f| body(f)[0]).collect();
    assert_eq!(ops(&fused), [Op::V128LoadX, Op::V128StoreW]);
    assert_eq!((fused[0].a, fused[0].b), (1 << 16, 16));
    assert_eq!((fused[1].dst, fused[1].a, fused[1].b), (2, 0, 32));
}

#[test]
fn a_full_width_load_fuses_into_the_operator_it_feeds_as_right_operand() {
    let c = code_of(
        "(func (param i32 i32) (result i32) (i32.sub (local.get 0) (i32.load offset=4 (local.get 1))))
         (func (param f32 i32) (result f32) (f32.mul (local.get 0) (f32.load (local.get 1))))
         (func (param i32 i32) (result i64) (i64.xor (i64.extend_i32_u (local.get 0)) (i64.load offset=8 (local.get 1))))
         (func (param f64 i32) (result f64) (f64.add (local.get 0) (f64.load (call $f))))",
    );
    let fused: Vec<Instr> = c.iter().map(|f| *body(f).last().expect("code")).collect();
    assert_eq!(ops(&fused), [Op::I32SubLd, Op::F32MulLd, Op::I64XorLd, Op::F64AddLd]);
    // a = left operand's slot | address slot << 16, b = the offset.
    assert_eq!((fused[0].a, fused[0].b), (1 << 16, 4));
    assert_eq!((fused[1].a, fused[1].b), (1 << 16, 0));
    // A computed left operand: its home (slot 2, above the params).
    assert_eq!((fused[2].a, fused[2].b), (2 | 1 << 16, 8));
    // The address computed by the call: in the home of stack entry 1 (slot 3; entry 0, the
    // left operand, is local 0).
    assert_eq!(fused[3].a, 3 << 16);
    for f in &c {
        assert!(!ops(f).iter().any(|o| matches!(o, Op::I32Load | Op::I64Load | Op::F32Load | Op::F64Load)), "{:?}", ops(f));
    }
}

#[test]
fn a_load_does_not_fuse_as_left_operand_narrow_or_with_a_fused_address() {
    let c = code_of(
        "(func (param i32 i32) (result i32) (i32.sub (i32.load (local.get 0)) (local.get 1)))
         (func (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load8_u (local.get 1))))
         (func (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load (i32.add (local.get 1) (local.get 0)))))
         (func (param i32 i32) (result i32) (i32.div_u (local.get 0) (i32.load (local.get 1))))
         (func (param i32) (result i32) (i32.sub (i32.const 5) (i32.load (local.get 0))))
         (func (param i32 i32) (result i32) (i32.add (i32.load (local.get 0)) (i32.load (local.get 1))))",
    );
    let want: [&[Op]; 6] = [
        &[Op::I32Load, Op::I32Sub],
        &[Op::I32Load8U, Op::I32Add],
        &[Op::I32LoadX, Op::I32Add],
        &[Op::I32Load, Op::I32DivU],
        &[Op::I32Load, Op::Const32, Op::I32Sub],
        // The first load is the left operand; the second fuses.
        &[Op::I32Load, Op::I32AddLd],
    ];
    for (f, w) in c.iter().zip(want) {
        assert_eq!(ops(body(f)), w, "{:?}", ops(f));
    }
}

#[test]
fn a_byte_load_converted_to_f32_becomes_one_instruction() {
    let c = code_of(
        "(func (param i32) (result f32) (f32.convert_i32_u (i32.load8_u offset=2 (local.get 0))))
         (func (param i32 i32) (result f32) (f32.convert_i32_u (i32.load8_u (i32.add (local.get 0) (local.get 1)))))
         (func (param i32) (result f32) (f32.convert_i32_u (i32.load8_u (i32.add (local.get 0) (i32.const 1024)))))",
    );
    let fused: Vec<Instr> = c.iter().map(|f| *body(f).last().expect("code")).collect();
    assert_eq!(ops(&fused), [Op::F32Load8U, Op::F32Load8UX, Op::F32Load8UW]);
    assert_eq!((fused[0].a, fused[0].b), (0, 2));
    assert_eq!((fused[1].a, fused[1].b), (1 << 16, 0));
    assert_eq!((fused[2].a, fused[2].b), (0, 1024));
    for f in &c {
        assert_eq!(body(f).len(), 1, "{:?}", ops(f));
    }
}

#[test]
fn other_conversions_of_loads_stay_separate() {
    let c = code_of(
        "(func (param i32) (result f32) (f32.convert_i32_s (i32.load8_u (local.get 0))))
         (func (param i32) (result f32) (f32.convert_i32_u (i32.load8_s (local.get 0))))
         (func (param i32) (result f32) (f32.convert_i32_u (i32.load16_u (local.get 0))))
         (func (param i32) (result f32) (f32.convert_i32_u (local.tee 0 (i32.load8_u (local.get 0)))))",
    );
    let want: [&[Op]; 4] = [
        &[Op::I32Load8U, Op::F32ConvertI32S],
        &[Op::I32Load8S, Op::F32ConvertI32U],
        &[Op::I32Load16U, Op::F32ConvertI32U],
        &[Op::I32Load8U, Op::F32ConvertI32U],
    ];
    for (f, w) in c.iter().zip(want) {
        assert_eq!(ops(body(f)), w, "{:?}", ops(f));
    }
}

#[test]
fn an_add_fuses_into_the_compare_and_branch_reading_it() {
    let c = code_of(
        "(func (param i32 i32) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 4))) (local.get 1)))))
         (func (param i32 i32) (loop $l (br_if $l (i32.ne (local.get 1) (local.tee 0 (i32.add (local.get 0) (i32.const 1)))))))
         (func (param i32 i32) (loop $l (br_if $l (i32.lt_s (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (local.get 1)))))
         (func (param i32 i32) (loop $l (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (local.get 1)))))
         (func (param i64 i64) (loop $l (br_if $l (i64.ne (local.tee 0 (i64.add (local.get 0) (i64.const -1))) (local.get 1)))))
         (func (param i32) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const -2))) (i32.const -2)))))
         (func (param i32) (loop $l (br_if $l (i32.lt_s (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 16)))))
         (func (param i32) (loop $l (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 16)))))
         (func (param i32 i32 i32) (loop $l (br_if $l (i32.ne (i32.add (local.get 0) (local.get 1)) (local.get 2)))))
         (func (param i32 i32 i32) (loop $l (br_if $l (i32.lt_s (local.tee 0 (i32.add (local.get 0) (local.get 1))) (local.get 2)))))
         (func (param i32 i32 i32) (loop $l (br_if $l (i32.lt_u (i32.add (local.get 0) (local.get 1)) (local.get 2)))))",
    );
    let fused: Vec<Instr> = c.iter().map(|f| *body(f).last().expect("code")).collect();
    assert_eq!(
        ops(&fused),
        [
            Op::BrI32IncNe,
            Op::BrI32IncNe,
            Op::BrI32IncLtS,
            Op::BrI32IncLtU,
            Op::BrI64IncNe,
            Op::BrI32IncNeImm,
            Op::BrI32IncLtSImm,
            Op::BrI32IncLtUImm,
            Op::BrI32AddNe,
            Op::BrI32AddLtS,
            Op::BrI32AddLtU
        ]
    );
    for f in &c {
        assert_eq!(body(f).len(), 1, "one instruction: {:?}", ops(f));
    }
    assert_eq!((fused[0].a, fused[0].b), (1 << 16, 4), "x = local 0, n = local 1, step 4");
    assert_eq!((fused[1].a, fused[1].b), (1 << 16, 1), "`!=` commuted");
    assert_eq!(fused[4].b, -1i32 as u32);
    assert_eq!((fused[5].a, fused[5].b), (0, 0xfffe_fffe), "step -2, compared with -2");
    assert_eq!(fused[6].b, 16 | 1 << 16);
    // The sum's home is slot 3 (above the 3 params), unless `tee` put it in local 0.
    assert_eq!((fused[8].a, fused[8].b), (1 << 16, 3 | 2 << 16));
    assert_eq!((fused[9].a, fused[9].b), (1 << 16, 2 << 16));
}

#[test]
fn an_add_stays_apart_from_a_branch_it_cannot_fuse_with() {
    let c = code_of(
        // a branch target between the add and the comparison
        "(func (param i32 i32) (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (block) (br_if $l (i32.ne (local.get 0) (local.get 1)))))
         ;; the increment written elsewhere (not in place)
         (func (param i32 i32) (local i32) (loop $l (br_if $l (i32.ne (local.tee 2 (i32.add (local.get 0) (i32.const 1))) (local.get 1)))))
         ;; the sum as the right operand of an order comparison
         (func (param i32 i32) (loop $l (br_if $l (i32.lt_s (local.get 1) (local.tee 0 (i32.add (local.get 0) (i32.const 1)))))))
         ;; constants that do not fit 16 bits
         (func (param i32) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.const 0x8000)))))
         (func (param i32) (loop $l (br_if $l (i32.ne (local.tee 0 (i32.add (local.get 0) (i32.const 0x10000))) (i32.const 5)))))
         ;; a comparison without a fused form
         (func (param i32 i32) (loop $l (br_if $l (i32.eq (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (local.get 1)))))",
    );
    for f in &c {
        let b = body(f);
        assert!(b.len() >= 2, "not fused: {:?}", ops(b));
        assert!(matches!(b[b.len() - 2].op, Op::I32AddImm | Op::Copy), "{:?}", ops(b));
    }
}

#[test]
fn a_select_on_a_comparison_reads_its_operands() {
    let c = code_of(
        "(func (param i32 i32 i64 i64) (result i64) (select (local.get 2) (local.get 3) (i32.eq (local.get 0) (local.get 1))))
         (func (param i32 i32 i64 i64) (result i64) (select (local.get 2) (local.get 3) (i32.ge_u (local.get 0) (local.get 1))))
         (func (param i32 i32 i64 i64) (result i64) (select (local.get 2) (local.get 3) (i32.gt_s (local.get 0) (local.get 1))))
         (func (param i32 i32 i64 i64) (result i64) (select (local.get 2) (local.get 3) (i32.eqz (local.get 0))))
         (func (param i32 i32 i64 i64) (result i64) (select (local.get 2) (local.get 3) (local.get 0)))",
    );
    let sel: Vec<Instr> = c.iter().map(|f| *body(f).iter().find(|i| i.op != Op::Extra && i.op != Op::Copy).expect("select")).collect();
    assert_eq!(ops(&sel), [Op::SelectI32Eq, Op::SelectI32LtU, Op::SelectI32LtS, Op::Select, Op::Select]);
    assert_eq!((sel[0].a, sel[0].b), (2 | 3 << 16, 1 << 16));
    assert_eq!((sel[1].a, sel[1].b), (3 | 2 << 16, 1 << 16), "ge_u: lt_u with the values swapped");
    assert_eq!((sel[2].a, sel[2].b), (2 | 3 << 16, 1), "gt_s: lt_s commuted");
    assert_eq!((sel[3].a, sel[3].b), (3, 2), "eqz: the values swapped");
    let e = body(&c[3])[1];
    assert_eq!((e.op, e.a), (Op::Extra, 0), "eqz: its operand is the condition");
}

#[test]
fn wrapping_an_i64_emits_nothing() {
    let c = code_of(
        "(func (param i64) (result i32) (i32.add (i32.wrap_i64 (local.get 0)) (i32.const 1)))
         (func (result i32) (i32.wrap_i64 (i64.const 0x100000005)))",
    );
    assert_eq!(ops(body(&c[0])), [Op::I32AddImm]);
    assert_eq!(body(&c[0])[0].a, 0, "reads the i64's cell");
    assert_eq!(ops(&c[1][..1]), [Op::Const32]);
    assert_eq!(c[1][0].a, 5);
}

#[test]
fn an_operator_computing_an_operand_fuses_into_its_chain_form() {
    let c = code_of(
        "(func (param i32 i32 i32) (result i32) (i32.xor (local.get 2) (i32.rotl (local.get 0) (i32.const 7))))
         (func (param i32 i32 i32) (result i32) (i32.xor (i32.shr_u (local.get 0) (i32.const 3)) (local.get 2)))
         (func (param i32 i32 i32) (result i32) (i32.add (i32.and (local.get 0) (local.get 1)) (local.get 2)))
         (func (param i32 i32 i32) (result i32) (i32.and (local.get 2) (i32.xor (local.get 0) (local.get 1))))",
    );
    let fused: Vec<Instr> = c.iter().map(|f| *body(f).last().expect("code")).collect();
    assert_eq!(ops(&fused), [Op::I32XorRotlImm, Op::I32XorShrUImm, Op::I32AddAnd, Op::I32AndXor]);
    for f in &c {
        assert_eq!(body(f).len(), 1, "one instruction: {:?}", ops(f));
    }
    assert_eq!((fused[0].a, fused[0].b), (2, 7), "l = local 2, x = local 0, by 7");
    assert_eq!((fused[2].a, fused[2].b), (1 << 16, 2), "x, y = locals 0, 1; l = local 2");
    // Not fused: the computed value also goes to a local, or the other operand is a constant.
    let c = code_of(
        "(func (param i32 i32 i32) (result i32) (i32.xor (local.get 2) (local.tee 1 (i32.rotl (local.get 0) (i32.const 7)))))
         (func (param i32 i32 i32) (result i32) (i32.add (i32.and (local.get 0) (local.get 1)) (i32.const 9)))",
    );
    assert_eq!(ops(body(&c[0])), [Op::I32RotlImm, Op::I32Xor]);
    assert_eq!(ops(body(&c[1])), [Op::I32And, Op::I32AddImm]);
}

#[test]
fn a_shift_right_and_a_mask_are_one_instruction() {
    let c = code_of(
        "(func (param i32 i32) (result i32) (i32.and (i32.shr_u (local.get 0) (i32.const 15)) (i32.const 1)))
         (func (param i32 i32) (result i32) (i32.shr_u (i32.and (local.get 0) (i32.const 0x8000)) (i32.const 15)))
         (func (param i32 i32) (result i32) (i32.and (i32.shr_u (local.get 0) (local.get 1)) (i32.const 0xff)))
         (func (param i32 i32) (result i32) (i32.and (i32.shr_u (local.get 0) (i32.const 1)) (i32.const 0x8000000)))",
    );
    assert_eq!(ops(body(&c[0])), [Op::I32ShrUImmAndImm]);
    assert_eq!(body(&c[0])[0].b, 15 | 1 << 5);
    assert_eq!(ops(body(&c[1])), [Op::I32ShrUImmAndImm]);
    assert_eq!(body(&c[1])[0].b, 15 | 1 << 5, "(x & 0x8000) >> 15 = (x >> 15) & 1");
    assert_eq!(ops(body(&c[2])), [Op::I32ShrUAndImm]);
    assert_eq!((body(&c[2])[0].a, body(&c[2])[0].b), (1 << 16, 0xff));
    assert_eq!(ops(body(&c[3])), [Op::I32ShrUImm, Op::I32AndImm], "a mask of 28 bits stays apart");
}

#[test]
fn an_add_to_memory_is_one_read_modify_write() {
    let c = code_of(
        "(func (param i32 f32) (f32.store offset=8 (local.get 0) (f32.add (local.get 1) (f32.load offset=8 (local.get 0)))))
         (func (param i32 i32) (i32.store (local.get 0) (i32.add (local.get 1) (i32.load (local.get 0)))))
         (func (param i32 i32) (i32.store offset=4 (local.get 0) (i32.add (local.get 1) (i32.load (local.get 0)))))
         (func (param i32 i32) (i32.store (local.get 1) (i32.add (local.get 1) (i32.load (local.get 0)))))",
    );
    assert_eq!(ops(body(&c[0])), [Op::F32AddLdSt]);
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (1, 8), "l = local 1, address local 0, offset 8");
    assert_eq!(ops(body(&c[1])), [Op::I32AddLdSt]);
    assert_eq!(ops(body(&c[2])), [Op::I32AddLd, Op::I32Store], "another offset");
    assert_eq!(ops(body(&c[3])), [Op::I32AddLd, Op::I32Store], "another address");
}

#[test]
fn identities_emit_nothing_and_a_computed_result_is_returned_in_place() {
    let c = code_of(
        "(func (param i32) (result i32) (i32.add (local.get 0) (i32.const 0)))
         (func (param i32) (result i32) (i32.shl (local.get 0) (i32.const 32)))
         (func (param i64) (result i64) (i64.and (local.get 0) (i64.const -1)))
         (func (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
         (func (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
         (func (param i32 i32) (result i32) (local.get 1))",
    );
    assert_eq!(ops(&c[0][..1]), [Op::Return], "x + 0 returns the param in slot 0");
    assert_eq!(ops(&c[1][..1]), [Op::Return], "x << 32 is x");
    assert_eq!(ops(&c[2][..1]), [Op::Return]);
    assert_eq!(ops(&c[3][..2]), [Op::I32MulImm, Op::Return], "x * 2 is computed");
    assert_eq!(c[3][0].dst, 0, "into the result slot");
    assert_eq!((ops(&c[4][..2]), c[4][0].dst), (vec![Op::I32Add, Op::Return], 0));
    assert_eq!(ops(&c[5][..1]), [Op::ReturnSlot]);
}

#[test]
fn a_branch_on_a_loaded_value_is_one_instruction() {
    let c = code_of(
        "(func (param i32 i32) (loop $l (br_if $l (i32.load offset=8 (local.get 0)))))
         (func (param i32 i32) (loop $l (br_if $l (i32.load8_u (i32.add (local.get 0) (local.get 1))))))
         (func (param i32 i32) (loop $l (br_if $l (i32.load16_u (local.get 0)))))
         (func (param i32 i32) (loop $l (br_if $l (local.tee 1 (i32.load (local.get 0))))))",
    );
    assert_eq!(ops(body(&c[0])), [Op::BrIfI32Load]);
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (0, 8));
    assert_eq!(ops(body(&c[1])), [Op::BrIfI32Load8UX]);
    assert_eq!(ops(body(&c[2])), [Op::I32Load16U, Op::BrIf], "no form for 16 bits");
    assert_eq!(ops(body(&c[3])), [Op::I32Load, Op::BrIf], "the value also goes to a local");
}

#[test]
fn a_wrapped_load_fuses_into_the_operator_reading_it() {
    let c = code_of(
        "(func (param f32 i32) (result f32) (f32.mul (local.get 0) (f32.load (i32.add (local.get 1) (i32.const 4)))))
         (func (param i32 i32) (result i32) (i32.add (local.get 0) (i32.load (i32.add (local.get 1) (i32.const -8)))))
         (func (param i32 i32) (result i32) (i32.sub (local.get 0) (i32.load (i32.add (local.get 1) (i32.const 4)))))
         (func (param i64 i32) (result i64) (i64.add (local.get 0) (i64.load32_u (i32.add (local.get 1) (i32.const 4)))))",
    );
    assert_eq!(ops(body(&c[0])), [Op::F32MulLdW]);
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (1 << 16, 4));
    assert_eq!(ops(body(&c[1])), [Op::I32AddLdW]);
    assert_eq!(body(&c[1])[0].b, -8i32 as u32);
    assert_eq!(ops(body(&c[2])), [Op::I32LoadW, Op::I32Sub], "no wrapped form of sub");
    assert_eq!(ops(body(&c[3])), [Op::I32LoadW, Op::I64Add], "a 4-byte load of an i64 stays apart");
}

/// An access to memory 1 runs between `MemUse 1` and `MemUse 0`, unfused (an address add and a
/// read-modify-write stay separate instructions); memory.copy names its source memory too.
#[test]
fn accesses_to_another_memory_are_bracketed_and_not_fused() {
    let wat = "(module (memory 1) (memory 1)
      (func (param i32) (result i32) (i32.load 1 offset=4 (i32.add (local.get 0) (local.get 0))))
      (func (param i32 i32) (i32.store 1 (local.get 0) (i32.add (local.get 1) (i32.load 1 (local.get 0)))))
      (func (param i32) (result i32) (i32.load 0 (i32.add (local.get 0) (local.get 0))))
      (func (param i32 i32 i32) (memory.copy 0 1 (local.get 0) (local.get 1) (local.get 2))))";
    let m = ModuleInner::parse(&wat::parse_str(wat).expect("wat")).expect("valid module");
    let code: Vec<Vec<Instr>> =
        (0..4).map(|def| translate(&m, def, |_| true).expect("translates").code.to_vec()).collect();
    let b = body(&code[0]);
    assert_eq!(ops(b), [Op::I32Add, Op::MemUse, Op::I32Load, Op::MemUse]);
    assert_eq!((b[1].dst, b[1].a, b[2].b, b[3].dst, b[3].a), (1, 0, 4, 0, 0));
    assert_eq!(ops(body(&code[1])), [Op::MemUse, Op::I32Load, Op::MemUse, Op::I32Add, Op::MemUse, Op::I32Store, Op::MemUse]);
    assert_eq!(ops(body(&code[2])), [Op::I32LoadX], "memory 0 still fuses");
    let c = body(&code[3]);
    assert_eq!(ops(c), [Op::MemUse, Op::MemoryCopy, Op::MemUse]);
    assert_eq!((c[0].dst, c[0].a), (0, 1), "into memory 0 from memory 1");
}

/// An `f32x4.mul` fuses into the `f32x4.add`/`f32x4.sub` reading it: right operand, or left
/// with a local on the right; not through a local, nor with another producer.
#[cfg(feature = "simd")]
#[test]
fn f32x4_multiply_adds_fuse() {
    let c = code_of(
        "(func (param v128 v128 v128) (result v128) (f32x4.add (local.get 2) (f32x4.mul (local.get 0) (local.get 1))))
         (func (param v128 v128 v128) (result v128) (f32x4.add (f32x4.mul (local.get 0) (local.get 1)) (local.get 2)))
         (func (param v128 v128 v128) (result v128) (f32x4.sub (local.get 2) (f32x4.mul (local.get 0) (local.get 1))))
         (func (param v128 v128 v128) (result v128) (f32x4.sub (f32x4.mul (local.get 0) (local.get 1)) (local.get 2)))
         (func (param v128 v128 v128) (result v128) (local v128)
           (local.set 3 (f32x4.mul (local.get 0) (local.get 1))) (f32x4.add (local.get 2) (local.get 3)))
         (func (param v128 v128 v128) (result v128) (f32x4.add (local.get 2) (f32x4.div (local.get 0) (local.get 1))))",
    );
    // Each body ends with the result's copy to the return cells (`V128Copy`).
    let arith = |f: &[Instr]| body(f)[body(f).len() - 2];
    let fused: Vec<Op> = c.iter().map(|f| arith(f).op).collect();
    assert_eq!(fused, [Op::F32x4AddMul, Op::F32x4MulAdd, Op::F32x4SubMul, Op::F32x4MulSub, Op::F32x4Add, Op::F32x4Add]);
    let f = arith(&c[0]);
    // v128 params take two cells each: slots 0, 2 and 4.
    assert_eq!((f.a, f.b), (2 << 16, 4), "product of slots 0 and 2, plus slot 4");
    assert_eq!(ops(body(&c[0])), [Op::F32x4AddMul, Op::V128Copy], "the multiply is gone");
}

/// A `v128.load` right operand fuses into `f32x4.add`/`f32x4.mul` (at an offset, or wrapped),
/// and an add's sum stored back to the same address and offset becomes `F32x4AddLdSt`.
#[cfg(feature = "simd")]
#[test]
fn v128_loads_fuse_into_f32x4_operators_and_stores() {
    let c = code_of(
        "(func (param v128 i32) (result v128) (f32x4.mul (local.get 0) (v128.load offset=8 (local.get 1))))
         (func (param v128 i32) (result v128) (f32x4.add (local.get 0) (v128.load (i32.add (local.get 1) (i32.const 16)))))
         (func (param v128 i32) (v128.store offset=8 (local.get 1) (f32x4.add (local.get 0) (v128.load offset=8 (local.get 1)))))
         (func (param v128 i32) (v128.store offset=4 (local.get 1) (f32x4.add (local.get 0) (v128.load offset=8 (local.get 1)))))",
    );
    assert_eq!(ops(body(&c[0])), [Op::F32x4MulLd, Op::V128Copy]);
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (2 << 16, 8), "v128 slot 0, address slot 2, offset 8");
    assert_eq!(ops(body(&c[1])), [Op::F32x4AddLdW, Op::V128Copy]);
    assert_eq!(body(&c[1])[0].b, 16);
    assert_eq!(ops(body(&c[2])), [Op::F32x4AddLdSt]);
    assert_eq!(ops(body(&c[3])), [Op::F32x4AddLd, Op::V128Store], "another offset: no read-modify-write");
}

/// A float multiply fuses into the add reading it, on either side (`F32AddMul`, `F64AddMul`).
#[test]
fn float_multiply_adds_fuse() {
    let c = code_of(
        "(func (param f32 f32 f32) (result f32) (f32.add (local.get 2) (f32.mul (local.get 0) (local.get 1))))
         (func (param f64 f64 f64) (result f64) (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
         (func (param f32 f32 f32) (result f32) (f32.sub (local.get 2) (f32.mul (local.get 0) (local.get 1))))",
    );
    assert_eq!(ops(body(&c[0])), [Op::F32AddMul]);
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (1 << 16, 2));
    assert_eq!(ops(body(&c[1])), [Op::F64AddMul]);
    assert_eq!(ops(body(&c[2])), [Op::F32Mul, Op::F32Sub], "no sub form");
}

/// A sum of many float terms (`s = t + s` in a row, as clang's unrolled dot products and
/// convolutions) fuses its adds in pairs: `F32AddAdd`, `F64AddAdd`, `F32x4AddAdd`.
#[test]
fn float_add_chains_fuse_in_pairs() {
    let c = code_of(
        "(func (param f32 f32 f32 f32) (result f32)
           (f32.add (local.get 3) (f32.add (local.get 2) (f32.add (local.get 1) (local.get 0)))))
         (func (param f64 f64 f64) (result f64) (f64.add (f64.add (local.get 0) (local.get 1)) (local.get 2)))",
    );
    assert_eq!(ops(body(&c[0])), [Op::F32AddAdd, Op::F32Add], "the third add reads the fused pair");
    assert_eq!((body(&c[0])[0].a, body(&c[0])[0].b), (1 | 0 << 16, 2), "2 + (1 + 0)");
    assert_eq!(ops(body(&c[1])), [Op::F64AddAdd]);
    #[cfg(feature = "simd")]
    {
        let c = code_of("(func (param v128 v128 v128) (result v128) (f32x4.add (local.get 2) (f32x4.add (local.get 0) (local.get 1))))");
        assert_eq!(ops(body(&c[0])), [Op::F32x4AddAdd, Op::V128Copy]);
    }
}

/// A v128 moves as one `V128Copy` (never as two cell copies, which `Copy2` would pack): into
/// a local, to a block's result and to the return cells; scalars still pack into `Copy2`.
#[cfg(feature = "simd")]
#[test]
fn v128_values_move_in_one_copy() {
    let c = code_of(
        "(func (param v128 v128) (result v128) (local v128) (local.set 2 (local.get 1)) (local.get 2))
         (func (param v128 i32) (result v128) (block (result v128) (local.get 0) (br_if 0 (local.get 1)) (drop) (local.get 0)))
         (func (param i64 i64 i64 i64) (result i64) (local.set 2 (local.get 0)) (local.set 3 (local.get 1)) (local.get 2))",
    );
    assert!(ops(body(&c[0])).iter().all(|&o| o == Op::V128Copy), "{:?}", ops(body(&c[0])));
    assert!(ops(body(&c[1])).contains(&Op::V128Copy) && !ops(body(&c[1])).contains(&Op::Copy2), "{:?}", ops(body(&c[1])));
    assert_eq!(ops(body(&c[2])), [Op::Copy2]);
    let v = body(&c[0])[0];
    assert_eq!((v.dst, v.a), (4, 2), "local 2 (cells 4, 5) from local 1 (cells 2, 3)");
}

/// A shuffle of 16 consecutive lanes starting inside the first operand becomes
/// `I8x16ShuffleWindow` (k in `b`); any other shuffle stays general.
#[cfg(feature = "simd")]
#[test]
fn consecutive_shuffles_become_windows() {
    let c = code_of(
        "(func (param v128 v128) (result v128) (i8x16.shuffle 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 (local.get 0) (local.get 1)))
         (func (param v128 v128) (result v128) (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get 0) (local.get 1)))
         (func (param v128 v128) (result v128) (i8x16.shuffle 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 0 (local.get 0) (local.get 1)))",
    );
    let w = body(&c[0])[0];
    assert_eq!((w.op, w.a, w.b), (Op::I8x16ShuffleWindow, 2 << 16, 12));
    assert_eq!(body(&c[1])[0].op, Op::I8x16Shuffle, "k = 0: the first operand, left general");
    assert_eq!(body(&c[2])[0].op, Op::I8x16Shuffle, "wraps around: not a window");
}

/// A step in place (`x = x + y` by a local's tee) before an add of it compared and branched on
/// fuses into one `BrI32StepAddLtS`/`LtU` (a = x | y << 16, b = z | n << 16); a sum kept in a
/// local (its value needed after the branch) does not.
#[test]
fn a_step_before_an_add_compare_fuses_into_the_branch() {
    let c = code_of(
        "(func (param i32 i32 i32 i32) (loop (br_if 0 (i32.lt_s (i32.add (local.get 2) (local.tee 0 (i32.add (local.get 0) (local.get 1)))) (local.get 3)))))
         (func (param i32 i32 i32 i32) (loop (br_if 0 (i32.lt_u (i32.add (local.tee 0 (i32.add (local.get 1) (local.get 0))) (local.get 2)) (local.get 3)))))
         (func (param i32 i32 i32 i32) (loop (br_if 0 (i32.lt_s (local.tee 3 (i32.add (local.get 2) (local.tee 0 (i32.add (local.get 0) (local.get 1))))) (local.get 3)))))",
    );
    let b = body(&c[0]);
    assert_eq!(ops(b), [Op::BrI32StepAddLtS]);
    assert_eq!((b[0].a, b[0].b), (1 << 16, 2 | 3 << 16));
    assert_eq!(ops(body(&c[1])), [Op::BrI32StepAddLtU]);
    assert!(!ops(body(&c[2])).contains(&Op::BrI32StepAddLtS), "{:?}", ops(body(&c[2])));
}
