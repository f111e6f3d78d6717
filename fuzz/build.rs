//! Builds the C fake wasi-nn backend of the tests (tests/nn/fake_backend/fake_backend.c, ABI
//! version 2, serves pytorch with the model "EMBER-FAKE-MODEL:sum") as a shared library for
//! the nn_calls target, which registers it through vmcore-rt's public
//! `nn::register_backend_library`.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let src = PathBuf::from("../tests/nn/fake_backend/fake_backend.c");
    let lib = out.join("libwasi_nn_backend_fake.so");
    println!("cargo:rerun-if-changed={}", src.display());
    println!("cargo:rerun-if-changed=../nn/include/wasi_nn_backend.h");
    let cc = cc::Build::new().get_compiler();
    let status = Command::new(cc.path())
        .args(["-shared", "-fPIC", "-O1", "-g", "-std=c11", "-I", "../nn/include", "-o"])
        .arg(&lib)
        .arg(&src)
        .status()
        .expect("run the C compiler");
    assert!(status.success(), "building the fake wasi-nn backend failed");
    println!("cargo:rustc-env=EMBER_FUZZ_FAKE_BACKEND={}", lib.display());
}
