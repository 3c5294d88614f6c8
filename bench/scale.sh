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
TOKEN=bench-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
WORK=$(mktemp -d)
PID=
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Starts the server on $1; STARTUP_MS says how long until /api/status
# answered.
start() {
  local begin
  begin=$(now_ms)
  CERTMINT_ADMIN_TOKEN=$TOKEN "$BUILD/app/certmint" serve --listen 127.0.0.1:18543 \
    --data-dir "$1" --key-pool none > "$WORK/server.log" 2>&1 &
  PID=$!
  until curl -sf http://127.0.0.1:18543/api/status > /dev/null; do sleep 0.01; done
  STARTUP_MS=$(($(now_ms) - begin))
}

stop() {
  kill "$PID"
  wait "$PID" || true
  PID=
}

poll() {
  "$BUILD/bench/certmint-bench" --server 127.0.0.1:18543 --token "$TOKEN" --modes poll \
    --duration "$DURATION" --csrs 64 "$@" 2>/dev/null | grep '^poll'
}

echo "== empty store"
start "$WORK/empty"
echo "start (bootstrap included): $STARTUP_MS ms"
poll
stop

echo "== $COUNT stored requests"
start "$WORK/full"
stop
fill_begin=$(now_ms)
"$BUILD/bench/certmint-fill" "$WORK/full" "$COUNT" "$WORK/ids.txt"
echo "filled in $(($(now_ms) - fill_begin)) ms"
bytes=$(du -sb "$WORK/full" | cut -f1)
echo "disk: $bytes bytes, $((bytes / COUNT)) bytes per stored certificate (request + certificate + indexes)"
start "$WORK/full"
echo "restart to serving: $STARTUP_MS ms"
poll --poll-ids "$WORK/ids.txt"
stop
start "$WORK/full"
echo "second restart to serving: $STARTUP_MS ms"
# A crash under write load: the restart replays at most the WAL bound.
"$BUILD/bench/certmint-bench" --server 127.0.0.1:18543 --token "$TOKEN" --modes sync-csr \
  --duration 8 --csrs 64 > /dev/null 2>&1 &
LOAD=$!
sleep 6
kill -9 "$PID"
wait "$PID" 2> /dev/null || true
wait "$LOAD" 2> /dev/null || true
start "$WORK/full"
echo "restart after kill -9 under issuance load: $STARTUP_MS ms"
stop
