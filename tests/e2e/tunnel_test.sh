#!/usr/bin/env bash
# End to end over real WireGuard: a config from `sixpn wireguard create` connects a laptop to its
# org's network — DNS at prefix::3, its machines over TCP — and never to another org's.
# The cases run in order; each builds on the ones before (see lib.sh for the namespaces).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

e2e_init

API_URL="https://$UNDERLAY_GW:$API_PORT"
A_IF="s6a$RUN_ID"  # laptop-a's tunnel
B_IF="s6b$RUN_ID"  # laptop-b's tunnel
INTRUDER=$(wg genkey | wg pubkey)

# Values cases hand to later cases (each case is a subshell).
put() { echo "$2" >"$WORK/val-$1"; }
get() { cat "$WORK/val-$1"; }

# as NAMESPACE TOKEN sixpn-args… — the real CLI, run on a laptop against the API on the underlay.
as() {
  local name=$1 token=$2
  shift 2
  run ip netns exec "$(ns "$name")" env SIXPN_API_URL="$API_URL" SIXPN_API_TOKEN="$token" SIXPN_CA_FILE="$API_CA" \
    "$SIXPN_BIN" "$@"
}

# dig_in NAMESPACE dig-args… — dig with short timeouts, through the namespace's resolv.conf.
dig_in() {
  local name=$1
  shift
  ip netns exec "$(ns "$name")" dig +time=2 +tries=1 "$@"
}
run_dig() {  # as dig_in, via run
  local name=$1
  shift
  run_in "$name" dig +time=2 +tries=1 "$@"
}

metric() { echo "# metric: $*"; }

for org in orga orgb; do
  run "$SIXPND_BIN" orgs create "$org" --db "$DB"
  [ "$RC" -eq 0 ] || fail "cannot create org $org: $ERR"
done
TOKEN_A=$("$SIXPND_BIN" tokens create --db "$DB" --org orga)
TOKEN_B=$("$SIXPND_BIN" tokens create --db "$DB" --org orgb)
TOKEN_AB=$("$SIXPND_BIN" tokens create --db "$DB" --org orga --org orgb)
PREFIX_A=fdaa:0:1
PREFIX_B=fdaa:0:2
make_gateway_ns && make_laptop laptop-a 2 && make_laptop laptop-b 3 ||
  fail "cannot build the namespaces"

test_sixpnd_creates_its_interface_and_removes_it_at_stop() {
  start_sixpnd || fail "sixpnd did not start"
  assert_eq 51820 "$(inside gateway wg show "$GW_IF" listen-port)" "listen port"
  local addrs
  addrs=$(inside gateway ip -6 addr show dev "$GW_IF")
  assert_contains "$addrs" "$PREFIX_A::3/128" "gateway addresses"
  assert_contains "$addrs" "$PREFIX_B::3/128" "gateway addresses"
  assert_contains "$(inside gateway ip -6 route show dev "$GW_IF")" "$PREFIX_A::/48" "routes"
  inside gateway nft list table ip6 "sixpnd_$GW_IF" >/dev/null || fail "no isolation table"
  assert_eq 1 "$(inside gateway cat /proc/sys/net/ipv6/conf/all/forwarding)" "forwarding"
  # DNS without any DNS flag: UDP and TCP port 53 of the gateway interface, nothing else.
  local sockets
  sockets=$(inside gateway ss -Hlnut 'sport = :53' | awk '{print $1, $5}')
  assert_eq "udp tcp" "$(awk '{print $1}' <<<"$sockets" | paste -sd' ')" "port 53 sockets"
  assert_eq 2 "$(grep -c "%$GW_IF:53\$" <<<"$sockets")" "port 53 sockets bound to $GW_IF: $sockets"
  stop_sixpnd || fail "sixpnd did not stop"
  inside gateway ip link show dev "$GW_IF" >/dev/null 2>&1 && fail "interface left behind"
  inside gateway nft list table ip6 "sixpnd_$GW_IF" >/dev/null 2>&1 && fail "table left behind"
  assert_eq 0 "$(inside gateway cat /proc/sys/net/ipv6/conf/all/forwarding)" "forwarding after"
}

