#!/usr/bin/env bash
# Benchmark: what the MIGRATE engine's throttle (--max-keys-per-sec) buys the clients of a
# cluster being resharded, next to rcluster unthrottled and `redis-cli --cluster reshard` (or
# `valkey-cli --cluster reshard`) on the same work, on any server (`--server`).
#
# Builds a local cluster of 3 masters + 3 replicas on 127.0.0.1, loads KEYS small keys (16-byte
# values, spread over all 16384 slots: scripts/load-keys.py), moves the 2000 lowest slots of M1
# to M2 and back once (untimed warm-up), then runs four phases, each under the same client load
# (scripts/latency-probe.py: CLIENTS processes, each one request at a time, alternating GET and
# SET of random loaded keys, following MOVED and ASK like a cluster client):
#   (a) baseline: no reshard, BASELINE_SECS seconds;
#   (b) rcluster reshard of 2000 slots M1 -> M2, unthrottled;
#   (c) rcluster reshard of the same 2000 slots M2 -> M1 with --max-keys-per-sec THROTTLE;
#   (d) redis-cli/valkey-cli --cluster reshard of the same 2000 slots M1 -> M2 (its defaults:
#       one slot at a time, 10 keys per MIGRATE).
# The clients start once the cluster is clean (both checks, replicas in sync) and stop when the
# reshard has exited AND every node shows the same slot map with no open slot. Printed per
# phase: the reshard's duration (until agreement; rcluster's own duration_ms too), the clients'
# ops/s, p50/p99/p99.9/max latency (a request's latency includes its redirections), the ASK
# and MOVED redirections and errors they met, and the 1-minute load average at the phase's
# start (the machine may be shared: compare phases of one run, not runs). After every phase:
# the masters hold KEYS keys, `rcluster check` is clean and (unless --no-verify) every key is
# read from its slot's owner with its loaded value.
#
#   scripts/bench-throttle.sh [--server PATH] [--cli PATH] [--keys N] [--port P]
#                             [--clients C] [--throttle N] [--baseline-secs S] [--no-verify]
#   --server: the server binary (default redis-server on PATH), e.g. Valkey 8.1 from
#             `scripts/fetch-servers.sh --path valkey-8.1`;
#   --cli: the peer tool (default: valkey-cli next to a valkey-server, else redis-cli).
#   env: KEYS (1000000), PORT (22740: nodes P..P+5, bus ports +10000), CLIENTS (4),
#        THROTTLE (20000), BASELINE_SECS (15), STEP_TIMEOUT (900 s per reshard), VERIFY=0,
#        SERVER, PEER_CLI
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
PORT=${PORT:-22740}
CLIENTS=${CLIENTS:-4}
THROTTLE=${THROTTLE:-20000}
BASELINE_SECS=${BASELINE_SECS:-15}
STEP_TIMEOUT=${STEP_TIMEOUT:-900}
VERIFY=${VERIFY:-1}
SERVER=${SERVER:-redis-server}
PEER_CLI=${PEER_CLI:-}
RESHARD_SLOTS=2000
while (($#)); do
    case $1 in
    --server) SERVER=$2; shift 2 ;;
    --cli) PEER_CLI=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --throttle) THROTTLE=$2; shift 2 ;;
    --baseline-secs) BASELINE_SECS=$2; shift 2 ;;
    --no-verify) VERIFY=0; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-throttle: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT + 5 + 10000 >= 32768 || PORT < 1024)); then
    echo "bench-throttle: --port must be 1024..22762 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
