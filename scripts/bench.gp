# Chart of `make bench`: median BLKZEROOUT throughput per device and kernel.
# Called with -e "dat='...'; png='...'; mib=N".
set terminal pngcairo size 900,500 noenhanced
set output png
set title sprintf("BLKZEROOUT of %d MiB, median GiB/s (QEMU TCG guest: relative figures)", mib)
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "GiB/s"
set grid ytics
set key top left
plot dat using 2:xtic(1) title columnheader(2), \
     '' using 3 title columnheader(3), \
     '' using 4 title columnheader(4)
