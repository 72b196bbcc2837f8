#!/usr/bin/env bash
# Bad input, table-driven: malformed values for every argument, flag and environment variable,
# corrupted config.toml and fly.toml, and hostile answers from a fake API (fault/fake_api.py).
# Every row must end with exactly one "Error: …" line (and at most one "hint: …"), nothing on
# stdout, and the exit code the README documents — never a signal, a sanitizer report or a hang.
# scripts/test.sh runs this suite a second time against ASan/UBSan builds of sixpn and sixpnd.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault/helpers.sh"

LONG=$(head -c 100000 /dev/zero | tr '\0' a)  # under Linux's 128 KiB limit for one argument
NAME64=$(head -c 64 /dev/zero | tr '\0' n)
CTRL=$'a\x01b'
NL=$'a\nb'
ESC=$'\x1b[31mred'
RTL=$'ab\u202ecd'
BAD=0

# row CODE DESCRIPTION ARGS… — runs sixpn ARGS in $ROW_DIR, else a fresh empty directory, and
# checks the failure; a failing row is reported and counted, and the case goes on.
row() {
  local code=$1 what=$2
  shift 2
  local dir=${ROW_DIR:-}
  [ -n "$dir" ] || dir=$(mktemp -d "$WORK/row.XXXXXX")
  (cd "$dir" && sixpn "$@" && assert_clean_failure "$code") 2>"$WORK/row.err" || {
    echo "    row failed: $what" >&2
    sed 's/^/  /' "$WORK/row.err" >&2
    BAD=$((BAD + 1))
  }
}

rows_done() {
  [ "$BAD" -eq 0 ] || fail "$BAD rows failed"
}

start_real() {  # a sixpnd of the case's own, with org "bad"
  trap 'stop_helpers; stop_sixpnd' EXIT
  DB="$WORK/${FUNCNAME[1]}.db"
  TOKEN=$(new_org bad 2>/dev/null) || fail "cannot create the org"
  start_sixpnd || fail "sixpnd did not start"
  export SIXPN_API_TOKEN=$TOKEN
}

test_wireguard_create_arguments() {
  start_real
  row 2 "empty file" wg create bad ams n1 ""
  row 2 "64-character name" wg create bad ams "$NAME64" stdout
  row 2 "very long name" wg create bad ams "$LONG" stdout
  row 2 "name ../x" wg create bad ams ../x stdout
  row 2 "unicode name" wg create bad ams "ñame" stdout
  row 2 "right-to-left override in name" wg create bad ams "$RTL" stdout
  row 2 "control byte in name" wg create bad ams "$CTRL" stdout
  row 2 "newline in name" wg create bad ams "$NL" stdout
  row 2 "escape sequence in name" wg create bad ams "$ESC" stdout
  row 2 "percent-encoded NUL in name" wg create bad ams "a%00b" stdout
  row 2 "16-character interface name" wg create bad ams n2 sixteen-chars-xx.conf
  row 2 "file without .conf" wg create bad ams n3 n3.txt
  row 2 "file ../" wg create bad ams n4 ../
  row 2 "file .conf (empty stem)" wg create bad ams n5 .conf
  row 2 "unicode file stem" wg create bad ams n6 "ñ.conf"
  row 2 "newline in file stem" wg create bad ams n7 "$NL.conf"
  row 2 "very long file name" wg create bad ams n8 "$LONG.conf"
  row 1 "file in a missing directory" wg create bad ams n9 /nonexistent-dir/n9.conf
  row 2 "unknown region" wg create bad ams2 n10 stdout
  row 2 "region without a gateway" wg create bad atl n11 stdout
  row 2 "very long region" wg create bad "$LONG" n12 stdout
  row 2 "region ../" wg create bad ../ n13 stdout
  row 2 "unicode region" wg create bad "ämš" n14 stdout
  row 2 "control byte in region" wg create bad "$CTRL" n15 stdout
  row 2 "--json with stdout" wg create bad ams n16 stdout --json
  row 2 "one argument too many" wg create bad ams n17 stdout extra
  row 4 "unknown org" wg create nosuch ams n18 stdout
  row 2 "org ../x" wg create ../x ams n19 stdout
  row 2 "very long org" wg create "$LONG" ams n20 stdout
  row 2 "unicode org" wg create "örg" ams n21 stdout
  row 2 "newline in org" wg create "$NL" ams n22 stdout
  row 2 "percent-encoded NUL in org" wg create "a%00b" ams n23 stdout
  # An existing file is refused before the peer is made, and so is a directory.
  local dir
  dir=$(mktemp -d "$WORK/exists.XXXXXX")
  touch "$dir/taken.conf"
  mkdir "$dir/dir.conf"
  row 5 "existing file" wg create bad ams n24 "$dir/taken.conf"
  row 2 "directory as file" wg create bad ams n25 "$dir/dir.conf"
  api GET /v1/orgs/bad/wireguard_peers
  assert_eq 0 "$(json_get "$OUT" 'len(d["items"])')" "peers created by refused commands"
  rows_done
}

