#!/bin/bash
# checkpatch.pl --strict on every patch of patches/series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs python3-ply python3-git
# spdxcheck.py needs the ply module of Debian's python3, not another one on PATH.
export PATH=/usr/bin:$PATH
bad=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	out=$(cd "$SRC" && perl scripts/checkpatch.pl --strict -q "$TOP/patches/$p" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$p:"; echo "$out" | sed 's/^/    /'; bad=1
	else
		echo "clean: $p"
	fi
done <"$TOP/patches/series"
exit $bad
