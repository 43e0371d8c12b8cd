#!/bin/bash
# make kill-bounds: the trade-off behind the killable bio bound of patch 5.
# For each bound in BOUNDS (MiB per bio for BLKDEV_ZERO_KILLABLE callers;
# the series uses 1, what BIO_MAX_VECS zero pages held), rebuild the =y
# kernel with that bound, boot it in "kill" mode and measure the time from
# SIGKILL to exit of a 4 GiB BLKZEROOUT on a 64 MiB/s null_blk, next to the
# unpatched base. Undoes the change afterwards. Writes
# build/results/kill-bounds.txt.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

bounds=${BOUNDS:-1 8 64 512}
git -C "$SRC" diff --quiet || die "$SRC has uncommitted changes; commit or stash them first"
out=$RESULTS/kill-bounds.txt
logs=()
[ -f "$BUILD/out/base/arch/x86/boot/bzImage" ] || {
	"$TOP/scripts/build.sh" base "$(tree_of base)" || die "base does not build"
}
"$TOP/scripts/boot.sh" base kill base-kb || die "base did not boot"
for mib in $bounds; do
	perl -0pi -e "s/#define BLKDEV_ZERO_KILLABLE_SECTORS\\t\\(\\(BIO_MAX_VECS \\* PAGE_SIZE\\) >> SECTOR_SHIFT\\)/#define BLKDEV_ZERO_KILLABLE_SECTORS\\t((${mib}ULL << 20) >> SECTOR_SHIFT)/" "$SRC/block/blk-lib.c"
	if git -C "$SRC" diff --quiet; then
		die "the bound in block/blk-lib.c no longer looks as expected"
	fi
	step "killable bios of at most $mib MiB"
	ok=1
	"$TOP/scripts/build.sh" static-y </dev/null && "$TOP/scripts/boot.sh" static-y kill "bound-${mib}M" || ok=0
	git -C "$SRC" checkout -q -- block/blk-lib.c
	[ "$ok" = 1 ] && logs+=("$LOGS/boot-bound-${mib}M-kill.log")
done
python3 "$TOP/scripts/kill_latency.py" "$LOGS/boot-base-kb-kill.log" "${logs[@]}" | grep -v '^RESULT' | tee "$out"
