//! wasi-nn dispatch through iwasm with the test fixture backends, independent of real inference
//! engines: the C fixture written against the header (tests/nn/fake_backend) and the one
//! written on the Rust SDK (tests/nn/sdk_backend, built by `cargo build --workspace`). Hostile
//! guests, backend lookup (--native-lib, backend directories, EMBER_NN_BACKEND_DIR, next to
//! libvmcore.so), refusal of missing, older-ABI and not-a-backend libraries, backend options
//! (warnings, bad values that stop the search), panics inside a backend, backend log records
//! and named models handed over by path.

use ember_test_support::*;

fn hostile_args(pre: &[String], dir_opts: &[String], extra: &[&str]) -> Vec<String> {
    let f = fixtures();
    let mut a: Vec<String> = pre.to_vec();
    a.extend_from_slice(dir_opts);
    a.push(format!("--map-dir=/fx::{}", string(f.fake_model.parent().unwrap())));
    a.push(string(&apps().hostile));
    a.extend(extra.iter().map(|x| x.to_string()));
    a.push("/fx/fake.model".to_string());
    a.push(FAKE_ENCODING.to_string());
    a.push("300".to_string());
    a
}

fn assert_hostile_passed(r: &Run) {
    assert!(r.stdout.contains("hostile: all"), "{}", r.show());
    assert_eq!(r.code, Some(0), "{}", r.show());
    assert!(!r.stderr.contains("LEAK") && !r.stderr.contains("DOUBLE"), "{}", r.show());
}

#[test]
fn hostile_guest_with_native_lib_backend() {
    let f = fixtures();
    let r = run_env(&iwasm(), &hostile_args(&[format!("--native-lib={}", string(&f.fake))], &[], &[]), &[]);
    assert_hostile_passed(&r);
}

#[test]
fn backend_found_in_backend_dir_option() {
    let f = fixtures();
    let dir = scratch("dir-option");
    std::fs::copy(&f.fake, dir.join("libwasi_nn_backend_fake.so")).unwrap();
    let opts = [format!("--wasi-nn-backend-dir={}", string(&dir)), "--wasi-nn-backend=fake".to_string()];
    let r = run_env(&iwasm(), &hostile_args(&[], &opts, &[]), &[]);
    assert_hostile_passed(&r);
}

#[test]
fn backend_found_through_environment_variable() {
    let f = fixtures();
    let dir = scratch("dir-env");
    std::fs::copy(&f.fake, dir.join("libwasi_nn_backend_fake.so")).unwrap();
    let opts = ["--wasi-nn-backend=fake".to_string()];
    let r = run_env(&iwasm(), &hostile_args(&[], &opts, &[]), &[("EMBER_NN_BACKEND_DIR", &string(&dir))]);
    assert_hostile_passed(&r);
}

#[test]
fn backend_found_next_to_libvmcore() {
    let f = fixtures();
    let dir = scratch("next-to-libvmcore");
    let exe = relocated_runtime(&dir);
    std::fs::copy(&f.fake, dir.join("lib/wasi-nn/libwasi_nn_backend_fake.so")).unwrap();
    let r = run_env(&exe, &hostile_args(&["--wasi-nn-backend=fake".to_string()], &[], &[]), &[]);
    assert_hostile_passed(&r);
}

