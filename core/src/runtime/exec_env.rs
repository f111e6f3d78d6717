//! `wasm_exec_env_t`: the context a wasm call runs in and a native function
//! receives as its first argument.

use std::cell::Cell;
use std::ffi::c_void;

use super::instance::ModuleInst;

pub struct ExecEnv {
    pub inst: Cell<*mut ModuleInst>,
    /// Operand-stack size in bytes (bounds the interpreter's value stack).
    pub stack_size: u32,
    /// Attachment of the native symbol being called (get_function_attachment).
    pub attachment: Cell<*mut c_void>,
    pub user_data: Cell<*mut c_void>,
    /// Owned by its instance (never destroyed through destroy_exec_env).
    pub singleton: bool,
}

impl ExecEnv {
    pub fn new(inst: *mut ModuleInst, stack_size: u32, singleton: bool) -> Box<ExecEnv> {
        Box::new(ExecEnv {
            inst: Cell::new(inst),
            stack_size,
            attachment: Cell::new(std::ptr::null_mut()),
            user_data: Cell::new(std::ptr::null_mut()),
            singleton,
        })
    }
}
