#!/usr/bin/env bash
# Off a terminal sixpn never prompts and never hangs: every value it would ask for is an error
# naming what to pass. Also: timeouts and SIGINT end a request with the documented codes.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

two_orgs() {
  fresh_org
  "$SIXPND_BIN" orgs create "$ORG-b" --db "$DB" >/dev/null 2>&1 || fail "org"
  SIXPN_API_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org "$ORG" --org "$ORG-b")
  export SIXPN_API_TOKEN
}

# quick CMD… — runs sixpn with stdin closed and requires it to finish within 5 seconds.
quick() {
  local start=$SECONDS
  sixpn "$@"
  [ $((SECONDS - start)) -le 5 ] || fail "sixpn $* took $((SECONDS - start)) s"
  [ "$RC" != 124 ] || fail "sixpn $* hung"
}

test_everything_that_would_prompt_is_an_error_instead() {
  two_orgs; scratch
  quick wg create "" ams p p.conf
  assert_rc 2
  assert_contains "$ERR" "org must be specified when not running interactively"
  quick wg create "$ORG" ams p
  assert_rc 2
  quick wg list
  assert_rc 2
  quick wg remove "$ORG"
  assert_rc 2
  quick wg remove "$ORG" p
  assert_rc 2
  quick apps create "x-$ORG"
  assert_rc 2
  quick auth login --api-url "$API"
  assert_rc 2
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_ci_set_means_no_prompts_even_on_a_terminal_like_stdin() {
  two_orgs
  CI=true script -qec "$SIXPN_BIN wg list" /dev/null </dev/null >"$WORK/ci.out" 2>&1
  assert_contains "$(cat "$WORK/ci.out")" "org must be specified when not running interactively"
}

test_timeout_ends_a_request_that_gets_no_answer() {
  fresh_org
  hang_server
  trap "kill $HANG_PID 2>/dev/null" EXIT
  quick orgs list --api-url "http://127.0.0.1:$HANG_PORT" --timeout 1
  assert_rc 1
  assert_contains "$ERR" "Error: no answer from http://127.0.0.1:$HANG_PORT within 1 s"
}

test_sigint_during_a_request_is_exit_130() {
  fresh_org
  hang_server
  trap "kill $HANG_PID 2>/dev/null" EXIT
  # Job control on, so the background sixpn does not start with SIGINT ignored.
  set -m
  "$SIXPN_BIN" orgs list --api-url "http://127.0.0.1:$HANG_PORT" --timeout 30 \
    </dev/null >"$WORK/int.out" 2>"$WORK/int.err" &
  local pid=$!
  hang_wait_accepted
  kill -INT "$pid"
  wait "$pid"
  assert_eq 130 "$?" "exit code"
  assert_eq "Error: interrupted" "$(cat "$WORK/int.err")"
  assert_eq "" "$(cat "$WORK/int.out")" "stdout"
}

run_suite
