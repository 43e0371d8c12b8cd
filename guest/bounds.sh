#!/bin/sh
# The in-guest half of `make bench-bounds`: for each bio bound and bio_vec
# size in pmdz_bounds (BIO_KB:VEC_KB,...; a kernel built with the two as
# parameters of block/blk-lib.c, /sys/module/blk_lib/parameters/), measure
# the zeroout on null_blk (no backing store) and brd, the kill latency and
# the worst scheduling delay next to a non-killable zeroout on brd. The
# unpatched base has no parameters and runs the list once, as "base".
# Prints BENCH lines, each preceded by a "BENCH kind=bound" line.
mib=${pmdz_bench_mib:-1024}
reps=${pmdz_bench_reps:-3}
p=/sys/module/blk_lib/parameters
echo "BENCH kind=info clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
     "zero_folio=$(dmesg | grep -q 'static PMD zero folio: .* in use' && echo 2097152 || echo none)"
sh /bin/nullb.sh make nullb_kill 4096 0 64 >/dev/null
list=$(echo "${pmdz_bounds:-base}" | tr ',' ' ')
[ -d $p ] || list=base
for b in $list; do
	if [ "$b" != base ]; then
		echo "${b%%:*}" > $p/pmdz_bio_kb && echo "${b##*:}" > $p/pmdz_vec_kb ||
			{ echo "# cannot set $b"; continue; }
	fi
	echo "BENCH kind=bound bound=$b"
	zbench zeroout /dev/nullb0 "$mib" "$reps"
	zbench fzero /dev/ram0 "$mib" "$reps"
	zbench kill /dev/nullb_kill 4096 300 "$reps"
	schedlat /dev/ram0 64 4 "$reps"
done
