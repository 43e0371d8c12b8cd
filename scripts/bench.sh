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

out=$RESULTS/$label_suffix
mkdir -p "$out"

# QEMU TCG has no cache model, so the cache cost of a 2 MiB zero source for
# drivers that copy (brd) is measured natively on the host, first, while
# nothing else runs.
if [ "${SMOKE:-0}" != 1 ] && [ "$label_suffix" = bench ]; then
	step "host: copying from a 4 KiB vs a 2 MiB zero source (bench/srccache.c)"
	gcc -O2 -Wall -o "$BUILD/srccache" "$TOP/bench/srccache.c"
	"$BUILD/srccache" 4096 1024 5 | tee "$out/srccache.txt"
fi

logs=()
for v in $variants; do
	tree=$SRC
	if [ "$v" = base ]; then
		tree=$BUILD/base
		[ -d "$tree" ] || git -C "$SRC" worktree add -q --detach "$tree" base
	fi
	"$TOP/scripts/build.sh" "$v" "$tree"
	# Room for a brd of $mib MiB and its pages, plus the guest. null_blk
	# has no backing store (memory_backed=0): its cost is per bio and per
	# request. A second boot measures it again with 4 MiB requests allowed
	# (null_blk's default max_sectors caps them at 127.5 KiB).
	for pass in default 4M; do
		args="brd.rd_size=$(( (mib + 64) * 1024 )) pmdz_bench_mib=$mib pmdz_bench_reps=$reps"
		nullb="null_blk.nr_devices=1 null_blk.memory_backed=0 null_blk.gb=$(( (mib + 1023) / 1024 + 1 ))"
		label=$v-$label_suffix
		if [ "$pass" = 4M ]; then
			[ "${SMOKE:-0}" = 1 ] && continue
			args+=" pmdz_bench_devs=nullb0 pmdz_bench_tag=-4M"
			nullb+=" null_blk.max_sectors=8192"
			label=$v-$label_suffix-4M
		fi
		QEMU_MEM=$((mib * 2 + 1024)) DISK_SIZE=$((mib + 64))M DISK_DIR=/dev/shm \
		NULLB_ARGS="$nullb" BOOT_TIMEOUT=${BENCH_TIMEOUT:-1800} \
			"$TOP/scripts/boot.sh" "$v" bench "$label" "$args"
		logs+=("$v=$LOGS/boot-$label-bench.log")
	done
done

python3 "$TOP/scripts/bench_report.py" "$out" "${logs[@]}"
if command -v gnuplot >/dev/null; then
	gnuplot -e "dat='$out/bench.dat'; png='$out/bench.png'; mib=$mib" "$TOP/scripts/bench.gp" &&
		info "chart: $out/bench.png"
fi
info "results: $out/bench.txt, $out/bench.csv"
