#!/bin/bash
# make check: every test. For each boot of configs/check-runs: build the
# kernel variant (once), boot it in QEMU; the boot runs the KUnit suite
# (built in), then the in-guest tests (kselftest, state and filesystem
# scripts); the console log is turned into results. Also checks that
# patches/ survives apply + export unchanged. Ends with "N passed, N failed".
# VARIANTS="static-y" limits the boots to those kernel variants.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

summary=$RESULTS/check.txt
SUMMARY=$summary
: >"$summary"

# Round trip: git am of patches/ onto base, exported again, gives patches/.
step "harness: apply + export round trip"
if "$TOP/scripts/roundtrip.sh"; then
	record PASS "harness: git am + export reproduces patches/ byte for byte"
else
	record FAIL "harness: git am + export reproduces patches/ byte for byte" "see $LOGS/roundtrip.diff"
fi

runs=${RUNS:-$TOP/configs/check-runs}
built=" "
while read -r label v static extra; do
	case "$label" in ''|'#'*) continue ;; esac
	if [ -n "${VARIANTS:-}" ] && ! [[ " $VARIANTS " == *" $v "* ]]; then
		continue
	fi
	if [[ "$built" != *" $v "* ]]; then
		if "$TOP/scripts/build.sh" "$v" </dev/null; then
			built+="$v "
		else
			record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"
			built+="$v:failed "
		fi
	fi
	[[ "$built" == *" $v:failed "* ]] && continue
	log=$LOGS/boot-$label-check.log
	if ! "$TOP/scripts/boot.sh" "$v" check "$label" "pmdz_static=$static $extra" </dev/null; then
		record FAIL "$label: guest boots, runs its tests and powers off" "see $log"
	fi
	out=$(python3 "$TOP/scripts/results.py" "$log" --variant "$label" \
		--tree "$SRC" --static "$static" --sections e2e,state,fs)
	printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$summary"
	if ! read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS'); then
		record FAIL "$label: results could be read" "scripts/results.py failed on $log"
		continue
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done <"$runs"

# The benchmark, once and small, so that it cannot rot unnoticed.
step "bench smoke: one 64 MiB round on the =y kernel"
if SMOKE=1 BENCH_MIB=64 BENCH_REPS=1 BENCH_VARIANTS=static-y BENCH_LABEL=smoke \
	"$TOP/scripts/bench.sh" </dev/null >"$LOGS/bench-smoke.log" 2>&1 &&
   grep -q '^ram0 ' "$RESULTS/smoke/bench.txt"; then
	record PASS "bench smoke: make bench measures and reports"
else
	record FAIL "bench smoke: make bench measures and reports" "see $LOGS/bench-smoke.log"
fi

echo
echo "results: $summary; console logs: $LOGS/boot-*-check.log"
[ "$skip" -gt 0 ] && echo "($skip skipped: each says why above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
