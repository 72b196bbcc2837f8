#!/usr/bin/env bash
# The .internal DNS server of a real sixpnd, checked row by row against the seed's table with
# the real `dig` (bind9-dnsutils) and with `sixpn dig`. The data is made through the REST API:
# apps with machines in several regions, process groups and metadata, some stopped; WireGuard
# peers, one of them interactive-*; a Flycast address; and a second org that must stay unseen.
source "$(dirname "$0")/lib.sh"

DNS_PORT=$(free_port)
OPEN_PORT=$(free_port)
UPSTREAM_PORT=$(free_port)

# A stand-in upstream resolver on loopback: answers every A question with 192.0.2.1.
python3 - "$UPSTREAM_PORT" <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(600)
while True:
    try:
        q, addr = s.recvfrom(4096)
    except socket.timeout:
        break
    end = q.index(b"\0", 12) + 5  # the question: name, type, class
    answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\xc0\x00\x02\x01"
    s.sendto(q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:end] + answer, addr)
EOF
UPSTREAM_PID=$!
trap 'kill $UPSTREAM_PID 2>/dev/null; cleanup' EXIT

TOKEN=$(new_org acme) || exit 1
new_org rival >/dev/null || exit 1
RIVAL_TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org rival --org acme) || exit 1
start_sixpnd --dns-listen "127.0.0.1:$DNS_PORT=acme" --dns-listen "127.0.0.1:$OPEN_PORT" \
  --dns-upstream "127.0.0.1:$UPSTREAM_PORT" || exit 1

pubkey() { wg genkey | wg pubkey; }
# machine APP REGION [GROUP] [METADATA-JSON] — prints "id ip".
machine() {
  local meta=${4:-}
  [ -n "$meta" ] || meta='{}'
  local body="{\"region\":\"$2\",\"process_group\":\"${3:-app}\",\"metadata\":$meta}"
  api POST "/v1/apps/$1/machines" "$body"
  [ "$RC" == 200 ] || [ "$RC" == 201 ] || { echo "machine create: $RC $OUT" >&2; return 1; }
  echo "$(json_get "$OUT" 'd["id"]') $(json_get "$OUT" 'd["private_ip"]')"
}
setup() {
  api POST /v1/apps '{"app_name":"web","org_slug":"acme"}'
  api POST /v1/apps '{"app_name":"db","org_slug":"acme"}'
  api POST /v1/apps '{"app_name":"big","org_slug":"acme"}'
  read -r WEB_AMS_ID WEB_AMS < <(machine web ams app '{"role":"primary"}')
  read -r WEB_FRA_ID WEB_FRA < <(machine web fra app '{"role":"replica"}')
  read -r WEB_IAD_ID WEB_IAD < <(machine web iad worker '{"role":"replica"}')
  read -r WEB_SYD_ID WEB_SYD < <(machine web syd app '{"role":"primary"}')
  read -r DB_LHR_ID DB_LHR < <(machine db lhr)
  api POST "/v1/apps/web/machines/$WEB_SYD_ID/stop"
  [ "$RC" == 200 ] || { echo "stop: $RC $OUT" >&2; return 1; }
  local i
  for i in $(seq 1 24); do machine big ams >/dev/null || return 1; done
  api POST /v1/orgs/acme/wireguard_peers "{\"name\":\"laptop\",\"region\":\"ams\",\"pubkey\":\"$(pubkey)\"}"
  LAPTOP=$(json_get "$OUT" 'd["peer_ip"]')
  api POST /v1/orgs/acme/wireguard_peers "{\"name\":\"ci\",\"region\":\"iad\",\"pubkey\":\"$(pubkey)\"}"
  api POST /v1/orgs/acme/wireguard_peers \
    "{\"name\":\"interactive-7f3a2b\",\"region\":\"fra\",\"pubkey\":\"$(pubkey)\"}"
  INTERACTIVE=$(json_get "$OUT" 'd["peer_ip"]')
  api POST /v1/apps/web/ip_assignments '{"type":"private_v6"}'
  WEB_FLYCAST=$(json_get "$OUT" 'd["address"]')
  local acme_token=$TOKEN
  TOKEN=$RIVAL_TOKEN
  api POST /v1/apps '{"app_name":"secret","org_slug":"rival"}'
  machine secret ams >/dev/null || return 1
  api POST /v1/apps/secret/ip_assignments '{"type":"private_v6","org_slug":"acme"}'
  SECRET_FLYCAST=$(json_get "$OUT" 'd["address"]')
  TOKEN=$acme_token
}
setup || { echo "setup failed"; exit 1; }

