#!/bin/bash
# make mutants: prove that `make check` can fail. For every deliberately
# broken variant in configs/mutants, apply its one substitution to the series
# tree in build/src, run `make check` restricted to the boots the mutant
# concerns (plus nothing else: no round trip, no bench smoke), undo the
# change. The same boots run once unmutated first: a mutant is "caught" only
# when `make check` fails and a test that passed unmutated failed or did not
# report (its boot hung or panicked); the report names those tests. A
# failure of the harness itself (a check that also fails unmutated, or a
# line that compares boots the mutant did not run) is never a catch.
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

# The boots of the mutants to run, once unmutated.
mutant_list() {
	while IFS='|' read -r name file runs subst; do
		case "$name" in ''|'#'*) continue ;; esac
		name=$(echo "$name" | xargs)
		if [ -n "${MUTANTS:-}" ] && ! [[ " $MUTANTS " == *" $name "* ]]; then
			continue
		fi
		runs=$(echo "$runs" | xargs)
		[ "$runs" = - ] || echo "$runs"
	done <"$TOP/configs/mutants"
}
labels=$(mutant_list | tr ',' '\n' | sort -u | paste -sd '|' -)
[ -n "$labels" ] || die "no mutant named ${MUTANTS:-}"
base_dir=$out/unmutated
rm -rf "$base_dir" && mkdir -p "$base_dir"
grep -E "^($labels)[[:space:]]" "$TOP/configs/check-runs" >"$base_dir/runs"
step "unmutated: the boots the mutants use ($(cut -d' ' -f1 "$base_dir/runs" | paste -sd ' ' -))"
LOGS_DIR=$base_dir RESULTS_DIR=$base_dir MUTANT=1 RUNS=$base_dir/runs \
	"$TOP/scripts/check.sh" >"$base_dir/check.log" 2>&1 ||
	info "note: the unmutated boots have failures ($(tail -n 1 "$base_dir/check.log")); those tests cannot catch a mutant"
# A test's name: its result line less the status and any "(...)" detail.
names() { sed -n "s/^  $1 \(.*\)/\1/p" "$2" | sed 's/ (.*//; s/  *$//' | sort -u; }
names PASS "$base_dir/check.txt" >"$base_dir/passed"
info "unmutated: $(wc -l <"$base_dir/passed") tests pass ($(tail -n 1 "$base_dir/check.log"))"

caught=0 missed=0 other=0
while IFS='|' read -r name file runs subst; do
	case "$name" in ''|'#'*) continue ;; esac
	name=$(echo "$name" | xargs) file=$(echo "$file" | xargs) runs=$(echo "$runs" | xargs)
	subst=$(echo "$subst" | sed 's/^ *//; s/ *$//')
	case "$name" in ''|'#'*) continue ;; esac
	if [ -n "${MUTANTS:-}" ] && ! [[ " $MUTANTS " == *" $name "* ]]; then
		continue
	fi
	if [ "$runs" = - ]; then
		printf '%-24s ELSEWHERE (no make check boot shows it: scripts/stacks-mutant.sh %s <row>)\n' "$name" "$name" | tee -a "$report"
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
	else
		# The tests that passed unmutated and failed now, and those of the
		# mutant's own boots that passed unmutated and did not report now
		# (their boot hung or panicked first).
		names PASS "$out/$name/check.txt" >"$out/$name.passed"
		names FAIL "$out/$name/check.txt" >"$out/$name.failed"
		names SKIP "$out/$name/check.txt" >"$out/$name.skipped"
		failed_by=$(grep -xF -f "$out/$name.failed" "$base_dir/passed" || true)
		# (a test that skips under the mutant did report: a skip is no catch)
		silent_by=$(grep -E "^($(echo "$runs" | tr ',' '|')): " "$base_dir/passed" |
			grep -vxF -f "$out/$name.passed" | grep -vxF -f "$out/$name.failed" |
			grep -vxF -f "$out/$name.skipped" || true)
		by=$(printf '%s\n%s\n' "$failed_by" "$silent_by" | grep . || true)
		silent=$(printf '%s\n' "$silent_by" | grep -c . || true)
		printf '%s\n' "$by" >"$out/$name.caught-by"
		if [ $rc -ne 0 ] && [ -n "$by" ]; then
			what=$(printf '%s\n' "$failed_by" | grep . | head -n 3 | cut -c1-90 | paste -sd ';' -)
			[ "${silent:-0}" -gt 0 ] && what="${what:+$what; }$silent more did not report"
			printf '%-24s caught  (%s)\n' "$name" "$what" | tee -a "$report"
			caught=$((caught + 1))
		else
			printf '%-24s MISSED  (%s%s)\n' "$name" "$last" \
				"${fails:+; failing also unmutated or harness only: $fails}" | tee -a "$report"
			missed=$((missed + 1))
		fi
	fi
done <"$TOP/configs/mutants"

echo
echo "report: $report (diffs and check output in $out, each mutant's boot logs in $out/<name>/)"
echo "mutants: $caught caught, $missed missed, $other stale or not building"
[ "$missed" -eq 0 ] && [ "$other" -eq 0 ]
