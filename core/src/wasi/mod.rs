//! WASI preview1 (`wasi_snapshot_preview1`). Owner: WASI.
//!
//! # How the linker uses this module ([`Wasi`], a `runtime::host::HostInterface`)
//!
//! 1. `wasm_runtime_set_wasi_args[_ex]` ([`capi`]) copies its arguments into
//!    a [`WasiConfig`] and installs `move || WasiCtx::new(&config)` as the
//!    module's [`WasiFactory`] (in its settings).
//! 2. At instantiation, when the module imports anything from
//!    [`MODULE_NAME`] or has a factory, [`Wasi::prepare`] calls the factory (or uses
//!    `WasiCtx::default()`: stdio only, no argv, no env, no preopens) and
//!    puts the result into the instance's `StoreData` slots. `WasiCtx::new` fails with a
//!    one-line message (bad `--dir`/`--map-dir`/`--env`, a directory that
//!    cannot be opened); instantiation then fails with that message.
//! 3. Each import `wasi_snapshot_preview1.NAME` is resolved with
//!    [`lookup`]`(NAME)`; the linker checks the import's type against the
//!    def's `params`/`results`.
//! 4. `proc_exit(code)` returns `Trap::Exit(code)`; the C API records the
//!    code from the trap (`wasm_runtime_get_wasi_exit_code`).
//!
//! Every function validates each guest pointer and length (64-bit
//! arithmetic, EFAULT when out of bounds; [`mem`]) before touching memory. All file
//! system access goes through `ember_platform::sandbox` (its module doc describes the
//! path walk and why it cannot escape).
//!
//! # Per instance
//!
//! All 46 functions of preview1 are implemented, one `HostFuncDef` each in [`table`]; the
//! functions by area in `funcs/{args,fd,path,poll,sock}.rs`. A fresh
//! `WasiCtx` ([`ctx`]) per instantiation: fds 0-2 are duplicates of the host's stdio (or of the
//! descriptors given to `_ex`), then one fd per preopen from 3 on (`--dir`s first, then
//! `--map-dir`s, as WAMR), also when a host stdio descriptor is closed. During a call the
//! runtime's shim (`runtime::host::lend`) takes the `WasiCtx` out of `StoreData` so that it and
//! the linear memory can be borrowed together (WASI functions never re-enter wasm), and puts it
//! back afterwards. wasi-nn opens guest paths through it as `runtime::host::GuestFiles`.
//!
//! # Rights
//!
//! Rights are the WASI ones: a preopen gets all directory rights and passes on all rights; a
//! file opened beneath gets what it asked for, intersected with the directory's inheriting
//! rights, capped by its type; `fd_fdstat_set_rights` can only drop rights. Asking for FD_WRITE
//! where the directory cannot pass it on fails at once (ENOTCAPABLE). The host file is opened
//! read-only unless write rights remain; rights in `OPEN_FOR_WRITING` (FD_WRITE, FD_ALLOCATE,
//! FD_FILESTAT_SET_SIZE, which wasi-libc sends exactly for O_WRONLY/O_RDWR) open it for
//! writing, also with O_DIRECTORY, so write access to a directory is EISDIR from the kernel.
//!
//! **Read-only preopens** (an Ember extension; WAMR has none): `--dir=PATH:ro` or
//! `--map-dir=GUEST::HOST:ro` (`:rw` is the default and may be written to preopen a directory
//! whose name ends in `:ro`). A read-only preopen has every file-system-changing right (write,
//! allocate, set size/times, create, link, rename, symlink, remove, unlink) removed from its own
//! and its inheriting rights, so nothing opened beneath it can change anything either; such
//! calls fail with ENOTCAPABLE and files are opened `O_RDONLY` on the host.
//!
//! # Other choices
//!
//! - Clocks: realtime, monotonic, process and thread CPU time. poll_oneoff sleeps on the
//!   monotonic clock (absolute realtime deadlines are converted); CPU-time clock subscriptions
//!   get NOTSUP events. fd subscriptions use ppoll; regular files are always ready (nbytes =
//!   bytes left).
//! - `proc_raise` never signals the host process: signals whose default action is to ignore or
//!   stop succeed without effect, every other one ends the instance with a trap naming it.
//! - `sock_accept/recv/send/shutdown` work on sockets the host hands over (e.g. as stdin);
//!   preview1 cannot create sockets and Ember has no address-pool option.
//! - `fd_readdir` lists the directory at cookie 0 and serves later cookies from that listing.
//! - Host memory per call stays bounded whatever the guest passes: at most 1024 open
//!   descriptors per instance (EMFILE), 1024 iovecs per call and 4096 subscriptions per
//!   poll_oneoff (EINVAL), paths of 4096 bytes (ENAMETOOLONG).
//! - `fd_fdstat_set_flags` changes append/nonblock (on stdio this affects the shared host file
//!   description, as in WAMR); a different sync mode is NOTSUP.

pub mod capi;
pub mod config;
pub mod ctx;
pub mod funcs;
pub mod mem;
pub mod table;
pub mod types;

pub use config::{ConfigError, WasiConfig};
pub use ctx::WasiCtx;

use ember_interp::{Func, FuncType};
use ember_platform::SysResult;
use std::os::fd::OwnedFd;

use crate::runtime::error::{Error, LinkError};
use crate::runtime::host::{GuestFiles, HostFuncDef, HostInterface, Linking, StoreData};
use crate::runtime::module::LoadedModule;

/// The import module name this implements.
pub const MODULE_NAME: &str = "wasi_snapshot_preview1";

/// The function `name` of `wasi_snapshot_preview1`, for the linker.
pub fn lookup(name: &str) -> Option<&'static HostFuncDef> {
    table::FUNCS.iter().find(|d| d.name == name)
}

/// Builds the WASI context of one new instance: what `wasm_runtime_set_wasi_args` keeps in the
/// module's settings ([`capi`]).
pub struct WasiFactory(pub Box<dyn Fn() -> Result<WasiCtx, ConfigError> + Send + Sync>);

/// WASI as a host interface (see the module docs for what instantiation does).
pub struct Wasi;

impl HostInterface for Wasi {
    fn prepare(&self, module: &LoadedModule, data: &mut StoreData) -> Result<(), Error> {
        // WASI state when the module imports WASI, or when WASI args were set
        // (so that malformed args are reported even for modules without WASI).
        let factory = module.settings().get::<WasiFactory>();
        if factory.is_none() && !module.module.imports().iter().any(|i| &*i.module == MODULE_NAME) {
            return Ok(());
        }
        let ctx = match factory {
            Some(f) => (f.0)().map_err(|e| Error::Host(Box::new(e)))?,
            None => WasiCtx::default(),
        };
        data.slots.insert(ctx);
        data.set_guest_files(guest_files);
        Ok(())
    }

    fn provides(&self, module: &str, field: &str) -> bool {
        module == MODULE_NAME && lookup(field).is_some()
    }

    fn link(&self, at: &mut Linking<'_>, m: &str, f: &str, ty: &FuncType) -> Result<Func, LinkError> {
        log::trace!("import {m}.{f}: WASI");
        lookup(f).ok_or(LinkError::Missing)?.link(at.store, ty)
    }
}

/// The instance's preopens, for wasi-nn's load_by_name.
fn guest_files(data: &StoreData) -> Option<&dyn GuestFiles> {
    data.slots.get::<WasiCtx>().map(|c| c as &dyn GuestFiles)
}

impl GuestFiles for WasiCtx {
    fn open_guest_file(&self, path: &[u8]) -> SysResult<OwnedFd> {
        WasiCtx::open_guest_file(self, path)
    }
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
