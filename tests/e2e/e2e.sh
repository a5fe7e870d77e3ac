#!/usr/bin/env bash
# End-to-end tests of the dmasim command, one case per CTest test:
#   e2e.sh DMASIM CASE [ARG]
# Runs from the project root. Exit 0 = pass, 77 = skipped (said why), anything else = fail.
set -uo pipefail
dmasim=$1
case_=$2
arg=${3:-}
real=../shared/traces/real
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_real() { [ -d "$real" ] || skip "$real is absent (the real captures live in ../shared)"; }

# Checks a result folder: both files, no temporary files, Little's law wherever measured.
check_result() {
    local dir=$1
    [ -s "$dir/result.json" ] || fail "$dir/result.json missing"
    [ -s "$dir/result.csv" ] || fail "$dir/result.csv missing"
    ! ls "$dir" | grep -q '\.tmp\.' || fail "temporary files left in $dir"
    ! grep -q '"holds": false' "$dir/result.json" || fail "Little's law does not hold: $(grep -A4 littles_law "$dir/result.json")"
    grep -q '"schema_version": 1' "$dir/result.json" || fail "no schema_version"
}

expect_exit() { # expect_exit CODE CMD...
    local want=$1; shift
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [ "$got" -eq "$want" ] || { cat "$tmp/stderr" >&2; fail "exit $got, expected $want: $*"; }
}

case $case_ in
config) # every example scenario runs, and matches its golden result where one exists
    name=$(basename "$arg" .yaml)
    want=0
    grep -q '^# e2e-exit: ' "$arg" && want=$(sed -n 's/^# e2e-exit: \([0-9]*\).*/\1/p' "$arg")
    if grep -q 'shared/traces/real' "$arg"; then need_real; fi
    expect_exit "$want" "$dmasim" run "$arg" -q -o "$tmp/out"
    check_result "$tmp/out"
    # "# expect: JQ-EXPRESSION" lines in the scenario must all be true of its result
    while IFS= read -r expr; do
        jq -e "$expr" "$tmp/out/result.json" >/dev/null ||
            fail "$arg: expectation failed: $expr (got: $(jq -c "$(echo "$expr" | sed 's/ *\(==\|>=\|<=\|>\|<\|!=\).*//')" "$tmp/out/result.json"))"
    done < <(sed -n 's/^# expect: //p' "$arg")
    golden=tests/data/golden/$name.json
    if [ -f "$golden" ]; then
        diff -u "$golden" "$tmp/out/result.json" >&2 || fail "result differs from $golden"
    fi
    ;;
determinism) # same seed: identical bytes, whatever the number of threads
    "$dmasim" run configs/default.yaml -q -j 1 -o "$tmp/a" || fail "run -j1"
    "$dmasim" run configs/default.yaml -q -j 4 -o "$tmp/b" || fail "run -j4"
    "$dmasim" run configs/default.yaml -q -j 2 -o "$tmp/c" || fail "run -j2"
    for f in result.json result.csv; do
        cmp "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs between -j1 and -j4"
        cmp "$tmp/a/$f" "$tmp/c/$f" || fail "$f differs between runs"
    done
    # the progress line runs the replay in slices of simulated time: same bytes
    DMASIM_PROGRESS=1 "$dmasim" run configs/default.yaml -j 2 -o "$tmp/e" >/dev/null 2>"$tmp/progress" ||
        fail "run with progress"
    grep -q 'replications done' "$tmp/progress" || fail "no progress line"
    cmp "$tmp/a/result.json" "$tmp/e/result.json" || fail "progress changes result.json"
    "$dmasim" run configs/default.yaml -q --set run.seed=2 -o "$tmp/d" || fail "seed 2"
    ! cmp -s "$tmp/a/result.json" "$tmp/d/result.json" || fail "seed does not change the result"
    ;;
bad-yaml) # each bad scenario: exit 65, the expected first error, no output left behind
    n=0
    for y in tests/data/config/bad_*.yaml; do
        expect_exit 65 "$dmasim" run "$y" -o "$tmp/out"
        first=$(head -n 1 "${y%.yaml}.expected")
        grep -qF -- "$first" "$tmp/stderr" || { cat "$tmp/stderr" >&2; fail "$y: expected '$first'"; }
        [ ! -e "$tmp/out" ] || fail "$y: output folder created"
        n=$((n + 1))
    done
    [ "$n" -ge 8 ] || fail "only $n bad scenarios"
    ;;
usage) # command-line errors and missing input
    expect_exit 66 "$dmasim" run "$tmp/none.yaml" -o "$tmp/out"
    expect_exit 64 "$dmasim" run
    expect_exit 64 "$dmasim" run configs/default.yaml --no-such-option
    expect_exit 64 "$dmasim" nosuchcommand
    expect_exit 0 "$dmasim" --version
    grep -q '^GSL ' "$tmp/stdout" && grep -q '^libyaml ' "$tmp/stdout" && grep -q 'libpcap' "$tmp/stdout" \
        || fail "--version lacks library versions"
    for c in run trace check sweep recommend report merge; do
        expect_exit 0 "$dmasim" "$c" --help
        grep -q usage "$tmp/stdout" || fail "$c --help"
    done
    expect_exit 65 "$dmasim" run configs/default.yaml --set nics[0].driver.BaseMapRegistersNeeded=65 -o "$tmp/out"
    grep -q 'set' "$tmp/stderr" || fail "override error does not name --set"
    [ ! -e "$tmp/out" ] || fail "output folder created on a bad override"
    # a configuration only the driver refuses: it fails to initialize, says why in its
    # event log, and the NIC reports nothing it did not measure
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/refused" \
        --set nics[0].driver.ReceiveBuffers=300 --set run.replications=1
    jq -e '.nics[0].init.status == "NDIS_STATUS_FAILURE" and (.nics[0].init.error_log | length) >= 1
           and .nics[0].rx.frames == null and .nics[0].objectives.rx_drop_rate.met == false' \
        "$tmp/refused/result.json" >/dev/null || fail "refused configuration not reported"
    touch "$tmp/file"
    expect_exit 73 "$dmasim" run configs/default.yaml -q -o "$tmp/file/sub"
    ;;
