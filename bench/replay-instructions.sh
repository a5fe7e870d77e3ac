#!/usr/bin/env bash
# replay-instructions.sh [BENCH_REPLAY] [FRAMES]: instructions per replayed packet.
# Runs bench_replay (default build-rel/bench/bench_replay) under callgrind, counting only
# inside the engine's run loop (so neither the capture's generation nor the cold pass's
# SHA-256), over its 3 mixes x 2 passes of FRAMES frames (default 50000), and prints the
# total divided by the packets. The count is the same on every run, unlike a time on a
# shared machine; bench/README.md lists it step by step.
set -euo pipefail
bin=${1:-build-rel/bench/bench_replay}
frames=${2:-50000}
command -v valgrind >/dev/null || { echo "replay-instructions.sh: valgrind is needed" >&2; exit 69; }
dir=${TMPDIR:-/tmp}
[ -d /dev/shm ] && dir=/dev/shm
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# One function to toggle on: eng_run, or the run loop where link-time optimization has
# inlined eng_run away (toggling both would switch counting off inside the loop).
fn='eng_run'
nm "$bin" | grep -qE ' T eng_run$' || fn='run_loop*'
valgrind --tool=callgrind --toggle-collect="$fn" \
    --callgrind-out-file="$out" "$bin" --frames "$frames" --dir "$dir" >/dev/null 2>&1
total=$(callgrind_annotate "$out" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "instructions in the run loop: $total; per packet: $((total / (6 * frames)))"
