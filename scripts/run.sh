#!/bin/bash
# make run: build the STATIC_PMD_ZERO_PAGE=y kernel, boot it, zero a range
# of a RAM block device and say in plain words what happened.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

v=static-y
[ -s "$TOP/patches/series" ] || { v=base; info "no patches yet: running on the unpatched base"; }
"$TOP/scripts/build.sh" "$v"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-300} "$TOP/scripts/boot.sh" "$v" run
log=$LOGS/boot-$v-run.log
echo
echo "What happened in the guest ($v kernel, QEMU TCG, so times are not real hardware):"
sed -n 's/^PMDZ-STATIC /  kernel: /p' "$log"
grep -q '^PMDZ-STATIC' "$log" || echo "  kernel: no static PMD zero folio (ZERO_PAGE is the largest zero folio)"
sed -n 's/^PMDZ-MEM /  /p' "$log"
sed -n '/^PMDZ-BEGIN demo/,/^PMDZ-END demo/p' "$log" | grep -v '^PMDZ-' | sed 's/^/  /'
echo "full console log: $log"
grep -q '^PMDZ-END demo rc=0' "$log"
