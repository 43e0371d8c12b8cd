#!/usr/bin/env python3
"""Results of the communities' suites (fstests, blktests) per kernel.

  peers_report.py fstests RUNDIR        fstests' xunit reports -> TSV
  peers_report.py blktests RUNDIR       blktests' results dir -> TSV
  peers_report.py compare --baseline TSV [--write-baseline F]
                         [--crashed NAME=WHY]... NAME=TSV...

A TSV row is: section, test, status (pass/fail/notrun), seconds, reason.
compare prints one table per section (test x kernel), the reasons of the
notruns and failures, and ends with "N passed, N failed": a
series kernel's result counts as failed when the test fails (or did not run)
where the baseline (the unpatched base) passed it; a test that fails on
the base too is listed as known and counted as skipped. A kernel that
panicked or hung (--crashed) counts as one more failure. A run in which
no test ran (passed or failed), or a kernel that did not crash has no
result at all, is an error: a last line says so and the exit status is 2.
"""
import argparse
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET


def fstests_rows(run):
    rows = []
    for xml in sorted(glob.glob(os.path.join(run, "results", "*", "result.xml"))):
        section = os.path.basename(os.path.dirname(xml))
        try:
            root = ET.parse(xml).getroot()
        except ET.ParseError as e:
            sys.exit(f"error: {xml}: {e} (did ./check finish the section?)")
        for tc in root.iter("testcase"):
            status, reason = "pass", ""
            for child in tc:
                if child.tag == "skipped":
                    status, reason = "notrun", child.get("message", "")
                elif child.tag in ("failure", "error"):
                    status, reason = "fail", child.get("message", "") or child.tag
            rows.append((section, tc.get("name"), status, tc.get("time", ""), reason))
    return rows


def blktests_reasons(run):
    """The reasons blktests prints under a "[not run]" line (not in its files)."""
    reasons, key = {}, None
    try:
        lines = open(os.path.join(run, "job.log"), errors="replace").read().splitlines()
    except OSError:
        return reasons
    for line in lines:
        m = re.match(r"^(\S+/\d+)(?: => (\S+))? \(.*\)\s+\[not run\]$", line)
        if m:
            key = (m.group(2) or "nodev", m.group(1))
            reasons[key] = []
        elif key and line.startswith("    runtime"):
            continue
        elif key and line.startswith("    "):
            reasons[key].append(line.strip())
        else:
            key = None
    return {k: "; ".join(v) for k, v in reasons.items()}


def blktests_rows(run):
    """blktests writes results/<dev or nodev>/<group>/<test> as key\\tvalue."""
    why = blktests_reasons(run)
    rows = []
    for path in sorted(glob.glob(os.path.join(run, "results", "*", "*", "*"))):
        if not os.path.isfile(path) or "." in os.path.basename(path):
            continue
        fields = {}
        with open(path, errors="replace") as f:
            for line in f:
                key, _, val = line.rstrip("\n").partition("\t")
                fields[key] = val
        if "status" not in fields:
            continue
        parts = path.split(os.sep)
        dev, test = parts[-3], parts[-2] + "/" + parts[-1]
        status = {"pass": "pass", "fail": "fail", "not run": "notrun"}.get(
            fields["status"], "fail")
        reason = fields.get("reason", "") or why.get((dev, test), "")
        if status == "fail":
            reason = f"{reason or 'failed'}: see {os.path.relpath(path, run)}.out.bad"
        rows.append((dev, test, status, fields.get("runtime", "").split("s")[0], reason))
    return rows


def read_tsv(path):
    rows = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            p = line.rstrip("\n").split("\t")
            p += [""] * (5 - len(p))
            rows[(p[0], p[1])] = (p[2], p[3], p[4])
    return rows


