#!/bin/bash
# fstests in the 9p guest (run by guest/peers-init.sh from the run dir).
# ./settings (written by scripts/check-peers.sh fstests) gives FSTESTS_DIR (the
# built fstests, read-only here), SECTIONS_FILE, TESTS_FILE and SECTIONS
# (the names to run). For each section: TEST_DEV gets a fresh filesystem of
# that section's kind (./check mounts it before reading any section
# option), then one ./check -s SECTION over the subset, with an xunit
# report in results/SECTION/result.xml. It prints PMDZ-SUITE-START when
# fstests starts, or PMDZ-SUITE-ERROR why it cannot (scripts/check-peers.sh
# tells a harness problem from the tests' results by them).
set -u
. ./settings
run=$PWD
missing=
[ -x "$FSTESTS_DIR/check" ] || missing+=" $FSTESTS_DIR/check"
[ -r "$SECTIONS_FILE" ] || missing+=" $SECTIONS_FILE"
for section in $SECTIONS; do
	fstyp=$(awk -v s="$section" '$1 == s { print $2 }' "$SECTIONS_FILE" 2>/dev/null)
	[ -z "$fstyp" ] || command -v "mkfs.$fstyp" >/dev/null || missing+=" mkfs.$fstyp"
done
if [ -n "$missing" ]; then
	echo "PMDZ-SUITE-ERROR fstests cannot start: missing$missing"
	exit 1
fi
cfg=$run/local.config
{
	echo "[default]"
	echo "TEST_DEV=/dev/vda"
	echo "TEST_DIR=/tmp/test"
	echo "SCRATCH_DEV=/dev/vdb"
	echo "SCRATCH_MNT=/tmp/scratch"
	echo "RESULT_BASE=$run/results"
	grep -v '^#' "$SECTIONS_FILE" | while read -r name fstyp opts; do
		[ -n "$name" ] || continue
		printf '\n[%s]\nFSTYP=%s\nMKFS_OPTIONS="%s"\n' "$name" "$fstyp" "$opts"
	done
} >"$cfg"
mkdir -p /tmp/test /tmp/scratch "$run/results"
# Some tests link their expected output inside tests/ (_link_out_file,
# e.g. ext4/001): a writable copy of tests/ on tmpfs over the read-only one.
cp -a "$FSTESTS_DIR/tests" /tmp/fstests-tests &&
	mount --bind /tmp/fstests-tests "$FSTESTS_DIR/tests"

echo "PMDZ-SUITE-START fstests"
rc=0
for section in $SECTIONS; do
	read -r fstyp opts < <(awk -v s="$section" '$1 == s { $1 = ""; print }' "$SECTIONS_FILE")
	if [ -z "${fstyp:-}" ]; then
		echo "PMDZ-FSTESTS no section $section in $SECTIONS_FILE"
		rc=1
		continue
	fi
	# generic/ tests everywhere, <fstyp>/ tests in that filesystem's sections
	tests=$(awk -v f="$fstyp" '!/^#/ && NF && ($1 ~ "^generic/" || $1 ~ "^" f "/") { print $1 }' "$TESTS_FILE")
	case $fstyp in
	xfs)	mkfs=(mkfs.xfs -f -q) ;;
	ext4)	mkfs=(mkfs.ext4 -F -q) ;;
	*)	mkfs=("mkfs.$fstyp") ;;
	esac
	echo "PMDZ-FSTESTS-SECTION $section ($fstyp $opts): $(echo "$tests" | wc -w) tests"
	# shellcheck disable=SC2086
	if ! "${mkfs[@]}" $opts /dev/vda >/dev/null; then
		echo "PMDZ-FSTESTS $section: mkfs of TEST_DEV failed"
		rc=1
		continue
	fi
	t0=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$FSTESTS_DIR" && HOST_OPTIONS=$cfg ./check -s "$section" -R xunit $tests)
	echo "PMDZ-FSTESTS-TIME $section $(( $(date +%s) - t0 ))"
	umount /tmp/test /tmp/scratch 2>/dev/null
done
exit $rc
