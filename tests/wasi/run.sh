#!/usr/bin/env bash
# WASI suite runner: tests/wasi/run.sh [IWASM]
# Runs the WASI tests (tests/wasi.rs: the C programs of tests/wasi/src, compiled with
# clang-14 --target=wasm32-wasi, checked against tests/wasi/expected/) with the given iwasm,
# e.g. a script that runs a cross-built bin/iwasm under qemu-user; without an argument, with
# the iwasm cargo builds. `cargo test` runs the same tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -ge 1 ]; then
  EMBER_TEST_IWASM="$(realpath "$1")"
  export EMBER_TEST_IWASM
fi
exec cargo test --test wasi
