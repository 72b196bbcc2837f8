#!/usr/bin/env bash
# The main job on a fresh machine: install, build, then the walk-through of scripts/demo.sh — a
# local sixpnd with its gateway and an embedded host, a real machine serving HTTP, and a laptop
# that reaches it by name through a WireGuard tunnel, all in network namespaces of their own.
# Needs root for the walk-through (namespaces, runc); run as a user it goes through sudo.
# Pass --keep to leave everything running afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build chatter goes to stderr: stdout carries only what sixpn and the machine print.
./scripts/install-deps.sh >&2
./scripts/build.sh >&2

if [ "$(id -u)" -eq 0 ]; then
  exec ./scripts/demo.sh "$@"
fi
command -v sudo >/dev/null || {
  echo "Error: the walk-through needs root (network namespaces, runc); run it as root" >&2
  exit 1
}
exec sudo ./scripts/demo.sh "$@"
