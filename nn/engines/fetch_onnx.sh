#!/usr/bin/env bash
# Brings the ONNX Runtime and OpenVINO engines, the Python tools for ONNX / OpenVINO IR models, and
# the ONNX / IR models into the Ember cache, from PyPI only. Called by nn/engines/fetch.sh (after
# it has made face_detection_short_range_fp32.tflite); runs alone too.
# Idempotent: everything already in the cache is kept. Usage: nn/engines/fetch_onnx.sh
#
# Cache layout added (${EMBER_CACHE:-$HOME/.cache/ember}):
#   downloads/                               the wheels as fetched
#   pylib-onnx/                              onnx, numpy, openvino, onnxruntime, tflite2onnx (pip --target)
#   engines/onnxruntime/<arch>/libonnxruntime.so.1.31.1 (+ links .so.1, .so)   arch x86_64|aarch64
#   engines/openvino/<arch>/                 libopenvino_c.so(.2641), libopenvino.so(.2641), the CPU
#                                            plugin (intel_cpu on x86_64, arm_cpu on aarch64), the IR,
#                                            ONNX and TFLite frontends, TBB, hwloc; no plugins.xml (the
#                                            wheel build finds its plugins beside libopenvino.so)
#   engines/openvino/include/openvino/c/     OpenVINO's C headers
#   models/openvino/<net>.xml/.bin           IR (f32) of nn/models/onnx/<net>.onnx (committed ONNX nets)
#   models/face_detection_short_range.onnx   BlazeFace via tflite2onnx, NHWC input like the .tflite
#   models/openvino/face_detection_short_range.xml/.bin
#   models/ch_ppocr_mobile_v2.0_cls_infer.onnx   MobileNetV3 text-orientation classifier (rapidocr)
#   models/ch_ppocr_cls.expected             its ONNX Runtime output for x[k] = sin(0.37 k), [1,3,48,192]
#   models/openvino/ch_ppocr_mobile_v2.0_cls_infer.xml/.bin
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
DL="$CACHE/downloads"
PYLIB="$CACHE/pylib-onnx"
MODELS="$CACHE/models"
mkdir -p "$DL" "$MODELS/openvino"

ORT_VERSION=1.31.1
OPENVINO_VERSION=2026.4.1
OPENVINO_SO=2641   # the libraries' version suffix
RAPIDOCR_VERSION=1.4.4
# pylib-onnx, pinned whole (installed --no-deps). openvino-telemetry is left out on purpose: without
# it the converter uses its stub and never tries to send usage statistics.
PY_PINS=(
  "onnx==1.23.2" "numpy==2.4.6" "ml_dtypes==0.7.0" "protobuf==7.36.2" "typing_extensions==4.16.0"
  "onnxruntime==$ORT_VERSION" "flatbuffers==25.12.19" "packaging==26.4"
  "openvino==$OPENVINO_VERSION" "tflite==2.18.0" "tflite2onnx==0.4.1"
)
NETS=(sum max average mult_dimensions mult_outputs conv_net)

log() { echo "fetch: $*"; }
need() { command -v "$1" >/dev/null || { echo "fetch: $1 is needed ($2)" >&2; exit 1; }; }
need python3 "Debian python3, with pip: toolchains/setup-host.sh"
need unzip "toolchains/setup-host.sh"
py() { PYTHONPATH="$PYLIB" python3 "$@"; }

# pip_wheel NAME==VERSION ARCH: downloads the cp311 manylinux wheel of ARCH into $DL.
pip_wheel() {
  local spec="$1" arch="$2" plats=()
  for t in manylinux_2_17 manylinux2014 manylinux_2_27 manylinux_2_28 manylinux_2_31 manylinux_2_34 manylinux_2_35; do
    plats+=(--platform "${t}_${arch}")
  done
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 311 "${plats[@]}" "$spec" -d "$DL"
}
wheel_path() { ls "$DL"/"$1"-*"$2"*.whl 2>/dev/null | head -n1 || true; }
# arch_wheel NAME VERSION ARCH: the wheel's path, downloaded first if missing.
arch_wheel() {
  local whl
  whl="$(wheel_path "$1-$2" "$3")"
  if [ -z "$whl" ]; then
    log "pip download $1==$2 ($3)" >&2
    pip_wheel "$1==$2" "$3"
    whl="$(wheel_path "$1-$2" "$3")"
  fi
  [ -n "$whl" ] || { echo "fetch: no $1 $2 wheel for $3" >&2; exit 1; }
  echo "$whl"
}

