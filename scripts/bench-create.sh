#!/usr/bin/env bash
# Benchmark: `rcluster create` vs `redis-cli --cluster create --cluster-yes` on fresh nodes.
# For each tool and run: start NODES fresh cluster-enabled redis-server processes, let them pass
# the server's 2 s startup writable delay, then time the create until EVERY node reports
# cluster_state:ok (rcluster waits for that itself; for redis-cli the wait after it returns is
# included). Prints every run, the medians and the ratio.
#
#   scripts/bench-create.sh [NODES] [REPLICAS] [RUNS]      e.g. scripts/bench-create.sh 60 1 5
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-6}
REPLICAS=${2:-1}
RUNS=${3:-5}
BASE=${BASE_PORT:-21000}          # bus ports BASE+10000.. stay below 32768
DIR=$(mktemp -d /tmp/rcluster-bench-create.XXXXXX)

stop_nodes() {
    for ((i = 0; i < NODES; i++)); do
        redis-cli -p $((BASE + i)) shutdown nosave >/dev/null 2>&1 || true
    done
    for ((i = 0; i < NODES; i++)); do
        while redis-cli -p $((BASE + i)) ping >/dev/null 2>&1; do sleep 0.02; done
    done
    find "${DIR:?}" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
}
trap 'stop_nodes; rm -rf "$DIR"' EXIT

cargo build --release --quiet
BIN=target/release/rcluster

start_nodes() {
    addrs=()
    for ((i = 0; i < NODES; i++)); do
        local port=$((BASE + i))
        mkdir -p "$DIR/$port"
        redis-server --port $port --cluster-enabled yes --cluster-config-file nodes.conf \
            --dir "$DIR/$port" --save '' --appendonly no --daemonize yes \
            --logfile "$DIR/$port/log" >/dev/null
        addrs+=("127.0.0.1:$port")
    done
    for ((i = 0; i < NODES; i++)); do
        until redis-cli -p $((BASE + i)) ping >/dev/null 2>&1; do sleep 0.02; done
    done
    sleep 2.5   # past CLUSTER_WRITABLE_DELAY, so both tools face the same servers
}

all_ok() {
    for ((i = 0; i < NODES; i++)); do
        redis-cli -p $((BASE + i)) cluster info 2>/dev/null | grep -q '^cluster_state:ok' || return 1
    done
}

time_ms() { # command... ; runs it, then waits for cluster_state:ok on every node
    local t0 t1
    t0=$(date +%s%N)
    "$@" >"$DIR/last.out" 2>&1 || {
        echo "command failed: $1 $2 ... (output below)" >&2
        tail -20 "$DIR/last.out" >&2
        exit 1
    }
    until all_ok; do sleep 0.01; done
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

ours=()
theirs=()
for ((r = 0; r < RUNS; r++)); do
    start_nodes
    ours+=("$(time_ms "$BIN" create "${addrs[@]}" --replicas "$REPLICAS" --yes)")
    stop_nodes
    start_nodes
    theirs+=("$(time_ms redis-cli --cluster create "${addrs[@]}" --cluster-replicas "$REPLICAS" --cluster-yes)")
    stop_nodes
    echo "run $((r + 1)): rcluster ${ours[-1]} ms, redis-cli ${theirs[-1]} ms"
done
m_ours=$(printf '%s\n' "${ours[@]}" | median)
m_theirs=$(printf '%s\n' "${theirs[@]}" | median)
echo "create $NODES nodes / $REPLICAS replica(s), until every node reports cluster_state:ok, median of $RUNS:"
echo "  rcluster create:            ${m_ours} ms"
echo "  redis-cli --cluster create: ${m_theirs} ms"
awk -v a="$m_theirs" -v b="$m_ours" 'BEGIN {printf "  ratio (redis-cli / rcluster): %.2fx\n", a / b}'
