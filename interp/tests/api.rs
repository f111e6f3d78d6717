//! Embedding-API tests: calls, host functions, re-entrance, memory access, traps, limits.

use ember_interp::*;

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).expect("wat parses")).expect("module loads")
}

fn run1(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<Val, Trap> {
    let f = inst.get_func(store, name).expect("export exists");
    let mut out = [Val::I32(0)];
    f.call(store, args, &mut out)?;
    Ok(out[0])
}

#[test]
fn fib_recursive_and_loop() {
    let m = module(
        r#"(module
          (func $fib (export "fib") (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_u
            if (result i32) local.get 0
            else local.get 0 i32.const 1 i32.sub call $fib
                 local.get 0 i32.const 2 i32.sub call $fib i32.add end)
          (func (export "fibl") (param i32) (result i64) (local i64 i64)
            i64.const 1 local.set 2
            block loop
              local.get 0 i32.eqz br_if 1
              local.get 1 local.get 2 i64.add
              local.get 2 local.set 1
              local.set 2
              local.get 0 i32.const 1 i32.sub local.set 0
              br 0 end end
            local.get 1))"#,
    );
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(run1(&mut store, inst, "fib", &[Val::I32(20)]), Ok(Val::I32(6765)));
    assert_eq!(run1(&mut store, inst, "fibl", &[Val::I32(90)]), Ok(Val::I64(2880067194370816120)));
}

#[test]
fn host_function_and_memory() {
    let m = module(
        r#"(module
          (import "env" "add" (func $add (param i32 i32) (result i32)))
          (memory (export "mem") 1)
          (data (i32.const 16) "hello")
          (func (export "go") (param i32) (result i32)
            (i32.store (i32.const 100) (call $add (local.get 0) (i32.load8_u (i32.const 16))))
            (i32.load (i32.const 100))))"#,
    );
    let mut store = Store::new(Config::default(), 7u32);
    let add = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32, ValType::I32], [ValType::I32]),
        |mut c: Caller<'_, u32>, args, res| {
            *c.data_mut() += 1;
            let mem = c.memory().expect("memory");
            let mut b = [0u8; 5];
            mem.read(c.store, 16, &mut b)?;
            assert_eq!(&b, b"hello");
            if let (Val::I32(a), Val::I32(b)) = (args[0], args[1]) {
                res[0] = Val::I32(a + b);
            }
            Ok(())
        },
    );
    let inst = Instance::new(&mut store, &m, &[Extern::Func(add)]).unwrap();
    let f = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(1000)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(1000 + b'h' as i32));
    assert_eq!(*store.data(), 8);
    let mem = inst.get_memory(&store, "mem").unwrap();
    let mut b = [0u8; 4];
    mem.read(&store, 100, &mut b).unwrap();
    assert_eq!(u32::from_le_bytes(b), 1104);
    assert_eq!(mem.read(&store, 65535, &mut b), Err(Trap::MemoryOutOfBounds));
    assert_eq!(mem.read(&store, u64::MAX, &mut b), Err(Trap::MemoryOutOfBounds));
    mem.write(&mut store, 0, b"abcd").unwrap();
    assert_eq!(&mem.data(&store)[..4], b"abcd");
}

#[test]
fn host_reenters_wasm() {
    let m = module(
        r#"(module
          (import "env" "cb" (func $cb (param i32) (result i32)))
          (func (export "dbl") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
          (func (export "go") (param i32) (result i32) local.get 0 call $cb i32.const 1 i32.add))"#,
    );
    let mut store = Store::new(Config::default(), None::<Func>);
    let cb = Func::new_host(
        &mut store,
        FuncType::new([ValType::I32], [ValType::I32]),
        |c: Caller<'_, Option<Func>>, args, res| {
            let f = c.store.data().expect("dbl set");
            f.call(c.store, args, res)
        },
    );
    let inst = Instance::new(&mut store, &m, &[Extern::Func(cb)]).unwrap();
    let dbl = inst.get_func(&store, "dbl").unwrap();
    *store.data_mut() = Some(dbl);
    let go = inst.get_func(&store, "go").unwrap();
    let mut out = [Val::I32(0)];
    go.call(&mut store, &[Val::I32(21)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(43));
}

