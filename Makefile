# Harness for the static PMD zero folio patch series. See README.md.
# Every verb is a small script in scripts/; build products go to build/.
SHELL := /bin/bash
S := scripts
V ?= static-y
MODE ?= check

.PHONY: all run check check-full check-debian deb check-fstests fstests-baseline check-blktests mutants bench-bounds bench deps base apply export build boot bisect-build checkpatch rebase check-bases clean help
all: help

help:
	@echo "make run            build the STATIC_PMD_ZERO_PAGE=y kernel, boot it, show a zeroout"
	@echo "make check          every test: KUnit + in-guest tests on the =y and =n kernels"
	@echo "make check-full     check + debug (KASAN, lockdep...), THP=n, allnoconfig, arm64 4K and 64K, check-debian"
	@echo "make check-debian   the series with Debian's own configs: cloud-amd64 booted and tested, amd64 mm/ block/ fs/iomap/ built"
	@echo "make deb           Debian packages (bindeb-pkg) of 6.12 + the series, Debian's config, =y; boots the package"
	@echo "make check-fstests  fstests (XFS 4k/16k/64k, ext4) on the =y and =n kernels vs the stored base results"
	@echo "make fstests-baseline  fstests on the unpatched base: rewrites configs/fstests/baseline"
	@echo "make check-blktests blktests block + loop groups (and our block/040) on base and =y"
	@echo "make mutants        make check on each deliberately broken variant (configs/mutants)"
	@echo "make bench-bounds   zeroout cost, kill latency and scheduling delay per bio bound and bio_vec size (BOUNDS=\"1024:256 ...\")"
	@echo "make bench          base vs =n vs =y: zeroout throughput, CPU, bios/bvecs, memory"
	@echo "make base           materialise the 6.12 base in build/src (KSRC=/path to use your tree)"
	@echo "make apply          git am patches/series onto the base (branch 'series')"
	@echo "make rebase BASE=v  move the series in build/src onto linux-source-6.12=v (docs/maintaining.md)"
	@echo "make check-bases    apply the series to every linux-source-6.12 offered; build and boot the newest"
	@echo "make export         regenerate patches/ from the commits in build/src"
	@echo "make build V=name   build one variant of configs/variants"
	@echo "make boot V=name MODE=check|run   boot a built variant in QEMU"
	@echo "make bisect-build   build every prefix of the series for =y, =n and THP=n"
	@echo "make checkpatch     checkpatch.pl --strict on every patch"

deps:
	@. $(S)/lib.sh && need_pkgs "$${HOST_PKGS[@]}"

base: deps
	@$(S)/base.sh

apply: base
	@$(S)/apply.sh

rebase: deps
	@$(S)/rebase.sh

check-bases: deps
	@$(S)/check-bases.sh

export:
	@$(S)/export.sh

build: apply
	@$(S)/build.sh $(V)

boot:
	@$(S)/boot.sh $(V) $(MODE)

run: apply
	@$(S)/run.sh

check: apply
	@$(S)/check.sh

check-full: apply
	@$(S)/check-full.sh

check-debian: apply
	@$(S)/check-debian.sh

deb: apply
	@$(S)/deb.sh

check-fstests: apply
	@$(S)/check-peers.sh fstests

fstests-baseline: apply
	@KERNELS=base $(S)/check-peers.sh fstests

check-blktests: apply
	@$(S)/check-peers.sh blktests

mutants: apply
	@$(S)/mutants.sh

bench-bounds: apply
	@$(S)/bench-bounds.sh

bench: apply
	@$(S)/bench.sh

bisect-build: apply
	@$(S)/bisect-build.sh

checkpatch: apply
	@$(S)/checkpatch.sh

clean:
	rm -rf build/out build/logs build/results build/initramfs-*
