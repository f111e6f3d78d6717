//! Minimal, bounds-checked reading of a TFLite flatbuffer (schema.fbs, file identifier "TFL3").
//!
//! The engines may crash on garbage, so every model is walked here first: the identifier, the
//! root table, the subgraph/tensor/operator/buffer tables and every index they hold are checked
//! to lie inside the bytes. The walk also yields the main subgraph's input and output tensors
//! (type, shape, shape signature), which the backend uses for size checks and LiteRT's buffers.

use std::fmt;

/// TFLite schema TensorType values (schema.fbs; not the C API's TfLiteType numbering).
pub mod tensor_type {
    pub const FLOAT32: i8 = 0;
    #[cfg(test)]
    pub const INT8: i8 = 9;
}

/// Why a model was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct Malformed(pub String);

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid TFLite model: {}", self.0)
    }
}

type R<T> = Result<T, Malformed>;

fn bad<T>(what: impl Into<String>) -> R<T> {
    Err(Malformed(what.into()))
}

/// One input or output tensor of the main subgraph, as the model declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorDecl {
    /// Schema TensorType (see [`tensor_type`]).
    pub ty: i8,
    pub shape: Vec<i32>,
    /// shape_signature: -1 marks a dynamic dimension; None when the model has none.
    pub signature: Option<Vec<i32>>,
}

/// What the backend needs to know about a model before handing it to an engine.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    pub inputs: Vec<TensorDecl>,
    pub outputs: Vec<TensorDecl>,
}

/// Largest model accepted (flatbuffers address 2 GiB; wasm32 guests cannot send more anyway).
pub const MAX_MODEL_BYTES: usize = 1 << 31;
const MAX_RANK: usize = 16;

#[derive(Clone, Copy)]
struct Buf<'a>(&'a [u8]);

