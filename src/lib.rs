//! rcluster: Redis Cluster administration.
//!
//! Layers, top to bottom: [`cli`] (clap definition only) → [`settings`] (validated options)
//! → [`commands`] (one module per subcommand) → [`cluster`] (pure model, plans and checks) and
//! [`net`] (the only network I/O) → [`report`] / [`output`] (presentation).

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
pub mod settings;

use std::ffi::OsString;

use clap::Parser;

use crate::error::exit_code;

/// Runs rcluster with the given argv and returns the process exit code.
///
/// A leading `--cluster` (as in `redis-cli --cluster check ...`) is accepted and dropped.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_some_and(|a| a == "--cluster") {
        args.remove(1);
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
                println!("{doc}");
            }
            code
        }
    }
}
