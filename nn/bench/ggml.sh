#!/usr/bin/env bash
# The ggml backend (llama.cpp) through iwasm against the same llama.cpp build called natively
# (the backend's harness, target/release/ggml_native: the backend's own engine code without a
# runtime), one run, markdown on stdout:
# 1. generation, SmolLM2-135M-Instruct Q4_1, greedy, 1 thread (steadier on a shared machine) and
#    the default threads: prompt (the first compute_single: the prompt's evaluation and the first
#    token) and generation (the other tokens) in tokens/s, the fastest of RUNS per round, native
#    and wasm alternating ROUNDS times (the order flips every round); median over rounds;
# 2. embedding latency, all-MiniLM-L6-v2 (one sentence per compute), the same way;
# 3. instructions (valgrind --tool=cachegrind --cache-sim=no, user space, independent of other
#    load): each side generating N1 and N2 tokens, per token = difference / (N2 - N1) (start-up
#    and the prompt cancel out); VALGRIND=0 skips it;
# 4. peak RSS of a generation (named model, mapped) against the model's file size; stripped
#    size of the backend.
# Usage: nn/bench/ggml.sh [ROUNDS=7] [RUNS=3]   (after nn/engines/fetch.sh and cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
ROUNDS="${1:-7}" RUNS="${2:-3}"
N1="${N1:-8}" N2="${N2:-40}"
BIN="${CARGO_TARGET_DIR:-target}/release"
LM="$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf"
EMB="$CACHE/models/all-MiniLM-L6-v2.gguf"
for f in "$BIN/iwasm" "$BIN/ggml_native" "$BIN/libwasi_nn_backend_ggml.so" "$LM" "$EMB"; do
  [ -e "$f" ] || { echo "missing $f (cargo build --release; nn/engines/fetch.sh)" >&2; exit 1; }
done
APP="$(mktemp -d)/nn_llm.wasm"
clang-14 --target=wasm32-wasi -O2 -o "$APP" tests/nn/apps/nn_llm.c
IWASM=("$BIN/iwasm" "--native-lib=$BIN/libwasi_nn_backend_ggml.so" "--nn-preload=lm:GGML:AUTO:$LM" "--nn-preload=embed:GGML:CPU:$EMB")
# A plain continuation (no chat turn, which the model may end early): 62 prompt tokens, and it
# generates all 64 tokens greedily without an end-of-generation token.
PROMPT="The history of the printing press begins in the fifteenth century, when Johannes Gutenberg, a goldsmith from Mainz, combined several existing technologies into a system that could produce books quickly and cheaply. His press used movable metal type, oil-based ink and a wooden screw press adapted from wine making. Within fifty years"
SENTENCE="A man is riding a white horse on an enclosed ground."

# wasm_run CONFIG PROMPT -> "prompt_ms gen_ms tokens"; native_run likewise.
wasm_run() { "${IWASM[@]}" "$APP" bench "$1" "$2" "$3" "$RUNS" 2>/dev/null | sed -n 's/^bench: //p'; }
native_run() {
  local model="$LM"; case "$2" in *embedding*) model="$EMB" ;; esac
  local extra=(--stream); case "$2" in *embedding*) extra=() ;; esac
  "$BIN/ggml_native" "$model" "$3" "$2" --runs "$RUNS" "${extra[@]}" 2>/dev/null |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["prompt_ms"] if d["embedding"]==[] else d["total_ms"], d["gen_ms"] if d["embedding"]==[] else 0, len(d["tokens"]))'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare() { # LABEL NAME CONFIG TEXT
  local label="$1" name="$2" cfg="$3" text="$4" r w n
  : > /tmp/ggml-bench-w; : > /tmp/ggml-bench-n
  for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
      w="$(wasm_run "$name" "$cfg" "$text")"; n="$(native_run "$name" "$cfg" "$text")"
    else
      n="$(native_run "$name" "$cfg" "$text")"; w="$(wasm_run "$name" "$cfg" "$text")"
    fi
    echo "$w" >> /tmp/ggml-bench-w; echo "$n" >> /tmp/ggml-bench-n
  done
  local wp wg np ng tok
  wp="$(awk '{print $1}' /tmp/ggml-bench-w | median)"; wg="$(awk '{print $2}' /tmp/ggml-bench-w | median)"
  np="$(awk '{print $1}' /tmp/ggml-bench-n | median)"; ng="$(awk '{print $2}' /tmp/ggml-bench-n | median)"
  tok="$(awk '{print $3}' /tmp/ggml-bench-w | head -n1)"
  python3 - "$label" "$wp" "$wg" "$np" "$ng" "$tok" "$PTOK" <<'PY'
