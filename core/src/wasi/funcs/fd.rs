//! fd_* functions: operations on open descriptors.

use ember_platform::fs::{self, Advice, SetTime, StatusFlags, Whence};

use super::HResult;
use crate::wasi::ctx::{FdKind, FdEntry};
use crate::wasi::mem::{GuestMem, Iovecs, WResult};
use crate::wasi::types::{fdflags, fstflags, rights as r, Errno, DIRENT_SIZE, FDSTAT_SIZE, FILESTAT_SIZE, PRESTAT_SIZE};
use crate::wasi::WasiCtx;

pub fn fd_advise(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, offset: u64, len: u64, advice: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_ADVISE)?;
    let a = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::INVAL.into()),
    };
    if e.is_dir() {
        return Err(Errno::BADF.into());
    }
    fs::advise(e.fd(), offset, len, a)?;
    Ok(())
}

pub fn fd_allocate(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, offset: u64, len: u64) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_ALLOCATE)?;
    fs::allocate(e.fd(), offset, len)?;
    Ok(())
}

pub fn fd_close(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32) -> HResult {
    // Dropping the entry closes the host descriptor (stdio are duplicates).
    ctx.fds.remove(fd)?;
    Ok(())
}

pub fn fd_datasync(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_DATASYNC)?;
    fs::datasync(e.fd())?;
    Ok(())
}

pub fn fd_sync(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_SYNC)?;
    fs::sync(e.fd())?;
    Ok(())
}

fn fdflags_of(f: StatusFlags) -> u16 {
    let mut out = 0;
    if f.append {
        out |= fdflags::APPEND;
    }
    if f.nonblock {
        out |= fdflags::NONBLOCK;
    }
    if f.dsync {
        out |= fdflags::DSYNC;
    }
    if f.sync {
        out |= fdflags::SYNC | fdflags::RSYNC;
    }
    out
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, buf: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    let flags = fdflags_of(fs::status_flags(e.fd())?);
    mem.range(buf, FDSTAT_SIZE)?;
    mem.write_u8(buf, e.filetype)?;
    mem.write_u8(buf + 1, 0)?;
    mem.write_u16(buf + 2, flags)?;
    mem.write_u32(buf + 4, 0)?;
    mem.write_u64(buf + 8, e.rights_base)?;
    mem.write_u64(buf + 16, e.rights_inheriting)?;
    Ok(())
}

pub fn fd_fdstat_set_flags(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, flags: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    if flags & !fdflags::ALL != 0 {
        return Err(Errno::INVAL.into());
    }
    let want = StatusFlags {
        append: flags & fdflags::APPEND != 0,
        nonblock: flags & fdflags::NONBLOCK != 0,
        dsync: flags & fdflags::DSYNC != 0 && flags & (fdflags::SYNC | fdflags::RSYNC) == 0,
        sync: flags & (fdflags::SYNC | fdflags::RSYNC) != 0,
    };
    fs::set_status_flags(e.fd(), want)?;
    Ok(())
}

pub fn fd_fdstat_set_rights(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, base: u64, inheriting: u64) -> HResult {
    let e = ctx.fds.get_mut(fd)?;
    // Rights can only be dropped, never gained.
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

/// Write a `filestat` at `buf`.
pub(crate) fn write_filestat(mem: &mut GuestMem<'_>, buf: u32, st: &fs::FileStat) -> WResult<()> {
    mem.range(buf, FILESTAT_SIZE)?;
    mem.write_u64(buf, st.dev)?;
    mem.write_u64(buf + 8, st.ino)?;
    mem.write_bytes(buf + 16, &[crate::wasi::ctx::filetype_of(st.kind), 0, 0, 0, 0, 0, 0, 0])?;
    mem.write_u64(buf + 24, st.nlink)?;
    mem.write_u64(buf + 32, st.size)?;
    mem.write_u64(buf + 40, st.atime)?;
    mem.write_u64(buf + 48, st.mtime)?;
    mem.write_u64(buf + 56, st.ctime)?;
    Ok(())
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, buf: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_FILESTAT_GET)?;
    let st = fs::fstat(e.fd())?;
    write_filestat(mem, buf, &st)?;
    Ok(())
}

