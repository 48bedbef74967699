#!/usr/bin/env bash
# CI stage: builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan + fuzzer coverage on
# the whole library) in build-fuzz/ and runs each one for FUZZ_SECONDS (default 60) from its seed
# corpus in tests/fuzz/corpus/<target>/. A crash, a sanitizer report, a leak or an exception other
# than ce::InputError fails the stage and leaves the reproducer in build-fuzz/artifacts/.
# Longer runs: FUZZ_SECONDS=3600 bash scripts/ci-fuzz.sh, or one target by hand (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-fuzz}
JOBS=${JOBS:-2}
SECONDS_EACH=${FUZZ_SECONDS:-60}
TARGETS=(fuzz_experiment fuzz_carbon_csv fuzz_request_traces fuzz_run_json fuzz_set_override)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
  >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}"
mkdir -p "$BUILD/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "${TARGETS[@]}"; do
  corpus_seed="tests/fuzz/corpus/${t#fuzz_}"
  work="$BUILD/corpus/${t#fuzz_}"   # grows during the run; the seed corpus stays untouched
  mkdir -p "$work"
  echo "ci-fuzz: $t for ${SECONDS_EACH}s (seeds: $corpus_seed)"
  if ! "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -artifact_prefix="$BUILD/artifacts/$t-" -print_final_stats=1 "$work" "$corpus_seed" >"$BUILD/$t.log" 2>&1; then
    tail -n 40 "$BUILD/$t.log"
    echo "ci-fuzz: $t found a failure; reproducer in $BUILD/artifacts/, log in $BUILD/$t.log"
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$BUILD/$t.log" || tail -n 5 "$BUILD/$t.log"
done
echo "ci-fuzz: every target ran ${SECONDS_EACH}s clean"
