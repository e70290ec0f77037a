#!/usr/bin/env bash
# Benchmark: rcluster's migration engine vs `redis-cli --cluster` (or `valkey-cli --cluster`)
# on the same work, on any server (`--server`: a redis-server or valkey-server binary).
#
# Builds a local cluster of 3 masters + 3 replicas, loads KEYS small keys (16-byte values) spread
# over all 16384 slots (scripts/load-keys.py), then runs with each tool in turn
#   rcluster, redis-cli (default pipeline of 10 keys), redis-cli --cluster-pipeline 1000
# these steps:
#   (a) reshard 2000 slots from one master to another (after an untimed warm-up that moves them
#       there and back once, so that no tool pays for the load's after-effects). The tools alternate the direction
#       (M1->M2, M2->M1, M1->M2) and all of them take the lowest-numbered slots of their source,
#       so every run moves the same 2000 slots (0-1999) and the same keys; with an odd number of
#       tools an untimed `rcluster reshard` moves them back, so (b) starts from the initial layout.
#   (b) add an empty fourth master M4 (CLUSTER MEET once, before the first (b); wait until every
#       node knows it and it reports cluster_state:ok) and rebalance with use-empty-masters:
#       16384/4 = 4096 slots from a balanced 3-master layout to M4;
#   (c) rebalance back with weight 0 on M4: its 4096 slots go back to the 3 masters, which ends
#       balanced again with M4 empty (and still a master), so the next tool's (b) is the same
#       work. Keys are spread evenly over slots, so equal slot counts mean equal key counts (the
#       table shows both).
# Before every timed step: `redis-cli --cluster check` and `rcluster check` clean, replicas in
# sync. Timed: from the start of the command until it has exited AND every node's CLUSTER NODES
# shows the same slot map with no migrating/importing slot ("done" for both tools; rcluster waits
# for that itself, redis-cli does not; the end is the start of the first poll that finds it so,
# polls every 20 ms). After every step: the sum of DBSIZE over masters is KEYS,
# `rcluster check` and `redis-cli --cluster check` are clean, and (unless --no-verify) every key
# is read from its slot's current owner and compared with its loaded value.
#
#   scripts/bench-migrate.sh [--keys N] [--port P] [--skip-redis-cli-default] [--no-verify]
#                            [--server PATH] [--cli PATH] [--reshard-only]
#   --server: the server binary (default redis-server on PATH), e.g. a valkey-server;
#   --cli: the peer tool (default redis-cli), e.g. valkey-cli; its name labels its rows;
#   --reshard-only: step (a) only.
#   env: KEYS (1000000), PORT (22710: nodes P..P+6, bus ports +10000), SKIP_REDIS_CLI_DEFAULT=1,
#        VERIFY=0, SERVER, PEER_CLI, RESHARD_ONLY=1
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
PORT=${PORT:-22710}               # tests take 20000..22699; P+6+10000 must stay below 32768
SKIP_REDIS_CLI_DEFAULT=${SKIP_REDIS_CLI_DEFAULT:-0}
VERIFY=${VERIFY:-1}
RESHARD_SLOTS=2000
SERVER=${SERVER:-redis-server}
PEER_CLI=${PEER_CLI:-redis-cli}
RESHARD_ONLY=${RESHARD_ONLY:-0}
while (($#)); do
    case $1 in
    --server) SERVER=$2; shift 2 ;;
    --cli) PEER_CLI=$2; shift 2 ;;
    --reshard-only) RESHARD_ONLY=1; shift ;;
    --keys) KEYS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --skip-redis-cli-default) SKIP_REDIS_CLI_DEFAULT=1; shift ;;
    --no-verify) VERIFY=0; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-migrate: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT + 6 + 10000 >= 32768 || PORT < 1024)); then
    echo "bench-migrate: --port must be 1024..22761 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
HOST=127.0.0.1
ENTRY=$HOST:$PORT
M4_PORT=$((PORT + 6))
DIR=$(mktemp -d /tmp/rcluster-bench-migrate.XXXXXX)
NODE_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf)
source scripts/lib.sh
trap cleanup EXIT
trap 'echo "bench-migrate: interrupted" >&2; exit 130' INT TERM

