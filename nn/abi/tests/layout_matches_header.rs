//! The Rust mirror must agree with nn/include/wasi_nn_backend.h: this test compiles a small C
//! program against the header with the host C compiler, prints sizes, offsets and constants,
//! and compares them with the Rust definitions.

use ember_nn_abi::*;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

const C_PROGRAM: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include "wasi_nn_backend.h"
#define S(t) printf("size " #t " %zu\n", sizeof(t));
#define O(t, f) printf("off " #t "." #f " %zu\n", offsetof(t, f));
#define C(x) printf("const " #x " %lu\n", (unsigned long)(x));
int main(void) {
    S(ember_nn_bytes) O(ember_nn_bytes, data) O(ember_nn_bytes, len)
    S(ember_nn_tensor) O(ember_nn_tensor, dims) O(ember_nn_tensor, dims_len) O(ember_nn_tensor, type)
    O(ember_nn_tensor, data) O(ember_nn_tensor, data_len)
    S(ember_nn_init_args) O(ember_nn_init_args, options) O(ember_nn_init_args, options_len)
    S(ember_nn_backend) O(ember_nn_backend, abi_version) O(ember_nn_backend, name)
    O(ember_nn_backend, encodings) O(ember_nn_backend, encodings_len) O(ember_nn_backend, init)
    O(ember_nn_backend, destroy) O(ember_nn_backend, load) O(ember_nn_backend, load_by_name)
    O(ember_nn_backend, unload) O(ember_nn_backend, init_execution_context)
    O(ember_nn_backend, finalize_execution_context) O(ember_nn_backend, set_input)
    O(ember_nn_backend, compute) O(ember_nn_backend, get_output) O(ember_nn_backend, last_error)
    C(EMBER_NN_BACKEND_ABI_VERSION)
    C(EMBER_NN_SUCCESS) C(EMBER_NN_INVALID_ARGUMENT) C(EMBER_NN_INVALID_ENCODING)
    C(EMBER_NN_MISSING_MEMORY) C(EMBER_NN_BUSY) C(EMBER_NN_RUNTIME_ERROR)
    C(EMBER_NN_UNSUPPORTED_OPERATION) C(EMBER_NN_TOO_LARGE) C(EMBER_NN_NOT_FOUND)
    C(EMBER_NN_ENCODING_OPENVINO) C(EMBER_NN_ENCODING_ONNX) C(EMBER_NN_ENCODING_TENSORFLOW)
    C(EMBER_NN_ENCODING_PYTORCH) C(EMBER_NN_ENCODING_TENSORFLOWLITE) C(EMBER_NN_ENCODING_GGML)
    C(EMBER_NN_ENCODING_AUTODETECT)
    C(EMBER_NN_TARGET_CPU) C(EMBER_NN_TARGET_GPU) C(EMBER_NN_TARGET_TPU)
    C(EMBER_NN_TYPE_FP16) C(EMBER_NN_TYPE_FP32) C(EMBER_NN_TYPE_FP64) C(EMBER_NN_TYPE_U8)
    C(EMBER_NN_TYPE_I32) C(EMBER_NN_TYPE_I64)
    printf("entry %s\n", EMBER_NN_BACKEND_ENTRY_SYMBOL);
    return 0;
}
"#;

