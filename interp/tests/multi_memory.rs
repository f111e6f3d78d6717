//! Multi-memory (on by default, `Features`): every memory instruction on the memory it names.
//! An access to memory k != 0 runs between `MemUse k` and `MemUse 0` (ir.rs); these tests check
//! that each kind reaches the right memory with that memory's bounds, that nothing fuses across
//! the switch, and that a trap inside it leaves later calls on memory 0.

use ember_interp::*;

mod support;
use support::call_i32;

/// Memory 0 ("m0") has 2 pages, memory 1 ("m1") 1 page; "a" holds 0x11.. at 0 and "b"'s
/// segment 0x22.. goes to memory 1.
const TWO: &str = r#"(module
  (memory $a (export "m0") 2)
  (memory $b (export "m1") 1)
  (data (memory $a) (i32.const 0) "\11\11\11\11")
  (data (memory $b) (i32.const 0) "\22\22\22\22")
  (data $seg "\33\33\33\33")
  (func (export "load0") (param i32) (result i32) (i32.load $a (local.get 0)))
  (func (export "load1") (param i32) (result i32) (i32.load $b (local.get 0)))
  ;; an address add and a load of memory 1: the add must not fuse into the load of memory 0
  (func (export "load1_add") (param i32) (result i32)
    (i32.load $b offset=1 (i32.add (local.get 0) (i32.const 4))))
  (func (export "load8_1") (param i32) (result i32) (i32.load8_u $b (local.get 0)))
  (func (export "store1") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
  ;; read-modify-write on memory 1 (fused on memory 0: mem[p] = x + mem[p])
  (func (export "rmw1") (param i32 i32)
    (i32.store $b (local.get 0) (i32.add (local.get 1) (i32.load $b (local.get 0)))))
  (func (export "size0") (result i32) (memory.size $a))
  (func (export "size1") (result i32) (memory.size $b))
  (func (export "grow1") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "fill1") (param i32 i32 i32) (memory.fill $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_0_to_1") (param i32 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_1_to_0") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_1_to_1") (param i32 i32 i32) (memory.copy $b $b (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init1") (param i32 i32 i32) (memory.init $b $seg (local.get 0) (local.get 1) (local.get 2)))
  ;; memory 1, then memory 0, then memory 1 again in one body
  (func (export "mixed") (param i32) (result i32)
    (i32.store $a (i32.const 12) (i32.load $b (local.get 0)))
    (i32.add (i32.load $a (local.get 0)) (i32.add (i32.load $b (local.get 0)) (i32.load $a (i32.const 12)))))
  ;; a loaded value of memory 1 branched on (fused with memory 0's loads)
  (func (export "brif1") (param i32) (result i32)
    (block (br_if 0 (i32.load $b (local.get 0))) (return (i32.const 7))) (i32.const 9))
)"#;

fn setup(wat: &str) -> (Store<()>, Instance) {
    let m = Module::new(&wat::parse_str(wat).expect("wat")).expect("valid module");
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).expect("instantiate");
    (store, inst)
}

fn call(store: &mut Store<()>, inst: Instance, name: &str, args: &[i32]) -> Result<(), Trap> {
    let f = inst.get_func(store, name).expect("export");
    let args: Vec<Val> = args.iter().map(|&v| Val::I32(v)).collect();
    f.call(store, &args, &mut [])
}

fn mem(store: &Store<()>, inst: Instance, name: &str) -> Vec<u8> {
    inst.get_memory(store, name).expect("memory").data(store).to_vec()
}

fn oob<T: std::fmt::Debug>(r: Result<T, Trap>) {
    match r {
        Err(Trap::MemoryOutOfBounds) => {}
        r => panic!("expected an out-of-bounds trap, got {r:?}"),
    }
}

