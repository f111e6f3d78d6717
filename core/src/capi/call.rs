//! Functions and calls: lookup_function, exec envs, call_wasm(_a), call_indirect,
//! wasm_application_execute_main / _func.

use std::ffi::{c_char, c_void};

use ember_interp::{Val, ValType};
use ember_platform::cnum;

use super::types::{valkind, wasm_val_from, wasm_val_t, wasm_val_to};
use super::{cstr, guard};
use crate::runtime::call::{call_func, lookup};
use crate::runtime::exec_env::ExecEnv;
use crate::runtime::instance::{FuncHandle, ModuleInst};


/// # Safety
/// `inst` live; `name` NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_lookup_function(inst: *mut ModuleInst, name: *const c_char) -> *const FuncHandle {
    guard(std::ptr::null(), || {
        // SAFETY: caller's contract.
        let (Some(i), Some(n)) = (unsafe { inst.as_ref() }, unsafe { cstr(name) }) else { return std::ptr::null() };
        lookup(i, &n).unwrap_or(std::ptr::null())
    })
}

/// # Safety
/// `func` from lookup_function.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_param_count(func: *const FuncHandle, _inst: *mut ModuleInst) -> u32 {
    // SAFETY: caller's contract.
    unsafe { func.as_ref() }.map(|f| f.ty.params.len() as u32).unwrap_or(0)
}

/// # Safety
/// `func` from lookup_function.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_result_count(func: *const FuncHandle, _inst: *mut ModuleInst) -> u32 {
    // SAFETY: caller's contract.
    unsafe { func.as_ref() }.map(|f| f.ty.results.len() as u32).unwrap_or(0)
}

/// # Safety
/// `func` from lookup_function; `out` has room for param-count kinds.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_param_types(func: *const FuncHandle, _inst: *mut ModuleInst, out: *mut u8) {
    // SAFETY: caller's contract.
    if let (Some(f), false) = (unsafe { func.as_ref() }, out.is_null()) {
        for (k, t) in f.ty.params.iter().enumerate() {
            // SAFETY: caller's contract on `out`'s size.
            unsafe { *out.add(k) = valkind(*t) };
        }
    }
}

/// # Safety
/// `func` from lookup_function; `out` has room for result-count kinds.
#[no_mangle]
pub unsafe extern "C" fn wasm_func_get_result_types(func: *const FuncHandle, _inst: *mut ModuleInst, out: *mut u8) {
    // SAFETY: caller's contract.
    if let (Some(f), false) = (unsafe { func.as_ref() }, out.is_null()) {
        for (k, t) in f.ty.results.iter().enumerate() {
            // SAFETY: caller's contract on `out`'s size.
            unsafe { *out.add(k) = valkind(*t) };
        }
    }
}

/// The operand-stack bound is fixed per instance (its default_stack_size);
/// `stack_size` is recorded but does not change it.
///
/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_create_exec_env(inst: *mut ModuleInst, stack_size: u32) -> *mut ExecEnv {
    if inst.is_null() {
        return std::ptr::null_mut();
    }
    guard(std::ptr::null_mut(), || Box::into_raw(ExecEnv::new(inst, stack_size, false)))
}

/// # Safety
/// `env` from create_exec_env, not in use.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_destroy_exec_env(env: *mut ExecEnv) {
    // SAFETY: caller's contract.
    if let Some(e) = unsafe { env.as_ref() } {
        if e.singleton {
            log::warn!("wasm_runtime_destroy_exec_env: the singleton exec env belongs to its instance");
            return;
        }
        // SAFETY: created by Box::into_raw in create_exec_env.
        drop(unsafe { Box::from_raw(env) });
    }
}

/// # Safety
/// `inst` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_exec_env_singleton(inst: *mut ModuleInst) -> *mut ExecEnv {
    // SAFETY: caller's contract.
    unsafe { inst.as_ref() }.map(|i| i.singleton_env()).unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `env` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_module_inst(env: *mut ExecEnv) -> *mut ModuleInst {
    // SAFETY: caller's contract.
    unsafe { env.as_ref() }.map(|e| e.inst.get()).unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `env` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_module_inst(env: *mut ExecEnv, inst: *mut ModuleInst) {
    // SAFETY: caller's contract.
    if let Some(e) = unsafe { env.as_ref() } {
        e.inst.set(inst);
    }
}

/// # Safety
/// `env` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_function_attachment(env: *mut ExecEnv) -> *mut c_void {
    // SAFETY: caller's contract.
    unsafe { env.as_ref() }.map(|e| e.attachment.get()).unwrap_or(std::ptr::null_mut())
}

