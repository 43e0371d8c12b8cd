#!/bin/sh
# dm-kcopyd's zeroing (dm_kcopyd_zero()), on data devices without write
# zeroes offload: /dev/vda (virtio-blk, write-zeroes=off; the e2e tests are
# done with it; DMZERO_DISK= another) and dm-crypt over it, as on an
# encrypted install.
#
# dm-thin: pools with block zeroing on (the default) and blocks of 64 KiB,
# 192 KiB and 1 MiB (and 1 MiB zeroed in one kcopyd sub-job of 1 MiB);
# random 4 KiB writes into a fresh thin volume, each into a new
# block that the pool zeroes first; the volume reads back its writes and
# zeroes elsewhere (the data device was filled with 0xa5 first, so a block
# left unzeroed shows). dm-snapshot: exceptions zeroed by discards
# (discard_zeroes_cow) read back as zeroes; the origin is untouched.
#
# The zeroing bios are the write bios queued on the pool's data device
# (or the snapshot's COW device) that were built with bio_add_page():
# the 4 KiB writes through the thin volume are remapped, not rebuilt. A
# kprobe on bio_add_page() and one on submit_bio(), with the block_bio_queue
# tracepoint, give each zeroing bio's bio_vecs. They must cover every
# provisioned block exactly once, each bio within its block and at most
# 1 MiB, in bio_vecs of the static folio (min(block, 256 KiB)) when
# pmdz_static=yes, of 4 KiB ZERO_PAGEs otherwise, as before the series.
#
# TAP on stdout; one PMDZ-DMZERO line per pool for the host.
T=/sys/kernel/tracing
DISK=${DMZERO_DISK:-/dev/vda}
KEY=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
STATIC=${pmdz_static:-absent}
COUNT=${DMZERO_WRITES:-64}
KCOPYD_SUBJOB=/sys/module/dm_mod/parameters/kcopyd_subjob_size_kb
SUBJOB=1024	# sectors: kcopyd's default sub-job, 512 KiB
n=0

. /bin/blklib.sh
linear() {	# linear NAME DEV START SECTORS: a part of DEV
	dmsetup create --noudevsync "$1" --table "0 $4 linear $(devnum "$2") $3"
}

