//! sock_* functions on sockets handed to the guest (e.g. as its stdin).
//! Ember opens no sockets for a guest by itself: WASI preview1 has no call
//! to create one, and there is no address pool option.

use ember_platform::sock;

use super::HResult;
use crate::wasi::ctx::entry_for;
use crate::wasi::mem::{GuestMem, Iovecs};
use crate::wasi::types::{fdflags, filetype, rights as r, Errno, RECV_DATA_TRUNCATED, RECV_PEEK, RECV_WAITALL, SHUT_RD, SHUT_WR};
use crate::wasi::WasiCtx;

fn is_socket(ft: u8) -> bool {
    ft == filetype::SOCKET_STREAM || ft == filetype::SOCKET_DGRAM
}

pub fn sock_accept(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, flags: u32, out: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    if !is_socket(e.filetype) {
        return Err(Errno::NOTSOCK.into());
    }
    e.require(r::SOCK_ACCEPT)?;
    if flags & !u32::from(fdflags::NONBLOCK) != 0 {
        return Err(Errno::INVAL.into());
    }
    mem.range(out, 4u32)?;
    let conn = sock::accept(e.fd(), flags & u32::from(fdflags::NONBLOCK) != 0)?;
    let inheriting = e.rights_inheriting;
    let entry = entry_for(conn, r::SOCKET & !r::SOCK_ACCEPT, inheriting, None, 0)?;
    let new_fd = ctx.fds.insert(entry)?;
    mem.write_u32(out, new_fd)?;
    Ok(())
}

pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem<'_>,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> HResult {
    let e = ctx.fds.get(fd)?;
    if !is_socket(e.filetype) {
        return Err(Errno::NOTSOCK.into());
    }
    e.require(r::FD_READ)?;
    if ri_flags & !u32::from(RECV_PEEK | RECV_WAITALL) != 0 {
        return Err(Errno::INVAL.into());
    }
    mem.range(ro_datalen, 4u32)?;
    mem.range(ro_flags, 2u32)?;
    let ranges = mem.iovecs(ri_data, ri_data_len)?;
    let total: usize = ranges.iter().map(|r| r.len()).sum();
    // Receive once into a host buffer (one datagram must be one call), then
    // scatter into the guest's buffers, which may overlap.
    let mut tmp = vec![0u8; total.min(1 << 20)];
    let (n, truncated) = sock::recv(
        e.fd(),
        &mut tmp,
        ri_flags & u32::from(RECV_PEEK) != 0,
        ri_flags & u32::from(RECV_WAITALL) != 0,
    )?;
    let mut done = 0;
    for rg in ranges {
        if done >= n {
            break;
        }
        let k = rg.len().min(n - done);
        mem.bytes_in_mut(rg.start..rg.start + k).copy_from_slice(&tmp[done..done + k]);
        done += k;
    }
    mem.write_u32(ro_datalen, n as u32)?;
    mem.write_u16(ro_flags, if truncated { RECV_DATA_TRUNCATED } else { 0 })?;
    Ok(())
}

pub fn sock_send(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, fd: u32, si_data: u32, si_data_len: u32, si_flags: u32, so_datalen: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    if !is_socket(e.filetype) {
        return Err(Errno::NOTSOCK.into());
    }
    e.require(r::FD_WRITE)?;
    if si_flags != 0 {
        return Err(Errno::INVAL.into());
    }
    mem.range(so_datalen, 4u32)?;
    let ranges = mem.iovecs(si_data, si_data_len)?;
    let bufs: Vec<&[u8]> = ranges.into_iter().map(|rg| &mem.all()[rg]).collect();
    let n = sock::send(e.fd(), &bufs)?;
    mem.write_u32(so_datalen, n as u32)?;
    Ok(())
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _: &mut GuestMem<'_>, fd: u32, how: u32) -> HResult {
    let e = ctx.fds.get(fd)?;
    if !is_socket(e.filetype) {
        return Err(Errno::NOTSOCK.into());
    }
    e.require(r::SOCK_SHUTDOWN)?;
    let how = u8::try_from(how).map_err(|_| Errno::INVAL)?;
    if how == 0 || how & !(SHUT_RD | SHUT_WR) != 0 {
        return Err(Errno::INVAL.into());
    }
    sock::shutdown(e.fd(), how & SHUT_RD != 0, how & SHUT_WR != 0)?;
    Ok(())
}
