#!/bin/bash
# make check-full: `make check` plus what does not fit CI's budget:
#  - latency: the kill latency and scheduling delay of zeroouts against the
#    unpatched base (base, =y, =y with static_pmd_zero_page=off, =n);
#  - debug: =y with KASAN, KFENCE, DEBUG_VM, lockdep and DEBUG_PAGEALLOC,
#    booted with all in-guest tests; any report in the log fails it;
#  - nothp: the series with TRANSPARENT_HUGEPAGE=n, booted with all tests;
#  - kmsan: =y with KMSAN (clang-16), booted with all tests;
#  - kunit.py run --kunitconfig=mm/zero_folio.kunitconfig on x86_64 and arm64 (4K pages);
#  - a kernelcore= boot (KUnit: the folio is below ZONE_MOVABLE);
#  - allnoconfig: the series must build;
#  - arm64 (4K pages, =y): cross-built, booted in qemu-system-aarch64, KUnit;
#  - arm64-64k: STATIC_PMD_ZERO_PAGE must not be selectable;
#  - debian-cloud: Debian's own cloud-amd64 config (linux-config-6.12) with
#    =y and the guest's drivers built in, booted with all in-guest tests;
#  - debian-amd64: Debian's full amd64 config with =y, mm/ block/ fs/iomap/
#    compiled (the distribution's configuration builds);
#  - stacks: zeroout through dm-linear (two disks), dm-crypt, dm-thin,
#    dm-log-writes, md raid1/raid5, scsi_debug DIF/DIX, an nvdimm BTT with
#    metadata, cgroup io.max, loop on tmpfs and zram, base vs =y, with the
#    table of results in build/results/stacks.txt (STACKS_ROWS= narrows);
#  - machines: two NUMA nodes (and movablecore=: a ZONE_MOVABLE block goes
#    offline), kexec into a second kernel, hibernation and resume, on the
#    stacks kernels, base vs =y;
#  - fstests (XFS 4k/16k/64k, ext4 4k) on base, =y and =n, and blktests
#    (block, loop, our block/040) on base and =y: no test that passes on the
#    base may fail with the series (make check-fstests, check-blktests);
#  - bases: make check-bases, the series on every linux-source-6.12 the
#    registry offers (applies from the pin on, =y built and booted on the
#    newest).
# Ends with "N passed, N failed" over everything, make check included.
#
# STAGES="kmsan arm64" runs only those stages (names: check latency debug nothp
# kmsan debian fstests blktests stacks machines kunit-x86_64 kunit-arm64 kernelcore
# allnoconfig arm64 arm64-64k bases; and one per row: stacks-btt, machines-kexec...)
# and reports in check-full-subset.txt, so the last full report stays.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

all_stages="check latency debug nothp kmsan debian fstests blktests stacks machines kunit-x86_64 kunit-arm64 kernelcore allnoconfig arm64 arm64-64k bases"
full=$RESULTS/check-full.txt
# Each row of the stacks and machines stages is a stage of its own too:
# STAGES="stacks-btt machines-kexec" runs only those rows.
stack_rows="linear2 crypt thin thin-nozero thin-zeroing logwrites raid1 raid5 scsi-dif btt btt-520 throttle loop-tmpfs zram"
machine_rows=$(awk '$1 !~ /^#/ && NF { print $1 }' "$TOP/configs/machines-runs" | xargs)
row_stages=" $(printf 'stacks-%s ' $stack_rows)$(printf 'machines-%s ' $machine_rows)"
if [ -n "${STAGES:-}" ]; then
	for st in $STAGES; do
		[[ " $all_stages $row_stages " == *" $st "* ]] ||
			die "unknown stage '$st' (stages: $all_stages; rows:$row_stages)"
	done
	[ -n "${STAGES//[[:space:]]/}" ] || die "STAGES is empty (stages: $all_stages)"
	full=$RESULTS/check-full-subset.txt
