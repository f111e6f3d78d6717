//! The semantics of the fixed-width SIMD instructions (WebAssembly 2.0), on `u128` values:
//! lane `i` of a vector is bytes `i * w .. (i + 1) * w` of its little-endian encoding, as in
//! linear memory. The executor (exec.rs) reads a v128 from two cells (low half first), calls
//! the function named after the op, and writes the result back.
//!
//! Written as plain loops over lane arrays, which LLVM turns into SSE2 on x86_64 and NEON on
//! aarch64 where the instruction has an equivalent (armv7's hard-float ABI has no NEON, so
//! scalar code there). Float semantics are the scalar ones of `numeric.rs` per lane: wasm
//! min/max, rounding that quiets NaNs, saturating `as` casts for `trunc_sat`.

use crate::numeric as num;

/// Lane views: `$get` splits a vector into lanes, `$put` joins them back.
macro_rules! lanes {
    ($($get:ident, $put:ident, $t:ty, $n:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $get(v: u128) -> [$t; $n] {
            const W: usize = 16 / $n;
            let b = v.to_le_bytes();
            let mut out = [<$t>::default(); $n];
            for (i, o) in out.iter_mut().enumerate() {
                let mut x = [0u8; W];
                x.copy_from_slice(&b[i * W..i * W + W]);
                *o = <$t>::from_le_bytes(x);
            }
            out
        }
        #[inline(always)]
        pub(crate) fn $put(l: [$t; $n]) -> u128 {
            const W: usize = 16 / $n;
            let mut b = [0u8; 16];
            for (i, x) in l.iter().enumerate() {
                b[i * W..i * W + W].copy_from_slice(&x.to_le_bytes());
            }
            u128::from_le_bytes(b)
        }
    )*};
}
lanes! {
    i8x16, put_i8x16, i8, 16;
    u8x16, put_u8x16, u8, 16;
    i16x8, put_i16x8, i16, 8;
    u16x8, put_u16x8, u16, 8;
    i32x4, put_i32x4, i32, 4;
    u32x4, put_u32x4, u32, 4;
    i64x2, put_i64x2, i64, 2;
    u64x2, put_u64x2, u64, 2;
    f32x4, put_f32x4, f32, 4;
    f64x2, put_f64x2, f64, 2;
}

/// Lane-wise unary ops: `name(view) = |x| expr` gives `fn name(a: u128) -> u128`.
macro_rules! unary {
    ($($name:ident($get:ident, $put:ident) = |$x:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            $put($get(a).map(|$x| $e))
        }
    )*};
}

/// Lane-wise binary ops: `fn name(a: u128, b: u128) -> u128`.
macro_rules! binary {
    ($($name:ident($get:ident, $put:ident) = |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            let mut out = a;
            for i in 0..out.len() {
                let ($x, $y) = (a[i], b[i]);
                out[i] = $e;
            }
            $put(out)
        }
    )*};
}

/// Lane-wise comparisons: all ones in a lane where `expr` holds, zeros elsewhere. `$mask` is
/// the signed integer view of the same lane width.
macro_rules! compare {
    ($($name:ident($get:ident, $put:ident, $mask:ty) = |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            let mut out = [0 as $mask; { 16 / core::mem::size_of::<$mask>() }];
            for i in 0..out.len() {
                let ($x, $y) = (a[i], b[i]);
                out[i] = if $e { -1 } else { 0 };
            }
            $put(out)
        }
    )*};
}

/// Shifts by a scalar count taken modulo the lane width.
macro_rules! shift {
    ($($name:ident($get:ident, $put:ident, $bits:literal) = $f:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, n: u32) -> u128 {
            let n = n % $bits;
            $put($get(a).map(|x| x.$f(n)))
        }
    )*};
}

