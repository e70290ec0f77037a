#!/usr/bin/env bash
# rcluster in Docker: the image built by the Dockerfile (its `prebuilt` stage, holding the static
# binary: see scripts/docker-images.sh rcluster) run against clusters of server containers
# (scripts/docker-images.sh server NAME), the way the seed documents in the README's Docker
# section do it: user networks with fixed addresses, docker-compose with host names, one-off
# `docker run --rm --net NET rcluster:test ...` containers.
#
#   scripts/docker-test.sh            every scenario
#   scripts/docker-test.sh a b e      only these
#
#   a  seed 000 on Redis 7.0: a network with a fixed subnet, six nodes at fixed addresses,
#      `rcluster create ... --cluster-replicas 1`, check and nodes from other containers,
#      CLUSTER NODES and CLUSTER SLOTS agree, a client container writes and reads 1000 keys
#   b  seed 001: docker/seed-001/docker-compose.yml (redis1..3, ports 7000-7002), create by host
#      name, redis-benchmark from a container, info/bigkeys/memkeys see its keys; a master is
#      stopped (check exits 1 and names its slots) and started again (check exits 0, no key lost)
#   c  every container recreated at a new address (data and nodes.conf in volumes): check shows
#      the cluster down, `rcluster fix --rejoin` with the new addresses (host names) brings it
#      back (same ids and slots, every key); a node of another cluster among them is refused
#   d  nodes that announce another address (--cluster-announce-ip) than the one create is given
#   e  scenario a on Valkey 9.1, then `rcluster reshard --slots 1000` (atomic slot migration)
#
# Every command is printed (`+ ...`) with its output (indented, long outputs shortened), and
# every outcome asserted (exit codes, output). Everything started (containers, networks,
# compose projects, volumes) is named with a prefix unique to this run and removed on exit,
# failed or not. Docker is required: when `docker info` fails the script fails, unless
# RCLUSTER_SKIP_DOCKER=1 (a developer's opt-out; CI never sets it). The last line says what
# passed, with each scenario's time.
#
# Needs docker, docker-compose (or `docker compose`) for b, python3, cargo (the static build),
# redis-cli and redis-benchmark (Debian's redis-tools) and the servers of
# scripts/fetch-servers.sh. No registry: every image is built FROM scratch from local files by
# scripts/docker-images.sh (skipped when up to date). rcluster:test holds the static debug
# build that scripts/static-check.sh builds too; RCLUSTER_DOCKER_RELEASE=1 for the release build.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_SCENARIOS=(a b c d e)
RCLUSTER_IMAGE=rcluster:test
REDIS_IMAGE=rcluster-server:redis-7.0
VALKEY_IMAGE=rcluster-server:valkey-9.1
COMPOSE_FILE=docker/seed-001/docker-compose.yml
PREFIX=rct$$x$RANDOM # lower case: compose project names must be
SHOW_LINES=30        # output lines shown per command (the rest is counted)

usage() {
    echo "usage: scripts/docker-test.sh [SCENARIO...]   (scenarios: ${ALL_SCENARIOS[*]})" >&2
    exit 2
}

SCENARIOS=()
for arg in "$@"; do
    case $arg in
        a | b | c | d | e) SCENARIOS+=("$arg") ;;
        *) usage ;;
    esac
done
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL_SCENARIOS[@]}")

if [ "${RCLUSTER_SKIP_DOCKER:-0}" = 1 ]; then
    echo "docker-test: SKIPPED: RCLUSTER_SKIP_DOCKER=1 (nothing was tested)"
    exit 0
fi
if ! info=$(docker info 2>&1 >/dev/null); then # its errors only
    echo "$info" >&2
    echo "docker-test: FAILED: \`docker info\` failed: Docker is needed for these tests" \
        "(RCLUSTER_SKIP_DOCKER=1 skips them on purpose)" >&2
    exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rcluster-docker-test.XXXXXX")
CURRENT=setup       # the running scenario, for messages and names
COMPOSE_PROJECTS=() # started compose projects, taken down on exit
PASSED=()           # "a (23 s)"
STUBS=()            # the scenarios that are stubs

