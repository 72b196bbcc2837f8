#!/usr/bin/env bash
# Names outside .internal and .flycast, forwarded by a real sixpnd to real upstreams: NSD serving
# a small zone inside a network namespace this suite made. By default sixpnd asks the
# nameservers of /etc/resolv.conf; `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf over
# it for that command only, so each case writes the file it needs and the host's own stays
# untouched. Clients: the real dig, and dnspython as an application would use it.
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root (network namespaces)" >&2; exit 77; }
NS="s6fwd-$$"
ip netns add "$NS" 2>/dev/null || { echo "SKIPPED: cannot create network namespaces" >&2; exit 77; }
MADE_ETC_NETNS=""
[ -d /etc/netns ] || MADE_ETC_NETNS=1
mkdir -p "/etc/netns/$NS"
# Each case is a subshell, so the running sixpnd's PID is kept in a file.
stop_served() {
  [ -f "$WORK/sixpnd.pid" ] || return 0
  local pid
  pid=$(cat "$WORK/sixpnd.pid")
  rm -f "$WORK/sixpnd.pid"
  kill -TERM "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}
suite_cleanup() {
  stop_served
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -TERM 2>/dev/null
  sleep 0.2
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "/etc/netns/$NS"
  [ -n "$MADE_ETC_NETNS" ] && rmdir /etc/netns 2>/dev/null
  cleanup
}
trap suite_cleanup EXIT
ip -n "$NS" link set lo up

inside() { ip netns exec "$NS" "$@"; }

# NSD at 127.0.0.2:53 with example.test; big.example.test has 40 addresses (about 680 bytes),
# more than a reply without EDNS may carry over UDP.
{
  echo '$TTL 300'
  echo 'example.test. IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300'
  echo 'example.test. IN NS ns.example.test.'
  echo 'ns.example.test. IN A 127.0.0.2'
  echo 'www.example.test. IN A 192.0.2.80'
  echo 'www.example.test. IN AAAA 2001:db8::80'
  for i in $(seq 1 40); do echo "big.example.test. IN A 198.51.100.$i"; done
} >"$WORK/example.zone"
cat >"$WORK/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.2@53
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$WORK"
  database: ""
  zonelistfile: "$WORK/zone.list"
  xfrdfile: "$WORK/xfrd.state"
  xfrdir: "$WORK"
  pidfile: "$WORK/nsd.pid"
  logfile: "$WORK/nsd.log"
  verbosity: 0
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: example.test
  zonefile: example.zone
CONF
inside nsd -d -c "$WORK/nsd.conf" >>"$WORK/nsd.log" 2>&1 &
# An upstream that takes every query and never answers, at 127.0.0.3:53 (UDP and TCP).
inside python3 -c '
import socket, time
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.3", 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.bind(("127.0.0.3", 53)); t.listen(8)
time.sleep(900)
' >>"$WORK/silent.log" 2>&1 &

nsd_up() { inside dig @127.0.0.2 +time=1 +tries=1 +short www.example.test A | grep -q 192.0.2.80; }
silent_up() { inside ss -Hlnu 'sport = :53' | grep -q '127.0.0.3:53'; }
for i in $(seq 1 50); do nsd_up && silent_up && break; sleep 0.1; done
nsd_up || { echo "NSD did not start: $(cat "$WORK/nsd.log")" >&2; exit 1; }
silent_up || { echo "the silent upstream did not start: $(cat "$WORK/silent.log")" >&2; exit 1; }

"$SIXPND_BIN" orgs create acme --db "$DB" >/dev/null || exit 1

# serve RESOLV-CONF-TEXT [serve flags…] — (re)starts sixpnd inside the namespace with that
# resolv.conf; its DNS on 127.0.0.1:53 pinned to acme.
serve() {
  stop_served
  printf '%b' "$1" >"/etc/netns/$NS/resolv.conf"
  shift
  : >"$SIXPND_LOG"
  ip netns exec "$NS" "$SIXPND_BIN" serve --listen 127.0.0.1:4280 --db "$DB" \
    --dns-listen 127.0.0.1:53=acme "$@" >>"$SIXPND_LOG" 2>&1 &
  local pid=$! i
  echo "$pid" >"$WORK/sixpnd.pid"
  for i in $(seq 1 100); do
    inside dig @127.0.0.1 +time=1 +tries=1 _apps.internal TXT >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "sixpnd did not start: $(cat "$SIXPND_LOG")" >&2
  return 1
}

q() { inside dig @127.0.0.1 +time=8 +tries=1 "$@"; }
status_of() { echo "$1" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
answers_of() { echo "$1" | sed -n 's/.*ANSWER: \([0-9]*\),.*/\1/p'; }
# py SCRIPT ARGS… — Debian's dnspython (python3-dnspython) asking sixpnd at 127.0.0.1:53.
py() {
  local script=$1
  shift
  inside /usr/bin/python3 -c "
import sys, dns.resolver, dns.rcode
r = dns.resolver.Resolver(configure=False)
r.nameservers = ['127.0.0.1']
r.lifetime = 8
$script" "$@"
}
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

test_other_names_go_to_the_resolv_conf_nameserver_skipping_sixpnd_itself() {
  serve 'nameserver 127.0.0.1\nnameserver 127.0.0.2\n' || fail "no sixpnd"
  assert_contains "$(cat "$SIXPND_LOG")" \
    "dns: /etc/resolv.conf: skipping nameserver 127.0.0.1: it is sixpnd's own DNS listener"
  assert_contains "$(cat "$SIXPND_LOG")" \
    "dns: forwarding names outside .internal and .flycast to 127.0.0.2:53 (from /etc/resolv.conf)"
  assert_eq "192.0.2.80" "$(q +short www.example.test A)" "A"
  assert_eq "2001:db8::80" "$(q +short www.example.test AAAA)" "AAAA"
  # The upstream's TTL comes through as it was given: nothing is cached here.
  assert_eq "300" "$(q +noall +answer www.example.test A | awk '{print $2}')" "TTL"
  assert_eq NXDOMAIN "$(status_of "$(q nosuch.example.test A)")" "status of a missing name"
  assert_eq "192.0.2.80 NXDOMAIN" "$(py '
print(r.resolve("www.example.test", "A")[0].address, end=" ")
try:
    r.resolve("nosuch.example.test", "A")
except dns.resolver.NXDOMAIN:
    print("NXDOMAIN")')" "dnspython"
  # .internal is still sixpnd's own.
  assert_contains "$(q _apps.internal TXT)" "flags: qr aa rd ra"
}

test_an_answer_too_big_for_udp_is_fetched_upstream_over_tcp() {
  serve 'nameserver 127.0.0.2\n' || fail "no sixpnd"
  local udp tcp
  # NSD truncates the 40 records for a client without EDNS; over TCP to sixpnd the whole set
  # must still arrive, which only the forwarder's TCP retry to NSD can give.
  tcp=$(q +tcp +noedns big.example.test A)
  assert_eq NOERROR "$(status_of "$tcp")"
  assert_not_contains "$tcp" " tc" "TCP reply"
  assert_eq 40 "$(answers_of "$tcp")" "records over TCP"
  udp=$(q +noedns +ignore big.example.test A)
  [[ "$udp" =~ flags:\ qr[a-z\ ]*\ tc ]] || fail "UDP reply without EDNS is not truncated: $udp"
  assert_eq 40 "$(q +noedns +short big.example.test A | wc -l)" "records after dig's own retry"
  assert_eq 40 "$(q +bufsize=4096 +short big.example.test A | wc -l)" "records over EDNS UDP"
  # dnspython retries over TCP on TC, as applications' resolvers do.
  assert_eq 40 "$(py 'print(len(r.resolve("big.example.test", "A")))')" "dnspython"
}

test_a_silent_nameserver_is_passed_over_for_the_next_one() {
  serve 'nameserver 127.0.0.3\nnameserver 127.0.0.2\n' || fail "no sixpnd"
  local start
  start=$(date +%s%N)
  assert_eq "192.0.2.80" "$(q +short www.example.test A)" "A"
  [ "$(ms_since "$start")" -ge 1900 ] || fail "answered before the first upstream's timeout"
}

test_servfail_when_every_upstream_fails() {
  # 127.0.0.4: nothing listens (refused at once); 127.0.0.3 takes the query and never answers.
  serve 'nameserver 127.0.0.4\nnameserver 127.0.0.3\n' || fail "no sixpnd"
  local start out
  start=$(date +%s%N)
  out=$(q www.example.test A)
  assert_eq SERVFAIL "$(status_of "$out")" "status"
  [ "$(ms_since "$start")" -ge 1900 ] || fail "SERVFAIL came before the timeout"
  assert_eq SERVFAIL "$(py '
try:
    r.resolve("www.example.test", "A")
except dns.resolver.NoNameservers:
    print("SERVFAIL")')" "dnspython"
  assert_eq NOERROR "$(status_of "$(q _apps.internal TXT)")" ".internal meanwhile"
}

test_dns_upstream_replaces_resolv_conf_and_none_refuses() {
  serve 'nameserver 127.0.0.3\n' --dns-upstream 127.0.0.2 || fail "no sixpnd"
  assert_eq "192.0.2.80" "$(inside dig @127.0.0.1 +time=1 +tries=1 +short www.example.test A)"
  serve 'nameserver 127.0.0.2\n' --dns-upstream none || fail "no sixpnd"
  local out
  out=$(q www.example.test A)
  assert_eq REFUSED "$(status_of "$out")" "status"
  assert_not_contains "$out" " ra" "flags"
  assert_contains "$(cat "$SIXPND_LOG")" "are REFUSED (--dns-upstream none)"
}

run_suite
