#!/usr/bin/env bash
# End-to-end tests of `dmasim report`, one case per CTest test:
#   report.sh DMASIM PNG_STATS CASE
# Runs from the project root. Exit 0 = pass, 77 = skipped (said why), anything else = fail.
# Every plot goes through the real gnuplot; the HTML through headless Chromium.
set -uo pipefail
dmasim=$1
png_stats=$2
case_=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

expect_exit() { # expect_exit CODE CMD...
    local want=$1; shift
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [ "$got" -eq "$want" ] || { cat "$tmp/stderr" >&2; fail "exit $got, expected $want: $*"; }
}

# gnuplot said nothing: no warning from any template
quiet_gnuplot() {
    [ ! -s "$tmp/stderr" ] || { cat "$tmp/stderr" >&2; fail "gnuplot or dmasim wrote to stderr"; }
}

# check_plot DIR STEM: the four files, and images that are not blank
check_plot() {
    local d=$1 s=$2
    for e in dat gp svg png; do
        [ -s "$d/$s.$e" ] || fail "$d/$s.$e missing or empty"
    done
    grep -q '</svg>' "$d/$s.svg" || fail "$s.svg is not a complete SVG"
    local st colours ink
    st=$("$png_stats" "$d/$s.png") || fail "$s.png: cannot decode"
    colours=$(echo "$st" | sed -n 's/.*colours=\([0-9]*\).*/\1/p')
    ink=$(echo "$st" | sed -n 's/.*ink=0\.\([0-9]*\).*/\1/p')
    [ "$colours" -ge 16 ] || fail "$s.png looks blank: $st"
    [ "$((10#$ink))" -ge 100 ] || fail "$s.png has almost no ink: $st"
    # the .gp alone redraws the plot
    (cd "$d" && gnuplot -e 'formats="svg"; out="redraw"' "$s.gp") 2>"$tmp/gp.err" ||
        { cat "$tmp/gp.err" >&2; fail "gnuplot $s.gp failed on its own"; }
    cmp -s "$d/redraw.svg" "$d/$s.svg" || fail "$s.gp alone does not redraw $s.svg"
    rm -f "$d/redraw.svg"
}

# check_html FILE: self-contained, no script, no reference that leaves the file
check_html() {
    local h=$1
    [ -s "$h" ] || fail "$h missing"
    grep -q "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">" "$h" ||
        fail "no CSP meta tag in $h"
    ! grep -qi '<script' "$h" || fail "$h has a script"
    ! grep -qiE 'https?://|//[a-z0-9.-]+\.[a-z]{2,}/' "$h" || fail "$h names a URL: $(grep -oiE 'https?://[^ "]*' "$h" | head -3)"
    local bad
    bad=$(grep -oiE '(src|href)="[^"]{0,12}' "$h" | grep -viE '(src|href)="(data:|#)' || true)
    [ -z "$bad" ] || fail "$h references something outside the file: $bad"
    ! grep -qiE '<link|@import|url\(' "$h" || fail "$h loads a style sheet or font"
    grep -q '</html>' "$h" || fail "$h is not complete"
    ! ls "$(dirname "$h")" | grep -q '\.tmp' || fail "temporary files left in $(dirname "$h")"
}

