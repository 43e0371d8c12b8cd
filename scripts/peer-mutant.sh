#!/bin/bash
# Prove that a test of the communities' suites can fail: build the fstests-y
# guest kernel with one deliberately broken variant of configs/mutants
# applied, run the given tests of a suite on it, and report "caught" (a
# test that passes on the base failed, or the kernel panicked or hung;
# exit 0) or "MISSED" (exit 1). A run in which the suite did not run or
# ran no test is a harness error, neither: "ERROR: ..." and exit 2.
#   scripts/peer-mutant.sh MUTANT fstests|blktests "TESTS"
# e.g. scripts/peer-mutant.sh zeroout-one-sector-past blktests block/040
# The build starts from a copy of build/out/fstests-y, so only the files the
# mutant touches are recompiled; build/src is restored afterwards.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: peer-mutant.sh MUTANT fstests|blktests TESTS}
suite=${2:?usage: peer-mutant.sh MUTANT fstests|blktests TESTS}
tests=${3:?usage: peer-mutant.sh MUTANT fstests|blktests TESTS}
line=$(awk -F'|' -v n="$name" '{ m = $1; gsub(/ /, "", m) } m == n' "$TOP/configs/mutants")
[ -n "$line" ] || die "no mutant '$name' in configs/mutants"
IFS='|' read -r _ file _ subst <<<"$line"
file=$(echo "$file" | xargs)
subst=$(echo "$subst" | sed 's/^ *//; s/ *$//')
git -C "$SRC" diff --quiet || die "$SRC has uncommitted changes; commit or stash them first"
# What would stop the suite, before building any kernel.
"$TOP/scripts/peers-boot.sh" --check
"$TOP/scripts/peer-build.sh" "$suite"

peer_kernels y
mut=fstests-mut
rm -rf "$BUILD/out/$mut"
cp -a "$BUILD/out/fstests-y" "$BUILD/out/$mut"
perl -0pi -e "$subst" "$SRC/$file"
trap 'git -C "$SRC" checkout -q -- "$file"' EXIT
git -C "$SRC" diff --quiet -- "$file" && die "mutant $name no longer matches $file"
git -C "$SRC" diff -- "$file" | sed 's/^/    /'
BUILD_NAME=$mut "$TOP/scripts/build.sh" fstests-y </dev/null
git -C "$SRC" checkout -q -- "$file"
trap - EXIT

log=$LOGS/peer-mutant-$name.log
set +e
PEER_OUT=$mut KERNELS=y TESTS=$tests "$TOP/scripts/check-peers.sh" "$suite" >"$log" 2>&1
rc=$?
set -e
{ grep -aE 'FAIL|ERROR|error:|passed, ' "$log" || true; } | sed 's/^/    /'
# Caught only on evidence: check-peers.sh counted a failure (exit 1 and
# "N failed", N > 0). Its exit 2 (the suite did not run, no test ran) and
# any other error (a build, a missing file) are no verdict.
if [ "$rc" -eq 0 ]; then
	info "mutant $name: MISSED by $suite $tests (log $log)"
	exit 1
elif [ "$rc" -eq 1 ] && grep -aqE '^[0-9]+ passed, [1-9][0-9]* failed$' "$log"; then
	info "mutant $name: caught by $suite $tests (log $log)"
else
	echo "ERROR: mutant $name: the suite did not run: no verdict from $suite $tests," \
		"neither caught nor missed (check-peers.sh exit $rc; see $log)" >&2
	exit 2
fi
