#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, ASan+UBSan) and runs each for SECONDS
# (default 30). The checked-in seed corpus is only read; new inputs go to build-fuzz/corpus/,
# crashes to fuzz/artifacts/ (ignored by git). Exits non-zero if any target finds a crash.
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${SIXPN_FUZZ_BUILD_DIR:-build-fuzz}

CXX=clang++ cmake -S . -B "$build" -G Ninja -DSIXPN_FUZZ=ON -DSIXPN_BUILD_TESTS=OFF \
  -DSIXPN_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

# Each target and its checked-in seed corpus.
targets=(fuzz_dns_query fuzz_dns_message fuzz_rest_request fuzz_api_decode fuzz_config)
declare -A seeds=([fuzz_dns_query]=fuzz/corpus/dns_query [fuzz_dns_message]=fuzz/corpus/dns_query
                  [fuzz_rest_request]=fuzz/corpus/rest_request
                  [fuzz_api_decode]=fuzz/corpus/api_decode [fuzz_config]=fuzz/corpus/config)
ninja -C "$build" -j2 "${targets[@]}"

mkdir -p fuzz/artifacts
status=0
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  log="$build/$target.log"
  echo "fuzz: $target for ${seconds}s" >&2
  if ! "$build/fuzz/$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -artifact_prefix="fuzz/artifacts/$target-" -print_final_stats=1 \
      "$work" "${seeds[$target]}" >"$log" 2>&1; then
    status=1
    echo "fuzz: $target FAILED; see $log and fuzz/artifacts/" >&2
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "fuzz: $target: $runs executions, $cov, $(ls fuzz/artifacts | grep -c "^$target-" || true) crash files" >&2
done
exit $status
