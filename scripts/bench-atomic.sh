#!/usr/bin/env bash
# Benchmark: rcluster's atomic slot-migration engine (Valkey >= 9.0 CLUSTER MIGRATESLOTS, the
# default `--engine auto` where both nodes have it) against the bare server command, against
# rcluster's MIGRATE engine (`--engine legacy`) and against valkey-cli 8.1 (MIGRATE, its
# defaults), on a Valkey 9.1 cluster.
#
# Every measured step runs on a FRESH cluster built the same way: 3 masters + 3 replicas
# (`rcluster create --replicas 1`; M1 owns 0-5460, M2 5461-10922, M3 10923-16383), KEYS keys
# with 16-byte values spread over all 16384 slots (scripts/load-keys.py), for (b) a fourth,
# empty master M4 (CLUSTER MEET; every node knows it and it reports cluster_state:ok); then
# replicas linked and holding their master's key count, no hash table rehashing on any node,
# and `rcluster check` clean. So every contender does the same work from the same state.
# The steps:
#   (a) reshard slots 0-1999 (about 12% of the keys) from M1 to M2, by
#       auto        rcluster reshard --slot-range 0-1999 --to M2 --yes            (atomic engine)
#       bare        CLUSTER MIGRATESLOTS SLOTSRANGE 0 1999 NODE <M2>, sent with redis-cli to M1,
#                   then CLUSTER GETSLOTMIGRATIONS polled on M1 every 5 ms until the job says
#                   success: the servers' own floor, with no tool around it
#       legacy      rcluster reshard ... --engine legacy                             (MIGRATE)
#       valkey-cli  valkey-cli --cluster reshard --cluster-from M1 --cluster-to M2
#                   --cluster-slots 2000 --cluster-yes (8.1, default pipeline of 10 keys; it
#                   takes the source's lowest slots: the script checks it moved exactly 0-1999)
#   (b) rebalance onto the empty M4 with use-empty-masters (4096 slots, a quarter of the keys):
#       auto        rcluster rebalance --use-empty-masters
#       bare        the slots of rcluster's plan (`rebalance --dry-run --json`, computed before
#                   the clock starts): one MIGRATESLOTS per source with all its ranges, sources
#                   in parallel, each source polled until its job says success
#       legacy      rcluster rebalance --use-empty-masters --engine legacy
#       valkey-cli  valkey-cli --cluster rebalance --cluster-use-empty-masters (its own plan;
#                   the table shows the slots and keys each contender moved)
# Timed: from the start of the command until it has exited AND every node's CLUSTER NODES shows
# the same slot map with no migrating/importing slot. A small Python harness (written to the
# work directory) opens its connections before the clock starts, runs the command, then polls
# every node every 5 ms over those connections; the end is the END of the first poll that finds
# them agreeing, i.e. when the last node's answer arrived (rcluster waits for agreement itself,
# the others do not). Not the poll's start, as bench-migrate.sh takes (its polls fork redis-cli
# per node): here a poll takes 1-3 ms, except right after an atomic job says success, when
# the source's replicas are busy deleting the moved keys and the poll that finds the nodes
# agreeing takes 30-60 ms; rcluster has to wait for those answers too, so the bare command
# must as well. (The slot map itself agrees on every node from the job's failover-granted
# state on, about 0.1 s before the source says success.)
# "cmd s" is until the command exited (bare: until its jobs said success). After every step: the sum of DBSIZE over the masters is
# KEYS, `load-keys.py verify` reads every key from its slot's owner and compares its value, and
# `rcluster check` exits 0; the auto rows must have used the atomic engine for every pair.
# Runs: each contender RUNS times per step, interleaved (run 1 of every contender, then run 2,
# ...); the table shows min and median; ratios and targets use the medians.
# Noise: the servers move a job through its states (snapshotting, replicating, failover,
# success) in steps of roughly 0.1-0.2 s, so at 1M keys the floor itself varies by +-0.1-0.2 s
# from run to run, and valkey-cli (thousands of round trips) slows down with any other load on
# the machine; the load average is logged with every run. For the auto/bare ratio, use more
# runs (e.g. --runs 7 --contenders "auto bare").
#
#   scripts/bench-atomic.sh [--keys N] [--port P] [--server PATH] [--cli PATH] [--runs R]
#                           [--steps "a b"] [--contenders "auto bare legacy peer"]
#   --server: the server (default: valkey-9.1 from scripts/fetch-servers.sh --path valkey-9.1);
#   --cli: the peer tool (default: valkey-cli 8.1 from scripts/fetch-servers.sh --cli valkey-8.1);
#   --runs: repetitions per contender and step (3); --steps: which steps (both);
#   --contenders: which of auto bare legacy peer (all; the table and targets need all four).
#   env: KEYS (1000000), PORT (22710: nodes P..P+6, bus ports +10000), SERVER, PEER_CLI, RUNS,
#        STEPS, CONTENDERS
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
PORT=${PORT:-22710}               # tests take 20000..22699; P+6+10000 must stay below 32768
SERVER=${SERVER:-}
PEER_CLI=${PEER_CLI:-}
RUNS=${RUNS:-3}
STEPS=${STEPS:-a b}
CONTENDERS=${CONTENDERS:-auto bare legacy peer}
while (($#)); do
    case $1 in
    --server) SERVER=$2; shift 2 ;;
    --cli) PEER_CLI=$2; shift 2 ;;
    --keys) KEYS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --steps) STEPS=$2; shift 2 ;;
    --contenders) CONTENDERS=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-atomic: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
