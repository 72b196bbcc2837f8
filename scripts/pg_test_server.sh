#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests:
#   scripts/pg_test_server.sh start DIR   initdb + pg_ctl start in DIR, listening only on a Unix
#                                         socket in DIR; prints the URL on stdout
#   scripts/pg_test_server.sh stop DIR    stops it and removes DIR
#   scripts/pg_test_server.sh url DIR     prints the URL of a server started in DIR
# As root the server runs as the `postgres` user (PostgreSQL refuses to run as root); otherwise
# as the caller. No TCP port is opened. ctest runs start and stop as a fixture
# (tests/CMakeLists.txt), so `ctest` alone brings it up and tears it down, even after failures.
set -euo pipefail

usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$2
case "$dir" in /*) ;; *) echo "pg_test_server: DIR must be absolute: $dir" >&2; exit 2 ;; esac

# Sets bin to the directory of initdb and pg_ctl, or fails saying how to get them.
find_bin() {
  bin=${SIXPN_PG_BIN:-}
  if [ -z "$bin" ]; then
    local candidate
    for candidate in /usr/lib/postgresql/*/bin; do
      [ -x "$candidate/initdb" ] && bin=$candidate
    done
  fi
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg_test_server: no initdb found (install postgresql: scripts/install-deps.sh)" >&2
    exit 1
  fi
}

as_server() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql:///postgres?host=$dir/socket&user=postgres"; }

case "$action" in
  start)
    find_bin
    # A server left by a run that was killed before its cleanup: stop it, start afresh.
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    mkdir -p "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    # trust is safe here: the only way in is the socket, in a directory only its owner (and
    # root) can enter.
    chmod 700 "$dir"
    if ! as_server "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C \
      >"$dir/initdb.log" 2>&1; then
      echo "pg_test_server: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    # Settings for a test server: no TCP, no durability (the tests check the store's logic, not
    # the disk), enough connections for parallel tests that each open a few.
    opts="-c listen_addresses='' -c unix_socket_directories='$dir/socket' -c fsync=off"
    opts+=" -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    if ! as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start \
      >/dev/null; then
      echo "pg_test_server: the server did not start:" >&2
      cat "$dir/server.log" >&2 || true
      exit 1
    fi
    url
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      find_bin
      as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
        as_server "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  url) url ;;
  *) usage ;;
esac
