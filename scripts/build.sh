#!/bin/bash
# Build one kernel variant from configs/variants into build/out/<variant>.
#   scripts/build.sh <variant> [source tree]
# BUILD_TARGETS="mm/ block/": compile those directories instead of the image.
# A variant with the word "modules" also builds its modules and installs
# them into build/out/<variant>/modroot (for guests that modprobe).
# The tree defaults to the variant's own (tree_of: build/base for the
# base, build/src for the rest). ccache keys stay stable because paths do
# not move between runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: build.sh <variant> [tree]}
tree=$(cd "${2:-$(tree_of "$variant")}" && pwd)
out=$BUILD/out/${BUILD_NAME:-$variant}
line=$(awk -v v="$variant" '$1 == v' "$TOP/configs/variants")
[ -n "$line" ] || die "unknown variant '$variant' (see configs/variants)"
read -r -a words <<<"$line"
arch=${words[1]} start=${words[2]}
frags=() llvm= modules=0
for w in "${words[@]:3}"; do
	case "$w" in
	*.config) frags+=("$TOP/configs/$w") ;;
	LLVM=*) llvm=${w#LLVM=} ;;	# build with clang/lld, e.g. LLVM=-16
	modules) modules=1 ;;
	*) break ;;
	esac
done
case "$arch" in
x86_64)	image=bzImage cross= ;;
arm64)	image=Image cross=aarch64-linux-gnu-
	need_pkgs gcc-aarch64-linux-gnu ;;
*)	die "$variant: unknown arch $arch" ;;
esac

mkdir -p "$out"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
cc="${cross}gcc"
if [ -n "$llvm" ]; then
	need_pkgs "clang$llvm" "lld$llvm" "llvm$llvm"
	cc="clang$llvm"
fi
command -v ccache >/dev/null && cc="ccache $cc"
jobs=$(( $(nproc) + 1 ))
mk=(make -C "$tree" O="$out" ARCH="$arch" CROSS_COMPILE="$cross" CC="$cc" -j"$jobs")
[ -n "$llvm" ] && mk+=(LLVM="$llvm")

# Regenerate .config only when the start target or a fragment changed
# (FORCE_CONFIG=1: always, for trees whose Kconfig changes under us).
stamp=$out/.fragments
want=$( (echo "$start"; cat "${frags[@]}" /dev/null) | sha1sum)
if [ ! -f "$out/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || [ "${FORCE_CONFIG:-0}" = 1 ]; then
	case "$start" in
	debian:*)	# Debian's own config for this kernel, then olddefconfig
		need_pkgs linux-config-6.12 libssl-dev openssl
		dcfg=/usr/src/linux-config-6.12/config.amd64_none_${start#debian:}.xz
		[ -f "$dcfg" ] || die "$variant: no $dcfg (package linux-config-6.12)"
		xzcat "$dcfg" >"$out/.config"
		run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" "${mk[@]}" olddefconfig ;;
	*)	run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" "${mk[@]}" "$start" ;;
	esac
	if [ ${#frags[@]} -gt 0 ]; then
		run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" \
			"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	fi
	run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" "${mk[@]}" olddefconfig
	echo "$want" >"$stamp"
fi
"${mk[@]}" olddefconfig >/dev/null 2>&1

# Every option the fragments ask for (the last word for each symbol wins,
# as in merge_config.sh) must have survived olddefconfig.
declare -A want_opt=()
for f in "${frags[@]+"${frags[@]}"}"; do
	while IFS= read -r opt; do
		case "$opt" in
		CONFIG_*=*) want_opt[${opt%%=*}]=$opt ;;
		"# CONFIG_"*" is not set") sym=${opt#\# }; want_opt[${sym%% *}]=off ;;
		esac
	done <"$f"
done
missing=0
for sym in "${!want_opt[@]}"; do
	opt=${want_opt[$sym]}
	if [ "$opt" = off ]; then
		grep -q "^$sym=" "$out/.config" && { echo "    $variant: $sym should be off" >&2; missing=1; }
	else
		grep -qx "$opt" "$out/.config" || { echo "    $variant: $opt did not stick" >&2; missing=1; }
	fi
done
[ "$missing" = 0 ] || [ "${LENIENT:-0}" = 1 ] || die "$variant: kconfig fragment not satisfied (see $out/.config)"
[ "${CONFIG_ONLY:-0}" = 1 ] && exit 0

step "building $variant kernel ($(git -C "$tree" describe --always --tags 2>/dev/null), $jobs jobs, log $LOGS/build-${BUILD_NAME:-$variant}.log)"
t0=$(date +%s)
# Show a progress line every 30 s instead of make's output.
# (set +e: the status must reach .rc even when make fails; no .rc = failed)
rm -f "$out/.rc"
state=$(tree_state "$tree")
targets=${BUILD_TARGETS:-$image}
[ -z "${BUILD_TARGETS:-}" ] && [ "$modules" = 1 ] && targets+=" modules"
( set +e; "${mk[@]}" $targets >"$LOGS/build-${BUILD_NAME:-$variant}.log" 2>&1; echo $? >"$out/.rc" ) &
pid=$!
last=$t0
while kill -0 $pid 2>/dev/null; do
	sleep 2
	now=$(date +%s)
	if [ $((now - last)) -ge 30 ]; then
		last=$now
		n=$(grep -c '^  CC ' "$LOGS/build-${BUILD_NAME:-$variant}.log" || true)
		info "$variant: $((now - t0))s, $n files compiled"
	fi
done
wait $pid || true
if [ "$(cat "$out/.rc" 2>/dev/null)" != 0 ]; then
	echo "error: $variant build failed; compiler says:" >&2
	grep -E -A3 'error:|Error [0-9]|undefined reference' "$LOGS/build-${BUILD_NAME:-$variant}.log" | head -n 40 >&2
	exit 1
fi
# (Re)install the modules only when one was rebuilt: a guest may be using
# the installed tree over 9p right now.
if [ -z "${BUILD_TARGETS:-}" ] && [ "$modules" = 1 ] &&
   { [ ! -e "$out/modroot/.installed" ] ||
     [ -n "$(find "$out" -path "$out/modroot" -prune -o -name '*.ko' -newer "$out/modroot/.installed" -print -quit)" ]; }; then
	rm -rf "$out/modroot"
	run_logged "$LOGS/modules-${BUILD_NAME:-$variant}.log" \
		"${mk[@]}" INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 modules_install
	touch "$out/modroot/.installed"
fi
# What boot.sh checks the kernel against (an image build only).
[ -z "${BUILD_TARGETS:-}" ] && echo "$tree $state" >"$out/.source"
if [ -n "${BUILD_TARGETS:-}" ]; then
	info "$variant: $BUILD_TARGETS built in $(( $(date +%s) - t0 ))s"
else
	info "$variant: built in $(( $(date +%s) - t0 ))s: $(ls "$out"/arch/*/boot/"$image" | head -n 1)"
fi
