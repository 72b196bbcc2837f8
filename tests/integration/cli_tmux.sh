# Real terminals for the cli suites: a private tmux server (its own socket, killed at exit)
# whose panes run sixpn with stdin and stderr on a terminal.
TMUX_SOCKET="sixpn-test-$$"
tm() { tmux -L "$TMUX_SOCKET" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; cleanup' EXIT

# tm_run NAME SCRIPT — runs SCRIPT with bash in a new 200x50 pane; the pane stays after it
# ends so its screen can be read. CI is unset there: a person is at this terminal.
tm_run() {
  # The tmux server keeps the environment it started with; hand this test's settings over.
  {
    local v
    for v in SIXPN_API_URL SIXPN_API_TOKEN SIXPN_CONFIG_DIR HOME; do
      printf 'export %s=%q\n' "$v" "${!v:-}"
    done
    printf 'unset SIXPN_ORG SIXPN_APP SIXPN_WG_REGION\n%s\n' "$2"
  } >"$WORK/$1.sh"
  # remain-on-exit keeps the screen readable even when a stray Ctrl-C ends the pane early.
  tm new-session -d -s "$1" -x 200 -y 50 \
    "env -u CI bash --norc --noprofile $WORK/$1.sh; echo \"RC=\$?\"; sleep 600" \; \
    set-option -w -t "$1" remain-on-exit on
}

tm_screen() { tm capture-pane -p -J -t "$1" -S -100; }

# tm_wait NAME TEXT [SECONDS] — waits until the pane shows TEXT; fails with the screen if not.
tm_wait() {
  local i tries=$(( ${3:-15} * 10 ))
  for ((i = 0; i < tries; i++)); do
    if [[ "$(tm_screen "$1")" == *"$2"* ]]; then return 0; fi
    sleep 0.1
  done
  fail "terminal $1 never showed [$2]; screen:
$(tm_screen "$1")"
}

tm_keys() { tm send-keys -t "$1" "${@:2}"; }
