#!/bin/bash
# Boot one built variant in QEMU (TCG).
#   scripts/boot.sh <variant> <mode> [label] [extra kernel args]
# mode check|run|bench: with the test initramfs, whose /init runs that mode;
# mode kunit: no userspace, the built-in KUnit suites run and the kernel
# shuts down (kunit_shutdown). QEMU settings per arch: configs/qemu/*.conf.
# QEMU_CLOCK=icount boots with the arch's ICOUNT_ARGS (guest time counts
# instructions), QEMU_CLOCK=wall (the default) without.
# The console goes to build/logs/boot-<label>-<mode>.log. Exit status:
# 0 when the guest reached its end, 1 on panic, hang or timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: boot.sh <variant> <mode> [label] [kernel args]}
mode=${2:?usage: boot.sh <variant> <mode> [label] [kernel args]}
label=${3:-$variant}
extra=${4:-}
arch=$(awk -v v="$variant" '$1 == v { print $2 }' "$TOP/configs/variants")
[ -n "$arch" ] || die "unknown variant '$variant' (see configs/variants)"
# Mode stacks: room for scsi_debug's store, a tmpfs loop file and an nvdimm.
[ "$mode" = stacks ] && QEMU_MEM=${QEMU_MEM:-3072,slots=2,maxmem=8G}
[ "$mode" = numa ] && QEMU_MEM=${QEMU_MEM:-2048}
. "$TOP/configs/qemu/$arch.conf"
need_pkgs "$QEMU_PKG"
timeout=${BOOT_TIMEOUT:-900}
# BOOT_OUT=<dir name>: boot the kernel built with BUILD_NAME=<dir name>.
kout=$BUILD/out/${BOOT_OUT:-$variant}
kernel=$kout/$KERNEL_IMAGE
[ -f "$kernel" ] || die "no kernel for $variant: run scripts/build.sh $variant"
# The kernel must be built from its tree as it is now (make mutants leaves
# the last mutant's kernel in build/out; the tree is restored).
if [ -f "$kout/.source" ]; then
	read -r built_tree built_state <"$kout/.source"
	[ "$(tree_state "$built_tree")" = "$built_state" ] ||
		die "$variant: the kernel was built from another state of $built_tree (a mutant, or changes since): run scripts/build.sh $variant $built_tree"
fi
log=$LOGS/boot-$label-$mode.log

append="console=$CONSOLE panic=-1 oops=panic loglevel=7"
qemu_args=(-kernel "$kernel")
disk=
disk_args=$DISK_ARGS
if [ "$mode" = kunit ]; then
	disk_args=	# no userspace, no disk
	append+=" kunit_shutdown=reboot $extra"
	done_marker='^\[ *[0-9.]*\] reboot: Restarting system|kunit_shutdown|# Totals:'
