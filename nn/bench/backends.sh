#!/usr/bin/env bash
# wasi-nn backends side by side, all measured in one run (markdown on stdout and in
# $OUT/report.md; raw figures in $OUT):
# 1. overhead per backend: time per BlazeFace inference timed inside the wasm app
#    (examples/face_detect REPEAT=N through iwasm, --wasi-nn-backend=NAME, the model in that
#    backend's format) against the same engine called by a native harness with the backend's
#    settings (tflite: nn/tflite/bench/native_blazeface.c; onnx: nn/bench/ort_native, Rust on
#    ort-sys; openvino: nn/bench/native_openvino.c, C on the wheel's headers; tract:
#    nn/bench/tract_native, tract-onnx called as the backend calls it), native and wasm
#    alternating ROUNDS times (the order flips every round), the natives on the same input values
#    as the app (its preprocessed picture, nn/bench/face_input.py). Engines at their default
#    threads (as the backends by default) and with one thread (steadier on a shared machine).
#    TFLite's classic engine is left to nn/tflite/bench/bench.sh (10 ms an inference here).
#    Then, because time on a shared machine swings by more than the 1% looked for, the same
#    comparison in instructions (valgrind --tool=cachegrind --cache-sim=no: instructions executed
#    in user space, independent of other load) for the single-threaded configurations: each side
#    run with REPEAT=VG_N1 and VG_N2, per inference = the difference / (VG_N2 - VG_N1), so the
#    start-up, model load and the app's preprocessing cancel out (VALGRIND=0 skips this);
# 2. every backend that runs here on the same models through nn-bench.wasm (--runs=RUNS:
#    set_input + compute + get_output): BlazeFace, PaddleOCR's MobileNetV3 text-orientation
#    classifier, conv_net; median ms per inference (median over ROUNDS2 rounds of nn-bench's
#    median), first load in the process, and a check of the outputs against references;
# 3. stripped sizes of the backend libraries (release) and of the engine libraries each loads
#    for BlazeFace (found with LD_DEBUG=libs).
# Machine load is sampled around sections 1 and 2 (/proc/loadavg, /proc/stat: busy cores from
# other processes, steal).
#
# Usage: nn/bench/backends.sh [N=200] [ROUNDS=21] [RUNS=100] [ROUNDS2=3]
#        (after nn/engines/fetch.sh, which also runs nn/engines/fetch_onnx.sh)
# Environment: CARGO_TARGET_DIR (the main workspace's; default target), EMBER_CACHE;
# QUIET=X: before sections 1 and 2, wait (up to QUIET_MAX seconds, default 1800) until the CPUs
# are busy less than X cores on average over 5 s (e.g. QUIET=0.3 on a machine shared with builds).
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
N="${1:-200}"
ROUNDS="${2:-21}"
RUNS="${3:-100}"
ROUNDS2="${4:-3}"
VG_N1="${VG_N1:-4}" VG_N2="${VG_N2:-12}"
ARMNN_RUNS=10 # ArmNN's CpuRef (reference kernels) takes ~0.4 s per BlazeFace inference
ARCH="$(uname -m)"
TD="${CARGO_TARGET_DIR:-target}"
BIN="$TD/release"
OUT="$TD/nn-bench-backends"
mkdir -p "$OUT"
M="$CACHE/models"
IR="$M/openvino"
PICTURE="$CACHE/pictures/astronaut.ppm"
LITERT="$CACHE/engines/litert/$ARCH/libLiteRt.so"
CLASSIC="$CACHE/engines/tflite-classic/$ARCH/libtensorflowlite_c.so"
ORT="$CACHE/engines/onnxruntime/$ARCH/libonnxruntime.so"
OVDIR="$CACHE/engines/openvino/$ARCH"
for f in "$M/face_detection_short_range.tflite" "$M/face_detection_short_range_fp32.tflite" "$M/face_detection_short_range.onnx" \
  "$IR/face_detection_short_range.xml" "$M/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$IR/conv_net.xml" "$PICTURE" "$ORT" \
  "$OVDIR/libopenvino_c.so" "$LITERT" "$CLASSIC"; do
  [ -e "$f" ] || { echo "missing $f: run nn/engines/fetch.sh first" >&2; exit 1; }
