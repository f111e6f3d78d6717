//! poll_oneoff: clock and fd_read/fd_write subscriptions.

use ember_platform::clock::{self, ClockId};
use ember_platform::fs::{self, FileKind};
use ember_platform::poll::{self, PollFd};

use super::HResult;
use crate::wasi::mem::GuestMem;
use crate::wasi::types::{
    eventtype, filetype, rights as r, Errno, EVENT_FD_READWRITE_HANGUP, EVENT_SIZE, SUBSCRIPTION_CLOCK_ABSTIME,
    SUBSCRIPTION_SIZE,
};
use crate::wasi::WasiCtx;

/// Most subscriptions one poll_oneoff call may pass (EINVAL beyond).
pub const MAX_SUBSCRIPTIONS: u32 = 4096;

enum What {
    /// Fires when the monotonic clock reaches this value.
    Clock(u64),
    /// Wait for the guest descriptor to become readable / writable.
    Fd { fd: u32, write: bool },
    /// Answered at once with this error.
    Failed(Errno),
}

struct Sub {
    userdata: u64,
    ty: u8,
    what: What,
}

struct Event {
    userdata: u64,
    error: Errno,
    ty: u8,
    nbytes: u64,
    flags: u16,
}

fn clock_deadline(id: u32, timeout: u64, flags: u16, now_mono: u64) -> Result<u64, Errno> {
    let abs = flags & SUBSCRIPTION_CLOCK_ABSTIME != 0;
    match (id, abs) {
        (0 | 1, false) => Ok(now_mono.saturating_add(timeout)),
        (1, true) => Ok(timeout),
        (0, true) => {
            let now_real = clock::now(ClockId::Realtime).map_err(Errno::from)?;
            Ok(now_mono.saturating_add(timeout.saturating_sub(now_real)))
        }
        // CPU-time clocks cannot be slept on.
        (2 | 3, _) => Err(Errno::NOTSUP),
        _ => Err(Errno::INVAL),
    }
}

pub fn poll_oneoff(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, input: u32, output: u32, nsubs: u32, nevents: u32) -> HResult {
    // Bounded so that the host memory of one call stays small.
    if nsubs == 0 || nsubs > MAX_SUBSCRIPTIONS {
        return Err(Errno::INVAL.into());
    }
    mem.array_range(input, nsubs, SUBSCRIPTION_SIZE)?;
    mem.array_range(output, nsubs, EVENT_SIZE)?;
    mem.range(nevents, 4u32)?;
    let now = clock::monotonic_ns();
    let mut subs = Vec::with_capacity(nsubs as usize);
    for i in 0..nsubs {
        let at = input + i * SUBSCRIPTION_SIZE;
        let userdata = mem.read_u64(at)?;
        let ty = mem.read_u8(at + 8)?;
        let what = match ty {
            eventtype::CLOCK => {
                let id = mem.read_u32(at + 16)?;
                let timeout = mem.read_u64(at + 24)?;
                let flags = mem.read_u16(at + 40)?;
                match clock_deadline(id, timeout, flags, now) {
                    Ok(d) => What::Clock(d),
                    Err(e) => What::Failed(e),
                }
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = mem.read_u32(at + 16)?;
                match ctx.fds.get(fd) {
                    Err(e) => What::Failed(e),
                    Ok(e) if e.require(r::POLL_FD_READWRITE).is_err() => What::Failed(Errno::NOTCAPABLE),
                    Ok(_) => What::Fd { fd, write: ty == eventtype::FD_WRITE },
                }
            }
            _ => return Err(Errno::INVAL.into()),
        };
        subs.push(Sub { userdata, ty, what });
    }

    let mut events: Vec<Event> = Vec::new();
    for s in &subs {
        if let What::Failed(e) = s.what {
            events.push(Event { userdata: s.userdata, error: e, ty: s.ty, nbytes: 0, flags: 0 });
        }
    }
    // Regular files are always ready (as poll(2) says); report how much is left.
    let mut waiting: Vec<(usize, u32, bool)> = Vec::new();
    for (i, s) in subs.iter().enumerate() {
        if let What::Fd { fd, write } = s.what {
            let e = ctx.fds.get(fd)?;
            if e.filetype == filetype::REGULAR_FILE {
                let nbytes = if write { 0 } else { regular_file_remaining(e.fd()) };
                events.push(Event { userdata: s.userdata, error: Errno::SUCCESS, ty: s.ty, nbytes, flags: 0 });
            } else {
                waiting.push((i, fd, write));
            }
        }
    }
    let earliest = subs.iter().filter_map(|s| if let What::Clock(d) = s.what { Some(d) } else { None }).min();
    let timeout = if !events.is_empty() {
        Some(0)
    } else {
        earliest.map(|d| d.saturating_sub(clock::monotonic_ns()))
    };

    if waiting.is_empty() {
        if events.is_empty() {
            if let Some(d) = earliest {
                clock::sleep_until_monotonic(d);
            }
        }
    } else {
        let mut pfds = Vec::with_capacity(waiting.len());
        for &(_, fd, write) in &waiting {
            pfds.push(PollFd { fd: ctx.fds.get(fd)?.fd(), read: !write, write });
        }
        let ready = poll::poll(&pfds, timeout)?;
        for (&(i, fd, write), rd) in waiting.iter().zip(ready.iter()) {
            if !rd.any() {
                continue;
            }
            let s = &subs[i];
            let error = if rd.invalid {
                Errno::BADF
            } else if rd.error && !(rd.readable || rd.writable) {
                Errno::IO
            } else {
                Errno::SUCCESS
            };
            let nbytes = if write { 0 } else { fs::bytes_readable(ctx.fds.get(fd)?.fd()).unwrap_or(0) };
            let flags = if rd.hangup { EVENT_FD_READWRITE_HANGUP } else { 0 };
            events.push(Event { userdata: s.userdata, error, ty: s.ty, nbytes, flags });
        }
        if events.is_empty() {
            // A timeout: make sure the earliest clock has really passed.
            if let Some(d) = earliest {
                clock::sleep_until_monotonic(d);
            }
        }
    }
    let now = clock::monotonic_ns();
    for s in &subs {
        if let What::Clock(d) = s.what {
            if d <= now {
                events.push(Event { userdata: s.userdata, error: Errno::SUCCESS, ty: s.ty, nbytes: 0, flags: 0 });
            }
        }
    }

    for (i, ev) in events.iter().enumerate() {
        let at = output + i as u32 * EVENT_SIZE;
        let mut b = [0u8; EVENT_SIZE as usize];
        b[0..8].copy_from_slice(&ev.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&ev.error.0.to_le_bytes());
        b[10] = ev.ty;
        b[16..24].copy_from_slice(&ev.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&ev.flags.to_le_bytes());
        mem.write_bytes(at, &b)?;
    }
    mem.write_u32(nevents, events.len() as u32)?;
    Ok(())
}

fn regular_file_remaining(fd: std::os::fd::BorrowedFd<'_>) -> u64 {
    let size = fs::fstat(fd).map(|s| if s.kind == FileKind::Regular { s.size } else { 0 }).unwrap_or(0);
    let pos = fs::seek(fd, 0, fs::Whence::Cur).unwrap_or(size);
    size.saturating_sub(pos)
}
