//! Import module `wasi_ephemeral_nn` (the current witx ABI, plus WasmEdge's unload and
//! finalize_execution_context). Guest layouts (wasm32, little-endian):
//! - graph_builder, 8 bytes: +0 u32 ptr, +4 u32 len;
//! - tensor, 20 bytes: +0 u32 dims_ptr, +4 u32 dims_len, +8 u8 type (+9..11 padding, ignored),
//!   +12 u32 data_ptr, +16 u32 data_len (bytes).
//!
//! Tensor types: fp16 0, fp32 1, fp64 2, u8 3, i32 4, i64 5. Old guest crates (Rust wasi-nn
//! <= 0.5, WasmEdge before 2025-03) send u8 as 2: a type-2 tensor with one byte per element is
//! read as u8 (no other reading fits its length; said at info level); with --wasi-nn-legacy-u8,
//! 2 is always u8.

use super::ctx::{tensor_byte_len, NnCtx, MAX_BUILDERS, MAX_DIMS, MAX_NAME_LEN};
use crate::runtime::guest_memory::GuestMemory;
use super::{config, NnResult};
use ember_nn_abi::{tensor_type, NnError};
use crate::runtime::host::GuestFiles;

/// Guest tensor type byte -> ember tensor type.
pub fn tensor_type_of(guest: u8) -> NnResult<u32> {
    let t = u32::from(guest);
    if t == tensor_type::FP64 && config::legacy_u8() {
        return Ok(tensor_type::U8);
    }
    if t <= tensor_type::I64 {
        Ok(t)
    } else {
        log::debug!("wasi-nn: unknown tensor type {t}");
        Err(NnError::InvalidArgument)
    }
}

/// load(builders_ptr, builders_len, encoding, target, graph_out_ptr)
pub fn load(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    let (builders_ptr, builders_len, enc, target, out) = (a[0], a[1], a[2], a[3], a[4]);
    mem.range(out, 4u32)?;
    if builders_len == 0 || builders_len > MAX_BUILDERS {
        log::debug!("wasi-nn: load with {builders_len} builders");
        return Err(NnError::InvalidArgument);
    }
    let raw = mem.read_u32_array(builders_ptr, builders_len.checked_mul(2).ok_or(NnError::InvalidArgument)?)?;
    let mut builders: Vec<&[u8]> = Vec::with_capacity(builders_len as usize);
    for pair in raw.chunks_exact(2) {
        builders.push(mem.slice(pair[0], u64::from(pair[1]))?);
    }
    let g = nn.load(&builders, enc, target)?;
    Ok(mem.write_u32(out, g)?)
}

fn name_of<'m>(mem: &'m GuestMemory<'_>, ptr: u32, len: u32) -> NnResult<&'m [u8]> {
    if len == 0 || len > MAX_NAME_LEN {
        return Err(NnError::InvalidArgument);
    }
    Ok(mem.slice(ptr, len)?)
}

/// load_by_name(name_ptr, name_len, graph_out_ptr); `files` resolves guest paths (WASI's preopens).
pub fn load_by_name(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32], files: Option<&dyn GuestFiles>) -> NnResult<()> {
    mem.range(a[2], 4u32)?;
    let name = name_of(mem, a[0], a[1])?;
    let g = nn.load_by_name(name, &[], files)?;
    Ok(mem.write_u32(a[2], g)?)
}

/// load_by_name_with_config(name_ptr, name_len, config_ptr, config_len, graph_out_ptr)
pub fn load_by_name_with_config(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32], files: Option<&dyn GuestFiles>) -> NnResult<()> {
    mem.range(a[4], 4u32)?;
    let name = name_of(mem, a[0], a[1])?;
    let config = mem.slice(a[2], u64::from(a[3]))?;
    let g = nn.load_by_name(name, config, files)?;
    Ok(mem.write_u32(a[4], g)?)
}

/// init_execution_context(graph, ctx_out_ptr)
pub fn init_execution_context(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    mem.range(a[1], 4u32)?;
    let c = nn.init_execution_context(a[0])?;
    Ok(mem.write_u32(a[1], c)?)
}

/// set_input(ctx, index, tensor_ptr)
pub fn set_input(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    let t = mem.slice(a[2], 20u32)?;
    let word = |o: usize| u32::from_le_bytes([t[o], t[o + 1], t[o + 2], t[o + 3]]);
    let (dims_ptr, dims_len, ty, data_ptr, data_len) = (word(0), word(4), t[8], word(12), word(16));
    if dims_len > MAX_DIMS {
        log::debug!("wasi-nn: tensor with {dims_len} dimensions (at most {MAX_DIMS})");
        return Err(NnError::InvalidArgument);
    }
    let mut ty = tensor_type_of(ty)?;
    let dims = mem.read_u32_array(dims_ptr, dims_len)?;
    if ty == tensor_type::FP64 && u64::from(data_len) == tensor_byte_len(&dims, tensor_type::U8)? && data_len > 0 {
        log::info!(
            "wasi-nn: set_input: tensor type 2 (fp64) with one byte per element ({data_len} bytes for dims {dims:?}): read as u8, as old guest crates number it (--wasi-nn-legacy-u8 makes 2 always u8)"
        );
        ty = tensor_type::U8;
    }
    let expected = tensor_byte_len(&dims, ty)?;
    if expected != u64::from(data_len) && !(ty == tensor_type::U8 && nn.takes_byte_strings(a[0])) {
        log::debug!("wasi-nn: tensor data_len {data_len} but dims {dims:?} of type {ty} need {expected} bytes");
        return Err(NnError::InvalidArgument);
    }
    let data = mem.slice(data_ptr, u64::from(data_len))?;
    nn.set_input(a[0], a[1], &dims, ty, data)
}

/// compute(ctx)
pub fn compute(nn: &mut NnCtx, _mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    nn.compute(a[0])
}

/// compute_single(ctx) (WasmEdge's streaming)
pub fn compute_single(nn: &mut NnCtx, _mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    nn.compute_single(a[0])
}

/// fini_single(ctx) (WasmEdge's streaming)
pub fn fini_single(nn: &mut NnCtx, _mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    nn.fini_single(a[0])
}

/// get_output(ctx, index, out_ptr, out_max_bytes, bytes_written_ptr). A too-small buffer gets
/// too_large with the needed size in bytes_written (as WasmEdge).
pub fn get_output(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    output(nn, mem, a, false)
}

/// get_output_single: as get_output, for the current step of a stream (WasmEdge).
pub fn get_output_single(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    output(nn, mem, a, true)
}

fn output(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32], single: bool) -> NnResult<()> {
    let (ctx, index, out_ptr, out_max, written_ptr) = (a[0], a[1], a[2], a[3], a[4]);
    mem.range(written_ptr, 4u32)?;
    let r = mem.range(out_ptr, u64::from(out_max))?;
    match nn.get_output(ctx, index, mem.bytes_in_mut(r), single) {
        Ok(n) => Ok(mem.write_u32(written_ptr, n as u32)?),
        Err((e, needed)) => {
            if let (NnError::TooLarge, Some(n)) = (e, needed) {
                mem.write_u32(written_ptr, u32::try_from(n).unwrap_or(u32::MAX))?;
            }
            Err(e)
        }
    }
}

/// unload(graph) (WasmEdge)
pub fn unload(nn: &mut NnCtx, _mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    nn.unload(a[0])
}

/// finalize_execution_context(ctx) (WasmEdge)
pub fn finalize_execution_context(nn: &mut NnCtx, _mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    nn.finalize_execution_context(a[0])
}