damaged) # damaged captures: stop names the record, keep reads what is there
    need_real
    for spec in "corrupt_truncated-tail_http-mime.pcap 2696" "corrupt_bad-record-length_smtp.pcap 18"; do
        set -- $spec
        cat >"$tmp/s.yaml" <<YAML
nics: [{trace: {pcap: $(pwd)/$real/$1, direction: rx, on_damage: stop}}]
YAML
        expect_exit 65 "$dmasim" run "$tmp/s.yaml" -o "$tmp/out"
        grep -q "record $2" "$tmp/stderr" || { cat "$tmp/stderr" >&2; fail "$1: no record index $2"; }
        [ ! -e "$tmp/out" ] || fail "$1: output written despite the error"
        sed -i 's/on_damage: stop/on_damage: keep/' "$tmp/s.yaml"
        expect_exit 0 "$dmasim" run "$tmp/s.yaml" -q -o "$tmp/keep"
        grep -q "\"packets\": $2," "$tmp/keep/result.json" || fail "$1: expected $2 packets kept"
        grep -q '"damaged": 1' "$tmp/keep/result.json" || fail "$1: damage not reported"
        rm -rf "$tmp/keep"
    done
    ;;
real-info) # trace info agrees with the capture survey's packet counts
    need_real
    while read -r file count; do
        expect_exit 0 "$dmasim" trace info --json "$real/$file"
        grep -q "\"packets\": $count," "$tmp/stdout" || { cat "$tmp/stdout"; fail "$file: expected $count packets"; }
    done <<LIST
bulk_smb2-async-read.pcap 3138
bulk_irc-dcc-send.pcapng 1184
small_echo-connections_loopback.pcap 82582
mixed_linux-sll-cooked.pcap 518
mixed_raw-ipv6.pcap 100
ns_multi-if-merged_sites.pcapng 699
ns_tcpreplay_test_nano.pcap 179
large_tso_bigtcp-ipv4.pcap 1
LIST
    ;;
erlang) # the receive pool as M/G/N/N agrees with Erlang B (arg: "N B [dist]")
    # 99% intervals: five fixed-seed checks at 95% would fail one in four generator or
    # model changes by chance alone (docs/validation.md).
    set -- $arg
    expect_exit 0 "$dmasim" check erlang --buffers "$1" --blocking "$2" --dist "${3:-exponential}" \
        --frames 200000 --replications 5 --confidence 0.99
    cat "$tmp/stdout"
    ;;
bad-trace) # bad traces: a clear message, the documented exit status, nothing written
    printf 'time_ns,length,direction\n0,100,rx\n10,abc,rx\n' >"$tmp/bad.csv"
    : >"$tmp/empty.pcap"
    mkdir "$tmp/dir.pcap"
    head -c 100 "$(ls traces/*.pcap | head -n 1)" >"$tmp/cut.pcap"
    for spec in "csv: $tmp/bad.csv|65|bad.csv:3:" "pcap: $tmp/empty.pcap|65|empty.pcap" \
                "pcap: $tmp/dir.pcap|66|Is a directory" "pcap: $tmp/none.pcap|66|none.pcap" \
                "pcap: $tmp/cut.pcap|65|record"; do
        IFS='|' read -r src code text <<<"$spec"
        printf 'nics: [{trace: {%s, direction: rx}}]\n' "$src" >"$tmp/s.yaml"
        expect_exit "$code" "$dmasim" run "$tmp/s.yaml" -o "$tmp/out"
        grep -q "$text" "$tmp/stderr" || { cat "$tmp/stderr" >&2; fail "$src: no '$text' in the message"; }
        [ ! -e "$tmp/out" ] || fail "$src: output left behind"
    done
    expect_exit 66 "$dmasim" trace info "$tmp/dir.pcap"
    expect_exit 65 "$dmasim" trace info --csv "$tmp/bad.csv"
    ;;
trace-gen) # generated captures are deterministic and read back exactly
    expect_exit 0 "$dmasim" trace gen "$tmp/a.pcap" --sizes rfc2544 --rate 10kpps --count 500 --seed 3
    expect_exit 0 "$dmasim" trace gen "$tmp/b.pcap" --sizes rfc2544 --rate 10kpps --count 500 --seed 3
    cmp "$tmp/a.pcap" "$tmp/b.pcap" || fail "trace gen is not deterministic"
    expect_exit 0 "$dmasim" trace info --json "$tmp/a.pcap"
    grep -q '"packets": 500,' "$tmp/stdout" || fail "expected 500 packets"
    expect_exit 73 "$dmasim" trace gen "$tmp/missing/x.pcap" --count 10
    [ ! -e "$tmp/missing" ] || fail "partial output"
    ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_ $arg"
