//! Linear memory and guest-driven allocations: reserved address space committed lazily (no RSS
//! for untouched pages, no copy on grow), and an embedder's `HostMemory` consulted before
//! tables, segments, code and memories are allocated.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use ember_interp::*;

mod support;
use support::call_i32;

fn module(wat: &str) -> Module {
    Module::new(&wat::parse_str(wat).expect("wat")).expect("valid module")
}

fn call0(store: &mut Store<()>, inst: Instance, name: &str, args: &[Val]) -> Result<(), Trap> {
    let f = inst.get_func(store, name).expect("export");
    f.call(store, args, &mut [])
}

/// Resident pages among the pages of `bytes` (mincore).
fn resident_pages(bytes: &[u8]) -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let start = bytes.as_ptr() as usize & !(page - 1);
    let len = bytes.as_ptr() as usize + bytes.len() - start;
    let mut v = vec![0u8; len.div_ceil(page)];
    // SAFETY: the range covers mapped memory (the slice) rounded out to whole pages; `v` has one
    // byte per page.
    let r = unsafe { libc::mincore(start as *mut libc::c_void, len, v.as_mut_ptr()) };
    assert_eq!(r, 0, "mincore");
    v.iter().filter(|&&b| b & 1 != 0).count()
}

const GROW_LOOP: &str = r#"(module (memory (export "mem") 1)
  (func (export "grow_by_one") (param $n i32) (result i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (memory.size))
  (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 7))))"#;

#[test]
fn a_declared_gib_costs_no_resident_memory() {
    let m = module(r#"(module (memory (export "mem") 16384))"#);
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    let mem = inst.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.data(&store).len(), 1 << 30);
    assert_eq!(resident_pages(mem.data(&store)), 0, "untouched pages cost nothing");
    mem.write(&mut store, (1 << 30) - 1, &[1]).unwrap();
    assert_eq!(resident_pages(mem.data(&store)), 1);
}

/// 16383 grows of one page each, to 1 GiB: in place (the reservation), nothing copied or
/// touched. Finishes in milliseconds; it used to copy the whole memory on every grow.
#[test]
fn growing_to_a_gib_one_page_at_a_time_is_cheap() {
    let m = module(GROW_LOOP);
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    call0(&mut store, inst, "poke", &[Val::I32(65535)]).unwrap();
    let mem = inst.get_memory(&store, "mem").unwrap();
    let base = mem.data(&store).as_ptr();
    assert_eq!(call_i32(&mut store, inst, "grow_by_one", &[Val::I32(16383)]), Ok(16384));
    let data = mem.data(&store);
    assert_eq!(data.len(), 1 << 30);
    assert_eq!(data[65535], 7, "contents survive growth");
    if cfg!(target_pointer_width = "64") {
        assert_eq!(data.as_ptr(), base, "64-bit targets grow inside the reservation");
    }
    assert!(resident_pages(data) <= 2, "growth touches no page");
    // The executor re-derives its cached base and length after growth.
    call0(&mut store, inst, "poke", &[Val::I32((1 << 30) - 1)]).unwrap();
    assert_eq!(mem.data(&store)[(1 << 30) - 1], 7);
    assert_eq!(call_i32(&mut store, inst, "grow_by_one", &[Val::I32(1)]), Ok(16385));
}

#[test]
fn memories_without_maximum_grow_to_the_configured_limit_only() {
    let m = module(GROW_LOOP);
    let mut store = Store::new(Config { max_memory_pages: 40, ..Config::default() }, ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(call_i32(&mut store, inst, "grow_by_one", &[Val::I32(100)]), Ok(40));
    // Zero-page memories and grown-from-zero memories.
    let m = module(r#"(module (memory (export "mem") 0 3)
        (func (export "g") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "ld") (param i32) (result i32) (i32.load (local.get 0))))"#);
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    assert_eq!(call_i32(&mut store, inst, "ld", &[Val::I32(0)]), Err(Trap::MemoryOutOfBounds));
    assert_eq!(call_i32(&mut store, inst, "g", &[Val::I32(2)]), Ok(0));
    assert_eq!(call_i32(&mut store, inst, "ld", &[Val::I32(2 * 65536 - 4)]), Ok(0));
    assert_eq!(call_i32(&mut store, inst, "g", &[Val::I32(2)]), Ok(-1));
    assert_eq!(call_i32(&mut store, inst, "g", &[Val::I32(1)]), Ok(2));
}

// ---------------------------------------------------------------- HostMemory

/// A test embedder's memory: a byte budget shared by everything (one test at a time holds
/// `LOCK`), linear memories from the global allocator, counted.
static BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);
static LIVE_LINEAR: AtomicUsize = AtomicUsize::new(0);
static LOCK: Mutex<()> = Mutex::new(());