done
REPORT="$OUT/report.md"
: > "$REPORT"
say() { echo "$@" | tee -a "$REPORT"; }

# ---- build (release) ----
# The shipped packages, then tract in its own profile (Cargo.toml: release-unwind, where its
# panics unwind to the SDK's guard), copied next to libvmcore.so where lookup by encoding finds it.
# If tract does not build, it is left out (an older .so of it would not be today's code).
cargo build --release -q
TRACT=0
rm -f "$BIN/libwasi_nn_backend_tract.so"
if cargo build --profile release-unwind -q -p wasi-nn-backend-tract 2> "$OUT/build.log"; then
  cp "$TD/release-unwind/libwasi_nn_backend_tract.so" "$BIN/" && TRACT=1
else
  echo "backends.sh: the tract backend did not build (see $OUT/build.log); measuring without it" >&2
fi
# The ONNX Runtime harness is its own cargo workspace (own lock file), built in its own target.
CARGO_TARGET_DIR="$CACHE/bench-target" cargo build --release -q --locked --manifest-path nn/bench/ort_native/Cargo.toml
ORT_NATIVE="$CACHE/bench-target/release/ort_native"
# The tract harness likewise (its own workspace: a second tract build, in the backend's profile).
TRACT_NATIVE="$CACHE/bench-target/release/tract_native"
if [ "$TRACT" = 1 ]; then
  CARGO_TARGET_DIR="$CACHE/bench-target" cargo build --release -q --locked --manifest-path nn/bench/tract_native/Cargo.toml
fi
gcc -O2 -I "$CACHE/engines/tflite-classic/include" -o "$OUT/native_blazeface" nn/tflite/bench/native_blazeface.c -ldl -lm
gcc -O2 -I "$CACHE/engines/openvino/include" -o "$OUT/native_openvino" nn/bench/native_openvino.c \
  -L "$OVDIR" -lopenvino_c -Wl,-rpath,"$OVDIR" -lm
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$OUT/face_detect.wasm" examples/face_detect/face_detect.c -lm
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$OUT/nn_bench.wasm" examples/nn_bench/nn_bench.c -lm
# The wasm app's input (the picture, letterboxed and scaled), for the native harnesses.
python3 nn/bench/face_input.py "$PICTURE" "$OUT/face.f32"
FACE_IN="input=$OUT/face.f32"

# ---- machine load ----
HZ="$(getconf CLK_TCK)"
# "busy steal total ours" in clock ticks: all CPUs (from /proc/stat) and this script's reaped
# children (cutime + cstime of this shell).
snap() {
  local own
  own="$(awk '{print $16 + $17}' /proc/$$/stat)"
  awk -v own="$own" '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, $9, busy + $5 + $6, own}' /proc/stat
}
LOAD_T0=0 LOAD_S0=""
load_begin() { LOAD_T0="$(date +%s.%N)"; LOAD_S0="$(snap)"; LOAD_A0="$(cut -d' ' -f1-3 /proc/loadavg)"; }
load_end() {
  local t1 s1
  t1="$(date +%s.%N)"
  s1="$(snap)"
  awk -v label="$1" -v when="$(date -u -d "@${LOAD_T0%.*}" '+%Y-%m-%d %H:%M')" -v t0="$LOAD_T0" -v t1="$t1" -v hz="$HZ" -v cores="$(nproc)" -v a0="$LOAD_A0" -v a1="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v s0="$LOAD_S0" -v s1="$s1" 'BEGIN {
      split(s0, x); split(s1, y); secs = t1 - t0
      busy = (y[1] - x[1]) / hz / secs; steal = (y[2] - x[2]) / hz / secs; ours = (y[4] - x[4]) / hz / secs
      printf "- %s: %.0f s, %s UTC; load average (1/5/15 min) %s before, %s after; CPUs busy %.2f of %d on average, of which this benchmark %.2f and other processes %.2f; steal %.2f\n",
        label, secs, when, a0, a1, busy, cores, ours, busy - ours, steal }' | tee -a "$OUT/load.md"
}
: > "$OUT/load.md"

