//! Why loading or instantiating a module failed. `Display` gives the one-line message the C API
//! writes into `error_buf` (after WAMR's "instantiate failed: " prefix) and iwasm prints.

use std::fmt;

/// An error of a host interface (a bad WASI option, a libc-builtin of another type), carried
/// through the runtime without the runtime naming its type.
pub type HostError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
pub enum Error {
    /// Pool mode: the module is too large to parse in the runtime memory left.
    LoadRoom { bytes: usize, parsed: usize },
    /// The bytes do not decode or validate (the parser's message, on one line).
    Invalid(String),
    /// Pool mode: what the module declares does not fit in the pool.
    InstanceRoom { need: u64, memory: u64, tables: u64, other: u64, overhead: usize, free: usize },
    /// Import `module.field` cannot be linked.
    Link { module: String, field: String, why: LinkError },
    /// A host interface could not set up the instance's state (e.g. a WASI `--dir` that does
    /// not exist).
    Host(HostError),
    /// The interpreter refused the instance (a data segment out of bounds, a start function
    /// that trapped, ...).
    Instantiate(String),
}

/// Why one import cannot be linked.
#[derive(Debug)]
pub enum LinkError {
    /// No host interface has a function of that name.
    Missing,
    /// Only functions can be imported from the host (`ty`: what the module imports instead).
    NotAFunction { ty: String },
    /// A registered native's signature string does not give the import's type.
    NativeSignature { import: String },
    /// A native registered without signature cannot be called with this type here.
    Uncallable { import: String },
    /// A host function of the name exists with another type.
    Type { import: String, host: String },
    /// The host interface's own reason (e.g. the libc-builtin's signatures).
    Host(HostError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::LoadRoom { bytes, parsed } => write!(
                f,
                "not enough runtime memory to load a module of {bytes} bytes ({parsed} bytes without custom sections; memory pool too small)"
            ),
            Error::Invalid(m) | Error::Instantiate(m) => f.write_str(m),
            Error::InstanceRoom { need, memory, tables, other, overhead, free } => write!(
                f,
                "not enough runtime memory to instantiate: the module needs about {need} bytes (linear memory {memory}, \
                 tables {tables}, other {other}, instance {overhead}) and the pool has {free} bytes free (memory pool too small)"
            ),
            Error::Link { module, field, why } => write!(f, "cannot link import {module}.{field}: {why}"),
            Error::Host(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Missing => f.write_str("no native symbol, WASI or wasi-nn function of that name"),
            LinkError::NotAFunction { ty } => write!(f, "only function imports can be provided by the host (got {ty})"),
            LinkError::NativeSignature { import } => write!(f, "native signature does not match the import type {import}"),
            LinkError::Uncallable { import } => {
                write!(f, "a native without signature cannot be called with the import type {import} here")
            }
            LinkError::Type { import, host } => write!(f, "the module expects {import} but the host function is {host}"),
            LinkError::Host(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}
impl std::error::Error for LinkError {}

/// A function type as the link errors print it: `[I32, I32] -> [I32]`.
pub fn describe(params: &[ember_interp::ValType], results: &[ember_interp::ValType]) -> String {
    format!("{params:?} -> {results:?}")
}
