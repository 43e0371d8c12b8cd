# Chart of `make bench`: the cost of every measure relative to the
# unpatched base (1.0), per kernel, on the bench's judging clock.
# Called with -e "dat='...'; png='...'; mib=N; clock='...'; nk=N" (nk: the
# number of kernels; bench.dat has three columns per kernel: the median's
# ratio to the base median, and the fastest and slowest boot's).
set terminal pngcairo size 1100,540 noenhanced
set output png
set title sprintf("make bench: cost relative to the unpatched base (lower is better), %d MiB zeroouts, QEMU TCG\n(i): icount clock (noise-free), (w): wall clock (host I/O); bars: median over boots, whiskers: fastest and slowest boot", mib)
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "cost / base cost"
set yrange [0:*]
set grid ytics
set key outside right top
set xtics rotate by -35
plot for [i=0:nk-1] dat using (column(2+3*i)):(column(3+3*i)):(column(4+3*i)):xtic(1) title columnheader(2+3*i), \
     1 with lines lc rgb "black" dt 2 notitle
