#!/usr/bin/env bash
# Live-traffic test, full length (issue 21): tests/it/live_traffic.rs with bigger sizes, run
# RUNS times on each server, one at a time. The tests start their own clusters (3 masters +
# 3 replicas) and a cluster client writing through every mutating command (reshard, add-node,
# rebalance onto an empty master, drain by weight 0, del-node, add-node --replica, failover, a
# second reshard), through `fix` after rcluster is SIGKILLed mid-reshard, and through `fix` after
# the source (then the target) master is SIGKILLed mid-reshard and replaced; after each
# command: no acknowledged write lost, counters exact, no wrong read, every node clean and
# agreeing, no server crash. CI runs the same file small (about a minute per server); this
# script runs it bigger, with 10 rcluster kills per run.
#
# Prints one line per run (server, run, result, time), then every step's line (exit code,
# client commands, slowest reply, client errors per kind) from the tests' summaries; the full
# output of each run is kept in LOG_DIR. Exits 1 when a run failed.
#
#   scripts/traffic-test.sh [server...]    servers as scripts/fetch-servers.sh names them
#                                          (default: redis-6.2 redis-7.0 redis-8.2 valkey-8.1
#                                          valkey-9.0 valkey-9.1)
#   env: RUNS (3), LIVE_TRAFFIC_KEYS (200000), LIVE_TRAFFIC_SLOTS (4000),
#        LIVE_TRAFFIC_KILL_ROUNDS (10: even rounds the default engine, odd rounds MIGRATE),
#        LIVE_TRAFFIC_ENGINE (auto: --engine of the reshard whose source or target master is
#        killed; run again with legacy on Valkey 9 for both engines),
#        LOG_DIR (a new temp dir), TEST_FILTER (the start of a test name, e.g. fix_after;
#        several, space-separated, run each)
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
export LIVE_TRAFFIC_KEYS=${LIVE_TRAFFIC_KEYS:-200000}
export LIVE_TRAFFIC_SLOTS=${LIVE_TRAFFIC_SLOTS:-4000}
export LIVE_TRAFFIC_KILL_ROUNDS=${LIVE_TRAFFIC_KILL_ROUNDS:-10}
LOG_DIR=${LOG_DIR:-$(mktemp -d -t rcluster-traffic-XXXXXX)}
mkdir -p "$LOG_DIR"
if [ $# -gt 0 ]; then
    SERVERS=("$@")
else
    SERVERS=(redis-6.2 redis-7.0 redis-8.2 valkey-8.1 valkey-9.0 valkey-9.1)
fi

# The tests: the live_traffic module of the integration-test binary, or those of its tests whose
# names start with a word of TEST_FILTER.
read -ra FILTER_WORDS <<<"${TEST_FILTER:-}"
FILTERS=(live_traffic::)
if [ ${#FILTER_WORDS[@]} -gt 0 ]; then FILTERS=("${FILTER_WORDS[@]/#/live_traffic::}"); fi

# Build once, before any clock starts.
cargo test --test it --no-run >/dev/null 2>&1 || cargo test --test it --no-run

echo "traffic-test: ${#SERVERS[@]} server(s) x $RUNS run(s), $LIVE_TRAFFIC_KEYS keys," \
    "$LIVE_TRAFFIC_SLOTS slots, $LIVE_TRAFFIC_KILL_ROUNDS kill rounds; logs in $LOG_DIR"
FAILED=()
for server in "${SERVERS[@]}"; do
    path=$(scripts/fetch-servers.sh --path "$server")
    for run in $(seq 1 "$RUNS"); do
        log="$LOG_DIR/$server-$run.log"
        start=$SECONDS
        status=0
        RCLUSTER_TEST_SERVER=$path cargo test --test it -- --include-ignored "${FILTERS[@]}" \
            --nocapture --test-threads 1 >"$log" 2>&1 || status=$?
        result=ok
        if [ "$status" -ne 0 ]; then
            result="FAILED (exit $status)"
            FAILED+=("$server run $run")
        fi
        echo "traffic-test: $server run $run: $result in $((SECONDS - start)) s ($log)"
        if [ "$status" -ne 0 ]; then
            grep -E "panicked at|^(thread|\[live traffic\] after)" -A3 "$log" | head -40 | sed 's/^/    /'
        fi
    done
done

echo "traffic-test: steps (server | command | outcome | client commands | client errors):"
cat "$LOG_DIR"/*.log | grep -E '^\[live traffic\] (redis|valkey) [0-9.]+ \|' |
    sed 's/^\[live traffic\]/ /' || true
if [ ${#FAILED[@]} -gt 0 ]; then
    echo "traffic-test: FAILED: ${FAILED[*]}" >&2
    exit 1
fi
echo "traffic-test: every run passed"
