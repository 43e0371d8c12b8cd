#!/bin/bash
# Build one kernel variant from configs/variants into build/out/<variant>.
#   scripts/build.sh <variant> [source tree]
# The tree defaults to build/src; the bench uses a second worktree of the
# base. ccache keys stay stable because paths do not move between runs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:?usage: build.sh <variant> [tree]}
tree=${2:-$SRC}
out=$BUILD/out/${BUILD_NAME:-$variant}
line=$(awk -v v="$variant" '$1 == v' "$TOP/configs/variants")
[ -n "$line" ] || die "unknown variant '$variant' (see configs/variants)"
read -r -a words <<<"$line"
frags=()
for w in "${words[@]:1}"; do
	case "$w" in *.config) frags+=("$TOP/configs/$w") ;; *) break ;; esac
done

mkdir -p "$out"
export CCACHE_DIR=${CCACHE_DIR:-$BUILD/ccache}
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
cc="gcc"
command -v ccache >/dev/null && cc="ccache gcc"
jobs=$(( $(nproc) + 1 ))
mk=(make -C "$tree" O="$out" ARCH=x86_64 CC="$cc" -j"$jobs")

# Regenerate .config only when a fragment or the tree's Kconfig changed.
stamp=$out/.fragments
want=$(cat "${frags[@]}" | sha1sum)
if [ ! -f "$out/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" "${mk[@]}" tinyconfig
	run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" \
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}"
	run_logged "$LOGS/config-${BUILD_NAME:-$variant}.log" "${mk[@]}" olddefconfig
	echo "$want" >"$stamp"
fi
"${mk[@]}" olddefconfig >/dev/null 2>&1

# Every option a fragment asks for must have survived olddefconfig.
missing=0
for f in "${frags[@]}"; do
	while IFS= read -r opt; do
		case "$opt" in
		CONFIG_*=*) grep -qx "$opt" "$out/.config" || { echo "    $variant: $opt did not stick" >&2; missing=1; } ;;
		"# CONFIG_"*" is not set") sym=${opt#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$out/.config" && { echo "    $variant: $sym should be off" >&2; missing=1; } ;;
		esac
	done <"$f"
done
[ "$missing" = 0 ] || [ "${LENIENT:-0}" = 1 ] || die "$variant: kconfig fragment not satisfied (see $out/.config)"

step "building $variant kernel ($(git -C "$tree" describe --always --tags 2>/dev/null), $jobs jobs, log $LOGS/build-${BUILD_NAME:-$variant}.log)"
start=$(date +%s)
# Show a progress line every 30 s instead of make's output.
( "${mk[@]}" bzImage >"$LOGS/build-${BUILD_NAME:-$variant}.log" 2>&1; echo $? >"$out/.rc" ) &
pid=$!
last=$start
while kill -0 $pid 2>/dev/null; do
	sleep 2
	now=$(date +%s)
	if [ $((now - last)) -ge 30 ]; then
		last=$now
		n=$(grep -c '^  CC ' "$LOGS/build-${BUILD_NAME:-$variant}.log" || true)
		info "$variant: $((now - start))s, $n files compiled"
	fi
done
wait $pid || true
if [ "$(cat "$out/.rc")" != 0 ]; then
	echo "error: $variant build failed; compiler says:" >&2
	grep -E -A3 'error:|Error [0-9]|undefined reference' "$LOGS/build-${BUILD_NAME:-$variant}.log" | head -n 40 >&2
	exit 1
fi
info "$variant: built in $(( $(date +%s) - start ))s: $out/arch/x86/boot/bzImage"
