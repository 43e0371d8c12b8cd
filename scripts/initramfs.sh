#!/bin/bash
# Build the guest initramfs: static busybox, guest/init, and the statically
# linked test programs (the in-tree kselftest from the kernel tree when the
# series has it, and the demo tool).
#   scripts/initramfs.sh [kernel tree] -> build/initramfs-<tree name>.cpio.gz
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=${1:-$SRC}
out=$BUILD/initramfs-$(basename "$tree").cpio.gz
root=$BUILD/initramfs-$(basename "$tree")
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
for p in mkfs.xfs mkfs.ext4 e2fsck dumpe2fs blkdiscard; do
	copy_prog "$p"
done
[ -f /etc/mke2fs.conf ] && install -D -m 644 /etc/mke2fs.conf "$root/etc/mke2fs.conf"

cflags=(-static -O2 -Wall -pthread)
for c in zeroout dio_zero zbench; do
	gcc "${cflags[@]}" -o "$root/bin/$c" "$TOP/guest/$c.c"
done
kst=$tree/tools/testing/selftests/block/blkzeroout_test.c
if [ -f "$kst" ]; then
	gcc "${cflags[@]}" -I"$tree/tools/testing/selftests" -o "$root/bin/blkzeroout_test" "$kst"
else
	# The base tree has no kselftest: the guest reports it as missing.
	printf '#!/bin/sh\necho "blkzeroout_test is not in this tree"\nexit 4\n' >"$root/bin/blkzeroout_test"
	chmod 755 "$root/bin/blkzeroout_test"
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out"
echo "$out"
