#!/usr/bin/env bash
# Installs what building and testing Ember needs on a Debian 12 x86_64 host (as root).
# Idempotent: packages already present are not fetched again.
set -euo pipefail
PKGS=(
  clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32 libclang-14-dev wabt
  g++ unzip python3-pip cmake
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf qemu-user
  libarmnn-dev libarmnntfliteparser-dev libarmnn-cpuref-backend22
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-host: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
