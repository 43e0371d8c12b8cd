#!/usr/bin/env python3
"""Kill latency of BLKZEROOUT, as ratios to the unpatched base.

  kill_latency.py BASE_LOG LOG...

Each log holds "BENCH kind=kill ... secs=S" lines from `zbench kill` (the
time from SIGKILL to exit of a BLKZEROOUT on a bandwidth-limited null_blk).
Prints a table (median, min, max per kernel) and one line per kernel,
"RESULT|PASS|name|why" or "RESULT|FAIL|...", for the harness: a kernel
passes when its median is at most LIMIT times the base's median.
"""
import os
import re
import statistics
import sys

LIMIT = float(os.environ.get('KILL_LATENCY_LIMIT', '1.5'))


def times(path):
    """The kill times of a log; None if it has none to trust."""
    try:
        text = open(path, errors='replace').read()
    except OSError:
        return None
    m = re.search(r'(?:PMDZ-CLOCK|BENCH kind=info).* clocksource=(\S+)', text)
    if m and 'jiffies' in m.group(1):
        print(f'RESULT|FAIL|kill latency: {label(path)} guest has a fine clock|'
              f'clocksource {m.group(1)} moves in 4 ms steps')
        return []
    return [float(m.group(1)) for m in
            re.finditer(r'BENCH kind=kill .*secs=([0-9.]+)', text)]


def label(path):
    m = re.match(r'boot-(.*)-(check|kill|bench)\.log$', os.path.basename(path))
    return m.group(1) if m else os.path.basename(path)


def main():
    base_log, logs = sys.argv[1], sys.argv[2:]
    base = times(base_log)
    print(f'{"kernel":18} {"runs":>4} {"median ms":>10} {"min":>8} {"max":>8} {"vs base":>8}')
    if not base:
        print(f'RESULT|FAIL|kill latency: base measured|no kill lines in {base_log}')
        return
    bmed = statistics.median(base)
    print(f'{"base":18} {len(base):4} {bmed * 1e3:10.1f} {min(base) * 1e3:8.1f} '
          f'{max(base) * 1e3:8.1f} {1:8.2f}')
    for path in logs:
        name = label(path)
        t = times(path)
        if t is None:
            continue
        test = f'kill latency: {name} within {LIMIT}x of base'
        if not t:
            print(f'RESULT|FAIL|{test}|no kill lines in {path}')
            continue
        med = statistics.median(t)
        ratio = med / bmed
        print(f'{name:18} {len(t):4} {med * 1e3:10.1f} {min(t) * 1e3:8.1f} '
              f'{max(t) * 1e3:8.1f} {ratio:8.2f}')
        ok = ratio <= LIMIT
        print(f'RESULT|{"PASS" if ok else "FAIL"}|{test}|'
              f'median {med * 1e3:.1f} ms vs base {bmed * 1e3:.1f} ms: {ratio:.2f}x')


if __name__ == '__main__':
    main()
