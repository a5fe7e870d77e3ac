# dmasim plot template: occupancy CCDF of one NIC's resources: the share of the measurement
# window during which more than k units were in use, against k. Read it as the sizing answer
# of a single run: a pool of k units would have been exhausted for that share of the time.
#
# Set before this text:
#   formats, out, datafile (per resource a block of "k share" rows, two blank lines apart),
#   nseries, series[i] the resources' names, title_text, xlabel_text, footer
set datafile missing "NaN"
do for [fmt in formats] {
    if (fmt eq "svg") {
        set terminal svg size 820, 480 dynamic enhanced font "DejaVu Sans,11" background rgb "white"
    } else {
        set terminal pngcairo size 820, 480 enhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output out . "." . fmt
    set label 99 footer at screen 0.01, screen 0.012 left font ",8" textcolor rgb "#555555"
    set title title_text
    set grid lc rgb "#dddddd"
    set logscale y
    set format y "10^{%T}"
    set xlabel xlabel_text
    set ylabel "P(in use > k), share of time"
    set key top right box opaque
    set bmargin 5
    set xrange [0:*]
    set offsets 0, 1, 0, 0
    plot for [i = 1:nseries] datafile index (i - 1) using 1:($2 > 0 ? $2 : NaN) with steps lw 2 title series[i]
    unset output
}
