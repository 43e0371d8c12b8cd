#!/bin/bash
# Materialise the 6.12 base as a git tree in build/src with a "base" tag.
# Default source: Debian's linux-source-6.12 package. KSRC=/path uses an
# existing 6.12 tree instead (copied, never modified in place).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if git -C "$SRC" rev-parse -q --verify base >/dev/null 2>&1; then
	info "base tree ready: $SRC ($(cat "$BUILD/base-version"))"
	exit 0
fi

rm -rf "$SRC.tmp"
if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/mm" ] || die "KSRC=$KSRC is not a kernel tree"
	step "copying $KSRC"
	mkdir -p "$SRC.tmp"
	tar -C "$KSRC" --exclude=.git -cf - . | tar -C "$SRC.tmp" -xf -
	origin="KSRC=$KSRC"
else
	need_pkgs linux-source-6.12
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz)
	step "unpacking $tarball (1.7 GB, about a minute)"
	mkdir -p "$SRC.tmp"
	tar -C "$SRC.tmp" --strip-components=1 -xf "$tarball"
	origin="Debian linux-source-6.12 $(dpkg-query -W -f='${Version}' linux-source-6.12)"
fi

cd "$SRC.tmp"
v=$(make -s kernelversion 2>/dev/null)
case "$v" in 6.12.*) ;; *) die "base is $v, expected 6.12.y" ;; esac
step "committing base $v ($origin; 86k files, about a minute)"
git init -q -b base-branch .
git config core.autocrlf false
git config gc.auto 0
git add -f -A .
# Fixed dates: the same tree gives the same base commit on every machine.
GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	git commit -q -m "base: Linux $v ($origin)"
git tag base
cd "$BUILD"
mv "$SRC.tmp" "$SRC"
echo "$v ($origin)" >"$BUILD/base-version"
info "base tree ready: $SRC ($v)"
