#!/usr/bin/env bash
# End to end over the mesh: a control plane with its gateway, two hosts in two regions (each a
# real `sixpnd host` in its own namespace on the underlay, machines under runc), a laptop per
# org with a tunnel from `sixpn wireguard create`, and two orgs. Machines of one org reach each
# other across hosts by address and by name, laptops reach them, the other org reaches none of
# it, and the hosts ride out a killed agent and a control plane that goes away.
# The cases run in order; each builds on the ones before (see lib.sh and lib_hosts.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib_hosts.sh"

e2e_init
command -v runc >/dev/null || skip "runc is missing (the hosts run machines with it)"
command -v nc >/dev/null || { echo "missing tool: nc (scripts/install-deps.sh)" >&2; exit 1; }

ACME_IF="s6a$RUN_ID"   # laptop-acme's tunnel
OTHER_IF="s6b$RUN_ID"  # laptop-other's tunnel

# greeting_from PLACE… ADDRESS-OR-NAME — what port 8080 says, asked with nc by the command
# prefix PLACE… (e.g. `in_machine ID`, `inside laptop-acme`, `machine_exec ID`).
greeting() {
  local target=${*: -1}
  "${@:1:$#-1}" nc -6 -w 2 "$target" 8080 2>/dev/null </dev/null
}
greets() {  # PLACE… TARGET EXPECTED-MACHINE-ID — the greeting is that machine's
  local expected=${*: -1}
  [ "$(greeting "${@:1:$#-1}")" == "hello from $expected" ]
}

# aaaa PLACE… NAME — the AAAA answers, sorted, asked by dig through the resolv.conf PLACE sees.
aaaa() {
  local name=${*: -1}
  "${@:1:$#-1}" dig +short +time=1 +tries=1 AAAA "$name" 2>/dev/null | sort
}

make_gateway_ns || fail "cannot build the gateway namespace"
start_sixpnd || fail "sixpnd did not start"
make_orgs acme other
make_host ams-1 11 && make_host fra-1 12 && make_laptop laptop-acme 2 && make_laptop laptop-other 3 ||
  fail "cannot build the namespaces"
start_host ams-1 ams && start_host fra-1 fra || fail "the hosts did not come up"
sixpn_in gateway "$TOKEN_ACME" apps create web -o acme
[ "$RC" -eq 0 ] || fail "cannot create app web: $ERR"
sixpn_in gateway "$TOKEN_OTHER" apps create spy -o other
[ "$RC" -eq 0 ] || fail "cannot create app spy: $ERR"

test_machines_of_one_org_reach_each_other_across_hosts_by_address_and_name() {
  local ams fra ams_ip fra_ip
  ams=$(machine_run "$TOKEN_ACME" web ams "${GREETER[@]}") || fail "no machine in ams"
  fra=$(machine_run "$TOKEN_ACME" web fra "${GREETER[@]}") || fail "no machine in fra"
  assert_eq ams-1 "$(machine_host "$ams")" "host of the ams machine"
  assert_eq fra-1 "$(machine_host "$fra")" "host of the fra machine"
  ams_ip=$(env_of "$(machine_pid "$ams")" FLY_PRIVATE_IP)
  fra_ip=$(env_of "$(machine_pid "$fra")" FLY_PRIVATE_IP)
  put ams "$ams"
  put fra "$fra"
  put ams-ip "$ams_ip"
  put fra-ip "$fra_ip"
  put fra-pid "$(machine_pid "$fra")"
  wait_until 10 greets in_machine "$ams" "$fra_ip" "$fra" ||
    fail "ams → fra by address: [$(greeting in_machine "$ams" "$fra_ip")]"
  greets in_machine "$fra" "$ams_ip" "$ams" ||
    fail "fra → ams by address: [$(greeting in_machine "$fra" "$ams_ip")]"
  assert_eq "nameserver fdaa::3" "$(machine_exec "$ams" cat /etc/resolv.conf)" "the machine's resolv.conf"
  local both
  both=$(printf '%s\n' "$ams_ip" "$fra_ip" | sort)
  wait_until 5 eval '[ "$(aaaa machine_exec "$ams" web.internal)" == "$both" ]' ||
    fail "web.internal from the ams machine: [$(aaaa machine_exec "$ams" web.internal)]"
  assert_eq "$both" "$(aaaa machine_exec "$fra" web.internal)" "web.internal from the fra machine"
  assert_eq "$fra_ip" "$(aaaa machine_exec "$ams" fra.web.internal)" "fra.web.internal from ams"
  assert_eq "$ams_ip" "$(aaaa machine_exec "$fra" ams.web.internal)" "ams.web.internal from fra"
  greets machine_exec "$ams" fra.web.internal "$fra" ||
    fail "ams → fra.web.internal: [$(greeting machine_exec "$ams" fra.web.internal)]"
  greets machine_exec "$fra" ams.web.internal "$ams" ||
    fail "fra → ams.web.internal: [$(greeting machine_exec "$fra" ams.web.internal)]"
}


test_the_laptop_reaches_machines_on_both_hosts_through_its_tunnel() {
  tunnel laptop-acme "$TOKEN_ACME" acme "$ACME_IF"
  local ams fra
  ams=$(get ams)
  fra=$(get fra)
  wait_until 5 greets inside laptop-acme "$(get ams-ip)" "$ams" ||
    fail "laptop → ams machine: [$(greeting inside laptop-acme "$(get ams-ip)")]"
  greets inside laptop-acme "$(get fra-ip)" "$fra" ||
    fail "laptop → fra machine: [$(greeting inside laptop-acme "$(get fra-ip)")]"
  greets inside laptop-acme ams.web.internal "$ams" || fail "laptop → ams.web.internal"
  greets inside laptop-acme fra.web.internal "$fra" || fail "laptop → fra.web.internal"
  sixpn_in laptop-acme "$TOKEN_ACME" dig --short fra.web.internal
  assert_rc 0
  assert_eq "$(get fra-ip)" "$OUT" "sixpn dig --short fra.web.internal"
  sixpn_in laptop-acme "$TOKEN_ACME" dig --short web.internal
  assert_eq "$(printf '%s\n' "$(get ams-ip)" "$(get fra-ip)" | sort)" "$(sort <<<"$OUT")" \
    "sixpn dig --short web.internal"
}

test_the_other_org_reaches_neither_host_from_its_machine_or_its_laptop() {
  local spy target
  # On the same host as acme's ams machine, so the host's own isolation is what is tested.
  spy=$(machine_run "$TOKEN_OTHER" spy ams "${GREETER[@]}") || fail "no machine for the other org"
  put spy "$spy"
  # AllowedIPs widened to every 6PN destination, so only the platform stands in the way.
  tunnel laptop-other "$TOKEN_OTHER" other "$OTHER_IF" fdaa::/16
  assert_contains "$(inside laptop-other ip -6 route show dev "$OTHER_IF")" "fdaa::/16" "laptop-other's routes"
  # Controls: the other org's laptop reaches its own machine, so a failure below is isolation.
  local spy_ip
  spy_ip=$(env_of "$(machine_pid "$spy")" FLY_PRIVATE_IP)
  wait_until 5 greets inside laptop-other "$spy_ip" "$spy" ||
    fail "laptop-other → its own machine: [$(greeting inside laptop-other "$spy_ip")]"
  assert_eq "$spy_ip" "$(aaaa machine_exec "$spy" spy.internal)" "spy.internal from its own machine"
  for target in "$(get ams-ip)" "$(get fra-ip)"; do
    assert_eq "" "$(greeting in_machine "$spy" "$target")" "the other org's machine → $target"
    assert_eq "" "$(greeting inside laptop-other "$target")" "the other org's laptop → $target"
    run_in laptop-other ping -6 -c 2 -i 0.2 -W 1 "$target"
    [ "$RC" -ne 0 ] || fail "the other org's laptop pinged $target"
    ! in_machine "$spy" ping -6 -c 2 -i 0.2 -W 1 "$target" >/dev/null 2>&1 ||
      fail "the other org's machine pinged $target"
  done
  OUT=$(machine_exec "$spy" dig +time=1 +tries=1 AAAA web.internal </dev/null 2>&1)
  assert_contains "$OUT" "status: NXDOMAIN" "web.internal from the other org's machine"
  run_in laptop-other dig +time=1 +tries=1 AAAA web.internal
  assert_contains "$OUT" "status: NXDOMAIN" "web.internal from the other org's laptop"
  run_in laptop-other dig +short +time=1 +tries=1 @fdaa:0:1::3 AAAA web.internal
  [ "$RC" -ne 0 ] || fail "acme's DNS address answered laptop-other: $OUT"
}

test_inside_a_machine_fly_local_6pn_and_every_fly_variable_are_as_documented() {
  local ams pid
  ams=$(get ams)
  pid=$(machine_pid "$ams")
  OUT=$(machine_exec "$ams" getent hosts fly-local-6pn </dev/null) || fail "getent hosts failed"
  assert_eq "$(get ams-ip) fly-local-6pn" "$(tr -s ' \t' ' ' <<<"$OUT")" "getent hosts fly-local-6pn"
  # The greeter bound fly-local-6pn:8080: the socket is on the 6PN address, and it answers there.
  assert_contains "$(in_machine "$ams" ss -Hltn 'sport = :8080')" "[$(get ams-ip)]:8080" "listening socket"
  greets in_machine "$(get fra)" "$(get ams-ip)" "$ams" || fail "the listener is not reachable"
  assert_eq web "$(env_of "$pid" FLY_APP_NAME)" FLY_APP_NAME
  assert_eq "$ams" "$(env_of "$pid" FLY_MACHINE_ID)" FLY_MACHINE_ID
  assert_eq "$ams" "$(env_of "$pid" FLY_ALLOC_ID)" FLY_ALLOC_ID
  assert_eq ams "$(env_of "$pid" FLY_REGION)" FLY_REGION
  assert_eq "$(get ams-ip)" "$(env_of "$pid" FLY_PRIVATE_IP)" FLY_PRIVATE_IP
  assert_eq app "$(env_of "$pid" FLY_PROCESS_GROUP)" FLY_PROCESS_GROUP
  sixpn_in gateway "$TOKEN_ACME" machine status "$ams" -a web --json
  assert_rc 0
  assert_eq "$(get ams-ip)" "$(json_get "$OUT" 'd["private_ip"]')" "private_ip of machine status"
}

fra_name_is_gone() {  # from the other host's machine and from the laptop (the gateway's DNS)
  [ -z "$(aaaa machine_exec "$(get ams)" fra.web.internal)" ] &&
    [ -z "$(aaaa inside laptop-acme fra.web.internal)" ]
}

test_stop_kills_the_process_and_drops_the_name_start_brings_both_back() {
  local fra deadline
  fra=$(get fra)
  sixpn_in gateway "$TOKEN_ACME" machine stop "$fra" -a web --json
  assert_rc 0
  deadline=$(($(now_ms) + 1000))
  assert_eq stopped "$(json_get "$OUT" 'd["state"]')" "state machine stop prints"
  assert_eq "Machine $fra is stopped" "$(tail -1 <<<"$ERR")" "machine stop's last line"
  # A budget, not a measurement: the name may take up to a second to go.
  until fra_name_is_gone; do
    [ "$(now_ms)" -lt "$deadline" ] || fail "fra.web.internal still answers 1 s after machine stop"
    sleep 0.05
  done
  ! kill -0 "$(get fra-pid)" 2>/dev/null || fail "the machine's process still runs"
  [ -z "$(machine_pid "$fra")" ] || fail "runc still runs the machine"
  sixpn_in gateway "$TOKEN_ACME" machine start "$fra" -a web --json
  assert_rc 0
  assert_eq started "$(json_get "$OUT" 'd["state"]')" "state machine start prints"
  local pid
  pid=$(machine_pid "$fra")
  [ -n "$pid" ] && kill -0 "$pid" || fail "no process after machine start"
  put fra-pid "$pid"
  wait_until 5 eval '[ "$(aaaa machine_exec "$(get ams)" fra.web.internal)" == "$(get fra-ip)" ]' ||
    fail "fra.web.internal did not come back"
  wait_until 5 greets machine_exec "$(get ams)" fra.web.internal "$fra" || fail "fra is not reachable again"
}

test_a_killed_agent_leaves_its_machines_running_and_a_restarted_one_adopts_them() {
  local ams pid
  ams=$(get ams)
  pid=$(machine_pid "$ams")
  stop_host ams-1 KILL || fail "the agent did not die"
  kill -0 "$pid" || fail "the machine died with its agent"
  assert_eq "$pid" "$(machine_pid "$ams")" "PID with the agent dead"
  run_agent ams-1 || fail "the agent did not start again"
  sleep 3  # a full pass (--resync 2) has run since, which would have restarted a machine not adopted
  assert_eq "$pid" "$(machine_pid "$ams")" "PID after adoption"
  assert_eq "$(get ams-ip)" "$(env_of "$pid" FLY_PRIVATE_IP)" "address after adoption"
  wait_until 10 greets in_machine "$(get fra)" "$(get ams-ip)" "$ams" ||
    fail "fra → ams after adoption: [$(greeting in_machine "$(get fra)" "$(get ams-ip)")]"
  greets inside laptop-acme "$(get ams-ip)" "$ams" || fail "laptop → ams after adoption"
  sixpn_in gateway "$TOKEN_ACME" machine status "$ams" -a web --json
  assert_eq started "$(json_get "$OUT" 'd["state"]')" "state after adoption"
  assert_eq "$(get ams-ip)" "$(json_get "$OUT" 'd["private_ip"]')" "private_ip after adoption"
}

# hosts_serve_as_before AMS-PID FRA-PID FRA-ANSWERS — what the hosts do, the control plane aside
hosts_serve_as_before() {
  local ams fra
  ams=$(get ams)
  fra=$(get fra)
  assert_eq "$1" "$(machine_pid "$ams")" "ams machine's PID"
  assert_eq "$2" "$(machine_pid "$fra")" "fra machine's PID"
  greets in_machine "$ams" "$(get fra-ip)" "$fra" || fail "ams → fra by address"
  greets machine_exec "$fra" ams.web.internal "$ams" || fail "fra → ams.web.internal"
  assert_eq "$3" "$(aaaa machine_exec "$ams" fra.web.internal)" "fra.web.internal from ams"
}

host_is_live() {  # NAME — as the control plane sees it
  local out
  out=$("$SIXPND_BIN" hosts list --db "$DB" --json) || return 1
  [ "$(json_get "$out" '[h["state"] for h in (d["items"] if isinstance(d, dict) else d) if h["name"] == "'"$1"'"][0]')" == live ]
}

test_the_control_plane_away_for_30s_changes_nothing_on_the_hosts() {
  local ams_pid fra_pid i
  ams_pid=$(machine_pid "$(get ams)")
  fra_pid=$(machine_pid "$(get fra)")
  local ams_log_from fra_log_from
  ams_log_from=$(($(wc -l <"$(host_log ams-1)") + 1))
  fra_log_from=$(($(wc -l <"$(host_log fra-1)") + 1))
  stop_sixpnd || fail "sixpnd did not stop"
  for i in 1 2 3; do
    sleep 10
    hosts_serve_as_before "$ams_pid" "$fra_pid" "$(get fra-ip)"
  done
  kill -0 "$(host_pid ams-1)" && kill -0 "$(host_pid fra-1)" || fail "an agent ended"
  # Each host said once that the control plane went, and nothing of its coming back.
  local away
  for away in "ams-1 $ams_log_from" "fra-1 $fra_log_from"; do
    set -- $away
    assert_eq 1 "$(tail -n +"$2" "$(host_log "$1")" | grep -c "the control plane does not answer")" \
      "$1's lines saying the control plane went"
    assert_eq 0 "$(tail -n +"$2" "$(host_log "$1")" | grep -c "the control plane answers again")" \
      "$1's lines saying it came back, while it was away"
  done
  start_sixpnd || fail "sixpnd did not start again"
  wait_until 20 host_is_live fra-1 || fail "fra-1 did not come back: $("$SIXPND_BIN" hosts list --db "$DB")"
  # Live as soon as any of its requests gets through (the proxy's counters may be first); the
  # watch says it is back once its own backoff is over.
  wait_until 15 eval '[ "$(tail -n +"$fra_log_from" "$(host_log fra-1)" | grep -c "the control plane answers again")" -ge 1 ]'
  assert_eq 1 "$(tail -n +"$fra_log_from" "$(host_log fra-1)" | grep -c "the control plane answers again")" \
    "fra-1's lines saying the control plane came back"
  local late late_ip
  late=$(machine_run "$TOKEN_ACME" web fra "${GREETER[@]}") || fail "no new machine after the return"
  late_ip=$(env_of "$(machine_pid "$late")" FLY_PRIVATE_IP)
  wait_until 10 greets in_machine "$(get ams)" "$late_ip" "$late" || fail "ams → the new machine"
  local both
  both=$(printf '%s\n' "$(get fra-ip)" "$late_ip" | sort)
  wait_until 5 eval '[ "$(aaaa machine_exec "$(get ams)" fra.web.internal)" == "$both" ]' ||
    fail "fra.web.internal from ams: $(aaaa machine_exec "$(get ams)" fra.web.internal)"
  hosts_serve_as_before "$ams_pid" "$fra_pid" "$both"
}

test_destroy_removes_the_machine_its_container_and_its_namespace() {
  sixpn_in gateway "$TOKEN_ACME" machine destroy "$(get ams)" -a web --yes
  assert_rc 0
  assert_eq "Destroyed machine $(get ams)" "$(tail -1 <<<"$ERR")" "machine destroy's last line"
  [ -z "$(machine_host "$(get ams)")" ] || fail "the destroyed machine's container is still there"
  [ ! -e "/var/run/netns/$NS_PREFIX-ams-1-$(get ams)" ] || fail "the destroyed machine's namespace is still there"
  [ ! -d "$(host_state_dir ams-1)/machines/$(get ams)" ] || fail "the destroyed machine's directory is still there"
}

test_nothing_of_the_run_remains_after_teardown() {
  teardown
  assert_eq "" "$(leftovers)" "what the run left behind"
}

run_cases \
  test_machines_of_one_org_reach_each_other_across_hosts_by_address_and_name \
  test_the_laptop_reaches_machines_on_both_hosts_through_its_tunnel \
  test_the_other_org_reaches_neither_host_from_its_machine_or_its_laptop \
  test_inside_a_machine_fly_local_6pn_and_every_fly_variable_are_as_documented \
  test_stop_kills_the_process_and_drops_the_name_start_brings_both_back \
  test_a_killed_agent_leaves_its_machines_running_and_a_restarted_one_adopts_them \
  test_the_control_plane_away_for_30s_changes_nothing_on_the_hosts \
  test_destroy_removes_the_machine_its_container_and_its_namespace \
  test_nothing_of_the_run_remains_after_teardown
