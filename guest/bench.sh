#!/bin/sh
# The in-guest half of `make bench`: sizes and repetitions come from the
# kernel command line (pmdz_bench_mib, pmdz_bench_reps). Prints BENCH lines.
mib=${pmdz_bench_mib:-1024}
reps=${pmdz_bench_reps:-5}
devs=$(echo "${pmdz_bench_devs:-nullb0,ram0,vda}" | tr ',' ' ')
tag=${pmdz_bench_tag:-}	# appended to device names, e.g. "-4M"
echo "BENCH kind=info uptime_at_init=$(cut -d' ' -f1 /proc/uptime)" \
     "memtotal_kb=$(awk '/^MemTotal/ { print $2 }' /proc/meminfo)" \
     "zero_folio=$(cat /sys/kernel/mm/static_pmd_zero_page/size 2>/dev/null || echo none)"

[ -z "$tag" ] && zbench memset "$mib" "$reps"
for dev in $devs; do
	if [ ! -b /dev/$dev ]; then
		echo "# $dev: no such device"
		continue
	fi
	wz=$(cat /sys/block/$dev/queue/write_zeroes_max_bytes)
	[ "$wz" = 0 ] || echo "# $dev: write_zeroes_max_bytes=$wz, the zeroout would be offloaded"
	zbench zeroout /dev/$dev "$mib" "$reps" | sed "s/ dev=$dev / dev=$dev$tag /"
	zbench fzero /dev/$dev "$mib" "$reps" | sed "s/ dev=$dev / dev=$dev$tag /"
done

# Kill latency: SIGKILL to exit of a BLKZEROOUT on a 64 MiB/s null_blk.
[ -z "$tag" ] && sh /bin/nullb.sh kill "$reps"

# Real clients, on the virtio disk: util-linux blkdiscard -z on the whole
# device, and mkfs.ext4 zeroing its inode tables itself.
if [ -z "$tag" ] && [ -b /dev/vda ]; then
	for i in $(seq "$reps"); do
		zbench time blkdiscard-z /usr/sbin/blkdiscard -z /dev/vda
		zbench time mkfs.ext4 /usr/sbin/mkfs.ext4 -q -F -E lazy_itable_init=0,nodiscard /dev/vda
	done
fi
