#!/bin/bash
# Prove that a test of the communities' suites can fail: build the fstests-y
# guest kernel with one deliberately broken variant of configs/mutants
# applied, run the given tests of a suite on it, and report "caught" (the
# suite failed) or "MISSED".
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

set +e
PEER_OUT=$mut KERNELS=y TESTS=$tests "$TOP/scripts/check-peers.sh" "$suite" >"$LOGS/peer-mutant-$name.log" 2>&1
rc=$?
set -e
grep -E 'FAIL|passed, ' "$LOGS/peer-mutant-$name.log" | sed 's/^/    /'
if [ "$rc" -ne 0 ]; then
	info "mutant $name: caught by $suite $tests (log $LOGS/peer-mutant-$name.log)"
else
	info "mutant $name: MISSED by $suite $tests (log $LOGS/peer-mutant-$name.log)"
	exit 1
fi
