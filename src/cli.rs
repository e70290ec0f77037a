//! The command-line definition, and nothing else: clap types only, no logic.
//!
//! Every option redis-cli's cluster manager has is accepted under its `--cluster-*` spelling
//! as an alias of a shorter modern name, and so is every spelling of valkey-cli's (8.1 and 9.x:
//! `primary`/`primaries` for `master`/`masters`), so a script can swap `redis-cli --cluster` or
//! `valkey-cli --cluster` for `rcluster` and keep its flags. This definition is the single source for `--help`, the shell
//! completions and the man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `rcluster --version`: the package version and the git commit it was built from.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("RCLUSTER_GIT_COMMIT"),
    ")"
);

/// Redis Cluster administration: check, inspect and repair clusters, faster and scriptable.
#[derive(Debug, Parser)]
#[command(
    name = "rcluster",
    version = VERSION,
    about,
    long_about = "Redis and Valkey Cluster administration, with the words of `redis-cli \
                  --cluster` (and `valkey-cli --cluster`) and their `--cluster-*` options \
                  accepted as they are. Every command takes the address of any one node of the \
                  cluster.",
    after_help = "Exit codes: 0 success / healthy, 1 problems found or operation failed, \
                  2 usage error, 130 interrupted.",
    propagate_version = true,
    args_override_self = true
)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalOpts,

    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Connection and output options, accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Password for AUTH on every node [env: REDISCLI_AUTH]
    #[arg(short = 'a', long = "pass", global = true, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// ACL user name for AUTH (needs a password too)
    #[arg(long, global = true, value_name = "USER")]
    pub user: Option<String>,

    /// Prompt for the password on the terminal instead of passing it on the command line
    #[arg(long, global = true)]
    pub askpass: bool,

    /// Accepted for redis-cli compatibility; rcluster never prints a password warning
    #[arg(long, global = true, hide = true)]
    pub no_auth_warning: bool,

    /// Connect with TLS
    #[arg(long, global = true, help_heading = "TLS")]
    pub tls: bool,

    /// CA certificate file (PEM) to verify the nodes' certificates
    #[arg(long, global = true, value_name = "FILE", help_heading = "TLS")]
    pub cacert: Option<PathBuf>,

    /// Directory of CA certificates (PEM files) to verify the nodes' certificates
    #[arg(long, global = true, value_name = "DIR", help_heading = "TLS")]
    pub cacertdir: Option<PathBuf>,

    /// Client certificate file (PEM) for mutual TLS
    #[arg(long, global = true, value_name = "FILE", help_heading = "TLS")]
    pub cert: Option<PathBuf>,

    /// Client private key file (PEM) for mutual TLS
    #[arg(long, global = true, value_name = "FILE", help_heading = "TLS")]
    pub key: Option<PathBuf>,

    /// Server name the certificates are issued for; the chain is still verified, but the
    /// name is not matched against the node address
    #[arg(long, global = true, value_name = "NAME", help_heading = "TLS")]
    pub sni: Option<String>,

    /// Do not verify the nodes' certificates at all
    #[arg(long, global = true, help_heading = "TLS")]
    pub insecure: bool,

    /// Prefer IPv4 when a host name resolves to both IPv4 and IPv6 addresses (the default)
    #[arg(short = '4', global = true, conflicts_with = "prefer_ipv6")]
    pub prefer_ipv4: bool,

    /// Prefer IPv6 when a host name resolves to both (CLUSTER MEET takes an address, not a
    /// name)
    #[arg(short = '6', global = true)]
    pub prefer_ipv6: bool,

    /// Connect and reply timeout for every node, in seconds (decimals allowed); migrations
    /// wait longer for MIGRATE replies (see their --timeout)
    #[arg(
        short = 't',
        long = "connect-timeout",
        global = true,
        value_name = "SECS",
        default_value = "3",
        allow_negative_numbers = true
    )]
    pub timeout: f64,

    /// Print one JSON document on stdout instead of text
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,

    /// When to color the output: auto (only on a terminal, and NO_COLOR unset), always, never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN",
        help_heading = "Output"
    )]
    pub color: ColorChoice,

    /// Print only warnings and errors (call still prints the replies); the exit code tells
    /// the rest
    #[arg(short, long, global = true, help_heading = "Output")]
    pub quiet: bool,
}

