//! Robustness of ember-interp against hostile, broken or extreme modules: no module, valid or
//! malformed, may make the host panic, overflow its native stack, hang (with fuel), or touch
//! memory outside the instance. Recursion (direct, through `call_indirect`, host -> wasm
//! re-entrance) against the depth and value-stack limits, huge `memory.grow`/`table.grow` and
//! the page limit, a 200 000-entry `br_table`, fuel, host traps and exit, every truncation and
//! thousands of corruptions of modules (with and without imports), and a pathological body that
//! would be quadratic to translate without the translator's folding window.
//!
//! Deep-recursion tests run on threads with a known native stack so that a per-wasm-call
//! native frame would overflow it and abort the test binary.

use std::thread;

use ember_interp::*;

fn module(wat: &str) -> Module {
    let bytes = wat::parse_str(wat).expect("test module is valid wat");
    Module::new(&bytes).expect("test module loads")
}

fn instance(store: &mut Store<()>, wat: &str) -> Instance {
    Instance::new(store, &module(wat), &[]).expect("test module instantiates")
}

/// Calls export `name` with `args`, returning its results.
fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Vec<Val>, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let mut results: Vec<Val> = f
        .ty(store)
        .results
        .iter()
        .map(|t| Val::default_of(*t))
        .collect();
    f.call(store, args, &mut results)?;
    Ok(results)
}

/// Runs `f` on a thread with a `stack` byte native stack and returns its value
/// (a native stack overflow aborts the whole test binary: that is the failure).
fn on_stack<R: Send + 'static>(stack: usize, f: impl FnOnce() -> R + Send + 'static) -> R {
    thread::Builder::new()
        .stack_size(stack)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no panic")
}

const SMALL_STACK: usize = 2 << 20; // a test thread's default
const MAIN_STACK: usize = 8 << 20; // a usual process main thread

// ---------------------------------------------------------------- recursion

#[test]
fn unbounded_recursion_traps_with_call_stack_exhausted() {
    on_stack(SMALL_STACK, || {
        let mut store = Store::new(Config::default(), ());
        let inst = instance(&mut store, r#"(module (func (export "f") (call 0)))"#);
        let err = call(&mut store, inst, "f", &[]).unwrap_err();
        assert_eq!(err, Trap::StackExhausted);
        assert_eq!(err.to_string(), "call stack exhausted");
        // The store stays usable after the trap.
        let err = call(&mut store, inst, "f", &[]).unwrap_err();
        assert_eq!(err, Trap::StackExhausted);
    });
}

#[test]
fn recursion_with_big_frames_exhausts_the_value_stack_cleanly() {
    on_stack(SMALL_STACK, || {
        // 200 locals per frame: the value stack runs out before the depth limit.
        let locals = "(local i64) ".repeat(200);
        let wat = format!(
            r#"(module (func $f (export "f") (param i64) (result i64) {locals}
                 (i64.add (local.get 0) (call $f (i64.add (local.get 0) (i64.const 1))))))"#
        );
        let mut store = Store::new(Config::default(), ());
        let inst = instance(&mut store, &wat);
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I64(0)]).unwrap_err(),
            Trap::StackExhausted
        );
    });
}

#[test]
fn indirect_mutual_recursion_traps() {
    on_stack(SMALL_STACK, || {
        let mut store = Store::new(Config::default(), ());
        let inst = instance(
            &mut store,
            r#"(module
                (type $t (func (param i32) (result i32)))
                (table funcref (elem $a $b))
                (func $a (type $t) (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 1)))
                (func $b (type $t) (call_indirect (type $t) (i32.add (local.get 0) (i32.const 1)) (i32.const 0)))
                (export "a" (func $a)))"#,
        );
        assert_eq!(
            call(&mut store, inst, "a", &[Val::I32(0)]).unwrap_err(),
            Trap::StackExhausted
        );
        // A configured value-stack cap stops it when the depth limit is far away.
        let config = Config {
            max_call_depth: 1_000_000,
            max_stack_cells: 1 << 16,
            ..Config::default()
        };
        let mut store = Store::new(config, ());
        let inst = instance(
            &mut store,
            r#"(module
                (type $t (func (param i32) (result i32)))
                (table 1 funcref) (elem (i32.const 0) $f)
                (func $f (export "f") (type $t) (param i32) (result i32)
                  (local i64 i64 i64 i64 i64 i64 i64 i64)
                  local.get 0 i32.const 1 i32.add i32.const 0 call_indirect (type $t)))"#,
        );
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(0)]).unwrap_err(),
            Trap::StackExhausted
        );
    });
}

