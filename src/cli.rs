//! The command-line definition, and nothing else: clap types only, no logic.
//!
//! Every option redis-cli's cluster manager has is accepted under its `--cluster-*` spelling
//! as an alias of a shorter modern name, so a script can swap `redis-cli --cluster` for
//! `rcluster` and keep its flags. This definition is the single source for `--help`, the shell
//! completions and the man page.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Redis Cluster administration: check, inspect and repair clusters, faster and scriptable.
#[derive(Debug, Parser)]
#[command(
    name = "rcluster",
    version,
    about,
    long_about = "Redis Cluster administration, with the words of `redis-cli --cluster` and \
                  `--cluster-*` options accepted as they are. Every command takes the address of \
                  any one node of the cluster.",
    after_help = "Exit codes: 0 success / healthy, 1 problems found or operation failed, \
                  2 usage error, 130 interrupted.",
    propagate_version = true
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

    /// Print only warnings, errors and results
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
    #[command(after_help = "Example:\n  rcluster info 127.0.0.1:7000")]
    Info(NodeArg),

    /// Table of every node, grouped by shard: role, address, slots, keys, link, flags
    #[command(after_help = "Example:\n  rcluster nodes 127.0.0.1:7000")]
    Nodes(NodeArg),

    /// Table of slot ranges and the master and replicas serving each
    #[command(after_help = "Example:\n  rcluster slots 127.0.0.1:7000")]
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

    /// Even out the slots across masters, by weight; print the plan, then move
    #[command(after_help = "Examples:\n  \
        rcluster rebalance 127.0.0.1:7000 --use-empty-masters\n  \
        rcluster rebalance 127.0.0.1:7000 --weight 3f1a=0 --simulate\n  \
        rcluster rebalance 127.0.0.1:7000 --cluster-weight 3f1a=2 9bc0=1 --cluster-threshold 5\n\n\
        Exit codes: 0 balanced (or nothing to do), 1 refused or failed, 2 usage error, \
        130 interrupted.")]
    Rebalance(RebalanceArgs),

    /// Repair open slots, uncovered slots and multiple owners: diagnose, plan, confirm, act
    #[command(after_help = "Examples:\n  \
        rcluster fix 127.0.0.1:7000 --dry-run\n  \
        rcluster fix 127.0.0.1:7000 --yes\n  \
        rcluster fix 127.0.0.1:7000 --cluster-search-multiple-owners --cluster-yes\n\n\
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

    /// A throwaway cluster of local redis-server processes: up, status, down
    #[command(subcommand)]
    Local(LocalCommand),
}

/// How keys move: shared by every command that moves keys (reshard, rebalance, fix).
#[derive(Debug, Args, Clone)]
pub struct KeyMoveOpts {
    /// MIGRATE timeout in milliseconds (redis-cli's --cluster-timeout). Batches of keys get a
    /// tenth of it (1 to 10 s); a key whose batch times out or fails with IOERR is retried
    /// alone with this full timeout
    #[arg(
        long = "timeout",
        alias = "cluster-timeout",
        value_name = "MS",
        default_value_t = 60_000
    )]
    pub migrate_timeout_ms: u64,

    /// Keys per GETKEYSINSLOT and MIGRATE batch [default: adaptive, up to 1000 keys and about
    /// 8 MB per batch]
    #[arg(long, alias = "cluster-pipeline", value_name = "N")]
    pub pipeline: Option<usize>,

    /// Overwrite keys that already exist on the target (MIGRATE REPLACE); without it, a key on
    /// both sides is dropped from the source only when both values are equal
    #[arg(long, alias = "cluster-replace")]
    pub replace: bool,
}

/// How slots and keys are moved by reshard and rebalance.
#[derive(Debug, Args, Clone)]
pub struct MigrateOpts {
    /// How keys move.
    #[command(flatten)]
    pub keys: KeyMoveOpts,

    /// Slots moved at the same time, over all source/target pairs
    #[arg(long, value_name = "N", default_value_t = 16)]
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
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
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
    #[arg(long, alias = "cluster-fix-with-unreachable-masters")]
    pub fix_with_unreachable_masters: bool,

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
        conflicts_with = "slot_range"
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
    #[arg(long, alias = "cluster-use-empty-masters")]
    pub use_empty_masters: bool,

    /// Rebalance only if some master is more than PCT percent away from its share; 0 balances
    /// exactly
    #[arg(
        long,
        alias = "cluster-threshold",
        value_name = "PCT",
        default_value_t = 2.0
    )]
    pub threshold: f64,

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
        default_value_t = 0
    )]
    pub replicas: usize,

    /// Do not ask for confirmation [env: REDISCLI_CLUSTER_YES=1]
    #[arg(short, long, alias = "cluster-yes")]
    pub yes: bool,

    /// Print the plan and change nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Give up waiting for the nodes to agree after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub wait_timeout: f64,
}

/// The `local` subcommands.
#[derive(Debug, Subcommand)]
pub enum LocalCommand {
    /// Start redis-server processes and create a cluster of them
    #[command(after_help = "Examples:\n  rcluster local up\n  \
        rcluster local up --masters 3 --replicas 0 --port 30001\n\n\
        Connect with `redis-cli -c -p 7000`; stop with `rcluster local down`.")]
    Up(LocalUpArgs),

    /// Show the local cluster started by `local up`
    #[command(after_help = "Example:\n  rcluster local status")]
    Status(LocalDirArgs),

    /// Stop every node `local up` started and remove its directory
    #[command(after_help = "Example:\n  rcluster local down")]
    Down(LocalDirArgs),
}

/// Arguments of `local up`.
#[derive(Debug, Args)]
pub struct LocalUpArgs {
    /// Number of masters (at least 3)
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub masters: usize,

    /// Replicas per master
    #[arg(
        long,
        alias = "cluster-replicas",
        value_name = "N",
        default_value_t = 1
    )]
    pub replicas: usize,

    /// Accepted for symmetry with create; local up never asks
    #[arg(short, long, alias = "cluster-yes", hide = true)]
    pub yes: bool,

    /// redis-server binary to run (default: found on PATH)
    #[arg(long, value_name = "PATH")]
    pub redis_server: Option<PathBuf>,

    /// Where the nodes keep their files and pid files
    #[command(flatten)]
    pub place: LocalDirArgs,

    /// Give up waiting for the nodes to agree after this many seconds
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
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
