#!/usr/bin/env bash
# sixpnd as a process: restart keeps the data, clean shutdown, clear start-up errors, the
# operator commands and the seed file. Each case runs its own sixpnd on its own database.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

own_server() {  # name [serve flags…] — a fresh database and a sixpnd for this case only
  DB="$WORK/$1.db"
  shift
  trap stop_sixpnd EXIT
  start_sixpnd "$@" || fail "sixpnd did not start"
}

test_restart_keeps_everything() {
  own_server restart
  TOKEN=$(new_org acme) || fail "new_org"
  call POST /v1/apps '{"app_name":"keep","org_slug":"acme"}'
  call POST /v1/apps/keep/machines '{"region":"ams","metadata":{"k":"v"}}'
  call POST /v1/apps/keep/ip_assignments '{"type":"private_v6"}'
  call POST /v1/orgs/acme/wireguard_peers "$(peer_json keeper fra)"
  local gw before_peers before_machines before_ips
  gw=$(json_get "$OUT" 'd["gateway_pubkey"]')
  call GET /v1/orgs/acme/wireguard_peers; before_peers=$OUT
  call GET /v1/apps/keep/machines; before_machines=$OUT
  call GET /v1/apps/keep/ip_assignments; before_ips=$OUT
  stop_sixpnd
  start_sixpnd || fail "restart failed"
  call GET /v1/orgs/acme/wireguard_peers
  assert_status 200
  assert_eq "$before_peers" "$OUT" "peers after restart"
  assert_eq "$gw" "$(json_get "$OUT" 'd["items"][0]["gateway_pubkey"]')" "gateway key after restart"
  call GET /v1/apps/keep/machines
  assert_eq "$before_machines" "$OUT" "machines after restart"
  call GET /v1/apps/keep/ip_assignments
  assert_eq "$before_ips" "$OUT" "ip assignments after restart"
}

test_released_addresses_stay_released_across_a_restart() {
  own_server released
  TOKEN=$(new_org acme) || fail "new_org"
  call POST /v1/orgs/acme/wireguard_peers "$(peer_json gone ams)"
  local old
  old=$(json_get "$OUT" 'd["peer_ip"]')
  call DELETE /v1/orgs/acme/wireguard_peers/gone
  assert_status 204
  stop_sixpnd
  start_sixpnd || fail "restart failed"
  call POST /v1/orgs/acme/wireguard_peers "$(peer_json gone ams)"
  assert_status 201
  [ "$(json_get "$OUT" 'd["peer_ip"]')" != "$old" ] || fail "released address $old handed out again"
}

test_sigterm_finishes_the_request_in_flight_and_exits_0() {
  own_server inflight
  TOKEN=$(new_org acme) || fail "new_org"
  local body
  body=$(peer_json late ams)
  # Send the headers and half the body, signal sixpnd, then send the rest.
  python3 - "$PORT" "$TOKEN" "$body" "$SIXPND_PID" >"$WORK/inflight.out" <<'PY' &
import os, signal, socket, sys, time
port, token, body, pid = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode(), int(sys.argv[4])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"POST /v1/orgs/acme/wireguard_peers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
          b"Authorization: Bearer " + token.encode() + b"\r\nContent-Type: application/json\r\n"
          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
time.sleep(0.5)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
s.sendall(body[10:])
print(s.recv(65536).decode().split("\r\n")[0])
PY
  local client=$!
  wait "$client"
  wait "$SIXPND_PID"
  local rc=$?
  SIXPND_PID=""
  assert_eq 0 "$rc" "sixpnd exit code"
  assert_contains "$(cat "$WORK/inflight.out")" "201" "in-flight response"
  assert_contains "$(cat "$SIXPND_LOG")" "SIGTERM received"
  start_sixpnd || fail "restart failed"
  call GET /v1/orgs/acme/wireguard_peers
  assert_eq '["late"]' "$(json_get "$OUT" '[p["name"] for p in d["items"]]')"
}

test_sigint_exits_0() {
  own_server sigint
  kill -INT "$SIXPND_PID"
  wait "$SIXPND_PID"
  local rc=$?
  SIXPND_PID=""
  assert_eq 0 "$rc" "exit code after SIGINT"
}

test_port_taken_is_one_clear_error_and_exit_1() {
  own_server porttaken
  run "$SIXPND_BIN" serve --listen "127.0.0.1:$PORT" --db "$WORK/other.db"
  assert_rc 1
  assert_eq 1 "$(wc -l <<<"$ERR")" "stderr lines"
  assert_contains "$ERR" "Error: cannot listen on 127.0.0.1:$PORT"
  assert_contains "$ERR" "in use"
}

