#!/bin/bash
# make check: every test. For each variant: build the kernel, boot it once
# in QEMU; the boot runs the KUnit suite (built in) and then the in-guest
# kselftest; the console log is turned into results. Also checks that
# patches/ survives apply + export unchanged. Ends with "N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

variants=${VARIANTS:-static-y static-n}
summary=$RESULTS/check.txt
: >"$summary"
pass=0 fail=0 skip=0

record() {	# record <PASS|FAIL|SKIP> <name> [why]
	printf '  %-4s %s%s\n' "$1" "$2" "${3:+  ($3)}" | tee -a "$summary"
	case $1 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; SKIP) skip=$((skip + 1)) ;; esac
}

# Round trip: exporting the freshly applied tree must give patches/ back.
step "harness: apply + export round trip"
backup=$(mktemp -d)
cp -a "$TOP/patches/." "$backup/"
if "$TOP/scripts/export.sh" >/dev/null && diff -r "$backup" "$TOP/patches" >"$LOGS/roundtrip.diff"; then
	record PASS "harness: apply + export reproduces patches/ byte for byte"
else
	record FAIL "harness: apply + export reproduces patches/ byte for byte" "see $LOGS/roundtrip.diff"
	cp -a "$backup/." "$TOP/patches/"
fi
rm -rf "$backup"

for v in $variants; do
	static=no
	case $v in static-y|nothp|debug) static=yes ;; esac
	if ! "$TOP/scripts/build.sh" "$v"; then
		record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"
		continue
	fi
	if ! "$TOP/scripts/boot.sh" "$v" check; then
		record FAIL "$v: guest boots, runs its tests and powers off" "see $LOGS/boot-$v-check.log"
	fi
	out=$(python3 "$TOP/scripts/results.py" "$LOGS/boot-$v-check.log" --variant "$v" \
		--tree "$SRC" --static "$static" --e2e)
	printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$summary"
	read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS')
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done

echo
echo "results: $summary; console logs: $LOGS/boot-*-check.log"
[ "$skip" -gt 0 ] && echo "($skip skipped: each says why above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