fn budget_room(bytes: usize) -> bool {
    bytes <= BUDGET.load(Ordering::Relaxed)
}
fn layout(len: usize) -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(len, 16).unwrap()
}
fn test_alloc_zeroed(len: usize) -> Option<NonNull<u8>> {
    if !budget_room(len) {
        return None;
    }
    LIVE_LINEAR.fetch_add(1, Ordering::Relaxed);
    // SAFETY: non-zero size (HostMemory's contract).
    NonNull::new(unsafe { std::alloc::alloc_zeroed(layout(len)) })
}
unsafe fn test_grow_zeroed(p: NonNull<u8>, old: usize, new: usize) -> Option<NonNull<u8>> {
    if !budget_room(new) {
        return None;
    }
    // SAFETY: a live block of `old` bytes from test_alloc_zeroed (caller's contract).
    let np = NonNull::new(unsafe { std::alloc::realloc(p.as_ptr(), layout(old), new) })?;
    // SAFETY: the block has `new` bytes.
    unsafe { std::ptr::write_bytes(np.as_ptr().add(old), 0, new - old) };
    Some(np)
}
unsafe fn test_free(p: NonNull<u8>, len: usize) {
    LIVE_LINEAR.fetch_sub(1, Ordering::Relaxed);
    // SAFETY: a live block of `len` bytes (caller's contract).
    unsafe { std::alloc::dealloc(p.as_ptr(), layout(len)) };
}

fn host_config() -> Config {
    Config {
        host_memory: Some(HostMemory {
            room_for: budget_room,
            alloc_zeroed: test_alloc_zeroed,
            grow_zeroed: test_grow_zeroed,
            free: test_free,
        }),
        ..Config::default()
    }
}

#[test]
fn host_memory_bounds_tables_segments_and_memories() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    BUDGET.store(1 << 20, Ordering::Relaxed);
    // 10 M table elements (80 MB) in a 1 MiB budget: a clear error, nothing allocated.
    let m = module("(module (table 10000000 funcref))");
    assert_eq!(m.footprint().tables, 80_000_000);
    let mut store = Store::new(host_config(), ());
    match Instance::new(&mut store, &m, &[]) {
        Err(Error::Limit(msg)) => assert!(msg.contains("tables need 80000000 bytes"), "{msg}"),
        other => panic!("expected a limit error, got {:?}", other.err()),
    }
    // Memory from the host: zeroed, grown, freed with the store.
    let m = module(GROW_LOOP);
    {
        let mut store = Store::new(host_config(), ());
        let inst = Instance::new(&mut store, &m, &[]).unwrap();
        assert_eq!(LIVE_LINEAR.load(Ordering::Relaxed), 1);
        call0(&mut store, inst, "poke", &[Val::I32(3)]).unwrap();
        // Grows until the budget says no (1 MiB = 16 pages), then -1.
        assert_eq!(call_i32(&mut store, inst, "grow_by_one", &[Val::I32(100)]), Ok(16));
        let mem = inst.get_memory(&store, "mem").unwrap();
        assert_eq!(mem.data(&store)[3], 7);
        assert!(mem.data(&store)[4..].iter().all(|&b| b == 0));
        // table.grow asks too.
        let t = module(r#"(module (table (export "t") 1 funcref)
            (func (export "tg") (param i32) (result i32) (table.grow (ref.null func) (local.get 0))))"#);
        let ti = Instance::new(&mut store, &t, &[]).unwrap();
        assert_eq!(call_i32(&mut store, ti, "tg", &[Val::I32(1_000_000)]), Ok(-1));
        assert_eq!(call_i32(&mut store, ti, "tg", &[Val::I32(10)]), Ok(1));
    }
    assert_eq!(LIVE_LINEAR.load(Ordering::Relaxed), 0, "the store freed its memory");
    BUDGET.store(usize::MAX, Ordering::Relaxed);
}

#[test]
fn code_that_does_not_fit_traps_and_translates_later() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let m = module(r#"(module (func (export "f") (result i32) (i32.add (i32.const 1) (i32.const 2))))"#);
    BUDGET.store(1000, Ordering::Relaxed);
    let mut store = Store::new(host_config(), ());
    let inst = Instance::new(&mut store, &m, &[]).unwrap();
    match call_i32(&mut store, inst, "f", &[]) {
        Err(Trap::Host(msg)) => assert!(msg.contains("out of memory"), "{msg}"),
        other => panic!("expected an out-of-memory trap, got {other:?}"),
    }
    // Not remembered as a failure: with memory, the same function translates and runs.
    BUDGET.store(usize::MAX, Ordering::Relaxed);
    assert_eq!(call_i32(&mut store, inst, "f", &[]), Ok(3));
}

