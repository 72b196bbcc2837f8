#!/usr/bin/env bash
# sixpn platform regions: table, JSON, deprecated regions hidden, no token needed.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_regions_table_marks_gateways_and_hides_deprecated() {
  sixpn platform regions
  assert_rc 0
  assert_eq "NAME                    CODE  GATEWAY
Amsterdam, Netherlands  ams   ✓
Atlanta, Georgia (US)   atl
Frankfurt, Germany      fra   ✓" "$OUT" "table"
  assert_eq "" "$ERR" "stderr"
}

test_regions_json_is_an_array_with_the_documented_keys() {
  sixpn platform regions --json
  assert_rc 0
  assert_eq '["ams", "atl", "fra"]' "$(json_get "$OUT" '[r["code"] for r in d]')" "codes"
  assert_eq '["code", "gateway_available", "latitude", "longitude", "name"]' \
    "$(json_get "$OUT" 'sorted(d[0].keys())')" "keys"
  assert_eq '[true, false, true]' "$(json_get "$OUT" '[r["gateway_available"] for r in d]')"
  assert_eq '52.374342' "$(json_get "$OUT" 'd[0]["latitude"]')" "latitude"
}

test_regions_need_no_token() {
  SIXPN_API_TOKEN="" sixpn platform regions --json
  assert_rc 0
  assert_contains "$OUT" '"code": "ams"'
}

test_global_flags_work_after_the_command_too() {
  sixpn --json platform regions
  local before=$OUT
  sixpn platform regions --json
  assert_eq "$before" "$OUT" "--json before and after the command"
}

test_unreachable_api_is_exit_1_with_a_hint() {
  sixpn platform regions --api-url "http://127.0.0.1:1" --timeout 2
  assert_rc 1
  assert_contains "$ERR" "Error: cannot reach the API at http://127.0.0.1:1"
  assert_contains "$ERR" "hint: is sixpnd running there?"
  assert_eq "" "$OUT" "stdout"
}

test_url_that_is_not_http_is_a_usage_error() {
  sixpn platform regions --api-url "127.0.0.1:4280"
  assert_rc 2
  assert_eq 'Error: API URL "127.0.0.1:4280" must start with http:// or https://' \
    "$(head -1 <<<"$ERR")"
}

test_help_has_summary_description_and_examples() {
  sixpn platform regions --help
  assert_rc 0
  assert_contains "$OUT" "List the regions machines and peers use"
  assert_contains "$OUT" "A check mark in the GATEWAY column"
  assert_contains "$OUT" "Examples:
  sixpn platform regions"
}

test_unknown_command_is_a_usage_error() {
  sixpn frobnicate
  assert_rc 2
  assert_contains "$ERR" "Error: "
  assert_contains "$ERR" "frobnicate"
}

run_suite