/// # Safety
/// `env` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_set_user_data(env: *mut ExecEnv, user_data: *mut c_void) {
    // SAFETY: caller's contract.
    if let Some(e) = unsafe { env.as_ref() } {
        e.user_data.set(user_data);
    }
}

/// # Safety
/// `env` live.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_user_data(env: *mut ExecEnv) -> *mut c_void {
    // SAFETY: caller's contract.
    unsafe { env.as_ref() }.map(|e| e.user_data.get()).unwrap_or(std::ptr::null_mut())
}

fn cells(t: ValType) -> usize {
    match t {
        ValType::I64 | ValType::F64 => 2,
        ValType::V128 => 4,
        _ => 1,
    }
}

/// Resolve (env, func) into the instance and handle.
///
/// # Safety
/// Both pointers live (or NULL).
unsafe fn resolve<'a>(env: *mut ExecEnv, func: *const FuncHandle) -> Option<(&'a ModuleInst, &'a FuncHandle)> {
    // SAFETY: caller's contract.
    let e = unsafe { env.as_ref() }?;
    // SAFETY: an exec env points to a live instance.
    let i = unsafe { e.inst.get().as_ref() }?;
    // SAFETY: caller's contract.
    let f = unsafe { func.as_ref() }?;
    Some((i, f))
}

/// Call `fh` with WAMR's cell convention: i32/f32 one 32-bit cell, i64/f64 two (low first);
/// results overwrite argv from cell 0.
///
/// # Safety
/// `argv` has max(argc, result cells) cells.
unsafe fn call_cells(inst: &ModuleInst, env: *mut ExecEnv, fh: &FuncHandle, argc: u32, argv: *mut u32) -> bool {
    let need: usize = fh.ty.params.iter().map(|t| cells(*t)).sum();
    if (argc as usize) < need || (need > 0 && argv.is_null()) {
        inst.set_exception(Some(&format!("invalid argument count {argc}, must be no smaller than {need}")));
        return false;
    }
    let mut args = Vec::with_capacity(fh.ty.params.len());
    let mut k = 0usize;
    for t in fh.ty.params.iter() {
        if *t == ValType::V128 {
            // Four cells, lowest first (as WAMR lays a v128 out in argv).
            let mut v = 0u128;
            for c in 0..4 {
                // SAFETY: k + 4 <= need <= argc cells.
                v |= (unsafe { *argv.add(k + c) } as u128) << (32 * c);
            }
            args.push(Val::V128(v));
            k += 4;
            continue;
        }
        // SAFETY: k + cells(t) <= need <= argc cells.
        let lo = unsafe { *argv.add(k) } as u64;
        let hi = if cells(*t) >= 2 { (unsafe { *argv.add(k + 1) }) as u64 } else { 0 };
        let v = lo | (hi << 32);
        args.push(match t {
            ValType::I32 => Val::I32(lo as u32 as i32),
            ValType::I64 => Val::I64(v as i64),
            ValType::F32 => Val::F32(lo as u32),
            ValType::F64 => Val::F64(v),
            ValType::ExternRef => Val::ExternRef((lo as u32 != u32::MAX).then_some(lo as u32)),
            other => {
                inst.set_exception(Some(&format!("unsupported parameter type {other:?} in wasm_runtime_call_wasm")));
                return false;
            }
        });
        k += cells(*t);
    }
    let mut results: Vec<Val> = fh.ty.results.iter().map(|t| Val::default_of(*t)).collect();
    if !call_func(inst, env, fh, &args, &mut results) {
        return false;
    }
    let mut k = 0usize;
    for r in &results {
        if let Val::V128(v) = *r {
            for c in 0..4 {
                // SAFETY: caller's contract: argv holds the result cells.
                unsafe { *argv.add(k + c) = (v >> (32 * c)) as u32 };
            }
            k += 4;
            continue;
        }
        let bits: u64 = match *r {
            Val::I32(x) => x as u32 as u64,
            Val::I64(x) => x as u64,
            Val::F32(b) => b as u64,
            Val::F64(b) => b,
            Val::ExternRef(x) => x.unwrap_or(u32::MAX) as u64,
            _ => 0,
        };
        // SAFETY: caller's contract: argv holds the result cells.
        unsafe {
            *argv.add(k) = bits as u32;
            if cells(r.ty()) >= 2 {
                *argv.add(k + 1) = (bits >> 32) as u32;
            }
        }
        k += cells(r.ty());
    }
    true
}

