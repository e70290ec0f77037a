#!/usr/bin/env bash
# upstream-cluster-tests.sh — run Redis's or Valkey's OWN `--cluster` Tcl tests
# with the real CLI and with rcluster standing in for it, and print per-test
# pass/fail for each.
#
# The upstream tree is NOT part of this project: check it out yourself, outside
# the repository (e.g. `git archive 7.0.15 | tar -x -C /work/upstream/redis-7.0.15`).
# This script never downloads nor contains upstream code; it only puts binaries
# and a CLI wrapper into the tree's src/ directory and runs its test runners.
#
# Usage:
#   scripts/upstream-cluster-tests.sh --tree DIR --flavor redis|valkey \
#       --server PATH --cli PATH --rcluster PATH \
#       [--mode real|rcluster|both] [--out DIR] [--timeout SECS] [--list] [TEST...]
#
#   --tree      checked-out upstream tree (has runtest, runtest-cluster, tests/)
#   --flavor    redis (src/redis-server, src/redis-cli) or valkey (src/valkey-*)
#   --server    server binary to run (linked as src/<flavor>-server)
#   --cli       real CLI binary (redis-cli / valkey-cli)
#   --rcluster  rcluster binary; copied to OUT/bin/rcluster at the start of each
#               rcluster run
#   --mode      which CLI answers `--cluster` calls: real, rcluster or both
#               (default both: real first, then rcluster)
#   --out       where logs go (default /work/upstream/results/<tree name>)
#   --timeout   seconds per test file before it is killed (default 1500)
#   --list      only print the test files that would run
#   TEST        unit/<path> (run by ./runtest --single) or cluster/<name>
#               (tests/cluster/tests/<name>.tcl, run by ./runtest-cluster
#               --single). Without any, the files that call `--cluster` (directly
#               or through a helper proc such as fix_cluster) are found by grep;
#               unit/moduleapi/* is skipped (it needs the test modules built).
#
# src/<flavor>-cli becomes a wrapper: a call whose argv holds the word
# `--cluster` goes to the real CLI (--mode real) or to rcluster (--mode
# rcluster); any other call goes to the real CLI. Every `--cluster` call is
# logged to OUT/<mode>/calls.log with its argv, its stdin, its stdout, its
# stderr and its exit code; OUT/<mode>/shapes.txt counts the distinct command
# lines (addresses and node ids abstracted) with their stdin and exit codes.
# Summaries: OUT/<mode>/summary.txt and, with both, OUT/compare.txt. Servers left behind (cwd under the tree) are killed after
# every file. Run one invocation at a time: the suites pick fixed port ranges.
set -euo pipefail

die() { echo "upstream-cluster-tests: $*" >&2; exit 2; }

tree= flavor= server= cli= rcluster= mode=both out= timeout_s=1500 list_only=0
tests=()
while (($#)); do
    case $1 in
        --tree) tree=$2; shift 2 ;;
        --flavor) flavor=$2; shift 2 ;;
        --server) server=$2; shift 2 ;;
        --cli) cli=$2; shift 2 ;;
        --rcluster) rcluster=$2; shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --timeout) timeout_s=$2; shift 2 ;;
        --list) list_only=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) tests+=("$1"); shift ;;
    esac
done

[[ -n $tree && -d $tree/tests ]] || die "--tree must be an upstream checkout (with tests/)"
[[ $flavor == redis || $flavor == valkey ]] || die "--flavor must be redis or valkey"
[[ -x $server ]] || die "--server $server is not executable"
[[ -x $cli ]] || die "--cli $cli is not executable"
[[ $mode == real || $mode == both || -x $rcluster ]] || die "--rcluster $rcluster is not executable"
case $mode in real|rcluster|both) ;; *) die "--mode must be real, rcluster or both" ;; esac
command -v tclsh >/dev/null || die "tclsh (8.6) is needed"