# ---- output and assertions -------------------------------------------------------------------

quote() { # args: the command line, quoted for a shell where needed
    local out=() a
    for a in "$@"; do
        if [[ $a =~ ^[A-Za-z0-9_./:=@,+%{}-]+$ ]]; then out+=("$a"); else out+=("$(printf '%q' "$a")"); fi
    done
    echo "${out[*]}"
}

note() { printf '# %s\n' "$*"; }

normalize() { # file: rewrites it with \r\n as \n and a lone \r (progress lines) as \n
    sed -i -e 's/\r$//' -e 's/\r/\n/g' "$1"
}

show() { # file: its lines, indented, at most SHOW_LINES of them (blank ones left out)
    local n
    n=$(grep -vc '^ *$' "$1" || true)
    grep -v '^ *$' "$1" | head -n "$SHOW_LINES" | sed 's/^/  | /' || true
    if [ "$n" -gt "$SHOW_LINES" ]; then echo "  | ... ($((n - SHOW_LINES)) more lines)"; fi
}

RC=0
OUT=""
x() { # command...: prints `+ command`, runs it, shows its output; keeps it in OUT, its exit code
    # in RC (never exits: assert with expect_*)
    printf '+ %s\n' "$(quote "$@")"
    RC=0
    "$@" >"$WORK/out" 2>&1 || RC=$?
    normalize "$WORK/out"
    OUT=$(<"$WORK/out")
    show "$WORK/out"
}

xs() { # command...: x without showing the output (it is still in OUT)
    printf '+ %s\n' "$(quote "$@")"
    RC=0
    "$@" >"$WORK/out" 2>&1 || RC=$?
    normalize "$WORK/out"
    OUT=$(<"$WORK/out")
    echo "  | ($(wc -l <"$WORK/out") lines, exit $RC)"
}

fail() { # message: the end (exits 1; the EXIT trap removes what was started)
    local n
    n=$(grep -vc '^ *$' "$WORK/out" 2>/dev/null || true)
    if [ "${n:-0}" -gt "$SHOW_LINES" ]; then
        echo "  the last command's output ended with:"
        grep -v '^ *$' "$WORK/out" | tail -n 20 | sed 's/^/  | /'
    fi
    echo "docker-test: FAILED: scenario $CURRENT: $*" >&2
    exit 1
}

expect_rc() { # code: the last command's exit code
    [ "$RC" -eq "$1" ] || fail "exit code $RC, expected $1 (from the last command above)"
    echo "  ok: exit $RC"
}

expect_out() { # extended-regex [description]: the last command's output matches
    grep -qE -- "$1" <<<"$OUT" || fail "the output of the last command does not match /$1/"
    echo "  ok: output matches /$1/${2:+ ($2)}"
}