/// When to use ANSI colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Only when stdout is a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the cluster: slot agreement, open slots, coverage, node health
    #[command(after_help = "Example:\n  rcluster check 127.0.0.1:7000\n\n\
                            Exit codes: 0 healthy, 1 problems found, 2 usage error.")]
    Check(CheckArgs),

    /// Keys, slots and replicas per master
    #[command(after_help = "Example:\n  rcluster info 127.0.0.1:7000\n\n\
        Exit codes: 0 loaded (even when some node did not answer: it is named), 1 the entry \
        node cannot be used, 2 usage error.")]
    Info(NodeArg),

    /// Table of every node, grouped by shard: role, address, slots, keys, link, flags
    #[command(after_help = "Example:\n  rcluster nodes 127.0.0.1:7000\n\n\
        Exit codes: 0 loaded, 1 the entry node cannot be used, 2 usage error.")]
    Nodes(NodeArg),

    /// Table of slot ranges and the master and replicas serving each
    #[command(after_help = "Example:\n  rcluster slots 127.0.0.1:7000\n\n\
        Exit codes: 0 loaded, 1 the entry node cannot be used, 2 usage error.")]
    Slots(NodeArg),

    /// Create a cluster from empty nodes: plan slots and replicas, confirm, apply, check
    #[command(after_help = "Examples:\n  \
        rcluster create 127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002\n  \
        rcluster create 10.0.0.{1..6}:6379 --replicas 1 --yes\n  \
        rcluster create 127.0.0.1:700{0..5} --cluster-replicas 1 --dry-run --json\n\n\
        Exit codes: 0 created and healthy, 1 refused (nothing changed) or failed, 2 usage error.")]
    Create(CreateArgs),

    /// Move slots (and their keys) to one master: a count from chosen sources, or named slots
    #[command(after_help = "Examples:\n  \
        rcluster reshard 127.0.0.1:7000 --from all --to 3f1a... --slots 1000 --yes\n  \
        rcluster reshard 127.0.0.1:7000 --to 3f1a --slot-range 0-99,500 --dry-run\n  \
        rcluster reshard 127.0.0.1:7000 --cluster-from ID1,ID2 --cluster-to ID3 --cluster-slots 10 --cluster-yes\n\n\
        Node ids may be given by a unique prefix. Without --slots/--to/--from on a terminal, \
        rcluster asks like redis-cli; without a terminal it names the missing option.\n\n\
        Exit codes: 0 moved, 1 refused (nothing moved) or failed, 2 usage error, 130 interrupted.")]
    Reshard(ReshardArgs),

    /// Even out the slots across masters by weight, or their measured load (--by); print the plan, then move
    #[command(after_help = "Examples:\n  \
        rcluster rebalance 127.0.0.1:7000 --use-empty-masters\n  \
        rcluster rebalance 127.0.0.1:7000 --weight 3f1a=0 --simulate\n  \
        rcluster rebalance 127.0.0.1:7000 --cluster-weight 3f1a=2 9bc0=1 --cluster-threshold 5\n  \
        rcluster rebalance 127.0.0.1:7000 --by memory --dry-run\n  \
        rcluster rebalance 127.0.0.1:7000 --by cpu --window 10 --enable-slot-stats\n\n\
        With --by, the load of every slot is read first (as rcluster load reads it) and slots \
        move so that each master holds its weighted share of that load within --threshold, \
        moving the fewest bytes; a slot hotter than a master's whole share stays and is \
        reported with its keys.\n\n\
        Exit codes: 0 balanced (or nothing to do), 1 refused or failed, 2 usage error, \
        130 interrupted.")]
    Rebalance(RebalanceArgs),

    /// Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act
    #[command(after_help = "Examples:\n  \
        rcluster fix 127.0.0.1:7000 --dry-run\n  \
        rcluster fix 127.0.0.1:7000 --yes\n  \
        rcluster fix 127.0.0.1:7000 --cluster-search-multiple-owners --cluster-yes\n  \
        rcluster fix redis1:7000 --rejoin redis2:7001,redis3:7002 --yes\n\n\
        The plan is printed before anything changes; every decision is deterministic and says \
        why. Slots of an unreachable master are left alone unless \
        --fix-with-unreachable-masters (their keys on that master are then lost).\n\n\
        Exit codes: 0 healthy afterwards (or already), 1 problems left, refused or not \
        confirmed (with --dry-run: 1 when something needs fixing), 2 usage error.")]
    Fix(FixArgs),

    /// Promote a replica to master (CLUSTER FAILOVER) and wait until every node sees it
    #[command(after_help = "Examples:\n  \
        rcluster failover 127.0.0.1:7004\n  \
        rcluster failover 127.0.0.1:7004 --force\n\n\
        Without an option the master agrees and hands over without losing a write; --force \
        promotes without the master (it is down); --takeover without any agreement (most \
        masters are down).\n\n\
        Exit codes: 0 promoted and seen by every reachable node, 1 refused or not seen in \
        time, 2 usage error.")]
    Failover(FailoverArgs),

    /// Add an empty node to the cluster, as a master or as a replica, and wait until every
    /// node knows it
    #[command(after_help = "Examples:\n  \
        rcluster add-node 127.0.0.1:7006 127.0.0.1:7000\n  \
        rcluster add-node 127.0.0.1:7007 127.0.0.1:7000 --replica --master-id 3f1a\n  \
        rcluster add-node 127.0.0.1:7007 127.0.0.1:7000 --cluster-slave\n\n\
        The new node must be empty and alone (as for create). Without --master-id a replica \
        goes to the master with the fewest replicas, preferring one on another host. rcluster \
        returns only when every node knows the new node and it reports cluster_state:ok, so a \
        reshard or rebalance can follow at once.\n\n\
        Exit codes: 0 added and agreed, 1 refused (nothing changed) or not agreed in time, \
        2 usage error.")]
    AddNode(AddNodeArgs),

    /// Remove a node from the cluster: forget it everywhere, reset it; works for dead nodes too
    #[command(after_help = "Examples:\n  \
        rcluster del-node 127.0.0.1:7000 3f1a9c...\n  \
        rcluster del-node 127.0.0.1:7000 3f1a9c... --drain --yes\n  \
        rcluster del-node 127.0.0.1:7000 3f1a9c... --shutdown\n\n\
        A master that still serves slots is refused unless --drain moves them to the other \
        masters first. A node that is down is forgotten by every other node and checked until \
        none lists it. Deleting an id no node knows says so and exits 0.\n\n\
        Exit codes: 0 removed (or already gone), 1 refused or failed, 2 usage error.")]
    DelNode(DelNodeArgs),

    /// Run a command on every node (or only masters / replicas) at once and print each reply
    #[command(after_help = "Examples:\n  \
        rcluster call 127.0.0.1:7000 DBSIZE\n  \
        rcluster call 127.0.0.1:7000 CONFIG GET maxmemory --only-masters\n  \
        rcluster call 127.0.0.1:7000 -- INCRBY counter -1\n\n\
        Replies are printed in address order. Arguments that begin with '-' go after `--`.\n\n\
        Exit codes: 0 every node replied without error, 1 some node replied with an error or \
        could not be reached, 2 usage error.")]
    Call(CallArgs),

    /// Set cluster-node-timeout on every node and save it to each node's config file
    #[command(
        after_help = "Example:\n  rcluster set-timeout 127.0.0.1:7000 5000\n\n\
        Exit codes: 0 set everywhere (a node without a config file only gets a warning), \
        1 some node did not take it, 2 usage error."
    )]
    SetTimeout(SetTimeoutArgs),

    /// Move (or copy) every key of a standalone Redis into the cluster
    #[command(after_help = "Examples:\n  \
        rcluster import 127.0.0.1:7000 --from 10.0.0.5:6379\n  \
        rcluster import 127.0.0.1:7000 --cluster-from 10.0.0.5:6379 --cluster-copy --cluster-replace\n  \
        rcluster import 127.0.0.1:7000 --from 10.0.0.5:6379 --from-db 2 --copy\n\n\
        Keys move with MIGRATE in batches, one stream per target master. Without --copy the \
        keys are removed from the source as they move. A key that already exists in the \
        cluster is skipped (removed from the source when both values are equal) unless \
        --replace.\n\n\
        Exit codes: 0 every key imported, 1 refused (nothing changed) or some keys left on the \
        source, 2 usage error, 130 interrupted.")]
    Import(ImportArgs),

    /// Save one RDB per master (in parallel), the topology and a checksummed manifest
    #[command(
        after_help = "Example:\n  rcluster backup 127.0.0.1:7000 ./backup-2026-11-30\n\n\
        Writes DIR/<node-id>.rdb for every master (taken with SYNC, as a replica would), \
        DIR/nodes.json (the topology with slots) and DIR/manifest.json (sizes, SHA-256, and \
        the server and version that wrote each file: Redis writes REDIS-format RDB files, \
        Valkey 9 and later VALKEY-format ones). `rcluster restore` loads them.\n\n\
        Exit codes: 0 every master saved, 1 some master could not be saved or DIR already \
        holds a backup (without --overwrite), 2 usage error."
    )]
    Backup(BackupArgs),

    /// Load a backup made by `backup` into a cluster (any shape), key by key
    #[command(
        after_help = "Example:\n  rcluster restore 127.0.0.1:7000 ./backup-2026-11-30\n\n\
        Checks every RDB against manifest.json (size and SHA-256) before anything changes. Each \
        RDB is then loaded into a temporary standalone server on this machine and imported \
        into the cluster with MIGRATE, so the target cluster may have another number of masters \
        than the one backed up. That server is a redis-server or valkey-server found on PATH, \
        of the server that wrote the file (manifest.json says which) and at least its version; \
        --server PATH chooses another. Keys already in \
        the cluster with a different value are left as they are and reported, unless --replace.\n\n\
        Exit codes: 0 every key restored, 1 refused (nothing changed) or some keys not \
        restored, 2 usage error, 130 interrupted."
    )]
    Restore(RestoreArgs),

    /// Find the biggest keys of each type on every master at once (redis-cli --bigkeys)
    #[command(after_help = "Examples:\n  \
        rcluster bigkeys 127.0.0.1:7000\n  \
        rcluster bigkeys 127.0.0.1:7000 --from-replicas -i 0.01 --top 5\n\n\
        Sizes are the type's length: bytes of a string, items of a list, members of a set or \
        zset, fields of a hash, entries of a stream. The summary reads like redis-cli's; the \
        table lists the biggest keys of each type with their node and slot.\n\n\
        Exit codes: 0 every node scanned, 1 some node could not be scanned, 2 usage error.")]
    Bigkeys(KeyScanArgs),

    /// Find the keys that use the most memory, on every master at once (redis-cli --memkeys)
    #[command(after_help = "Examples:\n  \
        rcluster memkeys 127.0.0.1:7000\n  \
        rcluster memkeys 127.0.0.1:7000 --samples 0 --top 20 --json\n\n\
        Sizes are MEMORY USAGE in bytes. The summary reads like redis-cli's; the table lists \
        the --top keys that use the most memory, of any type, with their node and slot.\n\n\
        Exit codes: 0 every node scanned, 1 some node could not be scanned, 2 usage error.")]
    Memkeys(MemkeysArgs),

    /// Where the load is: keys, memory, CPU and network per master, and the hottest slots
    #[command(after_help = "Examples:\n  \
        rcluster load 127.0.0.1:7000\n  \
        rcluster load 127.0.0.1:7000 --by cpu --window 5 --enable-slot-stats\n  \
        rcluster load 127.0.0.1:7000 --by keys --top 20 --json\n\n\
        Keys come from CLUSTER SLOT-STATS (Valkey >= 8.0, Redis >= 8.2) or COUNTKEYSINSLOT; \
        memory from SLOT-STATS memory-bytes (Redis >= 8.4) or else MEMORY USAGE of up to 16 \
        keys per slot, scaled by the slot's key count; CPU and network are rates over \
        --window, from SLOT-STATS counters that run only with cluster-slot-stats-enabled yes. \
        A metric the cluster cannot give is left out with a note, unless --by asks for it.\n\n\
        Exit codes: 0 read, 1 a node failed, 2 usage error (--by asks for what a node cannot \
        report, or for counters that are off), 130 interrupted.")]
    Load(LoadArgs),

    /// A throwaway cluster of local redis-server (or valkey-server) processes: up, status, down
    #[command(subcommand)]
    Local(LocalCommand),

    /// Print the shell completion script for bash, zsh, fish, elvish or powershell
    #[command(after_help = "Examples:\n  \
        rcluster completions bash > ~/.local/share/bash-completion/completions/rcluster\n  \
        rcluster completions zsh > ~/.zfunc/_rcluster\n  \
        rcluster completions fish > ~/.config/fish/completions/rcluster.fish\n\n\
        Exit codes: 0 printed, 2 unknown shell.")]
    Completions(CompletionsArgs),

    /// Print the man page (roff), or write one page per subcommand into a directory
    #[command(
        after_help = "Examples:\n  rcluster man | man -l -\n  rcluster man --out-dir /usr/local/share/man/man1\n\n\
        Exit codes: 0 written, 1 the directory cannot be written, 2 usage error."
    )]
    Man(ManArgs),
}

