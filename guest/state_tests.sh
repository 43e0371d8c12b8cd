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
echo "TAP version 13"
if [ "$pmdz_static" = yes ] && grep -q '^thp_zero_page_alloc ' /proc/vmstat; then
	# blkzeroout_test has read-faulted THP-aligned memory by now.
	check "no dynamic huge zero folio was allocated" 0 \
		"$(awk '$1 == "thp_zero_page_alloc" { print $2 }' /proc/vmstat)"
fi
# Zeroout bios: at most 1 MiB each (what 256 zero pages held), killable
# or not, built from 256 KiB bio_vecs of the static folio (all starting at
# its first byte) or from 4 KiB ZERO_PAGEs without it. So fallocate(
# FALLOC_FL_ZERO_RANGE) of 32 MiB on brd is 32 bios of 4 bio_vecs with the
# static folio and 32 bios of 256 without; BLKZEROOUT of 8 MiB is 8 bios
# of 4 or of 256. Counted by zbench with a kprobe on bio_add_page() and
# the block_bio_queue tracepoint, which also gives the largest bio.
if [ -b /dev/ram0 ] && [ -d /sys/kernel/tracing/events/block ]; then
	for how in fzero zeroout; do
		mib=8
		[ $how = fzero ] && mib=32
		line=$(zbench $how /dev/ram0 $mib 0 | grep 'kind=counts')
		echo "# $line"
		case "$pmdz_static" in
		yes)	want="bios=$mib bvecs=$((mib * 4))" ;;
		*)	want="bios=$mib bvecs=$((mib * 256))" ;;
		esac
		want="$want bvec_bytes=$((mib * 1048576))"
		got=$(echo "$line" | grep -o 'bios=[0-9]* bvecs=[0-9]* bvec_bytes=[0-9]*')
		check "$mib MiB $how on brd: bios, bio_vecs and their bytes" "$want" "$got"
		max=$(echo "$line" | sed -n 's/.*max_bio_bytes=\([0-9]*\).*/\1/p')
		check "$mib MiB $how on brd: largest bio is 1 MiB" 1048576 "$max"
	done
	# A filesystem's zeroout: ext4 (dioread_lock) converting an unwritten
	# extent zeroes the gaps between writes up to extent_max_zeroout_kb
	# with blkdev_issue_zeroout(): 8188 KiB per gap here.
	mkdir -p /mnt/st
	if mkfs.ext4 -q -F -E nodiscard /dev/ram0 >/tmp/st-mkfs.log 2>&1 &&
	   mount -t ext4 -o dioread_lock /dev/ram0 /mnt/st; then
		echo 16384 > /sys/fs/ext4/ram0/extent_max_zeroout_kb
		line=$(zbench unwritten /mnt/st/f 32 8192 0 | grep 'kind=counts')
		echo "# $line"
		umount /mnt/st
		max=$(echo "$line" | sed -n 's/.*max_bio_bytes=\([0-9]*\).*/\1/p')
		bios=$(echo "$line" | sed -n 's/.* bios=\([0-9]*\).*/\1/p')
		# 4 gaps of 8188 KiB: at least 24 bios if none is above 1 MiB.
		check "ext4 zeroout of unwritten extents on brd: bios seen" yes \
			"$([ "${bios:-0}" -ge 24 ] && echo yes || echo "no (${bios:-none})")"
		check "ext4 zeroout of unwritten extents on brd: largest bio at most 1 MiB" yes \
			"$([ -n "$max" ] && [ "$max" -le 1048576 ] && echo yes || echo "no (${max:-none})")"
	else
		sed 's/^/# /' /tmp/st-mkfs.log
		check "ext4 on brd for the zeroout of unwritten extents" ok failed
	fi
fi
# Devices the e2e tests use must take the fallback path, not an offload.
for d in ram0 nullb0 vda nullb_slow; do
	[ -e /sys/block/$d ] &&
		check "$d has no write zeroes offload" 0 "$(cat /sys/block/$d/queue/write_zeroes_max_bytes)"
done
echo "1..$n"
[ "$failed" -eq 0 ]
