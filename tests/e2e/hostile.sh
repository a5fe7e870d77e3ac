#!/usr/bin/env bash
# End-to-end tests of hostile input and of looping, one case per CTest test:
#   hostile.sh DMASIM CASE
# Runs from the project root. Exit 0 = pass, 77 = skipped (said why), anything else = fail.
set -uo pipefail
dmasim=$1
case_=$2
real=../shared/traces/real
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

expect_exit() { # expect_exit CODE CMD...
    local want=$1; shift
    timeout 60 "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [ "$got" -eq "$want" ] || { cat "$tmp/stderr" >&2; fail "exit $got, expected $want: $*"; }
}
expect_msg() { grep -qF -- "$1" "$tmp/stderr" || { cat "$tmp/stderr" >&2; fail "no '$1' in the message"; }; }

case $case_ in
loop-one-packet) # issue 10: a one-packet capture looped 10000 times needs a period, then
    # runs 10000 copies one period apart (7306-byte frames split into 5 sends each)
    cap=$real/large_tso_gso-ipv4.pcap
    if [ ! -f "$cap" ]; then # the same shape, generated: one frame of 7310 bytes with FCS
        "$dmasim" trace gen "$tmp/one.pcap" --sizes 7310 --count 1 --rate 1kpps >/dev/null ||
            fail "trace gen"
        cap=$tmp/one.pcap
    fi
    printf 'nics: [{trace: {pcap: %s, direction: tx, oversize: split, loop: 10000}}]\n' \
        "$(realpath "$cap")" >"$tmp/s.yaml"
    expect_exit 65 "$dmasim" run "$tmp/s.yaml" -q -o "$tmp/out"
    expect_msg "zero duration"
    expect_msg "trace.loop_period"
    [ ! -e "$tmp/out" ] || fail "output left behind"
    expect_exit 0 "$dmasim" run "$tmp/s.yaml" -q -o "$tmp/out" --set nics[0].trace.loop_period=100us
    jq -e '.nics[0].tx.packets == 50000' "$tmp/out/result.json" >/dev/null ||
        fail "sends: $(jq '.nics[0].tx.packets' "$tmp/out/result.json"), expected 50000"
    jq -e '.system.simulated_ns >= 999900000' "$tmp/out/result.json" >/dev/null ||
        fail "simulated_ns $(jq '.system.simulated_ns' "$tmp/out/result.json") < 9999 periods"
    jq -e '.traces[0].packets == 50000 and .scenario.nics[0].trace.loop_period_ns == 100000' \
        "$tmp/out/result.json" >/dev/null || fail "trace summary"
    ;;
not-files) # devices and FIFOs as scenarios or traces: refused at once, nothing written
    mkfifo "$tmp/fifo"
    for s in /dev/zero /dev/urandom "$tmp/fifo"; do
        expect_exit 66 "$dmasim" run "$s" -o "$tmp/out"
        expect_msg "is not a regular file"
        printf 'nics: [{trace: {pcap: %s}}]\n' "$s" >"$tmp/s.yaml"
        expect_exit 66 "$dmasim" run "$tmp/s.yaml" -o "$tmp/out"
        expect_msg "is not a regular file"
        expect_exit 66 "$dmasim" trace info "$s"
        [ ! -e "$tmp/out" ] || fail "$s: output left behind"
    done
    # nor are they written over: a capture or a JUnit file aimed at a FIFO is refused, and
    # the FIFO stays (a rename would have replaced it, as it did /dev/null for root)
    expect_exit 73 "$dmasim" trace gen "$tmp/fifo" --count 10
    expect_msg "is not a regular file"
    [ -p "$tmp/fifo" ] || fail "trace gen replaced the FIFO"
    expect_exit 73 "$dmasim" run configs/default.yaml -q -o "$tmp/out" --set run.replications=1 \
        --junit "$tmp/fifo"
    expect_msg "is not a regular file"
    [ -p "$tmp/fifo" ] || fail "run --junit replaced the FIFO"
    [ ! -e "$tmp/out" ] || fail "run --junit to a FIFO: output left behind"
    # a symbolic link to a file is replaced by the new file; the file it led to (which
    # other links may share) stays as it was; a link to a FIFO is refused
    : >"$tmp/real.xml" && ln -s "$tmp/real.xml" "$tmp/link.xml"
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/out2" --set run.replications=1 \
        --junit "$tmp/link.xml"
    [ ! -L "$tmp/link.xml" ] && [ -s "$tmp/link.xml" ] && [ ! -s "$tmp/real.xml" ] ||
        fail "--junit onto a link: the link was not replaced, or what it led to changed"
    ln -s "$tmp/fifo" "$tmp/fifo-link.pcap"
    expect_exit 73 "$dmasim" trace gen "$tmp/fifo-link.pcap" --count 10
    expect_msg "leads to something other than a regular file"
    [ -L "$tmp/fifo-link.pcap" ] && [ -p "$tmp/fifo" ] || fail "trace gen onto a link to a FIFO"
    head -c 5000000 /dev/zero >"$tmp/big.yaml"
    expect_exit 65 "$dmasim" run "$tmp/big.yaml" -o "$tmp/out"
    expect_msg "above the limit of 4 MiB"
    ;;
