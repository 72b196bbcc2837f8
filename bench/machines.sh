#!/usr/bin/env bash
# Machines and the mesh, in the world of the multi-host e2e suites (tests/e2e/lib_hosts.sh): a
# control plane with its gateway and two hosts, ams-1 and fra-1, each a namespace on a bridge
# running the real `sixpnd host` (wireguard-go, runc). Three figures:
#   run → connect   `sixpn machine run` of a TCP listener on ams-1 until a client on fra-1 (in
#                   a machine's namespace there) connects to it over the mesh, against a shell
#                   script doing the same by hand: a namespace and veth on ams-1, the address and
#                   its route, the same process, the same client. A B A B, RUNS of each.
#   throughput      iperf3 from a machine on fra-1 to a machine on ams-1 over the mesh, against
#                   iperf3 between the two host namespaces over a wireguard-go pair set up here
#                   with `wg` by hand. Rounds alternate, ROUNDS of each, SECONDS long.
#   convergence     the API's answer to a machine create (the org's first machine on ams-1) and
#                   to its destroy, until every node's WireGuard peers, ams-1's routes and DNS
#                   from inside a machine on each host show it (bench/mesh_convergence.py);
#                   p50/p99 over CHANGES of each. No reference: nothing else does this.
# FIGURES="run throughput convergence" picks some. Needs root, runc, wireguard-go, iperf3. Everything lives in namespaces of this run and goes in
# the EXIT trap, even on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/server.sh"  # SIXPN_BIN, SIXPND_BIN, median_min_max, bench_row
export SIXPN_BIN SIXPND_BIN
source "$here/../tests/e2e/lib.sh"
source "$here/../tests/e2e/lib_hosts.sh"
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-5}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-3}
CHANGES=${CHANGES:-20}
PY=/usr/bin/python3  # Debian's, the one a machine with the host's image runs too

die() {
  local name
  if { : >&3; } 2>/dev/null; then exec 2>&3 3>&-; fi  # while the world is built, stderr is its log
  echo "bench/machines.sh: $*" >&2
  [ -s "$WORK/world.log" ] && tail -5 "$WORK/world.log" | sed 's/^/  world: /' >&2
  [ -s "$WORK/cli.log" ] && tail -5 "$WORK/cli.log" | sed 's/^/  sixpn: /' >&2
  for name in $(our_hosts); do
    tail -8 "$(host_log "$name")" 2>/dev/null | sed "s/^/  $name: /" >&2
  done
  exit 1
}

e2e_init
for tool in runc iperf3; do
  command -v "$tool" >/dev/null || die "missing tool: $tool (scripts/install-deps.sh)"
done
REF_A_IF="s6x$RUN_ID"  # the hand-made WireGuard pair of the throughput reference
REF_B_IF="s6y$RUN_ID"
REF_PORT=51830
REF_PIDS=()
reference_cleanup() {
  local pid
  for pid in "${REF_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  rm -f "/var/run/wireguard/$REF_A_IF.sock" "/var/run/wireguard/$REF_B_IF.sock"
  bench_cleanup
}
CLEANUP_HOOKS+=(reference_cleanup)

netns_path() { echo "/var/run/netns/$(ns "$1")"; }
machine_netns() { echo "/var/run/netns/$NS_PREFIX-$1-$2"; }  # HOST ID

# The world. What its commands tell a person goes to a log, which `die` shows the end of.
exec 3>&2 2>>"$WORK/world.log"
make_gateway_ns || die "cannot make the gateway's namespace"
start_sixpnd || die "sixpnd serve did not start"
make_host ams-1 2 && make_host fra-1 3 || die "cannot make the hosts' namespaces"
start_host ams-1 ams && start_host fra-1 fra || die "the hosts did not come up"
GW_NETNS=$(netns_path gateway)
HOST_A=$(ns ams-1)
for org in bench conv; do
  "$SIXPND_BIN" orgs create "$org" --db "$DB" >/dev/null || die "cannot make org $org"
