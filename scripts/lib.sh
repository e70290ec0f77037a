# Shell functions shared by bench-import.sh, bench-migrate.sh and kill-test.sh: messages, the
# redis-servers a script starts and stops, and checks of the cluster they form.
#
# Source it from the repository root (`source scripts/lib.sh`) once DIR (the script's working
# directory) is set; start_node also reads NODE_ARGS and SERVER (the server binary, default
# redis-server: any redis-server or valkey-server), redis_cli_check_clean reads ENTRY.
# Messages are prefixed with the script's name.

SCRIPT=$(basename "$0" .sh)
STARTED_PORTS=() # every redis-server start_node started

die() { echo "$SCRIPT: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

check_ports_free() { # port...: dies when a port or its bus port (port+10000) answers PING
    local p
    for p in "$@"; do
        if redis-cli -p "$p" ping >/dev/null 2>&1 || redis-cli -p $((p + 10000)) ping >/dev/null 2>&1; then
            die "port $p or $((p + 10000)) is in use; choose another --port"
        fi
    done
}

start_node() { # port [extra redis-server args]: a daemonized redis-server with NODE_ARGS and
    # the extra args, its files in $DIR/<port>; returns once it answers PING
    local port=$1 i
    shift
    mkdir -p "$DIR/$port"
    STARTED_PORTS+=("$port")
    "${SERVER:-redis-server}" --port "$port" "${NODE_ARGS[@]}" --dir "$DIR/$port" --pidfile "$DIR/$port/pid" \
        --save '' --appendonly no --daemonize yes --logfile "$DIR/$port/log" "$@" >/dev/null
    for ((i = 0; i < 200; i++)); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    die "${SERVER:-redis-server} on port $port did not start: $(tail -3 "$DIR/$port/log" 2>/dev/null)"
}

stop_started_nodes() { # every redis-server start_node started (by its pid file): SIGTERM, and
    # SIGKILL for those still running 5 s later
    local port pid pids=() i
    for port in "${STARTED_PORTS[@]}"; do
        pid=$(cat "$DIR/$port/pid" 2>/dev/null) || continue
        kill "$pid" 2>/dev/null && pids+=("$pid")
    done
    for pid in "${pids[@]}"; do
        for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

cleanup() { # EXIT trap: stop every redis-server start_node started, remove $DIR, keep the status
    local rc=$?
    trap - EXIT INT TERM
    stop_started_nodes
    rm -rf "$DIR"
    exit "$rc"
}

poll_for() { # seconds command...: 0 once the command succeeds (polled every 0.1 s), 1 after
    # the deadline
    local secs=$1 t0=$SECONDS
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS - t0 < secs)) || return 1
        sleep 0.1
    done
}

wait_for() { # seconds what command...: poll_for, dying with `what` after the deadline
    local secs=$1 what=$2
    shift 2
    poll_for "$secs" "$@" || die "timed out after ${secs}s waiting for: $what"
}

sum_dbsize() { # port...: the sum of their DBSIZE
    local port n=0
    for port in "$@"; do n=$((n + $(redis-cli -p "$port" dbsize))); done
    echo $n
}

slot_count() { # port: number of slots the node serves in its own view
    redis-cli -p "$1" cluster nodes | awk '$3 ~ /myself/ {
        n = 0
        for (i = 9; i <= NF; i++) {
            if ($i ~ /^\[/) continue
            if (split($i, r, "-") == 2) n += r[2] - r[1] + 1; else n++
        }
        print n }'
}

slot_map() { # port: "id slots..." of every master with slots, as that node sees it
    redis-cli -p "$1" cluster nodes | awk '$3 ~ /master/ && NF > 8 {
        s = $1; for (i = 9; i <= NF; i++) s = s " " $i; print s }' | sort
}

agreed() { # port...: they all show the same slot map, and no slot is migrating/importing
    local first="" m port
    for port in "$@"; do
        m=$(slot_map "$port") || return 1
        [[ $m != *"["* ]] || return 1
        if [[ -z $first ]]; then first=$m; elif [[ $m != "$first" ]]; then return 1; fi
    done
}

redis_cli_check_clean() { # `redis-cli --cluster check $ENTRY` passes with no ERR or WARNING
    local out
    out=$(redis-cli --cluster check "$ENTRY" 2>&1) || return 1
    [[ $out == *"[OK] All nodes agree about slots configuration."* &&
        $out == *"[OK] All 16384 slots covered."* && $out != *"[ERR]"* && $out != *"[WARNING]"* ]]
}
