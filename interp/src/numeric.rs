//! Numeric semantics that differ from Rust's operators: wasm min/max, checked
//! float-to-int truncation. Everything else maps directly onto Rust primitives
//! (IEEE-754 arithmetic, `as` casts for saturating conversion), but for the conversions to
//! float and the square roots, which are the casts written so that x86_64 does not wait for
//! an unrelated earlier result (`fresh!`, `f32_of_u8`).

use crate::api::Trap;

macro_rules! minmax {
    ($min:ident, $max:ident, $t:ty) => {
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b; // propagates an arithmetic NaN
            }
            if a == b {
                // -0 vs +0: the negative one is the minimum.
                return <$t>::from_bits(a.to_bits() | b.to_bits());
            }
            if a < b {
                a
            } else {
                b
            }
        }
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                return <$t>::from_bits(a.to_bits() & b.to_bits());
            }
            if a > b {
                a
            } else {
                b
            }
        }
    };
}
minmax!(f32_min, f32_max, f32);
minmax!(f64_min, f64_max, f64);

macro_rules! rounding {
    ($name:ident, $t:ty, $quiet:expr, $f:ident) => {
        /// Rounding that always returns a quiet NaN for NaN input (libm's
        /// software fallbacks may return a signalling NaN unchanged).
        pub fn $name(x: $t) -> $t {
            if x.is_nan() {
                <$t>::from_bits(x.to_bits() | $quiet)
            } else {
                x.$f()
            }
        }
    };
}
rounding!(f32_ceil, f32, 0x0040_0000, ceil);
rounding!(f32_floor, f32, 0x0040_0000, floor);
rounding!(f32_trunc, f32, 0x0040_0000, trunc);
rounding!(f32_nearest, f32, 0x0040_0000, round_ties_even);
rounding!(f64_ceil, f64, 0x0008_0000_0000_0000, ceil);
rounding!(f64_floor, f64, 0x0008_0000_0000_0000, floor);
rounding!(f64_trunc, f64, 0x0008_0000_0000_0000, trunc);
rounding!(f64_nearest, f64, 0x0008_0000_0000_0000, round_ties_even);

macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        /// Truncate toward zero; traps on NaN and on values outside the
        /// integer range (exclusive float bounds `lo < x < hi`).
        pub fn $name(x: $f) -> Result<$i, Trap> {
            if x.is_nan() {
                return Err(Trap::InvalidConversionToInteger);
            }
            if !(x > $lo && x < $hi) {
                return Err(Trap::IntegerOverflow);
            }
            Ok(x as $i)
        }
    };
}
trunc!(i32_trunc_f32_s, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(i64_trunc_f32_s, f32, i64, -9223373136366403584.0f32, 9223372036854775808.0f32);
trunc!(i64_trunc_f32_u, f32, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(i64_trunc_f64_s, f64, i64, -9223372036854777856.0f64, 9223372036854775808.0f64);
trunc!(i64_trunc_f64_u, f64, u64, -1.0f64, 18446744073709551616.0f64);

/// A byte as an f32, exactly: the bits `0x4b00_0000 | b` are the float 2^23 + b. Unlike `b as
/// f32` (x86_64's `cvtsi2ss`, which writes only the low lane of its register and so waits for
/// whatever last wrote that register, in a threaded interpreter another handler's divide or
/// chain), the register is written whole, so a byte load's conversion starts at once.
#[inline(always)]
pub fn f32_of_u8(b: u8) -> f32 {
    f32::from_bits(0x4b00_0000 | b as u32) - 8_388_608.0
}

/// Conversions to float and square roots whose x86_64 instruction (`cvtsi2ss`, `cvtsi2sd`,
/// `cvtss2sd`, `cvtsd2ss`, `sqrtss`, `sqrtsd`) writes only the low lane of its register, so
/// waits for whatever last wrote that register. Within a function LLVM breaks that false
/// dependency (it zeroes the register first); at a handler's entry it cannot see the writer,
/// which in the threaded executor is any earlier handler: a divide, a long float chain. These
/// zero the register first, in x86_64 assembly; on other targets they are the plain casts and
/// `sqrt` (aarch64's conversions write the whole register).
macro_rules! fresh {
    ($($(#[$m:meta])* $name:ident($x:ident: $t:ty) -> $r:ty = $ins:literal, $kind:ident, $plain:expr;)*) => {$(
        $(#[$m])*
        #[inline(always)]
        pub fn $name($x: $t) -> $r {
            #[cfg(target_arch = "x86_64")]
            {
                let r: $r;
                // SAFETY: two register-only instructions (no memory, no stack, no flags read).
                unsafe {
                    std::arch::asm!("xorps {r}, {r}", $ins, r = out(xmm_reg) r, x = in($kind) $x,
                        options(pure, nomem, nostack));
                }
                r
            }
            #[cfg(not(target_arch = "x86_64"))]
            {
                $plain
            }
        }
    )*};
}
fresh! {
    f32_from_i32(x: i32) -> f32 = "cvtsi2ss {r}, {x:e}", reg, x as f32;
    /// Also an unsigned i32, widened.
    f32_from_i64(x: i64) -> f32 = "cvtsi2ss {r}, {x}", reg, x as f32;
    f64_from_i32(x: i32) -> f64 = "cvtsi2sd {r}, {x:e}", reg, x as f64;
    /// Also an unsigned i32, widened.
    f64_from_i64(x: i64) -> f64 = "cvtsi2sd {r}, {x}", reg, x as f64;
    f32_demote(x: f64) -> f32 = "cvtsd2ss {r}, {x}", xmm_reg, x as f32;
    f64_promote(x: f32) -> f64 = "cvtss2sd {r}, {x}", xmm_reg, x as f64;
    f32_sqrt(x: f32) -> f32 = "sqrtss {r}, {x}", xmm_reg, x.sqrt();
    f64_sqrt(x: f64) -> f64 = "sqrtsd {r}, {x}", xmm_reg, x.sqrt();
}

/// `x as f32` for a u64 (correctly rounded: above 2^63, the halved value keeps its lowest bit
/// sticky, as compilers do it), through `f32_from_i64`.
#[inline(always)]
pub fn f32_from_u64(x: u64) -> f32 {
    if (x as i64) >= 0 {
        f32_from_i64(x as i64)
    } else {
        let h = f32_from_i64(((x >> 1) | (x & 1)) as i64);
        h + h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunc_bounds() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(Trap::IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(Trap::IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_u(f32::NAN), Err(Trap::InvalidConversionToInteger));
        assert_eq!(f32_min(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f64_max(-0.0, 0.0).to_bits(), 0.0f64.to_bits());
    }

    /// The register-fresh conversions and roots give exactly what the plain casts give.
    #[test]
    fn fresh_conversions_agree_with_casts() {
        for b in 0..=255u8 {
            assert_eq!(f32_of_u8(b).to_bits(), (b as f32).to_bits());
        }
        let ints = [0i64, 1, -1, 7, i32::MIN as i64, i32::MAX as i64, u32::MAX as i64, 16_777_217, -16_777_217,
            (1 << 53) + 1, i64::MIN, i64::MAX, i64::MAX - 511, 0x0123_4567_89ab_cdef];
        for &x in &ints {
            assert_eq!(f32_from_i32(x as i32).to_bits(), (x as i32 as f32).to_bits(), "{x}");
            assert_eq!(f64_from_i32(x as i32).to_bits(), (x as i32 as f64).to_bits(), "{x}");
            assert_eq!(f32_from_i64(x).to_bits(), (x as f32).to_bits(), "{x}");
            assert_eq!(f64_from_i64(x).to_bits(), (x as f64).to_bits(), "{x}");
        }
        // u64 above 2^63: ties and sticky bits in the halving
        for x in [u64::MAX, 1 << 63, (1 << 63) + 1, (1 << 63) + (1 << 39), (1 << 63) + (1 << 39) + 1, (1 << 63) + (3 << 39), 0xffff_ff7f_ffff_ffff, 5] {
            assert_eq!(f32_from_u64(x).to_bits(), (x as f32).to_bits(), "{x:#x}");
        }
        for f in [0.0f64, -0.0, 2.0, -2.0, 1e300, -1e-300, f64::INFINITY, f64::NAN, f64::MIN_POSITIVE, 0.1] {
            assert_eq!(f32_demote(f).to_bits(), (f as f32).to_bits(), "{f}");
            assert_eq!(f64_sqrt(f).is_nan(), f.sqrt().is_nan());
            if !f.is_nan() && f >= 0.0 || f == 0.0 {
                assert_eq!(f64_sqrt(f).to_bits(), f.sqrt().to_bits(), "{f}");
            }
            let g = f as f32;
            assert_eq!(f64_promote(g).to_bits(), (g as f64).to_bits(), "{g}");
            assert_eq!(f32_sqrt(g).is_nan(), g.sqrt().is_nan());
            if !g.is_nan() && g >= 0.0 || g == 0.0 {
                assert_eq!(f32_sqrt(g).to_bits(), g.sqrt().to_bits(), "{g}");
            }
        }
    }
}
