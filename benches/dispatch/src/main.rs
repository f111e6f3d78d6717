//! Dispatch-style microbenchmark: the same tiny register IR program run by
//! (1) `loop { match }` over a fieldless enum (Ember's executor style),
//! (2) function-pointer handlers called from a loop (handler returns next ip),
//! (3) tail-call threaded handlers (each handler calls the next instruction's
//!     handler as its last action; stable Rust, relies on LLVM sibling-call
//!     optimisation turning that call into a jump).
//! Operands are frame-slot indices (u64 cells), instructions are 16 bytes in
//! all three styles. Stable Rust 1.85 features only (no `become`, no nightly).
//! Slot indices are validated once before running; the executors then index
//! unchecked (as Ember's executor does with raw pointers).

use std::hint::black_box;
use std::time::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
enum Op {
    Const, // dst = b (immediate)
    Add,   // dst = a + b
    Sub,   // dst = a - b
    Mul,   // dst = a * b
    Xor,   // dst = a ^ b
    And,   // dst = a & b
    ShrU,  // dst = a >> (b & 63)
    AddImm, // dst = a + b (immediate)
    LtU,   // dst = (a < b) as u64
    BrIf,  // if a != 0 { ip += b as i32 }   (offset relative to this instr)
    Br,    // ip += b as i32
    Ret,   // return a
}

/// Abstract program: (op, dst, a, b).
#[derive(Clone, Copy)]
struct Ins {
    op: Op,
    dst: u32,
    a: u32,
    b: u32,
}

const NSLOTS: usize = 12;

fn program() -> Vec<Ins> {
    use Op::*;
    let i = |op, dst, a, b| Ins { op, dst, a, b };
    // slots: 0=n 1=i 2=s 3=x 4=y 5=t 6=cond 7=K 8=SH 9=MASK
    vec![
        i(Const, 2, 0, 0),          // 0: s = 0
        i(Const, 1, 0, 0),          // 1: i = 0
        i(Const, 7, 0, 0x9E37_79B9), // 2: K
        i(Const, 8, 0, 7),          // 3: SH
        i(Const, 9, 0, 0xFFFF_FFFF), // 4: MASK
        i(Br, 0, 0, 7),             // 5: goto 12
        // loop body (6..=14)
        i(Mul, 3, 1, 7),            // 6: x = i * K
        i(Xor, 4, 3, 2),            // 7: y = x ^ s
        i(ShrU, 5, 4, 8),           // 8: t = y >> SH
        i(Add, 2, 2, 5),            // 9: s = s + t
        i(Sub, 2, 2, 1),            // 10: s = s - i
        i(And, 2, 2, 9),            // 11: s = s & MASK
        i(AddImm, 1, 1, 1),         // 12: i = i + 1   (the Br at 5 lands here)
        i(LtU, 6, 1, 0),            // 13: cond = i < n
        i(BrIf, 0, 6, (-8i32) as u32), // 14: if cond goto 6
        i(Ret, 0, 2, 0),            // 15: return s
    ]
}
// The Br at 5 jumps to 12, so i goes 0 -> 1 without the body; then each of the n-1
// iterations runs 9 instructions (6..=14). Native reference below.

fn reference(n: u64) -> u64 {
    let (mut s, mut i) = (0u64, 0u64);
    i += 1;
    while i < n {
        let x = i.wrapping_mul(0x9E37_79B9);
        let y = x ^ s;
        let t = y >> 7;
        s = s.wrapping_add(t).wrapping_sub(i) & 0xFFFF_FFFF;
        i += 1;
    }
    s
}

/// Executed IR instructions for argument n (n >= 2).
fn executed(n: u64) -> u64 {
    // pcs 0..=5, then 12..=14 once, then n-1 iterations of 6..=14, then Ret
    6 + 3 + (n - 1) * 9 + 1
}

