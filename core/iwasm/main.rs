//! bin/iwasm: the command-line runner. The whole CLI (WAMR-compatible options) lives in
//! libvmcore.so as `ember_iwasm_main` (core/src/cli/); this program only hands it argc/argv.
//! `#![no_main]` and no Rust code that could panic keep std's runtime out of the executable,
//! so the program is a few KB instead of a second copy of std (~330 KB on aarch64).
#![no_main]

use std::ffi::{c_char, c_int};

#[no_mangle]
pub extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: argc/argv are the C runtime's own, as ember_iwasm_main expects.
    unsafe { vmcore_sys::ember_iwasm_main(argc, argv) }
}
