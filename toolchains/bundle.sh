#!/usr/bin/env bash
# Builds a flashable Ember bundle for an ARM board: a tarball and a .deb.
#   toolchains/bundle.sh aarch64|armv7 [--profile NAME] [--out DIR] [--no-build]
#                        [--backends LIST]   (default: aarch64 tflite,armnn,onnx,openvino,tract,ggml;
#                                             armv7 tflite,armnn,tract,ggml: ONNX Runtime and OpenVINO
#                                             have no armv7 wheels; the .deb depends on ArmNN's
#                                             packages only when armnn is included)
#                        [--no-simd]         (libvmcore.so without fixed-width SIMD: ~140 KB smaller
#                                             on aarch64; a v128 module is then refused at load)
# libvmcore.so and iwasm are linked by LLD with packed relocations (core/so/arm_link.rs), which
# needs glibc >= 2.36 on the board (Debian 12). For an older glibc (2.34):
#   EMBER_LLD_DIR= toolchains/bundle.sh aarch64 --no-simd   (GNU ld; SIMD does not fit 1 MiB then)
# Output (default DIR = target/bundles):
#   ember-<version>-<target>.tar.gz   unpack anywhere; run bin/iwasm (see INSTALL inside)
#   ember_<version>_<deb-arch>.deb    installs into /usr/lib/ember, /usr/bin/iwasm links to it
# Layout inside both (every path is found relative to the binary: $ORIGIN rpaths, and
# libvmcore.so finds its backends in <its dir>/wasi-nn):
#   bin/iwasm                                  RUNPATH $ORIGIN:$ORIGIN/../lib
#   lib/libvmcore.so
#   lib/wasi-nn/libwasi_nn_backend_<name>.so   RUNPATH $ORIGIN:$ORIGIN/.. (libvmcore.so)
#   share/wasm/nn-bench.wasm, face_detect.wasm the wasm tools (any model on any backend; the demo)
#   lib/wasi-nn/engines/                       engine libraries the board's OS lacks (aarch64:
#                                              LiteRT 2.3, TFLite 2.9 C API, ONNX Runtime 1.31.1,
#                                              OpenVINO 2026.4.1 with its ARM CPU plugin and
#                                              frontends; ArmNN comes from Debian's packages)
# Our binaries are stripped (<triplet>-strip --strip-unneeded); packaging is refused when a binary
# does not link libvmcore.so dynamically or lacks the RUNPATH entry the layout needs. The .deb's
# Depends: libc6 (>= the newest GLIBC_ symbol version any shipped file needs, from objdump, and
# 2.36 when one has packed relative relocations: GLIBC_ABI_DT_RELR, core/so/arm_link.rs),
# libgcc-s1, libstdc++6 and, with armnn, Debian's ArmNN 22 packages (arm64 Recommends the CpuAcc
# backend). armv7 has no TFLite engine in any registry: its TFLite backend uses a vendor's
# libtensorflowlite_c.so (EMBER_TFLITE_LIB or the library path).
# Needs toolchains/setup-cross.sh (as root, once) and nn/engines/fetch.sh (engine libraries).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/cross-env.sh"

usage() { echo "usage: $0 aarch64|armv7 [--profile NAME] [--out DIR] [--no-build] [--backends LIST] [--no-simd]" >&2; exit 2; }
[ $# -ge 1 ] || usage
cross_target "$1"; shift
PROFILE=release OUT="$ROOT/target/bundles" BUILD=1 BACKEND_LIST= SIMD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE="$2"; shift 2 ;;
    --profile=*) PROFILE="${1#*=}"; shift ;;
    --out) OUT="$2"; shift 2 ;;
    --out=*) OUT="${1#*=}"; shift ;;
    --no-build) BUILD=0; shift ;;
    --backends) BACKEND_LIST="$2"; shift 2 ;;
    --backends=*) BACKEND_LIST="${1#*=}"; shift ;;
    --no-simd) SIMD=0; shift ;;
    *) usage ;;
  esac
done
log() { echo "bundle[$TARGET_NAME]: $*" >&2; }
die() { echo "bundle[$TARGET_NAME]: error: $*" >&2; exit 1; }

VERSION="$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n1)"
[ -n "$VERSION" ] || die "no workspace version in Cargo.toml"
if [ -z "$BACKEND_LIST" ]; then
  case "$TARGET_NAME" in
    aarch64) BACKEND_LIST=tflite,armnn,onnx,openvino,tract,ggml ;;
    *) BACKEND_LIST=tflite,armnn,tract,ggml ;;
  esac
