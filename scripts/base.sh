#!/bin/bash
# Materialise the 6.12 base as a git tree in build/src with a "base" tag.
# Default source: Debian's linux-source-6.12 at the version pinned in
# configs/base (downloaded into build/debs, not installed). KSRC=/path uses
# an existing 6.12 tree instead (copied, never modified in place).
# A build/src made from another base is rebuilt when it holds nothing that
# patches/ lacks, and refused otherwise: it is never silently reused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pin=$(base_pin)
[ -n "$pin" ] || die "configs/base names no version"
if [ -n "${KSRC:-}" ]; then
	want="KSRC=$KSRC"
else
	want="Debian linux-source-6.12 $pin"
fi

if git -C "$SRC" rev-parse -q --verify base >/dev/null 2>&1; then
	have=$(cat "$BUILD/base-version" 2>/dev/null || echo unknown)
	if [ "${have#* (}" = "$want)" ]; then
		info "base tree ready: $SRC ($have)"
		exit 0
	fi
	# Another base. Keep nothing that is not in patches/.
	if git -C "$SRC" rev-parse -q --verify series >/dev/null; then
		tmp=$(mktemp -d)
		format_series "$SRC" base..series "$tmp"
		same=1
		diff -qr "$tmp" "$TOP/patches" >/dev/null || same=0
		rm -rf "$tmp"
		if [ "${FORCE:-0}" != 1 ] && { [ "$same" = 0 ] || ! git -C "$SRC" diff --quiet HEAD; }; then
			die "$SRC is made from $have, not $want, and holds work that patches/ lacks:
       make export it, or move the work with 'make rebase BASE=$pin' (docs/maintaining.md),
       or FORCE=1 make base to throw it away"
		fi
	fi
	step "build/src is $have; the base is now $want: rebuilding it"
	[ -d "$BUILD/base" ] && git -C "$SRC" worktree remove --force "$BUILD/base" 2>/dev/null
	rm -rf "$SRC" "$BUILD/base" "$BUILD/applied"
fi

rm -rf "$SRC.tmp"
if [ -n "${KSRC:-}" ]; then
	[ -f "$KSRC/Makefile" ] && [ -d "$KSRC/mm" ] || die "KSRC=$KSRC is not a kernel tree"
	step "copying $KSRC"
	mkdir -p "$SRC.tmp"
	tar -C "$KSRC" --exclude=.git -cf - . | tar -C "$SRC.tmp" -xf -
else
	step "fetching linux-source-6.12=$pin (configs/base)"
	deb=$(fetch_source "$pin")
	step "unpacking $(basename "$deb") (1.7 GB, about a minute)"
	unpack_source "$deb" "$SRC.tmp"
fi

cd "$SRC.tmp"
v=$(make -s kernelversion 2>/dev/null)
case "$v" in 6.12.*) ;; *) die "base is $v, expected 6.12.y" ;; esac
step "committing base $v ($want; 86k files, about a minute)"
git init -q -b base-branch .
git config core.autocrlf false
git config gc.auto 0
git add -f -A .
# Fixed dates: the same tree gives the same base commit on every machine.
GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
	git commit -q -m "base: Linux $v ($want)"
git tag base
cd "$BUILD"
mv "$SRC.tmp" "$SRC"
echo "$v ($want)" >"$BUILD/base-version"
info "base tree ready: $SRC ($v)"
