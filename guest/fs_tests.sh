#!/bin/sh
# Filesystem users of the zero folio, as TAP for the host:
#  - iomap_dio_zero(): sub-block direct writes on XFS with 16k and 64k
#    blocks (above PAGE_SIZE) and on ext4, read back and verified; on XFS
#    the pads of the 512-byte writes traced (bio_add_folio_nofail() and
#    block_bio_queue): their largest is a block less 512 bytes, in one
#    bio_vec with the static folio and in 4 KiB bio_vecs without it;
#  - a direct write whose user buffer faults part-way (dio_fault): -EFAULT
#    or a short count whose data is there, never the whole length, and
#    nothing outside the range touched;
#  - blkdev_issue_zeroout() from mkfs.ext4 (lazy_itable_init=0) and from
#    the kernel's ext4lazyinit thread (sb_issue_zeroout), on a device full
#    of a non-zero pattern: the inode tables must come out zeroed, which
#    e2fsck checks.
# Every filesystem is made on a device full of a non-zero pattern (and
# without discard), so that padding iomap failed to write would read back
# as the pattern rather than as zeroes. Devices: loop1 on a 128 MiB tmpfs
# file for XFS, virtio-blk vda (64 MiB) for ext4.
n=0 failed=0
ok()     { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n $1"; }
skip()   { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
run()    { name=$1; shift; if "$@" >/tmp/out 2>&1; then ok "$name"; else sed 's/^/# /' /tmp/out; not_ok "$name"; fi; }
# run_v: run, and show what the command said also when it passed.
run_v()  { name=$1; shift; if "$@" >/tmp/out 2>&1; then sed 's/^#* */# /' /tmp/out; ok "$name"; else sed 's/^#* */# /' /tmp/out; not_ok "$name"; fi; }

# mkfs.xfs refuses filesystems under 300 MiB unless it runs under fstests.
export QA_CHECK_FS=1 TEST_DEV=1 TEST_DIR=1
mkdir -p /mnt

fill() {	# fill DEV MiB: a non-zero pattern, so that unzeroed blocks show
	yes "pmd-zero pattern" | tr -d '\n' | dd of="$1" bs=1M count="$2" iflag=fullblock 2>/dev/null
}

dio_on() {	# dio_on NAME DEV MIB BLOCK_SIZE MKFS...
	name=$1 dev=$2 mib=$3 bs=$4; shift 4
	fill "$dev" "$mib"
	if ! "$@" "$dev" >/tmp/mkfs.log 2>&1; then
		sed 's/^/# /' /tmp/mkfs.log; not_ok "$name: mkfs"; return
	fi
	mkdir -p /mnt/t
	if ! mount "$dev" /mnt/t 2>/tmp/mount.log; then
		sed 's/^/# /' /tmp/mount.log; not_ok "$name: mount"; return
	fi
	fs=$name	# run() sets $name
	run "$fs: sub-block O_DIRECT writes read back with zero padding" /bin/dio_zero /mnt/t/f "$bs"
	# 512-byte writes: padding that starts or ends in the middle of a page,
	# up to a block less 512 bytes, traced.
	# (ext4 also writes its metadata with bio_add_folio_nofail(), so its
	# trace would not tell the pads apart; its pads are below a page.)
	if [ "${fs#xfs}" = "$fs" ]; then
		run "$fs: 512-byte O_DIRECT writes read back with zero padding" /bin/dio_zero /mnt/t/g "$bs" 512
	elif pads_on; then
		export DIO_ZERO_TRACE=1
		run "$fs: 512-byte O_DIRECT writes read back with zero padding" /bin/dio_zero /mnt/t/g "$bs" 512
		unset DIO_ZERO_TRACE
		pads_check "$fs" "$bs"
	else
		run "$fs: 512-byte O_DIRECT writes read back with zero padding" /bin/dio_zero /mnt/t/g "$bs" 512
		not_ok "$fs: 512-byte writes: pads traced (no kprobe on bio_add_folio_nofail)"
	fi
	run_v "$fs: O_DIRECT write from a buffer that faults part-way: EFAULT or a short count whose data is there" \
		/bin/dio_fault /mnt/t/h "$bs"
	umount /mnt/t
}

# The pads of iomap_dio_zero(): each is one bio of bio_add_folio_nofail()
# calls (one per bio_vec; nothing else calls it while dio_zero traces its
# writes) followed by the bio's block_bio_queue event.
T=/sys/kernel/tracing
pads_on() {
	[ -d $T/events/block ] || return 1
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 'p:pmdz/padvec bio_add_folio_nofail len=%dx:u64' >> $T/kprobe_events 2>/dev/null || return 1
	echo 1 > $T/events/pmdz/padvec/enable
	echo 1 > $T/events/block/block_bio_queue/enable
}
pads_check() {	# pads_check NAME BLOCK_SIZE
	echo 0 > $T/tracing_on
	echo 0 > $T/events/block/block_bio_queue/enable
	echo 0 > $T/events/pmdz/padvec/enable
	# (removing the kprobe event would clear the buffer: read it first)
	cp $T/trace /tmp/pads.trace
	echo '-:pmdz/padvec' >> $T/kprobe_events
	# pads, largest pad in bytes, most bio_vecs in one pad, pads whose bio
	# is not the size of its bio_vecs
	set -- "$1" "$2" $(awk '/ padvec: / { v++; sub(/.*len=/, ""); b += $1 + 0 }
		/ block_bio_queue: / && v { n++; if (b > mb) mb = b; if (v > mv) mv = v
			if ($(NF - 1) * 512 != b) bad++; v = 0; b = 0 }
		END { print n + 0, mb + 0, mv + 0, bad + 0 }' /tmp/pads.trace)
	want=$(($2 - 512))
	if [ "${pmdz_static:-absent}" = yes ]; then vecs=1; else vecs=$(((want + 4095) / 4096)); fi
	echo "# $1: $3 pads, the largest $4 bytes in $5 bio_vecs; $6 bios not the size of their bio_vecs" \
		"(trace: $(grep -c ' padvec: ' /tmp/pads.trace) bio_vecs, $(grep -c ' block_bio_queue: ' /tmp/pads.trace) bios)"
	if [ "$4" -eq "$want" ] && [ "$6" -eq 0 ]; then
		ok "$1: 512-byte writes: the largest pad is a block less 512 bytes ($want), in a bio of its size"
	else
		not_ok "$1: 512-byte writes: the largest pad is a block less 512 bytes ($want), in a bio of its size"
	fi
	if [ "$5" -eq "$vecs" ]; then
		ok "$1: 512-byte writes: the largest pad takes $vecs bio_vecs"
	else
		not_ok "$1: 512-byte writes: the largest pad takes $vecs bio_vecs"
	fi
}

echo "TAP version 13"
if ! command -v mkfs.xfs >/dev/null; then
	skip "xfs" "mkfs.xfs is not in the initramfs"
elif ! dd if=/dev/zero of=/tmp/xfs.img bs=1M count=128 2>/dev/null ||
     ! losetup /dev/loop1 /tmp/xfs.img; then
	not_ok "xfs: loop1 on a tmpfs file"
else
	for bs in 16384 65536 4096; do
		name="xfs $((bs / 1024))k blocks"
		# Blocks above PAGE_SIZE need large folios in the page cache.
		if [ $bs -gt 4096 ] && [ ! -d /sys/kernel/mm/transparent_hugepage ]; then
			skip "$name" "XFS blocks above PAGE_SIZE need TRANSPARENT_HUGEPAGE"
			continue
		fi
		dio_on "$name" /dev/loop1 128 $bs mkfs.xfs -q -f -K -d agcount=1 -b size=$bs
	done
	losetup -d /dev/loop1
	rm -f /tmp/xfs.img
fi

if ! command -v mkfs.ext4 >/dev/null; then
	skip "ext4" "mkfs.ext4 is not in the initramfs"
else
	dio_on "ext4 4k blocks" /dev/vda 64 4096 mkfs.ext4 -q -F -b 4096 -E nodiscard

	# mkfs zeroes the inode tables with BLKZEROOUT/fallocate itself.
	fill /dev/vda 64
	run "ext4 mkfs lazy_itable_init=0 zeroes inode tables" \
		mkfs.ext4 -q -F -E lazy_itable_init=0,nodiscard /dev/vda
	run "ext4 mkfs lazy_itable_init=0: e2fsck clean" e2fsck -fn /dev/vda

	# Leave the inode tables to the kernel's lazyinit thread, which zeroes
	# them with sb_issue_zeroout() once the filesystem is mounted.
	fill /dev/vda 64
	mkfs.ext4 -q -F -b 1024 -E lazy_itable_init=1,nodiscard /dev/vda
	groups() { dumpe2fs /dev/vda 2>/dev/null | grep '^Group [0-9]'; }
	todo=$(groups | grep -vc ITABLE_ZEROED)
	mount -o init_itable=0 /dev/vda /mnt/t
	i=0
	while grep -qs ext4lazyinit /proc/[0-9]*/comm && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1))
	done
	umount /mnt/t
	left=$(groups | grep -vc ITABLE_ZEROED)
	if [ "$todo" -gt 0 ] && [ "$left" -eq 0 ]; then
		ok "ext4 lazyinit zeroed the $todo inode tables mkfs left"
	else
		groups | head -n 3 | sed 's/^/# /'
		echo "# groups left to zero: $todo before mount, $left after lazyinit"
		not_ok "ext4 lazyinit zeroed the inode tables mkfs left"
	fi
	run "ext4 lazyinit: e2fsck clean" e2fsck -fn /dev/vda
fi
echo "1..$n"
[ "$failed" -eq 0 ]
