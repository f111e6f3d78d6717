#!/usr/bin/env bash
# The release-profile experiment behind BENCHMARKS.md's footprint section: for each variant of
# [profile.release] (set through CARGO_PROFILE_RELEASE_* overrides, one cross target dir each),
# cross-builds iwasm, libvmcore.so and ember-bench for a target, and reports the stripped sizes and
# ember-bench's times under qemu-user. Since ember-bench moved to its own workspace with wasmi 2.0
# (Rust >= 1.86), Debian's rustc-web 1.85 cannot build it: the speed column is then "n/a" and only
# the sizes are measured.
#   toolchains/profile-matrix.sh [aarch64|armv7] [VARIANT...]   (default: aarch64, all variants)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/cross-env.sh"
cross_target "${1:-aarch64}"; [ $# -gt 0 ] && shift

# name -> overrides (space-separated VAR=VALUE)
declare -A VARIANTS=(
  [o3-fat-unwind]=""
  [os-fat-unwind]="CARGO_PROFILE_RELEASE_OPT_LEVEL=s"
  [oz-fat-unwind]="CARGO_PROFILE_RELEASE_OPT_LEVEL=z"
  [o3-fat-abort]="CARGO_PROFILE_RELEASE_PANIC=abort"
  [o3-fat-unwind-wasmparser-os]="CARGO_PROFILE_RELEASE_PACKAGE_WASMPARSER_OPT_LEVEL=s"
  [o2-fat-unwind]="CARGO_PROFILE_RELEASE_OPT_LEVEL=2"
  [o3-thin-unwind]="CARGO_PROFILE_RELEASE_LTO=thin"
)
ORDER=(o3-fat-unwind os-fat-unwind oz-fat-unwind o3-fat-abort o3-fat-unwind-wasmparser-os o2-fat-unwind o3-thin-unwind)
[ $# -gt 0 ] && ORDER=("$@")

WASM="$EMBER_CACHE/profile-matrix/bench-wasm"
"$ROOT/benches/build.sh" "$WASM" >/dev/null
REPS="${EMBER_BENCH_REPS:-1}"
printf '%-30s %9s %9s %9s  %s\n' variant iwasm libvmcore sum "ember-bench under $QEMU (--no-large --reps $REPS)"
for v in "${ORDER[@]}"; do
  dir="$EMBER_CACHE/profile-matrix/$TARGET_NAME/$v"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  env ${VARIANTS[$v]} EMBER_CROSS_TARGET_DIR="$EMBER_CACHE/cross-prof/$v" \
    "$HERE/cargo-cross.sh" "$TARGET_NAME" build --release -p vmcore -p iwasm >"$dir/build.log" 2>&1
  out="$EMBER_CACHE/cross-prof/$v/$TRIPLE/release"
  for f in iwasm libvmcore.so; do
    cp "$out/$f" "$dir/$f"; "$GNU_TRIPLET-strip" --strip-unneeded "$dir/$f"
  done
  si=$(stat -c %s "$dir/iwasm"); sv=$(stat -c %s "$dir/libvmcore.so")
  bench="n/a"
  # shellcheck disable=SC2086
  if env ${VARIANTS[$v]} EMBER_CROSS_TARGET_DIR="$EMBER_CACHE/cross-prof/$v" \
       "$HERE/cargo-cross.sh" "$TARGET_NAME" build --release --manifest-path "$ROOT/benches/Cargo.toml" \
       >>"$dir/build.log" 2>&1; then
    cp "$out/ember-bench" "$dir/ember-bench"
    "$QEMU" -L "$QEMU_LD_PREFIX" "$dir/ember-bench" --wasm-dir "$WASM" --no-large --reps "$REPS" >"$dir/bench.txt" 2>&1 || true
    bench="$dir/bench.txt"
  fi
  printf '%-30s %9d %9d %9d  %s\n' "$v" "$si" "$sv" $((si + sv)) "$bench"
done
