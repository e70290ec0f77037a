# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rcluster_global_optspecs
    string join \n a/pass= user= askpass no-auth-warning tls cacert= cacertdir= cert= key= sni= insecure 4 6 t/connect-timeout= json color= q/quiet h/help V/version
end

function __fish_rcluster_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rcluster_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rcluster_using_subcommand
    set -l cmd (__fish_rcluster_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rcluster -n "__fish_rcluster_needs_command" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_needs_command" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_needs_command" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_needs_command" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_needs_command" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_needs_command" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_needs_command" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_needs_command" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_needs_command" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_needs_command" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_needs_command" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_needs_command" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_needs_command" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_needs_command" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_needs_command" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_needs_command" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_needs_command" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_needs_command" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "check" -d 'Check the cluster: slot agreement, open slots, coverage, node health'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "info" -d 'Keys, slots and replicas per master'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "nodes" -d 'Table of every node, grouped by shard: role, address, slots, keys, link, flags'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "slots" -d 'Table of slot ranges and the master and replicas serving each'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "create" -d 'Create a cluster from empty nodes: plan slots and replicas, confirm, apply, check'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "reshard" -d 'Move slots (and their keys) to one master: a count from chosen sources, or named slots'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "rebalance" -d 'Even out the slots across masters by weight, or their measured load (--by); print the plan, then move'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "fix" -d 'Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "failover" -d 'Promote a replica to master (CLUSTER FAILOVER) and wait until every node sees it'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "add-node" -d 'Add an empty node to the cluster, as a master or as a replica, and wait until every node knows it'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "del-node" -d 'Remove a node from the cluster: forget it everywhere, reset it; works for dead nodes too'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "call" -d 'Run a command on every node (or only masters / replicas) at once and print each reply'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "set-timeout" -d 'Set cluster-node-timeout on every node and save it to each node\'s config file'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "import" -d 'Move (or copy) every key of a standalone Redis into the cluster'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "backup" -d 'Save one RDB per master (in parallel), the topology and a checksummed manifest'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "restore" -d 'Load a backup made by `backup` into a cluster (any shape), key by key'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "bigkeys" -d 'Find the biggest keys of each type on every master at once (redis-cli --bigkeys)'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "memkeys" -d 'Find the keys that use the most memory, on every master at once (redis-cli --memkeys)'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "load" -d 'Where the load is: keys, memory, CPU and network per master, and the hottest slots'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "local" -d 'A throwaway cluster of local redis-server (or valkey-server) processes: up, status, down'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "completions" -d 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "man" -d 'Print the man page (roff), or write one page per subcommand into a directory'
complete -c rcluster -n "__fish_rcluster_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l search-multiple-owners -d 'Also count keys in every slot of every master to find slots with several owners'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand check" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand info" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand nodes" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand slots" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l replicas -d 'Replicas per master; needs at least 3*(N+1) nodes' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l wait-timeout -d 'Give up waiting for the nodes to agree after this many seconds' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s y -l yes -d 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l dry-run -d 'Print the plan and change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand create" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l from -d 'Source masters: comma-separated node ids (or unique prefixes), or `all` (every master except the target)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l to -d 'The master that receives the slots: node id or unique prefix' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l slots -d 'How many slots to move, taken from the sources in proportion to their slot counts' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l slot-range -d 'Move exactly these slots instead of a count, e.g. 0-99,500' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l timeout -d 'MIGRATE timeout in milliseconds (redis-cli\'s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l pipeline -d 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l max-keys-per-sec -d 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l max-bytes-per-sec -d 'Move at most this many bytes per second (as the source\'s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l engine -d 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE' -r -f -a "auto\t'Atomic for each source/target pair whose two nodes have it, MIGRATE for the others'
atomic\t'The servers move the slots (Valkey >= 9.0 CLUSTER MIGRATESLOTS); refused if a node lacks it'
legacy\t'rcluster moves the keys with MIGRATE (every server)'"
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l parallel -d 'Batches of slots moved at the same time, over all source/target pairs (a batch is up to 256 slots of one pair; a source serves at most 2 at once)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s y -l yes -d 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l replace -d 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l use-atomic-slot-migration -d 'Same as --engine atomic (valkey-cli\'s --cluster-use-atomic-slot-migration)'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l dry-run -d 'Print the plan and change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand reshard" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l weight -d 'Weight of a master, as ID=W (ID may be a unique prefix); default 1, 0 empties it' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l threshold -d 'Rebalance only if some master is more than PCT percent away from its share; 0 balances exactly' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l by -d 'What to even out: slot counts (the default, as redis-cli), or a load measured per slot' -r -f -a "slots\t'Slot counts, by weight (redis-cli\'s rebalance)'
keys\t'Keys'
memory\t'Bytes the keys use'
cpu\t'CPU time per second (needs slot stats)'
net\t'net-in + net-out (needs slot stats)'
net-in\t'Bytes per second the commands brought in (needs slot stats)'
net-out\t'Bytes per second the replies sent out (needs slot stats)'"
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l window -d 'Seconds between the two readings CPU and network rates come from (decimals allowed)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l timeout -d 'MIGRATE timeout in milliseconds (redis-cli\'s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l pipeline -d 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l max-keys-per-sec -d 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l max-bytes-per-sec -d 'Move at most this many bytes per second (as the source\'s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l engine -d 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE' -r -f -a "auto\t'Atomic for each source/target pair whose two nodes have it, MIGRATE for the others'
atomic\t'The servers move the slots (Valkey >= 9.0 CLUSTER MIGRATESLOTS); refused if a node lacks it'
legacy\t'rcluster moves the keys with MIGRATE (every server)'"
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l parallel -d 'Batches of slots moved at the same time, over all source/target pairs (a batch is up to 256 slots of one pair; a source serves at most 2 at once)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l use-empty-masters -d 'Also give slots to masters that have none'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l enable-slot-stats -d 'Turn cluster-slot-stats-enabled on where it is off, for the reading only (each node\'s setting is restored after)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l simulate -d 'Print the plan and move nothing (same as --dry-run)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s y -l yes -d 'Accepted for symmetry; rebalance does not ask (as redis-cli)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l replace -d 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l use-atomic-slot-migration -d 'Same as --engine atomic (valkey-cli\'s --cluster-use-atomic-slot-migration)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l dry-run -d 'Print the plan and change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand rebalance" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l rejoin -d 'The current addresses (HOST:PORT, host names too) of the other nodes, when every node came back with a new address (containers recreated, a reboot) and none reaches the others: each node meets the others where they are now, then fix goes on as usual. Refused, changing nothing, when an address answers with a node id the entry node does not know' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l wait-timeout -d 'Before acting, seconds to wait for masters that report cluster_state:fail while every slot is covered (a master just back from a stop) to report ok; 0 does not wait' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l conflicts-file -d 'Where to save the copies of keys found on a master besides the slot\'s owner with another value (the owner\'s copy is kept, the other saved here and dropped): one JSON line per key with its TTL and DUMP payload. Created only when such a key is found [default: rcluster-fix-conflicts-<unix time>.jsonl in the current directory]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l timeout -d 'MIGRATE timeout in milliseconds (redis-cli\'s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l pipeline -d 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l max-keys-per-sec -d 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l max-bytes-per-sec -d 'Move at most this many bytes per second (as the source\'s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s y -l yes -d 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l dry-run -d 'Print the diagnosis and the plan, change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l search-multiple-owners -d 'Also count the keys of every slot on every master, to find and fix slots whose keys sit on several masters'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l fix-with-unreachable-masters -d 'Treat the slots of unreachable masters as uncovered and give them to reachable ones (the keys on the unreachable masters are lost)'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l replace -d 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand fix" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l wait-timeout -d 'Seconds to wait until every reachable node sees the new master' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l force -d 'Promote without the master\'s agreement (the master is down)'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l takeover -d 'Promote without any agreement (most masters are down)'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l dry-run -d 'Say what would be done, change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand failover" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l master-id -d 'The master the new replica follows: node id or unique prefix (implies --replica)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l wait-timeout -d 'Seconds to wait until every node knows the new node and it reports cluster_state:ok' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l replica -d 'Add the node as a replica (of --master-id, or of the master with the fewest replicas)'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l dry-run -d 'Check the nodes and say what would be done, change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand add-node" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l wait-timeout -d 'Seconds to keep checking that no node lists the removed node any more' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l timeout -d 'MIGRATE timeout in milliseconds (redis-cli\'s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l pipeline -d 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l max-keys-per-sec -d 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l max-bytes-per-sec -d 'Move at most this many bytes per second (as the source\'s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l engine -d 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE' -r -f -a "auto\t'Atomic for each source/target pair whose two nodes have it, MIGRATE for the others'
atomic\t'The servers move the slots (Valkey >= 9.0 CLUSTER MIGRATESLOTS); refused if a node lacks it'
legacy\t'rcluster moves the keys with MIGRATE (every server)'"
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l drain -d 'First move the node\'s slots (and keys) to the other masters with the migration engine'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l shutdown -d 'Shut the removed node down (SHUTDOWN NOSAVE) instead of leaving it running, reset'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s y -l yes -d 'Do not ask for confirmation before --drain moves slots [env: REDISCLI_CLUSTER_YES=1]'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l dry-run -d 'Say what would be done, change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l replace -d 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l use-atomic-slot-migration -d 'Same as --engine atomic (valkey-cli\'s --cluster-use-atomic-slot-migration)'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand del-node" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l only-masters -d 'Only the masters'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l only-replicas -d 'Only the replicas'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand call" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l dry-run -d 'Say what would be done, change nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand set-timeout" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l from -d 'The standalone Redis to import from, as HOST:PORT' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l from-user -d 'ACL user on the source' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l from-pass -d 'Password on the source (the cluster\'s -a/--user do not apply to it)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l from-db -d 'The source database to import [default: every database that holds keys, each into the same database; a cluster without numbered databases takes database 0 only]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l to-db -d 'The cluster database the keys of --from-db go to [default: N on a cluster with numbered databases (Valkey 9 cluster-databases), else 0]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l timeout -d 'MIGRATE timeout in milliseconds' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l pipeline -d 'Keys per MIGRATE' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l parallel -d 'Target masters fed at the same time' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l from-askpass -d 'Prompt for the source\'s password'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l copy -d 'Copy the keys and leave the source unchanged'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l replace -d 'Overwrite keys that already exist in the cluster'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l dry-run -d 'Count the keys and check both sides, move nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand import" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l parallel -d 'Masters saved at the same time' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l overwrite -d 'Replace the backup already in DIR (its RDB files that the new backup does not write are removed)'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand backup" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l server -d 'Server binary that reads the RDB files (redis-server or valkey-server) [default: one on PATH of the server and at least the version that wrote each file]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l pipeline -d 'Keys per MIGRATE' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l replace -d 'Overwrite keys that already exist in the cluster with the backup\'s values'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l dry-run -d 'Check the backup files and the cluster, restore nothing'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand restore" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s i -l interval -d 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l top -d 'Biggest keys listed: per type for bigkeys, overall for memkeys [default: 1 for bigkeys, 10 for memkeys]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l parallel -d 'Nodes scanned at the same time' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l from-replicas -d 'Scan one replica per shard instead of the masters (a shard without a healthy replica is scanned on its master)'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand bigkeys" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s i -l interval -d 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l top -d 'Biggest keys listed: per type for bigkeys, overall for memkeys [default: 1 for bigkeys, 10 for memkeys]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l parallel -d 'Nodes scanned at the same time' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l samples -d 'MEMORY USAGE SAMPLES: nested values sampled per key, 0 for all [default: the server\'s, 5]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l from-replicas -d 'Scan one replica per shard instead of the masters (a shard without a healthy replica is scanned on its master)'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand memkeys" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l by -d 'The metric that ranks the hottest slots; it must be read (an error says why it cannot)' -r -f -a "keys\t'Keys'
memory\t'Bytes the keys use'
cpu\t'CPU time per second (needs slot stats)'
net-in\t'Bytes per second the commands brought in (needs slot stats)'
net-out\t'Bytes per second the replies sent out (needs slot stats)'
net\t'net-in + net-out (needs slot stats)'"
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l window -d 'Seconds between the two readings CPU and network rates come from (decimals allowed)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l top -d 'Hottest slots listed, with sample keys and hash tags' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l svg -d 'Also write the heat map of the slots as an SVG file' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l enable-slot-stats -d 'Turn cluster-slot-stats-enabled on where it is off, for the reading only (each node\'s setting is restored after)'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand load" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -f -a "up" -d 'Start redis-server (or valkey-server) processes and create a cluster of them'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -f -a "status" -d 'Show the local cluster started by `local up`'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -f -a "down" -d 'Stop every node `local up` started and remove its directory'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and not __fish_seen_subcommand_from up status down help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l masters -d 'Number of masters (at least 3)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l replicas -d 'Replicas per master' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l server -d 'Server binary to run (redis-server or valkey-server) [default: redis-server on PATH, else valkey-server]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l port -d 'Port of the first node; the others follow it (bus ports are port+10000)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l dir -d 'Directory of the cluster\'s files [default: <temp dir>/rcluster-local-<port>]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l wait-timeout -d 'Give up waiting for the nodes to agree after this many seconds' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s y -l yes -d 'Accepted for symmetry with create; local up never asks'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l port -d 'Port of the first node; the others follow it (bus ports are port+10000)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l dir -d 'Directory of the cluster\'s files [default: <temp dir>/rcluster-local-<port>]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l port -d 'Port of the first node; the others follow it (bus ports are port+10000)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l dir -d 'Directory of the cluster\'s files [default: <temp dir>/rcluster-local-<port>]' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from down" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start redis-server (or valkey-server) processes and create a cluster of them'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the local cluster started by `local up`'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop every node `local up` started and remove its directory'
complete -c rcluster -n "__fish_rcluster_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand completions" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l out-dir -d 'Write rcluster.1 and one rcluster-SUBCOMMAND.1 per subcommand into this directory' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s a -l pass -d 'Password for AUTH on every node [env: REDISCLI_AUTH]' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l user -d 'ACL user name for AUTH (needs a password too)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l cacert -d 'CA certificate file (PEM) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l cacertdir -d 'Directory of CA certificates (PEM files) to verify the nodes\' certificates' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l cert -d 'Client certificate file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l key -d 'Client private key file (PEM) for mutual TLS' -r -F
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l sni -d 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s t -l connect-timeout -d 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)' -r
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l color -d 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never' -r -f -a "auto\t'Only when stdout is a terminal and NO_COLOR is not set'
always\t'Always'
never\t'Never'"
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l askpass -d 'Prompt for the password on the terminal instead of passing it on the command line'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l no-auth-warning -d 'Accepted for redis-cli compatibility; rcluster never prints a password warning'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l tls -d 'Connect with TLS'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l insecure -d 'Do not verify the nodes\' certificates at all'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s 4 -d 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s 6 -d 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -l json -d 'Print one JSON document on stdout instead of text'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s q -l quiet -d 'Print only warnings and errors (call still prints the replies); the exit code tells the rest'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rcluster -n "__fish_rcluster_using_subcommand man" -s V -l version -d 'Print version'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "check" -d 'Check the cluster: slot agreement, open slots, coverage, node health'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "info" -d 'Keys, slots and replicas per master'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "nodes" -d 'Table of every node, grouped by shard: role, address, slots, keys, link, flags'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "slots" -d 'Table of slot ranges and the master and replicas serving each'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "create" -d 'Create a cluster from empty nodes: plan slots and replicas, confirm, apply, check'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "reshard" -d 'Move slots (and their keys) to one master: a count from chosen sources, or named slots'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "rebalance" -d 'Even out the slots across masters by weight, or their measured load (--by); print the plan, then move'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "fix" -d 'Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "failover" -d 'Promote a replica to master (CLUSTER FAILOVER) and wait until every node sees it'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "add-node" -d 'Add an empty node to the cluster, as a master or as a replica, and wait until every node knows it'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "del-node" -d 'Remove a node from the cluster: forget it everywhere, reset it; works for dead nodes too'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "call" -d 'Run a command on every node (or only masters / replicas) at once and print each reply'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "set-timeout" -d 'Set cluster-node-timeout on every node and save it to each node\'s config file'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "import" -d 'Move (or copy) every key of a standalone Redis into the cluster'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "backup" -d 'Save one RDB per master (in parallel), the topology and a checksummed manifest'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "restore" -d 'Load a backup made by `backup` into a cluster (any shape), key by key'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "bigkeys" -d 'Find the biggest keys of each type on every master at once (redis-cli --bigkeys)'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "memkeys" -d 'Find the keys that use the most memory, on every master at once (redis-cli --memkeys)'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "load" -d 'Where the load is: keys, memory, CPU and network per master, and the hottest slots'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "local" -d 'A throwaway cluster of local redis-server (or valkey-server) processes: up, status, down'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "completions" -d 'Print the shell completion script for bash, zsh, fish, elvish or powershell'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "man" -d 'Print the man page (roff), or write one page per subcommand into a directory'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and not __fish_seen_subcommand_from check info nodes slots create reshard rebalance fix failover add-node del-node call set-timeout import backup restore bigkeys memkeys load local completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "up" -d 'Start redis-server (or valkey-server) processes and create a cluster of them'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "status" -d 'Show the local cluster started by `local up`'
complete -c rcluster -n "__fish_rcluster_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "down" -d 'Stop every node `local up` started and remove its directory'
