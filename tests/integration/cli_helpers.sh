# Shared by the cli_*_test.sh suites: a small fixed region catalogue so tables can be compared
# exactly, a running sixpnd, and helpers for fresh orgs and scratch directories.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SEED="$WORK/seed.toml"
cat >"$SEED" <<'TOML'
nearest = "fra"

[[regions]]
code = "ams"
name = "Amsterdam, Netherlands"
latitude = 52.374342
longitude = 4.895439
gateway_available = true

[[regions]]
code = "atl"
name = "Atlanta, Georgia (US)"
latitude = 33.6407
longitude = -84.4277
gateway_available = false

[[regions]]
code = "bog"
name = "Bogota, Colombia"
latitude = 4.70159
longitude = -74.1469
gateway_available = true
deprecated = true

[[regions]]
code = "fra"
name = "Frankfurt, Germany"
latitude = 50.1167
longitude = 8.6833
gateway_available = true
TOML

cli_start() {
  start_sixpnd --seed "$SEED" || exit 1
}

# fresh_org — creates an org with a unique slug; sets ORG and TOKEN and exports the token.
ORG_COUNTER=0
fresh_org() {
  ORG_COUNTER=$((ORG_COUNTER + 1))
  ORG="o${ORG_COUNTER}-$$-${RANDOM}"
  TOKEN=$(new_org "$ORG" 2>/dev/null) || fail "could not create org $ORG"
  export SIXPN_API_TOKEN="$TOKEN"
}

# scratch — a fresh empty directory as the current directory.
scratch() {
  local d
  d=$(mktemp -d "$WORK/dir.XXXXXX")
  cd "$d" || exit 1
}

# peer_count ORG — number of peers the API lists for ORG (uses $TOKEN).
peer_count() {
  api GET "/v1/orgs/$1/wireguard_peers?limit=1000"
  json_get "$OUT" 'len(d["items"])'
}

# strip_ansi — sixpn never colours off a terminal; this only guards the comparisons below.
assert_json_keys() {  # json python-expr expected-sorted-keys
  local got
  got=$(json_get "$1" "sorted($2.keys())")
  assert_eq "$3" "$got" "keys of $2"
}
