#!/usr/bin/env bash
# sixpnd over real HTTP: a token sees only its own orgs (404 for the rest), no token is 401.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
RED=$(new_org red) || exit 1
BLUE=$(new_org blue) || exit 1
BOTH=$("$SIXPND_BIN" tokens create --db "$DB" --org red --org blue) || exit 1

# Fixtures in red: an app with a machine and a Flycast address, and a peer.
TOKEN=$RED call POST /v1/apps '{"app_name":"red-app","org_slug":"red"}'
TOKEN=$RED call POST /v1/apps/red-app/machines '{"region":"ams"}'
RED_MACHINE=$(json_get "$OUT" 'd["id"]')
TOKEN=$RED call POST /v1/apps/red-app/ip_assignments '{"type":"private_v6"}'
RED_FLYCAST=$(json_get "$OUT" 'd["address"]')
TOKEN=$RED call POST /v1/orgs/red/wireguard_peers "$(peer_json red-laptop ams)"

test_missing_token_is_401_everywhere_but_regions() {
  local path
  for path in /v1/orgs /v1/apps /v1/apps/red-app /v1/orgs/red/wireguard_peers \
    /v1/apps/red-app/machines /v1/apps/red-app/ip_assignments; do
    TOKEN="" call GET "$path"
    assert_error 401 unauthorized
  done
  TOKEN="" call POST /v1/orgs/red/wireguard_peers "$(peer_json x ams)"
  assert_error 401 unauthorized
  assert_contains "$HDRS" "WWW-Authenticate: Bearer"
}

test_unknown_token_is_401() {
  TOKEN=sixpn_not-a-real-token call GET /v1/orgs
  assert_error 401 unauthorized
  call GET /v1/orgs "" -H "Authorization: Basic cmVkOnJlZA=="
  assert_error 401 unauthorized
}

test_orgs_lists_only_the_tokens_orgs() {
  TOKEN=$BLUE call GET /v1/orgs
  assert_eq '["blue"]' "$(json_get "$OUT" '[o["slug"] for o in d["items"]]')"
  TOKEN=$BOTH call GET /v1/orgs
  assert_eq '["red", "blue"]' "$(json_get "$OUT" '[o["slug"] for o in d["items"]]')"
}

test_another_orgs_peers_are_404() {
  TOKEN=$BLUE call GET /v1/orgs/red/wireguard_peers
  assert_error 404 not_found
  TOKEN=$BLUE call POST /v1/orgs/red/wireguard_peers "$(peer_json sneaky ams)"
  assert_error 404 not_found
  TOKEN=$BLUE call DELETE /v1/orgs/red/wireguard_peers/red-laptop
  assert_error 404 not_found
  TOKEN=$RED call GET /v1/orgs/red/wireguard_peers
  assert_eq '["red-laptop"]' "$(json_get "$OUT" '[p["name"] for p in d["items"]]')" "red's peer survived"
}

test_another_orgs_apps_machines_and_ips_are_404() {
  TOKEN=$BLUE call GET /v1/apps/red-app
  assert_error 404 not_found
  TOKEN=$BLUE call GET "/v1/apps?org_slug=red"
  assert_error 404 not_found
  TOKEN=$BLUE call GET /v1/apps
  assert_eq '[]' "$(json_get "$OUT" 'd["items"]')"
  TOKEN=$BLUE call GET /v1/apps/red-app/machines
  assert_error 404 not_found
  TOKEN=$BLUE call POST /v1/apps/red-app/machines '{"region":"ams"}'
  assert_error 404 not_found
  TOKEN=$BLUE call POST "/v1/apps/red-app/machines/$RED_MACHINE/stop"
  assert_error 404 not_found
  TOKEN=$BLUE call DELETE "/v1/apps/red-app/machines/$RED_MACHINE"
  assert_error 404 not_found
  TOKEN=$BLUE call GET /v1/apps/red-app/ip_assignments
  assert_error 404 not_found
  TOKEN=$BLUE call DELETE "/v1/apps/red-app/ip_assignments/$RED_FLYCAST"
  assert_error 404 not_found
  TOKEN=$BLUE call POST /v1/apps '{"app_name":"blue-in-red","org_slug":"red"}'
  assert_error 404 not_found
  TOKEN=$RED call GET "/v1/apps/red-app/machines/$RED_MACHINE"
  assert_eq started "$(json_get "$OUT" 'd["state"]')" "red's machine untouched"
}

test_a_missing_org_looks_the_same_as_a_foreign_one() {
  TOKEN=$BLUE call GET /v1/orgs/no-such-org/wireguard_peers
  local missing=$OUT
  TOKEN=$BLUE call GET /v1/orgs/red/wireguard_peers
  assert_eq "$(sed 's/no-such-org/X/' <<<"$missing")" "$(sed 's/red/X/' <<<"$OUT")" "404 bodies"
}

test_exposing_an_app_to_another_org_needs_a_token_of_both() {
  TOKEN=$RED call POST /v1/apps/red-app/ip_assignments '{"type":"private_v6","org_slug":"blue"}'
  assert_error 404 not_found
  TOKEN=$BOTH call POST /v1/apps/red-app/ip_assignments '{"type":"private_v6","org_slug":"blue"}'
  assert_status 201
  assert_eq blue "$(json_get "$OUT" 'd["org"]')"
  assert_contains "$(json_get "$OUT" 'd["address"]')" "fdaa:0:2:0:1:" "address in blue's network"
}

test_app_names_are_global_so_another_org_gets_409() {
  TOKEN=$BLUE call POST /v1/apps '{"app_name":"red-app","org_slug":"blue"}'
  assert_error 409 conflict
}

run_suite
