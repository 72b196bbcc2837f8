#!/usr/bin/env bash
# Tokens over their life: sixpnd tokens create --name --expires, list (table and --json, never
# the token or its hash), revoke; a revoked or expired token is 401 on its very next request,
# also on a kept-alive connection and on a request that was already waiting in the queue.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

# A small connection cap, so that a few blocked connections make the queue of the last case.
MAX_CONNECTIONS=8
start_sixpnd --max-connections "$MAX_CONNECTIONS" || exit 1
"$SIXPND_BIN" orgs create acme --db "$DB" >/dev/null 2>&1 || exit 1
"$SIXPND_BIN" orgs create beta --db "$DB" >/dev/null 2>&1 || exit 1

# tokens_json — `sixpnd tokens list --json` into OUT.
tokens_json() {
  run "$SIXPND_BIN" tokens list --db "$DB" --json
  assert_rc 0
}

test_create_with_a_name_and_expiry_says_its_id_on_stderr_and_only_the_token_on_stdout() {
  run "$SIXPND_BIN" tokens create --db "$DB" --org acme --org beta --name ci-deploy --expires 30d
  assert_rc 0
  [[ "$OUT" =~ ^sixpn_[A-Za-z0-9_-]{43}$ ]] || fail "stdout is not just the token: [$OUT]"
  [[ "$ERR" =~ ^Created\ token\ [0-9]+\ \(ci-deploy\)\ for\ orgs\ acme,\ beta\;\ expires\ 20[0-9-]{8}T[0-9:]{8}Z$ ]] ||
    fail "stderr: [$ERR]"
  local id expires want
  id=$(sed -E 's/^Created token ([0-9]+) .*/\1/' <<<"$ERR")
  tokens_json
  expires=$(json_get "$OUT" "[t for t in d if t['id']==$id][0]['expires_at']")
  want=$(date -u -d '+30 days' +%s)
  local got
  got=$(date -u -d "$expires" +%s)
  [ $((want - got)) -ge 0 ] && [ $((want - got)) -le 60 ] || fail "expires_at $expires is not 30 days from now"
}

test_list_shows_id_name_orgs_times_and_never_the_token_or_its_hash() {
  local token hash
  token=$("$SIXPND_BIN" tokens create --db "$DB" --org beta --name lister 2>/dev/null) || fail "create"
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  tokens_json
  local json=$OUT
  assert_not_contains "$json" "$token" "tokens list --json"
  assert_not_contains "${json,,}" "$hash" "tokens list --json"
  local row
  row=$(json_get "$json" "[t for t in d if t['name']=='lister'][0]")
  assert_eq '["created_at", "expires_at", "id", "last_used_at", "name", "operator", "orgs"]' \
    "$(json_get "$row" 'sorted(d.keys())')" "keys of a listed token"
  assert_eq '["beta"]' "$(json_get "$row" 'd["orgs"]')" "orgs"
  assert_eq null "$(json_get "$row" 'd["expires_at"]')" "expires_at"
  assert_eq null "$(json_get "$row" 'd["last_used_at"]')" "last_used_at before any use"
  local id created
  id=$(json_get "$row" 'd["id"]')
  created=$(json_get "$row" 'd["created_at"]')
  # A use is recorded (to the minute), and shows in the table too.
  TOKEN=$token call GET /v1/orgs
  assert_status 200
  tokens_json
  [[ "$(json_get "$OUT" "[t for t in d if t['id']==$id][0]['last_used_at']")" =~ ^20[0-9-]{8}T[0-9:]{8}Z$ ]] ||
    fail "last_used_at was not recorded: $OUT"
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_rc 0
  assert_not_contains "$OUT" "$token" "tokens list"
  assert_not_contains "${OUT,,}" "$hash" "tokens list"
  assert_eq "ID  NAME" "$(head -1 <<<"$OUT" | cut -c1-8)" "table header"
  assert_eq "ORGS CREATED EXPIRES LAST USED" "$(head -1 <<<"$OUT" | tr -s ' ' | cut -d' ' -f3-)" "table header"
  local line
  line=$(grep -E "^$id +lister " <<<"$OUT" | tr -s ' ')
  [[ "$line" =~ ^$id\ lister\ beta\ $created\ never\ 20[0-9-]{8}T[0-9:]{8}Z$ ]] || fail "row: [$line]"
}

test_last_use_is_written_at_most_once_a_minute() {
  local token id first
  token=$("$SIXPND_BIN" tokens create --db "$DB" --org acme --name often 2>/dev/null) || fail "create"
  TOKEN=$token call GET /v1/orgs
  tokens_json
  id=$(json_get "$OUT" "[t for t in d if t['name']=='often'][0]['id']")
  first=$(json_get "$OUT" "[t for t in d if t['id']==$id][0]['last_used_at']")
  # Pretend the last use was 30 s ago: within the minute, more requests write nothing.
  local recent
  recent=$(date -u -d '-30 seconds' +%Y-%m-%dT%H:%M:%SZ)
  sqlite3 "$DB" "UPDATE tokens SET last_used_at = '$recent' WHERE id = $id" || fail "sqlite3"
  local i
  for i in 1 2 3; do TOKEN=$token call GET /v1/orgs; done
  assert_eq "$recent" "$(sqlite3 "$DB" "SELECT last_used_at FROM tokens WHERE id = $id")" "last_used_at within the minute"
  # Older than a minute: the next request records it again.
  sqlite3 "$DB" "UPDATE tokens SET last_used_at = '2020-01-01T00:00:00Z' WHERE id = $id" || fail "sqlite3"
  TOKEN=$token call GET /v1/orgs
  local now
  now=$(sqlite3 "$DB" "SELECT last_used_at FROM tokens WHERE id = $id")
  [[ "$now" > "$recent" ]] || fail "last_used_at was not refreshed: $now"
}