/// Arguments of `bigkeys` (and the scan options of `memkeys`).
#[derive(Debug, Args)]
pub struct KeyScanArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// Scan one replica per shard instead of the masters (a shard without a healthy replica
    /// is scanned on its master)
    #[arg(long)]
    pub from_replicas: bool,

    /// Seconds to sleep after each SCAN batch of about 1000 keys, to limit the load
    /// (decimals allowed)
    #[arg(
        value_parser = secs,
        short = 'i',
        long,
        value_name = "SECS",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub interval: f64,

    /// Biggest keys listed: per type for bigkeys, overall for memkeys [default: 1 for
    /// bigkeys, 10 for memkeys]
    #[arg(long, value_name = "N", value_parser = at_least_one::<usize>, allow_negative_numbers = true)]
    pub top: Option<usize>,

    /// Nodes scanned at the same time
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = parallelism, allow_negative_numbers = true)]
    pub parallel: usize,
}

/// Arguments of `memkeys`.
#[derive(Debug, Args)]
pub struct MemkeysArgs {
    /// Where and how to scan.
    #[command(flatten)]
    pub scan: KeyScanArgs,

    /// MEMORY USAGE SAMPLES: nested values sampled per key, 0 for all [default: the
    /// server's, 5]
    #[arg(long, alias = "memkeys-samples", value_name = "N", value_parser = whole::<u32>, allow_negative_numbers = true)]
    pub samples: Option<u32>,
}

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The entry node.
    #[command(flatten)]
    pub target: NodeArg,

    /// The metric that ranks the hottest slots; it must be read (an error says why it cannot)
    #[arg(long, value_enum, value_name = "METRIC", default_value_t = LoadMetric::Memory)]
    pub by: LoadMetric,

    /// The window and the slot-stats switch.
    #[command(flatten)]
    pub reading: LoadReadingOpts,

    /// Hottest slots listed, with sample keys and hash tags
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = at_least_one::<usize>, allow_negative_numbers = true)]
    pub top: usize,

    /// Also write the heat map of the slots as an SVG file
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// How the load per slot is read (`load`, `rebalance --by`).
#[derive(Debug, Args)]
pub struct LoadReadingOpts {
    /// Seconds between the two readings CPU and network rates come from (decimals allowed)
    #[arg(
        long,
        value_name = "SECS",
        default_value = "1",
        value_parser = positive_secs,
        allow_negative_numbers = true
    )]
    pub window: f64,

    /// Turn cluster-slot-stats-enabled on where it is off, for the reading only (each node's
    /// setting is restored after)
    #[arg(long)]
    pub enable_slot_stats: bool,
}

