#!/usr/bin/env bash
# wasi-nn figures for BENCHMARKS.md, all measured in one run:
# - overhead: time per BlazeFace inference (set_input + compute) timed inside the wasm app
#   (examples/face_detect, through iwasm, libvmcore.so's dispatch and the TFLite backend) against
#   the same engine called directly by a native C harness (native_blazeface.c), alternating
#   ROUNDS times; for each engine (LiteRT 2.3, classic TFLite 2.9). Reported: process CPU time
#   per inference (median; insensitive to other load on the machine) and wall time (best round,
#   the least disturbed, and median);
# - peak RSS of the demo (one inference, whole iwasm process);
# - stripped sizes of the backend libraries (our glue only; engines are separate files).
# Usage: nn/tflite/bench/bench.sh [N=200] [ROUNDS=5]    (after nn/engines/fetch.sh)
set -euo pipefail
cd "$(dirname "$0")/../../.."
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
N="${1:-200}"
ROUNDS="${2:-5}"
ARCH="$(uname -m)"
OUT=target/nn-bench
mkdir -p "$OUT"
MODEL="$CACHE/models/face_detection_short_range.tflite"
PICTURE="$CACHE/pictures/astronaut.ppm"
[ -f "$MODEL" ] && [ -f "$PICTURE" ] || { echo "run nn/engines/fetch.sh first" >&2; exit 1; }

cargo build --release -q
gcc -O2 -I "$CACHE/engines/tflite-classic/include" -o "$OUT/native_blazeface" nn/tflite/bench/native_blazeface.c -ldl -lm
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$OUT/face_detect.wasm" examples/face_detect/face_detect.c -lm

lib_of() {
  case "$1" in
    litert) echo "$CACHE/engines/litert/$ARCH/libLiteRt.so" ;;
    classic) echo "$CACHE/engines/tflite-classic/$ARCH/libtensorflowlite_c.so" ;;
  esac
}
secs() { grep -o '^seconds_per_inference [0-9.]*' | awk '{print $2}'; }
cpus() { grep -o 'cpu_seconds_per_inference [0-9.]*' | awk '{print $2}'; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
best() { sort -g | head -n1; }

echo "| engine | native ms: cpu / wall best / wall median | iwasm + backend ms: cpu / wall best / wall median | overhead: cpu / wall best / wall median |"
echo "|---|---|---|---|"
for engine in litert classic; do
  lib="$(lib_of "$engine")"
  : > "$OUT/$engine.native"; : > "$OUT/$engine.wasm"
  for _ in $(seq "$ROUNDS"); do
    "$OUT/native_blazeface" "$engine" "$lib" "$MODEL" "$N" 2>&1 | grep seconds_per >> "$OUT/$engine.native"
    EMBER_TFLITE_ENGINE="$engine" EMBER_TFLITE_LIB="$lib" target/release/iwasm \
      --dir="$CACHE/models" --dir="$CACHE/pictures" "$OUT/face_detect.wasm" "$MODEL" "$PICTURE" cpu "$N" 2>&1 >/dev/null \
      | grep seconds_per >> "$OUT/$engine.wasm"
  done
  nc="$(cpus < "$OUT/$engine.native" | median)"; wc_="$(cpus < "$OUT/$engine.wasm" | median)"
  nb="$(secs < "$OUT/$engine.native" | best)"; wb="$(secs < "$OUT/$engine.wasm" | best)"
  nm="$(secs < "$OUT/$engine.native" | median)"; wm="$(secs < "$OUT/$engine.wasm" | median)"
  awk -v e="$engine" -v nc="$nc" -v wc="$wc_" -v nb="$nb" -v wb="$wb" -v nm="$nm" -v wm="$wm" 'BEGIN {
    printf "| %s | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %+.2f%% / %+.2f%% / %+.2f%% |\n", e,
      nc*1000, nb*1000, nm*1000, wc*1000, wb*1000, wm*1000, (wc/nc-1)*100, (wb/nb-1)*100, (wm/nm-1)*100}'
done

echo
echo "| demo (one inference, whole process) | peak RSS |"
echo "|---|---|"
for engine in litert classic; do
  rss="$(python3 - "$engine" "$CACHE" "$OUT" "$MODEL" "$PICTURE" <<'PY'
import os, resource, subprocess, sys
engine, cache, out, model, picture = sys.argv[1:]
env = dict(os.environ, EMBER_TFLITE_ENGINE=engine)
subprocess.run(["target/release/iwasm", f"--dir={cache}/models", f"--dir={cache}/pictures",
                f"{out}/face_detect.wasm", model, picture], env=env, check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)"
  echo "| iwasm face_detect.wasm, $engine | $((rss / 1024)) MiB |"
done

echo
echo "| library (release, stripped) | bytes |"
echo "|---|---|"
for so in libwasi_nn_backend_tflite.so libwasi_nn_backend_armnn.so; do
  if [ -f "target/release/$so" ]; then
    strip -o "$OUT/$so" "target/release/$so"
    echo "| $so | $(stat -c %s "$OUT/$so") |"
  fi
done
for e in litert classic; do echo "| (engine, not ours) $(basename "$(lib_of $e)") | $(stat -c %s "$(lib_of $e)") |"; done
