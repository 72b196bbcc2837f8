#!/usr/bin/env bash
# sixpn auth login/whoami/logout, orgs list, and where settings come from.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_login_checks_the_token_and_saves_it_0600_in_a_0700_dir() {
  fresh_org
  local token=$SIXPN_API_TOKEN
  unset SIXPN_API_TOKEN SIXPN_API_URL
  export SIXPN_CONFIG_DIR="$WORK/login-cfg"
  sixpn auth login --api-url "$API" --token "$token"
  assert_rc 0
  assert_eq "" "$OUT" "stdout"
  assert_contains "$ERR" "Logged in to $API (orgs: $ORG)"
  assert_not_contains "$ERR" "$token" "stderr"
  assert_eq "600" "$(stat -c %a "$SIXPN_CONFIG_DIR/config.toml")" "file mode"
  assert_eq "700" "$(stat -c %a "$SIXPN_CONFIG_DIR")" "dir mode"
  # The saved URL and token are used from now on.
  sixpn orgs list --json
  assert_rc 0
  assert_eq "$ORG" "$(json_get "$OUT" 'd[0]["slug"]')"
}

test_login_reads_the_token_from_stdin() {
  fresh_org
  local token=$SIXPN_API_TOKEN
  unset SIXPN_API_TOKEN
  export SIXPN_CONFIG_DIR="$WORK/stdin-cfg"
  timeout 30 "$SIXPN_BIN" auth login --api-url "$API" <<<"$token" >"$WORK/out" 2>"$WORK/err"
  assert_eq 0 "$?" "exit code"
  assert_contains "$(cat "$SIXPN_CONFIG_DIR/config.toml")" "$token"
  sixpn auth whoami
  assert_rc 0
  assert_contains "$OUT" "$ORG"
}

test_login_with_a_bad_token_is_exit_3_and_saves_nothing() {
  unset SIXPN_API_TOKEN
  export SIXPN_CONFIG_DIR="$WORK/bad-cfg"
  sixpn auth login --api-url "$API" --token "sixpn_wrong"
  assert_rc 3
  [ ! -e "$SIXPN_CONFIG_DIR/config.toml" ] || fail "config.toml was written"
}

test_login_without_any_token_is_exit_2() {
  unset SIXPN_API_TOKEN
  export SIXPN_CONFIG_DIR="$WORK/none-cfg"
  sixpn auth login --api-url "$API"
  assert_rc 2
  assert_contains "$ERR" "Error: no token given"
}

test_logout_removes_the_token_but_keeps_the_url() {
  fresh_org
  local token=$SIXPN_API_TOKEN
  unset SIXPN_API_TOKEN SIXPN_API_URL
  export SIXPN_CONFIG_DIR="$WORK/logout-cfg"
  sixpn auth login --api-url "$API" --token "$token"
  sixpn auth logout
  assert_rc 0
  assert_not_contains "$(cat "$SIXPN_CONFIG_DIR/config.toml")" "$token" "config.toml"
  assert_contains "$(cat "$SIXPN_CONFIG_DIR/config.toml")" "$API" "config.toml"
  sixpn orgs list
  assert_rc 3
}

test_orgs_list_table_and_json() {
  fresh_org
  api GET /v1/orgs
  local prefix dns
  prefix=$(json_get "$OUT" 'd["items"][0]["network_prefix"]')
  dns=$(json_get "$OUT" 'd["items"][0]["dns_server"]')
  sixpn orgs list
  assert_rc 0
  local n=${#ORG}; [ "$n" -lt 4 ] && n=4
  assert_eq "$(printf "%-${n}s  %-${n}s  %-${#prefix}s  %s\n" NAME SLUG NETWORK DNS "$ORG" "$ORG" "$prefix" "$dns")" \
    "$OUT" "table"
  sixpn orgs list --json
  assert_eq '["created_at", "dns_server", "name", "network_prefix", "slug"]' \
    "$(json_get "$OUT" 'sorted(d[0].keys())')" "keys"
}

test_flags_beat_environment_which_beats_the_config_file() {
  fresh_org
  local good=$SIXPN_API_TOKEN
  export SIXPN_CONFIG_DIR="$WORK/prec-cfg"
  mkdir -p "$SIXPN_CONFIG_DIR"
  printf 'api_url = "http://127.0.0.1:1"\ntoken = "%s"\n' "$good" >"$SIXPN_CONFIG_DIR/config.toml"
  unset SIXPN_API_TOKEN SIXPN_API_URL
  sixpn orgs list --timeout 2
  assert_rc 1  # the file's dead URL
  SIXPN_API_URL=$API sixpn orgs list
  assert_rc 0  # environment beats the file
  SIXPN_API_URL="http://127.0.0.1:1" sixpn orgs list --api-url "$API"
  assert_rc 0  # the flag beats the environment
  SIXPN_API_URL=$API SIXPN_API_TOKEN=sixpn_bad sixpn orgs list
  assert_rc 3  # the environment's token beats the file's
  SIXPN_API_URL=$API SIXPN_API_TOKEN=sixpn_bad sixpn orgs list --access-token "$good"
  assert_rc 0  # the flag's token beats the environment's
}

test_verbose_log_goes_to_stderr_without_the_token() {
  fresh_org
  sixpn orgs list --verbose
  assert_rc 0
  assert_contains "$ERR" "> GET $API/v1/orgs"
  assert_contains "$ERR" "> Authorization: Bearer [redacted]"
  assert_contains "$ERR" "< 200"
  assert_not_contains "$ERR" "$SIXPN_API_TOKEN" "verbose log"
  assert_not_contains "$OUT" ">" "stdout"
}

run_suite
