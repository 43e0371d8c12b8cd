#!/bin/bash
# Boot a built variant with the host's root filesystem read-only over
# virtio-9p (no image to build) and run one job script in it: the guest
# for fstests and blktests (guest/peers-init.sh).
#   scripts/peers-boot.sh <variant> <run dir> <job script>
#   scripts/peers-boot.sh --check   (only check that the guest sees TOP and
#                                    BUILD: check-peers.sh, peer-mutant.sh)
# The run dir becomes the guest's writable share at the same path; the job
# is copied there and runs as root with the run dir as its working
# directory. Two sparse disks of PEER_DISK_SIZE (default 8G) are
# /dev/vda and /dev/vdb. The console goes to <run dir>/console.log.
# The root is mounted with cache=loose (PEER_9P_CACHE): the host's files do
# not change under a run, and every exec is then 2-3x faster than uncached.
# Exit status: the job's, or 1 on panic, hang (PEER_TIMEOUT) or no result.
# A panic or hang also writes its reason to <run dir>/crashed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The guest reads the harness (TOP), the suites and modules (BUILD) and
# writes the run dir at their host paths, but guest/peers-init.sh mounts
# filesystems of its own over these (keep the two lists alike): a path
# under one of them (symlinks resolved, as the guest's mount follows them)
# is not the host's there.
shadowed="/tmp /run /var/tmp /root /var/log /dev /proc /sys"
visible() {	# visible WHAT PATH [HINT]: die unless the guest sees PATH as the host does
	local r d s
	r=$(realpath -m "$2")
	for d in $shadowed; do
		s=$(realpath -m "$d")
		case $r/ in
		"$s"/*) die "$1 $2$([ "$r" = "$2" ] || echo " ($r)") is under $d:" \
			"the fstests/blktests guests mount tmpfs over /tmp, /run, /var/tmp," \
			"/root and /var/log and would not see it;" \
			"${3:-clone the repository elsewhere (e.g. /srv or /work)}" ;;
		esac
	done
}
if [ "${1:-}" = --check ]; then
	visible "the repository" "$TOP"
	visible "the build directory (BUILD)" "$BUILD" \
		"set BUILD= to a directory outside them, or clone the repository elsewhere (e.g. /srv or /work)"
	exit 0
fi

variant=${1:?usage: peers-boot.sh <variant> <run dir> <job>}
run=${2:?usage: peers-boot.sh <variant> <run dir> <job>}
job=${3:?usage: peers-boot.sh <variant> <run dir> <job>}
arch=$(awk -v v="$variant" '$1 == v { print $2 }' "$TOP/configs/variants")
[ "$arch" = x86_64 ] || die "$variant: the 9p guests are x86_64 only (configs/qemu/x86_64.conf)"
QEMU_MEM=${QEMU_MEM:-2048}
. "$TOP/configs/qemu/$arch.conf"
need_pkgs "$QEMU_PKG"
out=$BUILD/out/${PEER_OUT:-$variant}	# PEER_OUT: a build made with BUILD_NAME=
kernel=$out/$KERNEL_IMAGE
[ -f "$kernel" ] || die "no kernel for $variant: run scripts/build.sh $variant"
visible "the repository" "$TOP"
visible "the run dir" "$run"
visible "the modules of" "$out"
timeout=${PEER_TIMEOUT:-7200}

mkdir -p "$run"
# The guest bind-mounts this kernel's modules over /lib/modules of the
# host's (read-only) root: the mount point must exist there.
[ -d /lib/modules ] || mkdir -p /lib/modules
run=$(cd "$run" && pwd)
cp "$job" "$run/job"
rm -f "$run/job.log" "$run/crashed"
disks=()
for d in a b; do
	img=$run/vd$d.img
	rm -f "$img"
	truncate -s "${PEER_DISK_SIZE:-8G}" "$img"
	disks+=(-drive "file=$img,if=none,id=d$([ $d = a ] && echo 0 || echo 1),format=raw,cache=unsafe,discard=ignore,detect-zeroes=off")
done
log=$run/console.log
append="console=$CONSOLE panic=-1 oops=panic loglevel=4"
append+=" root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=${PEER_9P_CACHE:-loose} ro"
append+=" init=$TOP/guest/peers-init.sh pmdz_run=$run pmdz_modules=$out/modroot ${PEER_APPEND:-}"

step "booting $variant with the host root over 9p: job $(basename "$job"), console $log (timeout ${timeout}s)"
t0=$(date +%s)
set +e
# shellcheck disable=SC2086
timeout --foreground "$timeout" $QEMU $QEMU_ARGS -kernel "$kernel" -append "$append" \
	$PEER_ROOT_ARGS \
	-fsdev "local,id=run9p,path=$run,security_model=none" \
	-device virtio-9p-pci,fsdev=run9p,mount_tag=pmdzrun \
	"${disks[@]}" $PEER_DISK_ARGS </dev/null >"$log" 2>&1
rc=$?
set -e
rm -f "$run"/vd[ab].img
secs=$(( $(date +%s) - t0 ))
echo "$secs" >"$run/guest-seconds"
if guest_failed "$variant" "$rc" "$log" "$timeout"; then
	if [ "$rc" -eq 124 ]; then
		echo "hung (no end within ${timeout}s)" >"$run/crashed"
	else
		echo "panicked" >"$run/crashed"
	fi
	exit 1
fi
jrc=$(sed -n 's/.*PMDZ-JOB-END rc=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$jrc" ]; then
	echo "error: $variant stopped before its job finished (qemu rc $rc); last lines of $log:" >&2
	tail -n 15 "$log" >&2
	exit 1
fi
info "$variant: guest finished in ${secs}s, job rc $jrc"
exit "$jrc"
