#!/usr/bin/env bash
# The RSA-2048 measurements (`make bench-rsa`), each against a server of its
# own on an empty data directory:
#   1. an RSA-2048 CA issuing for EC P-256 CSRs, against that CA's sign
#      ceiling;
#   2. managed RSA-2048 keys without a pool, sustained, against the key
#      generation ceiling; long ceilings, because one key takes ~0.2 s give
#      or take 0.1 s, so a 3 s ceiling of ~30 keys is off by ~10 %;
#   3. a burst of managed RSA-2048 keys served from a filled pool, after an
#      equally long burst of P-256 keys (made on demand) on the same server
#      to compare its latency with.
# Results in bench/results-rsa-*.json and bench/results-burst-*.json.
# Takes about five minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
MANAGED_DURATION=${RSA_MANAGED_DURATION:-60}
MANAGED_CEILING_SECONDS=${RSA_CEILING_SECONDS:-30}
POOL=${RSA_POOL:-256}
PORT=18643
# shellcheck source=bench/server_control.sh
. bench/server_control.sh

cpu_ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

echo "== 1. RSA-2048 CA, EC P-256 CSRs, sync, $CONNECTIONS connections"
start "$WORK/rsa-ca" --ca-key-algorithm RSA_2048 --key-pool none
run_bench --modes sync-csr --ca-key-algorithm RSA_2048 --connections "$CONNECTIONS" \
  --duration "$DURATION" --json bench/results-rsa-ca.json
stop

echo "== 2. managed RSA-2048 keys, no pool, sustained, 8 connections"
start "$WORK/managed" --key-pool none
run_bench --modes sync-managed --key-algorithm RSA_2048 --connections 8 --csrs 4 \
  --duration "$MANAGED_DURATION" --ceiling-seconds "$MANAGED_CEILING_SECONDS" \
  --json bench/results-rsa-managed.json
stop

echo "== 3. bursts of $POOL managed keys, $CONNECTIONS connections: P-256, then RSA-2048 from a filled pool"
start "$WORK/bursts" --key-pool "RSA_2048=$POOL"
# The server says nothing when its pool is full; its makers then stop, so
# wait until it has used no CPU for two seconds.
last=$(cpu_ticks)
idle=0
while [ "$idle" -lt 4 ]; do
  sleep 0.5
  now=$(cpu_ticks)
  if [ "$now" -eq "$last" ]; then idle=$((idle + 1)); else idle=0; fi
  last=$now
done
echo "pool filled: $((last / $(getconf CLK_TCK))) s of server CPU"
echo "(what these bursts show is latency: their ratios to the key generation"
echo "ceiling mean nothing, since the RSA keys were made before they began)"
for alg in EC_prime256v1 RSA_2048; do
  run_bench --modes sync-managed --key-algorithm "$alg" --connections "$CONNECTIONS" --csrs 4 \
    --requests "$POOL" --duration 60 --json "bench/results-burst-$alg.json"
done
stop
