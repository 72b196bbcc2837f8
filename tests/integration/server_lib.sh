# Helpers for the sixpnd suites (server_*_test.sh), on top of lib.sh.

# A random WireGuard public key: any 32 bytes, in canonical base64.
random_pubkey() {
  python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'
}

# call METHOD PATH [JSON] [curl args…] — like api, also keeps the response headers in HDRS.
call() {
  local method=$1 path=$2 body=${3:-}
  shift 3 2>/dev/null || shift $#
  local args=(-s -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}' -X "$method")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  RC=$(curl "${args[@]}" "$@" "$API$path")
  OUT=$(cat "$WORK/body")
  HDRS=$(tr -d '\r' <"$WORK/headers")
}

# assert_status CODE — the last api/call answered CODE.
assert_status() {
  [ "$RC" == "$1" ] || fail "HTTP status: expected $1, got $RC; body: $OUT"
}

# assert_error CODE MACHINE-WORD — an {"error","code"} body with that status and code.
assert_error() {
  assert_status "$1"
  assert_eq "$2" "$(json_get "$OUT" 'd["code"]')" "error code"
  [ -n "$(json_get "$OUT" 'd["error"]')" ] || fail "error sentence is empty: $OUT"
}

peer_json() {  # name region [pubkey]
  printf '{"name":"%s","region":"%s","pubkey":"%s"}' "$1" "$2" "${3:-$(random_pubkey)}"
}
