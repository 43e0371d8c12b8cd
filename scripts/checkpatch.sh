#!/bin/bash
# checkpatch.pl --strict on every patch of patches/series.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_pkgs python3-ply python3-git
# spdxcheck.py needs the ply module of Debian's python3, not another one on PATH.
export PATH=/usr/bin:$PATH
# The patches carry no Signed-off-by until the person posting them adds
# theirs (make export SIGNOFF="Name <email>"); checkpatch's complaint about
# the missing one is the only one left out, and only then.
ignore=
if ! grep -q '^Signed-off-by: ' "$TOP"/patches/0001-*.patch; then
	ignore="--ignore MISSING_SIGN_OFF"
	info "no Signed-off-by in patches/ yet (make export SIGNOFF=...): MISSING_SIGN_OFF not reported"
fi
# New files under mm/ are covered by MAINTAINERS' "F: mm/": the warning that
# asks about them is answered in the cover letter rather than with a hunk.
ignore+=" --ignore FILE_PATH_CHANGES"
info "FILE_PATH_CHANGES (does MAINTAINERS need updating?) not reported: F: mm/ covers the new files (cover letter)"
bad=0
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	out=$(cd "$SRC" && perl scripts/checkpatch.pl --strict -q $ignore "$TOP/patches/$p" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$p:"; echo "$out" | sed 's/^/    /'; bad=1
	else
		echo "clean: $p"
	fi
done <"$TOP/patches/series"
exit $bad
