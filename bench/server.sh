# A private sixpnd for one benchmark script: 127.0.0.1, a free port, a temp database, one org
# and a token; stopped and removed when the script exits. Source after lib.sh.
#   bench_server_start ORG   sets BENCH_WORK, BENCH_DB, BENCH_API, BENCH_TOKEN and exports the
#                            SIXPN_* variables so `sixpn` talks to it with an empty config
set -u

BENCH_BUILD=${SIXPN_BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}
SIXPN_BIN=${SIXPN_BIN:-$BENCH_BUILD/commands/sixpn}
SIXPND_BIN=${SIXPND_BIN:-$BENCH_BUILD/server/sixpnd}
BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-bench.XXXXXX")
BENCH_DB="$BENCH_WORK/sixpnd.db"
BENCH_PIDS=()

# Under `set -e` a process that already ended (kill fails) or the status of one killed here
# (wait gives 143) would otherwise end the trap early, and the script with that status.
bench_cleanup() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$BENCH_WORK"
}
trap bench_cleanup EXIT

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# bench_server_start ORG [extra serve flags…]
bench_server_start() {
  local org=$1 i port
  shift
  "$SIXPND_BIN" orgs create "$org" --db "$BENCH_DB" >/dev/null || return 1
  BENCH_TOKEN=$("$SIXPND_BIN" tokens create --db "$BENCH_DB" --org "$org") || return 1
  port=$(bench_free_port)
  BENCH_API="http://127.0.0.1:$port"
  "$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$BENCH_DB" "$@" \
    >>"$BENCH_WORK/sixpnd.log" 2>&1 &
  BENCH_SIXPND_PID=$!
  BENCH_PIDS+=("$BENCH_SIXPND_PID")
  for i in $(seq 1 100); do
    curl -sf -o /dev/null --max-time 1 "$BENCH_API/v1/platform/regions" && break
    sleep 0.1
  done
  export SIXPN_API_URL="$BENCH_API" SIXPN_API_TOKEN="$BENCH_TOKEN"
  export SIXPN_CONFIG_DIR="$BENCH_WORK/config" NO_COLOR=1 CI=1
  unset SIXPN_ORG SIXPN_APP SIXPN_WG_REGION
}

# bench_row NAME VALUE MIN MAX REF REFMIN REFMAX RATIO GOAL RUNS UNIT — a row for figures that
# are not wall times of one command (rates, sizes); same columns as compare().
bench_row() {
  printf '%-34s %9s %s (%s–%s)  %9s %s (%s–%s)  %6sx  goal %s\n' "$1" "$2" "${11}" "$3" "$4" \
    "$5" "${11}" "$6" "$7" "$8" "$9"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
    "$9" "${10}" >>"$RESULTS_TSV"
}

# median_min_max "v v v…" — "median min max" of plain numbers (two decimals).
median_min_max() {
  echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.2f %.2f %.2f\n", m, v[1], v[NR]
    }'
}
