#!/usr/bin/env bash
# sixpnd serve on PostgreSQL: the real sixpn drives orgs, apps, Flycast addresses and WireGuard
# peers through a sixpnd whose --db is a postgres:// URL, and what it made is still there after
# sixpnd restarts. The server is ctest's `postgres` fixture (scripts/pg_test_server.sh); this
# suite gets a database of its own on it. Without that server the suite fails: it never skips.
source "$(dirname "$0")/cli_helpers.sh"
source "$(dirname "$0")/server_lib.sh"

PG_ADMIN=${SIXPN_TEST_PG_URL:-}
if [ -z "$PG_ADMIN" ]; then
  echo "SIXPN_TEST_PG_URL is not set: run this suite through ctest, whose postgres fixture" \
    "starts a server (or scripts/pg_test_server.sh start DIR, which prints the URL)" >&2
  exit 1
fi
PG_DB="sixpn_it_$$_$RANDOM"
psql -q -X -v ON_ERROR_STOP=1 "$PG_ADMIN" -c "CREATE DATABASE $PG_DB" >/dev/null ||
  { echo "cannot create database $PG_DB on $PG_ADMIN" >&2; exit 1; }
# The fixture's URL names the database `postgres`; this suite's is the same server, its own one.
DB=${PG_ADMIN/:\/\/\/postgres?/:\/\/\/$PG_DB?}
[ "$DB" != "$PG_ADMIN" ] || { echo "unexpected SIXPN_TEST_PG_URL form: $PG_ADMIN" >&2; exit 1; }

drop_database() {
  local name
  for name in $PG_DB $(cat "$WORK/extra-databases" 2>/dev/null); do
    psql -q -X "$PG_ADMIN" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
  done
  cleanup
}
trap drop_database EXIT

cli_start

test_the_cli_drives_orgs_apps_ips_and_peers_on_postgres() {
  app_in_fresh_org web
  sixpn ips allocate-v6 --private -a "$APP" --json
  assert_rc 0
  local ip
  ip=$(json_get "$OUT" 'd["address"]')
  [[ "$ip" == fdaa:* ]] || fail "not a 6PN address: $ip"
  scratch
  sixpn wg create "$ORG" ams alpha alpha.conf
  assert_rc 0
  grep -q '^PrivateKey = ' alpha.conf || fail "no private key in alpha.conf"
  sixpn wg create "$ORG" fra beta stdout
  assert_rc 0
  sixpn wg list "$ORG" --json
  assert_rc 0
  assert_eq '["alpha", "beta"]' "$(json_get "$OUT" '[p["name"] for p in d]')" "peers"
  sixpn wg remove "$ORG" alpha --yes
  assert_rc 0
  sixpn wg list "$ORG" --json
  assert_eq '["beta"]' "$(json_get "$OUT" '[p["name"] for p in d]')" "peers after remove"
  # The rows are PostgreSQL's: the database itself holds the one peer left.
  assert_eq 1 "$(psql -At -X "$DB" -c "SELECT count(*) FROM peers p JOIN orgs o ON o.id = p.org_id WHERE o.slug = '$ORG'")" \
    "peers in PostgreSQL"
}

test_everything_stays_across_a_restart_and_no_address_comes_back() {
  # A sixpnd of this case's own on the same database, so that restarting it leaves the suite's.
  trap stop_sixpnd EXIT
  cli_start
  app_in_fresh_org kept
  scratch
  sixpn wg create "$ORG" ams first stdout
  assert_rc 0
  sixpn wg list "$ORG" --json
  local first_ip
  first_ip=$(json_get "$OUT" 'd[0]["peer_ip"]')
  sixpn wg remove "$ORG" first --yes
  assert_rc 0
  sixpn ips allocate-v6 --private -a "$APP" --json
  local flycast
  flycast=$(json_get "$OUT" 'd["address"]')

  stop_sixpnd
  cli_start

  sixpn apps list --json
  assert_rc 0
  assert_eq "[\"$APP\"]" "$(json_get "$OUT" '[a["name"] for a in d]')" "apps after restart"
  sixpn ips list -a "$APP" --json
  assert_eq "[\"$flycast\"]" "$(json_get "$OUT" '[i["address"] for i in d]')" "ips after restart"
  # The token made before the restart still works, and the slot counter kept its place: the
  # released address is not handed out again.
  sixpn wg create "$ORG" ams second stdout
  assert_rc 0
  sixpn wg list "$ORG" --json
  local second_ip
  second_ip=$(json_get "$OUT" 'd[0]["peer_ip"]')
  [ "$second_ip" != "$first_ip" ] || fail "the released address $first_ip came back"
}