fn validate(p: &[Ins]) {
    for (pc, ins) in p.iter().enumerate() {
        assert!((ins.dst as usize) < NSLOTS && (ins.a as usize) < NSLOTS);
        match ins.op {
            Op::Const | Op::AddImm => {}
            Op::Br | Op::BrIf => {
                let t = pc as i64 + ins.b as i32 as i64;
                assert!(t >= 0 && (t as usize) < p.len());
            }
            _ => assert!((ins.b as usize) < NSLOTS),
        }
    }
    assert!(matches!(p.last().unwrap().op, Op::Ret));
}

// ---------------------------------------------------------------- (1) match
#[derive(Clone, Copy)]
#[repr(C)]
struct MInstr {
    op: Op,
    dst: u32,
    a: u32,
    b: u32,
}

#[inline(never)]
fn run_match(code: &[MInstr], regs: &mut [u64; NSLOTS]) -> u64 {
    let r = regs.as_mut_ptr();
    let mut ip = code.as_ptr();
    unsafe {
        macro_rules! s {
            ($x:expr) => {
                *r.add($x as usize)
            };
        }
        loop {
            let i = *ip;
            match i.op {
                Op::Const => s!(i.dst) = i.b as u64,
                Op::Add => s!(i.dst) = s!(i.a).wrapping_add(s!(i.b)),
                Op::Sub => s!(i.dst) = s!(i.a).wrapping_sub(s!(i.b)),
                Op::Mul => s!(i.dst) = s!(i.a).wrapping_mul(s!(i.b)),
                Op::Xor => s!(i.dst) = s!(i.a) ^ s!(i.b),
                Op::And => s!(i.dst) = s!(i.a) & s!(i.b),
                Op::ShrU => s!(i.dst) = s!(i.a) >> (s!(i.b) & 63),
                Op::AddImm => s!(i.dst) = s!(i.a).wrapping_add(i.b as u64),
                Op::LtU => s!(i.dst) = (s!(i.a) < s!(i.b)) as u64,
                Op::BrIf => {
                    if s!(i.a) != 0 {
                        ip = ip.offset(i.b as i32 as isize);
                        continue;
                    }
                }
                Op::Br => {
                    ip = ip.offset(i.b as i32 as isize);
                    continue;
                }
                Op::Ret => return s!(i.a),
            }
            ip = ip.add(1);
        }
    }
}

// ------------------------------------------------------- (2) call loop
type LoopHandler = unsafe fn(ip: *const FInstr, r: *mut u64) -> *const FInstr;

#[derive(Clone, Copy)]
#[repr(C)]
struct FInstr {
    h: LoopHandler,
    dst: u16,
    a: u16,
    b: u32,
}

macro_rules! loop_bin {
    ($name:ident, |$x:ident, $y:ident| $e:expr) => {
        pub unsafe fn $name(ip: *const FInstr, r: *mut u64) -> *const FInstr {
            let i = &*ip;
            let $x = *r.add(i.a as usize);
            let $y = *r.add(i.b as usize);
            *r.add(i.dst as usize) = $e;
            ip.add(1)
        }
    };
}
mod lp {
    use super::FInstr;
    loop_bin!(add, |x, y| x.wrapping_add(y));
    loop_bin!(sub, |x, y| x.wrapping_sub(y));
    loop_bin!(mul, |x, y| x.wrapping_mul(y));
    loop_bin!(xor, |x, y| x ^ y);
    loop_bin!(and, |x, y| x & y);
    loop_bin!(shr_u, |x, y| x >> (y & 63));
    loop_bin!(lt_u, |x, y| (x < y) as u64);
    pub unsafe fn konst(ip: *const FInstr, r: *mut u64) -> *const FInstr {
        let i = &*ip;
        *r.add(i.dst as usize) = i.b as u64;
        ip.add(1)
    }
    pub unsafe fn add_imm(ip: *const FInstr, r: *mut u64) -> *const FInstr {
        let i = &*ip;
        *r.add(i.dst as usize) = (*r.add(i.a as usize)).wrapping_add(i.b as u64);
        ip.add(1)
    }
    pub unsafe fn br_if(ip: *const FInstr, r: *mut u64) -> *const FInstr {
        let i = &*ip;
        if *r.add(i.a as usize) != 0 {
            ip.offset(i.b as i32 as isize)
        } else {
            ip.add(1)
        }
    }
    pub unsafe fn br(ip: *const FInstr, _r: *mut u64) -> *const FInstr {
        ip.offset((*ip).b as i32 as isize)
    }
    /// Stores the result in slot NSLOTS (one extra cell) and signals the end with null.
    pub unsafe fn ret(ip: *const FInstr, r: *mut u64) -> *const FInstr {
        *r.add(super::NSLOTS) = *r.add((*ip).a as usize);
        core::ptr::null()
    }
}

