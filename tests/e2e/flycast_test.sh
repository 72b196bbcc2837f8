#!/usr/bin/env bash
# End to end through Flycast: a control plane with its gateway, two hosts in one region (each a
# real `sixpnd host` in its own namespace, machines under runc), laptops of three orgs with
# tunnels from `sixpn wireguard create`. One app's two machines (one per host) declare a service;
# connections to its Flycast address — from a laptop through the gateway's proxy, from a machine
# through its host's proxy — reach both machines, another org reaches it only through an
# address allocated on its own network, and a machine that dies loses only its own connections.
# The cases run in order; each builds on the ones before (see lib.sh and lib_hosts.sh).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib_hosts.sh"

e2e_init
command -v runc >/dev/null || skip "runc is missing (the hosts run machines with it)"
command -v nc >/dev/null || { echo "missing tool: nc (scripts/install-deps.sh)" >&2; exit 1; }

ACME_IF="s6fa$RUN_ID"
BETA_IF="s6fb$RUN_ID"
THIRD_IF="s6fc$RUN_ID"

# greeting PLACE… ADDRESS PORT — the first line a TCP connection gets, asked with nc by the
# command prefix PLACE… (e.g. `in_machine ID`, `inside laptop-acme`).
greeting() {
  local port=${*: -1} rest=("${@:1:$#-1}")
  local target=${rest[-1]}
  "${rest[@]:0:${#rest[@]}-1}" nc -6 -w 2 "$target" "$port" 2>/dev/null </dev/null | head -1
}


# service_machine APP PORTS [FLAG…] -- CMD… — an acme machine in ams with the service PORTS
# (as `machine run --port` takes it) and FLAGs, waited for until it runs; prints its id.
service_machine() {
  local app=$1 ports=$2 flags=()
  shift 2
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    flags+=("$1")
    shift
  done
  shift
  sixpn_in gateway "$TOKEN_ACME" machine run -a "$app" --region ams --port "$ports" \
    "${flags[@]}" --json -- "$@"
  [ "$RC" -eq 0 ] || { echo "sixpn machine run failed ($RC): $ERR" >&2; return 1; }
  json_get "$OUT" 'd["id"]'
}

# flycast APP [--org ORG] — `sixpn ips allocate-v6 --private`; prints the address.
flycast() {
  sixpn_in gateway "$TOKEN_ACME_BETA" ips allocate-v6 --private -a "$@" --json
  [ "$RC" -eq 0 ] || { echo "ips allocate-v6 failed ($RC): $ERR" >&2; return 1; }
  json_get "$OUT" 'd["address"]'
}

# A machine that greets with its id, then echoes each line it reads until the client closes:
# one thread per connection, so held connections and new ones mix.
ECHOER=(python3 -c '
import os, socket, threading
me = os.environ["FLY_MACHINE_ID"]
def serve(c):
    c.sendall(("hello from " + me + "\n").encode())
    f = c.makefile("rb")
    for line in f:
        c.sendall(line)
    c.close()
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("fly-local-6pn", 9000))
s.listen(64)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
')

make_gateway_ns || fail "cannot build the gateway namespace"
# Autostop passes every 2 s, so its case does not wait minutes.
start_sixpnd --autostop-interval 2 || fail "sixpnd did not start"
make_orgs acme beta third
# Exposing acme's app on beta's network takes a token that may act on both.
TOKEN_ACME_BETA=$("$SIXPND_BIN" tokens create --db "$DB" --org acme --org beta) ||
  fail "cannot make a token for acme and beta"
make_host ams-1 11 && make_host ams-2 12 && make_laptop laptop-acme 2 &&
  make_laptop laptop-beta 3 && make_laptop laptop-third 4 || fail "cannot build the namespaces"
start_host ams-1 ams && start_host ams-2 ams || fail "the hosts did not come up"
for app in web echo lazy manual idle; do
  sixpn_in gateway "$TOKEN_ACME" apps create "$app" -o acme
  [ "$RC" -eq 0 ] || fail "cannot create app $app: $ERR"
done

