# Shared helpers for the harness scripts. Sourced, never run.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
SRC=$BUILD/src
# LOGS_DIR / RESULTS_DIR move a run's logs and results elsewhere
# (scripts/mutants.sh gives each mutant its own).
LOGS=${LOGS_DIR:-$BUILD/logs}
RESULTS=${RESULTS_DIR:-$BUILD/results}
mkdir -p "$BUILD" "$LOGS" "$RESULTS"

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Git identity used for every commit the harness makes in the kernel tree.
export GIT_AUTHOR_NAME="pmd-zero developers"
export GIT_AUTHOR_EMAIL="pmd-zero@invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

# Install Debian packages that are missing; needs root.
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] ||
		die "missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
	step "installing ${missing[*]}"
	if [ ! -e "$BUILD/.apt-updated" ]; then
		apt-get update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed, see $LOGS/apt.log"
		touch "$BUILD/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
		>>"$LOGS/apt.log" 2>&1 || die "apt-get install failed, see $LOGS/apt.log"
}

# The pinned base: the linux-source-6.12 version in configs/base.
base_pin() { sed -n '/^[^#[:space:]]/{p;q}' "$TOP/configs/base"; }

# apt_lists: make sure the package lists are there (once per build/).
apt_lists() {
	[ -e "$BUILD/.apt-updated" ] && return 0
	[ "$(id -u)" -eq 0 ] || return 0
	apt-get update -qq >"$LOGS/apt.log" 2>&1 || die "apt-get update failed, see $LOGS/apt.log"
	touch "$BUILD/.apt-updated"
}

# The linux-source-6.12 versions the registry offers, newest first.
offered_versions() {
	apt_lists
	apt-cache madison linux-source-6.12 2>/dev/null | awk -F'|' '{gsub(/ /, "", $2); print $2}' | sort -rV -u
}

# fetch_source VERSION: the .deb of linux-source-6.12=VERSION in build/debs
# (downloaded once, never installed: several versions sit side by side);
# prints the path of the .deb.
fetch_source() {
	local ver=$1 dir=$BUILD/debs/$1 deb
	deb=$(ls "$dir"/linux-source-6.12_*_all.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		apt_lists
		mkdir -p "$dir.tmp"
		(cd "$dir.tmp" && apt-get download -qq "linux-source-6.12=$ver") >>"$LOGS/apt.log" 2>&1 ||
			die "cannot download linux-source-6.12=$ver (offered: $(offered_versions | tr '\n' ' ')); see $LOGS/apt.log"
		rm -rf "$dir" && mv "$dir.tmp" "$dir"
		deb=$(ls "$dir"/linux-source-6.12_*_all.deb)
	fi
	echo "$deb"
}

# unpack_source DEB DIR [PATH...]: the kernel tree of a linux-source-6.12
# .deb in DIR (only those paths of it, if given).
unpack_source() {
	local deb=$1 dir=$2
	shift 2
	mkdir -p "$dir"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-6.12.tar.xz' |
		tar -C "$dir" --strip-components=1 -xJf - --wildcards --no-wildcards-match-slash \
			"${@/#/*/}" 2>/dev/null
	[ -f "$dir/Makefile" ]
}

# release_date DEB: the date of the package's newest changelog entry (YYYY-MM-DD).
release_date() {
	dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/share/doc/linux-source-6.12/changelog.Debian.gz 2>/dev/null |
		zcat | sed -n 's/^ -- .*>  \(.*\)$/\1/p' | head -n 1 | xargs -I{} date -u -d {} +%F 2>/dev/null
}

# newer_notice: one line when the registry offers a newer base than the pin.
newer_notice() {
	local pin newest
	pin=$(base_pin)
	newest=$(offered_versions 2>/dev/null | head -n 1)
	[ -n "$newest" ] || return 0
	if dpkg --compare-versions "$newest" gt "$pin"; then
		echo "note: Debian offers linux-source-6.12 $newest; this series is tested on $pin: run make check-bases"
	fi
	return 0
}

HOST_PKGS=(build-essential flex bison bc libelf-dev libssl-dev cpio ccache
	   qemu-system-x86 busybox-static python3 git xz-utils kmod
	   e2fsprogs xfsprogs dmsetup mdadm procps)

# Run a long command with its output in a log; on failure show the
# interesting lines (compiler errors) rather than everything.
run_logged() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		printf 'error: %s failed; log: %s\n' "$*" "$log" >&2
		grep -E 'error:|Error [0-9]|undefined reference|\*\*\*' "$log" | head -n 30 >&2 ||
			tail -n 30 "$log" >&2
		return 1
	fi
}