/// No usable backend for tflite: the library names exist but one was built against the older
/// backend ABI version 1 and the other is not a backend. The guest gets invalid_encoding, the log names the encoding, both
/// file names, both versions and every directory searched; the instance goes on working with
/// the fake backend.
#[test]
fn missing_wrong_abi_and_not_a_backend() {
    let f = fixtures();
    let dir = scratch("broken-backends");
    let exe = relocated_runtime(&dir);
    let nn_dir = dir.join("lib/wasi-nn");
    std::fs::copy(&f.fake_abi1, nn_dir.join("libwasi_nn_backend_tflite.so")).unwrap();
    std::fs::copy(&f.not_a_backend, nn_dir.join("libwasi_nn_backend_armnn.so")).unwrap();
    let extra_dir = scratch("broken-backends-empty-dir");
    let pre = [format!("--native-lib={}", string(&f.fake)), format!("--wasi-nn-backend-dir={}", string(&extra_dir))];
    let r = run_env(&exe, &hostile_args(&pre, &[], &["--no-backend-for", "4"]), &[]);
    assert_hostile_passed(&r);
    let log = &r.stderr;
    for needle in [
        "tensorflowlite",
        "libwasi_nn_backend_tflite.so",
        "libwasi_nn_backend_armnn.so",
        "backend ABI version 1 is not supported",
        "speaks wasi-nn backend ABI version 2",
        "not a wasi-nn backend",
    ] {
        assert!(log.contains(needle), "log lacks '{needle}':\n{}", r.show());
    }
    for d in [extra_dir.clone(), nn_dir.clone(), dir.join("lib")] {
        assert!(log.contains(&string(&d)), "log lacks searched dir {}:\n{}", d.display(), r.show());
    }
}

/// An encoding nobody serves, with no candidate file at all.
#[test]
fn nothing_found_names_every_path() {
    let f = fixtures();
    let dir = scratch("nothing-found");
    let exe = relocated_runtime(&dir);
    let r = run_env(
        &exe,
        &hostile_args(&[format!("--native-lib={}", string(&f.fake))], &[], &["--no-backend-for", "1"]),
        &[("EMBER_NN_BACKEND_DIR", "/nonexistent/ember-nn")],
    );
    assert_hostile_passed(&r);
    for needle in ["onnx", "libwasi_nn_backend_onnx.so", "/nonexistent/ember-nn", &string(dir.join("lib/wasi-nn"))] {
        assert!(r.stderr.contains(needle), "log lacks '{needle}':\n{}", r.show());
    }
}

/// --native-lib with a backend built against the older ABI version 1: refused with a message
/// naming both versions (its own and the runtime's).
#[test]
fn native_lib_with_older_abi_is_refused() {
    let f = fixtures();
    let r = run_env(
        &iwasm(),
        &[format!("--native-lib={}", string(&f.fake_abi1)), string(&apps().hostile), "x".into(), "3".into(), "1".into()],
        &[],
    );
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(
        r.stderr.contains("backend ABI version 1 is not supported")
            && r.stderr.contains("speaks wasi-nn backend ABI version 2"),
        "{}",
        r.show()
    );
}

/// --native-lib with a library that is neither a WAMR native library nor a backend.
#[test]
fn native_lib_not_a_backend_is_refused() {
    let f = fixtures();
    let r = run_env(&iwasm(), &[format!("--native-lib={}", string(&f.not_a_backend)), string(&apps().hostile)], &[]);
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(r.stderr.contains("not a wasi-nn backend") || r.stderr.contains("nor a wasi-nn backend"), "{}", r.show());
}

/// Backend init options reach the named backend only; a failing init is a clear error.
#[test]
fn backend_init_options() {
    let f = fixtures();
    let lib = format!("--native-lib={}", string(&f.fake));
    let r = run_env(&iwasm(), &hostile_args(&["--wasi-nn-backend-opt=fake:fail_init=1".into(), lib.clone()], &[], &[]), &[]);
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(r.stderr.contains("failed to initialise"), "{}", r.show());
    let r = run_env(&iwasm(), &hostile_args(&["--wasi-nn-backend-opt=tflite:fail_init=1".into(), lib], &[], &[]), &[]);
    assert_hostile_passed(&r);
    let r = run_env(&iwasm(), &["--wasi-nn-backend-opt=novalue".into(), string(&apps().hostile)], &[]);
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(r.stderr.contains("KEY=VALUE"), "{}", r.show());
}