test_sixpnd_adopts_an_interface_and_drops_a_peer_added_by_hand() {
  inside gateway wireguard-go "$GW_IF" >>"$WORK/wireguard-go.log" 2>&1 || fail "wireguard-go"
  inside gateway wg set "$GW_IF" peer "$INTRUDER" allowed-ips "$PREFIX_A::/48"
  start_sixpnd || fail "sixpnd did not start"
  local peers
  peers=$(inside gateway wg show "$GW_IF" allowed-ips)
  assert_not_contains "$peers" "$INTRUDER" "peers after start"
  assert_contains "$(inside gateway ip -6 addr show dev "$GW_IF")" "$PREFIX_A::3/128"
}

test_machines_get_namespaces_with_their_6pn_address() {
  local app org token name json ip id
  # Added by hand while sixpnd runs: the next change to the store takes it away again.
  inside gateway wg set "$GW_IF" peer "$INTRUDER" allowed-ips "$PREFIX_B::/48"
  for app in a b; do
    org=org$app
    token=$([ $app = a ] && echo "$TOKEN_A" || echo "$TOKEN_B")
    as laptop-$app "$token" apps create "web-$app" -o "$org"
    assert_rc 0
    as laptop-$app "$token" machine create -a "web-$app" --region ams --json
    assert_rc 0
    ip=$(json_get "$OUT" 'd["private_ip"]')
    id=$(json_get "$OUT" 'd["id"]')
    put "ip-$app" "$ip"
    put "id-$app" "$id"
    make_machine "m-$app" "$ip" || fail "machine m-$app did not come up: $(cat "$WORK/machine-m-$app.log")"
  done
  assert_not_contains "$(inside gateway wg show "$GW_IF" allowed-ips)" "$INTRUDER" "peers"
}

peer_key() {  # LAPTOP — the public key of the laptop's config
  sed -n 's/^PrivateKey *= *//p' "$WORK/$1.conf" | wg pubkey
}

# create_tunnel LAPTOP TOKEN ORG IFNAME — `wg create … stdout`, then the tunnel from that file.
create_tunnel() {
  local laptop=$1 token=$2 org=$3 ifname=$4 start created up
  start=$(now_ms)
  as "$laptop" "$token" wireguard create "$org" ams "$laptop" stdout
  assert_rc 0
  created=$(now_ms)
  printf '%s\n' "$OUT" >"$WORK/$laptop.conf"
  # The API answers only once the gateway has the peer, so the first handshake cannot miss.
  assert_contains "$(inside gateway wg show "$GW_IF" peers)" "$(peer_key "$laptop")" "gateway peers"
  wg-quick strip "$WORK/$laptop.conf" >/dev/null 2>&1 || fail "wg-quick cannot read the config"
  tunnel_up "$laptop" "$ifname" "$WORK/$laptop.conf" || fail "wg-quick up: $(cat "$WORK/wg-quick.log")"
  up=$(now_ms)
  wait_until 10 dig_in "$laptop" +short _apps.internal TXT ||
    fail "no DNS answer over the tunnel within 10 s"
  metric "$laptop: wireguard create → first DNS answer over the tunnel: $(($(now_ms) - start)) ms" \
    "(create $((created - start)) ms, wg-quick up $((up - created)) ms," \
    "handshake and answer $(($(now_ms) - up)) ms)"
}

test_wg_create_gives_a_config_that_brings_up_a_tunnel() {
  create_tunnel laptop-a "$TOKEN_A" orga "$A_IF"
  create_tunnel laptop-b "$TOKEN_B" orgb "$B_IF"
  assert_eq 2 "$(inside gateway wg show "$GW_IF" allowed-ips | wc -l)" "gateway peers"
}

