#!/usr/bin/env bash
# End to end: the real `sixpnd host` against a real `sixpnd serve`, running machines with runc.
# Both run in a network namespace this test makes (entered with nsenter --net, which keeps the
# mount namespace, so the machines' namespaces the agent makes are visible to everyone), so
# every veth and route lands there and never on this machine's own interfaces. The outer shell
# removes every namespace, container, process and file of the run on exit, whatever happened.
# The agent runs its mesh interface (wireguard-go, no peers: it is the only node) and the DNS at
# fdaa::3 in that namespace too.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ -z "${SIXPN_HA_INSIDE:-}" ]; then
  [ "$(id -u)" -eq 0 ] || { echo "SKIPPED: the host agent e2e needs root" >&2; exit 77; }
  command -v runc >/dev/null || { echo "SKIPPED: runc is missing" >&2; exit 77; }
  RUN_TAG="s6ha$$"
  OUTER=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-host-e2e.XXXXXX")
  ip netns add "$RUN_TAG" 2>/dev/null || { echo "SKIPPED: cannot create network namespaces" >&2; exit 77; }
  outer_cleanup() {
    local ns root id
    for ns in $(ip netns list | awk '{print $1}' | grep "^$RUN_TAG"); do
      ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    done
    for root in "$OUTER"/*/host*/runc; do
      [ -d "$root" ] || continue
      for id in $(runc --root "$root" list -q 2>/dev/null); do
        runc --root "$root" delete --force "$id" 2>/dev/null
      done
    done
    for ns in $(ip netns list | awk '{print $1}' | grep "^$RUN_TAG"); do ip netns del "$ns"; done
    rm -rf "$OUTER"
    rm -f "/var/run/wireguard/$RUN_TAG.sock"  # wireguard-go's, if a KILL left it
  }
  trap outer_cleanup EXIT
  trap 'exit 130' INT TERM
  SIXPN_HA_INSIDE=1 RUN_TAG="$RUN_TAG" TMPDIR="$OUTER" \
    nsenter --net="/var/run/netns/$RUN_TAG" bash "${BASH_SOURCE[0]}"
  exit $?
fi

. "$HERE/../integration/lib.sh"
ip link set lo up

STATE="$WORK/host1"
AGENT_PID=""
AGENT_LOG="$WORK/agent.log"

start_agent() {  # [extra flags…]
  "$SIXPND_BIN" host --control-plane "$API" --state-dir "$STATE" --netns-prefix "$RUN_TAG-" \
    --interface "$RUN_TAG" --endpoint 127.0.0.1:51821 --dns-upstream none --resync 2 "$@" \
    >>"$AGENT_LOG" 2>&1 &
  AGENT_PID=$!
  echo "$AGENT_PID" >"$WORK/agent.pid"
}
agent_pid() { cat "$WORK/agent.pid"; }

inner_cleanup() {
  [ -f "$WORK/agent.pid" ] && kill -TERM "$(agent_pid)" 2>/dev/null && sleep 0.5
  stop_sixpnd
}
trap 'inner_cleanup; cleanup' EXIT

