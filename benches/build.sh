#!/usr/bin/env bash
# Compiles benches/programs/*.c to wasm32 with clang-14 (wasi-libc, reactor
# model: no WASI imports, an exported `run(int) -> int`). Output directory:
# $1, default target/bench-wasm. The .wasm files are build products, not committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../target/bench-wasm}"
mkdir -p "$out"
for src in "$here"/programs/*.c; do
    name="$(basename "$src" .c)"
    clang-14 --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all \
        "$src" -o "$out/$name.wasm"
done
echo "built $(ls "$out"/*.wasm | wc -l) programs in $out"