test_laptop_pings_its_org_dns_address_through_the_tunnel() {
  assert_contains "$(inside laptop-a ip -6 route get "$PREFIX_A::3")" "dev $A_IF" "route"
  run_in laptop-a ping -6 -c 20 -i 0.05 -W 1 "$PREFIX_A::3"
  assert_rc 0
  assert_contains "$OUT" " 0% packet loss"
  metric "ping RTT over the tunnel (min/avg/max/mdev): ${OUT##*= }"
}

test_apps_internal_txt_answers_over_the_tunnel() {
  run_dig laptop-a +short _apps.internal TXT
  assert_eq '"web-a"' "$OUT" "_apps.internal TXT from laptop-a"
  run_dig laptop-b +short "@$PREFIX_B::3" _apps.internal TXT
  assert_eq '"web-b"' "$OUT" "_apps.internal TXT from laptop-b"
}

test_app_name_resolves_to_its_started_machine() {
  run_dig laptop-a +short AAAA web-a.internal
  assert_eq "$(get ip-a)" "$OUT" "web-a.internal"
}

test_tcp_reaches_the_machine_over_the_tunnel() {
  run_in laptop-a nc -6 -w 3 "$(get ip-a)" 8080
  assert_eq "hello from m-a" "$OUT" "by address"
  run_in laptop-a nc -6 -w 3 web-a.internal 8080
  assert_eq "hello from m-a" "$OUT" "by name"
}

# Counts, inside machine m-a, the packets that arrive from SOURCE.
count_from() {
  inside m-a nft list chain ip6 probe seen 2>/dev/null |
    sed -n "s/.*saddr $1 counter packets \([0-9]*\).*/\1/p"
}

test_peer_cannot_send_from_outside_its_slash120() {
  local own spoof_org spoof_other
  own=$(sed -n 's/^Address *= *\([^/]*\).*/\1/p' "$WORK/laptop-a.conf")
  spoof_org="$PREFIX_A:a7b:200:0:b:2"  # inside org A, outside laptop-a's /120
  spoof_other="$PREFIX_B::99"          # another org's network
  inside m-a nft -f - <<EOF || fail "cannot load the probe table"
table ip6 probe {
  chain seen {
    type filter hook input priority 0;
    ip6 saddr $own counter
    ip6 saddr $spoof_org counter
    ip6 saddr $spoof_other counter
  }
}
EOF
  inside laptop-a ip -6 addr add "$spoof_org/128" dev "$A_IF" nodad
  inside laptop-a ip -6 addr add "$spoof_other/128" dev "$A_IF" nodad
  inside laptop-a ping -6 -c 3 -i 0.1 -W 1 -I "$spoof_org" "$(get ip-a)" >/dev/null
  inside laptop-a ping -6 -c 3 -i 0.1 -W 1 -I "$spoof_other" "$(get ip-a)" >/dev/null
  inside laptop-a ping -6 -c 3 -i 0.1 -W 1 -I "$own" "$(get ip-a)" >/dev/null
  inside laptop-a ip -6 addr del "$spoof_org/128" dev "$A_IF"
  inside laptop-a ip -6 addr del "$spoof_other/128" dev "$A_IF"
  [ "$(count_from "$own")" -ge 3 ] || fail "the probe saw no pings from the peer's own address"
  assert_eq 0 "$(count_from "$spoof_org")" "packets from outside the peer's /120"
  assert_eq 0 "$(count_from "$spoof_other")" "packets from another org's network"
}

