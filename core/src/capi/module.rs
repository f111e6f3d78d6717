//! wasm_runtime_load / wasm_runtime_unload.

use std::ffi::c_char;

use super::{guard, write_error};
use crate::runtime::module::LoadedModule;

/// WAMR: `buf` may be freed after unload; Ember copies what it needs at
/// load, so the buffer may be freed right after this call.
///
/// # Safety
/// `buf` must point to `size` readable bytes; `error_buf` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_load(buf: *mut u8, size: u32, error_buf: *mut c_char, error_buf_size: u32) -> *mut LoadedModule {
    guard(std::ptr::null_mut(), || {
        let fail = |msg: &str| {
            // SAFETY: caller's buffer contract.
            unsafe { write_error(error_buf, error_buf_size, msg) };
            std::ptr::null_mut()
        };
        if buf.is_null() {
            return fail("WASM module load failed: buffer is NULL");
        }
        // SAFETY: caller's contract.
        let bytes = unsafe { std::slice::from_raw_parts(buf as *const u8, size as usize) };
        match LoadedModule::load(bytes) {
            Ok(m) => Box::into_raw(m),
            Err(e) => fail(&format!("WASM module load failed: {e}")),
        }
    })
}

/// # Safety
/// `module` must be NULL or from wasm_runtime_load, with no live instances.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_unload(module: *mut LoadedModule) {
    guard((), || {
        if !module.is_null() {
            // SAFETY: created by Box::into_raw in wasm_runtime_load.
            drop(unsafe { Box::from_raw(module) });
        }
    })
}

/// 0 = Wasm_Module_Bytecode, 0xFFFF = unknown (no AoT format here).
///
/// # Safety
/// `buf` must point to `size` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn get_package_type(buf: *const u8, size: u32) -> u32 {
    if buf.is_null() || size < 4 {
        return 0xFFFF;
    }
    // SAFETY: at least 4 readable bytes.
    let magic = unsafe { std::slice::from_raw_parts(buf, 4) };
    if magic == b"\0asm" {
        0
    } else {
        0xFFFF
    }
}

/// # Safety
/// As for get_package_type.
#[no_mangle]
pub unsafe extern "C" fn wasm_runtime_get_file_package_type(buf: *const u8, size: u32) -> u32 {
    // SAFETY: forwarded.
    unsafe { get_package_type(buf, size) }
}
