#!/usr/bin/env bash
# Builds and runs every benchmark of docs/performance.md, prints the median of RUNS runs of each,
# and writes bench/results/<name>.json plus bench/results/summary.md.
#   bash bench/run_all.sh                 # RUNS=5, request counts 1e4 1e5 1e6, RSS up to 1e7
#   RUNS=3 QUICK=1 bash bench/run_all.sh  # smaller counts (1e4, 1e5; RSS up to 1e6; bench 6 at 1e5) for a quick look
# Environment: BUILD (default build-bench), JOBS (build parallelism, default 1), RUNS (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
JOBS=${JOBS:-1}
RUNS=${RUNS:-5}
RES=bench/results
mkdir -p "$RES"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target ce_bench_throughput ce_bench_bare ce_bench_policy carbonedge
EXP=bench/experiments/throughput_20hosts.yaml
PLAT=bench/experiments/platform_20hosts.yaml
RATE=$(awk '/^ *rate:/ {print $2; exit}' "$EXP")
if [ -n "${QUICK:-}" ]; then COUNTS=(10000 100000); RSS_COUNTS=(100000 1000000)
else COUNTS=(10000 100000 1000000); RSS_COUNTS=(100000 1000000 10000000); fi

# median FIELD FILE: median of a numeric JSON field over the lines of FILE.
median() { /usr/bin/python3 -c "import json,sys,statistics; print(statistics.median(json.loads(l)['$1'] for l in open('$2')))"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
: > "$RES/throughput.jsonl"
: > "$RES/bare.jsonl"
: > "$RES/bare_energy.jsonl"
: > "$RES/bare_actor.jsonl"
echo "== 1+2: simulated requests per CPU-second of the simulation (median of $RUNS, interleaved runs; wall rates in the JSON)"
printf '%10s %14s %14s %14s %8s %8s\n' requests carbonedge bare bare+energy ratio ratio_e
for n in "${COUNTS[@]}"; do
  for _ in $(seq "$RUNS"); do
    "$BUILD/bench/ce_bench_throughput" "$EXP" "$n" | tee -a "$RES/throughput.jsonl" > "$RES/.t"
    "$BUILD/bench/ce_bench_bare" "$PLAT" "$n" "$RATE" >> "$RES/bare.jsonl"
    "$BUILD/bench/ce_bench_bare" "$PLAT" "$n" "$RATE" --energy >> "$RES/bare_energy.jsonl"
    # The same bare pattern driven by one actor in wait_any_for (carbonedge's previous design).
    "$BUILD/bench/ce_bench_bare" "$PLAT" "$n" "$RATE" --energy --actor >> "$RES/bare_actor.jsonl"
  done
  for f in throughput bare bare_energy bare_actor; do
    /usr/bin/python3 -c "import json; [print(l, end='') for l in open('$RES/$f.jsonl') if abs(json.loads(l)['requests']-$n)<0.05*$n]" > "$RES/.$f"
  done
  ce=$(median sim_wall_s "$RES/.throughput"); ba=$(median sim_wall_s "$RES/.bare"); be=$(median sim_wall_s "$RES/.bare_energy")
  ce=$(median sim_cpu_s "$RES/.throughput"); ba=$(median sim_cpu_s "$RES/.bare"); be=$(median sim_cpu_s "$RES/.bare_energy")
  ce_r=$(median req_per_cpu_s "$RES/.throughput"); ba_r=$(median req_per_cpu_s "$RES/.bare"); be_r=$(median req_per_cpu_s "$RES/.bare_energy")
  printf '%10s %14.0f %14.0f %14.0f %8.2f %8.2f\n' "$n" "$ce_r" "$ba_r" "$be_r" \
    "$(/usr/bin/python3 -c "print($ce/$ba)")" "$(/usr/bin/python3 -c "print($ce/$be)")"
done

echo "== 4: peak RSS against request count (one run each; RSS is deterministic to ~1 MB)"
: > "$RES/rss.jsonl"
printf '%10s %12s\n' requests max_rss_mb
for n in "${RSS_COUNTS[@]}"; do
  "$BUILD/bench/ce_bench_throughput" "$EXP" "$n" | tee -a "$RES/rss.jsonl" |
    /usr/bin/python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print('%10d %12.1f' % (d['requests'], d['max_rss_mb']))"
done

echo "== 3: policy decision latency (Google Benchmark, median of $RUNS repetitions)"
# Repetitions interleaved at random across the policies, so a slow spell of the (shared) machine
# lands on every policy alike instead of on whichever ran through it.
"$BUILD/bench/ce_bench_policy" --benchmark_repetitions="$RUNS" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true \
  --benchmark_out="$RES/policy_latency.json" --benchmark_out_format=json --benchmark_format=console 2>/dev/null |
  grep -E '_median|^Benchmark|^---' || true

echo "== 5: sweep throughput (8 points x 2 policies; median of $RUNS runs)"
: > "$RES/sweep.jsonl"
SWEEP=bench/experiments/sweep_8points.yaml
for j in 1 2; do
  for _ in $(seq "$RUNS"); do
    out=$(mktemp -d)
    t0=$(date +%s.%N)
    "$BUILD/carbonedge" sweep "$SWEEP" --out "$out/sw" -j "$j" -q
    t1=$(date +%s.%N)
    /usr/bin/python3 -c "print('{\"bench\": \"sweep\", \"jobs\": $j, \"points\": 8, \"wall_s\": %.3f, \"runs_per_min\": %.2f}' % ($t1-$t0, 8*60/($t1-$t0)))" >> "$RES/sweep.jsonl"
    rm -rf "$out"
  done
done
/usr/bin/python3 - "$RES/sweep.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for j in (1, 2):
    r = [x["runs_per_min"] for x in rows if x["jobs"] == j]
    print(f"  -j {j}: {statistics.median(r):.1f} sweep points (runs) per minute")
PY

echo "== 6: per-request output: bytes per request and requests per CPU-second of a whole \`carbonedge run\` (median of $RUNS)"
# bench/experiments/requests_out_20hosts.yaml with requests.csv off, as csv and as csv.gz, interleaved;
# CPU = user + system of the run and its policy process (RUSAGE_CHILDREN), load and files included.
if [ -n "${QUICK:-}" ]; then OUT_N=100000; else OUT_N=500000; fi
: > "$RES/requests_out.jsonl"
/usr/bin/python3 - "$BUILD/carbonedge" "$RUNS" "$OUT_N" "$RES/requests_out.jsonl" <<'PY'
import json, os, resource, shutil, statistics, subprocess, sys, tempfile, time
binary, runs, n, out_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
exp = "bench/experiments/requests_out_20hosts.yaml"
rate = next(float(l.split()[1]) for l in open(exp) if l.strip().startswith("rate:"))
modes = {"off": ["output.requests=false"], "csv": ["output.format=csv"], "csv.gz": ["output.format=csv.gz"]}
rows = []
for _ in range(runs):
    for mode, sets in modes.items():
        d = tempfile.mkdtemp()
        args = [binary, "run", exp, "--out", d + "/o", "-q", "--set", f"carbon.duration={n / rate}s"]
        for s in sets:
            args += ["--set", s]
        c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        subprocess.run(args, check=True)
        c1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
        pol = d + "/o/round-robin/"
        arrived = json.load(open(pol + "summary.json"))["requests_arrived"]
        name = {"off": None, "csv": "requests.csv", "csv.gz": "requests.csv.gz"}[mode]
        size = os.path.getsize(pol + name) if name else 0
        row = {"bench": "requests_out", "mode": mode, "requests": arrived, "bytes_per_request": size / arrived,
               "cpu_s": round(cpu, 3), "wall_s": round(t1 - t0, 3), "req_per_cpu_s": round(arrived / cpu),
               "req_per_s": round(arrived / (t1 - t0))}
        rows.append(row)
        with open(out_path, "a") as f:
            f.write(json.dumps(row) + "\n")
        shutil.rmtree(d)
print(f"{'mode':>8} {'bytes/req':>10} {'req/CPU-s':>10} {'req/s':>10}")
for mode in modes:
    r = [x for x in rows if x["mode"] == mode]
    med = lambda k: statistics.median(x[k] for x in r)
    print(f"{mode:>8} {med('bytes_per_request'):10.1f} {med('req_per_cpu_s'):10.0f} {med('req_per_s'):10.0f}")
PY

echo "== 7: peak RSS of a 3-year run, 20 hosts, requests.csv and timeseries.csv on (one run)"
/usr/bin/python3 - "$BUILD/carbonedge" "$RES/three_years.jsonl" <<'PY'
import json, resource, shutil, subprocess, sys, tempfile, time
binary, out_path = sys.argv[1], sys.argv[2]
d = tempfile.mkdtemp()
t0 = time.monotonic()
subprocess.run([binary, "run", "bench/experiments/three_years_20hosts.yaml", "--out", d + "/o", "-q"], check=True)
wall = time.monotonic() - t0
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # KiB -> MiB; the largest child
s = json.load(open(d + "/o/round-robin/summary.json"))
row = {"bench": "three_years", "requests": s["requests_arrived"], "span_days": s["span_s"] / 86400,
       "wall_s": round(wall, 2), "max_rss_mb": round(rss, 1)}
open(out_path, "w").write(json.dumps(row) + "\n")
print(f"  {row['requests']:,} requests over {row['span_days']:.0f} days: peak RSS {rss:.1f} MB, {wall:.1f} s")
shutil.rmtree(d)
PY

echo "== 8: 100,000 hosts (platforms/city_100k.yaml): validate, and 10^6 requests with latency-first (1 stage); median of $RUNS"
/usr/bin/python3 - "$BUILD/carbonedge" "$RES/scale.jsonl" "$RUNS" "${QUICK:-}" <<'PY'
import json, resource, shutil, statistics, subprocess, sys, tempfile, time
binary, out_path, runs, quick = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
exp = "bench/experiments/city_100k.yaml"
duration = "100s" if quick else "1000s"  # at 1,000 req/s: 10^5 or 10^6 requests
open(out_path, "w").close()

def timed(args):
    # Each run in its own python child so that ru_maxrss is this command's peak, not an earlier one's.
    code = ("import resource,subprocess,sys,time,json;t=time.monotonic();subprocess.run(sys.argv[1:],check=True,"
            "stdout=subprocess.DEVNULL);w=time.monotonic()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN);"
            "print(json.dumps({'wall_s':w,'cpu_s':r.ru_utime+r.ru_stime,'max_rss_mb':r.ru_maxrss/1024}))")
    return json.loads(subprocess.run([sys.executable, "-c", code] + args, check=True, capture_output=True,
                                     text=True).stdout)

rows = {"validate": [], "run": []}
for _ in range(runs):
    rows["validate"].append(timed([binary, "validate", exp]))
    d = tempfile.mkdtemp()
    r = timed([binary, "run", exp, "--out", d + "/o", "-q", "--set", f"carbon.duration={duration}"])
    r["requests"] = json.load(open(d + "/o/latency-first/summary.json"))["requests_arrived"]
    r["req_per_s"] = r["requests"] / r["wall_s"]
    rows["run"].append(r)
    shutil.rmtree(d)
with open(out_path, "a") as f:
    for kind, rs in rows.items():
        for r in rs:
            f.write(json.dumps({"bench": "scale_" + kind, **{k: round(v, 3) for k, v in r.items()}}) + "\n")
med = lambda kind, k: statistics.median(r[k] for r in rows[kind])
print(f"  validate: {med('validate', 'wall_s'):.2f} s, peak RSS {med('validate', 'max_rss_mb'):.0f} MB")
print(f"  run: {med('run', 'requests'):,.0f} requests in {med('run', 'wall_s'):.1f} s = "
      f"{med('run', 'req_per_s'):,.0f} req/s (whole process: load, build, simulate, write), "
      f"peak RSS {med('run', 'max_rss_mb'):.0f} MB")
PY

echo "== 9: CDN scale: a week of experiments/geo_cdn_europe_week.yaml (3,848 hosts, ~10^7 requests; nearest, carbon-greedy, geo-carbon one after another on one core; one run)"
/usr/bin/python3 - "$BUILD/carbonedge" "$RES/geo_cdn.jsonl" "${QUICK:-}" <<'PY'
import json, resource, shutil, subprocess, sys, tempfile, time
binary, out_path, quick = sys.argv[1], sys.argv[2], sys.argv[3]
d = tempfile.mkdtemp()
args = [binary, "run", "experiments/geo_cdn_europe_week.yaml", "-j", "1", "--out", d + "/o", "-q"] + \
    (["--set", "carbon.duration=1d"] if quick else [])
t0 = time.monotonic()
subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)  # the run and its policy children; ru_maxrss: the largest
s = json.load(open(d + "/o/geo-carbon/summary.json"))
row = {"bench": "geo_cdn", "requests": s["requests_arrived"], "span_days": round(s["span_s"] / 86400, 2),
       "policies": 3, "wall_s": round(wall, 2), "cpu_s": round(r.ru_utime + r.ru_stime, 2),
       "max_rss_mb": round(r.ru_maxrss / 1024.0, 1)}