test_unopenable_database_is_one_clear_error_and_exit_1() {
  run "$SIXPND_BIN" serve --listen 127.0.0.1:1 --db "$WORK/no/such/dir/x.db"
  assert_rc 1
  assert_contains "$ERR" "Error: cannot open database $WORK/no/such/dir/x.db"
  echo "not a database, only text long enough to fill a header page" >"$WORK/text.db"
  run "$SIXPND_BIN" serve --listen 127.0.0.1:1 --db "$WORK/text.db"
  assert_rc 1
  assert_contains "$ERR" "Error: cannot open database"
}

test_bad_flags_and_seed_are_usage_errors_exit_2() {
  run "$SIXPND_BIN" serve --listen nope --db "$WORK/x.db"
  assert_rc 2
  assert_contains "$ERR" "Error: --listen nope"
  printf 'regions = 5\n' >"$WORK/bad.toml"
  run "$SIXPND_BIN" serve --listen 127.0.0.1:1 --db "$WORK/x.db" --seed "$WORK/bad.toml"
  assert_rc 2
  assert_contains "$ERR" "Error: $WORK/bad.toml:1:"
  run "$SIXPND_BIN" serve --listen 127.0.0.1:1 --db "$WORK/x.db" --nearest bog
  assert_rc 2
  assert_contains "$ERR" "has no gateway"
  run "$SIXPND_BIN" serve --listen 127.0.0.1:1 --db "$WORK/x.db" --host
  assert_rc 2
  assert_eq "Error: --host needs --gateway-interface: the embedded host's machines are reached through the gateway" "$ERR"
}

test_seed_file_sets_regions_nearest_and_orgs() {
  cat >"$WORK/seed.toml" <<'TOML'
nearest = "lab"
[[regions]]
code = "lab"
name = "The Lab"
latitude = 1.5
longitude = 2.5
gateway_available = true
gateway_host = 0x0c000001
[[regions]]
code = "attic"
name = "The Attic"
latitude = 3
longitude = 4
gateway_available = false
[[orgs]]
slug = "seeded"
name = "Seeded Org"
TOML
  own_server seeded --seed "$WORK/seed.toml"
  call GET /v1/platform/regions
  assert_eq '["lab", "attic"]' "$(json_get "$OUT" '[r["code"] for r in d["items"]]')"
  assert_eq lab "$(json_get "$OUT" 'd["nearest"]')"
  TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org seeded) || fail "seeded org missing"
  call POST /v1/orgs/seeded/wireguard_peers "$(peer_json p lab)"
  assert_status 201
  assert_eq "fdaa:0:1:c00:1:0:a:2" "$(json_get "$OUT" 'd["peer_ip"]')" "peer behind the seed's gateway host"
  call POST /v1/orgs/seeded/wireguard_peers "$(peer_json q attic)"
  assert_error 422 no_gateway
}

test_nearest_flag_overrides_the_default() {
  own_server nearest --nearest fra
  call GET /v1/platform/regions
  assert_eq fra "$(json_get "$OUT" 'd["nearest"]')"
}

test_tokens_create_prints_only_the_token_and_stores_only_its_hash() {
  DB="$WORK/tokens.db"
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 0
  assert_eq "" "$OUT" "orgs create stdout"
  run "$SIXPND_BIN" tokens create --db "$DB" --org acme
  assert_rc 0
  [[ "$OUT" =~ ^sixpn_[A-Za-z0-9_-]{43}$ ]] || fail "token format: [$OUT]"
  local token=$OUT
  grep -q "$token" "$DB" "$DB-wal" 2>/dev/null && fail "the token itself is in the database"
  local hash
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  assert_eq 1 "$(sqlite3 "$DB" "SELECT count(*) FROM tokens WHERE hex(sha256) = upper('$hash')")" "stored hash"
}

test_operator_commands_exit_codes() {
  DB="$WORK/ops.db"
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 0
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 5
  assert_contains "$ERR" "Error: org acme already exists"
  run "$SIXPND_BIN" orgs create "Bad_Slug" --db "$DB"
  assert_rc 2
  run "$SIXPND_BIN" tokens create --db "$DB" --org nope
  assert_rc 4
  assert_eq "" "$OUT" "no token printed"
  run "$SIXPND_BIN" tokens create --db "$DB"
  assert_rc 2
}

run_suite
