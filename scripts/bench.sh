#!/bin/bash
# make bench: the unpatched base, the series with STATIC_PMD_ZERO_PAGE=n and
# with =y, built from the same kconfig fragment and booted the same way
# (QEMU TCG, same memory and vCPUs), in interleaved rounds (base, =n, =y,
# base, =n, =y, ...) under two guest clocks: "icount" (guest time counts
# the instructions executed: the noise-free cost) and "wall" (host time,
# moved by host load). The guest measures BLKZEROOUT and fallocate zeroing
# on null_blk, brd and virtio-blk, memset bandwidth, the kill latency, and
# the consumers (blkdiscard -z, mkfs.ext4, mkfs.xfs, sub-block O_DIRECT on
# XFS 16k/64k); see guest/bench.sh.
#   BENCH_MIB=1024 BENCH_REPS=5 BENCH_ROUNDS=3 BENCH_CLOCKS="icount wall"
#   BENCH_DISK_MIB=4096 (the virtio-blk disks of the mkfs rows)
#   BENCH_DEVS=nullb0,vda (default: every device; the consumers always run
#   under the wall clock) BENCH_VARIANTS="base static-n static-y"
#   BENCH_ONLY=thin: only the dm-thin provisioning rows (dm-kcopyd zeroing).
#   SMOKE=1 (make check): BENCH_VARIANTS=static-y, one round, one clock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mib=${BENCH_MIB:-1024}
reps=${BENCH_REPS:-5}
rounds=${BENCH_ROUNDS:-3}
clocks=${BENCH_CLOCKS:-icount wall}
variants=${BENCH_VARIANTS:-base static-n static-y}
label_suffix=${BENCH_LABEL:-bench}
need_pkgs gnuplot-nox util-linux

out=$RESULTS/$label_suffix
mkdir -p "$out"

# QEMU TCG has no cache model, so the cache cost of a 2 MiB zero source for
# drivers that copy (brd) is measured natively on the host, first, while
# nothing else runs.
if [ "${SMOKE:-0}" != 1 ] && [ "$label_suffix" = bench ]; then
	step "host: copying from zero sources of 4 KiB to 2 MiB (bench/srccache.c)"
	gcc -O2 -Wall -o "$BUILD/srccache" "$TOP/bench/srccache.c"
	"$BUILD/srccache" 4096 1024 5 | tee "$out/srccache.txt"
fi

# Every kernel first, so that the boots can be interleaved.
for v in $variants; do
	"$TOP/scripts/build.sh" "$v" "$(tree_of "$v")"
done

# Room for a brd of $mib MiB and its pages, plus the guest. null_blk
# nullb0 has no backing store (memory_backed=0): its cost is per bio and
# per request.
# kfence.sample_interval=0: the =y test kernel has KFENCE (for the KUnit
# alignment check); without its pool, every kernel has the same memory.
args="brd.rd_size=$(( (mib + 64) * 1024 )) pmdz_bench_mib=$mib pmdz_bench_reps=$reps kfence.sample_interval=0"
[ -z "${BENCH_DEVS:-}" ] || args="$args pmdz_bench_devs=$BENCH_DEVS"
# BENCH_ONLY=thin: only the dm-thin provisioning rows.
[ -z "${BENCH_ONLY:-}" ] || args="$args pmdz_bench_only=$BENCH_ONLY"
nullb="null_blk.nr_devices=1 null_blk.memory_backed=0 null_blk.gb=$(( (mib + 1023) / 1024 + 1 ))"
# The virtio disks (sparse files in /dev/shm, removed after each boot): the
# zeroout size plus room, and at least BENCH_DISK_MIB (4 GiB: the size the
# mkfs and blkdiscard -z rows are measured on; mkfs.xfs needs 512 MiB for a
# log with 64 KiB blocks).
min_disk=${BENCH_DISK_MIB:-4096}
disk_mib=$(( mib + 64 > min_disk ? mib + 64 : min_disk ))
nboots=$(( rounds * $(echo $clocks | wc -w) * $(echo $variants | wc -w) ))
logs=() i=0
for r in $(seq "$rounds"); do
	for clock in $clocks; do
		for v in $variants; do
			i=$((i + 1))
			label=$v-$label_suffix-$clock-r$r
			info "boot $i of $nboots"
			QEMU_CLOCK=$clock QEMU_MEM=$((mib * 2 + 1024)) DISK_SIZE=${disk_mib}M \
			DISK_DIR=/dev/shm NULLB_ARGS="$nullb" BOOT_TIMEOUT=${BENCH_TIMEOUT:-1800} \
				"$TOP/scripts/boot.sh" "$v" bench "$label" "$args pmdz_bench_clock=$clock"
			logs+=("$v@$clock=$LOGS/boot-$label-bench.log")
		done
	done
done

python3 "$TOP/scripts/bench_report.py" "$out" "${logs[@]}"
if command -v gnuplot >/dev/null; then
	nk=$(( ($(head -n 1 "$out/bench.dat" | wc -w) - 1) / 3 ))
	gnuplot -e "dat='$out/bench.dat'; png='$out/bench.png'; mib=$mib; nk=$nk; clock='$(echo $clocks | awk '{ print (/icount/ ? "icount" : $1) }')'" "$TOP/scripts/bench.gp" &&
		info "chart: $out/bench.png"
fi
info "results: $out/bench.txt, $out/bench.csv"
