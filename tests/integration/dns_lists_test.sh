#!/usr/bin/env bash
# The comma-separated TXT lists of .internal (_apps, _peer, _instances, regions.<app>,
# vms.<app>) answer exactly one TXT record even when the list is empty, as clients written for
# Fly expect: they read "" as "none" and fail on an answer with no record. Checked with the real
# dig, with dnspython (Debian's python3-dnspython) as an application uses it, and `sixpn dig`.
source "$(dirname "$0")/lib.sh"

ACME_PORT=$(free_port)  # one listener per org, pinned to it
BARE_PORT=$(free_port)  # an org that never gets anything
MANY_PORT=$(free_port)  # an org with many apps
TOKEN=$(new_org acme) || exit 1
new_org bare >/dev/null || exit 1
MANY_TOKEN=$(new_org many) || exit 1
start_sixpnd --dns-listen "127.0.0.1:$ACME_PORT=acme" --dns-listen "127.0.0.1:$BARE_PORT=bare" \
  --dns-listen "127.0.0.1:$MANY_PORT=many" --dns-upstream none || exit 1
DNS_PORT=$ACME_PORT  # the listener q, py and empty_list ask; a case may point it elsewhere

q() { dig @127.0.0.1 -p "$DNS_PORT" +time=2 +tries=1 "$@"; }
# py NAME TYPE — what dnspython's resolver makes of the answer: "TXT n [strings…]" per record,
# or the exception an application would catch (NXDOMAIN, NoAnswer).
py() {
  /usr/bin/python3 - "$DNS_PORT" "$1" "$2" <<'PY'
import sys, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = int(sys.argv[1])
r.lifetime = 4
try:
    answer = r.resolve(sys.argv[2], sys.argv[3])
except dns.resolver.NXDOMAIN:
    print("NXDOMAIN")
except dns.resolver.NoAnswer:
    print("NoAnswer")
else:
    for rdata in answer:
        print("TXT", len(rdata.strings), *[repr(s.decode()) for s in rdata.strings])
PY
}
status_of() { echo "$1" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
# empty_list NAME — one TXT record of one empty string, by every client.
empty_list() {
  local out
  out=$(q "$1" TXT)
  assert_eq NOERROR "$(status_of "$out")" "$1 status"
  assert_contains "$out" "ANSWER: 1," "$1 answer count"
  assert_eq '""' "$(q +short "$1" TXT)" "dig +short TXT $1"
  assert_eq "TXT 1 ''" "$(py "$1" TXT)" "dnspython TXT $1"
  sixpn dig TXT "$1" --server "127.0.0.1:$DNS_PORT" --json
  assert_rc 0
  assert_eq '[""]' "$(json_get "$OUT" '[a["text"] for a in d["answer"]]')" "sixpn dig TXT $1"
}

test_org_lists_are_one_empty_txt_record_in_an_empty_org() {
  DNS_PORT=$BARE_PORT
  empty_list _apps.internal
  empty_list _peer.internal
  empty_list _instances.internal
}

test_an_app_without_started_machines_has_empty_lists_and_no_addresses() {
  api POST /v1/apps '{"app_name":"idle","org_slug":"acme"}'
  assert_eq 201 "$RC" "create app"
  empty_list regions.idle.internal
  empty_list vms.idle.internal
  assert_contains "$(q +short _apps.internal TXT)" "idle" "_apps.internal"
  # Its addresses are NODATA: the name exists, with no AAAA.
  local out
  out=$(q idle.internal AAAA)
  assert_eq NOERROR "$(status_of "$out")"
  assert_contains "$out" "ANSWER: 0, AUTHORITY: 1"
  assert_eq NoAnswer "$(py idle.internal AAAA)" "dnspython AAAA idle.internal"
  assert_eq NoAnswer "$(py regions.idle.internal AAAA)" "dnspython AAAA regions.idle.internal"
}

test_lists_of_an_app_that_does_not_exist_are_nxdomain() {
  empty_list regions.idle.internal
  assert_eq NXDOMAIN "$(status_of "$(q regions.nosuch.internal TXT)")"
  assert_eq NXDOMAIN "$(py regions.nosuch.internal TXT)" "dnspython regions"
  assert_eq NXDOMAIN "$(py vms.nosuch.internal TXT)" "dnspython vms"
}

test_a_started_machine_fills_the_lists() {
  api POST /v1/apps '{"app_name":"busy","org_slug":"acme"}'
  assert_eq 201 "$RC" "create app"
  api POST /v1/apps/busy/machines '{"region":"ams"}'
  assert_eq 201 "$RC" "create machine"
  local id i
  id=$(json_get "$OUT" 'd["id"]')
  for i in $(seq 1 20); do
    [ "$(q +short regions.busy.internal TXT)" == '"ams"' ] && break
    sleep 0.05
  done
  assert_eq "TXT 1 'ams'" "$(py regions.busy.internal TXT)" "regions"
  assert_eq "TXT 1 '$id ams'" "$(py vms.busy.internal TXT)" "vms"
}

test_a_list_longer_than_255_bytes_is_one_record_of_several_strings() {
  DNS_PORT=$MANY_PORT
  TOKEN=$MANY_TOKEN
  local i names=""
  for i in $(seq 10 21); do  # 12 names of 23 characters and 11 commas: 287 bytes
    api POST /v1/apps "{\"app_name\":\"app-with-a-long-name-$i\",\"org_slug\":\"many\"}"
    assert_eq 201 "$RC" "create app $i"
    names="$names${names:+,}app-with-a-long-name-$i"
  done
  local out
  for i in $(seq 1 20); do
    out=$(py _apps.internal TXT)
    [[ "$out" == *"-21"* ]] && break
    sleep 0.05
  done
  assert_eq "TXT 2 '${names:0:255}' '${names:255}'" "$out" "dnspython"
  assert_eq 1 "$(q +short _apps.internal TXT | wc -l)" "dig: records"
  assert_eq "$names" "$(q +short _apps.internal TXT | sed 's/" "//g; s/^"//; s/"$//')" "dig: joined"
}

run_suite