# Write the commits of RANGE in the tree at DIR as the patch queue into OUT:
# format-patch files, the cover letter (its prose kept from patches/) and
# series. Used by export, apply (to detect unexported work) and roundtrip.
# SIGNOFF="Name <email>" (make export SIGNOFF=...) adds that person's
# Signed-off-by: to every patch that lacks it. A sign-off certifies the
# Developer's Certificate of Origin: only the person who carries or posts
# the series can give it, so there is no default, and never the project's
# identity.
SUBJECT_PREFIX="PATCH RFC v6"
check_signoff() {
	[ -z "${SIGNOFF:-}" ] && return 0
	[[ "$SIGNOFF" =~ ^[^\<\>@]+\ \<[^\<\>\ ]+@[^\<\>\ ]+\>$ ]] ||
		die "SIGNOFF=\"$SIGNOFF\" is not \"Full Name <email>\""
	case "$SIGNOFF" in *pmd-zero@invalid*|"$GIT_AUTHOR_NAME "*)
		die "SIGNOFF must be the person who carries or posts the series, not the project's identity" ;;
	esac
}
format_series() {	# format_series DIR RANGE OUT
	local p
	check_signoff
	git -C "$1" format-patch -q --zero-commit --no-signature \
		--subject-prefix="$SUBJECT_PREFIX" --cover-letter -o "$3" "$2"
	if [ -n "${SIGNOFF:-}" ]; then
		for p in "$3"/[0-9]*.patch; do
			case "$p" in */0000-cover-letter.patch) continue ;; esac
			grep -qxF "Signed-off-by: $SIGNOFF" "$p" ||
				SIGNOFF="$SIGNOFF" perl -0pi -e 's/\n---\n/\nSigned-off-by: $ENV{SIGNOFF}\n---\n/' "$p"
		done
	fi
	python3 "$TOP/scripts/cover.py" "$TOP/patches/0000-cover-letter.patch" "$3/0000-cover-letter.patch"
	(cd "$3" && ls [0-9]*.patch | grep -v '^0000-') >"$3/series"
}

# Test tally shared by the check scripts: record <PASS|FAIL|SKIP>
# <name> [why] prints one result line, appends it to $SUMMARY and counts it.
pass=0 fail=0 skip=0
record() {
	printf '  %-4s %s%s\n' "$1" "$2" "${3:+  ($3)}" | tee -a "$SUMMARY"
	case $1 in PASS) pass=$((pass + 1)) ;; FAIL) fail=$((fail + 1)) ;; SKIP) skip=$((skip + 1)) ;; esac
}

# results LABEL LOG STATIC SECTIONS: the results of one boot's console log
# (scripts/results.py), printed, appended to $SUMMARY and counted.
results() {
	local out p f s
	out=$(python3 "$TOP/scripts/results.py" "$2" --variant "$1" --tree "$SRC" \
		--static "$3" --sections "$4")
	printf '%s\n' "$out" | grep -v '^COUNTS' | tee -a "$SUMMARY"
	if read -r _ p f s < <(printf '%s\n' "$out" | grep '^COUNTS'); then
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	else
		record FAIL "$1: results could be read" "scripts/results.py failed on $2"
	fi
}

# The source tree of a variant: the unpatched base lives in a worktree of
# build/src at tag "base" (made on first use), every other variant in build/src.
tree_of() {
	case $1 in
	base|*-base)
		[ -d "$BUILD/base" ] || git -C "$SRC" worktree add -q --detach "$BUILD/base" base
		echo "$BUILD/base" ;;
	*)	echo "$SRC" ;;
	esac
}

# tree_state TREE: the commit and the uncommitted changes of a source tree,
# as one line. build.sh stores it with each kernel; boot.sh refuses a
# kernel whose tree has moved on since (a mutant left in build/out by
# make mutants, or edits not yet built).
tree_state() {
	echo "$(git -C "$1" rev-parse HEAD 2>/dev/null || echo none)" \
		"$(git -C "$1" diff HEAD 2>/dev/null | sha1sum | cut -d' ' -f1)"
}

# peer_kernels K...: build the 9p guest kernels fstests-K (K = base, y, n).
peer_kernels() {
	local k
	for k in "$@"; do
		"$TOP/scripts/build.sh" "fstests-$k" "$(tree_of "fstests-$k")" </dev/null ||
			die "fstests-$k: kernel build failed (see $LOGS/build-fstests-$k.log)"
	done
}

# peer_each FUNC K...: FUNC K for every kernel, PEER_PARALLEL (default 1) at once.
peer_each() {
	local fn=$1 k n=0
	shift
	for k in "$@"; do
		if [ "${PEER_PARALLEL:-1}" -le 1 ]; then
			"$fn" "$k"
			continue
		fi
		"$fn" "$k" &
		n=$((n + 1))
		[ "$n" -ge "$PEER_PARALLEL" ] && { wait -n || true; n=$((n - 1)); }
	done
	wait || true
}

# guest_failed LABEL RC LOG TIMEOUT: after a QEMU run under timeout(1), say
# so and succeed when the guest hung (RC 124) or panicked (LOG).
guest_failed() {
	if [ "$2" -eq 124 ]; then
		echo "error: $1 did not finish within ${4}s (hang?); last lines of $3:" >&2
		tail -n 15 "$3" >&2
		return 0
	fi
	# GUEST_PANIC_OK: the message of a panic the guest causes on purpose.
	if grep "Kernel panic" "$3" | grep -qv "${GUEST_PANIC_OK:-^\$}"; then
		echo "error: $1 panicked; see $3:" >&2
		grep -B 20 -m1 "Kernel panic" "$3" >&2
		return 0
	fi
	return 1
}
