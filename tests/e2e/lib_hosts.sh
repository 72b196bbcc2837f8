# Hosts of the mesh for the end-to-end suites and the benchmarks: each host is a namespace on the
# underlay bridge running the real `sixpnd host`, whose machines run under runc. Source it after
# lib.sh and call e2e_init first.
#
#   gateway (sixpnd serve, 10.66.0.1) ── br0 ──┬── host ams-1 (10.66.0.N, sixpnd host) ── machines
#                                              └── host fra-1 (10.66.0.M, sixpnd host) ── machines
#
# An agent runs under nsenter --net, not ip netns exec: that keeps this machine's mount
# namespace, so the machine namespaces it makes under /var/run/netns are everyone's to see (and
# to clean up). Every name the run makes carries RUN_ID: the agent's WireGuard interface
# s6h<N>_<RUN_ID> (wireguard-go's socket is /var/run/wireguard/<name>.sock for every namespace
# alike), its machines' namespaces $NS_PREFIX-<host>-<machine id>, its state in $WORK/<host>.
# What a host keeps for the helpers (its number, region, PID) is in files, so cases (subshells)
# can start and stop hosts and the EXIT trap still finds them.

HOST_WG_PORT=51821
API_URL="https://$UNDERLAY_GW:$API_PORT"

host_n() { cat "$WORK/hosts/$1.n"; }
host_state_dir() { echo "$WORK/$1"; }
host_interface() { echo "s6h$(host_n "$1")_$RUN_ID"; }
host_log() { echo "$WORK/$1.log"; }
host_pid() { cat "$WORK/hosts/$1.pid" 2>/dev/null; }
our_hosts() { ls "$WORK/hosts" 2>/dev/null | sed -n 's/\.n$//p'; }

# in_host NAME CMD… — runs a command in the host's network namespace (this mount namespace).
in_host() {
  local name=$1
  shift
  nsenter --net="/var/run/netns/$(ns "$name")" "$@"
}

# make_host NAME N — a namespace on the underlay at 10.66.0.N (needs make_gateway_ns first).
make_host() {
  mkdir -p "$WORK/hosts"
  echo "$2" >"$WORK/hosts/$1.n"
  make_laptop "$1" "$2"
}

host_is_up() {  # NAME — registered, and its mesh interface answers
  test -s "$(host_state_dir "$1")/host.json" && in_host "$1" wg show "$(host_interface "$1")" >/dev/null
}

watch_count() { grep -c "for this host's desired state" "$(host_log "$1")" 2>/dev/null; }

# run_agent NAME [flags…] — starts `sixpnd host` for NAME and waits until it watches its state
# with its interface up; fails, with its log, if that takes more than 20 s.
run_agent() {
  local name=$1 before pid
  shift
  before=$(watch_count "$name")
  nsenter --net="/var/run/netns/$(ns "$name")" "$SIXPND_BIN" host \
    --control-plane "$API_URL" --ca-file "$API_CA" \
    --endpoint "10.66.0.$(host_n "$name"):$HOST_WG_PORT" --interface "$(host_interface "$name")" \
    --netns-prefix "$NS_PREFIX-$name-" --state-dir "$(host_state_dir "$name")" \
    --dns-upstream none --resync 2 "$@" >>"$(host_log "$name")" 2>&1 &
  pid=$!
  disown "$pid"  # a stop_host KILL is the point of some cases, not news for the job table
  echo "$pid" >"$WORK/hosts/$name.pid"
  if wait_until 20 eval 'host_is_up "$name" && [ "$(watch_count "$name")" -gt "${before:-0}" ]'; then
    return 0
  fi
  echo "sixpnd host $name did not come up; its log:" >&2
  tail -20 "$(host_log "$name")" >&2
  return 1
}

# start_host NAME REGION — a join token for REGION, then the agent registers with it.
start_host() {
  local name=$1 region=$2 join
  join=$("$SIXPND_BIN" hosts create --db "$DB" --region "$region" --name "$name") || return 1
  echo "$region" >"$WORK/hosts/$name.region"
  run_agent "$name" --join-token "$join"
}

# start_sixpnd_with_host [flags…] — the control plane with its embedded host (`serve --host`),
# which the helpers know as host "local" (machine_host, in_machine, machine_exec, teardown).
start_sixpnd_with_host() {
  mkdir -p "$WORK/hosts"
  echo 0 >"$WORK/hosts/local.n"
  echo "*" >"$WORK/hosts/local.region"
  start_sixpnd --host --host-state-dir "$(host_state_dir local)" \
    --host-netns-prefix "$NS_PREFIX-local-" "$@"
}

