#!/usr/bin/env bash
# Proves a fully static rcluster works in an empty root, as in a `FROM scratch` image: builds
# with `-C target-feature=+crt-static` for the gnu target, checks that nothing is linked
# dynamically, then runs it in a chroot that holds only that file (plus /etc/hosts for the
# second run: host names need it there) against a one-node cluster on 127.0.0.1.
# Usage: scripts/static-check.sh [--release]   (debug by default: same linking, faster build)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$(mktemp -d "${TMPDIR:-/tmp}/rcluster-static.XXXXXX")
source scripts/lib.sh
trap 'stop_started_nodes; rm -rf "$DIR"' EXIT

TARGET=x86_64-unknown-linux-gnu
PROFILE=debug
BUILD_ARGS=()
if [ "${1:-}" = "--release" ]; then PROFILE=release; BUILD_ARGS=(--release); fi
log "building a static rcluster ($PROFILE, $TARGET)"
RUSTFLAGS='-C target-feature=+crt-static' cargo build --quiet --locked "${BUILD_ARGS[@]}" \
    --target "$TARGET" --target-dir target/static
BIN=target/static/$TARGET/$PROFILE/rcluster
# ldd says "not a dynamic executable" or "statically linked" for a static binary.
if ! ldd "$BIN" 2>&1 | grep -q 'not a dynamic\|statically linked'; then
    die "$BIN needs shared libraries: $(ldd "$BIN" 2>&1)"
fi
log "statically linked, $(du -h "$BIN" | cut -f1)"

# One node serving every slot is a healthy cluster to check.
PORT=18300
check_ports_free $PORT
NODE_ARGS=(--cluster-enabled yes --cluster-config-file nodes.conf --bind 127.0.0.1)
start_node $PORT
redis-cli -p $PORT cluster addslotsrange 0 16383 >/dev/null
for ((i = 0; i < 100; i++)); do
    redis-cli -p $PORT cluster info | grep -q 'cluster_state:ok' && break
    sleep 0.1
done

ROOT=$DIR/root
mkdir -p "$ROOT"
cp "$BIN" "$ROOT/rcluster"
run_chrooted() { # args...: rcluster inside the empty root (unprivileged: in a user namespace)
    if [ "$(id -u)" -eq 0 ]; then
        chroot "$ROOT" /rcluster "$@"
    else
        unshare -r chroot "$ROOT" /rcluster "$@"
    fi
}
[ "$(ls -A "$ROOT")" = "rcluster" ] || die "the root is not empty"
run_chrooted --version | grep -q '^rcluster ' || die "--version failed in the empty root"
run_chrooted check 127.0.0.1:$PORT | grep -q '\[OK\] All 16384 slots covered' ||
    die "check failed in the empty root"
run_chrooted nodes 127.0.0.1:$PORT --json | grep -q '"shards"' || die "nodes --json failed"
mkdir -p "$ROOT/etc"
echo "127.0.0.1 localhost" >"$ROOT/etc/hosts"
run_chrooted check localhost:$PORT -q || die "check by host name failed with /etc/hosts"
log "OK: the static binary runs alone in an empty root (check, nodes --json; host names with /etc/hosts)"
