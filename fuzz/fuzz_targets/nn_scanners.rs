//! The model scanners that read untrusted model bytes before an engine sees them:
//! - nn/tflite/src/flatbuf.rs (`inspect_with_limit`): the TFLite backend's flatbuffer walk;
//! - nn/armnn/src/tflite_scan.rs (`scan`, `explain_operator`): the ArmNN backend's walk;
//! - core/src/nn/detect.rs (`detect`): autodetection (TFLite, GGUF, OpenVINO XML, ONNX protobuf).
//!
//! Both backends are cdylibs whose modules are private, so their source files are compiled
//! into this target with `#[path]` (unchanged; `try_vec` below is the one item of the ArmNN
//! crate root the scan uses). Errors are expected; a panic or a sanitizer report is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../nn/tflite/src/flatbuf.rs"]
mod flatbuf;

#[allow(dead_code)]
#[path = "../../nn/armnn/src/tflite_ops.rs"]
mod tflite_ops;

#[allow(dead_code)]
#[path = "../../nn/armnn/src/tflite_scan.rs"]
mod tflite_scan;

/// As nn/armnn/src/lib.rs: a vector with room for `n` items, reserved fallibly.
pub(crate) fn try_vec<T>(n: usize, what: &str) -> ember_nn_abi::sdk::Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| ember_nn_abi::sdk::Error::runtime(format!("{what}: cannot reserve {n} items")))?;
    Ok(v)
}

fuzz_target!(|data: &[u8]| {
    // The TFLite backend's limit on one tensor (its default option), and a tiny one.
    let _ = flatbuf::inspect_with_limit(data, flatbuf::DEFAULT_MAX_TENSOR_BYTES);
    let _ = flatbuf::inspect_with_limit(data, 64);
    if let Ok(info) = tflite_scan::scan(data) {
        // ArmNN names operators by number in its parse errors: explain a few, in range or not.
        for i in [0usize, 1, 2, 7, usize::MAX] {
            let _ = info.explain_operator(i);
        }
    }
    let _ = tflite_scan::operator_index_in(&String::from_utf8_lossy(data));
    let _ = vmcore_rt::nn::detect::detect(&[data]);
    if data.len() > 2 {
        let (a, b) = data.split_at(data.len() / 2);
        let _ = vmcore_rt::nn::detect::detect(&[a, b]);
    }
});
