#!/usr/bin/env bash
# Completion scripts: loaded by their real shells at a real terminal, and kept in step with the
# command tree.
source "$(dirname "$0")/cli_helpers.sh"
source "$(dirname "$0")/cli_tmux.sh"
COMPLETIONS="$SIXPN_SOURCE_DIR/completions"
cli_start

# complete_in NAME SHELL-COMMAND SETUP… — starts SHELL with a stub `sixpn` that prints its
# arguments, runs SETUP, types "sixpn wi<TAB> cr<TAB>" and Enter, and expects the completed
# words to reach the stub.
complete_in() {
  local name=$1 shell=$2
  shift 2
  tm new-session -d -s "$name" -x 200 -y 50 "env -u CI HOME=$WORK/home $shell" \; \
    set-option -w -t "$name" remain-on-exit on
  sleep 0.5
  local line
  for line in "$@"; do
    tm_keys "$name" "$line" Enter
  done
  tm_keys "$name" "echo READY" Enter
  tm_wait "$name" "READY"$'\n'
  tm_keys "$name" "sixpn wi" Tab
  sleep 0.5
  tm_keys "$name" " cr" Tab
  sleep 0.5
  tm_keys "$name" Enter
  tm_wait "$name" "ARGS:wireguard create"
}

test_bash_completes_wi_to_wireguard() {
  complete_in bash "bash --norc --noprofile" 'sixpn() { echo "ARGS:$*"; }' \
    "source $COMPLETIONS/sixpn.bash"
}

test_zsh_completes_wi_to_wireguard_from_fpath() {
  complete_in zsh "zsh -f" "fpath=($COMPLETIONS \$fpath); autoload -U compinit; compinit -u" \
    'sixpn() { echo "ARGS:$*"; }'
}

test_fish_completes_wi_to_wireguard() {
  mkdir -p "$WORK/home"
  complete_in fish "fish --no-config" 'function sixpn; echo "ARGS:$argv"; end' \
    "source $COMPLETIONS/sixpn.fish"
}

test_checked_in_scripts_match_the_binary() {
  local shell file
  for shell in bash zsh fish; do
    case $shell in bash) file=sixpn.bash ;; zsh) file=_sixpn ;; fish) file=sixpn.fish ;; esac
    sixpn completion "$shell"
    assert_rc 0
    [ "$OUT" == "$(cat "$COMPLETIONS/$file")" ] ||
      fail "completions/$file is stale: run 'ninja -C build update-completions'"
  done
}

# bash_complete WORDS… — what the bash script offers for the last word (may be "").
bash_complete() {
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    _sixpn; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETIONS/sixpn.bash" "$SIXPN_BIN" "$@"
}

test_bash_completes_org_slugs_and_region_codes_from_the_api() {
  fresh_org
  assert_eq "$ORG" "$(bash_complete wg create "")" "org slugs"
  assert_eq "ams
atl" "$(bash_complete wg create "$ORG" a)" "region codes (deprecated hidden)"
  assert_eq "fra" "$(bash_complete machine create --region f)" "--region values"
  assert_eq "bash
zsh
fish" "$(bash_complete completion "")" "fixed choices"
}

test_bash_skips_global_flags_and_their_values() {
  assert_eq "create" "$(bash_complete --json --timeout 5 wg cr)"
  assert_eq "--force" "$(bash_complete wg create --fo)"
}

test_dynamic_values_stay_silent_without_a_server() {
  SIXPN_API_URL="http://127.0.0.1:1" run bash -c "$(declare -f bash_complete); COMPLETIONS=$COMPLETIONS SIXPN_BIN=$SIXPN_BIN bash_complete wg create ''"
  assert_rc 0
  assert_eq "" "$OUT"
  assert_eq "" "$ERR"
}

run_suite