if ((PORT + 6 + 10000 >= 32768 || PORT < 1024)); then
    echo "bench-atomic: --port must be 1024..22761 (bus ports are port+10000, below 32768)" >&2
    exit 2
fi
if ((PORT <= 22699 && PORT + 6 >= 20000)); then
    echo "bench-atomic: ports 20000-22699 belong to the tests; choose --port 22700 or above" >&2
    exit 2
fi
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench-atomic: --runs must be a positive number" >&2; exit 2; }
[[ $KEYS =~ ^[1-9][0-9]*$ ]] || { echo "bench-atomic: --keys must be a positive number" >&2; exit 2; }
for s in $STEPS; do
    [[ $s == a || $s == b ]] || { echo "bench-atomic: --steps takes a and/or b" >&2; exit 2; }
done
for c in $CONTENDERS; do
    [[ $c =~ ^(auto|bare|legacy|peer)$ ]] || { echo "bench-atomic: --contenders takes auto bare legacy peer" >&2; exit 2; }
done
[[ -n $SERVER ]] || SERVER=$(scripts/fetch-servers.sh --path valkey-9.1)
[[ -n $PEER_CLI ]] || PEER_CLI=$(scripts/fetch-servers.sh --cli valkey-8.1)
HOST=127.0.0.1
ENTRY=$HOST:$PORT
M4_PORT=$((PORT + 6))
DIR=$(mktemp -d /tmp/rcluster-bench-atomic.XXXXXX)
NODE_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf)
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
trap cleanup EXIT
trap 'echo "bench-atomic: interrupted" >&2; exit 130' INT TERM

check_ports_free $(seq "$PORT" "$M4_PORT")
PEER=$(basename "$PEER_CLI")
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
LOAD_START=$(loadavg)
log "server: $("$SERVER" --version | cut -d' ' -f1-3); peer: $PEER ($("$PEER_CLI" --version));" \
    "$(nproc) CPUs, load average $LOAD_START"

cargo build --release --quiet
BIN=target/release/rcluster

