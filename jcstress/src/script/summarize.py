#!/usr/bin/env python3
"""Sums a jcstress HTML report's outcome tables over all configurations: one line per
observed state of each test, with its expectation and total count.
Usage: summarize.py target/jcstress-results"""
import glob
import html
import os
import re
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else "target/jcstress-results"
for path in sorted(glob.glob(os.path.join(folder, "*.html"))):
    if path.endswith("index.html"):
        continue
    text = open(path, encoding="utf-8").read()
    rows = re.findall(r"<tr>(.*?)</tr>", text, re.S)
    states, expects, descs, totals = [], [], [], []
    statuses = {}
    for row in rows:
        heads = re.findall(r"<th nowrap align='center'>(.*?)</th>", row)
        if heads and not states:
            states = [html.unescape(h) for h in heads]
            totals = [0] * len(states)
            continue
        cells = re.findall(r"<td>(.*?)</td>", row)
        if states and len(cells) == len(states) and not expects:
            expects = cells
            continue
        if states and len(cells) == len(states) and not descs:
            descs = [html.unescape(c) for c in cells]
            continue
        counts = re.findall(r"<td align='right'[^>]*>(\d+)</td>", row)
        status = re.findall(r"<td align='center' bgColor='[^']*'>(.*?)</td>", row)
        if states and len(counts) == len(states):
            totals = [t + int(c) for t, c in zip(totals, counts)]
            for s in status:
                statuses[s] = statuses.get(s, 0) + 1
    name = os.path.basename(path)[:-5]
    print(f"{name}  (configurations: {statuses})")
    for s, e, d, t in zip(states, expects, descs, totals):
        print(f"  {s:<10} {e:<24} {t:>12}  {d}")