open(out_path, "w").write(json.dumps(row) + "\n")
print(f"  3 policies x {row['requests']:,} requests over {row['span_days']:g} days: {wall:.1f} s wall, "
      f"{row['cpu_s']:.1f} s CPU, peak RSS {row['max_rss_mb']:.0f} MB (the largest process)")
shutil.rmtree(d)
PY

echo "== 10: a scheduler decision plus batching: 10 devices, 10 batching AGX Orin accelerators, power-mode (median of $RUNS at 1e5 requests)"
: > "$RES/batching.jsonl"
for _ in $(seq "$RUNS"); do
  "$BUILD/bench/ce_bench_throughput" bench/experiments/throughput_batching_20hosts.yaml 100000 >> "$RES/batching.jsonl"
done
echo "  $(median req_per_s "$RES/batching.jsonl") req/s (wall), $(median req_per_cpu_s "$RES/batching.jsonl") req/CPU-s (target >= 100 k req/s)"

echo "== 11: LLM serving: 10 devices, 10 Orin Nano Super LLM engines, continuous batching (median of $RUNS at 1e5 requests)"
: > "$RES/llm.jsonl"
for _ in $(seq "$RUNS"); do
  "$BUILD/bench/ce_bench_throughput" bench/experiments/throughput_llm_20hosts.yaml 100000 >> "$RES/llm.jsonl"
done
echo "  $(median req_per_s "$RES/llm.jsonl") req/s (wall), $(median req_per_cpu_s "$RES/llm.jsonl") req/CPU-s (target >= 10 k req/s)"

/usr/bin/python3 bench/summarize.py "$RES" > "$RES/summary.md"
rm -f "$RES"/.t "$RES"/.throughput "$RES"/.bare "$RES"/.bare_energy "$RES"/.bare_actor
echo "written: $RES/summary.md, $RES/*.jsonl, $RES/policy_latency.json"
