//! fp32 guest tensors for quantized model inputs. A model whose input is uint8 or int8 with a
//! per-tensor scale and zero point takes an fp32 tensor too: it is quantized on the way in,
//! q = round(x / scale) + zero_point clamped to the type's range (TFLite's own rule; WAMR's
//! TFLite backend does the same conversion but truncates instead of rounding). NaN becomes the
//! zero point. A u8 tensor still goes in unchanged.

use ember_nn_abi::sdk::{Error, Result};
use ember_nn_abi::NnError;

use crate::flatbuf::{tensor_type, Quant, TensorDecl};

/// How an fp32 tensor for one model input is quantized.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputQuant {
    quant: Quant,
    /// The element range: uint8 0..=255, int8 -128..=127.
    lo: i64,
    hi: i64,
}

impl InputQuant {
    /// For a uint8 or int8 input with per-tensor quantization; None otherwise.
    pub fn of(decl: &TensorDecl) -> Option<InputQuant> {
        let (lo, hi) = match decl.ty {
            tensor_type::UINT8 => (0, 255),
            tensor_type::INT8 => (-128, 127),
            _ => return None,
        };
        decl.quant.map(|quant| InputQuant { quant, lo, hi })
    }

    /// `data` (fp32, little endian) quantized: one byte per element (int8 as its two's
    /// complement byte, which the engines take as the wasi-nn u8 type).
    pub fn quantize(&self, index: u32, data: &[u8]) -> Result<Vec<u8>> {
        if data.len() % 4 != 0 {
            return Err(Error::invalid(format!("input {index}: {} bytes is not a whole number of fp32 values", data.len())));
        }
        let mut out = Vec::new();
        out.try_reserve_exact(data.len() / 4)
            .map_err(|_| Error::new(NnError::TooLarge, format!("no memory to quantize a {}-byte input", data.len())))?;
        let Quant { scale, zero_point } = self.quant;
        out.extend(data.chunks_exact(4).map(|b| {
            let x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            // `as` saturates (and maps NaN to 0) before the zero point is added.
            let q = ((x / scale).round() as i64).saturating_add(zero_point).clamp(self.lo, self.hi);
            q as u8
        }));
        Ok(out)
    }

    pub fn describe(&self) -> String {
        format!("scale {} zero point {}", self.quant.scale, self.quant.zero_point)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(ty: i8, quant: Option<Quant>) -> TensorDecl {
        TensorDecl { name: String::new(), ty, shape: vec![4], signature: None, quant }
    }

    fn bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn rounds_offsets_and_clamps() {
        let u8q = InputQuant::of(&decl(tensor_type::UINT8, Some(Quant { scale: 0.1, zero_point: 0 }))).unwrap();
        assert_eq!(u8q.quantize(0, &bytes(&[0.0, 0.14, 0.16, 2.4, 25.5, 100.0, -1.0, f32::NAN])).unwrap(), [0, 1, 2, 24, 255, 255, 0, 0]);
        let i8q = InputQuant::of(&decl(tensor_type::INT8, Some(Quant { scale: 0.5, zero_point: -128 }))).unwrap();
        let got: Vec<i8> = i8q.quantize(0, &bytes(&[0.0, 1.0, 127.5, 1e9, f32::NEG_INFINITY])).unwrap().into_iter().map(|b| b as i8).collect();
        assert_eq!(got, [-128, -126, 127, 127, -128]);
        assert!(u8q.quantize(0, &[0; 5]).is_err());
    }

    #[test]
    fn only_quantized_integer_inputs() {
        let q = Some(Quant { scale: 1.0, zero_point: 0 });
        assert!(InputQuant::of(&decl(tensor_type::FLOAT32, q)).is_none());
        assert!(InputQuant::of(&decl(tensor_type::UINT8, None)).is_none());
        assert!(InputQuant::of(&decl(tensor_type::INT8, q)).is_some());
    }
}
