//! Hostile and extreme inputs: nothing may panic, hang or overflow the native stack.
//! Huge `memory.grow`, a 200 000-entry `br_table`, deep recursion through `call_indirect`,
//! unbounded host -> wasm re-entrance, every truncation and 2000 corruptions of a module, fuel,
//! host traps, and a pathological body that would be quadratic to translate without the
//! translator's folding window.

use ember_interp::*;

mod support;
use support::call_i32;

fn instantiate(wat: &str, cfg: Config) -> (Store<()>, Instance) {
    let m = Module::new(&wat::parse_str(wat).expect("wat")).expect("valid module");
    let mut store = Store::new(cfg, ());
    let inst = Instance::new(&mut store, &m, &[]).expect("instantiates");
    (store, inst)
}

#[test]
fn huge_memory_grow_fails_cleanly() {
    let wat = r#"(module (memory 1) (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#;
    let (mut store, inst) = instantiate(wat, Config { max_memory_pages: 100, ..Config::default() });
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(-1)]), Ok(-1));
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(0x10000)]), Ok(-1));
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(100)]), Ok(-1));
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(99)]), Ok(1));
    assert_eq!(call_i32(&mut store, inst, "grow", &[Val::I32(1)]), Ok(-1));
    // A module whose declared minimum exceeds the limit is refused at instantiation.
    let m = Module::new(&wat::parse_str("(module (memory 200))").unwrap()).unwrap();
    let mut store = Store::new(Config { max_memory_pages: 100, ..Config::default() }, ());
    assert!(matches!(Instance::new(&mut store, &m, &[]), Err(Error::Limit(_))));
}

#[test]
fn huge_br_table() {
    let n = 200_000;
    let mut targets = String::with_capacity(n * 2);
    for k in 0..n {
        targets.push_str(if k % 2 == 0 { "0 " } else { "1 " });
    }
    let wat = format!(
        r#"(module (func (export "sw") (param i32) (result i32)
            (block (block (br_table {targets} 1 (local.get 0))) (return (i32.const 10)))
            (i32.const 20)))"#
    );
    let (mut store, inst) = instantiate(&wat, Config::default());
    assert_eq!(call_i32(&mut store, inst, "sw", &[Val::I32(0)]), Ok(10));
    assert_eq!(call_i32(&mut store, inst, "sw", &[Val::I32(199_999)]), Ok(20));
    assert_eq!(call_i32(&mut store, inst, "sw", &[Val::I32(-1)]), Ok(20));
}

#[test]
fn deep_recursion_through_call_indirect_and_stack_cells() {
    let wat = r#"(module
        (type $t (func (param i32) (result i32)))
        (table 1 funcref) (elem (i32.const 0) $f)
        (func $f (export "f") (type $t) (param i32) (result i32)
          (local i64 i64 i64 i64 i64 i64 i64 i64)
          local.get 0 i32.const 1 i32.add i32.const 0 call_indirect (type $t)))"#;
    // The value-stack cap is reached first here (depth limit set very high).
    let cfg = Config { max_call_depth: 1_000_000, max_stack_cells: 1 << 16, ..Config::default() };
    let (mut store, inst) = instantiate(wat, cfg);
    assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(0)]), Err(Trap::StackExhausted));
    // And the depth limit with default stack cells.
    let cfg = Config { max_call_depth: 3000, ..Config::default() };
    let (mut store, inst) = instantiate(wat, cfg);
    assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(0)]), Err(Trap::StackExhausted));
}

#[test]
fn truncated_and_corrupt_modules_are_errors() {
    let wat = r#"(module
        (type (func (param i32) (result i32)))
        (import "env" "f" (func (type 0)))
        (table 2 funcref) (memory 1 2) (global (mut i32) (i32.const 7))
        (export "g" (func 1)) (elem (i32.const 0) 1)
        (func (type 0) local.get 0 call 0 global.get 0 i32.add)
        (data (i32.const 8) "abcdef"))"#;
    let bytes = wat::parse_str(wat).unwrap();
    assert!(Module::new(&bytes).is_ok());
    // Every prefix is either rejected as malformed or (ending exactly at a
    // section boundary) a smaller valid module; nothing panics.
    let mut rejected = 0;
    for len in 0..bytes.len() {
        match Module::new(&bytes[..len]) {
            Err(Error::Malformed(_)) => rejected += 1,
            Ok(_) => {}
            other => panic!("prefix of {len} bytes: {:?}", other.map(|_| ())),
        }
    }
    assert!(rejected > bytes.len() * 3 / 4, "{rejected} of {} prefixes rejected", bytes.len());
    // Deterministic garbage after a valid header.
    let mut x: u32 = 12345;
    for round in 0..2000 {
        let mut m = bytes.clone();
        for _ in 0..(1 + round % 4) {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let pos = 8 + (x as usize >> 8) % (m.len() - 8);
            m[pos] = (x >> 24) as u8;
        }
        // Must not panic; if it loads, instantiating and calling must not either.
        if let Ok(module) = Module::new(&m) {
            let mut store = Store::new(Config { fuel: Some(100_000), ..Config::default() }, ());
            let imports: Vec<Extern> = module
                .imports()
                .iter()
                .filter_map(|i| match &i.ty {
                    ExternType::Func(ft) => Some(Extern::Func(Func::new_host(&mut store, ft.clone(), |_, _, _| Ok(())))),
                    _ => None,
                })
                .collect();
            if let Ok(inst) = Instance::new(&mut store, &module, &imports) {
                if let Some(f) = inst.get_func(&store, "g") {
                    let ty = f.ty(&store);
                    let args: Vec<Val> = ty.params.iter().map(|t| Val::default_of(*t)).collect();
                    let mut res: Vec<Val> = ty.results.iter().map(|t| Val::default_of(*t)).collect();
                    let _ = f.call(&mut store, &args, &mut res);
                }
            }
        }
    }
}

