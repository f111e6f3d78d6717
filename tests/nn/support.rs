//! Shared helpers of the wasi-nn integration tests (tests/nn_*.rs): build the wasm test apps
//! (clang-14 --target=wasm32-wasi) and the C test fixtures (cc), find the SDK test fixture
//! (tests/nn/sdk_backend, built by `cargo build --workspace`), run iwasm.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// iwasm as built by cargo, or EMBER_TEST_IWASM (tests/cross/run.sh: a qemu wrapper around the
/// ARM bundle's bin/iwasm).
pub fn iwasm() -> PathBuf {
    std::env::var_os("EMBER_TEST_IWASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_iwasm")))
}

/// target/<profile>/: iwasm, libvmcore.so and the backends built by `cargo build`; or
/// EMBER_TEST_BACKEND_DIR (tests/cross/run.sh: the bundle's lib/wasi-nn).
pub fn profile_dir() -> PathBuf {
    match std::env::var_os("EMBER_TEST_BACKEND_DIR") {
        Some(d) => PathBuf::from(d),
        None => iwasm().parent().unwrap().to_path_buf(),
    }
}

pub fn models_dir() -> PathBuf {
    repo().join("nn/models")
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nn").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_tool(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {what} ({cmd:?}): {e}; run toolchains/setup-host.sh first")
    });
    assert!(
        out.status.success(),
        "{what} failed: {cmd:?}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub struct Apps {
    pub values_ephemeral: PathBuf,
    pub values_legacy: PathBuf,
    pub hostile: PathBuf,
    pub callbench: PathBuf,
    /// nn_steps.c: a scripted guest that goes on after failed steps.
    pub steps: PathBuf,
}

/// The wasm test apps of tests/nn/apps, built once per test binary.
pub fn apps() -> &'static Apps {
    static APPS: OnceLock<Apps> = OnceLock::new();
    APPS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nn-apps");
        std::fs::create_dir_all(&dir).unwrap();
        let src = repo().join("tests/nn/apps");
        let cc = std::env::var("EMBER_WASM_CC").unwrap_or_else(|_| "clang-14".to_string());
        let build = |file: &str, out: &str, defines: &[&str]| {
            let out = dir.join(out);
            let mut cmd = Command::new(&cc);
            cmd.args(["--target=wasm32-wasi", "-O2", "-Wall", "-Werror"])
                .args(defines)
                .arg(src.join(file))
                .arg("-o")
                .arg(&out)
                .arg("-lm");
            run_tool(&mut cmd, "clang (wasm32-wasi)");
            out
        };
        Apps {
            values_ephemeral: build("nn_values.c", "nn_values.wasm", &[]),
            values_legacy: build("nn_values.c", "nn_values_legacy.wasm", &["-DLEGACY_ABI"]),
            hostile: build("nn_hostile.c", "nn_hostile.wasm", &[]),
            callbench: build("nn_callbench.c", "nn_callbench.wasm", &[]),
            steps: build("nn_steps.c", "nn_steps.wasm", &[]),
        }
    })
}

pub struct Fixtures {
    /// libwasi_nn_backend_fake.so: the C test backend (serves pytorch = 3).
    pub fake: PathBuf,
    /// The same, announcing the older backend ABI version 1 (the runtime speaks 2).
    pub fake_abi1: PathBuf,
    /// A shared library without ember_nn_backend_entry.
    pub not_a_backend: PathBuf,
    /// A model file the fake backend accepts ("sum").
    pub fake_model: PathBuf,
}

pub const FAKE_ENCODING: u32 = 3;

/// The C test fixtures of tests/nn/fake_backend, built once per test binary.
pub fn fixtures() -> &'static Fixtures {
    static FIX: OnceLock<Fixtures> = OnceLock::new();
    FIX.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nn-fixtures");
        std::fs::create_dir_all(&dir).unwrap();
        let src = repo().join("tests/nn/fake_backend");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
        let build = |file: &str, out: &str, defines: &[&str]| {
            let out = dir.join(out);
            let mut cmd = Command::new(&cc);
            cmd.args(["-shared", "-fPIC", "-O1", "-Wall", "-Werror", "-std=c11"])
                .arg("-I")
                .arg(repo().join("nn/include"))
                .args(defines)
                .arg(src.join(file))
                .arg("-o")
                .arg(&out);
            run_tool(&mut cmd, "C compiler");
            out
        };
        let fake_model = dir.join("fake.model");
        std::fs::write(&fake_model, b"EMBER-FAKE-MODEL:sum").unwrap();
        Fixtures {
            fake: build("fake_backend.c", "libwasi_nn_backend_fake.so", &[]),
            fake_abi1: build("fake_backend.c", "libfake_abi1.so", &["-DFAKE_ABI_VERSION=1"]),
            not_a_backend: build("not_a_backend.c", "libnot_a_backend.so", &[]),
            fake_model,
        }
    })
}

