//! The Rust mirror (src/sys.rs) must agree with nn/include/wasi_nn_backend.h, both ways: every
//! struct, field and constant the header declares has a fact below (bindgen lists them), and
//! every fact (a C expression and the Rust value it must equal) is what a C program compiled
//! against the header prints.

use ember_nn_abi::*;
use ember_test_support::header::{assert_covered, assert_facts, items};
use ember_test_support::{constant, off, repo, size};

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
        off!(
            "ember_nn_backend".init_execution_context,
            Backend,
            init_execution_context
        ),
        off!(
            "ember_nn_backend".finalize_execution_context,
            Backend,
            finalize_execution_context
        ),
        off!("ember_nn_backend".set_input, Backend, set_input),
        off!("ember_nn_backend".compute, Backend, compute),
        off!("ember_nn_backend".get_output, Backend, get_output),
        off!("ember_nn_backend".compute_single, Backend, compute_single),
        off!(
            "ember_nn_backend".get_output_single,
            Backend,
            get_output_single
        ),
        off!("ember_nn_backend".fini_single, Backend, fini_single),
        off!("ember_nn_backend".last_error, Backend, last_error),
        constant!("EMBER_NN_BACKEND_ABI_VERSION", ABI_VERSION),
        constant!("EMBER_NN_SUCCESS", NnError::Success),
        constant!("EMBER_NN_INVALID_ARGUMENT", NnError::InvalidArgument),
        constant!("EMBER_NN_INVALID_ENCODING", NnError::InvalidEncoding),
        constant!("EMBER_NN_MISSING_MEMORY", NnError::MissingMemory),
        constant!("EMBER_NN_BUSY", NnError::Busy),
        constant!("EMBER_NN_RUNTIME_ERROR", NnError::RuntimeError),
        constant!(
            "EMBER_NN_UNSUPPORTED_OPERATION",
            NnError::UnsupportedOperation
        ),
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

fn include_dir() -> std::path::PathBuf {
    repo().join("nn/include")
}

/// C -> Rust: nothing the header declares lacks a fact.
#[test]
fn every_header_item_is_mirrored() {
    let items = items(&include_dir(), "wasi_nn_backend.h");
    assert!(items.records.contains_key("ember_nn_backend"), "{items:?}");
    assert_covered(&items, &facts(), &[]);
}

/// Rust -> C: every fact is what the C compiler says; and the entry symbol's name.
#[test]
fn rust_mirror_matches_c_header() {
    let extra = assert_facts(
        &include_dir(),
        &["wasi_nn_backend.h"],
        &facts(),
        "    printf(\"%s\\n\", EMBER_NN_BACKEND_ENTRY_SYMBOL);\n",
    );
    assert_eq!(extra.len(), 1);
    assert_eq!(extra[0].as_bytes(), &ENTRY_SYMBOL[..ENTRY_SYMBOL.len() - 1]);
}
