//! C `printf` formatting for the libc-builtin (`env.printf`, `sprintf`, `snprintf` and their
//! `v` forms), reading the arguments from a wasm32 va_list in linear memory.
//!
//! wasm32 clang passes the variadic arguments of `printf(fmt, ...)` as ONE pointer to the
//! packed values (each 4-byte aligned, i64/double 8-byte aligned), which is also what a
//! `va_list` is, so `printf` and `vprintf` have the same import type. Supported, as in WAMR's
//! libc-builtin (which hands each conversion to the host's snprintf): conversions
//! `d i u o x X c s p e E f F g G %`, flags `- + space # 0`, width, precision, length
//! modifiers `hh h l ll j z t` (`l`, `z`, `t` are 32-bit on wasm32; `ll`, `j` 64-bit).
//! Beyond WAMR: `*` width/precision take an int argument as in C (WAMR prints them), and `%n`
//! consumes its pointer argument (WAMR does not) but, like WAMR, writes nothing. Like WAMR,
//! any other conversion (`%a`, `%Lf`, ...) prints `%` and that character and takes no argument.
//! Formatting follows glibc: `(nil)` for a NULL `%p`, `(null)` for a NULL `%s`, `-nan`.
//! Width and precision are clamped to [`MAX_FIELD`] so that one call's work stays bounded.

use ember_interp::Trap;

use crate::runtime::guest_memory::GuestMemory;

/// Largest width or precision honoured (C allows up to INT_MAX).
pub const MAX_FIELD: usize = 1 << 20;

/// Where formatted bytes go: kept up to `limit` bytes (the rest only counted, as snprintf
/// does), or streamed to stdout in chunks when `stream` is set (printf).
pub struct Sink {
    pub buf: Vec<u8>,
    limit: usize,
    stream: bool,
    /// Bytes the output has in total (printf's return value).
    pub count: u64,
}

impl Sink {
    /// Keep at most `limit` bytes.
    pub fn capped(limit: usize) -> Sink {
        Sink { buf: Vec::new(), limit, stream: false, count: 0 }
    }
    /// Write everything to stdout (call [`Sink::flush`] at the end).
    pub fn stdout() -> Sink {
        Sink { buf: Vec::new(), limit: usize::MAX, stream: true, count: 0 }
    }
    fn put(&mut self, b: &[u8]) {
        let room = self.limit.saturating_sub(self.buf.len());
        self.buf.extend_from_slice(&b[..b.len().min(room)]);
        self.count += b.len() as u64;
        if self.stream && self.buf.len() >= 8192 {
            self.flush();
        }
    }
    fn fill(&mut self, c: u8, mut n: usize) {
        let chunk = [c; 64];
        while n > 0 {
            let k = n.min(64);
            self.put(&chunk[..k]);
            n -= k;
        }
    }
    /// Write what is buffered to stdout (stream mode).
    pub fn flush(&mut self) {
        if self.stream && !self.buf.is_empty() {
            super::write_stdout(&self.buf);
            self.buf.clear();
        }
    }
}

/// The variadic arguments: a pointer to packed values in linear memory.
struct VaList<'m, 'g> {
    mem: &'m GuestMemory<'g>,
    at: u64,
}

impl VaList<'_, '_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], Trap> {
        let start = self.at.next_multiple_of(N.max(4) as u64);
        let mut v = [0u8; N];
        v.copy_from_slice(self.mem.slice(start, N as u64)?);
        self.at = start + N as u64;
        Ok(v)
    }
    fn u32(&mut self) -> Result<u32, Trap> {
        self.take::<4>().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, Trap> {
        self.take::<8>().map(u64::from_le_bytes)
    }
}

/// One conversion's flags, width and precision.
#[derive(Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

impl Spec {
    /// `prefix` (sign, 0x) and `body` padded to the width; zeros go between them when the
    /// `0` flag applies (`zero_ok`).
    fn pad(&self, out: &mut Sink, prefix: &[u8], body: &[u8], zero_ok: bool) {
        let fill = self.width.saturating_sub(prefix.len() + body.len());
        if self.left {
            out.put(prefix);
            out.put(body);
            out.fill(b' ', fill);
        } else if self.zero && zero_ok {
            out.put(prefix);
            out.fill(b'0', fill);
            out.put(body);
        } else {
            out.fill(b' ', fill);
            out.put(prefix);
            out.put(body);
        }
    }
}

fn number(fmt: &[u8], i: &mut usize) -> usize {
    let mut n = 0usize;
    while let Some(d) = fmt.get(*i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((d - b'0') as usize);
        *i += 1;
    }
    n.min(MAX_FIELD)
}