/// What `rebalance --by` evens out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BalanceBy {
    /// Slot counts, by weight (redis-cli's rebalance).
    Slots,
    /// Keys.
    Keys,
    /// Bytes the keys use.
    Memory,
    /// CPU time per second (needs slot stats).
    Cpu,
    /// net-in + net-out (needs slot stats).
    Net,
    /// Bytes per second the commands brought in (needs slot stats).
    NetIn,
    /// Bytes per second the replies sent out (needs slot stats).
    NetOut,
}

/// A measure of load per slot, as `--by` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoadMetric {
    /// Keys.
    Keys,
    /// Bytes the keys use.
    Memory,
    /// CPU time per second (needs slot stats).
    Cpu,
    /// Bytes per second the commands brought in (needs slot stats).
    NetIn,
    /// Bytes per second the replies sent out (needs slot stats).
    NetOut,
    /// net-in + net-out (needs slot stats).
    Net,
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// Arguments of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write rcluster.1 and one rcluster-SUBCOMMAND.1 per subcommand into this directory
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Arguments of `restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Any node of the cluster to load the backup into, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// The backup directory (with manifest.json)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Overwrite keys that already exist in the cluster with the backup's values
    #[arg(long, alias = "cluster-replace")]
    pub replace: bool,

    /// Server binary that reads the RDB files (redis-server or valkey-server) [default: one on
    /// PATH of the server and at least the version that wrote each file]
    #[arg(long, alias = "redis-server", value_name = "PATH")]
    pub server: Option<PathBuf>,

    /// Keys per MIGRATE
    #[arg(
        long,
        alias = "cluster-pipeline",
        value_name = "N",
        default_value_t = 1000,
        value_parser = at_least_one::<usize>,
        allow_negative_numbers = true
    )]
    pub pipeline: usize,

    /// Check the backup files and the cluster, restore nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `add-node`.
#[derive(Debug, Args)]
pub struct AddNodeArgs {
    /// The empty node to add, as HOST:PORT
    #[arg(value_name = "NEW_HOST:PORT")]
    pub new_node: String,

    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "EXISTING_HOST:PORT")]
    pub existing: String,

    /// Add the node as a replica (of --master-id, or of the master with the fewest replicas)
    #[arg(
        long,
        alias = "cluster-slave",
        alias = "cluster-replica",
        alias = "slave"
    )]
    pub replica: bool,

    /// The master the new replica follows: node id or unique prefix (implies --replica)
    #[arg(
        long,
        alias = "cluster-master-id",
        alias = "cluster-primary-id",
        alias = "cluster-primaries-id",
        alias = "primary-id",
        value_name = "ID"
    )]
    pub master_id: Option<String>,

    /// Seconds to wait until every node knows the new node and it reports cluster_state:ok
    #[arg(
        value_parser = positive_secs,
        long,
        value_name = "SECS",
        default_value_t = 60.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,

    /// Check the nodes and say what would be done, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `del-node`.
#[derive(Debug, Args)]
pub struct DelNodeArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// The id of the node to remove (a unique prefix is accepted)
    #[arg(value_name = "NODE_ID")]
    pub node_id: String,

    /// First move the node's slots (and keys) to the other masters with the migration engine
    #[arg(long)]
    pub drain: bool,

    /// Shut the removed node down (SHUTDOWN NOSAVE) instead of leaving it running, reset
    #[arg(long, alias = "cluster-shutdown")]
    pub shutdown: bool,

    /// Do not ask for confirmation before --drain moves slots [env: REDISCLI_CLUSTER_YES=1]
    #[arg(short, long, alias = "cluster-yes")]
    pub yes: bool,

    /// Seconds to keep checking that no node lists the removed node any more
    #[arg(
        value_parser = positive_secs,
        long,
        value_name = "SECS",
        default_value_t = 30.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,

    /// Say what would be done, change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// How keys move with --drain.
    #[command(flatten)]
    pub keys: KeyMoveOpts,

    /// Which engine moves slots with --drain.
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// Arguments of `call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// The command and its arguments (put `--` before arguments that begin with '-')
    #[arg(value_name = "COMMAND", required = true, num_args = 1..)]
    pub command: Vec<String>,

    /// Only the masters
    #[arg(
        long,
        alias = "cluster-only-masters",
        alias = "cluster-only-primaries",
        alias = "only-primaries",
        conflicts_with = "only_replicas"
    )]
    pub only_masters: bool,

    /// Only the replicas
    #[arg(long, alias = "cluster-only-replicas")]
    pub only_replicas: bool,
}