#[test]
fn configured_call_depth_is_honoured() {
    on_stack(SMALL_STACK, || {
        let wat = r#"(module (func $d (export "depth") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $d (i32.sub (local.get 0) (i32.const 1))))))))"#;
        let config = Config {
            max_call_depth: 100,
            ..Config::default()
        };
        let mut store = Store::new(config, ());
        let inst = instance(&mut store, wat);
        assert_eq!(
            call(&mut store, inst, "depth", &[Val::I32(50)]).unwrap(),
            vec![Val::I32(50)]
        );
        assert_eq!(
            call(&mut store, inst, "depth", &[Val::I32(1000)]).unwrap_err(),
            Trap::StackExhausted
        );
    });
}

#[test]
fn host_reentry_recursion_traps_instead_of_overflowing() {
    on_stack(SMALL_STACK, || {
        // wasm f -> host h -> wasm f -> ...: every round trip nests native frames,
        // so the limit must also count host -> wasm entries.
        let mut store = Store::new(Config::default(), ());
        let h = Func::new_host(
            &mut store,
            FuncType::new(vec![], vec![]),
            |caller, _args, _results| {
                let f = match caller.get_export("f") {
                    Some(Extern::Func(f)) => f,
                    _ => return Err(Trap::Host("no export f".into())),
                };
                f.call(caller.store, &[], &mut [])
            },
        );
        let m = module(r#"(module (import "env" "h" (func $h)) (func (export "f") (call $h)))"#);
        let inst = Instance::new(&mut store, &m, &[Extern::Func(h)]).expect("instantiates");
        assert_eq!(
            call(&mut store, inst, "f", &[]).unwrap_err(),
            Trap::StackExhausted
        );
        // The store is still usable afterwards.
        let g = instance(
            &mut store,
            r#"(module (func (export "g") (result i32) i32.const 5))"#,
        );
        assert_eq!(call(&mut store, g, "g", &[]).unwrap(), vec![Val::I32(5)]);
    });
}

#[test]
fn host_errors_and_exit_propagate() {
    let wat = r#"(module (import "env" "h" (func $h (param i32)))
        (func (export "go") (result i32) i32.const 3 call $h i32.const 1))"#;
    let m = Module::new(&wat::parse_str(wat).unwrap()).unwrap();
    let mut store = Store::new(Config::default(), ());
    let h = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], []),
        |_, args, _| match args[0] {
            Val::I32(c) => Err(Trap::Exit(c)),
            _ => Err(Trap::Host("bad".into())),
        },
    );
    let inst = Instance::new(&mut store, &m, &[Extern::Func(h)]).unwrap();
    assert_eq!(
        call(&mut store, inst, "go", &[]).unwrap_err(),
        Trap::Exit(3)
    );
    // Wrong import types are unlinkable, not a panic.
    let bad = Func::new_host(&mut store, FuncType::new([ValType::I64], []), |_, _, _| {
        Ok(())
    });
    assert!(matches!(
        Instance::new(&mut store, &m, &[Extern::Func(bad)]),
        Err(Error::Unlinkable(_))
    ));
    assert!(matches!(
        Instance::new(&mut store, &m, &[]),
        Err(Error::Unlinkable(_))
    ));
    // Wrong argument types from the host are an error, not UB.
    let go = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::I32(0)];
    assert!(go.call(&mut store, &[Val::I32(1)], &mut out).is_err());
}