test_other_command_arguments() {
  start_real
  row 4 "wg list: unknown org" wg list nosuch
  row 2 "wg list: org ../" wg list ../
  row 2 "wg list: very long org" wg list "$LONG"
  row 2 "wg list: control byte in org" wg list "$CTRL"
  row 2 "wg remove: no name" wg remove bad
  row 2 "wg remove: no --yes" wg remove bad somebody
  row 4 "wg remove: unknown peer" wg remove bad nobody --yes
  row 2 "wg remove: name ../x" wg remove bad ../x --yes
  row 2 "wg remove: very long name" wg remove bad "$LONG" --yes
  row 2 "wg remove: unicode name" wg remove bad "ñame" --yes
  row 2 "apps create: empty name" apps create ""
  row 2 "apps create: upper case" apps create Web --org bad
  row 2 "apps create: 64 characters" apps create "$NAME64" --org bad
  row 2 "apps create: ../" apps create ../x --org bad
  row 2 "apps create: unicode" apps create "ápp" --org bad
  row 2 "apps create: newline" apps create "$NL" --org bad
  row 2 "apps list: --org ../x" apps list --org ../x
  row 4 "status: unknown app" status -a nosuchapp
  row 2 "status: app ../x" status -a ../x
  row 2 "status: very long app" status -a "$LONG"
  row 2 "ips list: no app" ips list
  row 2 "ips list: app with newline" ips list -a "$NL"
  row 2 "ips allocate-v6: without --private" ips allocate-v6 -a web
  row 2 "machine create: no region" machine create -a web
  row 2 "machine create: metadata without =" machine create -a web -r ams -m novalue
  row 2 "machine create: metadata =value" machine create -a web -r ams -m =value
  row 2 "machine destroy: no --yes" machine destroy 0123456789abcd -a web
  row 2 "platform regions: extra argument" platform regions extra
  row 2 "completion: unknown shell" completion powershell
  row 2 "unknown command" frobnicate
  row 2 "unknown verb" wg frobnicate
  row 2 "noun without verb" wg
  row 2 "unknown flag" wg list bad --frobnicate
  row 2 "dig: empty name" dig ""
  row 2 "dig: very long name" dig "$LONG"
  row 2 "dig: unknown type" dig web.internal BOGUS
  rows_done
}

test_global_flags_and_environment() {
  start_real
  row 2 "--timeout 0" --timeout 0 wg list bad
  row 2 "--timeout -1" --timeout -1 wg list bad
  row 2 "--timeout abc" --timeout abc wg list bad
  row 2 "--timeout 1e999" --timeout 1e999 wg list bad
  row 2 "--timeout without value" wg list bad --timeout
  row 2 "--api-url ftp://" --api-url ftp://127.0.0.1/ wg list bad
  row 2 "--api-url not a URL" --api-url "not a url" wg list bad
  row 2 "--api-url unicode" --api-url "http://ü/" wg list bad
  row 2 "--api-url with newline" --api-url "http://127.0.0.1/$NL" wg list bad
  row 1 "--api-url nothing listening" --api-url http://127.0.0.1:1 --timeout 2 wg list bad
  SIXPN_API_TOKEN="" row 3 "--access-token empty" --access-token "" wg list bad
  row 3 "--access-token wrong" --access-token wrong wg list bad
  row 2 "--access-token very long (the server's 400)" --access-token "$LONG" wg list bad
  row 2 "--access-token with CR LF" --access-token $'x\r\nX-Injected: 1' wg list bad
  row 2 "--access-token with a space" --access-token "x y" wg list bad
  row 2 "--access-token unicode" --access-token "tökén" wg list bad
  row 2 "-c missing fly.toml" -c "$WORK/none/fly.toml" status
  row 2 "-c a directory" -c "$WORK" status
  SIXPN_API_URL="not a url" row 2 "SIXPN_API_URL not a URL" wg list bad
  SIXPN_API_TOKEN="" SIXPN_CONFIG_DIR="$WORK/empty-config" row 3 "no token anywhere" wg list bad
  SIXPN_ORG="../x" row 2 "SIXPN_ORG ../x" wg list
  SIXPN_APP="$NL" row 2 "SIXPN_APP with newline" status
  SIXPN_WG_REGION=zzz row 2 "SIXPN_WG_REGION unknown" wg create bad "" n1 stdout
  rows_done
}

# corrupt_config TEXT — a config dir whose config.toml holds TEXT (printf format).
corrupt_config() {
  local dir
  dir=$(mktemp -d "$WORK/config.XXXXXX")
  printf "$1" >"$dir/config.toml"
  echo "$dir"
}

