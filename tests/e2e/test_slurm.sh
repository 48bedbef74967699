#!/usr/bin/env bash
# `carbonedge sweep --slurm` on a real single-node Slurm cluster on localhost (scripts/slurm-local.sh):
# submits tests/data/sweep_small.yaml as a job array + dependent merge job, waits for the merge, and
# checks the merged results.csv equals a local sweep's byte for byte.
# Usage: test_slurm.sh CARBONEDGE_BINARY SOURCE_DIR. Exit 77 (ctest: skipped) only where Slurm is not
# installed; a cluster that is installed but fails to start or run the jobs is a failure.
set -euo pipefail
BIN=$1
SRC=$2
DATA=${CARBONEDGE_DATA_ROOT:-$SRC/../shared/data}

if ! command -v sbatch >/dev/null || ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null; then
  echo "SKIP: Slurm is not installed (sbatch/slurmctld/slurmd missing); scripts/install-deps.sh installs slurm-wlm"
  exit 77
fi

TMP=$(mktemp -d /tmp/carbonedge-slurm-test-XXXXXX)
started_here=0
cleanup() {
  [ "$started_here" = 1 ] && bash "$SRC/scripts/slurm-local.sh" stop || true
  rm -rf "$TMP"
}
trap cleanup EXIT
# Use the cluster .ci/run started (scripts/slurm-local.sh defaults) when it is up; otherwise start a
# private one (own state dir, own ports) so concurrent test runs never stop each other's cluster.
export CARBONEDGE_SLURM_DIR=${CARBONEDGE_SLURM_DIR:-/tmp/carbonedge-slurm}
if ! bash "$SRC/scripts/slurm-local.sh" status; then
  export CARBONEDGE_SLURM_DIR=$TMP/cluster
  export CARBONEDGE_SLURM_PORT=$((20000 + 2 * (RANDOM % 4000)))
  started_here=1
  bash "$SRC/scripts/slurm-local.sh" start >/dev/null
fi
export SLURM_CONF=$CARBONEDGE_SLURM_DIR/slurm.conf

"$BIN" sweep "$SRC/tests/data/sweep_small.yaml" --out "$TMP/local" --data-root "$DATA" -q
"$BIN" sweep "$SRC/tests/data/sweep_small.yaml" --out "$TMP/slurm" --data-root "$DATA" --slurm \
  --slurm-args "--partition=debug --time=10"
# shellcheck disable=SC1091
source <(sed 's/^/job_/' "$TMP/slurm/slurm/jobs.txt")  # job_points=ID, job_merge=ID
echo "job array $job_points, merge job $job_merge"

state=""
for _ in $(seq 600); do  # 5 minutes
  state=$(scontrol show job "$job_merge" -o 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
  case "$state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) break ;;
  esac
  sleep 0.5
done
if [ "$state" != COMPLETED ]; then
  echo "FAIL: merge job $job_merge ended in state '${state:-unknown}'"
  squeue || true
  tail -n 5 "$TMP/slurm/slurm/logs/"*.log || true
  exit 1
fi
points=$(ls "$TMP/slurm/points" | grep -vc partial || true)
echo "slurm sweep: $points points finished; merge job completed"
if ! cmp "$TMP/local/results.csv" "$TMP/slurm/results.csv"; then
  echo "FAIL: results.csv from Slurm differs from the local sweep"
  diff "$TMP/local/results.csv" "$TMP/slurm/results.csv" | head -n 5
  exit 1
fi
echo "PASS: Slurm results.csv ($(wc -l <"$TMP/slurm/results.csv") lines) is byte-identical to the local sweep"
