//! C types of wasm_export.h / lib_export.h: the one Rust mirror is the `vmcore-types` crate
//! (core/types, checked against the headers in both directions by its tests/header_mirror.rs),
//! which vmcore-sys re-exports too. Here: the conversions between `wasm_val_t` and the
//! interpreter's values.

use ember_interp::{Val, ValType};

pub use vmcore_types::*;

pub fn valkind(t: ValType) -> u8 {
    match t {
        ValType::I32 => WASM_I32,
        ValType::I64 => WASM_I64,
        ValType::F32 => WASM_F32,
        ValType::F64 => WASM_F64,
        ValType::V128 => WASM_V128,
        ValType::ExternRef => WASM_EXTERNREF,
        ValType::FuncRef => WASM_FUNCREF,
    }
}

/// `v` as a `wasm_val_t`.
pub fn wasm_val_from(v: &Val) -> wasm_val_t {
    let (kind, of) = match *v {
        Val::I32(x) => (
            WASM_I32,
            wasm_val_of_t {
                i64: x as u32 as i64,
            },
        ),
        Val::I64(x) => (WASM_I64, wasm_val_of_t { i64: x }),
        Val::F32(b) => (WASM_F32, wasm_val_of_t { i64: b as i64 }),
        Val::F64(b) => (WASM_F64, wasm_val_of_t { i64: b as i64 }),
        // Never reached with a v128: wasm_runtime_call_wasm_a refuses such functions first
        // (wasm_val_t has no room for 128 bits).
        Val::V128(_) => (WASM_V128, wasm_val_of_t { i64: 0 }),
        Val::ExternRef(r) => (
            WASM_EXTERNREF,
            wasm_val_of_t {
                foreign: r.map(|x| x as usize).unwrap_or(usize::MAX),
            },
        ),
        Val::FuncRef(_) => (WASM_FUNCREF, wasm_val_of_t { i64: 0 }),
    };
    wasm_val_t {
        kind,
        _paddings: [0; 7],
        of,
    }
}

/// `w` as wasm type `t`, or None when the kind does not match.
pub fn wasm_val_to(w: &wasm_val_t, t: ValType) -> Option<Val> {
    if w.kind != valkind(t) {
        return None;
    }
    // SAFETY: every union member is plain old data of at most 8 bytes;
    // reading the one the kind names.
    unsafe {
        Some(match t {
            ValType::I32 => Val::I32(w.of.i32),
            ValType::I64 => Val::I64(w.of.i64),
            ValType::F32 => Val::F32(w.of.f32.to_bits()),
            ValType::F64 => Val::F64(w.of.f64.to_bits()),
            ValType::ExternRef => {
                let f = w.of.foreign;
                Val::ExternRef(if f == usize::MAX {
                    None
                } else {
                    Some(f as u32)
                })
            }
            ValType::V128 | ValType::FuncRef => return None,
        })
    }
}