test_two_machines_on_two_hosts_behind_one_flycast_address_share_100_connections() {
  local m1 m2 address
  m1=$(service_machine web 80:8080/tcp -- "${GREETER[@]}") || fail "no first machine"
  m2=$(service_machine web 80:8080/tcp -- "${GREETER[@]}") || fail "no second machine"
  [ "$(machine_host "$m1")" != "$(machine_host "$m2")" ] || fail "both machines are on $(machine_host "$m1")"
  address=$(flycast web) || fail "no Flycast address"
  put m1 "$m1"
  put m2 "$m2"
  put web-flycast "$address"
  tunnel laptop-acme "$TOKEN_ACME" acme "$ACME_IF"
  wait_until 10 eval '[ -n "$(greeting inside laptop-acme "$address" 80)" ]' ||
    fail "nothing answers [$address]:80 from the laptop"
  local i line n1=0 n2=0
  for i in $(seq 100); do
    line=$(greeting inside laptop-acme "$address" 80)
    case "$line" in
      "hello from $m1") n1=$((n1 + 1)) ;;
      "hello from $m2") n2=$((n2 + 1)) ;;
      *) fail "connection $i to [$address]:80 got [$line]" ;;
    esac
  done
  echo "    100 connections from the laptop: $n1 to $m1, $n2 to $m2" >&2
  [ "$n1" -ge 34 ] && [ "$n2" -ge 34 ] || fail "uneven spread: $n1 and $n2 of 100"
}

test_a_machine_of_the_org_reaches_the_flycast_address_through_its_own_host() {
  local address=$(get web-flycast) line
  line=$(greeting in_machine "$(get m1)" "$address" 80)
  case "$line" in
    "hello from $(get m1)" | "hello from $(get m2)") ;;
    *) fail "machine $(get m1) → [$address]:80 got [$line]" ;;
  esac
  line=$(greeting machine_exec "$(get m2)" web.flycast 80)
  case "$line" in
    "hello from $(get m1)" | "hello from $(get m2)") ;;
    *) fail "machine $(get m2) → web.flycast:80 got [$line]" ;;
  esac
}

test_an_address_allocated_for_another_org_serves_it_and_no_third_org() {
  local beta_address m1_ip
  beta_address=$(flycast web --org beta) || fail "no Flycast address on beta's network"
  tunnel laptop-beta "$TOKEN_BETA" beta "$BETA_IF"
  wait_until 10 eval '[ -n "$(greeting inside laptop-beta "$beta_address" 80)" ]' ||
    fail "beta's laptop gets nothing from [$beta_address]:80"
  assert_contains "$(greeting inside laptop-beta "$beta_address" 80)" "hello from " "beta → its address"
  # Only through the proxy, and only the declared port: not acme's address, not the machine.
  m1_ip=$(env_of "$(machine_pid "$(get m1)")" FLY_PRIVATE_IP)
  assert_eq "" "$(greeting inside laptop-beta "$(get web-flycast)" 80)" "beta → acme's own Flycast address"
  assert_eq "" "$(greeting inside laptop-beta "$m1_ip" 8080)" "beta → the machine itself"
  assert_eq "" "$(greeting inside laptop-beta "$beta_address" 8080)" "beta → an undeclared port"
  # A third org, its AllowedIPs widened to every 6PN address: nothing.
  tunnel laptop-third "$TOKEN_THIRD" third "$THIRD_IF" fdaa::/16
  assert_eq "" "$(greeting inside laptop-third "$beta_address" 80)" "a third org → beta's address"
  assert_eq "" "$(greeting inside laptop-third "$(get web-flycast)" 80)" "a third org → acme's address"
}

# hold_connections ADDRESS PORT N READY GO — N connections, each reading its greeting; writes
# READY with the machine of each, waits for the file GO, then sends a line on each and prints
# "<machine> echoed" or "<machine> lost" per connection.
HOLDER='
import socket, sys, os, time
address, port, n, ready, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
conns = []
for _ in range(n):
    c = socket.create_connection((address, port), timeout=5)
    f = c.makefile("rb")
    conns.append((c, f, f.readline().decode().strip().split()[-1]))
with open(ready, "w") as out:
    out.write("\n".join(m for _, _, m in conns) + "\n")
while not os.path.exists(go):
    time.sleep(0.05)
for c, f, m in conns:
    try:
        c.sendall(b"ping\n")
        print(m, "echoed" if f.readline() == b"ping\n" else "lost")
    except OSError:
        print(m, "lost")
'

