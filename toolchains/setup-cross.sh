#!/usr/bin/env bash
# Installs everything needed to cross-compile Ember for aarch64 and armv7 on a Debian 12 x86_64
# host, from Debian's packages only (run as root; idempotent; a second run does nothing):
#   - gcc/g++ cross compilers and qemu-user (host packages),
#   - Debian's rustc-web/cargo-web 1.85 (host package, pinned: the security archive carries a newer
#     one for amd64 only) plus the target std for aarch64-unknown-linux-gnu and
#     armv7-unknown-linux-gnueabihf, taken from libstd-rust-web-dev:arm64/:armhf,
#   - a cross sysroot per target with Debian's ArmNN 20.08 (headers, libraries, backends) in
#     $EMBER_CACHE/sysroot/<deb-arch>.
# Foreign-architecture packages are fetched through a private apt index under
# $EMBER_CACHE/apt-cross (main suite only), so the host's dpkg architectures and apt lists stay
# untouched. Nothing is installed into the host's dpkg database for arm64/armhf.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=toolchains/cross-env.sh
. "$HERE/cross-env.sh"

log() { echo "setup-cross: $*" >&2; }

# ---- host packages ---------------------------------------------------------------------------
HOST_PKGS=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu gcc-arm-linux-gnueabihf g++-arm-linux-gnueabihf
           qemu-user binutils-aarch64-linux-gnu binutils-arm-linux-gnueabihf patchelf xz-utils util-linux time lld-16)
HOST_PINNED=("rustc-web=$RUST_WEB_VERSION" "cargo-web=$RUST_WEB_VERSION" "libstd-rust-web-dev=$RUST_WEB_VERSION")

installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | sed -n 's/^[a-z]* ok installed //p'; }

missing=()
for p in "${HOST_PKGS[@]}"; do
  [ -n "$(installed_version "$p")" ] || missing+=("$p")
done
for pv in "${HOST_PINNED[@]}"; do
  [ "$(installed_version "${pv%%=*}")" = "${pv#*=}" ] || missing+=("$pv")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing host packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --allow-downgrades "${missing[@]}" >/dev/null
fi
# Keep apt from "upgrading" the pinned compiler to the security archive's 1.96.
apt-mark hold rustc-web cargo-web libstd-rust-web-dev >/dev/null

# ---- private apt index for arm64/armhf (Debian main suite of this release) ---------------------
APTROOT="$EMBER_CACHE/apt-cross"
mkdir -p "$APTROOT/lists/partial" "$APTROOT/cache/archives/partial" "$APTROOT/debs"
codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"

# The mirror URI of the release's main suite, as the host's own apt configuration names it.
main_uri() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v c="$codename" '
      /^[[:space:]]*$/ { if (u != "" && ok) { print u; exit } u=""; ok=0; next }
      /^URIs:/   { u=$2 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) ok=1 }
      END        { if (u != "" && ok) print u }' "$f" | head -n1
  done | head -n1
  { grep -hE "^deb[[:space:]]" /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } |
    sed 's/\[[^]]*\]//' | awk -v c="$codename" '$3 == c { print $2; exit }'
}
URI="$(main_uri | head -n1)"
[ -n "$URI" ] || { echo "setup-cross: no '$codename' suite in the host's apt sources" >&2; exit 1; }
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [arch=arm64,armhf signed-by=$KEYRING] $URI $codename main" > "$APTROOT/sources.list"

APT_OPTS=(-o "Dir::Etc::SourceList=$APTROOT/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
          -o "Dir::State::Lists=$APTROOT/lists" -o "Dir::Cache=$APTROOT/cache"
          -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64" -o "APT::Architectures::=armhf"
          -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
apt_cross() { apt-get "${APT_OPTS[@]}" "$@"; }

indices_fresh() { ls "$APTROOT/lists/"*arm64_Packages* "$APTROOT/lists/"*armhf_Packages* >/dev/null 2>&1; }

# Downloads PKG:ARCH=VERSION (or the index's version) into $APTROOT/debs once; prints the path.
fetch_deb() {
  local spec="$1" name arch file
  name="${spec%%:*}"; arch="${spec#*:}"; arch="${arch%%=*}"
  file="$(ls "$APTROOT/debs/${name}_"*"_${arch}.deb" 2>/dev/null | head -n1 || true)"
  if [ -z "$file" ]; then
    if ! indices_fresh; then log "updating the private arm64/armhf index"; apt_cross update -qq; fi
    (cd "$APTROOT/debs" && apt_cross download -qq "$spec" >/dev/null)
    file="$(ls "$APTROOT/debs/${name}_"*"_${arch}.deb" | head -n1)"
  fi
  echo "$file"
}

# ---- Rust std for the targets, into Debian rustc-web's sysroot --------------------------------
RUST_SYSROOT="$("$RUSTC_WEB" --print sysroot)"
for pair in arm64:aarch64-unknown-linux-gnu armhf:armv7-unknown-linux-gnueabihf; do
  arch="${pair%%:*}"; triple="${pair#*:}"
  dest="$RUST_SYSROOT/lib/rustlib/$triple"
  if [ -f "$dest/.ember-$RUST_WEB_VERSION" ]; then continue; fi
  deb="$(fetch_deb "libstd-rust-web-dev:$arch=$RUST_WEB_VERSION")"
  tmp="$(mktemp -d)"
  dpkg-deb -x "$deb" "$tmp"
  [ -d "$tmp/usr/lib/rustlib/$triple/lib" ] || { echo "setup-cross: $deb has no rustlib/$triple" >&2; exit 1; }
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  cp -a "$tmp/usr/lib/rustlib/$triple" "$dest"
  touch "$dest/.ember-$RUST_WEB_VERSION"
  rm -rf "$tmp"
  log "installed Rust std for $triple into $dest"
done

# ---- ArmNN cross sysroots (also the qemu -L roots of tests/cross/run.sh) ---------------------------
# The runtime libraries of the cross toolchain (libc, libstdc++) come from the gcc cross packages;
# these add ArmNN and what it needs beyond that.
ARMNN_COMMON=(libarmnn-dev libarmnntfliteparser-dev libarmnn22 libarmnntfliteparser22
              libarmnn-cpuref-backend22 libarmnnaclcommon22 libflatbuffers2)
ARMNN_ARM64_ONLY=(libarmnn-cpuacc-backend22 libarm-compute20)
for arch in arm64 armhf; do
  root="$EMBER_CACHE/sysroot/$arch"
  pkgs=("${ARMNN_COMMON[@]}")
  [ "$arch" = arm64 ] && pkgs+=("${ARMNN_ARM64_ONLY[@]}")
  stamp="$root/.ember-v2-$(printf '%s\n' "${pkgs[@]}" | md5sum | cut -c1-12)"
  if [ -f "$stamp" ]; then continue; fi
  rm -rf "$root"; mkdir -p "$root"
  for p in "${pkgs[@]}"; do
    dpkg-deb -x "$(fetch_deb "$p:$arch")" "$root"
  done
  # The folder doubles as qemu-user's -L root that looks like a Debian board with ArmNN installed:
  # the loader, libc and libstdc++ come from the cross toolchain's runtime folder.
  triplet="$([ "$arch" = arm64 ] && echo aarch64-linux-gnu || echo arm-linux-gnueabihf)"
  ln -sfn "/usr/$triplet/lib" "$root/lib"
  touch "$stamp"
  log "ArmNN sysroot for $arch in $root"
done
log "ok (rustc-web $("$RUSTC_WEB" --version | cut -d' ' -f2), sysroots in $EMBER_CACHE/sysroot)"
