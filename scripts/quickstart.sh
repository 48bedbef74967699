#!/usr/bin/env bash
# Command A of the README: install dependencies, build, and run the default experiment
# (experiments/quickstart.yaml on the real GB 2023 carbon trace). Extra arguments go to `carbonedge run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target carbonedge >/dev/null
./build/carbonedge run experiments/quickstart.yaml --out results/quickstart "$@"
