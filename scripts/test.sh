#!/usr/bin/env bash
# The one test command:
#   1. builds ./build and runs every ctest suite: unit, integration (the fault_* suites among
#      them), end-to-end, and each libFuzzer target for a short fixed time (fuzz.smoke);
#   2. builds sixpn and sixpnd once more with ASan+UBSan in ./build-asan (nothing else) and runs
#      the bad-input suite against those binaries, so a hostile input that corrupts memory fails
#      CI even when the normal build happens to survive it.
# Two builds run in the background from the start, one after the other, at the lowest CPU
# priority (nice 19): fuzz.smoke's clang tree (build/fuzz-build), then the ASan tree of step 2.
# The suites spend most of their time waiting on processes and sockets, and whenever the main
# build or a test wants the CPU it gets it first. fuzz.smoke waits for its tree's build (a lock,
# scripts/fuzz.sh) and then only fuzzes, beside the other tests. Whatever is waited for (the fuzz
# build by fuzz.smoke, the ASan build after ctest) gets a normal share of the CPU back.
# Arguments go to ctest (e.g. -R fault_); with arguments, fuzz.smoke (if selected) builds its
# tree itself. SIXPN_ASAN=0 skips step 2.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${SIXPN_BUILD_DIR:-build}
asan=${SIXPN_ASAN_BUILD_DIR:-build-asan}

# The tree tests/CMakeLists.txt gives fuzz.smoke.
fuzz_early=""
if [ $# -eq 0 ] && command -v clang++ >/dev/null; then
  fuzz_early="$build/fuzz-build"
fi
asan_early=""
[ "${SIXPN_ASAN:-1}" != 0 ] && asan_early="$asan"

side_pid=""
if [ -n "$fuzz_early$asan_early" ]; then
  [ -n "$fuzz_early" ] && mkdir -p "$fuzz_early"
  [ -n "$asan_early" ] && mkdir -p "$asan_early"
  # A session of its own, so that an early exit can stop the whole of it (cmake, ninja, the
  # compilers). A new session is also a new scheduler autogroup, against which the nice of its
  # processes counts for nothing elsewhere: the group is made nice 19 too, or the builds would
  # take half of the CPU from the main build and the tests. A failed fuzz build is fuzz.smoke's
  # to report (it runs the build again); the ASan build's status is this job's.
  SIXPN_FUZZ_BUILD_DIR="$fuzz_early" SIXPN_ASAN_DIR="$asan_early" setsid nice -n 19 bash -c '
    echo 19 2>/dev/null >/proc/self/autogroup || true
    if [ -n "$SIXPN_FUZZ_BUILD_DIR" ]; then
      scripts/fuzz.sh --build-only >"$SIXPN_FUZZ_BUILD_DIR/build.log" 2>&1 || true
      # fuzz.smoke, if it had to wait for this build, gave the group a normal share back.
      echo 19 2>/dev/null >/proc/self/autogroup || true
      renice -n 19 -g $$ >/dev/null 2>&1 || true
    fi
    [ -n "$SIXPN_ASAN_DIR" ] || exit 0
    set -e
    # -O1: what ASan recommends, and half the compile time of -O2 -g; the bad-input suite needs
    # the checks, not the speed.
    cmake -S . -B "$SIXPN_ASAN_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DSIXPN_SANITIZE=ON \
      -DSIXPN_BUILD_TESTS=OFF -DSIXPN_BUILD_BENCH=OFF >"$SIXPN_ASAN_DIR/build.log" 2>&1
    cmake --build "$SIXPN_ASAN_DIR" -j 2 --target sixpn sixpnd >>"$SIXPN_ASAN_DIR/build.log" 2>&1
  ' </dev/null &
  side_pid=$!
  trap '[ -n "$side_pid" ] && kill -- "-$side_pid" 2>/dev/null' EXIT
fi

./scripts/build.sh
tests_rc=0
(cd "$build" && ctest --output-on-failure -j 2 "$@") || tests_rc=$?

[ -z "$asan_early" ] && exit "$tests_rc"
# Nothing is left to yield to: the ASan build is what this command waits for now, and at nice 19
# anything else on the machine would starve it.
echo 0 2>/dev/null >"/proc/$side_pid/autogroup" || true
renice -n 0 -g "$side_pid" >/dev/null 2>&1 || true
if ! wait "$side_pid"; then
  side_pid=""
  echo "the ASan/UBSan build failed; its log:" >&2
  tail -50 "$asan/build.log" >&2
  exit 1
fi
side_pid=""
[ "$tests_rc" -eq 0 ] || exit "$tests_rc"
asan=$(cd "$asan" && pwd)
echo "bad-input suite against the ASan/UBSan build ($asan):"
SIXPN_BIN="$asan/commands/sixpn" SIXPND_BIN="$asan/server/sixpnd" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98 \
  timeout 1800 bash tests/integration/fault_bad_input_test.sh