fi
SUMMARY=$full
: >"$full"
# stage NAME: true when NAME, or one of its rows (NAME-row), is to run
# (every stage without STAGES=).
stage() {
	[ -z "${STAGES:-}" ] || [[ " $STAGES " == *" $1 "* ]] ||
		{ [[ " stacks machines " == *" $1 "* ]] && [[ " $STAGES " == *" $1-"* ]]; } || return 1
	step "check-full stage: $1${2:+ ($2)}"
}
# rows_named NAME: the rows of stage NAME that STAGES names ("": all rows).
rows_named() {
	local st rows=
	[[ " ${STAGES:-} " == *" $1 "* ]] && return 0
	for st in ${STAGES:-}; do
		[[ "$st" == "$1-"* ]] && rows+="${st#"$1-"} "
	done
	echo "$rows"
}
# tally_of LOG: count the "N passed, N failed" line that ends a suite's log
# (a log without it counts as one failure).
tally_of() {
	local p f
	read -r p f < <(tail -n 1 "$1" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1}))
}

if stage check; then
	"$TOP/scripts/check.sh" | tee "$LOGS/check.log"
	tally_of "$LOGS/check.log"
fi

for v in debug nothp kmsan; do
	stage "$v" || continue
	if ! "$TOP/scripts/build.sh" "$v"; then
		record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"; continue
	fi
	mem=1024 args="pmdz_static=yes"
	if [ "$v" = kmsan ]; then
		mem=3072	# KMSAN keeps two bytes of metadata per byte
		# Under KMSAN and TCG, ACPI's _PRT method can run into ACPICA's
		# 30 s AML loop timeout; virtio-blk then has no interrupt (this
		# config has no MSI) and its first read never completes. Route
		# PCI interrupts from the BIOS table instead of ACPI.
		args+=" pci=noacpi"
	fi
	# (a log of an earlier run must not be read as this run's)
	rm -f "$LOGS/boot-$v-check.log"
	QEMU_MEM=$mem BOOT_TIMEOUT=3600 "$TOP/scripts/boot.sh" "$v" check "$v" "$args" ||
		record FAIL "$v: guest boots, runs its tests and powers off"
	results "$v" "$LOGS/boot-$v-check.log" yes e2e,state,fs
done

# Kill latency and scheduling delay against the unpatched base, in one run:
# a measurement with a bound (the median at most 1.5x, the worst delay at
# most 4x the base's), kept out of make check (which checks behaviour:
# a SIGKILL ends a zeroout) so that its budget does not carry a third kernel.
if stage latency; then
	logs=()
	while read -r label v args; do
		if ! "$TOP/scripts/build.sh" "$v" "$(tree_of "$v")" </dev/null; then
			record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"; continue
		fi
		rm -f "$LOGS/boot-$label-kill.log"
		"$TOP/scripts/boot.sh" "$v" kill "$label" "$args" </dev/null ||
			record FAIL "$label: guest boots, measures and powers off" "see $LOGS/boot-$label-kill.log"
		logs+=("$LOGS/boot-$label-kill.log")
	done <<-EOF
	base          base
	static-y      static-y
	static-y-off  static-y  static_pmd_zero_page=off
	static-n      static-n
	EOF
	for kind in "" --schedlat; do
		out=$RESULTS/kill-latency.txt
		[ -n "$kind" ] && out=$RESULTS/sched-latency.txt
		python3 "$TOP/scripts/kill_latency.py" $kind "${logs[@]}" >"$out"
		while IFS='|' read -r _ status name why; do
			record "$status" "$name" "$why"
		done < <(grep '^RESULT|' "$out")
		grep -v '^RESULT' "$out" | sed 's/^/    /'
	done
fi

# The kernel builders' case: Debian's own configs (make check-debian).
if stage debian; then
	"$TOP/scripts/check-debian.sh" | tee "$LOGS/check-debian.log"
	grep -E '^  (PASS|FAIL|SKIP) ' "$LOGS/check-debian.log" >>"$full"
	tally_of "$LOGS/check-debian.log"
