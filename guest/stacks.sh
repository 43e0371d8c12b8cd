#!/bin/sh
# Zeroout through the block stacks users run (make check-full STAGES=stacks).
# Disks from the host (scripts/boot.sh, mode stacks): vdb, vdc, vdd 600 MiB,
# vde 1100 MiB (io.max), vdf 1600 MiB (dm-log-writes' log; make check:
# vdd, stacks_log=), all without
# write zeroes offload; an nvdimm; scsi_debug with DIF/DIX built in.
# Each row builds a stack, runs "stackcheck check" on its top device
# (pattern, zeroouts of one block to 520 MiB and to the end, bad input,
# read back against the reference), reports the largest bio queued on the
# top device and below it (tracefs block_bio_queue), and fails on a bio
# above 1 MiB on the top device or on any warning, allocation failure or
# I/O error in the kernel log. TAP on stdout,
# one "PMDZ-STACK" line per row for the host's table.
T=/sys/kernel/tracing
BIG=${STACKS_BIG_MIB:-520}
# dm-log-writes' log disk (make check has only three extra disks).
LOGDEV=/dev/${stacks_log:-vdf}
# stacks_rows=a,b on the kernel command line runs only those rows.
ROWS=$(echo "${stacks_rows:-}" | tr , ' ')
ROWS=${ROWS:-linear2 crypt thin thin-nozero thin-zeroing logwrites raid1 raid5 scsi-dif btt btt-520 throttle loop-tmpfs zram}
n=0
export MDADM_NO_UDEV=1
mkdir -p /run/mdadm /etc/mdadm

