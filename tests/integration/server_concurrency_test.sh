#!/usr/bin/env bash
# sixpnd over real HTTP: concurrent allocations never share an address.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

start_sixpnd || exit 1
TOKEN=$(new_org acme) || exit 1
export TOKEN

post_bg() {  # out-file path json — a POST in the background, body to out-file
  curl -s -o "$1" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$3" "$API$2" >"$1.status" &
}

test_50_concurrent_peer_creates_get_50_distinct_addresses_in_the_org() {
  call POST /v1/apps '{"app_name":"busy","org_slug":"acme"}'
  assert_status 201
  call POST /v1/apps/busy/machines '{"region":"ams"}'
  local machine_ip flycast_ip
  machine_ip=$(json_get "$OUT" 'd["private_ip"]')
  call POST /v1/apps/busy/ip_assignments '{"type":"private_v6"}'
  flycast_ip=$(json_get "$OUT" 'd["address"]')
  mkdir -p "$WORK/burst"
  local i regions=(ams fra iad lhr)
  # Peers, machines and Flycast addresses all at once, so the kinds race each other too.
  for i in $(seq 1 50); do
    post_bg "$WORK/burst/peer$i" /v1/orgs/acme/wireguard_peers "$(peer_json "burst$i" "${regions[i % 4]}")"
  done
  for i in $(seq 1 10); do
    post_bg "$WORK/burst/machine$i" /v1/apps/busy/machines '{"region":"ams"}'
    post_bg "$WORK/burst/flycast$i" /v1/apps/busy/ip_assignments '{"type":"private_v6"}'
  done
  wait
  python3 - "$WORK/burst" "$machine_ip" "$flycast_ip" <<'PY' || fail "addresses are not distinct (see above)"
import ipaddress, json, os, sys
d, machine_ip, flycast_ip = sys.argv[1], sys.argv[2], sys.argv[3]
org = ipaddress.ip_network("fdaa:0:1::/48")
peers, others, bad = [], [ipaddress.ip_address(machine_ip), ipaddress.ip_address(flycast_ip)], []
for name in sorted(os.listdir(d)):
    if name.endswith(".status"):
        continue
    status = open(os.path.join(d, name + ".status")).read()
    body = json.load(open(os.path.join(d, name)))
    if status != "201":
        bad.append(f"{name}: {status} {body}")
        continue
    key = "peer_ip" if name.startswith("peer") else "private_ip" if name.startswith("machine") else "address"
    ip = ipaddress.ip_address(body[key])
    (peers if name.startswith("peer") else others).append(ip)
if bad:
    sys.exit("\n".join(bad))
if len(peers) != 50:
    sys.exit(f"{len(peers)} peers created, expected 50")
if len(set(peers)) != 50:
    sys.exit("two peers share an address")
if any(ip not in org for ip in peers + others):
    sys.exit("an address lies outside fdaa:0:1::/48")
if set(peers) & set(others):
    sys.exit("a peer address equals a machine or Flycast address")
if len(set(others)) != len(others):
    sys.exit("two machines or Flycast addresses share an address")
PY
  call GET "/v1/orgs/acme/wireguard_peers?limit=1000"
  assert_eq 50 "$(json_get "$OUT" 'len([p for p in d["items"] if p["name"].startswith("burst")])')"
}

run_suite
