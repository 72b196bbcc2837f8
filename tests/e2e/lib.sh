# Shared harness for the end-to-end suites: real WireGuard tunnels between network namespaces.
#
# The world a suite builds, all of it private to this run (names carry the shell's PID):
#
#   laptop-a ─┐                        ┌─ machine namespaces (one veth each, a /112 routed
#   laptop-b ─┴─ br0 (underlay) ─ gateway ─┘  to it, a TCP listener on its 6PN address)
#
# sixpnd runs in `gateway` and owns its WireGuard interface; a laptop reaches the REST API and
# the WireGuard endpoint over the underlay and everything 6PN through its tunnel. Nothing here
# touches the host's own interfaces, routes, firewall or /etc/resolv.conf, and the EXIT trap
# removes every namespace, process, socket and file the run created, even when a case fails.
#
# Cases are functions run in a fixed order (they build on one another), each in a subshell so
# that a failing assertion ends that case only. Exit code 77 means "skipped" to ctest.
set -u

SIXPN_BIN=${SIXPN_BIN:?SIXPN_BIN must point at the sixpn binary}
SIXPND_BIN=${SIXPND_BIN:?SIXPND_BIN must point at the sixpnd binary}
SIXPN_SOURCE_DIR=${SIXPN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

E2E_SKIP=77
RUN_ID=$$
NS_PREFIX="s6e2e-$RUN_ID"
UNDERLAY_GW=10.66.0.1  # the gateway's underlay address: REST API and WireGuard endpoint
API_PORT=4280
WG_PORT=51820
GW_IF="s6g$RUN_ID"  # wireguard-go's control socket is /var/run/wireguard/<name>.sock for every
                    # namespace alike, so WireGuard interface names must be unique per run
WORK=""
DB=""
API_CA=""  # sixpnd's self-signed certificate, made at its first start
MADE_ETC_NETNS=""  # /etc/netns did not exist before this run
# Functions teardown runs first, before the namespaces go (lib_hosts.sh adds its hosts'), and
# checks the EXIT trap runs after it.
CLEANUP_HOOKS=()
LEFTOVER_CHECKS=()

# Loud, and only for what a machine without the means cannot do; everything else fails.
skip() {
  echo "==================================================================" >&2
  echo "SKIPPED: end-to-end tunnel tests: $*" >&2
  echo "==================================================================" >&2
  exit "$E2E_SKIP"
}

e2e_require() {
  [ "$(id -u)" -eq 0 ] || skip "they need root (network namespaces, WireGuard)"
  [ -c /dev/net/tun ] || skip "/dev/net/tun is missing (userspace WireGuard needs it)"
  local probe="$NS_PREFIX-probe"
  ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns add)"
  ip netns del "$probe"
  local tool
  for tool in wg wg-quick wireguard-go nft dig python3 curl ping; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool (scripts/install-deps.sh)" >&2; exit 1; }
  done
}

# Our namespaces are found by their run-unique prefix, so ones made inside a case's subshell
# are removed too.
our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NS_PREFIX-"
}

# teardown — stops and removes everything of the run but its work directory; safe to repeat.
teardown() {
  local ns hook
  for hook in "${CLEANUP_HOOKS[@]}"; do "$hook"; done
  stop_sixpnd
  for ns in $(our_namespaces); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -TERM 2>/dev/null
  done
  sleep 0.3
  for ns in $(our_namespaces); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "/etc/netns/$NS_PREFIX-"*
  [ -n "$MADE_ETC_NETNS" ] && rmdir /etc/netns 2>/dev/null
  # wireguard-go removes its socket when stopped; these are only what a KILL left behind.
  rm -f /var/run/wireguard/s6[a-z]"$RUN_ID".sock
}

# The EXIT trap: teardown, then the checks of LEFTOVER_CHECKS (each prints what of the run is
# still there and fails if anything is), which turn a run that leaks into a failed one.
cleanup() {
  local status=$? check
  teardown
  for check in "${LEFTOVER_CHECKS[@]}"; do "$check" || status=1; done
  [ -n "$WORK" ] && rm -rf "$WORK"
  exit "$status"
}

