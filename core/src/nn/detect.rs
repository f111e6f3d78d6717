//! Graph encodings: names, and autodetection from the model bytes.
//!
//! Autodetect looks at what the model is, never at which backend happens to load first:
//! - TensorFlow Lite: FlatBuffer file identifier "TFL3" at bytes 4..8.
//! - GGUF (ggml): magic "GGUF" at bytes 0..4.
//! - OpenVINO IR: an XML document whose root element is `<net` (first builder is the .xml).
//! - ONNX: a protobuf ModelProto: the top-level fields parse cleanly with ModelProto's field
//!   numbers and wire types, and field 7 (graph) is present.

use ember_nn_abi::encoding;

/// Lower-case name of an encoding number (for messages and backend file names).
pub fn encoding_name(enc: u32) -> &'static str {
    match enc {
        encoding::OPENVINO => "openvino",
        encoding::ONNX => "onnx",
        encoding::TENSORFLOW => "tensorflow",
        encoding::PYTORCH => "pytorch",
        encoding::TENSORFLOWLITE => "tensorflowlite",
        encoding::GGML => "ggml",
        encoding::AUTODETECT => "autodetect",
        _ => "unknown",
    }
}

/// Parse an encoding word (case-insensitive), as --nn-preload and --wasi-nn-graph take it.
pub fn parse_encoding(word: &str) -> Option<u32> {
    match word.to_ascii_lowercase().as_str() {
        "openvino" => Some(encoding::OPENVINO),
        "onnx" => Some(encoding::ONNX),
        "tensorflow" => Some(encoding::TENSORFLOW),
        "pytorch" => Some(encoding::PYTORCH),
        "tensorflowlite" | "tflite" => Some(encoding::TENSORFLOWLITE),
        "ggml" | "gguf" => Some(encoding::GGML),
        "autodetect" | "auto" => Some(encoding::AUTODETECT),
        _ => None,
    }
}

/// Parse an execution target word (case-insensitive). WasmEdge's "auto" means cpu here.
pub fn parse_target(word: &str) -> Option<u32> {
    match word.to_ascii_lowercase().as_str() {
        "cpu" | "auto" => Some(ember_nn_abi::target::CPU),
        "gpu" => Some(ember_nn_abi::target::GPU),
        "tpu" | "npu" => Some(ember_nn_abi::target::TPU),
        _ => None,
    }
}

/// The encoding of a model given as builders (usually one), or None when nothing matches.
pub fn detect(builders: &[&[u8]]) -> Option<u32> {
    let first = builders.first()?;
    if first.len() >= 8 && &first[4..8] == b"TFL3" {
        return Some(encoding::TENSORFLOWLITE);
    }
    if first.len() >= 4 && &first[0..4] == b"GGUF" {
        return Some(encoding::GGML);
    }
    if is_openvino_ir(first) {
        return Some(encoding::OPENVINO);
    }
    if is_onnx_model(first) {
        return Some(encoding::ONNX);
    }
    None
}

fn is_openvino_ir(bytes: &[u8]) -> bool {
    // The root element must be <net ...>, after an optional BOM, XML declaration, comments
    // and white space. Only the head of the file is examined.
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) => match std::str::from_utf8(&head[..e.valid_up_to()]) {
            Ok(t) => t,
            Err(_) => return false,
        },
    };
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if rest.starts_with("<?") {
            match rest.find("?>") {
                Some(i) => rest = &rest[i + 2..],
                None => return false,
            }
        } else if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(i) => rest = &rest[i + 3..],
                None => return false,
            }
        } else {
            break;
        }
    }
    rest.starts_with("<net") && rest[4..].starts_with(|c: char| c.is_whitespace() || c == '>')
}

/// Read a protobuf varint at `*pos`.
fn varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn is_onnx_model(bytes: &[u8]) -> bool {
    // ModelProto fields: 1 ir_version (varint), 2 producer_name, 3 producer_version, 4 domain
    // (len), 5 model_version (varint), 6 doc_string, 7 graph (len), 8 opset_import (len),
    // 14 metadata_props (len), 20 training_info (len), 25 functions (len), 26 configuration.
    let mut pos = 0usize;
    let mut saw_graph = false;
    let mut fields = 0usize;
    while pos < bytes.len() {
        let key = match varint(bytes, &mut pos) {
            Some(k) => k,
            None => return false,
        };
        let (field, wire) = (key >> 3, key & 7);
        let expected_wire = match field {
            1 | 5 => 0,
            2 | 3 | 4 | 6 | 7 | 8 | 14 | 20 | 25 | 26 => 2,
            _ => return false,
        };
        if wire != expected_wire {
            return false;
        }
        if wire == 0 {
            if varint(bytes, &mut pos).is_none() {
                return false;
            }
        } else {
            let len = match varint(bytes, &mut pos) {
                Some(l) => l,
                None => return false,
            };
            let end = match (pos as u64).checked_add(len) {
                Some(e) if e <= bytes.len() as u64 => e as usize,
                _ => return false,
            };
            pos = end;
        }
        if field == 7 {
            saw_graph = true;
        }
        fields += 1;
    }
    saw_graph && fields >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_tflite_gguf_openvino() {
        let mut tfl = vec![0x1c, 0, 0, 0];
        tfl.extend_from_slice(b"TFL3");
        tfl.extend_from_slice(&[0; 16]);
        assert_eq!(detect(&[&tfl]), Some(encoding::TENSORFLOWLITE));
        assert_eq!(detect(&[b"GGUF\x03\0\0\0"]), Some(encoding::GGML));
        let xml = b"<?xml version=\"1.0\"?>\n<!-- x -->\n<net name=\"m\" version=\"11\">";
        assert_eq!(detect(&[xml, b"weights"]), Some(encoding::OPENVINO));
        assert_eq!(detect(&[b"<network>"]), None);
    }

    #[test]
    fn detects_onnx_model_proto() {
        // ir_version 8, producer_name "x", graph { name "g" }, opset_import { version 13 }
        let onnx = [0x08, 0x08, 0x12, 0x01, b'x', 0x3a, 0x03, 0x52, 0x01, b'g', 0x42, 0x02, 0x10, 0x0d];
        assert_eq!(detect(&[&onnx]), Some(encoding::ONNX));
        // Truncated graph field.
        assert_eq!(detect(&[&onnx[..8]]), None);
        // No graph.
        assert_eq!(detect(&[&onnx[..5]]), None);
    }

    #[test]
    fn garbage_is_not_detected() {
        assert_eq!(detect(&[]), None);
        assert_eq!(detect(&[b""]), None);
        assert_eq!(detect(&[b"\x00\x01\x02garbage bytes here"]), None);
        assert_eq!(detect(&[&[0xff; 64]]), None);
    }

    #[test]
    fn words() {
        assert_eq!(parse_encoding("TensorFlowLite"), Some(4));
        assert_eq!(parse_encoding("GGML"), Some(5));
        assert_eq!(parse_encoding("AUTO"), Some(6));
        assert_eq!(parse_encoding("caffe"), None);
        assert_eq!(parse_target("GPU"), Some(1));
        assert_eq!(parse_target("fpga"), None);
    }
}
