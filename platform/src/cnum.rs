//! Floating-point numbers to and from text by the C library: `strtof`/`strtod` (correctly
//! rounded in glibc) and `snprintf`. The runtime's float text is `iwasm -f FUNC ARGS` (WAMR reads
//! the arguments with the same two functions) and libc-builtin's `printf` family for the guest;
//! Rust's `str::parse` and float formatting added 39 KB of tables and code to libvmcore.so on aarch64
//! for them (issue 15's footprint budget, BENCHMARKS.md). Both follow the process's `LC_NUMERIC`
//! locale, "C" unless the embedding program calls `setlocale`.

use std::ffi::CString;

/// The whole of `s` as an `f64` (`strtod` syntax: decimal, `0x` hexadecimal, `inf`, `nan`),
/// or `None` if any of it is not part of the number.
pub fn parse_f64(s: &str) -> Option<f64> {
    let c = whole(s)?;
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: `c` is NUL-terminated and outlives the call; `end` is a valid out-pointer.
    let v = unsafe { libc::strtod(c.as_ptr(), &mut end) };
    consumed_all(&c, end).then_some(v)
}

/// The whole of `s` as an `f32`, rounded once (not through `f64`).
pub fn parse_f32(s: &str) -> Option<f32> {
    let c = whole(s)?;
    let mut end: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: as in `parse_f64`.
    let v = unsafe { libc::strtof(c.as_ptr(), &mut end) };
    consumed_all(&c, end).then_some(v)
}

/// Longest precision `format_f64` passes on (a guest's `%.999999999f` would otherwise ask for a
/// gigabyte).
pub const MAX_PRECISION: usize = 1024;

/// `a` as C's `printf("%.*<conv>", prec, a)`, or with `alt` `"%#.*<conv>"`; `conv` is one of
/// `f F e E g G a A` (any other byte is taken as `g`), `prec` at most [`MAX_PRECISION`].
pub fn format_f64(a: f64, conv: u8, prec: usize, alt: bool) -> String {
    let conv = if b"fFeEgGaA".contains(&conv) { conv } else { b'g' };
    let prec = prec.min(MAX_PRECISION) as libc::c_int;
    let spec: [u8; 6] = if alt { [b'%', b'#', b'.', b'*', conv, 0] } else { [b'%', b'.', b'*', conv, 0, 0] };
    let fmt = spec.as_ptr() as *const libc::c_char;
    // SAFETY: `fmt` is a NUL-terminated format taking one int and one double, given; a null
    // buffer of size 0 only asks for the length.
    let n = unsafe { libc::snprintf(std::ptr::null_mut(), 0, fmt, prec, a) };
    let Ok(n) = usize::try_from(n) else { return String::new() };
    let mut buf = vec![0u8; n + 1];
    // SAFETY: as above, into `buf`, whose length is passed.
    unsafe { libc::snprintf(buf.as_mut_ptr() as *mut libc::c_char, buf.len(), fmt, prec, a) };
    buf.truncate(n);
    String::from_utf8(buf).unwrap_or_default()
}

/// `s` as a C string, refused when empty, when it has a NUL inside or when it starts with white
/// space (which `strto*` would skip).
fn whole(s: &str) -> Option<CString> {
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_whitespace()) {
        return None;
    }
    CString::new(s).ok()
}

fn consumed_all(c: &CString, end: *const libc::c_char) -> bool {
    end as usize == c.as_ptr() as usize + c.as_bytes().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_strtod_reads_and_nothing_else() {
        assert_eq!(parse_f64("2.5"), Some(2.5));
        assert_eq!(parse_f64("-0"), Some(-0.0));
        assert!(parse_f64("-0").unwrap().is_sign_negative());
        assert_eq!(parse_f64("1e308"), Some(1e308));
        assert_eq!(parse_f64("0x1.8p1"), Some(3.0));
        assert_eq!(parse_f64("-inf"), Some(f64::NEG_INFINITY));
        assert!(parse_f64("nan").unwrap().is_nan());
        assert_eq!(parse_f64("0.1"), Some(0.1));
        for bad in ["", " 1", "1 ", "1.5x", "x", "1\0"] {
            assert_eq!(parse_f64(bad), None, "{bad:?}");
        }
        // Rounded once to f32: through f64 this would round to 1.0000001.
        assert_eq!(parse_f32("1.00000005960464477539062500001"), Some(1.000_000_1));
        assert_eq!(parse_f32("1.00000005960464477539062499999"), Some(1.0));
        assert_eq!(parse_f32("3.4e39"), Some(f32::INFINITY));
    }

    #[test]
    fn formats_as_printf() {
        assert_eq!(format_f64(2.5, b'f', 3, false), "2.500");
        assert_eq!(format_f64(1e21, b'f', 0, false), "1000000000000000000000");
        assert_eq!(format_f64(3.0, b'f', 0, true), "3.");
        assert_eq!(format_f64(12345.678, b'e', 2, false), "1.23e+04");
        assert_eq!(format_f64(1e-300, b'E', 1, false), "1.0E-300");
        assert_eq!(format_f64(0.0001, b'g', 6, false), "0.0001");
        assert_eq!(format_f64(123456789.0, b'g', 6, false), "1.23457e+08");
        assert_eq!(format_f64(1.5, b'g', 6, true), "1.50000");
        assert_eq!(format_f64(f64::INFINITY, b'F', 6, false), "INF");
        assert_eq!(format_f64(1.0, b'a', 1, false), "0x1.0p+0");
        assert_eq!(format_f64(0.1, b'f', 2000, false).len(), 2 + MAX_PRECISION);
    }
}
