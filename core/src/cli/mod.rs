//! iwasm's command line, WAMR-compatible options (see `options`). It lives in
//! libvmcore.so so that bin/iwasm is a few-KB program (core/iwasm/main.rs) that only
//! calls [`ember_iwasm_main`]: a Rust executable of its own would carry a second copy
//! of std's runtime (~330 KB on aarch64). The runner drives the runtime through the
//! same C API functions any embedder uses.
//!
//! Order of start-up: runtime init (memory mode), wasi-nn options through
//! `ember_nn_set_option` (so backend options reach backends given by --native-lib), then the
//! `--native-lib` libraries (loaded by libvmcore.so, `ember_runtime_load_native_lib`), then the
//! app. Default memory mode: the system allocator, because linear memories and models are
//! sized by the app and a fixed pool would cap them arbitrarily; `--pool-size` bounds
//! everything to one pool, and then the wasm file's bytes are read into the pool too (as
//! WAMR's iwasm does). Only regular files of at most 512 MiB are read. Exit status: the app's
//! proc_exit status or main's return value; 1 for a trap or runtime error (the exception text
//! on stderr); 2 for a command-line error; every error is one line on stderr.

pub mod options;

use std::ffi::{c_char, c_int, CStr, CString};
use std::fmt;
use std::io::{BufRead, Write};

use crate::capi::call::{wasm_application_execute_func, wasm_application_execute_main};
use crate::capi::instance::{
    wasm_runtime_clear_exception, wasm_runtime_deinstantiate, wasm_runtime_get_exception, wasm_runtime_get_wasi_exit_code,
    wasm_runtime_instantiate,
};
use crate::capi::module::{wasm_runtime_load, wasm_runtime_unload};
use crate::capi::runtime::{
    ember_runtime_get_mem_stats, ember_runtime_load_native_lib, ember_runtime_set_default_fuel, ember_runtime_version_string,
    wasm_runtime_destroy, wasm_runtime_full_init, wasm_runtime_set_log_level,
};
use crate::capi::types::{ember_mem_stats_t, MemAllocOption, PoolOption, RuntimeInitArgs, ALLOC_WITH_ALLOCATOR, ALLOC_WITH_POOL};
use crate::nn::capi::ember_nn_set_option;
use crate::runtime::instance::ModuleInst;
use crate::runtime::module::LoadedModule;
use crate::wasi::capi::wasm_runtime_set_wasi_args;

/// Exit status for command-line errors.
const USAGE_ERROR: u8 = 2;
/// Exit status for traps and runtime errors.
const RUN_ERROR: u8 = 1;
/// Exit status when the runner itself panicked (a bug; the panic is logged).
const INTERNAL_ERROR: c_int = 70;

type ExitCode = u8;

/// Why iwasm could not run the app (exit status 1; a bad command line is [`options::Error`]).
/// `Display` gives the line printed after "iwasm: ".
#[derive(Debug)]
pub enum Error {
    /// An argument (option value, app argument) with a NUL byte, which C strings cannot hold.
    Nul { arg: String },
    /// `--pool-size`: the pool could not be mapped.
    Pool { size: u32, why: ember_platform::SysError },
    /// `wasm_runtime_full_init` failed.
    Init,
    /// `ember_nn_set_option` refused a wasi-nn option (its error text).
    NnOption(String),
    /// `ember_runtime_load_native_lib` failed (its error text).
    NativeLib(String),
    /// The wasm file could not be read.
    Read { wasm: String, why: ReadError },
    /// The module was refused by `wasm_runtime_load` or `wasm_runtime_instantiate` (its error text).
    Module { wasm: String, why: String },
}

