#!/usr/bin/env bash
# Peer creates per second against a local sixpnd on a fresh database: TOTAL creates from
# CLIENTS concurrent clients, measured twice — with the libcurl load generator (kept-alive
# connections) and with `xargs -P CLIENTS curl` (a new process and connection per request).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${SIXPN_BUILD_DIR:-$here/../build}
SIXPND_BIN=${SIXPND_BIN:-$build/server/sixpnd}
LOAD_BIN=${LOAD_BIN:-$build/bench/bench_peer_load}
TOTAL=${TOTAL:-2000}
CLIENTS=${CLIENTS:-32}

work=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db=$work/bench.db
"$SIXPND_BIN" orgs create bench --db "$db" 2>/dev/null
token=$("$SIXPND_BIN" tokens create --db "$db" --org bench)
"$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$db" 2>/dev/null &
pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v1/platform/regions" && break; sleep 0.1; done

echo "libcurl, $CLIENTS kept-alive clients:"
"$LOAD_BIN" --url "http://127.0.0.1:$port" --org bench --token "$token" --count "$TOTAL" \
  --clients "$CLIENTS" --seconds 600

echo "xargs -P $CLIENTS curl, one process and connection per request:"
python3 -c '
import base64, os, sys
for i in range(int(sys.argv[1])):
    print(f"{{\"name\":\"x{i}\",\"region\":\"fra\",\"pubkey\":\"{base64.b64encode(os.urandom(32)).decode()}\"}}")
' "$TOTAL" >"$work/bodies"
start=$(date +%s%N)
xargs -P "$CLIENTS" -d '\n' -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data-binary {} \
  "http://127.0.0.1:$port/v1/orgs/bench/wireguard_peers" <"$work/bodies" >"$work/codes"
end=$(date +%s%N)
ok=$(grep -c '^201$' "$work/codes" || true)
awk -v n="$ok" -v t="$TOTAL" -v ns="$((end - start))" -v c="$CLIENTS" 'BEGIN {
  printf "%d of %d peers created by %d clients in %.2f s: %.0f creates/s\n", n, t, c, ns / 1e9, n / (ns / 1e9) }'
