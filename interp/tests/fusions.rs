//! Fusions of an instruction into the branch or `select` that consumes its result (translate.rs
//! `fuse_step`, `select_on_compare`; their IR shapes are tested in ember-loader's
//! translate_tests.rs): each fused function must agree with the same code kept apart by an empty
//! `block` (a branch target, across which nothing fuses), on values that wrap, change sign and
//! compare equal.

use ember_interp::*;

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).expect("wat")).expect("valid module")
}

/// Call `name` (one result) with `args` on a fresh instance: its result, or the trap, printed.
fn run(m: &Module, name: &str, args: &[Val]) -> String {
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, m, &[]).unwrap();
    let f = inst.get_func(&store, name).expect("export");
    let mut out = [Val::default_of(f.ty(&store).results[0])];
    format!("{:?}", f.call(&mut store, args, &mut out).map(|()| out[0]))
}

/// Functions `name` and `name_sep` of params `$x $y $l` (all `ty`) returning `(op left right)`,
/// where one operand is the expression `p`: in `name_sep`, `p` is computed into a local first,
/// with an empty block (a branch target, across which nothing fuses) before `op`.
fn fused_and_separate(name: &str, ty: &str, op: &str, p: &str, left: &str, right: &str) -> String {
    let sep = |e: &str| if e == p { "(local.get $t)".to_string() } else { e.to_string() };
    format!(
        "(func (export \"{name}\") (param $x {ty}) (param $y {ty}) (param $l {ty}) (result {ty}) ({op} {left} {right}))
         (func (export \"{name}_sep\") (param $x {ty}) (param $y {ty}) (param $l {ty}) (result {ty}) (local $t {ty})
           (local.set $t {p}) (block) ({op} {} {}))\n",
        sep(left),
        sep(right),
    )
}

fn i32s() -> Vec<Val> {
    [0, 1, -1, 2, 7, 100, -100, 0x7fff, -0x8000, i32::MAX, i32::MAX - 1, i32::MIN, i32::MIN + 1]
        .into_iter()
        .map(Val::I32)
        .collect()
}

/// Loop back-edges: `x = x + k` (a local's `tee`) or `t = x + y`, then a compare-and-branch on
/// the sum. The function returns the sum and whether the branch was taken; `$sep` is the same
/// with an empty block between the add and the comparison.
#[test]
fn adds_fused_into_compare_and_branch_agree_with_separate_ones() {
    // (type, the sum, written into $x or a temporary, then compared)
    let sums = [
        ("i32", "(local.tee $x (i32.add (local.get $x) (i32.const 1)))"),
        ("i32", "(local.tee $x (i32.add (local.get $x) (i32.const -2)))"),
        ("i32", "(local.tee $x (i32.add (local.get $x) (i32.const 0x12345)))"),
        ("i32", "(local.tee $x (i32.add (local.get $x) (local.get $y)))"),
        ("i32", "(i32.add (local.get $x) (local.get $y))"),
        ("i32", "(i32.add (local.get $x) (i32.const 3))"),
        ("i64", "(local.tee $x (i64.add (local.get $x) (i64.const 1)))"),
        ("i64", "(local.tee $x (i64.add (local.get $x) (i64.const -0x80000000)))"),
        ("i64", "(local.tee $x (i64.add (local.get $x) (local.get $y)))"),
    ];
    // Comparisons of the sum `S` with `N`: the other operand (param $y) or a constant (one that
    // fits 16 bits, one that does not), on either side.
    let cmps = [
        "(T.ne S (local.get $y))",
        "(T.ne (local.get $y) S)",
        "(T.lt_s S (local.get $y))",
        "(T.lt_u S (local.get $y))",
        "(T.gt_s (local.get $y) S)",
        "(T.lt_s (local.get $y) S)",
        "(T.lt_u (local.get $y) S)",
        "(T.le_s S (local.get $y))",
        "(T.eq S (local.get $y))",
        "(T.ne S (T.const -2))",
        "(T.ne S (T.const 100))",
        "(T.ne S (T.const 0x10000))",
        "(T.lt_s S (T.const 7))",
        "(T.lt_u S (T.const 0x7fff))",
        "(T.lt_s S (T.const -0x8000))",
    ];
    let mut wat = String::from("(module\n");
    let mut names = Vec::new();
    for (t, sum) in sums {
        for (k, cmp) in cmps.iter().enumerate() {
            let name = format!("{t}_{}_{k}", names.len());
            let cond = cmp.replace('T', t).replace('S', "(local.get $s)");
            let fused = cmp.replace('T', t).replace('S', sum);
            let after = if t == "i32" {
                "(i64.extend_i32_u (i32.add (local.get $x) (local.get $y)))"
            } else {
                "(i64.add (local.get $x) (local.get $y))"
            };
            // $s: the sum as the separate version computes it (the fused one reads $x back when
            // it wrote it; a temporary sum is recomputed from the unchanged $x).
            let body = |cond_code: &str, pre: &str| {
                format!(
                    "(local $s {t}) (local $taken i64)
                     {pre}
                     (block $out (block $t (br_if $t {cond_code}) (br $out)) (local.set $taken (i64.const 1)))
                     (i64.or (i64.shl (local.get $taken) (i64.const 63)) {after})"
                )
            };
            wat += &format!(
                "(func (export \"{name}\") (param $x {t}) (param $y {t}) (result i64) {})
                 (func (export \"{name}_sep\") (param $x {t}) (param $y {t}) (result i64) {})\n",
                body(&fused, ""),
                body(&cond, &format!("(local.set $s {sum}) (block)")),
            );
            names.push((name, t));
        }
    }
    wat += ")";
    let m = module(&wat);
    let i64s: Vec<Val> = [0i64, 1, -1, 7, 0x7fff_ffff, i64::MAX, i64::MIN, -0x8000_0000, 0x1_0000_0000]
        .into_iter()
        .map(Val::I64)
        .collect();
    let (mut taken, mut runs) = (0, 0);
    for (name, t) in &names {
        let vals = if *t == "i32" { i32s() } else { i64s.clone() };
        for &x in &vals {
            for &y in &vals {
                let fused = run(&m, name, &[x, y]);
                let sep = run(&m, &format!("{name}_sep"), &[x, y]);
                assert_eq!(fused, sep, "{name}({x:?}, {y:?})");
                taken += fused.contains("I64(-") as usize;
                runs += 1;
            }
        }
    }
    assert!(taken > 0 && taken < runs, "{taken} branches taken in {runs} runs");
}

/// `select` on an i32 comparison (each of the ten, and `i32.eqz`), of values of each type in
/// locals and computed, against the same with an empty block between comparison and select.
#[test]
fn selects_on_a_comparison_agree_with_separate_ones() {
    let cmps = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
    let values = [
        ("i32", "i64.extend_i32_u", "(i32.const 11)", "(i32.const 22)"),
        ("i64", "", "(i64.const -5)", "(i64.const 0x100000000)"),
        ("f32", "i32.reinterpret_f32 i64.extend_i32_u", "(f32.const 1.5)", "(f32.const -0.5)"),
        ("f64", "i64.reinterpret_f64", "(f64.const 2.5)", "(f64.const -3)"),
    ];
    let mut wat = String::from("(module\n");
    let mut names = Vec::new();
    for (t, conv, c1, c2) in values {
        for cmp in cmps.iter().map(|c| format!("(i32.{c} (local.get $p) (local.get $q))")).chain([String::from("(i32.eqz (local.get $p))")]) {
            // The values: two constants, or a local and a computed one.
            for (v1, v2) in [(c1.to_string(), c2.to_string()), (format!("(local.get $v)"), format!("({t}.add (local.get $v) {c2})"))] {
                let name = format!("sel{}", names.len());
                wat += &format!(
                    "(func (export \"{name}\") (param $p i32) (param $q i32) (param $v {t}) (result i64)
                       (select {v1} {v2} {cmp}) {conv})
                     (func (export \"{name}_sep\") (param $p i32) (param $q i32) (param $v {t}) (result i64) (local $c i32)
                       (local.set $c {cmp}) (block) (select {v1} {v2} (local.get $c)) {conv})\n"
                );
                names.push((name, t));
            }
        }
    }
    wat += ")";
    let m = module(&wat);
    let v = |t: &str| match t {
        "i32" => Val::I32(-9),
        "i64" => Val::I64(123),
        "f32" => Val::F32(0.25f32.to_bits()),
        _ => Val::F64(7.75f64.to_bits()),
    };
    for (name, t) in &names {
        let mut outcomes = std::collections::BTreeSet::new();
        for &p in &i32s() {
            for &q in &i32s() {
                let args = [p, q, v(t)];
                let fused = run(&m, name, &args);
                assert_eq!(fused, run(&m, &format!("{name}_sep"), &args), "{name}({p:?}, {q:?})");
                outcomes.insert(fused);
            }
        }
        assert_eq!(outcomes.len(), 2, "{name}: both values selected");
    }
}

/// Chains: a binary operator with an operand computed by the instruction before (xor of a
/// shift or rotation by a constant; add of an add, mul, and or xor; xor of an and; and of a
/// xor), that operand on either side, the other a local or computed, against the same with an
/// empty block between.
#[test]
fn chained_operators_agree_with_separate_ones() {
    let chains = [
        ("xor", "(i32.rotl (local.get $x) (i32.const 14))"),
        ("xor", "(i32.rotl (local.get $x) (i32.const 33))"),
        ("xor", "(i32.shr_u (local.get $x) (i32.const 3))"),
        ("xor", "(i32.shr_u (local.get $x) (i32.const 35))"),
        ("xor", "(i32.shl (local.get $x) (i32.const 20))"),
        ("xor", "(i32.shl (local.get $x) (i32.const 32))"),
        ("add", "(i32.add (local.get $x) (local.get $y))"),
        ("add", "(i32.mul (local.get $x) (local.get $y))"),
        ("add", "(i32.and (local.get $x) (local.get $y))"),
        ("add", "(i32.xor (local.get $x) (local.get $y))"),
        ("xor", "(i32.and (local.get $x) (local.get $y))"),
        ("and", "(i32.xor (local.get $x) (local.get $y))"),
    ];
    let mut wat = String::from("(module\n");
    let mut names = Vec::new();
    for (op, p) in chains {
        let computed = "(select (local.get $l) (local.get $y) (local.get $x))";
        for (left, right) in [(p, "(local.get $l)"), ("(local.get $l)", p), (computed, p)] {
            let name = format!("c{}", names.len());
            wat += &fused_and_separate(&name, "i32", &format!("i32.{op}"), p, left, right);
            names.push(name);
        }
    }
    wat += ")";
    let m = module(&wat);
    let vals: Vec<Val> = [0, 1, -1, 0x1234_5678, i32::MIN, i32::MAX, -0x5a5a_5a5b].into_iter().map(Val::I32).collect();
    for name in &names {
        for &x in &vals {
            for &y in &vals {
                for &l in &vals {
                    let args = [x, y, l];
                    assert_eq!(run(&m, name, &args), run(&m, &format!("{name}_sep"), &args), "{name}({x:?}, {y:?}, {l:?})");
                }
            }
        }
    }
}


/// A shift right and a mask by constants in either order, and a shift by a value then a mask
/// (fused into one instruction when the mask fits 27 bits), against the separate instructions.
#[test]
fn shifts_and_masks_agree_with_separate_ones() {
    let mut exprs = Vec::new();
    for k in [0, 3, 15, 31, 35] {
        for m in ["1", "0xff", "0x7ffffff", "0x8000000", "0x8000", "0xf0f0f0f0", "-1"] {
            exprs.push((format!("(i32.shr_u (local.get $x) (i32.const {k}))"), format!("(i32.and (local.get $t) (i32.const {m}))")));
            exprs.push((format!("(i32.and (local.get $x) (i32.const {m}))"), format!("(i32.shr_u (local.get $t) (i32.const {k}))")));
        }
    }
    for m in ["1", "0x7fff", "-1"] {
        exprs.push(("(i32.shr_u (local.get $x) (local.get $y))".into(), format!("(i32.and (local.get $t) (i32.const {m}))")));
    }
    let mut wat = String::from("(module\n");
    for (n, (inner, outer)) in exprs.iter().enumerate() {
        let fused = outer.replace("(local.get $t)", inner);
        wat += &format!(
            "(func (export \"s{n}\") (param $x i32) (param $y i32) (result i32) {fused})
             (func (export \"s{n}_sep\") (param $x i32) (param $y i32) (result i32) (local $t i32)
               (local.set $t {inner}) (block) {outer})\n"
        );
    }
    wat += ")";
    let m = module(&wat);
    let vals: Vec<Val> = [0, 1, -1, 0x1234_5678, i32::MIN, 0x7fff_8000, 33].into_iter().map(Val::I32).collect();
    for n in 0..exprs.len() {
        for &x in &vals {
            for &y in &vals {
                let name = format!("s{n}");
                assert_eq!(run(&m, &name, &[x, y]), run(&m, &format!("{name}_sep"), &[x, y]), "{:?} at {x:?}, {y:?}", exprs[n]);
            }
        }
    }
}

/// Integer operators with an identity constant (`x + 0`, `x * 1`, `x & -1`, a shift by a
/// multiple of the width ...) emit nothing; the value must come through unchanged, and a
/// constant that is not an identity must still apply.
#[test]
fn identities_leave_the_value_and_others_apply() {
    let cases = [
        ("i32", "add", "0", true), ("i32", "sub", "0", true), ("i32", "or", "0", true), ("i32", "xor", "0", true),
        ("i32", "shl", "32", true), ("i32", "shr_s", "0", true), ("i32", "shr_u", "64", true), ("i32", "rotl", "0", true),
        ("i32", "rotr", "32", true), ("i32", "mul", "1", true), ("i32", "and", "-1", true),
        ("i64", "add", "0", true), ("i64", "sub", "0", true), ("i64", "shl", "64", true), ("i64", "rotr", "128", true),
        ("i64", "mul", "1", true), ("i64", "and", "-1", true), ("i64", "xor", "0", true),
        ("i32", "shl", "33", false), ("i32", "and", "0x7fffffff", false), ("i64", "and", "0xffffffff", false),
        ("i64", "shr_u", "32", false), ("i32", "mul", "-1", false),
    ];
    let mut wat = String::from("(module\n");
    for (n, (t, op, c, _)) in cases.iter().enumerate() {
        wat += &format!("(func (export \"f{n}\") (param $x {t}) (result {t}) ({t}.{op} (local.get $x) ({t}.const {c})))\n");
    }
    wat += ")";
    let m = module(&wat);
    for (n, (t, op, c, identity)) in cases.iter().enumerate() {
        let x = if *t == "i32" { Val::I32(-0x1234_5679) } else { Val::I64(-0x1234_5678_9abc_def1) };
        let r = run(&m, &format!("f{n}"), &[x]);
        assert!(r.starts_with("Ok("), "{t}.{op} {c}: {r}");
        assert_eq!(r == format!("Ok({x:?})"), *identity, "{t}.{op} {c}: {r}");
    }
}

/// Call `name` (one v128 result) with `args` on a fresh instance.
#[cfg(feature = "simd")]
fn v128_of(m: &Module, name: &str, args: &[Val]) -> u128 {
    match result_of(m, name, args) {
        Val::V128(v) => v,
        v => panic!("unexpected {v:?}"),
    }
}

/// `f32x4.mul` into the `f32x4.add`/`f32x4.sub` reading it (`F32x4AddMul` ...), and an
/// `f32x4.add` into the add reading it (`F32x4AddAdd`), on either side, against the same
/// product or sum kept in a local: the same bits on every lane (infinities, signed
/// zeros, products that round, one NaN operand), except that a lane where both operands are
/// NaN may carry either one's payload (the spec allows either, and LLVM may swap a float add's
/// operands in either build), so there any NaN agrees.
#[cfg(feature = "simd")]
#[test]
fn f32x4_multiply_adds_and_add_chains_agree_with_separate_ones() {
    let computed = "(f32x4.sub (local.get $l) (local.get $y))";
    let mut wat = String::from("(module\n");
    let mut names = Vec::new();
    // (outer, inner): the multiply-adds and the add chain (`F32x4AddAdd`).
    for (op, inner) in [("add", "mul"), ("sub", "mul"), ("add", "add")] {
        let p = &format!("(f32x4.{inner} (local.get $x) (local.get $y))");
        for (left, right) in [("(local.get $l)", p.as_str()), (p, "(local.get $l)"), (computed, p)] {
            let name = format!("v{}", names.len());
            wat += &fused_and_separate(&name, "v128", &format!("f32x4.{op}"), p, left, right);
            names.push(name);
        }
    }
    wat += ")";
    let m = module(&wat);
    let lanes = |l: [f32; 4]| -> Val {
        Val::V128(l.iter().enumerate().fold(0u128, |v, (k, f)| v | (f.to_bits() as u128) << (32 * k)))
    };
    let nan_payload = f32::from_bits(0x7fc0_1234);
    let vals = [
        lanes([1.0, -0.0, 0.1, 3.0e38]),
        lanes([16_777_217.0, 1.0e-38, f32::INFINITY, -2.5]),
        lanes([nan_payload, f32::NEG_INFINITY, 0.0, 1.0e-45]),
        lanes([-f32::NAN, 7.0, -0.0, 0.333_333_34]),
    ];
    for name in &names {
        for &x in &vals {
            for &y in &vals {
                for &l in &vals {
                    let args = [x, y, l];
                    let (f, s) = (v128_of(&m, name, &args), v128_of(&m, &format!("{name}_sep"), &args));
                    let lane = |v: u128, k: u32| f32::from_bits((v >> (32 * k)) as u32);
                    let agree = (0..4).all(|k| {
                        let (a, b) = (lane(f, k), lane(s, k));
                        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
                    });
                    assert!(agree, "{name}({x:?}, {y:?}, {l:?}): {f:#x} vs {s:#x}");
                }
            }
        }
    }
}

/// Call `name` (one result) with `args` on a fresh instance: its result.
fn result_of(m: &Module, name: &str, args: &[Val]) -> Val {
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, m, &[]).unwrap();
    let f = inst.get_func(&store, name).expect("export");
    let mut out = [Val::default_of(f.ty(&store).results[0])];
    f.call(&mut store, args, &mut out).expect("no trap");
    out[0]
}

/// `f32.mul`/`f64.mul` into the `add` reading it (`F32AddMul`, `F64AddMul`), and an add into
/// the add reading it (`F32AddAdd`, `F64AddAdd`), on either side, against the product or sum
/// kept in a local: the same bits (two roundings: products
/// that round, infinities, signed zeros), any NaN agreeing with any NaN (which of two NaN
/// operands' payloads an operation carries is left open by the spec).
#[test]
fn float_multiply_adds_and_add_chains_agree_with_separate_ones() {
    let f32s = [1.0f32, -0.0, 0.1, 3.0e38, 16_777_217.0, 1.0e-38, f32::INFINITY, -2.5, f32::from_bits(0x7fc0_1234), 0.333_333_34];
    let f64s = [1.0f64, -0.0, 0.1, 1.0e308, 9_007_199_254_740_993.0, f64::NEG_INFINITY, f64::from_bits(0x7ff8_0000_0000_1234), 1.0 / 3.0];
    let kinds: [(&str, Vec<Val>); 2] = [
        ("f32", f32s.iter().map(|v| Val::F32(v.to_bits())).collect()),
        ("f64", f64s.iter().map(|v| Val::F64(v.to_bits())).collect()),
    ];
    for ((t, vals), inner) in kinds.iter().flat_map(|k| ["mul", "add"].map(|i| (k, i))) {
        let p = format!("({t}.{inner} (local.get $x) (local.get $y))");
        let computed = format!("({t}.sub (local.get $l) (local.get $y))");
        let mut wat = String::from("(module\n");
        let forms = [("(local.get $l)", p.as_str()), (p.as_str(), "(local.get $l)"), (computed.as_str(), p.as_str())];
        for (k, (left, right)) in forms.iter().enumerate() {
            wat += &fused_and_separate(&format!("m{k}"), t, &format!("{t}.add"), &p, left, right);
        }
        let m = module(&(wat + ")"));
        let nan = |v: Val| matches!(v, Val::F32(b) if f32::from_bits(b).is_nan()) || matches!(v, Val::F64(b) if f64::from_bits(b).is_nan());
        for k in 0..forms.len() {
            for &x in vals {
                for &y in vals {
                    for &l in vals {
                        let args = [x, y, l];
                        let (f, s) = (result_of(&m, &format!("m{k}"), &args), result_of(&m, &format!("m{k}_sep"), &args));
                        assert!(f == s || (nan(f) && nan(s)), "{t} {inner} m{k}({x:?}, {y:?}, {l:?}): {f:?} vs {s:?}");
                    }
                }
            }
        }
    }
}

/// A shuffle of 16 consecutive lanes (`I8x16ShuffleWindow`), for every start inside the
/// first operand: bytes k..k + 16 of the two operands one after the other.
#[cfg(feature = "simd")]
#[test]
fn shuffle_windows_take_consecutive_bytes_of_both_operands() {
    let mut wat = String::from("(module\n");
    for k in 1..16 {
        let lanes: Vec<String> = (k..k + 16).map(|l| l.to_string()).collect();
        wat += &format!(
            "(func (export \"w{k}\") (param v128 v128) (result v128) (i8x16.shuffle {} (local.get 0) (local.get 1)))\n",
            lanes.join(" ")
        );
    }
    let m = module(&(wat + ")"));
    let (a, b): ([u8; 16], [u8; 16]) = (std::array::from_fn(|i| 0xa0 + i as u8), std::array::from_fn(|i| 0x30 + i as u8));
    let ab: Vec<u8> = a.iter().chain(&b).copied().collect();
    let args = [Val::V128(u128::from_le_bytes(a)), Val::V128(u128::from_le_bytes(b))];
    for k in 1..16 {
        let want = u128::from_le_bytes(ab[k..k + 16].try_into().unwrap());
        assert_eq!(v128_of(&m, &format!("w{k}"), &args), want, "k = {k}");
    }
}

/// A strength-reduced loop's back-edge: a step in place `x = x + y` (a local's `tee`), then
/// `z + x` compared with `n` (`BrI32StepAddLtS`/`LtU`), with the operands in either order,
/// against the same with an empty block before the comparison. Returns x afterwards and
/// whether the branch was taken.
#[test]
fn steps_fused_into_an_add_compare_and_branch_agree_with_separate_ones() {
    let step = ["(local.tee $x (i32.add (local.get $x) (local.get $y)))", "(local.tee $x (i32.add (local.get $y) (local.get $x)))"];
    let mut wat = String::from("(module\n");
    let mut names = Vec::new();
    for cmp in ["lt_s", "lt_u"] {
        for s in step {
            for sum in [format!("(i32.add (local.get $z) {s})"), format!("(i32.add {s} (local.get $z))"), format!("(i32.add (local.get $x) {s})")] {
                let name = format!("f{}", names.len());
                let body = |cond: &str, pre: &str| {
                    format!(
                        "(local $s i32) (local $taken i64) {pre}
                         (block $out (block $t (br_if $t (i32.{cmp} {cond} (local.get $n))) (br $out)) (local.set $taken (i64.const 1)))
                         (i64.or (i64.shl (local.get $taken) (i64.const 63)) (i64.extend_i32_u (local.get $x)))"
                    )
                };
                wat += &format!(
                    "(func (export \"{name}\") (param $x i32) (param $y i32) (param $z i32) (param $n i32) (result i64) {})
                     (func (export \"{name}_sep\") (param $x i32) (param $y i32) (param $z i32) (param $n i32) (result i64) {})\n",
                    body(&sum, ""),
                    body("(local.get $s)", &format!("(local.set $s {sum}) (block)")),
                );
                names.push(name);
            }
        }
    }
    let m = module(&(wat + ")"));
    let few: Vec<Val> = [0, -1, 100, i32::MAX, i32::MIN].into_iter().map(Val::I32).collect();
    let (mut taken, mut runs) = (0, 0);
    for name in &names {
        for &x in &i32s() {
            for &y in &i32s() {
                for &z in &few {
                    for &n in &few {
                        let args = [x, y, z, n];
                        let fused = run(&m, name, &args);
                        assert_eq!(fused, run(&m, &format!("{name}_sep"), &args), "{name}({args:?})");
                        taken += fused.contains("I64(-") as usize;
                        runs += 1;
                    }
                }
            }
        }
    }
    assert!(taken > 0 && taken < runs, "{taken} branches taken in {runs} runs");
}
