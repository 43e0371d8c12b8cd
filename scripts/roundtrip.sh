#!/bin/bash
# Apply patches/ with git am onto base in a scratch worktree (build/roundtrip)
# and export it again the way scripts/export.sh does: the result must be
# byte-identical to patches/. Exit 0 when it is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

wt=$BUILD/roundtrip
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" base
cd "$wt"
git am --abort >/dev/null 2>&1 || true
git checkout -q -f --detach base
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	git am -q --keep-cr "$TOP/patches/$p" >"$LOGS/roundtrip-am.log" 2>&1 ||
		die "roundtrip: $p does not apply (see $LOGS/roundtrip-am.log)"
done <"$TOP/patches/series"
out=$(mktemp -d)
format_series "$wt" base..HEAD "$out"
if diff -r "$out" "$TOP/patches" >"$LOGS/roundtrip.diff"; then
	rm -rf "$out"
	exit 0
fi
rm -rf "$out"
echo "roundtrip: patches/ differs after git am + format-patch, see $LOGS/roundtrip.diff" >&2
exit 1
