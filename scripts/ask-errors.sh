#!/usr/bin/env bash
# What redis-py cluster clients see while a rebalance moves slots with MIGRATE onto a master
# that had no slots when they started: ASK redirections to a node they do not know, which
# redis-py turns into an AttributeError on None (redis/redis-py#4015), and any other error.
#
# Each run builds its own cluster on 127.0.0.1 (3 masters + 3 replicas, cluster-enabled,
# --save '' --appendonly no, files in a temporary directory), loads KEYS small keys
# (scripts/load-keys.py), adds an empty master with `rcluster add-node` and waits until every
# node agrees, starts THREADS redis-py RedisCluster clients (scripts/ask-errors-client.py: one
# client per thread, GET/SET of random loaded keys, every exception counted by type and
# message), runs the rebalance (`rcluster rebalance ENTRY --use-empty-masters --yes`, or
# `redis-cli --cluster rebalance ENTRY --cluster-use-empty-masters --cluster-yes` with
# --tool redis-cli), waits until every node shows the same slot map, lets the clients run one
# more second, stops them and checks the data (every key at its slot's owner with its value).
# Prints one line per run and a summary; every node is stopped and the directory removed on
# exit, whatever happens.
#
#   scripts/ask-errors.sh [--server PATH] [--tool rcluster|redis-cli] [--bin PATH]
#                         [--python PATH] [--runs R] [--keys N] [--threads T] [--port P]
#   --server: the server binary (default redis-server on PATH; Redis 6.2 or 8.2 from
#             `scripts/fetch-servers.sh --path redis-6.2`);
#   --bin:    the rcluster binary (default target/release/rcluster, built first); another
#             build compares two versions of the engine;
#   --python: a Python with redis-py installed (`pip install redis`), default python3.
#   env: RUNS (3), KEYS (100000), THREADS (8), PORT (22750: nodes P..P+6, bus ports +10000,
#        below 32768 and clear of the tests' 20000-22700 and bench-throttle.sh's 22740-22745),
#        SERVER, TOOL, RCLUSTER, PYTHON
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
KEYS=${KEYS:-100000}
THREADS=${THREADS:-8}
PORT=${PORT:-22750}
SERVER=${SERVER:-redis-server}
TOOL=${TOOL:-rcluster}
RCLUSTER=${RCLUSTER:-}
PYTHON=${PYTHON:-python3}
while (($#)); do
    case $1 in
    --server) SERVER=$2; shift 2 ;;
    --tool) TOOL=$2; shift 2 ;;
    --bin) RCLUSTER=$2; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "ask-errors: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT + 6 + 10000 >= 32768 || PORT < 1024)); then
    echo "ask-errors: --port must be 1024..22761 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
[[ $TOOL == rcluster || $TOOL == redis-cli ]] || { echo "ask-errors: --tool is rcluster or redis-cli" >&2; exit 2; }
"$PYTHON" -c 'import redis.cluster' 2>/dev/null ||
    { echo "ask-errors: $PYTHON has no redis-py (pip install redis)" >&2; exit 2; }

HOST=127.0.0.1
ENTRY=$HOST:$PORT
DIR=$(mktemp -d /tmp/rcluster-ask-errors.XXXXXX)
NODE_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf)
source scripts/lib.sh
CLIENT_PID=
stop_client() { [[ -z $CLIENT_PID ]] || kill "$CLIENT_PID" 2>/dev/null || true; }
trap 'stop_client; cleanup' EXIT
trap 'echo "ask-errors: interrupted" >&2; exit 130' INT TERM

if [[ -z $RCLUSTER ]]; then
    cargo build --release --quiet
    RCLUSTER=target/release/rcluster
fi
NODES=()
for ((p = PORT; p < PORT + 7; p++)); do NODES+=("$p"); done
check_ports_free "${NODES[@]}"
PY_VERSION=$("$PYTHON" -c 'import redis; print(redis.__version__)')
log "server: $("$SERVER" --version | cut -d' ' -f1-3); tool: $TOOL; redis-py $PY_VERSION;" \
    "$KEYS keys, $THREADS client threads, $RUNS run(s)"

