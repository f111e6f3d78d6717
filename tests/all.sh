#!/usr/bin/env bash
# The whole test suite: the README's test command, also run by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./toolchains/setup-host.sh
cargo build --workspace
cargo test --workspace