impl<'a> Buf<'a> {
    fn bytes(&self, pos: usize, n: usize) -> R<&'a [u8]> {
        match pos.checked_add(n) {
            Some(end) if end <= self.0.len() => Ok(&self.0[pos..end]),
            _ => bad(format!("offset {pos}+{n} beyond the end ({} bytes)", self.0.len())),
        }
    }
    fn u16(&self, pos: usize) -> R<u16> {
        let b = self.bytes(pos, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, pos: usize) -> R<u32> {
        let b = self.bytes(pos, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i32(&self, pos: usize) -> R<i32> {
        Ok(self.u32(pos)? as i32)
    }
    fn u64(&self, pos: usize) -> R<u64> {
        let b = self.bytes(pos, 8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// Follows a uoffset stored at `pos`.
    fn deref(&self, pos: usize) -> R<usize> {
        let off = self.u32(pos)? as usize;
        let target = pos.checked_add(off).filter(|t| *t < self.0.len());
        match target {
            Some(t) => Ok(t),
            None => bad(format!("offset at {pos} points outside the model")),
        }
    }
    fn table(&self, pos: usize) -> R<Table<'a>> {
        let soff = self.i32(pos)? as i64;
        let vt = pos as i64 - soff;
        if vt < 0 || vt as usize >= self.0.len() {
            return bad(format!("vtable of table at {pos} outside the model"));
        }
        let vt = vt as usize;
        let vt_len = self.u16(vt)? as usize;
        let tbl_len = self.u16(vt + 2)? as usize;
        if vt_len < 4 || vt_len % 2 != 0 {
            return bad(format!("vtable at {vt} has bad size {vt_len}"));
        }
        self.bytes(vt, vt_len)?;
        self.bytes(pos, tbl_len.max(4))?;
        Ok(Table { buf: *self, pos, vt, vt_len, tbl_len })
    }
    /// A vector at `pos` (after deref): returns (first element position, count).
    fn vector(&self, pos: usize, elem: usize) -> R<(usize, usize)> {
        let n = self.u32(pos)? as usize;
        let bytes = n.checked_mul(elem);
        match bytes {
            Some(b) => {
                self.bytes(pos + 4, b)?;
                Ok((pos + 4, n))
            }
            None => bad("vector length overflows"),
        }
    }
}

#[derive(Clone, Copy)]
struct Table<'a> {
    buf: Buf<'a>,
    pos: usize,
    vt: usize,
    vt_len: usize,
    tbl_len: usize,
}

impl<'a> Table<'a> {
    /// Position of field `i`, None when absent (default value).
    fn field(&self, i: usize, size: usize) -> R<Option<usize>> {
        let slot = 4 + 2 * i;
        if slot + 2 > self.vt_len {
            return Ok(None);
        }
        let off = self.buf.u16(self.vt + slot)? as usize;
        if off == 0 {
            return Ok(None);
        }
        if off + size > self.tbl_len {
            return bad(format!("field {i} of table at {} beyond the table", self.pos));
        }
        Ok(Some(self.pos + off))
    }
    fn vector(&self, i: usize, elem: usize) -> R<(usize, usize)> {
        match self.field(i, 4)? {
            Some(p) => self.buf.vector(self.buf.deref(p)?, elem),
            None => Ok((0, 0)),
        }
    }
    fn i32_vec(&self, i: usize) -> R<Option<Vec<i32>>> {
        match self.field(i, 4)? {
            Some(p) => {
                let (start, n) = self.buf.vector(self.buf.deref(p)?, 4)?;
                (0..n).map(|k| self.buf.i32(start + 4 * k)).collect::<R<Vec<i32>>>().map(Some)
            }
            None => Ok(None),
        }
    }
    /// The tables of a vector of tables.
    fn tables(&self, i: usize) -> R<Vec<Table<'a>>> {
        let (start, n) = self.vector(i, 4)?;
        (0..n).map(|k| self.buf.table(self.buf.deref(start + 4 * k)?)).collect()
    }
    fn i8_or(&self, i: usize, default: i8) -> R<i8> {
        match self.field(i, 1)? {
            Some(p) => Ok(self.buf.bytes(p, 1)?[0] as i8),
            None => Ok(default),
        }
    }
    fn u32_or(&self, i: usize, default: u32) -> R<u32> {
        match self.field(i, 4)? {
            Some(p) => self.buf.u32(p),
            None => Ok(default),
        }
    }
    fn u64_or(&self, i: usize, default: u64) -> R<u64> {
        match self.field(i, 8)? {
            Some(p) => self.buf.u64(p),
            None => Ok(default),
        }
    }
}

// Field numbers from tensorflow/lite/schema/schema.fbs.
mod field {
    pub const MODEL_OPERATOR_CODES: usize = 1;
    pub const MODEL_SUBGRAPHS: usize = 2;
    pub const MODEL_BUFFERS: usize = 4;
    pub const SUBGRAPH_TENSORS: usize = 0;
    pub const SUBGRAPH_INPUTS: usize = 1;
    pub const SUBGRAPH_OUTPUTS: usize = 2;
    pub const SUBGRAPH_OPERATORS: usize = 3;
    pub const TENSOR_SHAPE: usize = 0;
    pub const TENSOR_TYPE: usize = 1;
    pub const TENSOR_BUFFER: usize = 2;
    pub const TENSOR_SHAPE_SIGNATURE: usize = 7;
    pub const OPERATOR_OPCODE_INDEX: usize = 0;
    pub const OPERATOR_INPUTS: usize = 1;
    pub const OPERATOR_OUTPUTS: usize = 2;
    pub const BUFFER_DATA: usize = 0;
    pub const BUFFER_OFFSET: usize = 1;
    pub const BUFFER_SIZE: usize = 2;
}

/// Checks `data` and returns the main subgraph's inputs and outputs.
pub fn inspect(data: &[u8]) -> R<ModelInfo> {
    if data.len() < 8 {
        return bad(format!("{} bytes is too short", data.len()));
    }
    if data.len() > MAX_MODEL_BYTES {
        return bad(format!("{} bytes is larger than {MAX_MODEL_BYTES}", data.len()));
    }
    if &data[4..8] != b"TFL3" {
        return bad("file identifier is not TFL3");
    }
    let buf = Buf(data);
    let model = buf.table(buf.deref(0)?)?;

    let n_opcodes = model.vector(field::MODEL_OPERATOR_CODES, 4)?.1;
    let buffers = model.tables(field::MODEL_BUFFERS)?;
    for (i, b) in buffers.iter().enumerate() {
        b.vector(field::BUFFER_DATA, 1)?;
        let off = b.u64_or(field::BUFFER_OFFSET, 0)?;
        let size = b.u64_or(field::BUFFER_SIZE, 0)?;
        if off > 1 && off.checked_add(size).is_none_or(|end| end > data.len() as u64) {
            return bad(format!("buffer {i} (offset {off}, size {size}) lies outside the model"));
        }
    }
    let subgraphs = model.tables(field::MODEL_SUBGRAPHS)?;
    if subgraphs.is_empty() {
        return bad("no subgraph");
    }
    let mut main = None;
    for (s, sg) in subgraphs.iter().enumerate() {
        let tensors = sg.tables(field::SUBGRAPH_TENSORS)?;
        let decls = tensors
            .iter()
            .map(|t| tensor_decl(t, buffers.len()))
            .collect::<R<Vec<TensorDecl>>>()
            .map_err(|e| Malformed(format!("subgraph {s}: {}", e.0)))?;
        let index = |v: Option<Vec<i32>>, what: &str, allow_optional: bool| -> R<Vec<usize>> {
            let v = v.unwrap_or_default();
            let mut out = Vec::with_capacity(v.len());
            for i in v {
                if i == -1 && allow_optional {
                    continue;
                }
                if i < 0 || i as usize >= decls.len() {
                    return bad(format!("subgraph {s}: {what} names tensor {i} of {}", decls.len()));
                }
                out.push(i as usize);
            }
            Ok(out)
        };
        let inputs = index(sg.i32_vec(field::SUBGRAPH_INPUTS)?, "an input", false)?;
        let outputs = index(sg.i32_vec(field::SUBGRAPH_OUTPUTS)?, "an output", false)?;
        for (k, op) in sg.tables(field::SUBGRAPH_OPERATORS)?.iter().enumerate() {
            let code = op.u32_or(field::OPERATOR_OPCODE_INDEX, 0)? as usize;
            if code >= n_opcodes {
                return bad(format!("subgraph {s}: operator {k} uses opcode {code} of {n_opcodes}"));
            }
            index(op.i32_vec(field::OPERATOR_INPUTS)?, "an operator input", true)?;
            index(op.i32_vec(field::OPERATOR_OUTPUTS)?, "an operator output", true)?;
        }
        if s == 0 {
            main = Some(ModelInfo {
                inputs: inputs.iter().map(|&i| decls[i].clone()).collect(),
                outputs: outputs.iter().map(|&i| decls[i].clone()).collect(),
            });
        }
    }
    let info = main.expect("subgraph 0 exists");
    if info.inputs.is_empty() || info.outputs.is_empty() {
        return bad("the main subgraph has no inputs or no outputs");
    }
    Ok(info)
}

fn tensor_decl(t: &Table<'_>, n_buffers: usize) -> R<TensorDecl> {
    let shape = t.i32_vec(field::TENSOR_SHAPE)?.unwrap_or_default();
    let signature = t.i32_vec(field::TENSOR_SHAPE_SIGNATURE)?;
    if shape.len() > MAX_RANK || signature.as_ref().is_some_and(|s| s.len() > MAX_RANK) {
        return bad(format!("tensor rank {} is above {MAX_RANK}", shape.len()));
    }
    if shape.iter().any(|&d| d < 0) {
        return bad("negative dimension in a tensor shape");
    }
    let buffer = t.u32_or(field::TENSOR_BUFFER, 0)? as usize;
    if buffer >= n_buffers.max(1) {
        return bad(format!("tensor uses buffer {buffer} of {n_buffers}"));
    }
    Ok(TensorDecl { ty: t.i8_or(field::TENSOR_TYPE, tensor_type::FLOAT32)?, shape, signature })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str) -> Vec<u8> {
        let path = format!("{}/../models/{name}.tflite", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn reads_the_generated_models() {
        let info = inspect(&model("mult_outputs")).unwrap();
        assert_eq!(info.inputs[0].shape, vec![1, 4, 4, 1]);
        assert_eq!(info.outputs.len(), 2);
        let info = inspect(&model("average_dynamic")).unwrap();
        assert_eq!(info.inputs[0].signature, Some(vec![-1, 5, 5, 1]));
        assert_eq!(inspect(&model("average_i8")).unwrap().inputs[0].ty, tensor_type::INT8);
    }

    #[test]
    fn refuses_garbage_and_every_truncation() {
        assert!(inspect(b"").is_err());
        assert!(inspect(&[0u8; 64]).is_err());
        let m = model("conv_net");
        for len in 0..m.len() {
            // Any prefix must be refused or accepted without panicking; most are refused.
            let _ = inspect(&m[..len]);
        }
        assert!(inspect(&m[..m.len() / 2]).is_err());
        let mut flipped = m.clone();
        for i in (8..flipped.len()).step_by(7) {
            flipped[i] ^= 0xff;
            let _ = inspect(&flipped);
        }
    }
}