fi

# The communities' suites, base vs the series in the same run.
for suite in fstests blktests; do
	stage "$suite" || continue
	k="base y n"
	[ "$suite" = blktests ] && k="base y"
	KERNELS=$k PEER_PARALLEL=${PEER_PARALLEL:-3} "$TOP/scripts/check-peers.sh" "$suite" |
		tee "$LOGS/check-$suite.log"
	tally_of "$LOGS/check-$suite.log"
done

# The block stacks users run (guest/stacks.sh), base vs =y in one run:
# every row must pass on both, and the table shows the bios each saw.
if stage stacks; then
	need_pkgs dmsetup mdadm ndctl
	named=$(rows_named stacks)
	STACKS_ROWS=${named:-${STACKS_ROWS:-}}
	logs=()
	for v in stacks-base stacks-y; do
		if ! "$TOP/scripts/build.sh" "$v" "$(tree_of "$v")" </dev/null; then
			record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"; continue
		fi
		static=yes kunit=
		[ "$v" = stacks-base ] && static= kunit=--no-kunit
		rm -f "$LOGS/boot-$v-stacks.log"
		"$TOP/scripts/boot.sh" "$v" stacks "$v" "pmdz_static=${static:-absent} ${STACKS_ROWS:+stacks_rows=$(echo $STACKS_ROWS | tr ' ' ,)}" </dev/null ||
			record FAIL "$v: guest boots, runs the stacks and powers off" "see $LOGS/boot-$v-stacks.log"
		out=$(python3 "$TOP/scripts/results.py" "$LOGS/boot-$v-stacks.log" --variant "$v" \
			--tree "$(tree_of "$v")" ${static:+--static $static} $kunit --sections stacks)
		printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$SUMMARY"
		read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS')
		pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1})) skip=$((skip + ${s:-0}))
		logs+=("${v#stacks-}=$LOGS/boot-$v-stacks.log")
	done
	python3 "$TOP/scripts/stacks_report.py" "${logs[@]}" | tee "$RESULTS/stacks.txt"
fi

# The machines users run (guest/machines.sh): NUMA, kexec, hibernation.
if stage machines; then
	need_pkgs kexec-tools
	for v in stacks-base stacks-y; do
		if ! "$TOP/scripts/build.sh" "$v" "$(tree_of "$v")" </dev/null; then
			record FAIL "$v: kernel builds" "see $LOGS/build-$v.log"; continue
		fi
		static=yes kunit=
		[ "$v" = stacks-base ] && static=absent kunit=--no-kunit
		named=$(rows_named machines)
		while read -r label mode sections args; do
			case "$label" in ''|'#'*) continue ;; esac
			[ -z "$named" ] || [[ " $named " == *" $label "* ]] || continue
			log=$LOGS/boot-$v-$label-$mode.log
			rm -f "$log"
			"$TOP/scripts/boot.sh" "$v" "$mode" "$v-$label" "pmdz_static=$static $args" </dev/null ||
				record FAIL "$v-$label: guest boots, runs its checks and powers off" "see $log"
			out=$(python3 "$TOP/scripts/results.py" "$log" --variant "$v-$label" \
				--tree "$(tree_of "$v")" $kunit --sections "$sections")
			printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$SUMMARY"
			read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS')
			pass=$((pass + ${p:-0})) fail=$((fail + ${f:-1})) skip=$((skip + ${s:-0}))
		done <"$TOP/configs/machines-runs"
	done
fi

