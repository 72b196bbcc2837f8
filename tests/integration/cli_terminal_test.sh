#!/usr/bin/env bash
# A person at a real terminal (tmux): the org select prompt, the file prompt, the remove
# confirmation, and Ctrl-C.
source "$(dirname "$0")/cli_helpers.sh"
source "$(dirname "$0")/cli_tmux.sh"
cli_start

# two_orgs — ORG and ORG2, and a token that sees both (exported).
two_orgs() {
  fresh_org
  ORG2="$ORG-two"
  "$SIXPND_BIN" orgs create "$ORG2" --db "$DB" >/dev/null 2>&1 || fail "org"
  TOKEN=$("$SIXPND_BIN" tokens create --db "$DB" --org "$ORG" --org "$ORG2")
  export SIXPN_API_TOKEN=$TOKEN
}

test_org_select_prompt_picks_the_org_on_a_terminal() {
  two_orgs; scratch
  sixpn wg create "$ORG2" ams in-second stdout
  assert_rc 0
  tm_run select "cd '$PWD' && '$SIXPN_BIN' wg list"
  tm_wait select "? Select organization:"
  local screen
  screen=$(tm_screen select)
  assert_contains "$screen" "  1) $ORG ($ORG)"
  assert_contains "$screen" "  2) $ORG2 ($ORG2)"
  tm_keys select "7" Enter
  tm_wait select "Please enter a number from 1 to 2."
  tm_keys select "2" Enter
  tm_wait select "RC=0"
  assert_contains "$(tm_screen select)" "in-second"
}

test_remove_asks_for_confirmation_and_no_keeps_the_peer() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams keepme stdout
  tm_run keep "'$SIXPN_BIN' wg remove '$ORG' keepme"
  tm_wait keep "? Remove WireGuard peer \"keepme\" from org $ORG? Its configuration stops working [y/N]:"
  tm_keys keep "n" Enter
  tm_wait keep "RC=0"
  assert_contains "$(tm_screen keep)" "Kept peer keepme; nothing was removed"
  assert_eq 1 "$(peer_count "$ORG")" "peers after answering no"
}

test_remove_on_a_terminal_offers_the_peers_then_confirms() {
  fresh_org; scratch
  sixpn wg create "$ORG" ams first stdout
  sixpn wg create "$ORG" ams second stdout
  tm_run pick "'$SIXPN_BIN' wg remove '$ORG'"
  tm_wait pick "? Select the peer to remove:"
  assert_contains "$(tm_screen pick)" "  2) second (ams, "
  tm_keys pick "2" Enter
  tm_wait pick "? Remove WireGuard peer \"second\""
  tm_keys pick "y" Enter
  tm_wait pick "RC=0"
  assert_contains "$(tm_screen pick)" "Removed WireGuard peer second from org $ORG"
  sixpn wg list "$ORG" --json
  assert_eq '["first"]' "$(json_get "$OUT" '[p["name"] for p in d]')"
}

test_file_prompt_offers_name_dot_conf_and_writes_it() {
  fresh_org; scratch
  tm_run file "cd '$PWD' && '$SIXPN_BIN' wg create '$ORG' ams desk"
  tm_wait file "? Filename to store WireGuard configuration in, or 'stdout' (desk.conf):"
  assert_not_contains "$(tm_screen file)" "!!!! WARNING" "screen before answering"
  tm_keys file Enter
  tm_wait file "RC=0"
  assert_contains "$(tm_screen file)" "Wrote WireGuard configuration to 'desk.conf'"
  assert_eq "600" "$(stat -c %a desk.conf)" "mode"
}

test_file_prompt_asks_again_after_a_bad_name() {
  fresh_org; scratch
  tm_run again "cd '$PWD' && '$SIXPN_BIN' wg create '$ORG' ams desk2"
  tm_wait again "(desk2.conf):"
  tm_keys again "sixteen-chars-16.conf" Enter
  tm_wait again "interface name \"sixteen-chars-16\" is 16 characters"
  tm_keys again "short.conf" Enter
  tm_wait again "RC=0"
  [ -f short.conf ] || fail "short.conf not written"
  assert_eq 1 "$(peer_count "$ORG")" "peers"
}

test_ctrl_c_at_a_prompt_exits_130_and_creates_nothing() {
  two_orgs; scratch
  tm_run intr "cd '$PWD' && '$SIXPN_BIN' wg create '' ams late late.conf"
  tm_wait intr "? Select organization:"
  tm_keys intr C-c
  tm_wait intr "RC=130"
  assert_contains "$(tm_screen intr)" "Error: interrupted"
  [ ! -e late.conf ] || fail "late.conf exists"
  assert_eq 0 "$(peer_count "$ORG")" "peers in the first org"
}

test_ctrl_c_during_a_request_exits_130() {
  fresh_org
  hang_server
  trap "kill $HANG_PID 2>/dev/null" EXIT
  tm_run hang "'$SIXPN_BIN' orgs list --api-url http://127.0.0.1:$HANG_PORT --timeout 60"
  hang_wait_accepted
  tm_keys hang C-c
  tm_wait hang "RC=130" 5
  assert_contains "$(tm_screen hang)" "Error: interrupted"
}

run_suite
