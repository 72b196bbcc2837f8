# Helpers for the fault suites, sourced after lib.sh: python3 stand-ins on 127.0.0.1 (a hostile
# fake API, a proxy that loses an answer) started on free ports and stopped with the case.
FAULT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HELPER_PIDS=()

stop_helpers() {
  local pid
  for pid in "${HELPER_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${HELPER_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  HELPER_PIDS=()
}

# wait_port_file FILE — prints the port a helper wrote there (bounded wait).
wait_port_file() {
  local i
  for i in $(seq 1 100); do
    [ -s "$1" ] && { cat "$1"; return 0; }
    sleep 0.05
  done
  return 1
}

# start_fake MODE — a fake API answering in MODE (see fake_api.py); sets FAKE_URL.
start_fake() {
  local portfile="$WORK/fake.$1.$RANDOM.port"
  python3 "$FAULT_DIR/fake_api.py" "$1" "$portfile" 2>>"$WORK/fake.log" &
  HELPER_PIDS+=($!)
  FAKE_URL="http://127.0.0.1:$(wait_port_file "$portfile")" || fail "fake API ($1) did not start"
}

# start_drop_proxy UPSTREAM_PORT MODE LOG — loses the answer to the first POST; sets PROXY_URL.
start_drop_proxy() {
  local portfile="$WORK/proxy.$2.$RANDOM.port"
  python3 "$FAULT_DIR/drop_proxy.py" "$1" "$2" "$portfile" "$3" 2>>"$WORK/proxy.log" &
  HELPER_PIDS+=($!)
  PROXY_URL="http://127.0.0.1:$(wait_port_file "$portfile")" || fail "proxy ($2) did not start"
}

# assert_clean_failure EXPECTED_RC — the last `run`: that exit code, nothing on stdout, and on
# stderr one "Error: …" line, optionally followed by one "hint: …" line, and nothing else.
# An exit code of 128 or more (a signal) or a sanitizer report is a crash, whatever was expected.
assert_clean_failure() {
  [ "$RC" -lt 124 ] || fail "crashed or hung (exit $RC); stderr: ${ERR:0:600}"
  assert_not_contains "$ERR" "Sanitizer" "stderr"
  assert_not_contains "$ERR" "runtime error:" "stderr"
  assert_rc "$1"
  [ -z "$OUT" ] || fail "stdout is not empty on failure: ${OUT:0:200}"
  local lines first
  lines=$(printf '%s\n' "$ERR" | wc -l)
  first=$(printf '%s\n' "$ERR" | head -1)
  [[ "$first" == "Error: "* ]] || fail "stderr does not start with 'Error: ': ${ERR:0:300}"
  if [ "$lines" -eq 2 ]; then
    [[ "$(printf '%s\n' "$ERR" | sed -n 2p)" == "hint: "* ]] || fail "second line is not a hint: ${ERR:0:300}"
  elif [ "$lines" -ne 1 ]; then
    fail "stderr has $lines lines, not one error (and a hint): ${ERR:0:600}"
  fi
}