# deterministic DIR: the same results give the same bytes; the date is the one field that
# may differ
deterministic() {
    local d=$1
    SOURCE_DATE_EPOCH=86400 "$dmasim" report "$d" -q -o "$tmp/det-a" || fail "report (a)"
    SOURCE_DATE_EPOCH=86400 "$dmasim" report "$d" -q -o "$tmp/det-b" || fail "report (b)"
    "$dmasim" report "$d" -q -o "$tmp/det-c" || fail "report (c)"
    for f in "$tmp"/det-a/*.dat "$tmp"/det-a/*.gp "$tmp/det-a/report.html"; do
        cmp "$f" "$tmp/det-b/$(basename "$f")" || fail "$(basename "$f") differs between reports"
    done
    grep -q '<td id="date">1970-01-02T00:00:00Z</td>' "$tmp/det-a/report.html" ||
        fail "SOURCE_DATE_EPOCH is not the report's date"
    diff <(grep -v 'id="date"' "$tmp/det-a/report.html") \
         <(grep -v 'id="date"' "$tmp/det-c/report.html") >/dev/null ||
        fail "reports of the same results differ outside the date"
    rm -rf "$tmp"/det-?
}

fixtures() { # fixtures KIND: a folder made from real runs
    tests/data/report/make-fixtures.sh "$dmasim" "$tmp/fx" "$1" >/dev/null ||
        fail "making the $1 folder"
}

case $case_ in
run) # a run folder: the time series of --series, through run --report
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/plain"
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/r" --series 250us --report
    quiet_gnuplot
    cmp "$tmp/plain/result.json" "$tmp/r/result.json" || fail "--series changed the results"
    # a later run into the folder without --series takes the old series.csv away
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/again" --series 250us
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/again"
    [ ! -e "$tmp/again/series.csv" ] || fail "an earlier run's series.csv was left beside new results"
    # and its report, which showed the results replaced (a report folder holding anything
    # else stays)
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/again" --report
    [ -s "$tmp/again/report/report.html" ] || fail "no report"
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/again"
    [ ! -e "$tmp/again/report" ] || fail "an earlier run's report was left beside new results"
    mkdir "$tmp/again/report" && : >"$tmp/again/report/notes.txt"
    expect_exit 0 "$dmasim" run configs/two-nics-one-bus.yaml -q -o "$tmp/again"
    [ -e "$tmp/again/report/notes.txt" ] || fail "a report folder with someone's file was removed"
    [ "$(head -n 1 "$tmp/r/series.csv")" = \
      "nic,time_ns,rx_buffers_held,map_registers_in_use,fifo_bytes,sends_in_driver" ] ||
        fail "series.csv header: $(head -n 1 "$tmp/r/series.csv")"
    for nic in $(jq -r '.nics[].name' "$tmp/r/result.json"); do
        check_plot "$tmp/r/report" "series-$nic"
        check_plot "$tmp/r/report" "ccdf-$nic"
        # the CCDF starts below 1 and falls: P(in use > k) of the receive buffers
        awk 'NF == 2 { if (n++ && $2 > prev + 1e-12) bad = 1; prev = $2 } END { exit bad || !n }' \
            "$tmp/r/report/ccdf-$nic.dat" || fail "ccdf-$nic.dat does not fall"
        grep -q "id=\"plot-series-$nic\"" "$tmp/r/report/report.html" || fail "no $nic series in the HTML"
    done
    check_html "$tmp/r/report/report.html"
    for w in 'id="objectives"' '<details id="scenario">' 'id="provenance"' 'scenario hash' \
             'SHA-256' 'Student-t' '<h2>NIC nic0</h2>' '<h2>NIC nic1</h2>' 'id="warnings"'; do
        grep -qF "$w" "$tmp/r/report/report.html" || fail "the HTML lacks $w"
    done
    deterministic "$tmp/r"
    # bounded memory: a tiny interval still gives at most 2048 samples per NIC, evenly spaced
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/fine" --series 1us \
        --set run.replications=1
    rows=$(grep -c '^nic0,' "$tmp/fine/series.csv")
    [ "$rows" -le 2048 ] && [ "$rows" -ge 1024 ] || fail "series.csv has $rows rows for nic0"
    steps=$(grep '^nic0,' "$tmp/fine/series.csv" | cut -d, -f2 | awk 'NR>1{print $1-p}{p=$1}' | sort -u | wc -l)
    [ "$steps" -eq 1 ] || fail "series samples are not evenly spaced"
    expect_exit 64 "$dmasim" run configs/default.yaml -q -o "$tmp/bad" --series 0us
    ;;
sweep-1d) # sizing curves, one panel per NIC
    fixtures sweep-1d
    expect_exit 0 "$dmasim" report "$tmp/fx/sweep-1d"
    grep -q '^dmasim report: sweep folder .*: 2 plots and report.html' "$tmp/stdout" ||
        fail "summary line: $(cat "$tmp/stdout")"
    check_plot "$tmp/fx/sweep-1d/report" sizing-rx_drop_rate
    check_plot "$tmp/fx/sweep-1d/report" sizing-tx_stall_ns_p99
    gp=$tmp/fx/sweep-1d/report/sizing-rx_drop_rate.gp
    grep -q '^logy = 1$' "$gp" || fail "drop rate not on a log axis"
    grep -q '^target = 0.001$' "$gp" || fail "objective line missing"
    grep -q '^array panel\[2\] = \["nic0", "nic1"\]$' "$gp" || fail "not one panel per NIC"
    grep -q 'ylabel_text = "receive drop rate (share)"' "$gp" || fail "no unit in the y label"
    grep -q 'footer = "sweep .*sizing.yaml | dmasim' "$gp" || fail "no footer with the scenario"
    # the data: x ascending, 7 sizes per NIC, mean between its bounds
    awk 'NF==4 { n++; if ($3 > $2 || $4 < $2) bad=1 } END { exit !(n == 14 && !bad) }' \
        "$tmp/fx/sweep-1d/report/sizing-rx_drop_rate.dat" || fail "sizing .dat is wrong"
    check_html "$tmp/fx/sweep-1d/report/report.html"
    deterministic "$tmp/fx/sweep-1d"
    ;;
sweep-2d) # heatmaps
    fixtures sweep-2d
    expect_exit 0 "$dmasim" report "$tmp/fx/sweep-2d" -q
    quiet_gnuplot
    check_plot "$tmp/fx/sweep-2d/report" heatmap-rx_drop_rate
    check_plot "$tmp/fx/sweep-2d/report" heatmap-tx_stall_ns_p99
    dat=$tmp/fx/sweep-2d/report/heatmap-rx_drop_rate.dat
    [ "$(awk 'NF==5' "$dat" | wc -l)" -eq 40 ] || fail "heatmap .dat: expected 5 x 4 cells per NIC"
    grep -q '^set xtics ("4" 0, "8" 1, "16" 2, "24" 3, "32" 4)$' \
        "$tmp/fx/sweep-2d/report/heatmap-rx_drop_rate.gp" || fail "x tics do not name the sizes"
    check_html "$tmp/fx/sweep-2d/report/report.html"
    deterministic "$tmp/fx/sweep-2d"
    ;;
sweep-3d) # more than two axes: one heatmap per value of the third, on one colour scale;
    # axes of values with units; too many combinations say so instead of drawing
    "$dmasim" sweep configs/sweep-default.yaml -o "$tmp/s3" -q -j 2 --set run.replications=1 \
        --axis 'nics[0].protocol.hold.mean=10us,60us'
    [ $? -eq 14 ] || fail "sweep: exit status (two points fail on purpose)"
    expect_exit 0 "$dmasim" report "$tmp/s3"
    quiet_gnuplot
    d=$tmp/s3/report
    grep -q '6 plots' "$tmp/stdout" || fail "expected 6 plots: $(cat "$tmp/stdout")"
    for fig in rx_drop_rate rx_resources_share tx_stall_ns_p99; do
        for s in 1-10us 2-60us; do
            check_plot "$d" "heatmap-$fig-$s"
            [ "$(awk 'NF==5' "$d/heatmap-$fig-$s.dat" | wc -l)" -eq 8 ] ||
                fail "heatmap-$fig-$s.dat: expected 2 x 4 cells"
        done
        grep -q "^title_text = .*\\nat nics\[0\]\.protocol\.hold\.mean = 60us\"\$" \
            "$d/heatmap-$fig-2-60us.gp" || fail "$fig: the title does not name the slice"
        [ "$(grep -h '^cbtop = ' "$d/heatmap-$fig-1-10us.gp")" = \
          "$(grep -h '^cbtop = ' "$d/heatmap-$fig-2-60us.gp")" ] || fail "$fig: colour scales differ"
    done
    # the slices differ where the hold time matters: the longer hold holds more buffers
    ! cmp -s "$d/heatmap-rx_resources_share-1-10us.dat" "$d/heatmap-rx_resources_share-2-60us.dat" ||
        fail "both slices show the same cells"
    check_html "$d/report.html"
    deterministic "$tmp/s3"
    # a swept key of values with units is an axis too, its tics the values as written
    "$dmasim" sweep configs/default.yaml -o "$tmp/units" -q -j 2 --set run.replications=1 \
        --set nics[0].trace.loop=1 --axis 'nics[0].protocol.hold.mean=10us,60us' \
        --axis 'nics[0].driver.BaseMapRegistersNeeded=8,16' || fail "sweep with units"
    expect_exit 0 "$dmasim" report "$tmp/units" -q
    grep -q '^set xtics ("10us" 0, "60us" 1)$' "$tmp/units/report/heatmap-rx_drop_rate.gp" ||
        fail "x tics: $(grep '^set xtics' "$tmp/units/report/heatmap-rx_drop_rate.gp")"
    # a sweep into the folder again, without --report, leaves no report of the old results
    cp -r "$tmp/units" "$tmp/units-again"
    "$dmasim" sweep configs/default.yaml -o "$tmp/units-again" -q -j 2 --resume \
        --set run.replications=1 --set nics[0].trace.loop=1 \
        --axis 'nics[0].protocol.hold.mean=10us,60us' \
        --axis 'nics[0].driver.BaseMapRegistersNeeded=8,16' || fail "sweep --resume"
    [ ! -e "$tmp/units-again/report" ] || fail "an earlier sweep report was left beside new results"
    # 13 values of a third key: no heatmaps, and the report says why (stderr and HTML)
    "$dmasim" sweep configs/default.yaml -o "$tmp/many" -q -j 2 --set run.replications=1 \
        --set nics[0].trace.loop=1 --axis 'nics[0].protocol.hold.mean=10us,60us' \
        --axis 'nics[0].driver.BaseMapRegistersNeeded=8,16' \
        --axis 'nics[0].driver.CopyThreshold=0,64,128,192,256,320,384,448,512,576,640,704,768' ||
        fail "sweep of 52 points"
    expect_exit 0 "$dmasim" report "$tmp/many"
    grep -qF "No heatmaps: the keys after the first two (nics[0].driver.CopyThreshold) take more than 12" "$tmp/stderr" ||
        fail "no note on stderr: $(cat "$tmp/stderr")"
    [ -z "$(ls "$tmp/many/report" | grep '^heatmap')" ] || fail "heatmaps drawn all the same"
    grep -q '<li>No heatmaps: ' "$tmp/many/report/report.html" || fail "no warning in the HTML"
    # one -o for two reports: the second does not keep the first one's plots
    expect_exit 0 "$dmasim" report "$tmp/s3" -o "$tmp/shared" -q
    expect_exit 0 "$dmasim" report "$tmp/units" -o "$tmp/shared" -q
    [ -z "$(ls "$tmp/shared" | grep -- '-10us\.')" ] || fail "the first report's plots stayed"
    # a folder of the user's own pictures and pages, with no report.html, is no old report
    mkdir "$tmp/pics" && echo x >"$tmp/pics/holiday.png" && echo x >"$tmp/pics/notes.html"
    expect_exit 0 "$dmasim" report "$tmp/units" -o "$tmp/pics" -q
    [ -s "$tmp/pics/holiday.png" ] && [ -s "$tmp/pics/notes.html" ] && [ -s "$tmp/pics/report.html" ] ||
        fail "report -o removed files it had not written: $(ls "$tmp/pics")"
    ;;
sweep-failed) # every point failed: a report with no plots that says why; an error text
    # with a line break (from a file name) stays on one row of points.csv
    printf 'nics:\n  - trace: {pcap: "%s/a\\nb.pcap"}\nrun: {replications: 1}\n' "$tmp" >"$tmp/s.yaml"
    "$dmasim" sweep "$tmp/s.yaml" -o "$tmp/f" -q --axis 'nics[0].driver.ReceiveBuffers=32,64'
    [ $? -eq 14 ] || fail "sweep: expected exit 14 (every point fails)"
    [ "$(wc -l <"$tmp/f/points.csv")" -eq 3 ] || fail "points.csv: header + 2 rows expected: $(cat "$tmp/f/points.csv")"
    grep -q ',failed,[^,]*s\.yaml:2:19: nics\[0\]\.trace\.pcap: [^,]*a b\.pcap: cannot open: No such file or directory,' "$tmp/f/points.csv" ||
        fail "error column: $(cut -d, -f1-5 "$tmp/f/points.csv")"
    expect_exit 0 "$dmasim" report "$tmp/f"
    grep -q '0 plots' "$tmp/stdout" || fail "expected no plots: $(cat "$tmp/stdout")"
    grep -q '<li>No plots: no point of the sweep has a figure to draw' "$tmp/f/report/report.html" ||
        fail "no note in the HTML"
    check_html "$tmp/f/report/report.html"
    ;;
sweep-real) # a folder dmasim sweep wrote (tests/data/report/sweep-default): two axes, a zip,
    # failed points
    cp -r tests/data/report/sweep-default "$tmp/sw"
    expect_exit 0 "$dmasim" report "$tmp/sw" -q
    quiet_gnuplot
    for fig in rx_drop_rate rx_resources_share tx_stall_ns_p99; do
        check_plot "$tmp/sw/report" "heatmap-$fig"
    done
    gp=$tmp/sw/report/heatmap-rx_drop_rate.gp
    grep -q '^xlabel_text = "nics\[0\].driver.BaseMapRegistersNeeded"$' "$gp" || fail "x axis"
    grep -q '^ylabel_text = "nics\[0\].driver.ReceiveBuffers"$' "$gp" ||
        fail "y axis: the zipped MaxReceiveBuffers is no axis of its own"
    grep -q '^set ytics ("16" 0, "64" 1, "256" 2, "1024" 3)$' "$gp" || fail "y tics"
    [ "$(grep -c ' none$' "$tmp/sw/report/heatmap-rx_drop_rate.dat")" -eq 3 ] ||
        fail "expected 3 cells without a result (2 failed, 1 excluded)"
    h=$tmp/sw/report/report.html
    check_html "$h"
    [ "$(grep -c '<li>Point .*: failed: nic0 did not initialize' "$h")" -eq 2 ] ||
        fail "the two failed points are not among the warnings"
    grep -q '<td class="met">5 of 5 (points without a result left out)</td>' "$h" || fail "objectives at a glance: $(grep -o 'of [0-9]*</td>' "$h" | head -3)"
    deterministic "$tmp/sw"
    # sweep --report writes the same report as dmasim report on the finished folder; a shard
    # is not reported alone
    "$dmasim" sweep configs/sweep-default.yaml -o "$tmp/swr" -j 2 -q --report
    [ $? -eq 14 ] || fail "sweep --report: exit status (two points fail on purpose)"
    for fig in rx_drop_rate rx_resources_share tx_stall_ns_p99; do
        check_plot "$tmp/swr/report" "heatmap-$fig"
    done
    check_html "$tmp/swr/report/report.html"
    "$dmasim" sweep configs/sweep-default.yaml -o "$tmp/shard" -j 2 --shard 2/3 --report \
        2>"$tmp/shard.err" || fail "sweep shard 2/3 --report"
    [ ! -e "$tmp/shard/report" ] || fail "a shard was reported alone"
    grep -q "run 'dmasim report' on the merged folder" "$tmp/shard.err" || fail "no note for the shard"
    ;;
recommend) # dmasim recommend's folder: the table on top, the search's curves per profile
    expect_exit 0 "$dmasim" recommend tests/data/report/sizing.yaml -o "$tmp/rec" -j 2 -q --report
    quiet_gnuplot
    d=$tmp/rec/report
    for p in up smp; do
        for k in ReceiveBuffers BaseMapRegistersNeeded; do
            check_plot "$d" "sizing-$p-$k"
        done
    done
    # the recommended value is marked in each NIC's panel and equals recommendation.json's
    want=$(jq -c '[.nics[].profiles[0].values.ReceiveBuffers.value]' "$tmp/rec/recommendation.json")
    got=$(sed -n 's/^array mark\[2\] = \[\(.*\)\]$/[\1]/p' "$d/sizing-up-ReceiveBuffers.gp" | tr -d ' ')
    [ "$got" = "$want" ] || fail "marks $got, recommendation $want"
    # every point of the curve is a row of curves.csv
    rows=$(awk -F, '$1 == "up" && $3 == "ReceiveBuffers" && $5 == "rx_drop_rate"' "$tmp/rec/curves.csv" | wc -l)
    [ "$(awk 'NF == 4' "$d/sizing-up-ReceiveBuffers.dat" | wc -l)" -eq "$rows" ] ||
        fail "the curve does not have the $rows points of curves.csv"
    # without curves.csv the kept runs of the search's own folders give the same points
    # (runs/PROFILE/NIC/KEYWORD/VALUE, five levels down), and no plot for a derived keyword
    cp -r "$tmp/rec" "$tmp/nocurves" && rm -rf "$tmp/nocurves/curves.csv" "$tmp/nocurves/report"
    expect_exit 0 "$dmasim" report "$tmp/nocurves" -q
    cut -d' ' -f1,2 "$d/sizing-up-ReceiveBuffers.dat" >"$tmp/with.txt"
    cut -d' ' -f1,2 "$tmp/nocurves/report/sizing-up-ReceiveBuffers.dat" >"$tmp/without.txt"
    # (curves.csv keeps fewer digits than result.json: the means agree to 1e-6)
    paste -d' ' "$tmp/with.txt" "$tmp/without.txt" | awk 'NF == 0 { next }
        NF != 4 || $1 != $3 || ($2 - $4) ^ 2 > 1e-12 * ($2 ^ 2 + 1e-30) { bad = 1 } END { exit bad }' ||
        fail "without curves.csv: $(tr '\n' ' ' <"$tmp/without.txt") against $(tr '\n' ' ' <"$tmp/with.txt")"
    [ "$(wc -l <"$tmp/with.txt")" -eq "$(wc -l <"$tmp/without.txt")" ] || fail "without curves.csv: other points"
    [ ! -e "$tmp/nocurves/report/sizing-up-PacketPoolSize.dat" ] || fail "a plot of a keyword never searched"
    h=$d/report.html
    check_html "$h"
    first=$(grep -n '<table' "$h" | head -n 1)
    echo "$first" | grep -q 'id="recommendation"' || fail "the recommendation table is not the first: $first"
    for v in $(jq -r '.nics[0].profiles[0].values | to_entries[] | .key' "$tmp/rec/recommendation.json"); do
        grep -q "<td>$v</td>" "$h" || fail "keyword $v missing from the table"
    done
    deterministic "$tmp/rec"
    # a recommendation into the folder again, without --report, leaves no report of the old
    # answer
    [ -e "$tmp/nocurves/report/report.html" ] || fail "no report to replace"
    expect_exit 0 "$dmasim" recommend tests/data/report/sizing.yaml -o "$tmp/nocurves" -j 2 -q
    [ ! -e "$tmp/nocurves/report" ] || fail "an earlier recommendation's report was left beside a new one"
    ;;
recommend-fixture) # a recommend folder without curves.csv: curves from the runs kept
    fixtures recommend
    expect_exit 0 "$dmasim" report "$tmp/fx/recommend" -q
    quiet_gnuplot
    d=$tmp/fx/recommend/report
    for p in client server; do
        for k in ReceiveBuffers BaseMapRegistersNeeded; do
            check_plot "$d" "sizing-$p-$k"
        done
    done
    want=$(jq -c '[.nics[].profiles[0].values.ReceiveBuffers.value]' "$tmp/fx/recommend/recommendation.json")
    got=$(sed -n 's/^array mark\[2\] = \[\(.*\)\]$/[\1]/p' "$d/sizing-client-ReceiveBuffers.gp" | tr -d ' ')
    [ "$got" = "$want" ] || fail "marks $got, recommendation $want"
    # the ReceiveBuffers search: the 5 sizes run with the other keyword held
    [ "$(awk 'NF == 4' "$d/sizing-client-ReceiveBuffers.dat" | wc -l)" -eq 10 ] ||
        fail "expected 5 points per NIC"
    check_html "$d/report.html"
    grep -q '<table id="recommendation">' "$d/report.html" || fail "no recommendation table"
    ;;
no-gnuplot) # gnuplot missing: exit 69, the .dat and .gp files are still written
    fixtures sweep-1d
    expect_exit 69 env PATH=/nonexistent "$dmasim" report "$tmp/fx/sweep-1d" -o "$tmp/out"
    grep -q 'gnuplot not found' "$tmp/stderr" || fail "message: $(cat "$tmp/stderr")"
    ls "$tmp/out"/*.dat "$tmp/out"/*.gp >/dev/null 2>&1 || fail "no .dat or .gp written"
    ! ls "$tmp/out" | grep -qE '\.(svg|png|html)$' || fail "images or HTML without gnuplot"
    expect_exit 69 env DMASIM_GNUPLOT=/nonexistent/gnuplot "$dmasim" report "$tmp/fx/sweep-1d" -o "$tmp/out2"
    # a recommendation whose objectives are not met keeps its 10 when --report cannot draw
    expect_exit 10 env DMASIM_GNUPLOT=/nonexistent/gnuplot "$dmasim" recommend \
        tests/data/recommend/saturated.yaml -o "$tmp/rec" -q --report
    grep -q 'gnuplot not found' "$tmp/stderr" || fail "recommend --report: $(cat "$tmp/stderr")"
    # the scripts written without gnuplot are the ones a later run draws from
    expect_exit 0 "$dmasim" report "$tmp/fx/sweep-1d" -o "$tmp/out3" -q
    for f in "$tmp"/out/*.dat "$tmp"/out/*.gp; do
        cmp "$f" "$tmp/out3/$(basename "$f")" || fail "$(basename "$f") differs"
    done
    ;;
formats) # --format picks the outputs; errors are clear
    expect_exit 0 "$dmasim" run configs/default.yaml -q -o "$tmp/r" --series 1ms --set run.replications=2
    expect_exit 0 "$dmasim" report "$tmp/r" -q -o "$tmp/png" --format png
    [ -s "$tmp/png/series-nic0.png" ] && [ ! -e "$tmp/png/series-nic0.svg" ] &&
        [ ! -e "$tmp/png/report.html" ] || fail "--format png: $(ls "$tmp/png")"
    expect_exit 0 "$dmasim" report "$tmp/r" -q -o "$tmp/hp" --format html,png
    grep -q 'src="data:image/png;base64,' "$tmp/hp/report.html" || fail "html,png: no inline PNG"
    [ ! -e "$tmp/hp/series-nic0.svg" ] || fail "html,png wrote an SVG"
    expect_exit 0 "$dmasim" report "$tmp/r" -q -o "$tmp/h" --format html
    grep -q 'src="data:image/svg+xml;base64,' "$tmp/h/report.html" || fail "html: no inline SVG"
    [ ! -e "$tmp/h/series-nic0.svg" ] && [ ! -e "$tmp/h/series-nic0.png" ] ||
        fail "--format html left image files"
    expect_exit 64 "$dmasim" report "$tmp/r" --format pdf
    expect_exit 64 "$dmasim" report
    expect_exit 66 "$dmasim" report "$tmp/nothing-here"
    grep -q 'nothing-here: no such folder' "$tmp/stderr" || fail "message: $(cat "$tmp/stderr")"
    mkdir "$tmp/empty"
    expect_exit 66 "$dmasim" report "$tmp/empty"
    grep -q 'empty: not a result folder' "$tmp/stderr" || fail "message: $(cat "$tmp/stderr")"
    expect_exit 66 "$dmasim" report "$tmp/r/result.json"
    grep -q 'result.json: not a folder' "$tmp/stderr" || fail "message: $(cat "$tmp/stderr")"
    mkdir "$tmp/broken" && printf '{\n  "nics": [1,\n}\n' >"$tmp/broken/result.json"
    expect_exit 65 "$dmasim" report "$tmp/broken"
    grep -q 'broken/result.json:3:1: bad JSON' "$tmp/stderr" || fail "message: $(cat "$tmp/stderr")"
    # JSON that is not a result.json is refused too, not drawn with "nan" in it
    for j in '[]' '{}' '{"schema_version": 99}' '{"schema_version": 1, "replications": -1, "nics": []}'; do
        echo "$j" >"$tmp/broken/result.json"
        expect_exit 65 "$dmasim" report "$tmp/broken"
        grep -q 'broken/result.json: .*\(not a result.json\|schema_version\)' "$tmp/stderr" ||
            fail "$j: $(cat "$tmp/stderr")"
    done
    [ ! -e "$tmp/broken/report" ] || fail "output left for a bad folder"
    ;;
chromium) # the HTML in a real browser: not blank, the table in the DOM, no request leaves
    browser=$(command -v chromium || command -v chromium-browser || true)
    [ -n "$browser" ] || skip "chromium is not installed (scripts/test-setup installs it)"
    expect_exit 0 "$dmasim" recommend tests/data/report/sizing.yaml -o "$tmp/rec" -j 2 -q
    expect_exit 0 "$dmasim" report "$tmp/rec" -q -o "$tmp/rep"
    chrome() { # chrome OUTPUT-FLAGS... URL
        local ud
        ud=$(mktemp -d "$tmp/profile.XXXX")
        timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
            --no-first-run --disable-background-networking --disable-component-update \
            --disable-sync --user-data-dir="$ud" --window-size=1100,1600 "$@" 2>>"$tmp/chrome.err"
    }
    chrome --screenshot="$tmp/shot.png" --log-net-log="$tmp/net.json" \
        --net-log-capture-mode=Everything "file://$tmp/rep/report.html" >/dev/null ||
        { tail -5 "$tmp/chrome.err" >&2; fail "chromium --screenshot failed"; }
    st=$("$png_stats" "$tmp/shot.png") || fail "screenshot: cannot decode"
    echo "screenshot: $st"
    colours=$(echo "$st" | sed -n 's/.*colours=\([0-9]*\).*/\1/p')
    ink=$(echo "$st" | sed -n 's/.*ink=0\.\([0-9]*\).*/\1/p')
    [ "$colours" -ge 64 ] && [ "$((10#$ink))" -ge 500 ] || fail "the screenshot looks blank: $st"
    chrome --dump-dom "file://$tmp/rep/report.html" >"$tmp/dom.html" || fail "--dump-dom failed"
    grep -q '<table id="recommendation">' "$tmp/dom.html" || fail "no recommendation table in the DOM"
    [ "$(grep -c '<img alt=' "$tmp/dom.html")" -eq 4 ] || fail "expected 4 images in the DOM"
    # requests the page made (the browser's own have initiator "not an origin")
    page_requests() {
        jq -r '(.constants.logEventTypes.URL_REQUEST_START_JOB) as $t | .events[]
               | select(.type == $t) | .params | select(.url != null and .initiator != "not an origin") | .url' "$1" |
            grep -vE '^(file:|data:)' || true
    }
    out=$(page_requests "$tmp/net.json")
    [ -z "$out" ] || fail "the report made requests: $out"
    # the check itself can fail: the same page without its CSP and with one remote image
    sed -e 's|<meta http-equiv="Content-Security-Policy"[^>]*>||' \
        -e 's|</h1>|</h1><img src="http://127.0.0.1:9/probe.png">|' "$tmp/rep/report.html" >"$tmp/rep/probe.html"
    chrome --screenshot="$tmp/probe.png" --log-net-log="$tmp/probe.json" \
        --net-log-capture-mode=Everything "file://$tmp/rep/probe.html" >/dev/null || true
    page_requests "$tmp/probe.json" | grep -q '127.0.0.1:9/probe.png' ||
        fail "the net-log check did not see a request it should have"
    ;;
*) fail "unknown case $case_" ;;
esac
echo "ok: $case_"