# 1. Python tools (host wheels, kept in $DL, installed from there).
if [ "$(cat "$PYLIB/.ember-pins" 2>/dev/null)" != "${PY_PINS[*]}" ] ||
   ! py -c 'import onnx, numpy, openvino, onnxruntime, tflite2onnx' 2>/dev/null; then
  log "pip install --target $PYLIB ${PY_PINS[*]}"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$DL" "${PY_PINS[@]}"
  rm -rf "$PYLIB"
  python3 -m pip install -q --disable-pip-version-check --no-deps --no-index --find-links "$DL" \
    --target "$PYLIB" "${PY_PINS[@]}" 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
  echo "${PY_PINS[*]}" > "$PYLIB/.ember-pins"
fi

# 2. ONNX Runtime's and OpenVINO's C libraries for x86_64 and aarch64, from the same wheels.
for arch in x86_64 aarch64; do
  out="$CACHE/engines/onnxruntime/$arch"
  if [ ! -e "$out/libonnxruntime.so" ]; then
    whl="$(arch_wheel onnxruntime "$ORT_VERSION" "$arch")"
    mkdir -p "$out"
    unzip -q -o -j "$whl" "onnxruntime/capi/libonnxruntime.so.$ORT_VERSION" -d "$out"
    ln -sf "libonnxruntime.so.$ORT_VERSION" "$out/libonnxruntime.so.1"   # its SONAME
    ln -sf "libonnxruntime.so.$ORT_VERSION" "$out/libonnxruntime.so"
    log "ONNX Runtime $ORT_VERSION ($arch) -> $out"
  fi

  out="$CACHE/engines/openvino/$arch"
  if [ ! -e "$out/libopenvino_c.so" ]; then
    whl="$(arch_wheel openvino "$OPENVINO_VERSION" "$arch")"
    plugin=libopenvino_intel_cpu_plugin.so
    [ "$arch" = aarch64 ] && plugin=libopenvino_arm_cpu_plugin.so
    files=("$plugin" libtbb.so.12 libtbbmalloc.so.2 libtbbbind_2_5.so.3 libhwloc.so.15)
    for l in openvino openvino_ir_frontend openvino_onnx_frontend openvino_tensorflow_lite_frontend openvino_c; do
      files+=("lib$l.so.$OPENVINO_SO")
    done
    mkdir -p "$out"
    unzip -q -o -j "$whl" "${files[@]/#/openvino/libs/}" -d "$out"
    ln -sf "libopenvino.so.$OPENVINO_SO" "$out/libopenvino.so"
    ln -sf "libopenvino_c.so.$OPENVINO_SO" "$out/libopenvino_c.so"
    if [ ! -f "$CACHE/engines/openvino/include/openvino/c/openvino.h" ]; then
      tmp="$(mktemp -d)"
      unzip -q -o "$whl" 'openvino/include/openvino/c/*' -d "$tmp"
      mkdir -p "$CACHE/engines/openvino/include"
      cp -r "$tmp/openvino/include/." "$CACHE/engines/openvino/include/"
      rm -rf "$tmp"
    fi
    log "OpenVINO $OPENVINO_VERSION ($arch, $(du -sh "$out" | cut -f1)) -> $out"
  fi
done

# The host's libraries must resolve inside their folders (RUNPATH $ORIGIN), and load: the ONNX
# Runtime API base answers its version, and OpenVINO's C API compiles a net on its CPU device.
host="$(uname -m)"
if [ -d "$CACHE/engines/openvino/$host" ]; then
  missing="$(ldd "$CACHE/engines/openvino/$host"/lib*.so* "$CACHE/engines/onnxruntime/$host/libonnxruntime.so" |
    grep 'not found' || true)"
  [ -z "$missing" ] || { echo "fetch: unresolved libraries: $missing" >&2; exit 1; }
  python3 - "$CACHE/engines" "$host" "$ROOT/nn/models/onnx/sum.onnx" <<'EOF'