/// Tensor type 2 is fp64 (8 bytes per element), except that one byte per element can only mean
/// u8 (old guest crates' numbering: read as u8 and said at info level); with --wasi-nn-legacy-u8
/// it is always u8.
#[test]
fn tensor_type_2_and_legacy_u8_option() {
    let f = fixtures();
    let dir = scratch("legacy-u8");
    let app = dir.join("u8.c");
    std::fs::write(
        &app,
        r#"
#include <stdio.h>
#include "nn_guest.h"
int main(void) {
    uint32_t g, c, written = 0, dims[] = {4};
    uint8_t bytes[32] = {1, 2, 3, 4};
    float out = 0;
    if (eph_load_by_name("m", 1, &g) || eph_init_execution_context(g, &c)) return 10;
    eph_tensor as_u8 = {dims, 1, 2, {0}, bytes, 4};
    eph_tensor as_f64 = {dims, 1, 2, {0}, bytes, 32};
    int r8 = eph_set_input(c, 0, &as_u8);
    int r64 = eph_set_input(c, 0, &as_f64);
    if (r8 == 0 && (eph_compute(c) || eph_get_output(c, 0, (uint8_t *)&out, 4, &written))) return 11;
    printf("u8-sized=%d f64-sized=%d sum=%g\n", r8, r64, out);
    return 0;
}
"#,
    )
    .unwrap();
    let wasm = dir.join("u8.wasm");
    let st = std::process::Command::new(std::env::var("EMBER_WASM_CC").unwrap_or_else(|_| "clang-14".into()))
        .args(["--target=wasm32-wasi", "-O2", "-I"])
        .arg(repo().join("tests/nn/apps"))
        .arg(&app)
        .arg("-o")
        .arg(&wasm)
        .status()
        .unwrap();
    assert!(st.success());
    let base = vec![
        format!("--native-lib={}", string(&f.fake)),
        format!("--nn-preload=m:pytorch:cpu:{}", string(&f.fake_model)),
    ];
    let mut args = base.clone();
    args.push("-v=3".into());
    args.push(string(&wasm));
    let r = run_env(&iwasm(), &args, &[]);
    // 4 bytes for 4 elements: u8. 32 bytes: fp64, which the fixture refuses (invalid_argument 1).
    assert!(r.stdout.contains("u8-sized=0 f64-sized=1 sum=10"), "{}", r.show());
    assert!(r.stderr.contains("tensor type 2 (fp64) with one byte per element"), "{}", r.show());
    let mut args = base;
    args.push("--wasi-nn-legacy-u8".into());
    args.push(string(&wasm));
    let r = run_env(&iwasm(), &args, &[]);
    assert!(r.stdout.contains("u8-sized=0 f64-sized=1 sum=10"), "{}", r.show());
}