trace_start() {
	echo 0 > $T/tracing_on
	echo > $T/trace
	echo 16384 > $T/buffer_size_kb
	echo 'p:pmdz/zadd bio_add_page bio=$arg1:x64 len=$arg3:u32' >> $T/kprobe_events &&
	echo 'p:pmdz/zsub submit_bio bio=$arg1:x64' >> $T/kprobe_events || return 1
	echo 1 > $T/events/pmdz/zadd/enable
	echo 1 > $T/events/pmdz/zsub/enable
	echo 1 > $T/events/block/block_bio_queue/enable
	echo 1 > $T/tracing_on
}
trace_stop() {
	echo 0 > $T/tracing_on
	echo 0 > $T/events/block/block_bio_queue/enable
	echo 0 > $T/events/pmdz/zadd/enable
	echo 0 > $T/events/pmdz/zsub/enable
}
# Removing a probe event clears the trace: only once it has been read.
trace_remove() {
	echo '-:pmdz/zadd' >> $T/kprobe_events
	echo '-:pmdz/zsub' >> $T/kprobe_events
}
# zeroing_bios DEV BLOCK_SECTORS DATA: the write bios queued on DEV (M,m)
# that bio_add_page() built, attributed per CPU: the adds to a bio, its
# submit_bio(), then its block_bio_queue event; and the largest write bio
# queued on DATA (M,m), where dm-thin remaps them. One line of key=value.
zeroing_bios() {
	awk -v dev="$1" -v bs="$2" -v data="$3" -v static="$STATIC" '
	function cpu() { match($0, /\[[0-9]+\]/); return substr($0, RSTART + 1, RLENGTH - 2) + 0 }
	function val(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2) }
	/ zadd: / { b = val("bio"); l = val("len") + 0; nv[b]++; if (l > mv[b]) mv[b] = l; next }
	/ zsub: / { pend[cpu()] = val("bio"); next }
	/ block_bio_queue: / {
		for (i = 1; i < NF; i++) if ($i == "block_bio_queue:") break
		d = $(i + 1); rw = $(i + 2); s = $(i + 3); sz = $(i + 5)
		if (d == data && rw ~ /W/ && sz > maxdata) maxdata = sz
		c = cpu(); b = pend[c]; delete pend[c]
		if (b == "" || !(b in nv)) next
		if (d == dev && rw ~ /W/) {
			bios++; vecs += nv[b]; sect += sz
			if (sz > maxbio) maxbio = sz
			if (mv[b] > maxvec) maxvec = mv[b]
			if (s % bs + sz > bs) cross++
			blk = int(s / bs); if (!(blk in cov)) nblk++; cov[blk] += sz
			want += static == "yes" ? int((sz * 512 + 262143) / 262144) : sz / 8
		}
		delete nv[b]; delete mv[b]
	}
	END { for (b in cov) if (cov[b] != bs) partial++
		printf "bios=%d bvecs=%d want_bvecs=%d sectors=%d zeroed_blocks=%d partial=%d max_bio_kib=%d max_bvec_kib=%d crossing=%d max_data_bio_kib=%d\n",
		bios, vecs, want, sect, nblk, partial, maxbio / 2, maxvec / 1024, cross, maxdata / 2 }' $T/trace
}
# relay ROW RC: dmzero's comments and checks (/tmp/dmzero.out) as TAP.
relay() {
	grep '^# ' /tmp/dmzero.out
	grep -E '^(not )?ok - ' /tmp/dmzero.out > /tmp/dmzero.tap
	while IFS= read -r l; do
		case "$l" in
		"ok - "*) tap 0 "$1: ${l#ok - }" ;;
		*) tap 1 "$1: ${l#not ok - }" ;;
		esac
	done < /tmp/dmzero.tap
	[ "$2" = 0 ] || grep -q '^not ok' /tmp/dmzero.tap || tap 1 "$1: dmzero exited $2"
}
# dmzero_debug=1 on the kernel command line: the first traced events.
trace_dump() {
	[ -n "${dmzero_debug:-}" ] || return 0
	echo "# trace: $(wc -l < $T/trace) lines; kprobes: $(cat $T/kprobe_events | tr '\n' ';') on=$(cat $T/tracing_on)"
	head -n 15 $T/trace | sed 's/^/# trace: /'
	grep -E 'zadd|zsub|block_bio_queue' $T/trace | head -n 40 | sed 's/^/# trace: /'
}
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# check_bios ROW LINE BLOCK_SECTORS BLOCKS: the assertions on zeroing_bios'
# LINE for BLOCKS zeroed blocks of BLOCK_SECTORS.
check_bios() {
	row=$1 l=$2 bs=$3 blocks=$4 sub=${5:-$SUBJOB}
	echo "# $row: zeroing bios: $l"
	echo "PMDZ-DMZERO row=$row static=$STATIC blocks=$blocks block_kib=$((bs / 2)) $l"
	# Each zeroed block whole, once: as many blocks as the pool (or the
	# discards) made, none partly, and no sector twice.
	tap "$([ "$(field "$l" zeroed_blocks)" = "$blocks" ] && [ "$(field "$l" partial)" = 0 ] &&
		[ "$(field "$l" sectors)" = $((blocks * bs)) ]; echo $?)" \
		"$row: zeroing bios cover each of the $blocks new blocks whole, once ($(field "$l" zeroed_blocks) blocks, $(field "$l" sectors) sectors)"
	tap "$([ "$(field "$l" crossing)" = 0 ]; echo $?)" \
		"$row: no zeroing bio runs past the block it zeroes"
	# kcopyd zeroes a block in sub-jobs of $sub sectors, each one bio (at
	# most 256 pages, or 4 bio_vecs of 256 KiB: 1 MiB).
	per=$(( (bs + sub - 1) / sub ))
	[ $sub -lt $bs ] || per=1
	tap "$([ "$(field "$l" bios)" = $((blocks * per)) ]; echo $?)" \
		"$row: $per bio(s) per block, one per kcopyd sub-job of $((sub / 2)) KiB ($(field "$l" bios) bios)"
	# (kcopyd's sub-jobs are at most 1 MiB: a guard against a change there.)
	tap "$([ "$(field "$l" max_bio_kib)" -le 1024 ] && [ "$(field "$l" max_data_bio_kib)" -le 1024 ]; echo $?)" \
		"$row: the largest zeroing bio, and write bio on the data device, is at most 1 MiB ($(field "$l" max_bio_kib), $(field "$l" max_data_bio_kib) KiB)"
	vec=4
	if [ "$STATIC" = yes ]; then
		vec=$((bs / 2))
		[ $vec -gt 256 ] && vec=256
	fi
	tap "$([ "$(field "$l" bvecs)" = "$(field "$l" want_bvecs)" ] &&
		[ "$(field "$l" max_bvec_kib)" = $vec ]; echo $?)" \
		"$row: bio_vecs of $vec KiB ($(field "$l" bvecs), want $(field "$l" want_bvecs))"
}

