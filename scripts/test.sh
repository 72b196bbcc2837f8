#!/usr/bin/env bash
# The one test command:
#   1. builds ./build and runs every ctest suite: unit, integration (the fault_* suites among
#      them), end-to-end, and each libFuzzer target for a short fixed time (fuzz.smoke);
#   2. builds sixpn and sixpnd once more with ASan+UBSan in ./build-asan (nothing else) and runs
#      the bad-input suite against those binaries, so a hostile input that corrupts memory fails
#      CI even when the normal build happens to survive it.
# The ASan build of step 2 runs beside step 1's tests at the lowest CPU priority (nice 19): the
# suites spend most of their time waiting on processes and sockets, and whenever a test wants
# the CPU it gets it first.
# Arguments go to ctest (e.g. -R fault_). SIXPN_ASAN=0 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
build=${SIXPN_BUILD_DIR:-build}
asan=${SIXPN_ASAN_BUILD_DIR:-build-asan}

asan_pid=""
if [ "${SIXPN_ASAN:-1}" != 0 ]; then
  mkdir -p "$asan"
  # A session of its own, so that an early exit can stop the whole build (cmake, ninja, gcc).
  SIXPN_ASAN_DIR="$asan" setsid bash -c '
    set -e
    if [ ! -f "$SIXPN_ASAN_DIR/build.ninja" ]; then
      cmake -S . -B "$SIXPN_ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIXPN_SANITIZE=ON \
        -DSIXPN_BUILD_TESTS=OFF -DSIXPN_BUILD_BENCH=OFF
    fi
    nice -n 19 cmake --build "$SIXPN_ASAN_DIR" -j 2 --target sixpn sixpnd
  ' >"$asan/build.log" 2>&1 </dev/null &
  asan_pid=$!
  trap '[ -n "$asan_pid" ] && kill -- "-$asan_pid" 2>/dev/null' EXIT
fi

tests_rc=0
(cd "$build" && ctest --output-on-failure -j 2 "$@") || tests_rc=$?

[ -z "$asan_pid" ] && exit "$tests_rc"
if ! wait "$asan_pid"; then
  asan_pid=""
  echo "the ASan/UBSan build failed; its log:" >&2
  tail -50 "$asan/build.log" >&2
  exit 1
fi
asan_pid=""
[ "$tests_rc" -eq 0 ] || exit "$tests_rc"
asan=$(cd "$asan" && pwd)
echo "bad-input suite against the ASan/UBSan build ($asan):"
SIXPN_BIN="$asan/commands/sixpn" SIXPND_BIN="$asan/server/sixpnd" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98 \
  timeout 1800 bash tests/integration/fault_bad_input_test.sh
