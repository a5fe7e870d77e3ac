#!/usr/bin/env bash
# replay-footprint.sh [BENCH_REPLAY] [MIX] [FRAMES]: how much code a replay keeps hot.
# Runs bench_replay --mix MIX (default rx+tx) of FRAMES frames (default 20000) twice under
# callgrind, counting only inside the engine's run loop: once with a simulated cache
# (32 KiB 8-way instruction cache, 48 KiB 12-way data cache, 1 MiB last level, 64-byte
# lines) for the misses per packet, once recording every instruction's address for the
# hot code: the 64-byte lines that ran at least 1,000 instructions. The counts are the same
# on every run. bench/README.md ("Why rx+tx is slower") says what they showed.
set -euo pipefail
bin=${1:-build-rel/bench/bench_replay}
mix=${2:-rx+tx}
frames=${3:-20000}
command -v valgrind >/dev/null || { echo "replay-footprint.sh: valgrind is needed" >&2; exit 69; }
dir=${TMPDIR:-/tmp}
[ -d /dev/shm ] && dir=/dev/shm
cache=$(mktemp) instr=$(mktemp)
trap 'rm -f "$cache" "$instr"' EXIT
fn='eng_run'
nm "$bin" | grep -qE ' T eng_run$' || fn='run_loop*'
run() { # run OUT ARGS...: bench_replay under callgrind
    local out=$1
    shift
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$out" "$@" \
        "$bin" --frames "$frames" --mix "$mix" --dir "$dir" >/dev/null 2>&1
}
run "$cache" --cache-sim=yes --I1=32768,8,64 --D1=49152,12,64 --LL=1048576,16,64
run "$instr" --dump-instr=yes
packets=$((2 * frames))
callgrind_annotate "$cache" 2>/dev/null | awk -v p="$packets" -v m="$mix" '
    /PROGRAM TOTALS/ { gsub(",", ""); printf "%s: %.0f instructions, %.2f instruction-cache and %.2f data-cache misses per packet\n", m, $1 / p, $7 / p, $9 / p }'
# The instruction dump: after "positions: instr line", each cost line is an address (hex,
# or +n / -n / * relative to the last one), a line number and the count; the line after a
# calls= line is the call's inclusive cost, which is skipped.
awk '
    function num(s,    v, i, c) { # a decimal or 0x-prefixed hexadecimal number
        if (s !~ /^0x/) return s + 0
        v = 0
        for (i = 3; i <= length(s); i++) {
            c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
            v = v * 16 + c
        }
        return v
    }
    /^positions:/ { npos = NF - 1; next }
    /^calls=/ { skip = 1; next }
    !/^(0x|[+*-]|[0-9])/ { next }
    {
        a = $1
        if (a ~ /^0x/) addr = num(a)
        else if (a ~ /^\+/) addr += num(substr(a, 2))
        else if (a ~ /^-/) addr -= num(substr(a, 2))
        else if (a ~ /^[0-9]/) addr = num(a)
        if (skip) { skip = 0; next }
        if (NF > npos) ir[int(addr / 64)] += $(npos + 1)
    }
    END {
        for (l in ir) if (ir[l] >= 1000) hot++
        printf "hot code: %d lines of 64 bytes (%.1f KiB) ran 1,000 instructions or more\n", hot, hot / 16
    }' "$instr"
