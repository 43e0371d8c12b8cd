#!/bin/bash
# make check-debian: the series in the configuration a distribution ships.
#  - debian-cloud: Debian's cloud-amd64 config for this kernel (package
#    linux-config-6.12) with STATIC_PMD_ZERO_PAGE=y and the guest's drivers
#    built in (configs/debian.config), booted with KUnit and every in-guest
#    test, and the log checks;
#  - debian-amd64: Debian's full amd64 config with =y; mm/ block/ fs/iomap/
#    dm-io.o and dm-kcopyd.o (part of dm-mod, a module there)
#    compiled (the whole image with every driver would take hours here).
# Debian's configs have what changes how boot memory and struct pages are
# handled: MEMCG, HIBERNATION, MEMORY_HOTPLUG/HOTREMOVE, ZONE_DEVICE, KEXEC,
# CRASH_DUMP, KFENCE, INIT_ON_ALLOC_DEFAULT_ON, DEFERRED_STRUCT_PAGE_INIT,
# NUMA. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

SUMMARY=$RESULTS/check-debian.txt
: >"$SUMMARY"

if "$TOP/scripts/build.sh" debian-cloud </dev/null; then
	BOOT_TIMEOUT=1800 "$TOP/scripts/boot.sh" debian-cloud check debian-cloud "pmdz_static=yes" </dev/null ||
		record FAIL "debian-cloud: guest boots, runs its tests and powers off" "see $LOGS/boot-debian-cloud-check.log"
	results debian-cloud "$LOGS/boot-debian-cloud-check.log" yes e2e,state,fs
else
	record FAIL "debian-cloud: kernel builds" "see $LOGS/build-debian-cloud.log"
fi

if BUILD_TARGETS="mm/ block/ fs/iomap/ drivers/md/dm-io.o drivers/md/dm-kcopyd.o" "$TOP/scripts/build.sh" debian-amd64 </dev/null; then
	record PASS "debian-amd64: mm/ block/ fs/iomap/, dm-io.o and dm-kcopyd.o build with Debian's amd64 config and =y"
else
	record FAIL "debian-amd64: mm/ block/ fs/iomap/, dm-io.o and dm-kcopyd.o build with Debian's amd64 config and =y" \
		"see $LOGS/build-debian-amd64.log"
fi

echo
echo "results: $SUMMARY"
[ "$skip" -gt 0 ] && echo "($skip skipped: each says why above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
