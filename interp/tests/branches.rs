//! Branches that carry several values on one path only: a `br_if` that returns from the
//! function, `br_table` stubs for a return and for a block. Each function is called after a
//! call that filled the value stack with -1s, so that a slot the executed path never wrote shows.
//! Regression tests of a miscompilation the differential fuzzer found (fuzz/corpus/
//! differential_wasmi/regression-br-if-multivalue-return): the translator materialized the
//! values of a conditional return on the taken path only and the fall-through read their slots.

use ember_interp::*;

const WAT: &str = r#"(module
  (func (export "poison") (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local.set 0 (i64.const -1)) (local.set 1 (i64.const -1)) (local.set 2 (i64.const -1))
    (local.set 3 (i64.const -1)) (local.set 4 (i64.const -1)) (local.set 5 (i64.const -1))
    (local.set 6 (i64.const -1)) (local.set 7 (i64.const -1)) (local.set 8 (i64.const -1))
    (local.set 9 (i64.const -1)) (local.set 10 (i64.const -1)) (local.set 11 (i64.const -1))
    (local.set 12 (i64.const -1)) (local.set 13 (i64.const -1)) (local.set 14 (i64.const -1))
    (local.set 15 (i64.const -1))
    (i64.add (local.get 0) (local.get 15)))
  ;; br_if returning two constants; the fall-through adds 1 to the second.
  (func (export "br_if_consts") (param i32) (result f32 i32)
    f32.const 2.5
    i32.const 7
    local.get 0
    br_if 0
    i32.const 1
    i32.add)
  ;; The same with a local and a fused comparison as the condition.
  (func (export "br_if_local") (param i32) (result i32 i32)
    (local i32)
    (local.set 1 (i32.const 40))
    local.get 1
    i32.const 2
    local.get 0
    i32.const 5
    i32.gt_s
    br_if 0
    i32.const 100
    i32.add)
  ;; br_table: index 0 returns from the function, any other leaves the block with the same
  ;; values, after which 10 is added to the second.
  (func (export "br_table_stubs") (param i32) (result i32 i32)
    (block (result i32 i32)
      i32.const 1
      i32.const 2
      local.get 0
      br_table 1 0)
    i32.const 10
    i32.add))
"#;

fn call(store: &mut Store<()>, inst: Instance, name: &str, arg: i32) -> Vec<Val> {
    let f = inst.get_func(store, name).expect("export");
    let ty = f.ty(store);
    let mut out: Vec<Val> = ty.results.iter().map(|t| Val::default_of(*t)).collect();
    let args: Vec<Val> = ty.params.iter().map(|_| Val::I32(arg)).collect();
    f.call(store, &args, &mut out).expect("no trap");
    out
}

#[test]
fn values_of_a_branch_on_one_path_only() {
    let m = Module::new(&wat::parse_str(WAT).unwrap()).unwrap();
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let cases: [(&str, i32, [Val; 2]); 6] = [
        ("br_if_consts", 0, [Val::F32(2.5f32.to_bits()), Val::I32(8)]),
        ("br_if_consts", 1, [Val::F32(2.5f32.to_bits()), Val::I32(7)]),
        ("br_if_local", 0, [Val::I32(40), Val::I32(102)]),
        ("br_if_local", 9, [Val::I32(40), Val::I32(2)]),
        ("br_table_stubs", 0, [Val::I32(1), Val::I32(2)]),
        ("br_table_stubs", 1, [Val::I32(1), Val::I32(12)]),
    ];
    for (name, arg, want) in cases {
        call(&mut store, inst, "poison", 0);
        assert_eq!(call(&mut store, inst, name, arg), want, "{name}({arg})");
    }
}
