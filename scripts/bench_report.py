#!/usr/bin/env python3
"""Summarise the BENCH lines of `make bench` console logs.

  bench_report.py OUTDIR KERNEL@CLOCK=LOG [KERNEL@CLOCK=LOG ...]

One LOG per boot. The first KERNEL is the reference (the unpatched base).
Every measure is reduced to one number per boot (the median of its timed
repetitions); a kernel's figure under a clock is the median over its boots,
and its spread is (max - min) / median of those per-boot numbers. Ratios
are to the reference under the same clock. The "icount" clock counts guest
instructions (QEMU -icount): the noise-free cost; "wall" is host time.

Writes OUTDIR/bench.txt (the tables, also printed), OUTDIR/bench.csv and
OUTDIR/bench.dat (the chart's data). Exits 1 if a log lacks measurements or
was timed with a jiffies clocksource (4 ms steps).
"""
import re
import statistics
import sys

TCG = ('QEMU TCG: no cache model, so times are relative; the counts say what '
       'real hardware would do, bench/srccache.c measures the cache question natively.')


FAILED = {}	# console log -> names of the guest commands that failed in it


def parse(path):
    """Per-boot figures of one console log: {measure: [values]}, counts, info."""
    times, counts, info, image_kb = {}, {}, {}, None
    for line in open(path, errors='replace'):
        # The kernel image's share of memory (code, data, rodata, bss), as
        # mem_init() reports it: kernels of different size differ by it in
        # MemTotal.
        img = re.search(r'Memory: \d+K/\d+K available \((\d+)K kernel code, (\d+)K rwdata, '
                        r'(\d+)K rodata, \d+K init, (\d+)K bss', line)
        if img:
            image_kb = sum(int(x) for x in img.groups())
        # The first percpu chunk (pages per CPU; CONFIG_MODULES adds an
        # 8 KiB module reserve per CPU to it) is not in MemTotal either.
        pcpu = re.search(r'percpu: Embedded (\d+) pages/cpu', line)
        if pcpu:
            info['pcpu_pages'] = int(pcpu.group(1))
        failed = re.match(r'(\S+): (\S+) failed$', line.strip())
        if failed:	# zbench time: the command exited non-zero, no figure
            FAILED.setdefault(path, []).append(failed.group(1))
        if not line.startswith('BENCH '):
            continue
        kv = dict(re.findall(r'(\w+)=(\S+)', line))
        kind = kv.pop('kind')
        if kind in ('zeroout', 'fzero'):
            gib = int(kv['mib']) / 1024
            dev = kv['dev'] + ('-fz' if kind == 'fzero' else '')
            times.setdefault(f'{dev} s/GiB', []).append(float(kv['secs']) / gib)
        elif kind in ('counts', 'counts-fzero'):
            gib = int(kv['mib']) / 1024
            dev = kv['dev'] + ('-fz' if kind == 'counts-fzero' else '')
            counts[dev] = {k: int(kv[k]) / gib for k in ('bios', 'bvecs', 'requests')
                           if int(kv.get(k, -1)) >= 0}
        elif kind == 'subdio':
            times.setdefault(f'xfs{int(kv["bs"]) // 1024}k-dio us/write', []).append(
                float(kv['secs']) / int(kv['count']) * 1e6)
        elif kind == 'counts-subdio':
            n = int(kv['count'])
            counts[f'xfs{int(kv["bs"]) // 1024}k-dio'] = {
                'bios/write': int(kv['bios']) / n, 'bvecs/write': int(kv['bvecs']) / n}
        elif kind == 'unwritten':
            times.setdefault('ext4-unwritten s', []).append(float(kv['secs']))
        elif kind == 'counts-unwritten':
            n = int(kv['writes'])
            counts['ext4-unwritten'] = {'bios/write': int(kv['bios']) / n,
                                        'bvecs/write': int(kv['bvecs']) / n}
        elif kind == 'thinprov' and 'secs' in kv:
            nz = '-nozero' if kv.get('zero') == '0' else ''
            times.setdefault(f'thin-{kv["dev"]}-{kv["block_kib"]}k{nz} s/GiB', []).append(
                float(kv['secs']) / (int(kv['mib']) / 1024))
        elif kind == 'memset':
            times.setdefault('memset s/GiB', []).append(float(kv['secs']) / (int(kv['mib']) / 1024))
        elif kind == 'client':
            times.setdefault(f'{kv["name"]} s', []).append(float(kv['secs']))
        elif kind == 'kill':
            times.setdefault('kill latency ms', []).append(float(kv['secs']) * 1e3)
        elif kind == 'info':
            info = kv
    # One number per boot and measure. A run that read 0 s (below the
    # clock's resolution) would make an infinite rate: keep it out.
    per_boot = {m: statistics.median(v) for m, v in times.items() if any(x > 0 for x in v)}
    if image_kb is not None:
        info['image_kb'] = image_kb
    # A command that failed in this boot leaves fewer runs than the others:
    # its measure is not reported for this boot.
    for name in FAILED.get(path, []):
        per_boot.pop(f'{name} s', None)
    return per_boot, counts, info