else
	tree=$(tree_of "$variant")
	# Modes kexec and kdump: the kernel goes into the initramfs too
	# (/boot/kernel), for the next kernel.
	case "$mode" in kexec|kdump) export INITRAMFS_KERNEL=$kernel ;; esac
	initrd=$("$TOP/scripts/initramfs.sh" "$tree" "$kout" | tail -n 1)
	disk=${DISK_DIR:-$BUILD}/pmdz-vda-$label.img
	rm -f "$disk"
	truncate -s "${DISK_SIZE:-64M}" "$disk"
	append+=" pmdz_mode=$mode"
	# brd as configs/base.config has it, whatever the kernel's config says
	# (Debian's has 16 RAM disks of 16 MiB); the bench overrides the size.
	append+=" brd.rd_nr=1 brd.rd_size=65536"
	append+=" ${NULLB_ARGS:-null_blk.nr_devices=3 null_blk.memory_backed=1 null_blk.gb=1} $extra"
	qemu_args+=(-initrd "$initrd"
		-drive "file=$disk,if=none,id=d0,format=raw,cache=unsafe,discard=ignore,detect-zeroes=off")
	if [ "$mode" = bench ] && [ -n "${BENCH_DISK_ARGS:-}" ]; then
		disk2=${disk%.img}-wz.img
		rm -f "$disk2"
		truncate -s "${DISK_SIZE:-64M}" "$disk2"
		qemu_args+=(-drive "file=$disk2,if=none,id=d1,format=raw,cache=unsafe,discard=unmap,detect-zeroes=off")
		disk_args+=" $BENCH_DISK_ARGS"
	fi
	# stack_disks L:SIZE...: sparse disks vdL for guest/stacks.sh, without
	# write zeroes offload (the guest names them in this order).
	stack_disks() {
		for d in "$@"; do
			f=${disk%.img}-vd${d%%:*}.img
			rm -f "$f"
			truncate -s "${d#*:}" "$f"
			disk_args+=" -drive file=$f,if=none,id=s${d%%:*},format=raw,cache=unsafe,discard=ignore,detect-zeroes=off"
			disk_args+=" -device virtio-blk-pci,drive=s${d%%:*},write-zeroes=off,discard=off"
		done
	}
	# make check's stacks rows (configs/check-runs): vdb and vdc, and
	# dm-log-writes' log, which the guest sees as vdd.
	if [ "$mode" = check ] && [[ " $extra " == *" stacks_rows="* ]]; then
		stack_disks b:600M c:600M d:1600M
		append+=" stacks_log=vdd"
	fi
	if [ "$mode" = stacks ]; then
		# vdb-vdd 600 MiB, vde 1100 MiB (io.max), vdf 1600 MiB (a log),
		# without write zeroes offload; an nvdimm (ACPI NFIT) of 704 MiB;
		# a 576 MiB scsi_debug disk with DIF type 1 and DIX.
		stack_disks b:600M c:600M d:600M e:1100M f:1600M
		nv=${disk%.img}-nvdimm.img
		rm -f "$nv"
		truncate -s 704M "$nv"
		disk_args+=" -machine pc,nvdimm=on -object memory-backend-file,id=nvm0,share=on,mem-path=$nv,size=704M"
		disk_args+=" -device nvdimm,memdev=nvm0,id=nv0"
		append+=" scsi_debug.dev_size_mb=576 scsi_debug.dif=1 scsi_debug.dix=1"
		timeout=${BOOT_TIMEOUT:-3600}
	fi
	case "$mode" in
	numa)	# two nodes of 1 GiB, one vCPU (one socket) each
		disk_args+=" -smp 2,sockets=2,cores=1,threads=1"
		for i in 0 1; do
			disk_args+=" -object memory-backend-ram,id=m$i,size=1G -numa node,nodeid=$i,cpus=$i,memdev=m$i"
		done ;;
	hibernate)	# a swap disk (vdb) for the image; QEMU runs twice
		f=${disk%.img}-vdb.img
		rm -f "$f"
		truncate -s 1G "$f"
		disk_args+=" -drive file=$f,if=none,id=sb,format=raw,cache=unsafe,discard=ignore,detect-zeroes=off"
		disk_args+=" -device virtio-blk-pci,drive=sb,write-zeroes=off,discard=off"
		append+=" resume=/dev/vdb" ;;
	esac
	done_marker='^PMDZ-DONE'
fi

case ${QEMU_CLOCK:-wall} in
wall)	;;
icount)	[ -n "${ICOUNT_ARGS:-}" ] || die "no ICOUNT_ARGS for $arch in configs/qemu/$arch.conf"
	disk_args+=" $ICOUNT_ARGS" ;;
*)	die "QEMU_CLOCK must be wall or icount, not '$QEMU_CLOCK'" ;;
esac

step "booting $label ($mode, ${QEMU_CLOCK:-wall} clock), console log $log (timeout ${timeout}s)"
t0=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout --foreground "$timeout" $QEMU $QEMU_ARGS "${qemu_args[@]}" -append "$append" \
	$disk_args </dev/null >"$log" 2>&1
rc=$?
# Mode hibernate: the first boot wrote its image to vdb and powered off;
# the second boots the same kernel with the same disks and resumes it.
if [ "$mode" = hibernate ] && [ "$rc" = 0 ] && grep -q '^PMDZ-HIBERNATING' "$log" &&
   ! grep -q '^PMDZ-DONE' "$log"; then
	info "$label: the guest hibernated after $(( $(date +%s) - t0 ))s; booting it again to resume"
	echo "PMDZ-QEMU-RESTART" >>"$log"
	# shellcheck disable=SC2086
	timeout --foreground "$timeout" $QEMU $QEMU_ARGS "${qemu_args[@]}" -append "$append" \
		$disk_args </dev/null >>"$log" 2>&1
	rc=$?
fi
set -e
[ -n "$disk" ] && rm -f "$disk" "${disk%.img}"-wz.img "${disk%.img}"-vd?.img "${disk%.img}"-nvdimm.img
secs=$(( $(date +%s) - t0 ))
# Mode kdump: the first kernel panics on purpose (sysrq c) into the
# capture kernel; no other panic is expected.
GUEST_PANIC_OK=
[ "$mode" = kdump ] && GUEST_PANIC_OK='sysrq triggered crash'
GUEST_PANIC_OK=$GUEST_PANIC_OK guest_failed "$label" "$rc" "$log" "$timeout" && exit 1
if ! grep -Eq "$done_marker" "$log"; then
	echo "error: $label stopped before the guest finished (qemu rc $rc); last lines of $log:" >&2
	tail -n 15 "$log" >&2
	exit 1
fi
info "$label: guest finished in ${secs}s"
