#!/usr/bin/env bash
# HTTPS on the API: sixpnd serving a certificate the test's own CA signed (made with openssl),
# a self-signed pair it keeps, reloads on SIGHUP; sixpn trusting it through --ca-file or a
# pinned key, refusing what it should, and never sending a token over http:// beyond loopback.
source "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || { echo "missing tool: openssl (scripts/install-deps.sh)" >&2; exit 1; }

PKI="$WORK/pki"
mkdir -p "$PKI"

# make_ca NAME — a CA key and self-signed certificate, $PKI/NAME.{key,pem}.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$1" -keyout "$PKI/$1.key" -out "$PKI/$1.pem" 2>/dev/null
}

# make_server_cert NAME CA — a key and a certificate for 127.0.0.1 and localhost, signed by CA.
make_server_cert() {
  local name=$1 ca=$2
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" \
    -keyout "$PKI/$name.key" -out "$PKI/$name.csr" 2>/dev/null &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$PKI/$name.ext" &&
    openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.pem" -CAkey "$PKI/$ca.key" \
      -CAcreateserial -days 2 -extfile "$PKI/$name.ext" -out "$PKI/$name.pem" 2>/dev/null
}

# The pin of a PEM certificate, as openssl computes it: SHA-256 of the DER public key.
pin_of() {
  echo "sha256:$(openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 | awk '{print $NF}')"
}

# The pin of whatever certificate a new connection to the server is handed.
served_pin() {
  echo | openssl s_client -connect "127.0.0.1:$PORT" 2>/dev/null | openssl x509 >"$WORK/served.pem" 2>/dev/null &&
    pin_of "$WORK/served.pem"
}

make_ca test-ca && make_ca other-ca && make_server_cert server test-ca &&
  make_server_cert renewed test-ca || { echo "openssl could not make the test PKI" >&2; exit 1; }

# start_tls [serve flags…] — sixpnd on a free loopback port over HTTPS; sets PORT and API.
start_tls() {
  local tries i
  for tries in 1 2 3; do
    PORT=$(free_port)
    API="https://127.0.0.1:$PORT"
    "$SIXPND_BIN" serve --listen "127.0.0.1:$PORT" --db "$DB" "$@" >>"$SIXPND_LOG" 2>&1 &
    SIXPND_PID=$!
    for i in $(seq 1 100); do
      [ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$API/v1/platform/regions")" == 200 ] &&
        return 0
      kill -0 "$SIXPND_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$SIXPND_PID" 2>/dev/null; wait "$SIXPND_PID" 2>/dev/null
    SIXPND_PID=""
  done
  echo "sixpnd did not start; its log:" >&2
  cat "$SIXPND_LOG" >&2
  return 1
}

own_tls_server() {  # name [serve flags…] — a database, log and HTTPS sixpnd for this case only
  DB="$WORK/$1/sixpnd.db"
  SIXPND_LOG="$WORK/$1/sixpnd.log"
  mkdir -p "$WORK/$1"
  shift
  trap stop_sixpnd EXIT
  start_tls "$@" || fail "sixpnd did not start"
  TOKEN=$(new_org acme) || fail "new_org"
  export SIXPN_CONFIG_DIR="$WORK/cfg-$RANDOM$RANDOM"
}

served_by_ca() { own_tls_server "$1" --tls-cert "$PKI/server.pem" --tls-key "$PKI/server.key"; }

test_ca_file_trusts_a_certificate_that_ca_signed() {
  served_by_ca cafile
  sixpn --api-url "$API" -t "$TOKEN" --ca-file "$PKI/test-ca.pem" orgs list --json
  assert_rc 0
  assert_eq acme "$(json_get "$OUT" 'd[0]["slug"]')"
  SIXPN_CA_FILE="$PKI/test-ca.pem" sixpn --api-url "$API" -t "$TOKEN" orgs list --json
  assert_rc 0
}

test_without_the_ca_the_certificate_is_refused_with_a_verify_error() {
  served_by_ca noca
  sixpn --api-url "$API" -t "$TOKEN" orgs list
  assert_rc 1
  assert_contains "$ERR" "Error: TLS with $API failed: SSL certificate problem: unable to get local issuer certificate"
  assert_contains "$ERR" "hint: pass the CA that signed the server's certificate with --ca-file"
  assert_eq "" "$OUT" "stdout"
}

test_a_wrong_ca_is_refused() {
  served_by_ca wrongca
  sixpn --api-url "$API" -t "$TOKEN" --ca-file "$PKI/other-ca.pem" orgs list
  assert_rc 1
  assert_contains "$ERR" "SSL certificate problem: unable to get local issuer certificate"
}

