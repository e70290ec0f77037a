
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rcluster' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rcluster'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rcluster' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the cluster: slot agreement, open slots, coverage, node health')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Keys, slots and replicas per master')
            [CompletionResult]::new('nodes', 'nodes', [CompletionResultType]::ParameterValue, 'Table of every node, grouped by shard: role, address, slots, keys, link, flags')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'Table of slot ranges and the master and replicas serving each')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cluster from empty nodes: plan slots and replicas, confirm, apply, check')
            [CompletionResult]::new('reshard', 'reshard', [CompletionResultType]::ParameterValue, 'Move slots (and their keys) to one master: a count from chosen sources, or named slots')
            [CompletionResult]::new('rebalance', 'rebalance', [CompletionResultType]::ParameterValue, 'Even out the slots across masters, by weight; print the plan, then move')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'Promote a replica to master (CLUSTER FAILOVER) and wait until every node sees it')
            [CompletionResult]::new('add-node', 'add-node', [CompletionResultType]::ParameterValue, 'Add an empty node to the cluster, as a master or as a replica, and wait until every node knows it')
            [CompletionResult]::new('del-node', 'del-node', [CompletionResultType]::ParameterValue, 'Remove a node from the cluster: forget it everywhere, reset it; works for dead nodes too')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run a command on every node (or only masters / replicas) at once and print each reply')
            [CompletionResult]::new('set-timeout', 'set-timeout', [CompletionResultType]::ParameterValue, 'Set cluster-node-timeout on every node and save it to each node''s config file')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move (or copy) every key of a standalone Redis into the cluster')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Save one RDB per master (in parallel), the topology and a checksummed manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Load a backup made by `backup` into a cluster (any shape), key by key')
            [CompletionResult]::new('bigkeys', 'bigkeys', [CompletionResultType]::ParameterValue, 'Find the biggest keys of each type on every master at once (redis-cli --bigkeys)')
            [CompletionResult]::new('memkeys', 'memkeys', [CompletionResultType]::ParameterValue, 'Find the keys that use the most memory, on every master at once (redis-cli --memkeys)')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'A throwaway cluster of local redis-server (or valkey-server) processes: up, status, down')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for bash, zsh, fish, elvish or powershell')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per subcommand into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rcluster;check' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--search-multiple-owners', '--search-multiple-owners', [CompletionResultType]::ParameterName, 'Also count keys in every slot of every master to find slots with several owners')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;info' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;nodes' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;slots' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;create' {
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Replicas per master; needs at least 3*(N+1) nodes')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the nodes to agree after this many seconds')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;reshard' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source masters: comma-separated node ids (or unique prefixes), or `all` (every master except the target)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The master that receives the slots: node id or unique prefix')
            [CompletionResult]::new('--slots', '--slots', [CompletionResultType]::ParameterName, 'How many slots to move, taken from the sources in proportion to their slot counts')
            [CompletionResult]::new('--slot-range', '--slot-range', [CompletionResultType]::ParameterName, 'Move exactly these slots instead of a count, e.g. 0-99,500')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'MIGRATE timeout in milliseconds (redis-cli''s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]')
            [CompletionResult]::new('--max-keys-per-sec', '--max-keys-per-sec', [CompletionResultType]::ParameterName, 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused')
            [CompletionResult]::new('--max-bytes-per-sec', '--max-bytes-per-sec', [CompletionResultType]::ParameterName, 'Move at most this many bytes per second (as the source''s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Batches of slots moved at the same time, over all source/target pairs (a batch is up to 256 slots of one pair; a source serves at most 2 at once)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal')
            [CompletionResult]::new('--use-atomic-slot-migration', '--use-atomic-slot-migration', [CompletionResultType]::ParameterName, 'Same as --engine atomic (valkey-cli''s --cluster-use-atomic-slot-migration)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;rebalance' {
            [CompletionResult]::new('--weight', '--weight', [CompletionResultType]::ParameterName, 'Weight of a master, as ID=W (ID may be a unique prefix); default 1, 0 empties it')
            [CompletionResult]::new('--threshold', '--threshold', [CompletionResultType]::ParameterName, 'Rebalance only if some master is more than PCT percent away from its share; 0 balances exactly')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'MIGRATE timeout in milliseconds (redis-cli''s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]')
            [CompletionResult]::new('--max-keys-per-sec', '--max-keys-per-sec', [CompletionResultType]::ParameterName, 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused')
            [CompletionResult]::new('--max-bytes-per-sec', '--max-bytes-per-sec', [CompletionResultType]::ParameterName, 'Move at most this many bytes per second (as the source''s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Batches of slots moved at the same time, over all source/target pairs (a batch is up to 256 slots of one pair; a source serves at most 2 at once)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--use-empty-masters', '--use-empty-masters', [CompletionResultType]::ParameterName, 'Also give slots to masters that have none')
            [CompletionResult]::new('--simulate', '--simulate', [CompletionResultType]::ParameterName, 'Print the plan and move nothing (same as --dry-run)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accepted for symmetry; rebalance does not ask (as redis-cli)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accepted for symmetry; rebalance does not ask (as redis-cli)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal')
            [CompletionResult]::new('--use-atomic-slot-migration', '--use-atomic-slot-migration', [CompletionResultType]::ParameterName, 'Same as --engine atomic (valkey-cli''s --cluster-use-atomic-slot-migration)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;fix' {
            [CompletionResult]::new('--rejoin', '--rejoin', [CompletionResultType]::ParameterName, 'The current addresses (HOST:PORT, host names too) of the other nodes, when every node came back with a new address (containers recreated, a reboot) and none reaches the others: each node meets the others where they are now, then fix goes on as usual. Refused, changing nothing, when an address answers with a node id the entry node does not know')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Before acting, seconds to wait for masters that report cluster_state:fail while every slot is covered (a master just back from a stop) to report ok; 0 does not wait')
            [CompletionResult]::new('--conflicts-file', '--conflicts-file', [CompletionResultType]::ParameterName, 'Where to save the copies of keys found on a master besides the slot''s owner with another value (the owner''s copy is kept, the other saved here and dropped): one JSON line per key with its TTL and DUMP payload. Created only when such a key is found [default: rcluster-fix-conflicts-<unix time>.jsonl in the current directory]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'MIGRATE timeout in milliseconds (redis-cli''s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]')
            [CompletionResult]::new('--max-keys-per-sec', '--max-keys-per-sec', [CompletionResultType]::ParameterName, 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused')
            [CompletionResult]::new('--max-bytes-per-sec', '--max-bytes-per-sec', [CompletionResultType]::ParameterName, 'Move at most this many bytes per second (as the source''s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the diagnosis and the plan, change nothing')
            [CompletionResult]::new('--search-multiple-owners', '--search-multiple-owners', [CompletionResultType]::ParameterName, 'Also count the keys of every slot on every master, to find and fix slots whose keys sit on several masters')
            [CompletionResult]::new('--fix-with-unreachable-masters', '--fix-with-unreachable-masters', [CompletionResultType]::ParameterName, 'Treat the slots of unreachable masters as uncovered and give them to reachable ones (the keys on the unreachable masters are lost)')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;failover' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait until every reachable node sees the new master')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Promote without the master''s agreement (the master is down)')
            [CompletionResult]::new('--takeover', '--takeover', [CompletionResultType]::ParameterName, 'Promote without any agreement (most masters are down)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be done, change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;add-node' {
            [CompletionResult]::new('--master-id', '--master-id', [CompletionResultType]::ParameterName, 'The master the new replica follows: node id or unique prefix (implies --replica)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait until every node knows the new node and it reports cluster_state:ok')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--replica', '--replica', [CompletionResultType]::ParameterName, 'Add the node as a replica (of --master-id, or of the master with the fewest replicas)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Check the nodes and say what would be done, change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;del-node' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to keep checking that no node lists the removed node any more')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'MIGRATE timeout in milliseconds (redis-cli''s --cluster-timeout). Batches of keys get a tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried alone with this full timeout. With the atomic engine: how long a slot migration job may make no progress before it is cancelled')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about 8 MB per batch]')
            [CompletionResult]::new('--max-keys-per-sec', '--max-keys-per-sec', [CompletionResultType]::ParameterName, 'Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k; 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and --engine atomic is refused')
            [CompletionResult]::new('--max-bytes-per-sec', '--max-bytes-per-sec', [CompletionResultType]::ParameterName, 'Move at most this many bytes per second (as the source''s MEMORY USAGE counts keys, sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec')
            [CompletionResult]::new('--engine', '--engine', [CompletionResultType]::ParameterName, 'How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every source/target pair whose two nodes have it. Redis always uses MIGRATE')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'First move the node''s slots (and keys) to the other masters with the migration engine')
            [CompletionResult]::new('--shutdown', '--shutdown', [CompletionResultType]::ParameterName, 'Shut the removed node down (SHUTDOWN NOSAVE) instead of leaving it running, reset')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before --drain moves slots [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation before --drain moves slots [env: REDISCLI_CLUSTER_YES=1]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be done, change nothing')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on both sides is dropped from the source only when both values are equal')
            [CompletionResult]::new('--use-atomic-slot-migration', '--use-atomic-slot-migration', [CompletionResultType]::ParameterName, 'Same as --engine atomic (valkey-cli''s --cluster-use-atomic-slot-migration)')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;call' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--only-masters', '--only-masters', [CompletionResultType]::ParameterName, 'Only the masters')
            [CompletionResult]::new('--only-replicas', '--only-replicas', [CompletionResultType]::ParameterName, 'Only the replicas')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;set-timeout' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be done, change nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;import' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The standalone Redis to import from, as HOST:PORT')
            [CompletionResult]::new('--from-user', '--from-user', [CompletionResultType]::ParameterName, 'ACL user on the source')
            [CompletionResult]::new('--from-pass', '--from-pass', [CompletionResultType]::ParameterName, 'Password on the source (the cluster''s -a/--user do not apply to it)')
            [CompletionResult]::new('--from-db', '--from-db', [CompletionResultType]::ParameterName, 'The source database to import [default: every database that holds keys, each into the same database; a cluster without numbered databases takes database 0 only]')
            [CompletionResult]::new('--to-db', '--to-db', [CompletionResultType]::ParameterName, 'The cluster database the keys of --from-db go to [default: N on a cluster with numbered databases (Valkey 9 cluster-databases), else 0]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'MIGRATE timeout in milliseconds')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per MIGRATE')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Target masters fed at the same time')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--from-askpass', '--from-askpass', [CompletionResultType]::ParameterName, 'Prompt for the source''s password')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Copy the keys and leave the source unchanged')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist in the cluster')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Count the keys and check both sides, move nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;backup' {
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Masters saved at the same time')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--overwrite', '--overwrite', [CompletionResultType]::ParameterName, 'Replace the backup already in DIR (its RDB files that the new backup does not write are removed)')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;restore' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server binary that reads the RDB files (redis-server or valkey-server) [default: one on PATH of the server and at least the version that wrote each file]')
            [CompletionResult]::new('--pipeline', '--pipeline', [CompletionResultType]::ParameterName, 'Keys per MIGRATE')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--replace', '--replace', [CompletionResultType]::ParameterName, 'Overwrite keys that already exist in the cluster with the backup''s values')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Check the backup files and the cluster, restore nothing')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;bigkeys' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Biggest keys listed: per type for bigkeys, overall for memkeys [default: 1 for bigkeys, 10 for memkeys]')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Nodes scanned at the same time')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--from-replicas', '--from-replicas', [CompletionResultType]::ParameterName, 'Scan one replica per shard instead of the masters (a shard without a healthy replica is scanned on its master)')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;memkeys' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load (decimals allowed)')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'Biggest keys listed: per type for bigkeys, overall for memkeys [default: 1 for bigkeys, 10 for memkeys]')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Nodes scanned at the same time')
            [CompletionResult]::new('--samples', '--samples', [CompletionResultType]::ParameterName, 'MEMORY USAGE SAMPLES: nested values sampled per key, 0 for all [default: the server''s, 5]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--from-replicas', '--from-replicas', [CompletionResultType]::ParameterName, 'Scan one replica per shard instead of the masters (a shard without a healthy replica is scanned on its master)')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;local' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start redis-server (or valkey-server) processes and create a cluster of them')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the local cluster started by `local up`')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop every node `local up` started and remove its directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rcluster;local;up' {
            [CompletionResult]::new('--masters', '--masters', [CompletionResultType]::ParameterName, 'Number of masters (at least 3)')
            [CompletionResult]::new('--replicas', '--replicas', [CompletionResultType]::ParameterName, 'Replicas per master')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Server binary to run (redis-server or valkey-server) [default: redis-server on PATH, else valkey-server]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the first node; the others follow it (bus ports are port+10000)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory of the cluster''s files [default: <temp dir>/rcluster-local-<port>]')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Give up waiting for the nodes to agree after this many seconds')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Accepted for symmetry with create; local up never asks')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accepted for symmetry with create; local up never asks')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;local;status' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the first node; the others follow it (bus ports are port+10000)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory of the cluster''s files [default: <temp dir>/rcluster-local-<port>]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;local;down' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port of the first node; the others follow it (bus ports are port+10000)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Directory of the cluster''s files [default: <temp dir>/rcluster-local-<port>]')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;local;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start redis-server (or valkey-server) processes and create a cluster of them')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the local cluster started by `local up`')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop every node `local up` started and remove its directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rcluster;local;help;up' {
            break
        }
        'rcluster;local;help;status' {
            break
        }
        'rcluster;local;help;down' {
            break
        }
        'rcluster;local;help;help' {
            break
        }
        'rcluster;completions' {
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;man' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write rcluster.1 and one rcluster-SUBCOMMAND.1 per subcommand into this directory')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--pass', '--pass', [CompletionResultType]::ParameterName, 'Password for AUTH on every node [env: REDISCLI_AUTH]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'ACL user name for AUTH (needs a password too)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA certificate file (PEM) to verify the nodes'' certificates')
            [CompletionResult]::new('--cacertdir', '--cacertdir', [CompletionResultType]::ParameterName, 'Directory of CA certificates (PEM files) to verify the nodes'' certificates')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate file (PEM) for mutual TLS')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client private key file (PEM) for mutual TLS')
            [CompletionResult]::new('--sni', '--sni', [CompletionResultType]::ParameterName, 'Server name the certificates are issued for; the chain is still verified, but the name is not matched against the node address')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Connect and reply timeout for every node, in seconds (decimals allowed); migrations wait longer for MIGRATE replies (see their --timeout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never')
            [CompletionResult]::new('--askpass', '--askpass', [CompletionResultType]::ParameterName, 'Prompt for the password on the terminal instead of passing it on the command line')
            [CompletionResult]::new('--no-auth-warning', '--no-auth-warning', [CompletionResultType]::ParameterName, 'Accepted for redis-cli compatibility; rcluster never prints a password warning')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Connect with TLS')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the nodes'' certificates at all')
            [CompletionResult]::new('-4', '-4', [CompletionResultType]::ParameterName, 'Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)')
            [CompletionResult]::new('-6', '-6', [CompletionResultType]::ParameterName, 'Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a name)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON document on stdout instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only warnings and errors (call still prints the replies); the exit code tells the rest')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rcluster;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the cluster: slot agreement, open slots, coverage, node health')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Keys, slots and replicas per master')
            [CompletionResult]::new('nodes', 'nodes', [CompletionResultType]::ParameterValue, 'Table of every node, grouped by shard: role, address, slots, keys, link, flags')
            [CompletionResult]::new('slots', 'slots', [CompletionResultType]::ParameterValue, 'Table of slot ranges and the master and replicas serving each')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cluster from empty nodes: plan slots and replicas, confirm, apply, check')
            [CompletionResult]::new('reshard', 'reshard', [CompletionResultType]::ParameterValue, 'Move slots (and their keys) to one master: a count from chosen sources, or named slots')
            [CompletionResult]::new('rebalance', 'rebalance', [CompletionResultType]::ParameterValue, 'Even out the slots across masters, by weight; print the plan, then move')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act')
            [CompletionResult]::new('failover', 'failover', [CompletionResultType]::ParameterValue, 'Promote a replica to master (CLUSTER FAILOVER) and wait until every node sees it')
            [CompletionResult]::new('add-node', 'add-node', [CompletionResultType]::ParameterValue, 'Add an empty node to the cluster, as a master or as a replica, and wait until every node knows it')
            [CompletionResult]::new('del-node', 'del-node', [CompletionResultType]::ParameterValue, 'Remove a node from the cluster: forget it everywhere, reset it; works for dead nodes too')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Run a command on every node (or only masters / replicas) at once and print each reply')
            [CompletionResult]::new('set-timeout', 'set-timeout', [CompletionResultType]::ParameterValue, 'Set cluster-node-timeout on every node and save it to each node''s config file')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move (or copy) every key of a standalone Redis into the cluster')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Save one RDB per master (in parallel), the topology and a checksummed manifest')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Load a backup made by `backup` into a cluster (any shape), key by key')
            [CompletionResult]::new('bigkeys', 'bigkeys', [CompletionResultType]::ParameterValue, 'Find the biggest keys of each type on every master at once (redis-cli --bigkeys)')
            [CompletionResult]::new('memkeys', 'memkeys', [CompletionResultType]::ParameterValue, 'Find the keys that use the most memory, on every master at once (redis-cli --memkeys)')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'A throwaway cluster of local redis-server (or valkey-server) processes: up, status, down')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script for bash, zsh, fish, elvish or powershell')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), or write one page per subcommand into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rcluster;help;check' {
            break
        }
        'rcluster;help;info' {
            break
        }
        'rcluster;help;nodes' {
            break
        }
        'rcluster;help;slots' {
            break
        }
        'rcluster;help;create' {
            break
        }
        'rcluster;help;reshard' {
            break
        }
        'rcluster;help;rebalance' {
            break
        }
        'rcluster;help;fix' {
            break
        }
        'rcluster;help;failover' {
            break
        }
        'rcluster;help;add-node' {
            break
        }
        'rcluster;help;del-node' {
            break
        }
        'rcluster;help;call' {
            break
        }
        'rcluster;help;set-timeout' {
            break
        }
        'rcluster;help;import' {
            break
        }
        'rcluster;help;backup' {
            break
        }
        'rcluster;help;restore' {
            break
        }
        'rcluster;help;bigkeys' {
            break
        }
        'rcluster;help;memkeys' {
            break
        }
        'rcluster;help;local' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start redis-server (or valkey-server) processes and create a cluster of them')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the local cluster started by `local up`')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop every node `local up` started and remove its directory')
            break
        }
        'rcluster;help;local;up' {
            break
        }
        'rcluster;help;local;status' {
            break
        }
        'rcluster;help;local;down' {
            break
        }
        'rcluster;help;completions' {
            break
        }
        'rcluster;help;man' {
            break
        }
        'rcluster;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