/// Arguments of `set-timeout`.
#[derive(Debug, Args)]
pub struct SetTimeoutArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// The new cluster-node-timeout in milliseconds (at least 100)
    #[arg(value_name = "MILLISECONDS", value_parser = whole::<u64>, allow_negative_numbers = true)]
    pub millis: u64,

    /// Say what would be done, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// The standalone Redis to import from, as HOST:PORT
    #[arg(
        long,
        alias = "cluster-from",
        value_name = "HOST:PORT",
        required = true
    )]
    pub from: String,

    /// ACL user on the source
    #[arg(long, alias = "cluster-from-user", value_name = "USER")]
    pub from_user: Option<String>,

    /// Password on the source (the cluster's -a/--user do not apply to it)
    #[arg(long, alias = "cluster-from-pass", value_name = "PASSWORD")]
    pub from_pass: Option<String>,

    /// Prompt for the source's password
    #[arg(long, alias = "cluster-from-askpass", conflicts_with = "from_pass")]
    pub from_askpass: bool,

    /// The source database to import [default: every database that holds keys, each into
    /// the same database; a cluster without numbered databases takes database 0 only]
    #[arg(long, value_name = "N", value_parser = whole::<u32>, allow_negative_numbers = true)]
    pub from_db: Option<u32>,

    /// The cluster database the keys of --from-db go to [default: N on a cluster with
    /// numbered databases (Valkey 9 cluster-databases), else 0]
    #[arg(long, value_name = "M", requires = "from_db", value_parser = whole::<u32>, allow_negative_numbers = true)]
    pub to_db: Option<u32>,

    /// Copy the keys and leave the source unchanged
    #[arg(long, alias = "cluster-copy")]
    pub copy: bool,

    /// Overwrite keys that already exist in the cluster
    #[arg(long, alias = "cluster-replace")]
    pub replace: bool,

    /// MIGRATE timeout in milliseconds
    #[arg(
        long = "timeout",
        alias = "cluster-timeout",
        value_name = "MS",
        default_value_t = 60_000,
        value_parser = at_least_one::<u64>,
        allow_negative_numbers = true
    )]
    pub migrate_timeout_ms: u64,

    /// Keys per MIGRATE
    #[arg(
        long,
        alias = "cluster-pipeline",
        value_name = "N",
        default_value_t = 1000,
        value_parser = at_least_one::<usize>,
        allow_negative_numbers = true
    )]
    pub pipeline: usize,

    /// Target masters fed at the same time
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = parallelism, allow_negative_numbers = true)]
    pub parallel: usize,

    /// Count the keys and check both sides, move nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Any node of the cluster, as HOST:PORT
    #[arg(value_name = "HOST:PORT")]
    pub entry: String,

    /// Directory for the backup (created if missing; one that already holds a backup is
    /// refused unless --overwrite)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Masters saved at the same time
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = parallelism, allow_negative_numbers = true)]
    pub parallel: usize,

    /// Replace the backup already in DIR (its RDB files that the new backup does not write
    /// are removed)
    #[arg(long)]
    pub overwrite: bool,
}

/// How keys move: shared by every command that moves keys (reshard, rebalance, fix).
#[derive(Debug, Args, Clone)]
pub struct KeyMoveOpts {
    /// MIGRATE timeout in milliseconds (redis-cli's --cluster-timeout). Batches of keys get a
    /// tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried
    /// alone with this full timeout. With the atomic engine: how long a slot migration job may
    /// make no progress before it is cancelled
    #[arg(
        long = "timeout",
        alias = "cluster-timeout",
        value_name = "MS",
        default_value_t = 60_000,
        value_parser = at_least_one::<u64>,
        allow_negative_numbers = true
    )]
    pub migrate_timeout_ms: u64,

    /// Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about
    /// 8 MB per batch]
    #[arg(long, alias = "cluster-pipeline", value_name = "N", value_parser = at_least_one::<usize>, allow_negative_numbers = true)]
    pub pipeline: Option<usize>,

    /// Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on
    /// both sides is dropped from the source only when both values are equal
    #[arg(long, alias = "cluster-replace")]
    pub replace: bool,

    /// How fast keys may move.
    #[command(flatten)]
    pub throttle: ThrottleOpts,
}

/// The throttle of the MIGRATE engine: shared by every command that moves keys with MIGRATE.
#[derive(Debug, Args, Clone)]
pub struct ThrottleOpts {
    /// Move at most N keys per second, over all parallel batches together (e.g. 5000 or 20k;
    /// 0: no limit). MIGRATE only: with it, --engine auto moves every pair with MIGRATE, and
    /// --engine atomic is refused
    #[arg(long, value_name = "N", value_parser = crate::rate::keys_per_sec, allow_negative_numbers = true)]
    pub max_keys_per_sec: Option<u64>,

