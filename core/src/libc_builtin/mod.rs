//! WAMR's libc-builtin: the `env` functions (printf, malloc, memcpy, strlen, ...) that let an
//! app built with `clang --target=wasm32 -nostdlib -Wl,--allow-undefined` run without WASI.
//!
//! Linking ([`LibcBuiltin`], last of the C API's host interfaces): an import of module `env` is
//! looked up here only after the registered natives (`--native-lib`, `wasm_runtime_register_natives`), WASI and wasi-nn,
//! so a user's native of the same name wins, as in WAMR; and only the functions an app imports
//! are linked. [`TABLE`] is the one list: each row names the function, its WAMR signature
//! string (which gives the wasm import type; an import of another type is refused) and the
//! Rust function. The `*`/`~`/`$` of a signature are not checked by glue here: each function
//! touches memory only through the runtime's `GuestMemory` ([`Env::mem`]), so every guest
//! pointer is checked as it is used, and a bad one traps with "out of bounds memory access"
//! (never a host access outside linear memory).
//!
//! Differences from WAMR 2.4, all towards C: `exit(n)` ends the app with status n (like WASI's
//! proc_exit; WAMR raises the exception "env.exit(n)"); `putchar` returns its character (WAMR:
//! 1); `strtol`/`strtoul` clamp to the 32-bit range and leave a NULL `endptr` alone; string
//! functions read only the bytes C reads (`strncmp` of two short strings near the end of memory
//! is fine; WAMR checks `n` bytes); `abort` also links as `void abort(void)`; `strrchr` is an
//! Ember addition. printf's conversions are described in [`printf`].

mod funcs;
pub mod printf;

use ember_interp::{Caller, Func, FuncType, Trap, Val, ValType};

use crate::natives::host_call;
use crate::natives::signature::Signature;
use crate::runtime::error::{describe, LinkError};
use crate::runtime::guest_memory::GuestMemory;
use crate::runtime::host::{HostInterface, Linking, StoreData};
use crate::runtime::instance::ModuleInst;

/// The import module these functions belong to.
pub const MODULE: &str = "env";

/// What a builtin works on: the calling instance's linear memory and app heap.
pub struct Env<'a> {
    inst: &'a ModuleInst,
}

impl Env<'_> {
    /// Linear memory 0 (empty when the app has none: every access then traps).
    pub fn mem(&mut self) -> GuestMemory<'_> {
        GuestMemory::new(match self.inst.memory.get() {
            // SAFETY: a builtin runs as a host call whose store path the glue recorded
            // (`enter_host`); the borrow is tied to `&mut self`, so no other one is alive.
            Some(m) => m.data_mut(unsafe { self.inst.store() }),
            None => &mut [],
        })
    }
    /// `wasm_runtime_module_malloc` (0 when there is no room, as C's malloc).
    pub fn malloc(&mut self, size: u64) -> u32 {
        crate::runtime::app_memory::module_malloc(self.inst, size).and_then(|o| u32::try_from(o).ok()).unwrap_or(0)
    }
    pub fn free(&mut self, off: u32) {
        crate::runtime::app_memory::module_free(self.inst, off as u64);
    }
    /// The size of a live app-heap block (None for anything else).
    pub fn block_size(&self, off: u32) -> Option<u64> {
        self.inst.heap.borrow().as_ref()?.size_of(off as u64)
    }
}

/// A builtin: i32 arguments in, the result's bits out (ignored for `()` results).
pub type BuiltinFn = fn(&mut Env<'_>, &[u32]) -> Result<u64, Trap>;

/// One libc-builtin function.
pub struct Builtin {
    pub name: &'static str,
    /// WAMR's signature string, e.g. `"($*)i"`: the import's type.
    pub signature: &'static str,
    pub func: BuiltinFn,
}

macro_rules! builtins {
    ($( $name:literal $sig:literal => $func:path, )*) => {
        /// Every libc-builtin function (WAMR 2.4's list, plus the additions in the module docs).
        pub static TABLE: &[Builtin] = &[ $( Builtin { name: $name, signature: $sig, func: $func }, )* ];
    };
}

builtins! {
    "printf" "($*)i" => funcs::printf,
    "sprintf" "($$*)i" => funcs::sprintf,
    "snprintf" "(*~$*)i" => funcs::snprintf,
    "vprintf" "($*)i" => funcs::printf,
    "vsprintf" "($$*)i" => funcs::sprintf,
    "vsnprintf" "(*~$*)i" => funcs::snprintf,
    "puts" "($)i" => funcs::puts,
    "putchar" "(i)i" => funcs::putchar,
    "memcmp" "(**~)i" => funcs::memcmp,
    "memcpy" "(**~)i" => funcs::memmove,
    "memmove" "(**~)i" => funcs::memmove,
    "memset" "(*ii)i" => funcs::memset,
    "strchr" "($i)i" => funcs::strchr,
    "strrchr" "($i)i" => funcs::strrchr,
    "strcmp" "($$)i" => funcs::strcmp,
    "strcpy" "(*$)i" => funcs::strcpy,
    "strlen" "($)i" => funcs::strlen,
    "strncmp" "(**~)i" => funcs::strncmp,
    "strncpy" "(**~)i" => funcs::strncpy,
    "malloc" "(i)i" => funcs::malloc,
    "realloc" "(ii)i" => funcs::realloc,
    "calloc" "(ii)i" => funcs::calloc,
    "strdup" "($)i" => funcs::strdup,
    "_strdup" "($)i" => funcs::strdup,
    "free" "(*)" => funcs::free,
    "atoi" "($)i" => funcs::atoi,
    "exit" "(i)" => funcs::exit,
    "strtol" "($*i)i" => funcs::strtol,
    "strtoul" "($*i)i" => funcs::strtoul,
    "memchr" "(*ii)i" => funcs::memchr,
    "strncasecmp" "($$i)i" => funcs::strncasecmp,
    "strspn" "($$)i" => funcs::strspn,
    "strcspn" "($$)i" => funcs::strcspn,
    "strstr" "($$)i" => funcs::strstr,
    "isupper" "(i)i" => funcs::isupper,
    "isalpha" "(i)i" => funcs::isalpha,
    "isspace" "(i)i" => funcs::isspace,
    "isgraph" "(i)i" => funcs::isgraph,
    "isprint" "(i)i" => funcs::isprint,
    "isdigit" "(i)i" => funcs::isdigit,
    "isxdigit" "(i)i" => funcs::isxdigit,
    "tolower" "(i)i" => funcs::tolower,
    "toupper" "(i)i" => funcs::toupper,
    "isalnum" "(i)i" => funcs::isalnum,
    "emscripten_memcpy_big" "(**~)i" => funcs::memmove,
    "abort" "(i)" => funcs::abort,
    "abort" "()" => funcs::abort,
    "abortStackOverflow" "(i)" => funcs::abort_stack_overflow,
    "nullFunc_X" "(i)" => funcs::null_func_x,
    "__cxa_allocate_exception" "(i)i" => funcs::malloc,
    "__cxa_begin_catch" "(*)" => funcs::nothing,
    "__cxa_throw" "(**i)" => funcs::cxa_throw,
    "clock_gettime" "(i*)i" => funcs::clock_gettime,
    "clock" "()I" => funcs::clock,
}

/// Is there a builtin of this name (of any type)?
pub fn exists(name: &str) -> bool {
    TABLE.iter().any(|b| b.name == name)
}

/// A libc-builtin imported with a type none of its rows has.
#[derive(Debug)]
pub struct Mismatch {
    name: String,
    signatures: Vec<&'static str>,
    import: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Mismatch { name, signatures, import } = self;
        write!(f, "the libc-builtin {name} has the WAMR signature {} but the module imports it as {import}", signatures.join(" or "))
    }
}

