#!/usr/bin/env bash
# sixpnd over real HTTP: bad input of every kind is a JSON error with the right status.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
TOKEN=$(new_org acme) || exit 1
export TOKEN
PEERS=/v1/orgs/acme/wireguard_peers
call POST /v1/apps '{"app_name":"val","org_slug":"acme"}'

test_region_without_gateway_is_refused_naming_the_gateway_regions() {
  call POST $PEERS "$(peer_json no-gw bog)"
  assert_error 422 no_gateway
  local msg
  msg=$(json_get "$OUT" 'd["error"]')
  assert_contains "$msg" "bog"
  assert_contains "$msg" "ams"
  assert_contains "$msg" "iad"
  call GET $PEERS
  assert_eq 0 "$(json_get "$OUT" 'len([p for p in d["items"] if p["name"]=="no-gw"])')" "nothing created"
}

test_unknown_region_is_refused() {
  call POST $PEERS "$(peer_json nowhere xyz)"
  assert_error 422 unknown_region
  call POST /v1/apps/val/machines '{"region":"xyz"}'
  assert_error 422 unknown_region
}

test_bad_public_key_is_refused() {
  local key
  for key in "not-a-key" "$(random_pubkey | cut -c1-43)" "$(random_pubkey)=" \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB="; do
    call POST $PEERS "$(peer_json badkey ams "$key")"
    assert_error 422 invalid_pubkey
  done
}

# The low-order points of Curve25519 (u = 0, u = 1, the two of order 8, u = p - 1, and u = p,
# p + 1 that encode 0 and 1 again): every shared secret with them is zero, so no handshake can
# succeed. wg(8) would take them; the API must not.
test_low_order_public_keys_are_refused_with_422() {
  local hex key
  for hex in 0000000000000000000000000000000000000000000000000000000000000000 \
    0100000000000000000000000000000000000000000000000000000000000000 \
    e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800 \
    5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157 \
    ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f \
    edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f \
    eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f; do
    key=$(python3 -c 'import base64, sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$hex")
    call POST $PEERS "$(peer_json low-order ams "$key")"
    assert_error 422 invalid_pubkey
    assert_eq "pubkey is not a WireGuard public key: the key is a low-order point of Curve25519, with which no handshake can succeed" \
      "$(json_get "$OUT" 'd["error"]')" "error for $key"
  done
  call GET $PEERS
  assert_eq 0 "$(json_get "$OUT" 'len([p for p in d["items"] if p["name"]=="low-order"])')" "nothing created"
}

test_bad_peer_name_is_refused() {
  call POST $PEERS "$(peer_json 'under_score' ams)"
  assert_error 422 invalid_name
  call POST $PEERS "$(peer_json '-dash' ams)"
  assert_error 422 invalid_name
}

test_duplicate_peer_name_and_key_are_409() {
  local key
  key=$(random_pubkey)
  call POST $PEERS "$(peer_json twin ams "$key")"
  assert_status 201
  call POST $PEERS "$(peer_json twin fra)"
  assert_error 409 conflict
  call POST $PEERS "$(peer_json other fra "$key")"
  assert_error 409 conflict
}

test_malformed_json_is_400() {
  call POST $PEERS '{"name": "x",'
  assert_error 400 invalid_json
  call POST $PEERS '[1,2]'
  assert_error 400 invalid_json
  call POST $PEERS "$(printf '{"name":"\xff"}')"
  assert_error 400 invalid_json
}

test_wrong_types_and_unknown_fields_are_422() {
  call POST $PEERS '{"name": 5, "region": "ams", "pubkey": "x"}'
  assert_error 422 invalid_field
  call POST $PEERS "{\"name\":\"x\",\"region\":\"ams\",\"pubkey\":\"$(random_pubkey)\",\"admin\":true}"
  assert_error 422 unknown_field
  call POST /v1/apps '{"app_name":"v2","org_slug":"acme","owner":"me"}'
  assert_error 422 unknown_field
  call POST /v1/apps/val/ip_assignments '{"type":"public_v4"}'
  assert_error 422 unsupported_type
}

test_oversized_body_is_413() {
  local big
  big=$(head -c 70000 /dev/zero | tr '\0' 'a')
  call POST $PEERS "{\"name\":\"$big\"}"
  assert_error 413 payload_too_large
}

test_bad_paging_parameters_are_400() {
  call GET "$PEERS?limit=0"
  assert_error 400 invalid_limit
  call GET "$PEERS?limit=1001"
  assert_error 400 invalid_limit
  call GET "$PEERS?cursor=garbage"
  assert_error 400 invalid_cursor
}

test_unknown_route_is_404_and_wrong_method_405_both_json() {
  call GET /v1/nothing-here
  assert_error 404 not_found
  call PUT /v1/apps
  assert_error 405 method_not_allowed
  assert_contains "$HDRS" "Allow: GET, POST"
  call DELETE /v1/orgs
  assert_error 405 method_not_allowed
}

test_bad_ip_in_path_is_400() {
  call DELETE /v1/apps/val/ip_assignments/not-an-ip
  assert_error 400 invalid_ip
  call DELETE /v1/apps/val/ip_assignments/fdaa::99
  assert_error 404 not_found
}

test_bad_idempotency_key_is_400() {
  call POST /v1/apps '{"app_name":"v3","org_slug":"acme"}' -H "Idempotency-Key: $(head -c 300 /dev/zero | tr '\0' k)"
  assert_error 400 invalid_idempotency_key
}

test_server_survives_garbage_on_the_socket() {
  printf 'GARBAGE\r\n\r\n' | timeout 5 nc -q 1 127.0.0.1 "$PORT" >/dev/null 2>&1
  head -c 5000 /dev/urandom | timeout 5 nc -q 1 127.0.0.1 "$PORT" >/dev/null 2>&1
  call GET /v1/orgs
  assert_status 200
}

run_suite
