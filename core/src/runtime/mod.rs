//! The runtime objects behind the C API's opaque handles: loaded modules,
//! module instances, execution environments, and the linker.

pub mod exec_env;
pub mod heap;
pub mod instance;
pub mod link;
pub mod module;
