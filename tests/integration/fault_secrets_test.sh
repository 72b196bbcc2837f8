#!/usr/bin/env bash
# Secrets: a whole session with --verbose — login with the token on stdin, create a peer to a
# file and one to stdout, list, a failing create, a failing remove, remove, whoami, logout.
# The token and the private keys must appear nowhere but where they belong (config.toml holds
# the token, the .conf file and the stdout of `create … stdout` hold a key): not in any other
# output stream, not in sixpnd's log, not in its database. The config dir is 0700, config.toml
# and the .conf file 0600.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"

S=""  # the session's directory of captured streams

# step NAME [ARGS…] — runs sixpn with stdin from $STDIN (default /dev/null); keeps both streams.
step() {
  local name=$1
  shift
  timeout 60 "$SIXPN_BIN" "$@" <"${STDIN:-/dev/null}" >"$S/$name.out" 2>"$S/$name.err"
  RC=$?
  ERR=$(cat "$S/$name.err")
}

# nowhere_but SECRET WHAT ALLOWED-FILE… — SECRET is in no captured stream or server file other
# than the allowed ones (also not its last 16 characters, which a partial redaction would show).
nowhere_but() {
  local secret=$1 what=$2 f
  shift 2
  local tail=${secret: -16}
  for f in "$S"/* "$SIXPND_LOG" "$DB" "$DB-wal"; do
    [ -e "$f" ] || continue
    local allowed=0 a
    for a in "$@"; do [ "$f" = "$a" ] && allowed=1; done
    [ "$allowed" = 1 ] && continue
    if grep -aqF -e "$secret" -e "$tail" "$f"; then
      fail "$what found in $f"
    fi
  done
}

test_no_secret_leaves_its_place() {
  trap stop_sixpnd EXIT
  TOKEN=$(new_org secrets 2>/dev/null) || fail "cannot create the org"
  start_sixpnd || fail "sixpnd did not start"
  S="$WORK/session"
  mkdir -p "$S" && cd "$WORK" || fail "no work dir"
  unset SIXPN_API_TOKEN
  printf '%s\n' "$TOKEN" >"$WORK/token.in"

  STDIN="$WORK/token.in" step login auth login --verbose
  assert_rc 0
  rm -f "$WORK/token.in"
  step create_file wg create secrets ams laptop laptop.conf --verbose
  assert_rc 0
  # The verbose log is there (else this test would prove nothing) and says the token is hidden.
  assert_contains "$ERR" "POST " "verbose log of create"
  assert_contains "$ERR" "Authorization: Bearer [redacted]" "verbose log of create"
  step create_stdout wg create secrets ams phone stdout --verbose
  assert_rc 0
  step create_exists wg create secrets ams tablet laptop.conf --verbose
  [ "$RC" -ne 0 ] || fail "creating over an existing file succeeded"
  step list wg list secrets --json --verbose
  assert_rc 0
  step remove_missing wg remove secrets nosuchpeer --yes --verbose
  assert_rc 4
  step remove wg remove secrets laptop --yes --verbose
  assert_rc 0
  step whoami auth whoami --verbose --json
  assert_rc 0
  step bad_token wg list secrets --verbose --access-token "${TOKEN}x"
  assert_rc 3

  local config_dir=$SIXPN_CONFIG_DIR config="$SIXPN_CONFIG_DIR/config.toml"
  assert_eq 700 "$(stat -c %a "$config_dir")" "mode of the config dir"
  assert_eq 600 "$(stat -c %a "$config")" "mode of config.toml"
  assert_eq 600 "$(stat -c %a "$WORK/laptop.conf")" "mode of laptop.conf"
  grep -qF "$TOKEN" "$config" || fail "config.toml does not hold the token"
  cp "$config" "$S/config.toml"
  cp "$WORK/laptop.conf" "$S/laptop.conf"

  local laptop_key phone_key
  laptop_key=$(sed -n 's/^PrivateKey *= *//p' "$WORK/laptop.conf")
  phone_key=$(sed -n 's/^PrivateKey *= *//p' "$S/create_stdout.out")
  [ ${#laptop_key} -eq 44 ] && [ ${#phone_key} -eq 44 ] || fail "no private keys in the configs"

  stop_sixpnd  # flushes the log
  nowhere_but "$TOKEN" "the token" "$S/config.toml"
  nowhere_but "$laptop_key" "laptop's private key" "$S/laptop.conf"
  nowhere_but "$phone_key" "phone's private key" "$S/create_stdout.out"

  step logout auth logout
  assert_rc 0
  grep -qF "$TOKEN" "$config" && fail "logout left the token in config.toml"
  assert_eq 600 "$(stat -c %a "$config")" "mode of config.toml after logout"
  assert_not_contains "$(cat "$S/logout.out" "$S/logout.err")" "$TOKEN" "logout output"
}

run_suite