/// Why the wasm file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Directory,
    NotRegular,
    Io(std::io::Error),
    /// More than [`MAX_WASM_FILE`] bytes.
    TooLarge { len: u64 },
    /// The buffer for `len` bytes could not be allocated (`pool`: in the memory pool).
    NoRoom { len: u64, pool: bool },
    /// Fewer bytes were read than the file had when opened.
    Changed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Nul { arg } => write!(f, "argument contains a NUL byte: {arg:?}"),
            Error::Pool { size, why } => write!(f, "cannot map a memory pool of {size} bytes: {why}"),
            Error::Init => f.write_str("runtime initialisation failed"),
            Error::NnOption(m) => f.write_str(m),
            Error::NativeLib(m) => write!(f, "cannot load native library: {m}"),
            Error::Read { wasm, why } => match why {
                ReadError::Directory => write!(f, "cannot read {wasm}: a directory"),
                ReadError::NotRegular => write!(f, "cannot read {wasm}: not a regular file"),
                ReadError::Io(e) => write!(f, "cannot read {wasm}: {e}"),
                ReadError::TooLarge { len } => write!(
                    f,
                    "cannot read {wasm}: {len} bytes is more than the limit of {MAX_WASM_FILE} bytes for a wasm file"
                ),
                ReadError::NoRoom { len, pool } => {
                    let why = if *pool { "memory pool too small for the file" } else { "out of memory" };
                    write!(f, "cannot read {wasm} ({len} bytes): {why}")
                }
                ReadError::Changed => write!(f, "cannot read {wasm}: the file changed size while being read"),
            },
            Error::Module { wasm, why } => write!(f, "{wasm}: {why}"),
        }
    }
}

impl std::error::Error for Error {}

fn fail(status: u8, msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("iwasm: {msg}");
    status
}

fn cstring(s: &str) -> Result<CString, Error> {
    CString::new(s).map_err(|_| Error::Nul { arg: s.to_string() })
}

fn error_text(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// iwasm's `main`: runs the command line `argv[0..argc]` and returns the process exit
/// status (the app's exit code, 1 on a trap or runtime error, 2 on a usage error).
///
/// # Safety
/// `argv` must hold `argc` NUL-terminated strings (argv[0], the program name, is skipped).
#[no_mangle]
pub unsafe extern "C" fn ember_iwasm_main(argc: c_int, argv: *const *const c_char) -> c_int {
    let mut args = Vec::new();
    for k in 1..usize::try_from(argc).unwrap_or(0) {
        // SAFETY: the caller passes argc valid C strings.
        let a = unsafe { CStr::from_ptr(*argv.add(k)) };
        match a.to_str() {
            Ok(s) => args.push(s.to_string()),
            Err(_) => return c_int::from(fail(USAGE_ERROR, format!("argument is not valid UTF-8: {a:?}"))),
        }
    }
    let status = crate::capi::guard(INTERNAL_ERROR, || c_int::from(run_command_line(&args)));
    let _ = std::io::stdout().flush();
    status
}

fn run_command_line(args: &[String]) -> ExitCode {
    let opts = match options::parse(args) {
        Ok(o) => o,
        Err(e) => return fail(USAGE_ERROR, e),
    };
    if opts.help {
        print!("{}", options::help());
        return 0;
    }
    if opts.version {
        // SAFETY: returns a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(ember_runtime_version_string()) };
        println!("iwasm {}", v.to_string_lossy());
        return 0;
    }
    let Some(wasm) = opts.wasm.clone() else {
        return fail(USAGE_ERROR, "no wasm file given (see --help)");
    };
    run(&opts, &wasm)
}

/// The pool buffer outlives the runtime: it is never unmapped (see `Drop`).
struct Runtime {
    pool: Option<ember_platform::vmem::VMem>,
    stats: bool,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if self.stats {
            print_stats();
        }
        // Matches the successful init in `Runtime::init`.
        wasm_runtime_destroy();
        // The retired pool stays mapped until the process exits: std state allocated lazily
        // in pool mode (stdout's buffer) may still live in it.
        std::mem::forget(self.pool.take());
    }
}