# thin ROW DATA BLOCK_SECTORS [SUBJOB_KIB]: a pool on DATA (zeroing on),
# its kcopyd client made with sub-jobs of SUBJOB_KIB (kcopyd_subjob_size_kb,
# 512 by default, 1024 at most), and a 24 MiB thin volume written at random.
thin() {
	row=$1 data=$2 bs=$3 sub=${4:-512}
	echo "$sub" > $KCOPYD_SUBJOB
	dmzero fill "$data" 165 || { tap 1 "$row: fill the data device"; return; }
	meta=$(dmdev pmdz-meta)
	dd if=/dev/zero of="$meta" bs=4096 count=1 conv=fsync 2>/dev/null
	dmsetup create --noudevsync pmdz-pool --table \
		"0 $(blockdev --getsz "$data") thin-pool $(devnum "$meta") $(devnum "$data") $bs 0" ||
		{ tap 1 "$row: dmsetup create pool"; return; }
	dmsetup message pmdz-pool 0 "create_thin 0"
	dmsetup create --noudevsync pmdz-thin --table "0 49152 thin $(devnum "$(dmdev pmdz-pool)") 0" ||
		{ tap 1 "$row: dmsetup create thin"; dmsetup remove --noudevsync pmdz-pool; return; }
	# dm-thin zeroes through the pool device, which never offers write
	# zeroes, whatever the data device does: kcopyd always writes them.
	echo "# $row: pool write_zeroes_max_bytes=$(cat "/sys/class/block/$(dmsetup info -c --noheadings -o blkdevname pmdz-pool)/queue/write_zeroes_max_bytes")"
	trace_start || { tap 1 "$row: kprobes on bio_add_page and submit_bio"; return; }
	dmzero thin "$(dmdev pmdz-thin)" "$bs" "$COUNT" > /tmp/dmzero.out 2>&1
	rc=$?
	trace_stop
	trace_dump
	relay "$row" "$rc"
	used=$(dmsetup status pmdz-pool | awk '{ split($6, u, "/"); print u[1] }')
	# dm-thin zeroes through the pool device, which remaps to the data device.
	check_bios "$row" "$(zeroing_bios "$(devnum "$(dmdev pmdz-pool)" | tr : ,)" "$bs" \
		"$(devnum "$data" | tr : ,)")" "$bs" "$used" $((sub * 2))
	trace_remove
	dmsetup remove --noudevsync pmdz-thin
	dmsetup remove --noudevsync pmdz-pool
	echo 512 > $KCOPYD_SUBJOB
}

