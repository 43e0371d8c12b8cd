#!/usr/bin/env python3
"""Summarise the BENCH lines of `make bench` console logs.

  bench_report.py OUTDIR LABEL=LOG [LABEL=LOG ...]

The first LABEL is the reference (the unpatched base); logs with the same
LABEL (several boots of one kernel) are merged. Writes OUTDIR/bench.txt
(the table, also printed), OUTDIR/bench.csv and OUTDIR/bench.dat for the chart.
Exits 1 if a log lacks the measurements.
"""
import re
import statistics
import sys

TCG = ('QEMU TCG (software CPU emulation, no cache model): times are relative; '
       'use the counts for what real caches would do.')


def parse(path):
    runs = {'zeroout': {}, 'counts': {}, 'memset': [], 'client': {}, 'info': {}, 'kill': []}
    for line in open(path, errors='replace'):
        if not line.startswith('BENCH '):
            continue
        kv = dict(re.findall(r'(\w+)=(\S+)', line))
        kind = kv.pop('kind')
        # fallocate(FALLOC_FL_ZERO_RANGE) is not killable and gets the
        # large bios: a row of its own, "<dev>-fz".
        if kind in ('fzero', 'counts-fzero'):
            kv['dev'] += '-fz'
            kind = kind.replace('counts-fzero', 'counts').replace('fzero', 'zeroout')
        if kind == 'kill':
            runs['kill'].append(float(kv['secs']))
        elif kind == 'zeroout':
            runs['zeroout'].setdefault(kv['dev'], []).append(
                (int(kv['mib']), float(kv['secs']), float(kv['stime'])))
        elif kind == 'counts':
            runs['counts'][kv['dev']] = {k: int(v) for k, v in kv.items() if k != 'dev'}
        elif kind == 'memset':
            runs['memset'].append((int(kv['mib']), float(kv['secs'])))
        elif kind == 'client':
            runs['client'].setdefault(kv['name'], []).append(float(kv['secs']))
        elif kind == 'info':
            runs['info'] = kv
    return runs


def fmt_ratio(x, ref):
    return f'{x / ref:5.2f}x' if ref else '   n/a'


