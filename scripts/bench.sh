#!/bin/bash
# make bench: the unpatched base, the series with STATIC_PMD_ZERO_PAGE=n and
# with =y, built from the same kconfig fragment and booted the same way
# (QEMU TCG, same memory and vCPUs). The guest measures BLKZEROOUT on
# null_blk (memory_backed=0), brd and virtio-blk (write-zeroes=off),
# memset bandwidth, blkdiscard -z and mkfs.ext4; see guest/bench.sh.
#   BENCH_MIB=1024 BENCH_REPS=5 (defaults); SMOKE=1 for a quick check run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mib=${BENCH_MIB:-1024}
reps=${BENCH_REPS:-5}
variants=${BENCH_VARIANTS:-base static-n static-y}
label_suffix=${BENCH_LABEL:-bench}
need_pkgs gnuplot-nox util-linux

logs=()
for v in $variants; do
	tree=$SRC
	if [ "$v" = base ]; then
		tree=$BUILD/base
		[ -d "$tree" ] || git -C "$SRC" worktree add -q --detach "$tree" base
	fi
	"$TOP/scripts/build.sh" "$v" "$tree"
	# Room for a brd of $mib MiB and its pages, plus the guest.
	QEMU_MEM=$((mib * 2 + 1024)) DISK_SIZE=$((mib + 64))M DISK_DIR=/dev/shm \
	NULLB_ARGS="null_blk.nr_devices=1 null_blk.memory_backed=0 null_blk.gb=$(( (mib + 1023) / 1024 + 1 ))" \
	BOOT_TIMEOUT=${BENCH_TIMEOUT:-1800} \
		"$TOP/scripts/boot.sh" "$v" bench "$v-$label_suffix" \
		"brd.rd_size=$(( (mib + 64) * 1024 ))K pmdz_bench_mib=$mib pmdz_bench_reps=$reps"
	logs+=("$v=$LOGS/boot-$v-$label_suffix-bench.log")
done

out=$RESULTS/$label_suffix
mkdir -p "$out"
python3 "$TOP/scripts/bench_report.py" "$out" "${logs[@]}"
if command -v gnuplot >/dev/null; then
	gnuplot -e "dat='$out/bench.dat'; png='$out/bench.png'; mib=$mib" "$TOP/scripts/bench.gp" &&
		info "chart: $out/bench.png"
fi
info "results: $out/bench.txt, $out/bench.csv"
