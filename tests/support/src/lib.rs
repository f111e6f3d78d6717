//! What Ember's tests share (the system tests of `ember-tests`, tests/*.rs, and the header
//! checks of `vmcore-types` and `ember-nn-abi`):
//! - paths: the repository, iwasm and libvmcore.so as built by `cargo build --workspace` (or a
//!   bundle's, under tests/cross: EMBER_TEST_IWASM, EMBER_TEST_LIB_DIR, EMBER_TEST_BACKEND_DIR),
//!   the fetched engines, models and pictures (EMBER_CACHE);
//! - building the test programs: wasm apps (clang-14 --target=wasm32-wasi, or --target=wasm32
//!   -nostdlib for libc-builtin apps), C shared libraries, embedders and host reference
//!   programs (the cc crate's compiler, or EMBER_TEST_CC), each once per test process;
//! - running them ([`run`]: C programs through EMBER_TEST_RUNNER under tests/cross;
//!   [`run_env`]: iwasm with extra environment);
//! - [`header`]: a Rust mirror checked against its C header in both directions.

pub mod header;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository")
}

/// The profile folder of the running test binary (target/[triple/]<profile>/, the binary being
/// in its deps/): where `cargo build --workspace` puts iwasm, libvmcore.so and the backends.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// cargo's CARGO_TARGET_TMPDIR (target/tmp), for scratch files.
pub fn target_tmp() -> PathBuf {
    let mut d = profile_dir();
    d.pop();
    d.join("tmp")
}

/// `name` as `cargo build --workspace` left it in [`profile_dir`]; see [`fresh`].
pub fn built(name: &str, sources: &[&str]) -> PathBuf {
    fresh(profile_dir().join(name), sources)
}

/// `file`, which must exist and be newer than each of `sources` (repository paths): a stale or
/// missing build fails the test.
pub fn fresh(file: PathBuf, sources: &[&str]) -> PathBuf {
    let built = std::fs::metadata(&file).and_then(|m| m.modified());
    let built = built.unwrap_or_else(|e| {
        panic!(
            "{}: {e}: build it first (cargo build --workspace)",
            file.display()
        )
    });
    for src in sources {
        let src = repo().join(src);
        if let Ok(changed) = std::fs::metadata(&src).and_then(|m| m.modified()) {
            assert!(
                changed <= built,
                "{} is older than {}: rebuild it (cargo build --workspace)",
                file.display(),
                src.display()
            );
        }
    }
    file
}

/// iwasm as built by `cargo build --workspace`, or EMBER_TEST_IWASM (tests/cross/run.sh: a qemu
/// wrapper around the ARM bundle's bin/iwasm).
pub fn iwasm() -> PathBuf {
    std::env::var_os("EMBER_TEST_IWASM")
        .map(PathBuf::from)
        .unwrap_or_else(|| built("iwasm", &["core/iwasm/main.rs", "build.rs"]))
}
/// The iwasm executable file itself (for nm/readelf): EMBER_TEST_IWASM_ELF when EMBER_TEST_IWASM
/// is a wrapper script (tests/cross), else [`iwasm`].
pub fn iwasm_elf() -> PathBuf {
    std::env::var_os("EMBER_TEST_IWASM_ELF")
        .map(PathBuf::from)
        .unwrap_or_else(iwasm)
}

/// The profile directory holding iwasm and libvmcore.so, or EMBER_TEST_LIB_DIR (tests/cross:
/// the bundle's lib/).
pub fn lib_dir() -> PathBuf {
    match std::env::var_os("EMBER_TEST_LIB_DIR") {
        Some(d) => PathBuf::from(d),
        None => iwasm()
            .parent()
            .expect("iwasm has a parent directory")
            .to_path_buf(),
    }
}

/// The core tests' (tests/core_*.rs) build folder.
pub fn work_dir() -> PathBuf {
    let d = target_tmp().join("core-tests");
    std::fs::create_dir_all(&d).expect("create the test work directory");
    d
}

/// target/<profile>/: iwasm, libvmcore.so and the backends built by `cargo build`; or
/// EMBER_TEST_BACKEND_DIR (tests/cross/run.sh: the bundle's lib/wasi-nn).
pub fn backend_dir() -> PathBuf {
    match std::env::var_os("EMBER_TEST_BACKEND_DIR") {
        Some(d) => PathBuf::from(d),
        None => iwasm().parent().unwrap().to_path_buf(),
    }
}

pub fn models_dir() -> PathBuf {
    repo().join("nn/models")
}

/// The fetched engines, models and pictures (nn/engines/fetch.sh): $EMBER_CACHE or
/// ~/.cache/ember.
pub fn cache() -> PathBuf {
    match std::env::var_os("EMBER_CACHE") {
        Some(c) if !c.is_empty() => PathBuf::from(c),
        _ => PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/ember"),
    }
}

