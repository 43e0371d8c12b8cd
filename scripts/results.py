#!/usr/bin/env python3
"""Turn one guest console log into test results.

  results.py LOG --variant NAME --tree KERNEL_TREE [--static yes|no]

Counts every KUnit case (parsed by the kernel's own tools/testing/kunit
parser), every TAP case of the in-guest sections (kselftest and scripts), and two log checks: the
boot line about the static zero folio is there exactly when expected, and
the kernel printed no BUG, WARNING, KASAN, lockdep report or Oops.
Prints one line per result and a final 'passed failed skipped' triple.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile

BAD = re.compile(r'(BUG:|WARNING:|Oops|Kernel panic|KASAN:|KFENCE:|'
                 r'possible circular locking|inconsistent lock state|'
                 r'suspicious RCU usage|general protection fault|UBSAN:)')


def kunit_cases(log, tree, report):
    """(name, status) of every KUnit case, via kunit.py parse --json."""
    head = log.split('PMDZ-INIT', 1)[0]
    if 'KTAP version' not in head:
        return None
    with tempfile.NamedTemporaryFile('w', suffix='.log') as src, \
         tempfile.NamedTemporaryFile('r', suffix='.json') as out:
        src.write(head)
        src.flush()
        # kunit.py's own summary goes next to the console log.
        with open(report, 'w') as rep:
            subprocess.run([sys.executable, f'{tree}/tools/testing/kunit/kunit.py',
                            'parse', f'--json={out.name}', src.name],
                           stdout=rep, stderr=subprocess.STDOUT)
        try:
            data = json.load(open(out.name))
        except ValueError:
            return None
    cases = []

    def walk(group, prefix):
        for sub in group.get('sub_groups', []):
            walk(sub, f"{prefix}{sub['name']}.")
        for case in group.get('test_cases', []):
            cases.append((prefix + case['name'], case['status']))
    walk(data, '')
    return cases


def section_cases(log, name):
    """(name, status) of every TAP result between the section's markers."""
    m = re.search(rf'^PMDZ-BEGIN {name}\n(.*?)^PMDZ-END {name} rc=(\d+)', log, re.S | re.M)
    if not m:
        return None, None
    cases = []
    for line in m.group(1).splitlines():
        r = re.match(r'^(not ok|ok) \d+ (?:- )?(.*?)(\s+#\s*(SKIP|TODO)\s*(.*))?$', line, re.I)
        if not r:
            continue
        status = 'PASS' if r.group(1) == 'ok' else 'FAIL'
        if r.group(4) and r.group(4).upper() == 'SKIP':
            status = 'SKIP'
        cases.append((r.group(2), status, r.group(5) or ''))
    return cases, int(m.group(2))


def skip_reasons(log):
    """KTAP skip reasons by case name ('ok N name # SKIP reason')."""
    return dict(re.findall(r'\bok \d+ (\S+) # SKIP (.*)', log))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('log')
    ap.add_argument('--variant', required=True)
    ap.add_argument('--tree', required=True)
    ap.add_argument('--static', choices=['yes', 'no', 'absent'])
    ap.add_argument('--no-kunit', action='store_true',
                    help='the log has no KUnit suite of the series (a base kernel)')
    ap.add_argument('--sections', default='',
                    help='comma-separated TAP sections the log must have')
    a = ap.parse_args()
    log = open(a.log, errors='replace').read().replace('\r', '')
    res = []

    kunit = [] if a.no_kunit else kunit_cases(log, a.tree, a.log + '.kunit.txt')
    if a.no_kunit:
        pass
    elif kunit is None or not kunit:
        res.append(('kunit: results present', 'FAIL', 'no KUnit output in the log'))
    else:
        why = skip_reasons(log)
        res += [(f'kunit: {n}', s, why.get(n.split('.')[-1], '') if s == 'SKIP' else '')
                for n, s in kunit]

    for sec in filter(None, a.sections.split(',')):
        cases, rc = section_cases(log, sec)
        if cases is None:
            res.append((f'{sec}: results present', 'FAIL', f'no {sec} section in the log'))
            continue
        res += [(f'{sec}: {n}', s, why) for n, s, why in cases]
        if not cases:
            res.append((f'{sec}: results present', 'FAIL', f'no test ran (rc {rc})'))
        elif rc != 0 and all(s != 'FAIL' for _, s, _ in cases):
            res.append((f'{sec}: exit status', 'FAIL', f'exited {rc}'))

    if a.static:
        line = re.search(r'static PMD zero folio: .*', log)
        in_use = bool(line and 'in use' in line.group(0))
        want = a.static == 'yes'
        ok = in_use == want
        why = line.group(0) if line else 'no boot line about the static zero folio'
        res.append(('boot: log says the static zero folio is ' +
                    ('in use' if want else 'not in use'),
                    'PASS' if ok else 'FAIL', '' if ok else why))

    # The console shows only urgent messages once /init runs; the guest
    # prints the whole kernel log at its end (PMDZ-KLOG-BEGIN/END), and a
    # guest that reaches its end without that copy cannot be judged.
    bad = [l for l in log.splitlines() if BAD.search(l)]
    # The kdump row crashes its first kernel on purpose (sysrq c) after
    # saying so (PMDZ-KDUMP): that one panic line is expected.
    if 'PMDZ-KDUMP' in log:
        expected = [l for l in bad if 'Kernel panic - not syncing: sysrq triggered crash' in l][:1]
        bad = [l for l in bad if l not in expected]
    if 'PMDZ-INIT' in log and 'PMDZ-DONE' in log and 'PMDZ-KLOG-END' not in log:
        bad = bad or ['no copy of the kernel log at the end of the guest (PMDZ-KLOG)']
    res.append(('boot: kernel log has no BUG/WARNING/KASAN/lockdep/Oops',
                'FAIL' if bad else 'PASS', bad[0].strip() if bad else ''))

    for name, status, why in res:
        print(f'  {status:4} {a.variant}: {name}' + (f'  ({why})' if why else ''))
    p = sum(s == 'PASS' for _, s, _ in res)
    f = sum(s == 'FAIL' for _, s, _ in res)
    s = sum(s == 'SKIP' for _, s, _ in res)
    print(f'COUNTS {p} {f} {s}')


if __name__ == '__main__':
    main()
