#!/usr/bin/python3
"""Runs the NumPy block of docs/statistics.md (the one after the `numpy-stats` marker) in the current folder.

It reads view1.npy and view2.npy and writes stats.npz with plain NumPy, exactly as the doc shows. The test
StatsCommandTests.ThreeShardsMergedAndFittedEqualTheOnePassFit runs this on shard3/ when /usr/bin/python3
has NumPy; stats.npz here is its committed output (NumPy 1.24, Debian python3-numpy), used otherwise.

    cd shard3 && /usr/bin/python3 ../run_doc_numpy.py /path/to/docs/statistics.md
"""
import re
import sys

doc = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- numpy-stats.*?-->\s*```python\n(.*?)```", doc, re.S)
if not m:
    sys.exit("docs/statistics.md: no ```python block after the numpy-stats marker")
exec(compile(m.group(1), "docs/statistics.md (numpy-stats block)", "exec"), {})