// ---------------------------------------------------------------- memory

#[test]
fn huge_memory_grow_fails_with_minus_one() {
    let mut store = Store::new(Config::default(), ());
    let inst = instance(
        &mut store,
        r#"(module (memory (export "mem") 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
             (func (export "size") (result i32) (memory.size))
             (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7))))"#,
    );
    for delta in [u32::MAX, 0x8000_0000, 65_536, 65_535 + 1] {
        let r = call(&mut store, inst, "grow", &[Val::I32(delta as i32)]).unwrap();
        assert_eq!(r, vec![Val::I32(-1)], "grow by {delta}");
    }
    assert_eq!(
        call(&mut store, inst, "size", &[]).unwrap(),
        vec![Val::I32(1)]
    );
    // Still usable, still bounded.
    call(&mut store, inst, "poke", &[Val::I32(65_535)]).unwrap();
    assert_eq!(
        call(&mut store, inst, "poke", &[Val::I32(65_536)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
}

#[test]
fn memory_grow_respects_the_configured_page_limit() {
    let config = Config {
        max_memory_pages: 16,
        ..Config::default()
    };
    let mut store = Store::new(config, ());
    let inst = instance(
        &mut store,
        r#"(module (memory 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Val::I32(15)]).unwrap(),
        vec![Val::I32(1)]
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Val::I32(1)]).unwrap(),
        vec![Val::I32(-1)]
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Val::I32(-1)]).unwrap(),
        vec![Val::I32(-1)]
    );
    assert_eq!(
        call(&mut store, inst, "grow", &[Val::I32(0)]).unwrap(),
        vec![Val::I32(16)]
    );
}

#[test]
fn memory_over_the_configured_limit_is_a_limit_error() {
    let config = Config {
        max_memory_pages: 16,
        ..Config::default()
    };
    let mut store = Store::new(config, ());
    let m = module("(module (memory 17))");
    match Instance::new(&mut store, &m, &[]) {
        Err(Error::Limit(_)) => {}
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("instantiated beyond the page limit"),
    }
}

