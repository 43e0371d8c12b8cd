#!/bin/bash
# Boot one built variant in QEMU (TCG) with the test initramfs.
#   scripts/boot.sh <variant> <mode: check|run|bench> [label] [extra kernel args]
# The console goes to build/logs/boot-<label>-<mode>.log. Exit status:
# 0 when the guest reached its end, 1 on panic, hang or timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/configs/qemu/x86_64.conf"

variant=${1:?usage: boot.sh <variant> <mode> [label] [kernel args]}
mode=${2:?usage: boot.sh <variant> <mode> [label] [kernel args]}
label=${3:-$variant}
extra=${4:-}
timeout=${BOOT_TIMEOUT:-900}
kernel=$BUILD/out/$variant/$KERNEL_IMAGE
[ -f "$kernel" ] || die "no kernel for $variant: run scripts/build.sh $variant"
tree=$SRC
[ "$variant" = base ] && tree=$BUILD/base
initrd=$("$TOP/scripts/initramfs.sh" "$tree")
disk=$BUILD/vda-$label.img
rm -f "$disk"
truncate -s "${DISK_SIZE:-64M}" "$disk"
log=$LOGS/boot-$label-$mode.log

append="console=$CONSOLE panic=-1 oops=panic loglevel=7 pmdz_mode=$mode"
append+=" ${NULLB_ARGS:-null_blk.nr_devices=3 null_blk.memory_backed=1 null_blk.gb=1} $extra"
step "booting $label ($mode), console log $log (timeout ${timeout}s)"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout --foreground "$timeout" $QEMU $QEMU_ARGS -kernel "$kernel" -initrd "$initrd" \
	-append "$append" \
	-drive "file=$disk,if=none,id=d0,format=raw,cache=unsafe,discard=ignore,detect-zeroes=off" \
	$DISK_ARGS </dev/null >"$log" 2>&1
rc=$?
set -e
secs=$(( $(date +%s) - start ))
if [ $rc -eq 124 ]; then
	echo "error: $label did not finish within ${timeout}s (hang?); last lines of $log:" >&2
	tail -n 15 "$log" >&2
	exit 1
fi
if grep -q "Kernel panic" "$log"; then
	echo "error: $label panicked; see $log:" >&2
	grep -B 20 -m1 "Kernel panic" "$log" >&2
	exit 1
fi
if ! grep -q "^PMDZ-DONE" "$log"; then
	echo "error: $label stopped before the guest finished (qemu rc $rc); last lines of $log:" >&2
	tail -n 15 "$log" >&2
	exit 1
fi
info "$label: guest finished in ${secs}s"