# snap: a snapshot (64 KiB chunks) of an origin of 0xa5, zeroed by discards.
# On brd: dm-snapshot passes discards only when its devices take them, and
# brd does (vda has them off), with no write zeroes either.
snap() {
	row=snapshot
	echo 512 > $KCOPYD_SUBJOB
	linear pmdz-origin /dev/ram0 0 16384 && linear pmdz-cow /dev/ram0 16384 24576 ||
		{ tap 1 "$row: dmsetup create origin, cow"; return; }
	origin=$(dmdev pmdz-origin) cow=$(dmdev pmdz-cow)
	dmzero fill "$origin" 165 && dmzero fill "$cow" 90 ||
		{ tap 1 "$row: fill origin and cow"; return; }
	dd if=/dev/zero of="$cow" bs=4096 count=1 conv=fsync 2>/dev/null
	dmsetup create --noudevsync pmdz-snap --table \
		"0 16384 snapshot $(devnum "$origin") $(devnum "$cow") P 128 1 discard_zeroes_cow" ||
		{ tap 1 "$row: dmsetup create snapshot"; return; }
	snapdev=$(dmdev pmdz-snap)
	dmzero snap "$snapdev" "$origin" 65536 165 7 write > /tmp/dmzero.out 2>&1
	relay "$row" $?
	# Only the discards are traced: the exceptions' copies are written
	# with bio_add_page() too.
	trace_start || { tap 1 "$row: kprobes on bio_add_page and submit_bio"; return; }
	dmzero snap "$snapdev" "$origin" 65536 165 7 discard > /tmp/dmzero.out 2>&1
	rc=$?
	trace_stop
	relay "$row" "$rc"
	dmzero snap "$snapdev" "$origin" 65536 165 7 check > /tmp/dmzero.out 2>&1
	relay "$row" $?
	# Chunks 0, 6, 12... of 128 hold a discarded exception: 22 zeroed.
	check_bios "$row" "$(zeroing_bios "$(devnum "$cow" | tr : ,)" 128 "$(devnum "$cow" | tr : ,)")" 128 22
	trace_remove
	dmsetup remove --noudevsync pmdz-snap
	dmsetup remove --noudevsync pmdz-origin
	dmsetup remove --noudevsync pmdz-cow
}

echo "TAP version 13"
[ -b $DISK ] && [ -b /dev/ram0 ] && [ -d $T/events/block ] && command -v dmsetup >/dev/null &&
	[ -w $KCOPYD_SUBJOB ] || {
	tap "skip:no $DISK, /dev/ram0, tracefs, dmsetup or dm_mod's kcopyd_subjob_size_kb" "dm-kcopyd zeroing"; exit 0; }
echo "# $DISK write_zeroes_max_bytes=$(wz $DISK), pmdz_static=$STATIC"
# vda (64 MiB): thin metadata 4 MiB, data 28 MiB. ram0: snapshot origin
# 8 MiB, COW 12 MiB.
linear pmdz-meta $DISK 0 8192 && linear pmdz-data $DISK 8192 57344 ||
	{ tap 1 "dmsetup create meta, data"; exit 1; }
data=$(dmdev pmdz-data)
# 64 KiB, 192 KiB (not a multiple of the 256 KiB bio_vec), 1 MiB blocks
# (two 512 KiB sub-jobs), and 1 MiB blocks in one 1 MiB sub-job.
for bs in 128 384 2048; do
	thin "thin-virtio-$((bs / 2))k" "$data" $bs
done
thin thin-virtio-1024k-sub1m "$data" 2048 1024
dmsetup create --noudevsync pmdz-crypt --table \
	"0 57344 crypt aes-xts-plain64 $KEY$KEY 0 $(devnum "$data") 0" &&
for bs in 128 2048; do
	thin "thin-crypt-$((bs / 2))k" "$(dmdev pmdz-crypt)" $bs
done || tap 1 "dmsetup create crypt"
dmsetup remove --noudevsync pmdz-crypt
dmsetup remove --noudevsync pmdz-data
dmsetup remove --noudevsync pmdz-meta
snap
bad=$(dmesg | grep -E 'WARNING|BUG|Call Trace|I/O error|critical' | head -n 3)
[ -n "$bad" ] && echo "$bad" | sed 's/^/# dmesg: /'
tap "$([ -z "$bad" ]; echo $?)" "no warning or I/O error in the kernel log"
