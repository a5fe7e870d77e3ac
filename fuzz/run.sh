#!/usr/bin/env bash
# Runs one libFuzzer harness for a while (fuzz/README.md):
#   fuzz/run.sh BUILD_DIR HARNESS SECONDS [WORK_DIR]
# HARNESS is scenario, pcap, pcapng, csv or sweep. The corpus grows in WORK_DIR/corpus (default
# BUILD_DIR/fuzz-work/HARNESS), seeded from fuzz/seeds and fuzz/regressions (and configs/ with
# tests/data/config for scenario, tests/data/sweep for sweep); inputs are at most 64 KiB. Crashes go
# to WORK_DIR/crash-*. Exit status: libFuzzer's (0 = nothing found). Prints the final
# execs/s and coverage.
cd "$(dirname "$0")/.."
build=$1 name=$2 secs=$3
work=${4:-$build/fuzz-work/$name}
exe=$build/fuzz/fuzz_$name
[ -x "$exe" ] || { echo "run.sh: $exe missing: build with CC=clang -DDMS_FUZZ=ON" >&2; exit 2; }
mkdir -p "$work/corpus"
extra=()
case $name in
scenario) extra=(configs tests/data/config) ;;
sweep) extra=(tests/data/sweep) ;;
esac
# -rss_limit_mb: a reader must stay in bounded memory; -timeout: no input may take 10 s
set +e
"$exe" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -dict="fuzz/dict/$name.dict" -artifact_prefix="$work/" \
    "$work/corpus" "fuzz/seeds/fuzz_$name" "fuzz/regressions/fuzz_$name" "${extra[@]}" \
    >"$work/log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$work/log" | tail -n 1 || true
grep -E 'stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/log" || true
if [ "$rc" -ne 0 ]; then
    tail -n 40 "$work/log"
    echo "run.sh: fuzz_$name found a problem; inputs in $work/" >&2
fi
exit "$rc"
