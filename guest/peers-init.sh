#!/bin/bash
# PID 1 of the guests that run the communities' suites (fstests, blktests).
# The root filesystem is the host's, read-only over virtio-9p; the host
# passes on the kernel command line:
#   pmdz_run=DIR      a writable 9p share (tag pmdzrun), mounted at DIR, the
#                     same path as on the host: it holds "job" (the script
#                     to run) and receives the results; it must not be
#                     under the tmpfs mounts below (scripts/peers-boot.sh
#                     checks)
#   pmdz_modules=DIR  this kernel's modules_install tree (DIR/lib/modules)
# Everything the guest writes lives on tmpfs or in DIR. The job's output
# goes to the console between PMDZ-JOB-BEGIN and PMDZ-JOB-END rc=N; a job
# prints PMDZ-SUITE-START when its suite starts, or PMDZ-SUITE-ERROR why not.
# Never edit this file while a guest runs it: bash reads it as it goes.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
for arg in $(cat /proc/cmdline); do
	case $arg in
	pmdz_run=*) run=${arg#pmdz_run=} ;;
	pmdz_modules=*) modules=${arg#pmdz_modules=} ;;
	esac
done
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd	# bash's <(...) and /dev/stdin need these
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# (scripts/peers-boot.sh refuses a run dir, TOP or BUILD under these.)
for d in /tmp /run /var/tmp /root /var/log; do mount -t tmpfs tmpfs "$d"; done
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t configfs configfs /sys/kernel/config 2>/dev/null
echo 4 >/proc/sys/kernel/printk

end() {
	echo "PMDZ-JOB-END rc=$1"
	sync
	busybox poweroff -f	# QEMU runs with -no-reboot: this ends it
	sleep 30
}

if [ -z "${run:-}" ] || ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 pmdzrun "$run"; then
	echo "PMDZ-SUITE-ERROR no writable share (pmdz_run=${run:-unset})"
	end 1
fi
# This kernel's modules where modprobe looks for them.
[ -n "${modules:-}" ] && [ -d "$modules/lib/modules" ] &&
	mount --bind "$modules/lib/modules" /lib/modules

# /etc is the host's and read-only: the users fstests wants go into copies,
# as useradd makes them: passwd, group and a shadow entry with a locked
# password. Without the shadow entry PAM's account check fails
# ("unix_chkpwd: could not obtain user info") and fstests' _require_user
# reports "fsgqa cannot execute commands".
mkdir -p /tmp/etc
cp /etc/passwd /etc/group /etc/shadow /tmp/etc/
i=0
for u in fsgqa fsgqa2 123456-fsgqa; do
	echo "$u:x:$((31500 + i)):$((31500 + i))::/tmp:/bin/bash" >>/tmp/etc/passwd
	echo "$u:x:$((31500 + i)):" >>/tmp/etc/group
	echo "$u:!:$(( $(date +%s) / 86400 ))::::::" >>/tmp/etc/shadow
	i=$((i + 1))
done
for f in passwd group shadow; do
	mount --bind /tmp/etc/$f /etc/$f
done
echo /bin/true | su fsgqa ||
	echo "PMDZ-GUEST-WARNING su fsgqa fails: fstests' tests that need a user will not run"
hostname pmdz-guest

# udev creates the /dev/mapper and /dev/disk nodes the dm tests wait for.
udevd=$(command -v systemd-udevd || ls /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd 2>/dev/null | head -n 1)
if [ -n "$udevd" ]; then
	"$udevd" --daemon >/dev/null 2>&1 && udevadm trigger >/dev/null 2>&1 && udevadm settle >/dev/null 2>&1
fi

echo "PMDZ-GUEST kernel=$(uname -r) cpus=$(nproc)" \
	"clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	"static=$(dmesg | grep -q "static PMD zero folio: .* in use" && echo 2097152 || echo none)"
echo "PMDZ-JOB-BEGIN"
cd "$run" && bash "$run/job" </dev/null 2>&1 | tee "$run/job.log"
end "${PIPESTATUS[0]}"
