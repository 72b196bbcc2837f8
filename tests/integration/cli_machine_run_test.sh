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

test_port_and_autostop_flags_are_stored_and_returned_as_services() {
  app_in_fresh_org app
  sixpn machine run -a "$APP" --region ams --port 5432/tcp --autostop stop --detach --json -- true
  assert_rc 0
  local id
  id=$(json_get "$OUT" 'd["id"]')
  assert_eq "5432 5432 tcp stop True 0 20 25" "$(json_get "$OUT" '" ".join(str(x) for x in [
    d["config"]["services"][0]["ports"][0]["port"], d["config"]["services"][0]["internal_port"],
    d["config"]["services"][0]["protocol"], d["config"]["services"][0]["autostop"],
    d["config"]["services"][0]["autostart"], d["config"]["services"][0]["min_machines_running"],
    d["config"]["services"][0]["concurrency"]["soft_limit"],
    d["config"]["services"][0]["concurrency"]["hard_limit"]])')"
  sixpn machine status "$id" -a "$APP" --json
  assert_rc 0
  assert_eq "stop" "$(json_get "$OUT" 'd["config"]["services"][0]["autostop"]')"
  sixpn machine list -a "$APP" --json
  assert_eq "5432" "$(json_get "$OUT" 'd[0]["config"]["services"][0]["ports"][0]["port"]')"
  sixpn machine status "$id" -a "$APP"
  assert_contains "$OUT" "  Services = 5432→5432/tcp (autostart, autostop stop, min 0, limits 20/25)"
}

test_bad_ports_are_exit_2_with_the_sentence_and_nothing_is_created() {
  app_in_fresh_org app
  sixpn machine run -a "$APP" --region ams --port 70000/tcp -- true
  assert_rc 2
  assert_contains "$ERR" 'Error: --port "70000/tcp" has port 70000, not one from 1 to 65535'
  sixpn machine run -a "$APP" --region ams --port 0:80/tcp -- true
  assert_rc 2
  assert_contains "$ERR" 'has port 0, not one from 1 to 65535'
  sixpn machine run -a "$APP" --region ams --port 53/udp -- true
  assert_rc 2
  assert_contains "$ERR" "only tcp services are served"
  sixpn machine run -a "$APP" --region ams --port 80/tcp --port 80:81/tcp -- true
  assert_rc 2
  assert_contains "$ERR" "--port 80 is given twice"
  sixpn machine run -a "$APP" --region ams --port 80/tcp --soft-limit 30 -- true
  assert_rc 2
  assert_contains "$ERR" "the soft limit (30) must not be over the hard limit (25)"
  sixpn machine run -a "$APP" --region ams --autostop stop -- true
  assert_rc 2
  assert_contains "$ERR" "service flags need a service to apply to"
  # The control plane checks the same rules for any client.
  api POST "/v1/apps/$APP/machines" '{"region": "ams", "config": {"services": [
    {"internal_port": 80, "ports": [{"port": 80}]}, {"internal_port": 81, "ports": [{"port": 80}]}]}}'
  assert_eq 422 "$RC"
  assert_contains "$OUT" "port 80 is in config.services[0] and config.services[1]"
  sixpn machine list -a "$APP" --json
  assert_eq "[]" "$OUT"
}

test_fly_toml_services_are_used_unless_flags_say_otherwise() {
  app_in_fresh_org app
  local dir
  dir=$(mktemp -d)
  printf 'app = "%s"\n[[services]]\ninternal_port = 8080\nauto_stop_machines = "stop"\n[[services.ports]]\nport = 80\n[services.concurrency]\nsoft_limit = 3\nhard_limit = 4\n' \
    "$APP" >"$dir/fly.toml"
  sixpn -c "$dir/fly.toml" machine run --region ams --autostart=false --detach --json -- true
  assert_rc 0
  assert_eq "80 8080 stop False 3 4" "$(json_get "$OUT" '" ".join(str(x) for x in [
    d["config"]["services"][0]["ports"][0]["port"], d["config"]["services"][0]["internal_port"],
    d["config"]["services"][0]["autostop"], d["config"]["services"][0]["autostart"],
    d["config"]["services"][0]["concurrency"]["soft_limit"],
    d["config"]["services"][0]["concurrency"]["hard_limit"]])')"
  sixpn -c "$dir/fly.toml" machine run --region ams --port 5432/tcp --detach --json -- true
  assert_rc 0
  assert_eq "5432 1" "$(json_get "$OUT" 'str(d["config"]["services"][0]["internal_port"]) + " " + str(len(d["config"]["services"]))')"
  printf 'app = "%s"\n[http_service]\ninternal_port = 8080\nforce_https = true\n' "$APP" >"$dir/fly.toml"
  sixpn -c "$dir/fly.toml" machine run --region ams --detach -- true
  assert_rc 2
  assert_contains "$ERR" "sets http_service.force_https = true, which is refused: Flycast is private HTTP/TCP only; force_https needs the public edge"
  rm -rf "$dir"
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