/// Format the NUL-terminated format string at `fmt` with the arguments at `va`.
pub fn format(mem: &GuestMemory<'_>, fmt: u32, va: u32, out: &mut Sink) -> Result<(), Trap> {
    let fmt = mem.c_str(fmt)?;
    let mut args = VaList { mem, at: va as u64 };
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            let run = fmt[i..].iter().position(|&b| b == b'%').unwrap_or(fmt.len() - i);
            out.put(&fmt[i - 1..i + run]);
            i += run;
            continue;
        }
        let mut s = Spec::default();
        while let Some(&f) = fmt.get(i) {
            match f {
                b'-' => s.left = true,
                b'+' => s.plus = true,
                b' ' => s.space = true,
                b'#' => s.alt = true,
                b'0' => s.zero = true,
                _ => break,
            }
            i += 1;
        }
        if fmt.get(i) == Some(&b'*') {
            i += 1;
            let w = args.u32()? as i32;
            s.left |= w < 0;
            s.width = (w.unsigned_abs() as usize).min(MAX_FIELD);
        } else {
            s.width = number(fmt, &mut i);
        }
        if fmt.get(i) == Some(&b'.') {
            i += 1;
            s.prec = if fmt.get(i) == Some(&b'*') {
                i += 1;
                let p = args.u32()? as i32;
                (p >= 0).then(|| (p as usize).min(MAX_FIELD))
            } else {
                Some(number(fmt, &mut i))
            };
        }
        // Integer width in bytes: 4 by default (int, long, size_t on wasm32).
        let (mut wide, mut short) = (0u32, 0u32);
        while let Some(&l) = fmt.get(i) {
            match l {
                b'l' => wide += 1,
                b'j' => wide = 2,
                b'h' => short += 1,
                b'z' | b't' => {}
                _ => break,
            }
            i += 1;
        }
        let Some(&conv) = fmt.get(i) else { break };
        i += 1;
        match conv {
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' => {
                let raw = if wide >= 2 { args.u64()? } else { args.u32()? as u64 };
                let signed = matches!(conv, b'd' | b'i');
                let v: i128 = match (signed, wide >= 2, short) {
                    (true, true, _) => raw as i64 as i128,
                    (true, false, 0) => raw as u32 as i32 as i128,
                    (true, false, 1) => raw as u16 as i16 as i128,
                    (true, false, _) => raw as u8 as i8 as i128,
                    (false, true, _) => raw as i128,
                    (false, false, 0) => raw as u32 as i128,
                    (false, false, 1) => raw as u16 as i128,
                    (false, false, _) => raw as u8 as i128,
                };
                integer(out, &s, v, conv);
            }
            b'p' => {
                let v = args.u32()?;
                if v == 0 {
                    s.pad(out, b"", b"(nil)", false);
                } else {
                    s.alt = true;
                    integer(out, &s, v as i128, b'x');
                }
            }
            b'c' => {
                let v = args.u32()? as u8;
                s.pad(out, b"", &[v], false);
            }
            b's' => {
                let off = args.u32()?;
                let max = s.prec.unwrap_or(usize::MAX);
                let text: &[u8] = if off == 0 {
                    if max >= 6 {
                        b"(null)"
                    } else {
                        b""
                    }
                } else {
                    mem.c_str_max(off, max)?
                };
                s.pad(out, b"", text, false);
            }
            b'e' | b'E' | b'f' | b'F' | b'g' | b'G' => {
                let x = f64::from_bits(args.u64()?);
                let sign: &[u8] = if x.is_sign_negative() {
                    b"-"
                } else if s.plus {
                    b"+"
                } else if s.space {
                    b" "
                } else {
                    b""
                };
                // The C library's own `%f %e %g` (upper-case too) of the magnitude: `inf`/`nan`,
                // exponents of two digits at least, `%g`'s style and trailing zeros.
                let body = ember_platform::cnum::format_f64(x.abs(), conv, s.prec.unwrap_or(6), s.alt);
                s.pad(out, sign, body.as_bytes(), x.is_finite());
            }
            b'n' => {
                args.u32()?;
            }
            b'%' => out.put(b"%"),
            other => out.put(&[b'%', other]),
        }
    }
    Ok(())
}

