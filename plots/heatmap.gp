# dmasim plot template: heatmap of one figure over a two-axis sweep, one panel per NIC.
# Cells sit at the index of each axis value; the tics name the values, each cell is labelled
# with its mean, and cells that meet the objective are outlined in green.
#
# Set before this text:
#   formats, out, datafile (per panel a block of "ix iy mean meets label" rows, a blank line
#   after each ix; meets is 1 when the cell meets the objective, 0 when not, NaN without
#   one; label is the mean as shown, or "none" for a point without a result),
#   npanels, panel[i], title_text, xlabel_text, ylabel_text, cblabel_text, footer,
#   logcb (1: logarithmic colours), yfloor (values at or below it drawn at it),
#   cbtop (top of the colour scale), has_target (1 when an objective is set), the xtics and
#   ytics (set ... (label index, ...)), xmax and ymax (largest index); title_lines (2 when
#   the title names the values held fixed on a second line; 1 if unset)
# (NaN cells stay in the grid: "with image" needs every row whole, and leaves them blank)
clip(z) = (logcb && z <= yfloor) ? yfloor : z
if (!exists("title_lines")) title_lines = 1
top = 50.0 + 18 * (title_lines - 1)
do for [fmt in formats] {
    h = 70 + top + 420 * npanels
    if (fmt eq "svg") {
        set terminal svg size 820, h dynamic enhanced font "DejaVu Sans,11" background rgb "white"
    } else {
        set terminal pngcairo size 820, h enhanced font "DejaVu Sans,10" background rgb "white"
    }
    set output out . "." . fmt
    set label 99 footer at screen 0.01, screen 0.012 left font ",8" textcolor rgb "#555555"
    set multiplot layout npanels, 1 title title_text margins 0.12, 0.8, 75.0 / h, 1 - top / h spacing 0.1, 110.0 / h
    do for [i = 1:npanels] {
        set title panel[i] . (has_target ? "   (green outline: meets the objective)" : "")
        set xlabel xlabel_text
        set ylabel ylabel_text
        set cblabel cblabel_text offset 1, 0
        set xrange [-0.5 : xmax + 0.5]
        set yrange [-0.5 : ymax + 0.5]
        set palette defined (0 "#fff5eb", 0.5 "#fd8d3c", 1 "#7f2704")
        if (logcb) {
            set logscale cb; set format cb "10^{%T}"; set cbrange [yfloor : cbtop]
        } else {
            unset logscale cb; set format cb "%g"; set cbrange [0 : cbtop]
        }
        unset key
        set style textbox opaque fc rgb "white" noborder margins 1, 1
        plot datafile index (i - 1) using 1:2:(clip($3)) with image notitle, \
             '' index (i - 1) using 1:2:($4 > 0 ? 0.46 : NaN):(0.46) with boxxyerror fs empty lc rgb "#2ca02c" lw 3 notitle, \
             '' index (i - 1) using 1:2:5 with labels boxed font ",8" notitle
    }
    unset multiplot
    unset output
}
