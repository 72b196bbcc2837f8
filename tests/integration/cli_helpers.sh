# Shared by the cli_*_test.sh suites: a small fixed region catalogue so tables can be compared
# exactly, a running sixpnd, and helpers for fresh orgs and scratch directories.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SEED="$WORK/seed.toml"
cat >"$SEED" <<'TOML'
nearest = "fra"

[[regions]]
code = "ams"
name = "Amsterdam, Netherlands"
latitude = 52.374342
longitude = 4.895439
gateway_available = true

[[regions]]
code = "atl"
name = "Atlanta, Georgia (US)"
latitude = 33.6407
longitude = -84.4277
gateway_available = false

[[regions]]
code = "bog"
name = "Bogota, Colombia"
latitude = 4.70159
longitude = -74.1469
gateway_available = true
deprecated = true

[[regions]]
code = "fra"
name = "Frankfurt, Germany"
latitude = 50.1167
longitude = 8.6833
gateway_available = true
TOML

cli_start() {
  start_sixpnd --seed "$SEED" || exit 1
}

# fresh_org — creates an org with a unique slug; sets ORG and TOKEN and exports the token.
ORG_COUNTER=0
fresh_org() {
  ORG_COUNTER=$((ORG_COUNTER + 1))
  ORG="o${ORG_COUNTER}-$$-${RANDOM}"
  TOKEN=$(new_org "$ORG" 2>/dev/null) || fail "could not create org $ORG"
  export SIXPN_API_TOKEN="$TOKEN"
}

# app_in_fresh_org NAME — a new org with one app; app names are global, so APP is NAME-ORG.
app_in_fresh_org() {
  fresh_org
  APP="$1-$ORG"
  sixpn apps create "$APP"
  [ "$RC" = 0 ] || fail "apps create: $ERR"
}

# scratch — a fresh empty directory as the current directory.
scratch() {
  local d
  d=$(mktemp -d "$WORK/dir.XXXXXX")
  cd "$d" || exit 1
}

# peer_count ORG — number of peers the API lists for ORG (uses $TOKEN).
peer_count() {
  api GET "/v1/orgs/$1/wireguard_peers?limit=1000"
  json_get "$OUT" 'len(d["items"])'
}

# strip_ansi — sixpn never colours off a terminal; this only guards the comparisons below.
assert_json_keys() {  # json python-expr expected-sorted-keys
  local got
  got=$(json_get "$1" "sorted($2.keys())")
  assert_eq "$3" "$got" "keys of $2"
}

# hang_server — a TCP server on 127.0.0.1 that accepts connections and never answers; sets
# HANG_PORT and HANG_PID (the caller kills it). hang_wait_accepted blocks until a client got in.
hang_server() {
  rm -f "$WORK/hang.port" "$WORK/hang.accepted"
  python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
    open(sys.argv[1], "a").write("accepted\n")
' "$WORK/hang.accepted" >"$WORK/hang.port" 2>/dev/null &
  HANG_PID=$!
  local i
  for i in $(seq 1 100); do [ -s "$WORK/hang.port" ] && break; sleep 0.05; done
  HANG_PORT=$(cat "$WORK/hang.port")
  [ -n "$HANG_PORT" ] || fail "the hanging server did not start"
}
hang_wait_accepted() {
  local i
  for i in $(seq 1 200); do [ -s "$WORK/hang.accepted" ] && return 0; sleep 0.05; done
  fail "nobody connected to the hanging server"
}
