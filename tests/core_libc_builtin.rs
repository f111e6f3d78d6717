//! WAMR's libc-builtin (core/src/libc_builtin/): apps built with `clang --target=wasm32
//! -nostdlib -Wl,--allow-undefined` get printf, string functions and malloc from `env`.
//! The expected output of tests/native/libc_builtin_app.c is what the same C file prints when
//! built for the host with its real C library.

use ember_test_support::*;

fn app() -> std::path::PathBuf {
    wasm_app_nostdlib("libc_builtin_app")
}

#[test]
fn the_app_prints_exactly_what_the_host_c_library_prints() {
    let reference = run(&host_program("libc_builtin_app"), &[]);
    assert_eq!(reference.code, Some(0), "{}", reference.stderr);
    assert!(reference.stdout.ends_with("done\n") && reference.stdout.lines().count() > 60);
    let r = iwasm_run(&[s(&app())]);
    assert_eq!(r.code, Some(0), "stderr: {}", r.stderr);
    for (k, (want, got)) in reference.stdout.lines().zip(r.stdout.lines()).enumerate() {
        assert_eq!(got, want, "line {}", k + 1);
    }
    assert_eq!(r.stdout, reference.stdout);
}

#[test]
fn exit_ends_the_app_with_its_status() {
    let r = iwasm_run(&[s(&app()), "exit"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (Some(7), "exiting\n", ""));
}

#[test]
fn bad_guest_pointers_trap() {
    for mode in ["bad-string", "bad-va-list", "bad-memcpy", "bad-sprintf"] {
        let r = iwasm_run(&[s(&app()), mode]);
        assert_eq!(r.code, Some(1), "{mode}: {} {}", r.stdout, r.stderr);
        assert_eq!(r.stderr, "Exception: out of bounds memory access\n", "{mode}");
        assert!(!r.stdout.contains("after"), "{mode}: {}", r.stdout);
    }
}

#[test]
fn malloc_uses_the_app_heap_and_returns_null_when_it_is_full() {
    let blocks = |args: &[&str]| {
        let r = iwasm_run(args);
        assert_eq!(r.code, Some(1), "{}", r.stderr);
        assert!(r.stdout.contains("calloc overflow gives NULL: 1\n"), "{}", r.stdout);
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix("malloc returned NULL after ")?.strip_suffix(" blocks")?.parse::<u32>().ok())
            .unwrap_or_else(|| panic!("{}", r.stdout))
    };
    let a = app();
    // iwasm's default --heap-size is 16 KiB (as WAMR's): a few 1000-byte blocks.
    let small = blocks(&[s(&a), "heap-exhaustion"]);
    assert!((10..=16).contains(&small), "{small}");
    let big = blocks(&["--heap-size=256K", s(&a), "heap-exhaustion"]);
    assert!((200..=262).contains(&big), "{big}");
}

/// WAMR's samples/native-lib: a --native-lib library written with lib_export.h's
/// EXPORT_WASM_API_WITH_SIG(2) for an app without libc; the library's `puts` wins over the
/// libc-builtin's.
#[test]
fn wamr_native_lib_sample_and_user_natives_win() {
    let lib = native_lib("wamr_sample_native_lib");
    let app = wasm_app_nostdlib("wamr_sample_native_app");
    let opt = format!("--native-lib={}", s(&lib));
    let r = iwasm_run(&[&opt, s(&app)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "test_add(10, 20) = 30\ntest_sqrt(3, 4) = 5.000000\ntest_hello: 12 [Hello Ember!]\nnative puts: hello from the app\n"
    );
    // Without the library, test_add has no provider (puts alone would be the builtin's).
    let r = iwasm_run(&[s(&app)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("cannot link import env.test_add"), "{}", r.stderr);
}

#[test]
fn an_import_of_the_wrong_type_is_refused_at_instantiation() {
    let wasm = wat::parse_str(r#"(module (import "env" "strlen" (func (param i64) (result i32))) (memory 1) (func (export "main")))"#).unwrap();
    let path = work_dir().join("libc_builtin_bad_type.wasm");
    std::fs::write(&path, wasm).unwrap();
    let r = iwasm_run(&[s(&path)]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("cannot link import env.strlen: the libc-builtin strlen has the WAMR signature ($)i"), "{}", r.stderr);
}
