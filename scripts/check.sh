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

# A newer Debian base than the pin is news, not a failure.
[ -n "${KSRC:-}" ] || [ "${MUTANT:-0}" = 1 ] || newer_notice

# Round trip: git am of patches/ onto base, exported again, gives patches/.
# (MUTANT=1: a deliberately broken tree is under test, patches/ is not.)
step "harness: apply + export round trip"
if [ "${MUTANT:-0}" = 1 ]; then
	info "skipped for a mutant"
elif "$TOP/scripts/roundtrip.sh"; then
	record PASS "harness: git am + export reproduces patches/ byte for byte"
else
	record FAIL "harness: git am + export reproduces patches/ byte for byte" "see $LOGS/roundtrip.diff"
fi

runs=${RUNS:-$TOP/configs/check-runs}
# Results come only from this run's boots.
rm -f "$LOGS"/boot-*-check.log "$LOGS"/boot-*-kunit.log "$LOGS"/boot-*-kill.log

# The kernels, in the order the boots need them. The first builds alone;
# the others build in the background at the lowest CPU priority while the
# earlier kernels' guests boot (QEMU's TCG keeps one core busy, the other
# would idle). A boot waits for its kernel's build to end.
mapfile -t kernels < <(awk -v only=" ${VARIANTS:-} " '$1 !~ /^#/ && NF >= 4 &&
	(only ~ /^ *$/ || index(only, " " $2 " ")) && !seen[$2]++ { print $2 }' "$runs")
build_rc() { echo "$LOGS/.build-rc-${1}"; }
rm -f "$LOGS"/.build-rc-*
build_one() {
	"$TOP/scripts/build.sh" "$1" "$(tree_of "$1")" </dev/null
	echo $? >"$(build_rc "$1")"
}
builder=
if [ ${#kernels[@]} -gt 0 ]; then
	build_one "${kernels[0]}"
	if [ ${#kernels[@]} -gt 1 ]; then
		( renice -n 19 -p "$BASHPID" >/dev/null
		  for v in "${kernels[@]:1}"; do build_one "$v"; done ) &
		builder=$!
		# (an interrupted run leaves no build behind)
		kill_tree() {
			local c
			for c in $(pgrep -P "$1"); do kill_tree "$c"; done
			kill "$1" 2>/dev/null
		}
		trap 'kill_tree "$builder"' EXIT
		info "building ${kernels[*]:1} in the background (nice 19) while the guests boot"
	fi
fi
# wait_built V: 0 when V's kernel built; a failed build is recorded once.
failed=" "
wait_built() {
	while [ ! -s "$(build_rc "$1")" ]; do sleep 5; done
	[ "$(cat "$(build_rc "$1")")" = 0 ] && return 0
	[[ "$failed" == *" $1 "* ]] || record FAIL "$1: kernel builds" "see $LOGS/build-$1.log"
	failed+="$1 "
	return 1
}

while read -r label v static mode extra; do
	case "$label" in ''|'#'*) continue ;; esac
	if [ -n "${VARIANTS:-}" ] && ! [[ " $VARIANTS " == *" $v "* ]]; then
		continue
	fi
	wait_built "$v" || continue
	log=$LOGS/boot-$label-$mode.log
	args="pmdz_static=$static $extra"
	if ! "$TOP/scripts/boot.sh" "$v" "$mode" "$label" "$args" </dev/null; then
		record FAIL "$label: guest boots, runs its tests and powers off" "see $log"
	fi
	[ "$mode" = kill ] && continue
	sections=e2e,state,fs,dmzero
	# A kernel with modules also loads a module that calls largest_zero_folio().
	grep -q '^CONFIG_MODULES=y' "$BUILD/out/$v/.config" && sections+=,module
	# Rows of the block stacks matrix, with their table.
	if [[ " $extra " == *" stacks_rows="* ]]; then
		sections+=,stacks
		python3 "$TOP/scripts/stacks_report.py" "$label=$log" | sed 's/^/    /'
	fi
	[ "$mode" = kunit ] && sections=
	results "$label" "$log" "$static" "$sections"
done <"$runs"

# Accounting: the static folio is counted in MemTotal, so what the kernel
# keeps for itself (the RAM the firmware gave it, from the boot log's
# "Memory: avail/totalK" line, less MemTotal) is the same with the folio
# and without it (static_pmd_zero_page=off). The firmware's share is not:
# SeaBIOS reserves more at the top of RAM for each added disk (9 pages for
# the stacks rows' three), so MemTotal alone differs between the two boots.
mem() { sed -n 's/^PMDZ-MEM MemTotal: *\([0-9]*\).*/\1/p' "$1" 2>/dev/null | head -n 1; }
ram() { sed -n 's/.*Memory: [0-9]*K\/\([0-9]*\)K available.*/\1/p' "$1" 2>/dev/null | head -n 1; }
on_log=$LOGS/boot-static-y-check.log off_log=$LOGS/boot-static-y-off-check.log
on=$(mem "$on_log") off=$(mem "$off_log") on_ram=$(ram "$on_log") off_ram=$(ram "$off_log")
if [ -n "$on" ] && [ -n "$off" ] && [ -n "$on_ram" ] && [ -n "$off_ram" ]; then
	kept_on=$((on_ram - on)) kept_off=$((off_ram - off))
	what="memory: RAM less MemTotal is the same with the static folio as without it"
	if [ "$kept_on" = "$kept_off" ]; then
		record PASS "$what ($kept_on kB; MemTotal $on and $off kB of $on_ram and $off_ram kB)"
	else
		record FAIL "$what" "$kept_on kB vs $kept_off kB (MemTotal $on of $on_ram kB vs $off of $off_ram kB)"
	fi
elif [ -s "$on_log" ] && [ -s "$off_log" ]; then
	# Both boots ran (a run restricted to one of them compares nothing).
	record FAIL "memory: MemTotal and the boot log's Memory: line in both static-y boots" "missing from $on_log or $off_log"
fi

# The benchmark, once and small, so that it cannot rot unnoticed.
step "bench smoke: one 64 MiB round on the =y kernel, icount and wall clocks"
if [ "${MUTANT:-0}" = 1 ]; then
	info "skipped for a mutant"
elif SMOKE=1 BENCH_MIB=64 BENCH_DISK_MIB=512 BENCH_REPS=1 BENCH_ROUNDS=1 BENCH_CLOCKS="icount wall" BENCH_VARIANTS=static-y \
	BENCH_LABEL=smoke "$TOP/scripts/bench.sh" </dev/null >"$LOGS/bench-smoke.log" 2>&1 &&
   grep -q '^ram0 s/GiB' "$RESULTS/smoke/bench.txt" && grep -q '^xfs64k-dio' "$RESULTS/smoke/bench.txt"; then
	record PASS "bench smoke: make bench measures and reports"
else
	record FAIL "bench smoke: make bench measures and reports" "see $LOGS/bench-smoke.log"
fi

echo
echo "results: $summary; console logs: $LOGS/boot-*-check.log"
[ "$skip" -gt 0 ] && echo "($skip skipped: each says why above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
