#!/usr/bin/env bash
# A long fuzzing campaign: run one target until its process has used CPU_SECONDS of CPU time
# (user + system, read from /proc: a niced run on a busy machine still gets its full share),
# then stop it with SIGINT (libFuzzer prints its final figures) and print one summary line:
# executions, CPU time, coverage (cov = edges, ft = features), corpus size.
#
#   fuzz/campaign.sh TARGET [CPU_SECONDS]     # default 3600
#
# The corpus grows in ${EMBER_FUZZ_CORPUS:-~/.cache/ember/fuzz-corpus}/TARGET (kept between
# campaigns, not committed); the committed corpus fuzz/corpus/TARGET is read as seeds. A crash,
# leak, timeout or OOM ends the run early with a non-zero status; the input is in
# fuzz/artifacts/TARGET/ (minimize with `cargo +nightly fuzz tmin`, add it to fuzz/corpus/TARGET
# as regression-<what> once fixed). Logs: the corpus directory's ../TARGET.log.
# Environment: CARGO_TARGET_DIR (default fuzz/target), NICE (default "nice -n 19"),
# EMBER_FUZZ_TIMEOUT (seconds one input may run, default 30). libFuzzer's timeout is wall-clock
# time: a campaign starved by other work on the machine can report a false timeout (replay the
# input alone: `$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/TARGET INPUT`); give a niced
# campaign beside heavy jobs a larger one.
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
t="${1:?usage: $0 TARGET [CPU_SECONDS]}"
budget="${2:-3600}"
case "$budget" in '' | *[!0-9]*) echo "usage: $0 TARGET [CPU_SECONDS]" >&2; exit 2 ;; esac
nice_cmd=${NICE-nice -n 19}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"
cd "$here" || exit 2

$nice_cmd cargo +nightly fuzz build "$t" >&2 || { echo "campaign.sh: build failed" >&2; exit 2; }
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/$t"
[ -x "$bin" ] || { echo "campaign.sh: no binary $bin" >&2; exit 2; }

base="${EMBER_FUZZ_CORPUS:-$HOME/.cache/ember/fuzz-corpus}"
corpus="$base/$t"
log="$base/$t.log"
mkdir -p "$corpus" "artifacts/$t" "corpus/$t"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/ember-fuzz-campaign.XXXXXX")"
pid=
# Stopping the campaign stops the fuzzer before its scratch preopen goes (removing it under a
# running wasi_calls reads as a crash).
trap '[ -n "$pid" ] && kill -INT "$pid" 2>/dev/null && wait "$pid"; rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM

# No -max_total_time: the CPU budget, not the wall clock, ends the run. TMPDIR: wasi_calls
# makes its scratch preopen there.
TMPDIR="$scratch" $nice_cmd "$bin" "$corpus" "corpus/$t" -artifact_prefix="artifacts/$t/" \
    -timeout="${EMBER_FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1 &
pid=$!
hz=$(getconf CLK_TCK)
cpu=0
while kill -0 "$pid" 2>/dev/null; do
    # Fields 14 and 15 of /proc/PID/stat: utime, stime in clock ticks (the command name, field
    # 2, has no spaces here).
    read -r -a st <"/proc/$pid/stat" 2>/dev/null || break
    cpu=$(((st[13] + st[14]) / hz))
    if [ "$cpu" -ge "$budget" ]; then
        kill -INT "$pid"
        break
    fi
    sleep 5
done
wait "$pid"
rc=$?

execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
last=$(grep -E '^#[0-9]+' "$log" | grep 'cov:' | tail -1)
cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.*corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
line=$(printf '%-20s cpu %5s s  execs %-10s cov %-6s ft %-6s corpus %s' \
    "$t" "$cpu" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}")
# 72: libFuzzer's exit status after SIGINT (-interrupted_exitcode), i.e. the budget was used up.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 72 ] || [ "$cpu" -lt "$budget" ]; then
    echo "$line  FAILED (exit $rc)"
    tail -40 "$log"
    ls -1 "artifacts/$t" 2>/dev/null | sed "s|^|   artifact: fuzz/artifacts/$t/|"
    exit 1
fi
echo "$line  ok"