def main():
    outdir, pairs = sys.argv[1], sys.argv[2:]
    labels, data = [], {}
    for pair in pairs:
        label, log = pair.split('=', 1)
        runs = parse(log)
        if label not in data:
            labels.append(label)
            data[label] = runs
            continue
        # More than one boot of the same kernel: merge their measurements.
        d = data[label]
        for k in ('zeroout', 'counts', 'client'):
            for key, v in runs[k].items():
                if isinstance(v, list):
                    d[k].setdefault(key, []).extend(v)
                else:
                    d[k][key] = v
        d['memset'] += runs['memset']
        d['kill'] += runs['kill']
        d['info'] = d['info'] or runs['info']
    ref = labels[0]
    out, csv, dat = [], ['variant,device,gib_s_min,gib_s_median,stime_per_gib_median,bios_per_gib,bvecs_per_gib,requests_per_gib'], []
    missing = [l for l in labels if not data[l]['zeroout']]
    if missing:
        print(f'bench: no measurements in the log of {", ".join(missing)}', file=sys.stderr)
        return 1

    devs = sorted({d for l in labels for d in data[l]['zeroout']})
    out.append(f'Zeroout throughput (GiB/s, median of the timed runs, min in brackets) and ratio to {ref}.')
    out.append('<dev>: BLKZEROOUT (killable: bios of at most 1 MiB); <dev>-fz: fallocate(FALLOC_FL_ZERO_RANGE) (bios up to 512 MiB).')
    out.append(TCG)
    out.append(f'{"device":8} {"variant":9} {"GiB/s":>14} {"vs base":>8} {"sys s/GiB":>10} {"bios/GiB":>9} {"bvecs/GiB":>10} {"reqs/GiB":>9}')
    med, notes = {}, set()
    for dev in devs:
        for l in labels:
            runs = data[l]['zeroout'].get(dev)
            if not runs:
                continue
            gib = runs[0][0] / 1024
            # A run shorter than one tick of a coarse guest clock reads 0 s.
            rates = [gib / s for _, s, _ in runs if s > 0]
            if len(rates) < len(runs):
                notes.add(f'{dev} {l}: {len(runs) - len(rates)} runs read 0 s '
                          '(below the guest clock resolution) and were dropped')
            rates = rates or [float('nan')]
            stimes = [st / gib for _, _, st in runs]
            med[l, dev] = statistics.median(rates)
            c = data[l]['counts'].get(dev, {})
            per = lambda k: c.get(k, -1) / gib if c.get(k, -1) >= 0 else float('nan')
            out.append(f'{dev:8} {l:9} {med[l, dev]:7.3f} ({min(rates):5.3f}) '
                       f'{fmt_ratio(med[l, dev], med.get((ref, dev), 0)):>8} '
                       f'{statistics.median(stimes):10.3f} {per("bios"):9.0f} {per("bvecs"):10.0f} {per("requests"):9.0f}')
            csv.append(f'{l},{dev},{min(rates):.4f},{med[l, dev]:.4f},{statistics.median(stimes):.4f},'
                       f'{per("bios"):.0f},{per("bvecs"):.0f},{per("requests"):.0f}')
    out += sorted(notes)
    out.append('')
    for l in labels:
        ms = data[l]['memset']
        if ms:
            m = statistics.median(ms[0][0] / 1024 / s for _, s in ms)
            out.append(f'memset bandwidth in the {l} guest: {m:.3f} GiB/s (the ceiling for RAM-backed devices)')
            if (l, 'ram0') in med:
                out.append(f'  brd zeroout / memset in {l}: {med[l, "ram0"] / m:.2f}')
    out.append('')
    out.append('Real clients on virtio-blk (write-zeroes=off), seconds, median:')
    for name in sorted({n for l in labels for n in data[l]['client']}):
        base_t = statistics.median(data[ref]['client'].get(name, [0])) or 0
        row = []
        for l in labels:
            t = data[l]['client'].get(name)
            if t:
                row.append(f'{l} {statistics.median(t):.2f}s ({fmt_ratio(base_t, statistics.median(t)).strip()} speed)')
        out.append(f'  {name}: ' + ', '.join(row))
    out.append('')
    out.append('Kill latency: SIGKILL to exit of a 4 GiB BLKZEROOUT on a 64 MiB/s null_blk, ms:')
    kb = statistics.median(data[ref]['kill']) if data[ref]['kill'] else 0
    for l in labels:
        k = data[l]['kill']
        if k:
            out.append(f'  {l:9} median {statistics.median(k) * 1e3:7.1f} (min {min(k) * 1e3:.1f}, '
                       f'max {max(k) * 1e3:.1f}, {len(k)} kills) {fmt_ratio(statistics.median(k), kb)} of {ref}')
    out.append('')
    out.append('Memory and boot (MemTotal in KiB; boot = uptime when /init starts, TCG):')
    mem = {l: int(data[l]['info'].get('memtotal_kb', 0)) for l in labels}
    for l in labels:
        i = data[l]['info']
        out.append(f'  {l:9} MemTotal {mem[l]} KiB ({mem[l] - mem[ref]:+d} vs {ref}), '
                   f'boot {float(i.get("uptime_at_init", 0)):.2f}s, zero folio size {i.get("zero_folio")}')
    if 'static-y' in mem and 'static-n' in mem:
        out.append(f'  MemTotal static-n - static-y: {mem["static-n"] - mem["static-y"]} KiB '
                   '(the folio is counted in MemTotal as memory in use)')

    for dev in devs:
        dat.append(f'{dev} ' + ' '.join(f'{med.get((l, dev), 0):.4f}' for l in labels))
    text = '\n'.join(out) + '\n'
    open(f'{outdir}/bench.txt', 'w').write(text)
    open(f'{outdir}/bench.csv', 'w').write('\n'.join(csv) + '\n')
    open(f'{outdir}/bench.dat', 'w').write('device ' + ' '.join(labels) + '\n' + '\n'.join(dat) + '\n')
    print(text, end='')
    return 0


if __name__ == '__main__':
    sys.exit(main())