def compare(args):
    base = read_tsv(args.baseline) if args.baseline and os.path.exists(args.baseline) else {}
    kernels, where = [], {}
    for spec in args.kernels:
        name, _, path = spec.partition("=")
        kernels.append((name, read_tsv(path)))
        where[name] = os.path.dirname(path) or "."
    crashed = dict(c.partition("=")[::2] for c in args.crashed)
    fresh = [rows for name, rows in kernels if name == "base"]
    if fresh:   # the base ran in this run: it is the baseline
        base = fresh[0]
    keys = sorted(set(base) | {k for _, r in kernels for k in r},
                  key=lambda k: (k[0], k[1]))
    if args.tests:  # a narrowed run: only those tests (or groups) count
        only = args.tests.split()
        keys = [k for k in keys if any(k[1] == t or k[1].startswith(t + "/") for t in only)]
    if args.sections:  # and only those sections
        keys = [k for k in keys if k[0] in args.sections.split()]
    sections = []
    for s, _ in keys:
        if s not in sections:
            sections.append(s)
    stored = bool(base) and not fresh
    cols = (["baseline"] if stored else []) + [n for n, _ in kernels]
    short = {"pass": "pass", "fail": "FAIL", "notrun": "notrun", None: "-"}
    npass = nfail = nskip = 0
    notes = []
    for name, _ in kernels:
        if name in crashed:
            nfail += 1
            notes.append(f"{name}: FAILED: the kernel {crashed[name] or 'crashed'}"
                         f" (see {where[name]}/console.log)")
    for s in sections:
        print(f"\n  section {s}")
        print("    %-14s" % "test" + "".join("%-10s" % c for c in cols))
        for sec, test in keys:
            if sec != s:
                continue
            b = base.get((sec, test))
            cells = [short[b[0] if b else None]] if stored else []
            for name, rows in kernels:
                r = rows.get((sec, test))
                st = r[0] if r else None
                cells.append(short[st] + ("(*)" if st == "fail" and b and b[0] != "pass" else ""))
                if name == "base":
                    if st == "fail":
                        notes.append(f"{s} {test} base: fails on the unpatched base: {r[2]}")
                    continue
                if st == "pass":
                    npass += 1
                elif st is None:
                    if b and b[0] == "pass":
                        nfail += 1
                        notes.append(f"{s} {test} {name}: FAILED: no result (passes on base)")
                elif st == "notrun":
                    if b and b[0] == "pass":
                        nfail += 1
                        notes.append(f"{s} {test} {name}: FAILED: not run here ({r[2]}), passes on base")
                    else:
                        nskip += 1
                        notes.append(f"{s} {test} {name}: not run: {r[2]}")
                elif b and b[0] != "pass":
                    nskip += 1
                    notes.append(f"{s} {test} {name}: fails on base too (known): {r[2]}")
                else:
                    nfail += 1
                    notes.append(f"{s} {test} {name}: FAILED: {r[2]}")
            print("    %-14s" % test + "".join("%-10s" % c for c in cells))
    if notes:
        print("\n  notes (a notrun is a skip; (*) = fails on the base too):")
        seen = set()
        for n in notes:
            if n not in seen:
                seen.add(n)
                print("   ", n)
    # Did the tests run? Counted over the rows this run reports (keys).
    errors, ran = [], 0
    for name, rows in kernels:
        mine = [rows[k][0] for k in keys if k in rows]
        ran += sum(st in ("pass", "fail") for st in mine)
        if not mine and name not in crashed:
            errors.append(f"error: no test ran on {name}: no result at all"
                          f" (see {where[name]}/console.log)")
    if not ran and not crashed and not errors:
        errors.append("error: no test ran: every result is notrun")
    if args.write_baseline:
        for name, rows in kernels:
            if name == "base" and (name in crashed or not rows):
                print(f"\n  baseline NOT written: the base {crashed.get(name) or 'has no result'}")
            elif name == "base":
                if args.merge and os.path.exists(args.write_baseline):
                    # a narrowed run replaces only the rows it ran
                    rows = {**read_tsv(args.write_baseline), **rows}
                with open(args.write_baseline, "w") as f:
                    f.write(args.header)
                    for (sec, test), (st, secs, why) in sorted(rows.items()):
                        f.write("\t".join((sec, test, st, secs, why)) + "\n")
                print(f"\n  baseline written: {args.write_baseline}")
    print(f"\n({nskip} skipped: each says why above)" if nskip else "")
    print(f"{npass} passed, {nfail} failed")
    for e in errors:    # last, so that a run with errors never ends with the count
        print(e)
    return 2 if errors else 1 if nfail else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("fstests", "blktests"):
        p = sub.add_parser(name)
        p.add_argument("run")
    p = sub.add_parser("compare")
    p.add_argument("--baseline")
    p.add_argument("--write-baseline")
    p.add_argument("--header", default="")
    p.add_argument("--tests", help="the tests or groups run (TESTS=), if not all")
    p.add_argument("--sections", help="the sections run (FSTESTS_SECTIONS=), if not all")
    p.add_argument("--merge", action="store_true",
                   help="update only the baseline rows of this run")
    p.add_argument("--crashed", action="append", default=[], metavar="NAME=WHY",
                   help="that kernel panicked or hung (a failure)")
    p.add_argument("kernels", nargs="+", metavar="NAME=TSV")
    args = ap.parse_args()
    if args.cmd == "compare":
        return compare(args)
    rows = fstests_rows(args.run) if args.cmd == "fstests" else blktests_rows(args.run)
    for r in rows:
        print("\t".join(x.replace("\t", " ").replace("\n", " ") for x in r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