#[inline(never)]
fn run_loop(code: &[FInstr], regs: &mut [u64; NSLOTS + 1]) -> u64 {
    let r = regs.as_mut_ptr();
    let mut ip = code.as_ptr();
    unsafe {
        while !ip.is_null() {
            ip = ((*ip).h)(ip, r);
        }
        *r.add(NSLOTS)
    }
}

// -------------------------------------------------- (3) tail-call threaded
type TailHandler = unsafe fn(ip: *const TInstr, r: *mut u64) -> u64;

#[derive(Clone, Copy)]
#[repr(C)]
struct TInstr {
    h: TailHandler,
    dst: u16,
    a: u16,
    b: u32,
}

macro_rules! next {
    ($ip:expr, $r:expr) => {{
        let n = $ip;
        return ((*n).h)(n, $r);
    }};
}
macro_rules! tail_bin {
    ($name:ident, |$x:ident, $y:ident| $e:expr) => {
        pub unsafe fn $name(ip: *const TInstr, r: *mut u64) -> u64 {
            let i = &*ip;
            let $x = *r.add(i.a as usize);
            let $y = *r.add(i.b as usize);
            *r.add(i.dst as usize) = $e;
            next!(ip.add(1), r)
        }
    };
}
mod tc {
    use super::TInstr;
    tail_bin!(add, |x, y| x.wrapping_add(y));
    tail_bin!(sub, |x, y| x.wrapping_sub(y));
    tail_bin!(mul, |x, y| x.wrapping_mul(y));
    tail_bin!(xor, |x, y| x ^ y);
    tail_bin!(and, |x, y| x & y);
    tail_bin!(shr_u, |x, y| x >> (y & 63));
    tail_bin!(lt_u, |x, y| (x < y) as u64);
    pub unsafe fn konst(ip: *const TInstr, r: *mut u64) -> u64 {
        let i = &*ip;
        *r.add(i.dst as usize) = i.b as u64;
        next!(ip.add(1), r)
    }
    pub unsafe fn add_imm(ip: *const TInstr, r: *mut u64) -> u64 {
        let i = &*ip;
        *r.add(i.dst as usize) = (*r.add(i.a as usize)).wrapping_add(i.b as u64);
        next!(ip.add(1), r)
    }
    pub unsafe fn br_if(ip: *const TInstr, r: *mut u64) -> u64 {
        let i = &*ip;
        let n = if *r.add(i.a as usize) != 0 {
            ip.offset(i.b as i32 as isize)
        } else {
            ip.add(1)
        };
        next!(n, r)
    }
    pub unsafe fn br(ip: *const TInstr, r: *mut u64) -> u64 {
        next!(ip.offset((*ip).b as i32 as isize), r)
    }
    pub unsafe fn ret(ip: *const TInstr, r: *mut u64) -> u64 {
        *r.add((*ip).a as usize)
    }
}

#[inline(never)]
fn run_tail(code: &[TInstr], regs: &mut [u64; NSLOTS]) -> u64 {
    unsafe { ((*code.as_ptr()).h)(code.as_ptr(), regs.as_mut_ptr()) }
}

