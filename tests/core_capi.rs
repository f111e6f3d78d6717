//! The C API used from C as a WAMR embedder would (tests/native/capi_host.c):
//! user-allocator and pool modes, natives (attachment, raw, pointer checks),
//! call_wasm/call_wasm_a, exceptions, module_malloc, context keys.

#[path = "core/support.rs"]
mod support;

use support::*;

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
    assert_eq!(oks, 2 * 28 + 11, "{}", r.stdout);
    assert!(r.stdout.ends_with("0 failure(s)\n"));
}