#[test]
fn loads_and_stores_reach_the_memory_they_name_with_its_bounds() {
    let (mut s, i) = setup(TWO);
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(0)]).unwrap(), 0x1111_1111);
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(0)]).unwrap(), 0x2222_2222);
    call(&mut s, i, "store1", &[8, 0x0102_0304]).unwrap();
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(8)]).unwrap(), 0x0102_0304);
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(8)]).unwrap(), 0, "memory 0 untouched");
    assert_eq!(call_i32(&mut s, i, "load8_1", &[Val::I32(9)]).unwrap(), 0x03);
    // address 4 + 4 = 8, plus offset 1: bytes 9..13 of memory 1
    assert_eq!(call_i32(&mut s, i, "load1_add", &[Val::I32(4)]).unwrap(), 0x0001_0203);
    call(&mut s, i, "rmw1", &[8, 1]).unwrap();
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(8)]).unwrap(), 0x0102_0305);
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(8)]).unwrap(), 0);
    // Memory 1 has one page: its end is memory 0's middle.
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(65536)]).unwrap(), 0);
    oob(call_i32(&mut s, i, "load1", &[Val::I32(65533)]));
    oob(call(&mut s, i, "store1", &[65533, 1]));
    oob(call_i32(&mut s, i, "load1_add", &[Val::I32(65532 - 4)]));
    assert_eq!(call_i32(&mut s, i, "mixed", &[Val::I32(0)]).unwrap(), 0x1111_1111 + 2 * 0x2222_2222);
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(12)]).unwrap(), 0, "stored to memory 0");
    assert_eq!(call_i32(&mut s, i, "brif1", &[Val::I32(0)]).unwrap(), 9);
    assert_eq!(call_i32(&mut s, i, "brif1", &[Val::I32(100)]).unwrap(), 7);
}

/// After a trap between `MemUse 1` and `MemUse 0`, the next call runs on memory 0 again.
#[test]
fn a_trap_on_memory_1_leaves_later_calls_on_memory_0() {
    let (mut s, i) = setup(TWO);
    oob(call_i32(&mut s, i, "load1", &[Val::I32(70000)]));
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(0)]).unwrap(), 0x1111_1111);
    assert_eq!(call_i32(&mut s, i, "load0", &[Val::I32(100000)]).unwrap(), 0, "memory 0's bounds");
    assert_eq!(call_i32(&mut s, i, "size0", &[]).unwrap(), 2);
}

#[test]
fn size_grow_fill_copy_and_init_on_memory_1() {
    let (mut s, i) = setup(TWO);
    assert_eq!(call_i32(&mut s, i, "size1", &[]).unwrap(), 1);
    assert_eq!(call_i32(&mut s, i, "grow1", &[Val::I32(2)]).unwrap(), 1);
    assert_eq!(call_i32(&mut s, i, "size1", &[]).unwrap(), 3);
    assert_eq!(call_i32(&mut s, i, "size0", &[]).unwrap(), 2, "memory 0 did not grow");
    // the grown memory 1's new end is usable, through its new base
    call(&mut s, i, "store1", &[3 * 65536 - 4, 0x55]).unwrap();
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(3 * 65536 - 4)]).unwrap(), 0x55);
    assert_eq!(call_i32(&mut s, i, "load1", &[Val::I32(0)]).unwrap(), 0x2222_2222, "kept on grow");

    call(&mut s, i, "fill1", &[16, 0xab, 4]).unwrap();
    assert_eq!(mem(&s, i, "m1")[16..20], [0xab; 4]);
    assert_eq!(mem(&s, i, "m0")[16..20], [0; 4]);
    oob(call(&mut s, i, "fill1", &[3 * 65536 - 2, 0, 4]));

    call(&mut s, i, "copy_0_to_1", &[32, 0, 4]).unwrap();
    assert_eq!(mem(&s, i, "m1")[32..36], [0x11; 4]);
    call(&mut s, i, "copy_1_to_0", &[40, 0, 4]).unwrap();
    assert_eq!(mem(&s, i, "m0")[40..44], [0x22; 4]);
    // overlapping copy inside memory 1
    call(&mut s, i, "copy_1_to_1", &[2, 0, 4]).unwrap();
    assert_eq!(mem(&s, i, "m1")[0..6], [0x22; 6]);
    // each side's own bounds: memory 0 has 2 pages, memory 1 now 3
    call(&mut s, i, "copy_1_to_0", &[100, 2 * 65536 + 100, 4]).unwrap();
    oob(call(&mut s, i, "copy_1_to_0", &[2 * 65536 - 2, 0, 4]));
    oob(call(&mut s, i, "copy_0_to_1", &[0, 2 * 65536 - 2, 4]));
    call(&mut s, i, "copy_0_to_1", &[2 * 65536 + 8, 0, 4]).unwrap();
    assert_eq!(mem(&s, i, "m1")[2 * 65536 + 8..2 * 65536 + 12], [0x11; 4]);

    call(&mut s, i, "init1", &[48, 1, 3]).unwrap();
    assert_eq!(mem(&s, i, "m1")[48..51], [0x33; 3]);
    assert_eq!(mem(&s, i, "m0")[48..51], [0; 3]);
    oob(call(&mut s, i, "init1", &[3 * 65536 - 1, 0, 2]));
}