    /// Move at most this many bytes per second (as the source's MEMORY USAGE counts keys,
    /// sampled), over all parallel batches together: 50MB, 64KiB, 1.5GB (KB/MB/GB are powers
    /// of 1000, KiB/MiB/GiB of 1024; 0: no limit). MIGRATE only, as --max-keys-per-sec
    #[arg(long, value_name = "BYTES", value_parser = crate::rate::bytes_per_sec, allow_negative_numbers = true)]
    pub max_bytes_per_sec: Option<u64>,
}

/// `--engine`: which engine moves slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// Atomic for each source/target pair whose two nodes have it, MIGRATE for the others
    Auto,
    /// The servers move the slots (Valkey >= 9.0 CLUSTER MIGRATESLOTS); refused if a node lacks it
    Atomic,
    /// rcluster moves the keys with MIGRATE (every server)
    Legacy,
}

/// Which engine moves slots: shared by reshard, rebalance and del-node --drain.
#[derive(Debug, Args, Clone)]
pub struct EngineOpts {
    /// How slots move. atomic: the servers move them by themselves (Valkey >= 9.0 CLUSTER
    /// MIGRATESLOTS: no ASK redirections, every database moves with its slot, a failure rolls
    /// back); legacy: rcluster moves the keys with MIGRATE; auto: atomic for every
    /// source/target pair whose two nodes have it. Redis always uses MIGRATE
    #[arg(long, value_enum, value_name = "ENGINE", default_value_t = EngineArg::Auto)]
    pub engine: EngineArg,

    /// Same as --engine atomic (valkey-cli's --cluster-use-atomic-slot-migration)
    #[arg(
        long,
        alias = "cluster-use-atomic-slot-migration",
        conflicts_with = "engine"
    )]
    pub use_atomic_slot_migration: bool,
}

/// How slots and keys are moved by reshard and rebalance.
#[derive(Debug, Args, Clone)]
pub struct MigrateOpts {
    /// How keys move.
    #[command(flatten)]
    pub keys: KeyMoveOpts,

    /// Which engine moves slots.
    #[command(flatten)]
    pub engine: EngineOpts,

    /// Batches of slots moved at the same time, over all source/target pairs (a batch is up
    /// to 256 slots of one pair; a source serves at most 2 at once)
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = parallelism, allow_negative_numbers = true)]
    pub parallel: usize,

    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `failover`.
#[derive(Debug, Args)]
pub struct FailoverArgs {
    /// The replica to promote.
    #[command(flatten)]
    pub target: NodeArg,

    /// Promote without the master's agreement (the master is down)
    #[arg(long)]
    pub force: bool,

    /// Promote without any agreement (most masters are down)
    #[arg(long)]
    pub takeover: bool,

    /// Seconds to wait until every reachable node sees the new master
    #[arg(
        value_parser = positive_secs,
        long,
        value_name = "SECS",
        default_value_t = 30.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,

    /// Say what would be done, change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Any node of the cluster.
    #[command(flatten)]
    pub target: NodeArg,

    /// Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]
    #[arg(short, long, alias = "cluster-yes")]
    pub yes: bool,

    /// Print the diagnosis and the plan, change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Also count the keys of every slot on every master, to find and fix slots whose keys
    /// sit on several masters
    #[arg(long, alias = "cluster-search-multiple-owners")]
    pub search_multiple_owners: bool,

    /// Treat the slots of unreachable masters as uncovered and give them to reachable ones
    /// (the keys on the unreachable masters are lost)
    #[arg(
        long,
        alias = "cluster-fix-with-unreachable-masters",
        alias = "cluster-fix-with-unreachable-primaries",
        alias = "fix-with-unreachable-primaries"
    )]
    pub fix_with_unreachable_masters: bool,

    /// The current addresses (HOST:PORT, host names too) of the other nodes, when every node
    /// came back with a new address (containers recreated, a reboot) and none reaches the
    /// others: each node meets the others where they are now, then fix goes on as usual.
    /// Refused, changing nothing, when an address answers with a node id the entry node does
    /// not know
    #[arg(long, value_name = "HOST:PORT", num_args = 1.., value_delimiter = ',')]
    pub rejoin: Vec<String>,

    /// Before acting, seconds to wait for masters that report cluster_state:fail while every
    /// slot is covered (a master just back from a stop) to report ok; 0 does not wait
    #[arg(
        value_parser = secs,
        long,
        value_name = "SECS",
        default_value_t = 15.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,

    /// Where to save the copies of keys found on a master besides the slot's owner with
    /// another value (the owner's copy is kept, the other saved here and dropped): one JSON
    /// line per key with its TTL and DUMP payload. Created only when such a key is found
    /// [default: rcluster-fix-conflicts-<unix time>.jsonl in the current directory]
    #[arg(long, value_name = "FILE")]
    pub conflicts_file: Option<std::path::PathBuf>,

    /// How keys move.
    #[command(flatten)]
    pub keys: KeyMoveOpts,
}

/// Arguments of `reshard`.
#[derive(Debug, Args)]
pub struct ReshardArgs {
    /// Any node of the cluster.
    #[command(flatten)]
    pub target: NodeArg,

    /// Source masters: comma-separated node ids (or unique prefixes), or `all` (every master
    /// except the target)
    #[arg(long, alias = "cluster-from", value_name = "IDS|all")]
    pub from: Option<String>,

    /// The master that receives the slots: node id or unique prefix
    #[arg(long, alias = "cluster-to", value_name = "ID")]
    pub to: Option<String>,

    /// How many slots to move, taken from the sources in proportion to their slot counts
    #[arg(
        long,
        alias = "cluster-slots",
        value_name = "N",
        conflicts_with = "slot_range",
        value_parser = slot_count,
        allow_negative_numbers = true
    )]
    pub slots: Option<usize>,

    /// Move exactly these slots instead of a count, e.g. 0-99,500
    #[arg(long, value_name = "A-B[,C-D]")]
    pub slot_range: Option<String>,

    /// Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]
    #[arg(short, long, alias = "cluster-yes")]
    pub yes: bool,

    /// How keys move.
    #[command(flatten)]
    pub migrate: MigrateOpts,
}

