#!/usr/bin/env bash
# Smoke run of every fuzz target: build them all with `cargo +nightly fuzz build` (libFuzzer,
# AddressSanitizer, debug assertions and overflow checks), then run each for SECONDS (default
# 60) starting from its committed corpus (fuzz/corpus/<target>/, read only: new inputs go to a
# scratch directory). Prints libFuzzer's final figures per target and exits non-zero if any
# target crashed, leaked, timed out or ran out of memory; the input that did it is kept in
# fuzz/artifacts/<target>/ (not committed: minimize it with `cargo +nightly fuzz tmin` and add
# it to fuzz/corpus/<target>/ as a regression input once fixed).
#
#   fuzz/smoke.sh [SECONDS] [TARGET...]
#
# Environment: CARGO_TARGET_DIR (default fuzz/target), NICE (default "nice -n 15"),
# EMBER_FUZZ_JOBS (targets run at once, default 2), EMBER_FUZZ_TIMEOUT (seconds one input may
# take, default 30), EMBER_FUZZ_KEEP=1 keeps the scratch corpora (printed). tests/all.sh runs
# it (in the background, during the ARM tests).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-60}"
[ $# -gt 0 ] && shift
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
nice_cmd=${NICE-nice -n 15}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cd "$here" || exit 2

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "smoke.sh: installing cargo-fuzz (crates.io)" >&2
    $nice_cmd cargo install cargo-fuzz --locked --version 0.13.2 >&2 || exit 2
fi

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi

t0=$(date +%s)
# The library's tests first (any toolchain, no sanitizer): the committed module_bytes corpus
# replayed on Ember and wasmi, and the known-divergence list checked against wasmi and wabt.
echo "== cargo test --lib"
if ! $nice_cmd cargo test -q --lib; then
    echo "smoke.sh: the fuzz library's tests failed" >&2
    exit 2
fi
echo "== build (${#targets[@]} targets)"
if ! $nice_cmd cargo +nightly fuzz build; then
    echo "smoke.sh: build failed" >&2
    exit 2
fi
t1=$(date +%s)
echo "== built in $((t1 - t0)) s"

work="$(mktemp -d "${TMPDIR:-/tmp}/ember-fuzz-smoke.XXXXXX")"
jobs="${EMBER_FUZZ_JOBS:-2}"
case "$jobs" in '' | *[!0-9]* | 0) jobs=1 ;; esac

# One target: its summary line in $work/$t.line, libFuzzer's exit status in $work/$t.rc.
smoke_one() {
    local t=$1 log="$work/$1.log" rc
    mkdir -p "$work/corpus/$t" "$work/tmp/$t" "corpus/$t"
    # The scratch corpus comes first (libFuzzer writes new inputs there); the committed corpus
    # is only read. TMPDIR: wasi_calls makes its scratch preopen there.
    TMPDIR="$work/tmp/$t" $nice_cmd cargo +nightly fuzz run "$t" "$work/corpus/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout="${EMBER_FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    local execs rate last cov ft corp new
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
    new=$(ls "$work/corpus/$t" | wc -l)
    printf '%-20s execs %-9s (%s/s)  cov %-6s ft %-6s corpus %-10s new %-5s' \
        "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$new" >"$work/$t.line"
    echo "$rc" >"$work/$t.rc"
    rm -rf "$work/tmp/$t"
}

# EMBER_FUZZ_JOBS targets at a time (default 2: each still fuzzes SECONDS of wall time, and at
# the end of a CI run the machine's second core is otherwise idle).
echo "== running ${#targets[@]} targets, ${secs} s each, $jobs at a time"
running=()
for t in "${targets[@]}"; do
    if [ ${#running[@]} -ge "$jobs" ]; then
        wait "${running[0]}"
        running=("${running[@]:1}")
    fi
    smoke_one "$t" &
    running+=($!)
done
wait

failed=()
summary=()
for t in "${targets[@]}"; do
    line=$(cat "$work/$t.line" 2>/dev/null || echo "$t")
    rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
    if [ "$rc" -ne 0 ]; then
        line="$line  FAILED (exit $rc)"
        failed+=("$t")
        echo "---- $t: last 40 lines of its log"
        tail -40 "$work/$t.log"
        ls -1 "artifacts/$t" 2>/dev/null | sed "s|^|   artifact: fuzz/artifacts/$t/|"
    else
        line="$line  ok"
    fi
    summary+=("$line")
done
t2=$(date +%s)

echo
echo "== summary (build $((t1 - t0)) s, runs $((t2 - t1)) s, total $((t2 - t0)) s)"
printf '%s\n' "${summary[@]}"
if [ "${EMBER_FUZZ_KEEP:-0}" = 1 ]; then
    echo "scratch corpora and logs kept in $work"
else
    rm -rf "$work"
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
