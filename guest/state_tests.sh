#!/bin/sh
# Is the static zero folio in the state the host expects? The host passes
# pmdz_static=yes|no|absent: in use / built but not in use (=n at runtime,
# or static_pmd_zero_page=off) / not built. TAP for the host.
n=0 failed=0
check() {	# check NAME WANT GOT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "# expected '$2', got '$3'"
		echo "not ok $n $1"; failed=$((failed + 1))
	fi
}
f=/sys/kernel/mm/static_pmd_zero_page/size
got=absent
[ -e $f ] && got=$(cat $f)
case "$pmdz_static" in
yes)	want=2097152 ;;
no)	want=0 ;;
*)	want=absent ;;
esac
echo "TAP version 13"
check "sysfs static_pmd_zero_page/size" "$want" "$got"
if [ "$pmdz_static" = yes ] && grep -q '^thp_zero_page_alloc ' /proc/vmstat; then
	# blkzeroout_test has read-faulted THP-aligned memory by now.
	check "no dynamic huge zero folio was allocated" 0 \
		"$(awk '$1 == "thp_zero_page_alloc" { print $2 }' /proc/vmstat)"
fi
# One bio_vec per zero folio. fallocate(FALLOC_FL_ZERO_RANGE) of 32 MiB on
# brd must be built from 2 MiB segments with the static folio (16 of them,
# in one bio: more than a bio holds inline) and from 4 KiB ones without
# (8192, in bios of 256). BLKZEROOUT can be killed, so its bios stay at
# 1 MiB: one 1 MiB segment each with the static folio, 256 of 4 KiB
# without. Counted by zbench with a kprobe on bio_add_page() and the
# block_bio_queue tracepoint.
if [ -b /dev/ram0 ] && [ -d /sys/kernel/tracing/events/block ]; then
	for how in fzero zeroout; do
		mib=8
		[ $how = fzero ] && mib=32
		line=$(zbench $how /dev/ram0 $mib 0 | grep 'kind=counts')
		echo "# $line"
		case "$pmdz_static.$how" in
		yes.fzero)	want="bios=1 bvecs=16" ;;
		yes.zeroout)	want="bios=8 bvecs=8" ;;
		*.fzero)	want="bios=32 bvecs=8192" ;;
		*)		want="bios=8 bvecs=2048" ;;
		esac
		want="$want bvec_bytes=$((mib * 1048576))"
		got=$(echo "$line" | grep -o 'bios=[0-9]* bvecs=[0-9]* bvec_bytes=[0-9]*')
		check "$mib MiB $how on brd: bios, bio_vecs and their bytes" "$want" "$got"
	done
fi
# Devices the e2e tests use must take the fallback path, not an offload.
for d in ram0 nullb0 vda nullb_slow; do
	[ -e /sys/block/$d ] &&
		check "$d has no write zeroes offload" 0 "$(cat /sys/block/$d/queue/write_zeroes_max_bytes)"
done
echo "1..$n"
[ "$failed" -eq 0 ]
