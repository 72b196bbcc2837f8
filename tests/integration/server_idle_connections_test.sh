#!/usr/bin/env bash
# sixpnd over real HTTP with hundreds of idle connections held open (kept-alive ones that sent
# a GET and wait, silent ones that sent nothing, stalled ones whose headers never end), as host
# agents parked on long-poll watches will hold them: sixpn commands still get their answers, and
# sixpnd still stops. `timeout` only turns a hang into a failure; nothing here is timed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

IDLE_REQUESTS=${IDLE_REQUESTS:-300}
IDLE_SILENT=${IDLE_SILENT:-100}
IDLE_STALLED=${IDLE_STALLED:-100}
HOLDER_PID=""

start_sixpnd || exit 1
TOKEN=$(new_org acme) || exit 1
export SIXPN_API_TOKEN=$TOKEN

stop_holder() {
  [ -n "$HOLDER_PID" ] && kill "$HOLDER_PID" 2>/dev/null && wait "$HOLDER_PID" 2>/dev/null
  HOLDER_PID=""
}
trap 'stop_holder; cleanup' EXIT
# Each case runs in a subshell, which does not inherit that trap: cases set their own.

# hold_idle [holder flags…] — opens IDLE_REQUESTS + IDLE_SILENT + IDLE_STALLED idle
# connections to sixpnd and returns once all are open; the holder's events go to $WORK/holder.
hold_idle() {
  local i
  python3 "$SIXPN_SOURCE_DIR/tests/integration/idle_connections.py" 127.0.0.1 "$PORT" \
    --requests "$IDLE_REQUESTS" --silent "$IDLE_SILENT" --stalled "$IDLE_STALLED" "$@" \
    >"$WORK/holder" 2>"$WORK/holder.err" &
  HOLDER_PID=$!
  for i in $(seq 1 300); do
    grep -q '^ready' "$WORK/holder" && return 0
    kill -0 "$HOLDER_PID" 2>/dev/null || fail "the holder died: $(cat "$WORK/holder.err")"
    sleep 0.1
  done
  fail "the holder did not open its connections: $(cat "$WORK/holder.err")"
}

# wait_for_answers N — until N of the holder's GETs were answered (a guard against a hang).
wait_for_answers() {
  local i n=0
  for i in $(seq 1 200); do
    n=$(grep -c '^answered request' "$WORK/holder")
    [ "$n" -ge "$1" ] && return 0
    sleep 0.1
  done
  fail "only $n of $1 idle GETs were answered"
}

test_commands_answer_while_hundreds_of_idle_connections_are_held() {
  trap stop_holder EXIT
  hold_idle
  run timeout 20 "$SIXPN_BIN" platform regions --json
  assert_rc 0
  assert_contains "$OUT" '"code": "ams"'
  run timeout 20 "$SIXPN_BIN" orgs list --json
  assert_rc 0
  assert_contains "$OUT" '"slug": "acme"'
  run timeout 20 "$SIXPN_BIN" wg create acme ams laptop stdout
  assert_rc 0
  assert_contains "$OUT" "[Interface]"
  # Every idle GET was served on a connection of its own, and the holder still holds them all.
  wait_for_answers "$IDLE_REQUESTS"
  kill -0 "$HOLDER_PID" 2>/dev/null || fail "the holder died: $(cat "$WORK/holder.err")"
  stop_holder
}

# Every thread ends and sixpnd exits 0: idle connections are let go when httplib's keep-alive
# or read timeout (5 s) ends, and the queued ones are closed without being served.
test_sixpnd_stops_with_idle_connections_open() {
  # A sixpnd of this case's own (the subshell's SIXPND_PID), so the suite's one keeps serving.
  trap 'stop_holder; stop_sixpnd' EXIT
  DB="$WORK/stop.db"
  start_sixpnd || fail "a second sixpnd did not start"
  hold_idle --no-reopen
  wait_for_answers "$IDLE_REQUESTS"
  kill -TERM "$SIXPND_PID"
  run timeout 20 tail --pid="$SIXPND_PID" -f /dev/null
  assert_rc 0
  wait "$SIXPND_PID"
  RC=$?
  SIXPND_PID=""
  assert_rc 0
  assert_contains "$(cat "$SIXPND_LOG")" "sixpnd stopped"
}

run_suite
