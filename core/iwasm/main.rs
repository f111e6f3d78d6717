//! iwasm: the command-line runner, WAMR-compatible options. A thin client of
//! libvmcore.so's C API (linked dynamically through vmcore-sys): everything
//! runtime-related happens inside the library.

mod options;

use std::ffi::{c_char, CStr, CString};
use std::io::{BufRead, Write};
use std::process::ExitCode;

use vmcore_sys as sys;

/// Exit status for command-line errors.
const USAGE_ERROR: u8 = 2;
/// Exit status for traps and runtime errors.
const RUN_ERROR: u8 = 1;

fn fail(status: u8, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("iwasm: {msg}");
    ExitCode::from(status)
}

fn cstring(s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("argument contains a NUL byte: {s:?}"))
}

fn error_text(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

fn main() -> ExitCode {
    let args: Vec<String> = match std::env::args_os().skip(1).map(|a| a.into_string()).collect() {
        Ok(a) => a,
        Err(bad) => return fail(USAGE_ERROR, format!("argument is not valid UTF-8: {bad:?}")),
    };
    let opts = match options::parse(&args) {
        Ok(o) => o,
        Err(e) => return fail(USAGE_ERROR, e),
    };
    if opts.help {
        print!("{}", options::help());
        return ExitCode::SUCCESS;
    }
    if opts.version {
        // SAFETY: returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(sys::ember_runtime_version_string()) };
        println!("iwasm {}", v.to_string_lossy());
        return ExitCode::SUCCESS;
    }
    let Some(wasm) = opts.wasm.clone() else {
        return fail(USAGE_ERROR, "no wasm file given (see --help)");
    };
    run(&opts, &wasm)
}

/// The pool buffer outlives the runtime (it is only dropped at exit).
struct Runtime {
    _pool: Option<Vec<u8>>,
    stats: bool,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.stats {
            print_stats();
        }
        // SAFETY: matches the successful init in `Runtime::init`.
        unsafe { sys::wasm_runtime_destroy() };
        // The pool Vec is freed after destroy retired it.
    }
}

impl Runtime {
    fn init(opts: &options::Opts) -> Result<Runtime, String> {
        let mut args = sys::RuntimeInitArgs::zeroed();
        let mut pool = None;
        if let Some(size) = opts.pool_size {
            // calloc-backed: pages are only touched as the pool is used.
            let mut buf = vec![0u8; size as usize];
            args.mem_alloc_type = sys::ALLOC_WITH_POOL;
            args.mem_alloc_option = sys::MemAllocOption { pool: sys::PoolOption { heap_buf: buf.as_mut_ptr().cast(), heap_size: size } };
            pool = Some(buf);
        }
        // SAFETY: args is a valid RuntimeInitArgs; the pool buffer outlives the runtime.
        if !unsafe { sys::wasm_runtime_full_init(&mut args) } {
            return Err("runtime initialisation failed".into());
        }
        // SAFETY: plain call after init.
        unsafe { sys::wasm_runtime_set_log_level(opts.verbose.unwrap_or(2)) };
        Ok(Runtime { _pool: pool, stats: opts.mem_stats })
    }
}

fn print_stats() {
    let mut s = sys::ember_mem_stats_t::default();
    // SAFETY: valid out-pointer.
    if unsafe { sys::ember_runtime_get_mem_stats(&mut s) } {
        let mode = match s.mode {
            sys::ALLOC_WITH_POOL => "pool",
            sys::ALLOC_WITH_ALLOCATOR => "user allocator",
            _ => "system allocator",
        };
        eprintln!(
            "iwasm: memory: mode={mode} pool_size={} pool_free={} in_use={} peak={} allocs={} failed={}",
            s.pool_size, s.pool_free, s.in_use, s.peak, s.allocs, s.failed_allocs
        );
    }
}

/// Owns a loaded module and an instance; unloads in the right order.
struct Loaded {
    module: sys::wasm_module_t,
    inst: sys::wasm_module_inst_t,
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: handles from load/instantiate, released once, instance first.
        unsafe {
            if !self.inst.is_null() {
                sys::wasm_runtime_deinstantiate(self.inst);
            }
            if !self.module.is_null() {
                sys::wasm_runtime_unload(self.module);
            }
        }
    }
}

fn run(opts: &options::Opts, wasm: &str) -> ExitCode {
    let runtime = match Runtime::init(opts) {
        Ok(r) => r,
        Err(e) => return fail(RUN_ERROR, e),
    };
    let status = match run_app(opts, wasm) {
        Ok(code) => code,
        Err(e) => fail(RUN_ERROR, e),
    };
    drop(runtime);
    status
}

