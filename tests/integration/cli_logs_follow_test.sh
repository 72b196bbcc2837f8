#!/usr/bin/env bash
# sixpn logs -f against a real sixpnd that goes away mid-follow: killed, then started again on
# the same port and database. The lines come from a registered host's log batches (the host
# protocol's POST /v1/hosts/self/logs, sent with curl), so the only sixpn here is the follower.
source "$(dirname "$0")/cli_helpers.sh"
source "$(dirname "$0")/server_lib.sh"
cli_start

app_in_fresh_org logs
JOIN=$("$SIXPND_BIN" hosts create --db "$DB" --region fra --name fra-logs 2>/dev/null) ||
  { echo "cannot make a join token" >&2; exit 1; }
body=$(printf '{"join_token":"%s","pubkey":"%s","endpoint":"10.0.0.2:51821","name":"fra-logs"}' \
  "$JOIN" "$(random_pubkey)")
TOKEN="" call POST /v1/hosts/register "$body"
[ "$RC" == 201 ] || { echo "registration: $RC $OUT" >&2; exit 1; }
HOST_CREDENTIAL=$(json_get "$OUT" 'd["credential"]')
api POST "/v1/apps/$APP/machines" '{"region":"fra"}'
[ "$RC" == 201 ] || { echo "machine create: $RC $OUT" >&2; exit 1; }
MACHINE=$(json_get "$OUT" 'd["id"]')

# post_lines FROM TO — the host sends "line FROM" … "line TO" of its machine.
post_lines() {
  local lines="" n
  for n in $(seq "$1" "$2"); do
    lines+="${lines:+,}{\"machine_id\":\"$MACHINE\",\"timestamp\":\"2026-12-01T09:00:00.${n}00Z\",\"stream\":\"stdout\",\"message\":\"line $n\"}"
  done
  TOKEN="$HOST_CREDENTIAL" call POST /v1/hosts/self/logs "{\"lines\":[$lines]}"
  [ "$RC" == 204 ] || fail "posting lines $1..$2: $RC $OUT"
}

# until_lines N FILE — waits up to 20 s for FILE to hold N lines.
until_lines() {
  local i
  for i in $(seq 1 100); do
    [ "$(wc -l <"$2")" -ge "$1" ] && return 0
    sleep 0.2
  done
  return 1
}

# The same port and database again, as an operator's restart gives them. A case runs in a
# subshell, so the new PID goes in a file for the suite's EXIT trap, which stops it on success
# as on failure (the suite's own cleanup knows only the first sixpnd).
restart_sixpnd_on_the_same_port() {
  "$SIXPND_BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" --seed "$SEED" >>"$SIXPND_LOG" 2>&1 &
  SIXPND_PID=$!
  echo "$SIXPND_PID" >"$WORK/restarted.pid"
  wait_for_http "$API/v1/platform/regions"
}
stop_restarted() {
  [ -f "$WORK/restarted.pid" ] || return 0
  kill -TERM "$(cat "$WORK/restarted.pid")" 2>/dev/null
  for _ in $(seq 1 50); do
    kill -0 "$(cat "$WORK/restarted.pid")" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$(cat "$WORK/restarted.pid")" 2>/dev/null
}
trap 'stop_restarted; cleanup' EXIT

test_follow_outlives_a_restarted_control_plane_without_losing_or_repeating_lines() {
  post_lines 1 3
  set -m  # job control: the background sixpn must not start with SIGINT ignored
  "$SIXPN_BIN" logs -a "$APP" -f </dev/null >"$WORK/follow.out" 2>"$WORK/follow.err" &
  local follower=$!
  trap "kill -KILL $follower 2>/dev/null" EXIT
  until_lines 3 "$WORK/follow.out" || fail "the kept lines did not come: $(cat "$WORK/follow.err")"

  kill -KILL "$SIXPND_PID"
  wait "$SIXPND_PID" 2>/dev/null
  SIXPND_PID=""
  # Long enough for the follower to fail more than once while nothing listens.
  sleep 4
  restart_sixpnd_on_the_same_port || fail "sixpnd did not start again: $(tail -5 "$SIXPND_LOG")"
  post_lines 4 6
  until_lines 6 "$WORK/follow.out" ||
    fail "the lines after the restart did not come: $(cat "$WORK/follow.out"; cat "$WORK/follow.err")"
  sleep 1.5  # a duplicate, if any, would be printed by now
  kill -0 "$follower" || fail "the follower ended: $(cat "$WORK/follow.err")"
  kill -INT "$follower"
  wait "$follower"
  local rc=$?

  assert_eq "line 1
line 2
line 3
line 4
line 5
line 6" "$(sed 's/.*\] //' "$WORK/follow.out")" "followed lines"
  assert_contains "$(head -1 "$WORK/follow.out")" "app[$MACHINE] fra [info] line 1" "layout"
  local err
  err=$(cat "$WORK/follow.err")
  assert_eq 1 "$(grep -c 'Lost the control plane' <<<"$err")" "outage sentences in [$err]"
  assert_eq 1 "$(grep -c 'answers again' <<<"$err")" "recovery sentences in [$err]"
  assert_eq 130 "$rc" "exit code after Ctrl-C"
}

run_suite
