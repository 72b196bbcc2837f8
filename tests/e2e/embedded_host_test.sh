#!/usr/bin/env bash
# End to end with the embedded host: `sixpnd serve --host` runs machines beside its gateway for
# every region without hosts of its own, and one real `sixpnd host` in fra joins the mesh. The
# embedded host is the gateway's node: a machine in fra reaches one on the control plane through
# the gateway's peer, and back; machines there ask fdaa::3 and get the control plane's own DNS;
# a laptop reaches them through its tunnel; another org reaches none of them.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib_hosts.sh"

e2e_init
command -v runc >/dev/null || skip "runc is missing (the hosts run machines with it)"
command -v nc >/dev/null || { echo "missing tool: nc (scripts/install-deps.sh)" >&2; exit 1; }
LAPTOP_IF="s6a$RUN_ID"

greets() {  # PLACE… TARGET EXPECTED-MACHINE-ID — port 8080 of TARGET greets as that machine
  local expected=${*: -1} target=${*: -2:1}
  [ "$("${@:1:$#-2}" nc -6 -w 2 "$target" 8080 2>/dev/null </dev/null)" == "hello from $expected" ]
}

make_gateway_ns || fail "cannot build the gateway namespace"
start_sixpnd_with_host --dns-upstream none || fail "sixpnd serve --host did not start"
make_orgs acme other
make_host fra-1 12 && make_laptop laptop 2 || fail "cannot build the namespaces"
start_host fra-1 fra || fail "the fra host did not come up"
sixpn_in gateway "$TOKEN_ACME" apps create web -o acme
[ "$RC" -eq 0 ] || fail "cannot create app web: $ERR"
sixpn_in gateway "$TOKEN_OTHER" apps create spy -o other
[ "$RC" -eq 0 ] || fail "cannot create app spy: $ERR"

test_a_region_without_hosts_runs_on_the_embedded_host_and_fra_on_its_own() {
  local local_id fra_id
  local_id=$(machine_run "$TOKEN_ACME" web ams "${GREETER[@]}") || fail "no machine in ams"
  fra_id=$(machine_run "$TOKEN_ACME" web fra "${GREETER[@]}") || fail "no machine in fra"
  assert_eq local "$(machine_host "$local_id")" "host of the ams machine"
  assert_eq fra-1 "$(machine_host "$fra_id")" "host of the fra machine"
  sixpn_in gateway "$TOKEN_ACME" machine status "$local_id" -a web --json
  assert_eq local "$(json_get "$OUT" 'd["host"]')" "machine status host"
  put local "$local_id"
  put fra "$fra_id"
  put local-ip "$(env_of "$(machine_pid "$local_id")" FLY_PRIVATE_IP)"
  put fra-ip "$(env_of "$(machine_pid "$fra_id")" FLY_PRIVATE_IP)"
}

test_machines_on_the_embedded_host_and_on_fra_reach_each_other() {
  wait_until 10 greets in_machine "$(get fra)" "$(get local-ip)" "$(get local)" ||
    fail "fra → embedded by address"
  greets in_machine "$(get local)" "$(get fra-ip)" "$(get fra)" || fail "embedded → fra by address"
  # The gateway's peer on fra carries the embedded host's /80s; the gateway has no peer for it.
  local allowed
  allowed=$(in_host fra-1 wg show "$(host_interface fra-1)" allowed-ips)
  assert_contains "$allowed" "$(get local-ip | cut -d: -f1-5)::/80" "fra's peers"
  assert_eq 1 "$(inside gateway wg show "$GW_IF" peers | wc -l)" "the gateway's peers (fra only)"
}

test_a_machine_on_the_embedded_host_asks_fdaa_3_for_names() {
  local local_id
  local_id=$(get local)
  assert_eq "nameserver fdaa::3" "$(machine_exec "$local_id" cat /etc/resolv.conf)" "resolv.conf"
  wait_until 5 eval '[ "$(machine_exec "$local_id" dig +short +time=1 +tries=1 AAAA fra.web.internal)" == "$(get fra-ip)" ]' ||
    fail "fra.web.internal from the embedded host's machine: [$(machine_exec "$local_id" dig +short +time=1 +tries=1 AAAA fra.web.internal)]"
  greets machine_exec "$local_id" fra.web.internal "$(get fra)" || fail "by name to fra"
}

test_the_laptop_reaches_the_embedded_hosts_machine_by_name() {
  sixpn_in gateway "$TOKEN_ACME" wireguard create acme ams laptop "$WORK/laptop.conf"
  [ "$RC" -eq 0 ] || fail "wireguard create: $ERR"
  tunnel_up laptop "$LAPTOP_IF" "$WORK/laptop.conf" || fail "the tunnel did not come up"
  wait_until 10 greets inside laptop ams.web.internal "$(get local)" || fail "laptop → ams.web.internal"
}

test_another_org_reaches_nothing_on_the_embedded_host() {
  local spy
  spy=$(machine_run "$TOKEN_OTHER" spy ams "${GREETER[@]}") || fail "no machine for the other org"
  assert_eq local "$(machine_host "$spy")" "host of the other org's machine"
  ! greets in_machine "$spy" "$(get local-ip)" "$(get local)" || fail "other org → acme on the same host"
  ! greets in_machine "$spy" "$(get fra-ip)" "$(get fra)" || fail "other org → acme on fra"
  [ -z "$(machine_exec "$spy" dig +short +time=1 +tries=1 AAAA web.internal)" ] ||
    fail "the other org's machine resolves acme's web.internal"
}

test_sixpnd_takes_fdaa_3_away_and_nothing_of_the_run_remains() {
  stop_sixpnd || fail "sixpnd did not stop"
  [ -z "$(ip -n "$(ns gateway)" -6 addr show dev lo | grep fdaa::3)" ] || fail "fdaa::3 left on lo"
  teardown
  check_no_leftovers || fail "left behind"
}

run_cases \
  test_a_region_without_hosts_runs_on_the_embedded_host_and_fra_on_its_own \
  test_machines_on_the_embedded_host_and_on_fra_reach_each_other \
  test_a_machine_on_the_embedded_host_asks_fdaa_3_for_names \
  test_the_laptop_reaches_the_embedded_hosts_machine_by_name \
  test_another_org_reaches_nothing_on_the_embedded_host \
  test_sixpnd_takes_fdaa_3_away_and_nothing_of_the_run_remains