#[test]
fn traps() {
    let m = module(
        r#"(module (memory 1)
          (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
          (func (export "oob") (param i32) (result i32) local.get 0 i32.load offset=4)
          (func (export "unr") (result i32) unreachable)
          (func $rec (export "rec") (param i32) (result i32) local.get 0 i32.const 1 i32.add call $rec)
          (func (export "spin") (result i32) loop br 0 end i32.const 0)
          (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"#,
    );
    let cfg = Config { max_call_depth: 500, max_memory_pages: 10, ..Config::default() };
    let mut store = Store::new(cfg, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(run1(&mut store, inst, "div", &[Val::I32(1), Val::I32(0)]), Err(Trap::IntegerDivideByZero));
    assert_eq!(run1(&mut store, inst, "div", &[Val::I32(i32::MIN), Val::I32(-1)]), Err(Trap::IntegerOverflow));
    assert_eq!(run1(&mut store, inst, "div", &[Val::I32(-7), Val::I32(2)]), Ok(Val::I32(-3)));
    assert_eq!(run1(&mut store, inst, "oob", &[Val::I32(65532)]), Err(Trap::MemoryOutOfBounds));
    assert_eq!(run1(&mut store, inst, "oob", &[Val::I32(-1)]), Err(Trap::MemoryOutOfBounds));
    assert_eq!(run1(&mut store, inst, "oob", &[Val::I32(65528)]), Ok(Val::I32(0)));
    assert_eq!(run1(&mut store, inst, "unr", &[]), Err(Trap::Unreachable));
    assert_eq!(run1(&mut store, inst, "rec", &[Val::I32(0)]), Err(Trap::StackExhausted));
    assert_eq!(run1(&mut store, inst, "grow", &[Val::I32(9)]), Ok(Val::I32(1)));
    assert_eq!(run1(&mut store, inst, "grow", &[Val::I32(1)]), Ok(Val::I32(-1)));
    assert_eq!(run1(&mut store, inst, "grow", &[Val::I32(0)]), Ok(Val::I32(10)));
    assert_eq!(run1(&mut store, inst, "grow", &[Val::I32(65536)]), Ok(Val::I32(-1)));
    // The store stays usable after traps.
    assert_eq!(run1(&mut store, inst, "div", &[Val::I32(9), Val::I32(3)]), Ok(Val::I32(3)));
    store.set_fuel(Some(10_000));
    assert_eq!(run1(&mut store, inst, "spin", &[]), Err(Trap::OutOfFuel));
    assert_eq!(store.fuel(), Some(0));
}

#[test]
fn deep_recursion_default_limits_do_not_overflow_native_stack() {
    let m = module(
        r#"(module (func $rec (export "rec") (param i32) (result i32)
             local.get 0 i32.eqz if (result i32) i32.const 0 else
             local.get 0 i32.const 1 i32.sub call $rec i32.const 1 i32.add end))"#,
    );
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(run1(&mut store, inst, "rec", &[Val::I32(9000)]), Ok(Val::I32(9000)));
    assert_eq!(run1(&mut store, inst, "rec", &[Val::I32(2_000_000)]), Err(Trap::StackExhausted));
}

/// A module keeps its bytes up to the last non-custom section: trailing custom sections (names,
/// DWARF) are neither parsed nor kept, and do not count against a memory pool.
#[test]
fn trailing_custom_sections_are_not_kept() {
    use ember_interp::{sections_size, SectionsSize};
    let header = b"\0asm\x01\0\0\0".to_vec();
    // A custom section "dbg" of 300 bytes (size as a 2-byte LEB) between two type sections'
    // worth of bytes: an empty type section, the custom section, an empty function section.
    let custom: Vec<u8> = [0u8, 0xac, 0x02, 3, b'd', b'b', b'g'].into_iter().chain(std::iter::repeat(7).take(296)).collect();
    let mut m = header.clone();
    m.extend([1, 1, 0]);
    m.extend(&custom);
    m.extend([3, 1, 0]);
    assert_eq!(sections_size(&m), SectionsSize { parsed: 8 + 6, kept: m.len() });
    m.extend(&custom);
    assert_eq!(sections_size(&m), SectionsSize { parsed: 8 + 6, kept: 8 + 3 + 303 + 3 });
    assert!(ember_interp::Module::new(&m).is_ok());
    // Cut inside a section: counted whole from there (the parser reports it).
    assert_eq!(sections_size(&m[..100]), SectionsSize { parsed: 100, kept: 100 });
    assert_eq!(sections_size(&header), SectionsSize { parsed: 8, kept: 8 });
    assert_eq!(sections_size(b"\0as"), SectionsSize { parsed: 3, kept: 3 });
    // A size LEB that never ends.
    let mut bad = header.clone();
    bad.extend([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert_eq!(sections_size(&bad).kept, bad.len());
}
