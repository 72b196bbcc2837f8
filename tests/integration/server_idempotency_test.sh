#!/usr/bin/env bash
# sixpnd over real HTTP: a repeated Idempotency-Key returns the first result, creates nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
TOKEN=$(new_org acme) || exit 1
OTHER=$("$SIXPND_BIN" tokens create --db "$DB" --org acme) || exit 1
export TOKEN
PEERS=/v1/orgs/acme/wireguard_peers

count_peers() {  # prefix
  call GET "$PEERS?limit=1000"
  json_get "$OUT" "len([p for p in d['items'] if p['name'].startswith('$1')])"
}

test_replayed_key_returns_the_first_response_and_creates_nothing() {
  local body first
  body=$(peer_json replay ams)
  call POST $PEERS "$body" -H "Idempotency-Key: key-replay"
  assert_status 201
  first=$OUT
  assert_not_contains "$HDRS" "Idempotent-Replayed"
  call POST $PEERS "$body" -H "Idempotency-Key: key-replay"
  assert_status 201
  assert_eq "$first" "$OUT" "replayed body"
  assert_contains "$HDRS" "Idempotent-Replayed: true"
  assert_eq 1 "$(count_peers replay)" "peers named replay"
}

test_without_a_key_the_same_request_is_a_new_create() {
  local body
  body=$(peer_json nokey ams)
  call POST $PEERS "$body"
  assert_status 201
  call POST $PEERS "$body"
  assert_error 409 conflict
}

test_same_key_for_a_different_request_is_refused() {
  call POST $PEERS "$(peer_json reuse-a ams)" -H "Idempotency-Key: key-reuse"
  assert_status 201
  call POST $PEERS "$(peer_json reuse-b ams)" -H "Idempotency-Key: key-reuse"
  assert_error 422 idempotency_key_reused
  assert_eq 0 "$(count_peers reuse-b)"
}

test_concurrent_duplicates_create_once() {
  local body i
  body=$(peer_json racer fra)
  for i in $(seq 1 10); do
    curl -s -o "$WORK/race$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
      -H "Idempotency-Key: key-race" -H 'Content-Type: application/json' --data-binary "$body" \
      "$API$PEERS" >"$WORK/race$i.status" &
  done
  wait
  for i in $(seq 1 10); do
    assert_eq 201 "$(cat "$WORK/race$i.status")" "status of request $i"
    assert_eq "$(cat "$WORK/race1")" "$(cat "$WORK/race$i")" "body of request $i"
  done
  assert_eq 1 "$(count_peers racer)"
}

test_keys_belong_to_their_token() {
  call POST /v1/apps '{"app_name":"mine","org_slug":"acme"}' -H "Idempotency-Key: key-token"
  assert_status 201
  TOKEN=$OTHER call POST /v1/apps '{"app_name":"mine","org_slug":"acme"}' -H "Idempotency-Key: key-token"
  assert_error 409 conflict
}

test_a_failed_request_is_not_kept_so_a_fixed_retry_can_succeed() {
  local key
  key=$(random_pubkey)
  call POST $PEERS "$(peer_json fixme bog "$key")" -H "Idempotency-Key: key-fail"
  assert_error 422 no_gateway
  call POST $PEERS "$(peer_json fixme bog "$key")" -H "Idempotency-Key: key-fail"
  assert_error 422 no_gateway
  assert_eq 0 "$(count_peers fixme)"
}

test_replay_survives_a_machine_create_too() {
  call POST /v1/apps '{"app_name":"idem-app","org_slug":"acme"}'
  call POST /v1/apps/idem-app/machines '{"region":"ams"}' -H "Idempotency-Key: key-machine"
  assert_status 201
  local id=$(json_get "$OUT" 'd["id"]')
  call POST /v1/apps/idem-app/machines '{"region":"ams"}' -H "Idempotency-Key: key-machine"
  assert_eq "$id" "$(json_get "$OUT" 'd["id"]')"
  call GET /v1/apps/idem-app/machines
  assert_eq 1 "$(json_get "$OUT" 'len(d["items"])')"
}

run_suite
