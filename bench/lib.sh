# Benchmark helpers: time two commands alternately (A B A B …) so that noise on the shared
# machine hits both alike, and report medians, min/max and the ratio of medians.
set -u

RESULTS_TSV=${RESULTS_TSV:-/dev/null}

# time_once CMD — wall time of one run in microseconds; the command's output is discarded.
# The command runs in a subshell of this bash rather than under a new `bash -c`: starting bash
# costs about a millisecond, as much as /bin/true itself, and would flatten every ratio; and the
# clock is bash's own, since forking `date` would add its start-up to every sample.
time_once() {
  local start end
  start=${EPOCHREALTIME/./}
  (eval "$1") >/dev/null 2>&1 </dev/null
  end=${EPOCHREALTIME/./}
  echo $((end - start))
}

# stats "us us us…" — "median min max" in milliseconds with two decimals.
stats() {
  echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -n | awk '
    { v[NR] = $1 }
    END {
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.2f %.2f %.2f\n", m / 1000, v[1] / 1000, v[NR] / 1000
    }'
}

# compare NAME RUNS GOAL "CMD_A" "CMD_B" — prints one table row and appends it to RESULTS_TSV.
compare() {
  local name=$1 runs=$2 goal=$3 a=$4 b=$5 ta="" tb="" i
  (eval "$a") >/dev/null 2>&1 </dev/null  # warm caches once for each side
  (eval "$b") >/dev/null 2>&1 </dev/null
  for i in $(seq 1 "$runs"); do
    ta="$ta $(time_once "$a")"
    tb="$tb $(time_once "$b")"
  done
  report_times "$name" "$runs" "$goal" "$ta" "$tb"
}

# report_times NAME RUNS GOAL "us us…" "us us…" — the row of compare() for wall times (in
# microseconds) a script has taken itself, A against the reference B.
report_times() {
  local name=$1 runs=$2 goal=$3 ta=$4 tb=$5
  read -r am amin amax <<<"$(stats "$ta")"
  read -r bm bmin bmax <<<"$(stats "$tb")"
  local ratio
  ratio=$(awk -v x="$am" -v y="$bm" 'BEGIN { printf "%.2f", (y > 0) ? x / y : 0 }')
  printf '%-34s %9s ms (%s–%s)  %9s ms (%s–%s)  %6sx  goal %s\n' \
    "$name" "$am" "$amin" "$amax" "$bm" "$bmin" "$bmax" "$ratio" "$goal"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$am" "$amin" "$amax" "$bm" "$bmin" \
    "$bmax" "$ratio" "$goal" "$runs" >>"$RESULTS_TSV"
}