quiet_wait() {
  [ -n "${QUIET:-}" ] || return 0
  local waited=0 busy
  while :; do
    busy="$(a="$(snap)"; sleep 5; b="$(snap)"; awk -v a="$a" -v b="$b" -v hz="$HZ" 'BEGIN {split(a, x); split(b, y); printf "%.2f", (y[1] - x[1]) / hz / 5}')"
    if awk -v b="$busy" -v q="$QUIET" 'BEGIN {exit !(b < q)}'; then
      echo "- quiet enough before $1: CPUs busy $busy over 5 s (after waiting ${waited} s)" >> "$OUT/load.md"; return 0
    fi
    if [ "$waited" -ge "${QUIET_MAX:-1800}" ]; then
      echo "- not quiet before $1: CPUs still busy $busy after waiting ${waited} s; measured anyway" >> "$OUT/load.md"; return 0
    fi
    sleep 10; waited=$((waited + 15))
  done
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
best() { sort -g | head -n1; }
secs() { grep -o '^seconds_per_inference [0-9.]*' | awk '{print $2}'; }
cpus() { grep -o 'cpu_seconds_per_inference [0-9.]*' | awk '{print $2}'; }

# ---- 1. overhead ----
# Configurations: id|label. native_ID / wasm_ID run one round and print the seconds line.
CONFIGS=(
  "litert|tflite: LiteRT 2.3 (XNNPACK, default threads), face_detection_short_range.tflite"
  "onnx|onnx: ONNX Runtime 1.31.1 (default threads), face_detection_short_range.onnx"
  "onnx1|onnx: ONNX Runtime 1.31.1, threads=1, same .onnx"
  "openvino|openvino: OpenVINO 2026.4.1 CPU f32 (default threads), IR .xml + .bin"
  "openvino1|openvino: OpenVINO 2026.4.1 CPU f32, threads=1, same IR"
)
[ "$TRACT" = 1 ] && CONFIGS+=("tract|tract: tract-onnx 0.22.5 (single-threaded), face_detection_short_range.onnx")
FACE_IR="$IR/face_detection_short_range.xml,$IR/face_detection_short_range.bin"
PRE=() # a command prefix (valgrind) for native_run / wasm_run
native_run() { # native_run ID N
  local N="$2"
  case "$1" in
    litert) "${PRE[@]}" "$OUT/native_blazeface" litert "$LITERT" "$M/face_detection_short_range.tflite" "$N" "$FACE_IN" ;;
    onnx) "${PRE[@]}" "$ORT_NATIVE" "$ORT" "$M/face_detection_short_range.onnx" "$N" "$FACE_IN" ;;
    onnx1) "${PRE[@]}" "$ORT_NATIVE" "$ORT" "$M/face_detection_short_range.onnx" "$N" threads=1 "$FACE_IN" ;;
    openvino) "${PRE[@]}" "$OUT/native_openvino" "$IR/face_detection_short_range.xml" "$IR/face_detection_short_range.bin" "$N" "$FACE_IN" ;;
    openvino1) "${PRE[@]}" "$OUT/native_openvino" "$IR/face_detection_short_range.xml" "$IR/face_detection_short_range.bin" "$N" threads=1 "$FACE_IN" ;;
    tract) "${PRE[@]}" "$TRACT_NATIVE" "$M/face_detection_short_range.onnx" "$N" "$FACE_IN" ;;
  esac
}
wasm_run() { # wasm_run ID N
  local N="$2" iw=("${PRE[@]}" "$BIN/iwasm" --dir="$M" --dir="$IR" --dir="$CACHE/pictures")
  case "$1" in
    litert) EMBER_TFLITE_ENGINE=litert EMBER_TFLITE_LIB="$LITERT" "${iw[@]}" --wasi-nn-backend=tflite "$OUT/face_detect.wasm" "$M/face_detection_short_range.tflite" "$PICTURE" cpu "$N" ;;
    onnx) EMBER_ONNXRUNTIME_LIB="$ORT" "${iw[@]}" --wasi-nn-backend=onnx "$OUT/face_detect.wasm" "$M/face_detection_short_range.onnx" "$PICTURE" cpu "$N" ;;
    onnx1) EMBER_ONNXRUNTIME_LIB="$ORT" "${iw[@]}" --wasi-nn-backend=onnx --wasi-nn-backend-opt=onnx:threads=1 \
      "$OUT/face_detect.wasm" "$M/face_detection_short_range.onnx" "$PICTURE" cpu "$N" ;;
    openvino) EMBER_OPENVINO_LIB="$OVDIR/libopenvino_c.so" "${iw[@]}" --wasi-nn-backend=openvino "$OUT/face_detect.wasm" "$FACE_IR" "$PICTURE" cpu "$N" ;;
    openvino1) EMBER_OPENVINO_LIB="$OVDIR/libopenvino_c.so" "${iw[@]}" --wasi-nn-backend=openvino --wasi-nn-backend-opt=openvino:threads=1 \
      "$OUT/face_detect.wasm" "$FACE_IR" "$PICTURE" cpu "$N" ;;
    tract) "${iw[@]}" --wasi-nn-backend=tract "$OUT/face_detect.wasm" "$M/face_detection_short_range.onnx" "$PICTURE" cpu "$N" ;;
  esac
}
one() { # one KIND ID: one timed run, its seconds line appended to $OUT/ID.KIND
  local line
  if [ "$1" = native ]; then line="$(native_run "$2" "$N" 2>&1 >/dev/null | grep '^seconds_per' || true)"
  else line="$(wasm_run "$2" "$N" 2>&1 >/dev/null | grep '^seconds_per' || true)"; fi
  [ -n "$line" ] || { echo "backends.sh: $1 run of $2 failed" >&2; exit 1; }
  echo "$line" >> "$OUT/$2.$1"
}

