#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, ASan+UBSan) and runs each for SECONDS
# (default 30). The checked-in seed corpus is only read; new inputs go to build-fuzz/corpus/,
# crashes to fuzz/artifacts/ (ignored by git). Exits non-zero if any target finds a crash.
#   scripts/fuzz.sh [SECONDS]
#   scripts/fuzz.sh --build-only     builds and runs nothing (scripts/test.sh, beside the tests)
# The build holds a lock on its tree, so a fuzz.sh that starts while another builds the same
# tree (fuzz.smoke while test.sh's early build runs) waits for it and then finds it done. As a
# test then waits on that build, the waiter gives it back a normal share of the CPU (test.sh
# runs it at the lowest).
set -euo pipefail
cd "$(dirname "$0")/.."
build_only=0
if [ "${1:-}" = --build-only ]; then
  build_only=1
  shift
fi
seconds=${1:-30}
case $seconds in
  '' | *[!0-9]*)
    echo "usage: scripts/fuzz.sh [SECONDS] | --build-only" >&2
    exit 2
    ;;
esac
build=${SIXPN_FUZZ_BUILD_DIR:-build-fuzz}

# Each target and its checked-in seed corpus.
targets=(fuzz_dns_query fuzz_dns_message fuzz_rest_request fuzz_config)
declare -A seeds=([fuzz_dns_query]=fuzz/corpus/dns_query [fuzz_dns_message]=fuzz/corpus/dns_query
                  [fuzz_rest_request]=fuzz/corpus/rest_request [fuzz_config]=fuzz/corpus/config)

mkdir -p "$build"
lock="$build/.build.lock"
(
  if ! flock -n 9; then
    holder=$(cat "$lock" 2>/dev/null || true)
    if [ -n "$holder" ]; then
      echo 0 2>/dev/null >"/proc/$holder/autogroup" || true
      group=$(ps -o pgid= -p "$holder" 2>/dev/null | tr -d ' ' || true)
      [ -z "$group" ] || renice -n 0 -g "$group" >/dev/null 2>&1 || true
    fi
    echo "fuzz: waiting for the build of $build that is already running" >&2
    flock 9
  fi
  echo $$ >"$lock"
  CXX=clang++ cmake -S . -B "$build" -G Ninja -DSIXPN_FUZZ=ON -DSIXPN_BUILD_TESTS=OFF \
    -DSIXPN_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  ninja -C "$build" -j2 "${targets[@]}"
) 9>>"$lock"
[ "$build_only" = 1 ] && exit 0

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
