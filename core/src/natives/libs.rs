//! Native libraries (iwasm `--native-lib=`), WAMR protocol:
//! - `uint32_t get_native_lib(char **module_name, NativeSymbol **symbols)`
//!   (required) returns the symbol count;
//! - `int init_native_lib(void)` (optional) is called first; non-zero = failure;
//! - `void deinit_native_lib(void)` (optional) is called when the runtime is
//!   destroyed, after the symbols were unregistered.
//!
//! The libraries are registered as `wasm_runtime_register_natives` would. Before that, each
//! host interface may claim the library as its own ([`HostInterface::claim_library`]: wasi-nn
//! takes the libraries that export `ember_nn_backend_entry` as backends); a claimed library
//! registers no natives. The C API passes its list of interfaces, so this module names none.

use std::ffi::{c_char, CStr};
use std::path::Path;
use std::sync::Mutex;

use ember_platform::dynlib::DynLib;

use super::{Error, LibraryError, NativeSymbol};
use crate::runtime::host::HostInterface;

type GetNativeLib = unsafe extern "C" fn(*mut *mut c_char, *mut *mut NativeSymbol) -> u32;
type InitNativeLib = unsafe extern "C" fn() -> i32;
type DeinitNativeLib = unsafe extern "C" fn();

struct Loaded {
    module: String,
    symbols: usize,
    deinit: Option<DeinitNativeLib>,
    _lib: DynLib,
}

static LIBS: Mutex<Vec<Loaded>> = Mutex::new(Vec::new());

/// Load `path` and register its natives, unless one of `interfaces` claims it. Returns
/// (module name, symbol count); a claimed library: (its description, 0).
pub fn load(path: &Path, interfaces: &[&dyn HostInterface]) -> Result<(String, u32), Error> {
    let fail_with = |why| Error::Library { path: path.to_path_buf(), why };
    if let Some(r) = interfaces.iter().find_map(|i| i.claim_library(path)) {
        return r.map_err(Error::Claimed).map(|desc| {
            log::info!("native library {desc}");
            (desc, 0)
        });
    }
    let lib = DynLib::open(path).map_err(|m| fail_with(LibraryError::Open(m)))?;
    let shown = path.display();
    let get = lib
        .symbol_address("get_native_lib")
        .ok_or_else(|| fail_with(LibraryError::NotNative))?;
    // SAFETY: the WAMR native-lib protocol fixes these C signatures.
    let get: GetNativeLib = unsafe { std::mem::transmute::<*const std::ffi::c_void, GetNativeLib>(get) };
    if let Some(init) = lib.symbol_address("init_native_lib") {
        // SAFETY: as above.
        let init: InitNativeLib = unsafe { std::mem::transmute::<*const std::ffi::c_void, InitNativeLib>(init) };
        // SAFETY: calling the library's initialiser per protocol.
        let rc = unsafe { init() };
        if rc != 0 {
            return Err(fail_with(LibraryError::Init(rc)));
        }
    }
    let deinit = lib
        .symbol_address("deinit_native_lib")
        // SAFETY: as above.
        .map(|d| unsafe { std::mem::transmute::<*const std::ffi::c_void, DeinitNativeLib>(d) });
    let mut module: *mut c_char = std::ptr::null_mut();
    let mut symbols: *mut NativeSymbol = std::ptr::null_mut();
    // SAFETY: out-pointers are valid locals.
    let n = unsafe { get(&mut module, &mut symbols) };
    let fail = |why: LibraryError| {
        if let Some(d) = deinit {
            // SAFETY: protocol: undo init_native_lib.
            unsafe { d() };
        }
        Err(fail_with(why))
    };
    if module.is_null() || (symbols.is_null() && n > 0) {
        return fail(LibraryError::Empty);
    }
    // SAFETY: the library returns a NUL-terminated module name.
    let module = unsafe { CStr::from_ptr(module) }.to_string_lossy().into_owned();
    // SAFETY: the library owns `n` symbols at `symbols` for as long as it is loaded; a
    // registration the pool cannot hold is refused before it is made.
    let checked = unsafe { super::check_native_room(&module, symbols, n) };
    // SAFETY: as above.
    if let Err(e) = checked.and_then(|()| unsafe { super::register(&module, symbols, n, false) }) {
        return fail(LibraryError::Register(Box::new(e)));
    }
    log::info!("native library {shown}: {n} function(s) for module \"{module}\"");
    LIBS.lock().unwrap_or_else(|e| e.into_inner()).push(Loaded {
        module: module.clone(),
        symbols: symbols as usize,
        deinit,
        _lib: lib,
    });
    Ok((module, n))
}

/// Unregister, deinit and close every loaded library (newest first).
pub fn unload_all() {
    let libs: Vec<Loaded> = std::mem::take(&mut *LIBS.lock().unwrap_or_else(|e| e.into_inner()));
    for l in libs.into_iter().rev() {
        super::unregister(&l.module, l.symbols as *const NativeSymbol);
        if let Some(d) = l.deinit {
            // SAFETY: protocol: the library's finaliser, called once.
            unsafe { d() };
        }
        // `l._lib` drops here: dlclose.
    }
}
