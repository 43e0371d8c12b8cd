#!/bin/bash
# The communities' suites on the series, against the unpatched base, in
# 9p-root guests (scripts/peers-boot.sh):
#   scripts/check-peers.sh fstests    (make check-fstests, fstests-baseline)
#   scripts/check-peers.sh blktests   (make check-blktests)
# KERNELS picks the guest kernels: variants fstests-<k> of configs/variants,
# k = base, y or n (default: fstests "y n", blktests "base y"). When "base"
# is among them, its results of this run are the baseline and are written
# to configs/<suite>/baseline (a narrowed run replaces only the rows it
# ran); otherwise that stored baseline is used.
# fstests: sections FSTESTS_SECTIONS (default every line of
# configs/fstests/sections), subset configs/fstests/tests. blktests: the
# groups/tests in configs/blktests/groups, config configs/blktests/config.
# TESTS="generic/091 xfs/242" or "block/040" runs those instead of the list.
# The suites come from FSTESTS / BLKTESTS (clone or tarball; default the
# pinned snapshots). PEER_PARALLEL=N boots up to N kernels at once.
# PEER_OUT=<out dir name> boots that build (made with BUILD_NAME=) instead of
# building the variant: scripts/peer-mutant.sh uses it.
# Ends with "N passed, N failed" (skips listed above it): failed = passes
# on the base, fails (or does not run) on a series kernel, or the kernel
# panicked or hung; exit status 1. Exit status 2 (and a last line saying
# so) when a guest did not start its suite (guest/<suite>-job.sh prints
# PMDZ-SUITE-START) or no test ran: a harness problem, not a test result.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${1:?usage: check-peers.sh fstests|blktests}
cfgdir=$TOP/configs/$suite
case $suite in
fstests)
	kernels=${KERNELS:-y n}
	sections=${FSTESTS_SECTIONS:-$(awk '!/^#/ && NF { print $1 }' "$cfgdir/sections" | tr '\n' ' ')}
	list=${TESTS:-$(awk '!/^#/ && NF { print $1 }' "$cfgdir/tests" | tr '\n' ' ')}
	what="sections [$sections], $(echo "$list" | wc -w) tests" ;;
blktests)
	kernels=${KERNELS:-base y}
	tests=${TESTS:-$(awk '!/^#/ && NF { print $1 }' "$cfgdir/groups" | tr '\n' ' ')}
	what="tests [$tests]" ;;
*)	die "unknown suite '$suite' (fstests or blktests)" ;;
esac
"$TOP/scripts/peers-boot.sh" --check	# before building anything
"$TOP/scripts/peer-build.sh" "$suite"
[ -n "${PEER_OUT:-}" ] || peer_kernels $kernels

# A run narrowed by TESTS= or FSTESTS_SECTIONS= gets its own run dirs
# (<suite>-<k>-subset) and summary (<suite>-summary-subset.txt) so that
# it keeps the last full run's per-test logs and table.
tag=${PEER_OUT:+-$PEER_OUT} narrow=
[ -z "${TESTS:-}${FSTESTS_SECTIONS:-}" ] || { tag+=-subset narrow=-subset; }
t0=$(date +%s)
SUMMARY=$RESULTS/$suite-summary$narrow.txt
: >"$SUMMARY"
one() {	# one KERNEL: boot it, run the suite, write its TSV
	local k=$1 run=$BUILD/peers/$suite-$1$tag
	rm -rf "$run" && mkdir -p "$run"
	case $suite in
	fstests) printf '%s\n' $list >"$run/tests"
		cat >"$run/settings" <<-EOF
		FSTESTS_DIR=$BUILD/fstests
		SECTIONS_FILE=$cfgdir/sections
		TESTS_FILE=$run/tests
		SECTIONS="$sections"
		EOF
		;;
	blktests) cat >"$run/settings" <<-EOF
		BLKTESTS_DIR=$BUILD/blktests
		CONFIG=$cfgdir/config
		TESTS="$tests"
		EOF
		;;
	esac
	"$TOP/scripts/peers-boot.sh" "fstests-$k" "$run" "$TOP/guest/$suite-job.sh" ||
		info "fstests-$k: the guest reported a problem (see $run/console.log)"
	sed -n "s/^.*PMDZ-[A-Z]*-TIME \(.*\)/    fstests-$k: \1 s/p" "$run/console.log" 2>/dev/null || true
	python3 "$TOP/scripts/peers_report.py" "$suite" "$run" >"$run/results.tsv"
}
step "$suite: kernels [$kernels], $what (logs in $BUILD/peers/$suite-*$tag)"
peer_each one $kernels

# Each kernel panicked or hung (peers-boot.sh wrote crashed: a failure),
# or ran its suite (PMDZ-SUITE-START), or did not start it: a harness
# problem (no share, suite or tool missing, ...), reported as such, no verdict.
specs=() wb=() crashed=() notrun=
for k in $kernels; do
	r=$BUILD/peers/$suite-$k$tag
	specs+=("$k=$r/results.tsv")
	if [ -s "$r/crashed" ]; then
		crashed+=(--crashed "$k=$(cat "$r/crashed")")
	elif ! grep -aq PMDZ-SUITE-START "$r/console.log" 2>/dev/null; then
		why=$(grep -ao 'PMDZ-SUITE-ERROR .*' "$r/console.log" 2>/dev/null | tr -d '\r' | head -n 1) || true
		why="${why#PMDZ-SUITE-ERROR }${why:+ }(see $r/console.log)"
		[ -f "$r/console.log" ] || why="the guest did not boot (see the errors above)"
		echo "ERROR: fstests-$k: the $suite suite did not run: $why" | tee -a "$SUMMARY"
		notrun+=" fstests-$k"
	fi
done
if [ -n "$notrun" ]; then
	echo "ERROR: $suite: no verdict, the suite did not run on$notrun (a harness problem, not a test result)" |
		tee -a "$SUMMARY"
	exit 2
fi
# A run with the base rewrites the baseline (a run narrowed by TESTS= or
# FSTESTS_SECTIONS= only the rows it ran); a mutant build never does.
[ -z "${PEER_OUT:-}" ] &&
case " $kernels " in *" base "*)
	wb=(--write-baseline "$cfgdir/baseline" --header "# $suite on the unpatched base \
($(git -C "$(tree_of base)" describe --tags --always)), $(date -u +%F), written by scripts/check-peers.sh $suite
# section	test	status	seconds	reason
") ;;
esac
info "$suite: $(( $(date +%s) - t0 ))s for kernels [$kernels]; summary $SUMMARY"
set +e
python3 "$TOP/scripts/peers_report.py" compare --baseline "$cfgdir/baseline" \
	${TESTS:+--tests "$TESTS"} ${FSTESTS_SECTIONS:+--sections "$FSTESTS_SECTIONS"} \
	${TESTS:+--merge} ${FSTESTS_SECTIONS:+--merge} \
	"${wb[@]}" "${crashed[@]}" "${specs[@]}" |
	tee -a "$SUMMARY"
rc=${PIPESTATUS[0]}
set -e
exit "$rc"
