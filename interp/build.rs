// Which dispatch the executor uses (interp/src/exec.rs): tail-call threaded handlers where the
// crate is optimised (opt-level 2, 3, "s", "z": LLVM turns each handler's call of the next one
// into a jump), `loop { match }` otherwise (opt-level 0 and 1 give no such guarantee, and a chain
// of real calls would grow the native stack by one frame per executed instruction).
fn main() {
    println!("cargo:rustc-check-cfg=cfg(ember_threaded)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    if matches!(opt.as_str(), "2" | "3" | "s" | "z") {
        println!("cargo:rustc-cfg=ember_threaded");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