quiet_wait "section 1"
load_begin
for c in "${CONFIGS[@]}"; do id="${c%%|*}"; : > "$OUT/$id.native"; : > "$OUT/$id.wasm"; done
for r in $(seq "$ROUNDS"); do
  for c in "${CONFIGS[@]}"; do
    id="${c%%|*}"
    if [ $((r % 2)) = 1 ]; then one native "$id"; one wasm "$id"; else one wasm "$id"; one native "$id"; fi
  done
done
load_end "section 1 (overhead, $ROUNDS rounds of $N inferences)"

say "### Overhead: BlazeFace through iwasm vs the engine called natively"
say
say "$N inferences per process (set_input + compute timed inside the wasm app; the same engine calls timed inside the native harness, on the same input values), $ROUNDS rounds alternating native and wasm (order flipped every round). ms per inference: process CPU time (all threads) and wall time, median and best of the $ROUNDS rounds. Overhead = iwasm / native - 1 of those, and the median of the $ROUNDS per-round CPU ratios (paired)."
say
say "| backend: engine, model | native ms: cpu median / best, wall median / best | iwasm + backend ms: cpu median / best, wall median / best | overhead: cpu median / best / paired, wall median / best |"
say "|---|---|---|---|"
for c in "${CONFIGS[@]}"; do
  id="${c%%|*}" label="${c#*|}"
  nc="$(cpus < "$OUT/$id.native" | median)"; wc_="$(cpus < "$OUT/$id.wasm" | median)"
  nm="$(secs < "$OUT/$id.native" | median)"; wm="$(secs < "$OUT/$id.wasm" | median)"
  nb="$(secs < "$OUT/$id.native" | best)"; wb="$(secs < "$OUT/$id.wasm" | best)"
  ncb="$(cpus < "$OUT/$id.native" | best)"; wcb="$(cpus < "$OUT/$id.wasm" | best)"
  paired="$(paste <(cpus < "$OUT/$id.wasm") <(cpus < "$OUT/$id.native") | awk '{print $1 / $2}' | median)"
  awk -v l="$label" -v nc="$nc" -v wc="$wc_" -v nb="$nb" -v wb="$wb" -v nm="$nm" -v wm="$wm" -v p="$paired" -v ncb="$ncb" -v wcb="$wcb" 'BEGIN {
    printf "| %s | %.3f / %.3f, %.3f / %.3f | %.3f / %.3f, %.3f / %.3f | %+.2f%% / %+.2f%% / %+.2f%%, %+.2f%% / %+.2f%% |\n", l,
      nc*1000, ncb*1000, nm*1000, nb*1000, wc*1000, wcb*1000, wm*1000, wb*1000,
      (wc/nc-1)*100, (wcb/ncb-1)*100, (p-1)*100, (wm/nm-1)*100, (wb/nb-1)*100}' | tee -a "$REPORT"
