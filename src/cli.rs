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