master_ports() { # the ports of the masters, as the entry node sees them
    redis-cli -p "$PORT" cluster nodes | awk '$3 ~ /master/ { split($2, a, "[:@]"); print a[2] }'
}

new_cluster() { # fresh nodes, 3 masters + 3 replicas with KEYS keys, an empty master added
    stop_started_nodes
    STARTED_PORTS=()
    rm -rf "${DIR:?}"/[0-9]*
    local port
    for port in "${NODES[@]}"; do start_node "$port"; done
    "$RCLUSTER" create $(printf "$HOST:%s " "${NODES[@]:0:6}") --replicas 1 --yes -q \
        >"$DIR/create.out" 2>&1 || die "rcluster create failed: $(cat "$DIR/create.out")"
    wait_for 60 "the cluster to agree" agreed "${NODES[@]:0:6}"
    python3 scripts/load-keys.py load --port "$PORT" --keys "$KEYS" >/dev/null
    "$RCLUSTER" add-node "$HOST:${NODES[6]}" "$ENTRY" -q >"$DIR/add.out" 2>&1 ||
        die "rcluster add-node failed: $(cat "$DIR/add.out")"
    wait_for 60 "every node to know the new master" agreed "${NODES[@]}"
    wait_for 60 "rcluster check clean" "$RCLUSTER" check "$ENTRY" -q
    wait_for 60 "the new master to report cluster_state:ok" \
        bash -c "redis-cli -p ${NODES[6]} cluster info | grep -q cluster_state:ok"
}

rebalance() { # the rebalance of the chosen tool
    if [[ $TOOL == rcluster ]]; then
        "$RCLUSTER" rebalance "$ENTRY" --use-empty-masters --yes
    else
        redis-cli --cluster rebalance "$ENTRY" --cluster-use-empty-masters --cluster-yes
    fi
}

verify() { # run: every key where it belongs, the new master serves slots
    local total
    total=$(sum_dbsize $(master_ports))
    ((total == KEYS)) || die "run $1: masters hold $total keys, expected $KEYS"
    (($(slot_count "${NODES[6]}") > 0)) || die "run $1: the new master serves no slot"
    python3 scripts/load-keys.py verify --port "$PORT" --keys "$KEYS" >"$DIR/verify.out" ||
        die "run $1: data check failed: $(tail -3 "$DIR/verify.out")"
}

field() { # json-line name
    "$PYTHON" -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"
}

SUMMARY=()
for ((run = 1; run <= RUNS; run++)); do
    new_cluster
    rm -f "$DIR/stop" "$DIR/ready"
    "$PYTHON" scripts/ask-errors-client.py --port "$PORT" --keys "$KEYS" --threads "$THREADS" \
        --stop "$DIR/stop" --ready "$DIR/ready" --secs 600 >"$DIR/client.out" 2>"$DIR/client.err" &
    CLIENT_PID=$!
    wait_for 30 "the clients to connect" test -e "$DIR/ready"
    sleep 1
    t0=$(date +%s%N)
    rebalance >"$DIR/rebalance.out" 2>&1 || die "run $run: rebalance failed: $(tail -5 "$DIR/rebalance.out")"
    t1=$(date +%s%N)
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
    sleep 1
    touch "$DIR/stop"
    wait "$CLIENT_PID" || die "run $run: the clients failed: $(tail -5 "$DIR/client.err")"
    CLIENT_PID=
    line=$(tail -1 "$DIR/client.out")
    verify "$run"
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    row="run $run: rebalance ${secs}s ops=$(field "$line" ops) errors=$(field "$line" errors)"
    row+=" ask_unknown=$(field "$line" ask_unknown) wrong_values=$(field "$line" wrong_values)"
    log "$row"
    "$PYTHON" -c 'import json,sys
for k, n in json.loads(sys.argv[1])["by_error"].items(): print("    %6d  %s" % (n, k))' "$line"
    SUMMARY+=("$row")
done

echo
echo "$("$SERVER" --version | cut -d' ' -f1-3), $TOOL$([[ $TOOL == rcluster ]] && echo " ($RCLUSTER)")," \
    "redis-py $PY_VERSION, $KEYS keys, $THREADS client threads:"
printf '  %s\n' "${SUMMARY[@]}"
