#!/usr/bin/env bash
# Installs everything sixpn needs to build, test and benchmark, from Debian's packages only.
# --no-install-recommends matters: wireguard-tools would otherwise pull in a kernel image.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libcurl4-openssl-dev nlohmann-json3-dev libtomlplusplus-dev libsodium-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql libcpp-httplib-dev libssl-dev openssl libgtest-dev libgmock-dev
  clang libclang-rt-14-dev
  curl ca-certificates python3 procps time hyperfine
  wireguard-tools wireguard-go iproute2 iputils-ping nftables bind9-dnsutils netcat-openbsd
  dnsperf nsd iperf3 haproxy wrk python3-dnspython tmux zsh fish
  runc busybox-static umoci
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
