#!/usr/bin/env bash
# Runs every benchmark and prints one table: each figure against a reference measured in the
# same run (alternating A B A B …), median with min–max, the ratio and the goal. Builds what it
# needs first. Every server it starts is its own, on 127.0.0.1 with a temp database.
#   bench/run.sh [cli|control_plane|dns|idle_watches|machines|proxy|startup …]     (default: all)
#   RESULTS_TSV=FILE keeps the rows as tab-separated values as well.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${SIXPN_BUILD_DIR:-$here/../build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here/.." -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" -j2 sixpn sixpnd bench_peer_load bench_sqlite_inserts bench_proxy_node bench_tcp_backend \
  >/dev/null
export SIXPN_BUILD_DIR=$build

suites=("$@")
[ "${#suites[@]}" -gt 0 ] || suites=(startup cli control_plane dns idle_watches machines proxy)
tsv=${RESULTS_TSV:-$(mktemp "${TMPDIR:-/tmp}/sixpn-bench-results.XXXXXX")}
export RESULTS_TSV=$tsv
echo "sixpn benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
printf '%-34s %22s  %22s  %7s  %s\n' "figure" "sixpn: median (min–max)" "reference" "ratio" "goal"
status=0
for suite in "${suites[@]}"; do
  script="$here/$suite.sh"
  if [ ! -x "$script" ]; then
    echo "bench/run.sh: no benchmark $suite" >&2
    status=1
    continue
  fi
  "$script" || { echo "bench/run.sh: $suite failed" >&2; status=1; }
done
exit $status