/// An integer conversion of `v` (already narrowed to its C type).
fn integer(out: &mut Sink, s: &Spec, v: i128, conv: u8) {
    let (base, digits_of): (u32, &[u8; 16]) = match conv {
        b'o' => (8, b"0123456789abcdef"),
        b'x' => (16, b"0123456789abcdef"),
        b'X' => (16, b"0123456789ABCDEF"),
        _ => (10, b"0123456789abcdef"),
    };
    let mut mag = v.unsigned_abs();
    let mut digits = Vec::with_capacity(24);
    while mag > 0 {
        digits.push(digits_of[(mag % base as u128) as usize]);
        mag /= base as u128;
    }
    let min = s.prec.unwrap_or(1);
    if digits.len() < min {
        digits.resize(min, b'0');
    }
    if conv == b'o' && s.alt && digits.last() != Some(&b'0') {
        digits.push(b'0');
    }
    digits.reverse();
    let prefix: &[u8] = match conv {
        _ if v < 0 => b"-",
        b'd' | b'i' if s.plus => b"+",
        b'd' | b'i' if s.space => b" ",
        b'x' if s.alt && v != 0 => b"0x",
        b'X' if s.alt && v != 0 => b"0X",
        _ => b"",
    };
    s.pad(out, prefix, &digits, s.prec.is_none());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lay out a format string and packed arguments like wasm32 clang, then format.
    fn fmt(f: &str, args: &[Arg]) -> String {
        let mut mem = vec![0u8; 256];
        mem[8..8 + f.len()].copy_from_slice(f.as_bytes());
        let mut at = 128usize;
        let mut strings = 64usize;
        for a in args {
            match *a {
                Arg::I(v) => {
                    mem[at..at + 4].copy_from_slice(&v.to_le_bytes());
                    at += 4;
                }
                Arg::L(v) => {
                    at = at.next_multiple_of(8);
                    mem[at..at + 8].copy_from_slice(&v.to_le_bytes());
                    at += 8;
                }
                Arg::D(v) => {
                    at = at.next_multiple_of(8);
                    mem[at..at + 8].copy_from_slice(&v.to_bits().to_le_bytes());
                    at += 8;
                }
                Arg::S(s) => {
                    mem[strings..strings + s.len()].copy_from_slice(s.as_bytes());
                    mem[at..at + 4].copy_from_slice(&(strings as u32).to_le_bytes());
                    strings += s.len() + 1;
                    at += 4;
                }
            }
        }
        let mut out = Sink::capped(usize::MAX);
        format(&GuestMemory::new(&mut mem), 8, 128, &mut out).unwrap();
        assert_eq!(out.count as usize, out.buf.len());
        String::from_utf8(out.buf).unwrap()
    }
    enum Arg {
        I(i32),
        L(i64),
        D(f64),
        S(&'static str),
    }
    use Arg::*;

    #[test]
    fn integers_and_flags() {
        assert_eq!(fmt("[%d|%5i|%-5d|%05d|%+d|% d]", &[I(-42), I(7), I(7), I(-7), I(3), I(3)]), "[-42|    7|7    |-0007|+3| 3]");
        assert_eq!(fmt("%u %x %X %#x %#o %o", &[I(-1), I(255), I(255), I(255), I(8), I(0)]), "4294967295 ff FF 0xff 010 0");
        assert_eq!(fmt("%d %lld %llx %d %jd", &[I(1), L(-5), L(0x1234_5678_9abc), I(9), L(-1)]), "1 -5 123456789abc 9 -1");
        assert_eq!(fmt("%hhd %hu %ld %zu", &[I(300), I(70000), I(-1), I(12)]), "44 4464 -1 12");
        assert_eq!(fmt("%.3d|%.0d|%8.3x|%-#8x|%*d|%-*d|", &[I(5), I(0), I(10), I(10), I(4), I(1), I(-3), I(2)]), "005||     00a|0xa     |   1|2  |");
    }

    #[test]
    fn strings_chars_pointers() {
        assert_eq!(fmt("%s|%8s|%-8s|%.2s|%c%c|%%|%p|%p", &[S("abc"), S("abc"), S("abc"), S("abc"), I(104), I(105), I(0x10), I(0)]), "abc|     abc|abc     |ab|hi|%|0x10|(nil)");
        assert_eq!(fmt("%a|%Lf|%5k", &[]), "%a|%Lf|%k");
    }

    #[test]
    fn floats_like_glibc() {
        assert_eq!(fmt("%f %.2f %e %E %g %G", &[D(1.5), D(3.14159), D(12345.678), D(0.00012), D(0.0001), D(1e-5)]), "1.500000 3.14 1.234568e+04 1.200000E-04 0.0001 1E-05");
        assert_eq!(fmt("%g %g %g %#g %.0f %#.0f %.3e", &[D(100000.0), D(1e6), D(0.5), D(1.0), D(2.5), D(3.0), D(0.0)]), "100000 1e+06 0.5 1.00000 2 3. 0.000e+00");
        assert_eq!(fmt("%f %F %e %g %08.2f %+.1f %-8g|", &[D(f64::INFINITY), D(f64::NEG_INFINITY), D(f64::NAN), D(-f64::NAN), D(-1.5), D(2.25), D(1.5)]), "inf -INF nan -nan -0001.50 +2.2 1.5     |");
        assert_eq!(fmt("%8f|%08f", &[D(f64::INFINITY), D(f64::INFINITY)]), "     inf|     inf");
    }

    #[test]
    fn bounds_are_traps_and_snprintf_counts() {
        let mut mem = *b"%d%d\0";
        let mut out = Sink::capped(100);
        // The va_list runs past the end of memory.
        assert!(matches!(format(&GuestMemory::new(&mut mem), 0, 3, &mut out), Err(Trap::MemoryOutOfBounds)));
        let mut out = Sink::capped(0);
        let mut mem = *b"abc";
        assert!(matches!(format(&GuestMemory::new(&mut mem), 0, 0, &mut out), Err(Trap::MemoryOutOfBounds)), "no NUL");
        let mut mem = vec![0u8; 64];
        mem[..5].copy_from_slice(b"%40d\0");
        let mut out = Sink::capped(4);
        format(&GuestMemory::new(&mut mem), 0, 16, &mut out).unwrap();
        assert_eq!((out.buf.len(), out.count), (4, 40));
    }
}
