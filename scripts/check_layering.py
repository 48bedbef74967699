#!/usr/bin/env python3
"""The `layering` test: every #include "STAGE/..." in src/NAME/ must name NAME itself or a stage
that CMakeLists.txt's ce_stage(NAME ...) lists (build dir's layering.txt). cli/ may use all.
usage: check_layering.py BUILD/layering.txt SRC_DIR"""
import os
import re
import sys

allowed = {}
for line in open(sys.argv[1]):
    if ':' in line:
        name, deps = line.split(':', 1)
        allowed[name.strip()] = set(deps.split())
src = sys.argv[2]
bad = []
for stage in sorted(os.listdir(src)):
    folder = os.path.join(src, stage)
    if not os.path.isdir(folder) or stage == 'cli':
        continue
    if stage not in allowed:
        bad.append(f"src/{stage}/: a folder with no ce_stage() in CMakeLists.txt")
        continue
    for f in sorted(os.listdir(folder)):
        for n, text in enumerate(open(os.path.join(folder, f), encoding='utf-8'), 1):
            m = re.match(r'\s*#include "([a-z_]+)/', text)
            if m and m.group(1) != stage and m.group(1) not in allowed[stage]:
                bad.append(f"src/{stage}/{f}:{n}: includes {m.group(1)}/, not a stage before {stage} "
                           f"(allowed: {', '.join(sorted(allowed[stage])) or 'none'})")
for b in bad:
    print(b)
print(f"layering: {len(allowed)} stages, {len(bad)} include(s) against the data flow")
sys.exit(1 if bad else 0)
