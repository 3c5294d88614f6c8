#!/usr/bin/env bash
# Scale measurements (`make bench-scale`): with SCALE_COUNT (default
# 1,000,000) issued requests stored, how long a restart takes until the
# server answers, how polling by id compares with an empty store, and how
# many bytes on disk each stored certificate costs. Bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
COUNT=${SCALE_COUNT:-1000000}
DURATION=${BENCH_DURATION:-10}
PORT=18543
# shellcheck source=bench/server_control.sh
. bench/server_control.sh

poll() {
  run_bench --modes poll --duration "$DURATION" --csrs 64 "$@" 2> /dev/null | grep '^poll'
}

echo "== empty store"
start "$WORK/empty" --key-pool none
echo "start (bootstrap included): $STARTUP_MS ms"
poll
stop

echo "== $COUNT stored requests"
start "$WORK/full" --key-pool none
stop
fill_begin=$(now_ms)
"$BUILD/bench/certmint-fill" "$WORK/full" "$COUNT" "$WORK/ids.txt"
echo "filled in $(($(now_ms) - fill_begin)) ms"
bytes=$(du -sb "$WORK/full" | cut -f1)
echo "disk: $bytes bytes, $((bytes / COUNT)) bytes per stored certificate (request + certificate + indexes)"
start "$WORK/full" --key-pool none
echo "restart to serving: $STARTUP_MS ms"
poll --poll-ids "$WORK/ids.txt"
stop
start "$WORK/full" --key-pool none
echo "second restart to serving: $STARTUP_MS ms"
# A crash under write load: the restart replays at most the WAL bound.
run_bench --modes sync-csr --duration 8 --csrs 64 > /dev/null 2>&1 &
LOAD=$!
sleep 6
kill -9 "$PID"
wait "$PID" 2> /dev/null || true
wait "$LOAD" 2> /dev/null || true
start "$WORK/full" --key-pool none
echo "restart after kill -9 under issuance load: $STARTUP_MS ms"
stop