# wait_until SECONDS CMD… — retries every 0.2 s.
wait_until() {
  local seconds=$1 i
  shift
  for i in $(seq 1 $((seconds * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

machine_state() {  # id → the state users see
  api GET "/v1/apps/web/machines"
  json_get "$OUT" "[m['state'] for m in (d['items'] if isinstance(d, dict) else d) if m['id'] == '$1'][0]" 2>/dev/null
}
machine_is() { [ "$(machine_state "$1")" == "$2" ]; }

# The PID the host sees for the machine's first process, from runc.
machine_pid() {
  runc --root "$STATE/runc" state "$1" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null
}

start_sixpnd || { echo "sixpnd serve did not start" >&2; exit 1; }
TOKEN=$(new_org acme) || { echo "cannot make an org" >&2; exit 1; }
api POST /v1/apps '{"app_name":"web","org_slug":"acme"}'
[ "$RC" == 201 ] || [ "$RC" == 200 ] || { echo "cannot create the app: $RC $OUT" >&2; exit 1; }
JOIN=$("$SIXPND_BIN" hosts create --db "$DB" --region ams --name ams-1) ||
  { echo "cannot make a join token" >&2; exit 1; }

put() { echo "$2" >"$WORK/val-$1"; }
get() { cat "$WORK/val-$1"; }

test_1_the_agent_registers_and_keeps_its_secrets_private() {
  start_agent --join-token "$JOIN"
  wait_until 10 test -s "$STATE/host.json" || fail "no registration; agent log: $(cat "$AGENT_LOG")"
  assert_eq 700 "$(stat -c %a "$STATE")" "state dir mode"
  assert_eq 600 "$(stat -c %a "$STATE/wireguard.key")" "key mode"
  assert_eq 600 "$(stat -c %a "$STATE/credential")" "credential mode"
  run "$SIXPND_BIN" hosts list --db "$DB" --json
  assert_contains "$OUT" '"ams-1"' "hosts list"
  wait_until 10 wg show "$RUN_TAG" || fail "no mesh interface; agent log: $(cat "$AGENT_LOG")"
  assert_eq 51821 "$(wg show "$RUN_TAG" listen-port)" "the mesh's listen port"
}

test_2_a_machine_created_over_the_api_runs_with_its_environment() {
  api POST /v1/apps/web/machines \
    '{"region":"ams","config":{"init":{"cmd":["/bin/sh","-c","echo hello from the machine; exec sleep 600"]},"env":{"GREETING":"hi"},"restart":{"policy":"no"}}}'
  [ "$RC" == 200 ] || [ "$RC" == 201 ] || fail "create: $RC $OUT"
  local id
  id=$(json_get "$OUT" 'd["id"]')
  put machine "$id"
  wait_until 20 machine_is "$id" started || fail "not started: $(machine_state "$id"); $(tail -5 "$AGENT_LOG")"
  local pid
  pid=$(machine_pid "$id")
  [ -n "$pid" ] || fail "runc knows no container $id"
  local env
  env=$(tr '\0' '\n' <"/proc/$pid/environ")
  assert_contains "$env" "FLY_MACHINE_ID=$id" "environ"
  assert_contains "$env" "FLY_APP_NAME=web" "environ"
  assert_contains "$env" "FLY_REGION=ams" "environ"
  assert_contains "$env" "GREETING=hi" "environ"
  assert_contains "$env" "FLY_PRIVATE_IP=fdaa:" "environ"
  put pid "$pid"
  local ip
  ip=$(sed -n 's/^FLY_PRIVATE_IP=//p' <<<"$env")
  # Asked from inside the machine's namespace, as the machine asks.
  local ask=(nsenter --net="/var/run/netns/$RUN_TAG-$id" dig +short +time=1 +tries=1 @fdaa::3 AAAA
    "$id.vm.web.internal")
  wait_until 10 eval '[ "$("${ask[@]}")" == "$ip" ]' ||
    fail "fdaa::3 does not answer $id.vm.web.internal with $ip: $("${ask[@]}")"
}

test_3_its_log_lines_reach_the_control_plane() {
  local id
  id=$(get machine)
  wait_until 10 eval 'api GET "/v1/apps/web/logs?machine_id='"$id"'"; [[ "$OUT" == *"hello from the machine"* ]]' ||
    fail "no log line: $OUT"
}

test_4_a_killed_agent_restarted_adopts_the_machine_untouched() {
  local id pid
  id=$(get machine)
  pid=$(get pid)
  kill -KILL "$(agent_pid)"
  sleep 0.5
  start_agent --join-token "$JOIN"  # ignored: it registered already
  wait_until 10 grep -q "join-token is ignored" "$AGENT_LOG" || fail "no note about --join-token"
  sleep 3  # a full pass (--resync 2) has run
  assert_eq "$pid" "$(machine_pid "$id")" "PID after adoption"
  assert_eq started "$(machine_state "$id")" "state"
}

test_5_stop_and_start_converge() {
  local id
  id=$(get machine)
  api POST "/v1/apps/web/machines/$id/stop"
  wait_until 20 machine_is "$id" stopped || fail "not stopped: $(machine_state "$id")"
  ! kill -0 "$(get pid)" 2>/dev/null || fail "its process still runs"
  api POST "/v1/apps/web/machines/$id/start"
  wait_until 20 machine_is "$id" started || fail "not started again: $(machine_state "$id")"
  [ -n "$(machine_pid "$id")" ] || fail "no process after start"
}

test_6_a_command_that_does_not_exist_fails_with_a_sentence() {
  api POST /v1/apps/web/machines '{"region":"ams","config":{"init":{"cmd":["no-such-program"]}}}'
  local id
  id=$(json_get "$OUT" 'd["id"]')
  wait_until 20 machine_is "$id" failed || fail "not failed: $(machine_state "$id")"
  api DELETE "/v1/apps/web/machines/$id"
}

# An OCI image layout made as an image author would, with umoci: busybox-static, a marker file,
# and its CMD, ENV and WORKDIR.
make_busybox_layout() {  # DIR TAG
  local layout=$1 tag=$2 bundle="$1-bundle"
  umoci init --layout "$layout" && umoci new --image "$layout:$tag" &&
    umoci unpack --image "$layout:$tag" "$bundle" || return 1
  mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/srv"
  cp /bin/busybox "$bundle/rootfs/bin/busybox"
  local tool
  for tool in sh cat ls pwd; do ln -s busybox "$bundle/rootfs/bin/$tool"; done
  echo "from the image" >"$bundle/rootfs/image-marker"
  umoci repack --image "$layout:$tag" "$bundle" &&
    umoci config --image "$layout:$tag" --config.env IMAGE_VAR=from-image --config.workingdir /srv \
      --config.cmd /bin/sh --config.cmd -c \
      --config.cmd 'cat /image-marker; ls /usr/bin/python3 2>/dev/null || echo no host python; pwd; echo $IMAGE_VAR' ||
    return 1
  rm -rf "$bundle"
}

machine_messages() {  # id → the messages of its log lines, joined by "|"
  api GET "/v1/apps/web/logs?machine_id=$1"
  json_get "$OUT" '"|".join(l["message"] for l in d["items"])'
}

test_6b_a_machine_from_an_oci_layout_runs_the_images_files_and_command() {
  command -v umoci >/dev/null || fail "umoci is missing (scripts/install-deps.sh)"
  make_busybox_layout "$WORK/image" v1 || fail "cannot make the OCI layout"
  api POST /v1/apps/web/machines \
    '{"region":"ams","config":{"image":"'"$WORK/image:v1"'","restart":{"policy":"no"}}}'
  [ "$RC" == 201 ] || fail "create: $RC $OUT"
  local id
  id=$(json_get "$OUT" 'd["id"]')
  wait_until 60 machine_is "$id" stopped || fail "not stopped: $(machine_state "$id"); $(tail -5 "$AGENT_LOG")"
  local expected="from the image|no host python|/srv|from-image"
  wait_until 10 eval '[ "$(machine_messages "$id")" == "$expected" ]' ||
    fail "its lines: $(machine_messages "$id")"
  [ "$(ls "$STATE/images" | wc -l)" == 1 ] || fail "the image cache holds: $(ls -a "$STATE/images")"
  api DELETE "/v1/apps/web/machines/$id"
}

test_6c_stop_with_sigterm_ends_a_machine_that_ignores_sigint_at_once() {
  local script="trap '' INT; trap 'exit 7' TERM; while :; do sleep 0.1; done"
  api POST /v1/apps/web/machines \
    '{"region":"ams","config":{"init":{"cmd":["/bin/sh","-c","'"$script"'"]},"restart":{"policy":"no"},"stop_config":{"signal":"SIGINT","timeout":"120s"}}}'
  [ "$RC" == 201 ] || fail "create: $RC $OUT"
  local id
  id=$(json_get "$OUT" 'd["id"]')
  wait_until 20 machine_is "$id" started || fail "not started: $(machine_state "$id")"
  # Its config's SIGINT is ignored, and its 120 s would outlast the 30 s wait: only a SIGTERM
  # sent at once ends it in time, with the code its TERM trap gives.
  SIXPN_API_TOKEN="$TOKEN" run "$SIXPN_BIN" machine stop "$id" -a web --signal TERM --timeout 60s \
    --wait-timeout 30s --json
  assert_rc 0
  assert_eq stopped "$(json_get "$OUT" 'd["state"]')" "state"
  assert_eq 7 "$(json_get "$OUT" 'd["exit_code"]')" "exit code (7: its TERM trap; 137: SIGKILL)"
  SIXPN_API_TOKEN="$TOKEN" run "$SIXPN_BIN" machine stop "$id" -a web --signal SIGSEGV
  assert_rc 2
  api POST "/v1/apps/web/machines/$id/stop" '{"timeout":"2h"}'
  assert_eq 400 "$RC" "status of a stop with a timeout of 2h"
  api DELETE "/v1/apps/web/machines/$id"
}

test_7_destroy_removes_the_namespace_the_container_and_the_directory() {
  local id
  id=$(get machine)
  api DELETE "/v1/apps/web/machines/$id"
  wait_until 20 eval '! ip netns list | grep -q "$RUN_TAG-$id"' || fail "namespace still there"
  wait_until 10 test ! -d "$STATE/machines/$id" || fail "directory still there"
  [ -z "$(machine_pid "$id")" ] || fail "container still there"
}

test_8_sigterm_leaves_machines_running_and_removal_destroys_them() {
  api POST /v1/apps/web/machines '{"region":"ams","config":{"init":{"cmd":["sleep","600"]}}}'
  local id pid
  id=$(json_get "$OUT" 'd["id"]')
  wait_until 20 machine_is "$id" started || fail "not started: $(machine_state "$id")"
  pid=$(machine_pid "$id")
  kill -TERM "$(agent_pid)"
  wait_until 10 eval '! kill -0 "$(agent_pid)" 2>/dev/null' || fail "the agent ignores SIGTERM"
  kill -0 "$pid" 2>/dev/null || fail "the machine ended with the agent"
  start_agent
  wait_until 10 grep -q "watching" "$AGENT_LOG" || fail "the agent did not start again"
  run "$SIXPND_BIN" hosts remove ams-1 --db "$DB"
  assert_rc 0
  wait_until 60 eval '! kill -0 "$(agent_pid)" 2>/dev/null' || fail "the agent runs on after removal"
  assert_contains "$(cat "$AGENT_LOG")" "this host was removed" "agent log"
  ! kill -0 "$pid" 2>/dev/null || fail "the machine outlived its host's removal"
  ! ip netns list | grep -q "$RUN_TAG-$id" || fail "its namespace outlived the removal"
}

run_suite