fn c_facts() -> Vec<(String, String)> {
    let header_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include");
    let dir = std::env::temp_dir().join(format!("ember-nn-abi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, C_PROGRAM).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .arg("-std=c11")
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(&header_dir)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .status()
        .unwrap_or_else(|e| panic!("cannot run C compiler {cc}: {e}"));
    assert!(status.success(), "C compiler failed on the header");
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn rust_mirror_matches_c_header() {
    let rust: Vec<(&str, String)> = vec![
        ("size ember_nn_bytes", size_of::<Bytes>().to_string()),
        ("off ember_nn_bytes.data", offset_of!(Bytes, data).to_string()),
        ("off ember_nn_bytes.len", offset_of!(Bytes, len).to_string()),
        ("size ember_nn_tensor", size_of::<Tensor>().to_string()),
        ("off ember_nn_tensor.dims", offset_of!(Tensor, dims).to_string()),
        ("off ember_nn_tensor.dims_len", offset_of!(Tensor, dims_len).to_string()),
        ("off ember_nn_tensor.type", offset_of!(Tensor, ty).to_string()),
        ("off ember_nn_tensor.data", offset_of!(Tensor, data).to_string()),
        ("off ember_nn_tensor.data_len", offset_of!(Tensor, data_len).to_string()),
        ("size ember_nn_init_args", size_of::<InitArgs>().to_string()),
        ("off ember_nn_init_args.options", offset_of!(InitArgs, options).to_string()),
        ("off ember_nn_init_args.options_len", offset_of!(InitArgs, options_len).to_string()),
        ("size ember_nn_backend", size_of::<Backend>().to_string()),
        ("off ember_nn_backend.abi_version", offset_of!(Backend, abi_version).to_string()),
        ("off ember_nn_backend.name", offset_of!(Backend, name).to_string()),
        ("off ember_nn_backend.encodings", offset_of!(Backend, encodings).to_string()),
        ("off ember_nn_backend.encodings_len", offset_of!(Backend, encodings_len).to_string()),
        ("off ember_nn_backend.init", offset_of!(Backend, init).to_string()),
        ("off ember_nn_backend.destroy", offset_of!(Backend, destroy).to_string()),
        ("off ember_nn_backend.load", offset_of!(Backend, load).to_string()),
        ("off ember_nn_backend.load_by_name", offset_of!(Backend, load_by_name).to_string()),
        ("off ember_nn_backend.unload", offset_of!(Backend, unload).to_string()),
        (
            "off ember_nn_backend.init_execution_context",
            offset_of!(Backend, init_execution_context).to_string(),
        ),
        (
            "off ember_nn_backend.finalize_execution_context",
            offset_of!(Backend, finalize_execution_context).to_string(),
        ),
        ("off ember_nn_backend.set_input", offset_of!(Backend, set_input).to_string()),
        ("off ember_nn_backend.compute", offset_of!(Backend, compute).to_string()),
        ("off ember_nn_backend.get_output", offset_of!(Backend, get_output).to_string()),
        ("off ember_nn_backend.last_error", offset_of!(Backend, last_error).to_string()),
        ("const EMBER_NN_BACKEND_ABI_VERSION", ABI_VERSION.to_string()),
        ("const EMBER_NN_SUCCESS", (NnError::Success as u32).to_string()),
        ("const EMBER_NN_INVALID_ARGUMENT", (NnError::InvalidArgument as u32).to_string()),
        ("const EMBER_NN_INVALID_ENCODING", (NnError::InvalidEncoding as u32).to_string()),
        ("const EMBER_NN_MISSING_MEMORY", (NnError::MissingMemory as u32).to_string()),
        ("const EMBER_NN_BUSY", (NnError::Busy as u32).to_string()),
        ("const EMBER_NN_RUNTIME_ERROR", (NnError::RuntimeError as u32).to_string()),
        ("const EMBER_NN_UNSUPPORTED_OPERATION", (NnError::UnsupportedOperation as u32).to_string()),
        ("const EMBER_NN_TOO_LARGE", (NnError::TooLarge as u32).to_string()),
        ("const EMBER_NN_NOT_FOUND", (NnError::NotFound as u32).to_string()),
        ("const EMBER_NN_ENCODING_OPENVINO", encoding::OPENVINO.to_string()),
        ("const EMBER_NN_ENCODING_ONNX", encoding::ONNX.to_string()),
        ("const EMBER_NN_ENCODING_TENSORFLOW", encoding::TENSORFLOW.to_string()),
        ("const EMBER_NN_ENCODING_PYTORCH", encoding::PYTORCH.to_string()),
        ("const EMBER_NN_ENCODING_TENSORFLOWLITE", encoding::TENSORFLOWLITE.to_string()),
        ("const EMBER_NN_ENCODING_GGML", encoding::GGML.to_string()),
        ("const EMBER_NN_ENCODING_AUTODETECT", encoding::AUTODETECT.to_string()),
        ("const EMBER_NN_TARGET_CPU", target::CPU.to_string()),
        ("const EMBER_NN_TARGET_GPU", target::GPU.to_string()),
        ("const EMBER_NN_TARGET_TPU", target::TPU.to_string()),
        ("const EMBER_NN_TYPE_FP16", tensor_type::FP16.to_string()),
        ("const EMBER_NN_TYPE_FP32", tensor_type::FP32.to_string()),
        ("const EMBER_NN_TYPE_FP64", tensor_type::FP64.to_string()),
        ("const EMBER_NN_TYPE_U8", tensor_type::U8.to_string()),
        ("const EMBER_NN_TYPE_I32", tensor_type::I32.to_string()),
        ("const EMBER_NN_TYPE_I64", tensor_type::I64.to_string()),
        (
            "entry",
            std::str::from_utf8(&ENTRY_SYMBOL[..ENTRY_SYMBOL.len() - 1]).unwrap().to_string(),
        ),
    ];
    let c = c_facts();
    assert_eq!(c.len(), rust.len(), "C program and Rust list check different facts");
    for ((ck, cv), (rk, rv)) in c.iter().zip(rust.iter()) {
        assert_eq!(ck, rk, "fact order differs");
        assert_eq!(cv, rv, "{ck}: C says {cv}, Rust says {rv}");
    }
}