unary! {
    v128_not(u64x2, put_u64x2) = |x| !x;
    i8x16_abs(i8x16, put_i8x16) = |x| x.wrapping_abs();
    i8x16_neg(i8x16, put_i8x16) = |x| x.wrapping_neg();
    i8x16_popcnt(u8x16, put_u8x16) = |x| x.count_ones() as u8;
    i16x8_abs(i16x8, put_i16x8) = |x| x.wrapping_abs();
    i16x8_neg(i16x8, put_i16x8) = |x| x.wrapping_neg();
    i32x4_abs(i32x4, put_i32x4) = |x| x.wrapping_abs();
    i32x4_neg(i32x4, put_i32x4) = |x| x.wrapping_neg();
    i64x2_abs(i64x2, put_i64x2) = |x| x.wrapping_abs();
    i64x2_neg(i64x2, put_i64x2) = |x| x.wrapping_neg();
    f32x4_ceil(f32x4, put_f32x4) = |x| num::f32_ceil(x);
    f32x4_floor(f32x4, put_f32x4) = |x| num::f32_floor(x);
    f32x4_trunc(f32x4, put_f32x4) = |x| num::f32_trunc(x);
    f32x4_nearest(f32x4, put_f32x4) = |x| num::f32_nearest(x);
    f32x4_abs(u32x4, put_u32x4) = |x| x & 0x7fff_ffff;
    f32x4_neg(u32x4, put_u32x4) = |x| x ^ 0x8000_0000;
    f32x4_sqrt(f32x4, put_f32x4) = |x| x.sqrt();
    f64x2_ceil(f64x2, put_f64x2) = |x| num::f64_ceil(x);
    f64x2_floor(f64x2, put_f64x2) = |x| num::f64_floor(x);
    f64x2_trunc(f64x2, put_f64x2) = |x| num::f64_trunc(x);
    f64x2_nearest(f64x2, put_f64x2) = |x| num::f64_nearest(x);
    f64x2_abs(u64x2, put_u64x2) = |x| x & 0x7fff_ffff_ffff_ffff;
    f64x2_neg(u64x2, put_u64x2) = |x| x ^ 0x8000_0000_0000_0000;
    f64x2_sqrt(f64x2, put_f64x2) = |x| x.sqrt();
}