/// # Safety
/// `argv` has max(argc, result cells) cells.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm(env: *mut ExecEnv, func: *const FuncHandle, argc: u32, argv: *mut u32) -> bool {
    guard(false, || {
        // SAFETY: caller's contract.
        let Some((inst, fh)) = (unsafe { resolve(env, func) }) else { return false };
        // SAFETY: caller's contract on argv.
        unsafe { call_cells(inst, env, fh, argc, argv) }
    })
}

/// Call element `element_index` of the instance's table 0 (a function pointer a guest passed
/// to a native) with wasm_runtime_call_wasm's cell convention.
///
/// # Safety
/// `env` live; `argv` has max(argc, result cells) cells.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_indirect(env: *mut ExecEnv, element_index: u32, argc: u32, argv: *mut u32) -> bool {
    guard(false, || {
        // SAFETY: caller's contract.
        let Some(e) = (unsafe { env.as_ref() }) else { return false };
        // SAFETY: an exec env points to a live instance.
        let Some(inst) = (unsafe { e.inst.get().as_ref() }) else { return false };
        let Some(instance) = inst.instance.get() else { return false };
        let func = {
            // SAFETY: C API caller: outside wasm or inside its host call (one store path).
            let store = unsafe { inst.store() };
            match instance.table(store).map(|t| t.get(store, element_index)) {
                Some(Some(Val::FuncRef(Some(f)))) => Ok(FuncHandle { func: f, ty: f.ty(store) }),
                Some(Some(_)) => Err("uninitialized element"),
                _ => Err("undefined element"),
            }
        };
        match func {
            // SAFETY: caller's contract on argv.
            Ok(fh) => unsafe { call_cells(inst, env, &fh, argc, argv) },
            Err(msg) => {
                inst.set_exception(Some(msg));
                false
            }
        }
    })
}

/// # Safety
/// `results`/`args` point to `num_results`/`num_args` wasm_val_t.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_call_wasm_a(
    env: *mut ExecEnv,
    func: *const FuncHandle,
    num_results: u32,
    results: *mut wasm_val_t,
    num_args: u32,
    args: *const wasm_val_t,
) -> bool {
    guard(false, || {
        // SAFETY: caller's contract.
        let Some((inst, fh)) = (unsafe { resolve(env, func) }) else { return false };
        if num_args as usize != fh.ty.params.len() || (num_args > 0 && args.is_null()) {
            inst.set_exception(Some(&format!("argument count mismatch: {num_args} given, {} expected", fh.ty.params.len())));
            return false;
        }
        if num_results as usize != fh.ty.results.len() || (num_results > 0 && results.is_null()) {
            inst.set_exception(Some(&format!("result count mismatch: {num_results} given, {} expected", fh.ty.results.len())));
            return false;
        }
        // WAMR's wasm_val_t has no v128 member: such a function is called through
        // wasm_runtime_call_wasm (four argv cells per v128), never with a truncated value.
        if fh.ty.params.iter().chain(fh.ty.results.iter()).any(|t| *t == ValType::V128) {
            inst.set_exception(Some("a v128 parameter or result cannot pass through wasm_val_t: use wasm_runtime_call_wasm"));
            return false;
        }
        let mut vals = Vec::with_capacity(num_args as usize);
        for (k, t) in fh.ty.params.iter().enumerate() {
            // SAFETY: k < num_args.
            let a = unsafe { &*args.add(k) };
            match wasm_val_to(a, *t) {
                Some(v) => vals.push(v),
                None => {
                    inst.set_exception(Some(&format!("argument {k} has the wrong kind (expected {t:?})")));
                    return false;
                }
            }
        }
        let mut res: Vec<Val> = fh.ty.results.iter().map(|t| Val::default_of(*t)).collect();
        if !call_func(inst, env, fh, &vals, &mut res) {
            return false;
        }
        for (k, r) in res.iter().enumerate() {
            // SAFETY: k < num_results.
            unsafe { *results.add(k) = wasm_val_from(r) };
        }
        true
    })
}

