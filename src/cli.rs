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

    /// Connect and reply timeout for every node, in seconds (decimals allowed)
    #[arg(
        short = 't',
        long = "timeout",
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

    /// A throwaway cluster of local redis-server processes: up, status, down
    #[command(subcommand)]
    Local(LocalCommand),
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
