#!/usr/bin/env bash
# End-to-end tests of the dmasim command, one case per CTest test:
#   e2e.sh DMASIM CASE [ARG]
# Runs from the project root. Exit 0 = pass, 77 = skipped (said why), anything else = fail.
set -uo pipefail
dmasim=$1
leaky=$(dirname "$dmasim")/tests/dmasim-leaky # the same command with a leaky test driver
case_=$2
arg=${3:-}
real=../shared/traces/real
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need_real() { [ -d "$real" ] || skip "$real is absent (the real captures live in ../shared)"; }

# Checks a result folder: every file, no temporary files, Little's law wherever measured,
# every frame and packet accounted for, numeric CSV rows.
check_result() {
    local dir=$1
    [ -s "$dir/result.json" ] || fail "$dir/result.json missing"
    [ -s "$dir/result.csv" ] || fail "$dir/result.csv missing"
    [ -s "$dir/summary.csv" ] || fail "$dir/summary.csv missing"
    ! ls "$dir" | grep -q '\.tmp\.' || fail "temporary files left in $dir"
    ! grep -q '"holds": false' "$dir/result.json" || fail "Little's law does not hold: $(grep -A4 littles_law "$dir/result.json")"
    grep -q '"schema_version": 1' "$dir/result.json" || fail "no schema_version"
    # the balance, recomputed here from the figures of the result (means of integer counts)
    # (exactly per replication in .accounting.closes; the means here to rounding)
    jq -e 'def near(a; b): (a - b | fabs) <= 1e-9 * ([a, 1] | max);
           [.nics[] | select(.rx.frames != null) |
            near(.rx.frames; .rx.received + .rx.fifo_drops + .rx.no_descriptor_drops +
              .rx.oversize_drops + .rx.link_overrun_drops + .rx.disabled_drops +
              .rx.reset_drops + .rx.in_flight) and
            near(.tx.packets; .tx.completed + .tx.failed + .tx.unsent + .tx.in_flight) and
            .accounting.closes == true] | all' "$dir/result.json" >/dev/null ||
        fail "frame accounting does not close: $(jq -c '[.nics[] | {name, rx, tx, accounting}]' "$dir/result.json")"
    # result.csv: the replication column and every figure are numbers or empty
    awk -F, 'NR > 1 { if ($2 !~ /^[0-9]+$/) exit 1; for (i = 3; i <= NF; i++)
             if ($i != "" && $i !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) exit 1 }' "$dir/result.csv" ||
        fail "result.csv has a non-numeric field"
    head -n 1 "$dir/summary.csv" | grep -qx 'scope,metric,mean,ci_half,n' || fail "summary.csv header"
}

# xmllint, installing Debian's libxml2-utils if it is missing and that is possible.
need_xmllint() {
    command -v xmllint >/dev/null && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libxml2-utils >/dev/null 2>&1 || true
    command -v xmllint >/dev/null || skip "xmllint is absent and libxml2-utils cannot be installed here"
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
    tr '\r' '\n' <"$tmp/progress" | grep '^dmasim run: *[0-9]* % of 2.51 s simulated (.*), .* simulated/s, ETA ' >/dev/null ||
        { cat "$tmp/progress"; fail "the progress line gives no percentage, rate or ETA"; }
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
    expect_exit 11 "$dmasim" run configs/default.yaml -q -o "$tmp/refused" \
        --set nics[0].driver.ReceiveBuffers=300 --set run.replications=1
    jq -e '.nics[0].init.status == "NDIS_STATUS_FAILURE" and (.nics[0].init.error_log | length) >= 1
           and .nics[0].rx.frames == null and .nics[0].objectives.rx_drop_rate.met == false' \
        "$tmp/refused/result.json" >/dev/null || fail "refused configuration not reported"
    # the scenario line comes first; -v adds the accounting and system lines
    expect_exit 0 "$dmasim" run configs/default.yaml -o "$tmp/v" -v
    head -n 1 "$tmp/stdout" | grep -qx 'configs/default.yaml: 5 replications, seed 1' ||
        fail "the scenario line is not first"
    grep -q '^  accounting: every frame and packet accounted for' "$tmp/stdout" || fail "-v: no accounting line"
    grep -q '^system: .* simulated, CPU .* %, bus .* %' "$tmp/stdout" || fail "-v: no system line"
    expect_exit 0 "$dmasim" run configs/default.yaml -o "$tmp/v"
    ! grep -q '^system: ' "$tmp/stdout" || fail "the system line without -v"
    # scatter-gather DMA: its own map-register figures, not the base-register ones
    expect_exit 0 "$dmasim" run configs/scatter-gather.yaml -o "$tmp/sg"
    grep -q 'scatter-gather map registers peak [1-9]' "$tmp/stdout" || { cat "$tmp/stdout"; fail "no SG figures"; }
    ! grep -q 'map registers peak in use' "$tmp/stdout" || fail "base-register figures under SG DMA"
    # the driver's event log in words
    expect_exit 11 "$dmasim" run configs/default.yaml -o "$tmp/ev" --set nics[0].driver.ReceiveBuffers=300 \
        --set run.replications=1
    grep -q 'event log: unsupported configuration: ReceiveBuffers and MaxReceiveBuffers do not go together' \
        "$tmp/stdout" || { cat "$tmp/stdout"; fail "event log not in words"; }
    expect_exit 0 "$dmasim" run configs/default.yaml -o "$tmp/v"
    # human units: no bare nanoseconds or exponents in the summary
    ! grep -Eq '[0-9]{7,} ns|e-0[0-9]|nan' "$tmp/stdout" || { cat "$tmp/stdout"; fail "summary not in human units"; }
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
    set -- $arg
    expect_exit 0 "$dmasim" check erlang --buffers "$1" --blocking "$2" --dist "${3:-exponential}" \
        --frames 200000 --replications 5
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
exit-status) # each outcome has its own exit status; precedence 12 > 11 > 13 > 10
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/ok"
    jq -e '.outcome.exit_status == 0 and .outcome.objectives_met' "$tmp/ok/result.json" >/dev/null ||
        fail "ok run: outcome"
    # 10: the summary names the objective that failed, with its target and verdict
    cat >"$tmp/ten.yaml" <<YAML