fn run_app(opts: &options::Opts, wasm: &str) -> Result<ExitCode, String> {
    // SAFETY: plain setter.
    unsafe { sys::ember_runtime_set_default_fuel(opts.fuel) };
    let mut err = [0u8; 256];
    for (key, value) in &opts.nn_settings {
        let k = cstring(key)?;
        let v = value.as_deref().map(cstring).transpose()?;
        let vp = v.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: valid C strings (value may be NULL) and error buffer.
        if !unsafe { sys::ember_nn_set_option(k.as_ptr(), vp, err.as_mut_ptr().cast(), err.len() as u32) } {
            return Err(error_text(&err));
        }
    }
    for lib in &opts.native_libs {
        let p = cstring(lib)?;
        // SAFETY: valid C string and error buffer.
        if !unsafe { sys::ember_runtime_load_native_lib(p.as_ptr(), err.as_mut_ptr().cast(), err.len() as u32) } {
            return Err(format!("cannot load native library: {}", error_text(&err)));
        }
    }
    let mut bytes = std::fs::read(wasm).map_err(|e| format!("cannot read {wasm}: {e}"))?;
    let size = u32::try_from(bytes.len()).map_err(|_| format!("{wasm} is too large"))?;
    // SAFETY: buffer of `size` bytes; error buffer of err.len() bytes.
    let module = unsafe { sys::wasm_runtime_load(bytes.as_mut_ptr(), size, err.as_mut_ptr().cast(), err.len() as u32) };
    if module.is_null() {
        return Err(format!("{wasm}: {}", error_text(&err)));
    }
    let mut loaded = Loaded { module, inst: std::ptr::null_mut() };

    // WASI: argv[0] is the wasm file, as in WAMR.
    let to_c = |v: &[String]| v.iter().map(|s| cstring(s)).collect::<Result<Vec<_>, _>>();
    let dirs = to_c(&opts.dirs)?;
    let maps = to_c(&opts.map_dirs)?;
    let envs = to_c(&opts.env)?;
    let mut argv_s = vec![cstring(wasm)?];
    argv_s.extend(to_c(&opts.app_args)?);
    let mut dir_p: Vec<*const c_char> = dirs.iter().map(|c| c.as_ptr()).collect();
    let mut map_p: Vec<*const c_char> = maps.iter().map(|c| c.as_ptr()).collect();
    let mut env_p: Vec<*const c_char> = envs.iter().map(|c| c.as_ptr()).collect();
    let mut argv_p: Vec<*mut c_char> = argv_s.iter().map(|c| c.as_ptr() as *mut c_char).collect();
    // SAFETY: arrays of valid C strings with their counts; copied by the callee.
    unsafe {
        sys::wasm_runtime_set_wasi_args(
            module,
            dir_p.as_mut_ptr(),
            dir_p.len() as u32,
            map_p.as_mut_ptr(),
            map_p.len() as u32,
            env_p.as_mut_ptr(),
            env_p.len() as u32,
            argv_p.as_mut_ptr(),
            argv_p.len() as i32,
        )
    };

    // SAFETY: live module; error buffer as above.
    let inst = unsafe { sys::wasm_runtime_instantiate(module, opts.stack_size, opts.heap_size, err.as_mut_ptr().cast(), err.len() as u32) };
    if inst.is_null() {
        return Err(format!("{wasm}: {}", error_text(&err)));
    }
    loaded.inst = inst;

    if opts.repl {
        repl(inst);
        return Ok(ExitCode::SUCCESS);
    }

    let ok = if let Some(f) = &opts.function {
        let name = cstring(f)?;
        let app = to_c(&opts.app_args)?;
        let mut app_p: Vec<*mut c_char> = app.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        // SAFETY: live instance; argv of valid C strings.
        unsafe { sys::wasm_application_execute_func(inst, name.as_ptr(), app_p.len() as i32, app_p.as_mut_ptr()) }
    } else {
        // SAFETY: live instance; argv of valid C strings.
        unsafe { sys::wasm_application_execute_main(inst, argv_p.len() as i32, argv_p.as_mut_ptr()) }
    };
    let _ = std::io::stdout().flush();
    if !ok {
        // SAFETY: live instance; the exception string is valid until changed.
        let e = unsafe { sys::wasm_runtime_get_exception(inst) };
        let msg = if e.is_null() {
            "the app failed".to_string()
        } else {
            // SAFETY: NUL-terminated string owned by the instance.
            unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
        };
        eprintln!("{msg}");
        return Ok(ExitCode::from(RUN_ERROR));
    }
    // SAFETY: live instance.
    let code = unsafe { sys::wasm_runtime_get_wasi_exit_code(inst) };
    Ok(ExitCode::from(code as u8))
}

fn repl(inst: sys::wasm_module_inst_t) {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        print!("webassembly> ");
        let _ = std::io::stdout().flush();
        line.clear();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let mut words = line.split_whitespace();
        let Some(func) = words.next() else { continue };
        if func == "__exit__" {
            break;
        }
        let (Ok(name), Ok(args)) = (cstring(func), words.map(cstring).collect::<Result<Vec<_>, _>>()) else {
            eprintln!("iwasm: NUL byte in input");
            continue;
        };
        let mut argv: Vec<*mut c_char> = args.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        // SAFETY: live instance; argv of valid C strings.
        let ok = unsafe { sys::wasm_application_execute_func(inst, name.as_ptr(), argv.len() as i32, argv.as_mut_ptr()) };
        if !ok {
            // SAFETY: as in run_app.
            let e = unsafe { sys::wasm_runtime_get_exception(inst) };
            if !e.is_null() {
                // SAFETY: NUL-terminated string owned by the instance.
                println!("{}", unsafe { CStr::from_ptr(e) }.to_string_lossy());
            }
            // SAFETY: live instance.
            unsafe { sys::wasm_runtime_clear_exception(inst) };
        }
    }
    println!();
}
