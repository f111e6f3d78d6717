//! Builds the C++ shim (shim/armnn_shim.cpp) with the target's C++ compiler (the cc crate picks
//! g++, aarch64-linux-gnu-g++ or arm-linux-gnueabihf-g++ from the cargo target) and links ArmNN.
//!
//! Where ArmNN comes from (first match wins; `<T>` is the cargo target with `-` as `_`, e.g.
//! `EMBER_ARMNN_SYSROOT_aarch64_unknown_linux_gnu`):
//! - `EMBER_ARMNN_INCLUDE_DIR[_<T>]` / `EMBER_ARMNN_LIB_DIR[_<T>]`: explicit directories;
//! - `EMBER_ARMNN_SYSROOT[_<T>]`: a folder holding Debian's ArmNN packages unpacked with
//!   `dpkg -x` (headers in `usr/include`, libraries in `usr/lib/<multiarch triplet>`);
//! - otherwise the host's Debian packages: libraries from the default search path and headers
//!   from /usr/include/armnn* (the headers are architecture-independent, so a cross build can use
//!   them too: they are reached through a folder of links, never through -I/usr/include, which
//!   would mix the host's libc headers into a cross build).
use std::env;
use std::path::{Path, PathBuf};

fn var(name: &str, target: &str) -> Option<String> {
    let specific = format!("{name}_{}", target.replace('-', "_"));
    println!("cargo:rerun-if-env-changed={specific}");
    println!("cargo:rerun-if-env-changed={name}");
    env::var(&specific).ok().or_else(|| env::var(name).ok()).filter(|v| !v.is_empty())
}

/// Debian's multiarch triplet for a Rust target triple.
fn multiarch(target: &str) -> String {
    let arch = target.split('-').next().unwrap_or("");
    match arch {
        "aarch64" => "aarch64-linux-gnu".to_string(),
        a if a.starts_with("armv7") || a == "arm" => "arm-linux-gnueabihf".to_string(),
        "x86_64" => "x86_64-linux-gnu".to_string(),
        "i686" | "i586" => "i386-linux-gnu".to_string(),
        other => format!("{other}-linux-gnu"),
    }
}

/// A folder with links to the host's ArmNN header folders only.
fn host_header_links(out: &Path) -> PathBuf {
    let dir = out.join("armnn-include");
    std::fs::create_dir_all(&dir).expect("create armnn-include");
    for name in ["armnn", "armnnTfLiteParser"] {
        let src = Path::new("/usr/include").join(name);
        let link = dir.join(name);
        if !src.is_dir() {
            panic!(
                "ArmNN headers not found at {} (install libarmnn-dev and libarmnntfliteparser-dev: \
                 toolchains/setup-host.sh), or set EMBER_ARMNN_SYSROOT / EMBER_ARMNN_INCLUDE_DIR",
                src.display()
            );
        }
        if std::fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(&src, &link).expect("link ArmNN headers");
        }
    }
    dir
}

fn main() {
    let target = env::var("TARGET").expect("TARGET");
    let host = env::var("HOST").expect("HOST");
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed=shim/armnn_shim.cpp");
    println!("cargo:rerun-if-changed=shim/armnn_shim.h");
    println!("cargo:rerun-if-changed=../include/wasi_nn_backend.h");

    let sysroot = var("EMBER_ARMNN_SYSROOT", &target).map(PathBuf::from);
    let include_dir = var("EMBER_ARMNN_INCLUDE_DIR", &target)
        .map(PathBuf::from)
        .or_else(|| sysroot.as_ref().map(|s| s.join("usr/include")))
        .unwrap_or_else(|| host_header_links(&out));
    let lib_dir = var("EMBER_ARMNN_LIB_DIR", &target)
        .map(PathBuf::from)
        .or_else(|| sysroot.as_ref().map(|s| s.join("usr/lib").join(multiarch(&target))));
    if lib_dir.is_none() && target != host {
        println!(
            "cargo:warning=cross-building the ArmNN backend for {target} without EMBER_ARMNN_SYSROOT: \
             the linker must find the target's libarmnn.so on its own"
        );
    }

    cc::Build::new()
        .cpp(true)
        .std("c++14")
        .file("shim/armnn_shim.cpp")
        .include("shim")
        .include("../include")
        .include(&include_dir)
        .warnings(true)
        .compile("ember_armnn_shim");

    if let Some(dir) = &lib_dir {
        println!("cargo:rustc-link-search=native={}", dir.display());
        // libarmnn.so's own dependencies (arm_compute, flatbuffers, ...) live there as well.
        println!("cargo:rustc-link-arg=-Wl,-rpath-link,{}", dir.display());
    }
    println!("cargo:rustc-link-lib=dylib=armnnTfLiteParser");
    println!("cargo:rustc-link-lib=dylib=armnn");
    // libvmcore.so next to the backend or one folder up (backend directory beside it).
    println!("cargo:rustc-link-arg=-Wl,-rpath,$ORIGIN:$ORIGIN/..");
}