fi
IFS=, read -r -a BACKENDS <<< "$BACKEND_LIST"
has_backend() { printf '%s\n' "${BACKENDS[@]}" | grep -qx "$1"; }
# Engine libraries shipped per target (the backends look in lib/wasi-nn/engines/), copied with
# their version links (cp -a).
ENGINE_LIBS=()
if [ "$TARGET_NAME" = aarch64 ]; then
  if has_backend tflite; then
    ENGINE_LIBS+=("$EMBER_CACHE/engines/litert/aarch64/libLiteRt.so"
                  "$EMBER_CACHE/engines/tflite-classic/aarch64/libtensorflowlite_c.so")
  fi
  if has_backend onnx; then
    ENGINE_LIBS+=("$EMBER_CACHE/engines/onnxruntime/aarch64/"libonnxruntime.so*)
  fi
  if has_backend openvino; then
    ENGINE_LIBS+=("$EMBER_CACHE/engines/openvino/aarch64/"*.so*)
  fi
fi

# ---- build --------------------------------------------------------------------------------------
profile_dir() { echo "$CROSS_TARGET_DIR/$TRIPLE/$([ "$1" = dev ] && echo debug || echo "$1")"; }
BUILD_DIR="$(profile_dir "$PROFILE")"
# Backends with a Rust engine linked in (tract) are built where panics unwind (Cargo.toml,
# profile release-unwind): the SDK's guard turns an engine panic into an error for the guest.
UNWIND_PROFILE="$PROFILE"
[ "$PROFILE" = release ] && UNWIND_PROFILE=release-unwind
unwinds() { [ "$1" = tract ]; }
backend_dir() { if unwinds "$1"; then profile_dir "$UNWIND_PROFILE"; else echo "$BUILD_DIR"; fi; }
if [ "$BUILD" = 1 ]; then
  log "building ($PROFILE) with $("$RUSTC_WEB" --version)"
  # One cargo invocation per profile: features unify once, so vmcore and its dependencies build
  # once (vmcore-sys depends on vmcore, so libvmcore.so exists before anything links it).
  pk=(-p vmcore -p iwasm) upk=()
  for b in "${BACKENDS[@]}"; do
    if unwinds "$b" && [ "$UNWIND_PROFILE" != "$PROFILE" ]; then upk+=(-p "wasi-nn-backend-$b"); else pk+=(-p "wasi-nn-backend-$b"); fi
  done
  # libvmcore.so with fixed-width SIMD (vmcore's only default feature; the backends have none)
  # unless --no-simd, for boards that need the ~140 KB on aarch64: a module using v128
  # instructions is then refused at load with a clear error (BENCHMARKS.md, "Footprint").
  feat=()
  [ "$SIMD" = 0 ] && feat=(--no-default-features)
  "$HERE/cargo-cross.sh" "$TARGET_NAME" build --profile "$PROFILE" "${feat[@]}" "${pk[@]}"
  if [ ${#upk[@]} -gt 0 ]; then
    "$HERE/cargo-cross.sh" "$TARGET_NAME" build --profile "$UNWIND_PROFILE" "${feat[@]}" "${upk[@]}"
  fi
fi

# ---- stage --------------------------------------------------------------------------------------
NAME="ember-$VERSION-$TARGET_NAME"
STAGE="$OUT/stage/$NAME"
rm -rf "$STAGE"
mkdir -p "$STAGE/bin" "$STAGE/lib/wasi-nn/engines"
need() { [ -f "$1" ] || die "missing $1 (build failed or wrong --profile?)"; }
STRIP="$GNU_TRIPLET-strip"
ship() { # ship SRC DEST: copy and strip our own binaries
  need "$1"; cp "$1" "$2"; "$STRIP" --strip-unneeded "$2"
}
# The executor's threaded handlers must tail-call each other (interp/src/exec.rs).
[ "$PROFILE" = release ] && python3 "$HERE/check-dispatch.py" "$TARGET_NAME" "$BUILD_DIR/libvmcore.so" >&2
ship "$BUILD_DIR/iwasm" "$STAGE/bin/iwasm"
ship "$BUILD_DIR/libvmcore.so" "$STAGE/lib/libvmcore.so"
# libvmcore.so without its unwind tables (~150 KB on aarch64): a release build aborts on a panic
# and nothing unwinds through it. Linked by LLD (cargo-cross.sh), it has none already
# (core/so/arm_link.rs); linked by GNU ld, they are removed here, and no segment points at them
# (no .eh_frame_hdr). Only a panic's printed backtrace is lost.
if [ "$PROFILE" = release ]; then
  "$GNU_TRIPLET-objcopy" --remove-section=.eh_frame --remove-section=.gcc_except_table "$STAGE/lib/libvmcore.so"
  ! "$GNU_TRIPLET-readelf" -lW "$STAGE/lib/libvmcore.so" | grep -q GNU_EH_FRAME ||
    die "libvmcore.so still has an .eh_frame_hdr segment (core/so/build.rs)"
fi
for b in "${BACKENDS[@]}"; do
  ship "$(backend_dir "$b")/libwasi_nn_backend_$b.so" "$STAGE/lib/wasi-nn/libwasi_nn_backend_$b.so"
done
for e in "${ENGINE_LIBS[@]}"; do
  [ -e "$e" ] || die "engine library $e missing: run nn/engines/fetch.sh"
  cp -a "$e" "$STAGE/lib/wasi-nn/engines/"
done
rmdir "$STAGE/lib/wasi-nn/engines" 2>/dev/null || true
# The wasm tools (architecture-independent): nn-bench checks any model on any backend; the face
# demo's app.
mkdir -p "$STAGE/share/wasm"
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$STAGE/share/wasm/nn-bench.wasm" "$ROOT/examples/nn_bench/nn_bench.c" -lm
clang-14 --target=wasm32-wasi -O2 -Wl,--strip-all -o "$STAGE/share/wasm/face_detect.wasm" "$ROOT/examples/face_detect/face_detect.c" -lm

# ---- check what the layout relies on -------------------------------------------------------------
READELF="$GNU_TRIPLET-readelf"
runpath() { "$READELF" -d "$1" | sed -n 's/.*(\(RUNPATH\|RPATH\)).*\[\(.*\)\]/\2/p'; }
needed() { "$READELF" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
expect_runpath() { # FILE ENTRY: the file's run path must contain ENTRY
  local rp; rp="$(runpath "$1")"
  case ":$rp:" in *":$2:"*) ;; *) die "$1: run path '$rp' lacks '$2'" ;; esac
}
needed "$STAGE/bin/iwasm" | grep -qx libvmcore.so || die "bin/iwasm does not link libvmcore.so dynamically"
expect_runpath "$STAGE/bin/iwasm" '$ORIGIN/../lib'
for b in "${BACKENDS[@]}"; do
  f="$STAGE/lib/wasi-nn/libwasi_nn_backend_$b.so"
  needed "$f" | grep -qx libvmcore.so || die "$f does not link libvmcore.so dynamically"
  expect_runpath "$f" '$ORIGIN/..'
done

# The newest glibc symbol version anything shipped needs (the .deb's libc6 dependency).
# Packed relative relocations need 2.36: their version (GLIBC_ABI_DT_RELR) has no symbol, so it
# is not in objdump -T.
glibc_min() {
  local f
  { for f in "$@"; do "$GNU_TRIPLET-objdump" -T "$f"; done | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//'
    for f in "$@"; do "$GNU_TRIPLET-readelf" -VW "$f"; done | sed -n 's/.*Name: GLIBC_ABI_DT_RELR .*/2.36/p'
  } | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -n1
}
mapfile -t SHIPPED < <(find "$STAGE" -type f \( -name '*.so' -o -name '*.so.*' -o -path '*/bin/*' \))
GLIBC_MIN="$(glibc_min "${SHIPPED[@]}")"

# ---- INSTALL text -------------------------------------------------------------------------------
ARMNN_PKGS="libarmnn22 libarmnntfliteparser22 libarmnn-cpuref-backend22"
[ "$DEB_ARCH" = arm64 ] && ARMNN_PKGS="$ARMNN_PKGS libarmnn-cpuacc-backend22"
{
  echo "Ember $VERSION for $TRIPLE (Debian architecture $DEB_ARCH)"
  echo
  echo "Contents"
  echo "  bin/iwasm                     the runtime's command line (WAMR-compatible options)"
  echo "  lib/libvmcore.so              the runtime core; iwasm and the backends link it"
  for b in "${BACKENDS[@]}"; do
    echo "  lib/wasi-nn/libwasi_nn_backend_$b.so   wasi-nn backend '$b'"
  done
  for e in "${ENGINE_LIBS[@]}"; do echo "  lib/wasi-nn/engines/$(basename "$e")"; done
  echo
  echo "Install"
  echo "  Unpack anywhere (e.g. tar xzf $NAME.tar.gz -C /opt) and run /opt/$NAME/bin/iwasm."
  echo "  The files find each other relative to bin/iwasm: keep the layout, move the folder as a"
  echo "  whole. Or install the .deb (apt install ./ember_${VERSION}_$DEB_ARCH.deb): /usr/bin/iwasm."
  echo
  echo "Requirements on the board"
  echo "  glibc >= $GLIBC_MIN (Debian 12 / Ubuntu 22.04 or newer), libstdc++6, libgcc-s1."
  echo "  ArmNN backend: Debian's ArmNN 20.08 packages: apt install $ARMNN_PKGS"
  if [ ${#ENGINE_LIBS[@]} -gt 0 ]; then
    echo "  TFLite backend: uses lib/wasi-nn/engines/libLiteRt.so (LiteRT 2.3) or, if preferred with"
    echo "  EMBER_TFLITE_ENGINE=classic, libtensorflowlite_c.so (TFLite 2.9 C API). A vendor's own"
    echo "  libtensorflowlite_c.so can be given with EMBER_TFLITE_LIB=/path/to/lib."
  else
    echo "  TFLite backend: no engine ships for $TARGET_NAME (no LiteRT or TFLite build exists in the"
    echo "  package registries); it uses the board vendor's libtensorflowlite_c.so from the library"
    echo "  path, or EMBER_TFLITE_LIB=/path/to/libtensorflowlite_c.so."
  fi
  echo
  echo "Try it"
  echo "  bin/iwasm --version"
  echo "  bin/iwasm --dir=. app.wasm            (a WASI program)"
  echo "  bin/iwasm --nn-preload face:tflite:cpu:model.tflite --dir=. app.wasm   (wasi-nn)"
  echo "  bin/iwasm --dir=. share/wasm/nn-bench.wasm --input=0:f32:1x224x224x3 --runs=20 model.onnx"
  echo "      (any model on any backend: times N inferences, summarizes the outputs; options at"
  echo "       the top of examples/nn_bench/nn_bench.c; IR as model.xml,model.bin)"
  echo "  bin/iwasm --dir=. share/wasm/face_detect.wasm --png=faces.png model.tflite photo.ppm"
  echo "  Backends are looked up in lib/wasi-nn/ by the model's encoding; --wasi-nn-backend=armnn"
  echo "  prefers ArmNN for .tflite models (CpuAcc when installed, else CpuRef)."
  if has_backend tract; then
    echo "  ONNX models without an engine library: --wasi-nn-backend=tract (tract, built in; the"
    echo "  last choice for onnx when ONNX Runtime and OpenVINO are absent)."
  fi
  if has_backend ggml; then
    echo "  GGUF language and embedding models (llama.cpp, built in): WasmEdge's ggml API, e.g."
    echo "  bin/iwasm --nn-preload llm:GGML:AUTO:model.gguf app.wasm"
  fi
} > "$STAGE/INSTALL"

mkdir -p "$OUT"
TARBALL="$OUT/$NAME.tar.gz"
tar -C "$OUT/stage" --owner=0 --group=0 -czf "$TARBALL" "$NAME"
log "tarball $TARBALL"

# ---- .deb ---------------------------------------------------------------------------------------
DEBROOT="$OUT/stage/deb-$DEB_ARCH"
rm -rf "$DEBROOT"
mkdir -p "$DEBROOT/DEBIAN" "$DEBROOT/usr/lib/ember" "$DEBROOT/usr/bin" "$DEBROOT/usr/share/doc/ember"
cp -a "$STAGE/bin" "$STAGE/lib" "$STAGE/share" "$DEBROOT/usr/lib/ember/"
ln -s ../lib/ember/bin/iwasm "$DEBROOT/usr/bin/iwasm"
cp "$STAGE/INSTALL" "$DEBROOT/usr/share/doc/ember/INSTALL"
DEPENDS="libc6 (>= $GLIBC_MIN), libgcc-s1, libstdc++6"
RECOMMENDS=""
if printf '%s\n' "${BACKENDS[@]}" | grep -qx armnn; then
  DEPENDS="$DEPENDS, libarmnn22 (>= 20.08), libarmnntfliteparser22 (>= 20.08), libarmnn-cpuref-backend22 (>= 20.08)"
  [ "$DEB_ARCH" = arm64 ] && RECOMMENDS="libarmnn-cpuacc-backend22 (>= 20.08)"
fi
{
  echo "Package: ember"
  echo "Version: $VERSION"
  echo "Architecture: $DEB_ARCH"
  echo "Maintainer: Ember developers <ember@localhost>"
  echo "Section: interpreters"
  echo "Priority: optional"
  echo "Installed-Size: $(du -sk "$DEBROOT/usr" | cut -f1)"
  echo "Depends: $DEPENDS"
  [ -n "$RECOMMENDS" ] && echo "Recommends: $RECOMMENDS"
  echo "Description: WebAssembly runtime for embedded Linux with wasi-nn inference"
  echo " iwasm runs sandboxed WebAssembly (WASI preview1) apps; wasi-nn calls go to"
  echo " inference backends (TFLite/LiteRT, ArmNN, ONNX Runtime, OpenVINO) loaded from"
  echo " /usr/lib/ember/lib/wasi-nn; nn-bench.wasm in /usr/lib/ember/share/wasm."
} > "$DEBROOT/DEBIAN/control"
DEB="$OUT/ember_${VERSION}_$DEB_ARCH.deb"
dpkg-deb --root-owner-group -Zxz --build "$DEBROOT" "$DEB" >/dev/null
log "deb $DEB"
echo "$TARBALL"
