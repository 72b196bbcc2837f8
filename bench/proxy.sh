#!/usr/bin/env bash
# The Flycast proxy (proxy::FlycastProxy, run alone by bench_proxy_node) against HAProxy in
# front of the same backends on [::1], HAProxy in `mode tcp` with `balance leastconn` and its
# defaults otherwise (as many threads as CPUs, like the Flycast proxy's default), and HAProxy
# with `nbthread 1` against the Flycast proxy with `--threads 1`, so that one thread is compared
# with one thread too. Two figures:
#   short    a new TCP connection per request: `wrk --latency -H 'Connection: close'` through
#            each proxy to two bench_tcp_backend (HTTP, a fixed 200), WRK_THREADS threads and
#            WRK_CONNECTIONS connections; connections/s and latency p50/p99.
#   stream   one long TCP stream: `iperf3 -c` through each proxy to one iperf3 server; the
#            receiver's rate.
# Each figure also runs the client straight to a backend, for scale. Rounds alternate (sixpn,
# HAProxy, sixpn 1 thread, HAProxy nbthread 1, direct, …), ROUNDS of each, SECONDS_PER_ROUND
# long; the rows show the median with min–max. The client shares the two cores with the proxy
# it measures, so each proxy's own CPU time is printed under the rows (per connection, or as a
# share of a core).
#   bench/proxy.sh      ROUNDS (default 5), SECONDS_PER_ROUND (default 5), WRK_THREADS (2),
#                       WRK_CONNECTIONS (50), FIGURES="short stream" picks some,
#                       VERBOSE=1 also prints every run's figure
# Every process it starts is its own, on [::1], and goes in the EXIT trap; files live in a temp
# directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/server.sh"  # BENCH_WORK, BENCH_PIDS and their EXIT trap, bench_row, median_min_max
ROUNDS=${ROUNDS:-5}
SECONDS_PER_ROUND=${SECONDS_PER_ROUND:-5}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-50}
NODE_BIN=${NODE_BIN:-$BENCH_BUILD/bench/bench_proxy_node}
BACKEND_BIN=${BACKEND_BIN:-$BENCH_BUILD/bench/bench_tcp_backend}
WORK=$BENCH_WORK
HZ=$(getconf CLK_TCK)

