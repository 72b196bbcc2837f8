# Shared harness for the shell suites: starts a real sixpnd on 127.0.0.1 with a fresh database,
# runs the real sixpn binary with stdin closed, and counts passing and failing cases.
#
# A suite defines functions named test_<behaviour>, sources this file and calls run_suite.
# Every case runs in a subshell, so one failing assertion ends that case only.
set -u

SIXPN_BIN=${SIXPN_BIN:?SIXPN_BIN must point at the sixpn binary}
SIXPND_BIN=${SIXPND_BIN:?SIXPND_BIN must point at the sixpnd binary}
SIXPN_SOURCE_DIR=${SIXPN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-test.XXXXXX")
SIXPND_PID=""
SIXPND_LOG="$WORK/sixpnd.log"
DB="$WORK/sixpnd.db"
PORT=""
API=""

# Keep every test away from the user's own config and from CI's prompts.
export SIXPN_CONFIG_DIR="$WORK/config"
export HOME="$WORK/home"
mkdir -p "$HOME"
unset SIXPN_API_URL SIXPN_API_TOKEN SIXPN_ORG SIXPN_APP SIXPN_WG_REGION

cleanup() {
  stop_sixpnd
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_sixpnd [extra serve flags…] — serves $DB on a free loopback port; sets PORT and API.
start_sixpnd() {
  local tries
  for tries in 1 2 3 4 5; do
    PORT=$(free_port)
    API="http://127.0.0.1:$PORT"
    "$SIXPND_BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" "$@" >>"$SIXPND_LOG" 2>&1 &
    SIXPND_PID=$!
    if wait_for_http "$API/v1/platform/regions"; then
      export SIXPN_API_URL="$API"
      return 0
    fi
    kill "$SIXPND_PID" 2>/dev/null; wait "$SIXPND_PID" 2>/dev/null
    SIXPND_PID=""
  done
  echo "sixpnd did not start; its log:" >&2
  cat "$SIXPND_LOG" >&2
  return 1
}

wait_for_http() {
  local url=$1 i
  for i in $(seq 1 100); do
    # Any HTTP answer (even 401) means the server is up.
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$url" 2>/dev/null)
    [ -n "$code" ] && [ "$code" != "000" ] && return 0
    [ -n "$SIXPND_PID" ] && ! kill -0 "$SIXPND_PID" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

stop_sixpnd() {
  if [ -n "$SIXPND_PID" ]; then
    kill -TERM "$SIXPND_PID" 2>/dev/null
    wait "$SIXPND_PID" 2>/dev/null
    SIXPND_PID=""
  fi
}

# new_org SLUG — creates an org in $DB and prints a token for it (stdout).
new_org() {
  "$SIXPND_BIN" orgs create "$1" --db "$DB" >/dev/null || return 1
  "$SIXPND_BIN" tokens create --db "$DB" --org "$1"
}

# run CMD… — runs with stdin closed and a 60 s guard; sets OUT, ERR and RC.
run() {
  timeout 60 "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# sixpn ARGS… — the real CLI, via run.
sixpn() { run "$SIXPN_BIN" "$@"; }

# api METHOD PATH [JSON] — curl with the current $TOKEN; sets OUT (body), RC (HTTP status).
api() {
  local method=$1 path=$2 body=${3:-}
  local args=(-s -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${TOKEN:-}")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  RC=$(curl "${args[@]}" "$API$path")
  OUT=$(cat "$WORK/body")
}

fail() {
  echo "    $*" >&2
  exit 1
}

assert_eq() {  # expected actual [what]
  [ "$1" == "$2" ] || fail "${3:-value}: expected [$1], got [$2]"
}
assert_rc() {  # expected-exit-code
  [ "$RC" == "$1" ] || fail "exit code: expected $1, got $RC; stderr: $ERR"
}
assert_contains() {  # haystack needle [what]
  [[ "$1" == *"$2"* ]] || fail "${3:-text} does not contain [$2]: [$1]"
}
assert_not_contains() {  # haystack needle [what]
  [[ "$1" != *"$2"* ]] || fail "${3:-text} contains [$2]"
}
json_get() {  # json jq-like python expression on `d`, e.g. 'd["items"][0]["name"]'
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"
}

run_suite() {
  local passed=0 failed=0 name
  for name in $(declare -F | awk '{print $3}' | grep '^test_'); do
    if ( "$name" ); then
      echo "ok - $name"
      passed=$((passed + 1))
    else
      echo "not ok - $name"
      failed=$((failed + 1))
    fi
  done
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
