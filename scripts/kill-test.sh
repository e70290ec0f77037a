#!/usr/bin/env bash
# Kill test: `rcluster reshard` (and on every fifth round `rcluster rebalance`) SIGKILLed at a
# random point, then `rcluster fix`, over and over on the same data, checking every time that
# not one key was lost, duplicated or changed.
#
# Builds a local cluster of 3 masters (+ --replicas per master) from its own redis-servers,
# loads KEYS small keys spread over all 16384 slots (scripts/load-keys.py), then for each round:
#   1. starts `rcluster reshard --from all --to <next master> --slots <3000..6000> --yes`
#      (rounds 5, 10, ...: `rcluster rebalance`), SIGKILLs it after a random 0-1500 ms;
#   2. counts the slots left open (migrating/importing on any node);
#   3. runs `rcluster fix --yes`, a second time if the first exits 1;
#   4. verifies: `rcluster check` exits 0, `redis-cli --cluster check` is clean, the sum of
#      DBSIZE over the masters is KEYS, and `load-keys.py verify` reads every key from its
#      slot's owner with its original value.
# One line per round (delay, open slots left by the kill, fix runs, result), then a summary:
# rounds, failures, keys lost (must be 0). Stops at the first failure (the cluster is then
# suspect; its directory is kept) and exits 1.
#
#   scripts/kill-test.sh [--rounds R] [--keys N] [--port P] [--replicas N] [--seed S]
#                        [--server PATH]
#   --server: the server binary (default redis-server on PATH), e.g. a valkey-server.
#   env: ROUNDS (50), KEYS (300000), PORT (19000: nodes P.., bus ports +10000 < 32768, away
#        from the tests' 20000-22699 and bench-migrate's 22710+), REPLICAS (0), SEED (random),
#        SERVER
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-50}
KEYS=${KEYS:-300000}
PORT=${PORT:-19000}
REPLICAS=${REPLICAS:-0}
SEED=${SEED:-$$}
while (($#)); do
    case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --replicas) REPLICAS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --server) SERVER=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "kill-test: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
NODE_COUNT=$((3 * (1 + REPLICAS)))
LAST_PORT=$((PORT + NODE_COUNT - 1))
if ((PORT < 1024 || LAST_PORT + 10000 >= 32768)); then
    echo "kill-test: --port must leave every bus port (port+10000) below 32768" >&2
    exit 2
fi
if ((LAST_PORT >= 20000 && PORT <= 22699)) || ((LAST_PORT >= 22710 && PORT <= 22720)); then
    echo "kill-test: ports $PORT-$LAST_PORT overlap the tests' (20000-22699) or" \
        "bench-migrate's (22710+); choose another --port" >&2
    exit 2
fi
RANDOM=$SEED
HOST=127.0.0.1
ENTRY=$HOST:$PORT
CHILD=""                          # the rcluster being killed, while it runs
DIR=$(mktemp -d /tmp/rcluster-kill-test.XXXXXX)
FAILED=0
NODE_ARGS=(--bind $HOST --cluster-enabled yes --cluster-config-file nodes.conf
    --cluster-node-timeout 5000)
source scripts/lib.sh

kill_test_cleanup() { # the rcluster being killed and every redis-server this script started;
    # the files are kept after a failure
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $CHILD ]]; then kill -9 "$CHILD" 2>/dev/null || true; fi
    stop_started_nodes
    if ((rc == 0 && !FAILED)); then
        rm -rf "$DIR"
    else
        echo "kill-test: logs kept in $DIR" >&2
    fi
    exit "$rc"
}
trap kill_test_cleanup EXIT
trap 'echo "kill-test: interrupted" >&2; exit 130' INT TERM

check_ports_free $(seq "$PORT" "$LAST_PORT")

cargo build --release --quiet
BIN=target/release/rcluster

# --- cluster state helpers ---------------------------------------------------------------------
open_slots() { # number of distinct slots some node shows as migrating or importing
    local port
    for port in "${STARTED_PORTS[@]}"; do
        redis-cli -p "$port" cluster nodes | grep -o '\[[0-9]*-[<>]-' || true
    done | tr -dc '0-9\n' | sort -u | grep -c . || true
}
masters() { # ports of the nodes that are masters right now
    local port
    for port in "${STARTED_PORTS[@]}"; do
        if redis-cli -p "$port" role 2>/dev/null | head -1 | grep -qx master; then echo "$port"; fi
    done
}

# --- cluster and data --------------------------------------------------------------------------
for ((p = PORT; p <= LAST_PORT; p++)); do start_node $p; done
log "creating the cluster (3 masters, $REPLICAS replica(s) each) on ports $PORT-$LAST_PORT"
"$BIN" create $(printf "$HOST:%s " "${STARTED_PORTS[@]}") --replicas "$REPLICAS" --yes -q >"$DIR/create.out" 2>&1 ||
    die "rcluster create failed: $(cat "$DIR/create.out")"