# A process of ours that ended before its time is the likely cause: say how it ended.
die() {
  local f name pid status
  echo "bench/proxy.sh: $*" >&2
  for f in "$WORK"/*.pid; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .pid) pid=$(cat "$f")
    kill -0 "$pid" 2>/dev/null && continue
    status=0
    wait "$pid" 2>/dev/null || status=$?
    [ "$status" -eq 127 ] && continue  # stopped and waited for already
    echo "  $name ended with status $status$([ "$status" -gt 128 ] && echo " (signal $((status - 128)))")" >&2
    tail -5 "$WORK/$name.log" 2>/dev/null | sed "s/^/  $name: /" >&2
  done
  exit 1
}
for tool in haproxy wrk iperf3 python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (scripts/install-deps.sh)"
done
for bin in "$NODE_BIN" "$BACKEND_BIN"; do
  [ -x "$bin" ] || die "$bin is not built (ninja -C build bench_proxy_node bench_tcp_backend)"
done

# A port free on [::1] a moment ago. Other work on this machine may take it before we do, so
# `started` checks whose listener it is.
free_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1]); s.close()'
}

# listens PID PORT — is the socket listening on [::1]:PORT the process PID's?
listens() { ss -Htlnp "sport = :$2" | grep -q "\[::1\]:$2 .*pid=$1,"; }

# started NAME PID PORT — waits until the process listens on PORT; dies with its log if it
# ends first or someone else's listener holds the port.
started() {
  local i
  for i in $(seq 1 100); do
    listens "$2" "$3" && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.05
  done
  die "$1 did not start listening on [::1]:$3"
}

# spawn NAME PORT CMD… — runs CMD in the background with its output in $WORK/NAME.log, waits
# until it listens on PORT and leaves its pid in $WORK/NAME.pid.
spawn() {
  local name=$1 port=$2
  shift 2
  "$@" >"$WORK/$name.log" 2>&1 &
  BENCH_PIDS+=($!)
  echo $! >"$WORK/$name.pid"
  started "$name" $! "$port"
}
pid_of() { cat "$WORK/$1.pid"; }

# stop NAME — ends a process spawn started (its log stays).
stop() {
  local pid
  pid=$(pid_of "$1")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# haproxy_up NAME NBTHREAD PORT BACKEND_PORT… — NBTHREAD "default" leaves HAProxy's own choice.
haproxy_up() {
  local name=$1 threads=$2 port=$3 i=0 b
  shift 3
  {
    echo "global"
    [ "$threads" = default ] || echo "  nbthread $threads"
    echo "defaults"
    echo "  mode tcp"
    echo "  timeout connect 3s"
    echo "  timeout client 30s"
    echo "  timeout server 30s"
    echo "listen bench"
    echo "  bind [::1]:$port"
    echo "  balance leastconn"
    for b in "$@"; do
      i=$((i + 1))
      echo "  server b$i [::1]:$b"
    done
  } >"$WORK/$name.cfg"
  spawn "$name" "$port" haproxy -db -f "$WORK/$name.cfg"
}

# sixpn_up NAME THREADS PORT BACKEND_PORT… — THREADS "default" leaves the proxy's own choice.
sixpn_up() {
  local name=$1 threads=$2 port=$3 args=() b
  shift 3
  for b in "$@"; do args+=(--backend "[::1]:$b"); done
  [ "$threads" = default ] || args+=(--threads "$threads")
  spawn "$name" "$port" "$NODE_BIN" --listen "[::1]:$port" "${args[@]}"
}

cpu_ticks() {  # PID — user+system clock ticks of the process and all its threads so far
  sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
threads_of() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

ratio() { awk -v x="$1" -v y="$2" 'BEGIN { printf "%.2f", (y > 0) ? x / y : 0 }'; }

# row NAME UNIT GOAL "A values" "REF values" — one bench_row of medians with min–max.
row() {
  local am amin amax bm bmin bmax
  read -r am amin amax <<<"$(median_min_max "$4")"
  read -r bm bmin bmax <<<"$(median_min_max "$5")"
  bench_row "$1" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" "$(ratio "$am" "$bm")" "$3" \
    "$ROUNDS" "$2"
}
med() { read -r m _ _ <<<"$(median_min_max "$1")"; echo "$m"; }

# ---- short connections --------------------------------------------------------------------
# wrk_run PORT PID — one wrk run; prints "conns/s p50_ms p99_ms errors cpu_us_per_conn", where
# errors counts socket errors and non-2xx answers and the CPU is the process PID's (none: 0).
wrk_run() {
  local before=0 after=0
  [ -n "$2" ] && before=$(cpu_ticks "$2")
  wrk -t "$WRK_THREADS" -c "$WRK_CONNECTIONS" -d "${SECONDS_PER_ROUND}s" --latency \
    -H 'Connection: close' "http://[::1]:$1/" >"$WORK/wrk.out" 2>&1 || true
  [ -n "$2" ] && after=$(cpu_ticks "$2")
  cat "$WORK/wrk.out" >>"$WORK/wrk.log"
  awk -v ticks=$((after - before)) -v hz="$HZ" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000
      if (v ~ /ms$/) return v + 0
      if (v ~ /s$/) return v * 1000
      return v + 0
    }
    / 50% / { p50 = ms($2) }
    / 99% / { p99 = ms($2) }
    / requests in / { n = $1 }
    /Requests\/sec:/ { rate = $2 }
    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END { printf "%s %s %s %d %.2f\n", rate, p50, p99, errors, (n > 0) ? ticks * 1e6 / hz / n : 0 }
  ' "$WORK/wrk.out"
}

figure_short() {
  local b1 b2 sixpn sixpn1 ha ha1 target i r p50 p99 errors cpu
  b1=$(free_port) b2=$(free_port)
  spawn backend1 "$b1" "$BACKEND_BIN" --listen "[::1]:$b1" --mode http
  spawn backend2 "$b2" "$BACKEND_BIN" --listen "[::1]:$b2" --mode http
  sixpn=$(free_port) sixpn1=$(free_port) ha=$(free_port) ha1=$(free_port)
  sixpn_up sixpn default "$sixpn" "$b1" "$b2"
  sixpn_up sixpn1 1 "$sixpn1" "$b1" "$b2"
  haproxy_up haproxy default "$ha" "$b1" "$b2"
  haproxy_up haproxy1 1 "$ha1" "$b1" "$b2"
  declare -A port=([sixpn]=$sixpn [haproxy]=$ha [sixpn1]=$sixpn1 [haproxy1]=$ha1 [direct]=$b1)
  declare -A pid=([sixpn]=$(pid_of sixpn) [haproxy]=$(pid_of haproxy) [sixpn1]=$(pid_of sixpn1)
    [haproxy1]=$(pid_of haproxy1) [direct]="")
  declare -A rate=() lat50=() lat99=() err=() us=()
  for target in sixpn haproxy sixpn1 haproxy1 direct; do  # warm each once
    wrk -t 1 -c 4 -d 1s -H 'Connection: close' "http://[::1]:${port[$target]}/" >/dev/null 2>&1
  done
  for i in $(seq 1 "$ROUNDS"); do
    for target in sixpn haproxy sixpn1 haproxy1 direct; do
      read -r r p50 p99 errors cpu <<<"$(wrk_run "${port[$target]}" "${pid[$target]}")"
      awk -v r="$r" 'BEGIN { exit !(r > 0) }' ||
        die "wrk through $target gave no answers: $(tail -3 "$WORK/wrk.out" | tr '\n' ' ')"
      rate[$target]="${rate[$target]:-} $r"
      lat50[$target]="${lat50[$target]:-} $p50"
      lat99[$target]="${lat99[$target]:-} $p99"
      err[$target]=$((${err[$target]:-0} + errors))
      us[$target]="${us[$target]:-} $cpu"
    done
  done
  echo "  HAProxy $(haproxy -v | awk 'NR == 1 { print $3 }') ran $(threads_of "${pid[haproxy]}")" \
    "threads (its default here), the sixpn proxy $(($(threads_of "${pid[sixpn]}") - 1)) loops" \
    "(its default, one per CPU)"
  row "proxy: conns/s vs HAProxy" /s "≥ 0.9x" "${rate[sixpn]}" "${rate[haproxy]}"
  row "proxy: conn p50 vs HAProxy" ms "≤ 1.1x" "${lat50[sixpn]}" "${lat50[haproxy]}"
  row "proxy: conn p99 vs HAProxy" ms "≤ 1.1x" "${lat99[sixpn]}" "${lat99[haproxy]}"
  row "proxy: 1 thread conns/s vs nbthr 1" /s "≥ 0.9x" "${rate[sixpn1]}" "${rate[haproxy1]}"
  row "proxy: 1 thread p50 vs nbthr 1" ms "≤ 1.1x" "${lat50[sixpn1]}" "${lat50[haproxy1]}"
  row "proxy: 1 thread p99 vs nbthr 1" ms "≤ 1.1x" "${lat99[sixpn1]}" "${lat99[haproxy1]}"
  row "proxy: conns/s vs direct" /s "(cost of a hop)" "${rate[sixpn]}" "${rate[direct]}"
  echo "  proxy CPU per connection: $(med "${us[sixpn]}") µs sixpn, $(med "${us[haproxy]}") µs" \
    "HAProxy; $(med "${us[sixpn1]}") µs sixpn 1 thread, $(med "${us[haproxy1]}") µs HAProxy" \
    "nbthread 1 (median)"
  for target in sixpn haproxy sixpn1 haproxy1 direct; do
    [ "${err[$target]}" -eq 0 ] || echo "  wrk counted ${err[$target]} errors through $target"
  done
  if [ -n "${VERBOSE:-}" ]; then
    for target in sixpn haproxy sixpn1 haproxy1 direct; do
      echo "  runs $target: conns/s${rate[$target]}; p50${lat50[$target]}; p99${lat99[$target]}"
    done
  fi
  stop sixpn
  echo "  the sixpn proxy's spread:" \
    "$(sed -n 's/^bench_proxy_node: \(b[0-9]*\) \([0-9]*\) connections.*/\1 \2/p' "$WORK/sixpn.log" |
      tr '\n' ' ')connections"
  for target in sixpn1 haproxy haproxy1 backend1 backend2; do stop "$target"; done
}

