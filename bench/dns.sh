#!/usr/bin/env bash
# Queries per second for `<app>.internal AAAA` and `_instances.internal TXT`: sixpnd's DNS server
# against NSD serving the same answers from a static zone, same query file, same dnsperf
# settings, alternating runs (sixpnd, NSD, sixpnd, NSD …), median with min–max, all on loopback.
# Starts and stops its own sixpnd (temp database) and nsd (temp config). dnsperf shares the
# machine's cores with the server it measures, so its own CPU use (user+system over wall time,
# median over the runs) is printed under each figure: near 100 % it is dnsperf that sets the pace.
# So is each server's CPU time per answered query, which holds up better than q/s when other
# work competes for the cores.
#   bench/dns.sh      SECONDS_PER_RUN per run (default 2), ROUNDS alternations (default 10),
#                     VERBOSE=1 also prints every run's figure
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${SIXPN_BUILD_DIR:-$here/../build}
SIXPND_BIN=${SIXPND_BIN:-$BUILD/server/sixpnd}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-2}
ROUNDS=${ROUNDS:-10}
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
sixpnd_pid=$!
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
# The TXT value as dig prints it: one or more quoted character-strings, zone-file syntax.
instances=$(dig @127.0.0.1 -p "$sixpnd_dns" +short _instances.internal TXT)
[ "$(grep -o 'instance=' <<<"$instances" | wc -l)" -eq "$MACHINES" ] ||
  { echo "sixpnd answered _instances.internal TXT with: $instances" >&2; exit 1; }
nsd_dns=$(free_port)
{
  echo '$TTL 5'
  echo 'internal. 5 IN SOA internal. hostmaster.internal. 1 3600 600 86400 5'
  echo 'internal. 5 IN NS ns.internal.'
  echo 'ns.internal. 5 IN AAAA ::1'
  for a in "${addresses[@]}"; do echo "web.internal. 5 IN AAAA $a"; done
  echo "_instances.internal. 5 IN TXT $instances"
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
nsd_pid=$!
pids+=($!)
wait_dns "$nsd_dns"
if [ "$(dig @127.0.0.1 -p "$nsd_dns" +short web.internal AAAA | sort)" != \
     "$(printf '%s\n' "${addresses[@]}" | sort)" ]; then
  echo "bench/dns.sh: NSD does not give sixpnd's answer" >&2
  exit 1
fi
if [ "$(dig @127.0.0.1 -p "$nsd_dns" +short _instances.internal TXT)" != "$instances" ]; then
  echo "bench/dns.sh: NSD does not give sixpnd's _instances.internal TXT" >&2
  exit 1
fi

echo "web.internal AAAA" >"$work/aaaa.queries"
echo "_instances.internal TXT" >"$work/txt.queries"
server_ticks() {  # PID — CPU clock ticks used so far by the process, its threads and descendants
  local t p
  t=$(sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }')  # NSD forks twice: recurse
  for p in $(pgrep -P "$1" || true); do t=$((t + $(server_ticks "$p"))); done
  echo "$t"
}
qps() {  # PORT QUERIES PID — dnsperf's queries per second over SECONDS_PER_RUN; its CPU % to
  # $work/cpu, the server's CPU µs per completed query to $work/us
  local TIMEFORMAT='%U %S %R' before
  before=$(server_ticks "$3")
  { time dnsperf -s 127.0.0.1 -p "$1" -d "$2" -l "$SECONDS_PER_RUN" -c 4 -q 100 \
      >"$work/run.log" 2>&1; } 2>"$work/time"
  local ticks=$(($(server_ticks "$3") - before))
  cat "$work/run.log" >>"$work/dnsperf.log"
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" '/Queries completed:/ {
    printf "%.2f\n", ($3 > 0) ? t * 1e6 / hz / $3 : 0 }' "$work/run.log" >"$work/us"
  awk '{ printf "%.0f\n", ($3 > 0) ? 100 * ($1 + $2) / $3 : 0 }' "$work/time" >"$work/cpu"
  awk '/Queries per second:/ { print $4 }' "$work/run.log"
}

declare -A runs=() cpu=() us=()
for round in $(seq 1 "$ROUNDS"); do
  for kind in aaaa txt; do
    runs[sixpnd_$kind]="${runs[sixpnd_$kind]:-} $(qps "$sixpnd_dns" "$work/$kind.queries" "$sixpnd_pid")"
    cpu[sixpnd_$kind]="${cpu[sixpnd_$kind]:-} $(cat "$work/cpu")"
    us[sixpnd_$kind]="${us[sixpnd_$kind]:-} $(cat "$work/us")"
    runs[nsd_$kind]="${runs[nsd_$kind]:-} $(qps "$nsd_dns" "$work/$kind.queries" "$nsd_pid")"
    cpu[nsd_$kind]="${cpu[nsd_$kind]:-} $(cat "$work/cpu")"
    us[nsd_$kind]="${us[nsd_$kind]:-} $(cat "$work/us")"
  done
done
mmm() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
  printf "%.0f %.0f %.0f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'; }
for kind in aaaa txt; do
  name="dns: web.internal AAAA qps"
  [ "$kind" = txt ] && name="dns: _instances.internal TXT qps"
  read -r s smin smax <<<"$(mmm "${runs[sixpnd_$kind]}")"
  read -r n nmin nmax <<<"$(mmm "${runs[nsd_$kind]}")"
  ratio=$(awk -v a="$s" -v b="$n" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
  printf '%-34s %9s q/s (%s–%s)  %9s q/s (%s–%s)  %6sx  goal %s\n' "$name" "$s" "$smin" "$smax" \
    "$n" "$nmin" "$nmax" "$ratio" "vs NSD (higher is better)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$s" "$smin" "$smax" "$n" "$nmin" \
    "$nmax" "$ratio" "vs NSD" "$ROUNDS" >>"$RESULTS_TSV"
  read -r sc _ _ <<<"$(mmm "${cpu[sixpnd_$kind]}")"
  read -r nc _ _ <<<"$(mmm "${cpu[nsd_$kind]}")"
  echo "  dnsperf's own CPU: ${sc} % against sixpnd, ${nc} % against NSD (median)"
  # mmm rounds to whole numbers: print the µs medians with two decimals instead.
  med() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
    printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
  echo "  server CPU per query: $(med "${us[sixpnd_$kind]}") µs sixpnd, $(med "${us[nsd_$kind]}") µs NSD (median)"
  [ -z "${VERBOSE:-}" ] || echo "  runs: sixpnd${runs[sixpnd_$kind]}; NSD${runs[nsd_$kind]}"
done
if grep -q 'Queries lost: *[1-9]' "$work/dnsperf.log"; then
  echo "  (some queries were lost: $(grep -o 'Queries lost: *[0-9]*' "$work/dnsperf.log" | sort | uniq -c | tr '\n' ' '))"
fi
