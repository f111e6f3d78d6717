#!/usr/bin/env bash
# The whole test suite: the README's test command, also run by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./toolchains/setup-host.sh
nn/engines/fetch.sh   # TFLite engines, BlazeFace, the demo photo (into ${EMBER_CACHE:-~/.cache/ember})
# benches/ (ember-bench, wasmi for comparison) is its own workspace: run it with benches/run.sh.
cargo build --workspace
# The wasi-nn suites (tests/nn_backends.rs) must find both engines here, not skip them.
export EMBER_NN_REQUIRE_BACKENDS=tflite,armnn,onnx,openvino,tract
cargo test --workspace
# ARM bundles (toolchains/bundle.sh, cross-built with Debian's Rust 1.85) tested under qemu-user
# from the unpacked bundle: spec suite, WASI, CLI/native/C API, wasi-nn (tests/cross/run.sh).
tests/cross/run.sh aarch64
tests/cross/run.sh armv7