# ---- one long stream ------------------------------------------------------------------------
# iperf3_run PORT PID — the receiver's rate in Mbit/s and the process PID's CPU (percent of one
# core over the run; none: 0).
iperf3_run() {
  local before=0 after=0 start end
  [ -n "$2" ] && before=$(cpu_ticks "$2")
  start=${EPOCHREALTIME/./}
  iperf3 -c ::1 -p "$1" -t "$SECONDS_PER_ROUND" -J >"$WORK/iperf3.json" 2>>"$WORK/iperf3.log" ||
    die "iperf3 to port $1 failed: $(tail -c 300 "$WORK/iperf3.json")"
  end=${EPOCHREALTIME/./}
  [ -n "$2" ] && after=$(cpu_ticks "$2")
  python3 -c 'import json, sys
mbits = json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6
ticks, hz, us = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
print("%.1f %.0f" % (mbits, 100 * ticks / hz * 1e6 / us if us > 0 else 0))' \
    "$WORK/iperf3.json" $((after - before)) "$HZ" $((end - start))
}

figure_stream() {
  local server sixpn sixpn1 ha ha1 target i mbits cpu
  server=$(free_port)
  spawn iperf3 "$server" iperf3 -s -B ::1 -p "$server"
  sixpn=$(free_port) sixpn1=$(free_port) ha=$(free_port) ha1=$(free_port)
  sixpn_up sixpn_stream default "$sixpn" "$server"
  sixpn_up sixpn1_stream 1 "$sixpn1" "$server"
  haproxy_up haproxy_stream default "$ha" "$server"
  haproxy_up haproxy1_stream 1 "$ha1" "$server"
  declare -A port=([sixpn]=$sixpn [haproxy]=$ha [sixpn1]=$sixpn1 [haproxy1]=$ha1
    [direct]=$server)
  declare -A pid=([sixpn]=$(pid_of sixpn_stream) [haproxy]=$(pid_of haproxy_stream)
    [sixpn1]=$(pid_of sixpn1_stream) [haproxy1]=$(pid_of haproxy1_stream) [direct]="")
  declare -A rate=() share=()
  for i in $(seq 1 "$ROUNDS"); do
    for target in sixpn haproxy sixpn1 haproxy1 direct; do
      read -r mbits cpu <<<"$(iperf3_run "${port[$target]}" "${pid[$target]}")"
      [ -n "$mbits" ] || die "no iperf3 figure through $target"
      rate[$target]="${rate[$target]:-} $mbits"
      share[$target]="${share[$target]:-} $cpu"
    done
  done
  row "proxy: stream vs HAProxy" Mbit/s "≥ 0.9x" "${rate[sixpn]}" "${rate[haproxy]}"
  row "proxy: 1 thread stream vs nbthr 1" Mbit/s "≥ 0.9x" "${rate[sixpn1]}" "${rate[haproxy1]}"
  row "proxy: stream vs direct" Mbit/s "(cost of a hop)" "${rate[sixpn]}" "${rate[direct]}"
  echo "  proxy CPU during a stream: $(med "${share[sixpn]}") % of a core sixpn," \
    "$(med "${share[haproxy]}") % HAProxy; $(med "${share[sixpn1]}") % sixpn 1 thread," \
    "$(med "${share[haproxy1]}") % HAProxy nbthread 1 (median)"
  if [ -n "${VERBOSE:-}" ]; then
    for target in sixpn haproxy sixpn1 haproxy1 direct; do echo "  runs $target: Mbit/s${rate[$target]}"; done
  fi
  for target in sixpn_stream sixpn1_stream haproxy_stream haproxy1_stream iperf3; do
    stop "$target"
  done
}

for figure in ${FIGURES:-short stream}; do
  case $figure in
    short) figure_short ;;
    stream) figure_stream ;;
    *) die "no figure $figure (short, stream)" ;;
  esac
done