/// A file under cache(), which must be there (nn/engines/fetch.sh makes it).
pub fn cached(rel: &str) -> PathBuf {
    let p = cache().join(rel);
    assert!(
        p.is_file(),
        "{} is missing: run nn/engines/fetch.sh first",
        p.display()
    );
    p
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let d = target_tmp().join("nn").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();

/// Build once per test process (tests run on several threads).
fn once(key: &str, build: impl FnOnce() -> PathBuf) -> PathBuf {
    let m = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut g = m.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = g.get(key) {
        return p.clone();
    }
    let p = build();
    g.insert(key.to_string(), p.clone());
    p
}

/// Runs a build step, which must succeed.
pub fn run_ok(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what}: cannot run {cmd:?}: {e}; run toolchains/setup-host.sh first")
    });
    assert!(
        out.status.success(),
        "{what} failed: {cmd:?}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The wasm C compiler: EMBER_WASM_CC or clang-14.
pub fn wasm_cc() -> Command {
    Command::new(std::env::var_os("EMBER_WASM_CC").unwrap_or_else(|| "clang-14".into()))
}

/// `src` -> `out` with [`wasm_cc`] and `args` (e.g. `--target=wasm32-wasi -O2`).
pub fn compile_wasm(src: &Path, out: &Path, args: &[&str]) {
    run_ok(
        wasm_cc().args(args).arg(src).arg("-o").arg(out),
        "compiling a wasm test app",
    );
}

/// tests/native/<name>.c -> <work>/<name>.wasm
pub fn wasm_app(name: &str, extra: &[&str]) -> PathBuf {
    let key = format!("wasm:{name}:{}", extra.join(" "));
    once(&key, || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(format!(
            "{name}{}.wasm",
            if extra.is_empty() { "" } else { "-x" }
        ));
        compile_wasm(
            &src,
            &out,
            &[&["--target=wasm32-wasi", "-O2"], extra].concat(),
        );
        out
    })
}

/// tests/native/<name>.c -> <work>/<name>.wasm without any libc, as WAMR's libc-builtin apps
/// are built: `printf`, `malloc`, ... stay imports from `env`; iwasm runs the exported
/// `__main_argc_argv` (clang's name for `main(argc, argv)`).
pub fn wasm_app_nostdlib(name: &str) -> PathBuf {
    once(&format!("wasm-nostdlib:{name}"), || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(format!("{name}.wasm"));
        let flags = [
            "--target=wasm32",
            "-nostdlib",
            "-O2",
            "-w",
            "-Wl,--allow-undefined",
        ];
        compile_wasm(
            &src,
            &out,
            &[
                &flags[..],
                &["-Wl,--export=__main_argc_argv", "-Wl,--no-entry"],
            ]
            .concat(),
        );
        out
    })
}

/// tests/native/<name>.c -> <work>/<name>-host, a plain program on the host's own C library
/// (no libvmcore.so): the reference for what a C program prints.
pub fn host_program(name: &str) -> PathBuf {
    once(&format!("host:{name}"), || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(format!("{name}-host"));
        run_ok(
            c_compiler().arg("-w").arg(&src).arg("-o").arg(&out),
            "compiling a host reference program",
        );
        out
    })
}

/// The host's C compiler as the cc crate finds it, or EMBER_TEST_CC (tests/cross: the target's
/// cross compiler).
pub fn c_compiler() -> Command {
    if let Some(cc) = std::env::var_os("EMBER_TEST_CC") {
        let mut cmd = Command::new(cc);
        cmd.arg("-O1");
        return cmd;
    }
    let triple = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    cc::Build::new()
        .cargo_metadata(false)
        .cargo_warnings(false)
        .opt_level(1)
        .target(&triple)
        .host(&triple)
        .get_compiler()
        .to_command()
}

/// tests/native/<name>.c -> <work>/lib<name>.so, linked against libvmcore.so.
pub fn native_lib(name: &str) -> PathBuf {
    once(&format!("so:{name}"), || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(format!("lib{name}.so"));
        let mut cmd = c_compiler();
        cmd.args(["-shared", "-fPIC", "-Wall", "-Werror"])
            .arg("-I")
            .arg(repo().join("core/include"))
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .arg("-L")
            .arg(lib_dir())
            .arg("-lvmcore")
            .arg(format!("-Wl,-rpath,{}", lib_dir().display()));
        run_ok(&mut cmd, "compiling a native test library");
        out
    })
}

/// tests/native/<name>.c -> <work>/<name>, a C program embedding libvmcore.so.
pub fn c_program(name: &str) -> PathBuf {
    c_program_with(name, &[])
}

