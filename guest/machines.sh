#!/bin/sh
# The machines users run (make check-full STAGES=machines): two NUMA nodes
# with and without ZONE_MOVABLE, kexec into a second kernel, kdump, hibernation
# and resume. Called by /init with the phase to run; TAP on stdout.
#   machines.sh numa        the folio's node and zone, hot-remove of a
#                           ZONE_MOVABLE memory block (movablecore= boots)
#   machines.sh kexec       checks, then kexec -e into the same kernel
#   machines.sh kexec2      (in the kexec'd kernel) its own folio, KUnit, state
#   machines.sh kdump       checks, kexec -p, then a crash (sysrq c)
#   machines.sh kdump2      (in the capture kernel) no static folio
#   machines.sh hibernate   swap on vdb, echo disk > /sys/power/state
#   machines.sh resume      (after the resume) the folio as before, zeroout
#   machines.sh pageowner   (page_owner=on) what page_owner says of the folio
# pmdz_static=yes|absent: =y kernel or the unpatched base (the checks of the
# static folio itself do not apply to the base and are skipped there).
n=0
# The kernel log of this boot as /init found it (/init's klog clears the
# ring buffer between sections; boot-time lines are only there).
bootlog() {
	if [ -r /tmp/boot.dmesg ]; then cat /tmp/boot.dmesg; else dmesg; fi
}
tap() {	# tap STATUS NAME: 0 = ok, "skip:REASON" = skipped, else not ok
	n=$((n + 1))
	case "$1" in
	0)	echo "ok $n - $2" ;;
	skip:*)	echo "ok $n - $2 # SKIP ${1#skip:}" ;;
	*)	echo "not ok $n - $2" ;;
	esac
}
is() { [ "$1" = "$2" ] && echo 0 || { echo "# $3: expected '$2', got '$1'" >&2; echo 1; }; }
static() { [ "${pmdz_static:-absent}" = yes ]; }
field() { echo "$2" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

# The huge zero folio as a THP read fault maps it.
folio_checks() {	# folio_checks WHEN
	f=$(stackcheck zerofolio)
	echo "# $1: $f"
	tap "$(is "$(field thp "$f") $(field zero_page "$f") $(field all_zero "$f")" "1 1 1" "$1")" \
		"$1: a THP read fault maps a huge zero folio, all zero"
	if static; then
		tap "$(is "$(bootlog | grep -c 'static PMD zero folio: 2048 KiB in use')" 1 "$1")" \
			"$1: the boot log says the static folio is in use"
	fi
}

# The next kernel's initramfs is this one: its files, as they are.
this_initramfs() {
	(cd / && find . -xdev | cpio -o -H newc 2>/dev/null) > /tmp/kexec-initrd.cpio
}

kunit_totals() {	# the KUnit totals of this kernel's boot, from its log
	t=$(bootlog | grep -E '# (zero_folio|Totals)' | grep -o 'pass:[0-9]* fail:[0-9]*' | tail -n 1)
	echo "# KUnit: ${t:-none}"
	tap "$(is "$(echo "$t" | sed -n 's/.*fail:\([0-9]*\)/\1/p')" 0 KUnit)" "$1: KUnit suite ran with no failure"
}

case "$1" in
numa)
	folio_checks numa
	nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
	tap "$(is "$nodes" 2 nodes)" "numa: the guest has two nodes"
	pfn=$(field pfn "$(stackcheck zerofolio)")
	bs=$(( 0x$(cat /sys/devices/system/memory/block_size_bytes) ))
	blk=$(( pfn * 4096 / bs ))
	node=$(ls -d /sys/devices/system/node/node*/memory$blk 2>/dev/null | sed 's|.*/node\([0-9]*\)/.*|\1|')
	zone=$(cat /sys/devices/system/memory/memory$blk/valid_zones 2>/dev/null)
	echo "# numa: huge zero folio at pfn $pfn, memory block $blk, node ${node:-?}, zone ${zone:-?}"
	if static; then
		# It must lie within one node, and on the boot CPU's: without a
		# node, memblock allocates top-down and would take the last one.
		last=$(( (pfn + 511) * 4096 / bs ))
		lnode=$(ls -d /sys/devices/system/node/node*/memory$last 2>/dev/null | sed 's|.*/node\([0-9]*\)/.*|\1|')
		tap "$(is "${lnode:-?}" "${node:-none}" "last page's node")" \
			"numa: the static folio lies within one node (node ${node:-?})"
		bnode=$(ls -d /sys/devices/system/cpu/cpu0/node[0-9]* 2>/dev/null | sed 's|.*/node||')
		tap "$(is "${node:-none}" "${bnode:-?}" "the boot CPU's node")" \
			"numa: the static folio is on the boot CPU's node (${bnode:-?})"
		# (valid_zones says "none" for a block that spans two zones; the
		# KUnit case static_folio_is_below_zone_movable checks the zone.)
		tap "$(case "$zone" in *Movable*) echo 1 ;; ?*) echo 0 ;; *) echo 1 ;; esac)" \
			"numa: the static folio's memory block is not in ZONE_MOVABLE ($zone)"
	fi
	# Hot-remove: offline a block of ZONE_MOVABLE (movablecore=). A block
	# may be busy for a while (pages being written back, or pinned); the
	# first of the movable blocks that goes offline passes.
	movs= done=
	for m in /sys/devices/system/memory/memory*; do
		[ "$(cat "$m/state")" = online ] && [ "$(cat "$m/valid_zones")" = Movable ] && movs="$movs $m"
	done
	if [ -z "$movs" ]; then
		tap "skip:no ZONE_MOVABLE memory in this boot (no movablecore=; movable_node finds no hotpluggable boot memory under QEMU)" "numa: a ZONE_MOVABLE block goes offline"
	else
		for m in $movs; do
			if echo offline > "$m/state" 2>/tmp/offline.err; then
				done=${m##*/}
				echo online_movable > "$m/state"
				break
			fi
			echo "# ${m##*/} (node $(ls -d /sys/devices/system/node/node*/${m##*/} | sed 's|.*/node\([0-9]*\)/.*|\1|')): $(cat /tmp/offline.err)"
		done
		tap "$([ -n "$done" ]; echo $?)" "numa: a ZONE_MOVABLE memory block goes offline (${done:-none of$movs})"
	fi
	;;
kexec)
	folio_checks "first kernel"
	this_initramfs
	cmdline=$(sed 's/pmdz_mode=kexec/pmdz_mode=kexec2/' /proc/cmdline)
	if kexec -l /boot/kernel --initrd=/tmp/kexec-initrd.cpio --command-line="$cmdline" >/tmp/kexec.err 2>&1; then
		tap 0 "kexec: the same kernel is loaded (kexec -l)"
		echo "PMDZ-END machines rc=0"
		echo "PMDZ-KEXEC"
		sync
		kexec -e
		echo "# kexec -e returned"
	fi
	tap 1 "kexec: kexec -l and -e: $(cat /tmp/kexec.err)"
	;;
