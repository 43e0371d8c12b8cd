#!/bin/bash
# blktests in the 9p guest (run by guest/peers-init.sh from the run dir).
# ./settings (written by scripts/check-peers.sh blktests) gives BLKTESTS_DIR (the
# built blktests, read-only here), CONFIG (its config file) and TESTS
# (groups and tests). Results go to results/ in the run dir.
set -u
. ./settings
run=$PWD
t0=$(date +%s)
# shellcheck disable=SC2086
# Results (and each test's TMPDIR, made inside them) on tmpfs, not on the
# 9p share: copied there at the end.
(cd "$BLKTESTS_DIR" && ./check -c "$CONFIG" -o /tmp/results $TESTS)
rc=$?
cp -a /tmp/results "$run/results" 2>/dev/null
echo "PMDZ-BLKTESTS-TIME $(( $(date +%s) - t0 ))"
exit $rc
