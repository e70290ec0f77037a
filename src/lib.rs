//! rcluster: Redis Cluster administration.
//!
//! Layers, top to bottom: [`cli`] (clap definition only) → [`settings`] (validated options)
//! → [`commands`] (one module per subcommand) → [`cluster`] (pure model, plans and checks) and
//! [`net`] (connections and fan-out) → [`report`] / [`output`] (presentation). The cluster
//! model loads itself through `net` ([`cluster::snapshot`]); plans are applied by [`exec`].

#![warn(missing_docs)]

pub mod address;
pub mod cli;
pub mod cluster;
mod commands;
pub mod error;
pub mod exec;
pub mod generate;
pub mod local;
pub mod net;
pub mod output;
pub mod progress;
pub mod prompt;
pub mod report;
pub mod server_binary;
pub mod settings;

use std::ffi::OsString;

use clap::Parser;

use crate::error::exit_code;

/// Runs rcluster with the given argv and returns the process exit code.
///
/// A `--cluster` word (as in `redis-cli -a PW --cluster check ...`) is accepted and dropped,
/// wherever it stands before a `--`.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let end = args.iter().position(|a| a == "--").unwrap_or(args.len());
    if let Some(i) = args[1.min(end)..end].iter().position(|a| a == "--cluster") {
        args.remove(i + 1);
    }
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit_code::SUCCESS
                }
                _ => exit_code::USAGE,
            };
        }
    };
    let json = cli.global.json;
    match commands::dispatch(cli) {
        Ok(outcome) => outcome.code(),
        Err(err) => {
            let code = error::code_for(&err);
            eprintln!("error: {err:#}");
            if json {
                // Scripts reading stdout always get one JSON document.
                let doc = serde_json::json!({ "error": format!("{err:#}"), "exit_code": code });
                println!("{doc:#}");
            }
            code
        }
    }
}
