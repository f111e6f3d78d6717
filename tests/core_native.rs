//! Native code and libvmcore.so: --native-lib libraries called from wasm
//! with runtime-validated pointer/length and string arguments, the memory
//! pool shared with a separately built library, and which binary defines
//! the runtime's symbols.

use ember_test_support::*;

fn native(args: &[&str]) -> Run {
    let lib = native_lib("native_lib");
    let app = wasm_app("native_app", &[]);
    let lib_opt = format!("--native-lib={}", s(&lib));
    let mut v = vec![lib_opt.as_str(), s(&app)];
    v.extend_from_slice(args);
    iwasm_run(&v)
}

#[test]
fn natives_get_checked_pointers_strings_and_all_value_types() {
    let r = native(&["ok"]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    let expected = "native: init\n\
                    native: sum_bytes(len=5)\n\
                    sum=15\n\
                    native: str_len(\"hello\")\n\
                    len=5\n\
                    mix=10000000005\n\
                    scale=7.5\n\
                    fill=zzzzzzz\n\
                    dup=copied\n\
                    nosig_mix=1.09951e+12\n\
                    nosig_strlen=4\n\
                    done\n\
                    native: deinit\n";
    assert_eq!(r.stdout, expected);
}

fn assert_trapped_before_native(mode: &str) {
    let r = native(&[mode]);
    assert_eq!(r.code, Some(1), "{mode}: stdout {} stderr {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("out of bounds memory access"), "{mode}: stderr {}", r.stderr);
    // The native function never ran, and the app did not continue.
    assert!(!r.stdout.contains("native: sum_bytes") && !r.stdout.contains("native: str_len"), "{mode}: {}", r.stdout);
    assert!(!r.stdout.contains("done"), "{mode}: {}", r.stdout);
    assert!(!r.stderr.contains("panicked"), "{mode}: {}", r.stderr);
}

#[test]
fn out_of_bounds_pointer_traps_before_native_code() {
    assert_trapped_before_native("oob-ptr");
}

#[test]
fn out_of_bounds_length_traps_before_native_code() {
    assert_trapped_before_native("oob-len");
}

#[test]
fn unterminated_string_traps_before_native_code() {
    assert_trapped_before_native("oob-str");
}

#[test]
fn native_set_exception_traps_the_guest() {
    let r = native(&["exception"]);
    assert_eq!(r.code, Some(1), "stderr {}", r.stderr);
    assert!(r.stderr.contains("Exception: custom failure from native code"), "{}", r.stderr);
    assert!(!r.stdout.contains("after fail_with"));
}

/// proc_exit inside a native's call back into the guest: the native sees WAMR's "wasi proc exit"
/// exception, and when it returns, the outer guest ends with that status (nothing after the
/// native call runs).
#[test]
fn proc_exit_in_a_nested_call_ends_the_outer_guest() {
    let r = native(&["nested-exit"]);
    assert_eq!(r.code, Some(7), "stdout {} stderr {}", r.stdout, r.stderr);
    assert!(r.stdout.contains("exit_with(7)\n"), "{}", r.stdout);
    assert!(r.stdout.contains("native: call_back: Exception: wasi proc exit\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("after call_back"), "{}", r.stdout);
    assert!(!r.stdout.contains("done"), "{}", r.stdout);
}

#[test]
fn missing_native_import_is_a_clear_instantiation_error() {
    let app = wasm_app("native_app", &[]);
    let r = iwasm_run(&[s(&app)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("cannot link import env."), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn bad_native_lib_is_reported() {
    let app = wasm_app("native_app", &[]);
    let r = iwasm_run(&["--native-lib=/nonexistent/libnope.so", s(&app)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("cannot load native library") && r.stderr.contains("/nonexistent/libnope.so"), "{}", r.stderr);
}

/// The seed's case: a library linked against libvmcore.so allocates with
/// wasm_runtime_malloc while iwasm runs in pool mode; its memory comes from
/// iwasm's pool (stats move), exhausting the pool gives NULL, no abort.
#[test]
fn separately_built_library_allocates_from_iwasms_pool() {
    let lib = native_lib("pool_probe");
    let app = wasm_app("pool_app", &[]);
    let lib_opt = format!("--native-lib={}", s(&lib));
    let r = iwasm_run(&["--pool-size=16M", &lib_opt, s(&app)]);
    assert_eq!(r.code, Some(0), "stdout {} stderr {}", r.stdout, r.stderr);
    let out = &r.stdout;
    assert!(out.contains("probe: mode=0\n"), "{out}");
    assert!(out.contains("probe: malloc(100000) ok\n"), "{out}");
    assert!(out.contains("probe: blocks aligned to WASM_RUNTIME_MALLOC_ALIGN: yes\n"), "{out}");
    assert!(out.contains("probe: in_use grew by at least 100000: yes\n"), "{out}");
    assert!(out.contains("probe: pool_free shrank by at least 100000: yes\n"), "{out}");
    assert!(out.contains("NULL returned\n"), "{out}");
    assert!(out.contains("probe: failed_allocs grew: yes\n"), "{out}");
    assert!(out.contains("probe: after freeing, in_use is back: yes\n"), "{out}");
    assert!(out.contains("app: still running\n"), "{out}");
    // Some 64 KiB blocks fit, but never more than the 16 MiB pool holds.
    let n: usize = out
        .lines()
        .find_map(|l| l.strip_prefix("app: probe returned "))
        .and_then(|v| v.parse().ok())
        .expect("probe count");
    assert!(n > 100 && n < 256, "blocks: {n}");
}

#[test]
fn without_a_pool_the_library_sees_the_system_allocator() {
    let lib = native_lib("pool_probe");
    let app = wasm_app("pool_app", &[]);
    let lib_opt = format!("--native-lib={}", s(&lib));
    let r = iwasm_run(&[&lib_opt, s(&app)]);
    assert_eq!(r.code, Some(0), "stderr {}", r.stderr);
    assert!(r.stdout.contains("probe: mode=2\n"), "{}", r.stdout);
    assert!(r.stdout.contains("probe: blocks aligned to WASM_RUNTIME_MALLOC_ALIGN: yes\n"), "{}", r.stdout);
    assert!(r.stdout.contains("probe: in_use grew by at least 100000: yes\n"), "{}", r.stdout);
    assert!(r.stdout.contains("probe: pool_free shrank by at least 100000: no\n"), "{}", r.stdout);
}

fn dynamic_symbols(file: &std::path::Path) -> Vec<(String, String)> {
    let out = std::process::Command::new("nm").args(["-D"]).arg(file).output().expect("run nm");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace().rev();
            let name = w.next()?.split('@').next()?.to_string();
            let kind = w.next()?.to_string();
            Some((kind, name))
        })
        .collect()
}

/// libvmcore.so alone defines the runtime; iwasm and the library import it.
#[test]
fn only_libvmcore_defines_the_runtime_symbols() {
    let core = lib_dir().join("libvmcore.so");
    let probe = native_lib("pool_probe");
    let defined = |f: &std::path::Path, sym: &str| dynamic_symbols(f).iter().any(|(k, n)| n == sym && k == "T");
    let imported = |f: &std::path::Path, sym: &str| dynamic_symbols(f).iter().any(|(k, n)| n == sym && k == "U");
    for sym in ["wasm_runtime_malloc", "wasm_runtime_free", "wasm_runtime_full_init", "ember_runtime_get_mem_stats"] {
        assert!(defined(&core, sym), "libvmcore.so must define {sym}");
        assert!(!defined(&iwasm_elf(), sym), "iwasm must not define {sym}");
        assert!(!defined(&probe, sym), "the probe library must not define {sym}");
    }
    // iwasm is a shim: its whole CLI is libvmcore.so's ember_iwasm_main.
    assert!(imported(&iwasm_elf(), "ember_iwasm_main"));
    assert!(imported(&probe, "wasm_runtime_malloc"));
    assert!(imported(&probe, "ember_runtime_get_mem_stats"));
    // Both link libvmcore.so dynamically.
    for f in [iwasm_elf(), probe] {
        let out = std::process::Command::new("readelf").arg("-d").arg(&f).output().expect("run readelf");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Shared library: [libvmcore.so]"), "{}", f.display());
    }
}

/// A native library with 10,000 symbols (tests/native/many_symbols.c): in a 1 MiB pool the
/// registration does not fit and iwasm stops with a one-line error (it used to abort); with the
/// system allocator every symbol is registered and the last one is callable.
#[test]
fn ten_thousand_native_symbols_fit_or_fail_cleanly() {
    let lib = native_lib("many_symbols");
    let wasm = work_dir().join("call_many.wasm");
    let bytes = wat::parse_str(
        r#"(module (import "many" "f_9999" (func $f (param i32) (result i32)))
             (func (export "call") (param i32) (result i32) (call $f (local.get 0))))"#,
    )
    .unwrap();
    std::fs::write(&wasm, bytes).unwrap();
    let lib_opt = format!("--native-lib={}", s(&lib));
    let r = iwasm_run(&["--pool-size=1M", &lib_opt, "-f", "call", s(&wasm), "41"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("10000 native symbols") && r.stderr.contains("memory pool too small"), "{}", r.stderr);
    let r = iwasm_run(&[&lib_opt, "-f", "call", s(&wasm), "41"]);
    assert_eq!((r.code, r.stdout.trim()), (Some(0), "0x2a:i32"), "{}", r.stderr);
}
