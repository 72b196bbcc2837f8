#!/usr/bin/env bash
# Queries per second for `<app>.internal AAAA`: sixpnd's DNS server against NSD serving the same
# answer from a static zone, same query file, same dnsperf settings, alternating runs, all on
# loopback. Starts and stops its own sixpnd (temp database) and nsd (temp config).
#   bench/dns.sh            SECONDS per run (default 10), ROUNDS alternations (default 2)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${SIXPN_BUILD_DIR:-$here/../build}
SIXPND_BIN=${SIXPND_BIN:-$BUILD/server/sixpnd}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-2}
MACHINES=${MACHINES:-3}
RESULTS_TSV=${RESULTS_TSV:-/dev/null}

for tool in dnsperf nsd dig curl python3; do
  command -v "$tool" >/dev/null || { echo "bench/dns.sh: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-bench-dns.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_dns() {  # PORT — until something answers on it
  local i
  for i in $(seq 1 100); do
    dig @127.0.0.1 -p "$1" +time=1 +tries=1 internal SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench/dns.sh: nothing answers DNS on port $1" >&2
  return 1
}

# sixpnd with one org, one app and a few started machines.
api_port=$(free_port)
sixpnd_dns=$(free_port)
db="$work/sixpnd.db"
"$SIXPND_BIN" orgs create bench --db "$db" >/dev/null 2>&1
token=$("$SIXPND_BIN" tokens create --db "$db" --org bench)
"$SIXPND_BIN" serve --listen "127.0.0.1:$api_port" --db "$db" \
  --dns-listen "127.0.0.1:$sixpnd_dns=bench" >"$work/sixpnd.log" 2>&1 &
pids+=($!)
wait_dns "$sixpnd_dns"
api() {
  curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "$2" "http://127.0.0.1:$api_port$1" >/dev/null
}
api /v1/apps '{"app_name":"web","org_slug":"bench"}'
regions=(ams fra iad syd lhr)
for i in $(seq 1 "$MACHINES"); do
  api /v1/apps/web/machines "{\"region\":\"${regions[$(((i - 1) % 5))]}\"}"
done
sleep 0.2  # one snapshot rebuild

# NSD serving the very answer sixpnd gives, as a static zone.
mapfile -t addresses < <(dig @127.0.0.1 -p "$sixpnd_dns" +short web.internal AAAA)
[ "${#addresses[@]}" -eq "$MACHINES" ] || { echo "sixpnd answered ${#addresses[@]} addresses" >&2; exit 1; }
nsd_dns=$(free_port)
{
  echo '$TTL 5'
  echo 'internal. 5 IN SOA internal. hostmaster.internal. 1 3600 600 86400 5'
  echo 'internal. 5 IN NS ns.internal.'
  echo 'ns.internal. 5 IN AAAA ::1'
  for a in "${addresses[@]}"; do echo "web.internal. 5 IN AAAA $a"; done
} >"$work/internal.zone"
cat >"$work/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$nsd_dns
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$work"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  pidfile: "$work/nsd.pid"
  logfile: "$work/nsd.log"
  verbosity: 0
  hide-version: yes
  rrl-ratelimit: 0  # response rate limiting would cap one client at 200 qps
remote-control:
  control-enable: no
zone:
  name: internal
  zonefile: internal.zone
EOF
nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
pids+=($!)
wait_dns "$nsd_dns"
if [ "$(dig @127.0.0.1 -p "$nsd_dns" +short web.internal AAAA | sort)" != \
     "$(printf '%s\n' "${addresses[@]}" | sort)" ]; then
  echo "bench/dns.sh: NSD does not give sixpnd's answer" >&2
  exit 1
fi

echo "web.internal AAAA" >"$work/queries"
qps() {  # PORT — dnsperf's queries per second over SECONDS_PER_RUN
  dnsperf -s 127.0.0.1 -p "$1" -d "$work/queries" -l "$SECONDS_PER_RUN" -c 4 -q 100 \
    2>&1 | tee -a "$work/dnsperf.log" | awk '/Queries per second:/ { print $4 }'
}
lost() { awk '/Queries lost:/ { print $3 }' "$work/dnsperf.log" | tail -1; }

sixpnd_runs="" nsd_runs=""
for round in $(seq 1 "$ROUNDS"); do
  sixpnd_runs="$sixpnd_runs $(qps "$sixpnd_dns")"
  nsd_runs="$nsd_runs $(qps "$nsd_dns")"
done
median() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
s=$(median "$sixpnd_runs")
n=$(median "$nsd_runs")
ratio=$(awk -v a="$s" -v b="$n" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
printf 'dns: web.internal AAAA (%s machines), %s s x %s rounds, dnsperf -c 4 -q 100\n' \
  "$MACHINES" "$SECONDS_PER_RUN" "$ROUNDS"
printf '  sixpnd  %10.0f qps   runs:%s\n' "$s" "$sixpnd_runs"
printf '  nsd     %10.0f qps   runs:%s\n' "$n" "$nsd_runs"
printf '  ratio sixpnd/nsd: %s\n' "$ratio"
printf 'dns: web.internal AAAA qps sixpnd vs nsd\t%s\t\t\t%s\t\t\t%s\t(qps, higher is better)\t%s\n' \
  "$s" "$n" "$ratio" "$ROUNDS" >>"$RESULTS_TSV"