# --- the timing harness ------------------------------------------------------------------------
# timer.py --nodes P,P,... --masters P,P,... --out FILE (-- command... | --bare PORT ARGS...)
# Opens one connection per node, notes every master's DBSIZE and the slot owners, then starts the
# clock and runs the command (or, with --bare, sends each `CLUSTER MIGRATESLOTS ARGS` with
# redis-cli to its PORT, all at once, and polls CLUSTER GETSLOTMIGRATIONS on those ports every
# 5 ms until every job it started says success), then polls CLUSTER NODES on every node every
# 5 ms until they agree with no open slot. Prints one JSON line: total and cmd seconds, exit
# code, the slots whose owner changed (count, ranges, per from->to pair) and the keys the
# masters gained.
cat >"$DIR/timer.py" <<'EOF'
import argparse, importlib.util, json, subprocess, sys, time

spec = importlib.util.spec_from_file_location("load_keys", "scripts/load-keys.py")
lk = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lk)

p = argparse.ArgumentParser()
p.add_argument("--nodes", required=True)
p.add_argument("--masters", required=True)
p.add_argument("--out", required=True)
p.add_argument("--bare", nargs="+", action="append", default=[], metavar="PORT ARGS")
p.add_argument("--deadline", type=float, default=120.0)
p.add_argument("command", nargs="*")
a = p.parse_args()
nodes = [int(x) for x in a.nodes.split(",")]
masters = [int(x) for x in a.masters.split(",")]
conns = {port: lk.Conn("127.0.0.1", port) for port in nodes}


def view(port):
    """(slot map as sorted 'id ranges...' lines of masters with slots, any open slot)"""
    lines, open_slot = [], False
    for line in conns[port].cmd("CLUSTER", "NODES").decode().splitlines():
        f = line.split()
        if "master" not in f[2].split(",") or len(f) <= 8:
            continue
        ranges = [r for r in f[8:] if not r.startswith("[")]
        open_slot = open_slot or len(ranges) != len(f) - 8
        lines.append(f[0] + " " + " ".join(ranges))
    return sorted(lines), open_slot


def owners(port):
    table = [None] * 16384
    for line in view(port)[0]:
        f = line.split()
        for r in f[1:]:
            lo, _, hi = r.partition("-")
            for s in range(int(lo), int(hi or lo) + 1):
                table[s] = f[0]
    return table


def agreed():
    first = None
    for port in nodes:
        m, open_slot = view(port)
        if open_slot or (first is not None and m != first):
            return False
        first = m
    return True


def jobs(port):
    """export jobs of a source: name -> (state, message)"""
    out = {}
    for j in conns[port].cmd("CLUSTER", "GETSLOTMIGRATIONS") or []:
        if isinstance(j, dict):
            d = {k.decode(): v for k, v in j.items()}
        else:
            d = {j[i].decode(): j[i + 1] for i in range(0, len(j), 2)}
        if d["operation"] == b"EXPORT":
            out[d["name"].decode()] = (d["state"].decode(), (d.get("message") or b"").decode())
    return out


def ranges(slots):
    out, slots = [], sorted(slots)
    i = 0
    while i < len(slots):
        j = i
        while j + 1 < len(slots) and slots[j + 1] == slots[j] + 1:
            j += 1
        out.append("%d-%d" % (slots[i], slots[j]) if j > i else "%d" % slots[i])
        i = j + 1
    return ",".join(out)


