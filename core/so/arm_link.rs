// Link arguments of the ARM release builds of libvmcore.so and iwasm (the 1 MiB footprint pair,
// BENCHMARKS.md "Footprint"). Included by core/so/build.rs and the root build.rs (iwasm).
//
// With EMBER_LLD_DIR (a folder holding `ld.lld`, set by toolchains/cargo-cross.sh to LLVM 16's,
// which toolchains/setup-cross.sh installs), the two are linked by LLD instead of GNU ld:
// - `-z pack-relative-relocs`: relative relocations as a bitmap (DT_RELR), 90 KB -> 1 KB on
//   aarch64. LLD records the GLIBC_ABI_DT_RELR version it needs, so a glibc older than 2.36
//   (Debian 12) refuses the file at load with a message instead of misrelocating it.
//   Binutils 2.40's ARM linkers cannot pack them.
// - .eh_frame and .gcc_except_table discarded at link (a release build aborts on a panic and
//   nothing unwinds through these files; only a panic's printed backtrace is lost). Dropping
//   them afterwards with objcopy left a hole of up to a page before the next segment.
// - LLD pads no segment to a max-page boundary in the file (iwasm 18 KB -> 5 KB).
// Without EMBER_LLD_DIR (a plain `cargo build --target ...`), GNU ld links as before and
// toolchains/bundle.sh strips the unwind tables with objcopy.
//
// Every ARM release link gets `--no-eh-frame-hdr`: no PT_GNU_EH_FRAME segment points at unwind
// tables that are dropped.

/// The linker script that discards the unwind tables (`INSERT`: LLD's default layout otherwise).
const DISCARD_UNWIND: &str =
    "SECTIONS { /DISCARD/ : { *(.eh_frame) *(.gcc_except_table .gcc_except_table.*) } } INSERT AFTER .text;\n";

/// The extra linker arguments for this build script's target and profile (none off ARM or
/// outside the release profile and the profiles inheriting from it).
pub fn arm_release_link_args() -> Vec<String> {
    println!("cargo:rerun-if-env-changed=EMBER_LLD_DIR");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    // Not CARGO_CFG_PANIC: build scripts see the target's default ("unwind"), not the profile's.
    // PROFILE is "release" for the release profile and the profiles inheriting from it.
    let profile = std::env::var("PROFILE").unwrap_or_default();
    if !matches!(arch.as_str(), "aarch64" | "arm") || profile != "release" {
        return Vec::new();
    }
    let mut args = vec!["-Wl,--no-eh-frame-hdr".to_string()];
    let lld = std::env::var("EMBER_LLD_DIR").unwrap_or_default();
    if !lld.is_empty() {
        let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
        let script = std::path::Path::new(&out).join("discard-unwind.ld");
        std::fs::write(&script, DISCARD_UNWIND).expect("write the linker script into OUT_DIR");
        args.extend([
            "-fuse-ld=lld".to_string(),
            format!("-B{lld}"),
            "-Wl,-z,pack-relative-relocs".to_string(),
            format!("-Wl,-T,{}", script.display()),
        ]);
    }
    args
}
