//! The WASI part of the C API, used in-process through libvmcore.so as an
//! embedder would: `wasm_runtime_set_wasi_args_ex` with the app's stdout sent
//! to a file, argv/env/preopens, `wasm_runtime_get_wasi_exit_code`,
//! `wasm_runtime_is_wasi_mode`, and a bad directory failing instantiation
//! with a message. The wasm apps are those of tests/wasi/src.

use std::ffi::{c_char, c_int, CStr, CString};
use std::os::fd::AsRawFd;
use std::path::PathBuf;

use ember_test_support::{compile_wasm, repo};
use vmcore_sys as sys;

fn build(program: &str) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi_capi");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{program}.wasm"));
    let src = repo().join(format!("tests/wasi/src/{program}.c"));
    compile_wasm(&src, &out, &["--target=wasm32-wasi", "-O2", "-Wno-unused-result"]);
    std::fs::read(out).unwrap()
}

struct Run {
    ok: bool,
    exit_code: u32,
    wasi_mode: bool,
    has_start: bool,
    stdout: String,
    error: String,
}

/// Load `program`, give it WASI arguments through `_ex` (stdout into a
/// file), instantiate and run main.
fn run(program: &str, dirs: &[&str], maps: &[&str], env: &[&str], args: &[&str]) -> Run {
    run_bytes(program, build(program), dirs, maps, env, args)
}

fn run_bytes(program: &str, mut bytes: Vec<u8>, dirs: &[&str], maps: &[&str], env: &[&str], args: &[&str]) -> Run {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("wasi_capi")
        .join(format!("{program}-{}", args.join("_")));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("box")).unwrap();
    std::fs::write(scratch.join("box/hello.txt"), "hello sandbox\n").unwrap();
    let out_path = scratch.join("stdout.txt");
    let out_file = std::fs::File::create(&out_path).unwrap();

    let c = |v: &[&str]| v.iter().map(|s| CString::new(*s).unwrap()).collect::<Vec<_>>();
    let abs = |v: &[&str]| {
        v.iter()
            .map(|s| s.replace("@", scratch.to_str().unwrap()))
            .collect::<Vec<_>>()
    };
    let (dirs, maps) = (abs(dirs), abs(maps));
    let dirs = c(&dirs.iter().map(String::as_str).collect::<Vec<_>>());
    let maps = c(&maps.iter().map(String::as_str).collect::<Vec<_>>());
    let envs = c(env);
    let mut argv = vec![CString::new(program).unwrap()];
    argv.extend(c(args));
    let ptrs = |v: &[CString]| v.iter().map(|s| s.as_ptr()).collect::<Vec<_>>();
    let (dp, mp, ep, ap) = (ptrs(&dirs), ptrs(&maps), ptrs(&envs), ptrs(&argv));

    let mut err = [0 as c_char; 256];
    // SAFETY: the C API is used as documented: init once per call sequence,
    // a module buffer that outlives the module, arrays of valid C strings
    // with their counts, an error buffer with its size; everything is
    // unloaded and destroyed before returning.
    unsafe {
        assert!(sys::wasm_runtime_init());
        let module = sys::wasm_runtime_load(
            bytes.as_mut_ptr(),
            bytes.len() as u32,
            err.as_mut_ptr(),
            err.len() as u32,
        );
        assert!(!module.is_null(), "load: {:?}", CStr::from_ptr(err.as_ptr()));
        // The module without WASI imports is also given no WASI arguments.
        let give_wasi = program != "no_wasi";
        if give_wasi {
            sys::wasm_runtime_set_wasi_args_ex(
                module,
                dp.as_ptr(),
                dp.len() as u32,
                mp.as_ptr(),
                mp.len() as u32,
                ep.as_ptr(),
                ep.len() as u32,
                ap.as_ptr(),
                ap.len() as c_int,
                -1,
                i64::from(out_file.as_raw_fd()),
                -1,
            );
        }
        let inst = sys::wasm_runtime_instantiate(module, 64 * 1024, 0, err.as_mut_ptr(), err.len() as u32);
        let mut r = Run {
            ok: false,
            exit_code: 0,
            wasi_mode: false,
            has_start: false,
            stdout: String::new(),
            error: String::new(),
        };
        if inst.is_null() {
            r.error = CStr::from_ptr(err.as_ptr()).to_string_lossy().into_owned();
        } else {
            r.wasi_mode = sys::wasm_runtime_is_wasi_mode(inst);
            r.has_start = !sys::wasm_runtime_lookup_wasi_start_function(inst).is_null();
            let mut cargv: Vec<*mut c_char> = ap.iter().map(|p| *p as *mut c_char).collect();
            r.ok = sys::wasm_application_execute_main(inst, cargv.len() as i32, cargv.as_mut_ptr());
            if !r.ok {
                let e = sys::wasm_runtime_get_exception(inst);
                if !e.is_null() {
                    r.error = CStr::from_ptr(e).to_string_lossy().into_owned();
                }
            }
            r.exit_code = sys::wasm_runtime_get_wasi_exit_code(inst);
            sys::wasm_runtime_deinstantiate(inst);
        }
        sys::wasm_runtime_unload(module);
        sys::wasm_runtime_destroy();
        drop(out_file);
        r.stdout = std::fs::read_to_string(&out_path).unwrap();
        r
    }
}