before = owners(nodes[0])
keys_before = {port: conns[port].cmd("DBSIZE") for port in masters}
old_jobs = {int(b[0]): set(jobs(int(b[0]))) for b in a.bare}
result = {"rc": 0}
with open(a.out, "wb") as out:
    t0 = time.perf_counter()
    if a.bare:
        procs = [subprocess.Popen(["redis-cli", "-p", b[0], "CLUSTER", "MIGRATESLOTS"] + b[1:],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for b in a.bare]
        for b, proc in zip(a.bare, procs):
            reply = proc.communicate()[0]
            out.write(b"%s: %s" % (b[0].encode(), reply))
            if proc.returncode != 0 or reply.strip() != b"OK":
                result["rc"] = 1
        want = {int(b[0]): b.count("NODE") for b in a.bare}
        while result["rc"] == 0 and want:
            for port in list(want):
                new = {n: s for n, s in jobs(port).items() if n not in old_jobs[port]}
                bad = [s for s in new.values() if s[0] in ("failed", "cancelled")]
                if bad:
                    out.write(b"%d: job %s: %s\n" % (port, bad[0][0].encode(), bad[0][1].encode()))
                    result["rc"] = 1
                elif len(new) >= want[port] and all(s[0] == "success" for s in new.values()):
                    del want[port]
            if want:
                time.sleep(0.005)
    else:
        result["rc"] = subprocess.call(a.command, stdout=out, stderr=subprocess.STDOUT)
    t1 = time.perf_counter()
    if result["rc"] == 0:
        while True:
            t2 = time.perf_counter()
            if agreed():
                t3 = time.perf_counter()
                break
            if t2 - t1 > a.deadline:
                result["rc"] = 124
                out.write(b"nodes still disagree %d s after the command ended\n" % a.deadline)
                break
            time.sleep(0.005)
        after = owners(nodes[0])
        moved = [s for s in range(16384) if after[s] != before[s]]
        pairs = {}
        for s in moved:
            k = "%s->%s" % (before[s], after[s])
            pairs[k] = pairs.get(k, 0) + 1
        result.update(total=t3 - t0, cmd=t1 - t0, poll=t3 - t2, slots=len(moved), ranges=ranges(moved),
                      pairs=pairs, keys=sum(max(0, conns[port].cmd("DBSIZE") - n)
                                            for port, n in keys_before.items()))
print(json.dumps(result))
EOF

# --- fresh clusters ----------------------------------------------------------------------------
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
not_rehashing() { # no node is growing (rehashing) a key table: a load's after-effect
    local port
    for port in "${NODES[@]}"; do
        redis-cli -p "$port" info memory | grep -q '^mem_overhead_db_hashtable_rehashing:0' || return 1
    done
}
m4_known() { # every node knows M4 (no handshake/fail flags), and M4 reports cluster_state:ok
    local port
    for port in "${NODES[@]}"; do
        redis-cli -p "$port" cluster nodes | grep "^$ID4 " | grep -qv -e handshake -e noaddr -e fail || return 1
    done
    redis-cli -p "$M4_PORT" cluster info | grep -q '^cluster_state:ok'
}

build_cluster() { # step: stop the previous cluster, build a fresh one (+ M4 for step b)
    local step=$1 p
    stop_started_nodes
    for p in "${STARTED_PORTS[@]}"; do rm -rf "${DIR:?}/$p"; done
    STARTED_PORTS=()
    NODES=()
    for ((p = PORT; p < PORT + 6; p++)); do
        start_node $p
        NODES+=("$p")
    done
    "$BIN" create "${NODES[@]/#/$HOST:}" --replicas 1 --yes -q >"$DIR/create.out" 2>&1 ||
        die "rcluster create failed: $(cat "$DIR/create.out")"
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
    # Masters by their first slot: M1 owns slot 0, M2 the next range, M3 the last.
    MASTERS=()
    while read -r p; do MASTERS+=("$p"); done < <(
        for p in "${NODES[@]}"; do
            redis-cli -p "$p" cluster nodes | awk -v p="$p" '$3 ~ /myself/ && $3 ~ /master/ {
                split($9, r, "-"); print r[1], p }'
        done | sort -n | awk '{ print $2 }')
    ((${#MASTERS[@]} == 3)) || die "expected 3 masters, found ${#MASTERS[@]}"
    M1=${MASTERS[0]} M2=${MASTERS[1]}
    ID1=$(node_id "$M1") ID2=$(node_id "$M2")
    [[ $(slot_map "$M1" | grep "^$ID1 ") == "$ID1 0-5460" ]] || die "M1 does not own exactly 0-5460"
    if [[ $step == b ]]; then
        start_node "$M4_PORT"
        redis-cli -p "$M4_PORT" cluster meet $HOST "$PORT" >/dev/null
        NODES+=("$M4_PORT")
        MASTERS+=("$M4_PORT")
        ID4=$(node_id "$M4_PORT")
        wait_for 60 "every node to know the fourth master, and it to report cluster_state:ok" m4_known
    fi
    python3 scripts/load-keys.py load --port "$PORT" --keys "$KEYS" >"$DIR/load.out" ||
        die "loading the keys failed"
    wait_for 120 "replicas in sync" replicas_in_sync
    wait_for 60 "no hash table rehashing" not_rehashing
    wait_for 60 "rcluster check clean" "$BIN" check "$ENTRY" -q
    wait_for 60 "every node to show the same slot map" agreed "${NODES[@]}"
}

verify() { # what: after a step: key count on the masters, every key's value, rcluster check
    local total
    total=$(sum_dbsize "${MASTERS[@]}")
    ((total == KEYS)) || die "after $1: masters hold $total keys, expected $KEYS"
    python3 scripts/load-keys.py verify --port "$PORT" --keys "$KEYS" >"$DIR/verify.out" 2>&1 ||
        die "after $1: data check failed: $(cat "$DIR/verify.out")"
    "$BIN" check "$ENTRY" -q >"$DIR/check.out" 2>&1 ||
        die "after $1: rcluster check failed: $(cat "$DIR/check.out")"
}

# --- measured steps ----------------------------------------------------------------------------
# shellcheck disable=SC2206 # the list, split on purpose
CONTENDERS=(${CONTENDERS/peer/$PEER})
declare -A TIMES CMDTIMES MOVED # "step.contender" -> space-separated per-run values

read_plan() { # rcluster's (b) plan: PLAN_B, the slots it moves (ranges); BARE_ARGS, the timer's
    # --bare arguments: one MIGRATESLOTS per source with all its pairs
    local line
    "$BIN" rebalance "$ENTRY" --use-empty-masters --dry-run --json >"$DIR/plan.json" ||
        die "rcluster rebalance --dry-run failed"
    BARE_ARGS=()
    PLAN_B=
    while read -r line; do
        if [[ -z $PLAN_B ]]; then PLAN_B=$line; continue; fi
        # shellcheck disable=SC2206 # the plan's words, split on purpose
        BARE_ARGS+=(--bare $line)
    done < <(python3 - "$DIR/plan.json" <<'EOF'
import json, sys
pairs = json.load(open(sys.argv[1]))["plan"]["pairs"]
by_source, slots = {}, []
for pair in pairs:
    args = by_source.setdefault(pair["from"].rsplit(":", 1)[1], [])
    args.append("SLOTSRANGE")
    for r in pair["slots"].split(","):
        lo, _, hi = r.partition("-")
        args += [lo, hi or lo]
        slots += range(int(lo), int(hi or lo) + 1)
    args += ["NODE", pair["to_id"]]
slots.sort()
out, i = [], 0
while i < len(slots):
    j = i
    while j + 1 < len(slots) and slots[j + 1] == slots[j] + 1:
        j += 1
    out.append("%d-%d" % (slots[i], slots[j]) if j > i else "%d" % slots[i])
    i = j + 1
print(",".join(out))
for port, args in by_source.items():
    print(port, " ".join(args))
EOF
    )
    ((${#BARE_ARGS[@]})) || die "rcluster's rebalance plan moves nothing"
}

measure() { # step contender run
    local step=$1 who=$2 run=$3 res total cmd slots rngs keys pairs rc
    local out="$DIR/out.$step.$who.$run"
    build_cluster "$step"
    local -a timer=(python3 "$DIR/timer.py" --nodes "$(IFS=,; echo "${NODES[*]}")"
        --masters "$(IFS=,; echo "${MASTERS[*]}")" --out "$out")
    if [[ $step == b && ($who == auto || $who == bare) ]]; then read_plan; fi
    case $who.$step in
    auto.a) timer+=(-- "$BIN" reshard "$ENTRY" --slot-range 0-1999 --to "$ID2" --yes --json) ;;
    legacy.a) timer+=(-- "$BIN" reshard "$ENTRY" --slot-range 0-1999 --to "$ID2" --yes --json --engine legacy) ;;
    bare.a) timer+=(--bare "$M1" SLOTSRANGE 0 1999 NODE "$ID2") ;;
    auto.b) timer+=(-- "$BIN" rebalance "$ENTRY" --use-empty-masters --json) ;;
    legacy.b) timer+=(-- "$BIN" rebalance "$ENTRY" --use-empty-masters --json --engine legacy) ;;
    bare.b) timer+=("${BARE_ARGS[@]}") ;;
    *.a) timer+=(-- "$PEER_CLI" --cluster reshard "$ENTRY" --cluster-from "$ID1" --cluster-to "$ID2"
        --cluster-slots 2000 --cluster-yes) ;;
    *.b) timer+=(-- "$PEER_CLI" --cluster rebalance "$ENTRY" --cluster-use-empty-masters) ;;
    esac
    res=$("${timer[@]}") || die "($step) $who: the timing harness failed"
    read -r rc total cmd poll slots rngs keys pairs < <(python3 -c '
import json, sys
r = json.loads(sys.argv[1])
print(r["rc"], "%.3f" % r.get("total", 0), "%.3f" % r.get("cmd", 0), "%.0f" % (r.get("poll", 0) * 1000),
      r.get("slots", 0),
      r.get("ranges") or "-", r.get("keys", 0),
      ",".join("%s:%d" % (k, v) for k, v in sorted(r.get("pairs", {}).items())) or "-")' "$res")
    if [[ $rc != 0 ]]; then
        tail -20 "$out" >&2
        die "($step) $who run $run failed: $rc"
    fi
    # The same work for every contender: (a) exactly 0-1999 from M1 to M2; (b) only onto M4.
    if [[ $step == a ]]; then
        [[ $rngs == 0-1999 && $pairs == "$ID1->$ID2:2000" ]] ||
            die "(a) $who moved $rngs ($pairs), not 0-1999 from M1 to M2"
    else
        [[ $(tr ',' '\n' <<<"$pairs" | grep -vc -- "->$ID4:") == 0 ]] ||
            die "(b) $who moved slots to other masters than M4: $pairs"
        if [[ $who == bare || $who == auto ]]; then
            [[ $rngs == "$PLAN_B" ]] || die "(b) $who moved $rngs, not rcluster's dry-run plan $PLAN_B"
        fi
    fi
    if [[ $who == auto || $who == legacy ]]; then
        local want=atomic engines
        [[ $who == auto ]] || want=legacy
        engines=$(python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))["migration"]