test_a_ca_file_that_holds_no_certificate_is_exit_2() {
  served_by_ca badcafile
  echo "not a certificate" >"$WORK/junk.pem"
  sixpn --api-url "$API" -t "$TOKEN" --ca-file "$WORK/junk.pem" orgs list
  assert_rc 2
  assert_contains "$ERR" "Error: the CA file $WORK/junk.pem holds no PEM certificate"
}

test_login_saves_the_ca_file_beside_the_url_for_later_commands() {
  served_by_ca savedca
  sixpn auth login --api-url "$API" --token "$TOKEN" --ca-file "$PKI/test-ca.pem"
  assert_rc 0
  local cfg
  cfg=$(cat "$SIXPN_CONFIG_DIR/config.toml")
  assert_contains "$cfg" "ca_file = \"$PKI/test-ca.pem\""
  assert_contains "$cfg" "api_url = \"$API\""
  sixpn orgs list --json
  assert_rc 0
  assert_eq acme "$(json_get "$OUT" 'd[0]["slug"]')"
}

test_login_with_the_right_pin_works_without_a_ca_and_is_saved() {
  served_by_ca pin
  local pin
  pin=$(pin_of "$PKI/server.pem")
  sixpn auth login --api-url "$API" --token "$TOKEN" --fingerprint "$pin"
  assert_rc 0
  assert_contains "$(cat "$SIXPN_CONFIG_DIR/config.toml")" "fingerprint = \"$pin\""
  sixpn orgs list --json
  assert_rc 0
  assert_eq acme "$(json_get "$OUT" 'd[0]["slug"]')"
  # The pin belongs to that URL: another URL is verified as usual.
  sixpn --api-url "https://localhost:$PORT" orgs list
  assert_rc 1
  assert_contains "$ERR" "SSL certificate problem"
}

test_login_with_a_different_pin_is_refused_and_saves_nothing() {
  served_by_ca wrongpin
  local other
  other=$(pin_of "$PKI/renewed.pem")
  sixpn auth login --api-url "$API" --token "$TOKEN" --fingerprint "$other"
  assert_rc 1
  assert_contains "$ERR" "Error: TLS with $API failed: SSL: public key does not match pinned public key"
  [ ! -e "$SIXPN_CONFIG_DIR/config.toml" ] || fail "config.toml was written"
  # Also when the CA would vouch for the server: the pin is stricter than the CA.
  sixpn auth login --api-url "$API" --token "$TOKEN" --fingerprint "$other" --ca-file "$PKI/test-ca.pem"
  assert_rc 1
  assert_contains "$ERR" "does not match pinned public key"
}

test_a_malformed_fingerprint_is_exit_2_before_any_request() {
  served_by_ca badpin
  sixpn auth login --api-url "$API" --token "$TOKEN" --fingerprint "sha256:1234"
  assert_rc 2
  assert_contains "$ERR" "Error: --fingerprint sha256:1234 is not sha256: followed by 64 hex digits"
}

test_self_signed_pair_is_0600_kept_across_restarts_and_its_fingerprint_is_openssls() {
  own_tls_server selfsigned --tls-self-signed
  local dir=$WORK/selfsigned
  assert_eq 600 "$(stat -c %a "$dir/tls-key.pem")" "key mode"
  assert_eq 600 "$(stat -c %a "$dir/tls-cert.pem")" "certificate mode"
  local printed
  printed=$(sed -n 's/^sixpnd: TLS public key fingerprint //p' "$SIXPND_LOG")
  assert_eq "$(pin_of "$dir/tls-cert.pem")" "$printed" "printed fingerprint"
  assert_eq "$printed" "$(served_pin)" "served key"
  assert_contains "$(cat "$SIXPND_LOG")" "made a self-signed certificate $dir/tls-cert.pem"
  # What sixpnd printed is what auth login takes.
  sixpn auth login --api-url "$API" --token "$TOKEN" --fingerprint "$printed"
  assert_rc 0
  # The certificate itself also serves as a CA file: it names 127.0.0.1.
  sixpn --api-url "$API" -t "$TOKEN" --ca-file "$dir/tls-cert.pem" orgs list
  assert_rc 0
  stop_sixpnd
  start_tls --tls-self-signed || fail "restart failed"
  assert_contains "$(cat "$SIXPND_LOG")" "using the self-signed certificate $dir/tls-cert.pem"
  assert_eq "$printed" "$(served_pin)" "key after restart"
}

