//! The benchmark programs (benches/programs/*.c, the code benches/run.sh times) as tests: each
//! is compiled by clang-14 to wasm32 (as benches/build.sh does) and natively; every function is
//! translated (in this debug build the IR verifier checks each translation), and `run(arg)` on
//! Ember must return what the native build returns, for a few arguments. So the verifier runs
//! over the benches in CI, and a translator change that miscompiles them fails here, not only
//! in a benchmark's checksum.

use std::path::{Path, PathBuf};
use std::process::Command;

use ember_interp::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn out_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-programs");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn clang(args: &[&str]) {
    let out = Command::new("clang-14").args(args).output().expect("clang-14 (toolchains/setup-host.sh installs it)");
    assert!(out.status.success(), "clang-14 {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// (wasm bytes, native executable) of one program.
fn build(name: &str) -> (Vec<u8>, PathBuf) {
    let src = repo().join("benches/programs").join(format!("{name}.c"));
    let src = src.to_str().unwrap();
    let wasm = out_dir().join(format!("{name}.wasm"));
    let native = out_dir().join(name);
    clang(&["--target=wasm32-wasi", "-O2", "-mexec-model=reactor", "-Wl,--strip-all", src, "-o", wasm.to_str().unwrap()]);
    // The native twin: the same source with a main that prints run(argv[1]).
    let driver = out_dir().join(format!("{name}_main.c"));
    std::fs::write(&driver, "#include <stdio.h>\n#include <stdlib.h>\nint run(int);\nint main(int c, char **v) { (void)c; printf(\"%d\\n\", run(atoi(v[1]))); return 0; }\n").unwrap();
    clang(&["-O2", "-Wno-unknown-attributes", src, driver.to_str().unwrap(), "-o", native.to_str().unwrap(), "-lm"]);
    (std::fs::read(&wasm).unwrap(), native)
}

fn native_run(exe: &Path, arg: i32) -> i32 {
    let out = Command::new(exe).arg(arg.to_string()).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
}

fn check(name: &str, args: &[i32]) {
    let (bytes, native) = build(name);
    let module = Module::new(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    // Every function, not only those run(arg) reaches; the verifier runs after each (debug).
    module.translate_all().unwrap_or_else(|e| panic!("{name}: {e}"));
    for &arg in args {
        let mut store = Store::new(Config::default(), ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(init) = inst.get_func(&store, "_initialize") {
            init.call(&mut store, &[], &mut []).unwrap();
        }
        let run = inst.get_func(&store, "run").expect("run export");
        let mut res = [Val::I32(0)];
        run.call(&mut store, &[Val::I32(arg)], &mut res).unwrap_or_else(|t| panic!("{name}({arg}) trapped: {t}"));
        assert_eq!(res[0], Val::I32(native_run(&native, arg)), "{name}({arg}): Ember vs native");
    }
}

#[test]
fn fib() {
    check("fib", &[0, 1, 20]);
}

#[test]
fn sieve() {
    check("sieve", &[10, 10_000]);
}

#[test]
fn matmul() {
    check("matmul", &[1, 16, 33]);
}

#[test]
fn sha256() {
    check("sha256", &[0, 1, 16]);
}

#[test]
fn mixed() {
    check("mixed", &[1, 20]);
}
