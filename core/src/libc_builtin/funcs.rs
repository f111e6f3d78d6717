//! The libc-builtin functions themselves (listed in `TABLE`, mod.rs). Arguments are the raw
//! i32 values; pointers are app offsets, checked as memory is touched through the runtime's
//! [`GuestMemory`] (`Env::mem`): an `OutOfBounds` becomes the trap "out of bounds memory access".

use ember_interp::Trap;

use super::printf::{self, Sink};
use super::Env;
use crate::runtime::guest_memory::{GuestMemory, OutOfBounds};

type R = Result<u64, Trap>;

fn diff(a: u8, b: u8) -> u64 {
    (a as i32 - b as i32) as u32 as u64
}

// ---- stdio ----

pub fn printf(env: &mut Env<'_>, a: &[u32]) -> R {
    let mut out = Sink::stdout();
    let r = printf::format(&env.mem(), a[0], a[1], &mut out);
    out.flush();
    r.map(|()| out.count as u32 as u64)
}

/// Format into guest memory at `dst` with room for `room` bytes including the NUL; `cap`
/// bytes at most are written (snprintf), and more than `room` is a trap (sprintf).
fn print_to(env: &mut Env<'_>, dst: u32, size: Option<u32>, fmt: u32, va: u32) -> R {
    let mut mem = env.mem();
    let room = match size {
        Some(n) => mem.range(dst, n)?.len(),
        None => Some(mem.rest(dst)?.len()).filter(|&r| r > 0).ok_or(OutOfBounds)?,
    };
    let mut out = Sink::capped(room.saturating_sub(1));
    printf::format(&mem, fmt, va, &mut out)?;
    if size.is_none() && out.count >= room as u64 {
        return Err(OutOfBounds.into());
    }
    if room > 0 {
        // At most room - 1 bytes were kept: they and the NUL fit.
        out.buf.push(0);
        mem.write_bytes(dst, &out.buf)?;
    }
    Ok(out.count as u32 as u64)
}

pub fn sprintf(env: &mut Env<'_>, a: &[u32]) -> R {
    print_to(env, a[0], None, a[1], a[2])
}

pub fn snprintf(env: &mut Env<'_>, a: &[u32]) -> R {
    print_to(env, a[0], Some(a[1]), a[2], a[3])
}

pub fn puts(env: &mut Env<'_>, a: &[u32]) -> R {
    let mut line = env.mem().c_str(a[0])?.to_vec();
    line.push(b'\n');
    super::write_stdout(&line);
    Ok(line.len() as u64)
}

pub fn putchar(_: &mut Env<'_>, a: &[u32]) -> R {
    super::write_stdout(&[a[0] as u8]);
    Ok(a[0] as u8 as u64)
}

// ---- memory ----

pub fn memcmp(env: &mut Env<'_>, a: &[u32]) -> R {
    let mem = env.mem();
    let (x, y) = (mem.slice(a[0], a[2])?, mem.slice(a[1], a[2])?);
    Ok(x.iter().zip(y).find(|(p, q)| p != q).map_or(0, |(p, q)| diff(*p, *q)))
}

/// memcpy and memmove (an overlapping memcpy behaves as memmove).
pub fn memmove(env: &mut Env<'_>, a: &[u32]) -> R {
    env.mem().copy_within(a[1], a[0], a[2])?;
    Ok(a[0] as u64)
}

pub fn memset(env: &mut Env<'_>, a: &[u32]) -> R {
    env.mem().slice_mut(a[0], a[2])?.fill(a[1] as u8);
    Ok(a[0] as u64)
}

pub fn memchr(env: &mut Env<'_>, a: &[u32]) -> R {
    let mem = env.mem();
    let tail = mem.rest(a[0])?;
    match tail.iter().take(a[2] as usize).position(|&b| b == a[1] as u8) {
        Some(k) => Ok(a[0] as u64 + k as u64),
        None if tail.len() >= a[2] as usize => Ok(0),
        None => Err(OutOfBounds.into()),
    }
}

// ---- strings ----

pub fn strlen(env: &mut Env<'_>, a: &[u32]) -> R {
    Ok(env.mem().c_str(a[0])?.len() as u64)
}

fn find_char(env: &mut Env<'_>, s: u32, c: u32, last: bool) -> R {
    let mem = env.mem();
    let bytes = mem.c_str(s)?;
    let c = c as u8;
    let k = if c == 0 {
        Some(bytes.len())
    } else if last {
        bytes.iter().rposition(|&b| b == c)
    } else {
        bytes.iter().position(|&b| b == c)
    };
    Ok(k.map_or(0, |k| s as u64 + k as u64))
}

pub fn strchr(env: &mut Env<'_>, a: &[u32]) -> R {
    find_char(env, a[0], a[1], false)
}

pub fn strrchr(env: &mut Env<'_>, a: &[u32]) -> R {
    find_char(env, a[0], a[1], true)
}

