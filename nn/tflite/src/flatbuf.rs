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
    pub const UINT8: i8 = 3;
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

/// A tensor's per-tensor (affine) quantization: real = scale * (q - zero_point).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Quant {
    pub scale: f32,
    pub zero_point: i64,
}

/// One input or output tensor of the main subgraph, as the model declares it.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorDecl {
    /// The tensor's name in the model (may be empty).
    pub name: String,
    /// Schema TensorType (see [`tensor_type`]).
    pub ty: i8,
    pub shape: Vec<i32>,
    /// shape_signature: -1 marks a dynamic dimension; None when the model has none.
    pub signature: Option<Vec<i32>>,
    /// Per-tensor quantization (one scale); None without, or per channel.
    pub quant: Option<Quant>,
}

/// What the backend needs to know about a model before handing it to an engine.
#[derive(Clone, Debug)]
pub struct ModelInfo {
    pub inputs: Vec<TensorDecl>,
    pub outputs: Vec<TensorDecl>,
}

/// Largest model accepted (flatbuffers address 2 GiB; wasm32 guests cannot send more anyway).
pub const MAX_MODEL_BYTES: usize = 1 << 31;
/// Default limit on any one tensor's declared size (option `max_tensor_mb`): a corrupted shape
/// would otherwise make the engine allocate and compute for minutes (found by fuzzing).
pub const DEFAULT_MAX_TENSOR_BYTES: u64 = 256 << 20;
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
    fn f32_vec(&self, i: usize) -> R<Vec<f32>> {
        match self.field(i, 4)? {
            Some(p) => {
                let (start, n) = self.buf.vector(self.buf.deref(p)?, 4)?;
                (0..n).map(|k| self.buf.u32(start + 4 * k).map(f32::from_bits)).collect()
            }
            None => Ok(Vec::new()),
        }
    }
    fn table(&self, i: usize) -> R<Option<Table<'a>>> {
        match self.field(i, 4)? {
            Some(p) => Ok(Some(self.buf.table(self.buf.deref(p)?)?)),
            None => Ok(None),
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
    pub const TENSOR_NAME: usize = 3;
    pub const TENSOR_QUANTIZATION: usize = 4;
    pub const TENSOR_IS_VARIABLE: usize = 5;
    pub const QUANT_SCALE: usize = 2;
    pub const QUANT_ZERO_POINT: usize = 3;
    pub const TENSOR_SHAPE_SIGNATURE: usize = 7;
    pub const OPERATOR_OPCODE_INDEX: usize = 0;
    pub const OPERATOR_INPUTS: usize = 1;
    pub const OPERATOR_OUTPUTS: usize = 2;
    pub const OPERATOR_OPTIONS_TYPE: usize = 3;
    pub const OPERATOR_OPTIONS: usize = 4;
    pub const OPCODE_DEPRECATED_BUILTIN: usize = 0;
    pub const OPCODE_BUILTIN: usize = 3;
    pub const BUFFER_DATA: usize = 0;
    pub const BUFFER_OFFSET: usize = 1;
    pub const BUFFER_SIZE: usize = 2;
}

/// Upper bound of one element's size for a schema TensorType (8 for types we do not know).
fn schema_elem_size(ty: i8) -> u64 {
    match ty {
        3 | 6 | 9 | 17 | 19 => 1, // uint8, bool, int8, int4, int2 (rounded up)
        1 | 7 | 16 | 18 => 2,     // float16, int16, uint16, bfloat16
        0 | 2 | 15 => 4,          // float32, int32, uint32
        11 => 16,                 // complex128
        _ => 8,
    }
}

/// Checks `data` and returns the main subgraph's inputs and outputs.
#[cfg(test)]
pub fn inspect(data: &[u8]) -> R<ModelInfo> {
    inspect_with_limit(data, DEFAULT_MAX_TENSOR_BYTES)
}

