# dmasim plot template: sizing curve. One objective's figure (mean, with its confidence
# band) against the size of one resource, one panel per NIC; the objective's target as a
# horizontal line and the recommended size as a vertical one.
#
# Set before this text (dmasim report writes them at the top of each .gp):
#   formats      words: svg, png (e.g. gnuplot -e 'formats="png"' plot.gp)
#   out          output file name without extension
#   datafile     the .dat: per panel a block (x mean lower upper), blocks two blank lines apart
#   npanels      number of panels; panel[i] their titles
#   title_text, xlabel_text, ylabel_text, footer
#   logx, logy   1 for a logarithmic axis
#   yfloor       on a log axis, values at or below it (zero drops) are drawn at it
#   target       the objective (NaN: none); mark[i] the recommended size of panel i (NaN: none)
#   ci_label     the band's key entry; ytop[i] the top of panel i's y axis (above the data
#                and the objective)
set datafile missing "NaN"
clip(y) = (logy && y <= yfloor) ? yfloor : y
do for [fmt in formats] {
    h = 120 + 320 * npanels
    if (fmt eq "svg") {
        set terminal svg size 820, h dynamic enhanced font "DejaVu Sans,11" background rgb "white"
    } else {
        set terminal pngcairo size 820, h enhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output out . "." . fmt
    set label 99 footer at screen 0.01, screen 0.012 left font ",8" textcolor rgb "#555555"
    set multiplot layout npanels, 1 title title_text margins 0.1, 0.95, 75.0 / h, 1 - 50.0 / h spacing 0.1, 100.0 / h
    do for [i = 1:npanels] {
        set grid lc rgb "#dddddd"
        set key top right box opaque
        set xlabel xlabel_text
        set ylabel ylabel_text
        set title panel[i]
        if (logx) { set logscale x 2 } else { unset logscale x }
        if (logy) {
            set logscale y; set format y "10^{%T}"; set yrange [yfloor:ytop[i]]
            set label 4 "values of 0 are drawn on the bottom edge" at graph 0.99, graph 0.04 right font ",8" textcolor rgb "#777777"
        } else {
            unset logscale y; set format y "%g"; unset label 4
            set yrange [0:ytop[i]]
        }
        unset arrow
        if (target == target) {
            set arrow 1 from graph 0, first target to graph 1, first target nohead lc rgb "#d62728" lw 1.5 dt 2
            set label 1 "objective" at graph 0.01, first target offset 0, 0.6 textcolor rgb "#d62728" font ",9"
        } else {
            unset label 1
        }
        if (mark[i] == mark[i]) {
            set arrow 2 from first mark[i], graph 0 to first mark[i], graph 1 nohead lc rgb "#2ca02c" lw 1.5
            set label 2 sprintf("recommended %g", mark[i]) at first mark[i], graph 0.95 offset 0.5, 0 textcolor rgb "#2ca02c" font ",9"
        } else {
            unset label 2
        }
        plot datafile index (i - 1) using 1:(clip($3)):(clip($4)) with filledcurves lc rgb "#c6dbef" fs solid 0.6 title ci_label, \
             '' index (i - 1) using 1:(clip($2)) with linespoints lw 2 pt 7 ps 0.8 lc rgb "#1f77b4" title "mean"
    }
    unset multiplot
    unset output
}
