//! A bounds-checked look at a TFLite flatbuffer before ArmNN sees it.
//!
//! Two jobs: (1) refuse bytes that are not a well-formed model (truncated, out-of-range offsets or
//! tensor/buffer/opcode indices) with a clear error, as a second line of defence beside ArmNN's
//! own flatbuffer verifier; (2) explain ArmNN's parse errors, which name an operator by number:
//! the scan says which operator that is and which operators feed it (the DEQUANTIZE that MediaPipe
//! puts in front of fp16 weights is the common case).
//!
//! Only the fields needed are read (schema.fbs: Model 1 operator_codes, 2 subgraphs, 4 buffers;
//! OperatorCode 0 deprecated_builtin_code, 1 custom_code, 3 builtin_code; SubGraph 0 tensors,
//! 1 inputs, 2 outputs, 3 operators; Tensor 2 buffer, 3 name; Operator 0 opcode_index, 1 inputs,
//! 2 outputs, 3 builtin_options_type).
//!
//! ArmNN 20.08 crashes (instead of throwing) on some well-formed flatbuffers; fuzzing found these,
//! and the scan refuses them: a negative operator code, and options of the wrong type (or none)
//! for an operator whose options ArmNN reads without checking.
//!
//! The scan borrows names and index lists from the model; its few vectors (one item per opcode,
//! tensor and operator, counts read from the model) are reserved fallibly.
use ember_nn_abi::sdk::{Error, Result};

use crate::tflite_ops;

/// TFLite's file identifier, bytes 4..8 of a model.
pub const IDENTIFIER: &[u8; 4] = b"TFL3";
const DEQUANTIZE: i32 = 6;
const CUSTOM: i32 = 32;
const RESHAPE: i32 = 22;

/// (builtin operator code, BuiltinOptions union index) for the operators whose options ArmNN
/// 20.08's parser dereferences unchecked (from TFLite's schema.fbs).
const OPTIONS_OF: [(i32, u8); 24] = [
    (0, 11),   // ADD: AddOptions
    (1, 5),    // AVERAGE_POOL_2D: Pool2DOptions
    (17, 5),   // MAX_POOL_2D: Pool2DOptions
    (2, 10),   // CONCATENATION: ConcatenationOptions
    (3, 1),    // CONV_2D: Conv2DOptions
    (4, 2),    // DEPTHWISE_CONV_2D: DepthwiseConv2DOptions
    (42, 29),  // DIV: DivOptions
    (9, 8),    // FULLY_CONNECTED: FullyConnectedOptions
    (98, 75),  // LEAKY_RELU: LeakyReluOptions
    (18, 21),  // MUL: MulOptions
    (41, 28),  // SUB: SubOptions
    (83, 59),  // PACK: PackOptions
    (88, 64),  // UNPACK: UnpackOptions
    (25, 9),   // SOFTMAX: SoftmaxOptions
    (49, 35),  // SPLIT: SplitOptions
    (102, 79), // SPLIT_V: SplitVOptions
    (43, 30),  // SQUEEZE: SqueezeOptions
    (45, 32),  // STRIDED_SLICE: StridedSliceOptions
    (67, 49),  // TRANSPOSE_CONV: TransposeConvOptions
    (23, 15),  // RESIZE_BILINEAR: ResizeBilinearOptions
    (97, 74),  // RESIZE_NEAREST_NEIGHBOR: ResizeNearestNeighborOptions
    (40, 27),  // MEAN: ReducerOptions
    (11, 12),  // L2_NORMALIZATION: L2NormOptions
    (22, 17),  // RESHAPE: ReshapeOptions (may be absent: the new shape can be an input)
];

#[derive(Clone, Copy)]
struct Buf<'a>(&'a [u8]);

type R<T> = std::result::Result<T, String>;

/// Why a scan failed: the bytes are not a usable model, or the runtime's memory ran out.
enum Fail {
    Model(String),
    Memory(Error),
}

impl From<String> for Fail {
    fn from(e: String) -> Fail {
        Fail::Model(e)
    }
}

/// A bounds-checked vector of i32 (tensor indices) inside the model.
#[derive(Clone, Copy, Default)]
struct List {
    at: usize,
    len: usize,
}