/// Named models: --nn-preload resolves a name; a host path from the guest is refused unless
/// --wasi-nn-allow-host-paths is given.
#[test]
fn named_models_and_host_paths() {
    let f = fixtures();
    let dir = scratch("named");
    let app = dir.join("named.c");
    std::fs::write(
        &app,
        r#"
#include <stdio.h>
#include <string.h>
#include "nn_guest.h"
static int sum_of(const char *name) {
    uint32_t g, c, written = 0, dims[] = {2, 2};
    float in[4] = {1, 2, 3, 4}, out[1] = {0};
    int rc = eph_load_by_name(name, (uint32_t)strlen(name), &g);
    if (rc) return -rc;
    eph_tensor t = {dims, 2, EPH_FP32, {0}, (const uint8_t *)in, 16};
    if (eph_init_execution_context(g, &c) || eph_set_input(c, 0, &t) || eph_compute(c) ||
        eph_get_output(c, 0, (uint8_t *)out, 4, &written))
        return -100;
    return (int)out[0];
}
int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("%s=%d\n", argv[i], sum_of(argv[i]));
    return 0;
}
"#,
    )
    .unwrap();
    let wasm = dir.join("named.wasm");
    let st = std::process::Command::new(std::env::var("EMBER_WASM_CC").unwrap_or_else(|_| "clang-14".into()))
        .args(["--target=wasm32-wasi", "-O2", "-I"])
        .arg(repo().join("tests/nn/apps"))
        .arg(&app)
        .arg("-o")
        .arg(&wasm)
        .status()
        .unwrap();
    assert!(st.success());
    let model = string(&f.fake_model);
    let base = vec![
        format!("--native-lib={}", string(&f.fake)),
        "--nn-preload".to_string(),
        format!("Fake-Sum:PyTorch:CPU:{model}"),
        format!("--wasi-nn-graph=other:pytorch:auto:{model}"),
    ];
    let mut args = base.clone();
    args.extend([string(&wasm), "Fake-Sum".into(), "other".into(), "fake-sum".into(), model.clone()]);
    let r = run_env(&iwasm(), &args, &[]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    // Names are exact; host paths are not_found (8) without the option.
    assert!(r.stdout.contains("Fake-Sum=10\nother=10\nfake-sum=-8\n"), "{}", r.show());
    assert!(r.stdout.contains(&format!("{model}=-8")), "{}", r.show());
    // With --wasi-nn-allow-host-paths the guest may name a host file; autodetect cannot tell
    // what the fake model is, so the load fails with invalid_encoding (2), not not_found.
    let mut args = base.clone();
    args.push("--wasi-nn-allow-host-paths".into());
    args.extend([string(&wasm), model.clone(), "/nonexistent/model".into()]);
    let r = run_env(&iwasm(), &args, &[]);
    assert!(r.stdout.contains(&format!("{model}=-2\n/nonexistent/model=-8")), "{}", r.show());
    // A bad --nn-preload is a start-up error.
    let r = run_env(&iwasm(), &["--nn-preload".into(), "x:tflite:cpu:/nonexistent.tflite".into(), string(&wasm)], &[]);
    assert_ne!(r.code, Some(0), "{}", r.show());
    assert!(r.stderr.contains("/nonexistent.tflite"), "{}", r.show());
}

/// An instance without memory gets missing_memory (3) from both modules, and no trap.
#[test]
fn instance_without_memory() {
    let dir = scratch("no-memory");
    let wat = dir.join("nomem.wat");
    std::fs::write(
        &wat,
        r#"(module
  (import "wasi_ephemeral_nn" "compute" (func $compute (param i32) (result i32)))
  (import "wasi_nn" "get_output" (func $get_output (param i32 i32 i32 i32) (result i32)))
  (func (export "run") (result i32)
    (i32.add (i32.mul (call $compute (i32.const 0)) (i32.const 10))
             (call $get_output (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))))"#,
    )
    .unwrap();
    let wasm = dir.join("nomem.wasm");
    let st = std::process::Command::new("wat2wasm").arg(&wat).arg("-o").arg(&wasm).status().unwrap();
    assert!(st.success());
    let r = run_env(&iwasm(), &["-f".into(), "run".into(), string(&wasm)], &[]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    assert!(r.stdout.contains("0x21:i32"), "{}", r.show());
}

/// The C API of core/include/ember_nn.h from a C program linking libvmcore.so.
#[test]
fn c_api_of_ember_nn_h() {
    let f = fixtures();
    let dir = scratch("c-api");
    let src = dir.join("capi.c");
    std::fs::write(
        &src,
        r#"
#include <stdio.h>
#include <string.h>
#include "ember_nn.h"
int main(int argc, char **argv) {
    char e[512];
    (void)argc;
    printf("fake=%d\n", ember_nn_register_backend(argv[1], e, sizeof e));
    e[0] = 0;
    printf("abi1=%d %s\n", ember_nn_register_backend(argv[2], e, sizeof e), e);
    e[0] = 0;
    printf("nab=%d %s\n", ember_nn_register_backend(argv[3], e, sizeof e), e);
    e[0] = 0;
    printf("opt=%d %s\n", ember_nn_set_option("wasi-nn-frob", "1", e, sizeof e), e);
    printf("cli=%d,%d,%d\n", ember_nn_cli_option("--dir=.", NULL, e, sizeof e),
           ember_nn_cli_option("--wasi-nn-backend=fake", NULL, e, sizeof e),
           ember_nn_cli_option("--nn-preload", "x:tflite:cpu:/nonexistent.tflite", e, sizeof e));
    printf("cli-error=%s\n", e);
    printf("small-buffer=%d [%s]\n", ember_nn_set_option("wasi-nn-frob", NULL, e, 4), e);
    printf("help=%d\n", strstr(ember_nn_cli_help(), "--nn-preload") != NULL);
    return 0;
}
"#,
    )
    .unwrap();
    let exe = dir.join("capi");
    let st = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()))
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
        .arg(repo().join("core/include"))
        .arg(&src)
        .arg("-L")
        .arg(backend_dir())
        .arg("-lvmcore")
        .arg(format!("-Wl,-rpath,{}", string(backend_dir())))
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap();
    assert!(st.success());
    let r = run_env(&exe, &[string(&f.fake), string(&f.fake_abi1), string(&f.not_a_backend)], &[]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    let out = &r.stdout;
    assert!(out.contains("fake=1\n"), "{}", r.show());
    assert!(out.contains("abi1=0 ") && out.contains("backend ABI version 1 is not supported"), "{}", r.show());
    assert!(out.contains("nab=0 ") && out.contains("is not a wasi-nn backend"), "{}", r.show());
    assert!(out.contains("opt=0 unknown wasi-nn option --wasi-nn-frob"), "{}", r.show());
    assert!(out.contains("cli=0,1,-1\ncli-error=named model 'x': /nonexistent.tflite"), "{}", r.show());
    assert!(out.contains("small-buffer=0 [unk]"), "{}", r.show());
    assert!(out.contains("help=1"), "{}", r.show());
}