e2e_init() {
  e2e_require
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-e2e.XXXXXX")
  DB="$WORK/sixpnd.db"
  API_CA="$WORK/tls-cert.pem"
  [ -d /etc/netns ] || MADE_ETC_NETNS=1
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  export SIXPN_CONFIG_DIR="$WORK/config" HOME="$WORK/home" CI=1
  mkdir -p "$HOME"
  unset SIXPN_API_URL SIXPN_API_TOKEN SIXPN_ORG SIXPN_APP SIXPN_WG_REGION
}

ns() { echo "$NS_PREFIX-$1"; }

# inside NS CMD… — runs a command inside one of our namespaces.
inside() {
  local name=$1
  shift
  ip netns exec "$(ns "$name")" "$@"
}

add_ns() {
  local full
  full=$(ns "$1")
  ip netns add "$full" || return 1
  ip -n "$full" link set lo up
}

# The gateway namespace with the underlay bridge every laptop plugs into.
make_gateway_ns() {
  add_ns gateway || return 1
  local g
  g=$(ns gateway)
  # A fixed MAC: a bridge otherwise takes the lowest of its ports', so a laptop plugged in later
  # could change it under the others' ARP caches.
  ip -n "$g" link add br0 address 02:5e:00:00:00:01 type bridge &&
    ip -n "$g" addr add "$UNDERLAY_GW/24" dev br0 &&
    ip -n "$g" link set br0 up
}

# make_laptop NAME N — a namespace on the underlay at 10.66.0.N.
make_laptop() {
  local name=$1 n=$2 g l
  add_ns "$name" || return 1
  g=$(ns gateway)
  l=$(ns "$name")
  ip link add eth0 netns "$l" type veth peer name "up$n" netns "$g" &&
    ip -n "$g" link set "up$n" master br0 up &&
    ip -n "$l" addr add "10.66.0.$n/24" dev eth0 &&
    ip -n "$l" link set eth0 up
}

# make_machine NAME ADDRESS — a namespace whose eth0 holds the machine's 6PN address (its /112
# routed to it from the gateway), fly-local-6pn in its hosts file, and a TCP listener on
# fly-local-6pn:8080 that greets with "hello from NAME".
make_machine() {
  local name=$1 address=$2 g m
  add_ns "$name" || return 1
  g=$(ns gateway)
  m=$(ns "$name")
  mkdir -p "/etc/netns/$m"
  printf '127.0.0.1 localhost\n::1 localhost\n%s fly-local-6pn\n' "$address" >"/etc/netns/$m/hosts"
  ip link add eth0 netns "$m" type veth peer name "v$name" netns "$g" &&
    ip -n "$g" addr add fe80::1/64 dev "v$name" nodad &&
    ip -n "$g" link set "v$name" up &&
    ip -n "$m" addr add "$address/112" dev eth0 nodad &&
    ip -n "$m" link set eth0 up &&
    ip -n "$m" -6 route add default via fe80::1 dev eth0 &&
    ip -n "$g" -6 route add "$address/112" dev "v$name" || return 1
  ip netns exec "$m" python3 -c '
import socket, sys
host = socket.getaddrinfo("fly-local-6pn", 8080, socket.AF_INET6, socket.SOCK_STREAM)[0][4]
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(host)
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(("hello from " + sys.argv[1] + "\n").encode())
    c.close()
' "$name" >>"$WORK/machine-$name.log" 2>&1 &
  wait_until 5 inside "$name" python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], 8080), 1).close()' "$address"
}