expect_eq() { # actual expected what
    [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
    echo "  ok: $3 = $2"
}

until_rc() { # seconds code command...: runs the command every second until it exits with code,
    # then shows its last run like x; fails after seconds
    local seconds=$1 code=$2 start=$SECONDS tries=0
    shift 2
    printf '+ %s   (repeated until it exits %s, at most %s s)\n' "$(quote "$@")" "$code" "$seconds"
    while :; do
        tries=$((tries + 1))
        RC=0
        "$@" >"$WORK/out" 2>&1 || RC=$?
        if [ "$RC" -eq "$code" ] || [ $((SECONDS - start)) -ge "$seconds" ]; then break; fi
        sleep 1
    done
    normalize "$WORK/out"
    OUT=$(<"$WORK/out")
    show "$WORK/out"
    echo "  ($tries run(s), $((SECONDS - start)) s)"
    expect_rc "$code"
}

# ---- docker helpers --------------------------------------------------------------------------

remove_named() { # prefix: takes down the compose projects started, removes the containers
    # (with their volumes), networks and volumes whose names start with prefix
    local project ids=()
    for project in "${COMPOSE_PROJECTS[@]}"; do
        "${COMPOSE[@]}" -p "$project" -f "$COMPOSE_FILE" down -v --remove-orphans -t 1 >/dev/null 2>&1 || true
    done
    COMPOSE_PROJECTS=()
    mapfile -t ids < <(docker ps -aq --filter "name=^/?$1")
    if [ ${#ids[@]} -gt 0 ]; then docker rm -f -v "${ids[@]}" >/dev/null || true; fi
    mapfile -t ids < <(docker network ls -q --filter "name=^$1")
    if [ ${#ids[@]} -gt 0 ]; then docker network rm "${ids[@]}" >/dev/null || true; fi
    mapfile -t ids < <(docker volume ls -q --filter "name=^$1")
    if [ ${#ids[@]} -gt 0 ]; then docker volume rm "${ids[@]}" >/dev/null || true; fi
}

cleanup() { # EXIT trap: removes everything this run started (named $PREFIX...), keeps the status
    local rc=$? left
    trap - EXIT INT TERM
    set +e
    remove_named "$PREFIX"
    rm -rf "$WORK"
    left=$(docker ps -aq --filter "name=^/?$PREFIX"; docker network ls -q --filter "name=^$PREFIX")
    if [ -n "$left" ]; then echo "docker-test: could not remove everything named $PREFIX*" >&2; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NET_BASE="" # the first three numbers of the last network's subnet
net_create() { # name: `docker network create --subnet 172.30.X.0/24 name`, X random, another X
    # when that subnet is taken; sets NET_BASE=172.30.X
    local name=$1 i n
    for ((i = 0; i < 20; i++)); do
        n=$((RANDOM % 256))
        x docker network create --subnet "172.30.$n.0/24" "$name"
        if [ "$RC" -eq 0 ]; then
            NET_BASE=172.30.$n
            return 0
        fi
        grep -qi 'overlap' <<<"$OUT" || fail "docker network create failed"
        note "172.30.$n.0/24 is taken, trying another subnet"
    done
    fail "no free 172.30.X.0/24 subnet found in 20 tries"
}

wait_ping() { # container port: polls redis-cli ping inside the container (10 s at most)
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(docker exec "$1" redis-cli -p "$2" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    docker logs --tail 10 "$1" >&2 || true
    fail "$1 does not answer PING on port $2"
}

RUNS=0
RUN=() # `docker run --rm --name NAME`: a one-off container, named too (so that the EXIT trap
# finds it if the script is killed meanwhile); set by one_off
one_off() {
    RUNS=$((RUNS + 1))
    RUN=(docker run --rm --name "$PREFIX-$CURRENT-run$RUNS")
}

rcluster() { # net args...: `rcluster args...` in a one-off container on the network
    local net=$1
    shift
    one_off
    x "${RUN[@]}" --net "$net" "$RCLUSTER_IMAGE" "$@"
}

compare_views() { # container: its CLUSTER NODES and CLUSTER SLOTS name the same masters (id and
    # address) with the same slots, and the same replicas of each. Redis >= 7.0 leaves out of
    # CLUSTER SLOTS the replicas whose replication offset (as gossiped) is still 0, so both are
    # read again (every second, 15 s at most) until they agree; run it once keys were written.
    local start=$SECONDS
    while :; do
        docker exec "$1" redis-cli cluster nodes >"$WORK/cluster-nodes" 2>&1 &&
            docker exec "$1" redis-cli --json CLUSTER SLOTS >"$WORK/cluster-slots.json" 2>&1 &&
            agree >"$WORK/agree" 2>&1 && break
        [ $((SECONDS - start)) -lt 15 ] || break
        sleep 1
    done
    printf '+ %s\n' "docker exec $1 redis-cli cluster nodes"
    show "$WORK/cluster-nodes"
    printf '+ %s   (%s)\n' "docker exec $1 redis-cli --json CLUSTER SLOTS" "shown as masters and replicas"
    python3 -c 'import json, sys
for r in json.load(open(sys.argv[1])):
    print(r[0], r[1], "master", r[2][0] + ":" + str(r[2][1]), r[2][2][:8], *["replica %s:%s %s" % (x[0], x[1], x[2][:8]) for x in r[3:]])' \
        "$WORK/cluster-slots.json" >"$WORK/out" 2>&1 || cp "$WORK/cluster-slots.json" "$WORK/out"
    show "$WORK/out"
    agree || fail "CLUSTER NODES and CLUSTER SLOTS disagree (read again for $((SECONDS - start)) s)"
}

agree() { # CLUSTER NODES ($WORK/cluster-nodes) and CLUSTER SLOTS ($WORK/cluster-slots.json) agree
    python3 - "$WORK/cluster-nodes" "$WORK/cluster-slots.json" <<'EOF'
import json, sys
masters, replicas = {}, {}  # id -> (addr, slots); master id -> {(replica id, addr)}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 8 or "fail" in f[2].split(","):
        continue
    addr = f[1].split("@")[0].split(",")[0]
    if "master" in f[2].split(","):
        slots = set()
        for r in f[8:]:
            if r.startswith("["):
                continue  # a slot being migrated or imported
            a, _, b = r.partition("-")
            slots.update(range(int(a), int(b or a) + 1))
        if slots:
            masters[f[0]] = (addr, slots)
    elif f[3] != "-":
        replicas.setdefault(f[3], set()).add((f[0], addr))
s_masters, s_replicas = {}, {}
for entry in json.load(open(sys.argv[2])):
    start, end, master, *reps = entry
    addr, slots = s_masters.setdefault(master[2], (f"{master[0]}:{master[1]}", set()))
    slots.update(range(start, end + 1))
    for r in reps:
        s_replicas.setdefault(master[2], set()).add((r[2], f"{r[0]}:{r[1]}"))
def show(m):
    return {i[:8]: (a, len(s)) for i, (a, s) in m.items()}
problems = []
if masters != s_masters:
    problems.append(f"masters: CLUSTER NODES {show(masters)} vs CLUSTER SLOTS {show(s_masters)}")
if replicas != s_replicas:
    problems.append(f"replicas: CLUSTER NODES {replicas} vs CLUSTER SLOTS {s_replicas}")
if sum(len(s) for _, s in masters.values()) != 16384:
    problems.append("the masters do not serve 16384 slots")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"  ok: CLUSTER NODES and CLUSTER SLOTS agree: {len(masters)} masters "
      f"({', '.join(a + ' ' + str(len(s)) + ' slots' for a, s in sorted(masters.values()))}), "
      f"{sum(len(r) for r in replicas.values())} replicas")
EOF
}

keys_roundtrip() { # net image host count [check-only]: a client container (redis-cli -c) writes
    # `count` keys docker:{n} through host and reads them back; with check-only, only reads
    local net=$1 image=$2 host=$3 count=$4 i
    if [ -z "${5:-}" ]; then
        for ((i = 0; i < count; i++)); do echo "SET docker:$i value-$i"; done >"$WORK/set.txt"
        note "writing $count keys (SET docker:N value-N, one per line on stdin)"
        one_off
        xs "${RUN[@]}" -i --net "$net" "$image" redis-cli -c -h "$host" <"$WORK/set.txt"
        expect_rc 0
        expect_eq "$(grep -c '^OK$' <<<"$OUT")" "$count" "OK replies"
    fi
    for ((i = 0; i < count; i++)); do echo "GET docker:$i"; done >"$WORK/get.txt"
    for ((i = 0; i < count; i++)); do echo "value-$i"; done >"$WORK/expected.txt"
    note "reading the $count keys back (GET docker:N)"
    one_off
    xs "${RUN[@]}" -i --net "$net" "$image" redis-cli -c -h "$host" <"$WORK/get.txt"
    expect_rc 0
    grep -v '^-> Redirected' <<<"$OUT" >"$WORK/got.txt" || true
    cmp -s "$WORK/got.txt" "$WORK/expected.txt" ||
        fail "the values read back differ: $(diff "$WORK/expected.txt" "$WORK/got.txt" | head -5)"
    echo "  ok: the $count values read back are those written"
}

master_id() { # container: the id of one master, from its CLUSTER NODES
    docker exec "$1" redis-cli cluster nodes | awk '$3 ~ /master/ && $9 != "" { print $1; exit }'
}

# ---- scenarios -------------------------------------------------------------------------------

six_nodes() { # scenario image: seed 000 with this server image; sets NET, NODES, IPS
    local s=$1 image=$2 i name
    NET=$PREFIX-$s-net
    net_create "$NET"
    NODES=()
    IPS=()
    for i in 1 2 3 4 5 6; do
        name=$PREFIX-$s-redis-$i
        NODES+=("$name")
        IPS+=("$NET_BASE.$((i + 1))")
        x docker run -d --name "$name" --net "$NET" --ip "$NET_BASE.$((i + 1))" "$image" \
            redis-server --port 6379 --cluster-enabled yes --protected-mode no --save '' --appendonly no
        expect_rc 0
    done
    for name in "${NODES[@]}"; do wait_ping "$name" 6379; done
    rcluster "$NET" create "${IPS[@]/%/:6379}" --cluster-replicas 1 --cluster-yes
    expect_rc 0
    expect_out '^\[OK\] All 16384 slots covered\.'
    rcluster "$NET" check "${IPS[0]}:6379"
    expect_rc 0
    expect_out '^\[OK\] All 16384 slots covered\.'
    rcluster "$NET" nodes "${IPS[0]}:6379"
    expect_rc 0
    for i in "${IPS[@]}"; do grep -qF "$i:6379" <<<"$OUT" || fail "rcluster nodes does not list $i:6379"; done
    echo "  ok: the 6 nodes are listed"
    keys_roundtrip "$NET" "$image" "${IPS[0]}" 1000
    compare_views "${NODES[0]}"
}

scenario_a() {
    six_nodes a "$REDIS_IMAGE"
}

scenario_b() {
    local project=$PREFIX-b net before after n info_total
    [ ${#COMPOSE[@]} -gt 0 ] || fail "neither docker-compose nor \`docker compose\` is installed"
    local compose=("${COMPOSE[@]}" -p "$project" -f "$COMPOSE_FILE")
    COMPOSE_PROJECTS+=("$project")
    export RCLUSTER_SERVER_IMAGE=$REDIS_IMAGE # the compose file's image
    x "${compose[@]}" up -d
    expect_rc 0
    wait_ping "$("${compose[@]}" ps -q redis1)" 7000
    wait_ping "$("${compose[@]}" ps -q redis2)" 7001
    wait_ping "$("${compose[@]}" ps -q redis3)" 7002
    net=$(docker inspect --format '{{ range $k, $v := .NetworkSettings.Networks }}{{ $k }}{{ end }}' \
        "$("${compose[@]}" ps -q redis1)")
    note "the compose network: $net"

    rcluster "$net" create redis1:7000 redis2:7001 redis3:7002 --cluster-replicas 0 --cluster-yes
    expect_rc 0
    expect_out '^\[OK\] All 16384 slots covered\.'
    x "${compose[@]}" exec -T redis1 redis-cli -p 7000 cluster info
    expect_rc 0
    expect_out '^cluster_state:ok'

    one_off
    x "${RUN[@]}" --net "$net" "$REDIS_IMAGE" \
        redis-benchmark --cluster -h redis1 -p 7000 -t set -n 50000 -c 10 -d 100 -r 100000
    expect_rc 0
    expect_out 'requests per second'
    before=0
    for n in 1 2 3; do
        x "${compose[@]}" exec -T "redis$n" redis-cli -p $((6999 + n)) dbsize
        expect_rc 0
        before=$((before + $(tr -dc 0-9 <<<"$OUT")))
    done
    [ "$before" -gt 0 ] || fail "redis-benchmark wrote no keys"
    note "$before keys (the sum of the three DBSIZE)"
    rcluster "$net" info redis1:7000
    expect_rc 0
    info_total=$(info_keys)
    expect_eq "$info_total" "$before" "rcluster info: total keys"
    rcluster "$net" bigkeys redis1:7000
    expect_rc 0
    expect_out 'key:'
    rcluster "$net" memkeys redis1:7000
    expect_rc 0
    expect_out 'key:'

    note "a master goes down: cluster-require-full-coverage makes the whole cluster refuse queries"
    x "${compose[@]}" stop redis1
    expect_rc 0
    rcluster "$net" check redis2:7001
    expect_rc 1
    expect_out '0-5460' "the stopped master's slots"
    expect_out 'cluster-require-full-coverage'
    until_rc 30 0 cluster_state_is "$project" redis2 7001 fail
    x "${compose[@]}" exec -T redis2 redis-cli -p 7001 cluster info
    expect_out '^cluster_slots_fail:5461'
    x "${compose[@]}" exec -T redis2 redis-cli -p 7001 cluster nodes
    expect_out 'master,fail .* 0-5460$'
    x "${compose[@]}" exec -T redis2 redis-cli -p 7001 set key:x 1
    expect_out 'CLUSTERDOWN'

    note "the master comes back with its keys (dump.rdb written when it stopped)"
    x "${compose[@]}" start redis1
    expect_rc 0
    # check exits 0 as soon as every slot is served again, while the nodes may still flag the
    # master as failed and report cluster_state:fail for a moment: wait for a check without
    # warnings.
    until_rc 60 0 check_clean "$net" redis2:7001
    expect_out '^\[OK\] All 16384 slots covered\.'
    x "${compose[@]}" exec -T redis2 redis-cli -p 7001 cluster info
    expect_out '^cluster_state:ok'
    x "${compose[@]}" exec -T redis2 redis-cli -p 7001 cluster nodes
    expect_out '^[0-9a-f]{40} [0-9.]+:7000@17000 master - .* connected 0-5460$' "redis1 serves 0-5460 again"
    after=0
    for n in 1 2 3; do
        x "${compose[@]}" exec -T "redis$n" redis-cli -p $((6999 + n)) dbsize
        after=$((after + $(tr -dc 0-9 <<<"$OUT")))
    done
    expect_eq "$after" "$before" "keys after the restart"
    rcluster "$net" info redis2:7001
    expect_rc 0
    expect_eq "$(info_keys)" "$before" "rcluster info: total keys after the restart"
}

check_clean() { # net addr: `rcluster check addr` from a container on net exits 0 and prints no
    # warning (output on stdout, for until_rc)
    local out rc=0
    one_off
    out=$("${RUN[@]}" --net "$1" "$RCLUSTER_IMAGE" check "$2" 2>&1) || rc=$?
    echo "$out"
    [ "$rc" -eq 0 ] && ! grep -q 'WARNING' <<<"$out"
}

cluster_state_is() { # project service port state: CLUSTER INFO of the service says cluster_state:state
    "${COMPOSE[@]}" -p "$1" -f "$COMPOSE_FILE" exec -T "$2" redis-cli -p "$3" cluster info |
        grep -q "^cluster_state:$4"
}

info_keys() { # the total of `rcluster info` (in OUT): "[OK] 46017 keys in 3 masters."
    awk '$1 == "[OK]" && $3 == "keys" && $4 == "in" { print $2; exit }' <<<"$OUT"
}

# ----------------------------------------------------------------------------------------------
# Scenario c: every container comes back at a new address. Three masters keep their data and
# nodes.conf in volumes (/data, appendonly); the containers are removed and started again at
# other addresses of the subnet, as a `docker-compose down` and `up` without fixed addresses
# or a host reboot does: each node knows the others only by their old addresses, check shows
# the cluster down, and `rcluster fix --rejoin` with the current addresses (or host names)
# brings them back: same ids, same slots, every key. A node of another cluster among the
# addresses is refused, changing nothing.
myself_line() { # container: "id slots..." of its CLUSTER NODES line about itself
    docker exec "$1" redis-cli cluster nodes | awk '$3 ~ /myself/ { $2=$3=$4=$5=$6=$7=$8=""; print }' |
        tr -s ' '
}

scenario_c() {
    local i name base ips=() new_ips=() before=() after=()
    NET=$PREFIX-c-net
    net_create "$NET"
    base=$NET_BASE
    NODES=()
    start_c() { # i ip: node i with its volume at ip
        x docker run -d --name "$PREFIX-c-redis-$1" --net "$NET" --ip "$2" \
            -v "$PREFIX-c-data-$1:/data" "$REDIS_IMAGE" \
            redis-server --port 6379 --cluster-enabled yes --protected-mode no --dir /data \
            --appendonly yes --save ''
        expect_rc 0
    }
    for i in 1 2 3; do
        NODES+=("$PREFIX-c-redis-$i")
        ips+=("$base.$((i + 1))")
        start_c "$i" "$base.$((i + 1))"
    done
    for name in "${NODES[@]}"; do wait_ping "$name" 6379; done
    rcluster "$NET" create "${ips[@]/%/:6379}" --cluster-replicas 0 --cluster-yes
    expect_rc 0
    keys_roundtrip "$NET" "$REDIS_IMAGE" "${ips[0]}" 1000
    for name in "${NODES[@]}"; do before+=("$(myself_line "$name")"); done

    note "every container stopped (a clean shutdown writes the AOF), removed, then started again at a new address with its volume"
    x docker stop -t 10 "${NODES[@]}"
    expect_rc 0
    x docker rm "${NODES[@]}"
    expect_rc 0
    for i in 1 2 3; do
        new_ips+=("$base.$((i + 20))")
        start_c "$i" "$base.$((i + 20))"
    done
    for name in "${NODES[@]}"; do wait_ping "$name" 6379; done
    rcluster "$NET" check "${new_ips[0]}:6379"
    expect_rc 1
    expect_out 'rejoin'

    note "a node of another cluster among the addresses: refused, nothing changed"
    x docker run -d --name "$PREFIX-c-stranger" --net "$NET" --ip "$base.30" "$REDIS_IMAGE" \
        redis-server --port 6379 --cluster-enabled yes --protected-mode no --save '' --appendonly no
    expect_rc 0
    wait_ping "$PREFIX-c-stranger" 6379
    rcluster "$NET" fix "${new_ips[0]}:6379" --rejoin "${new_ips[1]}:6379,$base.30:6379" --yes
    expect_rc 1
    expect_out 'not a member'
    docker exec "${NODES[0]}" redis-cli cluster nodes | grep -q "$base.30:" &&
        fail "the refused node was met anyway"

    note "the current addresses, by host name (container names resolve on the network)"
    rcluster "$NET" fix "${NODES[0]}:6379" --rejoin "${NODES[1]}:6379,${NODES[2]}:6379" --yes
    expect_rc 0
    expect_out 'Every node sees the others at their current addresses'
    until_rc 20 0 check_clean "$NET" "${new_ips[0]}:6379"
    for name in "${NODES[@]}"; do after+=("$(myself_line "$name")"); done
    expect_eq "${after[*]}" "${before[*]}" "node ids and slots after the rejoin"
    keys_roundtrip "$NET" "$REDIS_IMAGE" "${new_ips[0]}" 1000 check-only
}
# ----------------------------------------------------------------------------------------------

scenario_d() {
    local net=$PREFIX-d-net announce=$PREFIX-d-announce base abase i name ips=() aips=()
    note "nodes reached at one address (network $net) but announcing another (network $announce)"
    net_create "$net"
    base=$NET_BASE
    net_create "$announce"
    abase=$NET_BASE
    for i in 1 2 3; do
        name=$PREFIX-d-redis-$i
        ips+=("$base.$((i + 1))")
        aips+=("$abase.$((i + 1))")
        x docker create --name "$name" --net "$net" --ip "$base.$((i + 1))" "$REDIS_IMAGE" \
            redis-server --port 6379 --cluster-enabled yes --protected-mode no --save '' \
            --appendonly no --cluster-announce-ip "$abase.$((i + 1))"
        expect_rc 0
        x docker network connect --ip "$abase.$((i + 1))" "$announce" "$name"
        expect_rc 0
        x docker start "$name"
        expect_rc 0
        wait_ping "$name" 6379
    done
    rcluster "$net" create "${ips[@]/%/:6379}" --cluster-replicas 0 --cluster-yes
    for i in 0 1 2; do
        expect_out "\\[WARNING\\] ${ips[i]//./\\.}:6379 is known in the cluster as ${aips[i]//./\\.}:6379" \
            "the announced address differs"
    done
    # The cluster is made, but the check that ends create reaches the nodes at the addresses the
    # cluster knows, which this container (on $net only) cannot reach: create exits 1.
    expect_out 'unreachable' "the announced addresses cannot be reached from $net"
    expect_rc 1
    # From the network of the announced addresses, the cluster is whole.
    rcluster "$announce" check "${aips[0]}:6379"
    expect_rc 0
    expect_out '^\[OK\] All 16384 slots covered\.'
    x docker exec "$PREFIX-d-redis-1" redis-cli cluster nodes
    for i in 0 1 2; do grep -qF "${aips[i]}:6379" <<<"$OUT" || fail "CLUSTER NODES does not name ${aips[i]}"; done
    echo "  ok: CLUSTER NODES names the announced addresses"
}

scenario_e() {
    local to
    six_nodes e "$VALKEY_IMAGE"
    to=$(master_id "${NODES[0]}")
    [ -n "$to" ] || fail "no master found"
    note "move 1000 slots to master $to (Valkey 9.1: atomic slot migration)"
    rcluster "$NET" reshard "${IPS[0]}:6379" --from all --to "$to" --slots 1000 --yes
    expect_rc 0
    expect_out 'with atomic slot migration'
    expect_out '^\[OK\] Moved 1000 of 1000 slot\(s\)'
    rcluster "$NET" check "${IPS[0]}:6379"
    expect_rc 0
    expect_out '^\[OK\] All 16384 slots covered\.'
    compare_views "${NODES[0]}"
    keys_roundtrip "$NET" "$VALKEY_IMAGE" "${IPS[0]}" 1000 check-only
}

# ---- main ------------------------------------------------------------------------------------

COMPOSE=()
if command -v docker-compose >/dev/null 2>&1; then
    COMPOSE=(docker-compose)
elif docker compose version >/dev/null 2>&1; then
    COMPOSE=(docker compose)
fi

START=$SECONDS
start=$SECONDS
echo "docker-test: scenarios ${SCENARIOS[*]}, names $PREFIX-*"
release=()
if [ "${RCLUSTER_DOCKER_RELEASE:-0}" = 1 ]; then release=(--release); fi
scripts/docker-images.sh rcluster "${release[@]}" || fail "scripts/docker-images.sh rcluster failed"
need_valkey=0
for s in "${SCENARIOS[@]}"; do [ "$s" = e ] && need_valkey=1; done
scripts/docker-images.sh server redis-7.0 || fail "scripts/docker-images.sh server redis-7.0 failed"
if [ "$need_valkey" = 1 ]; then
    scripts/docker-images.sh server valkey-9.1 || fail "scripts/docker-images.sh server valkey-9.1 failed"
fi
IMAGES_TIME=$((SECONDS - start))

for s in "${SCENARIOS[@]}"; do
    CURRENT=$s
    printf '\n======== scenario %s ========\n' "$s"
    start=$SECONDS
    "scenario_$s"
    # What the scenario started is removed now, so that the next one starts clean.
    remove_named "$PREFIX-$s"
    case " ${STUBS[*]} " in
        *" $s "*) ;;
        *) PASSED+=("$s ($((SECONDS - start)) s)") ;;
    esac
done
CURRENT=summary
passed=$(printf '%s, ' "${PASSED[@]}")
summary="docker-test: passed ${passed%, } in $((SECONDS - START)) s (images $IMAGES_TIME s)"
if [ ${#PASSED[@]} -eq 0 ]; then summary="docker-test: no scenario ran"; fi
if [ ${#STUBS[@]} -gt 0 ]; then summary+="; ${STUBS[*]}: stub, nothing asserted"; fi
echo
echo "$summary"