/// The dispatch micro-benchmark of BENCHMARKS.md runs (1000 rounds, each output checked by
/// the app's return code; the last one is the sum of the last input).
#[test]
fn callbench_runs() {
    let f = fixtures();
    let args = vec![
        format!("--native-lib={}", string(&f.fake)),
        format!("--map-dir=/fx::{}", string(f.fake_model.parent().unwrap())),
        string(&apps().callbench),
        "/fx/fake.model".into(),
        FAKE_ENCODING.to_string(),
        "1000".into(),
    ];
    let r = run_env(&iwasm(), &args, &[]);
    assert_eq!(r.code, Some(0), "{}", r.show());
    assert!(r.stdout.contains("(last output 999)"), "{}", r.show());
}

/// iwasm options, then the scripted guest (tests/nn/apps/nn_steps.c) with the fixture
/// directory mapped at /fx (the fake model is /fx/fake.model).
fn steps_args(pre: &[String], steps: &[&str]) -> Vec<String> {
    let f = fixtures();
    let mut a: Vec<String> = pre.to_vec();
    a.push(format!("--map-dir=/fx::{}", string(f.fake_model.parent().unwrap())));
    a.push(string(&apps().steps));
    a.extend(steps.iter().map(|x| x.to_string()));
    a
}

/// The guest's steps ran to the end.
fn assert_steps_done(r: &Run) {
    assert_eq!(r.code, Some(0), "{}", r.show());
    assert!(r.stdout.ends_with("steps: done\n"), "{}", r.show());
    assert!(!r.stderr.contains("LEAK") && !r.stderr.contains("DOUBLE"), "{}", r.show());
}

const LOAD: &str = "load=/fx/fake.model:3";

/// The hostile guest against the SDK fixture: every bad call is an error code through the
/// SDK's guards, nothing leaks.
#[test]
fn hostile_guest_with_sdk_backend() {
    let r = run_env(&iwasm(), &hostile_args(&[format!("--native-lib={}", string(sdk_fixture()))], &[], &[]), &[]);
    assert_hostile_passed(&r);
}

