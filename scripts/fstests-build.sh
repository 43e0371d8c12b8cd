#!/bin/bash
# Build fstests on the host, for the guests of the fstests runs (issue 10,
# in progress: the guest side is not written yet). The source is FSTESTS:
# a directory (an upstream clone) or a tarball; by default the pinned
# snapshot in ../shared/peers/. It is unpacked into build/fstests and
# built there with Debian's packages; nothing of it is committed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=${FSTESTS:-$(ls "$TOP"/../shared/peers/fstests-*.tar.xz 2>/dev/null | head -n 1)}
[ -n "$src" ] && [ -e "$src" ] ||
	die "no fstests: set FSTESTS to a clone or tarball of https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git"
# What fstests' build needs (its README and what was measured here).
need_pkgs acl attr automake dbench dump fio gawk indent libacl1-dev libaio-dev \
	libcap-dev libgdbm-dev libgdbm-compat-dev libtool libtool-bin liburing-dev \
	uuid-runtime quota xfsdump xfslibs-dev libinih-dev make gcc
dst=$BUILD/fstests
stamp=$dst/.pmdz-source
if [ "$(cat "$stamp" 2>/dev/null)" != "$src" ]; then
	step "unpacking fstests from $src"
	rm -rf "$dst" && mkdir -p "$dst"
	if [ -d "$src" ]; then
		cp -a "$src"/. "$dst"/
	else
		tar -xf "$src" -C "$dst" --strip-components=1
	fi
	echo "$src" >"$stamp"
fi
step "building fstests in $dst (log $LOGS/fstests-build.log)"
t0=$(date +%s)
run_logged "$LOGS/fstests-build.log" make -C "$dst" -j"$(( $(nproc) + 1 ))"
[ -x "$dst/ltp/fsx" ] && [ -x "$dst/check" ] || die "fstests built, but ltp/fsx or check is missing"
info "fstests built in $(( $(date +%s) - t0 ))s: $dst"
