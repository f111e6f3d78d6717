#!/usr/bin/env bash
# What would guard pages save? Ember checks every guest load and store in software
# (`ea + size > mem_len`, interp/src/exec.rs `ea!`): one add, compare and branch. Guard pages
# would replace that check with a reservation of the whole 33-bit effective-address range
# (8 GiB + guard, 64-bit only) and a SIGSEGV handler. This measures the most they could save:
# the same iwasm built with the check removed (a patched copy of the tree, never shipped: it
# would be unsound without the reservation), on the memory-heavy programs of benches/programs
# (sieve, matmul, sha256; mixed and fib for contrast), natively on x86_64 and under qemu-user for
# aarch64 and armv7 (cross-built with Debian's Rust 1.85, as the bundles are). Alternating
# rounds, user CPU time, medians; prints checked/unchecked time ratios per program and target.
#
#   benches/guard_pages.sh [ROUNDS] [TARGETS...]      # default 5 rounds; host aarch64 armv7
#
# Cache: ${EMBER_CACHE:-~/.cache/ember}/guard-bench (two source copies and their builds).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
rounds="${1:-5}"
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(host aarch64 armv7)
cache="${EMBER_CACHE:-$HOME/.cache/ember}/guard-bench"
mkdir -p "$cache"

# Two copies of the committed tree: as is, and with the check in `ea!` made dead.
# (Copied again only when what iwasm is built from changes, so that cargo can reuse the builds.)
head="$(git rev-parse HEAD:interp HEAD:core HEAD:platform HEAD:nn/abi HEAD:Cargo.toml HEAD:Cargo.lock HEAD:build.rs HEAD:toolchains | sha1sum | cut -d' ' -f1)"
for v in checked unchecked; do
  [ "$(cat "$cache/src-$v.commit" 2>/dev/null)" = "$head" ] && continue
  rm -rf "$cache/src-$v"
  mkdir -p "$cache/src-$v"
  git archive HEAD | tar -x -C "$cache/src-$v"
  echo "$head" >"$cache/src-$v.commit"
done
pat='if ea + $n > mem_len as u64 {'
grep -qF "$pat" "$cache/src-checked/interp/src/exec.rs" || { echo "guard_pages: the bounds check in exec.rs changed; update this script" >&2; exit 1; }
sed -i "s/if ea + \$n > mem_len as u64 {/if false \&\& ea + \$n > mem_len as u64 {/" "$cache/src-unchecked/interp/src/exec.rs"
grep -qF 'if false && ea + $n > mem_len as u64 {' "$cache/src-unchecked/interp/src/exec.rs"

benches/build.sh "$cache/wasm" >/dev/null

iwasm_of() { # variant target -> path of iwasm
  case "$2" in
    host) echo "$cache/target-$1/release/iwasm" ;;
    aarch64) echo "$cache/cross-$1/aarch64-unknown-linux-gnu/release/iwasm" ;;
    armv7) echo "$cache/cross-$1/armv7-unknown-linux-gnueabihf/release/iwasm" ;;
  esac
}
for v in checked unchecked; do
  for t in "${targets[@]}"; do
    echo "== build $v $t" >&2
    if [ "$t" = host ]; then
      (cd "$cache/src-$v" && CARGO_TARGET_DIR="$cache/target-$v" cargo build -q --release -p iwasm -p vmcore)
    else
      (cd "$cache/src-$v" && EMBER_CROSS_TARGET_DIR="$cache/cross-$v" toolchains/cargo-cross.sh "$t" build -q --release -p iwasm -p vmcore)
    fi
  done
done

runner() { # target -> command prefix
  case "$1" in
    host) ;;
    aarch64) echo "qemu-aarch64 -L /usr/aarch64-linux-gnu" ;;
    armv7) echo "qemu-arm -L /usr/arm-linux-gnueabihf" ;;
  esac
}
utime() { # command... -> user seconds; the program's output must match $expect
  local out
  out=$( { /usr/bin/time -f "%U" "$@" >"$cache/out.txt"; } 2>&1 | tail -1)
  echo "$out"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Arguments: larger than the benches' on the host, smaller under qemu (the ratio is what counts).
# Sized for 0.3-2 s per run (user time is read in 10 ms steps).
declare -A arg_host=([sieve]=2000000 [matmul]=320 [sha256]=8192 [mixed]=6000 [fib]=35)
declare -A arg_qemu=([sieve]=400000 [matmul]=160 [sha256]=1024 [mixed]=1000 [fib]=30)
printf '%-8s %-8s %10s %10s %8s\n' target program checked unchecked ratio
for t in "${targets[@]}"; do
  for p in sieve matmul sha256 mixed fib; do
    if [ "$t" = host ]; then a=${arg_host[$p]}; else a=${arg_qemu[$p]}; fi
    : >"$cache/t-checked"; : >"$cache/t-unchecked"
    ref=""
    for ((r = 0; r < rounds; r++)); do
      for v in checked unchecked; do
        # shellcheck disable=SC2046
        u=$(utime $(runner "$t") "$(iwasm_of "$v" "$t")" -f run "$cache/wasm/$p.wasm" "$a")
        got=$(cat "$cache/out.txt")
        [ -z "$ref" ] && ref="$got"
        [ "$got" = "$ref" ] || { echo "guard_pages: $t $p $v printed '$got', expected '$ref'" >&2; exit 1; }
        echo "$u" >>"$cache/t-$v"
      done
    done
    c=$(median <"$cache/t-checked"); n=$(median <"$cache/t-unchecked")
    printf '%-8s %-8s %10s %10s %8s\n' "$t" "$p" "$c" "$n" "$(awk -v c="$c" -v n="$n" 'BEGIN { printf "%.3f", (n > 0) ? c / n : 0 }')"
  done
done
