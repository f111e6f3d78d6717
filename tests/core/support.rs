//! Shared helpers of the core tests (tests/core_*.rs): paths, building the
//! C test sources of tests/native/ (wasm apps with clang-14 --target=wasm32-wasi or, for the
//! libc-builtin, --target=wasm32 -nostdlib; shared libraries, embedders and host reference
//! programs with the cc crate's compiler), running iwasm.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

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

/// The iwasm executable file itself (for nm/readelf): EMBER_TEST_IWASM_ELF when EMBER_TEST_IWASM
/// is a wrapper script (tests/cross), else [`iwasm`].
pub fn iwasm_elf() -> PathBuf {
    std::env::var_os("EMBER_TEST_IWASM_ELF").map(PathBuf::from).unwrap_or_else(iwasm)
}

/// The profile directory holding iwasm and libvmcore.so, or EMBER_TEST_LIB_DIR (tests/cross:
/// the bundle's lib/).
pub fn lib_dir() -> PathBuf {
    match std::env::var_os("EMBER_TEST_LIB_DIR") {
        Some(d) => PathBuf::from(d),
        None => iwasm().parent().expect("iwasm has a parent directory").to_path_buf(),
    }
}

pub fn work_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("core-tests");
    std::fs::create_dir_all(&d).expect("create the test work directory");
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

fn run_ok(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {cmd:?}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// tests/native/<name>.c -> <work>/<name>.wasm
pub fn wasm_app(name: &str, extra: &[&str]) -> PathBuf {
    let key = format!("wasm:{name}:{}", extra.join(" "));
    once(&key, || {
        let src = repo().join("tests/native").join(format!("{name}.c"));
        let out = work_dir().join(format!("{name}{}.wasm", if extra.is_empty() { "" } else { "-x" }));
        run_ok(
            Command::new("clang-14").args(["--target=wasm32-wasi", "-O2"]).args(extra).arg(&src).arg("-o").arg(&out),
            "compiling a wasm test app",
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
        run_ok(
            Command::new("clang-14")
                .args(["--target=wasm32", "-nostdlib", "-O2", "-w", "-Wl,--allow-undefined"])
                .args(["-Wl,--export=__main_argc_argv", "-Wl,--no-entry"])
                .arg(&src)
                .arg("-o")
                .arg(&out),
            "compiling a libc-builtin wasm app",
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
        run_ok(c_compiler().arg("-w").arg(&src).arg("-o").arg(&out), "compiling a host reference program");
        out
    })
}

/// The host's C compiler as the cc crate finds it, or EMBER_TEST_CC (tests/cross: the target's
/// cross compiler).
fn c_compiler() -> Command {
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

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `exe`; a C program built by [`c_program`] goes through EMBER_TEST_RUNNER when that is set
/// (tests/cross: "qemu-<arch> -L <board root>", split at spaces).
pub fn run(exe: &Path, args: &[&str]) -> Run {
    let runner: Vec<String> = match std::env::var("EMBER_TEST_RUNNER") {
        Ok(r) if exe != iwasm() => r.split_whitespace().map(String::from).collect(),
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
    let out: Output = cmd
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn iwasm_run(args: &[&str]) -> Run {
    run(&iwasm(), args)
}

/// `path` as &str (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}
