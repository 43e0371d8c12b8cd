#!/bin/bash
# Apply patches/series with git am onto the "base" tag, as branch "series"
# of build/src. Skips the work when the branch already holds exactly these
# patches; refuses to throw away commits that were not exported.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$SRC"
sum=$(cd "$TOP/patches" && cat series $(grep -v '^#' series) | sha1sum | cut -d' ' -f1)
head=$(git rev-parse -q --verify series || true)
if [ -n "$head" ] && [ -f "$BUILD/applied" ] && [ "$(cat "$BUILD/applied")" = "$sum $head" ]; then
	info "patches already applied: series at $(git log -1 --format='%h %s' series)"
	exit 0
fi
if [ -n "$head" ] && [ "${FORCE:-0}" != 1 ]; then
	# Would the current branch export to something other than patches/?
	tmp=$(mktemp -d)
	format_series "$SRC" base..series "$tmp"
	if ! diff -qr "$tmp" "$TOP/patches" >/dev/null; then
		rm -rf "$tmp"
		die "branch 'series' in $SRC has commits that differ from patches/: run 'make export' first, or FORCE=1 make apply to discard them"
	fi
	rm -rf "$tmp"
fi
git diff --quiet && git diff --cached --quiet ||
	die "$SRC has uncommitted changes; commit or stash them first"

step "applying $(grep -vc '^#' "$TOP/patches/series") patches onto base $(cat "$BUILD/base-version")"
git checkout -q -B series base
git am --abort >/dev/null 2>&1 || true
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	if ! git am -q --keep-cr "$TOP/patches/$p" >"$LOGS/am.log" 2>&1; then
		reason=$(grep -E 'error|patch failed|does not apply' "$LOGS/am.log" | head -n 5)
		git am --abort >/dev/null 2>&1 || true
		die "patch $p does not apply: ${reason:-see $LOGS/am.log}"
	fi
	info "applied $p"
done <"$TOP/patches/series"
echo "$sum $(git rev-parse series)" >"$BUILD/applied"