#[test]
fn module_sections_are_checked_before_they_are_read() {
    let bytes = wat::parse_str("(module (func) (func) (func) (global i32 (i32.const 0)))").unwrap();
    fn none(_: usize) -> bool {
        false
    }
    fn some(b: usize) -> bool {
        b < 1000
    }
    assert!(matches!(Module::new_checked(&bytes, none), Err(Error::Limit(_))));
    assert!(Module::new_checked(&bytes, some).is_ok());
}

/// Call export `name` (no result or one) of a fresh instance of `m`: its outcome, printed, and
/// the memory "mem" afterwards.
fn run_fresh(m: &Module, name: &str, args: &[Val]) -> (String, Vec<u8>) {
    let mut store = Store::new(Config::default(), ());
    let inst = Instance::new(&mut store, m, &[]).unwrap();
    let f = inst.get_func(&store, name).expect("export");
    let mut out = [Val::I64(0)];
    let n = f.ty(&store).results.len();
    let r = f.call(&mut store, args, &mut out[..n]).map(|()| out[0]);
    let mem = inst.get_memory(&store, "mem").unwrap().data(&store).to_vec();
    (format!("{r:?}"), mem)
}

/// Run export `fused` and export `separate` of `m` on fresh instances with `args`: both must
/// end alike (result or trap) and leave the same memory. Returns the outcome, printed.
fn agree(m: &Module, fused: &str, separate: &str, args: &[Val]) -> String {
    let (f, s) = (run_fresh(m, fused, args), run_fresh(m, separate, args));
    assert_eq!(f.0, s.0, "{fused} with {args:?}");
    assert!(f.1 == s.1, "{fused} with {args:?}: memory differs");
    f.0
}