impl<'a> Buf<'a> {
    fn bytes(&self, at: usize, n: usize) -> R<&'a [u8]> {
        at.checked_add(n)
            .and_then(|end| self.0.get(at..end))
            .ok_or_else(|| format!("offset {at}+{n} is past the end ({} bytes)", self.0.len()))
    }
    fn u8(&self, at: usize) -> R<u8> {
        Ok(self.bytes(at, 1)?[0])
    }
    fn u16(&self, at: usize) -> R<u16> {
        let b = self.bytes(at, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, at: usize) -> R<u32> {
        let b = self.bytes(at, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn i32(&self, at: usize) -> R<i32> {
        Ok(self.u32(at)? as i32)
    }
    /// Follows the u32 forward offset stored at `at`.
    fn deref(&self, at: usize) -> R<usize> {
        (self.u32(at)? as usize).checked_add(at).ok_or_else(|| "offset overflow".to_string())
    }
    /// Position of field `field` of the table at `table`, None when absent.
    fn field(&self, table: usize, field: usize) -> R<Option<usize>> {
        let vtable = (table as i64) - i64::from(self.i32(table)?);
        let vtable = usize::try_from(vtable).map_err(|_| format!("vtable of table at {table} is out of range"))?;
        let vt_len = usize::from(self.u16(vtable)?);
        let slot = 4 + 2 * field;
        if slot + 2 > vt_len {
            return Ok(None);
        }
        let off = usize::from(self.u16(vtable + slot)?);
        Ok(if off == 0 { None } else { Some(table + off) })
    }
    /// (start of elements, count) of the vector referenced by field `field`; elements `size` bytes.
    fn vector(&self, table: usize, field: usize, size: usize) -> R<(usize, usize)> {
        let Some(pos) = self.field(table, field)? else { return Ok((0, 0)) };
        let v = self.deref(pos)?;
        let n = self.u32(v)? as usize;
        let bytes = n.checked_mul(size).ok_or_else(|| "vector length overflow".to_string())?;
        self.bytes(v + 4, bytes)?;
        Ok((v + 4, n))
    }
    fn table_at(&self, vec_start: usize, i: usize) -> R<usize> {
        self.deref(vec_start + 4 * i)
    }
    fn string(&self, table: usize, field: usize) -> R<Option<&'a [u8]>> {
        let Some(pos) = self.field(table, field)? else { return Ok(None) };
        let s = self.deref(pos)?;
        let n = self.u32(s)? as usize;
        Ok(Some(self.bytes(s + 4, n)?))
    }
    fn i32_list(&self, table: usize, field: usize) -> R<List> {
        let (at, len) = self.vector(table, field, 4)?;
        Ok(List { at, len })
    }
    /// The items of a list (checked in bounds by `i32_list`).
    fn items(self, list: List) -> impl Iterator<Item = i32> + 'a {
        (0..list.len).map(move |i| self.i32(list.at + 4 * i).unwrap_or(-1))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn reserve<T>(n: usize, what: &str) -> std::result::Result<Vec<T>, Fail> {
    crate::try_vec(n, what).map_err(Fail::Memory)
}

struct Op<'a> {
    code: i32,
    custom: Option<&'a [u8]>,
    inputs: List,
    outputs: List,
}

/// What the scan learnt about subgraph 0 (borrowed from the model).
pub struct ModelInfo<'a> {
    buf: Buf<'a>,
    ops: Vec<Op<'a>>,
    tensor_names: Vec<&'a [u8]>,
}

/// Checks the structure of `model`; Err(invalid_argument) when it is not a usable TFLite model.
pub fn scan(model: &[u8]) -> Result<ModelInfo<'_>> {
    scan_inner(model).map_err(|e| match e {
        Fail::Model(e) => Error::invalid(format!("not a valid TFLite model: {e}")),
        Fail::Memory(e) => e,
    })
}

