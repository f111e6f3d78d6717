//! Clocks: time and resolution of the four clocks WASI knows, in nanoseconds.

use crate::error::{check, SysResult};

/// The clocks a WASI guest can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockId {
    Realtime,
    Monotonic,
    ProcessCpu,
    ThreadCpu,
}

impl ClockId {
    fn raw(self) -> libc::clockid_t {
        match self {
            ClockId::Realtime => libc::CLOCK_REALTIME,
            ClockId::Monotonic => libc::CLOCK_MONOTONIC,
            ClockId::ProcessCpu => libc::CLOCK_PROCESS_CPUTIME_ID,
            ClockId::ThreadCpu => libc::CLOCK_THREAD_CPUTIME_ID,
        }
    }
}

fn ts_to_ns(ts: &libc::timespec) -> u64 {
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

pub(crate) fn ns_to_ts(ns: u64) -> libc::timespec {
    // SAFETY: timespec is plain old data; all-zero is a valid value.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    let secs = ns / 1_000_000_000;
    ts.tv_sec = if secs > libc::time_t::MAX as u64 { libc::time_t::MAX } else { secs as libc::time_t };
    ts.tv_nsec = (ns % 1_000_000_000) as _;
    ts
}

/// Current time of `clock` in nanoseconds.
pub fn now(clock: ClockId) -> SysResult<u64> {
    // SAFETY: timespec is plain old data; all-zero is a valid value.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    check(unsafe { libc::clock_gettime(clock.raw(), &mut ts) })?;
    Ok(ts_to_ns(&ts))
}

/// Resolution of `clock` in nanoseconds.
pub fn resolution(clock: ClockId) -> SysResult<u64> {
    // SAFETY: timespec is plain old data; all-zero is a valid value.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    check(unsafe { libc::clock_getres(clock.raw(), &mut ts) })?;
    Ok(ts_to_ns(&ts).max(1))
}

/// Monotonic time now, in nanoseconds (never fails on Linux).
pub fn monotonic_ns() -> u64 {
    now(ClockId::Monotonic).unwrap_or(0)
}

/// Sleep until the monotonic clock reaches `deadline_ns` (restarts after signals).
pub fn sleep_until_monotonic(deadline_ns: u64) {
    let ts = ns_to_ts(deadline_ns);
    loop {
        // SAFETY: `ts` is a valid timespec; the remaining-time pointer may be null
        // with TIMER_ABSTIME.
        let r = unsafe {
            libc::clock_nanosleep(libc::CLOCK_MONOTONIC, libc::TIMER_ABSTIME, &ts, std::ptr::null_mut())
        };
        if r != libc::EINTR {
            return;
        }
    }
}

/// Give up the CPU to other threads.
pub fn yield_now() {
    // SAFETY: sched_yield has no arguments and no memory effects.
    unsafe {
        libc::sched_yield();
    }
}
