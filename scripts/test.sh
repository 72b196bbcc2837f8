#!/usr/bin/env bash
# The one test command:
#   1. builds ./build and runs every ctest suite: unit, integration (the fault_* suites among
#      them), end-to-end, and each libFuzzer target for a short fixed time (fuzz.smoke);
#   2. builds sixpn and sixpnd once more with ASan+UBSan in ./build-asan (nothing else) and runs
#      the bad-input suite against those binaries, so a hostile input that corrupts memory fails
#      CI even when the normal build happens to survive it.
# Arguments go to ctest (e.g. -R fault_). SIXPN_ASAN=0 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
build=${SIXPN_BUILD_DIR:-build}
(cd "$build" && ctest --output-on-failure -j 2 "$@")

[ "${SIXPN_ASAN:-1}" = 0 ] && exit 0
asan=${SIXPN_ASAN_BUILD_DIR:-build-asan}
if [ ! -f "$asan/build.ninja" ]; then
  cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIXPN_SANITIZE=ON \
    -DSIXPN_BUILD_TESTS=OFF -DSIXPN_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$asan" -j 2 --target sixpn sixpnd
asan=$(cd "$asan" && pwd)
echo "bad-input suite against the ASan/UBSan build ($asan):"
SIXPN_BIN="$asan/commands/sixpn" SIXPND_BIN="$asan/server/sixpnd" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98 \
  timeout 1800 bash tests/integration/fault_bad_input_test.sh