#[test]
fn fuel_stops_infinite_recursion_and_loops() {
    let wat = r#"(module
        (func $r (export "r") (result i32) call $r)
        (func (export "l") (result i32) (loop (br 0)) (i32.const 1)))"#;
    let (mut store, inst) = instantiate(wat, Config { fuel: Some(5000), max_call_depth: 1_000_000, ..Config::default() });
    assert_eq!(call_i32(&mut store, inst, "r", &[]), Err(Trap::OutOfFuel));
    store.set_fuel(Some(5000));
    assert_eq!(call_i32(&mut store, inst, "l", &[]), Err(Trap::OutOfFuel));
    store.set_fuel(None);
    assert_eq!(store.fuel(), None);
}

#[test]
fn host_errors_and_exit_propagate() {
    let wat = r#"(module (import "env" "h" (func $h (param i32)))
        (func (export "go") (result i32) i32.const 3 call $h i32.const 1))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(Config::default(), ());
    let h = Func::new_host(&mut store, FuncType::new([ValType::I32], []), |_, args, _| match args[0] {
        Val::I32(c) => Err(Trap::Exit(c)),
        _ => Err(Trap::Host("bad".into())),
    });
    let inst = Instance::new(&mut store, &m, &[Extern::Func(h)]).unwrap();
    assert_eq!(call_i32(&mut store, inst, "go", &[]), Err(Trap::Exit(3)));
    // Wrong import types are unlinkable, not a panic.
    let bad = Func::new_host(&mut store, FuncType::new([ValType::I64], []), |_, _, _| Ok(()));
    assert!(matches!(Instance::new(&mut store, &m, &[Extern::Func(bad)]), Err(Error::Unlinkable(_))));
    assert!(matches!(Instance::new(&mut store, &m, &[]), Err(Error::Unlinkable(_))));
    // Wrong argument types from the host are an error, not UB.
    let go = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::I32(0)];
    assert!(go.call(&mut store, &[Val::I32(1)], &mut out).is_err());
}

#[test]
fn translation_stays_linear_on_pathological_bodies() {
    // A deep operand stack of folded locals, then many local.set and empty
    // blocks: each must cost O(1) at translation, not O(stack height).
    let depth = 20_000;
    let reps = 20_000;
    let mut body = String::new();
    for _ in 0..depth {
        body.push_str("local.get 0 ");
    }
    for _ in 0..reps {
        body.push_str("local.get 1 local.set 0 block end ");
    }
    for _ in 0..depth {
        body.push_str("drop ");
    }
    let wat = format!(r#"(module (func (export "f") (param i32 i32) (result i32) {body} local.get 0))"#);
    let start = std::time::Instant::now();
    let m = Module::new(&wat::parse_str(&wat).unwrap()).unwrap();
    m.translate_all().unwrap();
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(call_i32(&mut store, inst, "f", &[Val::I32(1), Val::I32(2)]), Ok(2));
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn host_reentrance_recursion_is_bounded() {
    // wasm -> host -> wasm -> host ... without end: must trap, not overflow
    // the native stack (this test thread has Rust's default 2 MiB stack).
    let wat = r#"(module (import "env" "h" (func $h (param i32) (result i32)))
        (func (export "f") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $h))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut store: Store<Option<Func>> = Store::new(Config::default(), None);
    let h = Func::new_host(&mut store, FuncType::new([ValType::I32], [ValType::I32]), |c, args, res| {
        let f = c.store.data().expect("set");
        f.call(c.store, args, res)
    });
    let inst = Instance::new(&mut store, &m, &[Extern::Func(h)]).unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    *store.data_mut() = Some(f);
    let mut out = [Val::I32(0)];
    assert_eq!(f.call(&mut store, &[Val::I32(0)], &mut out), Err(Trap::StackExhausted));
    // The store is still usable afterwards.
    *store.data_mut() = None;
    let dbl = Module::new(&wat::parse_str(r#"(module (func (export "g") (result i32) i32.const 5))"#).unwrap()).unwrap();
    let i2 = Instance::new(&mut store, &dbl, &[]).unwrap();
    let g = i2.get_func(&store, "g").unwrap();
    g.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(5));
}