done
export SIXPN_API_URL="$API_URL" SIXPN_CA_FILE="$API_CA"
SIXPN_API_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org bench --org conv) ||
  die "cannot make a token"
export SIXPN_API_TOKEN
# The user's CLI, where the API is; what it tells a person goes to a log (`die` shows its end).
cli() { nsenter --net="$GW_NETNS" "$SIXPN_BIN" "$@" 2>>"$WORK/cli.log"; }
cli apps create bench -o bench >/dev/null && cli apps create conv -o conv >/dev/null ||
  die "cannot make the apps"
exec 2>&3 3>&-

# resident APP HOST REGION CMD… — a machine that stays for the whole run; prints "ID ADDRESS".
resident() {
  local app=$1 host=$2 region=$3 out
  shift 3
  out=$(cli machine run -a "$app" --region "$region" --json -- "$@") || die "machine run on $host failed"
  json_get "$out" 'd["id"] + " " + d["private_ip"]'
}
read -r SERVER_ID SERVER_IP <<<"$(resident bench ams-1 ams iperf3 -s)"
read -r CLIENT_ID _ <<<"$(resident bench fra-1 fra sleep 100000)"
read -r CONV_ID _ <<<"$(resident conv fra-1 fra sleep 100000)"
CLIENT_NETNS=$(machine_netns fra-1 "$CLIENT_ID")

# reach ADDRESS PORT — connects from the client machine on fra-1 as soon as something listens;
# fails after 30 s.
CONNECT='
import socket, sys, time
address, port = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 30
while True:
    try:
        socket.create_connection((address, port), timeout=0.2).close()
        break
    except OSError:
        if time.time() > deadline:
            sys.exit("no connection to [%s]:%d within 30 s" % (address, port))
        time.sleep(0.002)
'
reach() { nsenter --net="$CLIENT_NETNS" "$PY" -c "$CONNECT" "$1" "$2"; }
reach "$SERVER_IP" 5201 || die "the mesh does not carry fra-1 to ams-1"

# ---- run → first TCP connect from another host -------------------------------------------
LISTENER=("$PY" -m http.server 8080 --bind ::)

# A sample leaves what to tear down (untimed) in $WORK/sample; no file, no sample.
sixpn_listener() {
  local out address
  out=$(cli machine run -a bench --region ams --restart no --json -- "${LISTENER[@]}") || return 1
  echo "${EPOCHREALTIME/./}" >"$WORK/sample.returned"
  address=$(grep -o '"private_ip": *"[^"]*"' <<<"$out" | cut -d'"' -f4)
  reach "$address" 8080 || return 1
  grep -o '"id": *"[^"]*"' <<<"$out" | head -1 | cut -d'"' -f4 >"$WORK/sample"
}
sixpn_listener_down() { cli machine destroy "$(cat "$WORK/sample")" -a bench --yes >/dev/null; }

# ams-1's /80 of org bench with machine part ffff:N: an address no machine gets, inside the
# prefix fra-1 already routes to ams-1 over the mesh, so the reference travels the same way.
reference_address() {
  "$PY" -c 'import ipaddress, sys
a = int(ipaddress.IPv6Address(sys.argv[1]))
print(ipaddress.IPv6Address(a >> 48 << 48 | 0xffff << 32 | int(sys.argv[2]) << 16 | 2))' "$SERVER_IP" "$1"
}

# The same nine `ip` commands as the host's machine_net plan, then the process and the client.
reference_listener() {
  local n=$1 address=$2 m="$NS_PREFIX-ref$1" veth="vref$1"
  ip netns add "$m" &&
    ip -n "$HOST_A" link add "$veth" mtu 1420 type veth peer name eth0 netns "$m" &&
    ip -n "$m" link set lo up &&
    ip -n "$m" -6 addr add "$address/112" dev eth0 nodad &&
    ip -n "$m" link set eth0 up &&
    ip -n "$HOST_A" -6 addr add fe80::1/64 dev "$veth" nodad &&
    ip -n "$HOST_A" link set "$veth" up &&
    ip -n "$m" -6 route add default via fe80::1 dev eth0 &&
    ip -n "$HOST_A" -6 route replace "$address/112" dev "$veth" || return 1
  nsenter --net="/var/run/netns/$m" "${LISTENER[@]}" &
  echo "$! $m" >"$WORK/sample.pending"
  reach "$address" 8080 || return 1
  mv "$WORK/sample.pending" "$WORK/sample"
}
reference_listener_down() {
  local pid m
  read -r pid m <"$WORK/sample"
  kill "$pid" && ip netns del "$m"
}

