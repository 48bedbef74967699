#!/usr/bin/env python3
"""Medians of the raw benchmark results in DIR (written by bench/run_all.sh) as Markdown tables."""
import json, os, platform, statistics, subprocess, sys

d = sys.argv[1]

def lines(name):
    p = os.path.join(d, name)
    return [json.loads(l) for l in open(p)] if os.path.exists(p) else []

def by_count(rows):
    out = {}
    for r in rows:
        # Poisson arrivals: group runs by the nominal count they were asked for (within 5%).
        key = min((10 ** k for k in range(3, 9)), key=lambda n: abs(r["requests"] - n))
        out.setdefault(key, []).append(r)
    return out

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}\n")
ce, ba, be = by_count(lines("throughput.jsonl")), by_count(lines("bare.jsonl")), by_count(lines("bare_energy.jsonl"))
bact = by_count(lines("bare_actor.jsonl"))
def med(rows, f):
    return statistics.median(r[f] for r in rows)
print("Wall-clock rates are per wall-second of `simulate()` (bench 1) or of Engine creation to the end of `engine.run()` (bench 2); CPU rates")
print("divide by the process's user+system CPU seconds over the same span, which a shared machine does not inflate.")
print("Ratios are carbonedge time / bare time, on CPU seconds (and on wall seconds in brackets).\n")
print("| requests | carbonedge req/s (wall) | carbonedge req/CPU-s | bare req/CPU-s | bare+energy req/CPU-s | carbonedge / bare | carbonedge / bare+energy | runs |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|")
for n in sorted(ce):
    c, b, e = ce[n], ba.get(n, []), be.get(n, [])
    if not (b and e):
        print(f"| {n:.0e} | {med(c, 'req_per_s'):,.0f} | {med(c, 'req_per_cpu_s'):,.0f} | - | - | - | - | {len(c)} |")
        continue
    r_b = f"{med(c, 'sim_cpu_s') / med(b, 'sim_cpu_s'):.2f} ({med(c, 'sim_wall_s') / med(b, 'sim_wall_s'):.2f})"
    r_e = f"{med(c, 'sim_cpu_s') / med(e, 'sim_cpu_s'):.2f} ({med(c, 'sim_wall_s') / med(e, 'sim_wall_s'):.2f})"
    print(f"| {n:.0e} | {med(c, 'req_per_s'):,.0f} | {med(c, 'req_per_cpu_s'):,.0f} | {med(b, 'req_per_cpu_s'):,.0f} | "
          f"{med(e, 'req_per_cpu_s'):,.0f} | {r_b} | {r_e} | {len(c)} |")
rss = lines("rss.jsonl")
if rss:
    print("\n| requests | peak RSS (MB) |\n|---:|---:|")
    for r in rss:
        print(f"| {r['requests']:,} | {r['max_rss_mb']:.1f} |")
p = os.path.join(d, "policy_latency.json")
if os.path.exists(p):
    bm = json.load(open(p))["benchmarks"]
    print("\n| policy | hosts | median ns/decision (wall) | median ns/decision (CPU) |\n|---|---:|---:|---:|")
    # Repetitions ran interleaved at random (run_all.sh): list in the benchmark's own order
    # (family_index) and by host count, not in the order the aggregates were written.
    medians = [b for b in bm if b.get("aggregate_name") == "median"]
    # Synthetic cases end in the host count (".../100"); the YAML platforms' cases name their
    # platform instead (latency-first/city/edge_city_200/...), listed after them by name.
    def tail(b):
        last = b["run_name"].rsplit("/", 1)[1]
        return (0, int(last), "") if last.isdigit() else (1, 0, b["run_name"])
    medians.sort(key=lambda b: (b.get("family_index", 0), tail(b)))
    for b in medians:
        name, hosts = b["run_name"].rsplit("/", 1)
        if not hosts.isdigit():
            name, hosts = b["run_name"], "(platform)"
        print(f"| {name} | {hosts} | {b['real_time']:,.0f} | {b['cpu_time']:,.0f} |")
if bact:
    print("\nThe bare pattern driven by one controller actor blocking in `wait_any_for` (carbonedge's design")
    print("before the timer/callback driver), energy plugins on:\n")
    print("| requests | bare+energy, actor req/CPU-s | bare+energy, timers+callbacks req/CPU-s | speed-up | runs |\n|---:|---:|---:|---:|---:|")
    for n in sorted(bact):
        a, e = bact[n], be.get(n, [])
        if e:
            print(f"| {n:.0e} | {med(a, 'req_per_cpu_s'):,.0f} | {med(e, 'req_per_cpu_s'):,.0f} | "
                  f"{med(a, 'sim_cpu_s') / med(e, 'sim_cpu_s'):.2f} | {len(a)} |")
sw = lines("sweep.jsonl")
if sw:
    print("\n| sweep jobs | runs (points) per minute | runs |\n|---:|---:|---:|")
    for j in sorted({r["jobs"] for r in sw}):
        v = [r["runs_per_min"] for r in sw if r["jobs"] == j]
        print(f"| -j {j} | {statistics.median(v):.1f} | {len(v)} |")
ro = lines("requests_out.jsonl")
if ro:
    print("\nBench 6: a whole `carbonedge run` of bench/experiments/requests_out_20hosts.yaml (load, simulation, files;")
    print("CPU = user + system of the run and its policy process), per-request output off, csv and csv.gz:\n")
    print("| requests | requests.csv | bytes per request | req/CPU-s | req/s (wall) | runs |\n|---:|---|---:|---:|---:|---:|")
    for mode in ("off", "csv", "csv.gz"):
        r = [x for x in ro if x["mode"] == mode]
        if r:
            print(f"| {med(r, 'requests'):,.0f} | {mode} | {med(r, 'bytes_per_request'):.1f} | {med(r, 'req_per_cpu_s'):,.0f} | "
                  f"{med(r, 'req_per_s'):,.0f} | {len(r)} |")
for r in lines("three_years.jsonl"):
    print(f"\nBench 7: {r['requests']:,} requests over {r['span_days']:.0f} days (bench/experiments/three_years_20hosts.yaml, "
          f"timeseries on): peak RSS {r['max_rss_mb']:.1f} MB, {r['wall_s']:.1f} s wall.")
sc = lines("scale.jsonl")
if sc:
    v = [r for r in sc if r["bench"] == "scale_validate"]
    r = [x for x in sc if x["bench"] == "scale_run"]
    print(f"\nBench 8: 100,000 hosts (platforms/city_100k.yaml, bench/experiments/city_100k.yaml), median of {len(r)} runs:")
    print(f"`validate` {med(v, 'wall_s'):.2f} s, peak RSS {med(v, 'max_rss_mb'):.0f} MB; "
          f"`run` of {med(r, 'requests'):,.0f} requests with latency-first (1 stage) {med(r, 'wall_s'):.1f} s = "
          f"{med(r, 'req_per_s'):,.0f} req/s (whole process), peak RSS {med(r, 'max_rss_mb'):.0f} MB.")
for r in lines("geo_cdn.jsonl"):
    print(f"\nBench 9: experiments/geo_cdn_europe_week.yaml (platforms/cdn_europe.yaml), {r['policies']} policies x "
          f"{r['requests']:,} requests over {r['span_days']:g} days on one core: {r['wall_s']:.1f} s wall, "
          f"{r['cpu_s']:.1f} s CPU, peak RSS {r['max_rss_mb']:.0f} MB (the largest process).")