test_a_machine_that_dies_loses_only_its_own_connections() {
  local e1 e2 address pid
  e1=$(service_machine echo 9000 -- "${ECHOER[@]}") || fail "no first echo machine"
  e2=$(service_machine echo 9000 -- "${ECHOER[@]}") || fail "no second echo machine"
  address=$(flycast echo) || fail "no Flycast address for echo"
  wait_until 10 eval '[ -n "$(greeting inside laptop-acme "$address" 9000)" ]' ||
    fail "nothing answers [$address]:9000"
  inside laptop-acme python3 -c "$HOLDER" "$address" 9000 10 "$WORK/held" "$WORK/go" \
    >"$WORK/held.out" 2>"$WORK/held.err" &
  pid=$!
  wait_until 10 test -s "$WORK/held" || fail "the connections were not made: $(cat "$WORK/held.err")"
  grep -q "$e1" "$WORK/held" && grep -q "$e2" "$WORK/held" ||
    fail "the held connections do not reach both machines: $(tr '\n' ' ' <"$WORK/held")"
  runc --root "$(host_state_dir "$(machine_host "$e1")")/runc" kill "$e1" KILL ||
    fail "cannot kill machine $e1"
  sleep 1
  touch "$WORK/go"
  wait "$pid" || fail "the holder failed: $(cat "$WORK/held.err")"
  local lost echoed
  lost=$(grep -c "^$e1 lost$" "$WORK/held.out")
  echoed=$(grep -c "^$e2 echoed$" "$WORK/held.out")
  assert_eq "$(grep -c "$e1" "$WORK/held")" "$lost" "connections of the killed machine that were lost"
  assert_eq "$(grep -c "$e2" "$WORK/held")" "$echoed" "connections of the living machine that still echo"
  # New connections are still answered (by the machine that is left, or the killed one
  # once its restart policy brought it back).
  assert_contains "$(greeting inside laptop-acme "$address" 9000)" "hello from " "a new connection"
}

# machine_state APP ID — the machine's state as `sixpn machine status --json` says it.
machine_state() {
  sixpn_in gateway "$TOKEN_ACME" machine status "$2" -a "$1" --json
  json_get "$OUT" 'd["state"]'
}

# stop_machine APP ID — `sixpn machine stop`, waited for until it is stopped.
stop_machine() {
  local app=$1 id=$2
  sixpn_in gateway "$TOKEN_ACME" machine stop "$id" -a "$app"
  [ "$RC" -eq 0 ] || fail "machine stop $id: $ERR"
  wait_until 20 eval '[ "$(machine_state "$app" "$id")" == stopped ]' ||
    fail "machine $id is $(machine_state "$app" "$id"), not stopped"
}

counter() {  # APP NAME — the first service's counter, as `sixpn status --json` shows it
  sixpn_in gateway "$TOKEN_ACME" status -a "$1" --json
  json_get "$OUT" "d['services'][0]['counters']['$2']"
}

test_a_stopped_machine_with_autostart_is_started_by_the_first_connection() {
  local id address line
  id=$(service_machine lazy 7000:8080/tcp -- "${GREETER[@]}") || fail "no machine for lazy"
  address=$(flycast lazy) || fail "no Flycast address for lazy"
  wait_until 10 eval '[ -n "$(greeting inside laptop-acme "$address" 7000)" ]' ||
    fail "nothing answers [$address]:7000 before the stop"
  stop_machine lazy "$id"
  # One connection, held by the proxy while the machine starts and its program listens.
  line=$(inside laptop-acme nc -6 -w 30 "$address" 7000 </dev/null 2>/dev/null | head -1)
  assert_eq "hello from $id" "$line" "the first connection after the stop"
  assert_eq started "$(machine_state lazy "$id")" "the machine after that connection"
  # Again from a machine of the org: its host's proxy asks the control plane for the start.
  stop_machine lazy "$id"
  line=$(in_machine "$(get m1)" nc -6 -w 30 "$address" 7000 </dev/null 2>/dev/null | head -1)
  assert_eq "hello from $id" "$line" "a machine's first connection after the second stop"
  # The gateway's proxy counted one, the host's the other (sent within seconds).
  wait_until 10 eval '[ "$(counter lazy autostarts)" == 2 ]' ||
    fail "autostarts counted: $(counter lazy autostarts)"
}