binary! {
    v128_and(u64x2, put_u64x2) = |x, y| x & y;
    v128_andnot(u64x2, put_u64x2) = |x, y| x & !y;
    v128_or(u64x2, put_u64x2) = |x, y| x | y;
    v128_xor(u64x2, put_u64x2) = |x, y| x ^ y;
    i8x16_add(u8x16, put_u8x16) = |x, y| x.wrapping_add(y);
    i8x16_add_sat_s(i8x16, put_i8x16) = |x, y| x.saturating_add(y);
    i8x16_add_sat_u(u8x16, put_u8x16) = |x, y| x.saturating_add(y);
    i8x16_sub(u8x16, put_u8x16) = |x, y| x.wrapping_sub(y);
    i8x16_sub_sat_s(i8x16, put_i8x16) = |x, y| x.saturating_sub(y);
    i8x16_sub_sat_u(u8x16, put_u8x16) = |x, y| x.saturating_sub(y);
    i8x16_min_s(i8x16, put_i8x16) = |x, y| x.min(y);
    i8x16_min_u(u8x16, put_u8x16) = |x, y| x.min(y);
    i8x16_max_s(i8x16, put_i8x16) = |x, y| x.max(y);
    i8x16_max_u(u8x16, put_u8x16) = |x, y| x.max(y);
    i8x16_avgr_u(u8x16, put_u8x16) = |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8;
    i16x8_add(u16x8, put_u16x8) = |x, y| x.wrapping_add(y);
    i16x8_add_sat_s(i16x8, put_i16x8) = |x, y| x.saturating_add(y);
    i16x8_add_sat_u(u16x8, put_u16x8) = |x, y| x.saturating_add(y);
    i16x8_sub(u16x8, put_u16x8) = |x, y| x.wrapping_sub(y);
    i16x8_sub_sat_s(i16x8, put_i16x8) = |x, y| x.saturating_sub(y);
    i16x8_sub_sat_u(u16x8, put_u16x8) = |x, y| x.saturating_sub(y);
    i16x8_mul(u16x8, put_u16x8) = |x, y| x.wrapping_mul(y);
    i16x8_min_s(i16x8, put_i16x8) = |x, y| x.min(y);
    i16x8_min_u(u16x8, put_u16x8) = |x, y| x.min(y);
    i16x8_max_s(i16x8, put_i16x8) = |x, y| x.max(y);
    i16x8_max_u(u16x8, put_u16x8) = |x, y| x.max(y);
    i16x8_avgr_u(u16x8, put_u16x8) = |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s(i16x8, put_i16x8) =
        |x, y| ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16;
    i32x4_add(u32x4, put_u32x4) = |x, y| x.wrapping_add(y);
    i32x4_sub(u32x4, put_u32x4) = |x, y| x.wrapping_sub(y);
    i32x4_mul(u32x4, put_u32x4) = |x, y| x.wrapping_mul(y);
    i32x4_min_s(i32x4, put_i32x4) = |x, y| x.min(y);
    i32x4_min_u(u32x4, put_u32x4) = |x, y| x.min(y);
    i32x4_max_s(i32x4, put_i32x4) = |x, y| x.max(y);
    i32x4_max_u(u32x4, put_u32x4) = |x, y| x.max(y);
    i64x2_add(u64x2, put_u64x2) = |x, y| x.wrapping_add(y);
    i64x2_sub(u64x2, put_u64x2) = |x, y| x.wrapping_sub(y);
    i64x2_mul(u64x2, put_u64x2) = |x, y| x.wrapping_mul(y);
    f32x4_add(f32x4, put_f32x4) = |x, y| x + y;
    f32x4_sub(f32x4, put_f32x4) = |x, y| x - y;
    f32x4_mul(f32x4, put_f32x4) = |x, y| x * y;
    f32x4_div(f32x4, put_f32x4) = |x, y| x / y;
    f32x4_min(f32x4, put_f32x4) = |x, y| num::f32_min(x, y);
    f32x4_max(f32x4, put_f32x4) = |x, y| num::f32_max(x, y);
    f32x4_pmin(f32x4, put_f32x4) = |x, y| if y < x { y } else { x };
    f32x4_pmax(f32x4, put_f32x4) = |x, y| if x < y { y } else { x };
    f64x2_add(f64x2, put_f64x2) = |x, y| x + y;
    f64x2_sub(f64x2, put_f64x2) = |x, y| x - y;
    f64x2_mul(f64x2, put_f64x2) = |x, y| x * y;
    f64x2_div(f64x2, put_f64x2) = |x, y| x / y;
    f64x2_min(f64x2, put_f64x2) = |x, y| num::f64_min(x, y);
    f64x2_max(f64x2, put_f64x2) = |x, y| num::f64_max(x, y);
    f64x2_pmin(f64x2, put_f64x2) = |x, y| if y < x { y } else { x };
    f64x2_pmax(f64x2, put_f64x2) = |x, y| if x < y { y } else { x };
}