/// Loads and stores whose address is an `i32.add` run as one fused instruction: of two values
/// (the `indexed` forms: the sum wraps at 2^32, the offset is then added without wrapping), or
/// of a value and a constant with offset 0 (the `wrapped` forms: the constant wraps). Each
/// access kind, fused and not (the same add through a local), must agree on every address: in
/// bounds, wrapped past 2^32, and out of bounds.
#[test]
fn fused_address_adds_agree_with_separate_ones() {
    // (instruction, its value type, the i64 conversion of a loaded value)
    let loads = [
        ("i32.load", "i64.extend_i32_u"),
        ("i64.load", ""),
        ("f32.load", "i32.reinterpret_f32 i64.extend_i32_u"),
        ("f64.load", "i64.reinterpret_f64"),
        ("i32.load8_s", "i64.extend_i32_u"),
        ("i32.load8_u", "i64.extend_i32_u"),
        ("i32.load16_s", "i64.extend_i32_u"),
        ("i32.load16_u", "i64.extend_i32_u"),
        ("i64.load8_u", ""),
        ("i64.load16_u", ""),
        ("i64.load32_u", ""),
    ];
    // (instruction, how to make its value from an i64 param, a constant of its type)
    let stores = [
        ("i32.store", "i32.wrap_i64", "i32.const 0x7a6b5c4d"),
        ("i64.store", "", "i64.const -2"),
        ("f32.store", "i32.wrap_i64 f32.reinterpret_i32", "f32.const -1.5"),
        ("f64.store", "f64.reinterpret_i64", "f64.const 2.25"),
        ("i32.store8", "i32.wrap_i64", "i32.const 0x1ff"),
        ("i32.store16", "i32.wrap_i64", "i32.const 0x12345"),
        ("i64.store8", "", "i64.const 0x1ee"),
        ("i64.store16", "", "i64.const -3"),
        ("i64.store32", "", "i64.const 0x123456789"),
    ];
    // Constants added to an address (a small one, and -16: wraps for addresses from 16 up).
    const CONSTS: [i32; 2] = [7, -16];
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\92\\13\\94\\15\\96\")
           (data (i32.const 65520) \"\\a1\\b2\\c3\\d4\\e5\\f6\\07\\18\\29\\3a\\4b\\5c\\6d\\7e\\8f\\90\")\n",
    );
    for (k, (op, conv)) in loads.iter().enumerate() {
        wat += &format!(
            "(func (export \"load{k}\") (param $b i32) (param $i i32) (result i64)
               (i32.add (local.get $b) (local.get $i)) {op} offset=3 {conv})
             (func (export \"load{k}_sep\") (param $b i32) (param $i i32) (result i64) (local $a i32)
               (local.set $a (i32.add (local.get $b) (local.get $i))) (local.get $a) {op} offset=3 {conv})\n"
        );
        for (c, konst) in CONSTS.iter().enumerate() {
            wat += &format!(
                "(func (export \"load{k}_c{c}\") (param $b i32) (param $i i32) (result i64)
                   (i32.add (local.get $b) (i32.const {konst})) {op} {conv})
                 (func (export \"load{k}_c{c}_sep\") (param $b i32) (param $i i32) (result i64) (local $a i32)
                   (local.set $a (i32.add (local.get $b) (i32.const {konst}))) (local.get $a) {op} {conv})\n"
            );
        }
    }
    for (k, (op, conv, konst)) in stores.iter().enumerate() {
        wat += &format!(
            "(func (export \"store{k}\") (param $b i32) (param $i i32) (param $v i64) (local $x {ty})
               (local.set $x (local.get $v) {conv})
               (i32.add (local.get $b) (local.get $i)) (local.get $x) {op} offset=3
               (i32.add (local.get $i) (local.get $b)) {konst} {op} offset=9)
             (func (export \"store{k}_sep\") (param $b i32) (param $i i32) (param $v i64) (local $x {ty}) (local $a i32)
               (local.set $x (local.get $v) {conv})
               (local.set $a (i32.add (local.get $b) (local.get $i)))
               (local.get $a) (local.get $x) {op} offset=3
               (local.set $a (i32.add (local.get $i) (local.get $b)))
               (local.get $a) {konst} {op} offset=9)\n",
            ty = konst.split('.').next().unwrap()
        );
        for (c, addend) in CONSTS.iter().enumerate() {
            wat += &format!(
                "(func (export \"store{k}_c{c}\") (param $b i32) (param $i i32) (param $v i64) (local $x {ty})
                   (local.set $x (local.get $v) {conv})
                   (i32.add (local.get $b) (i32.const {addend})) (local.get $x) {op}
                   (i32.add (i32.const {addend}) (local.get $i)) {konst} {op})
                 (func (export \"store{k}_c{c}_sep\") (param $b i32) (param $i i32) (param $v i64) (local $x {ty}) (local $a i32)
                   (local.set $x (local.get $v) {conv})
                   (local.set $a (i32.add (local.get $b) (i32.const {addend})))
                   (local.get $a) (local.get $x) {op}
                   (local.set $a (i32.add (i32.const {addend}) (local.get $i)))
                   (local.get $a) {konst} {op})\n",
                ty = konst.split('.').next().unwrap()
            );
        }
    }
    wat += ")";
    let m = module(&wat);
    let addrs: [(u32, u32); 10] = [
        (0, 0),
        (5, 7),
        (u32::MAX, 2),          // wraps to 1
        (0xffff_fff0, 0x20),    // wraps to 16
        (1, u32::MAX),          // wraps to 0
        (65_520, 1),            // near the end: in bounds for small accesses only
        (65_536 - 12, 0),
        (65_536 - 4, 0),        // past the end once the offset is added
        (u32::MAX, 0),          // the offset does not wrap: out of bounds
        (0x7fff_ffff, 0x7fff_ffff),
    ];
    let run = |name: &str, args: &[Val]| run_fresh(&m, name, args);
    let same = |x: &(String, Vec<u8>), y: &(String, Vec<u8>), what: &str| {
        assert_eq!(x.0, y.0, "{what}");
        let diff = x.1.iter().zip(&y.1).position(|(p, q)| p != q);
        assert_eq!(diff, None, "{what}: memory differs from this byte on");
    };
    let mut traps = 0;
    for (b, i) in addrs {
        let args = [Val::I32(b as i32), Val::I32(i as i32)];
        for k in 0..loads.len() {
            for f in [format!("load{k}"), format!("load{k}_c0"), format!("load{k}_c1")] {
                let fused = run(&f, &args);
                same(&fused, &run(&format!("{f}_sep"), &args), &format!("{f} ({}) at {b:#x}, {i:#x}", loads[k].0));
                traps += fused.0.contains("MemoryOutOfBounds") as usize;
            }
        }
        let args = [Val::I32(b as i32), Val::I32(i as i32), Val::I64(0x0102_0304_0506_0708)];
        for k in 0..stores.len() {
            for f in [format!("store{k}"), format!("store{k}_c0"), format!("store{k}_c1")] {
                let fused = run(&f, &args);
                same(&fused, &run(&format!("{f}_sep"), &args), &format!("{f} ({}) at {b:#x}, {i:#x}", stores[k].0));
                traps += fused.0.contains("MemoryOutOfBounds") as usize;
            }
        }
    }
    // Both outcomes were exercised.
    assert!(traps > 0 && traps < 3 * addrs.len() * (loads.len() + stores.len()), "{traps} traps");
}