/// Compare at most `n` bytes of two strings, bytes mapped by `f` (strcmp, strncasecmp).
fn compare(mem: &GuestMemory<'_>, s1: u32, s2: u32, n: usize, f: fn(u8) -> u8) -> R {
    let (x, y) = (mem.c_str_max(s1, n)?, mem.c_str_max(s2, n)?);
    let (x, y) = (x.iter().map(|&b| f(b)).chain([0]), y.iter().map(|&b| f(b)).chain([0]));
    Ok(x.zip(y).take(n).find(|(p, q)| p != q).map_or(0, |(p, q)| diff(p, q)))
}

pub fn strcmp(env: &mut Env<'_>, a: &[u32]) -> R {
    compare(&env.mem(), a[0], a[1], usize::MAX, |b| b)
}

pub fn strncmp(env: &mut Env<'_>, a: &[u32]) -> R {
    compare(&env.mem(), a[0], a[1], a[2] as usize, |b| b)
}

pub fn strncasecmp(env: &mut Env<'_>, a: &[u32]) -> R {
    compare(&env.mem(), a[0], a[1], a[2] as usize, |b| b.to_ascii_lowercase())
}

pub fn strcpy(env: &mut Env<'_>, a: &[u32]) -> R {
    let mut mem = env.mem();
    let n = mem.c_str(a[1])?.len() as u64 + 1;
    mem.copy_within(a[1], a[0], n)?;
    Ok(a[0] as u64)
}

pub fn strncpy(env: &mut Env<'_>, a: &[u32]) -> R {
    let mut mem = env.mem();
    let n = mem.c_str_max(a[1], a[2] as usize)?.len();
    let dst = mem.range(a[0], a[2])?;
    mem.copy_within(a[1], a[0], n as u64)?;
    mem.bytes_in_mut(dst.start + n..dst.end).fill(0);
    Ok(a[0] as u64)
}

pub fn strdup(env: &mut Env<'_>, a: &[u32]) -> R {
    let mut s = env.mem().c_str(a[0])?.to_vec();
    s.push(0);
    let off = env.malloc(s.len() as u64);
    if off != 0 {
        env.mem().write_bytes(off, &s)?;
    }
    Ok(off as u64)
}

/// strspn (`accept`) and strcspn (`!accept`).
fn span(env: &mut Env<'_>, s: u32, set: u32, accept: bool) -> R {
    let mem = env.mem();
    let (s, set) = (mem.c_str(s)?, mem.c_str(set)?);
    Ok(s.iter().take_while(|b| set.contains(b) == accept).count() as u64)
}

pub fn strspn(env: &mut Env<'_>, a: &[u32]) -> R {
    span(env, a[0], a[1], true)
}

pub fn strcspn(env: &mut Env<'_>, a: &[u32]) -> R {
    span(env, a[0], a[1], false)
}

pub fn strstr(env: &mut Env<'_>, a: &[u32]) -> R {
    let mem = env.mem();
    let (hay, needle) = (mem.c_str(a[0])?, mem.c_str(a[1])?);
    if needle.is_empty() {
        return Ok(a[0] as u64);
    }
    Ok(hay.windows(needle.len()).position(|w| w == needle).map_or(0, |k| a[0] as u64 + k as u64))
}

// ---- stdlib ----

pub fn malloc(env: &mut Env<'_>, a: &[u32]) -> R {
    Ok(env.malloc(a[0] as u64) as u64)
}

pub fn calloc(env: &mut Env<'_>, a: &[u32]) -> R {
    let total = a[0] as u64 * a[1] as u64;
    if total >= u32::MAX as u64 {
        return Ok(0);
    }
    let off = env.malloc(total);
    if off != 0 {
        env.mem().slice_mut(off, total)?.fill(0);
    }
    Ok(off as u64)
}

/// Only blocks of the host-managed app heap can be resized (as in WAMR); size 0 frees.
pub fn realloc(env: &mut Env<'_>, a: &[u32]) -> R {
    let (old, size) = (a[0], a[1]);
    if old == 0 {
        return Ok(env.malloc(size as u64) as u64);
    }
    if size == 0 {
        env.free(old);
        return Ok(0);
    }
    let Some(old_size) = env.block_size(old) else { return Ok(0) };
    let new = env.malloc(size as u64);
    if new != 0 {
        env.mem().copy_within(old, new, old_size.min(size as u64))?;
        env.free(old);
    }
    Ok(new as u64)
}

pub fn free(env: &mut Env<'_>, a: &[u32]) -> R {
    env.free(a[0]);
    Ok(0)
}

pub fn exit(_: &mut Env<'_>, a: &[u32]) -> R {
    Err(Trap::Exit(a[0] as i32))
}

