#!/usr/bin/env bash
# The walk-through quickstart.sh ends with, on binaries already built: a control plane with its
# gateway and an embedded host (`sixpnd serve --host`), a laptop with a WireGuard tunnel from
# `sixpn wireguard create`, and a real machine serving HTTP that the laptop reaches by name.
#
# It needs root, and changes nothing of this machine's own network: the control plane and the
# laptop each get a network namespace of their own, joined by a veth pair (10.77.0.1 and
# 10.77.0.2), and the machine gets its namespace from the embedded host. stdout carries only
# what sixpn and the machine print; the commands go to stderr as they run.
#
#   scripts/demo.sh [--keep]     --keep leaves everything running and prints how to use it
#
# SIXPN_BIN / SIXPND_BIN choose the binaries (default: ./build's).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = "--keep" ] && keep=1
sixpn=$(realpath "${SIXPN_BIN:-./build/commands/sixpn}")
sixpnd=$(realpath "${SIXPND_BIN:-./build/server/sixpnd}")
[ "$(id -u)" -eq 0 ] || { echo "Error: the walk-through needs root (network namespaces, runc)" >&2; exit 1; }

tag="sxd$$"              # in every name this run makes, so it cannot meet another run's
cp_ns="$tag-cp"          # sixpnd serve: API, gateway, DNS, the embedded host and its machines
laptop_ns="$tag-laptop"  # a developer's laptop on the same LAN
state=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-demo.XXXXXX")
api=https://10.77.0.1:4280
serve_pid=""

say() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }
# laptop CMD… — runs a command on the laptop (ip netns exec also gives it its resolv.conf).
laptop() { ip netns exec "$laptop_ns" env SIXPN_CONFIG_DIR="$state/config" SIXPN_CA_FILE="$state/tls-cert.pem" "$@"; }
# step sixpn|dig ARG… — shows the command as a user types it, then runs it on the laptop.
step() { say "$(basename "$1") ${*:2}"; laptop "$@"; }

cleanup() {
  local ns root id rc=$?
  if [ "$rc" -ne 0 ] && [ -f "$state/sixpnd.log" ]; then
    echo "the walk-through failed (exit $rc); the end of sixpnd's log:" >&2
    tail -20 "$state/sixpnd.log" >&2
  fi
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null
  fi
  # The machines outlive sixpnd by design (the next start adopts them): remove them here.
  root="$state/host/runc"
  if [ -d "$root" ]; then
    for id in $(runc --root "$root" list -q 2>/dev/null); do
      runc --root "$root" delete --force "$id" 2>/dev/null
    done
  fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^$tag-"); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  rm -rf "/etc/netns/$laptop_ns" "$state"
  rm -f "/var/run/wireguard/$tag.sock" "/var/run/wireguard/${tag}l.sock"
}
if [ "$keep" = 0 ]; then trap cleanup EXIT; fi
trap 'exit 130' INT TERM

# The two namespaces and the LAN between them.
ip netns add "$cp_ns"
ip netns add "$laptop_ns"
ip -n "$cp_ns" link set lo up
ip -n "$laptop_ns" link set lo up
ip link add eth0 netns "$cp_ns" type veth peer name eth0 netns "$laptop_ns"
ip -n "$cp_ns" addr add 10.77.0.1/24 dev eth0
ip -n "$laptop_ns" addr add 10.77.0.2/24 dev eth0
ip -n "$cp_ns" link set eth0 up
ip -n "$laptop_ns" link set eth0 up

say "sixpnd orgs create personal --db $state/sixpnd.db"
"$sixpnd" orgs create personal --name "My Org" --db "$state/sixpnd.db" >&2
token=$("$sixpnd" tokens create --db "$state/sixpnd.db" --org personal)

# nsenter --net, not ip netns exec: the embedded host's machine namespaces must be visible to
# everyone, and ip netns exec would give sixpnd a mount namespace of its own.
say "sixpnd serve --db $state/sixpnd.db --listen 10.77.0.1:4280 --tls-self-signed" \
  "--gateway-interface $tag --gateway-endpoint 10.77.0.1:51820 --host &"
nsenter --net="/var/run/netns/$cp_ns" "$sixpnd" serve --db "$state/sixpnd.db" \
  --listen 10.77.0.1:4280 --tls-self-signed --gateway-interface "$tag" \
  --gateway-endpoint 10.77.0.1:51820 --host --host-netns-prefix "$tag-m" --dns-upstream none \
  2>"$state/sixpnd.log" &
serve_pid=$!
for _ in $(seq 1 100); do
  [ -f "$state/tls-cert.pem" ] && laptop curl -s -o /dev/null --cacert "$state/tls-cert.pem" \
    "$api/v1/platform/regions" && break
  kill -0 "$serve_pid" 2>/dev/null || { cat "$state/sixpnd.log" >&2; exit 1; }
  sleep 0.1
done

# The token goes in on stdin so that it never shows up in a process list or on the screen.
say "sixpn auth login --api-url $api   (token on stdin)"
printf '%s\n' "$token" | laptop "$sixpn" auth login --api-url "$api" >&2
step "$sixpn" platform regions
step "$sixpn" apps create my-app --org personal

# A machine that answers HTTP on its 6PN address with its own identity.
server='import http.server, os, socket
class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6
class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from machine %s of %s in %s (%s)\n" % (os.environ["FLY_MACHINE_ID"],
                os.environ["FLY_APP_NAME"], os.environ["FLY_REGION"],
                os.environ["FLY_PRIVATE_IP"])).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
Server(("::", 8080), Hello).serve_forever()'
say "sixpn machine run -a my-app --region ams -- python3 -c '<a small HTTP server>'"
laptop "$sixpn" machine run -a my-app --region ams -- python3 -c "$server"
step "$sixpn" status -a my-app

say "sixpn wireguard create personal ams my-laptop $state/my-laptop.conf"
laptop "$sixpn" wireguard create personal ams my-laptop "$state/my-laptop.conf" >&2
# As wg-quick up would, minus its DNS line (resolvconf would edit this machine's
# /etc/resolv.conf): the laptop's own resolv.conf gets the tunnel's DNS server instead.
mkdir -p "/etc/netns/$laptop_ns"
echo "nameserver $(sed -n 's/^DNS *= *//p' "$state/my-laptop.conf")" >"/etc/netns/$laptop_ns/resolv.conf"
sed '/^DNS *=/d' "$state/my-laptop.conf" >"$state/${tag}l.conf"
chmod 600 "$state/${tag}l.conf"
say "wg-quick up my-laptop.conf   (on the laptop, userspace WireGuard)"
laptop env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go wg-quick up "$state/${tag}l.conf" \
  2>"$state/wg-quick.log" || { cat "$state/wg-quick.log" >&2; exit 1; }

step dig +short AAAA my-app.internal
say "curl http://my-app.internal:8080/   (from the laptop, through the tunnel)"
for _ in $(seq 1 50); do
  laptop curl -sf --max-time 2 http://my-app.internal:8080/ && break
  sleep 0.2
done

if [ "$keep" = 1 ]; then
  cat >&2 <<MSG

Everything is still running: sixpnd (pid $serve_pid, log $state/sixpnd.log) in namespace
$cp_ns, the laptop in $laptop_ns. To use it:
  sudo ip netns exec $laptop_ns env SIXPN_CONFIG_DIR=$state/config SIXPN_CA_FILE=$state/tls-cert.pem $sixpn status -a my-app
  sudo ip netns exec $laptop_ns curl http://my-app.internal:8080/
MSG
fi
