#!/usr/bin/env bash
# CI stage: builds carbonedge and the test binaries with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DCARBONEDGE_SANITIZE=ON) in build-asan/ and runs the test suite; any report fails the stage
# (UBSan is built with -fno-sanitize-recover, ASan aborts on its first error).
#   bash scripts/ci-sanitize.sh            # JOBS=N to build in parallel (default: 2)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-asan}
JOBS=${JOBS:-2}
CXX_COMPILER=${CXX:-g++}  # gcc by default, as the main build; CXX=clang++ works too
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARBONEDGE_SANITIZE=ON \
  -DCMAKE_CXX_COMPILER="$CXX_COMPILER" >/dev/null
# Only what the tests run: no benchmarks, no fuzzers.
cmake --build "$BUILD" -j "$JOBS" --target carbonedge unit_tests sim_tests
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan-suppressions.txt:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Not here: the bench smoke tests (this stage does not build the bench binaries) and the wall-clock
# bounds of tests/unit/test_policies.cpp's [perf] case (ASan makes code 2-5x slower by design).
(cd "$BUILD" && ctest --output-on-failure -j "$JOBS" -E '^bench_smoke|decides in well under')
echo "ci-sanitize: ASan+UBSan test run clean"
