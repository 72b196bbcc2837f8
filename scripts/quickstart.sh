#!/usr/bin/env bash
# The main job on a fresh machine: install, build, start a local sixpnd, and drive it with sixpn
# the way a new user would. Pass --keep to leave sixpnd running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = "--keep" ] && keep=1

# Build chatter goes to stderr: stdout carries only what sixpn prints.
./scripts/install-deps.sh >&2
./scripts/build.sh >&2

state=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-quickstart.XXXXXX")
listen=${SIXPN_QUICKSTART_LISTEN:-127.0.0.1:4280}
sixpnd=./build/server/sixpnd
sixpn=./build/commands/sixpn

say() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }
step() { say "$*"; "$@"; }

step "$sixpnd" orgs create personal --name "My Org" --db "$state/sixpnd.db"
token=$("$sixpnd" tokens create --db "$state/sixpnd.db" --org personal)
say "$sixpnd serve --listen $listen --db $state/sixpnd.db &"
"$sixpnd" serve --listen "$listen" --db "$state/sixpnd.db" 2>"$state/sixpnd.log" &
pid=$!
stop() {
  if [ "$keep" = 0 ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$state"
  fi
}
trap stop EXIT
for _ in $(seq 1 50); do
  curl -s -o /dev/null "http://$listen/v1/platform/regions" && break
  sleep 0.1
done

export SIXPN_CONFIG_DIR="$state/config"
# The token goes in on stdin so that it never shows up in a process list or on the screen.
say "$sixpn auth login --api-url http://$listen   (token on stdin)"
printf '%s\n' "$token" | "$sixpn" auth login --api-url "http://$listen"
step "$sixpn" platform regions
step "$sixpn" orgs list
step "$sixpn" apps create my-app --org personal
step "$sixpn" machine create -a my-app --region ams --process-group web
step "$sixpn" ips allocate-v6 --private -a my-app
step "$sixpn" status -a my-app
step "$sixpn" wireguard create personal ams my-laptop stdout
step "$sixpn" wireguard list personal

if [ "$keep" = 1 ]; then
  cat >&2 <<MSG

sixpnd is still running (pid $pid, log $state/sixpnd.log). To use it:
  export SIXPN_CONFIG_DIR=$state/config
  $sixpn --help
MSG
fi