if [[ -z $PEER_CLI ]]; then
    PEER_CLI=redis-cli
    if [[ $(basename "$SERVER") == valkey-server* ]]; then
        if [[ $SERVER == */* && -x $(dirname "$SERVER")/valkey-cli ]]; then
            PEER_CLI=$(dirname "$SERVER")/valkey-cli
        else
            PEER_CLI=valkey-cli
        fi
    fi
fi
HOST=127.0.0.1
ENTRY=$HOST:$PORT
DIR=$(mktemp -d /tmp/rcluster-bench-throttle.XXXXXX)
NODE_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf)
source scripts/lib.sh
PROBE_PID=
stop_probe() { [[ -z $PROBE_PID ]] || kill "$PROBE_PID" 2>/dev/null || true; }
trap 'stop_probe; cleanup' EXIT
trap 'echo "bench-throttle: interrupted" >&2; exit 130' INT TERM

check_ports_free $(seq "$PORT" $((PORT + 5)))
PEER=$(basename "$PEER_CLI")
log "server: $("$SERVER" --version | cut -d' ' -f1-3); peer: $PEER ($("$PEER_CLI" --version))"
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

cargo build --release --quiet
BIN=target/release/rcluster

node_id() { redis-cli -p "$1" cluster myid; }
replicas_in_sync() { # every replica is linked to its master and has as many keys
    local port info master
    for port in "${NODES[@]}"; do
        info=$(redis-cli -p "$port" info replication)
        [[ $info == *role:slave* ]] || continue
        [[ $info == *master_link_status:up* ]] || return 1
        master=$(sed -n 's/^master_port:\([0-9]*\).*/\1/p' <<<"$info")
        [[ $(redis-cli -p "$port" dbsize) == "$(redis-cli -p "$master" dbsize)" ]] || return 1
    done
}
wait_clean() {
    wait_for 120 "rcluster check clean" "$BIN" check "$ENTRY" -q
    wait_for 120 "replicas in sync" replicas_in_sync
}
verify() {
    local total
    total=$(sum_dbsize "${MASTERS[@]}")
    ((total == KEYS)) || die "after $1: masters hold $total keys, expected $KEYS"
    "$BIN" check "$ENTRY" -q >"$DIR/check.out" 2>&1 || die "after $1: rcluster check failed: $(cat "$DIR/check.out")"
    if ((VERIFY)); then
        python3 scripts/load-keys.py verify --port "$PORT" --keys "$KEYS" >"$DIR/verify.out" ||
            die "after $1: data check failed"
    fi
    log "  verified after $1: $total keys$( ((VERIFY)) && echo ", every key at its owner with its value")"
}

ROWS=() # "phase|secs|own_ms|load|probe line"

phase() { # name command... (no command: the baseline)
    local name=$1 t0 t1 t2 rc=0 load own_ms=- secs line
    shift
    wait_clean
    rm -f "$DIR/stop" "$DIR/ready"
    python3 scripts/latency-probe.py --port "$PORT" --keys "$KEYS" --clients "$CLIENTS" \
        --secs $((STEP_TIMEOUT + 120)) --stop "$DIR/stop" --ready "$DIR/ready" --dir "$DIR" \
        >"$DIR/probe.$name" 2>&1 &
    PROBE_PID=$!
    wait_for 30 "the clients to connect" test -e "$DIR/ready"
    load=$(cut -d' ' -f1 /proc/loadavg)
    log "($name) ${*:-no reshard, $BASELINE_SECS s} (load average $load)"
    t0=$(date +%s%N)
    if (($#)); then
        timeout "$STEP_TIMEOUT" "$@" >"$DIR/out.$name" 2>"$DIR/err.$name" || rc=$?
        t1=$(date +%s%N)
        ((rc == 0)) || { tail -20 "$DIR/out.$name" "$DIR/err.$name" >&2; die "($name) failed (exit $rc)"; }
        while ! agreed "${NODES[@]}"; do
            (($(date +%s%N) - t1 < 60 * 1000000000)) || die "($name) nodes disagree 60 s after it exited"
            sleep 0.02
        done
    else
        sleep "$BASELINE_SECS"
    fi
    t2=$(date +%s%N)
    touch "$DIR/stop"
    wait "$PROBE_PID" || die "($name) the client load failed: $(cat "$DIR/probe.$name")"
    PROBE_PID=
    line=$(tail -1 "$DIR/probe.$name")
    [[ $line == ops=* ]] || die "($name) the client load printed: $(cat "$DIR/probe.$name")"
    secs=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    if [[ ${1:-} == "$BIN" ]]; then
        own_ms=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["migration"]["duration_ms"])' "$DIR/out.$name")
    fi
    log "  $secs s; clients: $line"
    ROWS+=("$name|$secs|$own_ms|$load|$line")
    verify "($name)"
}

# --- cluster and data --------------------------------------------------------------------------
NODES=()
for ((p = PORT; p < PORT + 6; p++)); do
    start_node $p
    NODES+=("$p")
done
log "creating the cluster (3 masters, 3 replicas) on ports $PORT-$((PORT + 5))"
"$BIN" create $(printf "$HOST:%s " "${NODES[@]}") --replicas 1 --yes -q >"$DIR/create.out" 2>&1 ||
    die "rcluster create failed: $(cat "$DIR/create.out")"
wait_for 60 "cluster_state:ok everywhere" agreed "${NODES[@]}"
MASTERS=()
while read -r port; do MASTERS+=("$port"); done < <(
    for port in "${NODES[@]}"; do
        redis-cli -p "$port" cluster nodes | awk -v p="$port" '$3 ~ /myself/ && $3 ~ /master/ {
            split($9, r, "-"); print r[1], p }'
    done | sort -n | awk '{ print $2 }')
((${#MASTERS[@]} == 3)) || die "expected 3 masters, found ${#MASTERS[@]}"
ID1=$(node_id "${MASTERS[0]}") ID2=$(node_id "${MASTERS[1]}")
log "loading $KEYS keys"
python3 scripts/load-keys.py load --port "$PORT" --keys "$KEYS"
wait_clean
log "warm-up (untimed): the $RESHARD_SLOTS slots to M2 and back"
for pair in "$ID1 $ID2" "$ID2 $ID1"; do
    read -r from to <<<"$pair"
    wait_clean
    "$BIN" reshard "$ENTRY" --from "$from" --to "$to" --slots $RESHARD_SLOTS --yes -q >"$DIR/warmup.out" 2>&1 ||
        die "warm-up reshard failed: $(tail -5 "$DIR/warmup.out")"
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
done
verify "the warm-up"

# --- the phases --------------------------------------------------------------------------------
reshard_args() { echo "$ENTRY --from $1 --to $2 --slots $RESHARD_SLOTS --yes --json"; }
phase a
phase b "$BIN" reshard $(reshard_args "$ID1" "$ID2")
phase c "$BIN" reshard $(reshard_args "$ID2" "$ID1") --max-keys-per-sec "$THROTTLE"
phase d "$PEER_CLI" --cluster reshard "$ENTRY" --cluster-from "$ID1" --cluster-to "$ID2" \
    --cluster-slots $RESHARD_SLOTS --cluster-yes

# --- report ------------------------------------------------------------------------------------
echo
echo "Client latency while resharding $RESHARD_SLOTS slots (~$((KEYS * RESHARD_SLOTS / 16384)) keys) on" \
    "$("$SERVER" --version | cut -d' ' -f1-3), $KEYS keys of 16 bytes, 3 masters + 3 replicas, $CLIENTS clients"
echo "(one request at a time each, GET/SET of random keys; latency includes ASK/MOVED redirections)"
printf '%-34s %8s %8s %6s %8s %8s %8s %9s %9s %7s %6s %6s\n' phase "secs" "own ms" load ops/s \
    "p50 ms" "p99 ms" "p99.9 ms" "max ms" ask moved errors
label() {
    case $1 in
    a) echo "(a) no reshard (baseline)" ;;
    b) echo "(b) rcluster, unthrottled" ;;
    c) echo "(c) rcluster, $THROTTLE keys/s" ;;
    d) echo "(d) $PEER --cluster reshard" ;;
    esac
}
for row in "${ROWS[@]}"; do
    IFS='|' read -r name secs own_ms load line <<<"$row"
    declare -A f=()
    for kv in $line; do f[${kv%%=*}]=${kv#*=}; done
    printf '%-34s %8s %8s %6s %8s %8s %8s %9s %9s %7s %6s %6s\n' "$(label "$name")" "$secs" "$own_ms" \
        "$load" "${f[ops_s]}" "${f[p50_ms]}" "${f[p99_ms]}" "${f[p999_ms]}" "${f[max_ms]}" \
        "${f[ask]}" "${f[moved]}" "${f[errors]}"
done
echo "secs: the phase's length (a reshard's: from its start until every node shows the same slot map);"
echo "own ms: rcluster's own duration_ms; load: 1-minute load average at the phase's start ($(nproc) cores)"
