//! Numeric semantics that differ from Rust's operators: wasm min/max, checked
//! float-to-int truncation. Everything else maps directly onto Rust primitives
//! (IEEE-754 arithmetic, `as` casts for saturating and int-to-float conversion).

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
}
