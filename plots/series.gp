# dmasim plot template: time series of one NIC in replication 0: receive buffers held by
# protocols, map registers in use, receive FIFO level and the sends the driver holds
# (queued or on the ring), sampled
# at the run's --series interval; the warm-up is shaded.
#
# Set before this text:
#   formats, out, datafile (rows: time_ms buffers map_registers fifo_bytes sends_in_driver),
#   title_text, footer, warmup_ms, interval_text, ytop[1..4] the tops of the four y axes
set datafile missing "NaN"
do for [fmt in formats] {
    if (fmt eq "svg") {
        set terminal svg size 820, 900 dynamic enhanced font "DejaVu Sans,11" background rgb "white"
    } else {
        set terminal pngcairo size 820, 900 enhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output out . "." . fmt
    set label 99 footer at screen 0.01, screen 0.012 left font ",8" textcolor rgb "#555555"
    set multiplot layout 4, 1 title title_text margins 0.1, 0.95, 0.07, 0.93 spacing 0.06
    set grid lc rgb "#dddddd"
    unset key
    set object 1 rect from 0, graph 0 to warmup_ms, graph 1 behind fc rgb "#e8e8e8" fs solid noborder
    set label 1 "after warm-up" at first warmup_ms, graph 0.92 left offset 0.5, 0 font ",8" textcolor rgb "#777777"
    set autoscale xfix
    set format x ""
    set ylabel "receive buffers\nheld (buffers)"
    set yrange [0 : ytop[1]]
    plot datafile using 1:2 with steps lw 1.5 lc rgb "#1f77b4"
    set ylabel "map registers\nin use (registers)"
    set yrange [0 : ytop[2]]
    plot datafile using 1:3 with steps lw 1.5 lc rgb "#ff7f0e"
    set ylabel "receive FIFO\n(bytes)"
    set yrange [0 : ytop[3]]
    plot datafile using 1:4 with steps lw 1.5 lc rgb "#2ca02c"
    set format x "%g"
    set xlabel "simulated time (ms); " . interval_text
    set ylabel "sends in the\ndriver (packets)"
    set yrange [0 : ytop[4]]
    plot datafile using 1:5 with steps lw 1.5 lc rgb "#9467bd"
    unset multiplot
    unset object 1
    unset label 1
    unset xlabel
    unset output
}
