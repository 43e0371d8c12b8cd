#!/bin/sh
# Bandwidth-limited null_blk devices, made in configfs; such a device is
# named after its configfs directory (/dev/NAME).
#   nullb.sh make NAME SIZE_MB MEMORY_BACKED MBPS [MAX_SECTORS]
#			(MBPS 0: no bandwidth limit)
#   nullb.sh kill REPS	time from SIGKILL to exit of a 4 GiB BLKZEROOUT on
#			nullb_kill (64 MiB/s, no backing store), REPS times
make_dev() {
	d=/sys/kernel/config/nullb/$1
	[ -b /dev/$1 ] && return 0
	[ -d /sys/kernel/config/nullb ] || { echo "# no null_blk configfs for $1"; return 1; }
	mkdir $d && echo "$2" > $d/size && echo "$3" > $d/memory_backed &&
		echo "$4" > $d/mbps && { [ -z "$5" ] || echo "$5" > $d/max_sectors; } &&
		echo 1 > $d/power ||
		{ echo "# could not make null_blk device $1"; return 1; }
}

case "$1" in
make)	make_dev "$2" "$3" "$4" "$5" "$6" ;;
kill)	make_dev nullb_kill 4096 0 64 && zbench kill /dev/nullb_kill 4096 300 "${2:-5}" ;;
*)	echo "usage: nullb.sh make NAME SIZE_MB MEMORY_BACKED MBPS [MAX_SECTORS] | kill REPS" >&2; exit 2 ;;
esac
