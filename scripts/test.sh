#!/usr/bin/env bash
# Command B of the README: configure, build and run the whole test suite (ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$JOBS"
cd "$BUILD"
ctest -j "$JOBS" --output-on-failure --timeout 600