. /bin/blklib.sh
name_of() {	# name_of M:m -> sda
	for d in /sys/class/block/*; do
		[ "$(cat "$d/dev")" = "$1" ] && { basename "$d"; return; }
	done
	echo "$1"
}

trace_start() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 16384 > $T/buffer_size_kb
	# Bios of 128 KiB and more: the small ones (raid5 stripes) would
	# only fill the buffer.
	echo 'nr_sector >= 256' > $T/events/block/block_bio_queue/filter
	echo 1 > $T/events/block/block_bio_queue/enable
	echo 1 > $T/tracing_on
}
# Largest write bio queued per device between stackcheck's markers (the
# zeroouts; not the pattern or the read back): "M,m KiB" lines.
trace_stop() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/block/block_bio_queue/enable
	awk '/pmdz-zero-begin/ { on = 1 } /pmdz-zero-end/ { on = 0 }
	     on { for (i = 1; i < NF; i++) if ($i == "block_bio_queue:" && $(i + 2) ~ /W/) {
		d = $(i + 1); s = $(NF - 1); if (s > m[d]) m[d] = s } }
	     END { for (d in m) print d, m[d] / 2 }' $T/trace
}

# relay ROW: stackcheck's output (/tmp/stackcheck.out) with its TAP cases
# named after ROW and numbered on from this script's own.
relay() {
	grep -v '^PMDZ' /tmp/stackcheck.out | sed -E "s/^(not ok|ok) [0-9]+ - /\1 - $1: /" |
	while IFS= read -r l; do
		case "$l" in
		"ok - "*)	n=$((n + 1)); echo "ok $n ${l#ok - }" ;;
		"not ok - "*)	n=$((n + 1)); echo "not ok $n ${l#not ok - }" ;;
		*)		echo "$l" ;;
		esac
	done
	n=$((n + $(grep -cE '^(not )?ok ' /tmp/stackcheck.out)))
}

# stack ROW TOP BELOW...: the checks on TOP, built over the BELOW devices.
stack() {
	row=$1 top=$2
	shift 2
	w=$(wz "$top")
	wb=
	for b in "$@"; do wb="$wb ${b#/dev/}=$(wz "$b")"; done
	echo "# $row: ${top#/dev/} write_zeroes_max_bytes=$w; below:$wb"
	if [ "$w" != 0 ]; then
		# A driver may offer write zeroes and drop the offer when its
		# backing store refuses (loop on a file whose fallocate() has no
		# ZERO_RANGE): then the next zeroouts take the fallback.
		zeroout "$top" 0 4096 >/dev/null 2>&1
		w=$(wz "$top")
		echo "# $row: after one zeroout, write_zeroes_max_bytes=$w"
	fi
	if [ "$w" != 0 ]; then
		tap "skip:${top#/dev/} offloads write zeroes ($w bytes), the fallback is not taken" "$row: zeroout"
		echo "PMDZ-STACK row=$row result=offloaded wz=$w above_kib=- below_kib=- kernel_errors=0"
		return
	fi
	dmesg -c > /dev/null
	trace_start
	stackcheck check "$top" "$BIG" > /tmp/stackcheck.out 2>&1
	rc=$?
	relay "$row"
	trace_stop > /tmp/maxbio
	topn=$(devnum "$top" | tr : ,)
	above=$(awk -v d="$topn" '$1 == d { print $2 }' /tmp/maxbio)
	below=$(awk -v d="$topn" '$1 != d && $2 > m { m = $2 } END { print m + 0 }' /tmp/maxbio)
	# (0: no bio of 128 KiB or more, the smallest the trace keeps)
	[ "${above:-0}" = 0 ] && above='<128'
	[ "$below" = 0 ] && below='<128'
	while read -r d k; do
		echo "# largest bio on $(name_of "$(echo "$d" | tr , :)"): $k KiB"
	done < /tmp/maxbio
	# Every zeroout bio is at most 1 MiB, as 256 ZERO_PAGE bio_vecs were.
	bound=$([ "$above" = '<128' ] || [ "$above" -le 1024 ]; echo $?)
	tap "$bound" "$row: the largest bio queued on ${top#/dev/} is at most 1 MiB ($above KiB)"
	bad=$(dmesg | grep -E 'WARNING|BUG|INFO:|stall|allocation failure|Call Trace|I/O error|io error|unaligned|critical' |
		head -n 5)
	nbad=0
	[ -n "$bad" ] && nbad=$(echo "$bad" | wc -l)
	# The first report with its context (the console only shows errors).
	[ "$nbad" != 0 ] && dmesg | grep -m 1 -B 4 -A 16 -E 'WARNING|BUG|INFO:|stall|allocation failure|Call Trace|I/O error|io error|unaligned|critical' |
		sed 's/^/# dmesg: /'
	tap "$nbad" "$row: no warning, allocation failure or I/O error in the kernel log"
	result=pass
	[ "$rc" = 0 ] && [ "$nbad" = 0 ] && [ "$bound" = 0 ] || result=FAIL
	echo "PMDZ-STACK row=$row result=$result wz=$w above_kib=$above below_kib=$below kernel_errors=$nbad"
}

# Stacks: each function builds, checks and tears down one.
row_linear2() {	# dm-linear over two disks: the big range crosses the seam
	h=$((300 * 2048))
	printf '0 %d linear %s 0\n%d %d linear %s 0\n' $h "$(devnum vdb)" $h $h "$(devnum vdc)" |
		dmsetup create --noudevsync pmdz-linear2 || { tap 1 "linear2: dmsetup create"; return; }
	stack linear2 "$(dmdev pmdz-linear2)" /dev/vdb /dev/vdc
	dmsetup remove --noudevsync pmdz-linear2
}
row_crypt() {	# dm-crypt aes-xts-plain64: zeroes read from the folio, encrypted
	key=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	s=$(blockdev --getsz /dev/vdb)
	dmsetup create --noudevsync pmdz-crypt \
		--table "0 $s crypt aes-xts-plain64 $key$key 0 $(devnum vdb) 0" ||
		{ tap 1 "crypt: dmsetup create"; return; }
	stack crypt "$(dmdev pmdz-crypt)" /dev/vdb
	dmsetup remove --noudevsync pmdz-crypt
}
thin() {	# thin ROW FEATURES: a pool (data vdb, metadata vdc) and a thin volume
	dd if=/dev/zero of=/dev/vdc bs=4096 count=1 conv=fsync 2>/dev/null
	s=$(blockdev --getsz /dev/vdb)
	dmsetup create --noudevsync pmdz-pool \
		--table "0 $s thin-pool $(devnum vdc) $(devnum vdb) 128 1024 $2" ||
		{ tap 1 "$1: dmsetup create pool"; return; }
	dmsetup message pmdz-pool 0 "create_thin 0"
	dmsetup create --noudevsync pmdz-thin --table "0 $s thin $(devnum "$(dmdev pmdz-pool)") 0" ||
		{ tap 1 "$1: dmsetup create thin"; dmsetup remove --noudevsync pmdz-pool; return; }
	stack "$1" "$(dmdev pmdz-thin)" "$(dmdev pmdz-pool)" /dev/vdb
	dmsetup remove --noudevsync pmdz-thin
	dmsetup remove --noudevsync pmdz-pool
}
row_thin() { thin thin 0; }	# new blocks zeroed by the pool
row_thin_nozero() { thin thin-nozero "1 skip_block_zeroing"; }
# dm-kcopyd's zeroing (guest/dm_zero.sh on vdb): dm-thin pools that zero
# new blocks (on vdb and on dm-crypt over it, 64 KiB and 1 MiB blocks) under
# random 4 KiB writes, read back whole; a snapshot's discarded exceptions
# (on brd). above: the largest zeroing bio; below: the largest write bio on
# the pool's data device.
row_thin_zeroing() {
	DMZERO_DISK=/dev/vdb sh /bin/dm_zero.sh > /tmp/stackcheck.out 2>&1
	rc=$?
	relay thin-zeroing
	above=$(sed -n 's/^PMDZ-DMZERO .* max_bio_kib=\([0-9]*\).*/\1/p' /tmp/stackcheck.out | sort -n | tail -n 1)
	below=$(sed -n 's/^PMDZ-DMZERO .* max_data_bio_kib=\([0-9]*\).*/\1/p' /tmp/stackcheck.out | sort -n | tail -n 1)
	result=pass
	[ "$rc" = 0 ] && ! grep -q '^not ok' /tmp/stackcheck.out || result=FAIL
	nbad=$(grep -c '^not ok .*kernel log' /tmp/stackcheck.out)
	echo "PMDZ-STACK row=thin-zeroing result=$result wz=$(wz vdb) above_kib=${above:--} below_kib=${below:--} kernel_errors=$nbad"
}
row_logwrites() {	# dm-log-writes: copies every written page into its log
	s=$(blockdev --getsz /dev/vdb)
	dmsetup create --noudevsync pmdz-logw \
		--table "0 $s log-writes $(devnum vdb) $(devnum $LOGDEV)" ||
		{ tap 1 "logwrites: dmsetup create"; return; }
	stack logwrites "$(dmdev pmdz-logw)" /dev/vdb $LOGDEV
	dmsetup remove --noudevsync pmdz-logw
}
md() {	# md ROW LEVEL DISKS...
	row=$1 level=$2
	shift 2
	mdadm --create /dev/md0 --run --quiet --level="$level" --raid-devices=$# \
		--assume-clean --metadata=1.2 --bitmap=none "$@" 2>&1 | sed 's/^/# mdadm: /'
	[ -b /dev/md0 ] && [ "$(blockdev --getsz /dev/md0)" -gt 0 ] ||
		{ tap 1 "$row: mdadm --create"; return; }
	stack "$row" /dev/md0 "$@"
	mdadm --stop /dev/md0 2>&1 | sed 's/^/# mdadm: /'
	mdadm --zero-superblock "$@"
}
row_raid1() { md raid1 1 /dev/vdb /dev/vdc; }
row_raid5() { md raid5 5 /dev/vdb /dev/vdc /dev/vdd; }
row_scsi_dif() {	# scsi_debug dif=1 dix=1: protection information generated
	for d in /sys/class/block/sd*; do
		[ -e "$d/device/model" ] && grep -q scsi_debug "$d/device/model" && sd=/dev/${d##*/}
	done
	[ -n "${sd:-}" ] || { tap 1 "scsi-dif: a scsi_debug disk"; return; }
	# WRITE SAME off: the fallback, not the offload, is under test.
	for m in /sys/class/block/${sd#/dev/}/device/scsi_disk/*/max_write_same_blocks; do
		echo 0 > "$m"
	done
	echo "# scsi-dif: $sd integrity $(cat /sys/class/block/${sd#/dev/}/integrity/format)"
	stack scsi-dif "$sd"
}
btt() {	# btt ROW SECTOR_SIZE: an nvdimm BTT namespace with metadata sectors
	ndctl create-namespace -f -e namespace0.0 -m sector -l "$2" >/tmp/ndctl.out 2>&1
	sed 's/^/# ndctl: /' /tmp/ndctl.out
	b=$(ls -d /sys/class/block/pmem*s 2>/dev/null | head -n 1)
	[ -n "$b" ] || { tap 1 "$1: ndctl create-namespace -m sector -l $2"; return; }
	echo "# $1: /dev/${b##*/} integrity $(cat "$b/integrity/format" 2>/dev/null) tuple $(cat "$b/integrity/tag_size" 2>/dev/null)"
	stack "$1" "/dev/${b##*/}"
}
# 4096-byte sectors + 8 bytes: an integrity buffer of 2 KiB per MiB.
row_btt() { btt btt 4104; }
# 512-byte sectors + 8 bytes: 16 KiB per MiB, in one segment (kmalloc).
row_btt_520() { btt btt-520 520; }
row_throttle() {	# cgroup v2 io.max wbps on vde, 1 GiB fallocate -z
	limit=$((64 * 1048576))
	mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null
	echo +io > /sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/pmdz
	echo "$(devnum vde) wbps=$limit" > /sys/fs/cgroup/pmdz/io.max ||
		{ tap 1 "throttle: io.max set"; return; }
	echo "# throttle: vde write_zeroes_max_bytes=$(wz vde), io.max $(cat /sys/fs/cgroup/pmdz/io.max)"
	dmesg -c > /dev/null
	trace_start
	sh -c "echo \$\$ > /sys/fs/cgroup/pmdz/cgroup.procs && exec stackcheck rate /dev/vde 1024 $limit" \
		> /tmp/stackcheck.out 2>&1
	rc=$?
	trace_stop > /tmp/maxbio
	relay throttle
	grep '^PMDZ-RATE' /tmp/stackcheck.out
	k=$(awk -v d="$(devnum vde | tr : ,)" '$1 == d { print $2 }' /tmp/maxbio)
	bound=$([ "${k:-0}" -le 1024 ]; echo $?)
	tap "$bound" "throttle: the largest bio queued on vde is at most 1 MiB (${k:-0} KiB)"
	bad=$(dmesg | grep -E 'WARNING|BUG|allocation failure|I/O error' | head -n 5)
	[ -n "$bad" ] && echo "$bad" | sed 's/^/# dmesg: /'
	tap "$([ -z "$bad" ]; echo $?)" "throttle: no warning, allocation failure or I/O error in the kernel log"
	result=pass
	[ "$rc" = 0 ] && [ -z "$bad" ] && [ "$bound" = 0 ] || result=FAIL
	echo "PMDZ-STACK row=throttle result=$result wz=$(wz vde) above_kib=${k:-0} below_kib=- kernel_errors=$([ -z "$bad" ] && echo 0 || echo "$bad" | wc -l)"
	echo 0 > /sys/fs/cgroup/cgroup.procs 2>/dev/null
	rmdir /sys/fs/cgroup/pmdz
}
row_loop_tmpfs() {	# loop over a file on tmpfs (the guest's /tmp)
	truncate -s 560M /tmp/stack-loop.img
	l=$(losetup -f) && losetup "$l" /tmp/stack-loop.img || { tap 1 "loop-tmpfs: losetup"; return; }
	stack loop-tmpfs "$l"
	losetup -d "$l"
	rm -f /tmp/stack-loop.img
}
row_zram() {	# zram: does it take the fallback?
	[ -b /dev/zram0 ] || { tap 1 "zram: /dev/zram0 exists"; return; }
	echo 560M > /sys/block/zram0/disksize
	stack zram /dev/zram0
	echo 1 > /sys/block/zram0/reset
}

echo "# stacks: rows $ROWS; big range $BIG MiB"
for r in $ROWS; do
	echo "PMDZ-ROW-BEGIN $r"
	t0=$(cut -d' ' -f1 /proc/uptime)
	"row_$(echo "$r" | tr - _)"
	echo "# $r: $(awk -v t0="$t0" '{ printf "%.0f", $1 - t0 }' /proc/uptime) s"
done
