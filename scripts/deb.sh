#!/bin/bash
# make deb: installable Debian packages of 6.12 with the series, built with
# the kernel's own bindeb-pkg from Debian's config (package linux-config-6.12)
# for DEB_FLAVOUR (default: the host's flavour when it runs a Debian 6.12
# kernel, else cloud-amd64, the smallest), with CONFIG_STATIC_PMD_ZERO_PAGE=y
# and the version suffix -pmdz (configs/variants: deb-<flavour>).
# configs/debian.config is merged too: the QEMU guest's drivers built in,
# KUnit, no debug info (Debian ships that in a separate -dbg package).
# Then the packaged kernel (extracted from linux-image-*.deb, not the build
# tree's) is booted in QEMU with the state tests and KUnit, and the way to
# install and check it is printed. Takes most of an hour on 2 cores.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${DEB_FLAVOUR:-}
if [ -z "$flavour" ]; then
	case "$(uname -r)" in
	6.12.*-cloud-amd64) flavour=cloud-amd64 ;;
	6.12.*-amd64)	flavour=amd64 ;;
	*)		flavour=cloud-amd64 ;;
	esac
fi
variant=deb-$flavour
grep -q "^$variant " "$TOP/configs/variants" ||
	die "no variant $variant in configs/variants (flavours there: $(awk '/^deb-/ { print substr($1, 5) }' "$TOP/configs/variants" | tr '\n' ' '))"
need_pkgs dpkg-dev debhelper rsync kmod cpio bc linux-config-6.12
# A worktree of the series as committed (HEAD of build/src), so that work
# in build/src during the long build does not end up in the package.
tree=$BUILD/deb-src
if [ -d "$tree" ]; then
	git -C "$tree" checkout -q --detach "$(git -C "$SRC" rev-parse HEAD)"
else
	git -C "$SRC" worktree add -q --detach "$tree" HEAD
fi
git -C "$SRC" diff --quiet HEAD || info "note: uncommitted changes in $SRC are not in the package"
# The package's changelog names its maintainer: the person from SIGNOFF=.
check_signoff
if [ -n "${SIGNOFF:-}" ]; then
	export DEBFULLNAME="${SIGNOFF% <*}" DEBEMAIL="${SIGNOFF##*<}"
	DEBEMAIL=${DEBEMAIL%>}
fi
export KDEB_PKGVERSION=${KDEB_PKGVERSION:-$(make -s -C "$tree" kernelversion)-1pmdz}
rm -f "$BUILD"/out/linux-*"$KDEB_PKGVERSION"*.deb
t0=$(date +%s)
BUILD_TARGETS=bindeb-pkg "$TOP/scripts/build.sh" "$variant" "$tree"
secs=$(( $(date +%s) - t0 ))
shopt -s nullglob
debs=("$BUILD"/out/linux-*"_${KDEB_PKGVERSION}_"*.deb)
[ ${#debs[@]} -gt 0 ] || die "bindeb-pkg made no package (see $LOGS/build-$variant.log)"
image=$(printf '%s\n' "${debs[@]}" | grep '/linux-image-' | grep -v -- '-dbg_' | head -n 1)
[ -n "$image" ] || die "no linux-image package among ${debs[*]}"
info "built in ${secs}s:"
for d in "${debs[@]}"; do
	info "  $(basename "$d") ($(du -k "$d" | cut -f1) KiB)"
done

# Boot the packaged kernel: unpack the linux-image package where boot.sh
# looks for a kernel (BOOT_OUT=), with the build's .config for the
# initramfs (the out-of-tree module is built against the build tree).
bdir=$BUILD/out/$variant-pkg
rm -rf "$bdir" && mkdir -p "$bdir/arch/x86/boot"
dpkg-deb -x "$image" "$bdir/root"
krel=$(ls "$bdir/root/lib/modules" | head -n 1)
cp "$bdir/root/boot/vmlinuz-$krel" "$bdir/arch/x86/boot/bzImage"
rm -f "$LOGS/boot-$variant-pkg-check.log"
BOOT_OUT=$variant-pkg BOOT_TIMEOUT=1800 "$TOP/scripts/boot.sh" "$variant" check "$variant-pkg" "pmdz_static=yes" </dev/null ||
	die "the packaged kernel $krel did not finish its boot (see $LOGS/boot-$variant-pkg-check.log)"
SUMMARY=$RESULTS/deb.txt
: >"$SUMMARY"
results "$variant-pkg" "$LOGS/boot-$variant-pkg-check.log" yes state
echo
echo "Packages ($KDEB_PKGVERSION, kernel release $krel) in $BUILD/out:"
printf '  %s\n' "${debs[@]##*/}"
cat <<EOM
Install on a Debian 12 machine (or VM) and reboot into it:
  apt install ./$(basename "$image")
After the reboot, check that the folio is in use:
  uname -r                                  # $krel
  journalctl -k | grep 'static PMD zero folio'   # "2048 KiB in use, never freed"
  grep STATIC_PMD_ZERO_PAGE /boot/config-$krel   # =y
(Debian's debian.config extras: the guest's drivers built in, KUnit built in
with the series' suite, no debug info; see configs/debian.config.)
EOM
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
