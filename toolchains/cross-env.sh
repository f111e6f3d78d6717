# Sourced by the toolchains/ and tests/cross/ scripts: the one place that names the cross Rust,
# the targets and the cache folders.
# shellcheck shell=bash
EMBER_CACHE="${EMBER_CACHE:-$HOME/.cache/ember}"
# Debian bookworm's rustc-web/cargo-web (the project's minimum Rust, 1.85). They install as
# /usr/bin/rustc and /usr/bin/cargo; the host's rustup toolchain stays first on PATH for host builds.
RUST_WEB_VERSION="1.85.0+dfsg3-1~deb12u3"
RUSTC_WEB=/usr/bin/rustc
CARGO_WEB=/usr/bin/cargo
# LLVM 16's linker (Debian's lld-16), which links the ARM release builds of libvmcore.so and iwasm
# (core/so/arm_link.rs: packed relative relocations; Binutils 2.40's ARM linkers cannot pack them).
LLD_DIR=/usr/lib/llvm-16/bin
# Cross builds get their own target dir so host and cross builds never invalidate each other.
CROSS_TARGET_DIR="${EMBER_CROSS_TARGET_DIR:-$EMBER_CACHE/cross-target}"

# cross_target NAME -> sets TRIPLE, DEB_ARCH, GNU_TRIPLET, QEMU, QEMU_LD_PREFIX for aarch64|armv7.
cross_target() {
  case "$1" in
    aarch64|arm64|aarch64-unknown-linux-gnu)
      TARGET_NAME=aarch64; TRIPLE=aarch64-unknown-linux-gnu; DEB_ARCH=arm64
      GNU_TRIPLET=aarch64-linux-gnu; QEMU=qemu-aarch64 ;;
    armv7|armhf|armv7-unknown-linux-gnueabihf)
      TARGET_NAME=armv7; TRIPLE=armv7-unknown-linux-gnueabihf; DEB_ARCH=armhf
      GNU_TRIPLET=arm-linux-gnueabihf; QEMU=qemu-arm ;;
    *) echo "unknown target '$1' (expected aarch64 or armv7)" >&2; return 1 ;;
  esac
  QEMU_LD_PREFIX="/usr/$GNU_TRIPLET"
  ARMNN_SYSROOT="$EMBER_CACHE/sysroot/$DEB_ARCH"
}