test_the_url_password_never_reaches_the_log_or_an_error() {
  # trust authentication ignores the password, so it is only there to be masked.
  local with_password=${DB/:\/\/\//:\/\/postgres:hunter2@/}
  local log="$WORK/masked.log"
  local port
  port=$(free_port)
  "$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$with_password" >"$log" 2>&1 &
  local pid=$!
  local SIXPND_PID=$pid  # what wait_for_http watches
  wait_for_http "http://127.0.0.1:$port/v1/platform/regions" || {
    kill "$pid" 2>/dev/null; fail "sixpnd did not start: $(cat "$log")"
  }
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
  assert_contains "$(cat "$log")" "postgres:***@" "sixpnd's log"
  assert_not_contains "$(cat "$log")" "hunter2" "sixpnd's log"
  run "$SIXPND_BIN" orgs create acme --db "postgresql://postgres:hunter2@/nowhere?host=$WORK/no-such-dir"
  assert_rc 1
  assert_contains "$ERR" "cannot open database postgresql://postgres:***@/nowhere"
  assert_not_contains "$ERR" "hunter2" "the error"
  assert_eq 1 "$(wc -l <<<"$ERR" | tr -d ' ')" "lines of the error"
}

# The server going away for this suite's database alone (others share the server): new
# connections refused and the open ones cut, as a restart or a lost network would.
pg_away() {
  psql -q -X -v ON_ERROR_STOP=1 "$PG_ADMIN" \
    -c "ALTER DATABASE $PG_DB WITH ALLOW_CONNECTIONS false" \
    -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$PG_DB'" \
    >/dev/null || fail "could not take $PG_DB away"
}
pg_back() {
  psql -q -X -v ON_ERROR_STOP=1 "$PG_ADMIN" -c "ALTER DATABASE $PG_DB WITH ALLOW_CONNECTIONS true" \
    >/dev/null || fail "could not bring $PG_DB back"
}

test_postgres_away_is_503_with_one_log_line_and_back_without_a_restart() {
  fresh_org
  call POST "/v1/orgs/$ORG/wireguard_peers" "$(peer_json before ams)"
  assert_status 201
  pg_away
  trap pg_back EXIT
  call POST "/v1/orgs/$ORG/wireguard_peers" "$(peer_json during ams)"
  assert_error 503 unavailable
  assert_eq "1" "$(grep -ci '^Retry-After: 1' "$WORK/headers")" "Retry-After"
  call GET "/v1/orgs/$ORG/wireguard_peers"
  assert_status 503
  assert_eq 1 "$(grep -c 'is unreachable' "$SIXPND_LOG")" "log lines saying PostgreSQL is away"
  pg_back
  call GET "/v1/orgs/$ORG/wireguard_peers"
  assert_status 200
  assert_eq '["before"]' "$(json_get "$OUT" '[p["name"] for p in d["items"]]')" \
    "peers: the create made while it was away left nothing"
  call POST "/v1/orgs/$ORG/wireguard_peers" "$(peer_json after ams)"
  assert_status 201
  assert_contains "$(cat "$SIXPND_LOG")" "answers again"
}

# new_pg_database — a fresh, empty database on the fixture's server; prints its URL.
new_pg_database() {
  local name="sixpn_it_$$_${RANDOM}_$RANDOM"
  psql -q -X -v ON_ERROR_STOP=1 "$PG_ADMIN" -c "CREATE DATABASE $name" >/dev/null || return 1
  echo "$name" >>"$WORK/extra-databases"
  echo "${PG_ADMIN/:\/\/\/postgres?/:\/\/\/$name?}"
}

test_migrate_store_moves_a_sqlite_installation_whole() {
  trap stop_sixpnd EXIT
  # An installation on SQLite, made through the API as users would.
  DB="$WORK/moving.db"
  cli_start
  app_in_fresh_org moved
  sixpn ips allocate-v6 --private -a "$APP" --json
  assert_rc 0
  local flycast
  flycast=$(json_get "$OUT" 'd["address"]')
  scratch
  sixpn wg create "$ORG" ams laptop stdout
  assert_rc 0
  sixpn wg create "$ORG" ams gone stdout
  sixpn wg list "$ORG" --json
  local gone_ip
  gone_ip=$(json_get "$OUT" '[p["peer_ip"] for p in d if p["name"] == "gone"][0]')
  sixpn wg remove "$ORG" gone --yes
  sixpn wg list "$ORG" --json
  local before=$OUT
  stop_sixpnd

  local target
  target=$(new_pg_database) || fail "could not make a database"
  run "$SIXPND_BIN" migrate-store --from "$DB" --to "$target" --json
  assert_rc 0
  assert_eq 1 "$(json_get "$OUT" 'd["peers"]')" "peers copied"
  assert_eq 1 "$(json_get "$OUT" 'd["apps"]')" "apps copied"
  assert_eq 1 "$(json_get "$OUT" 'd["gateway_key"]')" "gateway key copied"
  assert_contains "$ERR" "every table's count matches"

  # The same token works against PostgreSQL and sees the same things.
  DB=$target
  cli_start
  sixpn wg list "$ORG" --json
  assert_eq "$before" "$OUT" "peers on PostgreSQL"
  sixpn ips list -a "$APP" --json
  assert_eq "[\"$flycast\"]" "$(json_get "$OUT" '[i["address"] for i in d]')" "ips"
  # Counters came along: the next peer gets a new address, not the removed one's.
  sixpn wg create "$ORG" ams next stdout
  assert_rc 0
  sixpn wg list "$ORG" --json
  local next_ip
  next_ip=$(json_get "$OUT" '[p["peer_ip"] for p in d if p["name"] == "next"][0]')
  [ "$next_ip" != "$gone_ip" ] || fail "the removed peer's address $gone_ip came back"
  assert_eq 2 "$(json_get "$OUT" 'len(set(p["peer_ip"] for p in d))')" "distinct peer addresses"
  # A second copy into a database that now holds rows is refused, and changes nothing.
  run "$SIXPND_BIN" migrate-store --from "$WORK/moving.db" --to "$target"
  assert_rc 5
  assert_contains "$ERR" "the target database is not empty"
}

run_suite
