#!/bin/bash
# Regenerate patches/ from the commits base..series in build/src: one
# git format-patch file per commit, patches/series, and the cover letter,
# whose subject and text are kept while its shortlog and diffstat are
# regenerated.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cd "$SRC"
git diff --quiet && git diff --cached --quiet ||
	die "$SRC has uncommitted changes; commit them first"
n=$(git rev-list --count base..series)
[ "$n" -gt 0 ] || die "branch series has no commits on top of base"
tmp=$(mktemp -d)
format_series "$SRC" base..series "$tmp"
rm -f "$TOP"/patches/*.patch
cp "$tmp"/*.patch "$tmp/series" "$TOP/patches/"
rm -rf "$tmp"
echo "$(cd "$TOP/patches" && cat series $(cat series) | sha1sum | cut -d' ' -f1) $(git rev-parse series)" >"$BUILD/applied"
info "exported $n patches to patches/"