test_state_dir_holds_the_self_signed_pair() {
  own_tls_server statedir --tls-self-signed --state-dir "$WORK/statedir/state"
  assert_eq 700 "$(stat -c %a "$WORK/statedir/state")" "state dir mode"
  assert_eq 600 "$(stat -c %a "$WORK/statedir/state/tls-key.pem")" "key mode"
  [ ! -e "$WORK/statedir/tls-key.pem" ] || fail "key written beside the database"
}

# A kept-alive HTTPS connection, opened before the reload and used after it, and a new one.
# Prints "<old conn status> <same socket> <new conn status>" and leaves the certificates each
# connection was handed in $WORK/old.der and $WORK/new.der.
probe_reload() {
  python3 - "$PORT" "$SIXPND_PID" "$SIXPND_LOG" "$WORK" <<'PY'
import http.client, os, signal, ssl, sys, time
port, pid, log, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

def get(conn):
    conn.request("GET", "/v1/platform/regions")
    r = conn.getresponse()
    r.read()
    return r.status

old = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
get(old)
sock = old.sock
seen = open(log).read().count("SIGHUP")
os.kill(pid, signal.SIGHUP)
for _ in range(50):
    if open(log).read().count("SIGHUP") > seen:
        break
    time.sleep(0.05)
status = get(old)
new = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
new_status = get(new)
open(os.path.join(work, "old.der"), "wb").write(old.sock.getpeercert(binary_form=True))
open(os.path.join(work, "new.der"), "wb").write(new.sock.getpeercert(binary_form=True))
print(status, old.sock is sock, new_status)
PY
}

der_pin() {  # FILE.der
  openssl x509 -inform der -in "$1" -out "$1.pem" && pin_of "$1.pem"
}

test_sighup_reloads_the_pair_and_open_connections_keep_working() {
  cp "$PKI/server.pem" "$WORK/live.pem"
  cp "$PKI/server.key" "$WORK/live.key"
  own_tls_server reload --tls-cert "$WORK/live.pem" --tls-key "$WORK/live.key"
  cp "$PKI/renewed.pem" "$WORK/live.pem"
  cp "$PKI/renewed.key" "$WORK/live.key"
  local got
  got=$(probe_reload) || fail "probe failed"
  assert_eq "200 True 200" "$got" "the old connection after the reload, then a new one"
  assert_eq "$(pin_of "$PKI/server.pem")" "$(der_pin "$WORK/old.der")" "old connection's key"
  assert_eq "$(pin_of "$PKI/renewed.pem")" "$(der_pin "$WORK/new.der")" "new connection's key"
  assert_contains "$(cat "$SIXPND_LOG")" "sixpnd: SIGHUP: reloaded $WORK/live.pem, public key fingerprint $(pin_of "$PKI/renewed.pem")"
  kill -0 "$SIXPND_PID" || fail "sixpnd is gone"
}

test_a_bad_pair_on_sighup_keeps_the_current_one() {
  cp "$PKI/server.pem" "$WORK/bad.pem"
  cp "$PKI/server.key" "$WORK/bad.key"
  own_tls_server badreload --tls-cert "$WORK/bad.pem" --tls-key "$WORK/bad.key"
  cp "$PKI/renewed.key" "$WORK/bad.key"  # a key that is not the certificate's
  local got
  got=$(probe_reload) || fail "probe failed"
  assert_eq "200 True 200" "$got" "connections after a bad reload"
  assert_eq "$(pin_of "$PKI/server.pem")" "$(der_pin "$WORK/new.der")" "new connection's key"
  assert_eq 1 "$(grep -c 'SIGHUP: keeping the current TLS pair: the key in' "$SIXPND_LOG")" "log lines"
  sixpn --api-url "$API" -t "$TOKEN" --ca-file "$PKI/test-ca.pem" orgs list
  assert_rc 0
}

test_tls_1_1_is_refused_and_1_2_accepted() {
  served_by_ca versions
  # SECLEVEL=0 lets this client offer TLS 1.1, so a refusal is the server's.
  echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' \
    >"$WORK/s11.out" 2>&1 && fail "TLS 1.1 handshake succeeded"
  assert_contains "$(cat "$WORK/s11.out")" "alert protocol version"
  echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 >"$WORK/s12.out" 2>&1 ||
    fail "TLS 1.2 handshake failed: $(cat "$WORK/s12.out")"
  assert_contains "$(cat "$WORK/s12.out")" "Protocol  : TLSv1.2"
}