test_with_autostart_off_and_nothing_running_a_connection_is_refused_at_once() {
  local id address started elapsed
  id=$(service_machine manual 7001:8080/tcp --autostart=false -- "${GREETER[@]}") ||
    fail "no machine for manual"
  address=$(flycast manual) || fail "no Flycast address for manual"
  wait_until 10 eval '[ -n "$(greeting inside laptop-acme "$address" 7001)" ]' ||
    fail "nothing answers [$address]:7001 before the stop"
  stop_machine manual "$id"
  started=$(now_ms)
  assert_eq "" "$(inside laptop-acme nc -6 -w 20 "$address" 7001 </dev/null 2>/dev/null)" \
    "a connection to a stopped app without autostart"
  elapsed=$(($(now_ms) - started))
  [ "$elapsed" -lt 10000 ] || fail "the refusal took $elapsed ms: the connection was held"
  assert_eq stopped "$(machine_state manual "$id")" "the machine after the refused connection"
  sixpn_in gateway "$TOKEN_ACME" status -a manual --json
  assert_eq 0 "$(json_get "$OUT" 'd["services"][0]["counters"]["autostarts"]')" "autostarts"
  [ "$(json_get "$OUT" 'd["services"][0]["counters"]["refused"]')" -ge 1 ] ||
    fail "the refusal was not counted: $OUT"
}

started_count() {  # APP ID… — how many of the machines are started
  local app=$1 n=0 id
  shift
  for id in "$@"; do
    [ "$(machine_state "$app" "$id")" == started ] && n=$((n + 1))
  done
  echo "$n"
}

test_autostop_stops_idle_machines_down_to_min_machines_running() {
  local a b c address
  a=$(service_machine idle 7002:8080/tcp --autostop stop --min-machines-running 1 -- "${GREETER[@]}") &&
    b=$(service_machine idle 7002:8080/tcp --autostop stop --min-machines-running 1 -- "${GREETER[@]}") &&
    c=$(service_machine idle 7002:8080/tcp --autostop stop --min-machines-running 1 -- "${GREETER[@]}") ||
    fail "no machines for idle"
  address=$(flycast idle) || fail "no Flycast address for idle"
  # No traffic: a pass every 2 s stops one excess machine at a time, down to one.
  wait_until 30 eval '[ "$(started_count idle "$a" "$b" "$c")" == 1 ]' ||
    fail "$(started_count idle "$a" "$b" "$c") of 3 machines still started"
  sleep 5
  assert_eq 1 "$(started_count idle "$a" "$b" "$c")" "started machines after more passes"
  sixpn_in gateway "$TOKEN_ACME" status -a idle --json
  assert_eq 2 "$(json_get "$OUT" 'd["services"][0]["counters"]["autostops"]')" "autostops counted"
  assert_contains "$(cat "$WORK/sixpnd.log")" "autostop: stopped machine" "sixpnd's log"
}

test_ips_list_and_status_show_each_service_with_its_machines() {
  sixpn_in gateway "$TOKEN_ACME" ips list -a web
  assert_rc 0
  assert_contains "$OUT" "$(printf '%s' "Services")" "ips list"
  assert_contains "$OUT" "80/tcp" "ips list's service port"
  assert_contains "$OUT" "2 (2 started) → 8080" "ips list's machines"
  sixpn_in gateway "$TOKEN_ACME" ips list -a web --json
  assert_eq 80 "$(json_get "$OUT" 'd[0]["services"][0]["port"]')" "ips list --json: the port"
  assert_eq 2 "$(json_get "$OUT" 'len(d[0]["services"][0]["machines"])')" "ips list --json: machines"
  sixpn_in gateway "$TOKEN_ACME" status -a web --json
  [ "$(json_get "$OUT" 'sum(s["counters"]["connections"] for s in d["services"])')" -ge 100 ] ||
    fail "status --json counts fewer than the 100 connections made: $OUT"
  sixpn_in gateway "$TOKEN_ACME" status -a web
  assert_contains "$OUT" "Services (Flycast)" "status"
}

test_nothing_of_the_run_remains_after_teardown() {
  teardown
  assert_eq "" "$(leftovers)" "what the run left behind"
}

run_cases \
  test_two_machines_on_two_hosts_behind_one_flycast_address_share_100_connections \
  test_a_machine_of_the_org_reaches_the_flycast_address_through_its_own_host \
  test_an_address_allocated_for_another_org_serves_it_and_no_third_org \
  test_a_machine_that_dies_loses_only_its_own_connections \
  test_a_stopped_machine_with_autostart_is_started_by_the_first_connection \
  test_with_autostart_off_and_nothing_running_a_connection_is_refused_at_once \
  test_autostop_stops_idle_machines_down_to_min_machines_running \
  test_ips_list_and_status_show_each_service_with_its_machines \
  test_nothing_of_the_run_remains_after_teardown
