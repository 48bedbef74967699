#!/usr/bin/env bash
# Builds and runs every benchmark of docs/performance.md, prints the median of RUNS runs of each,
# and writes bench/results/<name>.json plus bench/results/summary.md.
#   bash bench/run_all.sh                 # RUNS=5, request counts 1e4 1e5 1e6, RSS up to 1e7
#   RUNS=3 QUICK=1 bash bench/run_all.sh  # smaller counts (1e4, 1e5; RSS up to 1e6) for a quick look
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

/usr/bin/python3 bench/summarize.py "$RES" > "$RES/summary.md"
rm -f "$RES"/.t "$RES"/.throughput "$RES"/.bare "$RES"/.bare_energy "$RES"/.bare_actor
echo "written: $RES/summary.md, $RES/*.jsonl, $RES/policy_latency.json"
