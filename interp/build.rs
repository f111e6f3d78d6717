// Which dispatch the executor uses (interp/src/exec.rs): tail-call threaded handlers where the
// crate is optimised (opt-level 2, 3, "s", "z": LLVM turns each handler's call of the next one
// into a jump), `loop { match }` otherwise (opt-level 0 and 1 give no such guarantee, and a chain
// of real calls would grow the native stack by one frame per executed instruction).
//
// Sanitizer and coverage builds (cargo-fuzz: `-Zsanitizer=address` plus SanitizerCoverage;
// tests/tsan: `-Zsanitizer=thread`) take the loop too: their instrumentation keeps the calls
// real calls (a fuzzed loop overflowed the native stack under AddressSanitizer this way).
fn main() {
    println!("cargo:rustc-check-cfg=cfg(ember_threaded)");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let instrumented = flags
        .split('\x1f')
        .any(|f| f.contains("sanitizer") || f.contains("sancov") || f.contains("instrument-coverage"));
    if matches!(opt.as_str(), "2" | "3" | "s" | "z") && !instrumented {
        println!("cargo:rustc-cfg=ember_threaded");
    }
}
