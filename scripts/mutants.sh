#!/bin/bash
# make mutants: prove that `make check` can fail. For every deliberately
# broken variant in configs/mutants, apply its one substitution to the series
# tree in build/src, run `make check` restricted to the boots the mutant
# concerns (plus nothing else: no round trip, no bench smoke), undo the
# change, and report "caught" (check failed) or "MISSED" (check passed).
# A mutant that does not build is reported as such, not as caught.
#   MUTANTS="name ..." limits the run to those mutants (report:
#   mutants-subset.txt, so the full run's mutants.txt stays).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

out=$RESULTS/mutants
mkdir -p "$out"
report=$out/mutants${MUTANTS:+-subset}.txt
: >"$report"
git -C "$SRC" diff --quiet || die "$SRC has uncommitted changes; commit or stash them first"

caught=0 missed=0 other=0
while IFS='|' read -r name file runs subst; do
	case "$name" in ''|'#'*) continue ;; esac
	name=$(echo "$name" | xargs) file=$(echo "$file" | xargs) runs=$(echo "$runs" | xargs)
	subst=$(echo "$subst" | sed 's/^ *//; s/ *$//')
	case "$name" in ''|'#'*) continue ;; esac
	if [ -n "${MUTANTS:-}" ] && ! [[ " $MUTANTS " == *" $name "* ]]; then
		continue
	fi
	step "mutant $name: $file (boots: $runs)"
	perl -0pi -e "$subst" "$SRC/$file"
	if git -C "$SRC" diff --quiet -- "$file"; then
		git -C "$SRC" checkout -q -- "$file"
		printf '%-24s STALE   (the substitution no longer matches %s)\n' "$name" "$file" | tee -a "$report"
		other=$((other + 1))
		continue
	fi
	git -C "$SRC" diff -- "$file" >"$out/$name.diff"
	runs_file=$out/$name.runs
	grep -E "^($(echo "$runs" | tr ',' '|'))[[:space:]]" "$TOP/configs/check-runs" >"$runs_file"
	# Its boots' consoles, build logs and check results go to $out/$name/,
	# so they survive the next mutant and leave `make check`'s own alone.
	rm -rf "${out:?}/$name" && mkdir -p "$out/$name"
	LOGS_DIR=$out/$name RESULTS_DIR=$out/$name MUTANT=1 RUNS=$runs_file \
		"$TOP/scripts/check.sh" >"$out/$name.log" 2>&1
	rc=$?
	git -C "$SRC" checkout -q -- "$file"
	last=$(tail -n 1 "$out/$name.log")
	fails=$(grep -E '^  FAIL ' "$out/$name.log" | head -n 3 | sed 's/^  FAIL //' | cut -c1-100 | paste -sd ';' -)
	if grep -q 'kernel builds' "$out/$name.log" && grep -q '^  FAIL .*kernel builds' "$out/$name.log"; then
		printf '%-24s BROKEN  (does not build; see %s)\n' "$name" "$out/$name.log" | tee -a "$report"
		other=$((other + 1))
	elif [ $rc -ne 0 ]; then
		printf '%-24s caught  (%s: %s)\n' "$name" "$last" "$fails" | tee -a "$report"
		caught=$((caught + 1))
	else
		printf '%-24s MISSED  (%s)\n' "$name" "$last" | tee -a "$report"
		missed=$((missed + 1))
	fi
done <"$TOP/configs/mutants"

echo
echo "report: $report (diffs and check output in $out, each mutant's boot logs in $out/<name>/)"
echo "mutants: $caught caught, $missed missed, $other stale or not building"
[ "$missed" -eq 0 ] && [ "$other" -eq 0 ]