# wait_until SECONDS CMD… — retries CMD every 0.1 s; fails when it never succeeds.
wait_until() {
  local seconds=$1 i
  shift
  for i in $(seq 1 $((seconds * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# tunnel_up NS IFNAME CONF — brings up the config sixpn wrote, as wg-quick does, minus the DNS
# line: resolvconf would edit the host's /etc/resolv.conf. The DNS server goes into the
# namespace's own resolv.conf instead (ip netns exec bind-mounts /etc/netns/<ns>/resolv.conf).
tunnel_up() {
  local name=$1 ifname=$2 conf=$3 full dns
  full=$(ns "$name")
  dns=$(sed -n 's/^DNS *= *//p' "$conf")
  mkdir -p "/etc/netns/$full"
  echo "nameserver $dns" >"/etc/netns/$full/resolv.conf"
  install -m 600 /dev/null "$WORK/$ifname.conf"
  sed '/^DNS *=/d' "$conf" >"$WORK/$ifname.conf"
  ip netns exec "$full" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$WORK/$ifname.conf" >>"$WORK/wg-quick.log" 2>&1
}

# start_sixpnd [extra serve flags…] — sixpnd in the gateway namespace, API (HTTPS, with the
# self-signed pair it keeps beside $DB; laptops trust it through SIXPN_CA_FILE=$API_CA) and
# WireGuard endpoint on the underlay, gateway interface $GW_IF; no DNS flag: the gateway answers
# DNS on every org's prefix::3 by default (the server tells orgs apart by the querier's 6PN
# address), and forwards other names to the gateway namespace's resolv.conf nameservers (the
# host's file here, only read); returns once the API answers. Its PID is
# kept in a file, so a case (a subshell) can stop and start it and the EXIT trap still finds it.
start_sixpnd() {
  # Straight through ip netns exec (which execs), so the PID is sixpnd's and SIGTERM reaches it.
  ip netns exec "$(ns gateway)" "$SIXPND_BIN" serve --db "$DB" \
    --listen "$UNDERLAY_GW:$API_PORT" \
    --gateway-endpoint "$UNDERLAY_GW:$WG_PORT" --gateway-interface "$GW_IF" \
    --tls-self-signed "$@" >>"$WORK/sixpnd.log" 2>&1 &
  local pid=$! i
  echo "$pid" >"$WORK/sixpnd.pid"
  for i in $(seq 1 100); do
    [ -f "$API_CA" ] &&
      inside gateway curl -s -o /dev/null --max-time 1 --cacert "$API_CA" "https://$UNDERLAY_GW:$API_PORT/v1/platform/regions" &&
      return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "sixpnd did not start; its log:" >&2
  cat "$WORK/sixpnd.log" >&2
  return 1
}

# Stops sixpnd with SIGTERM (so it takes its interface and table down) and waits until it is
# gone; fails if it had to be killed.
stop_sixpnd() {
  [ -n "$WORK" ] && [ -f "$WORK/sixpnd.pid" ] || return 0
  local pid i
  pid=$(cat "$WORK/sixpnd.pid")
  rm -f "$WORK/sixpnd.pid"
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  echo "sixpnd ignored SIGTERM for 10 s" >&2
  return 1
}

# run CMD… — stdin closed, a 60 s guard; sets OUT, ERR and RC.
run() {
  timeout 60 "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
  RC=$?
  OUT=$(cat "$WORK/out")
  ERR=$(cat "$WORK/err")
}

# run_in NS CMD… — run, inside one of our namespaces.
run_in() {
  local name=$1
  shift
  run ip netns exec "$(ns "$name")" "$@"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

fail() {
  echo "    $*" >&2
  exit 1
}
assert_eq() {  # expected actual [what]
  [ "$1" == "$2" ] || fail "${3:-value}: expected [$1], got [$2]"
}
assert_rc() {  # expected-exit-code
  [ "$RC" == "$1" ] || fail "exit code: expected $1, got $RC; stdout: $OUT; stderr: $ERR"
}
assert_contains() {  # haystack needle [what]
  [[ "$1" == *"$2"* ]] || fail "${3:-text} does not contain [$2]: [$1]"
}
assert_not_contains() {  # haystack needle [what]
  [[ "$1" != *"$2"* ]] || fail "${3:-text} contains [$2]: [$1]"
}
json_get() {  # json python-expression-on-d
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(v if isinstance(v,str) else json.dumps(v))' "$1" "$2"
}

# run_cases NAME… — in this order; prints ok/not ok per case and "N passed, N failed".
run_cases() {
  local passed=0 failed=0 name
  for name in "$@"; do
    if ("$name"); then
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
