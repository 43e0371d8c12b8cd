#!/bin/sh
# The in-guest half of `make bench`: sizes and repetitions come from the
# kernel command line (pmdz_bench_mib, pmdz_bench_reps). Prints BENCH lines.
mib=${pmdz_bench_mib:-1024}
reps=${pmdz_bench_reps:-5}
clock=${pmdz_bench_clock:-wall}
# Under QEMU's icount clock, guest time counts instructions and idle time
# is skipped to the next timer, so a wait for the host (virtio-blk) costs a
# timer period, not the device's time: only what the guest CPU does alone
# (null_blk, brd, memset, the throttled kill) is measured under it.
if [ "$clock" = icount ]; then
	devs=$(echo "${pmdz_bench_devs:-nullb0,nullb_4m,ram0}" | tr ',' ' ')
else
	devs=$(echo "${pmdz_bench_devs:-nullb0,nullb_4m,ram0,vda,vdb}" | tr ',' ' ')
fi
echo "BENCH kind=info uptime_at_init=$(cut -d' ' -f1 /proc/uptime)" \
     "memtotal_kb=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
     "zero_folio=$(dmesg | grep -q "static PMD zero folio: .* in use" && echo 2097152 || echo none)" \
     "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)" \
     "cpus=$(grep -c '^processor' /proc/cpuinfo) clock=$clock"

# dm-thin provisioning, where dm-kcopyd zeroes each new block (the pool's
# default, LVM's thin_pool_zero): one 4 KiB O_DIRECT write into every block
# of a fresh thin volume of mib/4 MiB, in a random order, blocks of 64 KiB
# and 1 MiB; metadata on brd, data on a device without write zeroes:
# null_blk without backing store (what the CPU does: the icount clock)
# and, on the wall clock only, the virtio disk. Prints the seconds per GiB
# of thin volume provisioned. On null_blk also with skip_block_zeroing:
# the difference is what the zeroing itself costs.
thinprov() {	# thinprov DEV BLOCK_SECTORS [nozero]
	dev=$1 bs=$2 tmib=$((mib / 4)) feat=0 zero=1
	[ "${3:-}" = nozero ] && feat="1 skip_block_zeroing" zero=0
	[ -b /dev/$dev ] && [ -b /dev/ram0 ] || { echo "# thinprov: no /dev/$dev or /dev/ram0"; return; }
	echo "# thinprov $dev: write_zeroes_max_bytes=$(cat /sys/block/$dev/queue/write_zeroes_max_bytes)"
	for i in $(seq "$reps"); do
		dmsetup create --noudevsync pmdz-bmeta --table "0 32768 linear $(cat /sys/class/block/ram0/dev) 0" 2>/dev/null
		meta=/dev/$(dmsetup info -c --noheadings -o blkdevname pmdz-bmeta 2>/dev/null)
		dd if=/dev/zero of="$meta" bs=4096 count=1 conv=fsync 2>/dev/null
		dmsetup create --noudevsync pmdz-bpool --table \
			"0 $(blockdev --getsz /dev/$dev) thin-pool $(cat /sys/class/block/${meta#/dev/}/dev) $(cat /sys/class/block/$dev/dev) $bs 0 $feat" 2>/dev/null &&
		dmsetup message pmdz-bpool 0 "create_thin 0" 2>/dev/null &&
		pool=$(dmsetup info -c --noheadings -o blkdevname pmdz-bpool 2>/dev/null) &&
		dmsetup create --noudevsync pmdz-bthin --table \
			"0 $((tmib * 2048)) thin $(cat /sys/class/block/$pool/dev) 0" 2>/dev/null &&
		r=$(dmzero prov "/dev/$(dmsetup info -c --noheadings -o blkdevname pmdz-bthin 2>/dev/null)" $((bs * 512)) "$i") ||
			echo "thinprov-$dev-$bs: dmsetup or dmzero failed"
		echo "BENCH kind=thinprov dev=$dev block_kib=$((bs / 2)) zero=$zero mib=$tmib rep=$i $r"
		for d in pmdz-bthin pmdz-bpool pmdz-bmeta; do
			dmsetup remove --noudevsync $d 2>/dev/null
		done
	done
}
thin_devs=nullb0
[ "$clock" = icount ] || thin_devs="nullb0 vda"
for dev in $thin_devs; do
	thinprov $dev 128
	thinprov $dev 2048