tree=$(cd "$tree" && pwd)
out=${out:-/work/upstream/results/$(basename "$tree")}
mkdir -p "$out/bin"
out=$(cd "$out" && pwd)
# Absolute, but symlinks kept: Debian's redis-server is a link to
# redis-check-rdb and picks its role from its name.
abspath() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
server=$(abspath "$server")
cli=$(abspath "$cli")

# ---------------------------------------------------------------- discovery
discover() {
    local helpers procs f
    # Helper procs (in support/ or includes/) that run `--cluster`.
    helpers=$(grep -rl -e '--cluster' "$tree/tests/support" "$tree/tests/cluster/tests/includes" \
        "$tree/tests/helpers" 2>/dev/null || true)
    procs=$(for f in $helpers; do
        awk '/^proc /{name=$2} /-cli.*--cluster|--cluster[ \\]/{ if (name != "") print name }' "$f"
    done | sort -u)
    {
        grep -rl -e '--cluster' "$tree/tests/unit" "$tree/tests/cluster/tests" 2>/dev/null || true
        for p in $procs; do
            grep -rlw -e "$p" "$tree/tests/unit" "$tree/tests/cluster/tests" 2>/dev/null || true
        done
    } | sort -u | while read -r f; do
        case $f in
            */tests/unit/moduleapi/*) echo "skip (needs modules): ${f#"$tree"/}" >&2 ;;
            */tests/cluster/tests/includes/*|*/tests/cluster/tests/helpers/*) ;;
            "$tree"/tests/unit/*.tcl) f=${f#"$tree"/tests/}; echo "${f%.tcl}" ;;
            "$tree"/tests/cluster/tests/*.tcl) f=${f##*/}; echo "cluster/${f%.tcl}" ;;
        esac
    done
}
if ((${#tests[@]} == 0)); then
    mapfile -t tests < <(discover)
    ((${#tests[@]})) || die "no --cluster test files found under $tree/tests"
fi
if ((list_only)); then printf '%s\n' "${tests[@]}"; exit 0; fi

# ------------------------------------------------------------------ wrapper
write_wrapper() { # $1 = mode dir, $2 = real|rcluster
    local dir=$1 which=$2 w="$tree/src/$flavor-cli"
    rm -f "$w"
    cat >"$w" <<EOF
#!/usr/bin/env bash
# Written by upstream-cluster-tests.sh: \`--cluster\` calls go to $which.
real_cli='$cli'
rcluster='$out/bin/rcluster'
log='$dir/calls.log'
which='$which'
EOF
    cat >>"$w" <<'EOF'
cluster=0
for a in "$@"; do [[ $a == --cluster ]] && cluster=1; done
((cluster)) || exec "$real_cli" "$@"
[[ $which == rcluster ]] && target=$rcluster || target=$real_cli
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Stdin: a file (Tcl's `<< text` is a temp file) or /dev/null is read through
# /proc, which leaves the original offset alone; a pipe is read to its end.
src=$(readlink /proc/$$/fd/0 2>/dev/null || echo '?')
if [[ -t 0 ]]; then
    stdin_kind=tty; : >"$tmp/in"; exec 3<&0
elif [[ -f /proc/$$/fd/0 && ! -p /proc/$$/fd/0 ]] || [[ $src == /dev/null ]]; then
    stdin_kind="file $src"; cat /proc/$$/fd/0 >"$tmp/in" 2>/dev/null || :; exec 3<&0
else
    stdin_kind="pipe $src"; timeout 30 cat >"$tmp/in" || :; exec 3<"$tmp/in"
fi
# The first and the last 30000 bytes of a long output.
clip() {
    local n; n=$(stat -c %s "$1")
    if ((n <= 60000)); then cat "$1"; return; fi
    head -c 30000 "$1"; printf '\n[... %d bytes cut ...]\n' $((n - 60000)); tail -c 30000 "$1"
}
start=$(date +%s.%N)
set +e
"$target" "$@" <&3 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
end=$(date +%s.%N)
{
    printf '=== %s %s cwd=%s\n' "$(date +%T)" "$which" "$PWD"
    printf 'argv:'; printf ' %q' "$@"; printf '\n'
    printf 'stdin (%s): %q\n' "$stdin_kind" "$(cat "$tmp/in")"
    printf 'exit: %s  (%ss)\n' "$rc" "$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}')"
    echo '--- stdout'; clip "$tmp/out"
    echo '--- stderr'; clip "$tmp/err"
    echo '--- end'
} >>"$log" 2>/dev/null
cat "$tmp/out"
cat "$tmp/err" >&2
exit "$rc"
EOF
    chmod +x "$w"
}

setup_tree() {
    mkdir -p "$tree/src"
    ln -sf "$server" "$tree/src/$flavor-server"
}

# ------------------------------------------------------------------ cleanup
kill_leftovers() {
    local p cwd comm
    for p in /proc/[0-9]*; do
        comm=$(cat "$p/comm" 2>/dev/null) || continue
        case $comm in redis-server|valkey-server|redis-sentinel|valkey-sentinel) ;; *) continue ;; esac
        cwd=$(readlink "$p/cwd" 2>/dev/null) || continue
        [[ $cwd == "$tree" || $cwd == "$tree"/* ]] || continue
        kill -9 "${p#/proc/}" 2>/dev/null || :
    done
}

# --------------------------------------------------------------------- runs
run_one() { # $1 = test spec, $2 = log file
    local t=$1 logf=$2 rc=0
    (
        cd "$tree"
        case $t in
            cluster/*) exec timeout -k 10 "$timeout_s" ./runtest-cluster --single "${t#cluster/}" ;;
            unit/*) exec timeout -k 10 "$timeout_s" ./runtest --single "$t" --clients 1 --timeout 600 ;;
            *) echo "unknown test spec $t" >&2; exit 2 ;;
        esac
    ) </dev/null >"$logf" 2>&1 || rc=$?
    kill_leftovers
    return "$rc"
}

# One line per test: "PASS|FAIL|NOTRUN <file> :: <name>" (+ the file's exit).
parse_log() { # $1 = test spec, $2 = log file
    local t=$1 logf=$2
    sed 's/\x1b\[[0-9;]*m//g' "$logf" | awk -v t="$t" '
        /^\[ok\]: /        { s=$0; sub(/^\[ok\]: /,"",s); sub(/ \([0-9]+ ms\)$/,"",s); print "PASS " t " :: " s; next }
        /^\[err\]: /       { s=$0; sub(/^\[err\]: /,"",s); sub(/ in tests\/.*$/,"",s); print "FAIL " t " :: " s; next }
        /^\[exception\]: / { s=$0; sub(/^\[exception\]: /,"",s); print "FAIL " t " :: EXCEPTION " s; next }
        /^\[skip\]: /      { s=$0; sub(/^\[skip\]: /,"",s); print "SKIP " t " :: " s; next }
        # Legacy runner: "HH:MM:SS> name: OK|FAILED..."; output printed by the
        # test (progress dots, `>@ stdout`) may come between the name and the
        # verdict, even on the same line ("...WWWOK").
        /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]> / {
            s=$0; sub(/^[0-9:]+> /,"",s)
            i=index(s, ": "); if (i == 0) { pending=s; next }
            name=substr(s,1,i-1); rest=substr(s,i+2)
            pending=name; $0=rest
        }
        pending != "" && /FAILED: caught an error/ { print "FAIL " t " :: EXCEPTION " pending; pending=""; next }
        pending != "" && /FAILED/ { print "FAIL " t " :: " pending; pending=""; next }
        pending != "" && /OK$/ { print "PASS " t " :: " pending; pending=""; next }
        /^FAILED: caught an error in the test/ { print "FAIL " t " :: EXCEPTION (outside a test)"; next }
    '
}

# Distinct `--cluster` command lines (addresses and node ids abstracted), with
# their stdin and exit codes, counted.
shapes() { # $1 = calls.log
    [[ -s $1 ]] || return 0
    awk '/^argv:/ { a=substr($0,7) }
         /^stdin / { s=$0; sub(/^stdin \(.*\): /,"stdin: ",s) }
         /^exit: / { print a "  |  " s "  |  exit " $2 }' "$1" |
        sed -E 's/[0-9a-f]{40}/NODEID/g; s/(127\.0\.0\.1|localhost|\[?::1\]?):[0-9]+/\1:PORT/g' |
        sort | uniq -c | sort -rn
}

run_mode() { # $1 = real|rcluster
    local m=$1 dir="$out/$1" t logf rc
    rm -rf "$dir"; mkdir -p "$dir"
    if [[ $m == rcluster ]]; then
        cp -f "$rcluster" "$out/bin/rcluster.new" && mv -f "$out/bin/rcluster.new" "$out/bin/rcluster"
    fi
    write_wrapper "$dir" "$m"
    : >"$dir/summary.txt"
    for t in "${tests[@]}"; do
        logf="$dir/$(echo "$t" | tr / _).log"
        echo ">>> [$m] $t  (log: $logf)" >&2
        rc=0; run_one "$t" "$logf" || rc=$?
        parse_log "$t" "$logf" >>"$dir/summary.txt"
        if ! grep -q " $t :: " "$dir/summary.txt"; then
            # e.g. a file disabled upstream (`if {false} {...}`), or a crash.
            echo "NONE $t :: (no test ran; runner exit $rc, see log)" >>"$dir/summary.txt"
        fi
        echo "EXIT $t :: runner exit $rc" >>"$dir/summary.txt"
        grep " $t :: " "$dir/summary.txt" | grep -v '^EXIT' | sed 's/^/    /' >&2
    done
    shapes "$dir/calls.log" >"$dir/shapes.txt"
    printf '[%s] pass %d, fail %d, skip %d, files without tests %d\n' "$m" \
        "$(grep -c '^PASS' "$dir/summary.txt" || true)" \
        "$(grep -c '^FAIL' "$dir/summary.txt" || true)" \
        "$(grep -c '^SKIP' "$dir/summary.txt" || true)" \
        "$(grep -c '^NONE' "$dir/summary.txt" || true)"
}

setup_tree
trap 'kill_leftovers' EXIT
echo "tree $tree ($flavor); server $server; cli $cli; out $out" >&2
echo "tests: ${tests[*]}" >&2
case $mode in
    real) run_mode real ;;
    rcluster) run_mode rcluster ;;
    both) run_mode real; run_mode rcluster ;;
esac

if [[ -s $out/real/summary.txt && -s $out/rcluster/summary.txt ]]; then
    # Per test: result with the real CLI, result with rcluster.
    awk '
        /^(PASS|FAIL|SKIP|NONE) / {
            st=$1; $1=""; k=substr($0,2)
            if (FILENAME ~ /\/real\//) { r[k]=st; if (!(k in seen)) { seen[k]=1; order[++n]=k } }
            else { c[k]=st; if (!(k in seen)) { seen[k]=1; order[++n]=k } }
        }
        END {
            for (i=1; i<=n; i++) { k=order[i]
                a=(k in r)?r[k]:"NOTRUN"; b=(k in c)?c[k]:"NOTRUN"
                flag=(a=="PASS" && b!="PASS")?"  <-- rcluster regression":""
                printf "real=%-6s rcluster=%-6s %s%s\n", a, b, k, flag
            }
        }' "$out/real/summary.txt" "$out/rcluster/summary.txt" | tee "$out/compare.txt"
    echo "calls: $out/real/calls.log, $out/rcluster/calls.log" >&2
fi