/// Checks `data`, refusing any tensor declared larger than `max_tensor_bytes`, and returns the
/// main subgraph's inputs and outputs.
pub fn inspect_with_limit(data: &[u8], max_tensor_bytes: u64) -> R<ModelInfo> {
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

    let opcodes: Vec<i32> = model
        .tables(field::MODEL_OPERATOR_CODES)?
        .iter()
        .map(|c| {
            let old = c.i8_or(field::OPCODE_DEPRECATED_BUILTIN, 0)? as i32;
            let new = c.u32_or(field::OPCODE_BUILTIN, 0)? as i32;
            // schema.fbs: deprecated_builtin_code = min(builtin_code, 127) when both are
            // written; engines that read different fields would disagree on the operator.
            if new != 0 && old != new.min(127) {
                return bad(format!("operator code {new} with deprecated code {old}"));
            }
            if old < 0 || new < 0 {
                return bad(format!("negative operator code {}", old.min(new)));
            }
            Ok(old.max(new))
        })
        .collect::<R<Vec<i32>>>()?;
    let n_opcodes = opcodes.len();
    let buffers = model.tables(field::MODEL_BUFFERS)?;
    let mut buffer_has_data = Vec::with_capacity(buffers.len());
    for (i, b) in buffers.iter().enumerate() {
        let inline = b.vector(field::BUFFER_DATA, 1)?.1;
        let off = b.u64_or(field::BUFFER_OFFSET, 0)?;
        let size = b.u64_or(field::BUFFER_SIZE, 0)?;
        if off > 1 && off.checked_add(size).is_none_or(|end| end > data.len() as u64) {
            return bad(format!("buffer {i} (offset {off}, size {size}) lies outside the model"));
        }
        buffer_has_data.push(inline > 0 || (off > 1 && size > 0));
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
        for (i, d) in decls.iter().enumerate() {
            let bytes = d
                .shape
                .iter()
                .try_fold(schema_elem_size(d.ty), |acc, &x| acc.checked_mul(x as u64))
                .filter(|&b| b <= max_tensor_bytes);
            if bytes.is_none() {
                return bad(format!(
                    "subgraph {s}: tensor {i} of shape {:?} is larger than the {} MiB limit (option max_tensor_mb)",
                    d.shape,
                    max_tensor_bytes >> 20
                ));
            }
        }
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
        // Dataflow: the engines run operators in order and trust that each tensor is written
        // once before it is read (a redirected output made classic TFLite crash in compute).
        let mut written: Vec<bool> = tensors
            .iter()
            .map(|t| {
                let buf = t.u32_or(field::TENSOR_BUFFER, 0)? as usize;
                let variable = t.i8_or(field::TENSOR_IS_VARIABLE, 0)? != 0;
                Ok(variable || buffer_has_data.get(buf).copied().unwrap_or(false))
            })
            .collect::<R<Vec<bool>>>()?;
        for &i in &inputs {
            written[i] = true;
        }
        for (k, op) in sg.tables(field::SUBGRAPH_OPERATORS)?.iter().enumerate() {
            let code = op.u32_or(field::OPERATOR_OPCODE_INDEX, 0)? as usize;
            if code >= n_opcodes {
                return bad(format!("subgraph {s}: operator {k} uses opcode {code} of {n_opcodes}"));
            }
            let ins = index(op.i32_vec(field::OPERATOR_INPUTS)?, "an operator input", true)?;
            let outs = index(op.i32_vec(field::OPERATOR_OUTPUTS)?, "an operator output", true)?;
            if let Some(&t) = ins.iter().find(|&&t| !written[t]) {
                return bad(format!("subgraph {s}: operator {k} reads tensor {t} before anything writes it"));
            }
            for &t in &outs {
                if written[t] {
                    return bad(format!("subgraph {s}: operator {k} writes tensor {t}, already written or constant"));
                }
                written[t] = true;
            }
            check_options(opcodes[code], op, ins.first().map(|&i| &decls[i]))
                .map_err(|e| Malformed(format!("subgraph {s}: operator {k}: {}", e.0)))?;
        }
        if let Some(&t) = outputs.iter().find(|&&t| !written[t]) {
            return bad(format!("subgraph {s}: output tensor {t} is never written"));
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

// Builtin operator codes whose options we check (schema.fbs BuiltinOperator).
const OP_AVERAGE_POOL_2D: i32 = 1;
const OP_CONV_2D: i32 = 3;
const OP_DEPTHWISE_CONV_2D: i32 = 4;
const OP_L2_POOL_2D: i32 = 12;
const OP_MAX_POOL_2D: i32 = 17;
const OP_ADD: i32 = 0;
const OP_CONCATENATION: i32 = 2;
const OP_FULLY_CONNECTED: i32 = 9;
const OP_MUL: i32 = 18;
const OP_SUB: i32 = 41;
const OP_DIV: i32 = 42;
const MAX_WINDOW: u32 = 1 << 12;

/// (BuiltinOperator, the BuiltinOptions type its options must have) for common operators:
/// LiteRT reads options as the operator's type without checking (a SPLIT carrying Conv2D
/// options crashed it in fuzzing).
const OPTIONS_TYPE: &[(i32, u8)] = &[
    (3, 1),     // CONV_2D: Conv2DOptions
    (4, 2),     // DEPTHWISE_CONV_2D
    (1, 5),     // AVERAGE_POOL_2D: Pool2DOptions
    (17, 5),    // MAX_POOL_2D
    (12, 5),    // L2_POOL_2D
    (9, 8),     // FULLY_CONNECTED
    (25, 9),    // SOFTMAX
    (2, 10),    // CONCATENATION
    (0, 11),    // ADD
    (18, 21),   // MUL
    (41, 28),   // SUB
    (42, 29),   // DIV
    (22, 17),   // RESHAPE
    (34, 22),   // PAD
    (40, 27),   // MEAN: ReducerOptions
    (49, 35),   // SPLIT
    (23, 15),   // RESIZE_BILINEAR
    (67, 49),   // TRANSPOSE_CONV
    (45, 32),   // STRIDED_SLICE
    (36, 23),   // GATHER
    (39, 26),   // TRANSPOSE
    (43, 30),   // SQUEEZE
    (114, 89),  // QUANTIZE
    (6, 38),    // DEQUANTIZE
    (98, 75),   // LEAKY_RELU
    (126, 101), // BATCH_MATMUL
    (132, 106), // CONV_3D
];

/// Options the engines trust without checking, found by fuzzing to crash them: a pooling window
/// larger than its input (classic TFLite 2.9 aborts on int8 AVERAGE_POOL_2D), zero strides or
/// dilations (divisions by zero).
fn check_options(code: i32, op: &Table<'_>, input: Option<&TensorDecl>) -> R<()> {
    let Some(o) = op.table(field::OPERATOR_OPTIONS)? else { return Ok(()) };
    let ty = op.i8_or(field::OPERATOR_OPTIONS_TYPE, 0)? as u8;
    if let Some(&(_, want)) = OPTIONS_TYPE.iter().find(|(c, _)| *c == code) {
        if ty != want {
            return bad(format!("operator {code} carries options of type {ty}, not {want}"));
        }
    }
    let in_range = |v: u32, what: &str| -> R<u32> {
        if (1..=MAX_WINDOW).contains(&v) {
            Ok(v)
        } else {
            bad(format!("{what} {v} is outside 1..{MAX_WINDOW}"))
        }
    };
    // Enum fields out of their range crash the classic engine at compute (a Conv2D padding of
    // 108 did): Padding is SAME 0 / VALID 1, ActivationFunctionType NONE 0 .. SIGN_BIT 5.
    let padding = |field: usize| -> R<()> {
        match o.i8_or(field, 0)? {
            0 | 1 => Ok(()),
            p => bad(format!("padding {p} is neither SAME nor VALID")),
        }
    };
    let activation = |field: usize| -> R<()> {
        match o.i8_or(field, 0)? {
            0..=5 => Ok(()),
            a => bad(format!("fused activation {a} is unknown")),
        }
    };
    match code {
        OP_FULLY_CONNECTED | OP_ADD | OP_MUL | OP_SUB | OP_DIV => activation(0)?,
        OP_CONCATENATION => activation(1)?,
        _ => {}
    }
    match code {
        OP_AVERAGE_POOL_2D | OP_MAX_POOL_2D | OP_L2_POOL_2D => {
            // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation.
            padding(0)?;
            activation(5)?;
            in_range(o.u32_or(1, 0)?, "pool stride")?;
            in_range(o.u32_or(2, 0)?, "pool stride")?;
            let fw = in_range(o.u32_or(3, 0)?, "pool filter width")?;
            let fh = in_range(o.u32_or(4, 0)?, "pool filter height")?;
            if let Some(t) = input.filter(|t| t.shape.len() == 4) {
                if fh as i64 > t.shape[1] as i64 || fw as i64 > t.shape[2] as i64 {
                    return bad(format!("pool window {fh}x{fw} is larger than its input {:?}", t.shape));
                }
            }
        }
        OP_CONV_2D => {
            // Conv2DOptions: padding, stride_w, stride_h, activation, dilation_w, dilation_h.
            padding(0)?;
            activation(3)?;
            in_range(o.u32_or(1, 0)?, "conv stride")?;
            in_range(o.u32_or(2, 0)?, "conv stride")?;
            in_range(o.u32_or(4, 1)?, "conv dilation")?;
            in_range(o.u32_or(5, 1)?, "conv dilation")?;
        }
        OP_DEPTHWISE_CONV_2D => {
            // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, activation,
            // dilation_w, dilation_h.
            padding(0)?;
            activation(4)?;
            in_range(o.u32_or(1, 0)?, "depthwise stride")?;
            in_range(o.u32_or(2, 0)?, "depthwise stride")?;
            in_range(o.u32_or(5, 1)?, "depthwise dilation")?;
            in_range(o.u32_or(6, 1)?, "depthwise dilation")?;
        }
        _ => {}
    }
    Ok(())
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
    // Quantization: LiteRT 2.3 crashes (SIGSEGV) on a NaN, infinite, zero or negative scale
    // (found by fuzzing); TFLite wants as many zero points as scales.
    let mut quant = None;
    if let Some(q) = t.table(field::TENSOR_QUANTIZATION)? {
        let scales = q.f32_vec(field::QUANT_SCALE)?;
        if let Some(bad_scale) = scales.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return bad(format!("quantization scale {bad_scale} is not a positive finite number"));
        }
        let (zp_start, zero_points) = q.vector(field::QUANT_ZERO_POINT, 8)?;
        if !scales.is_empty() && zero_points != 0 && zero_points != scales.len() {
            return bad(format!("{} quantization scales but {zero_points} zero points", scales.len()));
        }
        // A zero point outside the element type's range also crashes LiteRT.
        let ty = t.i8_or(field::TENSOR_TYPE, tensor_type::FLOAT32)?;
        let range = match ty {
            3 => Some((0i64, 255i64)),  // uint8
            9 => Some((-128, 127)),     // int8
            7 => Some((-32768, 32767)), // int16
            _ => None,
        };
        if let Some((lo, hi)) = range {
            for k in 0..zero_points {
                let zp = t.buf.u64(zp_start + 8 * k)? as i64;
                if zp < lo || zp > hi {
                    return bad(format!("zero point {zp} is outside {lo}..{hi} for the tensor's type"));
                }
            }
        }
        if let [scale] = scales[..] {
            let zero_point = if zero_points == 1 { t.buf.u64(zp_start)? as i64 } else { 0 };
            quant = Some(Quant { scale, zero_point });
        }
    }
    let buffer = t.u32_or(field::TENSOR_BUFFER, 0)? as usize;
    if buffer >= n_buffers.max(1) {
        return bad(format!("tensor uses buffer {buffer} of {n_buffers}"));
    }
    let (start, n) = t.vector(field::TENSOR_NAME, 1)?;
    let name = if n == 0 { String::new() } else { String::from_utf8_lossy(t.buf.bytes(start, n)?).into_owned() };
    Ok(TensorDecl { name, ty: t.i8_or(field::TENSOR_TYPE, tensor_type::FLOAT32)?, shape, signature, quant })
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
        let mut huge = m.clone();
        // conv_net's input shape [1,8,8,1]: make the width 2^24 (a 512 MiB input).
        let at = huge.windows(16).position(|w| w == [1, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0]).unwrap();
        huge[at + 8..at + 12].copy_from_slice(&(1u32 << 24).to_le_bytes());
        assert!(inspect(&huge).unwrap_err().0.contains("limit"));
        let mut flipped = m.clone();
        for i in (8..flipped.len()).step_by(7) {
            flipped[i] ^= 0xff;
            let _ = inspect(&flipped);
        }
    }
}
