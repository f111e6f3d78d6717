//! The C API used from C as a WAMR embedder would (tests/native/capi_host.c):
//! user-allocator and pool modes, natives (attachment, raw, pointer checks),
//! call_wasm/call_wasm_a, exceptions, module_malloc, context keys; four threads at once
//! (tests/native/capi_threads.c, also run under ThreadSanitizer by tests/tsan/run.sh). Also: every function
//! declared in wasm_export.h links (tests/native/capi_symbols.c, its list generated from the
//! header), and WAMR's basic sample (tests/native/wamr_sample_basic.c: call_wasm_a, call_wasm
//! on module_malloc'ed memory, call_indirect of guest function pointers from a native).

use ember_test_support::*;

#[test]
fn c_embedding_exercises_the_api() {
    let wat = std::fs::read_to_string(repo().join("tests/native/capi_module.wat")).unwrap();
    let wasm = wat::parse_str(&wat).expect("valid WAT");
    let module = work_dir().join("capi_module.wasm");
    std::fs::write(&module, wasm).unwrap();
    let host = c_program("capi_host");
    let r = run(&host, &[s(&module)]);
    assert!(!r.stdout.contains("FAIL"), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let oks = r.stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert_eq!(oks, 2 * 30 + 12, "{}", r.stdout);
    assert!(r.stdout.ends_with("0 failure(s)\n"));
}

/// Four threads load, instantiate and call at once (racing to translate the functions of a
/// shared module) and churn the allocators, in pool and in system mode; every result is
/// checked, and the pool must be back to its starting use.
#[test]
fn four_threads_share_the_runtime() {
    let wat = std::fs::read_to_string(repo().join("tests/native/capi_threads.wat")).unwrap();
    let module = work_dir().join("capi_threads.wasm");
    std::fs::write(&module, wat::parse_str(&wat).expect("valid WAT")).unwrap();
    let exe = c_program_with("capi_threads", &["-pthread"]);
    for mode in ["pool", "system"] {
        let r = run(&exe, &[s(&module), mode, "40"]);
        assert_eq!(r.code, Some(0), "{mode}: {}\n{}", r.stdout, r.stderr);
        assert_eq!(r.stdout, "40 rounds, 4 threads, 3840 calls, 0 failure(s)\n", "{mode}: {}", r.stderr);
    }
}

/// The functions declared in core/include/wasm_export.h (each declaration starts a line with
/// `WASM_RUNTIME_API_EXTERN <type> <name>(`).
fn declared_functions() -> Vec<String> {
    let header = std::fs::read_to_string(repo().join("core/include/wasm_export.h")).unwrap();
    header
        .split("\nWASM_RUNTIME_API_EXTERN ")
        .skip(1)
        .map(|decl| {
            let head = &decl[..decl.find('(').expect("a function declaration")];
            head.rsplit([' ', '\n', '*']).next().unwrap().to_string()
        })
        .collect()
}

/// Every function of wasm_export.h exists in libvmcore.so: tests/native/capi_symbols.c takes
/// the address of each (its list is generated here from the header) and must link.
#[test]
fn every_declared_function_is_in_libvmcore() {
    let names = declared_functions();
    assert!(names.len() > 80, "{names:?}");
    for must in ["wasm_runtime_call_indirect", "wasm_runtime_full_init", "ember_iwasm_main", "get_package_type"] {
        assert!(names.iter().any(|n| n == must), "{must} not found in the header: {names:?}");
    }
    assert!(names.iter().all(|n| n.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric())), "{names:?}");
    let list: String = names.iter().map(|n| format!("X({n})\n")).collect();
    std::fs::write(work_dir().join("capi_symbols.inc"), list).unwrap();
    let r = run(&c_program_with("capi_symbols", &["-I", s(&work_dir())]), &[]);
    assert_eq!((r.code, r.stdout.trim()), (Some(0), format!("{} functions", names.len()).as_str()), "{}", r.stderr);
}

/// WAMR's samples/basic as an embedder would write it against the unchanged headers:
/// natives given to full_init, call_wasm_a, call_wasm with module_malloc'ed memory, and a
/// native calling the guest's function pointers with wasm_runtime_call_indirect.
#[test]
fn wamr_basic_sample() {
    let app = wasm_app_nostdlib("wamr_sample_basic_app");
    let r = run(&c_program("wamr_sample_basic"), &[s(&app)]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout,
        "generate_float returned 3001.020508\n\
         float_to_string wrote \"3001.021\"\n\
         calling into the native with function pointers add, mul\n\
         native: func1(3, 10) = 13\n\
         calculate(3) returned 26\n\
         calling into the native with function pointers mul, add\n\
         native: func1(-3, 10) = -30\n\
         calculate(-3) returned -28\n\
         call_indirect(12345): false, Exception: undefined element\n"
    );
}
