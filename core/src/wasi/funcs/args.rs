//! args, environ, clocks, random, proc_exit, proc_raise, sched_yield.

use ember_interp::Trap;
use ember_platform::clock::{self, ClockId};

use super::{Fail, HResult};
use crate::wasi::mem::GuestMem;
use crate::wasi::types::Errno;
use crate::wasi::WasiCtx;

/// Write NUL-terminated `strings` into `buf` and their addresses into `ptrs`.
fn write_strings(mem: &mut GuestMem<'_>, strings: &[Vec<u8>], ptrs: u32, buf: u32) -> HResult {
    let total: u64 = strings.iter().map(|s| s.len() as u64 + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::OVERFLOW)?;
    let count = u32::try_from(strings.len()).map_err(|_| Errno::OVERFLOW)?;
    mem.array_range(ptrs, count, 4)?;
    mem.range(buf, total)?;
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        mem.write_u32(ptrs + 4 * i as u32, at)?;
        mem.write_bytes(at, s)?;
        mem.write_u8(at + s.len() as u32, 0)?;
        at += s.len() as u32 + 1;
    }
    Ok(())
}

fn write_sizes(mem: &mut GuestMem<'_>, strings: &[Vec<u8>], count_ptr: u32, size_ptr: u32) -> HResult {
    let total: u64 = strings.iter().map(|s| s.len() as u64 + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::OVERFLOW)?;
    let count = u32::try_from(strings.len()).map_err(|_| Errno::OVERFLOW)?;
    mem.write_u32(count_ptr, count)?;
    mem.write_u32(size_ptr, total)?;
    Ok(())
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, argv: u32, buf: u32) -> HResult {
    write_strings(mem, &ctx.args, argv, buf)
}

pub fn args_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, argc: u32, size: u32) -> HResult {
    write_sizes(mem, &ctx.args, argc, size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, environ: u32, buf: u32) -> HResult {
    write_strings(mem, &ctx.env, environ, buf)
}

pub fn environ_sizes_get(ctx: &mut WasiCtx, mem: &mut GuestMem<'_>, count: u32, size: u32) -> HResult {
    write_sizes(mem, &ctx.env, count, size)
}

pub(crate) fn clock_of(id: u32) -> Result<ClockId, Errno> {
    match id {
        0 => Ok(ClockId::Realtime),
        1 => Ok(ClockId::Monotonic),
        2 => Ok(ClockId::ProcessCpu),
        3 => Ok(ClockId::ThreadCpu),
        _ => Err(Errno::INVAL),
    }
}

pub fn clock_res_get(_: &mut WasiCtx, mem: &mut GuestMem<'_>, id: u32, res: u32) -> HResult {
    let r = clock::resolution(clock_of(id)?)?;
    mem.write_u64(res, r)?;
    Ok(())
}

pub fn clock_time_get(_: &mut WasiCtx, mem: &mut GuestMem<'_>, id: u32, _precision: u64, time: u32) -> HResult {
    let t = clock::now(clock_of(id)?)?;
    mem.write_u64(time, t)?;
    Ok(())
}

pub fn random_get(_: &mut WasiCtx, mem: &mut GuestMem<'_>, buf: u32, len: u32) -> HResult {
    let dst = mem.slice_mut(buf, len)?;
    ember_platform::random::fill(dst)?;
    Ok(())
}

/// Ends the instance; the C API records the code from the trap
/// (`wasm_runtime_get_wasi_exit_code`).
pub fn proc_exit(_: &mut WasiCtx, _: &mut GuestMem<'_>, code: u32) -> HResult {
    Err(Fail::Trap(Trap::Exit(code as i32)))
}

/// WASI signal numbers (`signal`, u8): 0 is "none", 1..=30 as the witx lists them.
/// The guest is not allowed to signal the host process. Ember applies the
/// signal's default action to the instance alone: signals whose default is
/// to ignore or stop do nothing; every other one ends the instance with a
/// trap naming the signal.
pub fn proc_raise(_: &mut WasiCtx, _: &mut GuestMem<'_>, sig: u32) -> HResult {
    const NAMES: [&str; 31] = [
        "NONE", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "POLL", "PWR", "SYS",
    ];
    let Some(name) = NAMES.get(sig as usize) else {
        return Err(Errno::INVAL.into());
    };
    match *name {
        "NONE" | "CHLD" | "CONT" | "URG" | "WINCH" | "STOP" | "TSTP" | "TTIN" | "TTOU" => Ok(()),
        _ => Err(Fail::Trap(Trap::Host(format!("terminated by signal SIG{name} (proc_raise)").into()))),
    }
}

pub fn sched_yield(_: &mut WasiCtx, _: &mut GuestMem<'_>) -> HResult {
    clock::yield_now();
    Ok(())
}
