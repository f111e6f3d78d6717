//! Conversions between .wast constants and interpreter values, and the
//! matching of results against expected values (including NaN patterns).

use ember_interp::Val;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// An invocation argument as an interpreter value.
pub fn arg_to_val(arg: &WastArg<'_>) -> Result<Val, String> {
    let core = match arg {
        WastArg::Core(c) => c,
        #[allow(unreachable_patterns)]
        _ => return Err("non-core argument".into()),
    };
    Ok(match core {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(HeapType::Abstract { ty: AbstractHeapType::Func, .. }) => {
            Val::FuncRef(None)
        }
        WastArgCore::RefNull(HeapType::Abstract { ty: AbstractHeapType::Extern, .. }) => {
            Val::ExternRef(None)
        }
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(*n)),
        other => return Err(format!("unsupported argument {other:?}")),
    })
}

/// Checks one result value against its expectation; `Err` says why not.
pub fn check_ret(actual: &Val, expected: &WastRet<'_>) -> Result<(), String> {
    let core = match expected {
        WastRet::Core(c) => c,
        #[allow(unreachable_patterns)]
        _ => return Err("non-core expected value".into()),
    };
    if matches_core(actual, core) {
        Ok(())
    } else {
        Err(format!("got {}, expected {}", show_val(actual), show_ret(core)))
    }
}

fn matches_core(actual: &Val, expected: &WastRetCore<'_>) -> bool {
    match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(p), Val::F32(a)) => f32_matches(p, *a),
        (WastRetCore::F64(p), Val::F64(a)) => f64_matches(p, *a),
        (WastRetCore::V128(p), Val::V128(a)) => v128_matches(p, *a),
        (WastRetCore::RefNull(None), Val::FuncRef(None) | Val::ExternRef(None)) => true,
        (WastRetCore::RefNull(Some(HeapType::Abstract { ty, .. })), v) => matches!(
            (ty, v),
            (AbstractHeapType::Func, Val::FuncRef(None)) | (AbstractHeapType::Extern, Val::ExternRef(None))
        ),
        (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
        (WastRetCore::RefExtern(Some(e)), Val::ExternRef(Some(a))) => e == a,
        // `(ref.func)` without an index: any non-null function reference.
        (WastRetCore::RefFunc(None), Val::FuncRef(Some(_))) => true,
        (WastRetCore::Either(options), v) => options.iter().any(|o| matches_core(v, o)),
        _ => false,
    }
}

const F32_EXP_AND_QUIET: u32 = 0x7fc0_0000;
const F64_EXP_AND_QUIET: u64 = 0x7ff8_0000_0000_0000;

fn f32_matches(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        // Canonical NaN: exponent all ones, only the quiet bit set, either sign.
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == F32_EXP_AND_QUIET,
        // Arithmetic NaN: exponent all ones and the quiet bit set, any payload.
        NanPattern::ArithmeticNan => bits & F32_EXP_AND_QUIET == F32_EXP_AND_QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == F64_EXP_AND_QUIET,
        NanPattern::ArithmeticNan => bits & F64_EXP_AND_QUIET == F64_EXP_AND_QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(p: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut x = 0u64;
        for k in 0..n {
            x |= (b[i * n + k] as u64) << (8 * k);
        }
        x
    };
    match p {
        V128Pattern::I8x16(e) => e.iter().enumerate().all(|(i, x)| lane(i, 1) as u8 == *x as u8),
        V128Pattern::I16x8(e) => e.iter().enumerate().all(|(i, x)| lane(i, 2) as u16 == *x as u16),
        V128Pattern::I32x4(e) => e.iter().enumerate().all(|(i, x)| lane(i, 4) as u32 == *x as u32),
        V128Pattern::I64x2(e) => e.iter().enumerate().all(|(i, x)| lane(i, 8) == *x as u64),
        V128Pattern::F32x4(e) => e.iter().enumerate().all(|(i, x)| f32_matches(x, lane(i, 4) as u32)),
        V128Pattern::F64x2(e) => e.iter().enumerate().all(|(i, x)| f64_matches(x, lane(i, 8))),
    }
}

