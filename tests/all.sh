#!/usr/bin/env bash
# The whole test suite: the README's test command, also run by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./toolchains/setup-host.sh
nn/engines/fetch.sh   # TFLite engines, BlazeFace, the demo photo (into ${EMBER_CACHE:-~/.cache/ember})
# benches/ (ember-bench, wasmi for comparison) is its own workspace: run it with benches/run.sh.
cargo build --workspace
# The wasi-nn suites (tests/nn_backends.rs) require every backend and its engine (fetched
# above); EMBER_NN_SKIP_BACKENDS=a,b skips some, and is said here.
if [ -n "${EMBER_NN_SKIP_BACKENDS:-}" ]; then
  echo "tests/all.sh: this run SKIPS the wasi-nn backends: $EMBER_NN_SKIP_BACKENDS" >&2
fi
# tests/nn_ggml.rs builds a guest written with WasmEdge's own crate for wasm32-wasip1, a rustup
# target; where rustup cannot add it, the run says it skips that one test.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip1 && ! rustup target add wasm32-wasip1; then
  export EMBER_SKIP_RUST_GUEST=1
  echo "tests/all.sh: this run SKIPS the wasmedge-wasi-nn guest test (rustup cannot add wasm32-wasip1)" >&2
fi
cargo test --workspace
# ThreadSanitizer over the C API used by four threads at once (tests/native/capi_threads.c).
tests/tsan/run.sh
# Fuzzing smoke run (fuzz/smoke.sh: every cargo-fuzz target for 60 s from its committed corpus,
# nightly + AddressSanitizer) in the background, niced, while the ARM tests below leave a core
# idle under qemu; its result is checked at the end. Timeout 120 s per input: a niced fuzzer on a
# loaded machine gets little CPU, and fuel bounds every run anyway.
fuzz_log="$(mktemp "${TMPDIR:-/tmp}/ember-fuzz-smoke.XXXXXX.log")"
# Its own session (setsid), so that a failing step below stops everything it started, and so
# its own scheduler autogroup, niced too (with autogroups, a process's nice value only counts
# within its session).
CARGO_TARGET_DIR="$HOME/.cache/ember/fuzz-target" NICE="nice -n 10" EMBER_FUZZ_TIMEOUT=120 \
  setsid bash -c '{ echo 10 >/proc/self/autogroup; } 2>/dev/null; exec fuzz/smoke.sh 60' >"$fuzz_log" 2>&1 &
fuzz_pid=$!
trap 'kill -- -"$fuzz_pid" 2>/dev/null || true' EXIT
# ARM bundles (toolchains/bundle.sh, cross-built with Debian's Rust 1.85) tested under qemu-user
# from the unpacked bundle: spec suite, WASI, CLI/native/C API, wasi-nn (tests/cross/run.sh).
tests/cross/run.sh aarch64
tests/cross/run.sh armv7
fuzz_rc=0
wait "$fuzz_pid" || fuzz_rc=$?
trap - EXIT
if [ "$fuzz_rc" -ne 0 ]; then
  echo "tests/all.sh: the fuzzing smoke run FAILED (exit $fuzz_rc); its log:" >&2
  tail -80 "$fuzz_log" >&2
  exit 1
fi
sed -n '/^== summary/,$p' "$fuzz_log"
rm -f "$fuzz_log"
if [ -n "${EMBER_NN_SKIP_BACKENDS:-}" ]; then
  echo "tests/all.sh: passed, with the wasi-nn backends $EMBER_NN_SKIP_BACKENDS SKIPPED (EMBER_NN_SKIP_BACKENDS)" >&2
fi
if [ -n "${EMBER_SKIP_RUST_GUEST:-}" ]; then
  echo "tests/all.sh: passed, with the wasmedge-wasi-nn guest test SKIPPED (no wasm32-wasip1 target)" >&2
fi