/// [`c_program`] with extra compiler arguments (built once per test process).
pub fn c_program_with(name: &str, extra: &[&str]) -> PathBuf {
    once(&format!("exe:{name}"), || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(name);
        let mut cmd = c_compiler();
        cmd.args(["-Wall", "-Werror"])
            .args(extra)
            .arg("-I")
            .arg(repo().join("core/include"))
            .arg(&src)
            .arg("-o")
            .arg(&out)
            .arg("-L")
            .arg(lib_dir())
            .arg("-lvmcore")
            .arg(format!("-Wl,-rpath,{}", lib_dir().display()));
        run_ok(&mut cmd, "compiling a C embedding test");
        out
    })
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
        let dir = target_tmp().join("nn-apps");
        std::fs::create_dir_all(&dir).unwrap();
        let src = repo().join("tests/nn/apps");
        let build = |file: &str, out: &str, defines: &[&str]| {
            let out = dir.join(out);
            let flags = ["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-lm"];
            compile_wasm(&src.join(file), &out, &[&flags[..], defines].concat());
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
        let dir = target_tmp().join("nn-fixtures");
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
            run_ok(&mut cmd, "C compiler");
            out
        };
        let fake_model = dir.join("fake.model");
        std::fs::write(&fake_model, b"EMBER-FAKE-MODEL:sum").unwrap();
        Fixtures {
            fake: build("fake_backend.c", "libwasi_nn_backend_fake.so", &[]),
            fake_abi1: build(
                "fake_backend.c",
                "libfake_abi1.so",
                &["-DFAKE_ABI_VERSION=1"],
            ),
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
    fresh(
        backend_dir().join("libwasi_nn_backend_sdktest.so"),
        &["tests/nn/sdk_backend/src/lib.rs"],
    )
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `exe`; a C program built by [`c_program`] goes through EMBER_TEST_RUNNER when that is set
/// (tests/cross: "qemu-<arch> -L <board root>", split at spaces).
pub fn run(exe: &Path, args: &[&str]) -> Run {
    // iwasm (a qemu wrapper already under tests/cross) runs as it is; not looked up with
    // [`iwasm`], which requires a built iwasm that a cross-built test binary has no use for.
    let is_iwasm = std::env::var_os("EMBER_TEST_IWASM").map_or(exe == profile_dir().join("iwasm"), |w| exe == Path::new(&w));
    let runner: Vec<String> = match std::env::var("EMBER_TEST_RUNNER") {
        Ok(r) if !is_iwasm => r.split_whitespace().map(String::from).collect(),
        _ => Vec::new(),
    };
    let mut cmd = match runner.split_first() {
        Some((prog, rest)) => {
            let mut c = Command::new(prog);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE");
    output(cmd, exe)
}

pub fn iwasm_run(args: &[&str]) -> Run {
    run(&iwasm(), args)
}

/// Run `exe` (iwasm or a relocated copy) with args and extra environment.
pub fn run_env(exe: &Path, args: &[String], env: &[(&str, &str)]) -> Run {
    output(command(exe, args, env), exe)
}

/// As [`run_env`], without RUST_LOG: iwasm's -v alone decides what is logged (tests of log levels
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
    let out: Output = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `path` as &str (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `x` as a String (test paths are UTF-8).
pub fn string(x: impl AsRef<OsStr>) -> String {
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
    std::fs::copy(backend_dir().join("libvmcore.so"), lib.join("libvmcore.so")).unwrap();
    bin.join("iwasm")
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
        let dir = target_tmp().join("nn-examples");
        std::fs::create_dir_all(&dir).unwrap();
        let build = |file: &str, out: &str| {
            let out = dir.join(out);
            compile_wasm(
                &repo().join("examples").join(file),
                &out,
                &["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-lm"],
            );
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
    let (_, first) = line
        .split_once("first:")
        .unwrap_or_else(|| panic!("no values in: {line}"));
    first
        .split_whitespace()
        .map(|v| v.parse().unwrap_or_else(|e| panic!("{v} in {line}: {e}")))
        .collect()
}

/// nn-bench's timing line: (min, median, mean, max) ms per inference.
pub fn bench_times(stdout: &str) -> (f64, f64, f64, f64) {
    let line = stdout
        .lines()
        .find(|l| l.contains(" runs: min "))
        .unwrap_or_else(|| panic!("no timing in:\n{stdout}"));
    let num = |key: &str| -> f64 {
        let rest = &line[line.find(key).unwrap_or_else(|| panic!("{key} in {line}")) + key.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    (num(" min "), num(" median "), num(" mean "), num(" max "))
}

/// Little-endian f32s of a file (nn-bench --save output).
pub fn read_f32s(path: &Path) -> Vec<f32> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        bytes.len() % 4,
        0,
        "{}: {} bytes",
        path.display(),
        bytes.len()
    );
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
