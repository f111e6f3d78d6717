#!/usr/bin/env bash
# Builds the benchmark programs and runs them on Ember and on wasmi in the same
# process (release build). Extra arguments go to ember-bench (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
benches/build.sh target/bench-wasm
cargo run --release -p ember-bench -- --wasm-dir target/bench-wasm "$@"