check_ports_free $(seq "$PORT" "$M4_PORT")
PEER=$(basename "$PEER_CLI")
log "server: $("$SERVER" --version | cut -d' ' -f1-3); peer: $PEER ($("$PEER_CLI" --version))"

cargo build --release --quiet
BIN=target/release/rcluster

# --- cluster state helpers ---------------------------------------------------------------------
node_id() { redis-cli -p "$1" cluster myid; }
dbsize() { redis-cli -p "$1" dbsize; }
replicas_in_sync() { # every replica is linked to its master and has the same number of keys
    local port info master
    for port in "${NODES[@]}"; do
        info=$(redis-cli -p "$port" info replication)
        [[ $info == *role:slave* ]] || continue
        [[ $info == *master_link_status:up* ]] || return 1
        master=$(sed -n 's/^master_port:\([0-9]*\).*/\1/p' <<<"$info")
        [[ $(dbsize "$port") == "$(dbsize "$master")" ]] || return 1
    done
}
wait_clean() {
    wait_for 120 "redis-cli --cluster check clean" redis_cli_check_clean
    wait_for 60 "rcluster check clean" "$BIN" check "$ENTRY" -q
    wait_for 120 "replicas in sync" replicas_in_sync
}
verify() { # after a step: counts, both checks, and the data itself
    local total
    total=$(sum_dbsize "${MASTERS[@]}")
    ((total == KEYS)) || die "after $1: masters hold $total keys, expected $KEYS"
    "$BIN" check "$ENTRY" -q >"$DIR/check.out" 2>&1 ||
        die "after $1: rcluster check failed: $(cat "$DIR/check.out")"
    redis_cli_check_clean || die "after $1: redis-cli --cluster check not clean:
$(redis-cli --cluster check "$ENTRY" 2>&1 | tail -20)"
    if ((VERIFY)); then
        python3 scripts/load-keys.py verify --port "$PORT" --keys "$KEYS" >"$DIR/verify.out" ||
            die "after $1: data check failed"
    fi
    log "  verified: $total keys on the masters, rcluster check and redis-cli --cluster check" \
        "clean$( ((VERIFY)) && echo ", every key at its slot's owner with its value ($(sed 's/.* in //' "$DIR/verify.out"))")"
}

# --- results -----------------------------------------------------------------------------------
ROWS=()                           # "step|tool|secs|cmd_secs|slots|keys"
declare -A SECS

