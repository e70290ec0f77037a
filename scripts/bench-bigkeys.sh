#!/usr/bin/env bash
# Benchmark: `rcluster bigkeys` / `rcluster memkeys` (every master scanned at once) vs
# `redis-cli --bigkeys` / `redis-cli --memkeys` run on each master in turn (the sum of the
# three runs: redis-cli scans one node at a time).
#
# Starts 3 masters (no replicas, DEBUG enabled), creates the cluster with rcluster, then loads
# N string keys (VALUE_SIZE-byte values) with DEBUG POPULATE on each master, plus one list, set,
# zset, hash and stream per master (sizes differ per master) so that every type has a biggest
# key. DEBUG POPULATE does not check slots: it would happily write keys of slots the master
# does not serve. Here every key is named under a hash tag ("{tag}:key:<i>") chosen so that
# its slot is one the master serves (TAGS tags of distinct slots per master), and the load is
# checked: each master's DBSIZE equals the keys counted in its tags' slots (COUNTKEYSINSLOT),
# and `rcluster check` is clean. The keys sit in TAGS slots per master rather than in all of
# them, which does not matter to a SCAN of the whole keyspace.
#
# Both tools must report the same number of keys (the total loaded) and, per type, the same
# biggest size (the maximum over the three redis-cli runs). Each timing is the best of RUNS
# runs. Prints both times and the ratio.
#
#   scripts/bench-bigkeys.sh [--keys N] [--port P] [--runs R]
#   env: N (1000000), PORT (18200: masters P..P+2; bus ports +10000 < 32768, away from the
#        tests' 20000-22699, kill-test's 19000+, bench-import's 18100-18103 and
#        bench-migrate's 22710+), RUNS (1), TAGS (100), VALUE_SIZE (32)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
PORT=${PORT:-18200}
RUNS=${RUNS:-1}
TAGS=${TAGS:-100}
VALUE_SIZE=${VALUE_SIZE:-32}
while (($#)); do
    case $1 in
    --keys) N=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-bigkeys: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT < 1024 || PORT + 2 + 10000 >= 32768)); then
    echo "bench-bigkeys: --port must be 1024..22765 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
if ((PORT + 2 >= 19000 && PORT <= 22720)) || ((PORT + 2 >= 18100 && PORT <= 18103)); then
    echo "bench-bigkeys: ports $PORT-$((PORT + 2)) overlap bench-import (18100-18103)," \
        "kill-test (19000+), the tests (20000-22699) or bench-migrate (22710+)" >&2
    exit 2
fi
if ((N < 3 * TAGS || RUNS < 1)); then
    echo "bench-bigkeys: --keys must be at least $((3 * TAGS)) and --runs at least 1" >&2
    exit 2
fi
HOST=127.0.0.1
MASTERS=("$PORT" $((PORT + 1)) $((PORT + 2)))
ENTRY=$HOST:$PORT
DIR=$(mktemp -d /tmp/rcluster-bench-bigkeys.XXXXXX)
NODE_ARGS=(--bind "$HOST" --cluster-enabled yes --cluster-config-file nodes.conf
    --enable-debug-command yes)
source scripts/lib.sh
trap cleanup EXIT
trap 'echo "bench-bigkeys: interrupted" >&2; exit 130' INT TERM

check_ports_free "${MASTERS[@]}"
cargo build --release --quiet
BIN=target/release/rcluster

secs_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

# --- cluster ------------------------------------------------------------------------------------
for port in "${MASTERS[@]}"; do start_node "$port"; done
log "creating the cluster (3 masters) on ports ${MASTERS[0]}-${MASTERS[2]}"
"$BIN" create $(printf "$HOST:%s " "${MASTERS[@]}") --yes -q >"$DIR/create.out" 2>&1 ||
    die "rcluster create failed: $(cat "$DIR/create.out")"
wait_for 60 "rcluster check clean" "$BIN" check "$ENTRY" -q