# sample CMD DOWN — one timed run of CMD (µs on stdout), then DOWN untimed; fails if CMD did.
sample() {
  local start t
  rm -f "$WORK/sample"
  start=${EPOCHREALTIME/./}
  t=$(time_once "$1")
  [ -s "$WORK/sample" ] || die "a sample failed: $1"
  $2 || die "could not tear down after: $1"
  # Where a sixpn sample's time went: until `machine run` returned, and the connect after it.
  [ -f "$WORK/sample.returned" ] &&
    echo "$(($(cat "$WORK/sample.returned") - start)) $((start + t - $(cat "$WORK/sample.returned")))" >>"$WORK/split"
  rm -f "$WORK/sample.returned"
  echo "$t"
}

figure_run_to_connect() {
  local i ta="" tb="" returned connect
  sample sixpn_listener sixpn_listener_down >/dev/null  # warm caches once for each side
  sample "reference_listener 0 $(reference_address 0)" reference_listener_down >/dev/null
  rm -f "$WORK/split"
  for i in $(seq 1 "$RUNS"); do
    ta="$ta $(sample sixpn_listener sixpn_listener_down)" || exit 1
    tb="$tb $(sample "reference_listener $i $(reference_address "$i")" reference_listener_down)" || exit 1
  done
  report_times "machines: run → connect (fra-1)" "$RUNS" "≤ 1.5x" "$ta" "$tb"
  read -r returned _ _ <<<"$(median_min_max "$(cut -d' ' -f1 "$WORK/split" | tr '\n' ' ')")"
  read -r connect _ _ <<<"$(median_min_max "$(cut -d' ' -f2 "$WORK/split" | tr '\n' ' ')")"
  printf '  sixpn machine run returned after %.0f ms, the client connected %.0f ms later (medians)\n' \
    "$(awk -v x="$returned" 'BEGIN { print x / 1000 }')" "$(awk -v x="$connect" 'BEGIN { print x / 1000 }')"
}

# ---- throughput machine → machine across hosts -------------------------------------------
# The reference: wireguard-go in each host namespace, keys and peer set with `wg`, one address
# each; iperf3 across it.
reference_pair_up() {
  local side ifname host n peer peer_n peer_host
  for side in a b; do
    (umask 077 && wg genkey >"$WORK/ref-$side.key") && wg pubkey <"$WORK/ref-$side.key" >"$WORK/ref-$side.pub" ||
      return 1
  done
  for side in a b; do
    if [ "$side" = a ]; then ifname=$REF_A_IF host=ams-1 n=1 peer=b peer_n=2 peer_host=fra-1
    else ifname=$REF_B_IF host=fra-1 n=2 peer=a peer_n=1 peer_host=ams-1; fi
    WG_PROCESS_FOREGROUND=1 in_host "$host" wireguard-go -f "$ifname" >>"$WORK/ref-wg.log" 2>&1 &
    REF_PIDS+=($!)
    wait_until 5 in_host "$host" wg show "$ifname" || return 1
    in_host "$host" wg set "$ifname" private-key "$WORK/ref-$side.key" listen-port "$REF_PORT" \
      peer "$(cat "$WORK/ref-$peer.pub")" allowed-ips "fd5e::$peer_n/128" \
      endpoint "10.66.0.$(host_n "$peer_host"):$REF_PORT" &&
      ip -n "$(ns "$host")" -6 addr add "fd5e::$n/64" dev "$ifname" nodad &&
      ip -n "$(ns "$host")" link set "$ifname" up || return 1
  done
  in_host ams-1 iperf3 -s -B fd5e::1 >>"$WORK/ref-iperf3.log" 2>&1 &
  REF_PIDS+=($!)
  wait_until 5 in_host fra-1 "$PY" -c "$CONNECT" fd5e::1 5201
}

