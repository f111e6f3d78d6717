#!/usr/bin/env bash
# The release-profile experiment behind BENCHMARKS.md's footprint section: for each variant of the
# release profile (`--config` overrides of the root Cargo.toml, one cross target dir each), cross-
# builds iwasm and libvmcore.so for a target and reports their stripped sizes and the interpreter's
# speed: on-CPU seconds of `iwasm -f run PROGRAM.wasm N` under qemu-user for benches/programs (best
# of $EMBER_BENCH_REPS runs, default 3). qemu's cost follows the number of guest instructions, not
# their alignment, so it compares code quality across variants; native x86_64 figures come from
# benches/run.sh.
#   toolchains/profile-matrix.sh [aarch64|armv7] [VARIANT...]   (default: aarch64, all variants)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
. "$HERE/cross-env.sh"
cross_target "${1:-aarch64}"; [ $# -gt 0 ] && shift

# Every per-package override of the root profile, back at opt-level 3 (read from Cargo.toml, so
# a package added there is covered here too).
O3_ALL=()
while read -r pkg; do
  O3_ALL+=(--config "profile.release.package.$pkg.opt-level=3")
done < <(sed -n 's/^\[profile\.release\.package\.\(.*\)\]$/\1/p' "$ROOT/Cargo.toml")
# name -> extra cargo arguments (eval'd into an array)
declare -A VARIANTS=(
  [release]=""
  [release-unwind]="--config 'profile.release.panic=\"unwind\"'"
  [all-o3-unwind]="${O3_ALL[*]@Q} --config 'profile.release.panic=\"unwind\"'"
  [all-o3]="${O3_ALL[*]@Q}"
  [all-z]="--config 'profile.release.opt-level=\"z\"' --config 'profile.release.package.ember-interp.opt-level=\"z\"'"
)
ORDER=(release release-unwind all-o3 all-o3-unwind all-z)
[ $# -gt 0 ] && ORDER=("$@")

WASM="$EMBER_CACHE/profile-matrix/bench-wasm"
"$ROOT/benches/build.sh" "$WASM" >/dev/null
REPS="${EMBER_BENCH_REPS:-3}"
PROGRAMS=("fib 30" "sieve 300000" "matmul 100" "sha256 1024" "mixed 1000")
printf '%-15s %8s %9s %9s' variant iwasm libvmcore sum
for p in "${PROGRAMS[@]}"; do printf ' %12s' "${p// /:}"; done
printf '   (seconds of CPU under %s, best of %s)\n' "$QEMU" "$REPS"
for v in "${ORDER[@]}"; do
  [ -n "${VARIANTS[$v]+x}" ] || { echo "unknown variant $v (have: ${!VARIANTS[*]})" >&2; exit 2; }
  eval "args=(${VARIANTS[$v]})"
  dir="$EMBER_CACHE/profile-matrix/$TARGET_NAME/$v"
  mkdir -p "$dir"
  EMBER_CROSS_TARGET_DIR="$EMBER_CACHE/cross-prof/$v" \
    "$HERE/cargo-cross.sh" "$TARGET_NAME" build --release -p vmcore -p iwasm "${args[@]}" >"$dir/build.log" 2>&1 ||
    { echo "$v: build failed, see $dir/build.log" >&2; continue; }
  out="$EMBER_CACHE/cross-prof/$v/$TRIPLE/release"
  for f in iwasm libvmcore.so; do
    cp "$out/$f" "$dir/$f"; "$GNU_TRIPLET-strip" --strip-unneeded "$dir/$f"
  done
  si=$(stat -c %s "$dir/iwasm"); sv=$(stat -c %s "$dir/libvmcore.so")
  printf '%-15s %8d %9d %9d' "$v" "$si" "$sv" $((si + sv))
  for p in "${PROGRAMS[@]}"; do
    read -r name arg <<<"$p"
    best=""
    for _ in $(seq "$REPS"); do
      t=$( { /usr/bin/time -f %U "$QEMU" -L "$QEMU_LD_PREFIX" "$dir/iwasm" -f run "$WASM/$name.wasm" "$arg" >/dev/null; } 2>&1 | tail -1)
      if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
    done
    printf ' %12s' "$best"
  done
  printf '\n'
done
