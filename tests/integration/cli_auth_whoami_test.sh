#!/usr/bin/env bash
# sixpn auth whoami: which token the CLI is using (id and name as in `sixpnd tokens list`), its
# orgs and times, as a block and as JSON; a revoked or expired token is exit code 3.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

# named_token NAME ORG… [-- create flags] — a token named NAME for the orgs; sets TOKEN, ID.
named_token() {
  local name=$1
  shift
  local args=()
  for org in "$@"; do args+=(--org "$org"); done
  TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --name "$name" "${args[@]}" 2>"$WORK/created") ||
    fail "tokens create: $(cat "$WORK/created")"
  ID=$(sed -E 's/^Created token ([0-9]+) .*/\1/' "$WORK/created")
  export SIXPN_API_TOKEN=$TOKEN
}

created_at_of() {  # id
  "$SIXPND_BIN" tokens list --db "$DB" --json >"$WORK/list" || fail "tokens list"
  json_get "$(cat "$WORK/list")" "[t for t in d if t['id']==$1][0]['created_at']"
}

test_whoami_shows_the_token_its_orgs_and_times() {
  fresh_org
  local first=$ORG
  fresh_org
  named_token laptop "$first" "$ORG"
  sixpn auth whoami
  assert_rc 0
  assert_eq "" "$ERR" "stderr"
  local want
  want=$(printf 'Token\n  API URL = %s\n  ID      = %s\n  Name    = laptop\n  Orgs    = %s, %s\n  Created = %s\n  Expires = never' \
    "$API" "$ID" "$first" "$ORG" "$(created_at_of "$ID")")
  assert_eq "$want" "$OUT" "whoami"
  assert_not_contains "$OUT" "$TOKEN" "whoami"
}

test_whoami_json() {
  fresh_org
  "$SIXPND_BIN" tokens create --db "$DB" --org "$ORG" --expires 2099-12-31T00:00:00Z \
    >"$WORK/token" 2>"$WORK/created" || fail "create"
  export SIXPN_API_TOKEN=$(cat "$WORK/token")
  ID=$(sed -E 's/^Created token ([0-9]+) .*/\1/' "$WORK/created")
  sixpn auth whoami --json
  assert_rc 0
  assert_json_keys "$OUT" d '["api_url", "orgs", "token"]'
  assert_json_keys "$OUT" 'd["token"]' '["created_at", "expires_at", "id", "name"]'
  assert_eq "$API" "$(json_get "$OUT" 'd["api_url"]')"
  assert_eq "$ID" "$(json_get "$OUT" 'd["token"]["id"]')"
  assert_eq "" "$(json_get "$OUT" 'd["token"]["name"]')"
  assert_eq "2099-12-31T00:00:00Z" "$(json_get "$OUT" 'd["token"]["expires_at"]')"
  assert_eq "$(created_at_of "$ID")" "$(json_get "$OUT" 'd["token"]["created_at"]')"
  assert_eq "$ORG" "$(json_get "$OUT" 'd["orgs"][0]["slug"]')"
  assert_json_keys "$OUT" 'd["orgs"][0]' '["created_at", "dns_server", "name", "network_prefix", "slug"]'
  assert_not_contains "$OUT" "$SIXPN_API_TOKEN" "whoami --json"
  # Without a name, the block says so with a dash.
  sixpn auth whoami
  assert_contains "$OUT" $'\n  Name    = -\n'
  assert_contains "$OUT" $'\n  Expires = 2099-12-31T00:00:00Z'
}

test_whoami_with_a_revoked_token_is_exit_3() {
  fresh_org
  named_token gone "$ORG"
  sixpn auth whoami
  assert_rc 0
  "$SIXPND_BIN" tokens revoke "$ID" --db "$DB" 2>/dev/null || fail "revoke"
  sixpn auth whoami
  assert_rc 3
  assert_eq "" "$OUT" "stdout"
  assert_contains "$ERR" "Error: "
}

test_whoami_with_an_expired_token_is_exit_3() {
  fresh_org
  TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org "$ORG" --expires 1s 2>/dev/null) || fail "create"
  export SIXPN_API_TOKEN=$TOKEN
  sleep 2
  sixpn auth whoami
  assert_rc 3
}

run_suite
