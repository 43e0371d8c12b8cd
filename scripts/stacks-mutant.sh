#!/bin/bash
# Show that the stacks and machines rows can fail: build the stacks-y
# kernel from the series with one mutant of configs/mutants applied (in a
# worktree, build/mut-src, so build/src is not touched), boot it and
# report, row by row, whether the row failed (caught) or passed (missed).
#   scripts/stacks-mutant.sh [mutant] [row...]
# mutant: default v4-bios (RFC v4's bios). Rows: stacks rows (crypt, btt...)
# and machines rows (machines-numa, machines-kexec...); default: every
# stacks row. Report: build/results/stacks-<mutant>.txt. The worktree and
# its kernel (build/out/stacks-y-mutant) are kept, so the next mutant
# recompiles only what its file changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-v4-bios}
shift || true
line=$(grep -E "^$name[[:space:]]+\|" "$TOP/configs/mutants") || die "no mutant '$name' in configs/mutants"
file=$(echo "$line" | cut -d'|' -f2 | xargs)
subst=$(echo "$line" | cut -d'|' -f4- | sed 's/^ *//; s/ *$//')
stacks= machines=
for r in "$@"; do
	case "$r" in
	machines-*)	grep -qE "^${r#machines-}[[:space:]]" "$TOP/configs/machines-runs" ||
				die "no machines row '${r#machines-}' in configs/machines-runs"
			machines+="${r#machines-} " ;;
	*)		stacks+="$r " ;;
	esac
done
[ $# -eq 0 ] && stacks=all
tree=$BUILD/mut-src
head=$(git -C "$SRC" rev-parse HEAD)
if [ -d "$tree" ]; then
	git -C "$tree" checkout -q -f --detach "$head"
else
	git -C "$SRC" worktree add -q --detach "$tree" "$head"
fi
trap 'git -C "$tree" checkout -q -- "$file"' EXIT
perl -0pi -e "$subst" "$tree/$file"
git -C "$tree" diff --quiet -- "$file" && die "mutant $name: the substitution no longer matches $file"
git -C "$tree" diff -- "$file" | sed 's/^/    /'
out=stacks-y-mutant
BUILD_NAME=$out "$TOP/scripts/build.sh" stacks-y "$tree" </dev/null

report=$RESULTS/stacks-$name.txt
echo "mutant $name ($file), stacks-y, $(date -u +%F)" >"$report"
if [ -n "$stacks" ]; then
	log=$LOGS/boot-stacks-y-$name-stacks.log
	rm -f "$log"
	rows=
	[ "$stacks" != all ] && rows="stacks_rows=$(echo $stacks | tr ' ' ,)"
	BOOT_OUT=$out "$TOP/scripts/boot.sh" stacks-y stacks "stacks-y-$name" "pmdz_static=yes $rows" </dev/null ||
		info "the boot did not finish: every row not reported counts as caught"
	{
		python3 "$TOP/scripts/stacks_report.py" "$name=$log"
		echo
		# A row is caught when one of its checks failed; "missed" when
		# all passed; "n/a" when it did not apply (offload) and was skipped.
		awk '/^PMDZ-ROW-BEGIN/ { row = $2; rows[row] = 1 }
		     /^not ok/ && row { f[row] = f[row] "; " $0 }
		     /^PMDZ-STACK/ && / result=offloaded/ { na[row] = 1 }
		     END { for (r in rows)
				if (r in f) printf "caught  %-12s %s\n", r, substr(f[r], 3)
				else if (r in na) printf "n/a     %-12s (offloaded)\n", r
				else printf "MISSED  %s\n", r }' "$log" | sort
	} >>"$report"
fi
# Machines rows: one boot each; caught when any of its results failed
# (KUnit, the machines checks, the state tests) or the guest did not finish.
while read -r label mode sections args; do
	case "$label" in ''|'#'*) continue ;; esac
	[[ " $machines " == *" $label "* ]] || continue
	log=$LOGS/boot-stacks-y-$name-$label-$mode.log
	rm -f "$log"
	booted=yes
	BOOT_OUT=$out "$TOP/scripts/boot.sh" stacks-y "$mode" "stacks-y-$name-$label" "pmdz_static=yes $args" </dev/null ||
		booted=no
	res=$(python3 "$TOP/scripts/results.py" "$log" --variant "machines-$label" --tree "$tree" --static yes \
		--sections "$sections")
	fails=$(printf '%s\n' "$res" | grep -E '^  FAIL ' | head -n 3 | sed 's/^  FAIL //' | cut -c1-90 | paste -sd ';' -)
	if [ "$booted" = no ] || [ -n "$fails" ]; then
		printf 'caught  %-12s %s\n' "machines-$label" "${fails:-the guest did not finish}"
	else
		printf 'MISSED  %s\n' "machines-$label"
	fi >>"$report"
done <"$TOP/configs/machines-runs"
cat "$report"