def spread(vals):
    med = statistics.median(vals)
    return (max(vals) - min(vals)) / med * 100 if med else 0.0


def main():
    outdir, pairs = sys.argv[1], sys.argv[2:]
    kernels, clocks, boots = [], [], {}
    for pair in pairs:
        key, log = pair.split('=', 1)
        kernel, clock = key.split('@', 1) if '@' in key else (key, 'wall')
        kernels += [kernel] if kernel not in kernels else []
        clocks += [clock] if clock not in clocks else []
        boots.setdefault((kernel, clock), []).append((log, parse(log)))
    ref = kernels[0]

    bad = [f'{log} ({info.get("clocksource", "no clocksource line")})'
           for runs in boots.values() for log, (_, _, info) in runs
           if 'jiffies' in info.get('clocksource', 'jiffies')]
    if bad:
        print('bench: refusing to report times from a jiffies or unknown guest clocksource '
              '(4 ms steps): ' + ', '.join(bad) + '. The guest kernel needs ACPI, so that it '
              'finds the HPET and the ACPI PM timer.', file=sys.stderr)
        return 1
    empty = [log for runs in boots.values() for log, (t, _, _) in runs if not t]
    if empty:
        print(f'bench: no measurements in {", ".join(empty)}', file=sys.stderr)
        return 1

    measures = []
    for runs in boots.values():
        for _, (t, _, _) in runs:
            measures += [m for m in t if m not in measures]
    order = ('nullb0 ', 'nullb0-fz', 'nullb_4m ', 'nullb_4m-fz', 'ram0 ', 'ram0-fz', 'vda ', 'vda-fz',
             'vdb ', 'vdb-fz', 'memset', 'blkdiscard', 'mkfs.ext4', 'mkfs.xfs', 'ext4-unwritten', 'xfs16k',
             'xfs64k', 'thin-nullb0', 'thin-vda', 'kill')
    measures.sort(key=lambda m: next((i for i, p in enumerate(order) if m.startswith(p)), len(order)))

    fig = {}	# (measure, kernel, clock) -> (median, spread, boots, min, max)
    for (kernel, clock), runs in boots.items():
        for m in measures:
            vals = [t[m] for _, (t, _, _) in runs if m in t]
            if vals:
                fig[m, kernel, clock] = (statistics.median(vals), spread(vals), len(vals),
                                         min(vals), max(vals))

    out = [TCG, '']
    out.append('<dev>: BLKZEROOUT (killable); <dev>-fz: fallocate(FALLOC_FL_ZERO_RANGE) '
               '(not killable); in v5 both send bios of at most 1 MiB.')
    out.append('nullb0: null_blk, no backing store, 127.5 KiB requests; nullb_4m: the same '
               'with 4 MiB requests; ram0: brd; vda: virtio-blk, write-zeroes=off (the zeroout '
               'fallback); vdb: virtio-blk, write-zeroes=on (offloaded: must not change).')
    out.append('thin-<dev>-<block>: dm-thin provisioning, one 4 KiB O_DIRECT write into each '
               'block of a fresh thin volume (the pool zeroes the block first, through dm-kcopyd), '
               'data on <dev>, per GiB of thin volume.')
    out.append('Cost: lower is better. Each cell: median over boots, [spread = (max-min)/median '
               'over boots], ratio to ' + ref + ' under the same clock.')
    csv = ['measure,clock,kernel,median,spread_pct,boots,ratio_to_' + ref]
    for clock in clocks:
        nb = max(f[2] for (m, k, c), f in fig.items() if c == clock)
        out.append('')
        out.append(f'clock: {clock}' + (' (guest time = instructions executed: noise-free cost)'
                                          if clock == 'icount' else ' (host time: moves with host load)')
                   + f', up to {nb} boots per kernel')
        out.append(f'{"measure":26}' + ''.join(f'{k:>27}' for k in kernels))
        for m in measures:
            cells = []
            r = fig.get((m, ref, clock))
            for k in kernels:
                f = fig.get((m, k, clock))
                if not f:
                    cells.append(f'{"-":>27}')
                    continue
                ratio = f[0] / r[0] if r and r[0] else float('nan')
                cells.append(f'{f[0]:10.4g} [{f[1]:4.1f}%] {ratio:5.2f}x'.rjust(27))
                csv.append(f'{m},{clock},{k},{f[0]:.6g},{f[1]:.2f},{f[2]},{ratio:.4f}')
            out.append(f'{m:26}' + ''.join(cells))

    out.append('')
    out.append('Counts (per GiB zeroed, or per sub-block write); the same under every clock:')
    counts = {}
    for (kernel, _), runs in boots.items():
        for _, (_, c, _) in runs:
            for dev, v in c.items():
                counts.setdefault((dev, kernel), v)
    for dev in sorted({d for d, _ in counts}):
        row = []
        for k in kernels:
            v = counts.get((dev, k))
            if v:
                row.append(f'{k} ' + ' '.join(f'{n}={x:.0f}' if x >= 10 else f'{n}={x:.2f}'
                                              for n, x in v.items()))
        out.append(f'  {dev:12} ' + '; '.join(row))

    out.append('')
    out.append('Memory and guest (MemTotal in KiB):')
    mem, image, pcpu = {}, {}, {}
    for k in kernels:
        info = next(i for (kk, _), runs in boots.items() if kk == k for _, (_, _, i) in runs)
        mem[k] = int(info.get('memtotal_kb', 0))
        image[k] = int(info.get('image_kb', 0))
        pcpu[k] = int(info.get('pcpu_pages', 0)) * 4 * int(info.get('cpus', 0))
        out.append(f'  {k:9} MemTotal {mem[k]} ({mem[k] - mem[ref]:+d} vs {ref}), kernel image '
                   f'{image[k]} ({image[k] - image[ref]:+d}), zero folio '
                   f'{info.get("zero_folio")}, clocksource {info.get("clocksource")}, '
                   f'{info.get("cpus")} vCPUs')

    # The targets, each judged on the noise-free clock when the measure was
    # taken under it, else on wall time.
    def clock_of(m):
        return 'icount' if (m, ref, 'icount') in fig else 'wall' if (m, ref, 'wall') in fig else clocks[0]

    out.append('')
    out.append('Targets (on the icount clock where measured, else wall; "within noise" = inside '
               'the larger spread of the two kernels):')

    def ratio(m, k):
        jc = clock_of(m)
        a, b = fig.get((m, k, jc)), fig.get((m, ref, jc))
        return (a[0] / b[0], max(a[1], b[1]) / 100) if a and b and b[0] else (None, None)

    def target(text, ok):
        out.append(f'  {"met   " if ok else "MISSED"} {text}')

    y = 'static-y' if 'static-y' in kernels else kernels[-1]
    for m in ('nullb0-fz s/GiB', 'nullb_4m-fz s/GiB'):
        r, _ = ratio(m, y)
        if r is not None:
            target(f'{m.split()[0]}: {y} cost <= 0.4x {ref}: {r:.2f}x', r <= 0.4)
    for dev in ('nullb0-fz', 'nullb_4m-fz', 'vda-fz'):
        c = counts.get((dev, y))
        if c:
            target(f'{dev}: {y} bios of at most 1 MiB and 256 KiB bio_vecs (<= 4096/GiB): '
                   f'{c["bios"]:.0f} bios, {c["bvecs"]:.0f} bio_vecs per GiB',
                   c['bios'] >= 1024 and c['bvecs'] <= 4096)
    r, n = ratio('kill latency ms', y)
    if r is not None:
        target(f'kill latency: {y} <= {ref} within noise: {r:.2f}x (noise {n * 100:.0f}%)', r <= 1 + n)
    for m in measures:
        if m.startswith(('ram0', 'vda', 'vdb', 'blkdiscard', 'mkfs', 'ext4', 'xfs', 'thin')):
            r, n = ratio(m, y)
            if r is not None:
                target(f'{m} ({clock_of(m)}): {y} never slower than {ref}: {r:.2f}x of its cost '
                   f'(noise {n * 100:.0f}%)', r <= 1 + n)
    # dm-thin: what the zeroing itself costs, provisioning with zeroing less
    # provisioning with skip_block_zeroing (medians, same clock).
    for m in measures:
        if m.startswith('thin-') and '-nozero' not in m:
            nz = m.replace(' s/GiB', '-nozero s/GiB')
            jc = clock_of(m)
            parts = {k: fig[m, k, jc][0] - fig[nz, k, jc][0] for k in kernels
                     if (m, k, jc) in fig and (nz, k, jc) in fig}
            if ref in parts and y in parts and parts[ref] > 0:
                out.append(f'  info   {m.split()[0]} zeroing part ({jc}: with zeroing less '
                           f'skip_block_zeroing): ' + ', '.join(
                               f'{k} {v:.4g} s/GiB ({v / parts[ref]:.2f}x)' for k, v in parts.items()))
    if 'static-n' in kernels:
        worst = max(((abs(ratio(m, 'static-n')[0] - 1) - ratio(m, 'static-n')[1], m)
                     for m in measures if ratio(m, 'static-n')[0] is not None), default=None)
        if worst:
            target(f'static-n within noise of {ref} on every measure (worst: {worst[1]}, '
                   f'{ratio(worst[1], "static-n")[0]:.2f}x)', worst[0] <= 0)
    if 'static-n' in mem and y in mem:
        # The folio counts as memory in use (like a buddy-allocated one), so
        # MemTotal differs only by the kernel images' sizes, not by the
        # folio's 2048 KiB; the Memory: line rounds each part to 1 KiB.
        # The =y test kernel has modules (percpu's module reserve) and
        # the =n one not: that difference is the configs', not the folio's.
        d, img = mem['static-n'] - mem[y], image[y] - image['static-n']
        pc = pcpu[y] - pcpu['static-n']
        target(f'MemTotal: static-n - {y} = {d} KiB, the kernel image difference ({img} KiB) '
               f'and the first percpu chunk\'s ({pc} KiB, module reserve), not the folio\'s '
               '2048 KiB: the folio is counted as memory in use', abs(d - img - pc) <= 8)

    if FAILED:
        out.append('')
        out.append('Guest commands that failed (that measure is left out for that boot; see the console logs):')
        for log, names in FAILED.items():
            out.append(f'  {log}: ' + ', '.join(f'{n} x{names.count(n)}' for n in dict.fromkeys(names)))

    # Chart data: per measure, for every kernel the ratio of its median cost
    # to the reference's median, and of its fastest and slowest boot (the
    # chart's error bars: the spread over boots the median hides).
    dat = ['measure ' + ' '.join(f'{k} {k}_min {k}_max' for k in kernels)]
    for m in measures:
        if all(ratio(m, k)[0] is not None for k in kernels):
            tag = '' if len(clocks) == 1 else f'({clock_of(m)[0]})'
            base_med = fig[m, ref, clock_of(m)][0]
            cells = []
            for k in kernels:
                f = fig[m, k, clock_of(m)]
                cells.append(f'{f[0] / base_med:.4f} {f[3] / base_med:.4f} {f[4] / base_med:.4f}')
            dat.append(m.split()[0] + tag + ' ' + ' '.join(cells))
    text = '\n'.join(out) + '\n'
    open(f'{outdir}/bench.txt', 'w').write(text)
    open(f'{outdir}/bench.csv', 'w').write('\n'.join(csv) + '\n')
    open(f'{outdir}/bench.dat', 'w').write('\n'.join(dat) + '\n')
    print(text, end='')
    return 0


if __name__ == '__main__':
    sys.exit(main())
