#!/bin/bash
# make bench-bounds: the measurements behind the zeroout bio bound and the
# bio_vec size of the block patch. Builds the =y kernel once more with the
# two constants of block/blk-lib.c turned into parameters (build/out/
# static-y-bounds; the tree is restored at once), boots it and the
# unpatched base under QEMU's icount clock, and for every pair in BOUNDS
# (BIO_KiB:VEC_KiB) measures (=n and the base, without parameters, too): the cost of zeroing BOUNDS_MIB on null_blk
# (no backing store) and on brd, bios and bio_vecs per GiB, the kill
# latency of a BLKZEROOUT, and the worst scheduling delay of a task on the
# CPU of non-killable zeroouts of brd; and natively on the host, the copy
# rate from zero sources of those sizes. Writes build/results/bounds/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bounds=${BOUNDS:-1024:64 1024:256 1024:1024 4096:64 4096:256 4096:1024 4096:2048 16384:64 16384:256 16384:1024 16384:2048}
mib=${BOUNDS_MIB:-1024}
reps=${BOUNDS_REPS:-3}
out=$RESULTS/bounds
mkdir -p "$out"
f=block/blk-lib.c
git -C "$SRC" diff --quiet -- "$f" || die "$SRC/$f has uncommitted changes; commit or stash them first"

# TCG has no cache model: the copy rate from zero sources of each bio_vec
# size is measured natively on the host, first, while nothing else runs.
step "host: copy rate from a zero source of 4 KiB ... 2 MiB (bench/srccache.c)"
gcc -O2 -Wall -o "$BUILD/srccache" "$TOP/bench/srccache.c"
"$BUILD/srccache" 4096 1024 5 | tee "$out/srccache.txt"

"$TOP/scripts/build.sh" base "$(tree_of base)" </dev/null || die "base does not build"
# The two constants become parameters, with the series' values as defaults.
trap 'git -C "$SRC" checkout -q -- "$f"' EXIT
perl -0pi -e 's/#define BLK_ZEROOUT_BIO_SIZE\t\(BIO_MAX_VECS \* PAGE_SIZE\)\n#define BLK_ZEROOUT_VEC_SIZE\tSZ_(\d+)K\n/static unsigned int pmdz_bio_kb = 1024, pmdz_vec_kb = $1;\nmodule_param(pmdz_bio_kb, uint, 0644);\nmodule_param(pmdz_vec_kb, uint, 0644);\n#define BLK_ZEROOUT_BIO_SIZE\t(READ_ONCE(pmdz_bio_kb) << 10)\n#define BLK_ZEROOUT_VEC_SIZE\t(READ_ONCE(pmdz_vec_kb) << 10)\n/' "$SRC/$f"
perl -0pi -e 's/\tBUILD_BUG_ON\(BLK_ZEROOUT_VEC_SIZE > BLK_ZEROOUT_BIO_SIZE\);\n//' "$SRC/$f"
git -C "$SRC" diff --quiet -- "$f" && die "the constants in $f no longer look as expected"
BUILD_NAME=static-y-bounds "$TOP/scripts/build.sh" static-y </dev/null || die "the =y kernel with parameters does not build"
git -C "$SRC" checkout -q -- "$f"
trap - EXIT
# boot.sh checks the tree a kernel was built from: this one is a variant.
rm -f "$BUILD/out/static-y-bounds/.source"

list=$(echo $bounds | tr ' ' ',')
mem=$((mib * 2 + 1024))
args="brd.rd_size=$(( (mib + 64) * 1024 )) pmdz_bench_mib=$mib pmdz_bench_reps=$reps kfence.sample_interval=0"
nullb="null_blk.nr_devices=1 null_blk.memory_backed=0 null_blk.gb=$(( (mib + 1023) / 1024 + 1 ))"
# The base and =n without parameters, in interleaved rounds: their
# spread is the noise =n is judged against.
"$TOP/scripts/build.sh" static-n </dev/null || die "static-n does not build"
base_logs=() n_logs=()
for r in $(seq "${BOUNDS_ROUNDS:-2}"); do
	for v in base static-n; do
		step "$v, round $r, under icount"
		QEMU_CLOCK=icount QEMU_MEM=$mem NULLB_ARGS="$nullb" BOOT_TIMEOUT=3600 \
			"$TOP/scripts/boot.sh" "$v" bounds "$v-bounds-r$r" "$args"
		if [ "$v" = base ]; then
			base_logs+=("$LOGS/boot-$v-bounds-r$r-bounds.log")
		else
			n_logs+=("$LOGS/boot-$v-bounds-r$r-bounds.log")
		fi
	done
done
step "=y with each of: $bounds"
QEMU_CLOCK=icount QEMU_MEM=$mem NULLB_ARGS="$nullb" BOOT_TIMEOUT=7200 \
	BOOT_OUT=static-y-bounds "$TOP/scripts/boot.sh" static-y bounds static-y-bounds "$args pmdz_bounds=$list"
python3 "$TOP/scripts/bounds_report.py" "$(IFS=,; echo "${base_logs[*]}")" \
	"$(IFS=,; echo "${n_logs[*]}")" "$LOGS/boot-static-y-bounds-bounds.log" | tee "$out/bounds.txt"
