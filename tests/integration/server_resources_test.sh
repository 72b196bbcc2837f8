#!/usr/bin/env bash
# sixpnd over real HTTP: the happy path of every endpoint.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd --gateway-endpoint 192.0.2.10:51999 || exit 1
TOKEN=$(new_org acme) || exit 1
export TOKEN

test_regions_are_public_and_name_the_nearest_gateway_region() {
  TOKEN="" call GET /v1/platform/regions
  assert_status 200
  local n nearest
  n=$(json_get "$OUT" 'len(d["items"])')
  [ "$n" -ge 20 ] || fail "expected at least 20 regions, got $n"
  nearest=$(json_get "$OUT" 'd["nearest"]')
  assert_eq true "$(json_get "$OUT" "[r for r in d['items'] if r['code']=='$nearest'][0]['gateway_available']")" \
    "nearest has a gateway"
  assert_eq true "$(json_get "$OUT" 'any(not r["gateway_available"] for r in d["items"])')" "some without gateway"
  assert_eq true "$(json_get "$OUT" 'any(r["deprecated"] for r in d["items"])')" "some deprecated"
  assert_eq "Ashburn, Virginia (US)" "$(json_get "$OUT" '[r for r in d["items"] if r["code"]=="iad"][0]["name"]')"
}

test_regions_page_with_limit_and_cursor() {
  call GET "/v1/platform/regions?limit=10"
  assert_status 200
  assert_eq 10 "$(json_get "$OUT" 'len(d["items"])')"
  local cursor first
  cursor=$(json_get "$OUT" 'd["next_cursor"]')
  first=$(json_get "$OUT" 'd["items"][0]["code"]')
  call GET "/v1/platform/regions?limit=10&cursor=$cursor"
  assert_status 200
  [ "$(json_get "$OUT" 'd["items"][0]["code"]')" != "$first" ] || fail "second page repeats the first"
}

test_orgs_lists_the_tokens_org_with_its_prefix() {
  call GET /v1/orgs
  assert_status 200
  assert_eq acme "$(json_get "$OUT" 'd["items"][0]["slug"]')"
  local id
  id=$(json_get "$OUT" 'd["items"][0]["network_id"]')
  assert_eq "fdaa:0:$(printf '%x' "$id")::/48" "$(json_get "$OUT" 'd["items"][0]["network_prefix"]')"
  assert_eq "fdaa:0:$(printf '%x' "$id")::3" "$(json_get "$OUT" 'd["items"][0]["dns_server"]')"
  assert_eq null "$(json_get "$OUT" 'd["next_cursor"]')"
}

test_peer_create_list_delete() {
  local key
  key=$(random_pubkey)
  call POST /v1/orgs/acme/wireguard_peers "$(peer_json laptop ams "$key")"
  assert_status 201
  assert_eq laptop "$(json_get "$OUT" 'd["name"]')"
  assert_eq "$key" "$(json_get "$OUT" 'd["pubkey"]')"
  assert_eq 192.0.2.10 "$(json_get "$OUT" 'd["endpoint_ip"]')"
  assert_eq 51999 "$(json_get "$OUT" 'd["endpoint_port"]')"
  assert_eq 192.0.2.10:51999 "$(json_get "$OUT" 'd["endpoint"]')"
  assert_eq "fdaa:0:1::3" "$(json_get "$OUT" 'd["dns"]')"
  assert_eq "fdaa:0:1::/48" "$(json_get "$OUT" 'd["network_prefix"]')"
  assert_contains "$(json_get "$OUT" 'd["peer_ip"]')" "fdaa:0:1:a7b:200:" "peer_ip behind ams's gateway"
  [ "$(json_get "$OUT" 'len(d["gateway_pubkey"])')" == 44 ] || fail "gateway_pubkey: $OUT"
  call GET /v1/orgs/acme/wireguard_peers
  assert_status 200
  assert_contains "$(json_get "$OUT" '[p["name"] for p in d["items"]]')" laptop
  call DELETE /v1/orgs/acme/wireguard_peers/laptop
  assert_status 204
  call GET /v1/orgs/acme/wireguard_peers
  assert_not_contains "$(json_get "$OUT" '[p["name"] for p in d["items"]]')" laptop
}

test_app_create_list_show() {
  call POST /v1/apps '{"app_name":"web","org_slug":"acme"}'
  assert_status 201
  assert_eq web.internal "$(json_get "$OUT" 'd["hostname"]')"
  assert_eq acme "$(json_get "$OUT" 'd["org"]')"
  assert_eq pending "$(json_get "$OUT" 'd["status"]')"
  call GET "/v1/apps?org_slug=acme"
  assert_status 200
  assert_contains "$(json_get "$OUT" '[a["name"] for a in d["items"]]')" web
  call GET /v1/apps
  assert_contains "$(json_get "$OUT" '[a["name"] for a in d["items"]]')" web
  call GET /v1/apps/web
  assert_status 200
  assert_eq "fdaa:0:1::/48" "$(json_get "$OUT" 'd["network_prefix"]')"
}

