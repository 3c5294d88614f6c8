# shellcheck shell=bash
# Sourced by the benchmark scripts: one certmint server at a time on
# 127.0.0.1:$PORT, its data under a temporary directory removed on exit.
# The script sets BUILD and PORT first.
TOKEN=bench-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
WORK=$(mktemp -d)
PID=
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2> /dev/null || true; fi
  wait 2> /dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# Starts the server on data directory $1 with the flags that follow;
# STARTUP_MS says how long until /api/status answered.
start() {
  local dir=$1 begin
  shift
  begin=$(now_ms)
  CERTMINT_ADMIN_TOKEN=$TOKEN "$BUILD/app/certmint" serve --listen "127.0.0.1:$PORT" \
    --data-dir "$dir" "$@" > "$WORK/server.log" 2>&1 &
  PID=$!
  until curl -sf --max-time 1 "http://127.0.0.1:$PORT/api/status" > /dev/null; do
    # A server left on the port by someone else would answer instead.
    if ! kill -0 "$PID" 2> /dev/null; then
      echo "certmint did not start:" >&2
      cat "$WORK/server.log" >&2
      exit 1
    fi
    sleep 0.01
  done
  # shellcheck disable=SC2034 # read by the scripts that source this
  STARTUP_MS=$(($(now_ms) - begin))
}

stop() {
  kill "$PID"
  wait "$PID" || true
  PID=
}

# certmint-bench against the running server, sampling its CPU and RSS.
run_bench() {
  "$BUILD/bench/certmint-bench" --server "127.0.0.1:$PORT" --token "$TOKEN" --server-pid "$PID" "$@"
}
