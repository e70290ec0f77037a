#!/usr/bin/env bash
# Benchmark: `rcluster import --copy` vs `redis-cli --cluster import --cluster-copy` on the
# same work.
#
# Starts a cluster of 3 masters (no replicas) and a standalone source redis-server (cluster
# mode off, DEBUG enabled), loads N keys into the source with `DEBUG POPULATE N key 16`
# (keys key:0 .. key:N-1, 16-byte values), then runs each tool in turn, copying every key of
# the source into the cluster. Before each run the masters are FLUSHALLed and the cluster
# checked; after each run the sum of DBSIZE over the masters must be N, the source must still
# hold N keys, `rcluster check` must pass, and SAMPLE random keys are read from the cluster
# (redis-cli -c) and compared with the source. Prints both times and the ratio.
#
#   scripts/bench-import.sh [--keys N] [--port P] [--skip-redis-cli]
#   env: N (500000), PORT (18100: masters P..P+2, source P+3; bus ports +10000 < 32768, away
#        from the tests' 20000-22699, kill-test's 19000+ and bench-migrate's 22710+),
#        SAMPLE (200), SKIP_REDIS_CLI=1
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-500000}
PORT=${PORT:-18100}
SAMPLE=${SAMPLE:-200}
SKIP_REDIS_CLI=${SKIP_REDIS_CLI:-0}
while (($#)); do
    case $1 in
    --keys) N=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --skip-redis-cli) SKIP_REDIS_CLI=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-import: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT < 1024 || PORT + 3 + 10000 >= 32768)); then
    echo "bench-import: --port must be 1024..22764 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
if ((PORT + 3 >= 19000 && PORT <= 22720)); then
    echo "bench-import: ports $PORT-$((PORT + 3)) overlap kill-test (19000+), the tests" \
        "(20000-22699) or bench-migrate (22710+); choose another --port" >&2
    exit 2
fi
HOST=127.0.0.1
MASTERS=("$PORT" $((PORT + 1)) $((PORT + 2)))
SRC_PORT=$((PORT + 3))
ENTRY=$HOST:$PORT
SOURCE=$HOST:$SRC_PORT
DIR=$(mktemp -d /tmp/rcluster-bench-import.XXXXXX)
NODE_ARGS=(--bind $HOST)
source scripts/lib.sh
trap cleanup EXIT
trap 'echo "bench-import: interrupted" >&2; exit 130' INT TERM

check_ports_free "${MASTERS[@]}" "$SRC_PORT"

cargo build --release --quiet
BIN=target/release/rcluster

secs_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }

verify() { # after a run: counts, check, and a sample of values
    local tool=$1 total src i key want got
    total=$(sum_dbsize "${MASTERS[@]}")
    ((total == N)) || die "after $tool: the masters hold $total keys, expected $N"
    src=$(redis-cli -p "$SRC_PORT" dbsize)
    ((src == N)) || die "after $tool: the source holds $src keys, expected $N (--copy)"
    "$BIN" check "$ENTRY" -q >"$DIR/check.out" 2>&1 ||
        die "after $tool: rcluster check failed: $(cat "$DIR/check.out")"
    for ((i = 0; i < SAMPLE; i++)); do
        key=key:$(((RANDOM * 32768 + RANDOM) % N))
        want=$(redis-cli --no-raw -p "$SRC_PORT" get "$key")
        got=$(redis-cli --no-raw -c -p "$PORT" get "$key")
        [[ $want == \"* && $got == "$want" ]] || die "after $tool: $key is '$got' in the cluster, '$want' on the source"
    done
    log "  verified: $total keys on the masters, $src still on the source, rcluster check" \
        "clean, $SAMPLE sampled values equal"
}

# --- cluster and source --------------------------------------------------------------------------
for port in "${MASTERS[@]}"; do
    start_node "$port" --cluster-enabled yes --cluster-config-file nodes.conf
done
log "creating the cluster (3 masters) on ports ${MASTERS[0]}-${MASTERS[2]}"
"$BIN" create $(printf "$HOST:%s " "${MASTERS[@]}") --yes -q >"$DIR/create.out" 2>&1 ||
    die "rcluster create failed: $(cat "$DIR/create.out")"
wait_for 60 "rcluster check clean" "$BIN" check "$ENTRY" -q

start_node "$SRC_PORT" --enable-debug-command yes
log "loading $N keys into the source $SOURCE (DEBUG POPULATE $N key 16)"
redis-cli -p "$SRC_PORT" debug populate "$N" key 16 >/dev/null
[[ $(redis-cli -p "$SRC_PORT" dbsize) == "$N" ]] || die "the source does not hold $N keys"

# --- runs ----------------------------------------------------------------------------------------
declare -A SECS
run_tool() { # tool command...
    local tool=$1 t0 rc=0 port
    shift
    for port in "${MASTERS[@]}"; do redis-cli -p "$port" flushall >/dev/null; done
    (($(sum_dbsize "${MASTERS[@]}") == 0)) || die "FLUSHALL left keys in the cluster"
    wait_for 60 "rcluster check clean" "$BIN" check "$ENTRY" -q
    log "$tool: $*"
    t0=$(date +%s%N)
    "$@" >"$DIR/out.$tool" 2>"$DIR/err.$tool" || rc=$?
    SECS[$tool]=$(secs_since "$t0")
    if ((rc != 0)); then
        tail -20 "$DIR/out.$tool" "$DIR/err.$tool" >&2
        die "$tool failed (exit $rc)"
    fi
    log "  $tool: $N keys in ${SECS[$tool]} s ($(awk -v n="$N" -v s="${SECS[$tool]}" 'BEGIN { printf "%.0f", n / s }') keys/s)"
    verify "$tool"
}

run_tool rcluster "$BIN" import "$ENTRY" --from "$SOURCE" --copy --json
own=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["report"]; print(r["imported"], r["seconds"], round(d["keys_per_second"]))' "$DIR/out.rcluster" 2>/dev/null) ||
    die "rcluster --json printed no report: $(head -5 "$DIR/out.rcluster")"
read -r own_keys own_secs own_kps <<<"$own"
log "  rcluster's report: $own_keys keys imported in $own_secs s ($own_kps keys/s)"
((own_keys == N)) || die "rcluster reports $own_keys keys imported, expected $N"

if ((!SKIP_REDIS_CLI)); then
    run_tool redis-cli redis-cli --cluster import "$ENTRY" --cluster-from "$SOURCE" --cluster-copy
fi

# --- report --------------------------------------------------------------------------------------
echo
echo "import --copy of $N keys (16-byte values) from a standalone redis-server into 3 masters"
printf '  %-42s %9.2f s %10.0f keys/s\n' "rcluster import --copy" "${SECS[rcluster]}" \
    "$(awk -v n="$N" -v s="${SECS[rcluster]}" 'BEGIN { print n / s }')"
if [[ -n ${SECS[redis-cli]:-} ]]; then
    printf '  %-42s %9.2f s %10.0f keys/s\n' "redis-cli --cluster import --cluster-copy" \
        "${SECS[redis-cli]}" "$(awk -v n="$N" -v s="${SECS[redis-cli]}" 'BEGIN { print n / s }')"
    awk -v a="${SECS[redis-cli]}" -v b="${SECS[rcluster]}" \
        'BEGIN { printf "  ratio (redis-cli / rcluster): %.1fx\n", a / b }'
fi
