//! The main demo end to end: examples/face_detect (wasm32-wasi, wasi_ephemeral_nn) finds the
//! astronaut's face with BlazeFace through iwasm, libvmcore.so's dispatch and the TFLite backend,
//! on each engine. The expected box is where the face is in scikit-image's astronaut.png
//! (checked by drawing it: head of the astronaut, 512x512 picture), with a few pixels of slack.
//! Needs clang-14 (toolchains/setup-host.sh) and nn/engines/fetch.sh.

use std::path::PathBuf;
use std::process::Command;

use ember_test_support::{cache, compile_wasm, iwasm, repo};

/// Each test builds its own copy (tests run in parallel); `extra`: more compiler flags.
fn build_app(tag: &str, extra: &[&str]) -> PathBuf {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("face_detect_{tag}.wasm"));
    let src = repo().join("examples/face_detect/face_detect.c");
    let mut flags = vec!["--target=wasm32-wasi", "-O2", "-lm"];
    flags.extend_from_slice(extra);
    compile_wasm(&src, &out, &flags);
    out
}

fn run(engine: &str, target: &str) -> String {
    run_app(&build_app(&format!("{engine}_{target}"), &[]), engine, target)
}

fn run_app(app: &PathBuf, engine: &str, target: &str) -> String {
    let model = cache().join("models/face_detection_short_range.tflite");
    let picture = cache().join("pictures/astronaut.ppm");
    for f in [&model, &picture] {
        assert!(f.exists(), "{} is missing: run nn/engines/fetch.sh first", f.display());
    }
    // EMBER_TEST_IWASM: another iwasm (tests/cross runs the ARM bundle's through qemu).
    let out = Command::new(iwasm())
        .env("EMBER_TFLITE_ENGINE", engine)
        .arg(format!("--dir={}", cache().join("models").display()))
        .arg(format!("--dir={}", cache().join("pictures").display()))
        .arg(app)
        .arg(&model)
        .arg(&picture)
        .arg(target)
        .output()
        .expect("iwasm");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{engine}: iwasm failed\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

/// How many fixed-width SIMD instructions the module's code has.
fn simd_instructions(wasm: &PathBuf) -> usize {
    let bytes = std::fs::read(wasm).unwrap();
    let mut n = 0;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut ops = body.get_operators_reader().unwrap();
            while !ops.eof() {
                let name = format!("{:?}", ops.read().unwrap());
                let simd = ["V128", "I8x16", "I16x8", "I32x4", "I64x2", "F32x4", "F64x2"];
                n += simd.iter().any(|p| name.starts_with(p)) as usize;
            }
        }
    }
    n
}

fn check(stdout: &str) {
    assert!(stdout.starts_with("1 face found"), "{stdout}");
    let line = stdout.lines().find(|l| l.contains("face at")).expect("a face line");
    let num = |key: &str| -> f32 {
        let rest = &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
        rest.split(|c: char| !c.is_ascii_digit() && c != '.').next().unwrap().parse().unwrap()
    };
    let (x, y, w, h, score) = (num(" x="), num(" y="), num(" w="), num(" h="), num("score "));
    for (got, want) in [(x, 179.0), (y, 81.0), (w, 93.0), (h, 93.0)] {
        assert!((got - want).abs() <= 6.0, "box {x} {y} {w} {h} far from 179 81 93 93: {line}");
    }
    assert!(score >= 0.8, "{line}");
}

#[test]
fn demo_finds_the_face_with_litert() {
    check(&run("litert", "cpu"));
}

#[test]
fn demo_finds_the_face_with_classic_tflite() {
    check(&run("classic", "cpu"));
}

#[test]
fn demo_gpu_target_without_delegate_falls_back_to_cpu() {
    check(&run("classic", "gpu"));
}

/// The app built with -msimd128 (clang vectorizes its image pre- and post-processing loops):
/// v128 instructions run by the interpreter give the same face, digit for digit, as the scalar
/// build. (The ARM bundles are built without SIMD by default: tests/cross skips this one there.)
#[test]
fn demo_simd_build_finds_the_same_face() {
    let simd_app = build_app("simd", &["-msimd128"]);
    let n = simd_instructions(&simd_app);
    assert!(n > 50, "the -msimd128 build has only {n} SIMD instructions");
    let simd = run_app(&simd_app, "litert", "cpu");
    check(&simd);
    let scalar = run_app(&build_app("scalar", &[]), "litert", "cpu");
    let face = |out: &str| out.lines().find(|l| l.contains("face at")).map(str::to_string);
    assert_eq!(face(&simd), face(&scalar), "SIMD:\n{simd}\nscalar:\n{scalar}");
}
