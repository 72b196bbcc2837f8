#!/usr/bin/env bash
# The one test command: builds, then runs every suite (unit, integration, end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
build=${SIXPN_BUILD_DIR:-build}
cd "$build"
ctest --output-on-failure -j 2 "$@"
