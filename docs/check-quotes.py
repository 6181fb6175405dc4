#!/usr/bin/env python3
"""check-quotes.py SOURCE_ROOT: the code the guides quote is the code that runs.

In docs/*.md, a fenced code block right after a line
`<!-- quoted from docs/examples/NAME.c -->` must appear, word for word, in
that file (which the test suite compiles and runs). Exits 1 naming every
block that drifted.
"""
import glob
import os
import re
import sys

root = sys.argv[1]
QUOTE = re.compile(r"<!-- quoted from (\S+) -->\n```\w*\n(.*?)```", re.DOTALL)
failures = checked = 0
for guide in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
    text = open(guide).read()
    for match in QUOTE.finditer(text):
        source, block = match.group(1), match.group(2)
        line = text.count("\n", 0, match.start()) + 1
        where = f"{os.path.relpath(guide, root)}:{line}"
        path = os.path.join(root, source)
        checked += 1
        if not os.path.isfile(path):
            print(f"{where}: quotes {source}, which does not exist")
            failures += 1
        elif block not in open(path).read():
            print(f"{where}: this block is no longer in {source}:\n{block}")
            failures += 1
print(f"{checked} quoted blocks checked, {failures} drifted")
sys.exit(1 if failures or not checked else 0)