done
say

# ---- 1b. the same in instructions (valgrind), single-threaded configurations ----
ir() { # ir KIND ID N: user-space instructions of the whole run
  local out
  PRE=(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null)
  if [ "$1" = native ]; then out="$(native_run "$2" "$3" 2>&1 >/dev/null || true)"; else out="$(wasm_run "$2" "$3" 2>&1 >/dev/null || true)"; fi
  PRE=()
  echo "$out" > "$OUT/vg.$1.$2.$3.log"
  echo "$out" | sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
if [ "${VALGRIND:-1}" = 1 ] && command -v valgrind > /dev/null; then
  say "Instructions per BlazeFace inference (valgrind $(valgrind --version | sed 's/valgrind-//'), cachegrind without cache simulation: user-space instructions, whatever the other load; one run each of REPEAT=$VG_N1 and REPEAT=$VG_N2 per side, per inference = difference / $((VG_N2 - VG_N1)); single-threaded configurations only, as idle worker threads spin a load-dependent number of instructions; valgrind runs threads one at a time and reports its own CPU features to the engines, so these are the engines' code paths under valgrind):"
  say
  say "| backend: engine | native instructions / inference | iwasm + backend instructions / inference | difference | overhead |"
  say "|---|---|---|---|---|"
  VG_IDS=(litert onnx1 openvino1)
  [ "$TRACT" = 1 ] && VG_IDS+=(tract)
  for id in "${VG_IDS[@]}"; do
    n1="$(ir native "$id" "$VG_N1")"; n2="$(ir native "$id" "$VG_N2")"
    w1="$(ir wasm "$id" "$VG_N1")"; w2="$(ir wasm "$id" "$VG_N2")"
    case "$id" in litert) label="tflite: LiteRT 2.3 (XNNPACK; one thread here)" ;; onnx1) label="onnx: ONNX Runtime 1.31.1, threads=1" ;;
      openvino1) label="openvino: OpenVINO 2026.4.1 CPU f32, threads=1" ;; tract) label="tract: tract-onnx 0.22.5" ;; esac
    awk -v l="$label" -v n1="$n1" -v n2="$n2" -v w1="$w1" -v w2="$w2" -v d="$((VG_N2 - VG_N1))" 'BEGIN {
      if (n1 == "" || n2 == "" || w1 == "" || w2 == "") { printf "| %s | failed | | | |\n", l; exit }
      n = (n2 - n1) / d; w = (w2 - w1) / d
      printf "| %s | %.0f | %.0f | %+.0f | %+.2f%% |\n", l, n, w, w - n, (w / n - 1) * 100 }' | tee -a "$REPORT"
  done
  say