# tunnel LAPTOP TOKEN ORG IFNAME [ALLOWED-IPS] — `sixpn wireguard create … stdout` in region ams,
# the config (with AllowedIPs replaced when given, as a user editing it would) brought up on the
# laptop, and waited for until DNS answers over it.
tunnel() {
  local laptop=$1 token=$2 org=$3 ifname=$4 allowed=${5:-}
  sixpn_in "$laptop" "$token" wireguard create "$org" ams "$laptop" stdout
  assert_rc 0
  printf '%s\n' "$OUT" >"$WORK/$laptop.conf"
  [ -n "$allowed" ] && sed -i "s|^AllowedIPs *=.*|AllowedIPs = $allowed|" "$WORK/$laptop.conf"
  tunnel_up "$laptop" "$ifname" "$WORK/$laptop.conf" || fail "wg-quick up: $(cat "$WORK/wg-quick.log")"
  wait_until 10 inside "$laptop" dig +short +time=1 +tries=1 _apps.internal TXT ||
    fail "no DNS answer over $laptop's tunnel"
}

# Values cases hand to later cases (each case is a subshell).
put() { echo "$2" >"$WORK/val-$1"; }
get() { cat "$WORK/val-$1"; }

env_of() {  # PID NAME — one variable of a process's environment
  tr '\0' '\n' <"/proc/$1/environ" | sed -n "s/^$2=//p"
}

# make_orgs SLUG… — each org in $DB, and TOKEN_<SLUG in upper case> for it.
make_orgs() {
  local org
  for org in "$@"; do
    run "$SIXPND_BIN" orgs create "$org" --db "$DB"
    [ "$RC" -eq 0 ] || fail "cannot create org $org: $ERR"
    printf -v "TOKEN_${org^^}" '%s' "$("$SIXPND_BIN" tokens create --db "$DB" --org "$org")"
  done
}

# stop_host NAME [SIGNAL] — signals the agent (TERM by default) and waits until it is gone.
stop_host() {
  local name=$1 signal=${2:-TERM} pid
  pid=$(host_pid "$name")
  [ -n "$pid" ] || return 0
  kill "-$signal" "$pid" 2>/dev/null
  rm -f "$WORK/hosts/$name.pid"
  wait_until 10 eval '! kill -0 "$pid"' && return 0
  echo "sixpnd host $name ignored SIG$signal for 10 s" >&2
  kill -KILL "$pid" 2>/dev/null
  return 1
}

# restart_host NAME — a stopped (or killed) agent started again with the state it kept.
restart_host() {
  stop_host "$1"
  run_agent "$1"
}

# sixpn_in NS TOKEN ARGS… — the real CLI in one of our namespaces, against the API on the
# underlay; sets OUT, ERR and RC (see run).
sixpn_in() {
  local name=$1 token=$2
  shift 2
  run ip netns exec "$(ns "$name")" env SIXPN_API_URL="$API_URL" SIXPN_API_TOKEN="$token" \
    SIXPN_CA_FILE="$API_CA" "$SIXPN_BIN" "$@"
}

# machine_run TOKEN APP REGION CMD… — `sixpn machine run` (from the gateway's namespace, where
# the API is) waiting until the process runs; prints the machine's id.
machine_run() {
  local token=$1 app=$2 region=$3
  shift 3
  sixpn_in gateway "$token" machine run -a "$app" --region "$region" --json -- "$@"
  if [ "$RC" != 0 ]; then
    echo "sixpn machine run failed ($RC): $ERR" >&2
    return 1
  fi
  json_get "$OUT" 'd["id"]'
}

# A machine command: listens on fly-local-6pn:8080 and greets with "hello from <machine id>".
GREETER=(python3 -c '
import os, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("fly-local-6pn", 8080))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(("hello from " + os.environ["FLY_MACHINE_ID"] + "\n").encode())
    c.close()
')

# machine_host ID — the host whose runc knows the machine.
machine_host() {
  local name
  for name in $(our_hosts); do
    runc --root "$(host_state_dir "$name")/runc" state "$1" >/dev/null 2>&1 && { echo "$name"; return 0; }
  done
  return 1
}