test_revoked_token_is_401_on_its_next_request_also_on_a_kept_alive_connection() {
  local token id
  token=$("$SIXPND_BIN" tokens create --db "$DB" --org acme --name leaked 2>"$WORK/created") || fail "create"
  id=$(sed -E 's/^Created token ([0-9]+) .*/\1/' "$WORK/created")
  # Two requests on one connection, the token revoked between them.
  exec 3<>"/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect"
  local request="GET /v1/orgs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer $token\r\n\r\n"
  printf "$request" >&3
  local status line length=0
  IFS= read -r -t 5 status <&3 || fail "no first answer"
  while IFS= read -r -t 5 line <&3 && [ "$line" != $'\r' ]; do
    [[ "${line,,}" =~ ^content-length:\ ([0-9]+) ]] && length=${BASH_REMATCH[1]}
  done
  [ "$length" -gt 0 ] && IFS= read -r -t 5 -N "$length" line <&3
  assert_eq $'HTTP/1.1 200 OK\r' "$status" "before revoking"
  run "$SIXPND_BIN" tokens revoke "$id" --db "$DB"
  assert_rc 0
  assert_eq "" "$OUT" "revoke stdout"
  assert_eq "Revoked token $id; requests with it now get 401" "$ERR" "revoke stderr"
  printf "$request" >&3
  IFS= read -r -t 5 status <&3 || fail "no second answer"
  exec 3<&-
  assert_eq $'HTTP/1.1 401 Unauthorized\r' "$status" "after revoking, same connection"
  TOKEN=$token call GET /v1/tokens/current
  assert_error 401 unauthorized
  tokens_json
  assert_eq "[]" "$(json_get "$OUT" "[t for t in d if t['id']==$id]")" "revoked token still listed"
  run "$SIXPND_BIN" tokens revoke "$id" --db "$DB"
  assert_rc 4
  assert_eq "Error: token $id does not exist" "$ERR"
}

# Every connection sixpnd serves at once busy (each stuck reading a request that never ends),
# a request with the token waits in the queue; the token is revoked; the workers are freed; the queued request is 401.
test_a_request_already_queued_when_its_token_is_revoked_is_401() {
  local token id
  token=$("$SIXPND_BIN" tokens create --db "$DB" --org acme --name queued 2>"$WORK/created") || fail "create"
  id=$(sed -E 's/^Created token ([0-9]+) .*/\1/' "$WORK/created")
  python3 - "$PORT" "$token" "$SIXPND_BIN" "$DB" "$id" "$MAX_CONNECTIONS" >"$WORK/queued" 2>&1 <<'PY'
import select, socket, subprocess, sys
port, token, sixpnd, db, token_id = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
blockers = []
for _ in range(int(sys.argv[6])):  # --max-connections
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /v1/orgs HTTP/1.1\r\nHost: x\r\n")  # headers never finished
    blockers.append(s)
waiting = socket.create_connection(("127.0.0.1", port))
waiting.sendall(("GET /v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                 "Connection: close\r\n\r\n" % token).encode())
if select.select([waiting], [], [], 0.7)[0]:
    print("not queued: answered while every worker was busy"); sys.exit(1)
subprocess.run([sixpnd, "tokens", "revoke", token_id, "--db", db], check=True,
               stderr=subprocess.DEVNULL)
for s in blockers:
    s.close()
waiting.settimeout(10)
print(waiting.recv(4096).split(b"\r\n")[0].decode())
PY
  assert_eq "HTTP/1.1 401 Unauthorized" "$(cat "$WORK/queued")" "the queued request"
}

test_expired_token_is_401_and_listed_as_expired() {
  local token
  token=$("$SIXPND_BIN" tokens create --db "$DB" --org acme --name brief --expires 2s 2>/dev/null) || fail "create"
  TOKEN=$token call GET /v1/orgs
  assert_status 200
  sleep 3
  TOKEN=$token call GET /v1/orgs
  assert_error 401 unauthorized
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_contains "$(grep ' brief ' <<<"$OUT")" "(expired)" "table row"
}

test_expiry_as_an_rfc3339_time_and_bad_expiries() {
  run "$SIXPND_BIN" tokens create --db "$DB" --org acme --name dated --expires 2099-01-01T01:00:00+01:00
  assert_rc 0
  tokens_json
  assert_eq "2099-01-01T00:00:00Z" "$(json_get "$OUT" "[t for t in d if t['name']=='dated'][0]['expires_at']")"
  local bad
  for bad in 30 30y -5m 0d soon 2099-13-01T00:00:00Z; do
    run "$SIXPND_BIN" tokens create --db "$DB" --org acme --expires "$bad"
    assert_rc 2
    assert_eq "Error: --expires \"$bad\" is neither a duration (90m, 12h, 30d) nor an RFC 3339 time (2026-12-31T00:00:00Z)" "$ERR"
    assert_eq "" "$OUT" "no token for --expires $bad"
  done
  run "$SIXPND_BIN" tokens create --db "$DB" --org acme --expires 2020-01-01T00:00:00Z
  assert_rc 2
  assert_eq "Error: --expires 2020-01-01T00:00:00Z is not in the future" "$ERR"
  run "$SIXPND_BIN" tokens create --db "$DB" --org acme --name "has space"
  assert_rc 2
  assert_eq 'Error: token name "has space" may use only letters, digits and . _ @ -' "$ERR"
}

test_revoke_of_an_unknown_or_malformed_id() {
  run "$SIXPND_BIN" tokens revoke 999999 --db "$DB"
  assert_rc 4
  assert_eq "Error: token 999999 does not exist" "$ERR"
  run "$SIXPND_BIN" tokens revoke abc --db "$DB"
  assert_rc 2
}

run_suite
