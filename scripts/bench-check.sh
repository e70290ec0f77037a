#!/usr/bin/env bash
# Benchmark: `rcluster check` vs `redis-cli --cluster check` on a local cluster of N nodes
# (default 60: 30 masters with one replica each). Prints the median of RUNS runs of each and the
# ratio. Needs redis-server and redis-cli; builds rcluster in release mode.
#
#   scripts/bench-check.sh [NODES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-60}
RUNS=${2:-15}
BASE=${BASE_PORT:-21000}          # bus ports BASE+10000.. stay below 32768
DIR=$(mktemp -d /tmp/rcluster-bench.XXXXXX)
cleanup() {
    for ((i = 0; i < NODES; i++)); do
        redis-cli -p $((BASE + i)) shutdown nosave >/dev/null 2>&1 || true
    done
    rm -rf "$DIR"
}
trap cleanup EXIT

cargo build --release --quiet
BIN=target/release/rcluster

addrs=()
for ((i = 0; i < NODES; i++)); do
    port=$((BASE + i))
    mkdir -p "$DIR/$port"
    redis-server --port $port --cluster-enabled yes --cluster-config-file nodes.conf \
        --dir "$DIR/$port" --save '' --appendonly no --daemonize yes \
        --logfile "$DIR/$port/log" --cluster-node-timeout 5000 >/dev/null
    addrs+=("127.0.0.1:$port")
done
for ((i = 0; i < NODES; i++)); do
    until redis-cli -p $((BASE + i)) ping >/dev/null 2>&1; do sleep 0.05; done
done
redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
# Let gossip settle so both tools see a healthy cluster.
until "$BIN" check "127.0.0.1:$BASE" -q >/dev/null 2>&1; do sleep 0.2; done

median_ms() { # command...
    local times=()
    for ((r = 0; r < RUNS; r++)); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        t1=$(date +%s%N)
        times+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

ours=$(median_ms "$BIN" check "127.0.0.1:$BASE")
theirs=$(median_ms redis-cli --cluster check "127.0.0.1:$BASE")
echo "check on $NODES nodes, median of $RUNS runs:"
echo "  rcluster check:            ${ours} ms"
echo "  redis-cli --cluster check: ${theirs} ms"
awk -v a="$theirs" -v b="$ours" 'BEGIN {printf "  ratio (redis-cli / rcluster): %.2fx\n", a / b}'
