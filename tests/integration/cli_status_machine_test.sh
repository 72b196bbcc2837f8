#!/usr/bin/env bash
# sixpn machine and status: what status shows, and the machine lifecycle behind it.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_status_without_machines_shows_the_app_and_says_so() {
  app_in_fresh_org app
  api GET "/v1/apps/$APP"
  local prefix
  prefix=$(json_get "$OUT" 'd["network_prefix"]')
  sixpn status -a "$APP"
  assert_rc 0
  assert_eq "App
  Name           = $APP
  Owner          = $ORG
  Hostname       = $APP.internal
  Network prefix = $prefix" "$OUT" "App block"
  assert_eq "No machines are in app $APP; create one with 'sixpn machine run -a $APP --region REGION -- COMMAND'" \
    "$ERR"
  sixpn status -a "$APP" --json
  assert_eq "[]" "$(json_get "$OUT" 'd["machines"]')"
  assert_eq "$ORG" "$(json_get "$OUT" 'd["app"]["org"]')"
}

test_status_lists_machines_with_their_6pn_address() {
  app_in_fresh_org app
  sixpn machine create -a "$APP" --region ams --process-group worker
  assert_rc 0
  sixpn machine list -a "$APP" --json
  local id ip updated host state
  id=$(json_get "$OUT" 'd[0]["id"]')
  host=$(json_get "$OUT" 'd[0]["host"] or "-"')
  state=$(json_get "$OUT" 'd[0]["state"]')
  ip=$(json_get "$OUT" 'd[0]["private_ip"]')
  updated=$(json_get "$OUT" 'd[0]["updated_at"]')
  sixpn status -a "$APP"
  assert_rc 0
  local machines
  machines=$(sed -n '/^Machines$/,$p' <<<"$OUT")
  assert_eq "Machines
$(printf "%-7s  %-14s  %-4s  %-6s  %-7s  %-${#ip}s  %s\n" PROCESS ID HOST REGION STATE "6PN ADDRESS" "LAST UPDATED" \
    worker "$id" "$host" ams "$state" "$ip" "$updated")" "$machines" "Machines table"
  [[ "$ip" == fdaa:* ]] || fail "not a 6PN address: $ip"
}

test_machine_json_has_the_documented_keys() {
  app_in_fresh_org app
  sixpn machine create -a "$APP" --region fra --name db1 --metadata role=db --metadata tier=1 --json
  assert_rc 0
  assert_eq '["app", "config", "created_at", "exit_code", "host", "host_id", "id", "message", "metadata", "name", "private_ip", "process_group", "region", "state", "updated_at"]' \
    "$(json_get "$OUT" 'sorted(d.keys())')" "keys"
  assert_eq '{"role": "db", "tier": "1"}' "$(json_get "$OUT" 'd["metadata"]')"
  assert_eq "db1" "$(json_get "$OUT" 'd["name"]')"
  sixpn machine list -a "$APP" --json
  assert_eq 1 "$(json_get "$OUT" 'len(d)')"
}

test_bad_metadata_is_refused_before_creating() {
  app_in_fresh_org app
  sixpn machine create -a "$APP" --region ams --metadata novalue
  assert_rc 2
  assert_contains "$ERR" 'metadata "novalue" is not key=value'
  sixpn machine list -a "$APP" --json
  assert_eq "[]" "$OUT"
}

test_stop_start_and_destroy() {
  app_in_fresh_org app
  sixpn machine create -a "$APP" --region ams --json
  local id
  id=$(json_get "$OUT" 'd["id"]')
  # --detach: what the API answers at once (the waits need a host; cli_machine_run_test.sh).
  sixpn machine stop "$id" -a "$APP" --json --detach
  assert_rc 0
  assert_eq "stopped" "$(json_get "$OUT" 'd["state"]')"
  sixpn machine start "$id" -a "$APP" --detach
  assert_rc 0
  assert_contains "$OUT" "$id"
  sixpn machine status "$id" -a "$APP"
  assert_rc 0
  assert_contains "$OUT" "  ID            = $id"
  assert_contains "$OUT" "  Image    = host"
  sixpn machine destroy "$id" -a "$APP"
  assert_rc 2  # off a terminal --yes is required
  sixpn machine destroy "$id" -a "$APP" --yes --detach
  assert_rc 0
  sixpn machine list -a "$APP" --json
  assert_eq "[]" "$OUT"
  sixpn machine stop "$id" -a "$APP"
  assert_rc 5  # a destroyed machine cannot change state
  sixpn machine stop 00000000000000 -a "$APP"
  assert_rc 4
}

test_status_of_an_unknown_app_is_exit_4() {
  fresh_org
  sixpn status -a "nope-$ORG"
  assert_rc 4
  assert_eq "" "$OUT"
}

test_status_json_is_one_object_with_app_machines_and_services() {
  app_in_fresh_org app
  sixpn machine create -a "$APP" --region ams
  sixpn status --json -a "$APP"
  assert_rc 0
  assert_eq '["app", "machines", "services"]' "$(json_get "$OUT" 'sorted(d.keys())')"
  assert_eq 1 "$(json_get "$OUT" 'len(d["machines"])')"
  assert_eq '[]' "$(json_get "$OUT" 'd["services"]')"  # no Flycast address, no service
}

run_suite
