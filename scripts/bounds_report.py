#!/usr/bin/env python3
"""The table of `make bench-bounds`.

  bounds_report.py BASE_LOG[,BASE_LOG...] N_LOG[,N_LOG...] BOUNDS_LOG

Both logs hold the BENCH lines of guest/bounds.sh, one block per
"BENCH kind=bound bound=BIO_KB:VEC_KB" line (the base: bound=base). Per
block: median seconds of the BLKZEROOUT on null_blk and of the fallocate
on brd, as ratios to the base's (icount: instructions, not host time),
bios and bio_vecs per GiB (the counted run), the median kill latency and
the median worst scheduling delay next to a non-killable zeroout on brd.
"""
import re
import statistics
import sys


def blocks(paths):
    out, cur = {}, None
    lines = []
    for path in paths.split(','):
        lines += open(path, errors='replace').readlines()
    for line in lines:
        if not line.startswith('BENCH '):
            continue
        kv = dict(re.findall(r'(\w+)=(\S+)', line))
        kind = kv.get('kind')
        if kind == 'bound':
            cur = out.setdefault(kv['bound'], {})
            continue
        if cur is None:
            continue
        key = (kind, kv.get('dev', ''))
        cur.setdefault(key, []).append(kv)
    return out


def med(b, kind, dev, field, scale=1.0):
    vals = [float(kv[field]) * scale for kv in b.get((kind, dev), []) if field in kv]
    return statistics.median(vals) if vals else None


def main():
    base = blocks(sys.argv[1]).get('base', {})
    nrow = blocks(sys.argv[2]).get('base', {})
    rows = blocks(sys.argv[3])
    bz = med(base, 'zeroout', 'nullb0', 'secs')
    bf = med(base, 'fzero', 'ram0', 'secs')
    hdr = (f'{"bio bound":>9} {"bio_vec":>8} {"null_blk":>9} {"brd":>6} '
           f'{"bios/GiB":>9} {"bvecs/GiB":>10} {"kill ms":>8} {"sched ms":>9}')
    print('cost: median time of the zeroout under icount (instructions), ratio to base;')
    print('null_blk: BLKZEROOUT, no backing store; brd: fallocate(ZERO_RANGE), copies')
    print('every page; kill: SIGKILL to exit of a BLKZEROOUT on a 64 MiB/s null_blk;')
    print('sched: worst wake-up delay of a task sharing the CPU with non-killable')
    print('zeroouts of brd (no preemption). Medians over the repetitions.')
    print(hdr)

    def row(name, vec, b, ratio=True):
        z = med(b, 'zeroout', 'nullb0', 'secs')
        f = med(b, 'fzero', 'ram0', 'secs')
        counts = b.get(('counts', 'nullb0'), [{}])[-1]
        gib = float(counts.get('mib', 1024)) / 1024
        bios = int(counts.get('bios', 0)) / gib if counts else 0
        vecs = int(counts.get('bvecs', 0)) / gib if counts else 0
        kill = med(b, 'kill', 'nullb_kill', 'secs', 1e3)
        sched = med(b, 'schedlat', '/dev/ram0', 'max_us', 1e-3)
        fmt = lambda v, d: f'{v:.{d}f}' if v is not None else '-'
        zr = z / bz if (z and bz and ratio) else (1.0 if z else None)
        fr = f / bf if (f and bf and ratio) else (1.0 if f else None)
        print(f'{name:>9} {vec:>8} {fmt(zr, 2):>9} {fmt(fr, 2):>6} {bios:9.0f} {vecs:10.0f} '
              f'{fmt(kill, 1):>8} {fmt(sched, 1):>9}')

    if bz and bf:
        print(f'# base: null_blk {bz:.4f} s, brd {bf:.4f} s per {base.get(("zeroout", "nullb0"), [{}])[0].get("mib", "?")} MiB')
    row('base', '4K', base, ratio=False)
    row('=n', '4K', nrow)
    # The spread of the base's own runs, for judging =n.
    for dev, kind in (('nullb0', 'zeroout'), ('ram0', 'fzero')):
        vals = [float(kv['secs']) for kv in base.get((kind, dev), [])]
        nv = [float(kv['secs']) for kv in nrow.get((kind, dev), [])]
        if vals and nv:
            m = statistics.median(vals)
            print(f'# {dev} {kind}: base runs {min(vals) / m:.4f}-{max(vals) / m:.4f} of their median, '
                  f'=n runs {min(nv) / m:.4f}-{max(nv) / m:.4f} ({len(vals)} and {len(nv)} runs)')
    for name, b in rows.items():
        bio, vec = name.split(':')
        kib = lambda k: f'{int(k) // 1024}M' if int(k) >= 1024 else f'{k}K'
        row(kib(bio), kib(vec), b)


if __name__ == '__main__':
    main()
