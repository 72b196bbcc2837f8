#!/usr/bin/env bash
# sixpnd over real HTTP: an address that keeps failing authentication is answered 429, while
# valid tokens from it still work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
TOKEN=$(new_org acme) || exit 1

test_repeated_bad_tokens_get_429_with_retry_after_but_good_tokens_pass() {
  local urls=() i
  for i in $(seq 1 100); do urls+=("$API/v1/orgs"); done
  # One curl process, 100 requests over one connection, all with a wrong token; each body is
  # followed by its status on the same line.
  curl -s -w '%{http_code}\n' -H "Authorization: Bearer sixpn_wrong" "${urls[@]}" \
    >"$WORK/codes"
  assert_eq 100 "$(grep -c '401$' "$WORK/codes")" "the first 100 failures are 401"
  TOKEN=sixpn_wrong call GET /v1/orgs
  assert_error 429 too_many_requests
  grep -qi '^retry-after: [1-9]' <<<"$HDRS" || fail "no Retry-After: $HDRS"
  TOKEN="" call GET /v1/apps
  assert_error 429 too_many_requests
  call GET /v1/orgs
  assert_status 200
  TOKEN="" call GET /v1/platform/regions
  assert_status 200
}

run_suite