impl Runtime {
    fn init(opts: &options::Opts) -> Result<Runtime, Error> {
        let mut args = RuntimeInitArgs::zeroed();
        let mut pool = None;
        if let Some(size) = opts.pool_size {
            // Fresh anonymous pages: zero, and only touched as the pool is used.
            let buf = ember_platform::vmem::VMem::new(size as usize, size as usize)
                .map_err(|why| Error::Pool { size, why })?;
            args.mem_alloc_type = ALLOC_WITH_POOL;
            args.mem_alloc_option = MemAllocOption { pool: PoolOption { heap_buf: buf.as_ptr().cast(), heap_size: size } };
            pool = Some(buf);
        }
        // SAFETY: args is a valid RuntimeInitArgs; the pool buffer outlives the runtime.
        if !unsafe { wasm_runtime_full_init(&mut args) } {
            std::mem::forget(pool); // whatever the failed init put in it stays valid
            return Err(Error::Init);
        }
        if pool.is_some() {
            // The buffer came zeroed from the kernel and only the pool has written to it, so
            // zeroed allocations (linear memories) leave its untouched pages alone.
            crate::alloc::pool::assume_zeroed();
        }
        wasm_runtime_set_log_level(opts.verbose.unwrap_or(2));
        Ok(Runtime { pool, stats: opts.mem_stats })
    }
}