/// Arguments of `rebalance`.
#[derive(Debug, Args)]
pub struct RebalanceArgs {
    /// Any node of the cluster.
    #[command(flatten)]
    pub target: NodeArg,

    /// Weight of a master, as ID=W (ID may be a unique prefix); default 1, 0 empties it
    #[arg(
        long,
        alias = "cluster-weight",
        value_name = "ID=W",
        num_args = 1..,
        action = clap::ArgAction::Append
    )]
    pub weight: Vec<String>,

    /// Also give slots to masters that have none
    #[arg(
        long,
        alias = "cluster-use-empty-masters",
        alias = "cluster-use-empty-primaries",
        alias = "use-empty-primaries"
    )]
    pub use_empty_masters: bool,

    /// Rebalance only if some master is more than PCT percent away from its share; 0 balances
    /// exactly
    #[arg(
        long,
        alias = "cluster-threshold",
        value_name = "PCT",
        default_value_t = 2.0,
        allow_negative_numbers = true
    )]
    pub threshold: f64,

    /// What to even out: slot counts (the default, as redis-cli), or a load measured per slot
    #[arg(long, value_enum, value_name = "WHAT", default_value_t = BalanceBy::Slots)]
    pub by: BalanceBy,

    /// The window and the slot-stats switch, for --by cpu and net.
    #[command(flatten)]
    pub reading: LoadReadingOpts,

    /// Print the plan and move nothing (same as --dry-run)
    #[arg(long, alias = "cluster-simulate")]
    pub simulate: bool,

    /// Accepted for symmetry; rebalance does not ask (as redis-cli)
    #[arg(short, long, alias = "cluster-yes", hide = true)]
    pub yes: bool,

    /// How keys move.
    #[command(flatten)]
    pub migrate: MigrateOpts,
}

/// Arguments of `create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The empty nodes, as HOST:PORT (or HOST PORT pairs)
    #[arg(value_name = "HOST:PORT", num_args = 1.., required = true)]
    pub nodes: Vec<String>,

    /// Replicas per master; needs at least 3*(N+1) nodes
    #[arg(
        long,
        alias = "cluster-replicas",
        value_name = "N",
        default_value_t = 0,
        value_parser = whole::<usize>,
        allow_negative_numbers = true
    )]
    pub replicas: usize,

    /// Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]
    #[arg(short, long, alias = "cluster-yes")]
    pub yes: bool,

    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Give up waiting for the nodes to agree after this many seconds
    #[arg(
        value_parser = positive_secs,
        long,
        value_name = "SECS",
        default_value_t = 60.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,
}

/// The `local` subcommands.
#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Start redis-server (or valkey-server) processes and create a cluster of them
    #[command(after_help = "Examples:\n  rcluster local up\n  \
        rcluster local up --masters 3 --replicas 0 --port 30001\n  \
        rcluster local up --server /opt/valkey/bin/valkey-server\n\n\
        Runs redis-server from PATH, or valkey-server when there is no redis-server (the \
        output names the server and its version). Connect with `redis-cli -c -p 7000` (or \
        valkey-cli); stop with `rcluster local down`.\n\n\
        Exit codes: 0 up and healthy, 1 could not start or form the cluster (everything \
        started is stopped again), 2 usage error.")]
    Up(LocalUpArgs),

    /// Show the local cluster started by `local up`
    #[command(after_help = "Example:\n  rcluster local status\n\n\
        Exit codes: 0 every node runs, 1 no local cluster there or some node is down, \
        2 usage error.")]
    Status(LocalDirArgs),

    /// Stop every node `local up` started and remove its directory
    #[command(after_help = "Example:\n  rcluster local down\n\n\
        Exit codes: 0 stopped (or nothing was running; nodes that ignore SHUTDOWN are killed), \
        1 the directory cannot be removed, 2 usage error.")]
    Down(LocalDirArgs),
}

/// Arguments of `local up`.
#[derive(Debug, Args)]
pub struct LocalUpArgs {
    /// Number of masters (at least 3)
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = whole::<usize>, allow_negative_numbers = true)]
    pub masters: usize,

    /// Replicas per master
    #[arg(
        long,
        alias = "cluster-replicas",
        value_name = "N",
        default_value_t = 1,
        value_parser = whole::<usize>,
        allow_negative_numbers = true
    )]
    pub replicas: usize,

    /// Accepted for symmetry with create; local up never asks
    #[arg(short, long, alias = "cluster-yes", hide = true)]
    pub yes: bool,

    /// Server binary to run (redis-server or valkey-server) [default: redis-server on PATH,
    /// else valkey-server]
    #[arg(long, alias = "redis-server", value_name = "PATH")]
    pub server: Option<PathBuf>,

    /// Where the nodes keep their files and pid files
    #[command(flatten)]
    pub place: LocalDirArgs,

    /// Give up waiting for the nodes to agree after this many seconds
    #[arg(
        value_parser = positive_secs,
        long,
        value_name = "SECS",
        default_value_t = 60.0,
        allow_negative_numbers = true
    )]
    pub wait_timeout: f64,
}

/// Which local cluster: its first port and its directory.
#[derive(Debug, Args)]
pub struct LocalDirArgs {
    /// Port of the first node; the others follow it (bus ports are port+10000)
    #[arg(long, value_name = "PORT", default_value_t = 7000)]
    pub port: u16,

    /// Directory of the cluster's files [default: <temp dir>/rcluster-local-<port>]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The address of any node of the cluster.
#[derive(Debug, Args)]
pub struct NodeArg {
    /// Any node of the cluster, as HOST:PORT or as two words HOST PORT
    #[arg(value_name = "HOST:PORT", num_args = 1..=2, required = true)]
    pub node: Vec<String>,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The entry node.
    #[command(flatten)]
    pub target: NodeArg,

