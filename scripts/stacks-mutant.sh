#!/bin/bash
# Show that the stacks rows can fail: build the stacks-y kernel from the
# series with one mutant of configs/mutants applied (in a worktree,
# build/mut-src, so build/src is not touched), boot it in mode stacks and
# report, row by row, whether the row failed (caught) or passed (missed).
#   scripts/stacks-mutant.sh [mutant]        (default: v4-bios, RFC v4's bios)
# STACKS_ROWS="btt throttle" narrows the rows. Report: build/results/stacks-<mutant>.txt
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:-v4-bios}
line=$(grep -E "^$name[[:space:]]+\|" "$TOP/configs/mutants") || die "no mutant '$name' in configs/mutants"
file=$(echo "$line" | cut -d'|' -f2 | xargs)
subst=$(echo "$line" | cut -d'|' -f4- | sed 's/^ *//; s/ *$//')
tree=$BUILD/mut-src
head=$(git -C "$SRC" rev-parse HEAD)
if [ -d "$tree" ]; then
	git -C "$tree" checkout -q -f --detach "$head"
else
	git -C "$SRC" worktree add -q --detach "$tree" "$head"
fi
perl -0pi -e "$subst" "$tree/$file"
git -C "$tree" diff --quiet -- "$file" && die "mutant $name: the substitution no longer matches $file"
git -C "$tree" diff -- "$file" | sed 's/^/    /'
out=stacks-y-$name
BUILD_NAME=$out "$TOP/scripts/build.sh" stacks-y "$tree" </dev/null
log=$LOGS/boot-$out-stacks.log
rm -f "$log"
rows=${STACKS_ROWS:+stacks_rows=$(echo $STACKS_ROWS | tr ' ' ,)}
BOOT_OUT=$out "$TOP/scripts/boot.sh" stacks-y stacks "$out" "pmdz_static=yes $rows" </dev/null ||
	info "the boot did not finish: every row not reported counts as caught"
report=$RESULTS/stacks-$name.txt
{
	echo "mutant $name ($file), stacks-y, $(date -u +%F)"
	python3 "$TOP/scripts/stacks_report.py" "$name=$log"
	echo
	# A row is caught when one of its checks failed; "missed" when all
	# passed; "n/a" when it did not apply (offload) and was skipped.
	awk '/^PMDZ-ROW-BEGIN/ { row = $2; rows[row] = 1 }
	     /^not ok/ && row { f[row] = f[row] "; " $0 }
	     /^PMDZ-STACK/ && / result=offloaded/ { na[row] = 1 }
	     END { for (r in rows)
			if (r in f) printf "caught  %-12s %s\n", r, substr(f[r], 3)
			else if (r in na) printf "n/a     %-12s (offloaded)\n", r
			else printf "MISSED  %s\n", r }' "$log" | sort
} | tee "$report"
git -C "$tree" checkout -q -- "$file"
