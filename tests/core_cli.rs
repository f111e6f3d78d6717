//! iwasm's command line: exit statuses, traps, -f, --repl, --fuel, pool
//! mode, and bad input (one clear line, non-zero exit, never a panic).

use std::io::Write;
use std::process::{Command, Stdio};

use ember_test_support::*;

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

/// A C program using wasm_simd128.h (v128 through iwasm and libvmcore.so, SIMD on by default).
#[test]
fn simd_program_runs() {
    let a = wasm_app("simd_app", &["-msimd128"]);
    let r = iwasm_run(&[s(&a)]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (Some(0), "simd: 255 11 255 | 3.5 -3.5 1 16.5 | 255 255 | mask 2\n"),
        "{}",
        r.stderr
    );
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

/// A debug build (clang -g: DWARF custom sections, most of the file) runs in a pool sized for
/// its code: custom sections are neither parsed nor kept, and iwasm frees the file once loaded.
/// The pre-check used to ask for 3 times the whole file and refused it. A module that does not
/// fit is still a one-line error, also when its trailing custom section is what makes the file big.
#[test]
fn debug_builds_run_in_a_pool_sized_for_their_code() {
    let a = wasm_app("cli_app", &["-g"]);
    let size = std::fs::metadata(&a).unwrap().len();
    // The file sits in the pool while it loads: with the old pre-check (3 times the file) it
    // needed 4 times its size.
    assert!(size * 4 > 512 << 10, "the debug build is {size} bytes: too small to show anything");
    let r = iwasm_run(&["--pool-size=512K", s(&a)]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "hello, world\n"), "{}", r.stderr);
    // The same app with 400 KiB of DWARF-like padding appended: the file must fit the pool
    // while it is read; then only the code counts.
    let mut big = std::fs::read(&a).unwrap();
    let name = b".debug_info";
    let payload: Vec<u8> = [name.len() as u8].iter().chain(name).copied().chain(std::iter::repeat(0).take(400 << 10)).collect();
    big.push(0);
    let mut n = payload.len();
    while n >= 0x80 {
        big.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    big.push(n as u8);
    big.extend(&payload);
    let file = work_dir().join("cli_app_padded.wasm");
    std::fs::write(&file, &big).unwrap();
    let r = iwasm_run(&["--pool-size=1M", s(&file)]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "hello, world\n"), "{}", r.stderr);
    let r = iwasm_run(&["--pool-size=512K", s(&file)]);
    assert_one_line_error(&r, "padded file in a 512 KiB pool");
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

// ---------------------------------------------------------------- memory

/// `wat` compiled into the work directory as `<name>.wasm`.
fn wat_file(name: &str, wat: &str) -> std::path::PathBuf {
    let p = work_dir().join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(wat).expect("valid WAT")).unwrap();
    p
}

/// A 1 GiB memory that is never touched, and a function growing memory by one page n times.
const GIB_WAT: &str = r#"(module (memory 16384) (func (export "_start")))"#;
const GROW_WAT: &str = r#"(module (memory 1) (func (export "_start"))
  (func (export "grow") (param $n i32) (result i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (memory.size)))"#;

/// Runs `iwasm --repl ARGS`, sends each of `lines` (waiting for the prompt before each) and
/// returns what each printed plus the peak RSS (VmHWM, KiB) seen after each prompt. None when
/// iwasm is a wrapper (tests/cross), whose RSS is not iwasm's.
fn repl_peak_rss(args: &[&str], lines: &[&str]) -> Option<Vec<(String, u64)>> {
    use std::io::Read;
    if std::env::var_os("EMBER_TEST_IWASM").is_some() {
        return None;
    }
    let mut child = Command::new(iwasm())
        .arg("--repl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let pid = child.id();
    let mut wait_prompt = || {
        let mut text = Vec::new();
        let mut b = [0u8; 1];
        while !text.ends_with(b"webassembly> ") {
            assert_eq!(out.read(&mut b).unwrap(), 1, "iwasm ended early: {}", String::from_utf8_lossy(&text));
            text.push(b[0]);
        }
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let hwm = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/PID/status");
        (String::from_utf8_lossy(&text).replace("webassembly> ", ""), hwm)
    };
    let mut seen = vec![wait_prompt()];
    for l in lines {
        writeln!(stdin, "{l}").unwrap();
        seen.push(wait_prompt());
    }
    writeln!(stdin, "__exit__").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "iwasm --repl {args:?}: {status:?}");
    Some(seen)
}

const MIB: u64 = 1024;

