//! iwasm's command line: exit statuses, traps, -f, --repl, --fuel, pool
//! mode, and bad input (one clear line, non-zero exit, never a panic).

#[path = "core/support.rs"]
mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use support::*;

fn app() -> std::path::PathBuf {
    wasm_app("cli_app", &[])
}

fn assert_one_line_error(r: &Run, what: &str) {
    assert!(r.code.is_some_and(|c| c != 0), "{what}: exit {:?}", r.code);
    assert_eq!(r.stderr.lines().count(), 1, "{what}: stderr must be one line: {:?}", r.stderr);
    assert!(!r.stderr.contains("panicked") && !r.stderr.contains("RUST_BACKTRACE"), "{what}: {}", r.stderr);
}

#[test]
fn hello_world_and_exit_statuses() {
    let a = app();
    let r = iwasm_run(&[s(&a)]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "hello, world\n"), "{}", r.stderr);
    let r = iwasm_run(&[s(&a), "exit", "5"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(5), "exiting with 5\n"));
    let r = iwasm_run(&[s(&a), "exit", "0"]);
    assert_eq!(r.code, Some(0));
    let r = iwasm_run(&[s(&a), "return"]);
    assert_eq!(r.code, Some(42));
}

#[test]
fn app_argv_starts_at_the_wasm_file_and_keeps_option_like_args() {
    let a = app();
    let r = iwasm_run(&["--stack-size=256K", s(&a), "args", "--env=x", "-v=3"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, format!("[{}][args][--env=x][-v=3]\n", s(&a)));
}

#[test]
fn traps_print_the_message_and_exit_1() {
    let a = app();
    let r = iwasm_run(&[s(&a), "trap"]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, "Exception: unreachable\n");
    let r = iwasm_run(&[s(&a), "divzero"]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, "Exception: integer divide by zero\n");
}

#[test]
fn fuel_stops_an_endless_loop() {
    let a = app();
    let r = iwasm_run(&["--fuel=2000000", s(&a), "spin"]);
    assert_eq!(r.code, Some(1));
    assert_eq!(r.stderr, "Exception: all fuel consumed\n");
    let r = iwasm_run(&["--fuel=2000000", s(&a)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn function_option_parses_args_and_prints_results() {
    let a = app();
    let r = iwasm_run(&["-f", "add", s(&a), "2", "0x28"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "0x2a:i32\n"), "{}", r.stderr);
    let r = iwasm_run(&["--function=mul64", s(&a), "-3", "5"]);
    assert_eq!(r.stdout, "0xfffffffffffffff1:i64\n");
    let r = iwasm_run(&["-f", "half", s(&a), "5"]);
    assert_eq!(r.stdout, "2.5:f64\n");
    let r = iwasm_run(&["-f", "fhalf", s(&a), "1e10"]);
    assert_eq!(r.stdout, "5e+09:f32\n");
    let r = iwasm_run(&["-f", "add", s(&a), "1"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("invalid input argument count"), "{}", r.stderr);
    let r = iwasm_run(&["-f", "nope", s(&a)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("lookup function nope failed"), "{}", r.stderr);
}

#[test]
fn repl_calls_functions_line_by_line() {
    let a = app();
    let mut child = Command::new(iwasm())
        .args(["--repl", s(&a)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn iwasm");
    child.stdin.take().expect("stdin").write_all(b"add 1 2\n\nhalf 3\nnope\n__exit__\nadd 5 5\n").expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0x3:i32\n"), "{stdout}");
    assert!(stdout.contains("1.5:f64\n"), "{stdout}");
    assert!(stdout.contains("Exception: lookup function nope failed"), "{stdout}");
    assert!(!stdout.contains("0xa:i32"), "__exit__ must stop the repl: {stdout}");
}

#[test]
fn pool_mode_runs_apps_and_guest_exhaustion_is_clean() {
    let a = app();
    let r = iwasm_run(&["--pool-size=4M", "--mem-stats", s(&a)]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "hello, world\n"), "{}", r.stderr);
    assert!(r.stderr.contains("mode=pool pool_size=4194304"), "{}", r.stderr);
    // The guest's malloc runs into the pool's end: memory.grow fails, malloc
    // returns NULL, the app reports it and exits normally.
    let r = iwasm_run(&["--pool-size=8M", s(&a), "grow"]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let mib: u32 = r
        .stdout
        .trim()
        .strip_prefix("malloc failed after ")
        .and_then(|t| t.strip_suffix(" MiB"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected output {:?}", r.stdout));
    assert!((1..8).contains(&mib), "{mib} MiB in an 8 MiB pool");
    // Page-by-page memory.grow to the pool's end, then more WASI output.
    let r = iwasm_run(&["--pool-size=4M", s(&a), "grow-pages"]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    assert!(r.stdout.starts_with("memory.grow failed after "), "{}", r.stdout);
    // A pool too small for the module: an error, not an abort.
    let r = iwasm_run(&["--pool-size=64K", s(&a)]);
    assert_one_line_error(&r, "tiny pool");
    assert!(r.stderr.contains("memory pool too small"), "{}", r.stderr);
}

#[test]
fn bad_input_is_one_line_and_non_zero() {
    let dir = work_dir();
    let garbage = dir.join("garbage.wasm");
    std::fs::write(&garbage, b"this is not wasm at all").unwrap();
    let truncated = dir.join("truncated.wasm");
    let bytes = std::fs::read(app()).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let empty = dir.join("empty.wasm");
    std::fs::write(&empty, b"").unwrap();
    let a = app();
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("garbage", vec![s(&garbage)], "magic header"),
        ("truncated", vec![s(&truncated)], "load failed"),
        ("empty", vec![s(&empty)], "load failed"),
        ("missing file", vec!["/nonexistent/app.wasm"], "cannot read /nonexistent/app.wasm"),
        ("unknown option", vec!["--frobnicate", s(&a)], "unknown option '--frobnicate'"),
        ("malformed map-dir", vec!["--map-dir=only-one-part", s(&a)], "invalid --map-dir"),
        ("malformed env", vec!["--env=NOVALUE", s(&a)], "invalid --env"),
        ("bad size", vec!["--stack-size=lots", s(&a)], "invalid size"),
        ("bad verbosity", vec!["-v=7", s(&a)], "invalid -v"),
        ("missing value", vec!["--heap-size"], "needs a value"),
        ("no wasm file", vec![], "no wasm file"),
    ];
    for (what, args, needle) in cases {
        let r = iwasm_run(&args);
        assert_one_line_error(&r, what);
        assert!(r.stderr.contains(needle), "{what}: {:?} lacks {needle:?}", r.stderr);
    }
}

#[test]
fn help_and_version() {
    let r = iwasm_run(&["--help"]);
    assert_eq!(r.code, Some(0));
    for opt in ["--function", "--stack-size", "--heap-size", "--env", "--dir", "--map-dir", "--native-lib", "-v", "--repl", "--pool-size", "--fuel", "--version"] {
        assert!(r.stdout.contains(opt), "--help lacks {opt}");
    }
    let r = iwasm_run(&["--version"]);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.starts_with("iwasm Ember "), "{}", r.stdout);
}

#[test]
fn verbose_logging_reaches_stderr() {
    let a = app();
    let r = iwasm_run(&["-v=5", s(&a)]);
    assert_eq!(r.code, Some(0));
    assert!(r.stderr.contains("DEBUG") || r.stderr.contains("TRACE"), "{}", r.stderr);
    let r = iwasm_run(&["-v=0", s(&a)]);
    assert_eq!(r.stderr, "");
}

/// iwasm finds libvmcore.so through its RUNPATH ($ORIGIN:$ORIGIN/../lib), in
/// a bin/ + lib/ layout and with both files in one folder.
#[test]
fn runpath_finds_libvmcore_in_both_layouts() {
    if std::env::var_os("EMBER_TEST_IWASM").is_some() {
        return; // a cross bundle: its layout is tested by tests/cross
    }
    let root = work_dir().join("layouts");
    let _ = std::fs::remove_dir_all(&root);
    let bin = root.join("prefix/bin");
    let lib = root.join("prefix/lib");
    let flat = root.join("flat");
    for d in [&bin, &lib, &flat] {
        std::fs::create_dir_all(d).unwrap();
    }
    let core = lib_dir().join("libvmcore.so");
    std::fs::copy(iwasm(), bin.join("iwasm")).unwrap();
    std::fs::copy(&core, lib.join("libvmcore.so")).unwrap();
    std::fs::copy(iwasm(), flat.join("iwasm")).unwrap();
    std::fs::copy(&core, flat.join("libvmcore.so")).unwrap();
    let a = app();
    for exe in [bin.join("iwasm"), flat.join("iwasm")] {
        let out = Command::new(&exe).arg(s(&a)).env_remove("LD_LIBRARY_PATH").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}: {}", exe.display(), String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "hello, world\n");
    }
    // Without a libvmcore.so next to it or in ../lib, it does not start.
    std::fs::remove_file(flat.join("libvmcore.so")).unwrap();
    let out = Command::new(flat.join("iwasm")).arg("--version").env_remove("LD_LIBRARY_PATH").output().unwrap();
    assert!(!out.status.success());
}
