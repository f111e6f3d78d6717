#!/usr/bin/env bash
# The whole test suite: the README's test command, also run by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's start, in seconds since the suite started (BENCHMARKS.md's CI time table).
start_s=$SECONDS
phase() { echo "tests/all.sh: [$((SECONDS - start_s)) s] $*" >&2; }
phase "host setup"
./toolchains/setup-host.sh
phase "engines and models"
nn/engines/fetch.sh   # TFLite engines, BlazeFace, the demo photo (into ${EMBER_CACHE:-~/.cache/ember})
# benches/ (ember-bench, wasmi for comparison) is its own workspace: run it with benches/run.sh.
phase "host build"
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
phase "host tests"
cargo test --workspace
# In the background, in a session of its own (so that a failing step below stops everything it
# started) whose scheduler autogroup is niced (with autogroups a nice value counts only within
# its session), so that it takes the CPU the ARM tests under qemu leave idle:
# - the interpreter's tests in release (its threaded dispatch: the dev profile above runs the
#   loop dispatch, interp/build.rs), the whole spec suite among them,
# - ThreadSanitizer over the C API used by four threads at once (tests/native/capi_threads.c),
# - a fuzzing smoke run (fuzz/smoke.sh: the fuzz library's tests, then every cargo-fuzz target
#   for 60 s from its committed corpus, nightly + AddressSanitizer). Timeout 120 s per input: a
#   niced fuzzer on a loaded machine gets little CPU, and fuel bounds every run anyway.
# Their result is checked at the end.
bg_log="$(mktemp "${TMPDIR:-/tmp}/ember-tsan-fuzz.XXXXXX.log")"
HOST_TARGET_DIR="${CARGO_TARGET_DIR:-target}" CARGO_TARGET_DIR="$HOME/.cache/ember/fuzz-target" \
  NICE="nice -n 10" EMBER_FUZZ_TIMEOUT=120 \
  setsid bash -c '{ echo 10 >/proc/self/autogroup; } 2>/dev/null
    CARGO_TARGET_DIR="$HOST_TARGET_DIR" cargo test -q -p ember-interp --release &&
    tests/tsan/run.sh && exec fuzz/smoke.sh 60' >"$bg_log" 2>&1 &
bg_pid=$!
a64_pid=
trap 'kill -- -"$bg_pid" 2>/dev/null || true; [ -n "$a64_pid" ] && kill -- -"$a64_pid" 2>/dev/null || true' EXIT
# ARM bundles (toolchains/bundle.sh, cross-built with Debian's Rust 1.85) tested under qemu-user
# from the unpacked bundle: spec suite, WASI, CLI/native/C API, wasi-nn (tests/cross/run.sh).
# The two bundles cannot build at once (one cargo target dir, one lock), so the build is the
# critical path: armv7's bundle builds at full priority while aarch64's tests (one core of qemu)
# run niced beside it, and armv7's tests start as soon as its bundle is built, beside whatever
# is left of aarch64's. aarch64's output is printed when they end.
phase "aarch64 bundle"
tests/cross/run.sh aarch64 --build-only
a64_log="$(mktemp "${TMPDIR:-/tmp}/ember-aarch64-tests.XXXXXX.log")"
setsid bash -c '{ echo 5 >/proc/self/autogroup; } 2>/dev/null; exec tests/cross/run.sh aarch64 --no-build' \
  >"$a64_log" 2>&1 &
a64_pid=$!
phase "armv7 bundle (aarch64 tests beside it)"
tests/cross/run.sh armv7 --build-only
phase "armv7 tests (aarch64 tests beside them)"
armv7_rc=0
tests/cross/run.sh armv7 --no-build || armv7_rc=$?
phase "waiting for the aarch64 tests"
a64_rc=0
wait "$a64_pid" || a64_rc=$?
a64_pid=
echo "---- aarch64 tests (tests/cross/run.sh aarch64 --no-build) ----"
cat "$a64_log"
rm -f "$a64_log"
if [ "$a64_rc" -ne 0 ] || [ "$armv7_rc" -ne 0 ]; then
  echo "tests/all.sh: ARM tests FAILED (aarch64 exit $a64_rc, armv7 exit $armv7_rc)" >&2
  exit 1
fi
phase "waiting for the background job (release interpreter tests, TSan, fuzz smoke)"
bg_rc=0
wait "$bg_pid" || bg_rc=$?
trap - EXIT
if [ "$bg_rc" -ne 0 ]; then
  echo "tests/all.sh: the release interpreter tests, ThreadSanitizer or the fuzzing smoke run FAILED (exit $bg_rc); the log:" >&2
  tail -80 "$bg_log" >&2
  exit 1
fi
grep -E '^test result|^tsan:' "$bg_log"
sed -n '/^== summary/,$p' "$bg_log"
rm -f "$bg_log"
if [ -n "${EMBER_NN_SKIP_BACKENDS:-}" ]; then
  echo "tests/all.sh: passed, with the wasi-nn backends $EMBER_NN_SKIP_BACKENDS SKIPPED (EMBER_NN_SKIP_BACKENDS)" >&2
fi
if [ -n "${EMBER_SKIP_RUST_GUEST:-}" ]; then
  echo "tests/all.sh: passed, with the wasmedge-wasi-nn guest test SKIPPED (no wasm32-wasip1 target)" >&2
fi
phase "done"