test_mismatched_or_missing_files_at_start_are_clear_errors() {
  local port
  port=$(free_port)
  run "$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$WORK/x.db" --tls-cert "$PKI/server.pem" \
    --tls-key "$PKI/renewed.key"
  assert_rc 1
  assert_eq "Error: TLS: the key in $PKI/renewed.key does not belong to the certificate in $PKI/server.pem" "$ERR"
  run "$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$WORK/x.db" --tls-cert "$PKI/server.pem"
  assert_rc 2
  assert_contains "$ERR" "Error: --tls-cert and --tls-key go together"
  run "$SIXPND_BIN" serve --listen "127.0.0.1:$port" --db "$WORK/x.db" --tls-cert "$WORK/none.pem" \
    --tls-key "$PKI/server.key"
  assert_rc 1
  assert_contains "$ERR" "Error: TLS: cannot read $WORK/none.pem: No such file or directory"
}

test_token_goes_over_http_to_loopback() {
  DB="$WORK/plain.db"
  trap stop_sixpnd EXIT
  start_sixpnd || fail "sixpnd did not start"
  TOKEN=$(new_org acme) || fail "new_org"
  sixpn --api-url "http://localhost:$PORT" -t "$TOKEN" orgs list
  assert_rc 0
}

# A namespace of the test's own with 192.0.2.1 on a veth link and a plain-HTTP sixpnd there:
# sixpn refuses to send a token to it, and the server's log shows nothing arrived.
test_token_is_not_sent_over_http_beyond_loopback() {
  local ns="s6tls-$$"
  if [ "$(id -u)" -ne 0 ] || ! ip netns add "$ns-probe" 2>/dev/null; then
    echo "    SKIPPED: needs root and network namespaces" >&2
    return 0
  fi
  ip netns del "$ns-probe"
  trap 'stop_sixpnd; ip netns del '"$ns"' 2>/dev/null' EXIT
  ip netns add "$ns" && ip -n "$ns" link set lo up &&
    ip -n "$ns" link add v0 type veth peer name v1 && ip -n "$ns" addr add 192.0.2.1/24 dev v0 &&
    ip -n "$ns" link set v1 up && ip -n "$ns" link set v0 up || fail "cannot build the namespace"
  DB="$WORK/ns.db"
  TOKEN=$(new_org acme) || fail "new_org"
  ip netns exec "$ns" "$SIXPND_BIN" serve --listen 192.0.2.1:4280 --db "$DB" >"$WORK/ns.log" 2>&1 &
  SIXPND_PID=$!
  wait_until_up() {
    local i
    for i in $(seq 1 100); do
      ip netns exec "$ns" curl -s -o /dev/null --max-time 1 http://192.0.2.1:4280/v1/platform/regions && return 0
      sleep 0.1
    done
    return 1
  }
  wait_until_up || fail "sixpnd did not start: $(cat "$WORK/ns.log")"
  local before
  before=$(grep -c ' GET /v1/orgs ' "$WORK/ns.log")
  run ip netns exec "$ns" "$SIXPN_BIN" --api-url http://192.0.2.1:4280 -t "$TOKEN" orgs list
  assert_rc 2
  assert_eq "" "$OUT" "stdout"
  assert_eq "Error: refusing to send the API token over plain http:// to 192.0.2.1, which is not a loopback address
hint: serve TLS ('sixpnd serve --tls-self-signed', or --tls-cert FILE --tls-key FILE) and use an https:// URL; on a lab network, pass --insecure-http" "$ERR"
  assert_eq "$before" "$(grep -c ' GET /v1/orgs ' "$WORK/ns.log")" "requests the server saw"
  # The explicit escape hatches: the flag and the environment.
  run ip netns exec "$ns" "$SIXPN_BIN" --api-url http://192.0.2.1:4280 -t "$TOKEN" --insecure-http orgs list --json
  assert_rc 0
  assert_eq acme "$(json_get "$OUT" 'd[0]["slug"]')"
  run ip netns exec "$ns" env SIXPN_INSECURE_HTTP=1 "$SIXPN_BIN" --api-url http://192.0.2.1:4280 -t "$TOKEN" orgs list
  assert_rc 0
  assert_eq $((before + 2)) "$(grep -c ' GET /v1/orgs ' "$WORK/ns.log")" "requests the server saw"
  # Without a token nothing secret goes: the public regions list still works.
  run ip netns exec "$ns" "$SIXPN_BIN" --api-url http://192.0.2.1:4280 platform regions --json
  assert_rc 0
}

run_suite