/// argv strings of a C caller.
///
/// # Safety
/// `argv` holds `argc` NUL-terminated strings (or argc <= 0).
unsafe fn c_args(argc: i32, argv: *mut *mut c_char) -> Vec<String> {
    (0..argc.max(0) as usize)
        // SAFETY: caller's contract.
        .filter_map(|k| unsafe { cstr(*argv.add(k)) }.map(|s| s.into_owned()))
        .collect()
}

/// Run the module's entry: `_start` (WASI command; argv comes from
/// wasm_runtime_set_wasi_args), else `__main_argc_argv`/`main` with argv
/// copied into linear memory via module_malloc, else `main()`.
/// main's return value becomes the exit code.
///
/// # Safety
/// `inst` live; `argv` holds `argc` strings.
#[no_mangle]
pub unsafe extern "C" fn wasm_application_execute_main(inst: *mut ModuleInst, argc: i32, argv: *mut *mut c_char) -> bool {
    guard(false, || {
        // SAFETY: caller's contract.
        let Some(i) = (unsafe { inst.as_ref() }) else { return false };
        // SAFETY: caller's contract.
        let args = if argv.is_null() { Vec::new() } else { unsafe { c_args(argc, argv) } };
        execute_main(i, &args)
    })
}

fn execute_main(inst: &ModuleInst, args: &[String]) -> bool {
    let env = inst.singleton_env();
    if let Some(f) = lookup(inst, "_start") {
        log::debug!("running _start");
        // SAFETY: handles live as long as the instance.
        let fh = unsafe { &*f };
        return call_func(inst, env, fh, &[], &mut []);
    }
    let entry = ["__main_argc_argv", "main", "_main"].iter().find_map(|n| lookup(inst, n));
    let Some(f) = entry else {
        inst.set_exception(Some("lookup the entry point symbol (like _start, main, _main, __main_argc_argv) failed"));
        return false;
    };
    // SAFETY: as above.
    let fh = unsafe { &*f };
    let mut call_args = Vec::new();
    if *fh.ty.params == [ValType::I32, ValType::I32] {
        match crate::runtime::app_memory::copy_argv(inst, args) {
            Some(argv_off) => call_args = vec![Val::I32(args.len() as i32), Val::I32(argv_off as i32)],
            None => {
                if !inst.has_exception() {
                    inst.set_exception(Some("allocate memory for argv failed"));
                }
                return false;
            }
        }
    } else if !fh.ty.params.is_empty() {
        inst.set_exception(Some("invalid main function type"));
        return false;
    }
    let mut res: Vec<Val> = fh.ty.results.iter().map(|t| Val::default_of(*t)).collect();
    let ok = call_func(inst, env, fh, &call_args, &mut res);
    if ok && inst.exit_code.get().is_none() {
        if let Some(Val::I32(code)) = res.first() {
            inst.exit_code.set(Some(*code));
        }
    }
    ok
}

/// Parse a command-line argument as a value of type `t` (C strtol/strtod
/// conventions: 0x prefixes, inf, nan; floats by the C library's `strtof`/`strtod`, as WAMR).
pub fn parse_arg(s: &str, t: ValType) -> Option<Val> {
    fn int(s: &str) -> Option<i128> {
        let (neg, body) = match s.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            i128::from_str_radix(h, 16).ok()?
        } else {
            body.parse::<i128>().ok()?
        };
        Some(if neg { -v } else { v })
    }
    Some(match t {
        ValType::I32 => {
            let v = int(s)?;
            if v < i32::MIN as i128 || v > u32::MAX as i128 {
                return None;
            }
            Val::I32(v as i64 as i32)
        }
        ValType::I64 => {
            let v = int(s)?;
            if v < i64::MIN as i128 || v > u64::MAX as i128 {
                return None;
            }
            Val::I64(v as i64)
        }
        ValType::F32 => Val::F32(cnum::parse_f32(s)?.to_bits()),
        ValType::F64 => Val::F64(cnum::parse_f64(s)?.to_bits()),
        _ => return None,
    })
}

/// C's "%.{prec}g", as WAMR prints a float result (the C library's own, sign included).
pub fn fmt_g(x: f64, prec: usize) -> String {
    cnum::format_f64(x, b'g', prec, false)
}

