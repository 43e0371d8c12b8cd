#!/bin/bash
# blktests in the 9p guest (run by guest/peers-init.sh from the run dir).
# ./settings (written by scripts/check-blktests.sh) gives BLKTESTS_DIR (the
# built blktests, read-only here), CONFIG (its config file) and TESTS
# (groups and tests). Results go to results/ in the run dir.
set -u
. ./settings
run=$PWD
t0=$(date +%s)
# shellcheck disable=SC2086
(cd "$BLKTESTS_DIR" && ./check -c "$CONFIG" -o "$run/results" $TESTS)
rc=$?
echo "PMDZ-BLKTESTS-TIME $(( $(date +%s) - t0 ))"
exit $rc
