#!/usr/bin/env bash
# Peer creates per second through the REST API with 1, 8 and 32 concurrent clients (each create
# a fresh key, a unique name and therefore a unique address), against the ceiling: the same
# rows inserted straight into SQLite (same schema, WAL, synchronous=FULL, one transaction per
# create) in a database on the same disk. Alternating, ROUNDS rounds of SECONDS each.
#   PROFILE=1 also records `perf record -g` of sixpnd under 8 clients into $PROFILE_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/server.sh"
ROUNDS=${ROUNDS:-10}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-1}
LOAD_BIN=${LOAD_BIN:-$BENCH_BUILD/bench/bench_peer_load}
INSERTS_BIN=${INSERTS_BIN:-$BENCH_BUILD/bench/bench_sqlite_inserts}
PROFILE=${PROFILE:-0}
PROFILE_DIR=${PROFILE_DIR:-$BENCH_BUILD/bench-profile}

bench_server_start bench

rate() { sed -n 's/.*per_second=\([0-9.]*\).*/\1/p'; }

run=0
for clients in 1 8 32; do
  api_runs="" sql_runs=""
  for round in $(seq 1 "$ROUNDS"); do
    run=$((run + 1))
    api_runs="$api_runs $("$LOAD_BIN" --url "$BENCH_API" --token "$BENCH_TOKEN" --org bench \
      --clients "$clients" --count 1000000 --seconds "$SECONDS_PER_RUN" --prefix "r$run" | rate)"
    sql_runs="$sql_runs $("$INSERTS_BIN" --db "$BENCH_WORK/raw.db" --count 1000000 \
      --seconds "$SECONDS_PER_RUN" | rate)"
  done
  read -r am amin amax <<<"$(median_min_max "$api_runs")"
  read -r bm bmin bmax <<<"$(median_min_max "$sql_runs")"
  bench_row "api: peer creates/s, $clients clients" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" \
    "$(awk -v a="$am" -v b="$bm" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')" \
    "(raw SQLite = limit)" "$ROUNDS" "/s"
done

if [ "$PROFILE" = 1 ]; then
  mkdir -p "$PROFILE_DIR"
  perf record -g -F 999 -o "$PROFILE_DIR/sixpnd.perf" -p "$BENCH_SIXPND_PID" -- sleep 6 \
    >/dev/null 2>&1 &
  perf_pid=$!
  sleep 0.5
  "$LOAD_BIN" --url "$BENCH_API" --token "$BENCH_TOKEN" --org bench --clients 8 \
    --count 1000000 --seconds 5 --prefix prof >"$PROFILE_DIR/load.txt"
  wait "$perf_pid" || true
  perf report -i "$PROFILE_DIR/sixpnd.perf" --no-children --sort dso,symbol --stdio 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -40 >"$PROFILE_DIR/sixpnd.top.txt"
  echo "profile: $PROFILE_DIR/sixpnd.top.txt" >&2
fi