fn scan_inner(model: &[u8]) -> std::result::Result<ModelInfo<'_>, Fail> {
    let b = Buf(model);
    if b.bytes(4, 4)? != IDENTIFIER {
        return Err(Fail::Model("missing the TFL3 file identifier".into()));
    }
    let root = b.deref(0)?;
    let (codes_at, n_codes) = b.vector(root, 1, 4)?;
    let mut codes = reserve(n_codes, "model scan (operator codes)")?;
    for i in 0..n_codes {
        let t = b.table_at(codes_at, i)?;
        let deprecated = match b.field(t, 0)? {
            Some(p) => i32::from(b.u8(p)? as i8),
            None => 0,
        };
        let builtin = match b.field(t, 3)? {
            Some(p) => b.i32(p)?,
            None => 0,
        };
        if deprecated < 0 {
            return Err(Fail::Model(format!("operator code {i} has the negative builtin code {deprecated}")));
        }
        codes.push((deprecated.max(builtin), b.string(t, 1)?));
    }
    let (_, n_buffers) = b.vector(root, 4, 4)?;
    let (subgraphs_at, n_subgraphs) = b.vector(root, 2, 4)?;
    if n_subgraphs == 0 {
        return Err(Fail::Model("the model has no subgraph".into()));
    }
    let mut first = None;
    for s in 0..n_subgraphs {
        let sg = b.table_at(subgraphs_at, s)?;
        let (tensors_at, n_tensors) = b.vector(sg, 0, 4)?;
        let mut names = reserve(n_tensors, "model scan (tensors)")?;
        for t in 0..n_tensors {
            let tensor = b.table_at(tensors_at, t)?;
            if let Some(p) = b.field(tensor, 2)? {
                let buffer = b.u32(p)? as usize;
                if buffer >= n_buffers {
                    return Err(Fail::Model(format!("tensor {t} of subgraph {s} names buffer {buffer} of {n_buffers}")));
                }
            }
            names.push(b.string(tensor, 3)?.unwrap_or_default());
        }
        let check = |list: List, what: &str| -> R<()> {
            match b.items(list).find(|&i| i < -1 || (i >= 0 && i as usize >= n_tensors)) {
                Some(bad) => Err(format!("{what} of subgraph {s} names tensor {bad} of {n_tensors}")),
                None => Ok(()),
            }
        };
        check(b.i32_list(sg, 1)?, "an input")?;
        check(b.i32_list(sg, 2)?, "an output")?;
        let (ops_at, n_ops) = b.vector(sg, 3, 4)?;
        let mut ops = reserve(n_ops, "model scan (operators)")?;
        for o in 0..n_ops {
            let op = b.table_at(ops_at, o)?;
            let index = match b.field(op, 0)? {
                Some(p) => b.u32(p)? as usize,
                None => 0,
            };
            let (code, custom) = codes
                .get(index)
                .copied()
                .ok_or_else(|| format!("operator {o} of subgraph {s} uses opcode {index} of {n_codes}"))?;
            let options = match b.field(op, 3)? {
                Some(p) => b.u8(p)?,
                None => 0,
            };
            if let Some(&(_, want)) = OPTIONS_OF.iter().find(|(c, _)| *c == code) {
                if options != want && !(options == 0 && code == RESHAPE) {
                    return Err(Fail::Model(format!(
                        "operator {o} of subgraph {s} ({}) has options of type {options}, not {want}",
                        tflite_ops::name(code)
                    )));
                }
            }
            let inputs = b.i32_list(op, 1)?;
            let outputs = b.i32_list(op, 2)?;
            check(inputs, &format!("operator {o}"))?;
            check(outputs, &format!("operator {o}"))?;
            ops.push(Op { code, custom, inputs, outputs });
        }
        if s == 0 {
            first = Some(ModelInfo { buf: b, ops, tensor_names: names });
        }
    }
    first.ok_or_else(|| Fail::Model("the model has no subgraph".to_string()))
}

impl ModelInfo<'_> {
    fn op_name(&self, op: &Op<'_>) -> String {
        match (op.code, op.custom) {
            (CUSTOM, Some(name)) => format!("CUSTOM ({})", text(name)),
            (code, _) => tflite_ops::name(code),
        }
    }

    /// The operator ArmNN names "operator #N" as text: its type, and the operators producing its
    /// inputs. Returns the name of the operator to blame (a DEQUANTIZE feeding it, or itself).
    pub fn explain_operator(&self, index: usize) -> Option<(String, String)> {
        let op = self.ops.get(index)?;
        let name = self.op_name(op);
        let mut feeders = Vec::new();
        let mut blame = name.clone();
        for input in self.buf.items(op.inputs).filter(|&i| i >= 0) {
            if let Some((p, producer)) = self.ops.iter().enumerate().find(|(_, o)| self.buf.items(o.outputs).any(|x| x == input)) {
                let tensor = self.tensor_names.get(input as usize).map_or_else(String::new, |n| text(n));
                feeders.push(format!("input '{tensor}' comes from {} (operator #{p})", self.op_name(producer)));
                if producer.code == DEQUANTIZE {
                    blame = "DEQUANTIZE".to_string();
                }
            }
        }
        let mut text = format!("operator #{index} is {name}");
        if !feeders.is_empty() {
            text += &format!(" ({})", feeders.join(", "));
        }
        Some((blame, text))
    }
}

/// Parses "operator #N" out of an ArmNN parse error.
pub fn operator_index_in(message: &str) -> Option<usize> {
    let rest = &message[message.find("operator #")? + "operator #".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}