print("+".join(sorted({p["engine"] for p in m["pairs"]})), m["duration_ms"], m["converge_ms"])' "$out") ||
            die "($step) $who: rcluster --json printed no migration report"
        [[ ${engines%% *} == "$want" ]] || die "($step) $who: rcluster used the engine(s) ${engines%% *}, not $want"
        log "  rcluster's report: engine ${engines%% *}, duration $(cut -d' ' -f2 <<<"$engines") ms, converge $(cut -d' ' -f3 <<<"$engines") ms"
    fi
    log "($step) $who run $run: $slots slots ($rngs), $keys keys: $total s (command ended after" \
        "$cmd s, then the poll that found the nodes agreeing took $poll ms; load average $(loadavg))"
    verify "($step) $who run $run"
    TIMES[$step.$who]+="$total "
    CMDTIMES[$step.$who]+="$cmd "
    MOVED[$step.$who]="$slots/$keys"
}

for ((run = 1; run <= RUNS; run++)); do
    for step in $STEPS; do
        for who in "${CONTENDERS[@]}"; do
            measure "$step" "$who" "$run"
        done
    done
done
stop_started_nodes

# --- report ------------------------------------------------------------------------------------
stat() { # min|median values...: empty without values
    local what=$1
    shift
    (($#)) || return 0
    printf '%s\n' "$@" | sort -g | awk -v w="$what" '{ v[NR] = $1 } END {
        if (w == "min") print v[1]
        else if (NR % 2) print v[(NR + 1) / 2]
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# shellcheck disable=SC2086 # the per-run list, split on purpose
median() { stat median ${TIMES[$1]:-}; }
ratio() { # a b: a / b to 2 decimals, "-" when either is missing
    if [[ -z $1 || -z $2 ]]; then echo -; return; fi
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
}
verdict() { # ratio op limit: met / NOT met, or "-" without a ratio
    [[ $1 != - ]] || { echo "(not measured)"; return; }
    awk -v r="${1%x}" -v op="$2" -v m="$3" 'BEGIN {
        ok = (op == "<=" ? r <= m : r >= m); print (ok ? "met" : "NOT met") }'
}
echo
echo "rcluster's atomic engine on $("$SERVER" --version | cut -d' ' -f1-3), $KEYS keys of 16 bytes," \
    "3 masters + 3 replicas (+ empty M4 in b), a fresh cluster per run, $RUNS runs each;" \
    "$(nproc) CPUs, load average $LOAD_START at the start, $(loadavg) at the end"
echo "(a) reshard slots 0-1999 M1 -> M2; (b) rebalance --use-empty-masters onto M4"
echo "seconds: from the command's start until it has exited and every node has answered with the same slot map;"
echo "cmd s: until it exited (bare: until its jobs said success); x bare, x auto: median / that median"
printf '%-4s %-11s %8s %8s %8s %6s %8s %9s %8s %8s  %s\n' step contender min median "cmd s" \
    slots keys keys/s "x bare" "x auto" "runs (s)"
for step in $STEPS; do
    for who in "${CONTENDERS[@]}"; do
        key=$step.$who
        # shellcheck disable=SC2086 # the per-run lists, split on purpose
        read -r mn md cmd < <(echo "$(stat min ${TIMES[$key]}) $(median "$key") $(stat median ${CMDTIMES[$key]})")
        IFS=/ read -r slots keys <<<"${MOVED[$key]}"
        printf '%-4s %-11s %8.3f %8.3f %8.3f %6d %8d %9.0f %8s %8s  %s\n' "$step" "$who" "$mn" "$md" "$cmd" \
            "$slots" "$keys" "$(awk -v k="$keys" -v s="$md" 'BEGIN { print k / s }')" \
            "$(ratio "$md" "$(median "$step.bare")")" "$(ratio "$md" "$(median "$step.auto")")" "${TIMES[$key]}"
    done
done
echo
echo "targets (medians):"
for step in $STEPS; do
    r=$(ratio "$(median "$step.auto")" "$(median "$step.bare")")
    printf '  (%s) rcluster auto within 1.3x of the bare MIGRATESLOTS: %8s  %s\n' "$step" "$r" "$(verdict "$r" '<=' 1.3)"
done
for step in $STEPS; do
    r=$(ratio "$(median "$step.$PEER")" "$(median "$step.auto")")
    if [[ $step == a ]]; then
        printf '  (a) rcluster auto >= 30x faster than %s reshard: %8s  %s\n' "$PEER" "$r" "$(verdict "$r" '>=' 30)"
    else
        printf '  (b) rcluster auto vs %s rebalance (no target): %8s  %s\n' "$PEER" "$r" \
            "$([[ $r == - ]] && echo "(not measured)" || echo faster)"
    fi
done