# bits_per_second NETNS ADDRESS — one iperf3 run from NETNS; the receiver's rate in Mbit/s.
mbits() {
  nsenter --net="$1" iperf3 -c "$2" -t "$SECONDS_PER_ROUND" -J |
    "$PY" -c 'import json, sys; print("%.1f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))'
}

figure_throughput() {
  local i a="" b="" x
  reference_pair_up || die "the reference WireGuard pair did not come up"
  for i in $(seq 1 "$ROUNDS"); do
    x=$(mbits "$CLIENT_NETNS" "$SERVER_IP") || die "iperf3 over the mesh failed"
    a="$a $x"
    x=$(mbits "$(netns_path fra-1)" fd5e::1) || die "iperf3 over the reference pair failed"
    b="$b $x"
  done
  read -r am amin amax <<<"$(median_min_max "$a")"
  read -r bm bmin bmax <<<"$(median_min_max "$b")"
  bench_row "machines: TCP fra-1 → ams-1" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" \
    "$(awk -v x="$am" -v y="$bm" 'BEGIN { printf "%.2f", x / y }')" "≥ 0.9x" "$ROUNDS" "Mbit/s"
}

# ---- mesh convergence after a change ------------------------------------------------------
# percentile P "v v…" — the nearest-rank percentile.
percentile() {
  echo "$2" | tr ' ' '\n' | grep -v '^$' | sort -g |
    awk -v p="$1" '{ v[NR] = $1 } END { r = int((p * NR + 99) / 100); print v[r < 1 ? 1 : r] }'
}

figure_convergence() {
  local out kind values p50 p99 min max
  out=$("$PY" "$here/mesh_convergence.py" --sixpn "$SIXPN_BIN" --cli-netns "$GW_NETNS" \
    --app conv --region ams --target-netns "$(netns_path ams-1)" \
    --target-interface "$(host_interface ams-1)" --machine-netns-prefix "/var/run/netns/$NS_PREFIX-ams-1-" \
    --target-runc-root "$(host_state_dir ams-1)/runc" \
    --peer-node "fra-1:$(host_interface fra-1)" --peer-node "gateway:$GW_IF" \
    --vantage "fra-1:$(machine_netns fra-1 "$CONV_ID")" --changes "$CHANGES") ||
    die "mesh convergence failed"
  for kind in create destroy; do
    values=$(sed -n "s/^$kind //p" <<<"$out")
    read -r p50 min max <<<"$(median_min_max "$values")"
    p99=$(percentile 99 "$values")
    # A latency with no reference: the reference and ratio columns say "-".
    printf '%-34s %9s ms (%s–%s)  %22s  %7s  goal %s\n' "mesh: $kind → all, p50" "$p50" "$min" \
      "$max" - - "p99 ≤ 1 s"
    printf '%s\t%s\t%s\t%s\t-\t-\t-\t-\t%s\t%s\n' "mesh: $kind → all, p50" "$p50" "$min" "$max" \
      "p99 ≤ 1 s" "$CHANGES" >>"$RESULTS_TSV"
    printf '  p99 %s ms over %s changes; medians of each check:' "$p99" "$CHANGES"
    sed -n "s/^parts-$kind //p" <<<"$out" | while read -r check values; do
      read -r p50 _ _ <<<"$(median_min_max "$values")"
      printf ' %s %s' "$check" "$p50"
    done
    echo
    echo "  the slowest: $(sed -n "s/^slowest-$kind //p" <<<"$out")"
  done
}

for figure in ${FIGURES:-run throughput convergence}; do
  case $figure in
    run) figure_run_to_connect ;;
    throughput) figure_throughput ;;
    convergence) figure_convergence ;;
    *) die "no figure $figure (run, throughput, convergence)" ;;
  esac
done
