#!/usr/bin/env bash
# Concurrency: 50 `sixpn wg create` processes at once against one org. Each succeeds and writes
# its own 0600 file; the 50 addresses are distinct; every file passes `wg-quick strip`, holds
# the fields a tunnel needs, and its private key belongs to the public key the server has for
# that peer.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

N=50

test_fifty_concurrent_creates() {
  trap stop_sixpnd EXIT
  TOKEN=$(new_org crowd 2>/dev/null) || fail "cannot create the org"
  start_sixpnd || fail "sixpnd did not start"
  export SIXPN_API_TOKEN=$TOKEN
  local dir="$WORK/crowd" i pids=()
  mkdir -p "$dir"
  cd "$dir" || fail "no scratch dir"
  for i in $(seq -w 1 "$N"); do
    timeout 120 "$SIXPN_BIN" wg create crowd ams "peer$i" "peer$i.conf" </dev/null \
      >"out.$i" 2>"err.$i" &
    pids+=($!)
  done
  local failed=0 rc
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}"
    rc=$?
    if [ "$rc" -ne 0 ]; then
      failed=$((failed + 1))
      echo "    create $((i + 1)) exited $rc: $(head -2 "err.$(printf '%02d' $((i + 1)))")" >&2
    fi
  done
  assert_eq 0 "$failed" "failed creates"
  assert_eq "$N" "$(ls peer*.conf | wc -l)" "config files"

  api GET "/v1/orgs/crowd/wireguard_peers?limit=1000"
  assert_eq 200 "$RC" "list status"
  printf '%s' "$OUT" >"$WORK/peers.json"

  local f stem mode
  for f in peer*.conf; do
    stem=${f%.conf}
    mode=$(stat -c %a "$f")
    assert_eq 600 "$mode" "mode of $f"
    wg-quick strip "./$f" >"$WORK/$stem.stripped" 2>"$WORK/$stem.strip.err" ||
      fail "wg-quick strip refuses $f: $(cat "$WORK/$stem.strip.err")"
  done
  python3 - "$WORK" "$WORK/peers.json" "$N" <<'EOF' || fail "the configs do not match the server"
import base64, glob, json, os, subprocess, sys
work, peers_file, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
server = {p["name"]: p for p in json.load(open(peers_file))["items"]}
assert len(server) == n, "server lists %d peers, not %d" % (len(server), n)
addresses = set()
for path in sorted(glob.glob(os.path.join(work, "peer*.stripped"))):
    name = os.path.basename(path)[: -len(".stripped")]
    section, fields = None, {}
    for line in open(path):
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line:
            k, v = line.split("=", 1)
            fields[(section, k.strip())] = v.strip()
    address = open(os.path.join(work, "crowd", name + ".conf")).read()
    address = [l.split("=", 1)[1].strip() for l in address.splitlines() if l.replace(" ", "").startswith("Address=")]
    assert address, name + ": no Address"
    ip = address[0].split("/")[0]
    assert ip == server[name]["peer_ip"], "%s: Address %s, server says %s" % (name, ip, server[name]["peer_ip"])
    assert ip not in addresses, "address %s twice" % ip
    addresses.add(ip)
    private = fields[("Interface", "PrivateKey")]
    assert len(base64.b64decode(private, validate=True)) == 32, name + ": bad PrivateKey"
    public = subprocess.run(["wg", "pubkey"], input=private + "\n", capture_output=True, text=True, check=True).stdout.strip()
    assert public == server[name]["pubkey"], name + ": private key does not match the server's public key"
    assert fields[("Peer", "PublicKey")] == server[name]["gateway_pubkey"], name + ": gateway key"
    assert fields.get(("Peer", "Endpoint")), name + ": no Endpoint"
    assert fields.get(("Peer", "AllowedIPs")), name + ": no AllowedIPs"
assert len(addresses) == n, "%d distinct addresses, not %d" % (len(addresses), n)
EOF
}

run_suite
