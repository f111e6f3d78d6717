//! path_* functions: everything that names a file goes through
//! `ember_platform::sandbox`, relative to a directory descriptor.

use ember_platform::sandbox::{self, OpenOptions, MAX_PATH_LEN};

use super::fd::{dir_entry, set_times_of, write_filestat};
use super::HResult;
use crate::wasi::ctx::entry_for;
use crate::wasi::mem::{GuestMem, WResult};
use crate::wasi::types::{fdflags, oflags, rights as r, Errno, LOOKUP_SYMLINK_FOLLOW};
use crate::wasi::WasiCtx;

/// Copy a guest path out of memory (bounded before copying).
fn guest_path(mem: &GuestMem<'_>, ptr: u32, len: u32) -> WResult<Vec<u8>> {
    if len as usize > MAX_PATH_LEN {
        return Err(Errno::NAMETOOLONG);
    }
    Ok(mem.slice(ptr, len)?.to_vec())
}

fn follow(lookupflags: u32) -> bool {
    lookupflags & LOOKUP_SYMLINK_FOLLOW != 0
}

pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    o: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdf: u32,
    opened: u32,
) -> HResult {
    let o = u16::try_from(o).map_err(|_| Errno::INVAL)?;
    let fdf = u16::try_from(fdf).map_err(|_| Errno::INVAL)?;
    if o & !oflags::ALL != 0 || fdf & !fdflags::ALL != 0 {
        return Err(Errno::INVAL.into());
    }
    // Creating "a directory" with path_open means different things on
    // different kernels; refuse it everywhere (path_create_directory exists).
    if o & oflags::CREAT != 0 && o & oflags::DIRECTORY != 0 {
        return Err(Errno::INVAL.into());
    }
    let mut needed = r::PATH_OPEN;
    if o & oflags::CREAT != 0 {
        needed |= r::PATH_CREATE_FILE;
    }
    if o & oflags::TRUNC != 0 {
        needed |= r::PATH_FILESTAT_SET_SIZE;
    }
    let dir = dir_entry(ctx, fd, needed)?;
    let p = guest_path(mem, path, path_len)?;
    mem.range(opened, 4u32)?;
    // Rights of the new descriptor: what was asked, within what the
    // directory passes on. A read-only preopen passes on no writing rights,
    // so the host file is then opened read-only as well. Asking outright for
    // FD_WRITE where it cannot be had fails here, not at the first write
    // (wasi-libc asks only for what the directory passes on; Rust's std asks
    // for FD_WRITE exactly when it means to write).
    if rights_base & r::FD_WRITE != 0 && dir.rights_inheriting & r::FD_WRITE == 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    let base = rights_base & dir.rights_inheriting;
    let inheriting = rights_inheriting & dir.rights_inheriting;
    let directory = o & oflags::DIRECTORY != 0;
    let opts = OpenOptions {
        read: base & (r::FD_READ | r::FD_READDIR) != 0,
        // With O_DIRECTORY too: the kernel then refuses with EISDIR.
        write: base & r::OPEN_FOR_WRITING != 0,
        create: o & oflags::CREAT != 0,
        exclusive: o & oflags::EXCL != 0,
        truncate: o & oflags::TRUNC != 0,
        directory,
        append: fdf & fdflags::APPEND != 0,
        nonblock: fdf & fdflags::NONBLOCK != 0,
        dsync: fdf & fdflags::DSYNC != 0,
        sync: fdf & (fdflags::SYNC | fdflags::RSYNC) != 0,
        follow: follow(dirflags),
    };
    let parent_depth = dir.dir_depth()?;
    let (host_fd, depth) = sandbox::open(dir.fd(), &p, opts)?;
    let entry = entry_for(host_fd, base, inheriting, None, parent_depth + depth)?;
    let new_fd = ctx.fds.insert(entry)?;
    mem.write_u32(opened, new_fd)?;
    Ok(())
}

pub fn path_create_directory(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, path: u32, len: u32) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_CREATE_DIRECTORY)?;
    let p = guest_path(mem, path, len)?;
    sandbox::create_dir(dir.fd(), &p)?;
    Ok(())
}

pub fn path_remove_directory(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, path: u32, len: u32) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_REMOVE_DIRECTORY)?;
    let p = guest_path(mem, path, len)?;
    sandbox::remove_dir(dir.fd(), &p)?;
    Ok(())
}

pub fn path_unlink_file(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, path: u32, len: u32) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_UNLINK_FILE)?;
    let p = guest_path(mem, path, len)?;
    sandbox::unlink_file(dir.fd(), &p)?;
    Ok(())
}

pub fn path_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, flags: u32, path: u32, len: u32, buf: u32) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_FILESTAT_GET)?;
    let p = guest_path(mem, path, len)?;
    let st = sandbox::stat(dir.fd(), &p, follow(flags))?;
    write_filestat(mem, buf, &st)?;
    Ok(())
}

pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_FILESTAT_SET_TIMES)?;
    let p = guest_path(mem, path, len)?;
    let (a, m) = set_times_of(atim, mtim, fst)?;
    sandbox::set_times(dir.fd(), &p, follow(flags), a, m)?;
    Ok(())
}

pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> HResult {
    let old_dir = dir_entry(ctx, old_fd, r::PATH_LINK_SOURCE)?;
    let new_dir = dir_entry(ctx, new_fd, r::PATH_LINK_TARGET)?;
    let op = guest_path(mem, old_path, old_len)?;
    let np = guest_path(mem, new_path, new_len)?;
    sandbox::link(old_dir.fd(), &op, follow(old_flags), new_dir.fd(), &np)?;
    Ok(())
}

pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_READLINK)?;
    let p = guest_path(mem, path, len)?;
    mem.range(buf, buf_len)?;
    mem.range(bufused, 4u32)?;
    let target = sandbox::read_link(dir.fd(), &p)?;
    let n = target.len().min(buf_len as usize);
    mem.write_bytes(buf, &target[..n])?;
    mem.write_u32(bufused, n as u32)?;
    Ok(())
}

pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> HResult {
    let old_dir = dir_entry(ctx, fd, r::PATH_RENAME_SOURCE)?;
    let new_dir = dir_entry(ctx, new_fd, r::PATH_RENAME_TARGET)?;
    let op = guest_path(mem, old_path, old_len)?;
    let np = guest_path(mem, new_path, new_len)?;
    sandbox::rename(old_dir.fd(), &op, new_dir.fd(), &np)?;
    Ok(())
}

pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> HResult {
    let dir = dir_entry(ctx, fd, r::PATH_SYMLINK)?;
    let target = guest_path(mem, old_path, old_len)?;
    let np = guest_path(mem, new_path, new_len)?;
    sandbox::symlink(&target, dir.fd(), dir.dir_depth()?, &np)?;
    Ok(())
}
