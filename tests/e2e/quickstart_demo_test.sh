#!/usr/bin/env bash
# The quick start's walk-through (scripts/demo.sh, what quickstart.sh runs after building) on
# the binaries under test: it must end with the machine's own answer, fetched by name from the
# laptop namespace through the tunnel, as the last line of stdout — and leave nothing behind:
# no namespace, container, WireGuard socket or address of its run, on success as on failure.
set -u
SOURCE=${SIXPN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: the walk-through needs root" >&2; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIPPED: /dev/net/tun is missing" >&2; exit 77; }
command -v runc >/dev/null || { echo "SKIPPED: runc is missing" >&2; exit 77; }
OUT=$(mktemp -d "${TMPDIR:-/tmp}/sixpn-demo-test.XXXXXX")
trap 'rm -rf "$OUT"' EXIT

timeout 300 bash "$SOURCE/scripts/demo.sh" >"$OUT/stdout" 2>"$OUT/stderr" &
demo=$!
wait "$demo"
rc=$?
tag="sxd$demo"
failed=0
check() {  # name condition…
  local name=$1
  shift
  if "$@"; then echo "ok - $name"; else echo "not ok - $name"; failed=$((failed + 1)); fi
}
last_line_is_the_machines_answer() {
  local last
  last=$(tail -1 "$OUT/stdout")
  [[ "$last" =~ ^hello\ from\ machine\ [0-9a-f]{14}\ of\ my-app\ in\ ams\ \(fdaa:0:1:[0-9a-f:]+\)$ ]] ||
    { echo "    last line of stdout: [$last]" >&2; return 1; }
}
dig_answered_the_same_address() {
  local address
  address=$(sed -n 's/.*(\(fdaa:[0-9a-f:]*\))$/\1/p' "$OUT/stdout" | tail -1)
  [ -n "$address" ] && [ "$(tail -2 "$OUT/stdout" | head -1)" == "$address" ]
}
nothing_of_the_run_remains() {
  ! ip netns list | grep -q "^$tag-" &&
    [ ! -e "/var/run/wireguard/$tag.sock" ] && [ ! -e "/etc/netns/$tag-laptop" ] &&
    ! pgrep -f -- "--host-netns-prefix $tag-m" >/dev/null
}
check the_walk_through_exits_0 test "$rc" -eq 0
check its_last_line_is_the_machines_answer_by_name_through_the_tunnel last_line_is_the_machines_answer
check dig_on_the_laptop_answered_the_machines_address dig_answered_the_same_address
check nothing_of_the_run_remains nothing_of_the_run_remains
if [ "$failed" -ne 0 ]; then
  echo "--- stderr of the walk-through:" >&2
  tail -40 "$OUT/stderr" >&2
fi
echo "$((4 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
