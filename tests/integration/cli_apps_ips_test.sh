#!/usr/bin/env bash
# sixpn apps and ips: Flycast allocation, its tables and JSON, fly.toml as the app's source and
# the seed's warnings about it.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_apps_create_prints_a_row_and_json_an_object() {
  fresh_org
  local app="web-$ORG"
  sixpn apps create "$app"
  assert_rc 0
  assert_eq "$(printf "%-${#app}s  %-${#ORG}s  %-7s  %-$((${#app} + 9))s  %s\n" NAME OWNER STATUS HOSTNAME "CREATED AT" \
    "$app" "$ORG" pending "$app.internal" "just now")" "$OUT" "table"
  assert_contains "$ERR" "Created app $app in org $ORG"
  sixpn apps create "api-$ORG" --json
  assert_rc 0
  assert_eq '["created_at", "hostname", "name", "network_prefix", "org", "status"]' \
    "$(json_get "$OUT" 'sorted(d.keys())')" "keys"
  assert_eq "$ORG" "$(json_get "$OUT" 'd["org"]')"
}

test_apps_create_refuses_a_bad_name_before_asking_the_server() {
  fresh_org
  sixpn apps create "Not_A_Label"
  assert_rc 2
  assert_contains "$ERR" 'app name "Not_A_Label" may contain only letters, digits and'
  sixpn apps list --json
  assert_eq "[]" "$OUT"
}

test_apps_create_twice_is_a_conflict() {
  app_in_fresh_org dup
  sixpn apps create "$APP"
  assert_rc 5
}

test_apps_list_json_is_an_array() {
  app_in_fresh_org one
  sixpn apps list --json
  assert_rc 0
  assert_eq "[\"$APP\"]" "$(json_get "$OUT" '[a["name"] for a in d]')"
}

test_allocate_without_private_is_refused() {
  app_in_fresh_org web
  sixpn ips allocate-v6 -a "$APP"
  assert_rc 2
  assert_eq "Error: only private (Flycast) addresses are supported by this control plane
hint: pass --private" "$ERR"
  sixpn ips list -a "$APP" --json
  assert_eq "[]" "$OUT" "nothing was allocated"
}

test_allocate_prints_the_flyctl_row_with_the_org_column() {
  app_in_fresh_org web
  sixpn ips allocate-v6 --private -a "$APP"
  assert_rc 0
  local table=$OUT
  api GET "/v1/apps/$APP/ip_assignments"
  local ip
  ip=$(json_get "$OUT" 'd["items"][0]["address"]')
  local o=${#ORG}; [ "$o" -lt 3 ] && o=3
  local expected
  expected=$(printf "%-7s  %-${#ip}s  %-7s  %-6s  %-${o}s  %s\n" VERSION IP TYPE REGION ORG "CREATED AT" \
    v6 "$ip" private global "$ORG" "just now")
  assert_eq "$expected" "$table" "table"
  [[ "$ip" == fdaa:* ]] || fail "not a 6PN address: $ip"
}

test_allocate_json_is_one_object() {
  app_in_fresh_org web
  sixpn ips allocate-v6 --private -a "$APP" --json
  assert_rc 0
  assert_eq '["address", "created_at", "org", "region", "type"]' \
    "$(json_get "$OUT" 'sorted(d.keys())')" "keys"
  assert_eq "private_v6" "$(json_get "$OUT" 'd["type"]')"
  assert_eq "$ORG" "$(json_get "$OUT" 'd["org"]')"
}

test_allocate_in_another_org_network() {
  fresh_org
  local other=$ORG
  "$SIXPND_BIN" orgs create "$other-home" --db "$DB" >/dev/null 2>&1
  SIXPN_API_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org "$other-home" --org "$other")
  export SIXPN_API_TOKEN
  sixpn apps create "shared-$other" --org "$other-home"
  assert_rc 0
  sixpn ips allocate-v6 --private --org "$other" -a "shared-$other" --json
  assert_rc 0
  assert_eq "$other" "$(json_get "$OUT" 'd["org"]')" "network the address is in"
  sixpn ips list -a "shared-$other"
  assert_contains "$OUT" " $other "
}

test_ips_list_json_is_empty_array_and_table_lists_all() {
  app_in_fresh_org web
  sixpn ips list -a "$APP" --json
  assert_rc 0
  assert_eq "[]" "$OUT"
  sixpn ips list -a "$APP"
  assert_eq "" "$OUT" "stdout when empty"
  assert_contains "$ERR" "App $APP has no IP addresses"
  sixpn ips allocate-v6 --private -a "$APP"
  sixpn ip list -a "$APP"
  assert_rc 0
  assert_eq "VERSION" "$(head -1 <<<"$OUT" | awk '{print $1}')"
  assert_eq 2 "$(wc -l <<<"$OUT" | tr -d ' ')" "lines"
}

test_app_comes_from_fly_toml_and_its_flycast_warnings_go_to_stderr() {
  app_in_fresh_org tomlapp
  scratch
  printf 'app = "%s"\n\n[http_service]\ninternal_port = 8080\nforce_https = true\n' "$APP" >fly.toml
  sixpn ips allocate-v6 --private --json
  assert_rc 0
  assert_contains "$ERR" "Warning: fly.toml sets http_service.force_https; Flycast is HTTP-only"
  assert_eq "private_v6" "$(json_get "$OUT" 'd["type"]')" "stdout is still only JSON"
  printf 'app = "%s"\n' "$APP" >fly.toml
  sixpn ips allocate-v6 --private
  assert_rc 0
  assert_contains "$ERR" "Warning: fly.toml defines no [[services]] or [http_service]"
  # A fly.toml of another app is not this app's configuration: no warning about it.
  local other=$APP
  app_in_fresh_org elsewhere
  sixpn ips allocate-v6 --private -a "$APP"
  assert_rc 0
  assert_eq "" "$ERR" "stderr for an app the fly.toml ($other) does not describe"
}

test_dash_c_names_the_fly_toml() {
  app_in_fresh_org capp
  scratch
  mkdir conf
  printf 'app = "%s"\n[[services]]\ninternal_port = 80\n' "$APP" >conf/fly.toml
  sixpn ips list -c conf/fly.toml --json
  assert_rc 0
  assert_eq "[]" "$OUT"
  assert_eq "" "$ERR"
  SIXPN_APP=$APP sixpn ips list -a missing-app
  assert_rc 4  # -a beats SIXPN_APP
}

test_no_app_anywhere_is_a_usage_error() {
  fresh_org; scratch
  sixpn ips list
  assert_rc 2
  assert_eq "Error: no app specified
hint: pass -a APP, set SIXPN_APP, or run where a fly.toml names the app" "$ERR"
}

run_suite
