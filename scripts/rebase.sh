#!/bin/bash
# make rebase BASE=<version>: move the series in build/src onto another
# linux-source-6.12. The new base is fetched, unpacked next to the old one
# and committed into build/src's own repository (the same root commit
# base.sh would make), then the branch "series" is replayed onto it with
# git rebase. On a conflict it stops and names the patch and the files:
# resolve, git add, git rebase --continue in build/src, and run make rebase
# BASE=<version> again to finish. When done, the tag "base" and configs/base
# point to the new version; then make check, make export (docs/maintaining.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

new=${BASE:?usage: make rebase BASE=<linux-source-6.12 version> (offered: $(offered_versions | tr '\n' ' '))}
cd "$SRC" 2>/dev/null || die "no $SRC: make apply first"
git rev-parse -q --verify series >/dev/null || die "no branch series in $SRC: make apply first"
tag="base-$(printf %s "$new" | tr '~:' '__')"
t0=$(date +%s)

# import_base VERSION TAG: commit the tree of linux-source-6.12=VERSION as the
# root commit TAG of build/src's repository.
import_base() {
	local deb dir idx v tree commit
	deb=$(fetch_source "$1")
	dir=$BUILD/rebase-tree
	rm -rf "$dir"
	step "unpacking $(basename "$deb") next to build/src"
	unpack_source "$deb" "$dir"
	v=$(make -s -C "$dir" kernelversion 2>/dev/null)
	step "committing base $v into build/src as tag $2"
	idx=$(mktemp -u)
	GIT_INDEX_FILE=$idx GIT_WORK_TREE=$dir git add -f -A .
	tree=$(GIT_INDEX_FILE=$idx git write-tree)
	rm -f "$idx"
	commit=$(GIT_AUTHOR_DATE="2000-01-01T00:00:00Z" GIT_COMMITTER_DATE="2000-01-01T00:00:00Z" \
		git commit-tree -m "base: Linux $v (Debian linux-source-6.12 $1)" "$tree")
	git tag -f "$2" "$commit" >/dev/null
	rm -rf "$dir"
	echo "$v" >"$BUILD/.rebase-kernelversion"
}

in_rebase() { [ -d "$(git rev-parse --git-path rebase-merge)" ] || [ -d "$(git rev-parse --git-path rebase-apply)" ]; }
stopped() {
	local cur files
	cur=$(git log -1 --format=%s "$(cat "$(git rev-parse --git-path rebase-merge)/stopped-sha" 2>/dev/null || echo REBASE_HEAD)" 2>/dev/null || echo '?')
	files=$(git diff --name-only --diff-filter=U | tr '\n' ' ')
	die "the series does not replay onto $new: patch \"$cur\" conflicts in: ${files:-?}
       resolve in $SRC, git add -f the files (the tarball .gitignore hides them), git rebase --continue, then make rebase BASE=$new again
       (or git rebase --abort there to leave everything as it was)"
}

if in_rebase; then
	git diff --name-only --diff-filter=U | grep -q . && stopped
	git rev-parse -q --verify "$tag" >/dev/null || die "a rebase is in progress in $SRC that make rebase did not start"
	info "finishing the rebase in progress"
	GIT_EDITOR=true git rebase --continue >"$LOGS/rebase.log" 2>&1 || stopped
else
	git diff --quiet HEAD || die "$SRC has uncommitted changes; commit them first"
	git rev-parse -q --verify "$tag" >/dev/null || import_base "$new" "$tag"
	old=$(git rev-parse base)
	git tag -f base-before-rebase "$old" >/dev/null
	git tag -f series-before-rebase series >/dev/null
	[ "$(git rev-parse "$tag")" != "$old" ] || die "the series is already on $new"
	step "replaying $(git rev-list --count base..series) commits of series onto $new"
	git checkout -q series
	git rebase --onto "$tag" base series >"$LOGS/rebase.log" 2>&1 || stopped
fi

# Done: the new base is the base.
git tag -f base "$tag" >/dev/null
[ -d "$BUILD/base" ] && git worktree remove --force "$BUILD/base"
git worktree prune
v=$(cat "$BUILD/.rebase-kernelversion" 2>/dev/null || make -s kernelversion)
echo "$v (Debian linux-source-6.12 $new)" >"$BUILD/base-version"
rm -f "$BUILD/applied"
sed -i "s/^[^#[:space:]].*/$new/" "$TOP/configs/base"
info "series is on $v: configs/base says $new; the old base is tag base-before-rebase"
info "range-diff: git -C build/src range-diff base-before-rebase..series-before-rebase base..series"
info "next: read the stable changes to the files the series touches (docs/maintaining.md), make check, make export"
info "took $(( $(date +%s) - t0 )) s"