kdump)
	folio_checks "first kernel"
	this_initramfs
	# The capture kernel: this command line without crashkernel=, one CPU.
	cmdline=$(sed -e 's/pmdz_mode=kdump/pmdz_mode=kdump2/' -e 's/crashkernel=[^ ]*//' /proc/cmdline)
	if kexec -p /boot/kernel --initrd=/tmp/kexec-initrd.cpio \
		--command-line="$cmdline nr_cpus=1 reset_devices" >/tmp/kexec.err 2>&1; then
		tap 0 "kdump: a capture kernel is loaded (kexec -p, crashkernel=$(sed -n 's/.*crashkernel=\([^ ]*\).*/\1/p' /proc/cmdline))"
		echo "PMDZ-END machines rc=0"
		echo "PMDZ-KDUMP"
		sync
		echo 1 > /proc/sys/kernel/sysrq
		echo c > /proc/sysrq-trigger
		echo "# sysrq c returned"
	fi
	tap 1 "kdump: kexec -p and the crash: $(cat /tmp/kexec.err)"
	;;
kdump2)
	# A kdump capture kernel reserves no static folio: it runs in the
	# memory crashkernel= set aside. Its huge zero folio is the on-demand
	# one: thp_zero_page_alloc counts its allocations (by the read fault
	# below, or KUnit's case of the dynamic folio), and stays 0 for good
	# while the static folio serves as the huge zero folio.
	echo "# kdump2: $(head -c 200 /proc/cmdline)"
	tap "$([ -e /proc/vmcore ]; echo $?)" "kdump: the capture kernel booted (/proc/vmcore exists)"
	# Below 512 MiB of RAM, THP (and its huge zero folio) starts off;
	# as the admin may, turn both on.
	echo always > /sys/kernel/mm/transparent_hugepage/enabled
	echo 1 > /sys/kernel/mm/transparent_hugepage/use_zero_page
	before=$(sed -n 's/^thp_zero_page_alloc //p' /proc/vmstat)
	f=$(stackcheck zerofolio)
	echo "# kdump2: $f"
	after=$(sed -n 's/^thp_zero_page_alloc //p' /proc/vmstat)
	tap "$(is "$(field thp "$f") $(field zero_page "$f") $(field all_zero "$f")" "1 1 1" kdump2)" \
		"kdump: a THP read fault in the capture kernel maps a huge zero folio, all zero"
	echo "# kdump2: thp_zero_page_alloc ${before:-?} before the fault, ${after:-?} after"
	tap "$([ "${after:-0}" -ge 1 ]; echo $?)" \
		"kdump: the capture kernel's huge zero folio is allocated on demand (thp_zero_page_alloc ${after:-?})"
	if static; then
		tap "$(is "$(bootlog | grep -c 'static PMD zero folio: not reserved in a kdump kernel')$(bootlog | grep -c 'KiB in use, never freed')" 10 kdump2)" \
			"kdump: the capture kernel's boot log says it reserved no static folio"
		kunit_totals "capture kernel"
	fi
	;;