/// libwasi_nn_backend_sdktest.so: the test fixture backend written on the Rust SDK
/// (tests/nn/sdk_backend; serves pytorch = 3 like the C fixture). A workspace member outside
/// default-members, so `cargo test` alone does not put it next to iwasm: `cargo build
/// --workspace` (tests/all.sh) or `cargo build -p wasi-nn-backend-sdktest` does.
pub fn sdk_fixture() -> PathBuf {
    let lib = profile_dir().join("libwasi_nn_backend_sdktest.so");
    let built = std::fs::metadata(&lib).and_then(|m| m.modified());
    let built = built.unwrap_or_else(|e| {
        panic!("{}: {e}: build the SDK test fixture first (cargo build --workspace)", lib.display())
    });
    let src = repo().join("tests/nn/sdk_backend/src/lib.rs");
    if let Ok(changed) = std::fs::metadata(&src).and_then(|m| m.modified()) {
        assert!(
            changed <= built,
            "{} is older than {}: rebuild it (cargo build --workspace)",
            lib.display(),
            src.display()
        );
    }
    lib
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn show(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Run `exe` (iwasm or a relocated copy) with args and extra environment.
pub fn run(exe: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    output(command(exe, args, env), exe)
}

/// As [`run`], without RUST_LOG: iwasm's -v alone decides what is logged (tests of log levels
/// must not depend on the caller's RUST_LOG).
pub fn run_default_log(exe: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    let mut cmd = command(exe, args, &[]);
    cmd.env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd, exe)
}

fn command(exe: &Path, args: &[String], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(args).env_remove("EMBER_NN_BACKEND_DIR");
    // cargo test puts target/<profile> on LD_LIBRARY_PATH, which would win over a relocated
    // iwasm's RUNPATH; iwasm and the backends find libvmcore.so through their RUNPATH. (A
    // wrapper given by EMBER_TEST_IWASM keeps the environment it was given.)
    if std::env::var_os("EMBER_TEST_IWASM").is_none() {
        cmd.env_remove("LD_LIBRARY_PATH");
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn output(mut cmd: Command, exe: &Path) -> Run {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn s(x: impl AsRef<std::ffi::OsStr>) -> String {
    x.as_ref().to_string_lossy().into_owned()
}

/// A relocated runtime: <dir>/bin/iwasm and <dir>/lib/libvmcore.so, so that the default backend
/// directories (<libdir>/wasi-nn, <libdir>) hold only what a test puts there.
pub fn relocated_runtime(dir: &Path) -> PathBuf {
    let bin = dir.join("bin");
    let lib = dir.join("lib");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(lib.join("wasi-nn")).unwrap();
    std::fs::copy(iwasm(), bin.join("iwasm")).unwrap();
    std::fs::copy(profile_dir().join("libvmcore.so"), lib.join("libvmcore.so")).unwrap();
    bin.join("iwasm")
}

/// The fetched models and pictures (nn/engines/fetch.sh): $EMBER_CACHE or ~/.cache/ember.
pub fn cache() -> PathBuf {
    match std::env::var_os("EMBER_CACHE") {
        Some(c) if !c.is_empty() => PathBuf::from(c),
        _ => PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/ember"),
    }
}

/// A file under cache(), which must be there (nn/engines/fetch.sh makes it).
pub fn cached(rel: &str) -> PathBuf {
    let p = cache().join(rel);
    assert!(p.is_file(), "{} is missing: run nn/engines/fetch.sh first", p.display());
    p
}

pub struct Examples {
    /// examples/nn_bench/nn_bench.c: nn-bench, any model on any backend.
    pub nn_bench: PathBuf,
    /// examples/face_detect/face_detect.c: the BlazeFace demo.
    pub face_detect: PathBuf,
}

/// The wasm tools of examples/ used by the tests, built once per test binary (only by the tests
/// that use them).
pub fn examples() -> &'static Examples {
    static EX: OnceLock<Examples> = OnceLock::new();
    EX.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nn-examples");
        std::fs::create_dir_all(&dir).unwrap();
        let cc = std::env::var("EMBER_WASM_CC").unwrap_or_else(|_| "clang-14".to_string());
        let build = |file: &str, out: &str| {
            let out = dir.join(out);
            let mut cmd = Command::new(&cc);
            cmd.args(["--target=wasm32-wasi", "-O2", "-Wall", "-Werror"])
                .arg(repo().join("examples").join(file))
                .arg("-o")
                .arg(&out)
                .arg("-lm");
            run_tool(&mut cmd, "clang (wasm32-wasi)");
            out
        };
        Examples {
            nn_bench: build("nn_bench/nn_bench.c", "nn_bench.wasm"),
            face_detect: build("face_detect/face_detect.c", "face_detect.wasm"),
        }
    })
}

/// The values nn-bench printed for output `index` ("output I: ... first: V V ..." with --show).
pub fn bench_values(stdout: &str, index: u32) -> Vec<f32> {
    let head = format!("output {index}: ");
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&head))
        .unwrap_or_else(|| panic!("no '{head}' line in:\n{stdout}"));
    let (_, first) = line.split_once("first:").unwrap_or_else(|| panic!("no values in: {line}"));
    first.split_whitespace().map(|v| v.parse().unwrap_or_else(|e| panic!("{v} in {line}: {e}"))).collect()
}

/// nn-bench's timing line: (min, median, mean, max) ms per inference.
pub fn bench_times(stdout: &str) -> (f64, f64, f64, f64) {
    let line = stdout.lines().find(|l| l.contains(" runs: min ")).unwrap_or_else(|| panic!("no timing in:\n{stdout}"));
    let num = |key: &str| -> f64 {
        let rest = &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    (num(" min "), num(" median "), num(" mean "), num(" max "))
}

/// Little-endian f32s of a file (nn-bench --save output).
pub fn read_f32s(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(bytes.len() % 4, 0, "{}: {} bytes", path.display(), bytes.len());
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}
