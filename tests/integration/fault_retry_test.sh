#!/usr/bin/env bash
# Retries: a proxy in front of sixpnd forwards the first POST (the peer is created) but the
# answer is lost — connection closed, reset, or cut halfway through the body. `sixpn wg create`
# must retry with the same Idempotency-Key, get the first answer replayed, write a config for
# that one peer, and exactly one peer must exist.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/fault/helpers.sh"

# retry_case MODE — the whole check for one way of losing the answer.
retry_case() {
  trap 'stop_helpers; stop_sixpnd' EXIT
  local org="retry-$1" log="$WORK/proxy-$1.log"
  TOKEN=$(new_org "$org" 2>/dev/null) || fail "cannot create the org"
  start_sixpnd || fail "sixpnd did not start"
  start_drop_proxy "$PORT" "$1" "$log"
  mkdir -p "$WORK/$1" && cd "$WORK/$1" || fail "no scratch dir"

  SIXPN_API_URL=$PROXY_URL SIXPN_API_TOKEN=$TOKEN sixpn wg create "$org" ams laptop laptop.conf
  assert_rc 0

  # What reached the server: two POSTs with one key; the first answer was the one lost.
  local posts keys
  posts=$(grep -c '^POST ' "$log")
  assert_eq 2 "$posts" "POSTs through the proxy"
  keys=$(awk '/^POST / { print $3 }' "$log" | sort -u)
  [ "$(wc -l <<<"$keys")" -eq 1 ] && [ "$keys" != "-" ] ||
    fail "the retry did not repeat the Idempotency-Key: $(cat "$log")"
  assert_contains "$(grep '^POST ' "$log" | head -1)" "dropped" "first POST"

  # Exactly one peer, and the config is the one for it.
  api GET "/v1/orgs/$org/wireguard_peers"
  assert_eq 200 "$RC" "list status"
  assert_eq 1 "$(json_get "$OUT" 'len(d["items"])')" "peers on the server"
  local ip
  ip=$(json_get "$OUT" 'd["items"][0]["peer_ip"]')
  assert_contains "$(cat laptop.conf)" "$ip" "laptop.conf"
}

test_retry_when_connection_closes_before_the_answer() { retry_case close; }
test_retry_when_connection_is_reset() { retry_case reset; }
test_retry_when_answer_is_cut_halfway() { retry_case partial; }

run_suite
