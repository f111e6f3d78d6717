//! bin/iwasm: the command-line runner. The whole CLI (WAMR-compatible options) lives in
//! libvmcore.so as `ember_iwasm_main` (core/src/cli/); this program only hands it argc/argv,
//! so that it does not carry a second copy of Rust's std runtime (~300 KB on ARM).
//!
//! With `panic = "abort"` (the release profile) it is `no_std`: nothing here can panic, and
//! without std no unwinding personality pulls std's panic and backtrace code in (armv7 does
//! that even for a `#![no_main]` program with std). Debug builds unwind, so they keep std.
#![no_main]
#![cfg_attr(panic = "abort", no_std)]

use core::ffi::{c_char, c_int};

// The C runtime (crt1's __libc_start_main) and abort(); with std, std links libc.
#[cfg(panic = "abort")]
#[link(name = "c")]
extern "C" {
    fn abort() -> !;
}

#[no_mangle]
pub extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: argc/argv are the C runtime's own, as ember_iwasm_main expects.
    unsafe { vmcore_sys::ember_iwasm_main(argc, argv) }
}

#[cfg(panic = "abort")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // Unreachable: no code above can panic. Should it ever, end the process as std's abort does.
    // SAFETY: abort() takes no arguments and never returns.
    unsafe { abort() }
}