impl std::error::Error for Mismatch {}

/// The builtin `name` whose type is `ft`; Err names the types it has when none matches.
pub fn find(name: &str, ft: &FuncType) -> Result<&'static Builtin, Mismatch> {
    let rows = || TABLE.iter().filter(|b| b.name == name);
    rows().find(|b| Signature::parse(b.signature).is_ok_and(|s| s.matches(&ft.params, &ft.results))).ok_or_else(|| Mismatch {
        name: name.to_string(),
        signatures: rows().map(|b| b.signature).collect(),
        import: describe(&ft.params, &ft.results),
    })
}

/// The libc-builtin as a host interface: functions of module `env`, linked last.
pub struct LibcBuiltin;

impl HostInterface for LibcBuiltin {
    fn provides(&self, module: &str, field: &str) -> bool {
        module == MODULE && exists(field)
    }

    fn link(&self, at: &mut Linking<'_>, m: &str, f: &str, ft: &FuncType) -> Result<Func, LinkError> {
        log::trace!("import {m}.{f}: libc-builtin");
        let b = find(f, ft).map_err(|e| LinkError::Host(Box::new(e)))?;
        let ip = at.inst;
        Ok(Func::new_host(at.store, ft.clone(), move |caller: Caller<'_, StoreData>, args: &[Val], results: &mut [Val]| {
            // SAFETY: the instance owns the store that owns this closure, so it is alive
            // whenever the closure runs.
            let inst = unsafe { &*ip };
            host_call(inst, caller, || call(inst, b, args, results))
        }))
    }
}

/// Run builtin `b` for `inst` (inside its host call; the glue has recorded the store path).
pub fn call(inst: &ModuleInst, b: &Builtin, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
    let mut a = [0u32; 4];
    for (slot, v) in a.iter_mut().zip(args) {
        if let Val::I32(x) = v {
            *slot = *x as u32;
        }
    }
    let bits = (b.func)(&mut Env { inst }, &a[..args.len().min(4)])?;
    if let Some(r) = results.first_mut() {
        *r = match r.ty() {
            ValType::I64 => Val::I64(bits as i64),
            _ => Val::I32(bits as u32 as i32),
        };
    }
    Ok(())
}

/// The app's stdout (printf, puts, putchar), written at once and in order with the C stdio
/// output of the embedder and of native libraries (WAMR prints through the C library, so
/// their text interleaves as the calls happened): C's buffered streams are flushed first.
pub fn write_stdout(bytes: &[u8]) {
    use std::io::Write;
    extern "C" {
        fn fflush(stream: *mut std::ffi::c_void) -> std::ffi::c_int;
    }
    // SAFETY: fflush(NULL) flushes every open C output stream; it takes no pointer of ours.
    unsafe { fflush(std::ptr::null_mut()) };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(bytes);
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_has_a_wamr_signature_of_i32_parameters() {
        for b in TABLE {
            let s = Signature::parse(b.signature).unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert!(s.params.len() <= 4, "{}", b.name);
            assert!(s.params.iter().all(|p| p.val_type() == ValType::I32), "{}", b.name);
        }
        let ft = FuncType::new([ValType::I32, ValType::I32], [ValType::I32]);
        assert_eq!(find("printf", &ft).unwrap().signature, "($*)i");
        assert!(find("printf", &FuncType::new([ValType::I32], [ValType::I32])).err().unwrap().to_string().contains("($*)i"));
        assert_eq!(find("abort", &FuncType::new([], [])).unwrap().signature, "()");
        assert!(exists("strlen") && !exists("fopen"));
    }
}