fi

# ---- 2. all backends, same models, nn-bench.wasm ----
IN_FACE=0:f32:1x128x128x3
IN_CLS=0:f32:1x3x48x192
IN_CONV=0:f32:1x8x8x1
# Rows: label|backend|environment (space-separated K=V)|face model|cls model|conv model ("-": none).
ROWS=(
  "tflite: LiteRT 2.3, .tflite|tflite|EMBER_TFLITE_ENGINE=litert|$M/face_detection_short_range_fp32.tflite|-|nn/models/conv_net.tflite"
  "tflite: TFLite 2.9 classic (1 thread), .tflite|tflite|EMBER_TFLITE_ENGINE=classic|$M/face_detection_short_range_fp32.tflite|-|nn/models/conv_net.tflite"
  "armnn: ArmNN 20.08 CpuRef, .tflite|armnn||$M/face_detection_short_range_fp32.tflite|-|nn/models/conv_net.tflite"
  "onnx: ONNX Runtime 1.31.1, .onnx|onnx||$M/face_detection_short_range.onnx|$M/ch_ppocr_mobile_v2.0_cls_infer.onnx|nn/models/onnx/conv_net.onnx"
  "openvino: OpenVINO 2026.4.1 CPU f32, IR|openvino||$FACE_IR|$IR/ch_ppocr_mobile_v2.0_cls_infer.xml,$IR/ch_ppocr_mobile_v2.0_cls_infer.bin|$IR/conv_net.xml,$IR/conv_net.bin"
  "openvino: same, from the .onnx|openvino||$M/face_detection_short_range.onnx|$M/ch_ppocr_mobile_v2.0_cls_infer.onnx|nn/models/onnx/conv_net.onnx"
  "openvino: same, from the .tflite|openvino||$M/face_detection_short_range_fp32.tflite|-|nn/models/conv_net.tflite"
)
[ "$TRACT" = 1 ] && ROWS+=("tract: tract-onnx 0.22.5, .onnx|tract||$M/face_detection_short_range.onnx|$M/ch_ppocr_mobile_v2.0_cls_infer.onnx|nn/models/onnx/conv_net.onnx")
# References: conv_net.expected (pure-Python reference), ch_ppocr_cls.expected (ONNX Runtime's
# output for the same sin input), and for BlazeFace ONNX Runtime's output 1 sum in this run.
REF_CONV="$(cat nn/models/conv_net.expected)"
REF_CLS="$(cat "$M/ch_ppocr_cls.expected")"

bench_cell() { # bench_cell ROW_INDEX COLUMN(1 face, 2 cls, 3 conv) ROUND
  local row="${ROWS[$1]}" IFS='|'
  # shellcheck disable=SC2206
  local f=($row)
  IFS=' '
  local model="${f[$((2 + $2))]}" input runs="$RUNS"
  [ "$model" = - ] && return 0
  case "$2" in 1) input=$IN_FACE ;; 2) input=$IN_CLS ;; 3) input=$IN_CONV ;; esac
  [ "${f[1]}" = armnn ] && [ "$2" = 1 ] && runs="$ARMNN_RUNS"
  local env=() log="$OUT/t2.$1.$2.$3.log"
  [ -n "${f[2]}" ] && read -r -a env <<< "${f[2]}"
  env "${env[@]}" EMBER_ONNXRUNTIME_LIB="$ORT" EMBER_OPENVINO_LIB="$OVDIR/libopenvino_c.so" \
    "$BIN/iwasm" --dir="$M" --dir="$IR" --dir=nn/models --wasi-nn-backend="${f[1]}" "$OUT/nn_bench.wasm" \
    --runs="$runs" --show=3 --input="$input" "$model" > "$log" 2>&1 || echo "FAILED" >> "$log"
}
quiet_wait "section 2"
load_begin
for r in $(seq "$ROUNDS2"); do
  for i in "${!ROWS[@]}"; do for col in 1 2 3; do bench_cell "$i" "$col" "$r"; done; done