compare! {
    i8x16_eq(i8x16, put_i8x16, i8) = |x, y| x == y;
    i8x16_ne(i8x16, put_i8x16, i8) = |x, y| x != y;
    i8x16_lt_s(i8x16, put_i8x16, i8) = |x, y| x < y;
    i8x16_lt_u(u8x16, put_i8x16, i8) = |x, y| x < y;
    i8x16_gt_s(i8x16, put_i8x16, i8) = |x, y| x > y;
    i8x16_gt_u(u8x16, put_i8x16, i8) = |x, y| x > y;
    i8x16_le_s(i8x16, put_i8x16, i8) = |x, y| x <= y;
    i8x16_le_u(u8x16, put_i8x16, i8) = |x, y| x <= y;
    i8x16_ge_s(i8x16, put_i8x16, i8) = |x, y| x >= y;
    i8x16_ge_u(u8x16, put_i8x16, i8) = |x, y| x >= y;
    i16x8_eq(i16x8, put_i16x8, i16) = |x, y| x == y;
    i16x8_ne(i16x8, put_i16x8, i16) = |x, y| x != y;
    i16x8_lt_s(i16x8, put_i16x8, i16) = |x, y| x < y;
    i16x8_lt_u(u16x8, put_i16x8, i16) = |x, y| x < y;
    i16x8_gt_s(i16x8, put_i16x8, i16) = |x, y| x > y;
    i16x8_gt_u(u16x8, put_i16x8, i16) = |x, y| x > y;
    i16x8_le_s(i16x8, put_i16x8, i16) = |x, y| x <= y;
    i16x8_le_u(u16x8, put_i16x8, i16) = |x, y| x <= y;
    i16x8_ge_s(i16x8, put_i16x8, i16) = |x, y| x >= y;
    i16x8_ge_u(u16x8, put_i16x8, i16) = |x, y| x >= y;
    i32x4_eq(i32x4, put_i32x4, i32) = |x, y| x == y;
    i32x4_ne(i32x4, put_i32x4, i32) = |x, y| x != y;
    i32x4_lt_s(i32x4, put_i32x4, i32) = |x, y| x < y;
    i32x4_lt_u(u32x4, put_i32x4, i32) = |x, y| x < y;
    i32x4_gt_s(i32x4, put_i32x4, i32) = |x, y| x > y;
    i32x4_gt_u(u32x4, put_i32x4, i32) = |x, y| x > y;
    i32x4_le_s(i32x4, put_i32x4, i32) = |x, y| x <= y;
    i32x4_le_u(u32x4, put_i32x4, i32) = |x, y| x <= y;
    i32x4_ge_s(i32x4, put_i32x4, i32) = |x, y| x >= y;
    i32x4_ge_u(u32x4, put_i32x4, i32) = |x, y| x >= y;
    i64x2_eq(i64x2, put_i64x2, i64) = |x, y| x == y;
    i64x2_ne(i64x2, put_i64x2, i64) = |x, y| x != y;
    i64x2_lt_s(i64x2, put_i64x2, i64) = |x, y| x < y;
    i64x2_gt_s(i64x2, put_i64x2, i64) = |x, y| x > y;
    i64x2_le_s(i64x2, put_i64x2, i64) = |x, y| x <= y;
    i64x2_ge_s(i64x2, put_i64x2, i64) = |x, y| x >= y;
    f32x4_eq(f32x4, put_i32x4, i32) = |x, y| x == y;
    f32x4_ne(f32x4, put_i32x4, i32) = |x, y| x != y;
    f32x4_lt(f32x4, put_i32x4, i32) = |x, y| x < y;
    f32x4_gt(f32x4, put_i32x4, i32) = |x, y| x > y;
    f32x4_le(f32x4, put_i32x4, i32) = |x, y| x <= y;
    f32x4_ge(f32x4, put_i32x4, i32) = |x, y| x >= y;
    f64x2_eq(f64x2, put_i64x2, i64) = |x, y| x == y;
    f64x2_ne(f64x2, put_i64x2, i64) = |x, y| x != y;
    f64x2_lt(f64x2, put_i64x2, i64) = |x, y| x < y;
    f64x2_gt(f64x2, put_i64x2, i64) = |x, y| x > y;
    f64x2_le(f64x2, put_i64x2, i64) = |x, y| x <= y;
    f64x2_ge(f64x2, put_i64x2, i64) = |x, y| x >= y;
}

shift! {
    i8x16_shl(u8x16, put_u8x16, 8) = wrapping_shl;
    i8x16_shr_s(i8x16, put_i8x16, 8) = wrapping_shr;
    i8x16_shr_u(u8x16, put_u8x16, 8) = wrapping_shr;
    i16x8_shl(u16x8, put_u16x8, 16) = wrapping_shl;
    i16x8_shr_s(i16x8, put_i16x8, 16) = wrapping_shr;
    i16x8_shr_u(u16x8, put_u16x8, 16) = wrapping_shr;
    i32x4_shl(u32x4, put_u32x4, 32) = wrapping_shl;
    i32x4_shr_s(i32x4, put_i32x4, 32) = wrapping_shr;
    i32x4_shr_u(u32x4, put_u32x4, 32) = wrapping_shr;
    i64x2_shl(u64x2, put_u64x2, 64) = wrapping_shl;
    i64x2_shr_s(i64x2, put_i64x2, 64) = wrapping_shr;
    i64x2_shr_u(u64x2, put_u64x2, 64) = wrapping_shr;
}

