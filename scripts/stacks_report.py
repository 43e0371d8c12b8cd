#!/usr/bin/env python3
"""The stacks matrix: one row per block stack, base vs =y.

  stacks_report.py LABEL=LOG ...

Reads the PMDZ-STACK, PMDZ-RATE and row-time lines that guest/stacks.sh
prints and prints a table: for each kernel, the row's result, the largest
bio queued on the top device and below it (KiB; bios under 128 KiB are not
traced), the seconds the row took; for the io.max row also the most bytes
written in 100 ms against the limit.
"""
import re
import sys


def rows_of(path):
    log = open(path, errors='replace').read().replace('\r', '')
    rows = {}
    for m in re.finditer(r'^PMDZ-STACK (.*)$', log, re.M):
        kv = dict(x.split('=', 1) for x in m.group(1).split())
        rows[kv['row']] = kv
    for m in re.finditer(r'^# (\S+): (\d+) s$', log, re.M):
        rows.setdefault(m.group(1), {'row': m.group(1), 'result': 'no result'})['secs'] = m.group(2)
    for m in re.finditer(r'^PMDZ-RATE (.*)$', log, re.M):
        kv = dict(x.split('=', 1) for x in m.group(1).split())
        r = rows.setdefault('throttle', {'row': 'throttle', 'result': 'no result'})
        r['rate'] = '%.1f/%.1f MiB per 100 ms' % (float(kv['max100ms']) / 2**20,
                                                  float(kv['limit']) / 10 / 2**20)
    return rows


def main():
    kernels = [a.split('=', 1) for a in sys.argv[1:]]
    data = [(label, rows_of(path)) for label, path in kernels]
    names = []
    for _, rows in data:
        names += [n for n in rows if n not in names]
    head = f"{'row':12} {'wz':>4}" + ''.join(
        f" | {label + ': result':>16} {'above':>6} {'below':>6} {'s':>4}" for label, _ in data)
    print(head)
    print('-' * len(head))
    for n in names:
        line = f"{n:12} {next((r[n].get('wz', '?') for _, r in data if n in r), '?'):>4}"
        for _, rows in data:
            r = rows.get(n, {})
            line += (f" | {r.get('result', 'not run'):>16} {r.get('above_kib', '-'):>6}"
                     f" {r.get('below_kib', '-'):>6} {r.get('secs', '-'):>4}")
        print(line)
        for label, rows in data:
            if 'rate' in rows.get(n, {}):
                print(f"{'':17}{label}: {rows[n]['rate']}")
    print('(above/below: largest bio in KiB queued on the top device / on the devices'
          ' under it, bios of 128 KiB and more traced; wz: write_zeroes_max_bytes of the top device)')


if __name__ == '__main__':
    main()
