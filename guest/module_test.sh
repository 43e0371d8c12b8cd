#!/bin/sh
# largest_zero_folio() from a loadable module: load guest/zfmod's KUnit
# module (built on the host against this kernel) and turn the results it
# logs into TAP. pmdz_static=yes expects the 2 MiB static folio.
dir=/lib/zfmod
echo "TAP version 13"
if [ -f $dir/build-error ]; then
	sed 's/^/# /' $dir/build-error
	echo "not ok 1 a module calling largest_zero_folio() builds and links"
	echo "1..1"
	exit 1
fi
echo "ok 1 a module calling largest_zero_folio() builds and links"
size=4096
[ "$pmdz_static" = yes ] && size=2097152
dmesg -c >/dev/null
if ! insmod $dir/zero_folio_user.ko expect_size=$size; then
	echo "not ok 2 insmod zero_folio_user.ko"
	echo "1..2"
	exit 1
fi
echo "ok 2 insmod zero_folio_user.ko"
# KUnit prints the cases indented inside the suite: "    ok N name".
dmesg | sed 's/^\[[^]]*\] *//' | sed -n 's/^ *\(not ok\|ok\) [0-9]* \(module_[a-z_]*\)\(.*\)$/\1 \2\3/p' >/tmp/zfmod.tap
n=2
while read -r line; do
	n=$((n + 1))
	case "$line" in
	"not ok "*) echo "not ok $n ${line#not ok }" ;;
	*) echo "ok $n ${line#ok }" ;;
	esac
done </tmp/zfmod.tap
if [ "$n" -eq 2 ]; then
	dmesg | tail -n 20 | sed 's/^/# /'
	n=3; echo "not ok 3 the module's KUnit suite printed its cases"
fi
rmmod zero_folio_user || { n=$((n + 1)); echo "not ok $n rmmod zero_folio_user"; }
echo "1..$n"