nics: [{device: {fifo: 2KiB, link: 10Gbit/s}, trace: {synthetic: {sizes: 1518, rate: 500kpps, count: 2000}}}]
run: {replications: 3}
objectives: {rx_drop_rate: 1e-4}
YAML
    expect_exit 10 "$dmasim" run "$tmp/ten.yaml" -o "$tmp/ten"
    grep -q 'objective rx drop rate .*± .*target 0.0100 % *NOT met' "$tmp/stdout" ||
        { cat "$tmp/stdout"; fail "10: unmet objective not named"; }
    grep -q 'outcome: objectives NOT met (exit status 10)' "$tmp/stdout" || fail "10: outcome line"
    jq -e '.nics[0].objectives.rx_drop_rate | .verdict == "NOT met" and .met == false and
           .ci_half > 0 and .target == 0.0001' "$tmp/ten/result.json" >/dev/null ||
        fail "10: verdict in result.json"
    # not measured is neither met nor a failure: a receive-only trace has no send stalls
    printf 'nics: [{trace: {synthetic: {rate: 10kpps, count: 500}}}]\nobjectives: {tx_stall_p99: 100us}\n' \
        >"$tmp/nm.yaml"
    expect_exit 0 "$dmasim" run "$tmp/nm.yaml" -o "$tmp/nm"
    grep -q 'objective tx stall p99 .*not measured (no send completed in the window)' "$tmp/stdout" ||
        { cat "$tmp/stdout"; fail "not measured: summary"; }
    jq -e '.nics[0].objectives.tx_stall_p99_ns | .verdict == "not measured" and .met == null' \
        "$tmp/nm/result.json" >/dev/null || fail "not measured: result.json"
    # 11 (with objectives NOT met as well: 11 wins)
    expect_exit 11 "$dmasim" run configs/default.yaml -o "$tmp/eleven" \
        --set nics[0].driver.ReceiveBuffers=300 --set run.replications=1
    grep -q 'objectives NOT met as well' "$tmp/stdout" || fail "11: the unmet objectives are not mentioned"
    # 12, also under --strict
    expect_exit 12 "$dmasim" run configs/pae-hang.yaml -q -o "$tmp/twelve"
    expect_exit 12 "$dmasim" run configs/pae-hang.yaml -q --strict -o "$tmp/twelve-s"
    # 13: a driver that leaks; only under --strict; 13 wins over 10
    [ -x "$leaky" ] || fail "$leaky not built"
    cat >"$tmp/leak.yaml" <<YAML
nics: [{trace: {synthetic: {rate: 10kpps, count: 200}, direction: alternate}}]
YAML
    expect_exit 0 "$leaky" run "$tmp/leak.yaml" -q -o "$tmp/leak0"
    jq -e '.system.verifier.diagnostics == 1' "$tmp/leak0/result.json" >/dev/null || fail "13: no leak found"
    expect_exit 13 "$leaky" run "$tmp/leak.yaml" -q --strict -o "$tmp/leak1"
    expect_exit 13 "$leaky" run "$tmp/leak.yaml" -q --strict -o "$tmp/leak2" --set objectives.rx_drop_rate=0
    expect_exit 10 "$leaky" run "$tmp/leak.yaml" -q -o "$tmp/leak3" --set objectives.rx_drop_rate=0
    for d in ok ten nm eleven twelve leak1; do check_result "$tmp/$d"; done
    ;;
