#!/usr/bin/env bash
# Durability: sixpnd is killed with SIGKILL while clients create peers concurrently. After each
# crash the database passes `PRAGMA integrity_check`; after a restart every create that was
# answered with a 2xx is there with the address it was given, no address was handed out twice
# (also not to creates made after the restart), and the database still holds no duplicates.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

CLIENTS=6
ROUNDS=3
PER_ROUND=60       # acknowledged creates to wait for before each kill
KEYS=4000          # pre-made public keys: more than all rounds can use

# make_keys N FILE — N distinct random 32-byte keys in WireGuard's base64 form.
make_keys() {
  python3 -c 'import os,base64,sys
for _ in range(int(sys.argv[1])): print(base64.b64encode(os.urandom(32)).decode())' "$1" >"$2"
}

# load_client INDEX TAG — creates peers until the server stops answering (3 failed
# exchanges in a row) or its keys run out; appends "name address" to $RECORD for each create
# that was acknowledged. An acknowledgement is what a client could act on: a 2xx whose reply
# curl received whole (exit 0). A 2xx whose body the SIGKILL cut off (curl exit 18, 56, …)
# promised nothing and counts as a failed exchange; a whole 2xx without an address is a bug.
load_client() {
  local index=$1 tag=$2 i=0 misses=0 key name reply rc code body ip
  local keyfile="$WORK/keys.$index"
  while read -r key; do
    name="$tag-c$index-$i"
    i=$((i + 1))
    rc=0
    reply=$(curl -s --max-time 20 -w '\n%{http_code}' -X POST \
      -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      --data-binary "{\"name\":\"$name\",\"region\":\"ams\",\"pubkey\":\"$key\"}" \
      "$API/v1/orgs/durable/wireguard_peers") || rc=$?
    code=${reply##*$'\n'}
    body=${reply%$'\n'*}
    [ "$rc" -ne 0 ] && code=000
    case "$code" in
      2??)
        misses=0
        ip=$(sed -n 's/.*"peer_ip":"\([^"]*\)".*/\1/p' <<<"$body")
        if [ -z "$ip" ]; then
          echo "$name HTTP $code without a peer_ip: $body" >>"$WORK/unexpected"
          continue
        fi
        echo "$name $ip" >>"$RECORD"  # one small O_APPEND write: lines never interleave
        ;;
      000)
        misses=$((misses + 1))
        [ "$misses" -ge 3 ] && return 0
        sleep 0.05
        ;;
      *) echo "$name HTTP $code ${reply%$'\n'*}" >>"$WORK/unexpected" ;;
    esac
  done <"$keyfile"
}

start_load() {  # TAG — starts $CLIENTS clients in the background; their pids in LOAD_PIDS
  LOAD_PIDS=()
  local c
  for c in $(seq 1 "$CLIENTS"); do
    load_client "$c" "$1" &
    LOAD_PIDS+=($!)
  done
}

wait_load() {
  local p
  for p in "${LOAD_PIDS[@]}"; do wait "$p"; done
}

# wait_records N — until $RECORD holds at least N lines (bounded: the server may be broken).
wait_records() {
  local i
  for i in $(seq 1 600); do
    [ "$(wc -l <"$RECORD")" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "only $(wc -l <"$RECORD") creates were acknowledged; expected $1"
}

integrity() {
  local result
  result=$(sqlite3 "$DB" 'PRAGMA integrity_check;' 2>&1)
  assert_eq "ok" "$result" "PRAGMA integrity_check after $1"
}

# check_promises — every acknowledged create is listed with its address; no address twice.
check_promises() {
  python3 - "$API" "$TOKEN" "$RECORD" <<'EOF' || fail "acknowledged creates are not all intact"
import json, sys, urllib.request
api, token, record = sys.argv[1:4]
peers, cursor = {}, None
while True:
    url = api + "/v1/orgs/durable/wireguard_peers?limit=1000" + ("&cursor=" + cursor if cursor else "")
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req, timeout=30))
    for p in page["items"]:
        if p["name"] in peers:
            sys.exit("peer %s listed twice" % p["name"])
        peers[p["name"]] = p["peer_ip"]
    cursor = page.get("next_cursor")
    if not cursor:
        break
bad = 0
promised = {}
for line in open(record):
    name, ip = line.split()
    if peers.get(name) != ip:
        print("    acknowledged %s %s, now %s" % (name, ip, peers.get(name, "missing")), file=sys.stderr)
        bad += 1
    if ip in promised:
        print("    address %s given to %s and %s" % (ip, promised[ip], name), file=sys.stderr)
        bad += 1
    promised[ip] = name
listed = {}
for name, ip in peers.items():
    if ip in listed:
        print("    address %s listed for %s and %s" % (ip, listed[ip], name), file=sys.stderr)
        bad += 1
    listed[ip] = name
print("    %d acknowledged, %d listed" % (len(promised), len(peers)), file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

test_acknowledged_creates_survive_sigkill() {
  LOAD_PIDS=()
  # A case runs in a subshell: stop what it started however it ends.
  trap 'kill "${LOAD_PIDS[@]}" 2>/dev/null; stop_sixpnd' EXIT
  TOKEN=$(new_org durable) || fail "cannot create the org"
  RECORD="$WORK/acknowledged"
  : >"$RECORD"
  local round target
  for round in $(seq 1 "$ROUNDS"); do
    make_keys "$KEYS" "$WORK/keys.all"
    split -n "l/$CLIENTS" --numeric-suffixes=1 --suffix-length=1 "$WORK/keys.all" "$WORK/keys."
    start_sixpnd || fail "sixpnd did not start (round $round)"
    target=$(($(wc -l <"$RECORD") + PER_ROUND))
    start_load "r$round"
    wait_records "$target"
    kill -KILL "$SIXPND_PID"
    wait "$SIXPND_PID" 2>/dev/null
    SIXPND_PID=""
    wait_load
    integrity "SIGKILL in round $round"
  done
  # After the last crash: new creates must not reuse an acknowledged address.
  start_sixpnd || fail "sixpnd did not start after the last crash"
  make_keys 40 "$WORK/keys.1"
  CLIENTS=1 start_load after
  wait_load
  [ -s "$WORK/unexpected" ] && fail "unexpected answers: $(head -3 "$WORK/unexpected")"
  check_promises
  local dupes
  dupes=$(sqlite3 "$DB" 'SELECT count(*) FROM (SELECT address FROM allocations GROUP BY address HAVING count(*) > 1);')
  assert_eq 0 "$dupes" "addresses held twice in the database"
  stop_sixpnd
  integrity "a clean stop"
}

run_suite
