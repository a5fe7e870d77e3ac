#!/usr/bin/env bash
# Builds the report's test folders from real runs of sizing.yaml (beside this script):
#   make-fixtures.sh DMASIM OUT
# OUT/sweep-1d   a sweep folder over ReceiveBuffers (both NICs together)
# OUT/sweep-2d   a sweep folder over ReceiveBuffers x BaseMapRegistersNeeded
# OUT/recommend  a recommend folder: the candidate runs of a search per profile (client:
#                1 processor, server: 2) and recommendation.json, whose values are the
#                smallest size whose upper confidence bound meets the objective
# The folders follow what `dmasim sweep` writes (points.csv: point, a column per swept key,
# status, error, then NIC.FIGURE.mean and NIC.FIGURE.ci_half; points.jsonl; a folder per point
# named by its key) and what `dmasim recommend` writes without curves.csv
# (recommendation.json, the runs kept beside it).
# Each point is an ordinary `dmasim run`; jq assembles the tables.
set -euo pipefail
dmasim=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/sizing.yaml
# run from the project root (as the tests do), results name the scenario by its relative path
[ -f tests/data/report/sizing.yaml ] && scenario=tests/data/report/sizing.yaml
figures=(rx.drop_rate rx.resources_share tx.stall_ns.p99 rx.buffers.peak_in_use
         tx.map_registers_peak_in_use)

# run DIR KEY=VALUE...: one run with the driver keywords set on both NICs
run() {
    local dir=$1; shift
    local sets=()
    for kv in "$@"; do
        case $kv in
        system.*) sets+=(--set "$kv") ;;
        *) sets+=(--set "nics[0].driver.$kv" --set "nics[1].driver.$kv") ;;
        esac
    done
    # exit 10 (an objective not met) is a result the fixtures want to show
    "$dmasim" run "$scenario" -q -j 2 -o "$dir" "${sets[@]}" || [ $? -eq 10 ]
}

# point_row DIR INDEX KEYVALUES: the points.csv row of one run: point, the swept values,
# status, error (empty), then each NIC's figures (mean, CI half-width)
point_row() {
    local dir=$1 index=$2 keys=$3
    local jqf='[.nics[] | '
    local sep=''
    for f in "${figures[@]}"; do
        jqf+="$sep(.$f // \"\"), (.ci_half.$f // \"\")"
        sep=', '
    done
    jqf+='] | @csv'
    echo "$index,$keys,ok,,$(jq -r "$jqf" "$dir/result.json" | tr -d '"')"
}

header() { # header KEY...: the columns dmasim sweep writes
    local h nic
    h="point,$(IFS=,; echo "$*"),status,error"
    for nic in nic0 nic1; do
        for f in "${figures[@]}"; do h+=",$nic.$f.mean,$nic.$f.ci_half"; done
    done
    echo "$h"
}

sweep_1d() {
    local d=$out/sweep-1d i=0
    mkdir -p "$d"
    header 'nics[0].driver.ReceiveBuffers' >"$d/points.csv"
    : >"$d/points.jsonl"
    for rb in 4 6 8 12 16 24 32; do
        local key="nics[0].driver.ReceiveBuffers=$rb"
        run "$d/$key" ReceiveBuffers=$rb MaxReceiveBuffers=$rb
        point_row "$d/$key" $i "$rb" >>"$d/points.csv"
        jq -c --arg key "$key" --argjson i $i --argjson v "$rb" \
            '{point: $i, key: $key, values: {"nics[0].driver.ReceiveBuffers": $v}, status: "ok",
              error: null}' "$d/$key/result.json" >>"$d/points.jsonl"
        i=$((i + 1))
    done
}

sweep_2d() {
    local d=$out/sweep-2d i=0
    mkdir -p "$d"
    header 'nics[0].driver.ReceiveBuffers' 'nics[0].driver.MaxReceiveBuffers' \
        'nics[0].driver.BaseMapRegistersNeeded' >"$d/points.csv"
    : >"$d/points.jsonl"
    for rb in 4 8 16 24 32; do
        for b in 2 3 4 8; do
            # ReceiveBuffers and MaxReceiveBuffers move together (a zip): two axes, three keys
            local key="nics[0].driver.ReceiveBuffers=$rb,nics[0].driver.MaxReceiveBuffers=$rb,nics[0].driver.BaseMapRegistersNeeded=$b"
            run "$d/$key" ReceiveBuffers=$rb MaxReceiveBuffers=$rb BaseMapRegistersNeeded=$b
            point_row "$d/$key" $i "$rb,$rb,$b" >>"$d/points.csv"
            jq -c --arg key "$key" --argjson i $i '{point: $i, key: $key, status: "ok", error: null}' \
                "$d/$key/result.json" >>"$d/points.jsonl"
            i=$((i + 1))
        done
    done
}

# smallest NIC VALUES FIGURE TARGET DIRPREFIX: the smallest value whose mean + half meets
smallest() {
    local nic=$1 values=$2 fig=$3 target=$4 prefix=$5
    for v in $values; do
        if jq -e --argjson t "$target" \
            ".nics[$nic] | ((.$fig // 1e300) + (.ci_half.$fig // 0)) <= \$t" \
            "$prefix$v/result.json" >/dev/null; then
            echo "$v"; return
        fi
    done
    echo null
}

recommend() {
    local d=$out/recommend
    mkdir -p "$d"
    local profiles=() rbs="4 8 16 24 32" bmrs="2 3 4 8"
    for prof in client:1 server:2; do
        local name=${prof%%:*} procs=${prof#*:}
        for rb in $rbs; do
            run "$d/$name/rb-$rb" system.processors=$procs ReceiveBuffers=$rb MaxReceiveBuffers=$rb
        done
        for b in $bmrs; do
            run "$d/$name/bmr-$b" system.processors=$procs ReceiveBuffers=32 MaxReceiveBuffers=32 \
                BaseMapRegistersNeeded=$b
        done
    done
    # recommendation.json: per NIC and profile, from the runs above
    local nics=()
    for nic in 0 1; do
        local profs=()
        for prof in client:1 server:2; do
            local name=${prof%%:*} procs=${prof#*:}
            local rb b
            rb=$(smallest $nic "$rbs" rx.drop_rate 1e-3 "$d/$name/rb-")
            b=$(smallest $nic "$bmrs" tx.stall_ns.p99 2000 "$d/$name/bmr-")
            profs+=("$(jq -n --arg name "$name" --argjson procs "$procs" --argjson rb "$rb" \
                --argjson b "$b" '{name: $name, processors: $procs, met: ($rb != null and $b != null),
                  dma: "map_registers",
                  values: {
                    BaseMapRegistersNeeded: {value: $b, lower: $b, upper: $b,
                      binding: "tx_stall_p99",
                      why: "the smallest count whose send-stall p99 upper bound is under 2 us"},
                    ReceiveBuffers: {value: $rb, lower: $rb, upper: $rb, binding: "rx_drop_rate",
                      why: "the smallest pool whose drop-rate upper bound is under 1e-3"}},
                  cost: {shared_memory_bytes: ($rb * 1536), map_registers: ($b * 2)}}')")
        done
        nics+=("$(printf '%s\n' "${profs[@]}" | jq -s --arg n "nic$nic" '{name: $n, profiles: .}')")
    done
    printf '%s\n' "${nics[@]}" | jq -s '{schema_version: 1, nics: .}' >"$d/recommendation.json"
}

mkdir -p "$out"
case ${3:-all} in
sweep-1d) sweep_1d ;;
sweep-2d) sweep_2d ;;
recommend) recommend ;;
all) sweep_1d; sweep_2d; recommend ;;
esac
