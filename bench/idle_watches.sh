#!/usr/bin/env bash
# What IDLE connections held open on the API cost everyone else: `sixpn platform regions --json`
# against one private sixpnd while IDLE connections are held, against the same command on the
# same sixpnd with none held. Rounds alternate the two (ROUNDS rounds of PER_ROUND runs each),
# so drift on the shared machine hits both alike. Two kinds of idle connection, one figure each:
#   parked      headers that never end, one more line every 2 s: the server's thread sleeps in a
#               read, as a host's long-poll watch sleeps in its handler (the watch endpoint does
#               not exist yet)
#   kept-alive  a GET answered and then nothing: the thread sits in httplib's keep-alive wait,
#               which polls the socket every 10 ms, and is closed after 5 s; the holder opens it
#               again at once, so this also carries ~IDLE/5 new connections and GETs a second
#               (1,000 of them took 1.6 cores of sixpnd's CPU with no reconnect at all)
# Below each figure: sixpnd's threads, resident memory and CPU (over 2 s in which nothing else
# is asked of it) with the connections held; medians of the rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/server.sh"
IDLE=${IDLE:-1000}
ROUNDS=${ROUNDS:-8}
PER_ROUND=${PER_ROUND:-5}
HOLDER="$here/../tests/integration/idle_connections.py"

bench_server_start bench
port=${BENCH_API##*:}
command="$SIXPN_BIN platform regions --json"
holder_pid=""
stop_holder() {
  [ -n "$holder_pid" ] && kill "$holder_pid" 2>/dev/null && wait "$holder_pid" 2>/dev/null
  holder_pid=""
}
trap 'stop_holder; bench_cleanup' EXIT

# cpu_percent SECONDS — sixpnd's CPU time over the next SECONDS, in % of one core.
cpu_percent() {
  local before after
  before=$(awk '{ print $14 + $15 }' "/proc/$BENCH_SIXPND_PID/stat")
  sleep "$1"
  after=$(awk '{ print $14 + $15 }' "/proc/$BENCH_SIXPND_PID/stat")
  echo $(((after - before) * 100 / $(getconf CLK_TCK) / $1))
}

status_of_sixpnd() {  # FIELD — a line of /proc/PID/status, the value only
  awk -v f="$1:" '$1 == f { print $2 }' "/proc/$BENCH_SIXPND_PID/status"
}

# Established connections to sixpnd's port, as the kernel counts them.
connections() {
  ss -Htn state established "( sport = :$port )" | wc -l
}

# until_true CMD… — a guard for what must happen (never a measurement): 60 s, then fail.
until_true() {
  local i
  for i in $(seq 1 600); do
    "$@" && return 0
    sleep 0.1
  done
  echo "bench/idle_watches.sh: gave up waiting for: $*" >&2
  return 1
}
all_held() { [ "$(connections)" -ge "$IDLE" ] && [ "$(status_of_sixpnd Threads)" -gt "$IDLE" ]; }
none_held() { [ "$(connections)" -lt 5 ]; }

# figure NAME HOLDER-FLAG GOAL — one row: the command with IDLE connections of that kind, and
# without.
figure() {
  local name=$1 flag=$2 goal=$3 held="" none="" round i threads="" rss="" cpu=""
  (eval "$command") >/dev/null 2>&1 </dev/null
  for round in $(seq 1 "$ROUNDS"); do
    python3 "$HOLDER" 127.0.0.1 "$port" "$flag" "$IDLE" >/dev/null &
    holder_pid=$!
    until_true all_held
    threads="$threads $(status_of_sixpnd Threads)"
    rss="$rss $(($(status_of_sixpnd VmRSS) / 1024))"
    cpu="$cpu $(cpu_percent 2)"
    for i in $(seq 1 "$PER_ROUND"); do held="$held $(time_once "$command")"; done
    stop_holder
    until_true none_held
    for i in $(seq 1 "$PER_ROUND"); do none="$none $(time_once "$command")"; done
  done
  report_times "$name" "$((ROUNDS * PER_ROUND))" "$goal" "$held" "$none"
  read -r tm _ _ <<<"$(median_min_max "$threads")"
  read -r rm _ _ <<<"$(median_min_max "$rss")"
  read -r cm _ _ <<<"$(median_min_max "$cpu")"
  printf '  held: %s connections, sixpnd %.0f threads, %.0f MiB resident, %.0f %% of a core\n' \
    "$IDLE" "$tm" "$rm" "$cm"
}

rss_before=$(($(status_of_sixpnd VmRSS) / 1024))
echo "  (sixpnd before: $(status_of_sixpnd Threads) threads, $rss_before MiB resident)"
figure "idle: regions, $IDLE parked" --stalled "≤ 1.10x"
# No goal: the cost is httplib's keep-alive wait, which sixpnd does not own (docs/sixpnd.md).
figure "idle: regions, $IDLE kept-alive" --requests "(httplib polls idle ones)"
