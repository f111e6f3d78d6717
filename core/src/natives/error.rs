//! Why registering natives or loading a `--native-lib` failed. `Display` gives the one-line
//! messages the C API logs or writes into `error_buf` and iwasm prints.

use std::fmt;
use std::path::PathBuf;

use crate::runtime::error::HostError;

/// A WAMR signature string that does not parse (`(ii)i`, `($*~)`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureError {
    pub text: String,
    pub why: String,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad native signature \"{}\": {}", self.text, self.why)
    }
}

#[derive(Debug)]
pub enum Error {
    /// `register_natives` with a NULL array and a count.
    NullArray,
    /// A symbol without name or function.
    NullSymbol { index: usize, module: String },
    /// A symbol's signature string does not parse.
    Signature { module: String, field: String, why: SignatureError },
    /// A signature this architecture's invoker cannot call (only raw natives work here).
    Uncallable { module: String, field: String },
    /// Pool mode: the registration would not fit.
    NoRoom { n: u32, module: String, bytes: usize },
    /// A `--native-lib` that cannot be opened or used (the message names the path).
    Library { path: PathBuf, why: LibraryError },
    /// A `--native-lib` that a host interface claimed but refused (a wasi-nn backend of another
    /// ABI version, an init failure): that interface's error.
    Claimed(HostError),
}

/// What is wrong with a `--native-lib` library.
#[derive(Debug)]
pub enum LibraryError {
    /// dlopen failed (its message).
    Open(String),
    NotNative,
    Init(i32),
    Empty,
    /// One of its natives cannot be registered.
    Register(Box<Error>),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NullArray => f.write_str("native symbol array is NULL"),
            Error::NullSymbol { index, module } => {
                write!(f, "native symbol #{index} of module \"{module}\" has a NULL name or function")
            }
            Error::Signature { module, field, why } => write!(f, "{module}.{field}: {why}"),
            Error::Uncallable { module, field } => write!(
                f,
                "{module}.{field}: this signature cannot be called on this architecture; use wasm_runtime_register_natives_raw"
            ),
            Error::NoRoom { n, module, bytes } => write!(
                f,
                "not enough runtime memory to register {n} native symbols of module \"{module}\" (about {bytes} bytes; memory pool too small)"
            ),
            Error::Library { path, why } => {
                let shown = path.display();
                match why {
                    LibraryError::Open(m) => f.write_str(m),
                    LibraryError::NotNative => write!(
                        f,
                        "{shown}: neither a native library (no get_native_lib function) nor a wasi-nn backend (no ember_nn_backend_entry)"
                    ),
                    LibraryError::Init(rc) => write!(f, "{shown}: init_native_lib failed with {rc}"),
                    LibraryError::Empty => write!(f, "{shown}: get_native_lib returned no module name or symbols"),
                    LibraryError::Register(e) => write!(f, "{shown}: {e}"),
                }
            }
            Error::Claimed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}
impl std::error::Error for SignatureError {}