junit) # --junit writes XML that validates against the JUnit schema CI tools read
    need_xmllint
    expect_exit 10 "$dmasim" run configs/default.yaml -q -o "$tmp/a" --junit "$tmp/a.xml" \
        --set nics[0].trace.speedup=8 --set nics[0].trace.direction=rx \
        --set nics[0].protocol.hold.mean=2us
    xmllint --noout --schema tests/data/junit.xsd "$tmp/a.xml" 2>"$tmp/lint" ||
        { cat "$tmp/lint" >&2; fail "a.xml does not validate"; }
    # system: no hang, verifier; nic0: initialization, 3 objectives, accounting
    [ "$(xmllint --xpath 'count(//testcase)' "$tmp/a.xml")" = 7 ] || fail "expected 7 test cases"
    unmet=$(jq '[.nics[0].objectives[] | select(.met == false)] | length' "$tmp/a/result.json")
    [ "$unmet" -ge 1 ] || fail "a: expected an unmet objective"
    [ "$(xmllint --xpath 'string(/testsuites/testsuite/@failures)' "$tmp/a.xml")" = "$unmet" ] ||
        fail "expected $unmet failures, one per unmet objective"
    xmllint --xpath '//testcase[@name="objective rx_drop_rate"]/failure/@message' "$tmp/a.xml" |
        grep -q 'above the target' || fail "drop-rate failure has no reason"
    xmllint --xpath '//testcase[@name="objective tx_stall_p99_ns"]/skipped' "$tmp/a.xml" >/dev/null ||
        fail "an objective not measured is not skipped"
    expect_exit 12 "$dmasim" run configs/pae-hang.yaml -q -o "$tmp/b" --junit "$tmp/b.xml"
    xmllint --noout --schema tests/data/junit.xsd "$tmp/b.xml" || fail "b.xml does not validate"
    xmllint --xpath '//testcase[@classname="pae-hang.system" and @name="no hang"]/failure' "$tmp/b.xml" \
        >/dev/null || fail "the hang is not a failure"
    xmllint --xpath '//testcase[@classname="pae-hang.nic1" and @name="initialization"]/failure' \
        "$tmp/b.xml" >/dev/null || fail "the hung initialization is not a failure"
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/c" --junit "$tmp/c.xml"
    xmllint --noout --schema tests/data/junit.xsd "$tmp/c.xml" || fail "c.xml does not validate"
    [ "$(xmllint --xpath 'string(/testsuites/@failures)' "$tmp/c.xml")" = 0 ] || fail "c.xml: failures"
    # missing folders of the JUnit path are made; one that cannot be written: nothing is
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/e" --junit "$tmp/reports/ci/e.xml"
    xmllint --noout --schema tests/data/junit.xsd "$tmp/reports/ci/e.xml" || fail "e.xml"
    touch "$tmp/file"
    expect_exit 73 "$dmasim" run configs/default.yaml -q -o "$tmp/d" --junit "$tmp/file/d.xml"
    [ ! -e "$tmp/d" ] || fail "result folder written although the JUnit file could not be"
    ;;
