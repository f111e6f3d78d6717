#!/usr/bin/env bash
# Ember's main demo: a sandboxed wasm app finds the face in a photo with a real trained model
# (MediaPipe BlazeFace, face_detection_short_range.tflite) through wasi-nn, iwasm and the TFLite
# backend. Sets everything up first (idempotent): Debian packages, engines, model and photo.
#
#   examples/demo.sh [PICTURE]     PICTURE: any PNG/JPEG/PPM (default: scikit-image's astronaut)
#
# Prints each face found and writes the picture with the boxes and landmarks drawn to
# target/demo/<picture>-faces.png.
#
# Environment: EMBER_CACHE (default ~/.cache/ember); BACKEND=tflite (default) | armnn | onnx |
# openvino | tract (the same app and model, BlazeFace, as .tflite, .onnx or OpenVINO IR);
# EMBER_TFLITE_ENGINE=litert|classic to force a TFLite engine; TARGET=cpu|gpu|tpu (gpu/tpu need
# a delegate or device, else the backends fall back to cpu with a warning).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
PROFILE="${PROFILE:-release}"

step() { echo "== $*" >&2; }

step "setup: host packages (toolchains/setup-host.sh) and engines, model, photo (nn/engines/fetch.sh)"
if [ "$(id -u)" = 0 ]; then ./toolchains/setup-host.sh; else echo "(not root: skipping apt; run toolchains/setup-host.sh as root if a package is missing)" >&2; fi
nn/engines/fetch.sh >&2

step "build: iwasm, libvmcore.so and the wasi-nn backends (cargo build --$PROFILE)"
if [ "$PROFILE" = release ]; then cargo build --release >&2; else cargo build >&2; fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE"
NATIVE=()
if [ "${BACKEND:-}" = tract ]; then
  # tract's release build unwinds (Cargo.toml, profile release-unwind): not a default member.
  step "build: the tract backend (cargo build --profile release-unwind -p wasi-nn-backend-tract)"
  TRACT_PROFILE=release-unwind
  [ "$PROFILE" = release ] || TRACT_PROFILE=dev
  cargo build --profile "$TRACT_PROFILE" -p wasi-nn-backend-tract >&2
  TRACT_DIR="${CARGO_TARGET_DIR:-target}/$([ "$TRACT_PROFILE" = dev ] && echo debug || echo "$TRACT_PROFILE")"
  NATIVE=(--native-lib="$TRACT_DIR/libwasi_nn_backend_tract.so")
fi

step "build: the wasm app (examples/face_detect/face_detect.c -> wasm32-wasi)"
mkdir -p target/wasm
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o target/wasm/face_detect.wasm \
  examples/face_detect/face_detect.c -lm

PICTURE="${1:-$CACHE/pictures/astronaut.ppm}"
case "$PICTURE" in
  *.ppm) ;;
  *) PPM="$CACHE/pictures/$(basename "${PICTURE%.*}").ppm"
     python3 nn/models/picture_to_ppm.py "$PICTURE" "$PPM" >&2
     PICTURE="$PPM" ;;
esac
PICTURE="$(cd "$(dirname "$PICTURE")" && pwd)/$(basename "$PICTURE")"
BACKEND="${BACKEND:-tflite}"
case "$BACKEND" in
  tflite) ENC=tflite MODEL="$CACHE/models/face_detection_short_range.tflite" ;;
  armnn) ENC=tflite MODEL="$CACHE/models/face_detection_short_range_fp32.tflite" ;; # ArmNN 20.08: no fp16 weights
  onnx|tract) ENC=onnx MODEL="$CACHE/models/face_detection_short_range.onnx" ;;
  openvino) ENC=openvino MODEL="$CACHE/models/openvino/face_detection_short_range.xml,$CACHE/models/openvino/face_detection_short_range.bin" ;;
  *) echo "BACKEND=$BACKEND: expected tflite, armnn, onnx, openvino or tract" >&2; exit 2 ;;
esac
OUT="$PWD/target/demo"
mkdir -p "$OUT"
PNG="$OUT/$(basename "${PICTURE%.*}")-faces.png"

# The model is preloaded by name (the app sees only the picture's folder and the output folder,
# and asks for "face"); `face_detect.wasm MODEL ...` with --dir for the model folder loads the
# bytes instead.
step "run: $BIN/iwasm --wasi-nn-backend=$BACKEND --nn-preload face:$ENC:${TARGET:-cpu}:... face_detect.wasm @face $(basename "$PICTURE")"
"$BIN/iwasm" "${NATIVE[@]}" --wasi-nn-backend="$BACKEND" --nn-preload "face:$ENC:${TARGET:-cpu}:$MODEL" \
  --dir="$(dirname "$PICTURE")" --dir="$OUT" \
  target/wasm/face_detect.wasm --png="$PNG" @face "$PICTURE" "${TARGET:-cpu}"