overflow) # times that overflowed int64 ns: located errors, or damage with the record
    printf 'system: {cpu: {isr: 9223372036854775807ns}}\nnics: [{trace: {synthetic: {rate: 1e-300pps, count: 10}}}]\n' >"$tmp/s.yaml"
    expect_exit 65 "$dmasim" run "$tmp/s.yaml" -o "$tmp/out"
    expect_msg "s.yaml:1:21: system.cpu.isr: 9223372036854775807ns is out of range 0ns..1s"
    expect_msg "s.yaml:2:35: nics[0].trace.synthetic.rate: 1e-300pps is out of range"
    # a pcap at 0 s and 0xFFFFFFFF s, looped: damage naming the record, no result
    printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0' >"$tmp/t.pcap"
    printf '\0\0\0\0\0\0\0\0\x3c\0\0\0\x3c\0\0\0' >>"$tmp/t.pcap"
    head -c 60 /dev/zero >>"$tmp/t.pcap"
    printf '\xff\xff\xff\xff\0\0\0\0\x3c\0\0\0\x3c\0\0\0' >>"$tmp/t.pcap"
    head -c 60 /dev/zero >>"$tmp/t.pcap"
    printf 'nics: [{trace: {pcap: t.pcap, loop: 28}}]\n' >"$tmp/s.yaml"
    expect_exit 65 "$dmasim" run "$tmp/s.yaml" -o "$tmp/out"
    expect_msg "2^62 ns"
    [ ! -e "$tmp/out" ] || fail "output left behind"
    ;;