import sys
label, wp, wg, np_, ng, tok, ptok = sys.argv[1], *map(float, sys.argv[2:7]), float(sys.argv[7])
if wg == 0:
    print(f"| {label} | {np_:.2f} ms | {wp:.2f} ms | {wp / np_ - 1:+.2%} |")
else:
    gen = tok - 1
    print(f"| {label}: prompt ({ptok:.0f} tokens) | {ptok / np_ * 1e3:.1f} tok/s | {ptok / wp * 1e3:.1f} tok/s | {wp / np_ - 1:+.2%} |")
    print(f"| {label}: generation ({gen:.0f} tokens) | {gen / ng * 1e3:.2f} tok/s | {gen / wg * 1e3:.2f} tok/s | {wg / ng - 1:+.2%} |")
PY
}

PTOK="$("$BIN/ggml_native" "$LM" "$PROMPT" '{"n-predict": 1, "temp": 0}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["prompt_tokens"])')"
echo "## ggml backend: iwasm vs llama.cpp natively ($(uname -m), $(date -u +%Y-%m-%d), ROUNDS=$ROUNDS RUNS=$RUNS)"
echo
echo "| measure | native | through iwasm | overhead (time) |"
echo "|---|---|---|---|"
compare "SmolLM2 1 thread" lm '{"temp": 0, "n-predict": 64, "threads": 1, "ctx-size": 512}' "$PROMPT"
compare "SmolLM2 $(nproc) threads" lm "{\"temp\": 0, \"n-predict\": 64, \"threads\": $(nproc), \"ctx-size\": 512}" "$PROMPT"
compare "MiniLM embedding, 1 thread" embed '{"embedding": true, "threads": 1}' "$SENTENCE"
echo

if [ "${VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
  instr() { # instructions of a command (user space)
    local f; f="$(mktemp)"
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$f" "$@" >/dev/null 2>&1
    awk '/^summary:/ {print $2}' "$f"; rm -f "$f"
  }
  cfg() { echo "{\"temp\": 0, \"n-predict\": $1, \"threads\": 1, \"ctx-size\": 512}"; }
  w1="$(instr "${IWASM[@]}" "$APP" gen lm "$(cfg "$N1")" "$PROMPT")"; w2="$(instr "${IWASM[@]}" "$APP" gen lm "$(cfg "$N2")" "$PROMPT")"
  n1="$(instr "$BIN/ggml_native" "$LM" "$PROMPT" "$(cfg "$N1")")"; n2="$(instr "$BIN/ggml_native" "$LM" "$PROMPT" "$(cfg "$N2")")"
  python3 - "$w1" "$w2" "$n1" "$n2" "$N1" "$N2" <<'PY'
import sys
w1, w2, n1, n2, a, b = map(int, sys.argv[1:])
w, n = (w2 - w1) / (b - a), (n2 - n1) / (b - a)
print(f"Instructions per generated token (cachegrind, 1 thread, {a} vs {b} tokens): native {n/1e6:.2f} M, "
      f"through iwasm {w/1e6:.2f} M: {w / n - 1:+.3%}; whole runs of {b} tokens: native {n2/1e9:.3f} G, iwasm {w2/1e9:.3f} G.")
PY
  echo
fi

rss() { /usr/bin/env python3 - "$@" <<'PY'
import os, resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
kib="$(rss "${IWASM[@]}" "$APP" gen lm '{"temp": 0, "n-predict": 32, "threads": 1, "ctx-size": 512}' "$PROMPT")"
nkib="$(rss "$BIN/ggml_native" "$LM" "$PROMPT" '{"temp": 0, "n-predict": 32, "threads": 1, "ctx-size": 512}')"
size="$(stat -c %s "$LM")"
so="$(mktemp)"; strip -o "$so" "$BIN/libwasi_nn_backend_ggml.so"
echo "Peak RSS of a 32-token generation (ctx-size 512): iwasm $((kib / 1024)) MiB, native $((nkib / 1024)) MiB; model file $((size / 1048576)) MiB (mapped)."
echo "libwasi_nn_backend_ggml.so stripped: $(stat -c %s "$so") bytes (llama.cpp linked in)."
rm -f "$so"
