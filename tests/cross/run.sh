#!/usr/bin/env bash
# Ember's ARM tests under qemu-user, run from the flashable bundle unpacked into a scratch folder
# (never from target/):
#   tests/cross/run.sh aarch64|armv7 [--profile NAME] [--no-build|--build-only] [--spec full|subset|none]
#                                    [--only SUITE[,SUITE..]] [--backends LIST (default: bundle.sh's)]
# Suites: spec (ember-spectest, cross-built, on the .wast files), wasi, native, nn.
# As root (CI is): it makes a private mount namespace (unshare -m) in which
#   - the scratch folder is a tmpfs: qemu-arm (32-bit) fails directory scans with EOVERFLOW on
#     the host's file systems (ArmNN's backend scan; see shared engines notes),
#   - /proc/cpuinfo is an ARM one (tests/cross/cpuinfo-aarch64.txt, bind-mounted) on aarch64:
#     LiteRT's XNNPACK reads it at start-up and crashes on the host's x86 text,
#   - the board's root is the ArmNN sysroot from toolchains/setup-cross.sh (qemu -L): loader and
#     libc from the cross toolchain, Debian's ArmNN packages in /usr/lib/<triplet>, like a board.
#   - armv7: qemu-arm 7.2 does not apply -L to statx, so EMBER_ARMNN_BACKENDS_PATH names the
#     backends folder of the tmpfs root directly,
#   - EMBER_CACHE and HOME point into the scratch folder (nothing may come from the developer's
#     cache), and EMBER_TEST_IWASM is a wrapper `qemu-<arch> -L <root> <bundle>/bin/iwasm`, so the
#     host-built drivers of tests/wasi.rs, tests/core_*.rs, tests/nn_backends.rs and
#     tests/nn_demo.rs run unchanged against the bundle (payload.sh builds them).
# Prints per-suite results, timings, and a closing "N passed, N failed" line; exits 1 on failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
. "$ROOT/toolchains/cross-env.sh"

# ================================ inside the private namespace =================================
if [ "${1:-}" = __inside ]; then
  shift
  cross_target "$1"; SCRATCH="$2"; WORK="$3"; SUITES="$4"; SPEC_MODE="$5"
  . "$HERE/suites.sh"
  inside_main
  exit $?
fi

# ======================================== outside =============================================
usage() { echo "usage: $0 aarch64|armv7 [--profile NAME] [--no-build|--build-only] [--spec full|subset|none] [--only SUITES] [--backends LIST]" >&2; exit 2; }
[ $# -ge 1 ] || usage
cross_target "$1"; shift
PROFILE=release BUILD=1 BUILD_ONLY=0 SPEC_MODE="${EMBER_CROSS_SPEC:-full}" SUITES="spec,wasi,native,nn" BACKEND_LIST=
while [ $# -gt 0 ]; do
  case "$1" in
    --profile) PROFILE="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --spec) SPEC_MODE="$2"; shift 2 ;;
    --only) SUITES="$2"; shift 2 ;;
    --backends) BACKEND_LIST="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "cross: needs root (unshare -m, tmpfs, bind mounts)" >&2; exit 2; }
log() { echo "cross[$TARGET_NAME]: $*" >&2; }
T0=$(date +%s)
WORK="$EMBER_CACHE/cross-test/$TARGET_NAME"
mkdir -p "$WORK"

if [ "$BUILD" = 1 ]; then
  "$ROOT/toolchains/setup-cross.sh"
  [ "$TARGET_NAME" = aarch64 ] && "$ROOT/nn/engines/fetch.sh" >/dev/null
  "$ROOT/toolchains/bundle.sh" "$TARGET_NAME" --profile "$PROFILE" --backends "$BACKEND_LIST" \
    --out "$WORK/bundles" >/dev/null
  T1=$(date +%s); log "bundle built in $((T1 - T0)) s"
  . "$HERE/payload.sh"
  build_payload
  T2=$(date +%s); log "test payload built in $((T2 - T1)) s"
fi
[ "$BUILD_ONLY" = 1 ] && exit 0
TB=$(date +%s)

SCRATCH="$(mktemp -d /tmp/ember-cross-XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT
rc=0
unshare -m --propagation private "$0" __inside "$TARGET_NAME" "$SCRATCH" "$WORK" "$SUITES" "$SPEC_MODE" || rc=$?
TE=$(date +%s)
log "tests took $((TE - TB)) s; total $((TE - T0)) s"
exit $rc