test_corrupted_config_toml() {
  start_real
  unset SIXPN_API_TOKEN
  local text
  for text in '{{{ not toml' 'token = "unterminated\n' 'token = 5\n' 'token = ["a"]\n' \
      'api_url = true\n' 'org = { slug = "x" }\n' 'token = "a"\ntoken = "b"\n' \
      'token = "a\\x00b"\n' 'token = "\xff\xfe"\n' '\x00\x00\x00\x00' '[token]\n' \
      'token = """\n' 'api_url = "http://127.0.0.1:1"\n[[[\n'; do
    SIXPN_CONFIG_DIR=$(corrupt_config "$text") row 2 "config.toml: $text" wg list bad
  done
  local dir
  dir=$(mktemp -d "$WORK/config.XXXXXX")
  head -c 10000000 /dev/urandom >"$dir/config.toml"
  SIXPN_CONFIG_DIR=$dir row 2 "config.toml: 10 MB of random bytes" wg list bad
  dir=$(mktemp -d "$WORK/config.XXXXXX")
  mkdir "$dir/config.toml"
  SIXPN_CONFIG_DIR=$dir row 2 "config.toml is a directory" wg list bad
  dir=$(mktemp -d "$WORK/config.XXXXXX")
  printf 'api_url = "not a url"\ntoken = "x"\n' >"$dir/config.toml"
  SIXPN_API_URL="" SIXPN_CONFIG_DIR=$dir row 2 "config.toml: api_url not a URL" wg list bad
  rows_done
}

test_corrupted_fly_toml() {
  start_real
  local text dir
  for text in 'app = ' 'app = 5\n' 'app = ["web"]\n' '[app]\n' 'app = "web"\napp = "api"\n' \
      'app = "\xff"\n' '\x00' 'app = "../x"\n' 'app = "a\\nb"\n' '[[services]\n' \
      'app = "web"\n[http_service]\nforce_https = "yes"\n[http_service]\n'; do
    dir=$(mktemp -d "$WORK/fly.XXXXXX")
    printf "$text" >"$dir/fly.toml"
    row 2 "fly.toml (-c): $text" -c "$dir/fly.toml" status
    ROW_DIR=$dir row 2 "fly.toml (cwd): $text" ips list
  done
  dir=$(mktemp -d "$WORK/fly.XXXXXX")
  head -c 10000000 /dev/urandom >"$dir/fly.toml"
  row 2 "fly.toml: 10 MB of random bytes" -c "$dir/fly.toml" status
  rows_done
}

# hostile MODE CODE — the three kinds of request (a GET without token, a paged GET, a POST
# after a good GET) against a fake API answering in MODE.
hostile() {
  local mode=$1 code=$2
  start_fake "regions_$mode"
  row "$code" "$mode: platform regions" --api-url "$FAKE_URL" --timeout 5 platform regions --json
  start_fake "$mode"
  row "$code" "$mode: wg list" --api-url "$FAKE_URL" --timeout 5 -t tok wg list o --json
  row "$code" "$mode: wg create" --api-url "$FAKE_URL" --timeout 5 -t tok wg create o ams p stdout
  stop_helpers
}

test_hostile_api_answers() {
  trap stop_helpers EXIT
  local m
  for m in truncated_json not_json empty_body wrong_types array_not_object null_fields \
      deep_nesting huge_10mb huge_40mb short_body hang_up reset status_999; do
    hostile "$m" 1
  done
  hostile error_401 3
  hostile error_403 3
  hostile error_404 4
  hostile error_409 5
  hostile error_422 2
  hostile error_500_html 1
  hostile error_wrong_types 4
  hostile error_multiline 5
  rows_done
}

test_hostile_pages_and_slow_servers() {
  trap stop_helpers EXIT
  start_fake repeated_cursor
  row 1 "repeated cursor" --api-url "$FAKE_URL" -t tok wg list o --json
  start_fake endless_pages
  row 1 "endless pages" --api-url "$FAKE_URL" --timeout 5 -t tok wg list o --json
  start_fake endless_items
  row 1 "endless pages of one item" --api-url "$FAKE_URL" --timeout 3 -t tok wg list o --json
  start_fake bad_peer_values
  row 1 "created peer with bad values" --api-url "$FAKE_URL" -t tok wg create o ams p stdout
  start_fake low_order_gateway_key
  row 1 "created peer with a low-order gateway key" --api-url "$FAKE_URL" -t tok wg create o ams p stdout
  start_fake slow_headers
  row 1 "slow-loris headers" --api-url "$FAKE_URL" --timeout 3 -t tok wg list o
  start_fake slow_body
  row 1 "slow-loris body" --api-url "$FAKE_URL" --timeout 3 -t tok wg list o
  row 1 "slow-loris body, POST" --api-url "$FAKE_URL" --timeout 3 -t tok wg create o ams p stdout
  rows_done
}

# Runs last (cases run in name order): sixpnd took every request above; under the sanitizer
# build its log must hold no report either.
test_zz_server_log_is_clean() {
  [ -s "$SIXPND_LOG" ] || fail "sixpnd wrote no log"
  assert_not_contains "$(cat "$SIXPND_LOG")" "Sanitizer" "sixpnd log"
  assert_not_contains "$(cat "$SIXPND_LOG")" "runtime error:" "sixpnd log"
}

run_suite