// One test function: the runtime is process-wide state, so the steps run in order.
#[test]
fn wasi_through_the_c_api() {
    let r = run("args_env", &[], &[], &["FOO=bar", "WITH_EQ=a=b"], &["x", "y z"]);
    assert!(r.ok, "{}", r.error);
    assert!(r.wasi_mode);
    assert!(r.has_start);
    assert!(
        r.stdout
            .starts_with("argc=3\nargv[0] basename=args_env\nargv[1]=[x]\nargv[2]=[y z]\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("environ[0]=FOO=bar\nenviron[1]=WITH_EQ=a=b\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("getenv(EMPTY)=(null)\n"), "{}", r.stdout);

    // A mapped, read-only preopen given through the C API.
    let r = run("hostile", &[], &["/mapped::@/box:ro"], &[], &[]);
    assert!(r.ok, "{}", r.error);
    assert!(r.stdout.contains("preopens found: 0 1 0\n"), "{}", r.stdout);
    assert!(r.stdout.contains("M open [hello.txt]: SUCCESS\n"), "{}", r.stdout);
    assert!(r.stdout.contains("libc fopen /mapped/hello.txt: ok\n"), "{}", r.stdout);

    let r = run("exit", &[], &[], &[], &["exit", "42"]);
    assert_eq!(r.exit_code, 42, "{} / {}", r.stdout, r.error);
    assert!(r.stdout.contains("atexit handler ran"), "{}", r.stdout);

    let r = run("exit", &[], &[], &[], &["return", "0"]);
    assert!(r.ok);
    assert_eq!(r.exit_code, 0);

    // No WASI imports and no WASI arguments: not in WASI mode, so no WASI
    // start function either.
    let no_wasi: Vec<u8> = [
        &b"\0asm\x01\0\0\0"[..],
        &[0x01, 0x04, 0x01, 0x60, 0x00, 0x00], // type () -> ()
        &[0x03, 0x02, 0x01, 0x00],             // one function
        &[0x07, 0x0a, 0x01, 0x06],
        b"_start",
        &[0x00, 0x00],                         // export "_start"
        &[0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b], // empty body
    ]
    .concat();
    let r = run_bytes("no_wasi", no_wasi, &[], &[], &[], &[]);
    assert!(r.ok, "{}", r.error);
    assert!(!r.wasi_mode);
    assert!(!r.has_start);

    let r = run("stdio", &["@/does-not-exist"], &[], &[], &[]);
    assert!(!r.ok);
    assert!(r.error.contains("does-not-exist"), "{}", r.error);

    let r = run("stdio", &[], &["no-separator"], &[], &[]);
    assert!(!r.ok);
    assert!(r.error.contains("--map-dir"), "{}", r.error);
}
