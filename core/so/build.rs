// libvmcore.so for the boards (aarch64, armv7) in a release build (panic = "abort", Cargo.toml):
// no .eh_frame_hdr, the unwinder's lookup table. Nothing unwinds through this library there (a
// panic aborts; an engine's C++ exception never leaves its backend), so the unwind tables serve
// only a panic's printed backtrace; aarch64 keeps frame pointers for debuggers and perf.
// toolchains/bundle.sh then drops .eh_frame itself (~150 KB of the 1 MiB footprint budget,
// BENCHMARKS.md "Footprint"). Without the header no PT_GNU_EH_FRAME segment points at it.
fn main() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    // Not CARGO_CFG_PANIC: build scripts see the target's default ("unwind"), not the profile's.
    // PROFILE is "release" for the release profile and the profiles inheriting from it.
    let profile = std::env::var("PROFILE").unwrap_or_default();
    if matches!(arch.as_str(), "aarch64" | "arm") && profile == "release" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--no-eh-frame-hdr");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
