//! libwasi_nn_backend_tflite.so: Ember's wasi-nn backend for TensorFlow Lite models.
//!
//! It serves encoding `tensorflowlite` on the backend SDK (ember-nn-abi) and runs models on
//! whichever TFLite engine it finds at run time: LiteRT 2.3 (libLiteRt.so, the ai-edge-litert
//! wheel) or the classic TFLite C API (libtensorflowlite_c.so, 2.9 from npm tfjs-tflite-node;
//! what board vendors ship). Neither is linked: both are dlopen'ed, so one .so works on a machine
//! with either engine. Options: `options.rs`.
//!
//! Code map: `backend.rs` the SDK traits (table, guards, logging and allocator come from
//! `ember_nn_abi::export_backend!`), `select.rs` engine discovery, `classic.rs` / `litert.rs`
//! the two engines behind `engine.rs`'s traits, `flatbuf.rs` model validation, `delegate.rs`
//! external delegates, `options.rs` init options, `quantize.rs` fp32 tensors for quantized
//! (uint8/int8) model inputs.
//!
//! Decisions:
//! - **Run-time loading, hand-written declarations, not `tflitec`/bindgen.** `tflitec` links the
//!   classic library at build time (TFLITEC_PREBUILT_PATH + headers + LIBCLANG_PATH) and knows
//!   nothing of LiteRT; one backend must pick its engine at run time. Both C APIs are declared by
//!   hand (classic from the 2.9 `c_api.h`, stable since TF 2.x; LiteRT from the 2.3-era
//!   `litert/c/*.h`, where `LiteRtCreateModelFromBuffer` takes the environment and `LiteRtLayout`
//!   is `{rank:7, has_strides:1, int32 dims[8], uint32 strides[8]}`). No build-time dependency on
//!   headers or libclang, so cross builds need nothing extra.
//! - **Engine libraries are never dlclose'd**: XNNPACK and the TFLite C++ runtime register
//!   thread-local destructors; unloading them made a later thread exit jump into unmapped code.
//! - **Tensors**: set_input checks index, type, then dims: equal dims are used as is; different
//!   dims are a resize (classic `TfLiteInterpreterResizeInputTensor` + `AllocateTensors`, LiteRT
//!   `LiteRtCompiledModelResizeInputTensor` + new output layouts and buffers) when every
//!   differing dimension is dynamic (-1) in the model's shape signature; otherwise data_len must
//!   equal the model's byte size. Input bytes go straight from guest memory into the engine's
//!   tensor or locked buffer, outputs straight into the guest's buffer. get_output before compute
//!   is runtime_error; too small a buffer is too_large with the size.
//! - **Targets**: cpu as is. gpu/tpu on classic: the `delegate=` library through the external
//!   delegate protocol (Coral's libedgetpu, NXP's VX delegate, Arm NN's delegate); without one, a
//!   warning and cpu. On LiteRT: gpu asks for LiteRT's GPU accelerator, tpu for its NPU
//!   accelerator with the dispatch library folder from `delegate=`, the whole model on the
//!   accelerator first, else a warning and accelerator + cpu. (Only the cpu fallbacks have been
//!   exercised: no GPU/NPU on the build machine.)
//! - **Hostile models**: the engines trust much of the flatbuffer and crash on some
//!   valid-looking garbage (fuzzing with mutated models found each case). Before an engine sees
//!   the bytes, `flatbuf.rs` checks: TFL3 identifier, size 8 B..2 GiB, every table/vector/offset
//!   inside the bytes, tensor/opcode indices, rank <= 16, every tensor's declared size <=
//!   `max_tensor_mb` (a corrupted dimension made the engines compute for minutes), quantization
//!   scales positive and finite and zero points in range (LiteRT SIGSEGV), opcode fields and
//!   option types matching the operator for common operators (LiteRT SIGSEGV), pool windows and
//!   strides/dilations (classic abort), padding and activation enums (classic SIGSEGV), and
//!   dataflow (every tensor read is an input, a constant, a variable or written earlier; none
//!   written twice). On LiteRT the compiled model's output shapes must equal the declared ones
//!   (a mismatch corrupted the heap). Then each engine's own verifier runs. There is no fork
//!   probe (unlike ArmNN): a crash behind a check not listed is still possible. The fuzzing was
//!   a throwaway loop (fork per case, 1-4 random byte changes or a truncation of each model,
//!   load + context + inputs + compute), not part of the suite.
//! - **Memory**: the backend's Rust allocations go through `wasm_runtime_malloc` (pool mode
//!   bounds them; the 64-byte aligned model copy over-allocates). The engines' own allocations
//!   (arenas, XNNPACK weights cache, LiteRT buffers) use libc malloc/new, outside the pool.
//! - **Logging**: through libvmcore.so's logger (`iwasm -v=N`,
//!   `RUST_LOG=wasi_nn_backend_tflite=debug`); LiteRT's own log level follows ours one step
//!   quieter.

mod backend;
mod classic;
mod delegate;
mod engine;
mod flatbuf;
mod litert;
mod litert_api;
mod locate;
mod options;
mod quantize;
mod select;

ember_nn_abi::export_backend!(backend::Tflite);
