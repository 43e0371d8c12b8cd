#!/usr/bin/env python3
"""Carry the hand-written parts of the cover letter into a fresh one.

  cover.py OLD NEW

NEW is git format-patch's cover letter with *** SUBJECT HERE *** and
*** BLURB HERE ***; OLD is the previous cover letter (may be missing).
The subject, the text before the shortlog and the Date are taken from OLD,
so that an unchanged series exports byte for byte the same.
"""
import os
import re
import sys

old_path, new_path = sys.argv[1:3]
new = open(new_path).read()
subject, blurb, date = 'static PMD zero folio', '(cover letter text)\n', None
if os.path.exists(old_path):
    old = open(old_path).read()
    m = re.search(r'^Subject: \[PATCH[^\]]*\] (.*(?:\n [^\n]*)*)', old, re.M)
    if m:
        subject = m.group(1)
    m = re.search(r'^Date: .*$', old, re.M)
    if m:
        date = m.group(0)
    body = old.split('\n\n', 1)[1]
    m = re.search(r'^\S.* \(\d+\):$', body, re.M)
    if m:
        blurb = body[:m.start()].rstrip('\n') + '\n'
new = new.replace('*** SUBJECT HERE ***', subject, 1)
new = new.replace('*** BLURB HERE ***\n', blurb, 1)
if date:
    new = re.sub(r'^Date: .*$', date, new, count=1, flags=re.M)
open(new_path, 'w').write(new)
