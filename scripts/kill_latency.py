#!/usr/bin/env python3
"""Kill latency of BLKZEROOUT, as ratios to the unpatched base.

  kill_latency.py [--schedlat] BASE_LOG LOG...

Each log holds "BENCH kind=kill ... secs=S" lines from `zbench kill` (the
time from SIGKILL to exit of a BLKZEROOUT on a bandwidth-limited null_blk).
With --schedlat, the "BENCH kind=schedlat ... max_us=U" lines of
guest/schedlat.c instead: the worst wake-up delay of a task sharing a CPU
with a non-killable zeroout on brd (SCHEDLAT_LIMIT, default 4).
Prints a table (median, min, max per kernel) and one line per kernel,
"RESULT|PASS|name|why" or "RESULT|FAIL|...", for the harness: a kernel
passes when its median is at most LIMIT times the base's median.
"""
import os
import re
import statistics
import sys

SCHED = len(sys.argv) > 1 and sys.argv[1] == '--schedlat'
if SCHED:
    sys.argv.pop(1)
    LIMIT = float(os.environ.get('SCHEDLAT_LIMIT', '4'))
    WHAT, PATTERN, SCALE = 'scheduling delay', r'BENCH kind=schedlat .*max_us=([0-9]+)', 1e-6
else:
    LIMIT = float(os.environ.get('KILL_LATENCY_LIMIT', '1.5'))
    WHAT, PATTERN, SCALE = 'kill latency', r'BENCH kind=kill .*secs=([0-9.]+)', 1.0


def times(path):
    """The kill times of a log; None if it has none to trust."""
    try:
        text = open(path, errors='replace').read()
    except OSError:
        return None
    m = re.search(r'(?:PMDZ-CLOCK|BENCH kind=info).* clocksource=(\S+)', text)
    if m and 'jiffies' in m.group(1):
        print(f'RESULT|FAIL|{WHAT}: {label(path)} guest has a fine clock|'
              f'clocksource {m.group(1)} moves in 4 ms steps')
        return []
    return [float(m.group(1)) * SCALE for m in re.finditer(PATTERN, text)]


def label(path):
    m = re.match(r'boot-(.*)-(check|kill|bench)\.log$', os.path.basename(path))
    return m.group(1) if m else os.path.basename(path)


def main():
    base_log, logs = sys.argv[1], sys.argv[2:]
    base = times(base_log)
    print(f'{"kernel":18} {"runs":>4} {"median ms":>10} {"min":>8} {"max":>8} {"vs base":>8}')
    if not base:
        print(f'RESULT|FAIL|{WHAT}: base measured|no {WHAT} lines in {base_log}')
        return
    bmed = statistics.median(base)
    print(f'{"base":18} {len(base):4} {bmed * 1e3:10.1f} {min(base) * 1e3:8.1f} '
          f'{max(base) * 1e3:8.1f} {1:8.2f}')
    for path in logs:
        name = label(path)
        t = times(path)
        if t is None:
            continue
        test = f'{WHAT}: {name} within {LIMIT}x of base'
        if not t:
            print(f'RESULT|FAIL|{test}|no {WHAT} lines in {path}')
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