drops) # every drop cause on its own, and the balance closes exactly each time
    drop_case() { # drop_case NAME FIELD DMASIM YAML-NICS-ENTRY
        local name=$1 field=$2 cmd=$3
        printf '%s\nrun: {replications: 2}\n' "$4" >"$tmp/$name.yaml"
        "$cmd" run "$tmp/$name.yaml" -q -o "$tmp/$name" || fail "$name: exit $?"
        check_result "$tmp/$name"
        jq -e ".nics[0].rx.$field > 0 and .nics[0].rx.dropped == .nics[0].rx.$field" \
            "$tmp/$name/result.json" >/dev/null ||
            fail "$name: expected every drop to be $field: $(jq -c .nics[0].rx "$tmp/$name/result.json")"
    }
    # FIFO full: frames arrive faster than the bus drains a 2 KiB FIFO
    drop_case fifo fifo_drops "$dmasim" 'nics: [{device: {fifo: 2KiB, link: 10Gbit/s},
      trace: {synthetic: {sizes: 1518, arrivals: constant, rate: 500kpps, count: 2000}}}]'
    # no descriptor: no FIFO, few buffers, protocols hold them long
    drop_case nodesc no_descriptor_drops "$dmasim" 'nics: [{device: {fifo: 0},
      driver: {ReceiveBuffers: 8, MaxReceiveBuffers: 8, LowWater: 0, ScaleWithProcessors: 0},
      protocol: {hold: {dist: constant, mean: 1ms}},
      trace: {synthetic: {sizes: 64, arrivals: constant, rate: 100kpps, count: 40000}}}]'
    # oversize: frames larger than the driver's 1514-byte buffers, delivered as they are
    drop_case oversize oversize_drops "$dmasim" 'nics: [{trace: {synthetic: {sizes: 9018,
      arrivals: constant, rate: 1kpps, count: 100}, oversize: as_is}}]'
    # link overrun: a trace offering frames faster than the 10 Mbit/s link carries them
    drop_case link link_overrun_drops "$dmasim" 'nics: [{device: {link: 10Mbit/s, fifo: 1MiB},
      trace: {synthetic: {sizes: 1518, arrivals: constant, rate: 100kpps, count: 10000}}}]'
    # receive off: a driver that never enables its receiver
    drop_case off disabled_drops "$leaky" 'nics: [{trace: {synthetic: {rate: 1kpps, count: 50}}}]'
    # the default scenario at 8x: FIFO drops, link overruns and frames still queued for the
    # link when the trace ends, every one of them accounted for (short holds keep the
    # receive pool out of saturation, where Little's law needs a longer window)
    expect_exit 10 "$dmasim" run configs/default.yaml -q -o "$tmp/x8" --set nics[0].trace.speedup=8 \
        --set nics[0].protocol.hold.mean=2us
    check_result "$tmp/x8"
    jq -e '.nics[0].rx | .fifo_drops > 0 and .link_overrun_drops > 0 and .in_flight > 0' \
        "$tmp/x8/result.json" >/dev/null || fail "x8: $(jq -c .nics[0].rx "$tmp/x8/result.json")"
    # the default scenario: frames in flight when the window opens are carried in, so
    # received never exceeds frames
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/def"
    check_result "$tmp/def"
    jq -e '.nics[0].rx | .received <= .frames and .in_flight_start > 0' "$tmp/def/result.json" \
        >/dev/null || fail "default: $(jq -c .nics[0].rx "$tmp/def/result.json")"
    ;;