done
load_end "section 2 (nn-bench, $ROUNDS2 rounds)"

# The reference sum of BlazeFace's output 1 (classificators): ONNX Runtime's (row 3).
REF_FACE="$(grep -h '^output 1' "$OUT"/t2.3.1.1.log | sed 's/.* sum \([^,]*\),.*/\1/' | head -n1)"
cell() { # cell ROW COLUMN: "median ms (load ms)" + a mark if the outputs disagree with the reference
  local logs=() ok=1 med load
  for r in $(seq "$ROUNDS2"); do logs+=("$OUT/t2.$1.$2.$r.log"); done
  [ -f "${logs[0]}" ] || { echo "-"; return; }
  if grep -q FAILED "${logs[@]}"; then echo "failed ($(grep -h -m1 'nn-bench:' "${logs[@]}" | head -n1 | cut -c1-80))"; return; fi
  med="$(cat "${logs[@]}" | sed -n 's/.* median \([0-9.]*\) mean.*/\1/p' | median)"
  load="$(cat "${logs[@]}" | sed -n 's/.*: load \([0-9.]*\) ms;.*/\1/p' | median)"
  case "$2" in
    1) got="$(grep -h '^output 1' "${logs[0]}" | sed 's/.* sum \([^,]*\),.*/\1/')"
       awk -v a="$got" -v b="$REF_FACE" 'BEGIN {d = a - b; if (d < 0) d = -d; exit !(d <= 1e-3 * (b < 0 ? -b : b))}' || ok=0 ;;
    2|3) got="$(grep -h '^output 0' "${logs[0]}" | sed 's/.*first: //')"
       ref="$([ "$2" = 2 ] && echo "$REF_CLS" || echo "$REF_CONV")"
       awk -v a="$got" -v b="$ref" 'BEGIN {n = split(a, x, " "); split(b, y, " "); for (i = 1; i <= n; i++) {d = x[i] - y[i]; if (d < 0) d = -d; if (d > 1e-4) exit 1}; exit 0}' || ok=0 ;;
  esac
  printf "%s (%s)%s" "$med" "$load" "$([ "$ok" = 1 ] || echo " OUTPUT DIFFERS")"
}
say "### All backends on the same models (nn-bench.wasm through iwasm)"
say
say "ms per inference (set_input + compute + get_output of every output, timed inside the app): median over $ROUNDS2 rounds of nn-bench's median of --runs=$RUNS (ArmNN on BlazeFace: $ARMNN_RUNS runs); in brackets the model's load time in ms (the first load of the process: it includes opening the engine). Inputs x[k] = sin(0.37 k). Outputs checked: conv_net against its pure-Python reference, the classifier against ONNX Runtime's stored output (1e-4), BlazeFace's scores (output 1 sum) against ONNX Runtime's in this run (1e-3 relative)."
say
say "| backend: engine, model format | BlazeFace 1x128x128x3 | MobileNetV3 text-orientation classifier 1x3x48x192 | conv_net 1x8x8x1 |"
say "|---|---|---|---|"
for i in "${!ROWS[@]}"; do
  say "| ${ROWS[$i]%%|*} | $(cell "$i" 1) | $(cell "$i" 2) | $(cell "$i" 3) |"