done
thinprov nullb0 128 nozero
thinprov nullb0 2048 nozero
# pmdz_bench_only=thin: only the dm-thin rows.
[ "${pmdz_bench_only:-}" = thin ] && exit 0

# null_blk without backing store, allowed 4 MiB requests (the module's
# default max_sectors caps nullb0's at 127.5 KiB): the cost per bio and
# per request, with nothing copied.
case " $devs " in *" nullb_4m "*) sh /bin/nullb.sh make nullb_4m $((mib + 64)) 0 0 8192 ;; esac

zbench memset "$mib" "$reps"
for dev in $devs; do
	if [ ! -b /dev/$dev ]; then
		echo "# $dev: no such device"
		continue
	fi
	wz=$(cat /sys/block/$dev/queue/write_zeroes_max_bytes)
	# vdb is the offload case: QEMU zeroes it (write-zeroes=on).
	[ "$wz" = 0 ] || echo "# $dev: write_zeroes_max_bytes=$wz, the zeroout is offloaded"
	zbench zeroout /dev/$dev "$mib" "$reps"
	zbench fzero /dev/$dev "$mib" "$reps"
done

# Kill latency: SIGKILL to exit of a BLKZEROOUT on a 64 MiB/s null_blk.
sh /bin/nullb.sh kill "$reps"

# The consumers people run, on the virtio disk (write-zeroes=off, so that
# they reach the zeroout fallback): util-linux blkdiscard -z on the whole
# device (-f: without it, it refuses a device that holds the previous
# rep's XFS), mkfs.ext4 zeroing its inode tables itself, mkfs.xfs zeroing
# its log; ext4 converting unwritten extents; and sub-block O_DIRECT writes
# on XFS with 16k and 64k blocks, where iomap pads every new block with
# zeroes.
[ "$clock" != icount ] && [ -b /dev/vda ] || exit 0
# mkfs.xfs refuses filesystems under 300 MiB (make check's small smoke)
# unless it believes it runs under fstests.
export QA_CHECK_FS=1 TEST_DEV=1 TEST_DIR=1
for i in $(seq "$reps"); do
	zbench time blkdiscard-z /usr/sbin/blkdiscard -f -z /dev/vda
	zbench time mkfs.ext4 /usr/sbin/mkfs.ext4 -q -F -E lazy_itable_init=0,nodiscard /dev/vda
	zbench time mkfs.xfs /usr/sbin/mkfs.xfs -q -f -K /dev/vda
done
mkdir -p /mnt
# ext4 writeback into unwritten extents: with dioread_lock, converting an
# extent zeroes the gaps between the writes (ext4_issue_zeroout()) when
# they are at most extent_max_zeroout_kb (32 by default; 1024 here, so
# that each zeroout is 508 KiB and the size of its bios matters).
if /usr/sbin/mkfs.ext4 -q -F -E nodiscard /dev/vda && mount -t ext4 -o dioread_lock /dev/vda /mnt; then
	echo 1024 > /sys/fs/ext4/vda/extent_max_zeroout_kb
	zbench unwritten /mnt/unwritten $((mib / 4)) 512 "$reps"
	umount /mnt
else
	echo "# ext4 with dioread_lock: mkfs or mount failed"
fi
for bs in 16384 65536; do
	/usr/sbin/mkfs.xfs -q -f -K -b size=$bs /dev/vda >/tmp/mkfs.log 2>&1 ||
		{ echo "# XFS with $bs-byte blocks: mkfs.xfs failed: $(head -n 1 /tmp/mkfs.log)"; continue; }
	mount -t xfs /dev/vda /mnt || { echo "# XFS with $bs-byte blocks: mount failed"; continue; }
	# A quarter of the disk's size in new blocks, at most 2048 writes.
	count=$((mib * 1048576 / bs / 4))
	[ $count -le 2048 ] || count=2048
	zbench subdio /mnt/subdio $bs $count "$reps"
	umount /mnt
done
