//! The WASI preview1 host functions of vmcore-rt, called directly (as the linker's table,
//! `vmcore_rt::wasi::table::FUNCS`, calls them) with fuzzed arguments and fuzzed guest memory,
//! against a scratch preopen ("/box") rebuilt for every input. Every call must end in an errno
//! (or proc_exit's / proc_raise's trap); nothing outside the preopen may change.
//!
//! poll_oneoff is left out: its clocks come from guest memory and may sleep for any time (the
//! unit test core/src/wasi/fuzz_tests.rs drives it with short clocks).
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::Unstructured;
use ember_interp::{Caller, Config, Instance, Module, Store, Trap, Val, ValType};
use libfuzzer_sys::fuzz_target;

/// EMBER_FUZZ_TRACE=1: print every call and its result on stderr (to see what a corpus reaches).
fn trace() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("EMBER_FUZZ_TRACE").is_some_and(|v| v == "1"))
}
use vmcore_rt::runtime::host::StoreData;
use vmcore_rt::wasi::table::FUNCS;
use vmcore_rt::wasi::{WasiConfig, WasiCtx};

/// `(module (memory 1))`
const MODULE: &[u8] = &[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1];
const MEM: u32 = 65536;

/// Paths planted in memory at 0x100 * (i + 1), so that (ptr, len) pairs name something real.
const PATHS: [&str; 10] =
    ["a", "../outside/secret", "sub/x", "up/outside/secret", "new", "sub/../..", "/etc/passwd", "sub/", "a/..", "up"];
/// Values i32 arguments are often drawn from: the preopen's fd, planted paths, small sizes.
const POOL: [u32; 18] =
    [0, 3, 4, 5, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800, 1, 2, 8, 16, 0x2000, MEM - 4];

fn scratch() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("ember-fuzz-wasi-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("outside")).unwrap();
        std::fs::write(root.join("outside/secret"), "secret").unwrap();
        root
    })
}

/// Everything under `root` except `skip`, with sizes.
fn listing(root: &Path, skip: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p == skip {
                continue;
            }
            let md = std::fs::symlink_metadata(&p).unwrap();
            out.push((p.clone(), md.len()));
            if md.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn reset_box(root: &Path) -> PathBuf {
    let boxed = root.join("box");
    if boxed.exists() && std::fs::remove_dir_all(&boxed).is_err() {
        // The guest took permissions away (WASI has no chmod, but be sure): give them back.
        let _ = std::process::Command::new("chmod").arg("-R").arg("u+rwx").arg(&boxed).status();
        std::fs::remove_dir_all(&boxed).unwrap();
    }
    std::fs::create_dir_all(boxed.join("sub")).unwrap();
    std::fs::write(boxed.join("a"), "abc").unwrap();
    std::os::unix::fs::symlink("..", boxed.join("up")).unwrap();
    boxed
}

fn arg(u: &mut Unstructured<'_>, ty: ValType) -> arbitrary::Result<Val> {
    Ok(match ty {
        ValType::I64 => Val::I64(match u.int_in_range(0..=3)? {
            0 => u.int_in_range(0..=16)?,
            1 => u.int_in_range(0..=1 << 20)?,
            _ => u.arbitrary()?,
        }),
        _ => Val::I32(match u.int_in_range(0..=7)? {
            0 => u.int_in_range(0..=16)?,
            1..=5 => *u.choose(&POOL)? as i32,
            6 => u.int_in_range(0..=MEM + 64)? as i32,
            _ => u.arbitrary()?,
        }),
    })
}

fn run(u: &mut Unstructured<'_>, store: &mut Store<StoreData>, inst: Instance) -> arbitrary::Result<()> {
    // Guest memory: the planted paths, then a few fuzzed patches (structs, iovecs, paths).
    let mem = inst.memory(store).expect("memory 0");
    for (i, p) in PATHS.iter().enumerate() {
        mem.write(store, 0x100 * (i as u64 + 1), p.as_bytes()).unwrap();
    }
    for _ in 0..u.int_in_range(0..=8)? {
        let at = u.int_in_range(0..=0x3000u32)?;
        let len = u.int_in_range(0..=64usize)?;
        let bytes = u.bytes(len)?;
        let _ = mem.write(store, u64::from(at), bytes);
    }
    for _ in 0..u.int_in_range(1..=12)? {
        let def = u.choose(FUNCS)?;
        if def.name == "poll_oneoff" {
            continue;
        }
        let mut args = Vec::with_capacity(def.params.len());
        // Most functions take a descriptor first: usually the preopen's (3).
        let fd_first = ["fd_", "path_", "sock_"].iter().any(|p| def.name.starts_with(p))
            && !["path_symlink", "fd_close", "fd_renumber"].contains(&def.name);
        while args.len() < def.params.len() {
            let k = args.len();
            if k == 0 && fd_first && u.ratio(3, 4)? {
                args.push(Val::I32(3));
                continue;
            }
            let pair = def.params[k] == ValType::I32 && def.params.get(k + 1) == Some(&ValType::I32);
            if pair && u.ratio(1, 2)? {
                let i = u.choose_index(PATHS.len())?;
                args.push(Val::I32(0x100 * (i as i32 + 1)));
                args.push(Val::I32(PATHS[i].len() as i32));
            } else {
                args.push(arg(u, def.params[k])?);
            }
        }
        let mut results: Vec<Val> = def.results.iter().map(|&t| Val::default_of(t)).collect();
        let mut caller = Caller { store: &mut *store, instance: Some(inst) };
        let r = (def.func)(&mut caller, &args, &mut results);
        if trace() {
            eprintln!("{}{args:?} -> {results:?} {r:?}", def.name);
        }
        match r {
            Ok(()) => assert!(matches!(results.first(), None | Some(Val::I32(0..=76))), "{}: {results:?}", def.name),
            Err(Trap::Exit(_)) if def.name == "proc_exit" => {}
            Err(Trap::Host(_)) if def.name == "proc_raise" => {}
            Err(t) => panic!("{}{args:?} trapped: {t}", def.name),
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let root = scratch();
    let boxed = reset_box(root);
    let before = listing(root, &boxed);
    let cfg = WasiConfig {
        args: vec![b"prog".to_vec(), b"x".to_vec()],
        env: vec![b"A=1".to_vec()],
        map_dirs: vec![format!("/box::{}", boxed.display())],
        ..WasiConfig::default()
    };
    let mut ctx = WasiCtx::new(&cfg).expect("scratch preopen");
    // No stdio: nothing may block on the terminal or write into libFuzzer's output.
    for fd in 0..3 {
        let _ = ctx.fds.remove(fd);
    }
    let module = Module::new(MODULE).unwrap();
    // What instantiation gives an instance importing WASI (`wasi::Wasi::prepare`).
    let mut store_data = StoreData::default();
    store_data.slots.insert(ctx);
    let mut store = Store::new(Config::default(), store_data);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let _ = run(&mut Unstructured::new(data), &mut store, inst);
    drop(store);
    assert_eq!(listing(root, &boxed), before, "something outside the preopen changed");
    assert_eq!(std::fs::read(root.join("outside/secret")).unwrap(), b"secret");
});