poll_for 60 agreed "${STARTED_PORTS[@]}" || die "the nodes do not agree after create"
read -r -a MASTERS <<<"$(masters | tr '\n' ' ')"
((${#MASTERS[@]} == 3)) || die "expected 3 masters, found ${#MASTERS[@]}"
log "loading $KEYS keys (seed $SEED)"
python3 scripts/load-keys.py load --port "$PORT" --keys "$KEYS"
((KEYS == $(sum_dbsize $(masters)))) || die "the masters do not hold $KEYS keys after the load"

# --- rounds ------------------------------------------------------------------------------------
KILLED=0 MIDWAY=0 FIX_RUNS=0 LOST=0 DONE_ROUNDS=0
fail() { # round reason: report, keep the logs, stop
    FAILED=1
    log "round $1: FAILED: $2"
}
for ((round = 1; round <= ROUNDS; round++)); do
    t0=$(date +%s%N)
    out="$DIR/round.$round"
    delay=$((RANDOM % 1501))
    if ((round % 5 == 0)); then
        what="rebalance"
        cmd=("$BIN" rebalance "$ENTRY")
    else
        to_port=${MASTERS[round % 3]}
        to_id=$(redis-cli -p "$to_port" cluster myid)
        # 3000-6000 slots, but never more than two thirds of what the sources hold.
        slots=$((3000 + RANDOM % 3001))
        max=$(((16384 - $(slot_count "$to_port")) * 2 / 3))
        ((slots <= max)) || slots=$max
        what="reshard $slots slots to :$to_port"
        cmd=("$BIN" reshard "$ENTRY" --from all --to "$to_id" --slots "$slots" --yes)
    fi
    "${cmd[@]}" >"$out.cmd" 2>&1 &
    CHILD=$!
    sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
    if kill -0 "$CHILD" 2>/dev/null; then
        kill -9 "$CHILD" 2>/dev/null || true
        state="killed"
        KILLED=$((KILLED + 1))
    else
        state="finished first"
    fi
    rc=0
    { wait "$CHILD"; } 2>/dev/null || rc=$? # no "Killed" line from the shell
    CHILD=""
    [[ $state == killed ]] || state="finished first (exit $rc)"
    open=$(open_slots)
    ((open == 0)) || MIDWAY=$((MIDWAY + 1))

    runs=0 fix_rc=1
    while ((runs < 2 && fix_rc != 0)); do
        runs=$((runs + 1))
        fix_rc=0
        "$BIN" fix "$ENTRY" --yes -q >"$out.fix$runs" 2>&1 || fix_rc=$?
    done
    FIX_RUNS=$((FIX_RUNS + runs))
    DONE_ROUNDS=$round

    result="ok"
    total=$(sum_dbsize $(masters))
    if ((total != KEYS)); then
        ((total > KEYS)) || LOST=$((LOST + KEYS - total))
        result="masters hold $total keys, expected $KEYS"
    elif ((fix_rc != 0)); then
        result="fix exited $fix_rc twice: $(tail -5 "$out.fix$runs")"
    elif ! poll_for 15 agreed "${STARTED_PORTS[@]}"; then
        result="the nodes disagree on the slot map or slots are still open after fix"
    elif ! "$BIN" check "$ENTRY" -q >"$out.check" 2>&1; then
        result="rcluster check failed: $(tail -10 "$out.check")"
    elif ! redis_cli_check_clean; then
        result="redis-cli --cluster check not clean: $(redis-cli --cluster check "$ENTRY" 2>&1 | grep -e ERR -e WARN | head -5)"
    elif ! python3 scripts/load-keys.py verify --port "$PORT" --keys "$KEYS" >"$out.verify" 2>&1; then
        result="load-keys verify failed: $(tail -3 "$out.verify")"
    fi
    secs=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    if [[ $result != ok ]]; then
        fail "$round" "$what, delay $delay ms, $state, open slots $open, fix runs $runs: $result"
        break
    fi
    printf '[%s] round %d/%d: %-30s delay %4d ms, %-22s open slots left %4d, fix runs %d, %s (%s s)\n' \
        "$(date +%T)" "$round" "$ROUNDS" "$what," "$delay" "$state," "$open" "$runs" "$result" "$secs"
done

echo
echo "kill-test summary: $DONE_ROUNDS of $ROUNDS round(s) run, $KEYS keys, seed $SEED"
echo "  rounds killed while running: $KILLED (with slots left open: $MIDWAY)"
echo "  fix runs: $FIX_RUNS"
echo "  failures: $FAILED"
echo "  keys lost: $LOST"
((FAILED == 0 && LOST == 0)) || exit 1
