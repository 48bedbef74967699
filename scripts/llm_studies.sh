#!/usr/bin/env bash
# The LLM studies of docs/reproductions.md §i in one command: carbon-aware model/precision selection
# and phase splitting of an edge LLM service on the Azure conv and code traces over a GB week (two
# sweeps of two points each, ~30 s on 2 cores). Results under OUT (default results/): llm_selection/
# and llm_phase_split/, each with results.csv and a summary.json per point and policy.
#   bash scripts/llm_studies.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results}
bin=${CARBONEDGE:-./build/carbonedge}
"$bin" sweep experiments/llm_model_selection_gb_week.yaml --out "$out/llm_selection" -j 2
"$bin" sweep experiments/llm_phase_split_gb_week.yaml --out "$out/llm_phase_split" -j 2
/usr/bin/python3 - "$out" <<'PY'
import sys
import pandas as pd
cols = ["policy", "requests_completed", "carbon_g", "dynamic_carbon_g", "mean_top1", "llm.ttft_ms.p50",
        "llm.tpot_ms.p50", "llm.dynamic_energy_per_token_j", "llm.ttft_slo_violations", "llm.tpot_slo_violations"]
pd.set_option("display.width", 200)
for study in ("llm_selection", "llm_phase_split"):
    d = pd.read_csv(f"{sys.argv[1]}/{study}/results.csv")
    d.insert(0, "trace", d["workload.file"].str.extract(r"_(conv|code)\.csv")[0])
    print(f"\n{study}:\n" + d[["trace"] + cols].to_string(index=False, float_format=lambda x: f"{x:.4g}"))
PY