# machine_pid ID — the machine's first process as this machine's kernel numbers it.
machine_pid() {
  local host
  host=$(machine_host "$1") || return 1
  runc --root "$(host_state_dir "$host")/runc" state "$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'
}

# in_machine ID CMD… — a command in the machine's network namespace (this machine's files).
in_machine() {
  local id=$1 path
  shift
  for path in /var/run/netns/"$NS_PREFIX"-*-"$id"; do
    [ -e "$path" ] || { echo "no namespace for machine $id" >&2; return 1; }
    nsenter --net="$path" "$@"
    return
  done
}

# machine_exec ID CMD… — a command inside the machine as runc runs it: its files (/etc/hosts,
# /etc/resolv.conf), its environment, its PID namespace.
machine_exec() {
  local id=$1 host
  shift
  host=$(machine_host "$id") || { echo "no container for machine $id" >&2; return 1; }
  runc --root "$(host_state_dir "$host")/runc" exec "$id" "$@"
}

# The net namespaces of the run, by inode, so processes left in one are found after it is gone.
# The kernel hands a freed inode to the next namespace made (another run's, say), so the time
# of the first call is kept too: a process started after it is never taken for one of ours.
remember_namespaces() {
  local ns
  [ -f "$WORK/netns-since" ] || awk -v hz="$(getconf CLK_TCK)" '{printf "%d\n", $1 * hz}' /proc/uptime >"$WORK/netns-since"
  for ns in $(our_namespaces); do
    stat -L -c %i "/var/run/netns/$ns" 2>/dev/null
  done >>"$WORK/netns-inodes"
}

started_before() {  # PID TICKS — the process started before TICKS (clock ticks since boot)
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }  # past the command name, which may hold spaces
  [ "$(awk '{print $20}' <<<"$stat")" -le "$2" ]
}

# Part of teardown: agents stopped (they leave machines running) and the control plane (with
# SIGTERM, so it takes its interface down), then every container of every host deleted, then
# whatever process of the run is left.
teardown_hosts() {
  [ -n "$WORK" ] && [ -d "$WORK/hosts" ] || return 0
  local name root id pid
  remember_namespaces
  for name in $(our_hosts); do stop_host "$name" TERM; done
  stop_sixpnd
  for name in $(our_hosts); do
    root="$(host_state_dir "$name")/runc"
    [ -d "$root" ] || continue
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" delete --force "$id" >/dev/null 2>&1
    done
  done
  for pid in $(run_processes); do kill -KILL "$pid" 2>/dev/null; done
  for name in $(our_hosts); do rm -f "/var/run/wireguard/$(host_interface "$name").sock"; done
}
CLEANUP_HOOKS+=(teardown_hosts)

# run_processes — PIDs of processes of this run: in one of its net namespaces (also one already
# deleted), or with its work directory on their command line (agents, shims, runc).
run_processes() {
  [ -n "$WORK" ] || return 0
  local inodes since proc pid
  inodes=$(sort -u "$WORK/netns-inodes" 2>/dev/null)
  since=$(cat "$WORK/netns-since" 2>/dev/null)
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ] && continue
    if [ -n "$inodes" ] && grep -qx "$(stat -L -c %i "$proc/ns/net" 2>/dev/null)" <<<"$inodes" &&
      started_before "$pid" "$since"; then
      echo "$pid"
    elif tr '\0' ' ' 2>/dev/null <"$proc/cmdline" | grep -qF -- "$WORK/"; then
      echo "$pid"
    fi
  done
}

# leftovers — prints what of the run is still there: namespaces, containers, processes,
# wireguard-go sockets; empty when the run cleaned up after itself.
leftovers() {
  local name root id pid
  our_namespaces | sed 's/^/namespace /'
  for name in $(our_hosts); do
    root="$(host_state_dir "$name")/runc"
    [ -d "$root" ] || continue
    for id in $(runc --root "$root" list -q 2>/dev/null); do echo "container $id of $name"; done
  done
  remember_namespaces
  for pid in $(run_processes); do
    echo "process $pid: $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
  done
  ls /var/run/wireguard/ 2>/dev/null | grep -E "^s6([a-z]|h[0-9]+_)$RUN_ID\.sock\$" | sed 's/^/socket /'
}

check_no_leftovers() {
  local left
  left=$(leftovers)
  [ -z "$left" ] && return 0
  echo "the run left behind:" >&2
  sed 's/^/  /' <<<"$left" >&2
  return 1
}
LEFTOVER_CHECKS+=(check_no_leftovers)
