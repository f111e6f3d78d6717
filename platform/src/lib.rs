//! Ember's OS layer for embedded Linux (memory, clocks, files, dynamic loading).
//!
//! Every `unsafe` call into libc of the WASI host lives here, behind safe
//! functions: `fs` (operations on an open file descriptor), `sandbox`
//! (paths resolved beneath a directory descriptor, never leaving it),
//! `clock`, `random`, `poll` and `sock`; `vmem` reserves and commits linear memory.

pub mod clock;
pub mod dynlib;
pub mod errno;
pub mod error;
pub mod fs;
pub mod mapped;
pub mod cnum;
pub mod memfile;
pub mod poll;
pub mod random;
pub mod sandbox;
pub mod sock;
pub mod vmem;

pub use error::{SysError, SysResult};
