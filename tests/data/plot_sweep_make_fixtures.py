"""Rebuilds tests/data/plot_sweep_{wc,region}/results.csv, the fixtures of tests/e2e/test_plots.cpp, from
real runs of the carbonedge binary, in the layout `carbonedge sweep` writes (point, <swept keys...>,
seed, policy, policy_type, every numeric leaf of summary.json flattened with '.'). Written before
`carbonedge sweep` existed; `carbonedge sweep` output can replace them. (plot_sweep_wc_units was
made with `carbonedge sweep`: see its sweep.yaml.)

    /usr/bin/python3 tests/data/plot_sweep_make_fixtures.py build/carbonedge tests/data
"""
import csv, json, os, shutil, subprocess, sys, tempfile
BIN = sys.argv[1]
OUT = sys.argv[2]
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TMP = tempfile.mkdtemp()
def flatten(j, prefix=""):
    out = {}
    for k, v in j.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict): out.update(flatten(v, key + "."))
        elif isinstance(v, bool) or isinstance(v, str): pass
        elif isinstance(v, (int, float)): out[key] = repr(v) if isinstance(v, float) else str(v)
    return out
def sweep(exp, keys, points, seeds, base_sets, dest):
    rows = []
    for pi, vals in enumerate(points):
        for seed in seeds:
            d = f"{TMP}/run"
            args = [BIN, "run", exp, "--out", d, "-q", "-j1", "--seed", str(seed)]
            for s in base_sets + [f"{k}={v}" for k, v in zip(keys, vals)]: args += ["--set", s]
            subprocess.run(args, check=True)
            cmp = list(csv.DictReader(open(d + "/comparison.csv")))
            for r in cmp:
                s = json.load(open(f"{d}/{r['policy']}/summary.json"))
                rows.append(({"point": pi, **dict(zip(keys, vals)), "seed": seed, "policy": s["policy"], "policy_type": s["policy_type"]}, flatten(s)))
    metrics = sorted({m for _, f in rows for m in f})
    os.makedirs(dest, exist_ok=True)
    with open(dest + "/results.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["point", *keys, "seed", "policy", "policy_type", *metrics])
        for head, fl in rows:
            w.writerow([*head.values(), *[fl.get(m, "") for m in metrics]])
sweep(f"{SRC}/experiments/carbonedge_2603.yaml", ["policies.ce-green.w_C"], [[0.05], [0.3], [0.5], [0.7], [0.9]], [1, 2],
      ["workload.requests_per_client=10", "policies={monolithic: {host: node-medium}, ce-green: {type: carbonedge, mode: green, units: paper, hosts: [node-high, node-medium, node-green]}}"],
      OUT + "/plot_sweep_wc")
sweep(f"{SRC}/experiments/quickstart.yaml", ["carbon.traces.GB.file"],
      [["carbon/GB/electricitymaps/GB_2023_hourly.csv"], ["carbon/DE/electricitymaps/DE-LU_2023_hourly.csv"], ["carbon/NO/electricitymaps/NO_2023_hourly.csv"]], [42],
      ["carbon.duration=10min", "workload.rate=0.5"], OUT + "/plot_sweep_region")
shutil.rmtree(TMP)