warnings) # what the measurement cannot say is said, in the summary and in result.json
    warn_case() { # warn_case NAME CODE... -- YAML
        local name=$1; shift
        local codes=()
        while [ "$1" != -- ]; do codes+=("$1"); shift; done
        shift
        printf '%s\n' "$1" >"$tmp/$name.yaml"
        expect_exit 0 "$dmasim" run "$tmp/$name.yaml" -o "$tmp/$name"
        check_result "$tmp/$name"
        local want got
        want='[]'
        ((${#codes[@]})) && want=$(printf '%s\n' "${codes[@]}" | jq -R . | jq -sc .)
        got=$(jq -c '[.warnings[].code]' "$tmp/$name/result.json")
        [ "$got" = "$want" ] || fail "$name: warnings $got, expected $want"
        [ "$(grep -c '^warning: ' "$tmp/stdout")" -eq "${#codes[@]}" ] ||
            { cat "$tmp/stdout"; fail "$name: the summary does not show each warning"; }
    }
    warn_case empty empty_window trace_shorter_than_warmup -- \
        'nics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]
run: {warmup: 1s}'
    grep -q 'measurement window is empty' "$tmp/stdout" || fail "empty: message"
    warn_case short trace_shorter_than_warmup -- \
        'nics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]
run: {warmup: 100ms, duration: 200ms}'
    warn_case identical identical_replications -- \
        "nics: [{trace: {pcap: $(pwd)/traces/default-mix.pcap}, protocol: {hold: {dist: constant, mean: 5us}}}]
run: {replications: 3}"
    grep -q 'the capture and the hold times are deterministic' "$tmp/stdout" || fail "identical: no reason given"
    jq -e '.nics[0].ci_half.rx.latency_ns.p99 == 0' "$tmp/identical/result.json" >/dev/null ||
        fail "identical: the half-width is not 0"
    warn_case none -- 'nics: [{trace: {synthetic: {rate: 10kpps, count: 500}}}]
run: {replications: 3}'
    ;;
completion) # dmasim help COMMAND; bash and zsh completion from the command table, installed
    expect_exit 0 "$dmasim" help run
    cp "$tmp/stdout" "$tmp/help-run"
    expect_exit 0 "$dmasim" run --help
    cmp -s "$tmp/stdout" "$tmp/help-run" || fail "'help run' differs from 'run --help'"
    expect_exit 0 "$dmasim" help
    grep -q '^  completion ' "$tmp/stdout" || fail "help does not list the commands"
    expect_exit 64 "$dmasim" help nosuchcommand
    expect_exit 64 "$dmasim" completion fish
    expect_exit 0 "$dmasim" completion bash
    cp "$tmp/stdout" "$tmp/bash"
    bash -n "$tmp/bash" || fail "bash completion has a syntax error"
    complete_bash() { # complete_bash WORD... : what bash would offer for the last word
        bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
                 _dmasim; printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/bash" dmasim "$@"
    }
    complete_bash tr | grep -x trace >/dev/null || fail "bash: 'tr' does not complete to trace"
    complete_bash run --ju | grep -x -- --junit >/dev/null || fail "bash: run --ju"
    complete_bash run -- | grep -x -- --verbose >/dev/null || fail "bash: run --verbose"
    [ "$(complete_bash trace '' | sort | tr '\n' ' ')" = "gen info " ] || fail "bash: trace words"
    complete_bash check --bu | grep -x -- --buffers >/dev/null || fail "bash: check --bu"
    expect_exit 0 "$dmasim" completion zsh
    cp "$tmp/stdout" "$tmp/zsh"
    head -n 1 "$tmp/zsh" | grep -qx '#compdef dmasim' || fail "zsh: no #compdef line"
    grep -q "'run:run a scenario" "$tmp/zsh" || fail "zsh: run not described"
    if command -v zsh >/dev/null; then zsh -n "$tmp/zsh" || fail "zsh completion has a syntax error"; fi
    # cmake --install puts both where the shells look
    build=$(dirname "$dmasim")
    [ -f "$build/CMakeCache.txt" ] || skip "$build is not a CMake build folder"
    cmake --install "$build" --prefix "$tmp/inst" >/dev/null || fail "cmake --install"
    cmp "$tmp/inst/share/bash-completion/completions/dmasim" "$tmp/bash" || fail "installed bash completion"
    cmp "$tmp/inst/share/zsh/site-functions/_dmasim" "$tmp/zsh" || fail "installed zsh completion"
    ;;
two-sources) # one NIC takes a received capture and a synthetic send stream, merged in time
    cat >"$tmp/two.yaml" <<YAML
nics:
  - trace:
      - {pcap: $(pwd)/traces/default-mix.pcap, direction: rx}
      - {synthetic: {sizes: 1518, arrivals: constant, rate: 20kpps, duration: 100ms}, direction: tx}
run: {replications: 2, warmup: 0s}
YAML
    expect_exit 0 "$dmasim" run "$tmp/two.yaml" -q -j 1 -o "$tmp/a"
    check_result "$tmp/a"
    # every capture frame received side, every synthetic frame sent; the capture lasts
    # 100.472 ms: merged in time, both end together (one after the other would take 200 ms)
    jq -e '.nics[0].rx.frames == 10000 and .nics[0].tx.packets == 2000 and
           .traces[0].packets == 12000 and .traces[0].merged_with[0].kind == "synthetic" and
           (.scenario.nics[0].trace | length) == 2 and
           .system.simulated_ns == 100472000' "$tmp/a/result.json" >/dev/null ||
        fail "two sources: $(jq -c '{rx: .nics[0].rx.frames, tx: .nics[0].tx.packets, t: .traces, sim: .system.simulated_ns}' "$tmp/a/result.json")"
    expect_exit 0 "$dmasim" run "$tmp/two.yaml" -q -j 2 -o "$tmp/b"
    cmp "$tmp/a/result.json" "$tmp/b/result.json" || fail "the merge depends on the thread count"
    # errors name the list entry; a list needs at least two sources
    printf 'nics: [{trace: [{synthetic: {rate: 1kpps, count: 5}}, {synthetic: {rate: 1kpps, bogus: 1}}]}]\n' >"$tmp/bad.yaml"
    expect_exit 65 "$dmasim" run "$tmp/bad.yaml" -o "$tmp/bad"
    grep -q 'nics\[0\].trace\[1\].synthetic.bogus: unknown key' "$tmp/stderr" || { cat "$tmp/stderr"; fail "entry not named"; }
    printf 'nics: [{trace: [{synthetic: {rate: 1kpps, count: 5}}]}]\n' >"$tmp/one.yaml"
    expect_exit 65 "$dmasim" run "$tmp/one.yaml" -o "$tmp/bad"
    grep -q 'expected 2 to 8 entries, got 1' "$tmp/stderr" || fail "a list of one accepted"
    ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_ $arg"
