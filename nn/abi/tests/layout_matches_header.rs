//! The Rust mirror (src/sys.rs) must agree with nn/include/wasi_nn_backend.h: one list of facts
//! (a C expression and the Rust value it must equal) generates a C program, compiled against the
//! header with the host C compiler, whose printed values are compared with the Rust ones.

use ember_nn_abi::*;
use std::mem::{offset_of, size_of};
use std::path::PathBuf;
use std::process::Command;

macro_rules! size {
    ($c:literal, $r:ty) => {
        (concat!("sizeof(", $c, ")"), size_of::<$r>() as u64)
    };
}
macro_rules! off {
    ($c:literal . $cf:ident, $r:ty, $rf:ident) => {
        (concat!("offsetof(", $c, ", ", stringify!($cf), ")"), offset_of!($r, $rf) as u64)
    };
}
macro_rules! constant {
    ($c:literal, $r:expr) => {
        ($c, $r as u64)
    };
}

fn facts() -> Vec<(&'static str, u64)> {
    vec![
        size!("ember_nn_bytes", Bytes),
        off!("ember_nn_bytes".data, Bytes, data),
        off!("ember_nn_bytes".len, Bytes, len),
        size!("ember_nn_tensor", Tensor),
        off!("ember_nn_tensor".dims, Tensor, dims),
        off!("ember_nn_tensor".dims_len, Tensor, dims_len),
        off!("ember_nn_tensor".type, Tensor, ty),
        off!("ember_nn_tensor".data, Tensor, data),
        off!("ember_nn_tensor".data_len, Tensor, data_len),
        size!("ember_nn_init_args", InitArgs),
        off!("ember_nn_init_args".options, InitArgs, options),
        off!("ember_nn_init_args".options_len, InitArgs, options_len),
        off!("ember_nn_init_args".log_level, InitArgs, log_level),
        off!("ember_nn_init_args".log, InitArgs, log),
        size!("ember_nn_named_model", NamedModel),
        off!("ember_nn_named_model".name, NamedModel, name),
        off!("ember_nn_named_model".paths, NamedModel, paths),
        off!("ember_nn_named_model".paths_len, NamedModel, paths_len),
        off!("ember_nn_named_model".encoding, NamedModel, encoding),
        off!("ember_nn_named_model".target, NamedModel, target),
        size!("ember_nn_backend", Backend),
        off!("ember_nn_backend".abi_version, Backend, abi_version),
        off!("ember_nn_backend".name, Backend, name),
        off!("ember_nn_backend".encodings, Backend, encodings),
        off!("ember_nn_backend".encodings_len, Backend, encodings_len),
        off!("ember_nn_backend".option_keys, Backend, option_keys),
        off!("ember_nn_backend".option_keys_len, Backend, option_keys_len),
        off!("ember_nn_backend".init, Backend, init),
        off!("ember_nn_backend".destroy, Backend, destroy),
        off!("ember_nn_backend".load, Backend, load),
        off!("ember_nn_backend".load_named, Backend, load_named),
        off!("ember_nn_backend".unload, Backend, unload),
        off!("ember_nn_backend".init_execution_context, Backend, init_execution_context),
        off!("ember_nn_backend".finalize_execution_context, Backend, finalize_execution_context),
        off!("ember_nn_backend".set_input, Backend, set_input),
        off!("ember_nn_backend".compute, Backend, compute),
        off!("ember_nn_backend".get_output, Backend, get_output),
        off!("ember_nn_backend".compute_single, Backend, compute_single),
        off!("ember_nn_backend".get_output_single, Backend, get_output_single),
        off!("ember_nn_backend".fini_single, Backend, fini_single),
        off!("ember_nn_backend".last_error, Backend, last_error),
        constant!("EMBER_NN_BACKEND_ABI_VERSION", ABI_VERSION),
        constant!("EMBER_NN_SUCCESS", NnError::Success),
        constant!("EMBER_NN_INVALID_ARGUMENT", NnError::InvalidArgument),
        constant!("EMBER_NN_INVALID_ENCODING", NnError::InvalidEncoding),
        constant!("EMBER_NN_MISSING_MEMORY", NnError::MissingMemory),
        constant!("EMBER_NN_BUSY", NnError::Busy),
        constant!("EMBER_NN_RUNTIME_ERROR", NnError::RuntimeError),
        constant!("EMBER_NN_UNSUPPORTED_OPERATION", NnError::UnsupportedOperation),
        constant!("EMBER_NN_TOO_LARGE", NnError::TooLarge),
        constant!("EMBER_NN_NOT_FOUND", NnError::NotFound),
        constant!("EMBER_NN_END_OF_SEQUENCE", NnError::EndOfSequence),
        constant!("EMBER_NN_CONTEXT_FULL", NnError::ContextFull),
        constant!("EMBER_NN_PROMPT_TOO_LONG", NnError::PromptTooLong),
        constant!("EMBER_NN_MODEL_NOT_FOUND", NnError::ModelNotFound),
        constant!("EMBER_NN_ENCODING_OPENVINO", encoding::OPENVINO),
        constant!("EMBER_NN_ENCODING_ONNX", encoding::ONNX),
        constant!("EMBER_NN_ENCODING_TENSORFLOW", encoding::TENSORFLOW),
        constant!("EMBER_NN_ENCODING_PYTORCH", encoding::PYTORCH),
        constant!("EMBER_NN_ENCODING_TENSORFLOWLITE", encoding::TENSORFLOWLITE),
        constant!("EMBER_NN_ENCODING_GGML", encoding::GGML),
        constant!("EMBER_NN_ENCODING_AUTODETECT", encoding::AUTODETECT),
        constant!("EMBER_NN_TARGET_CPU", target::CPU),
        constant!("EMBER_NN_TARGET_GPU", target::GPU),
        constant!("EMBER_NN_TARGET_TPU", target::TPU),
        constant!("EMBER_NN_TYPE_FP16", tensor_type::FP16),
        constant!("EMBER_NN_TYPE_FP32", tensor_type::FP32),
        constant!("EMBER_NN_TYPE_FP64", tensor_type::FP64),
        constant!("EMBER_NN_TYPE_U8", tensor_type::U8),
        constant!("EMBER_NN_TYPE_I32", tensor_type::I32),
        constant!("EMBER_NN_TYPE_I64", tensor_type::I64),
        constant!("EMBER_NN_LOG_OFF", log_level::OFF),
        constant!("EMBER_NN_LOG_ERROR", log_level::ERROR),
        constant!("EMBER_NN_LOG_WARN", log_level::WARN),
        constant!("EMBER_NN_LOG_INFO", log_level::INFO),
        constant!("EMBER_NN_LOG_DEBUG", log_level::DEBUG),
        constant!("EMBER_NN_LOG_TRACE", log_level::TRACE),
    ]
}

/// Compiles and runs `main_body` against the header; returns its stdout.
fn run_c(main_body: &str) -> String {
    let header_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include");
    let dir = std::env::temp_dir().join(format!("ember-nn-abi-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    let program = format!(
        "#include <stdio.h>\n#include <stddef.h>\n#include \"wasi_nn_backend.h\"\nint main(void) {{\n{main_body}return 0;\n}}\n"
    );
    std::fs::write(&src, program).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-I"])
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
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn rust_mirror_matches_c_header() {
    let facts = facts();
    let body: String = facts.iter().map(|(c, _)| format!("printf(\"%lu\\n\", (unsigned long)({c}));\n")).collect();
    let body = format!("{body}printf(\"%s\\n\", EMBER_NN_BACKEND_ENTRY_SYMBOL);\n");
    let out = run_c(&body);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), facts.len() + 1);
    for ((c, rust), line) in facts.iter().zip(&lines) {
        assert_eq!(line.parse::<u64>().unwrap(), *rust, "{c}: C says {line}, Rust says {rust}");
    }
    assert_eq!(lines[facts.len()].as_bytes(), &ENTRY_SYMBOL[..ENTRY_SYMBOL.len() - 1]);
}
