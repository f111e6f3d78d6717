//! WASI preview1 (`wasi_snapshot_preview1`). Owner: WASI.
//!
//! # How the linker uses this module (contract with CORE, see core/src/host.rs)
//!
//! 1. `wasm_runtime_set_wasi_args[_ex]` ([`capi`]) copies its arguments into
//!    a [`WasiConfig`] and installs `move || WasiCtx::new(&config)` as the
//!    module's `ModuleSettings::wasi_factory`.
//! 2. At instantiation, when the module imports anything from
//!    [`MODULE_NAME`], the linker calls the factory (or uses
//!    `WasiCtx::default()`: stdio only, no argv, no env, no preopens) and
//!    puts the result into `StoreData::wasi`. `WasiCtx::new` fails with a
//!    one-line message (bad `--dir`/`--map-dir`/`--env`, a directory that
//!    cannot be opened); instantiation then fails with that message.
//! 3. Each import `wasi_snapshot_preview1.NAME` is resolved with
//!    [`lookup`]`(NAME)`; the linker checks the import's type against the
//!    def's `params`/`results`.
//! 4. `proc_exit(code)` returns `Trap::Exit(code)`; the C API records the
//!    code from the trap (`wasm_runtime_get_wasi_exit_code`).
//!
//! Every function validates each guest pointer and length (64-bit
//! arithmetic, EFAULT when out of bounds) before touching memory. All file
//! system access goes through `ember_platform::sandbox`; see the "WASI
//! sandbox" section of ARCHITECTURE.md.

pub mod capi;
pub mod config;
pub mod ctx;
pub mod funcs;
pub mod mem;
pub mod table;
pub mod types;

pub use config::WasiConfig;
pub use ctx::WasiCtx;

use crate::host::HostFuncDef;

/// The import module name this implements.
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// The function `name` of `wasi_snapshot_preview1`, for the linker.
pub fn lookup(name: &str) -> Option<&'static HostFuncDef> {
    table::FUNCS.iter().find(|d| d.name == name)
}

#[cfg(test)]
mod fuzz_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preview1_function_is_there() {
        let names = [
            "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
            "random_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
            "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
            "fd_filestat_set_times", "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read",
            "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write", "path_create_directory",
            "path_filestat_get", "path_filestat_set_times", "path_link", "path_open", "path_readlink",
            "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff", "proc_exit",
            "proc_raise", "sched_yield", "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
        ];
        for n in names {
            assert!(lookup(n).is_some(), "{n} missing");
        }
        assert_eq!(table::FUNCS.len(), names.len());
        assert!(lookup("path_open").unwrap().params.len() == 9);
        assert!(lookup("proc_exit").unwrap().results.is_empty());
    }
}
