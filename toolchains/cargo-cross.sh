#!/usr/bin/env bash
# Runs cargo for an ARM target with Debian's rustc-web 1.85 (installed by setup-cross.sh) and the
# cross target dir in the cache:   toolchains/cargo-cross.sh aarch64|armv7 <cargo command> [args]
# e.g. toolchains/cargo-cross.sh aarch64 build --release
# Linkers, qemu runners and cc-crate compilers come from .cargo/config.toml; this adds the ArmNN
# cross sysroot (EMBER_ARMNN_SYSROOT, read by nn/armnn/build.rs) and LLVM's linker for
# libvmcore.so and iwasm (EMBER_LLD_DIR, read by core/so/arm_link.rs).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/cross-env.sh"
[ $# -ge 2 ] || { echo "usage: $0 aarch64|armv7 <cargo command> [args...]" >&2; exit 2; }
cross_target "$1"; shift
cmd="$1"; shift
[ -x "$RUSTC_WEB" ] && [ -d "$("$RUSTC_WEB" --print sysroot)/lib/rustlib/$TRIPLE" ] ||
  { echo "cargo-cross: no Rust std for $TRIPLE; run toolchains/setup-cross.sh (as root)" >&2; exit 1; }
# EMBER_LLD_DIR set but empty: GNU ld links them (bundles for a glibc older than 2.36).
export EMBER_LLD_DIR="${EMBER_LLD_DIR-$LLD_DIR}"
[ -z "$EMBER_LLD_DIR" ] || [ -x "$EMBER_LLD_DIR/ld.lld" ] ||
  { echo "cargo-cross: no $EMBER_LLD_DIR/ld.lld; run toolchains/setup-cross.sh (as root)" >&2; exit 1; }
unset RUSTUP_TOOLCHAIN RUSTC_WRAPPER CARGO_BUILD_RUSTC_WRAPPER
export RUSTC="$RUSTC_WEB" RUSTDOC=/usr/bin/rustdoc
export CARGO_TARGET_DIR="$CROSS_TARGET_DIR"
export EMBER_ARMNN_SYSROOT="${EMBER_ARMNN_SYSROOT:-$ARMNN_SYSROOT}"
cd "$HERE/.."
exec "$CARGO_WEB" "$cmd" --target "$TRIPLE" "$@"