stale-temps) # a run into a folder cleans the temporaries a killed run left there, only those
    mkdir -p "$tmp/out"
    for f in result.json.tmp.Ab12Cd result.csv.tmp.zzzzzz result.json.tmp.young1 \
             result.json.tmp.toolong1 other.json.tmp.abcdef notes.txt; do
        echo x >"$tmp/out/$f"
    done
    touch -d '1 hour ago' "$tmp/out"/*
    # one newer than the run's start: another run's write in progress, left alone
    touch -d '+10 minutes' "$tmp/out/result.json.tmp.young1"
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/out" --set run.replications=1
    for f in result.json.tmp.Ab12Cd result.csv.tmp.zzzzzz; do
        [ ! -e "$tmp/out/$f" ] || fail "$f left behind"
    done
    for f in result.json.tmp.young1 result.json.tmp.toolong1 other.json.tmp.abcdef notes.txt; do
        [ -e "$tmp/out/$f" ] || fail "$f removed"
    done
    [ -s "$tmp/out/result.json" ] || fail "no result"
    ;;
stdout-full) # output that cannot be written is an error (74), not a silent success
    [ -w /dev/full ] || skip "no /dev/full on this machine"
    expect_full() { # expect_full CMD...: stdout to /dev/full gives 74 and says so
        timeout 60 "$@" >/dev/full 2>"$tmp/stderr"
        local got=$?
        [ "$got" -eq 74 ] || { cat "$tmp/stderr" >&2; fail "exit $got, expected 74: $*"; }
        expect_msg "dmasim: cannot write standard output"
    }
    expect_full "$dmasim" --version
    expect_msg "cannot write standard output: No space left on device" # the reason, when known
    expect_full "$dmasim" --help
    expect_full "$dmasim" help run
    expect_full "$dmasim" run --help
    expect_full "$dmasim" check erlang --buffers 10 --load 5
    expect_full "$dmasim" trace info traces/default-mix.pcap
    expect_full "$dmasim" run configs/default.yaml --json -o "$tmp/json" --set run.replications=1
    expect_full "$dmasim" run configs/default.yaml -o "$tmp/summary" --set run.replications=1
    # the results folder is whole all the same: only standard output was lost
    jq -e '.nics | length == 1' "$tmp/summary/result.json" >/dev/null || fail "no result"
    # a closed standard output loses something only when something was printed
    timeout 60 "$dmasim" run configs/default.yaml -q -o "$tmp/closed" --set run.replications=1 >&- ||
        fail "run -q with standard output closed: exit $?"
    timeout 60 "$dmasim" --version >&- 2>/dev/null
    [ $? -eq 74 ] || fail "--version with standard output closed: not 74"
    # an error status of its own stays: bad usage is still 64
    expect_exit 64 "$dmasim" run --no-such-option
    timeout 60 "$dmasim" run --no-such-option >/dev/full 2>/dev/null
    [ $? -eq 64 ] || fail "usage error to /dev/full: not 64"
    ;;
small-machine) # the documented smallest memory runs: the default common-buffer region
    # shrinks to what fits; written out too large, it is an error at that key
    printf 'system: {memory: 64MiB}\nnics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]\n' >"$tmp/s.yaml"
    expect_exit 0 "$dmasim" run "$tmp/s.yaml" -q -o "$tmp/out"
    jq -e '.scenario.system.common_buffer_memory_bytes < 64 * 1048576' "$tmp/out/result.json" >/dev/null ||
        fail "common_buffer_memory: $(jq '.scenario.system.common_buffer_memory_bytes' "$tmp/out/result.json")"
    printf 'system: {memory: 64MiB, common_buffer_memory: 60MiB}\nnics: [{trace: {synthetic: {rate: 1kpps, count: 10}}}]\n' >"$tmp/t.yaml"
    expect_exit 65 "$dmasim" run "$tmp/t.yaml" -q -o "$tmp/out2"
    expect_msg "t.yaml:1:47: system.common_buffer_memory:"
    ;;
set-form) # a --set without KEY=VALUE is a usage error (64), before anything is loaded
    for c in run sweep recommend; do
        expect_exit 64 "$dmasim" $c configs/sweep-default.yaml -o "$tmp/out" --set run.replications
        expect_msg "dmasim $c: --set needs KEY=VALUE"
        expect_exit 64 "$dmasim" $c configs/sweep-default.yaml -o "$tmp/out" --set =5
    done
    [ ! -e "$tmp/out" ] || fail "output left behind"
    ;;
empty-outdir) # -o '' is a usage error, not a failed rename
    for c in run sweep recommend report merge; do
        expect_exit 64 "$dmasim" $c configs/sweep-default.yaml -o ''
        expect_msg "dmasim $c: -o needs a folder name"
    done
    ;;
check-inputs) # check erlang refuses what it cannot answer, naming the option, before running
    expect_exit 64 "$dmasim" check erlang --buffers 4097 --load 100
    expect_msg "bad value '4097' for --buffers"
    expect_exit 64 "$dmasim" check erlang --buffers 64 --blocking 1e-6 --replications 2 --frames 50000
    expect_msg "too few to tell; give --frames "
    # the frames it asks for would show 20 drops at B = 1e-6 over 2 replications
    need=$(sed -n 's/.*give --frames \([0-9]*\) or more.*/\1/p' "$tmp/stderr")
    awk -v n="$need" 'BEGIN { exit !(n * 1e-6 * 2 >= 20 && n * 1e-6 * 2 < 20.01) }' ||
        fail "asked for --frames '$need'"
    expect_exit 64 "$dmasim" check erlang --buffers 10 --load 1e300
    expect_msg "lower --load or lengthen --hold"
    expect_exit 64 "$dmasim" check erlang --buffers 10 --load 5 --hold 1ns
    expect_msg "--hold: needs a time from 1us to 1s"
    ! grep -q "check-erlang" "$tmp/stderr" || fail "an error names the check's own scenario"
    ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_"
