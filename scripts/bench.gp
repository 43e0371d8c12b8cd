# Chart of `make bench`: the cost of every measure relative to the
# unpatched base (1.0), per kernel, on the bench's judging clock.
# Called with -e "dat='...'; png='...'; mib=N; clock='...'".
set terminal pngcairo size 1100,540 noenhanced
set output png
set title sprintf("make bench: cost relative to the unpatched base (lower is better), %d MiB zeroouts, QEMU TCG\n(i): icount clock (instructions, noise-free); (w): wall clock, where icount does not apply (host I/O); spreads in bench.txt", mib)
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "cost / base cost"
set yrange [0:*]
set grid ytics
set key outside right top
set xtics rotate by -35
plot for [i=2:*] dat using i:xtic(1) title columnheader(i), \
     1 with lines lc rgb "black" dt 2 notitle
