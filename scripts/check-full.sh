#!/bin/bash
# make check-full: `make check` plus what does not fit CI's budget:
#  - debug: =y with KASAN, KFENCE, DEBUG_VM, lockdep and DEBUG_PAGEALLOC,
#    booted with all in-guest tests; any report in the log fails it;
#  - nothp: the series with TRANSPARENT_HUGEPAGE=n, booted with all tests;
#  - allnoconfig: the series must build;
#  - arm64 (4K pages, =y): cross-built, booted in qemu-system-aarch64, KUnit;
#  - arm64-64k: STATIC_PMD_ZERO_PAGE must not be selectable.
# Ends with "N passed, N failed" over everything, make check included.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

full=$RESULTS/check-full.txt
SUMMARY=$full
: >"$full"
"$TOP/scripts/check.sh" | tee "$LOGS/check.log"
read -r pass fail < <(tail -n 1 "$LOGS/check.log" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
pass=${pass:-0} fail=${fail:-1}
skip=0

results() {	# results LABEL LOG STATIC SECTIONS
	out=$(python3 "$TOP/scripts/results.py" "$2" --variant "$1" --tree "$SRC" \
		--static "$3" --sections "$4")
	printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$full"
	read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS')
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1})) skip=$((skip + ${s:-0}))
}

for v in debug nothp; do
	if ! "$TOP/scripts/build.sh" "$v"; then
		record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"; continue
	fi
	BOOT_TIMEOUT=2400 "$TOP/scripts/boot.sh" "$v" check "$v" "pmdz_static=yes" ||
		record FAIL "$v: guest boots, runs its tests and powers off"
	results "$v" "$LOGS/boot-$v-check.log" yes e2e,state,fs
done

if "$TOP/scripts/build.sh" allnoconfig; then
	record PASS "allnoconfig: the series builds"
else
	record FAIL "allnoconfig: the series builds" "see $LOGS/build-allnoconfig.log"
fi

if "$TOP/scripts/build.sh" arm64; then
	BOOT_TIMEOUT=900 "$TOP/scripts/boot.sh" arm64 kunit arm64 ||
		record FAIL "arm64: kernel boots and runs KUnit"
	results arm64 "$LOGS/boot-arm64-kunit.log" yes ""
else
	record FAIL "arm64: kernel builds" "see $LOGS/build-arm64.log"
fi

if CONFIG_ONLY=1 LENIENT=1 "$TOP/scripts/build.sh" arm64-64k >/dev/null 2>&1 &&
   grep -q '^CONFIG_ARM64_64K_PAGES=y' "$BUILD/out/arm64-64k/.config"; then
	if grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$BUILD/out/arm64-64k/.config"; then
		record FAIL "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected" "it was selected"
	else
		record PASS "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected"
	fi
else
	record FAIL "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected" "no 64K-page arm64 config; see $LOGS/config-arm64-64k.log"
fi

echo
echo "results: $RESULTS/check.txt and $full"
[ "$skip" -gt 0 ] && echo "($skip more skipped above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
