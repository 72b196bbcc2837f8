#!/usr/bin/env bash
# Start-up cost: `sixpn --version` against /bin/true (process creation alone) and against
# `curl --version` (another libcurl program), alternating, median of RUNS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
SIXPN_BIN=${SIXPN_BIN:-$here/../build/commands/sixpn}
RUNS=${RUNS:-30}
compare "startup: sixpn --version vs true" "$RUNS" "(cost of loading)" "$SIXPN_BIN --version" "/bin/true"
compare "startup: sixpn --version vs curl" "$RUNS" "≤ 1.5x" "$SIXPN_BIN --version" "curl --version"