# --- load ---------------------------------------------------------------------------------------
# "port tag slot" for TAGS tags of distinct slots per master: candidate tags bk0, bk1, ... are
# hashed by the server (CLUSTER KEYSLOT) and given to the master serving their slot.
candidates=$((TAGS * 60))
seq 0 $((candidates - 1)) | awk '{ print "CLUSTER KEYSLOT bk" $1 }' |
    redis-cli -p "$PORT" >"$DIR/slots"
redis-cli -p "$PORT" cluster nodes | awk '$3 ~ /master/ {
    split($2, a, "[:@]")
    for (i = 9; i <= NF; i++) {
        if ($i ~ /^\[/) continue
        n = split($i, r, "-"); print a[2], r[1], (n == 2 ? r[2] : r[1])
    } }' >"$DIR/ranges"
seq 0 $((candidates - 1)) | paste -d' ' - "$DIR/slots" | awk -v want="$TAGS" '
    NR == FNR { port[NR] = $1; lo[NR] = $2; hi[NR] = $3; nr = NR; next }
    {
        tag = "bk" $1; slot = $2
        if (slot in used) next
        for (i = 1; i <= nr; i++) if (slot >= lo[i] && slot <= hi[i]) p = port[i]
        if (taken[p] < want) { taken[p]++; used[slot] = 1; print p, tag, slot }
    }' "$DIR/ranges" - >"$DIR/tags"
for port in "${MASTERS[@]}"; do
    n=$(awk -v p="$port" '$1 == p' "$DIR/tags" | wc -l)
    ((n == TAGS)) || die "found $n tags for master $port, wanted $TAGS (raise the candidates)"
done

log "loading $N string keys ($VALUE_SIZE-byte values) with DEBUG POPULATE under $TAGS hash tags" \
    "per master, plus a list, set, zset, hash and stream per master"
t0=$(date +%s%N)
m=0
for port in "${MASTERS[@]}"; do
    # This master's share of N, split over its tags; the first tags take the remainders.
    share=$((N / 3 + (m < N % 3 ? 1 : 0)))
    awk -v p="$port" -v share="$share" -v want="$TAGS" -v size="$VALUE_SIZE" '$1 == p {
        count = int(share / want) + (k < share % want ? 1 : 0); k++
        printf "DEBUG POPULATE %d {%s}:key %d\n", count, $2, size }' "$DIR/tags" \
        >"$DIR/load.$port"
    tag=$(awk -v p="$port" '$1 == p { print $2; exit }' "$DIR/tags")
    items=$((1000 * (m + 1)))
    {
        seq 1 "$items" | awk -v k="{$tag}:list" 'BEGIN { printf "RPUSH %s", k } { printf " item%d", $1 } END { print "" }'
        seq 1 "$items" | awk -v k="{$tag}:set" 'BEGIN { printf "SADD %s", k } { printf " member%d", $1 } END { print "" }'
        seq 1 "$items" | awk -v k="{$tag}:zset" 'BEGIN { printf "ZADD %s", k } { printf " %d member%d", $1, $1 } END { print "" }'
        seq 1 "$items" | awk -v k="{$tag}:hash" 'BEGIN { printf "HSET %s", k } { printf " field%d value%d", $1, $1 } END { print "" }'
        seq 1 "$items" | awk -v k="{$tag}:stream" '{ printf "XADD %s %d-1 f %d\n", k, $1, $1 }'
    } >>"$DIR/load.$port"
    redis-cli -p "$port" <"$DIR/load.$port" >"$DIR/load.$port.out" &
    m=$((m + 1))
done
wait
if grep -q ERR "$DIR"/load.*.out; then die "load failed: $(grep -h ERR "$DIR"/load.*.out | head -3)"; fi
TOTAL=$((N + 5 * 3))
total=$(sum_dbsize "${MASTERS[@]}")
((total == TOTAL)) || die "the masters hold $total keys, expected $TOTAL"
log "  loaded $total keys in $(secs_since "$t0") s"

# Every key is in a slot its master serves: its DBSIZE is the sum of its tags' slot counts.
for port in "${MASTERS[@]}"; do
    in_slots=$(awk -v p="$port" '$1 == p { print "CLUSTER COUNTKEYSINSLOT", $3 }' "$DIR/tags" |
        redis-cli -p "$port" | awk '{ n += $1 } END { print n + 0 }')
    dbsize=$(redis-cli -p "$port" dbsize)
    ((in_slots == dbsize)) || die "master $port holds $dbsize keys, $in_slots of them in its tags' slots"
