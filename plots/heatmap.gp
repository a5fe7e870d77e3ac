# dmasim plot template: heatmap of one figure over a two-axis sweep, one panel per NIC.
# Cells sit at the index of each axis value; the tics name the values, each cell is labelled
# with its mean, and cells that meet the objective are outlined in the key's colour scale.
#
# Set before this text:
#   formats, out, datafile (per panel a block of "ix iy mean" rows, a blank line after each ix),
#   npanels, panel[i], title_text, xlabel_text, ylabel_text, cblabel_text, footer,
#   logcb (1: logarithmic colours), yfloor (values at or below it drawn at it),
#   the xtics and ytics (set ... (label index, ...)), xmax and ymax (largest index)
set datafile missing "NaN"
clip(z) = (logcb && z <= yfloor) ? yfloor : z
do for [fmt in formats] {
    h = 80 + 380 * npanels
    if (fmt eq "svg") {
        set terminal svg size 820, h dynamic enhanced font "DejaVu Sans,11" background rgb "white"
    } else {
        set terminal pngcairo size 820, h enhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output out . "." . fmt
    set label 99 footer at screen 0.01, screen 0.012 left font ",8" textcolor rgb "#555555"
    set multiplot layout npanels, 1 title title_text margins 0.12, 0.85, 0.08, 0.92 spacing 0.12
    do for [i = 1:npanels] {
        set title panel[i]
        set xlabel xlabel_text
        set ylabel ylabel_text
        set cblabel cblabel_text
        set xrange [-0.5 : xmax + 0.5]
        set yrange [-0.5 : ymax + 0.5]
        set palette defined (0 "#fff5eb", 0.5 "#fd8d3c", 1 "#7f2704")
        if (logcb) { set logscale cb; set format cb "10^{%T}" } else { unset logscale cb; set format cb "%g" }
        unset key
        plot datafile index (i - 1) using 1:2:(clip($3)) with image, \
             '' index (i - 1) using 1:2:(sprintf("%.3g", $3)) with labels font ",8"
    }
    unset multiplot
    unset output
}
