#!/usr/bin/env bash
# replay-ab.sh A B [ROUNDS] [FRAMES]: compares two bench_replay builds on this machine.
# Runs A then B, ROUNDS times (default 8), FRAMES frames each (default 2000000), pinned to
# one core, and prints per mix and pass the median and best M packets/s of each, B / A of
# the medians, and events per packet. Interleaving puts both through the same drift of a
# shared VM, whose speed can change by a third from one minute to the next.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: bench/replay-ab.sh A_BENCH_REPLAY B_BENCH_REPLAY [ROUNDS] [FRAMES]" >&2
    exit 64
fi
a=$1 b=$2 rounds=${3:-8} frames=${4:-2000000}
cpu=$(($(nproc) - 1))
dir=${TMPDIR:-/tmp}
[ -d /dev/shm ] && dir=/dev/shm
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for ((i = 1; i <= rounds; i++)); do
    for w in A B; do
        bin=$a
        [ "$w" = B ] && bin=$b
        taskset -c "$cpu" "$bin" --frames "$frames" --dir "$dir" 2>&1 |
            awk -v w="$w" '$2 == "cold" || $2 == "loaded" {print w, $1, $2, $8, $10}' >>"$log"
    done
done
printf '%-6s %-7s %16s %16s %7s %18s\n' mix pass "A median/best" "B median/best" "B/A" "events/pkt A->B"
for m in rx tx rx+tx; do
    for p in loaded cold; do
        stat() { # stat W: "median best events-per-packet"
            awk -v w="$1" -v m="$m" -v p="$p" '$1 == w && $2 == m && $3 == p {print $4, $5 / $4}' "$log" |
                sort -n | awk '{r[NR] = $1; e[NR] = $2} END {printf "%.2f %.2f %.2f", r[int((NR + 1) / 2)], r[NR], e[int((NR + 1) / 2)]}'
        }
        read -r am ab ae <<<"$(stat A)"
        read -r bm bb be <<<"$(stat B)"
        printf '%-6s %-7s %8s / %-5s %8s / %-5s %6.2fx %8s -> %-6s\n' "$m" "$p" "$am" "$ab" "$bm" "$bb" \
            "$(echo "$bm $am" | awk '{print $1 / $2}')" "$ae" "$be"
    done
done
