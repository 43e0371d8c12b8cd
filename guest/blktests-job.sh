#!/bin/bash
# blktests in the 9p guest (run by guest/peers-init.sh from the run dir).
# ./settings (written by scripts/check-peers.sh blktests) gives BLKTESTS_DIR (the
# built blktests, read-only here), CONFIG (its config file) and TESTS
# (groups and tests). Results go to results/ in the run dir. It prints
# PMDZ-SUITE-START when blktests starts, or PMDZ-SUITE-ERROR why it cannot
# (scripts/check-peers.sh tells a harness problem from the tests' results
# by them).
set -u
. ./settings
run=$PWD
missing=
[ -x "$BLKTESTS_DIR/check" ] || missing+=" $BLKTESTS_DIR/check"
[ -r "$CONFIG" ] || missing+=" $CONFIG"
if [ -n "$missing" ]; then
	echo "PMDZ-SUITE-ERROR blktests cannot start: missing$missing"
	exit 1
fi
t0=$(date +%s)
echo "PMDZ-SUITE-START blktests"
# shellcheck disable=SC2086
# Results (and each test's TMPDIR, made inside them) on tmpfs, not on the
# 9p share: copied there at the end.
(cd "$BLKTESTS_DIR" && ./check -c "$CONFIG" -o /tmp/results $TESTS)
rc=$?
cp -a /tmp/results "$run/results" 2>/dev/null
echo "PMDZ-BLKTESTS-TIME $(( $(date +%s) - t0 ))"
exit $rc
