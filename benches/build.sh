#!/usr/bin/env bash
# Compiles benches/programs/*.c and benches/simd/*.c to wasm32 with clang-14 (wasi-libc, reactor
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
# The SIMD programs (benches/simd, and matmul again): each twice from the same source, scalar
# (NAME.wasm) and with clang's auto-vectorization at -msimd128 (NAME.simd.wasm).
for src in "$here"/simd/*.c "$here"/programs/matmul.c; do
    name="$(basename "$src" .c)"
    [ "$name" = matmul ] || clang-14 --target=wasm32-wasi -O2 -mexec-model=reactor -Wl,--strip-all \
        "$src" -o "$out/$name.wasm"
    clang-14 --target=wasm32-wasi -O2 -msimd128 -mexec-model=reactor -Wl,--strip-all \
        "$src" -o "$out/$name.simd.wasm"
done
echo "built $(ls "$out"/*.wasm | wc -l) programs in $out"
