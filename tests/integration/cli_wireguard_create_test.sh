#!/usr/bin/env bash
# sixpn wireguard create: validation before side effects, stdout carries only the config, files
# are 0600 and never overwritten, and wg-quick accepts what is written.
source "$(dirname "$0")/cli_helpers.sh"
cli_start

test_stdout_target_prints_only_a_config_wg_quick_accepts() {
  fresh_org; scratch
  sixpn wireguard create "$ORG" ams laptop stdout
  assert_rc 0
  assert_eq "[Interface]" "$(head -1 <<<"$OUT")" "first line of stdout"
  assert_not_contains "$OUT" "WARNING" "stdout"
  assert_contains "$ERR" "!!!! WARNING: Output includes private key." "stderr banner"
  # Redirected exactly as a user would: the file must load.
  printf '%s\n' "$OUT" >laptop.conf
  chmod 600 laptop.conf
  wg-quick strip ./laptop.conf >stripped 2>wgerr || fail "wg-quick strip refused it: $(cat wgerr)"
  assert_contains "$(cat stripped)" "PrivateKey = "
  assert_contains "$(cat stripped)" "Endpoint = "
  assert_eq 1 "$(peer_count "$ORG")" "peers"
}

test_config_matches_the_peer_and_only_the_public_key_was_sent() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams keycheck keycheck.conf
  assert_rc 0
  local private public
  private=$(sed -n 's/^PrivateKey = //p' keycheck.conf)
  public=$(wg pubkey <<<"$private")
  api GET "/v1/orgs/$ORG/wireguard_peers"
  assert_eq "$public" "$(json_get "$OUT" 'd["items"][0]["pubkey"]')" "registered public key"
  assert_eq "Address = $(json_get "$OUT" 'd["items"][0]["peer_ip"]')/120" \
    "$(grep '^Address' keycheck.conf)" "Address line"
  assert_not_contains "$(cat "$SIXPND_LOG")" "$private" "server log"
}

test_file_is_written_with_mode_0600_and_announced_on_stderr() {
  fresh_org; scratch
  umask 000
  sixpn wg create "$ORG" ams office office.conf
  assert_rc 0
  assert_eq "600" "$(stat -c %a office.conf)" "mode"
  assert_eq "" "$OUT" "stdout"
  assert_contains "$ERR" "Wrote WireGuard configuration to 'office.conf'"
}

test_json_prints_metadata_and_never_the_private_key() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams meta meta.conf --json
  assert_rc 0
  assert_eq '["created_at", "dns", "endpoint", "file", "name", "org", "peer_ip", "region"]' \
    "$(json_get "$OUT" 'sorted(d.keys())')" "keys"
  assert_eq "meta.conf" "$(json_get "$OUT" 'd["file"]')"
  assert_eq "ams" "$(json_get "$OUT" 'd["region"]')"
  local private
  private=$(sed -n 's/^PrivateKey = //p' meta.conf)
  assert_not_contains "$OUT" "$private" "JSON"
  assert_not_contains "$ERR" "$private" "stderr"
}

test_json_with_stdout_target_is_refused_before_creating() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams p stdout --json
  assert_rc 2
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_sixteen_character_stem_is_exit_2_and_creates_no_peer() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams longname sixteen-chars-16.conf
  assert_rc 2
  assert_eq 'Error: file name "sixteen-chars-16.conf" will not load: interface name "sixteen-chars-16" is 16 characters; wg-quick allows at most 15
hint: the file'"'"'s stem becomes the interface name; try sixteen-chars-1.conf' "$ERR"
  assert_eq 0 "$(peer_count "$ORG")" "peers after the refusal"
  [ ! -e sixteen-chars-16.conf ] || fail "file was created"
}

