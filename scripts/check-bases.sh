#!/bin/bash
# make check-bases: the series on every linux-source-6.12 the registry offers
# (and any KSRC="dir ..." trees). For each base: unpack it fresh, apply the
# patches of patches/series in order and say per patch whether it applies
# cleanly, with offset or fuzz, or conflicts (and in which files; the rest
# are not tried). Then build =y on the pinned base (configs/base) and on the
# newest offered one, and boot the newest with KUnit and the in-guest tests.
# Writes build/results/bases.md (the table for docs/results.md) and ends with
# "N passed, N failed": the series must apply to the pin and to every newer
# release, and build and boot where it is built; releases older than the
# pin are reported in the table but not judged (the series moved past them).
#   BASES="6.12.117-1~deb12u1 ..." limits the versions; BASES_BUILD=0 skips
#   the build and boot.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

pin=$(base_pin)
mapfile -t versions < <(if [ -n "${BASES:-}" ]; then printf '%s\n' $BASES; else offered_versions; fi)
[ ${#versions[@]} -gt 0 ] || die "the registry offers no linux-source-6.12 (apt-get update?)"
newest=${versions[0]}
work=$BUILD/bases
mkdir -p "$work"
SUMMARY=$RESULTS/check-bases.txt
: >"$SUMMARY"
table=$RESULTS/bases.md
declare -A applies=() builds=() boots=() dates=() kver=() older=()
for v in "${versions[@]}"; do
	dpkg --compare-versions "$v" lt "$pin" && older[$v]=1
done

# The files the series touches (those it creates are not in the tarball).
touched() {
	sed -n 's|^--- a/||p' "$TOP"/patches/[0-9]*.patch | grep -v '^/dev/null' | sort -u
}

# apply_all TREE: patch each patch of the series into TREE in order; one
# line per patch on stdout: "<patch> clean|offset|fuzz|conflict <files>".
apply_all() {
	local p out files
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		out=$(patch -d "$1" -p1 --forward --no-backup-if-mismatch -r - <"$TOP/patches/$p" 2>&1)
		if [ $? -ne 0 ]; then
			files=$(printf '%s\n' "$out" | awk '/^patching file / { f = $3 } /FAILED|malformed|not found|Skipping/ && f { print f; f = "" }' | sort -u | paste -sd ' ' -)
			echo "$p conflict ${files:-?}"
			return 1
		elif printf '%s\n' "$out" | grep -q 'with fuzz'; then
			echo "$p fuzz $(printf '%s\n' "$out" | grep -c 'with fuzz') hunks"
		elif printf '%s\n' "$out" | grep -q '(offset'; then
			echo "$p offset $(printf '%s\n' "$out" | grep -c '(offset') hunks"
		else
			echo "$p clean"
		fi
	done <"$TOP/patches/series"
}

# try_base NAME DIR: apply the series to the fresh tree DIR; record it.
try_base() {
	local name=$1 dir=$2 res
	kver[$name]=$(awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { print v "." p "." $2; exit }' "$dir/Makefile")
	res=$(apply_all "$dir")
	local rc=$?
	printf '%s\n' "$res" | sed "s/^/    $name: /"
	local notes
	notes=$(printf '%s\n' "$res" | awk '$2 != "clean" && $2 != "conflict" { print $1 " " $2 " " $3 " " $4 }' |
		sed 's/-[^ ]*\.patch / /' | paste -sd ',' -)
	if [ $rc -eq 0 ]; then
		applies[$name]="yes${notes:+ ($notes)}"
	else
		applies[$name]="no: $(printf '%s\n' "$res" | tail -n 1 | sed 's/-[^ ]*\.patch conflict/ conflicts in/')"
	fi
	# The series must apply to the pin and to every newer release; an
	# older one is reported, not judged (the series moved past it).
	if [ -n "${older[$name]:-}" ]; then
		info "$name is older than the pin $pin: ${applies[$name]}"
	elif [ $rc -eq 0 ]; then
		record PASS "$name (${kver[$name]}): the series applies${notes:+ ($notes)}"
	else
		record FAIL "$name (${kver[$name]}): the series applies" "${applies[$name]#no: }"
	fi
	return $rc
}

for v in "${versions[@]}"; do
	step "linux-source-6.12 $v"
	deb=$(fetch_source "$v")
	dates[$v]=$(release_date "$deb")
	dir=$work/$v
	rm -rf "$dir"
	# The whole tree only where it is built; elsewhere the files the
	# series touches are enough to apply it.
	if [ "$v" = "$newest" ] && [ "$v" != "$pin" ] && [ "${BASES_BUILD:-1}" = 1 ]; then
		unpack_source "$deb" "$dir"
	else
		unpack_source "$deb" "$dir" Makefile $(touched)
	fi || die "cannot unpack $deb"
	try_base "$v" "$dir"
	# Keep the tree of the newest for its build; the others go.
	[ "$v" = "$newest" ] || rm -rf "$dir"
done
for k in ${KSRC:-}; do
	step "KSRC $k"
	dir=$work/ksrc-$(basename "$k")
	rm -rf "$dir" && mkdir -p "$dir"
	tar -C "$k" --exclude=.git -cf - . | tar -C "$dir" -xf -
	dates[$k]="(tree)"
	try_base "$k" "$dir"
	rm -rf "$dir"
done

if [ "${BASES_BUILD:-1}" = 1 ]; then
	# The pinned base: make check's own =y kernel, from build/src.
	step "build =y on the pinned base $pin"
	if "$TOP/scripts/build.sh" static-y </dev/null; then
		builds[$pin]=yes
		record PASS "$pin: =y builds (build/out/static-y)"
	else
		builds[$pin]=no
		record FAIL "$pin: =y builds" "see $LOGS/build-static-y.log"
	fi
	if [ "$newest" != "$pin" ] && [[ "${applies[$newest]}" == yes* ]]; then
		step "build =y on the newest base $newest"
		if BUILD_NAME=static-y-newest "$TOP/scripts/build.sh" static-y "$work/$newest" </dev/null; then
			builds[$newest]=yes
			record PASS "$newest: =y builds (build/out/static-y-newest)"
		else
			builds[$newest]=no
			record FAIL "$newest: =y builds" "see $LOGS/build-static-y-newest.log"
		fi
	fi
	out=static-y
	[ "$newest" != "$pin" ] && out=static-y-newest
	if [ "${builds[$newest]:-no}" = yes ]; then
		step "boot $newest =y: KUnit and the in-guest tests"
		label=bases-newest
		if BOOT_OUT=$out "$TOP/scripts/boot.sh" static-y check "$label" "pmdz_static=yes" </dev/null; then
			before=$fail
			results "$newest" "$LOGS/boot-$label-check.log" yes e2e,state,fs
			if [ "$fail" -eq "$before" ]; then boots[$newest]=yes; else boots[$newest]="with failures"; fi
		else
			boots[$newest]=no
			record FAIL "$newest: =y boots and runs its tests" "see $LOGS/boot-$label-check.log"
		fi
	fi
	[ "$newest" != "$pin" ] && rm -rf "${work:?}/$newest"
fi
rm -rf "${work:?}/$newest"

{
	echo "| linux-source-6.12 | Linux | released | applies | =y builds | =y boots, tests pass |"
	echo "|---|---|---|---|---|---|"
	for v in "${versions[@]}" ${KSRC:-}; do
		mark=
		[ "$v" = "$pin" ] && mark=" (pinned)"
		echo "| $v$mark | ${kver[$v]:-?} | ${dates[$v]:-?} | ${applies[$v]:-?} | ${builds[$v]:-not built} | ${boots[$v]:-not booted} |"
	done
} >"$table"
echo
cat "$table"
echo
echo "table: $table"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
