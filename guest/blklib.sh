# Helpers shared by the guest's block-stack scripts (guest/stacks.sh,
# guest/dm_zero.sh), sourced from /bin. TAP numbering: the caller's $n.
tap() {	# tap STATUS NAME: STATUS 0 = ok, "skip:REASON" = skipped, else not ok
	n=$((n + 1))
	case "$1" in
	0)	echo "ok $n - $2" ;;
	skip:*)	echo "ok $n - $2 # SKIP ${1#skip:}" ;;
	*)	echo "not ok $n - $2" ;;
	esac
}
devnum() { cat "/sys/class/block/${1#/dev/}/dev"; }
wz() { cat "/sys/class/block/${1#/dev/}/queue/write_zeroes_max_bytes"; }
dmdev() { echo "/dev/$(dmsetup info -c --noheadings -o blkdevname "$1")"; }
# dmsetup without its note that it cannot use udev (no SysV IPC here).
dmsetup() {
	command dmsetup "$@" 2>/tmp/dmsetup.err
	dmrc=$?
	grep -v 'semaphores' /tmp/dmsetup.err | sed 's/^/# dmsetup: /'
	return $dmrc
}
