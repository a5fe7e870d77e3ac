#!/usr/bin/env bash
# Line and branch coverage of a harness's corpus over the code it drives (fuzz/README.md):
#   fuzz/coverage.sh COV_BUILD HARNESS CORPUS_DIR...
# COV_BUILD is a clang build with -fprofile-instr-generate -fcoverage-mapping (its
# fuzz_HARNESS_replay target built). Prints llvm-cov's coverage (regions, functions, lines,
# branches) of the files the harness drives: src/config for scenario; the sweep section,
# where and plan for sweep; the reader, trc_source.c and trc_buf.c for the others.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1 name=$2
shift 2
exe=$build/fuzz/fuzz_${name}_replay
prof=$(mktemp -d)
trap 'rm -rf "$prof"' EXIT
LLVM_PROFILE_FILE="$prof/%p.profraw" "$exe" "fuzz/seeds/fuzz_$name" \
    "fuzz/regressions/fuzz_$name" "$@" >/dev/null
llvm-profdata merge -sparse "$prof"/*.profraw -o "$prof/all.profdata"
t=src/trace
case $name in
scenario) files=(src/config/*.c) ;;
pcap) files=($t/trc_pcap.c $t/trc_libpcap.c $t/trc_source.c $t/trc_buf.c $t/trc_link.c) ;;
pcapng) files=($t/trc_pcapng.c $t/trc_source.c $t/trc_buf.c $t/trc_link.c) ;;
csv) files=($t/trc_csv.c $t/trc_source.c $t/trc_buf.c) ;;
sweep) files=(src/config/cfg_sweep.c src/sweep/sweep_expr.c src/sweep/sweep_plan.c) ;;
esac
llvm-cov report "$exe" -instr-profile="$prof/all.profdata" "${files[@]}" |
    awk '$1 != "Filename" && $1 !~ /^-/ && NF > 12 {
        sub(".*/src/", "src/", $1)
        printf "%-26s lines %7s  branches %7s  functions %7s\n", $1, $10, $13, $7 }'
