#!/usr/bin/env bash
# sixpn wireguard list / remove: tables, JSON, every page, and no prompts off a terminal.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_list_table_shows_name_region_ip_and_age() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams alpha stdout
  sixpn wg create "$ORG" fra beta stdout
  api GET "/v1/orgs/$ORG/wireguard_peers"
  local ip1 ip2
  ip1=$(json_get "$OUT" 'd["items"][0]["peer_ip"]')
  ip2=$(json_get "$OUT" 'd["items"][1]["peer_ip"]')
  sixpn wg list "$ORG"
  assert_rc 0
  local w=$(( ${#ip1} > ${#ip2} ? ${#ip1} : ${#ip2} ))
  local expected
  expected=$(printf "%-5s  %-6s  %-${w}s  %s\n" NAME REGION "PEER IP" CREATED \
    alpha ams "$ip1" "just now" beta fra "$ip2" "just now")
  assert_eq "$expected" "$OUT" "table"
}

test_list_json_is_an_array_with_the_documented_keys() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams alpha stdout
  sixpn wg list "$ORG" --json
  assert_rc 0
  assert_eq 1 "$(json_get "$OUT" 'len(d)')" "length"
  assert_eq '["created_at", "endpoint", "name", "peer_ip", "region"]' \
    "$(json_get "$OUT" 'sorted(d[0].keys())')" "keys"
  assert_eq "alpha" "$(json_get "$OUT" 'd[0]["name"]')"
}

test_empty_list_is_an_empty_array_and_a_message_on_stderr() {
  fresh_org
  sixpn wg list "$ORG" --json
  assert_rc 0
  assert_eq "[]" "$OUT"
  sixpn wg list "$ORG"
  assert_rc 0
  assert_eq "" "$OUT" "stdout"
  assert_contains "$ERR" "has no WireGuard peers"
}

test_list_fetches_every_page() {
  fresh_org
  # 105 peers through the API directly: more than one page of the client's 100.
  local i
  for i in $(seq 1 105); do
    local key
    key=$(wg genkey | wg pubkey)
    api POST "/v1/orgs/$ORG/wireguard_peers" "{\"name\":\"p$i\",\"region\":\"ams\",\"pubkey\":\"$key\"}"
    [ "$RC" = 201 ] || [ "$RC" = 200 ] || fail "creating p$i: $RC $OUT"
  done
  sixpn wg list "$ORG" --json
  assert_rc 0
  assert_eq 105 "$(json_get "$OUT" 'len(d)')" "peers listed"
  sixpn wg list "$ORG"
  assert_eq 106 "$(wc -l <<<"$OUT" | tr -d ' ')" "table lines"
}

test_org_comes_from_the_tokens_only_org() {
  fresh_org; scratch
  sixpn wg create "" ams solo stdout
  assert_rc 0
  sixpn wg list --json
  assert_rc 0
  assert_eq "solo" "$(json_get "$OUT" 'd[0]["name"]')"
}

test_org_flag_and_env_name_the_org() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams viaflag stdout
  local mine=$ORG
  SIXPN_ORG="$mine" sixpn wg list --json
  assert_rc 0
  assert_eq "viaflag" "$(json_get "$OUT" 'd[0]["name"]')" "SIXPN_ORG"
  SIXPN_ORG="nope" sixpn wg list --org "$mine" --json
  assert_rc 0
  assert_eq "viaflag" "$(json_get "$OUT" 'd[0]["name"]')" "--org beats SIXPN_ORG"
}

test_several_orgs_off_a_terminal_is_exit_2() {
  fresh_org
  local first=$ORG
  "$SIXPND_BIN" orgs create "$first-b" --db "$DB" >/dev/null 2>&1
  SIXPN_API_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org "$first" --org "$first-b")
  export SIXPN_API_TOKEN
  sixpn wg list
  assert_rc 2
  assert_eq "Error: org must be specified when not running interactively
hint: pass it as an argument, with --org, or set SIXPN_ORG" "$ERR"
}

test_remove_off_a_terminal_needs_the_name_and_yes() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams gone stdout
  sixpn wg remove "$ORG"
  assert_rc 2
  assert_eq "Error: peer name must be specified when not running interactively" "$(head -1 <<<"$ERR")"
  sixpn wg remove "$ORG" gone
  assert_rc 2
  assert_contains "$ERR" 'needs confirmation when not running interactively'
  assert_eq 1 "$(peer_count "$ORG")" "peers before --yes"
  sixpn wg remove "$ORG" gone --yes
  assert_rc 0
  assert_eq "" "$OUT" "stdout"
  assert_contains "$ERR" "Removed WireGuard peer gone from org $ORG"
  assert_eq 0 "$(peer_count "$ORG")" "peers after"
}

test_removing_a_missing_peer_is_exit_4() {
  fresh_org
  sixpn wg remove "$ORG" never-there --yes
  assert_rc 4
  [[ "$ERR" =~ ^Error:\ .*never-there.*\(request\ id\ [0-9a-zA-Z-]+\)$ ]] || fail "stderr: $ERR"
}

test_another_orgs_token_sees_nothing() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams private stdout
  local victim=$ORG victim_token=$TOKEN
  fresh_org
  sixpn wg list "$victim"
  assert_rc 4
  sixpn wg remove "$victim" private --yes
  assert_rc 4
  sixpn wg create "$victim" ams intruder intruder.conf
  assert_rc 4
  [ ! -e intruder.conf ] || fail "a file was left behind"
  TOKEN=$victim_token
  assert_eq 1 "$(peer_count "$victim")" "the victim's peers"
}

test_bad_token_is_exit_3() {
  fresh_org
  SIXPN_API_TOKEN="sixpn_not-a-real-token" sixpn wg list "$ORG"
  assert_rc 3
  assert_contains "$ERR" "hint: check the token"
  SIXPN_API_TOKEN="" sixpn wg list "$ORG"
  assert_rc 3
  assert_eq "Error: no API token; run 'sixpn auth login' or set SIXPN_API_TOKEN" "$ERR"
}

run_suite
