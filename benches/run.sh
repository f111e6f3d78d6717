#!/usr/bin/env bash
# Builds the benchmark programs and runs them on Ember and on wasmi in the same
# process (release build). Extra arguments go to ember-bench (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
benches/build.sh target/bench-wasm
# benches/ is its own workspace (wasmi 2.0 needs Rust 1.86); build into the root target/.
cargo run --release --manifest-path benches/Cargo.toml --target-dir target -- --wasm-dir target/bench-wasm "$@"