run_step() { # step tool command...
    local step=$1 tool=$2 port t0 t1 t2 slots=0 keys=0 d out="$DIR/out.$1.$2"
    shift 2
    local -A keys_before slots_before
    wait_clean
    for port in "${MASTERS[@]}"; do
        keys_before[$port]=$(dbsize "$port")
        slots_before[$port]=$(slot_count "$port")
    done
    log "($step) $tool: $*"
    t0=$(date +%s%N)
    local rc=0
    "$@" >"$out" 2>"$out.err" || rc=$?
    if ((rc != 0)); then
        tail -20 "$out" "$out.err" >&2
        die "($step) $tool failed (exit $rc)"
    fi
    t1=$(date +%s%N)
    # Done when a poll finds every node agreeing; the time is that poll's start (a poll runs
    # redis-cli once per node, ~50 ms, which is not the tools' time).
    while true; do
        t2=$(date +%s%N)
        agreed "${NODES[@]}" && break
        (((t2 - t1) / 1000000000 < 60)) || die "($step) $tool: nodes still disagree 60 s after it exited"
        sleep 0.02
    done
    for port in "${MASTERS[@]}"; do
        d=$(($(dbsize "$port") - keys_before[$port]))
        if ((d > 0)); then keys=$((keys + d)); fi
        d=$(($(slot_count "$port") - slots_before[$port]))
        if ((d > 0)); then slots=$((slots + d)); fi
    done
    ((slots > 0)) || die "($step) $tool moved no slot; output: $(tail -5 "$out")"
    local secs cmd_secs
    secs=$(awk -v a="$t0" -v b="$t2" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    cmd_secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    log "  $slots slots, $keys keys in $secs s (command exited after $cmd_secs s)"
    if [[ $tool == rcluster ]]; then
        local own
        own=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["migration"]; print(m["keys_moved"], m["slots_moved"], m["duration_ms"], m["converge_ms"])' "$out") ||
            die "($step) rcluster --json printed no migration report"
        read -r own_keys own_slots own_ms own_conv <<<"$own"
        log "  rcluster's report: $own_slots slots, $own_keys keys, duration ${own_ms} ms, converge ${own_conv} ms"
        [[ $own_keys == "$keys" && $own_slots == "$slots" ]] ||
            log "  WARNING: rcluster reports $own_slots slots / $own_keys keys, DBSIZE and slot counts say $slots / $keys"
    fi
    ROWS+=("$step|$tool|$secs|$cmd_secs|$slots|$keys")
    SECS[$step.$tool]=$secs
    verify "($step) $tool"
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
wait_clean

# Masters by their first slot: M1 owns slot 0, M2 the next range, M3 the last.
MASTERS=()
while read -r port; do MASTERS+=("$port"); done < <(
    for port in "${NODES[@]}"; do
        redis-cli -p "$port" cluster nodes | awk -v p="$port" '$3 ~ /myself/ && $3 ~ /master/ {
            split($9, r, "-"); print r[1], p }'
    done | sort -n | awk '{ print $2 }')
((${#MASTERS[@]} == 3)) || die "expected 3 masters, found ${#MASTERS[@]}"
M1=${MASTERS[0]} M2=${MASTERS[1]}
ID1=$(node_id "$M1") ID2=$(node_id "$M2")

log "loading $KEYS keys"
python3 scripts/load-keys.py load --port "$PORT" --keys "$KEYS"
wait_clean
verify "loading"

TOOLS=(rcluster)
((SKIP_REDIS_CLI_DEFAULT)) || TOOLS+=("$PEER")
TOOLS+=("$PEER-p1000")
tool_cmd() { # tool step from_id to_id|weight_id ; prints nothing, sets CMD
    local tool=$1 step=$2
    case $tool.$step in
    rcluster.a) CMD=("$BIN" reshard "$ENTRY" --from "$3" --to "$4" --slots $RESHARD_SLOTS --yes --json) ;;
    rcluster.b) CMD=("$BIN" rebalance "$ENTRY" --use-empty-masters --json) ;;
    rcluster.c) CMD=("$BIN" rebalance "$ENTRY" --weight "$3=0" --json) ;;
    *.a) CMD=("$PEER_CLI" --cluster reshard "$ENTRY" --cluster-from "$3" --cluster-to "$4"
        --cluster-slots $RESHARD_SLOTS --cluster-yes) ;;
    *.b) CMD=("$PEER_CLI" --cluster rebalance "$ENTRY" --cluster-use-empty-masters) ;;
    *.c) CMD=("$PEER_CLI" --cluster rebalance "$ENTRY" --cluster-weight "$3=0") ;;
    esac
    [[ $tool != "$PEER-p1000" ]] || CMD+=(--cluster-pipeline 1000)
}

# Warm-up, untimed: the same 2000 slots there and back once. Right after the load the masters
# are still rehashing their key dictionaries and the replicas still applying the stream, which
# would slow down whichever tool runs first.
log "warm-up (untimed): the $RESHARD_SLOTS slots to M2 and back with rcluster"
for pair in "$ID1 $ID2" "$ID2 $ID1"; do
    read -r from to <<<"$pair"
    wait_clean
    "$BIN" reshard "$ENTRY" --from "$from" --to "$to" --slots $RESHARD_SLOTS --yes -q >"$DIR/warmup.out" 2>&1 ||
        die "warm-up reshard failed: $(tail -5 "$DIR/warmup.out")"
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
done
verify "the warm-up"