test_another_org_cannot_reach_org_a() {
  # Give laptop-b's tunnel every 6PN destination, as a hostile peer would, so that only the
  # gateway stands between it and org A.
  local gw_key
  gw_key=$(sed -n 's/^PublicKey *= *//p' "$WORK/laptop-b.conf")
  inside laptop-b wg set "$B_IF" peer "$gw_key" allowed-ips fdaa::/16
  inside laptop-b ip -6 route replace fdaa::/16 dev "$B_IF"
  # Controls: org B's own machine and DNS answer, so a failure below is the gateway's doing.
  run_in laptop-b nc -6 -w 3 "$(get ip-b)" 8080
  assert_eq "hello from m-b" "$OUT" "laptop-b to its own machine"
  run_in m-b ping -6 -c 1 -W 2 "$PREFIX_B::3"
  assert_rc 0
  run_in laptop-b ping -6 -c 3 -i 0.2 -W 1 "$(get ip-a)"
  [ "$RC" -ne 0 ] || fail "laptop-b pinged org A's machine"
  run_in laptop-b nc -6 -w 2 "$(get ip-a)" 8080
  assert_not_contains "$OUT" "hello" "laptop-b's TCP to org A's machine"
  run_dig laptop-b "@$PREFIX_A::3" _apps.internal TXT
  [ "$RC" -ne 0 ] || fail "org A's DNS address answered laptop-b: $OUT"
  run_dig laptop-b web-a.internal AAAA
  assert_contains "$OUT" "status: NXDOMAIN" "web-a.internal from laptop-b"
  run_in m-b ping -6 -c 2 -i 0.2 -W 1 "$(get ip-a)"
  [ "$RC" -ne 0 ] || fail "org B's machine pinged org A's machine"
}

test_doctor_passes_when_connected() {
  as laptop-a "$TOKEN_A" doctor -a web-a
  assert_rc 0
  local check
  for check in tunnel dns gateway org app; do
    [[ "$OUT" =~ PASS\ +$check ]] || fail "no PASS for $check: $OUT"
  done
  assert_contains "$OUT" "$A_IF"
  sed 's/^/# doctor: /' <<<"$OUT"
  as laptop-a "$TOKEN_A" doctor -a web-a --json
  assert_rc 0
  assert_eq true "$(json_get "$OUT" 'd["ok"]')" "ok"
  assert_eq "$PREFIX_A::3" "$(json_get "$OUT" 'd["dns_server"]')" "dns_server"
}

test_doctor_names_the_wrong_org() {
  as laptop-b "$TOKEN_AB" doctor -a web-a --json
  assert_rc 1
  assert_eq false "$(json_get "$OUT" 'd["ok"]')" "ok"
  assert_eq fail "$(json_get "$OUT" '[c for c in d["checks"] if c["name"]=="org"][0]["status"]')"
  assert_contains "$(json_get "$OUT" '[c for c in d["checks"] if c["name"]=="org"][0]["advice"]')" \
    "specific org"
  assert_eq pass "$(json_get "$OUT" '[c for c in d["checks"] if c["name"]=="dns"][0]["status"]')"
}

test_doctor_fails_without_a_tunnel() {
  make_laptop laptop-c 4 || fail "cannot make laptop-c"
  as laptop-c "$TOKEN_A" doctor
  assert_rc 1
  assert_contains "$OUT" "FAIL  tunnel"
  assert_contains "$OUT" "wireguard create"
  assert_contains "$ERR" "checks failed"
}

web_a_has_no_address() {
  [ -z "$(dig_in laptop-a +short AAAA web-a.internal)" ]
}

test_stopped_machine_leaves_dns() {
  as laptop-a "$TOKEN_A" machine stop "$(get id-a)" -a web-a
  assert_rc 0
  wait_until 5 web_a_has_no_address || fail "web-a.internal still answers after the machine stopped"
  run_dig laptop-a web-a.internal AAAA
  assert_contains "$OUT" "status: NOERROR" "the app still exists"
}

test_removed_peer_loses_its_tunnel() {
  local key
  key=$(peer_key laptop-a)
  as laptop-a "$TOKEN_A" wireguard remove orga laptop-a --yes
  assert_rc 0
  assert_not_contains "$(inside gateway wg show "$GW_IF" allowed-ips)" "$key" "gateway peers"
  run_in laptop-a ping -6 -c 2 -i 0.2 -W 1 "$PREFIX_A::3"
  [ "$RC" -ne 0 ] || fail "laptop-a still reaches its DNS address"
  # Forget the session on the laptop too: a fresh handshake must now fail.
  reconnect laptop-a "$A_IF" "$PREFIX_A"
  inside laptop-a ping -6 -c 3 -i 0.5 -W 1 "$PREFIX_A::3" >/dev/null
  assert_eq 0 "$(inside laptop-a wg show "$A_IF" latest-handshakes | awk '{print $2}')" "handshake"
}

