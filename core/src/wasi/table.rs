//! The `wasi_snapshot_preview1` function table: one [`HostFuncDef`] per
//! function, each a small shim that takes the typed arguments out of the
//! `Val`s, lends the function the instance's [`WasiCtx`] and memory (`runtime::host::lend`), and
//! turns its result into an errno (or a trap).

use ember_interp::{Caller, Trap, Val, ValType};

use super::funcs::{self, Fail, HResult};
use super::mem::GuestMem;
use super::WasiCtx;
use crate::runtime::host::{lend, HostFuncDef, StoreData};

fn arg_i32(args: &[Val], i: usize) -> Result<u32, Trap> {
    match args.get(i) {
        Some(Val::I32(v)) => Ok(*v as u32),
        _ => Err(Trap::Host("WASI call with mistyped arguments".into())),
    }
}

fn arg_i64(args: &[Val], i: usize) -> Result<u64, Trap> {
    match args.get(i) {
        Some(Val::I64(v)) => Ok(*v as u64),
        _ => Err(Trap::Host("WASI call with mistyped arguments".into())),
    }
}

/// Run `f` with the caller's WASI state and memory (lent by the runtime's shim; WASI functions
/// never call back into wasm); store the errno in `results[0]` (when the function has a result).
fn call(
    caller: &mut Caller<'_, StoreData>,
    results: &mut [Val],
    f: impl FnOnce(&mut WasiCtx, &mut GuestMem<'_>) -> HResult,
) -> Result<(), Trap> {
    let outcome = lend(caller, |ctx: &mut WasiCtx, mem, _| match mem {
        Some(mem) => f(ctx, mem),
        None => f(ctx, &mut GuestMem::new(&mut [])),
    })
    .ok_or_else(|| Trap::Host("WASI function called by an instance that was not given WASI".into()))?;
    let errno = match outcome {
        Ok(()) => 0,
        Err(Fail::Errno(e)) => e.0,
        Err(Fail::Trap(t)) => return Err(t),
    };
    if let Some(slot) = results.first_mut() {
        *slot = Val::I32(i32::from(errno));
    }
    Ok(())
}

macro_rules! vt {
    (i32) => {
        ValType::I32
    };
    (i64) => {
        ValType::I64
    };
}

macro_rules! getarg {
    (i32, $args:ident, $i:expr) => {
        arg_i32($args, $i)?
    };
    (i64, $args:ident, $i:expr) => {
        arg_i64($args, $i)?
    };
}

macro_rules! wasi_table {
    ($( $module:ident :: $name:ident ( $($arg:ident : $t:tt),* ) -> $res:tt ; )*) => {
        mod shims {
            use super::*;
            $(
                #[allow(unused_assignments, unused_mut, unused_variables)]
                pub fn $name(caller: &mut Caller<'_, StoreData>, args: &[Val], results: &mut [Val]) -> Result<(), Trap> {
                    let mut i = 0usize;
                    $( let $arg = getarg!($t, args, i); i += 1; )*
                    call(caller, results, |ctx, mem| funcs::$module::$name(ctx, mem, $($arg),*))
                }
            )*
        }
        /// The functions without the store around them, for unit tests.
        #[cfg(test)]
        pub(crate) mod direct {
            use super::*;
            pub type Direct = fn(&mut WasiCtx, &mut GuestMem<'_>, &[Val]) -> Result<HResult, Trap>;
            $(
                #[allow(unused_assignments, unused_mut, unused_variables)]
                pub fn $name(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, args: &[Val]) -> Result<HResult, Trap> {
                    let mut i = 0usize;
                    $( let $arg = getarg!($t, args, i); i += 1; )*
                    Ok(funcs::$module::$name(ctx, mem, $($arg),*))
                }
            )*
            pub static ALL: &[(&str, Direct)] = &[ $( (stringify!($name), $name), )* ];
        }
        /// Every function of wasi_snapshot_preview1, sorted by name.
        pub static FUNCS: &[HostFuncDef] = &[
            $( HostFuncDef {
                name: stringify!($name),
                params: &[$(vt!($t)),*],
                results: wasi_table!(@res $res),
                func: shims::$name,
            }, )*
        ];
    };
    (@res errno) => { &[ValType::I32] };
    (@res none) => { &[] };
}

wasi_table! {
    args::args_get(argv: i32, buf: i32) -> errno;
    args::args_sizes_get(argc: i32, size: i32) -> errno;
    args::clock_res_get(id: i32, res: i32) -> errno;
    args::clock_time_get(id: i32, precision: i64, time: i32) -> errno;
    args::environ_get(environ: i32, buf: i32) -> errno;
    args::environ_sizes_get(count: i32, size: i32) -> errno;
    fd::fd_advise(fd: i32, offset: i64, len: i64, advice: i32) -> errno;
    fd::fd_allocate(fd: i32, offset: i64, len: i64) -> errno;
    fd::fd_close(fd: i32) -> errno;
    fd::fd_datasync(fd: i32) -> errno;
    fd::fd_fdstat_get(fd: i32, buf: i32) -> errno;
    fd::fd_fdstat_set_flags(fd: i32, flags: i32) -> errno;
    fd::fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64) -> errno;
    fd::fd_filestat_get(fd: i32, buf: i32) -> errno;
    fd::fd_filestat_set_size(fd: i32, size: i64) -> errno;
    fd::fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, flags: i32) -> errno;
    fd::fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32) -> errno;
    fd::fd_prestat_dir_name(fd: i32, path: i32, path_len: i32) -> errno;
    fd::fd_prestat_get(fd: i32, buf: i32) -> errno;
    fd::fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32) -> errno;
    fd::fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32) -> errno;
    fd::fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32) -> errno;
    fd::fd_renumber(fd: i32, to: i32) -> errno;
    fd::fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32) -> errno;
    fd::fd_sync(fd: i32) -> errno;
    fd::fd_tell(fd: i32, offset: i32) -> errno;
    fd::fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32) -> errno;
    path::path_create_directory(fd: i32, path: i32, path_len: i32) -> errno;
    path::path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, buf: i32) -> errno;
    path::path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst: i32) -> errno;
    path::path_link(old_fd: i32, old_flags: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32) -> errno;
    path::path_open(fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, base: i64, inheriting: i64, fdflags: i32, opened: i32) -> errno;
    path::path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32) -> errno;
    path::path_remove_directory(fd: i32, path: i32, path_len: i32) -> errno;
    path::path_rename(fd: i32, old_path: i32, old_len: i32, new_fd: i32, new_path: i32, new_len: i32) -> errno;
    path::path_symlink(old_path: i32, old_len: i32, fd: i32, new_path: i32, new_len: i32) -> errno;
    path::path_unlink_file(fd: i32, path: i32, path_len: i32) -> errno;
    poll::poll_oneoff(input: i32, output: i32, nsubs: i32, nevents: i32) -> errno;
    args::proc_exit(code: i32) -> none;
    args::proc_raise(sig: i32) -> errno;
    args::random_get(buf: i32, len: i32) -> errno;
    args::sched_yield() -> errno;
    sock::sock_accept(fd: i32, flags: i32, out: i32) -> errno;
    sock::sock_recv(fd: i32, ri_data: i32, ri_len: i32, ri_flags: i32, ro_len: i32, ro_flags: i32) -> errno;
    sock::sock_send(fd: i32, si_data: i32, si_len: i32, si_flags: i32, so_len: i32) -> errno;
    sock::sock_shutdown(fd: i32, how: i32) -> errno;
}
