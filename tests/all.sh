#!/usr/bin/env bash
# The whole test suite: the README's test command, also run by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./toolchains/setup-host.sh
nn/engines/fetch.sh   # TFLite engines, BlazeFace, the demo photo (into ${EMBER_CACHE:-~/.cache/ember})
cargo build --workspace
cargo test --workspace
