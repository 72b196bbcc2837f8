#!/usr/bin/env bash
# The database holds the gateway's private key and every token hash: it and its -wal and -shm
# files are 0600 from the start, a looser existing database is tightened with one warning, and
# a directory every user may write to (without the sticky bit) is refused.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/server_lib.sh"

own_dir() {  # name — a fresh directory for this case's database, as DB
  mkdir -p "$WORK/$1" && chmod 0755 "$WORK/$1"
  DB="$WORK/$1/sixpnd.db"
}

test_serve_creates_the_database_and_its_wal_and_shm_0600_whatever_the_umask() {
  own_dir serve
  trap stop_sixpnd EXIT
  umask 0022
  start_sixpnd || fail "sixpnd did not start"
  TOKEN=$(new_org acme 2>/dev/null) || fail "new_org"
  call POST /v1/orgs/acme/wireguard_peers "$(peer_json laptop ams)"
  assert_status 201
  local f
  for f in "$DB" "$DB-wal" "$DB-shm"; do
    [ -e "$f" ] || fail "$f does not exist (the test would prove nothing)"
    assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
  done
  stop_sixpnd
  assert_not_contains "$(cat "$SIXPND_LOG")" "Warning" "sixpnd's log"
}

test_operator_commands_create_the_database_0600_too() {
  own_dir ops
  umask 0000
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 0
  assert_eq 600 "$(stat -c %a "$DB")" "mode after orgs create with umask 0000"
  local f
  for f in "$DB-wal" "$DB-shm"; do
    [ ! -e "$f" ] || assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
  done
}

test_a_symlink_to_a_missing_database_is_refused_not_followed_to_a_0644_file() {
  own_dir dangling
  ln -s "$WORK/dangling/target.db" "$DB"
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 1
  assert_eq "Error: refusing to create the database through $DB, a symbolic link to a file that does not exist; create the target first or point --db at it" "$ERR"
  [ ! -e "$WORK/dangling/target.db" ] || fail "the link's target was created"
  # A link to an existing database is fine, and the target is what gets checked.
  "$SIXPND_BIN" orgs create acme --db "$WORK/dangling/target.db" 2>/dev/null || fail "create target"
  chmod 0644 "$WORK/dangling/target.db"
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_rc 0
  assert_eq 600 "$(stat -c %a "$WORK/dangling/target.db")" "mode of the link's target"
}

test_an_existing_0644_database_is_tightened_with_exactly_one_warning() {
  own_dir loose
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 0
  # What an older sixpnd left: a database readable by everyone, here still open in another
  # process (as an old `serve` would hold it), so its -wal and -shm exist, 0644 like it.
  chmod 0644 "$DB"
  python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM orgs").fetchall()
open(sys.argv[2], "w").close()
time.sleep(60)
' "$DB" "$WORK/held" &
  local holder=$!
  trap "kill $holder 2>/dev/null" EXIT
  local i
  for i in $(seq 1 100); do [ -e "$WORK/held" ] && break; sleep 0.05; done
  assert_eq "644 644" "$(stat -c %a "$DB-wal" "$DB-shm" | tr '\n' ' ' | sed 's/ $//')" "modes before"
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_rc 0
  assert_eq "Warning: database $DB was mode 0644, open to other users; set it (and its -wal and -shm files) to 0600, as it holds the gateway's private key and token hashes" "$ERR" "stderr"
  local f
  for f in "$DB" "$DB-wal" "$DB-shm"; do
    assert_eq 600 "$(stat -c %a "$f")" "mode of $f"
  done
  kill $holder 2>/dev/null
  # Once tight, nothing more is said.
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_rc 0
  assert_eq "" "$ERR" "stderr on the next open"
}

test_serve_tightens_an_existing_database_with_one_warning_line() {
  own_dir loose-serve
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  chmod 0640 "$DB"
  trap stop_sixpnd EXIT
  : >"$SIXPND_LOG"
  start_sixpnd || fail "sixpnd did not start"
  stop_sixpnd
  assert_eq 1 "$(grep -c '^Warning: ' "$SIXPND_LOG")" "warning lines in: $(cat "$SIXPND_LOG")"
  assert_contains "$(cat "$SIXPND_LOG")" "Warning: database $DB was mode 0640, open to other users"
  assert_eq 600 "$(stat -c %a "$DB")" "mode"
}

test_a_world_writable_directory_without_the_sticky_bit_is_refused() {
  mkdir -p "$WORK/open" && chmod 0777 "$WORK/open"
  DB="$WORK/open/sixpnd.db"
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 1
  assert_eq "Error: refusing to keep the database in $WORK/open: every user may write to that directory (mode 0777, no sticky bit), so anyone could replace the database; use a directory only you can write to" "$ERR"
  [ ! -e "$DB" ] || fail "the database was created"
  run "$SIXPND_BIN" serve --listen "127.0.0.1:$(free_port)" --db "$DB"
  assert_rc 1
  assert_contains "$ERR" "Error: refusing to keep the database in $WORK/open"
}

test_a_sticky_world_writable_directory_is_allowed_but_not_a_planted_wal() {
  mkdir -p "$WORK/sticky" && chmod 1777 "$WORK/sticky"
  DB="$WORK/sticky/sixpnd.db"
  run "$SIXPND_BIN" orgs create acme --db "$DB"
  assert_rc 0
  assert_eq 600 "$(stat -c %a "$DB")" "mode in a sticky directory"
  # Another user's file where the WAL goes would receive the database's pages. Planting one
  # takes root (chown); elsewhere this half of the case cannot be set up.
  if [ "$(id -u)" != 0 ]; then
    echo "    (not root: the planted -wal half is not run)" >&2
    return 0
  fi
  rm -f "$DB-wal" "$DB-shm"
  touch "$DB-wal" && chown nobody "$DB-wal" || fail "cannot plant a file owned by nobody"
  run "$SIXPND_BIN" tokens list --db "$DB"
  assert_rc 1
  assert_eq "Error: refusing to open $DB-wal: it is not a regular file of this user, in a directory every user may write to ($WORK/sticky)" "$ERR"
}

run_suite