// ---- lane-count-changing ops ----

/// Extend the low (`HIGH = false`) or high half's lanes to twice their width.
macro_rules! extend {
    ($($name:ident($get:ident, $put:ident, $wide:ty, $n:literal, $high:literal);)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            let off = if $high { $n } else { 0 };
            let mut out = [<$wide>::default(); $n];
            for (i, o) in out.iter_mut().enumerate() {
                *o = a[off + i] as $wide;
            }
            $put(out)
        }
    )*};
}
extend! {
    i16x8_extend_low_i8x16_s(i8x16, put_i16x8, i16, 8, false);
    i16x8_extend_high_i8x16_s(i8x16, put_i16x8, i16, 8, true);
    i16x8_extend_low_i8x16_u(u8x16, put_u16x8, u16, 8, false);
    i16x8_extend_high_i8x16_u(u8x16, put_u16x8, u16, 8, true);
    i32x4_extend_low_i16x8_s(i16x8, put_i32x4, i32, 4, false);
    i32x4_extend_high_i16x8_s(i16x8, put_i32x4, i32, 4, true);
    i32x4_extend_low_i16x8_u(u16x8, put_u32x4, u32, 4, false);
    i32x4_extend_high_i16x8_u(u16x8, put_u32x4, u32, 4, true);
    i64x2_extend_low_i32x4_s(i32x4, put_i64x2, i64, 2, false);
    i64x2_extend_high_i32x4_s(i32x4, put_i64x2, i64, 2, true);
    i64x2_extend_low_i32x4_u(u32x4, put_u64x2, u64, 2, false);
    i64x2_extend_high_i32x4_u(u32x4, put_u64x2, u64, 2, true);
}

/// Multiply the low or high half's lanes, widened: `extmul_{low,high}`.
macro_rules! extmul {
    ($($name:ident($get:ident, $put:ident, $wide:ty, $n:literal, $high:literal);)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            let off = if $high { $n } else { 0 };
            let mut out = [<$wide>::default(); $n];
            for (i, o) in out.iter_mut().enumerate() {
                *o = (a[off + i] as $wide).wrapping_mul(b[off + i] as $wide);
            }
            $put(out)
        }
    )*};
}
extmul! {
    i16x8_extmul_low_i8x16_s(i8x16, put_i16x8, i16, 8, false);
    i16x8_extmul_high_i8x16_s(i8x16, put_i16x8, i16, 8, true);
    i16x8_extmul_low_i8x16_u(u8x16, put_u16x8, u16, 8, false);
    i16x8_extmul_high_i8x16_u(u8x16, put_u16x8, u16, 8, true);
    i32x4_extmul_low_i16x8_s(i16x8, put_i32x4, i32, 4, false);
    i32x4_extmul_high_i16x8_s(i16x8, put_i32x4, i32, 4, true);
    i32x4_extmul_low_i16x8_u(u16x8, put_u32x4, u32, 4, false);
    i32x4_extmul_high_i16x8_u(u16x8, put_u32x4, u32, 4, true);
    i64x2_extmul_low_i32x4_s(i32x4, put_i64x2, i64, 2, false);
    i64x2_extmul_high_i32x4_s(i32x4, put_i64x2, i64, 2, true);
    i64x2_extmul_low_i32x4_u(u32x4, put_u64x2, u64, 2, false);
    i64x2_extmul_high_i32x4_u(u32x4, put_u64x2, u64, 2, true);
}

/// Add adjacent lane pairs, widened.
macro_rules! extadd {
    ($($name:ident($get:ident, $put:ident, $wide:ty, $n:literal);)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            let mut out = [<$wide>::default(); $n];
            for (i, o) in out.iter_mut().enumerate() {
                *o = a[2 * i] as $wide + a[2 * i + 1] as $wide;
            }
            $put(out)
        }
    )*};
}
extadd! {
    i16x8_extadd_pairwise_i8x16_s(i8x16, put_i16x8, i16, 8);
    i16x8_extadd_pairwise_i8x16_u(u8x16, put_u16x8, u16, 8);
    i32x4_extadd_pairwise_i16x8_s(i16x8, put_i32x4, i32, 4);
    i32x4_extadd_pairwise_i16x8_u(u16x8, put_u32x4, u32, 4);
}