# What a kernel developer types: KUnit's own tool with the suite's
# mm/zero_folio.kunitconfig, under QEMU, for x86_64 and arm64 with 4K pages.
for arch in x86_64 arm64; do
	stage "kunit-$arch" || continue
	args=(--arch="$arch" --kunitconfig=mm/zero_folio.kunitconfig --kernel_args=movablecore=50% --build_dir="$BUILD/kunit-$arch" --jobs=$(( $(nproc) + 1 )))
	[ "$arch" = arm64 ] && args+=(--cross_compile=aarch64-linux-gnu-) && need_pkgs gcc-aarch64-linux-gnu qemu-system-arm
	step "kunit.py run ${args[*]}"
	if (cd "$SRC" && ./tools/testing/kunit/kunit.py run "${args[@]}") >"$LOGS/kunit-py-$arch.log" 2>&1; then
		record PASS "kunit.py run --arch=$arch --kunitconfig=mm/zero_folio.kunitconfig" \
			"$(grep -Eo 'Testing complete\. Ran [0-9]+ tests: .*' "$LOGS/kunit-py-$arch.log" | tail -n 1)"
	else
		record FAIL "kunit.py run --arch=$arch --kunitconfig=mm/zero_folio.kunitconfig" "see $LOGS/kunit-py-$arch.log"
	fi
done

# The ZONE_MOVABLE cap with kernelcore= as well (make check boots with
# movablecore=): KUnit only.
if stage kernelcore; then
	# make check builds static-y; a STAGES= run may not have it yet.
	if "$TOP/scripts/build.sh" static-y; then
		rm -f "$LOGS/boot-static-y-kernelcore-kunit.log"
		BOOT_TIMEOUT=900 "$TOP/scripts/boot.sh" static-y kunit static-y-kernelcore "kernelcore=40%" ||
			record FAIL "static-y-kernelcore: kernel boots and runs KUnit"
		results static-y-kernelcore "$LOGS/boot-static-y-kernelcore-kunit.log" yes ""
	else
		record FAIL "static-y: kernel builds" "see $LOGS/build-static-y.log"
	fi
fi

if stage allnoconfig; then
	if "$TOP/scripts/build.sh" allnoconfig; then
		record PASS "allnoconfig: the series builds"
	else
		record FAIL "allnoconfig: the series builds" "see $LOGS/build-allnoconfig.log"
	fi
fi

if stage arm64; then
	if "$TOP/scripts/build.sh" arm64; then
		rm -f "$LOGS/boot-arm64-kunit.log"
		BOOT_TIMEOUT=900 "$TOP/scripts/boot.sh" arm64 kunit arm64 ||
			record FAIL "arm64: kernel boots and runs KUnit"
		results arm64 "$LOGS/boot-arm64-kunit.log" yes ""
	else
		record FAIL "arm64: kernel builds" "see $LOGS/build-arm64.log"
	fi
fi

if stage arm64-64k; then
	if CONFIG_ONLY=1 LENIENT=1 "$TOP/scripts/build.sh" arm64-64k >/dev/null 2>&1 &&
	   grep -q '^CONFIG_ARM64_64K_PAGES=y' "$BUILD/out/arm64-64k/.config"; then
		if grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$BUILD/out/arm64-64k/.config"; then
			record FAIL "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected" "it was selected"
		else
			record PASS "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected"
		fi
	else
		record FAIL "arm64-64k: STATIC_PMD_ZERO_PAGE cannot be selected" "no 64K-page arm64 config; see $LOGS/config-arm64-64k.log"
	fi
fi

if stage bases; then
	out=$("$TOP/scripts/check-bases.sh" </dev/null 2>&1 | tee "$LOGS/check-bases.log")
	printf '%s\n' "$out" | grep -E '^  (PASS|FAIL|SKIP) ' | while read -r st rest; do
		echo "$st $rest"
	done >"$RESULTS/check-bases.lines"
	while read -r st rest; do
		record "$st" "bases: $rest"
	done <"$RESULTS/check-bases.lines"
	grep -q '^[0-9]* passed, [0-9]* failed$' "$LOGS/check-bases.log" ||
		record FAIL "bases: make check-bases ran to its end" "see $LOGS/check-bases.log"
fi

echo
if stage check >/dev/null; then
	echo "results: $RESULTS/check.txt and $full"
else
	echo "results: $full"
fi
[ "$skip" -gt 0 ] && echo "($skip more skipped above)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
