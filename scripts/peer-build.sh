#!/bin/bash
# Build one of the communities' suites on the host, for the 9p guests.
#   scripts/peer-build.sh fstests|blktests
# The source is FSTESTS or BLKTESTS: a directory (an upstream clone) or a
# tarball; by default the pinned snapshot in ../shared/peers/. It is
# unpacked into build/<suite>, the project's own patches for that suite
# (<suite>-patches/series, if any) are applied, and it is built there with
# Debian's packages. Nothing of the suite is committed here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=${1:?usage: peer-build.sh fstests|blktests}
case $suite in
fstests)
	upstream=https://git.kernel.org/pub/scm/fs/xfs/xfstests-dev.git
	built=(ltp/fsx check)
	# What fstests' build and tests need (its README and what was measured here).
	pkgs=(acl attr automake dbench dump fio gawk indent libacl1-dev libaio-dev
		libcap-dev libgdbm-dev libgdbm-compat-dev libtool libtool-bin liburing-dev
		uuid-runtime quota xfsdump xfslibs-dev libinih-dev make gcc udev) ;;
blktests)
	upstream=https://github.com/osandov/blktests.git
	built=(src/loblksize check)
	pkgs=(gawk fio make gcc g++ udev util-linux kmod e2fsprogs xfsprogs liburing-dev
		blktrace parted dosfstools fdisk pciutils) ;;
*)	die "unknown suite '$suite' (fstests or blktests)" ;;
esac
# FSTESTS= / BLKTESTS=, or else the pinned snapshot (the first, sorted).
var=${suite^^}
src=${!var:-}
if [ -n "$src" ]; then
	[ -e "$src" ] || die "$var=$src does not exist: set it to a clone or tarball of $upstream"
	[ -f "$src" ] || [ -f "$src/check" ] ||
		die "$var=$src is not a $suite tree (no ./check): set it to a clone or tarball of $upstream"
	src=$(realpath "$src")
else
	for f in "$TOP"/../shared/peers/"$suite"-*.tar.xz; do
		[ -f "$f" ] && { src=$f; break; }
	done
	[ -n "$src" ] || die "no $suite snapshot ($(realpath -m "$TOP/../shared/peers")/$suite-*.tar.xz):" \
		"set $var=/path/to/$(basename "$upstream" .git) (a clone or tarball of $upstream)"
fi
need_pkgs "${pkgs[@]}"
dst=$BUILD/$suite
patches=$TOP/$suite-patches
stamp=$dst/.pmdz-source
want="$src $( { cat "$patches"/series "$patches"/*.patch 2>/dev/null || true; } | sha1sum)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	step "unpacking $suite from $src"
	rm -rf "$dst" && mkdir -p "$dst"
	if [ -d "$src" ]; then
		cp -a "$src"/. "$dst"/
	else
		tar -xf "$src" -C "$dst" --strip-components=1
	fi
	if [ -f "$patches/series" ]; then
		while read -r p; do
			case $p in ''|'#'*) continue ;; esac
			info "applying $suite-patches/$p"
			patch -d "$dst" -p1 -s <"$patches/$p" || die "$p does not apply to $src"
		done <"$patches/series"
	fi
	echo "$want" >"$stamp"
fi
step "building $suite in $dst (log $LOGS/$suite-build.log)"
t0=$(date +%s)
run_logged "$LOGS/$suite-build.log" make -C "$dst" -j"$(( $(nproc) + 1 ))"
for f in "${built[@]}"; do
	[ -x "$dst/$f" ] || die "$suite built, but $f is missing"
done
info "$suite built in $(( $(date +%s) - t0 ))s: $dst"