/// One memory imported twice (as memory 0 and memory 1): a copy between them is a copy
/// within one memory, overlapping ranges included.
#[test]
fn one_memory_imported_as_two_copies_with_overlap() {
    let m = Module::new(
        &wat::parse_str(
            r#"(module
              (import "env" "m" (memory $a 1))
              (import "env" "m" (memory $b 1))
              (func (export "copy") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1) (local.get 2))))"#,
        )
        .unwrap(),
    )
    .unwrap();
    let mut s = Store::new(Config::default(), ());
    let shared = Memory::new(&mut s, MemoryType { min: 1, max: None }).unwrap();
    shared.write(&mut s, 0, &[1, 2, 3, 4, 5, 6]).unwrap();
    let i = Instance::new(&mut s, &m, &[Extern::Memory(shared), Extern::Memory(shared)]).unwrap();
    call(&mut s, i, "copy", &[2, 0, 4]).unwrap();
    assert_eq!(shared.data(&s)[..6], [1, 2, 1, 2, 3, 4]);
}

#[test]
fn a_second_memory_is_invalid_in_wasm2_mode_only() {
    let bytes = wat::parse_str("(module (memory 1) (memory 1))").unwrap();
    assert!(Module::new(&bytes).is_ok());
    match Module::new_with_features(&bytes, Features::WASM2) {
        Err(Error::Invalid(e)) => assert!(e.contains("multiple memories"), "{e}"),
        r => panic!("expected invalid, got {:?}", r.map(|_| ())),
    }
}

#[cfg(feature = "simd")]
#[test]
fn v128_loads_stores_and_lanes_on_memory_1() {
    let (mut s, i) = setup(
        r#"(module
          (memory $a 1)
          (memory $b (export "m1") 1)
          (data (memory $b) (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
          (func (export "copy16") (param i32 i32) (v128.store $b (local.get 0) (v128.load $b (local.get 1))))
          (func (export "lane") (param i32) (result i32)
            (i8x16.extract_lane_u 3 (v128.load8_lane $b 3 (local.get 0) (v128.const i64x2 0 0))))
          (func (export "store_lane") (param i32)
            (v128.store8_lane $b 5 (local.get 0) (v128.load $b (i32.const 0))))
          (func (export "splat") (param i32) (result i32)
            (i32x4.extract_lane 2 (v128.load32_splat $b (local.get 0)))))"#,
    );
    call(&mut s, i, "copy16", &[32, 0]).unwrap();
    assert_eq!(mem(&s, i, "m1")[32..48], (1..=16).collect::<Vec<u8>>()[..]);
    assert_eq!(call_i32(&mut s, i, "lane", &[Val::I32(9)]).unwrap(), 10);
    call(&mut s, i, "store_lane", &[60]).unwrap();
    assert_eq!(mem(&s, i, "m1")[60], 6);
    assert_eq!(call_i32(&mut s, i, "splat", &[Val::I32(4)]).unwrap(), 0x0807_0605);
    oob(call(&mut s, i, "copy16", &[65536 - 8, 0]));
    oob(call_i32(&mut s, i, "lane", &[Val::I32(65536)]));
}