# (a) reshard, alternating the direction
for ((t = 0; t < ${#TOOLS[@]}; t++)); do
    if ((t % 2 == 0)); then tool_cmd "${TOOLS[t]}" a "$ID1" "$ID2"; else tool_cmd "${TOOLS[t]}" a "$ID2" "$ID1"; fi
    run_step a "${TOOLS[t]}" "${CMD[@]}"
done
if ((${#TOOLS[@]} % 2 && !RESHARD_ONLY)); then
    log "(a) untimed: moving the $RESHARD_SLOTS slots back to M1 with rcluster"
    wait_clean
    "$BIN" reshard "$ENTRY" --from "$ID2" --to "$ID1" --slots $RESHARD_SLOTS --yes -q >"$DIR/restore.out" 2>&1 ||
        die "moving the slots back failed: $(tail -5 "$DIR/restore.out")"
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
    verify "moving the slots back"
fi

# (b) + (c) with a fourth master. It keeps cluster-allow-replica-migration off: otherwise
# redis 7 turns a master that gives away its last slot into a replica of the receiver.
if ((!RESHARD_ONLY)); then
    log "adding a fourth master on port $M4_PORT"
    start_node "$M4_PORT" --cluster-allow-replica-migration no
    redis-cli -p "$M4_PORT" cluster meet $HOST "$PORT" >/dev/null
    NODES+=("$M4_PORT")
    MASTERS+=("$M4_PORT")
    ID4=$(node_id "$M4_PORT")
    m4_known() {
        local port
        for port in "${NODES[@]}"; do
            redis-cli -p "$port" cluster nodes | grep "^$ID4 " | grep -qv -e handshake -e noaddr -e fail || return 1
        done
        redis-cli -p "$M4_PORT" cluster info | grep -q '^cluster_state:ok'
    }
    wait_for 60 "every node to know the fourth master, and it to report cluster_state:ok" m4_known
    for tool in "${TOOLS[@]}"; do
        tool_cmd "$tool" b
        run_step b "$tool" "${CMD[@]}"
        tool_cmd "$tool" c "$ID4"
        run_step c "$tool" "${CMD[@]}"
        [[ $(slot_count "$M4_PORT") == 0 ]] || die "the fourth master still has slots after (c)"
        redis-cli -p "$M4_PORT" role | head -1 | grep -qx master || die "the fourth master is no longer a master"
    done
fi

# --- report ------------------------------------------------------------------------------------
echo
echo "rcluster vs $PEER --cluster on $("$SERVER" --version | cut -d' ' -f1-3), $KEYS keys of 16 bytes, 3 masters + 3 replicas (+ M4 in b, c)"
echo "seconds: from the command's start until it has exited and every node shows the same slot map;
cmd s: until it exited"
printf '%-4s %-16s %9s %9s %6s %9s %10s %10s\n' step tool seconds "cmd s" slots keys keys/s "x rcluster"
for row in "${ROWS[@]}"; do
    IFS='|' read -r step tool secs cmd_secs slots keys <<<"$row"
    ratio=$(awk -v a="$secs" -v b="${SECS[$step.rcluster]}" 'BEGIN { printf "%.1fx", a / b }')
    printf '%-4s %-16s %9.2f %9.2f %6d %9d %10.0f %10s\n' "$step" "$tool" "$secs" "$cmd_secs" \
        "$slots" "$keys" "$(awk -v k="$keys" -v s="$secs" 'BEGIN { print k / s }')" "$ratio"
done
echo "(x rcluster = tool seconds / rcluster seconds on the same step)"
for step in a b c; do
    n=$(printf '%s\n' "${ROWS[@]}" | awk -F'|' -v s=$step '$1 == s { print $5 "/" $6 }' | sort -u | wc -l)
    ((n <= 1)) || echo "note: in ($step) the tools moved different slots/keys (normal for b and c:" \
        "each planner picks its own slots; compare keys/s)"
done
echo
echo "targets:"
target() { # step tool min_ratio
    local r
    if [[ -z ${SECS[$1.$2]:-} ]]; then
        printf '  (%s) rcluster >= %2dx faster than %-16s skipped\n' "$1" "$3" "$2"
        return
    fi
    r=$(awk -v a="${SECS[$1.$2]}" -v b="${SECS[$1.rcluster]}" 'BEGIN { printf "%.1f", a / b }')
    printf '  (%s) rcluster >= %2dx faster than %-16s %5sx  %s\n' "$1" "$3" "$2" "$r" \
        "$(awk -v r="$r" -v m="$3" 'BEGIN { print (r >= m ? "met" : "NOT met") }')"
}
target a "$PEER" 10
target b "$PEER" 10
target c "$PEER" 10
target b "$PEER-p1000" 5