test_file_not_ending_in_conf_is_refused() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams p p.txt
  assert_rc 2
  assert_contains "$ERR" 'must end in .conf'
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_existing_file_is_refused_and_no_peer_is_created() {
  fresh_org; scratch
  echo "keep" >taken.conf
  sixpn wg create "$ORG" ams taken taken.conf
  assert_rc 5
  assert_eq "Error: taken.conf already exists; not overwriting it" "$(head -1 <<<"$ERR")"
  assert_eq "keep" "$(cat taken.conf)" "file content"
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_force_replaces_an_existing_file() {
  fresh_org; scratch
  echo "old" >forced.conf
  sixpn wg create "$ORG" ams forced forced.conf --force
  assert_rc 0
  assert_eq "[Interface]" "$(head -1 forced.conf)"
  assert_eq "600" "$(stat -c %a forced.conf)" "mode"
  assert_eq "forced.conf" "$(ls)" "directory holds only the config"
}

test_unwritable_directory_is_found_before_creating() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams nodir no/such/dir/p.conf
  assert_rc 1
  assert_contains "$ERR" "cannot create no/such/dir/p.conf"
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_bad_peer_name_is_refused_before_creating() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams "bad_name!" p.conf
  assert_rc 2
  assert_contains "$ERR" 'peer name "bad_name!" may contain only letters, digits and'
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_region_without_gateway_is_refused_listing_gateway_regions() {
  fresh_org; scratch
  sixpn wg create "$ORG" atl p p.conf
  assert_rc 2
  assert_eq 'Error: region "atl" has no WireGuard gateway
hint: regions with a gateway: ams, fra (see '"'"'sixpn platform regions'"'"')' "$ERR"
  assert_eq 0 "$(peer_count "$ORG")" "peers"
  sixpn wg create "$ORG" xyz p p.conf
  assert_rc 2
  assert_contains "$ERR" 'Error: unknown region "xyz"'
}

test_region_defaults_to_env_then_nearest() {
  fresh_org; scratch
  SIXPN_WG_REGION=ams sixpn wg create "$ORG" "" envr envr.conf --json
  assert_rc 0
  assert_eq "ams" "$(json_get "$OUT" 'd["region"]')" "region from SIXPN_WG_REGION"
  sixpn wg create "$ORG" "" near near.conf --json
  assert_rc 0
  assert_eq "fra" "$(json_get "$OUT" 'd["region"]')" "the API's nearest region"
}

test_default_name_starts_with_interactive() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams "" stdout
  assert_rc 0
  api GET "/v1/orgs/$ORG/wireguard_peers"
  local name
  name=$(json_get "$OUT" 'd["items"][0]["name"]')
  [[ "$name" =~ ^interactive-[a-z0-9-]+-[0-9a-f]{8}$ ]] || fail "generated name: $name"
}

test_missing_file_off_a_terminal_is_an_error_not_a_prompt() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams nofile
  assert_rc 2
  assert_eq "Error: no file given for the configuration
hint: pass a file name ending in .conf, or 'stdout' to print it" "$ERR"
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_taken_peer_name_is_a_conflict_and_leaves_no_file() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams twice one.conf
  assert_rc 0
  sixpn wg create "$ORG" ams twice two.conf
  assert_rc 5
  [ ! -e two.conf ] || fail "two.conf was left behind"
  assert_eq 1 "$(peer_count "$ORG")" "peers"
}

test_unwritable_stdout_removes_the_peer_again() {
  fresh_org; scratch
  # /dev/full refuses every write: the config cannot be delivered, so no orphan may remain.
  timeout 60 "$SIXPN_BIN" wg create "$ORG" ams orphan stdout </dev/null >/dev/full 2>err
  assert_eq 1 "$?" "exit code"
  assert_contains "$(cat err)" "cannot write the configuration to stdout"
  assert_contains "$(cat err)" 'peer "orphan" was removed again'
  assert_eq 0 "$(peer_count "$ORG")" "peers"
}

test_help_shows_stdout_and_file_usage() {
  sixpn wg create --help
  assert_rc 0
  assert_contains "$OUT" "sixpn wg create my-org ams my-laptop stdout > my-laptop.conf"
  assert_contains "$OUT" "sixpn wg create my-org ams my-laptop my-laptop.conf"
}

run_suite