#[test]
fn a_huge_table_in_a_small_pool_is_a_clear_error() {
    let t = wat_file("table10m", "(module (table 10000000 funcref) (func (export \"_start\")))");
    assert_eq!(std::fs::metadata(&t).unwrap().len(), 45, "the issue's 45-byte module");
    let r = iwasm_run(&["--pool-size=8M", s(&t)]);
    assert_one_line_error(&r, "table in an 8 MiB pool");
    assert_eq!(r.code, Some(1), "an error, not a signal: {}", r.stderr);
    assert!(r.stderr.contains("tables 80000000") && r.stderr.contains("memory pool too small"), "{}", r.stderr);
    // A module without memory in a pool that fits it runs; in one too small, the error says
    // what is missing (no "linear memory of 0 bytes").
    let nomem = wat_file("nomem", "(module (func (export \"_start\")))");
    let r = iwasm_run(&["--pool-size=1M", s(&nomem)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = iwasm_run(&["--pool-size=80K", s(&nomem)]);
    assert_one_line_error(&r, "tiny pool, no memory");
    assert!(r.stderr.contains("memory pool too small") && !r.stderr.contains("of 0 bytes"), "{}", r.stderr);
}

#[test]
fn a_declared_gib_left_untouched_costs_no_memory() {
    let gib = wat_file("gib", GIB_WAT);
    for args in [vec![s(&gib)], vec!["--heap-size=0", s(&gib)], vec!["--pool-size=1100M", "--heap-size=0", s(&gib)]] {
        let Some(seen) = repl_peak_rss(&args, &[]) else { return };
        let kib = seen[0].1;
        assert!(kib < 10 * MIB, "iwasm {args:?}: peak RSS {kib} KiB for an untouched 1 GiB memory");
    }
}

/// 16383 grows of one page each, to 1 GiB (it used to copy the whole memory each time): in
/// place in system mode, in place or rarely moved in pool mode; either way no page is touched.
#[test]
fn growing_to_a_gib_one_page_at_a_time_is_quick_and_touches_nothing() {
    let g = wat_file("grow1", GROW_WAT);
    let r = iwasm_run(&["--heap-size=0", "-f", "grow", s(&g), "16383"]);
    if std::env::var_os("EMBER_TEST_IWASM").is_some() {
        // tests/cross: iwasm of the board under qemu. A 32-bit process (armv7) may not find
        // 1 GiB of contiguous address space for the last steps (mremap): memory.grow then
        // returns -1, a clean stop; at least 512 MiB must be reached, one page at a time.
        let pages = r.stdout.strip_suffix(":i32\n").and_then(|h| u32::from_str_radix(h.trim_start_matches("0x"), 16).ok());
        assert!(r.code == Some(0) && pages.is_some_and(|p| (0x2000..=0x4000).contains(&p)), "{}\n{}", r.stdout, r.stderr);
    } else {
        assert_eq!((r.code, r.stdout.as_str()), (Some(0), "0x4000:i32\n"), "{}", r.stderr);
    }
    for pool in [None, Some("--pool-size=1100M")] {
        let mut args: Vec<&str> = pool.into_iter().collect();
        args.extend(["--heap-size=0", s(&g)]);
        let Some(seen) = repl_peak_rss(&args, &["grow 16383"]) else { return };
        assert_eq!(seen[1].0, "0x4000:i32\n", "{args:?}");
        let kib = seen[1].1;
        assert!(kib < 10 * MIB, "iwasm {args:?}: peak RSS {kib} KiB after growing to 1 GiB");
    }
}

#[test]
fn only_regular_files_of_sane_size_are_read() {
    let dir = work_dir().join("not-files");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo.wasm");
    let made = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|st| st.success());
    let big = dir.join("big.wasm");
    std::fs::File::create(&big).unwrap().set_len(600 << 20).unwrap(); // sparse
    let mut cases = vec![
        ("/dev/zero", "not a regular file"),
        (s(&dir), "a directory"),
        (s(&big), "more than the limit"),
    ];
    if made {
        cases.push((s(&fifo), "not a regular file"));
    }
    for (path, needle) in cases {
        // Each must fail at once: /dev/zero used to be read until 4 GB of RSS, a FIFO
        // blocked in open.
        let r = iwasm_run(&[path]);
        assert_one_line_error(&r, path);
        assert!(r.stderr.contains(needle), "{path}: {:?} lacks {needle:?}", r.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Registering 10 000 native symbols in a 1 MiB pool is refused (it used to abort in the
/// registry's allocation); the runtime keeps working.
#[test]
fn natives_that_do_not_fit_the_pool_are_refused() {
    let prog = c_program("mem_modes");
    let hello = wasm_app("hello", &[]);
    let r = run(&prog, &["pool=1048576", s(&hello), "natives=10000"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "natives: refused\nhello, world\n", "{}", r.stderr);
    let r = run(&prog, &["pool=16777216", s(&hello), "natives=10000"]);
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "natives: registered\nhello, world\n"), "{}", r.stderr);
    for mode in ["system", "user"] {
        let r = run(&prog, &[mode, s(&hello)]);
        assert_eq!((r.code, r.stdout.as_str()), (Some(0), "hello, world\n"), "{mode}: {}", r.stderr);
    }
}