#[test]
fn host_memory_access_is_bounds_checked() {
    let mut store = Store::new(Config::default(), ());
    let inst = instance(&mut store, r#"(module (memory (export "mem") 1))"#);
    let mem: Memory = inst.get_memory(&store, "mem").expect("memory export");
    let mut buf = [0u8; 16];
    for offset in [65_536 - 15, 65_536, u64::MAX, u64::MAX - 8, 1 << 32] {
        assert_eq!(
            mem.read(&store, offset, &mut buf),
            Err(Trap::MemoryOutOfBounds),
            "read at {offset}"
        );
        assert_eq!(
            mem.write(&mut store, offset, &buf),
            Err(Trap::MemoryOutOfBounds),
            "write at {offset}"
        );
    }
    mem.write(&mut store, 65_536 - 16, &[1; 16]).unwrap();
    mem.read(&store, 65_536 - 16, &mut buf).unwrap();
    assert_eq!(buf, [1; 16]);
    assert_eq!(mem.data(&store).len(), 65_536);
}

#[test]
fn out_of_bounds_accesses_trap_at_every_width() {
    let mut store = Store::new(Config::default(), ());
    let inst = instance(
        &mut store,
        r#"(module (memory 1)
             (func (export "ld64") (param i32) (result i64) (i64.load offset=0xffff0000 (local.get 0)))
             (func (export "ld8") (param i32) (result i32) (i32.load8_u (local.get 0)))
             (func (export "st32") (param i32) (i32.store (local.get 0) (i32.const 1))))"#,
    );
    assert_eq!(
        call(&mut store, inst, "ld64", &[Val::I32(0)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
    assert_eq!(
        call(&mut store, inst, "ld64", &[Val::I32(-1)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
    assert_eq!(
        call(&mut store, inst, "ld8", &[Val::I32(-1)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
    assert_eq!(
        call(&mut store, inst, "st32", &[Val::I32(65_533)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
    call(&mut store, inst, "st32", &[Val::I32(65_532)]).unwrap();
}

#[test]
fn huge_table_grow_fails_with_minus_one() {
    let mut store = Store::new(Config::default(), ());
    let inst = instance(
        &mut store,
        r#"(module (table 1 funcref)
             (func (export "grow") (param i32) (result i32) (table.grow (ref.null func) (local.get 0)))
             (func (export "size") (result i32) (table.size)))"#,
    );
    for delta in [u32::MAX, 0x8000_0000, 0x1000_0000] {
        assert_eq!(
            call(&mut store, inst, "grow", &[Val::I32(delta as i32)]).unwrap(),
            vec![Val::I32(-1)],
            "grow by {delta}"
        );
    }
    assert_eq!(
        call(&mut store, inst, "size", &[]).unwrap(),
        vec![Val::I32(1)]
    );
}

#[test]
fn instances_do_not_share_memory() {
    let wat = r#"(module (memory 1)
        (func (export "set") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
        (func (export "get") (param i32) (result i32) (i32.load (local.get 0))))"#;
    let mut store = Store::new(Config::default(), ());
    let a = instance(&mut store, wat);
    let b = instance(&mut store, wat);
    call(&mut store, a, "set", &[Val::I32(100), Val::I32(7)]).unwrap();
    assert_eq!(
        call(&mut store, b, "get", &[Val::I32(100)]).unwrap(),
        vec![Val::I32(0)]
    );
    assert_eq!(
        call(&mut store, a, "get", &[Val::I32(100)]).unwrap(),
        vec![Val::I32(7)]
    );
    // The last in-bounds word of one instance is not followed by the other's memory.
    assert_eq!(
        call(&mut store, a, "get", &[Val::I32(65_534)]).unwrap_err(),
        Trap::MemoryOutOfBounds
    );
}

// ---------------------------------------------------------------- br_table

#[test]
fn br_table_with_a_huge_table() {
    const N: usize = 200_000;
    // Target i % 3 for entry i, default 3: result tells which block was left.
    let targets: String = (0..N).map(|i| format!("{} ", i % 3)).collect();
    let wat = format!(
        r#"(module (func (export "f") (param i32) (result i32)
            (block (block (block (block
              (br_table {targets} 3 (local.get 0)))
              (return (i32.const 10)))
              (return (i32.const 11)))
              (return (i32.const 12)))
            (i32.const 13)))"#
    );
    let mut store = Store::new(Config::default(), ());
    let inst = instance(&mut store, &wat);
    for (arg, want) in [
        (0, 10),
        (1, 11),
        (2, 12),
        (N as i32 - 1, 10 + ((N - 1) % 3) as i32),
        (N as i32, 13),
        (-1, 13),
    ] {
        assert_eq!(
            call(&mut store, inst, "f", &[Val::I32(arg)]).unwrap(),
            vec![Val::I32(want)],
            "index {arg}"
        );
    }
}

#[test]
fn br_table_with_an_absurd_declared_length_is_rejected() {
    // A body whose br_table claims 0xffff_ffff targets but ends right after.
    let body = [0x00, 0x20, 0x00, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b];
    let bytes = one_function_module(&[0x7f], &[], &body);
    assert!(Module::new(&bytes).is_err());
}

// ---------------------------------------------------------------- fuel

#[test]
fn infinite_loop_with_fuel_traps() {
    let config = Config {
        fuel: Some(1_000_000),
        ..Config::default()
    };
    let mut store = Store::new(config, ());
    let inst = instance(
        &mut store,
        r#"(module
             (func (export "spin") (loop (br 0)))
             (func (export "spin_calls") (loop (call $nop) (br 0)))
             (func $nop)
             (func (export "sum") (param i32) (result i32) (local i32)
               (block (loop
                 (br_if 1 (i32.eqz (local.get 0)))
                 (local.set 1 (i32.add (local.get 1) (local.get 0)))
                 (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
                 (br 0)))
               (local.get 1)))"#,
    );
    assert_eq!(
        call(&mut store, inst, "spin", &[]).unwrap_err(),
        Trap::OutOfFuel
    );
    assert_eq!(store.fuel(), Some(0));
    store.set_fuel(Some(1_000_000));
    assert_eq!(
        call(&mut store, inst, "spin_calls", &[]).unwrap_err(),
        Trap::OutOfFuel
    );
    store.set_fuel(Some(1_000_000));
    assert_eq!(
        call(&mut store, inst, "sum", &[Val::I32(100)]).unwrap(),
        vec![Val::I32(5050)]
    );
    let left = store.fuel().expect("fuel is on");
    assert!(left < 1_000_000 && left > 0, "fuel consumed: {left}");
    store.set_fuel(None);
    assert_eq!(store.fuel(), None);
    assert_eq!(
        call(&mut store, inst, "sum", &[Val::I32(10_000)]).unwrap(),
        vec![Val::I32(50_005_000)]
    );
    // Calls are charged too: infinite recursion runs out of fuel, not of call depth.
    let config = Config {
        fuel: Some(5000),
        max_call_depth: 1_000_000,
        ..Config::default()
    };
    let mut store = Store::new(config, ());
    let inst = instance(
        &mut store,
        r#"(module (func $r (export "r") (result i32) call $r))"#,
    );
    assert_eq!(
        call(&mut store, inst, "r", &[]).unwrap_err(),
        Trap::OutOfFuel
    );
}

// ---------------------------------------------------------------- translation

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
    let wat =
        format!(r#"(module (func (export "f") (param i32 i32) (result i32) {body} local.get 0))"#);
    let start = std::time::Instant::now();
    let m = Module::new(&wat::parse_str(&wat).unwrap()).unwrap();
    m.translate_all().unwrap();
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(
        call(&mut store, inst, "f", &[Val::I32(1), Val::I32(2)]).unwrap(),
        vec![Val::I32(2)]
    );
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

// ---------------------------------------------------------------- malformed input

/// A hand-encoded module with one function `(params) -> (results)` and `body`
/// (locals declaration included), exported as "f".
fn one_function_module(params: &[u8], results: &[u8], body: &[u8]) -> Vec<u8> {
    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    fn section(id: u8, payload: &[u8], out: &mut Vec<u8>) {
        out.push(id);
        leb(payload.len(), out);
        out.extend_from_slice(payload);
    }
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    let mut ty = vec![1, 0x60];
    leb(params.len(), &mut ty);
    ty.extend_from_slice(params);
    leb(results.len(), &mut ty);
    ty.extend_from_slice(results);
    section(1, &ty, &mut out);
    section(3, &[1, 0], &mut out);
    section(7, &[1, 1, b'f', 0, 0], &mut out);
    let mut code = vec![1];
    leb(body.len(), &mut code);
    code.extend_from_slice(body);
    section(10, &code, &mut out);
    out
}

const RICH_MODULE: &str = r#"(module
    (type $t (func (param i32) (result i32)))
    (import "env" "g" (global $g i32))
    (memory 1 2)
    (table 4 funcref)
    (global $h (mut i64) (i64.const 5))
    (func $f (export "f") (type $t) (i32.add (local.get 0) (global.get $g)))
    (func (export "m") (param i32) (result i32) (i32.load (local.get 0)))
    (elem (i32.const 0) $f)
    (data (i32.const 8) "hello")
    (start 2)
    (func (global.set $h (i64.const 6))))"#;

/// (start of section, start of payload, payload length) for every section.
fn sections(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let (mut size, mut shift, mut p) = (0usize, 0, pos + 1);
        loop {
            let b = bytes[p];
            size |= ((b & 0x7f) as usize) << shift;
            shift += 7;
            p += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push((pos, p, size));
        pos = p + size;
    }
    out
}

#[test]
fn every_truncation_of_a_module_is_an_error() {
    let bytes = wat::parse_str(RICH_MODULE).unwrap();
    Module::new(&bytes).expect("the whole module loads");
    // Cutting exactly between sections may leave a valid smaller module.
    let boundaries: Vec<usize> = sections(&bytes).iter().map(|s| s.0).collect();
    for n in 0..bytes.len() {
        match Module::new(&bytes[..n]) {
            Err(Error::Malformed(_) | Error::Invalid(_) | Error::Unsupported(_)) => {}
            Err(e) => panic!("prefix of {n} bytes: unexpected error kind {e}"),
            Ok(_) if boundaries.contains(&n) => {}
            Ok(_) => panic!("prefix of {n} of {} bytes loaded", bytes.len()),
        }
    }
}

#[test]
fn section_sizes_that_lie_are_errors() {
    let bytes = wat::parse_str(RICH_MODULE).unwrap();
    let mut checked = 0;
    for (start, payload, size) in sections(&bytes) {
        // Single-byte sizes of the non-custom sections, bumped up and down.
        if bytes[start] == 0 || payload != start + 2 {
            continue;
        }
        for new_size in [size + 1, size.saturating_sub(1), size + 100] {
            if new_size == size || new_size > 127 {
                continue;
            }
            let mut m = bytes.clone();
            m[start + 1] = new_size as u8;
            assert!(
                Module::new(&m).is_err(),
                "section {} at {start} with size {new_size} (really {size}) loaded",
                bytes[start]
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} variants checked");
}

/// xorshift64*: a small deterministic generator for the fuzz-style tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Loads `bytes`; when valid, instantiates (function imports get a host function that does
/// nothing; other imports leave it unlinkable) and calls every exported function with zero
/// arguments under a fuel budget. Nothing may panic.
fn load_and_poke(bytes: &[u8]) {
    let Ok(m) = Module::new(bytes) else { return };
    let config = Config {
        fuel: Some(100_000),
        max_memory_pages: 64,
        ..Config::default()
    };
    let mut store = Store::new(config, ());
    let imports: Vec<Extern> = m
        .imports()
        .iter()
        .filter_map(|i| match &i.ty {
            ExternType::Func(ft) => Some(Extern::Func(Func::new_host(
                &mut store,
                ft.clone(),
                |_, _, _| Ok(()),
            ))),
            _ => None,
        })
        .collect();
    let Ok(inst) = Instance::new(&mut store, &m, &imports) else {
        return;
    };
    for e in m.exports() {
        if let Some(f) = inst.get_func(&store, &e.name) {
            let ty = f.ty(&store);
            let args: Vec<Val> = ty.params.iter().map(|t| Val::default_of(*t)).collect();
            let mut results: Vec<Val> = ty.results.iter().map(|t| Val::default_of(*t)).collect();
            let _ = f.call(&mut store, &args, &mut results);
        }
    }
}

#[test]
fn garbage_bytes_are_errors_not_panics() {
    on_stack(MAIN_STACK, || {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..3000 {
            let len = rng.below(200);
            let mut bytes: Vec<u8> = if i % 2 == 0 {
                b"\0asm\x01\0\0\0".to_vec()
            } else {
                Vec::new()
            };
            bytes.extend((0..len).map(|_| rng.next() as u8));
            load_and_poke(&bytes);
        }
    });
}

#[test]
fn mutated_modules_never_panic() {
    on_stack(MAIN_STACK, || {
        let base = wat::parse_str(
            r#"(module (memory 1) (table 2 funcref)
                (func $a (export "a") (result i32) (local i32)
                  (loop (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                        (br_if 0 (i32.lt_u (local.get 0) (i32.const 50))))
                  (i32.store (i32.const 4) (local.get 0))
                  (i32.load (i32.const 4)))
                (func (export "b") (result i64) (i64.div_s (i64.const 7) (i64.const 3)))
                (func (export "c") (call_indirect (i32.const 1)))
                (elem (i32.const 0) $a))"#,
        )
        .unwrap();
        // A host function import, a mutable global, a table, a bounded memory and data.
        let importing = wat::parse_str(
            r#"(module
                (type (func (param i32) (result i32)))
                (import "env" "f" (func (type 0)))
                (table 2 funcref) (memory 1 2) (global (mut i32) (i32.const 7))
                (export "g" (func 1)) (elem (i32.const 0) 1)
                (func (type 0) local.get 0 call 0 global.get 0 i32.add)
                (data (i32.const 8) "abcdef"))"#,
        )
        .unwrap();
        let mut rng = Rng(42);
        for (base, rounds) in [(&base, 4000), (&importing, 2000)] {
            for _ in 0..rounds {
                let mut m = base.clone();
                for _ in 0..1 + rng.below(3) {
                    let at = 8 + rng.below(m.len() - 8);
                    m[at] = rng.next() as u8;
                }
                load_and_poke(&m);
            }
        }
    });
}

#[test]
fn deeply_nested_blocks_do_not_overflow_the_native_stack() {
    on_stack(SMALL_STACK, || {
        const DEPTH: usize = 100_000;
        let mut body = vec![0]; // no locals
        for _ in 0..DEPTH {
            body.extend_from_slice(&[0x02, 0x40]); // block (empty type)
        }
        body.extend(std::iter::repeat_n(0x0b, DEPTH + 1)); // ends + function end
        let bytes = one_function_module(&[], &[], &body);
        // Valid or rejected by an implementation limit, but never a crash.
        if let Ok(m) = Module::new(&bytes) {
            let mut store = Store::new(Config::default(), ());
            let inst = Instance::new(&mut store, &m, &[]).expect("instantiates");
            call(&mut store, inst, "f", &[]).expect("runs");
        }
    });
}

#[test]
fn absurd_local_counts_are_rejected_and_big_frames_work() {
    // 0xffff_ffff i64 locals: must be refused without trying to allocate them.
    let body = [1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0x0b];
    assert!(Module::new(&one_function_module(&[], &[], &body)).is_err());
    // Two groups whose sum overflows u32.
    let body = [
        2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x0b,
    ];
    assert!(Module::new(&one_function_module(&[], &[], &body)).is_err());
    // 40 000 locals: valid; the call either runs or reports exhaustion, never crashes.
    let wat = r#"(module (func (export "f") (result i64) (local $x i64) (local i64) "#.to_string()
        + &"(local i64) ".repeat(39_998)
        + "(local.set $x (i64.const 5)) (local.get $x)))";
    let mut store = Store::new(Config::default(), ());
    let inst = instance(&mut store, &wat);
    match call(&mut store, inst, "f", &[]) {
        Ok(v) => assert_eq!(v, vec![Val::I64(5)]),
        Err(t) => assert_eq!(t, Trap::StackExhausted),
    }
}

#[test]
fn calls_with_wrong_arguments_are_errors() {
    let mut store = Store::new(Config::default(), ());
    let inst = instance(
        &mut store,
        r#"(module (func (export "f") (param i32) (result i32) (local.get 0)))"#,
    );
    let f = inst.get_func(&store, "f").unwrap();
    assert_eq!(
        f.ty(&store),
        FuncType::new(vec![ValType::I32], vec![ValType::I32])
    );
    let mut one = [Val::I32(0)];
    assert!(f.call(&mut store, &[], &mut one).is_err());
    assert!(f.call(&mut store, &[Val::I64(1)], &mut one).is_err());
    assert!(f
        .call(&mut store, &[Val::I32(1), Val::I32(2)], &mut one)
        .is_err());
    assert!(f.call(&mut store, &[Val::I32(1)], &mut []).is_err());
    f.call(&mut store, &[Val::I32(9)], &mut one).unwrap();
    assert_eq!(one, [Val::I32(9)]);
}
