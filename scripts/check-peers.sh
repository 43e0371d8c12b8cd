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
# on the base, fails (or does not run) on a series kernel.
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
	sed -n "s/^.*PMDZ-[A-Z]*-TIME \(.*\)/    fstests-$k: \1 s/p" "$run/console.log"
	python3 "$TOP/scripts/peers_report.py" "$suite" "$run" >"$run/results.tsv"
}
step "$suite: kernels [$kernels], $what (logs in $BUILD/peers/$suite-*$tag)"
peer_each one $kernels

specs=() wb=()
for k in $kernels; do specs+=("$k=$BUILD/peers/$suite-$k$tag/results.tsv"); done
# A run with the base rewrites the baseline (a run narrowed by TESTS= or
# FSTESTS_SECTIONS= only the rows it ran); a mutant build never does.
[ -z "${PEER_OUT:-}" ] &&
case " $kernels " in *" base "*)
	wb=(--write-baseline "$cfgdir/baseline" --header "# $suite on the unpatched base \
($(git -C "$(tree_of base)" describe --tags --always)), $(date -u +%F), written by scripts/check-peers.sh $suite
# section	test	status	seconds	reason
") ;;
esac
set +e
python3 "$TOP/scripts/peers_report.py" compare --baseline "$cfgdir/baseline" \
	${TESTS:+--tests "$TESTS"} ${FSTESTS_SECTIONS:+--sections "$FSTESTS_SECTIONS"} \
	${TESTS:+--merge} ${FSTESTS_SECTIONS:+--merge} \
	"${wb[@]}" "${specs[@]}" |
	tee -a "$SUMMARY"
rc=${PIPESTATUS[0]}
set -e
info "$suite: $(( $(date +%s) - t0 ))s for kernels [$kernels]; summary $SUMMARY"
exit "$rc"
