#!/usr/bin/env bash
# CI stage, in two parts; any report fails it.
#  1. AddressSanitizer + UndefinedBehaviorSanitizer (-DCARBONEDGE_SANITIZE=ON, gcc) in build-asan/:
#     the test suite (UBSan with -fno-sanitize-recover, ASan aborts on its first error).
#  2. clang's integer and float-to-integer checks, which gcc lacks (-fsanitize=float-cast-overflow,
#     integer: signed and unsigned overflow, implicit truncation and sign change, shifts, division by
#     zero) in build-ubsan-clang/: the test suite again (docs/performance.md, "UndefinedBehaviorSanitizer:
#     integers"). Third-party headers are exempt (scripts/ubsan-ignorelist.txt).
#   bash scripts/ci-sanitize.sh            # JOBS=N to build in parallel (default: 2)
#   STAGES=ubsan bash scripts/ci-sanitize.sh   # only part 2 (STAGES=asan: only part 1)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-asan}
UBSAN_BUILD=${UBSAN_BUILD:-build-ubsan-clang}
JOBS=${JOBS:-2}
STAGES=${STAGES:-asan ubsan}
if [[ " $STAGES " == *" asan "* ]]; then
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
fi

if [[ " $STAGES " == *" ubsan "* ]]; then
# Part 2. -fno-sanitize-recover=all: the first report aborts the process, so the test fails.
UBSAN_FLAGS="-fsanitize=float-cast-overflow,integer -fno-sanitize-recover=all"
UBSAN_FLAGS+=" -fsanitize-ignorelist=$PWD/scripts/ubsan-ignorelist.txt -fno-omit-frame-pointer"
cmake -S . -B "$UBSAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="$UBSAN_FLAGS" >/dev/null
cmake --build "$UBSAN_BUILD" -j "$JOBS" --target carbonedge unit_tests sim_tests
# The whole suite but the bench smoke tests (not built here) and the wall-clock bound of the [perf] case.
(cd "$UBSAN_BUILD" && UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j "$JOBS" -E '^bench_smoke|decides in well under')
echo "ci-sanitize: clang UBSan (float-cast-overflow,integer) test run clean"
fi
