#!/usr/bin/env bash
# The demo under load: `npm run demo -- --once` RUNS times in a row (default 20), each run two demos at once
# on a machine kept busy by one CPU hog per core. A run passes when both of its demos pass.
#
#   bash scripts/stress-demo.sh [RUNS]
#
# Prints one line per run and a final "N/RUNS passed" line; exits 1 if any run failed, 2 on a usage error.
# Each failing demo's stdout (its JSON verdict) and stderr (its progress, and where it kept its logs) stay in
# the folder named at the start and at the end; it is removed when every run passed.
#
# The two demos of a run share nothing: each picks free ports (nats-server and anvil are started again on a
# new port if another process takes theirs first; the sites bind port 0) and its own temporary folder. The
# contracts are built once before the first run, so the demos' own build step finds them up to date and
# writes nothing.
set -euo pipefail

usage() { echo "usage: bash scripts/stress-demo.sh [RUNS]   (RUNS: 1-1000, default 20)" >&2; exit 2; }
[[ $# -le 1 ]] || usage
RUNS="${1:-20}"
[[ "$RUNS" =~ ^[1-9][0-9]{0,3}$ && "$RUNS" -le 1000 ]] || usage

cd "$(dirname "${BASH_SOURCE[0]}")/.."
CORES="$(nproc)"
OUT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/sibyl-stress-demo.XXXXXX")"
HOGS=()
DEMOS=()

# A demo that hangs past every bound it states is stopped (and counts as a failure, exit 124).
DEMO_TIMEOUT_SEC=900

cleanup() {
  local pid
  # Each demo runs under `timeout`, in a process group of its own; told to stop, timeout passes the signal
  # once to that whole group (npm, the demo, its anvil and nats-server), and the demo stops in order and
  # removes its folder. (A second signal would make the demo kill everything at once and keep its folder.)
  for pid in "${DEMOS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${HOGS[@]}"; do { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true; done
  # The group outlives timeout and npm while the demo shuts down: wait for it (60 s at most), then kill it.
  local deadline=$((SECONDS + 60))
  for pid in "${DEMOS[@]}"; do
    while kill -0 -- "-$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "interrupted; output so far in $OUT_DIR" >&2; exit 130' INT TERM

now_ms() { date +%s%3N; }

echo "stress: $RUNS runs of two demos at once, $CORES CPU hog(s), output of failures in $OUT_DIR"
npm run --silent build >"$OUT_DIR/build.log" 2>&1 || { echo "stress: the contracts do not build; see $OUT_DIR/build.log" >&2; exit 1; }
npm run --silent prerequisites >/dev/null

for _ in $(seq 1 "$CORES"); do
  node -e 'for (;;) {}' &
  HOGS+=("$!")
done

passed=0
demos_passed=0
for run in $(seq 1 "$RUNS"); do
  started="$(now_ms)"
  DEMOS=()
  for side in a b; do
    timeout -k 30 "$DEMO_TIMEOUT_SEC" npm run demo -- --once >"$OUT_DIR/run-$run-$side.out" 2>"$OUT_DIR/run-$run-$side.err" &
    DEMOS+=("$!")
  done
  results=()
  notes=()
  i=0
  for side in a b; do
    rc=0
    wait "${DEMOS[$i]}" || rc=$?
    i=$((i + 1))
    if [[ $rc -eq 0 ]]; then
      results+=("$side ok")
      demos_passed=$((demos_passed + 1))
      rm -f "$OUT_DIR/run-$run-$side.out" "$OUT_DIR/run-$run-$side.err"
    else
      why="exit $rc"
      if [[ $rc -eq 124 ]]; then why="timed out after $DEMO_TIMEOUT_SEC s"; fi
      results+=("$side FAILED ($why)")
      # The verdict line, or the error that stopped the demo.
      notes+=("$side: $(grep -E '✗ not every check passed|^sibyl demo: ' "$OUT_DIR/run-$run-$side.err" | head -n 1 | cut -c 1-300 || true)")
    fi
  done
  DEMOS=()
  took="$(( ($(now_ms) - started) / 1000 ))"
  if [[ "${results[0]}" == "a ok" && "${results[1]}" == "b ok" ]]; then
    passed=$((passed + 1))
    printf 'run %3d/%d  pass  %4d s  (%s, %s)\n' "$run" "$RUNS" "$took" "${results[0]}" "${results[1]}"
  else
    printf 'run %3d/%d  FAIL  %4d s  (%s, %s)\n' "$run" "$RUNS" "$took" "${results[0]}" "${results[1]}"
    for note in "${notes[@]}"; do printf '            %s\n' "$note"; done
  fi
done

echo "$passed/$RUNS passed ($demos_passed/$((2 * RUNS)) demos)"
if [[ $passed -eq $RUNS ]]; then
  rm -rf "$OUT_DIR"
  exit 0
fi
echo "the failing demos' output is in $OUT_DIR"
exit 1