/// Narrow two vectors' signed lanes to half width, saturating: `a`'s lanes then `b`'s.
macro_rules! narrow {
    ($($name:ident($get:ident, $put:ident, $narrow:ty, $n:literal);)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            let mut out = [<$narrow>::default(); $n];
            for i in 0..$n / 2 {
                out[i] = a[i].clamp(<$narrow>::MIN as _, <$narrow>::MAX as _) as $narrow;
                out[$n / 2 + i] = b[i].clamp(<$narrow>::MIN as _, <$narrow>::MAX as _) as $narrow;
            }
            $put(out)
        }
    )*};
}
narrow! {
    i8x16_narrow_i16x8_s(i16x8, put_i8x16, i8, 16);
    i8x16_narrow_i16x8_u(i16x8, put_u8x16, u8, 16);
    i16x8_narrow_i32x4_s(i32x4, put_i16x8, i16, 8);
    i16x8_narrow_i32x4_u(i32x4, put_u16x8, u16, 8);
}

#[inline(always)]
pub(crate) fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
    let (a, b) = (i16x8(a), i16x8(b));
    let mut out = [0i32; 4];
    for (i, o) in out.iter_mut().enumerate() {
        let lo = a[2 * i] as i32 * b[2 * i] as i32;
        let hi = a[2 * i + 1] as i32 * b[2 * i + 1] as i32;
        *o = lo.wrapping_add(hi);
    }
    put_i32x4(out)
}

// ---- conversions ----

unary! {
    i32x4_trunc_sat_f32x4_s(f32x4, put_i32x4) = |x| x as i32;
    i32x4_trunc_sat_f32x4_u(f32x4, put_u32x4) = |x| x as u32;
    f32x4_convert_i32x4_s(i32x4, put_f32x4) = |x| x as f32;
    f32x4_convert_i32x4_u(u32x4, put_f32x4) = |x| x as f32;
}

#[inline(always)]
pub(crate) fn i32x4_trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    let a = f64x2(a);
    put_i32x4([a[0] as i32, a[1] as i32, 0, 0])
}

#[inline(always)]
pub(crate) fn i32x4_trunc_sat_f64x2_u_zero(a: u128) -> u128 {
    let a = f64x2(a);
    put_u32x4([a[0] as u32, a[1] as u32, 0, 0])
}

#[inline(always)]
pub(crate) fn f64x2_convert_low_i32x4_s(a: u128) -> u128 {
    let a = i32x4(a);
    put_f64x2([a[0] as f64, a[1] as f64])
}

#[inline(always)]
pub(crate) fn f64x2_convert_low_i32x4_u(a: u128) -> u128 {
    let a = u32x4(a);
    put_f64x2([a[0] as f64, a[1] as f64])
}

#[inline(always)]
pub(crate) fn f32x4_demote_f64x2_zero(a: u128) -> u128 {
    let a = f64x2(a);
    put_f32x4([a[0] as f32, a[1] as f32, 0.0, 0.0])
}

#[inline(always)]
pub(crate) fn f64x2_promote_low_f32x4(a: u128) -> u128 {
    let a = f32x4(a);
    put_f64x2([a[0] as f64, a[1] as f64])
}

// ---- tests, bit selection, byte permutations ----

#[inline(always)]
pub(crate) fn v128_any_true(a: u128) -> u32 {
    (a != 0) as u32
}

macro_rules! all_true_bitmask {
    ($($all:ident, $mask:ident, $get:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $all(a: u128) -> u32 {
            $get(a).iter().all(|&x| x != 0) as u32
        }
        #[inline(always)]
        pub(crate) fn $mask(a: u128) -> u32 {
            $get(a).iter().enumerate().fold(0u32, |m, (i, &x)| m | ((x < 0) as u32) << i)
        }
    )*};
}
all_true_bitmask! {
    i8x16_all_true, i8x16_bitmask, i8x16;
    i16x8_all_true, i16x8_bitmask, i16x8;
    i32x4_all_true, i32x4_bitmask, i32x4;
    i64x2_all_true, i64x2_bitmask, i64x2;
}

