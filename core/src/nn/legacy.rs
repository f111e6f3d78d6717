//! Legacy import module `wasi_nn` (WAMR before mid-2025). Guest layouts (wasm32, LE):
//! - load's first argument points at {u32 builders_ptr, u32 count}; builders as in ephemeral;
//! - tensor, 12 bytes: +0 u32 dims_ptr -> {u32 ptr, u32 len}, +4 u8 type (+3 padding),
//!   +8 u32 data_ptr; no data length: it is product(dims) * element size;
//! - types: fp16 0, fp32 1, u8 2, i32 3;
//! - get_output(ctx, index, out_ptr, inout_size_ptr): *inout_size is the capacity counted in
//!   fp32 elements (4 bytes) on entry and the output size in fp32 elements on return (WAMR's
//!   semantics); too small -> too_large, with the needed count written back.

use super::ctx::{tensor_byte_len, NnCtx, MAX_DIMS};
use super::ephemeral;
use crate::runtime::guest_memory::GuestMemory;
use super::NnResult;
use ember_nn_abi::{tensor_type, NnError};

pub fn tensor_type_of(guest: u8) -> NnResult<u32> {
    match guest {
        0 => Ok(tensor_type::FP16),
        1 => Ok(tensor_type::FP32),
        2 => Ok(tensor_type::U8),
        3 => Ok(tensor_type::I32),
        t => {
            log::debug!("wasi-nn (legacy): unknown tensor type {t}");
            Err(NnError::InvalidArgument)
        }
    }
}

/// load(builder_array_ptr, encoding, target, graph_out_ptr)
pub fn load(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    let arr = mem.read_u32_array(a[0], 2)?;
    ephemeral::load(nn, mem, &[arr[0], arr[1], a[1], a[2], a[3]])
}

/// set_input(ctx, index, tensor_ptr)
pub fn set_input(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    let t = mem.slice(a[2], 12u32)?;
    let word = |o: usize| u32::from_le_bytes([t[o], t[o + 1], t[o + 2], t[o + 3]]);
    let (dims_struct, ty, data_ptr) = (word(0), t[4], word(8));
    let dims_ref = mem.read_u32_array(dims_struct, 2)?;
    let (dims_ptr, dims_len) = (dims_ref[0], dims_ref[1]);
    if dims_len > MAX_DIMS {
        log::debug!("wasi-nn (legacy): tensor with {dims_len} dimensions (at most {MAX_DIMS})");
        return Err(NnError::InvalidArgument);
    }
    let ty = tensor_type_of(ty)?;
    let dims = mem.read_u32_array(dims_ptr, dims_len)?;
    let len = tensor_byte_len(&dims, ty)?;
    let data = mem.slice(data_ptr, len)?;
    nn.set_input(a[0], a[1], &dims, ty, data)
}

/// get_output(ctx, index, out_ptr, inout_size_ptr), sizes in fp32 elements.
pub fn get_output(nn: &mut NnCtx, mem: &mut GuestMemory<'_>, a: &[u32]) -> NnResult<()> {
    let (ctx, index, out_ptr, inout_ptr) = (a[0], a[1], a[2], a[3]);
    mem.range(inout_ptr, 4u32)?;
    let capacity = u64::from(mem.read_u32(inout_ptr)?) * 4;
    let r = mem.range(out_ptr, capacity)?;
    let elements = |bytes: usize| u32::try_from(bytes.div_ceil(4)).unwrap_or(u32::MAX);
    match nn.get_output(ctx, index, mem.bytes_in_mut(r), false) {
        Ok(n) => Ok(mem.write_u32(inout_ptr, elements(n))?),
        Err((e, needed)) => {
            if let (NnError::TooLarge, Some(n)) = (e, needed) {
                mem.write_u32(inout_ptr, elements(n))?;
            }
            Err(e)
        }
    }
}
