#!/usr/bin/env bash
# Installs every Debian package carbonedge needs to build, test and plot (Debian bookworm).
# Idempotent: packages already present are skipped by apt.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config ninja-build
  libsimgrid-dev libeigen3-dev libyaml-cpp-dev libfmt-dev catch2
  libcli11-dev nlohmann-json3-dev libbenchmark-dev libssl-dev
  zlib1g-dev  # output.format: csv.gz
  coinor-libcbc-dev  # COIN-OR CBC/Clp (EPL): the offline optimum of time-shifting plans
  libboost-dev  # header-only Boost.Math (lambert_w0: the LACS/RORO threshold)
  clang libclang-rt-14-dev  # libFuzzer (-fsanitize=fuzzer) for scripts/ci-fuzz.sh
  python3-matplotlib python3-pandas
  slurm-wlm  # sweep --slurm test: a single-node cluster on localhost (scripts/slurm-local.sh)
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