/// C's strtol/strtoul on wasm32 (32-bit long): optional space and sign, base 0/2..36 with a
/// `0x` prefix for 16 (and detection for 0). Returns (value clamped to the type, end offset).
fn parse_long(mem: &GuestMemory<'_>, s: u32, base: u32, signed: bool) -> Result<(u32, u32), Trap> {
    let text = mem.c_str(s)?;
    let mut i = text.iter().take_while(|b| matches!(b, b' ' | b'\t'..=b'\r')).count();
    let neg = text.get(i) == Some(&b'-');
    i += usize::from(matches!(text.get(i), Some(b'-' | b'+')));
    let hex_prefix = text.get(i) == Some(&b'0')
        && matches!(text.get(i + 1), Some(b'x' | b'X'))
        && text.get(i + 2).is_some_and(|b| b.is_ascii_hexdigit());
    let base = match base {
        0 if hex_prefix => 16,
        0 if text.get(i) == Some(&b'0') => 8,
        0 => 10,
        2..=36 => base,
        _ => return Ok((0, s)),
    };
    if base == 16 && hex_prefix {
        i += 2;
    }
    let start = i;
    let mut mag: u64 = 0;
    while let Some(d) = text.get(i).and_then(|b| (*b as char).to_digit(base)) {
        mag = mag.saturating_mul(base as u64).saturating_add(d as u64).min(1 << 40);
        i += 1;
    }
    if i == start {
        return Ok((0, s));
    }
    let v = if signed {
        let v = if neg { -(mag as i64) } else { mag as i64 };
        v.clamp(i32::MIN as i64, i32::MAX as i64) as i32 as u32
    } else if mag > u32::MAX as u64 {
        u32::MAX
    } else if neg {
        (mag as u32).wrapping_neg()
    } else {
        mag as u32
    };
    Ok((v, s + i as u32))
}

fn strto(env: &mut Env<'_>, a: &[u32], signed: bool) -> R {
    let mut mem = env.mem();
    let (v, end) = parse_long(&mem, a[0], a[2], signed)?;
    if a[1] != 0 {
        mem.write_u32(a[1], end)?;
    }
    Ok(v as u64)
}

pub fn strtol(env: &mut Env<'_>, a: &[u32]) -> R {
    strto(env, a, true)
}

pub fn strtoul(env: &mut Env<'_>, a: &[u32]) -> R {
    strto(env, a, false)
}

pub fn atoi(env: &mut Env<'_>, a: &[u32]) -> R {
    Ok(parse_long(&env.mem(), a[0], 10, true)?.0 as u64)
}

// ---- ctype (C locale) ----

fn class(a: &[u32], f: fn(u8) -> bool) -> R {
    Ok(u64::from(u8::try_from(a[0]).is_ok_and(f)))
}

pub fn isupper(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_uppercase())
}
pub fn isalpha(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_alphabetic())
}
pub fn isspace(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| matches!(c, b' ' | b'\t'..=b'\r'))
}
pub fn isgraph(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_graphic())
}
pub fn isprint(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c == b' ' || c.is_ascii_graphic())
}
pub fn isdigit(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_digit())
}
pub fn isxdigit(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_hexdigit())
}
pub fn isalnum(_: &mut Env<'_>, a: &[u32]) -> R {
    class(a, |c| c.is_ascii_alphanumeric())
}
pub fn tolower(_: &mut Env<'_>, a: &[u32]) -> R {
    Ok(u8::try_from(a[0]).map_or(a[0], |c| c.to_ascii_lowercase() as u32) as u64)
}
pub fn toupper(_: &mut Env<'_>, a: &[u32]) -> R {
    Ok(u8::try_from(a[0]).map_or(a[0], |c| c.to_ascii_uppercase() as u32) as u64)
}

// ---- runtime support (emscripten / C++ leftovers, time) ----

fn fail(what: &str, a: &[u32]) -> R {
    let code = a.first().map_or(String::new(), |c| (*c as i32).to_string());
    Err(Trap::Host(format!("env.{what}({code})").into()))
}

pub fn abort(_: &mut Env<'_>, a: &[u32]) -> R {
    fail("abort", a)
}
pub fn abort_stack_overflow(_: &mut Env<'_>, a: &[u32]) -> R {
    fail("abortStackOverflow", a)
}
pub fn null_func_x(_: &mut Env<'_>, a: &[u32]) -> R {
    fail("nullFunc_X", a)
}
pub fn cxa_throw(_: &mut Env<'_>, _: &[u32]) -> R {
    Err(Trap::Host("exception thrown by stdc++".into()))
}
pub fn nothing(_: &mut Env<'_>, _: &[u32]) -> R {
    Ok(0)
}

/// WAMR's: the monotonic clock whatever the id, into `{ int64 tv_sec; int32 tv_nsec; }`.
pub fn clock_gettime(env: &mut Env<'_>, a: &[u32]) -> R {
    let ns = ember_platform::clock::monotonic_ns();
    let mut mem = env.mem();
    let r = mem.range(a[1], 16u32)?;
    let ts = mem.bytes_in_mut(r);
    ts[..8].copy_from_slice(&(ns / 1_000_000_000).to_le_bytes());
    ts[8..12].copy_from_slice(&((ns % 1_000_000_000) as u32).to_le_bytes());
    Ok(0)
}

/// Nanoseconds of the monotonic clock (wasi-sdk's CLOCKS_PER_SEC), as WAMR.
pub fn clock(_: &mut Env<'_>, _: &[u32]) -> R {
    Ok(ember_platform::clock::monotonic_ns())
}