import ctypes, sys
engines, arch, model = sys.argv[1:]
ort = ctypes.CDLL(f"{engines}/onnxruntime/{arch}/libonnxruntime.so")
ort.OrtGetApiBase.restype = ctypes.POINTER(ctypes.c_void_p * 2)
version = ctypes.CFUNCTYPE(ctypes.c_char_p)(ort.OrtGetApiBase().contents[1])().decode()
ov = ctypes.CDLL(f"{engines}/openvino/{arch}/libopenvino_c.so")
core, net, compiled = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
assert ov.ov_core_create(ctypes.byref(core)) == 0, "ov_core_create"
assert ov.ov_core_read_model(core, model.encode(), None, ctypes.byref(net)) == 0, "ov_core_read_model"
assert ov.ov_core_compile_model(core, net, b"CPU", ctypes.c_size_t(0), ctypes.byref(compiled)) == 0, \
    "ov_core_compile_model CPU"
ov.ov_compiled_model_free(compiled); ov.ov_model_free(net); ov.ov_core_free(core)
print(f"fetch: engines load: onnxruntime {version}, openvino C API compiled sum.onnx on CPU ({arch})")
EOF
fi

# 3. OpenVINO IR of the committed ONNX test nets (checked against ONNX Runtime first).
todo=()
for n in "${NETS[@]}"; do
  [ -f "$MODELS/openvino/$n.xml" ] && [ -f "$MODELS/openvino/$n.bin" ] || todo+=("$ROOT/nn/models/onnx/$n.onnx")
done
if [ "${#todo[@]}" -gt 0 ]; then
  py "$ROOT/nn/models/gen_onnx.py" --check "$ROOT/nn/models/onnx"
  py "$ROOT/nn/models/to_openvino_ir.py" "$MODELS/openvino" "${todo[@]}"
fi

# 4. BlazeFace as ONNX (tflite2onnx, NHWC input kept) and as IR.
face="$MODELS/face_detection_short_range"
if [ ! -f "$face.onnx" ]; then
  [ -f "${face}_fp32.tflite" ] || { echo "fetch: ${face}_fp32.tflite is missing: run nn/engines/fetch.sh" >&2; exit 1; }
  py "$ROOT/nn/models/blazeface_to_onnx.py" "${face}_fp32.tflite" "$face.onnx"
fi
if [ ! -f "$MODELS/openvino/face_detection_short_range.bin" ]; then
  py "$ROOT/nn/models/to_openvino_ir.py" "$MODELS/openvino" "$face.onnx"
fi

# 5. A real classifier: PaddleOCR's MobileNetV3 text-orientation net from the rapidocr wheel.
cls="$MODELS/ch_ppocr_mobile_v2.0_cls_infer"
if [ ! -f "$cls.onnx" ]; then
  whl="$(wheel_path "rapidocr_onnxruntime-$RAPIDOCR_VERSION" py3)"
  if [ -z "$whl" ]; then
    log "pip download rapidocr-onnxruntime==$RAPIDOCR_VERSION"
    python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$DL" \
      "rapidocr-onnxruntime==$RAPIDOCR_VERSION"
    whl="$(wheel_path "rapidocr_onnxruntime-$RAPIDOCR_VERSION" py3)"
  fi
  unzip -q -o -j "$whl" 'rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx' -d "$MODELS"
  log "text-orientation classifier -> $cls.onnx"
fi
if [ ! -f "$MODELS/ch_ppocr_cls.expected" ]; then
  py "$ROOT/nn/models/onnx_reference.py" --shape 1,3,48,192 "$cls.onnx" "$MODELS/ch_ppocr_cls.expected"
fi
if [ ! -f "$MODELS/openvino/ch_ppocr_mobile_v2.0_cls_infer.bin" ]; then
  py "$ROOT/nn/models/to_openvino_ir.py" --shape 1,3,48,192 "$MODELS/openvino" "$cls.onnx"
fi
log "ONNX Runtime, OpenVINO and their models ready"