// ------------------------------------------------------------- driver
fn build_match(p: &[Ins]) -> Vec<MInstr> {
    p.iter().map(|i| MInstr { op: i.op, dst: i.dst, a: i.a, b: i.b }).collect()
}
fn build_loop(p: &[Ins]) -> Vec<FInstr> {
    p.iter()
        .map(|i| {
            let h: LoopHandler = match i.op {
                Op::Const => lp::konst,
                Op::Add => lp::add,
                Op::Sub => lp::sub,
                Op::Mul => lp::mul,
                Op::Xor => lp::xor,
                Op::And => lp::and,
                Op::ShrU => lp::shr_u,
                Op::AddImm => lp::add_imm,
                Op::LtU => lp::lt_u,
                Op::BrIf => lp::br_if,
                Op::Br => lp::br,
                Op::Ret => lp::ret,
            };
            FInstr { h, dst: i.dst as u16, a: i.a as u16, b: i.b }
        })
        .collect()
}
fn build_tail(p: &[Ins]) -> Vec<TInstr> {
    p.iter()
        .map(|i| {
            let h: TailHandler = match i.op {
                Op::Const => tc::konst,
                Op::Add => tc::add,
                Op::Sub => tc::sub,
                Op::Mul => tc::mul,
                Op::Xor => tc::xor,
                Op::And => tc::and,
                Op::ShrU => tc::shr_u,
                Op::AddImm => tc::add_imm,
                Op::LtU => tc::lt_u,
                Op::BrIf => tc::br_if,
                Op::Br => tc::br,
                Op::Ret => tc::ret,
            };
            TInstr { h, dst: i.dst as u16, a: i.a as u16, b: i.b }
        })
        .collect()
}

fn best_of<F: FnMut() -> u64>(rounds: usize, expect: u64, mut f: F) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..rounds {
        let t = Instant::now();
        let got = f();
        let dt = t.elapsed().as_secs_f64();
        assert_eq!(got, expect, "wrong result");
        best = best.min(dt);
    }
    best
}

fn main() {
    assert_eq!(std::mem::size_of::<MInstr>(), 16);
    assert_eq!(std::mem::size_of::<FInstr>(), 16);
    assert_eq!(std::mem::size_of::<TInstr>(), 16);
    let n: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("n"))
        .unwrap_or(22_222_223); // ~2*10^8 executed IR instructions
    let p = program();
    validate(&p);
    let expect = reference(black_box(n));
    let instrs = executed(n);
    let (m, l, t) = (build_match(&p), build_loop(&p), build_tail(&p));
    println!("program: {} IR instrs, 12 op kinds; n = {n}; executed IR instructions per run = {instrs}; result = {expect:#x}", p.len());
    let rounds = 5;
    let tm = best_of(rounds, expect, || {
        let mut r = [0u64; NSLOTS];
        r[0] = black_box(n);
        run_match(black_box(&m), &mut r)
    });
    let tl = best_of(rounds, expect, || {
        let mut r = [0u64; NSLOTS + 1];
        r[0] = black_box(n);
        run_loop(black_box(&l), &mut r)
    });
    let tt = best_of(rounds, expect, || {
        let mut r = [0u64; NSLOTS];
        r[0] = black_box(n);
        run_tail(black_box(&t), &mut r)
    });
    let ns = |s: f64| s * 1e9 / instrs as f64;
    println!("{:<34} {:>9} {:>11} {:>14}", "style (best of 5)", "ms", "ns/IR instr", "time / (1)");
    for (name, s) in [
        ("(1) loop { match } (enum)", tm),
        ("(2) fn-pointer handlers in a loop", tl),
        ("(3) tail-call threaded handlers", tt),
    ] {
        println!("{:<34} {:>9.1} {:>11.3} {:>14.3}", name, s * 1e3, ns(s), s / tm);
    }
}
