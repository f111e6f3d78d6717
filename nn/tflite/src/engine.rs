//! What both engines provide to the backend: load a model into a graph, make execution
//! contexts, feed inputs, run, read outputs. `classic.rs` and `litert.rs` implement it.

use ember_nn_abi::{tensor_type as wasi, NnError};

use ember_nn_abi::sdk::{Error, Result};
use crate::flatbuf::ModelInfo;

/// TfLiteType / LiteRtElementType numbering (identical in both C APIs).
pub mod elem {
    pub const FLOAT32: i32 = 1;
    pub const INT32: i32 = 2;
    pub const UINT8: i32 = 3;
    pub const INT64: i32 = 4;
    pub const INT16: i32 = 7;
    pub const INT8: i32 = 9;
    pub const FLOAT16: i32 = 10;
    pub const FLOAT64: i32 = 11;
}

/// Whether a guest tensor of wasi-nn type `guest` may feed an engine tensor of type `engine`.
/// int8 models take the wasi-nn u8 type (the spec has no i8): the bytes are passed unchanged.
pub fn compatible(guest: u32, engine: i32) -> bool {
    matches!(
        (guest, engine),
        (wasi::FP32, elem::FLOAT32)
            | (wasi::FP16, elem::FLOAT16)
            | (wasi::FP64, elem::FLOAT64)
            | (wasi::U8, elem::UINT8)
            | (wasi::U8, elem::INT8)
            | (wasi::I32, elem::INT32)
            | (wasi::I64, elem::INT64)
    )
}

pub fn elem_name(t: i32) -> &'static str {
    match t {
        elem::FLOAT32 => "float32",
        elem::INT32 => "int32",
        elem::UINT8 => "uint8",
        elem::INT64 => "int64",
        elem::INT16 => "int16",
        elem::INT8 => "int8",
        elem::FLOAT16 => "float16",
        elem::FLOAT64 => "float64",
        _ => "another type",
    }
}

/// A model's bytes, copied out of guest memory (the engines keep pointing at them) with the
/// alignment flatbuffers and LiteRT's buffer loader like.
pub struct ModelBytes {
    chunks: Vec<Align64>,
    len: usize,
}

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Align64([u8; 64]);

impl ModelBytes {
    pub fn copy_of(data: &[u8]) -> Result<ModelBytes> {
        let n = data.len().div_ceil(64);
        let mut chunks = Vec::new();
        chunks
            .try_reserve_exact(n)
            .map_err(|_| Error::new(NnError::TooLarge, format!("no memory for a {} byte model", data.len())))?;
        chunks.resize(n, Align64([0; 64]));
        for (c, src) in chunks.iter_mut().zip(data.chunks(64)) {
            c.0[..src.len()].copy_from_slice(src);
        }
        Ok(ModelBytes { chunks, len: data.len() })
    }
    pub fn as_ptr(&self) -> *const u8 {
        self.chunks.as_ptr() as *const u8
    }
    pub fn len(&self) -> usize {
        self.len
    }
}

/// A guest tensor as set_input hands it over (borrowed from guest memory for the call).
pub type TensorIn<'a> = ember_nn_abi::sdk::TensorRef<'a>;

/// Where a graph runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Cpu,
    /// gpu or tpu through the configured delegate / accelerator.
    Accelerator(u32),
}

pub trait Engine: Send + Sync {
    fn name(&self) -> &'static str;
    fn load(&self, model: ModelBytes, info: ModelInfo, target: Target) -> Result<Box<dyn Graph>>;
}

pub trait Graph: Send {
    fn new_context(&self) -> Result<Box<dyn Context>>;
}

pub trait Context: Send {
    fn set_input(&mut self, index: u32, t: &TensorIn<'_>) -> Result<()>;
    fn compute(&mut self) -> Result<()>;
    /// Size in bytes of output `index` (after compute).
    fn output_size(&mut self, index: u32) -> Result<usize>;
    /// Copies output `index` into `out`, whose length equals output_size(index).
    fn copy_output(&mut self, index: u32, out: &mut [u8]) -> Result<()>;
}

/// Product of dims times element size, None on overflow.
pub fn byte_size(dims: &[i64], elem_size: usize) -> Option<usize> {
    dims.iter().try_fold(elem_size, |acc, &d| usize::try_from(d).ok().and_then(|d| acc.checked_mul(d)))
}

pub fn elem_size(t: i32) -> Option<usize> {
    match t {
        elem::FLOAT32 | elem::INT32 => Some(4),
        elem::UINT8 | elem::INT8 => Some(1),
        elem::INT64 | elem::FLOAT64 => Some(8),
        elem::INT16 | elem::FLOAT16 => Some(2),
        _ => None,
    }
}

/// The checks common to both engines before an input is copied: type and, for equal shapes,
/// nothing else; the caller then compares byte sizes (after a resize, if it made one).
pub fn check_type(index: u32, t: &TensorIn<'_>, engine_ty: i32) -> Result<()> {
    if !compatible(t.ty, engine_ty) {
        return Err(Error::invalid(format!(
            "input {index}: the model wants {} but the tensor has wasi-nn type {}",
            elem_name(engine_ty),
            t.ty
        )));
    }
    Ok(())
}

/// Whether `dims` may replace the model's `shape` through a resize: same rank, and every
/// differing dimension is dynamic (-1) in the model's shape signature.
pub fn resizable(dims: &[u32], shape: &[i32], signature: Option<&[i32]>) -> bool {
    let Some(sig) = signature else { return false };
    dims.len() == shape.len()
        && sig.len() == shape.len()
        && dims.iter().zip(shape.iter().zip(sig)).all(|(&d, (&s, &g))| d as i64 == s as i64 || g < 0)
        && dims.iter().all(|&d| d > 0 && d <= i32::MAX as u32)
}

pub fn same_dims(dims: &[u32], shape: &[i32]) -> bool {
    dims.len() == shape.len() && dims.iter().zip(shape).all(|(&d, &s)| d as i64 == s as i64)
}
