#!/usr/bin/env bash
# sixpn machine run, machine status and logs against a real sixpnd: what the CLI decides
# itself (validation, exit codes, --detach). Running a machine on a real host and waiting for
# it is the multi-host end-to-end suite's part.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_bad_flags_are_exit_2_naming_the_flag_before_anything_is_created() {
  app_in_fresh_org app
  sixpn machine run -a "$APP" --region ams --env NOVALUE -- true
  assert_rc 2
  assert_contains "$ERR" 'Error: --env "NOVALUE" is not KEY=VALUE'
  sixpn machine run -a "$APP" --region ams --env FLY_REGION=x -- true
  assert_rc 2
  assert_contains "$ERR" "--env cannot set FLY_REGION"
  sixpn machine run -a "$APP" --region ams --restart sometimes -- true
  assert_rc 2
  assert_contains "$ERR" "--restart must be no, always or on-failure"
  sixpn machine run -a "$APP" --region ams --stop-timeout 5x -- true
  assert_rc 2
  assert_contains "$ERR" '--stop-timeout "5x" is not a duration'
  sixpn machine run -a "$APP" --region ams --wait-timeout 0s -- true
  assert_rc 2
  assert_contains "$ERR" "--wait-timeout must be from 1s to 3600s"
  sixpn machine run -a "$APP" --region ams --stop-signal SIGSEGV -- true
  assert_rc 2
  sixpn machine run -a "$APP" --region ams --image relative/path -- true
  assert_rc 2
  sixpn machine run -a "$APP" -- true
  assert_rc 2
  assert_contains "$ERR" "--region"
  sixpn machine list -a "$APP" --json
  assert_eq "[]" "$OUT"
}

test_detach_returns_the_created_machine_at_once() {
  app_in_fresh_org app
  sixpn machine run -a "$APP" --region ams --name runner --detach --json -- sh -c 'echo hi'
  assert_rc 0
  assert_eq "runner" "$(json_get "$OUT" 'd["name"]')"
  local id
  id=$(json_get "$OUT" 'd["id"]')
  assert_contains "$ERR" "Created machine $id in app $APP"
  sixpn machine list -a "$APP" --json
  assert_eq "$id" "$(json_get "$OUT" 'd[0]["id"]')"
  sixpn machine status "$id" -a "$APP" --json
  assert_rc 0
  assert_eq "$id" "$(json_get "$OUT" 'd["id"]')"
  sixpn machine status "$id" -a "$APP"
  assert_rc 0
  assert_contains "$OUT" "Machine
  ID            = $id"
  assert_contains "$OUT" "  Name          = runner"
}

test_unknown_machines_and_apps_are_exit_4() {
  app_in_fresh_org app
  sixpn machine status 00000000000000 -a "$APP"
  assert_rc 4
  assert_eq "" "$OUT"
  sixpn logs -a "$APP" --machine 00000000000000
  assert_rc 4
  assert_eq "" "$OUT"
  sixpn logs -a "nope-$ORG"
  assert_rc 4
  assert_eq "" "$OUT"
}

test_help_shows_the_command_after_dashes_and_examples() {
  sixpn machine run --help
  assert_rc 0
  assert_contains "$OUT" "sixpn machine run -a my-app --region ams -- python3 -m http.server 8080"
  assert_contains "$OUT" "--wait-timeout"
  sixpn logs --help
  assert_rc 0
  assert_contains "$OUT" "sixpn logs -a my-app -f --json"
}

run_suite