pub fn fd_filestat_set_size(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, size: u64) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_FILESTAT_SET_SIZE)?;
    fs::set_len(e.fd(), size)?;
    Ok(())
}

/// Decode `fstflags` and the two timestamps into what the OS layer takes.
pub(crate) fn set_times_of(atim: u64, mtim: u64, flags: u32) -> WResult<(SetTime, SetTime)> {
    let f = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    if f & !fstflags::ALL != 0 {
        return Err(Errno::INVAL);
    }
    let pick = |set: u16, now: u16, t: u64| -> WResult<SetTime> {
        match (f & set != 0, f & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (true, false) => Ok(SetTime::At(t)),
            (false, true) => Ok(SetTime::Now),
            (false, false) => Ok(SetTime::Omit),
        }
    };
    Ok((pick(fstflags::ATIM, fstflags::ATIM_NOW, atim)?, pick(fstflags::MTIM, fstflags::MTIM_NOW, mtim)?))
}

pub fn fd_filestat_set_times(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, atim: u64, mtim: u64, flags: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_FILESTAT_SET_TIMES)?;
    let (a, m) = set_times_of(atim, mtim, flags)?;
    fs::set_times(e.fd(), a, m)?;
    Ok(())
}

/// Read into each iovec in turn until one comes back short.
fn read_into(
    mem: &mut GuestMem<'_>,
    iovs: u32,
    iovs_len: u32,
    mut read: impl FnMut(&mut [u8], u64) -> Result<usize, ember_platform::SysError>,
) -> WResult<u64> {
    let ranges = mem.iovecs(iovs, iovs_len)?;
    let mut total: u64 = 0;
    for rg in ranges {
        let want = rg.len();
        if want == 0 {
            continue;
        }
        match read(mem.bytes_in_mut(rg), total) {
            Ok(n) => {
                total += n as u64;
                if n < want {
                    break;
                }
            }
            // Bytes already read are reported; the error shows up next call.
            Err(_) if total > 0 => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(total)
}

fn nbytes_u32(n: u64) -> u32 {
    // A single call moves at most the guest's memory size (< 4 GiB) in
    // practice; clamp instead of wrapping just in case.
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn fd_read(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_READ)?;
    mem.range(nread, 4u32)?;
    let n = read_into(mem, iovs, iovs_len, |buf, _| fs::read(e.fd(), buf))?;
    mem.write_u32(nread, nbytes_u32(n))?;
    Ok(())
}

pub fn fd_pread(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_READ | r::FD_SEEK)?;
    if e.is_dir() {
        return Err(Errno::ISDIR.into());
    }
    mem.range(nread, 4u32)?;
    let n = read_into(mem, iovs, iovs_len, |buf, done| {
        let off = offset.checked_add(done).ok_or(ember_platform::SysError::Os(ember_platform::errno::EOVERFLOW))?;
        fs::pread(e.fd(), buf, off)
    })?;
    mem.write_u32(nread, nbytes_u32(n))?;
    Ok(())
}

fn gather<'m>(mem: &'m GuestMem<'_>, iovs: u32, iovs_len: u32) -> WResult<Vec<&'m [u8]>> {
    let ranges = mem.iovecs(iovs, iovs_len)?;
    Ok(ranges.into_iter().filter(|r| !r.is_empty()).map(|r| &mem.all()[r]).collect())
}

pub fn fd_write(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_WRITE)?;
    mem.range(nwritten, 4u32)?;
    let bufs = gather(mem, iovs, iovs_len)?;
    let n = if bufs.is_empty() { 0 } else { fs::writev(e.fd(), &bufs)? };
    mem.write_u32(nwritten, nbytes_u32(n as u64))?;
    Ok(())
}

pub fn fd_pwrite(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_WRITE | r::FD_SEEK)?;
    if e.is_dir() {
        return Err(Errno::ISDIR.into());
    }
    mem.range(nwritten, 4u32)?;
    let bufs = gather(mem, iovs, iovs_len)?;
    let n = if bufs.is_empty() { 0 } else { fs::pwritev(e.fd(), &bufs, offset)? };
    mem.write_u32(nwritten, nbytes_u32(n as u64))?;
    Ok(())
}

pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, buf: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    let FdKind::Dir { preopen: Some(name), .. } = &e.kind else {
        return Err(Errno::BADF.into());
    };
    mem.range(buf, PRESTAT_SIZE)?;
    mem.write_u32(buf, 0)?; // tag 0 = dir, padding
    mem.write_u32(buf + 4, name.len() as u32)?;
    Ok(())
}

pub fn fd_prestat_dir_name(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, path: u32, path_len: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    let FdKind::Dir { preopen: Some(name), .. } = &e.kind else {
        return Err(Errno::BADF.into());
    };
    if (path_len as usize) < name.len() {
        return Err(Errno::NAMETOOLONG.into());
    }
    mem.write_bytes(path, name.as_bytes())?;
    Ok(())
}

pub fn fd_readdir(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32) -> HResult {
    let e = ctx.fds.get_mut(fd)?;
    e.require(r::FD_READDIR)?;
    mem.range(buf, buf_len)?;
    mem.range(bufused, 4u32)?;
    let FdEntry { fd: host_fd, kind, .. } = e;
    let FdKind::Dir { listing, .. } = kind else {
        return Err(Errno::NOTDIR.into());
    };
    // Cookie 0 starts over with a fresh listing; later cookies index the
    // listing taken then, so one pass sees a consistent directory.
    if cookie == 0 || listing.is_none() {
        *listing = Some(fs::read_dir(std::os::fd::AsFd::as_fd(host_fd))?);
    }
    let entries = listing.as_deref().unwrap_or(&[]);
    let mut out: Vec<u8> = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, ent) in entries.iter().enumerate().skip(start) {
        if out.len() >= buf_len as usize {
            break;
        }
        let mut hdr = [0u8; DIRENT_SIZE as usize];
        hdr[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        hdr[8..16].copy_from_slice(&ent.ino.to_le_bytes());
        hdr[16..20].copy_from_slice(&(ent.name.len() as u32).to_le_bytes());
        hdr[20] = crate::wasi::ctx::filetype_of(ent.kind);
        out.extend_from_slice(&hdr);
        out.extend_from_slice(&ent.name);
    }
    // A full buffer tells the guest to call again; the last entry may be cut.
    let used = out.len().min(buf_len as usize);
    mem.write_bytes(buf, &out[..used])?;
    mem.write_u32(bufused, used as u32)?;
    Ok(())
}

pub fn fd_renumber(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, from: u32, to: u32) -> HResult {
    ctx.fds.renumber(from, to)?;
    Ok(())
}

pub fn fd_seek(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, offset: u64, whence: u32, newoffset: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    let offset = offset as i64;
    // A pure position query (offset 0 from the current position) is a tell.
    let allowed = if offset == 0 && whence == 1 { r::FD_TELL | r::FD_SEEK } else { r::FD_SEEK };
    if e.rights_base & allowed == 0 {
        return Err(Errno::NOTCAPABLE.into());
    }
    let w = match whence {
        0 => Whence::Set,
        1 => Whence::Cur,
        2 => Whence::End,
        _ => return Err(Errno::INVAL.into()),
    };
    if e.is_dir() {
        return Err(Errno::BADF.into());
    }
    mem.range(newoffset, 8u32)?;
    let pos = fs::seek(e.fd(), offset, w)?;
    mem.write_u64(newoffset, pos)?;
    Ok(())
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, offset: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    e.require(r::FD_TELL)?;
    if e.is_dir() {
        return Err(Errno::BADF.into());
    }
    mem.range(offset, 8u32)?;
    let pos = fs::seek(e.fd(), 0, Whence::Cur)?;
    mem.write_u64(offset, pos)?;
    Ok(())
}

/// The entry of `fd` if it is a directory holding `needed` rights.
pub(crate) fn dir_entry(ctx: &WasiCtx, fd: u32, needed: u64) -> WResult<&FdEntry> {
    let e = ctx.fds.get(fd)?;
    if !e.is_dir() {
        return Err(Errno::NOTDIR);
    }
    e.require(needed)?;
    Ok(e)
}
