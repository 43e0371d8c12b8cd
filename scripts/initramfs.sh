#!/bin/bash
# Build the guest initramfs: static busybox, guest/init, and the statically
# linked test programs of guest/ (blkzeroout_test built with the kernel
# tree's kselftest harness header).
#   scripts/initramfs.sh [kernel tree] -> build/initramfs-<tree name>.cpio.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${1:-$SRC}
kout=${2:-}
name=$(basename "$tree")${kout:+-$(basename "$kout")}
out=$BUILD/initramfs-$name.cpio.gz
root=$BUILD/initramfs-$name
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp}
cp /bin/busybox "$root/bin/busybox"
for app in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"
done
install -m 755 "$TOP/guest/init" "$root/init"
install -m 755 "$TOP"/guest/*.sh "$root/bin/"

# Copy a host program and the shared libraries it needs, to /usr/sbin, which
# comes first in the guest's PATH (ahead of busybox's smaller applets).
copy_prog() {
	local prog lib
	prog=$(command -v "$1") || { info "initramfs: $1 not found on the host, tests needing it will skip"; return 0; }
	install -D -m 755 "$prog" "$root/usr/sbin/$(basename "$prog")"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] || install -D -m 755 "$lib" "$root$lib"
	done
}
for p in mkfs.xfs mkfs.ext4 e2fsck dumpe2fs blkdiscard dmsetup mdadm ndctl kexec; do
	copy_prog "$p"
done
[ -f /etc/mke2fs.conf ] && install -D -m 644 /etc/mke2fs.conf "$root/etc/mke2fs.conf"

cflags=(-static -O2 -Wall -pthread)
for c in zeroout dio_zero dio_fault zbench schedlat stackcheck dmzero; do
	gcc "${cflags[@]}" -o "$root/bin/$c" "$TOP/guest/$c.c"
done
# The zeroout test uses the kernel tree's kselftest harness header.
gcc "${cflags[@]}" -I"$tree/tools/testing/selftests" -o "$root/bin/blkzeroout_test" \
	"$TOP/guest/blkzeroout_test.c"
# A kernel built with modules (second argument: its build dir) also gets
# guest/zfmod, an out-of-tree module that calls largest_zero_folio(). A
# build or link failure is a test failure, reported by the guest.
if [ -n "$kout" ] && grep -q '^CONFIG_MODULES=y' "$kout/.config" 2>/dev/null; then
	mkdir -p "$root/lib/zfmod"
	mdir=$BUILD/zfmod-$(basename "$kout")
	rm -rf "$mdir"
	cp -r "$TOP/guest/zfmod" "$mdir"
	cc=gcc
	command -v ccache >/dev/null && cc="ccache gcc"
	if make -C "$tree" O="$kout" ARCH=x86_64 CC="$cc" M="$mdir" modules >"$mdir/build.log" 2>&1; then
		cp "$mdir/zero_folio_user.ko" "$root/lib/zfmod/"
	else
		grep -E 'error|ERROR|undefined' "$mdir/build.log" | head -n 5 >"$root/lib/zfmod/build-error"
		[ -s "$root/lib/zfmod/build-error" ] || tail -n 5 "$mdir/build.log" >"$root/lib/zfmod/build-error"
		info "initramfs: guest/zfmod did not build against $kout (see $mdir/build.log)"
	fi
fi
# INITRAMFS_KERNEL=<image>: the kernel as /boot/kernel, for kexec.
if [ -n "${INITRAMFS_KERNEL:-}" ]; then
	install -D -m 644 "$INITRAMFS_KERNEL" "$root/boot/kernel"
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out"
echo "$out"