    /// Also count keys in every slot of every master to find slots with several owners
    #[arg(long, alias = "cluster-search-multiple-owners")]
    pub search_multiple_owners: bool,
}

/// clap's parser of counts, sizes and milliseconds: a whole number of 0 or more, said plainly
/// otherwise (`-5` included, instead of clap's tip about `--`).
fn whole<T: std::str::FromStr>(text: &str) -> Result<T, String> {
    text.trim()
        .parse()
        .map_err(|_| "give a whole number of 0 or more".to_string())
}

/// clap's parser of counts that must be at least 1 (`--top`, `--pipeline`, `--timeout MS`).
fn at_least_one<T: std::str::FromStr + PartialOrd + From<u8>>(text: &str) -> Result<T, String> {
    match text.trim().parse::<T>() {
        Ok(n) if n >= T::from(1) => Ok(n),
        _ => Err("give a whole number of 1 or more".to_string()),
    }
}

/// clap's parser of `--parallel`: from 1 to 256 at once.
fn parallelism(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i64>() {
        Ok(n @ 1..=256) => Ok(n as usize),
        _ => Err("give a number from 1 to 256 (how many at the same time)".to_string()),
    }
}

/// Longest duration a seconds option takes (a year): beyond it a duration is not one.
const MAX_SECS: f64 = 365.0 * 86_400.0;

/// clap's parser of a timeout in seconds that must be positive (`--wait-timeout`).
fn positive_secs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= MAX_SECS => Ok(secs),
        _ => Err(format!(
            "give a positive number of seconds up to {MAX_SECS}, e.g. 30 or 0.5"
        )),
    }
}

/// clap's parser of a duration in seconds of 0 or more (`fix --wait-timeout`, `-i`).
fn secs(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if (0.0..=MAX_SECS).contains(&secs) => Ok(secs),
        _ => Err(format!(
            "give a number of seconds from 0 to {MAX_SECS}, e.g. 0.1"
        )),
    }
}

/// clap's parser of `--slots`: a number of slots from 1 to 16384.
fn slot_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<i64>() {
        Ok(n @ 1..=16384) => Ok(n as usize),
        _ => Err("give a number of slots from 1 to 16384".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_parsers_refuse_out_of_range_values() {
        assert_eq!(parallelism("256"), Ok(256));
        assert!(parallelism("0").is_err() && parallelism("257").is_err());
        assert_eq!(at_least_one::<u64>(" 5 "), Ok(5));
        assert!(at_least_one::<usize>("0").is_err() && at_least_one::<usize>("-1").is_err());
        assert_eq!(positive_secs("0.5"), Ok(0.5));
        for bad in ["0", "-1", "NaN", "inf", "soon", "1e300"] {
            assert!(positive_secs(bad).is_err(), "{bad}");
        }
        assert_eq!(secs("0"), Ok(0.0));
        assert!(secs("-0.1").is_err() && secs("inf").is_err() && secs("1e300").is_err());
        let refused = Cli::try_parse_from(["rcluster", "fix", "h:1", "--wait-timeout", "-1"]);
        assert!(refused.is_err());
        let refused = Cli::try_parse_from(["rcluster", "reshard", "h:1", "--parallel", "0"]);
        assert!(refused.unwrap_err().to_string().contains("from 1 to 256"));
    }

    /// The parsed command of an argv (after `rcluster`), for comparing two spellings.
    fn parsed(args: &[&str]) -> String {
        let argv = std::iter::once("rcluster").chain(args.iter().copied());
        match Cli::try_parse_from(argv) {
            Ok(cli) => format!("{:?}", cli.command),
            Err(err) => panic!("{args:?} does not parse: {err}"),
        }
    }

    /// Every spelling in `spellings` parses exactly as `canonical` does, in the same argv.
    fn same_as(before: &[&str], canonical: &[&str], spellings: &[&[&str]]) {
        let want = parsed(&[before, canonical].concat());
        for flags in spellings {
            let got = parsed(&[before, flags].concat());
            assert_eq!(got, want, "{flags:?} vs {canonical:?}");
        }
    }

    #[test]
    fn valkey_cli_spellings_are_aliases() {
        let add = ["add-node", "127.0.0.1:7006", "127.0.0.1:7000"];
        same_as(
            &add,
            &["--replica", "--master-id", "3f1a"],
            &[
                &["--cluster-slave", "--cluster-master-id", "3f1a"],
                &["--cluster-replica", "--cluster-primary-id", "3f1a"],
                &["--cluster-replica", "--cluster-primaries-id", "3f1a"],
                &["--replica", "--primary-id", "3f1a"],
            ],
        );
        same_as(
            &["call", "127.0.0.1:7000", "DBSIZE"],
            &["--only-masters"],
            &[
                &["--cluster-only-masters"],
                &["--cluster-only-primaries"],
                &["--only-primaries"],
            ],
        );
        same_as(
            &["rebalance", "127.0.0.1:7000"],
            &["--use-empty-masters"],
            &[
                &["--cluster-use-empty-masters"],
                &["--cluster-use-empty-primaries"],
                &["--use-empty-primaries"],
            ],
        );
        same_as(
            &["fix", "127.0.0.1:7000"],
            &["--fix-with-unreachable-masters"],
            &[
                &["--cluster-fix-with-unreachable-masters"],
                &["--cluster-fix-with-unreachable-primaries"],
                &["--fix-with-unreachable-primaries"],
            ],
        );
    }

    #[test]
    fn server_binary_options_keep_their_old_spelling() {
        same_as(
            &["restore", "127.0.0.1:7000", "/b"],
            &["--server", "/x/valkey-server"],
            &[&["--redis-server", "/x/valkey-server"]],
        );
        same_as(
            &["local", "up"],
            &["--server", "/x/valkey-server"],
            &[&["--redis-server", "/x/valkey-server"]],
        );
    }
}