/// A value as the reason text of a failure shows it (stable across runs).
pub fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) => format!("f32:{}(0x{b:08x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{}(0x{b:016x})", f64::from_bits(*b)),
        Val::V128(x) => format!("v128:0x{x:032x}"),
        Val::FuncRef(None) => "ref.null func".into(),
        Val::FuncRef(Some(_)) => "ref.func".into(),
        Val::ExternRef(None) => "ref.null extern".into(),
        Val::ExternRef(Some(n)) => format!("ref.extern {n}"),
    }
}

fn show_ret(r: &WastRetCore<'_>) -> String {
    match r {
        WastRetCore::I32(x) => format!("i32:{x}"),
        WastRetCore::I64(x) => format!("i64:{x}"),
        WastRetCore::F32(NanPattern::Value(v)) => format!("f32:{}(0x{:08x})", f32::from_bits(v.bits), v.bits),
        WastRetCore::F64(NanPattern::Value(v)) => format!("f64:{}(0x{:016x})", f64::from_bits(v.bits), v.bits),
        WastRetCore::F32(NanPattern::CanonicalNan) => "f32:nan:canonical".into(),
        WastRetCore::F32(NanPattern::ArithmeticNan) => "f32:nan:arithmetic".into(),
        WastRetCore::F64(NanPattern::CanonicalNan) => "f64:nan:canonical".into(),
        WastRetCore::F64(NanPattern::ArithmeticNan) => "f64:nan:arithmetic".into(),
        WastRetCore::RefNull(_) => "ref.null".into(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".into(),
        WastRetCore::RefFunc(_) => "ref.func".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wast::token::{F32, F64};

    #[test]
    fn nan_patterns() {
        let canon = NanPattern::<F32>::CanonicalNan;
        let arith = NanPattern::<F32>::ArithmeticNan;
        assert!(f32_matches(&canon, 0x7fc0_0000));
        assert!(f32_matches(&canon, 0xffc0_0000));
        assert!(!f32_matches(&canon, 0x7fc0_0001));
        assert!(f32_matches(&arith, 0x7fc0_0001));
        assert!(!f32_matches(&arith, 0x7f80_0001)); // signalling NaN
        assert!(!f32_matches(&arith, 0x3f80_0000)); // 1.0
        assert!(f32_matches(&NanPattern::Value(F32 { bits: 7 }), 7));
        assert!(!f32_matches(&NanPattern::Value(F32 { bits: 7 }), 8));
        assert!(f64_matches(&NanPattern::<F64>::CanonicalNan, 0xfff8_0000_0000_0000));
        assert!(!f64_matches(&NanPattern::<F64>::CanonicalNan, 0x7ff8_0000_0000_0001));
        assert!(f64_matches(&NanPattern::<F64>::ArithmeticNan, 0x7ff8_0000_0000_0001));
        assert!(!f64_matches(&NanPattern::<F64>::ArithmeticNan, 0x7ff0_0000_0000_0001));
    }

    #[test]
    fn refs() {
        assert!(matches_core(&Val::ExternRef(Some(3)), &WastRetCore::RefExtern(Some(3))));
        assert!(!matches_core(&Val::ExternRef(Some(4)), &WastRetCore::RefExtern(Some(3))));
        assert!(!matches_core(&Val::ExternRef(None), &WastRetCore::RefExtern(None)));
        assert!(matches_core(&Val::FuncRef(None), &WastRetCore::RefNull(None)));
        assert!(!matches_core(&Val::I32(0), &WastRetCore::RefNull(None)));
        let func_null = WastRetCore::RefNull(Some(HeapType::Abstract { shared: false, ty: AbstractHeapType::Func }));
        assert!(matches_core(&Val::FuncRef(None), &func_null));
        assert!(!matches_core(&Val::ExternRef(None), &func_null));
    }
}