kexec2)
	echo "# kexec2: $(head -c 200 /proc/cmdline)"
	folio_checks "kexec'd kernel"
	if static; then
		kunit_totals "kexec'd kernel"
	fi
	;;
pageowner)
	# page_owner records what the page allocator hands out. The static
	# folio comes from memblock: page_owner's start-up walk finds its 512
	# pages neither free nor reserved and records each as an early
	# allocation (order 0, no gfp mask); its pageblock is unmovable. The
	# base's huge zero folio comes from the page allocator: one record of
	# order 9 with the gfp mask of its allocation.
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	tap "$([ "$(bootlog | grep -c 'page owner found early allocated')" -ge 1 ] && [ -r /sys/kernel/debug/page_owner ]; echo $?)" \
		"pageowner: page_owner=on is active (it walked the zones for early allocations)"
	folio_checks pageowner
	po=$(stackcheck pageowner)
	echo "$po" | grep '^#'
	r=$(echo "$po" | grep '^PMDZ-PAGEOWNER')
	echo "# pageowner: $r"
	if static; then
		tap "$(is "$(field records "$r") $(field order0 "$r") $(field mask0 "$r")" "512 512 512" page_owner)" \
			"pageowner: the static folio's 512 pages are early allocations (order 0, no gfp mask), not from the page allocator"
		tap "$(is "$(field unmovable "$r")" 512 pageblock)" \
			"pageowner: the static folio's pageblock is unmovable"
	else
		tap "$(is "$(field records "$r") $(field order9 "$r")" "1 1" page_owner)" \
			"pageowner: the huge zero folio is one order-9 allocation from the page allocator"
	fi
	;;
hibernate)
	mkswap /dev/vdb >/dev/null && swapon /dev/vdb ||
		{ tap 1 "hibernate: swap on /dev/vdb"; exit 1; }
	f=$(stackcheck zerofolio)
	echo "# before: $f"
	echo "$f" > /tmp/folio-before
	echo shutdown > /sys/power/disk
	echo "PMDZ-HIBERNATING"
	sync
	if ! echo disk > /sys/power/state; then
		tap 1 "hibernate: echo disk > /sys/power/state"
		exit 1
	fi
	# Here after the resume, in the second boot of QEMU.
	echo "PMDZ-RESUMED"
	tap 0 "hibernate: the image was written and the next boot resumed it"
	f=$(stackcheck zerofolio)
	echo "# after: $f"
	tap "$(is "$f" "$(cat /tmp/folio-before)" folio)" "resume: the huge zero folio is the one mapped before hibernation"
	folio_checks resume
	;;
esac