test_doctor_fails_after_the_peer_is_removed() {
  as laptop-a "$TOKEN_A" doctor --wait 1
  assert_rc 1
  assert_contains "$OUT" "PASS  tunnel"
  assert_contains "$OUT" "FAIL  dns"
  assert_contains "$OUT" "FAIL  gateway"
}

# reconnect LAPTOP IFNAME PREFIX — forgets the laptop's session, so its next packet starts a
# fresh handshake instead of waiting out WireGuard's timers.
reconnect() {
  local gw_key
  gw_key=$(sed -n 's/^PublicKey *= *//p' "$WORK/$1.conf")
  inside "$1" wg set "$2" peer "$gw_key" remove
  inside "$1" wg set "$2" peer "$gw_key" allowed-ips "$3::/48" endpoint "$UNDERLAY_GW:$WG_PORT"
}

gateway_serves_laptop_b() {
  inside gateway wg show "$GW_IF" allowed-ips | grep -q "$(peer_key laptop-b)" &&
    inside gateway ip -6 addr show dev "$GW_IF" | grep -q "$PREFIX_B::3/128"
}

test_gateway_puts_back_what_is_changed_by_hand() {
  stop_sixpnd && start_sixpnd --gateway-resync 0.5 || fail "cannot restart sixpnd"
  inside gateway nft delete table ip6 "sixpnd_$GW_IF" || fail "no table to delete"
  wait_until 5 inside gateway nft list table ip6 "sixpnd_$GW_IF" || fail "table not put back"
  # The interface vanishes with the daemon behind it (the one this suite started by hand).
  local pid
  for pid in $(ip netns pids "$(ns gateway)"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = wireguard-go ] && kill "$pid"
  done
  wait_until 3 sh -c "! ip netns exec $(ns gateway) wg show $GW_IF >/dev/null 2>&1" ||
    fail "the interface did not go away"
  wait_until 5 gateway_serves_laptop_b || fail "the interface did not come back with its peer"
  reconnect laptop-b "$B_IF" "$PREFIX_B"
  run_in laptop-b ping -6 -c 1 -W 3 "$PREFIX_B::3"
  assert_rc 0
  # The DNS listener follows the interface it is bound to into its new incarnation.
  wait_until 5 dig_in laptop-b +short _apps.internal TXT || fail "no DNS on the new interface"
  run_dig laptop-b +short _apps.internal TXT
  assert_eq '"web-b"' "$OUT" "_apps.internal TXT after the interface came back"
}

run_cases \
  test_sixpnd_creates_its_interface_and_removes_it_at_stop \
  test_sixpnd_adopts_an_interface_and_drops_a_peer_added_by_hand \
  test_machines_get_namespaces_with_their_6pn_address \
  test_wg_create_gives_a_config_that_brings_up_a_tunnel \
  test_laptop_pings_its_org_dns_address_through_the_tunnel \
  test_apps_internal_txt_answers_over_the_tunnel \
  test_app_name_resolves_to_its_started_machine \
  test_tcp_reaches_the_machine_over_the_tunnel \
  test_peer_cannot_send_from_outside_its_slash120 \
  test_another_org_cannot_reach_org_a \
  test_doctor_passes_when_connected \
  test_doctor_names_the_wrong_org \
  test_doctor_fails_without_a_tunnel \
  test_stopped_machine_leaves_dns \
  test_removed_peer_loses_its_tunnel \
  test_doctor_fails_after_the_peer_is_removed \
  test_gateway_puts_back_what_is_changed_by_hand