done
[ "$TRACT" = 1 ] || say "
(tract: no libwasi_nn_backend_tract.so built from today's tree; not measured.)"
say

# ---- 3. sizes ----
sz() { stat -L -c %s "$1"; }
# Stripped size; a file with no symbol table is already stripped (strip -o would only re-pad it).
stripped() {
  if ! readelf -S -W "$1" 2>/dev/null | grep -q ' \.symtab '; then sz "$1"
  elif strip -o "$OUT/strip.tmp" "$1" 2>/dev/null; then sz "$OUT/strip.tmp"
  else echo "n/a"; fi
  rm -f "$OUT/strip.tmp"
}
# Engine libraries loaded for BlazeFace by a backend: LD_DEBUG=libs of a one-inference run, minus
# glibc / libstdc++ / libgcc, libvmcore.so and the backend itself.
engine_libs() {
  LD_DEBUG=libs "$@" 2>&1 >/dev/null | awk '/calling init:/ {print $NF}' | sort -u |
    grep -Ev '/(ld-linux[^/]*|lib(c|m|dl|pthread|rt|stdc\+\+|gcc_s)\.so[^/]*|libvmcore\.so|libwasi_nn_backend_[a-z]*\.so)$' || true
}
say "### Sizes (x86_64)"
say
say "| library | file bytes | stripped bytes |"
say "|---|---|---|"
for so in "$BIN"/libwasi_nn_backend_*.so; do
  name="$(basename "$so")"
  [ "$name" = libwasi_nn_backend_tract.so ] && [ "$TRACT" = 0 ] && continue
  say "| $name (ours, release) | $(sz "$so") | $(stripped "$so") |"
done
say "| libvmcore.so (ours, release; for scale) | $(sz "$BIN/libvmcore.so") | $(stripped "$BIN/libvmcore.so") |"
say
say "Engine libraries each backend loads for BlazeFace (not ours; LD_DEBUG=libs of one run, system C/C++ runtime left out):"
say
say "| backend (engine) | library | file bytes | stripped bytes |"
say "|---|---|---|---|"
iw=("$BIN/iwasm" --dir="$M" --dir="$IR" --dir="$CACHE/pictures")
declare -A RUNCMD=(
  [litert]="env EMBER_TFLITE_ENGINE=litert ${iw[*]} --wasi-nn-backend=tflite $OUT/face_detect.wasm $M/face_detection_short_range.tflite $PICTURE"
  [classic]="env EMBER_TFLITE_ENGINE=classic ${iw[*]} --wasi-nn-backend=tflite $OUT/face_detect.wasm $M/face_detection_short_range.tflite $PICTURE"
  [armnn]="${iw[*]} --wasi-nn-backend=armnn $OUT/face_detect.wasm $M/face_detection_short_range_fp32.tflite $PICTURE"
  [onnx]="${iw[*]} --wasi-nn-backend=onnx $OUT/face_detect.wasm $M/face_detection_short_range.onnx $PICTURE"
  [openvino]="${iw[*]} --wasi-nn-backend=openvino $OUT/face_detect.wasm $FACE_IR $PICTURE"
)
[ "$TRACT" = 1 ] && RUNCMD[tract]="${iw[*]} --wasi-nn-backend=tract $OUT/face_detect.wasm $M/face_detection_short_range.onnx $PICTURE"
for b in litert classic armnn onnx openvino tract; do
  [ -n "${RUNCMD[$b]:-}" ] || continue
  # shellcheck disable=SC2086
  libs="$(engine_libs ${RUNCMD[$b]})"
  total_f=0 total_s=0
  if [ -z "$libs" ]; then say "| $b | (none: the engine is inside the backend) | | |"; continue; fi
  while read -r lib; do
    f="$(sz "$lib")" s="$(stripped "$lib")"
    total_f=$((total_f + f)); [ "$s" = n/a ] || total_s=$((total_s + s))
    say "| $b | $(readlink -f "$lib") | $f | $s |"
  done <<< "$libs"
  say "| $b | **total** | **$total_f** | **$total_s** |"
done
say
say "Machine load:"
say
cat "$OUT/load.md" >> "$REPORT"
cat "$OUT/load.md"