done
"$BIN" check "$ENTRY" -q >"$DIR/check.out" 2>&1 || die "rcluster check failed: $(cat "$DIR/check.out")"

# Let the keyspace dicts finish their incremental rehash, so that no run pays for it.
rehashing() { local port; for port in "${MASTERS[@]}"; do
    redis-cli -p "$port" debug htstats 0 | grep -q "rehashing target" && return 0
done; return 1; }
for ((i = 0; i < 300; i++)); do rehashing || break; sleep 0.1; done

# --- runs ---------------------------------------------------------------------------------------
sampled() { awk '/^Sampled / { n += $2 } END { print n + 0 }' "$@"; }
biggest() { # files...: "type size" per type, the maximum over the files' summaries
    awk '/^Biggest / { for (i = 3; i < NF; i++) if ($i == "has") { if ($(i + 1) > max[$2]) max[$2] = $(i + 1) } }
        END { for (t in max) print t, max[t] }' "$@" | sort
}

declare -A SECS
timed() { # name output-file command...: runs it RUNS times, keeps the best time in SECS[name]
    local name=$1 out=$2 r t0 secs
    shift 2
    for ((r = 0; r < RUNS; r++)); do
        t0=$(date +%s%N)
        "$@" >"$out" 2>"$out.err" || die "$name failed (exit $?): $(tail -5 "$out" "$out.err")"
        secs=$(secs_since "$t0")
        if [[ -z ${SECS[$name]:-} ]] || awk -v a="$secs" -v b="${SECS[$name]}" 'BEGIN { exit !(a < b) }'; then
            SECS[$name]=$secs
        fi
    done
}
redis_cli_each() { # mode out-prefix: redis-cli <mode> on each master in turn
    local mode=$1 prefix=$2 port
    for port in "${MASTERS[@]}"; do
        redis-cli -p "$port" "$mode" >"$prefix.$port" || return 1
    done
}

for mode in bigkeys memkeys; do
    log "rcluster $mode $ENTRY"
    timed "rcluster $mode" "$DIR/rcluster.$mode" "$BIN" "$mode" "$ENTRY"
    log "  ${SECS[rcluster $mode]} s"
    log "redis-cli --$mode on each of the 3 masters in turn"
    timed "redis-cli $mode" "$DIR/redis-cli.$mode.runs" redis_cli_each "--$mode" "$DIR/redis-cli.$mode"
    log "  ${SECS[redis-cli $mode]} s"
    ours=$(sampled "$DIR/rcluster.$mode")
    theirs=$(sampled "$DIR"/redis-cli.$mode.[0-9]*)
    ((ours == TOTAL && theirs == TOTAL)) ||
        die "$mode: rcluster sampled $ours keys, redis-cli $theirs, expected $TOTAL"
    ours=$(biggest "$DIR/rcluster.$mode")
    theirs=$(biggest "$DIR"/redis-cli.$mode.[0-9]*)
    [[ $ours == "$theirs" && $(wc -l <<<"$ours") -eq 6 ]] ||
        die "$mode: biggest per type differ: rcluster [$ours] redis-cli [$theirs]"
    log "  both sampled $TOTAL keys and agree on the biggest size of each type"
done

# --- report -------------------------------------------------------------------------------------
echo
echo "bigkeys / memkeys over $TOTAL keys on 3 masters ($N strings of $VALUE_SIZE bytes + 15" \
    "lists, sets, zsets, hashes, streams), best of $RUNS run(s)"
for mode in bigkeys memkeys; do
    printf '  %-42s %8.2f s\n' "rcluster $mode" "${SECS[rcluster $mode]}"
    printf '  %-42s %8.2f s\n' "redis-cli --$mode (3 masters in turn)" "${SECS[redis-cli $mode]}"
    awk -v a="${SECS[redis-cli $mode]}" -v b="${SECS[rcluster $mode]}" \
        'BEGIN { printf "  ratio (redis-cli / rcluster): %.1fx\n", a / b }'
done
