#!/bin/bash
# Build every prefix of the series (each commit of base..series) with
# STATIC_PMD_ZERO_PAGE=y, =n and TRANSPARENT_HUGEPAGE=n (the bisect-*
# variants: a small config covering the code the series touches), in a
# separate worktree (build/bisect) so that build/src is left alone.
# Options a prefix does not know yet are allowed to be missing; a variant
# whose .config is then the same as one already built at that commit is
# reported as "=<variant>" instead of being built twice.
# A build is ok(N) when it compiled N files with no compiler warning;
# WARN(n) (n warnings, in build/logs/bisect-<i>-<variant>.log) counts as
# failed: a prefix must build cleanly, not only link.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variants=${VARIANTS:-bisect-y bisect-n bisect-nothp}
wt=$BUILD/bisect
[ -d "$wt" ] || git -C "$SRC" worktree add -q --detach "$wt" base
commits=$(git -C "$SRC" rev-list --reverse base..series)
total=$(echo "$commits" | wc -l)
i=0 failed=0
: >"$RESULTS/bisect-build.txt"
for c in $commits; do
	i=$((i + 1))
	git -C "$wt" checkout -q --detach "$c"
	subject=$(git -C "$wt" log -1 --format=%s)
	built=()
	for v in $variants; do
		cfg=$BUILD/out/$v/.config
		# A prefix that does not know an option yet can give two variants
		# the same .config: the same source and config build the same.
		same=
		if CONFIG_ONLY=1 LENIENT=1 FORCE_CONFIG=1 "$TOP/scripts/build.sh" "$v" "$wt" >"$LOGS/bisect-$i-$v.log" 2>&1; then
			for b in "${built[@]+"${built[@]}"}"; do
				cmp -s "$cfg" "$BUILD/out/$b/.config" && same=$b && break
			done
		fi
		if [ -n "$same" ]; then
			r="=$same"
		elif LENIENT=1 "$TOP/scripts/build.sh" "$v" "$wt" >>"$LOGS/bisect-$i-$v.log" 2>&1; then
			# Keep this build's compiler output: build.sh's log is
			# rewritten by the next build of the variant.
			cat "$LOGS/build-$v.log" >>"$LOGS/bisect-$i-$v.log"
			nw=$(grep -c 'warning:' "$LOGS/build-$v.log" || true)
			nc=$(grep -c '^  CC ' "$LOGS/build-$v.log" || true)
			built+=("$v")
			if [ "$nw" -eq 0 ]; then
				r="ok($nc)"
			else
				r="WARN($nw)" failed=$((failed + 1))
			fi
		else
			r=FAILED failed=$((failed + 1))
		fi
		opts="THP=$(grep -q '^CONFIG_TRANSPARENT_HUGEPAGE=y' "$cfg" && echo y || echo n)"
		opts+=" STATIC=$(grep -q '^CONFIG_STATIC_PMD_ZERO_PAGE=y' "$cfg" && echo y || echo n)"
		printf '[%2d/%d] %-12s %-9s %-15s %s\n' "$i" "$total" "$v" "$r" "$opts" "$subject" |
			tee -a "$RESULTS/bisect-build.txt"
	done
done
echo "bisect build: $((i * $(echo $variants | wc -w) - failed)) of $((i * $(echo $variants | wc -w))) commit x variant builds ok, $failed failed or warned (results/bisect-build.txt)"
[ "$failed" -eq 0 ]
