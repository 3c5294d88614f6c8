#!/usr/bin/env bash
# The standard benchmark suite (`make bench`): starts certmint (and, when
# installed, `cfssl serve` as a peer) on 127.0.0.1, runs certmint-bench,
# writes bench/results.json, stops everything. Bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
TOKEN=bench-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

CERTMINT_ADMIN_TOKEN=$TOKEN "$BUILD/app/certmint" serve --listen 127.0.0.1:18443 \
  --data-dir "$WORK/data" > "$WORK/certmint.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")

CFSSL_ARGS=()
if command -v cfssl > /dev/null; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
    -subj "/CN=cfssl bench CA" -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" 2> /dev/null
  cat > "$WORK/cfssl.json" << 'JSON'
{"signing": {"default": {"expiry": "2160h", "usages": ["digital signature", "server auth"]}}}
JSON
  cfssl serve -address 127.0.0.1 -port 18888 -ca "$WORK/ca.pem" -ca-key "$WORK/ca-key.pem" \
    -config "$WORK/cfssl.json" > "$WORK/cfssl.log" 2>&1 &
  PIDS+=($!)
  CFSSL_ARGS=(--cfssl 127.0.0.1:18888 --cfssl-pid $!)
else
  echo "cfssl not installed: skipping the cfssl comparison (apt-get install golang-cfssl)"
fi

for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:18443/api/status > /dev/null && break
  sleep 0.1
done
# A server left on the port by someone else would answer the loop above.
if ! kill -0 "$SERVER_PID" 2> /dev/null; then
  echo "certmint did not start:" >&2
  cat "$WORK/certmint.log" >&2
  exit 1
fi

# Order matters, because accepted asynchronous requests outlive their mode
# in the backlog: first what needs an empty backlog (async-poll waits for its
# own requests, which queue behind everything pending), then what fills it
# (async-submit, and ten times the connections, shed with 429 past
# --max-backlog), then polls while it drains. The pending counts printed
# before and after each mode show it.
MODES=${BENCH_MODES:-sync-csr,sync-managed,async-poll,mixed,async-submit,async-submit@$((CONNECTIONS * 10)),poll}
"$BUILD/bench/certmint-bench" --server 127.0.0.1:18443 --token "$TOKEN" \
  --duration "$DURATION" --connections "$CONNECTIONS" --json bench/results.json \
  --server-pid "$SERVER_PID" --modes "$MODES" "${CFSSL_ARGS[@]}"
echo "results: bench/results.json"