fn print_stats() {
    let mut s = ember_mem_stats_t::default();
    // SAFETY: valid out-pointer.
    if unsafe { ember_runtime_get_mem_stats(&mut s) } {
        let mode = match s.mode {
            ALLOC_WITH_POOL => "pool",
            ALLOC_WITH_ALLOCATOR => "user allocator",
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
    module: *mut LoadedModule,
    inst: *mut ModuleInst,
}

impl Drop for Loaded {
    fn drop(&mut self) {
        // SAFETY: handles from load/instantiate, released once, instance first.
        unsafe {
            if !self.inst.is_null() {
                wasm_runtime_deinstantiate(self.inst);
            }
            if !self.module.is_null() {
                wasm_runtime_unload(self.module);
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

fn run_app(opts: &options::Opts, wasm: &str) -> Result<ExitCode, Error> {
    ember_runtime_set_default_fuel(opts.fuel);
    let mut err = [0u8; 256];
    for (key, value) in &opts.nn_settings {
        let k = cstring(key)?;
        let v = value.as_deref().map(cstring).transpose()?;
        let vp = v.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: valid C strings (value may be NULL) and error buffer.
        if !unsafe { ember_nn_set_option(k.as_ptr(), vp, err.as_mut_ptr().cast(), err.len() as u32) } {
            return Err(Error::NnOption(error_text(&err)));
        }
    }
    for lib in &opts.native_libs {
        let p = cstring(lib)?;
        // SAFETY: valid C string and error buffer.
        if !unsafe { ember_runtime_load_native_lib(p.as_ptr(), err.as_mut_ptr().cast(), err.len() as u32) } {
            return Err(Error::NativeLib(error_text(&err)));
        }
    }
    let mut bytes = read_file(wasm, opts.pool_size.is_some()).map_err(|why| Error::Read { wasm: wasm.to_string(), why })?;
    // (MAX_WASM_FILE < 4 GiB: read_file refuses anything larger.)
    let size = bytes.len() as u32;
    // SAFETY: buffer of `size` bytes; error buffer of err.len() bytes.
    let module = unsafe { wasm_runtime_load(bytes.as_mut_ptr(), size, err.as_mut_ptr().cast(), err.len() as u32) };
    // Ember's loader keeps its own copy (without trailing custom sections), unlike WAMR's,
    // whose iwasm must keep the file: free it before instantiation needs the pool.
    drop(bytes);
    if module.is_null() {
        return Err(Error::Module { wasm: wasm.to_string(), why: error_text(&err) });
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
        wasm_runtime_set_wasi_args(
            module.cast(),
            dir_p.as_mut_ptr(),
            dir_p.len() as u32,
            map_p.as_mut_ptr(),
            map_p.len() as u32,
            env_p.as_mut_ptr(),
            env_p.len() as u32,
            argv_p.as_ptr().cast(),
            argv_p.len() as i32,
        )
    };

    // SAFETY: live module; error buffer as above.
    let inst = unsafe { wasm_runtime_instantiate(module, opts.stack_size, opts.heap_size, err.as_mut_ptr().cast(), err.len() as u32) };
    if inst.is_null() {
        return Err(Error::Module { wasm: wasm.to_string(), why: error_text(&err) });
    }
    loaded.inst = inst;

    if opts.repl {
        repl(inst);
        return Ok(0);
    }

    let ok = if let Some(f) = &opts.function {
        let name = cstring(f)?;
        let app = to_c(&opts.app_args)?;
        let mut app_p: Vec<*mut c_char> = app.iter().map(|c| c.as_ptr() as *mut c_char).collect();
        // SAFETY: live instance; argv of valid C strings.
        unsafe { wasm_application_execute_func(inst, name.as_ptr(), app_p.len() as i32, app_p.as_mut_ptr()) }
    } else {
        // SAFETY: live instance; argv of valid C strings.
        unsafe { wasm_application_execute_main(inst, argv_p.len() as i32, argv_p.as_mut_ptr()) }
    };
    let _ = std::io::stdout().flush();
    if !ok {
        // SAFETY: live instance; the exception string is valid until changed.
        let e = unsafe { wasm_runtime_get_exception(inst) };
        let msg = if e.is_null() {
            "the app failed".to_string()
        } else {
            // SAFETY: NUL-terminated string owned by the instance.
            unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
        };
        eprintln!("{msg}");
        return Ok(RUN_ERROR);
    }
    // SAFETY: live instance.
    let code = unsafe { wasm_runtime_get_wasi_exit_code(inst) };
    Ok(code as u8)
}

/// Largest wasm file iwasm reads (512 MiB): far above real apps (a wasi-libc app is ~100 KiB;
/// models are loaded by wasi-nn, not embedded), far below what would exhaust a device.
pub const MAX_WASM_FILE: u64 = 512 << 20;
const _: () = assert!(MAX_WASM_FILE <= u32::MAX as u64, "wasm_runtime_load takes a u32 size");

/// The wasm file's bytes. In pool mode they live in the pool (as in WAMR's iwasm), so a
/// pool too small for the file is reported as such. Only regular files of at most
/// [`MAX_WASM_FILE`] bytes are read: /dev/zero, a FIFO or a directory fail at once.
fn read_file(wasm: &str, pool: bool) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let not_file = |meta: &std::fs::Metadata| Err(if meta.is_dir() { ReadError::Directory } else { ReadError::NotRegular });
    // stat before open: opening a FIFO blocks until a writer appears.
    let meta = std::fs::metadata(wasm).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return not_file(&meta);
    }
    let f = std::fs::File::open(wasm).map_err(ReadError::Io)?;
    let meta = f.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return not_file(&meta); // replaced between stat and open
    }
    let len = meta.len();
    if len > MAX_WASM_FILE {
        return Err(ReadError::TooLarge { len });
    }
    let mut bytes = Vec::new();
    if bytes.try_reserve_exact(len as usize).is_err() {
        return Err(ReadError::NoRoom { len, pool });
    }
    // Never more than the size when opened (the reserved capacity: no reallocation).
    f.take(len).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 != len {
        return Err(ReadError::Changed);
    }
    Ok(bytes)
}

fn repl(inst: *mut ModuleInst) {
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
        let ok = unsafe { wasm_application_execute_func(inst, name.as_ptr(), argv.len() as i32, argv.as_mut_ptr()) };
        if !ok {
            // SAFETY: as in run_app.
            let e = unsafe { wasm_runtime_get_exception(inst) };
            if !e.is_null() {
                // SAFETY: NUL-terminated string owned by the instance.
                println!("{}", unsafe { CStr::from_ptr(e) }.to_string_lossy());
            }
            // SAFETY: live instance.
            unsafe { wasm_runtime_clear_exception(inst) };
        }
    }
    println!();
}
