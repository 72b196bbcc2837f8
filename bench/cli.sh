#!/usr/bin/env bash
# What a user of sixpn feels, against what curl and wg take for the same work on the same
# private sixpnd (alternating A B A B …, median of RUNS with min and max):
#   1. `sixpn platform regions --json` vs `curl -s` of the same URL
#   2. `sixpn wg create ORG ams NAME stdout` vs `wg genkey`, `wg pubkey` and one curl POST
#   3. `sixpn wg list --json` on an org of PEERS peers: wall time beyond the server's (curl
#      fetching the same pages on one connection) and peak RSS from /usr/bin/time -v
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/server.sh"
RUNS=${RUNS:-20}
LIST_RUNS=${LIST_RUNS:-10}
PEERS=${PEERS:-10000}
LOAD_BIN=${LOAD_BIN:-$BENCH_BUILD/bench/bench_peer_load}

bench_server_start bench
export SIXPN_BIN BENCH_API BENCH_TOKEN

compare "cli: platform regions --json" "$RUNS" "≤ 1.10x" \
  "$SIXPN_BIN platform regions --json" \
  "curl -s $BENCH_API/v1/platform/regions"

# A fresh peer name per run from bash's clock (no extra process on either side).
compare "cli: wg create … stdout" "$RUNS" "≤ 1.5x" \
  "$SIXPN_BIN wg create bench ams c\${EPOCHREALTIME/./} stdout" \
  "priv=\$(wg genkey); pub=\$(wg pubkey <<<\"\$priv\"); curl -s -X POST \
     -H 'Authorization: Bearer $BENCH_TOKEN' -H 'Content-Type: application/json' \
     --data-binary \"{\\\"name\\\":\\\"r\${EPOCHREALTIME/./}\\\",\\\"region\\\":\\\"ams\\\",\\\"pubkey\\\":\\\"\$pub\\\"}\" \
     $BENCH_API/v1/orgs/bench/wireguard_peers"

# Figure 3: a second org with PEERS peers, made with the load generator.
"$SIXPND_BIN" orgs create big --db "$BENCH_DB" >/dev/null
big_token=$("$SIXPND_BIN" tokens create --db "$BENCH_DB" --org big)
"$LOAD_BIN" --url "$BENCH_API" --token "$big_token" --org big --clients 8 --count "$PEERS" \
  --seconds 600 --prefix big >/dev/null

# The pages `sixpn wg list` fetches (limit=100, following next_cursor), as one curl config:
# curl then fetches them all on one keep-alive connection, which is the server's share.
python3 - "$BENCH_API" "$big_token" >"$BENCH_WORK/pages.curl" <<'EOF'
import json, sys, urllib.request, urllib.parse
api, token = sys.argv[1:3]
base = api + "/v1/orgs/big/wireguard_peers?limit=100"
print('header = "Authorization: Bearer %s"' % token)
print('silent')
cursor, pages = None, 0
while True:
    url = base + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
    print('url = "%s"' % url)
    print('output = "/dev/null"')
    pages += 1
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    cursor = json.load(urllib.request.urlopen(req, timeout=60)).get("next_cursor")
    if not cursor:
        break
print("# %d pages" % pages)
EOF
count=$(SIXPN_API_TOKEN=$big_token "$SIXPN_BIN" wg list big --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$count" -eq "$PEERS" ] || { echo "bench/cli.sh: wg list showed $count peers, not $PEERS" >&2; exit 1; }

TSV_KEEP=$RESULTS_TSV
RESULTS_TSV=$BENCH_WORK/list.tsv
row=$(SIXPN_API_TOKEN=$big_token compare "cli: wg list --json ($PEERS peers)" "$LIST_RUNS" "-" \
  "$SIXPN_BIN wg list big --json" "curl -K $BENCH_WORK/pages.curl")
RESULTS_TSV=$TSV_KEEP
echo "$row"
IFS=$'\t' read -r _ am amin amax bm bmin bmax _ <"$BENCH_WORK/list.tsv"
beyond=$(awk -v a="$am" -v b="$bm" 'BEGIN { printf "%.2f", a - b }')
bench_row "cli: wg list beyond server" "$beyond" \
  "$(awk -v a="$amin" -v b="$bmax" 'BEGIN { printf "%.2f", a - b }')" \
  "$(awk -v a="$amax" -v b="$bmin" 'BEGIN { printf "%.2f", a - b }')" \
  "$bm" "$bmin" "$bmax" "-" "< 100 ms" "$LIST_RUNS" "ms"

# Peak RSS, alternating with curl's for scale.
rss() {  # CMD… — max resident set size in KiB
  /usr/bin/time -v "$@" 2>&1 >/dev/null | awk '/Maximum resident set size/ { print $6 }'
}
sixpn_rss="" curl_rss=""
for i in $(seq 1 "$LIST_RUNS"); do
  sixpn_rss="$sixpn_rss $(SIXPN_API_TOKEN=$big_token rss "$SIXPN_BIN" wg list big --json)"
  curl_rss="$curl_rss $(rss curl -K "$BENCH_WORK/pages.curl")"
done
read -r sm smin smax <<<"$(median_min_max "$(for v in $sixpn_rss; do awk -v v="$v" 'BEGIN { print v / 1024 }'; done)")"
read -r cm cmin cmax <<<"$(median_min_max "$(for v in $curl_rss; do awk -v v="$v" 'BEGIN { print v / 1024 }'; done)")"
bench_row "cli: wg list peak RSS vs curl" "$sm" "$smin" "$smax" "$cm" "$cmin" "$cmax" \
  "$(awk -v a="$sm" -v b="$cm" 'BEGIN { printf "%.2f", a / b }')" "< 30 MiB" "$LIST_RUNS" "MiB"