/// A binary operator whose right operand is a full-width load runs as one fused instruction
/// (the `loaded_right` forms). Each such operator, fused and not (the loaded value through a
/// local), with its left operand in a local and computed, must agree at every address: in
/// bounds, at the end of memory, and out of bounds (the trap comes from the load); the
/// operators with a wrapped form also with the load at `p + 3` wrapping at 2^32. A NaN result
/// is compared as "a NaN": which input's payload it carries is not specified (wasm's NaN
/// nondeterminism; LLVM may commute the fused form's operands).
#[test]
fn binary_operators_with_a_loaded_operand_agree_with_separate_ones() {
    // (type, operators, the i64 conversion of a result)
    let kinds = [
        ("i32", &["add", "sub", "mul", "and", "or", "xor"][..], "i64.extend_i32_u"),
        ("i64", &["add", "sub", "mul", "and", "or", "xor"][..], ""),
        ("f32", &["add", "sub", "mul"][..], "i32.reinterpret_f32 i64.extend_i32_u"),
        ("f64", &["add", "sub", "mul"][..], "i64.reinterpret_f64"),
    ];
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\92\\13\\94\\15\\96\")
           (data (i32.const 65520) \"\\a1\\b2\\c3\\d4\\e5\\f6\\07\\18\\29\\3a\\4b\\5c\\6d\\7e\\ff\\7f\")\n",
    );
    let mut names = Vec::new();
    let mut wrapped = Vec::new();
    for (t, ops, conv) in kinds {
        for op in ops {
            let name = format!("{t}_{op}");
            // The left operand: param $x (a local), or computed (a `select` of it).
            // $r: the result, a NaN made canonical (`T.ne r r` is 0 for integers).
            let canon = if t.starts_with('f') { "nan" } else { "0" };
            let ret = format!("(select ({t}.const {canon}) (local.get $r) ({t}.ne (local.get $r) (local.get $r))) {conv}");
            wat += &format!(
                "(func (export \"{name}\") (param $x {t}) (param $p i32) (result i64) (local $r {t})
                   (local.set $r ({t}.{op} (local.get $x) ({t}.load offset=3 (local.get $p)))) {ret})
                 (func (export \"{name}_c\") (param $x {t}) (param $p i32) (result i64) (local $r {t})
                   (local.set $r ({t}.{op} (select (local.get $x) (local.get $x) (local.get $p)) ({t}.load offset=3 (local.get $p)))) {ret})
                 (func (export \"{name}_sep\") (param $x {t}) (param $p i32) (result i64) (local $v {t}) (local $r {t})
                   (local.set $v ({t}.load offset=3 (local.get $p)))
                   (local.set $r ({t}.{op} (local.get $x) (local.get $v))) {ret})\n"
            );
            // The wrapped load (`p + 3` wrapping at 2^32, no offset), where a fused form exists.
            if matches!((t, *op), ("i32", "add") | ("f32", "add") | ("f32", "mul")) {
                wat += &format!(
                    "(func (export \"{name}_w\") (param $x {t}) (param $p i32) (result i64) (local $r {t})
                       (local.set $r ({t}.{op} (local.get $x) ({t}.load (i32.add (local.get $p) (i32.const 3))))) {ret})
                     (func (export \"{name}_w_sep\") (param $x {t}) (param $p i32) (result i64) (local $v {t}) (local $r {t})
                       (local.set $v ({t}.load (i32.add (local.get $p) (i32.const 3))))
                       (local.set $r ({t}.{op} (local.get $x) (local.get $v))) {ret})\n"
                );
                wrapped.push((format!("{name}_w"), t));
            }
            names.push((name, t));
        }
    }
    wat += ")";
    let m = module(&wat);
    let xs = |t: &str| match t {
        "i32" => [Val::I32(0x1234_5678), Val::I32(-7)],
        "i64" => [Val::I64(0x0123_4567_89ab_cdef), Val::I64(-3)],
        "f32" => [Val::F32(1.5f32.to_bits()), Val::F32(f32::NAN.to_bits())],
        _ => [Val::F64((-2.25f64).to_bits()), Val::F64(1e300f64.to_bits())],
    };
    // 65 533 + 3: the last 4 bytes; u32::MAX: the offset does not wrap.
    let addrs: [u32; 6] = [0, 9, 65_520 - 3, 65_533 - 4, 65_533, u32::MAX];
    let (mut traps, mut runs) = (0, 0);
    for (name, t) in &names {
        for x in xs(t) {
            for p in addrs {
                let args = [x, Val::I32(p as i32)];
                let sep = run_fresh(&m, &format!("{name}_sep"), &args);
                for f in [name.clone(), format!("{name}_c")] {
                    let fused = run_fresh(&m, &f, &args);
                    assert_eq!(fused.0, sep.0, "{f} at {p:#x}, x = {x:?}");
                    assert!(fused.1 == sep.1, "{f}: memory differs");
                    traps += fused.0.contains("MemoryOutOfBounds") as usize;
                    runs += 1;
                }
            }
        }
    }
    for (name, t) in &wrapped {
        for x in xs(t) {
            for p in addrs {
                let args = [x, Val::I32(p as i32)];
                let outcome = agree(&m, name, &format!("{name}_sep"), &args);
                traps += outcome.contains("MemoryOutOfBounds") as usize;
                runs += 1;
            }
        }
    }
    // Both outcomes were exercised.
    assert!(traps > 0 && traps < runs, "{traps} traps in {runs} runs");
}

/// A byte load converted to f32 (`f32.convert_i32_u (i32.load8_u ..)`, the pixel idiom) runs as
/// one instruction in each address form; it must give what the separate load and conversion
/// give, for every byte value and at addresses that wrap or fall out of bounds.
#[test]
fn byte_loads_converted_to_f32_agree_with_separate_ones() {
    let mut wat = String::from("(module (memory (export \"mem\") 1)\n");
    // Every byte value at 0..256, and at the end of memory.
    wat += "(data (i32.const 0) \"";
    for b in 0..=255u8 {
        wat += &format!("\\{b:02x}");
    }
    wat += "\") (data (i32.const 65534) \"\\ff\\80\")\n";
    // (name, the address expression of params $b, $i)
    let forms = [
        ("plain", "(local.get $b)"),
        ("indexed", "(i32.add (local.get $b) (local.get $i))"),
        ("wrapped", "(i32.add (local.get $b) (i32.const -16))"),
    ];
    for (name, addr) in forms {
        let off = if name == "wrapped" { "" } else { "offset=1" };
        wat += &format!(
            "(func (export \"{name}\") (param $b i32) (param $i i32) (result i32)
               (i32.reinterpret_f32 (f32.convert_i32_u (i32.load8_u {off} {addr}))))
             (func (export \"{name}_sep\") (param $b i32) (param $i i32) (result i32) (local $v i32)
               (local.set $v (i32.load8_u {off} {addr}))
               (i32.reinterpret_f32 (f32.convert_i32_u (local.get $v))))\n"
        );
    }
    wat += ")";
    let m = module(&wat);
    let mut addrs: Vec<(u32, u32)> = (0..=256).map(|b| (b, 0)).collect();
    addrs.extend([(65_533, 0), (65_534, 0), (65_535, 0), (u32::MAX, 0), (u32::MAX, 20), (65_540, u32::MAX - 10), (5, 0xffff_fff0)]);
    let (mut traps, mut runs) = (0, 0);
    for (b, i) in addrs {
        let args = [Val::I32(b as i32), Val::I32(i as i32)];
        for (name, _) in forms {
            let fused = run_fresh(&m, name, &args);
            let sep = run_fresh(&m, &format!("{name}_sep"), &args);
            assert_eq!(fused.0, sep.0, "{name} at {b:#x}, {i:#x}");
            traps += fused.0.contains("MemoryOutOfBounds") as usize;
            runs += 1;
        }
    }
    assert!(traps > 0 && traps < runs, "{traps} traps in {runs} runs");
}

/// The same for v128.load and v128.store (their indexed and wrapped forms).
#[cfg(feature = "simd")]
#[test]
fn fused_v128_address_adds_agree_with_separate_ones() {
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\92\\13\\94\\15\\96\")
           (data (i32.const 65520) \"\\a1\\b2\\c3\\d4\\e5\\f6\\07\\18\\29\\3a\\4b\\5c\\6d\\7e\\8f\\90\")
           (func $fold (param v128) (result i64)
             (i64.xor (i64x2.extract_lane 0 (local.get 0)) (i64.rotl (i64x2.extract_lane 1 (local.get 0)) (i64.const 17))))\n",
    );
    // (name, address expression from $b and $i, offset): an add of two values, of a constant.
    let forms = [
        ("x", "(i32.add (local.get $b) (local.get $i))", "offset=3"),
        ("w", "(i32.add (local.get $b) (i32.const -16))", ""),
    ];
    for (f, addr, off) in forms {
        wat += &format!(
            "(func (export \"load_{f}\") (param $b i32) (param $i i32) (result i64)
               (call $fold (v128.load {off} {addr})))
             (func (export \"load_{f}_sep\") (param $b i32) (param $i i32) (result i64) (local $a i32)
               (local.set $a {addr}) (call $fold (v128.load {off} (local.get $a))))
             (func (export \"store_{f}\") (param $b i32) (param $i i32) (local $v v128)
               (local.set $v (v128.const i32x4 0x01020304 0x05060708 0x090a0b0c 0x0d0e0f10))
               (v128.store {off} {addr} (local.get $v)))
             (func (export \"store_{f}_sep\") (param $b i32) (param $i i32) (local $v v128) (local $a i32)
               (local.set $v (v128.const i32x4 0x01020304 0x05060708 0x090a0b0c 0x0d0e0f10))
               (local.set $a {addr}) (v128.store {off} (local.get $a) (local.get $v)))\n"
        );
    }
    wat += ")";
    let m = module(&wat);
    let run = |name: &str, args: &[Val]| run_fresh(&m, name, args);
    let (mut traps, mut runs) = (0, 0);
    for (b, i) in [(0u32, 0u32), (16, 3), (u32::MAX, 2), (0xffff_fff0, 0x20), (65_520, 0), (65_536 - 16, 1), (u32::MAX, 0), (8, 0)] {
        let args = [Val::I32(b as i32), Val::I32(i as i32)];
        for f in ["load_x", "load_w", "store_x", "store_w"] {
            let (fused, sep) = (run(f, &args), run(&format!("{f}_sep"), &args));
            assert_eq!(fused.0, sep.0, "{f} at {b:#x}, {i:#x}");
            assert!(fused.1 == sep.1, "{f} at {b:#x}, {i:#x}: memory differs");
            traps += fused.0.contains("MemoryOutOfBounds") as usize;
            runs += 1;
        }
    }
    assert!(traps > 0 && traps < runs, "{traps} traps of {runs}");
}

/// `mem[p] = x + mem[p]` (an add with a loaded right operand stored back to the same address
/// and offset) runs as one read-modify-write instruction; it must give what the separate load,
/// add and store give (kept apart by a local and an empty block), in bounds, at the end of
/// memory and out of bounds. A store at another offset is not fused, and must agree too.
#[test]
fn read_modify_write_adds_agree_with_separate_ones() {
    let kinds = [
        ("i32", Val::I32(0x7fff_ffff)),
        ("i64", Val::I64(-3)),
        ("f32", Val::F32(1.25f32.to_bits())),
        ("f64", Val::F64((-0.5f64).to_bits())),
    ];
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\01\\82\\03\\84\\05\\86\\07\\88\\09\\8a\\0b\\8c\\0d\\8e\\0f\\90\\11\\92\\13\\94\\15\\96\")
           (data (i32.const 65520) \"\\a1\\b2\\c3\\d4\\e5\\f6\\07\\18\\29\\3a\\4b\\5c\\6d\\7e\\ff\\7f\")\n",
    );
    let mut names = Vec::new();
    for (t, _) in kinds {
        // (address expression, load offset, store offset)
        let forms = [
            ("(local.get $p)", 3, 3),
            ("(i32.or (local.get $p) (local.get $q))", 3, 3),
            ("(local.get $p)", 3, 4),
        ];
        for (k, (addr, lo, so)) in forms.iter().enumerate() {
            let name = format!("{t}_{k}");
            wat += &format!(
                "(func (export \"{name}\") (param $p i32) (param $q i32) (param $x {t}) (local $a i32)
                   (local.set $a {addr})
                   ({t}.store offset={so} (local.get $a) ({t}.add (local.get $x) ({t}.load offset={lo} (local.get $a)))))
                 (func (export \"{name}_sep\") (param $p i32) (param $q i32) (param $x {t}) (local $a i32) (local $v {t})
                   (local.set $a {addr})
                   (local.set $v ({t}.load offset={lo} (local.get $a))) (block)
                   ({t}.store offset={so} (local.get $a) ({t}.add (local.get $x) (local.get $v))))\n"
            );
            names.push((name, kinds.iter().find(|k| k.0 == t).expect("kind").1));
        }
    }
    wat += ")";
    let m = module(&wat);
    let addrs: [u32; 6] = [0, 9, 65_520 - 3, 65_533 - 8, 65_533 - 4, u32::MAX];
    let (mut traps, mut runs) = (0, 0);
    for (name, x) in &names {
        for p in addrs {
            let args = [Val::I32(p as i32), Val::I32(0), *x];
            let outcome = agree(&m, name, &format!("{name}_sep"), &args);
            traps += outcome.contains("MemoryOutOfBounds") as usize;
            runs += 1;
        }
    }
    assert!(traps > 0 && traps < runs, "{traps} traps in {runs} runs");
}

/// `br_if` on a loaded i32 (`i32.load`, `i32.load8_u`, and `i32.load8_u` of a sum of two
/// values) runs as one instruction; it must branch as the separate load and `br_if` do (kept
/// apart by an empty block), on zero and non-zero bytes at each position of the word, at the
/// end of memory, and trap out of bounds.
#[test]
fn branches_on_a_loaded_value_agree_with_separate_ones() {
    let loads = [
        "(i32.load offset=2 (local.get $p))",
        "(i32.load8_u offset=1 (local.get $p))",
        "(i32.load8_u (i32.add (local.get $p) (local.get $q)))",
    ];
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\00\\00\\00\\00\\00\\00\\00\\01\\00\\00\\00\\00\\80\\00\\00\\00\\00\\00\\00\\00\\01\\00\")
           (data (i32.const 65530) \"\\00\\00\\00\\00\\00\\07\")\n",
    );
    for (n, load) in loads.iter().enumerate() {
        wat += &format!(
            "(func (export \"b{n}\") (param $p i32) (param $q i32) (result i32)
               (block $t (br_if $t {load}) (return (i32.const 0))) (i32.const 1))
             (func (export \"b{n}_sep\") (param $p i32) (param $q i32) (result i32) (local $v i32)
               (block $t (local.set $v {load}) (block) (br_if $t (local.get $v)) (return (i32.const 0))) (i32.const 1))\n"
        );
    }
    wat += ")";
    let m = module(&wat);
    let (mut taken, mut traps, mut runs) = (0, 0, 0);
    for n in 0..loads.len() {
        for p in (0..24).chain([65_526, 65_527, 65_528, 65_529, 65_530, 65_534, 65_535, u32::MAX]) {
            for q in [0u32, 1, 0xffff_ffff] {
                let args = [Val::I32(p as i32), Val::I32(q as i32)];
                let outcome = agree(&m, &format!("b{n}"), &format!("b{n}_sep"), &args);
                taken += outcome.contains("I32(1)") as usize;
                traps += outcome.contains("MemoryOutOfBounds") as usize;
                runs += 1;
            }
        }
    }
    assert!(taken > 0 && traps > 0 && taken + traps < runs, "{taken} taken, {traps} traps in {runs} runs");
}

/// `f32x4.add`/`f32x4.mul` with a `v128.load` right operand (`F32x4AddLd`, `F32x4MulLd`), its
/// wrapped-address form (`*LdW`) and the sum stored back where it was loaded
/// (`F32x4AddLdSt`), against the same code with the loaded value kept in a local: the same
/// result bits (NaN payloads included: only the loaded lanes hold NaNs, so no lane has two NaN
/// operands, whose payload either may carry), trap and memory at every address kind: in
/// bounds, wrapping past 2^32, the last 16 bytes, one past them.
#[cfg(feature = "simd")]
#[test]
fn v128_operators_with_a_loaded_operand_agree_with_separate_ones() {
    let load = |addr: &str| format!("(v128.load offset=4 {addr})");
    let forms = [
        ("add_ld", "f32x4.add", load("(local.get $p)")),
        ("mul_ld", "f32x4.mul", load("(local.get $p)")),
        ("add_ldw", "f32x4.add", "(v128.load (i32.add (local.get $p) (i32.const 20)))".to_string()),
        ("mul_ldw", "f32x4.mul", "(v128.load (i32.add (local.get $p) (i32.const 20)))".to_string()),
    ];
    let mut wat = String::from(
        "(module (memory (export \"mem\") 1)
           (data (i32.const 0) \"\\00\\00\\80\\3f\\34\\12\\c0\\7f\\00\\00\\80\\ff\\01\\00\\00\\80\\00\\00\\c0\\40\\ff\\ff\\7f\\7f\\9a\\99\\99\\3e\\00\\00\\00\\00\")
           (data (i32.const 65520) \"\\00\\00\\80\\7f\\cd\\cc\\4c\\3d\\01\\00\\c0\\ff\\00\\00\\00\\c1\")\n",
    );
    for (name, op, ld) in &forms {
        wat += &format!(
            "(func (export \"{name}\") (param $x v128) (param $p i32) (result v128) ({op} (local.get $x) {ld}))
             (func (export \"{name}_sep\") (param $x v128) (param $p i32) (result v128) (local $t v128)
               (local.set $t {ld}) (block) ({op} (local.get $x) (local.get $t)))\n"
        );
    }
    wat += "(func (export \"rmw\") (param $x v128) (param $p i32)
              (v128.store offset=4 (local.get $p) (f32x4.add (local.get $x) (v128.load offset=4 (local.get $p)))))
            (func (export \"rmw_sep\") (param $x v128) (param $p i32) (local $t v128)
              (local.set $t (f32x4.add (local.get $x) (v128.load offset=4 (local.get $p)))) (block)
              (v128.store offset=4 (local.get $p) (local.get $t))))";
    let m = module(&wat);
    let xs = [
        Val::V128(0x3f80_0000_4120_0000_0000_0000_c0a0_0000),
        Val::V128(0xff80_0000_7f7f_ffff_8000_0000_3e99_999a),
    ];
    // 0xffff_fff0 + 20 wraps to 4 (the W forms); 65516 + 4 is the last 16 bytes, 65517 is past them.
    let addrs = [0, 8, 65516, 65517, 65500, -16, -4, -1];
    let mut outcomes = std::collections::BTreeSet::new();
    for name in ["add_ld", "mul_ld", "add_ldw", "mul_ldw", "rmw"] {
        for &x in &xs {
            for p in addrs {
                let out = agree(&m, name, &format!("{name}_sep"), &[x, Val::I32(p)]);
                outcomes.insert(out.starts_with("Err"));
            }
        }
    }
    assert_eq!(outcomes.len(), 2, "both results and traps were seen");
}
