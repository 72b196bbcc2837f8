#!/usr/bin/env bash
# The control plane's side of hosts (docs/host-protocol.md) with the real sixpnd, curl and the
# `sixpnd hosts` commands: join tokens (single use, expiry), registration, credential scopes,
# the state watch waking on a change, removal, and the operator's list.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
ORG_TOKEN=$(new_org acme 2>/dev/null) || exit 1
OPERATOR_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --operator --name ops 2>/dev/null) || exit 1

# join_token REGION [flags…] — a fresh join token on stdout.
join_token() {
  local region=$1
  shift
  "$SIXPND_BIN" hosts create --db "$DB" --region "$region" "$@" 2>/dev/null
}

# register JOIN_TOKEN [NAME [PUBKEY]] — POST /v1/hosts/register into RC/OUT.
register() {
  local body
  body=$(printf '{"join_token":"%s","pubkey":"%s","endpoint":"10.0.0.2:51821","name":"%s"}' \
    "$1" "${3:-$(random_pubkey)}" "${2:-}")
  TOKEN="" call POST /v1/hosts/register "$body"
}

# host_credential NAME — registers a host in fra and prints its credential.
host_credential() {
  register "$(join_token fra)" "$1"
  [ "$RC" == 201 ] || return 1
  json_get "$OUT" 'd["credential"]'
}

test_hosts_create_prints_only_the_join_token_on_stdout() {
  run "$SIXPND_BIN" hosts create --db "$DB" --region ams --name ams-9
  assert_rc 0
  [[ "$OUT" =~ ^sixpn_join_[A-Za-z0-9_-]{43}$ ]] || fail "stdout is not just the token: [$OUT]"
  assert_contains "$ERR" "region ams"
}

test_an_unknown_region_is_exit_2_with_the_list_of_regions() {
  run "$SIXPND_BIN" hosts create --db "$DB" --region nowhere
  assert_rc 2
  assert_contains "$ERR" "ams, arn"
  assert_eq "" "$OUT" "stdout"
}

test_a_join_token_registers_once_and_a_reuse_is_refused() {
  local token
  token=$(join_token fra) || fail "hosts create"
  register "$token" fra-once
  assert_status 201
  [[ "$(json_get "$OUT" 'd["credential"]')" == sixpn_host_* ]] || fail "credential: $OUT"
  assert_eq fra "$(json_get "$OUT" 'd["host"]["region"]')" "region"
  register "$token" fra-twice
  assert_error 401 join_token_invalid
}

test_a_key_that_is_another_hosts_or_the_gateways_is_refused() {
  local key gateway
  key=$(random_pubkey)
  register "$(join_token fra)" fra-key-1 "$key"
  assert_status 201
  register "$(join_token fra)" fra-key-2 "$key"
  assert_error 409 host_key_taken
  gateway=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT public_key FROM gateway_key").fetchone()[0])' "$DB")
  register "$(join_token fra)" fra-key-3 "$gateway"
  assert_error 409 host_key_taken
  assert_contains "$OUT" "the gateway's"
}

test_an_expired_join_token_is_refused() {
  local token
  token=$(join_token fra --expires 1s) || fail "hosts create"
  sleep 2
  register "$token"
  assert_error 401 join_token_invalid
}

test_an_org_token_cannot_watch_a_hosts_state() {
  TOKEN=$ORG_TOKEN call GET '/v1/hosts/self/state?wait=0'
  assert_error 403 forbidden
}

test_an_org_token_cannot_list_hosts_and_the_operator_can() {
  host_credential listed >/dev/null || fail "register"
  TOKEN=$ORG_TOKEN call GET /v1/hosts
  assert_error 403 forbidden
  TOKEN=$OPERATOR_TOKEN call GET /v1/hosts
  assert_status 200
  assert_contains "$(json_get "$OUT" '[h["name"] for h in d["items"]]')" '"listed"'
  assert_eq live "$(json_get "$OUT" '[h["state"] for h in d["items"] if h["name"]=="listed"][0]')"
}

test_the_watch_wakes_with_a_newer_version_after_a_machine_is_created() {
  local credential version
  credential=$(host_credential watcher) || fail "register"
  TOKEN=$credential call GET '/v1/hosts/self/state?wait=0'
  assert_status 200
  version=$(json_get "$OUT" 'd["version"]')
  # The watch is parked (wait=60) while a machine is created; it must come back with a newer
  # version, whether the create landed before or during the wait.
  curl -s -o "$WORK/watch" -H "Authorization: Bearer $credential" \
    "$API/v1/hosts/self/state?after=$version&wait=60" &
  local watch=$!
  TOKEN=$ORG_TOKEN call POST /v1/apps '{"app_name":"watched","org_slug":"acme"}'
  assert_status 201
  TOKEN=$ORG_TOKEN call POST /v1/apps/watched/machines '{"region":"fra"}'
  assert_status 201
  wait "$watch" || fail "the watch failed"
  local newer
  newer=$(json_get "$(cat "$WORK/watch")" 'd["version"]')
  [ "$newer" -gt "$version" ] || fail "version $newer is not past $version"
}

test_a_removed_hosts_credential_is_refused() {
  local credential
  credential=$(host_credential doomed) || fail "register"
  TOKEN=$credential call GET '/v1/hosts/self/state?wait=0'
  assert_status 200
  run "$SIXPND_BIN" hosts remove doomed --db "$DB"
  assert_rc 0
  TOKEN=$credential call GET '/v1/hosts/self/state?wait=0'
  assert_error 401 unauthorized
}

test_hosts_list_shows_hex_and_decimal_ids_in_json() {
  host_credential lister >/dev/null || fail "register"
  run "$SIXPND_BIN" hosts list --db "$DB" --json
  assert_rc 0
  local row
  row=$(json_get "$OUT" '[h for h in d if h["name"]=="lister"][0]')
  [[ "$(json_get "$row" 'd["id_hex"]')" =~ ^0c[0-9a-f]{6}$ ]] || fail "id_hex: $row"
  assert_eq "$(json_get "$row" 'int(d["id_hex"], 16)')" "$(json_get "$row" 'd["id"]')" "id"
  run "$SIXPND_BIN" hosts list --db "$DB"
  assert_rc 0
  assert_contains "$OUT" "lister"
}

test_removing_an_unknown_host_is_exit_4() {
  run "$SIXPND_BIN" hosts remove no-such-host --db "$DB"
  assert_rc 4
}

run_suite