/// Backend options: an undeclared key given with a backend's name is warned about at the default
/// log level and not passed (the model still runs); a declared one reaches the backend; an
/// undeclared key given for all backends is no warning. Unknown backend names in
/// --wasi-nn-backend and --wasi-nn-backend-opt are warned about.
#[test]
fn backend_option_and_name_warnings() {
    let f = fixtures();
    let lib = format!("--native-lib={}", string(&f.fake));
    let undeclared = "wasi-nn: backend 'fake' has no option 'bogus' (ignored; it takes: fail_init, offset)";

    let r = run_default_log(&iwasm(), &steps_args(&["--wasi-nn-backend-opt=fake:bogus=1".into(), lib.clone()], &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
    assert!(r.stderr.contains(undeclared), "{}", r.show());

    let r = run_default_log(&iwasm(), &steps_args(&["--wasi-nn-backend-opt=fake:offset=0.5".into(), lib.clone()], &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10.5\n"), "{}", r.show());
    assert!(!r.stderr.contains("has no option"), "{}", r.show());

    let r = run_default_log(&iwasm(), &steps_args(&["--wasi-nn-backend-opt=bogus=1".into(), lib.clone()], &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
    assert!(!r.stderr.contains("has no option"), "{}", r.show());

    // A preferred backend that does not exist: warned about, the registered one serves.
    let r = run_default_log(&iwasm(), &steps_args(&["--wasi-nn-backend=nosuch".into(), lib], &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
    assert!(r.stderr.contains("wasi-nn: no backend named 'nosuch'"), "{}", r.show());

    // Options for a backend that does not exist, with a directory lookup.
    let dir = scratch("option-names");
    std::fs::copy(&f.fake, dir.join("libwasi_nn_backend_fake.so")).unwrap();
    let pre = [
        format!("--wasi-nn-backend-dir={}", string(&dir)),
        "--wasi-nn-backend=fake".to_string(),
        "--wasi-nn-backend-opt=nosuch:threads=2".to_string(),
    ];
    let r = run_default_log(&iwasm(), &steps_args(&pre, &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
    assert!(r.stderr.contains("wasi-nn: no backend named 'nosuch'"), "{}", r.show());
    assert!(!r.stderr.contains("no backend named 'fake'"), "{}", r.show());
}

/// A bad option value for the C fixture (offset=abc: its init returns invalid_argument) fails
/// the load with a clear error and stops the search: libwasi_nn_backend_pytorch.so (the SDK
/// fixture, which serves pytorch too) is in the same directory and is not used. With an init
/// failure of another kind (fail_init=1) the search goes on and that second backend serves.
#[test]
fn bad_option_value_fails_the_load_without_fallback() {
    let f = fixtures();
    let dir = scratch("bad-option-value");
    std::fs::copy(&f.fake, dir.join("libwasi_nn_backend_fake.so")).unwrap();
    std::fs::copy(sdk_fixture(), dir.join("libwasi_nn_backend_pytorch.so")).unwrap();
    let opts = |opt: &str| {
        vec![
            format!("--wasi-nn-backend-dir={}", string(&dir)),
            "--wasi-nn-backend=fake".to_string(),
            format!("--wasi-nn-backend-opt=fake:{opt}"),
        ]
    };
    let second_backend_used = "libwasi_nn_backend_pytorch.so calls itself 'sdktest'";

    let r = run_default_log(&iwasm(), &steps_args(&opts("fail_init=1"), &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains(&format!("{LOAD} ok\nrun=4 sum 10\n")), "{}", r.show());
    assert!(r.stderr.contains(second_backend_used), "{}", r.show());

    let r = run_default_log(&iwasm(), &steps_args(&opts("offset=abc"), &[LOAD, "run=4", LOAD]), &[]);
    assert_steps_done(&r);
    // invalid_encoding (2): no backend for the model, both times.
    assert!(r.stdout.contains(&format!("{LOAD} error 2\nrun=4 init error 1\n{LOAD} error 2\n")), "{}", r.show());
    assert!(
        r.stderr.contains("backend fake failed to initialise (InvalidArgument: option offset=abc: expected a number)"),
        "{}",
        r.show()
    );
    assert!(!r.stderr.contains(second_backend_used) && !r.stderr.contains("sdktest"), "{}", r.show());
}

/// The same for the SDK fixture: scale=abc is refused by `Options::number` at init; the C
/// fixture as libwasi_nn_backend_pytorch.so is not used. A good value reaches the backend.
#[test]
fn sdk_backend_bad_option_value_fails_the_load_without_fallback() {
    let f = fixtures();
    let dir = scratch("sdk-bad-option-value");
    std::fs::copy(sdk_fixture(), dir.join("libwasi_nn_backend_sdktest.so")).unwrap();
    std::fs::copy(&f.fake, dir.join("libwasi_nn_backend_pytorch.so")).unwrap();
    let opts = |backend: &str, opt: &str| {
        vec![
            format!("--wasi-nn-backend-dir={}", string(&dir)),
            format!("--wasi-nn-backend={backend}"),
            format!("--wasi-nn-backend-opt=sdktest:{opt}"),
        ]
    };
    let second_backend_used = "libwasi_nn_backend_pytorch.so calls itself 'fake'";

    let r = run_default_log(&iwasm(), &steps_args(&opts("sdktest", "scale=2"), &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains(&format!("{LOAD} ok\nrun=4 sum 20\n")), "{}", r.show());
    assert!(!r.stderr.contains(second_backend_used), "{}", r.show());

    // Without sdktest preferred, the pytorch library is the one found.
    let r = run_default_log(&iwasm(), &steps_args(&opts("nosuch", "scale=2"), &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
    assert!(r.stderr.contains(second_backend_used), "{}", r.show());

    let r = run_default_log(&iwasm(), &steps_args(&opts("sdktest", "scale=abc"), &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stdout.contains(&format!("{LOAD} error 2\nrun=4 init error 1\n")), "{}", r.show());
    assert!(
        r.stderr.contains(
            "backend sdktest failed to initialise (InvalidArgument: option scale=abc: expected a number in 0..=1000)"
        ),
        "{}",
        r.show()
    );
    assert!(!r.stderr.contains(second_backend_used), "{}", r.show());
}

/// A panic inside the SDK fixture's compute (input starting with -1234, or the option
/// panic_in=compute) is contained by the SDK's guard in a debug build: the guest gets
/// runtime_error (5) and the instance goes on (compute again, load again). Release builds abort
/// on a panic (panic = "abort"), so this runs in debug builds only.
#[test]
fn sdk_backend_panic_in_compute_is_a_runtime_error() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the release profile aborts on a panic");
        return;
    }
    let lib = format!("--native-lib={}", string(sdk_fixture()));
    let steps = [LOAD, "run=-1234", "run=6", LOAD, "run=-1234", "run=7"];
    let r = run_default_log(&iwasm(), &steps_args(std::slice::from_ref(&lib), &steps), &[]);
    assert_steps_done(&r);
    let want = format!("{LOAD} ok\nrun=-1234 compute error 5\nrun=6 sum 12\n{LOAD} ok\nrun=-1234 compute error 5\nrun=7 sum 13\n");
    assert!(r.stdout.contains(&want), "{}", r.show());
    assert!(r.stderr.contains("internal error (panic) in the backend"), "{}", r.show());
    assert!(r.stderr.contains("input starts with -1234"), "{}", r.show());

    let pre = ["--wasi-nn-backend-opt=sdktest:panic_in=compute".to_string(), lib];
    let r = run_default_log(&iwasm(), &steps_args(&pre, &[LOAD, "run=1", LOAD, "run=2"]), &[]);
    assert_steps_done(&r);
    let want = format!("{LOAD} ok\nrun=1 compute error 5\n{LOAD} ok\nrun=2 compute error 5\n");
    assert!(r.stdout.contains(&want), "{}", r.show());
    assert!(r.stderr.contains("(option panic_in=compute)"), "{}", r.show());
}

/// A backend's log records go through libvmcore.so's logger: its debug records show with -v=4
/// (with the backend's target) and not at the default level (warn) or -v=3, for the C fixture
/// (the init args' log sink) and the SDK fixture (the `log` crate, forwarded by the SDK).
#[test]
fn backend_log_records_follow_the_log_level() {
    let f = fixtures();
    for (lib, text, target) in [
        (f.fake.clone(), "fake backend: loaded model (20 bytes)", "wasi_nn_backend_fake"),
        (sdk_fixture(), "sdktest backend: loaded model (20 bytes)", "wasi_nn_backend_sdktest"),
    ] {
        let lib = format!("--native-lib={}", string(lib));
        for verbose in [None, Some("-v=3"), Some("-v=4")] {
            let mut pre: Vec<String> = verbose.iter().map(|v| v.to_string()).collect();
            pre.push(lib.clone());
            let r = run_default_log(&iwasm(), &steps_args(&pre, &[LOAD, "run=4"]), &[]);
            assert_steps_done(&r);
            assert!(r.stdout.contains("run=4 sum 10\n"), "{}", r.show());
            let line = r.stderr.lines().find(|l| l.contains(text));
            if verbose == Some("-v=4") {
                let line = line.unwrap_or_else(|| panic!("{verbose:?}: no '{text}':\n{}", r.show()));
                assert!(line.contains(target) && line.contains("DEBUG"), "{line}\n{}", r.show());
            } else {
                assert!(line.is_none(), "{verbose:?}: '{text}' logged:\n{}", r.show());
            }
        }
    }
}

/// A named model (--nn-preload NAME:pytorch:cpu:PATH) loaded with load_by_name reaches the C
/// fixture's load_named with the path (it opens the file itself; its debug record names the
/// path), and the SDK fixture's default load_named (the file mapped and given to load). A named
/// model that is not a fake model is refused by both.
#[test]
fn named_model_handed_over_by_path() {
    let f = fixtures();
    let dir = scratch("named-by-path");
    let bad = dir.join("bad.model");
    std::fs::write(&bad, b"EMBER-FAKE-MODEL:not").unwrap();
    let model = string(&f.fake_model);
    for (lib, loaded) in [
        (f.fake.clone(), format!("fake backend: load_named {model} (model 'm', 0 config bytes)")),
        (sdk_fixture(), "sdktest backend: loaded model (20 bytes)".to_string()),
    ] {
        let pre = vec![
            "-v=4".to_string(),
            format!("--native-lib={}", string(lib)),
            format!("--nn-preload=m:pytorch:cpu:{model}"),
            format!("--nn-preload=bad:pytorch:cpu:{}", string(&bad)),
        ];
        let r = run_default_log(&iwasm(), &steps_args(&pre, &["name=m", "run=4", "name=bad", "run=5"]), &[]);
        assert_steps_done(&r);
        // The last graph loaded is still m's after bad's load failed (invalid_argument, 1).
        assert!(r.stdout.contains("name=m ok\nrun=4 sum 10\nname=bad error 1\nrun=5 sum 11\n"), "{}", r.show());
        assert!(r.stderr.contains(&loaded), "lacks '{loaded}':\n{}", r.show());
    }
    // The C fixture's bytes path (load) does not log load_named.
    let pre = vec!["-v=4".to_string(), format!("--native-lib={}", string(&f.fake))];
    let r = run_default_log(&iwasm(), &steps_args(&pre, &[LOAD, "run=4"]), &[]);
    assert_steps_done(&r);
    assert!(r.stderr.contains("fake backend: loaded model") && !r.stderr.contains("load_named"), "{}", r.show());
}