# q ARGS… — the real dig against the pinned listener.
q() { dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 "$@"; }
# lines TEXT — sorted lines, space-joined, for comparing address sets.
lines() { echo "$1" | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//'; }
set_of() { printf '%s\n' "$@" | sort | tr '\n' ' ' | sed 's/ $//'; }
status_of() { echo "$1" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# both NAME TYPE EXPECTED-SET — dig +short and sixpn dig --short give the same address set.
both() {
  assert_eq "$3" "$(lines "$(q +short "$2" "$1")")" "dig $2 $1"
  sixpn dig "$2" "$1" --server "127.0.0.1:$DNS_PORT" --short
  assert_rc 0
  assert_eq "$3" "$(lines "$OUT")" "sixpn dig $2 $1"
}
# txt NAME EXPECTED — the TXT value, strings joined, from both clients.
txt() {
  local joined
  joined=$(q +short TXT "$1" | sed 's/" "//g; s/^"//; s/"$//')
  assert_eq "$2" "$joined" "dig TXT $1"
  sixpn dig TXT "$1" --server "127.0.0.1:$DNS_PORT" --short
  assert_rc 0
  assert_eq "$2" "$OUT" "sixpn dig TXT $1"
}
nxdomain() {
  assert_eq NXDOMAIN "$(status_of "$(q "$1" "${2:-AAAA}")")" "status of $1"
  sixpn dig "${2:-AAAA}" "$1" --server "127.0.0.1:$DNS_PORT"
  assert_rc 4
  assert_contains "$ERR" "NXDOMAIN"
}

test_app_name_answers_every_started_machine() {
  both web.internal AAAA "$(set_of "$WEB_AMS" "$WEB_FRA" "$WEB_IAD")"
}
test_global_is_an_alias_of_the_app() {
  both global.web.internal AAAA "$(set_of "$WEB_AMS" "$WEB_FRA" "$WEB_IAD")"
}
test_region_name_answers_the_started_machines_there() {
  both ams.web.internal AAAA "$WEB_AMS"
  both fra.web.internal AAAA "$WEB_FRA"
  both syd.web.internal AAAA ""  # its only machine is stopped
  nxdomain nowhere.web.internal
}
test_nearest_without_a_querier_region_follows_region_code_order() {
  both top1.nearest.of.web.internal AAAA "$WEB_AMS"
  both top2.nearest.of.web.internal AAAA "$(set_of "$WEB_AMS" "$WEB_FRA")"
  both top10.nearest.of.web.internal AAAA "$(set_of "$WEB_AMS" "$WEB_FRA" "$WEB_IAD")"
}
test_vm_name_answers_one_started_machine() {
  both "$WEB_FRA_ID.vm.web.internal" AAAA "$WEB_FRA"
  nxdomain "$WEB_SYD_ID.vm.web.internal"
}
test_process_group_name_answers_its_machines() {
  both app.process.web.internal AAAA "$(set_of "$WEB_AMS" "$WEB_FRA")"
  both worker.process.web.internal AAAA "$WEB_IAD"
  nxdomain cron.process.web.internal
}
test_metadata_name_answers_machines_with_the_pair() {
  both primary.role.kv._metadata.web.internal AAAA "$WEB_AMS"
  both replica.role.kv._metadata.web.internal AAAA "$(set_of "$WEB_FRA" "$WEB_IAD")"
  nxdomain standby.role.kv._metadata.web.internal
}
test_peer_name_answers_the_peer_even_when_interactive() {
  both laptop._peer.internal AAAA "$LAPTOP"
  both interactive-7f3a2b._peer.internal AAAA "$INTERACTIVE"
}
test_flycast_name_answers_the_flycast_address() {
  both web.flycast AAAA "$WEB_FLYCAST"
  both secret.flycast AAAA "$SECRET_FLYCAST"  # rival's app, exposed to acme
  nxdomain db.flycast
}
test_vms_txt_lists_id_and_region_of_started_machines() {
  local expected
  expected=$(printf '%s\n' "$WEB_AMS_ID ams" "$WEB_FRA_ID fra" "$WEB_IAD_ID iad" | sort | paste -sd,)
  txt vms.web.internal "$expected"
}
test_regions_txt_lists_regions_with_started_machines() {
  txt regions.web.internal "ams,fra,iad"
}
test_apps_txt_lists_the_orgs_own_apps() {
  txt _apps.internal "big,db,web"
}
test_peer_txt_leaves_out_interactive_peers() {
  txt _peer.internal "ci,laptop"
}
test_instances_txt_lists_every_started_machine() {
  sixpn dig TXT _instances.internal --server "127.0.0.1:$DNS_PORT" --short
  assert_rc 0
  assert_contains "$OUT" "instance=$DB_LHR_ID,app=db,ip=$DB_LHR,region=lhr;"
  assert_contains "$OUT" "instance=$WEB_FRA_ID,app=web,ip=$WEB_FRA,region=fra"
  assert_not_contains "$OUT" "$WEB_SYD_ID"
  assert_not_contains "$OUT" "app=secret"
  assert_eq 28 "$(echo "$OUT" | tr ';' '\n' | grep -c '^instance=')" "entries"
}
test_long_instances_answer_is_truncated_over_udp_and_complete_over_tcp() {
  local udp tcp
  udp=$(q +noedns +ignore TXT _instances.internal)
  assert_contains "$udp" "flags: qr aa tc" "UDP reply"
  assert_contains "$udp" "ANSWER: 0"
  tcp=$(q +tcp +short TXT _instances.internal | sed 's/" "//g; s/^"//; s/"$//')
  assert_eq 28 "$(echo "$tcp" | tr ';' '\n' | grep -c '^instance=')" "entries over TCP"
  sixpn dig TXT _instances.internal --server "127.0.0.1:$DNS_PORT" --json
  assert_rc 0
  assert_eq true "$(json_get "$OUT" 'd["retried_over_tcp"]')" "retried over TCP"
  assert_eq 28 "$(json_get "$OUT" 'len(d["answer"][0]["text"].split(";"))')" "entries"
}
test_another_orgs_names_do_not_exist() {
  nxdomain secret.internal
  assert_not_contains "$(q +short TXT _apps.internal)" secret
}
test_other_type_on_an_existing_name_is_nodata_with_soa() {
  local out
  out=$(q TXT web.internal)
  assert_eq NOERROR "$(status_of "$out")"
  assert_contains "$out" "ANSWER: 0, AUTHORITY: 1"
  assert_contains "$(q +noall +authority TXT web.internal)" "SOA"
}
test_answers_are_authoritative_with_ttl_5() {
  local out
  out=$(q +noall +comments +answer web.internal AAAA)
  assert_contains "$out" "flags: qr aa rd"
  assert_eq "5 5 5" "$(q +noall +answer web.internal AAAA | awk '{print $2}' | paste -sd' ')"
}
test_names_are_case_insensitive_and_echoed_as_asked() {
  local out
  out=$(q +noall +answer WeB.InTeRnAl AAAA)
  assert_contains "$out" "WeB.InTeRnAl."
  assert_eq 3 "$(echo "$out" | grep -c AAAA)"
}
test_edns_buffer_decides_truncation_over_udp() {
  assert_contains "$(q +noedns +ignore big.internal AAAA)" "flags: qr aa tc"
  local out
  out=$(q +bufsize=4096 +ignore big.internal AAAA)
  assert_not_contains "$out" " tc"
  assert_contains "$out" "ANSWER: 24"
}
test_stopping_a_machine_removes_it_from_the_answers() {
  read -r id ip < <(machine db ams) || fail "machine"
  assert_contains "$(q +short db.internal AAAA)" "$ip"
  api POST "/v1/apps/db/machines/$id/stop"
  assert_eq 200 "$RC" "stop"
  local i out
  for i in $(seq 1 20); do  # within the snapshot's staleness, far below the TTL
    out=$(q +short db.internal AAAA)
    [[ "$out" != *"$ip"* ]] && break
    sleep 0.05
  done
  assert_eq "$DB_LHR" "$out" "db.internal after stop"
}
test_unpinned_listener_refuses_loopback() {
  local out
  out=$(dig @127.0.0.1 -p "$OPEN_PORT" +time=2 +tries=1 web.internal AAAA)
  assert_eq REFUSED "$(status_of "$out")"
}
test_other_names_are_forwarded_upstream() {
  assert_eq "192.0.2.1" "$(q +short www.example.test A)"
  sixpn dig A www.example.test --server "127.0.0.1:$DNS_PORT" --short
  assert_eq "192.0.2.1" "$OUT"
}
test_malformed_query_gets_formerr_and_the_server_stays_up() {
  local rc
  rc=$(python3 - "$DNS_PORT" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.sendto(b"\xab\xcd\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01",
         ("127.0.0.1", int(sys.argv[1])))
r = s.recv(512)
print(r[3] & 0xF if r[:2] == b"\xab\xcd" else "bad id")
EOF
)
  assert_eq 1 "$rc" "rcode"
  assert_eq "$WEB_AMS" "$(q +short ams.web.internal AAAA)"
}
test_sixpn_dig_shows_dig_sections_and_json() {
  sixpn dig web.internal --server "127.0.0.1:$DNS_PORT"
  assert_rc 0
  assert_contains "$OUT" "status: NOERROR"
  assert_contains "$OUT" ";; ANSWER SECTION:"
  assert_contains "$OUT" "web.internal.	5	IN	AAAA	$WEB_AMS"
  sixpn dig TXT regions.web.internal --server "127.0.0.1:$DNS_PORT" --json
  assert_eq NOERROR "$(json_get "$OUT" 'd["status"]')"
  assert_eq "ams,fra,iad" "$(json_get "$OUT" 'd["answer"][0]["text"]')"
  sixpn dig web.internal --server "127.0.0.1:$DNS_PORT" --tcp --json
  assert_eq tcp "$(json_get "$OUT" 'd["transport"]')"
}
test_sixpn_dig_errors_are_one_line_with_exit_codes() {
  sixpn dig web.internal --server "127.0.0.1:$(free_port)" --timeout 0.3
  assert_rc 1
  assert_eq 1 "$(echo "$ERR" | grep -c '^Error:')"
  sixpn dig NOSUCHTYPE web.internal --server "127.0.0.1:$DNS_PORT"
  assert_rc 2
  # Without --server the org's <prefix>::3 is asked; an org the token cannot see is refused
  # before anything is sent.
  SIXPN_API_TOKEN=$TOKEN sixpn dig web.internal --org rival
  assert_rc 4
  assert_contains "$ERR" "org rival is not one the API token can see"
}

run_suite
