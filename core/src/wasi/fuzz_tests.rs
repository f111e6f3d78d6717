//! Every WASI function called many times with random arguments and random
//! memory: no panic, every result a WASI errno (or proc_exit's / proc_raise's
//! trap), and nothing outside the preopened scratch directory changes.

use std::path::{Path, PathBuf};

use ember_interp::{Trap, Val, ValType};

use super::funcs::Fail;
use super::mem::GuestMem;
use super::table::{direct, FUNCS};
use super::{WasiConfig, WasiCtx};

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const MEM: usize = 64 * 1024;

/// Paths planted in memory (at 0x100 * (i + 1)), so that random (ptr, len)
/// pairs often name something real, escapes included.
const PATHS: [&str; 8] = ["a", "../outside/secret", "sub/x", "up/outside/secret", "new", "sub/../..", "/etc/passwd", "sub/"];

/// Values an i32 argument is often drawn from: the preopen's fd (3), the
/// planted paths and their lengths.
const POOL: [u32; 16] = [0, 3, 3, 3, 0x100, 0x200, 0x300, 0x400, 0x500, 0x600, 0x700, 0x800, 1, 3, 5, 17];

fn plant(bytes: &mut [u8]) {
    for (i, p) in PATHS.iter().enumerate() {
        let at = 0x100 * (i + 1);
        bytes[at..at + p.len()].copy_from_slice(p.as_bytes());
    }
}

fn arg(rng: &mut Rng, ty: ValType) -> Val {
    match ty {
        ValType::I64 => Val::I64(match rng.below(4) {
            0 => rng.below(16) as i64,
            1 => rng.below(1 << 20) as i64,
            _ => rng.next() as i64,
        }),
        _ => Val::I32(match rng.below(8) {
            0 => rng.below(16) as i32,
            1..=5 => POOL[rng.below(POOL.len() as u64) as usize] as i32,
            6 => rng.below(MEM as u64 + 64) as i32,
            _ => rng.next() as i32,
        }),
    }
}

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

/// Removes the scratch tree when the test ends, passed or failed.
struct Scratch(PathBuf);
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn random_calls_never_panic_or_escape() {
    let root = std::env::temp_dir().join(format!("ember-wasi-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let _cleanup = Scratch(root.clone());
    std::fs::create_dir_all(root.join("box/sub")).unwrap();
    std::fs::create_dir_all(root.join("outside")).unwrap();
    std::fs::write(root.join("box/a"), "abc").unwrap();
    std::fs::write(root.join("outside/secret"), "secret").unwrap();
    std::os::unix::fs::symlink("..", root.join("box/up")).unwrap();
    let boxed = root.join("box");
    let before = listing(&root, &boxed);

    let cfg = WasiConfig {
        args: vec![b"prog".to_vec(), b"x".to_vec()],
        env: vec![b"A=1".to_vec()],
        map_dirs: vec![format!("/box::{}", boxed.display())],
        ..WasiConfig::default()
    };
    // No stdio: nothing may block on the test's terminal or write into its output.
    let fresh = || {
        let mut ctx = WasiCtx::new(&cfg).unwrap();
        for fd in 0..3 {
            let _ = ctx.fds.remove(fd);
        }
        ctx
    };
    let mut ctx = fresh();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut bytes = vec![0u8; MEM];
    let mut calls = 0;
    let mut path_ok = 0;
    for round in 0..50_000 {
        if round % 100 == 0 {
            for b in bytes.iter_mut() {
                *b = rng.next() as u8;
            }
            plant(&mut bytes);
            // Random fd_close / fd_renumber calls soon lose the preopen: start over.
            ctx = fresh();
        }
        let (name, f) = direct::ALL[rng.below(direct::ALL.len() as u64) as usize];
        // poll_oneoff with random clocks could sleep for ages; it gets its own test.
        if name == "poll_oneoff" {
            continue;
        }
        let def = FUNCS.iter().find(|d| d.name == name).unwrap();
        let mut args: Vec<Val> = Vec::with_capacity(def.params.len());
        while args.len() < def.params.len() {
            let k = args.len();
            // Most functions take a descriptor first: usually the preopen's.
            let fd_first = ["fd_", "path_", "sock_"].iter().any(|p| name.starts_with(p))
                && !["path_symlink", "fd_close", "fd_renumber"].contains(&name);
            if k == 0 && fd_first && rng.below(4) != 0 {
                args.push(Val::I32(3));
                continue;
            }
            let pair = def.params.get(k + 1) == Some(&ValType::I32) && def.params[k] == ValType::I32;
            if pair && rng.below(3) == 0 {
                // A planted path as a (ptr, len) pair.
                let i = rng.below(PATHS.len() as u64) as usize;
                args.push(Val::I32(0x100 * (i as i32 + 1)));
                args.push(Val::I32(PATHS[i].len() as i32));
            } else {
                args.push(arg(&mut rng, def.params[k]));
            }
        }
        let mut mem = GuestMem::new(&mut bytes);
        match f(&mut ctx, &mut mem, &args).expect("arguments match the signature") {
            Ok(()) => {
                if name.starts_with("path_") {
                    path_ok += 1;
                }
            }
            Err(Fail::Errno(_)) => {}
            Err(Fail::Trap(Trap::Exit(_))) if name == "proc_exit" => {}
            Err(Fail::Trap(Trap::Host(_))) if name == "proc_raise" => {}
            Err(Fail::Trap(t)) => panic!("{name}{args:?} trapped: {t}"),
        }
        calls += 1;
    }
    assert!(calls > 40_000);
    // The planted paths make real file-system work happen, not only EFAULTs.
    assert!(path_ok > 200, "only {path_ok} path calls succeeded");
    assert_eq!(listing(&root, &boxed), before, "something outside the preopen changed");
    assert_eq!(std::fs::read(root.join("outside/secret")).unwrap(), b"secret");
}

#[test]
fn poll_with_random_fds_and_short_clocks() {
    let mut ctx = WasiCtx::new(&WasiConfig::default()).unwrap();
    for fd in 0..3 {
        let _ = ctx.fds.remove(fd);
    }
    let mut rng = Rng(42);
    let mut bytes = vec![0u8; MEM];
    for _ in 0..300 {
        let n = 1 + rng.below(8) as u32;
        for i in 0..n as usize {
            let at = 1024 + i * 48;
            for b in &mut bytes[at..at + 48] {
                *b = rng.next() as u8;
            }
            // A known tag and a timeout below 1 ms keep the test quick.
            bytes[at + 8] = rng.below(3) as u8;
            bytes[at + 24..at + 32].copy_from_slice(&rng.below(1_000_000).to_le_bytes());
            bytes[at + 40..at + 42].copy_from_slice(&0u16.to_le_bytes());
        }
        let out = if rng.below(4) == 0 { rng.next() as u32 } else { 8192 };
        let args = [Val::I32(1024), Val::I32(out as i32), Val::I32(n as i32), Val::I32(16)];
        let mut mem = GuestMem::new(&mut bytes);
        let (_, f) = direct::ALL.iter().find(|(name, _)| *name == "poll_oneoff").unwrap();
        match f(&mut ctx, &mut mem, &args).unwrap() {
            Ok(()) => assert!(u32::from_le_bytes(bytes[16..20].try_into().unwrap()) <= n),
            Err(Fail::Errno(_)) => {}
            Err(Fail::Trap(t)) => panic!("poll trapped: {t}"),
        }
    }
}