/// WAMR's result line: "0x2a:i32,1.5:f64".
pub fn format_results(res: &[Val]) -> String {
    res.iter()
        .map(|r| match *r {
            Val::I32(x) => format!("0x{:x}:i32", x as u32),
            Val::I64(x) => format!("0x{:x}:i64", x as u64),
            Val::F32(b) => format!("{}:f32", fmt_g(f32::from_bits(b) as f64, 7)),
            Val::F64(b) => format!("{}:f64", fmt_g(f64::from_bits(b), 7)),
            Val::V128(x) => format!("0x{x:032x}:v128"),
            Val::ExternRef(x) => format!("{}:ref.extern", x.map(|v| v.to_string()).unwrap_or_else(|| "null".into())),
            Val::FuncRef(f) => (if f.is_some() { "func:ref.func" } else { "null:ref.func" }).to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Call export `name` with arguments parsed from strings and print the
/// results to stdout as WAMR does.
///
/// # Safety
/// `inst` live; `name` NUL-terminated; `argv` holds `argc` strings.
#[no_mangle]
pub unsafe extern "C" fn wasm_application_execute_func(inst: *mut ModuleInst, name: *const c_char, argc: i32, argv: *mut *mut c_char) -> bool {
    guard(false, || {
        // SAFETY: caller's contract.
        let (Some(i), Some(n)) = (unsafe { inst.as_ref() }, unsafe { cstr(name) }) else { return false };
        // SAFETY: caller's contract.
        let args = if argv.is_null() { Vec::new() } else { unsafe { c_args(argc, argv) } };
        execute_func(i, &n, &args)
    })
}

fn execute_func(inst: &ModuleInst, name: &str, args: &[String]) -> bool {
    let Some(f) = lookup(inst, name) else {
        inst.set_exception(Some(&format!("lookup function {name} failed")));
        return false;
    };
    // SAFETY: handles live as long as the instance.
    let fh = unsafe { &*f };
    if args.len() != fh.ty.params.len() {
        inst.set_exception(Some(&format!("invalid input argument count: {} given, {} expected", args.len(), fh.ty.params.len())));
        return false;
    }
    let mut vals = Vec::with_capacity(args.len());
    for (a, t) in args.iter().zip(fh.ty.params.iter()) {
        match parse_arg(a, *t) {
            Some(v) => vals.push(v),
            None => {
                inst.set_exception(Some(&format!("invalid input argument '{a}' for a parameter of type {t:?}")));
                return false;
            }
        }
    }
    let mut res: Vec<Val> = fh.ty.results.iter().map(|t| Val::default_of(*t)).collect();
    log::debug!("calling {name} with {} argument(s)", vals.len());
    if !call_func(inst, inst.singleton_env(), fh, &vals, &mut res) {
        return false;
    }
    if !res.is_empty() {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", format_results(&res));
        let _ = out.flush();
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_printf_g() {
        assert_eq!(fmt_g(1.5, 7), "1.5");
        assert_eq!(fmt_g(100.0, 7), "100");
        assert_eq!(fmt_g(1e10, 7), "1e+10");
        assert_eq!(fmt_g(0.0001, 7), "0.0001");
        assert_eq!(fmt_g(0.00001, 7), "1e-05");
        assert_eq!(fmt_g(1.234567891, 7), "1.234568");
        assert_eq!(fmt_g(f64::NAN, 7), "nan");
        assert_eq!(fmt_g(f64::NEG_INFINITY, 7), "-inf");
    }

    #[test]
    fn parses_c_style_arguments() {
        assert_eq!(parse_arg("0x10", ValType::I32), Some(Val::I32(16)));
        assert_eq!(parse_arg("-1", ValType::I32), Some(Val::I32(-1)));
        assert_eq!(parse_arg("4294967295", ValType::I32), Some(Val::I32(-1)));
        assert_eq!(parse_arg("4294967296", ValType::I32), None);
        assert_eq!(parse_arg("2.5", ValType::F64), Some(Val::F64(2.5f64.to_bits())));
        assert_eq!(parse_arg("x", ValType::I64), None);
        assert_eq!(format_results(&[Val::I32(42), Val::F32(1.5f32.to_bits())]), "0x2a:i32,1.5:f32");
    }
}
