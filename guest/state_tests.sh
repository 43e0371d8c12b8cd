#!/bin/sh
# Is the static zero folio in the state the host expects? The host passes
# pmdz_static=yes|no|absent: in use / built but not in use (=n at runtime,
# or static_pmd_zero_page=off) / not built. TAP for the host.
n=0 failed=0
check() {	# check NAME WANT GOT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		echo "ok $n $1"
	else
		echo "# expected '$2', got '$3'"
		echo "not ok $n $1"; failed=$((failed + 1))
	fi
}
f=/sys/kernel/mm/static_pmd_zero_page/size
got=absent
[ -e $f ] && got=$(cat $f)
case "$pmdz_static" in
yes)	want=2097152 ;;
no)	want=0 ;;
*)	want=absent ;;
esac
echo "TAP version 13"
check "sysfs static_pmd_zero_page/size" "$want" "$got"
if [ "$pmdz_static" = yes ] && grep -q '^thp_zero_page_alloc ' /proc/vmstat; then
	# blkzeroout_test has read-faulted THP-aligned memory by now.
	check "no dynamic huge zero folio was allocated" 0 \
		"$(awk '$1 == "thp_zero_page_alloc" { print $2 }' /proc/vmstat)"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