#[inline(always)]
pub(crate) fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

#[inline(always)]
pub(crate) fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let (a, s) = (u8x16(a), u8x16(s));
    put_u8x16(s.map(|k| if k < 16 { a[k as usize] } else { 0 }))
}

/// `i8x16.shuffle` with its 16 lane indices (each < 32, validated) packed 5 bits each into
/// three words, lanes 0-5, 6-11 and 12-15 (the IR's encoding, see `pack_shuffle`).
#[inline(always)]
pub(crate) fn i8x16_shuffle(a: u128, b: u128, packed: [u32; 3]) -> u128 {
    let mut ab = [0u8; 32];
    ab[..16].copy_from_slice(&a.to_le_bytes());
    ab[16..].copy_from_slice(&b.to_le_bytes());
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        let k = (packed[i / 6] >> (5 * (i % 6))) & 31;
        *o = ab[k as usize];
    }
    u128::from_le_bytes(out)
}

/// Bytes k..k + 16 of `a ++ b` (0 < k < 16): `i8x16.shuffle` of lanes k, k + 1, ..., k + 15.
#[inline(always)]
pub(crate) fn i8x16_window(a: u128, b: u128, k: u32) -> u128 {
    (a >> (8 * k)) | (b << (128 - 8 * k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_are_little_endian() {
        let v = u128::from_le_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
        assert_eq!(u8x16(v)[3], 3);
        assert_eq!(u16x8(v)[1], 0x0302);
        assert_eq!(u32x4(v)[3], 0x0f0e0d0c);
        assert_eq!(put_u16x8(u16x8(v)), v);
        assert_eq!(put_f64x2(f64x2(v)).to_le_bytes(), v.to_le_bytes());
    }

    #[test]
    fn saturating_and_widening_ops() {
        let a = put_i16x8([i16::MAX, i16::MIN, 300, -300, 1, -1, 0, 127]);
        let n = u8x16(i8x16_narrow_i16x8_u(a, a));
        assert_eq!(&n[..8], &[255, 0, 255, 0, 1, 0, 0, 127]);
        let q = i16x8(i16x8_q15mulr_sat_s(
            put_i16x8([i16::MIN; 8]),
            put_i16x8([i16::MIN; 8]),
        ));
        assert_eq!(q[0], i16::MAX);
        let d = i32x4(i32x4_dot_i16x8_s(
            put_i16x8([i16::MIN; 8]),
            put_i16x8([i16::MIN; 8]),
        ));
        assert_eq!(d[0], i32::MIN);
        assert_eq!(
            i8x16_bitmask(put_i8x16([
                -1, 0, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128
            ])),
            0x8005
        );
    }

    #[test]
    fn window_is_the_shuffle_of_consecutive_lanes() {
        let a = u128::from_le_bytes(core::array::from_fn(|i| 0x80 | i as u8));
        let b = u128::from_le_bytes(core::array::from_fn(|i| 0x40 | i as u8));
        for k in 1..16u32 {
            let mut packed = [0u32; 3];
            for i in 0..16u32 {
                packed[i as usize / 6] |= (k + i) << (5 * (i % 6));
            }
            assert_eq!(i8x16_window(a, b, k), i8x16_shuffle(a, b, packed), "k = {k}");
        }
    }

    #[test]
    fn shuffle_unpacks_five_bit_lanes() {
        let a = u128::from_le_bytes(core::array::from_fn(|i| i as u8));
        let b = u128::from_le_bytes(core::array::from_fn(|i| 16 + i as u8));
        let lanes: [u8; 16] = core::array::from_fn(|i| 31 - i as u8);
        let mut packed = [0u32; 3];
        for (i, &k) in lanes.iter().enumerate() {
            packed[i / 6] |= (k as u32) << (5 * (i % 6));
        }
        assert_eq!(i8x16_shuffle(a, b, packed).to_le_bytes(), lanes);
    }
}