test_machine_create_stop_start_destroy() {
  call POST /v1/apps '{"app_name":"db","org_slug":"acme"}'
  assert_status 201
  call POST /v1/apps/db/machines '{"region":"fra","metadata":{"role":"primary"}}'
  assert_status 201
  local id ip
  id=$(json_get "$OUT" 'd["id"]')
  ip=$(json_get "$OUT" 'd["private_ip"]')
  [[ "$id" =~ ^[0-9a-f]{14}$ ]] || fail "machine id: $id"
  assert_eq started "$(json_get "$OUT" 'd["state"]')"
  assert_eq app "$(json_get "$OUT" 'd["process_group"]')"
  assert_eq primary "$(json_get "$OUT" 'd["metadata"]["role"]')"
  assert_contains "$ip" "fdaa:0:1:a7b:10b:" "private_ip on fra's host"
  [[ "$ip" == *:2 ]] || fail "a machine address ends in :2: $ip"
  call GET /v1/apps/db
  assert_eq deployed "$(json_get "$OUT" 'd["status"]')"
  call POST "/v1/apps/db/machines/$id/stop"
  assert_status 200
  assert_eq stopped "$(json_get "$OUT" 'd["state"]')"
  call POST "/v1/apps/db/machines/$id/start"
  assert_status 200
  assert_eq started "$(json_get "$OUT" 'd["state"]')"
  call GET "/v1/apps/db/machines/$id"
  assert_status 200
  assert_eq "$ip" "$(json_get "$OUT" 'd["private_ip"]')"
  call GET /v1/apps/db/machines
  assert_eq "$id" "$(json_get "$OUT" 'd["items"][0]["id"]')"
  call DELETE "/v1/apps/db/machines/$id"
  assert_status 200
  assert_eq destroyed "$(json_get "$OUT" 'd["state"]')"
  call GET /v1/apps/db/machines
  assert_eq 0 "$(json_get "$OUT" 'len(d["items"])')"
  call GET "/v1/apps/db/machines?include_deleted=true"
  assert_eq 1 "$(json_get "$OUT" 'len(d["items"])')"
}

test_ip_assignment_allocate_list_release() {
  call POST /v1/apps '{"app_name":"api","org_slug":"acme"}'
  call POST /v1/apps/api/ip_assignments '{"type":"private_v6"}'
  assert_status 201
  local ip
  ip=$(json_get "$OUT" 'd["address"]')
  assert_contains "$ip" "fdaa:0:1:0:1:" "Flycast host"
  assert_eq global "$(json_get "$OUT" 'd["region"]')"
  assert_eq private_v6 "$(json_get "$OUT" 'd["type"]')"
  assert_eq acme "$(json_get "$OUT" 'd["org"]')"
  call GET /v1/apps/api/ip_assignments
  assert_status 200
  assert_eq "$ip" "$(json_get "$OUT" 'd["items"][0]["address"]')"
  call DELETE "/v1/apps/api/ip_assignments/$ip"
  assert_status 204
  call GET /v1/apps/api/ip_assignments
  assert_eq 0 "$(json_get "$OUT" 'len(d["items"])')"
}

test_peer_list_pages_with_cursor() {
  local i
  for i in 1 2 3 4 5; do
    call POST /v1/orgs/acme/wireguard_peers "$(peer_json "page$i" fra)"
    assert_status 201
  done
  local names=() cursor="" page
  for page in 1 2 3 4 5 6; do
    call GET "/v1/orgs/acme/wireguard_peers?limit=2${cursor:+&cursor=$cursor}"
    assert_status 200
    names+=($(json_get "$OUT" '" ".join(p["name"] for p in d["items"])'))
    cursor=$(json_get "$OUT" 'd["next_cursor"] or ""')
    [ -z "$cursor" ] && break
  done
  assert_eq "page1 page2 page3 page4 page5" "$(printf '%s\n' "${names[@]}" | grep '^page' | tr '\n' ' ' | sed 's/ $//')"
}

test_every_response_carries_a_request_id_and_the_log_never_a_token() {
  call GET /v1/orgs
  local id
  id=$(grep -i '^x-request-id:' <<<"$HDRS" | cut -d' ' -f2)
  [ -n "$id" ] || fail "no X-Request-Id header: $HDRS"
  grep -q "$id GET /v1/orgs 200" "$SIXPND_LOG" || fail "no log line for request $id"
  assert_not_contains "$(cat "$SIXPND_LOG")" "$TOKEN" "sixpnd log"
  call GET /v1/orgs "" -H "X-Request-Id: caller-42"
  assert_contains "$HDRS" "X-Request-Id: caller-42"
}

run_suite
