//! rcluster: Redis Cluster administration.
//!
//! Layers, top to bottom: [`cli`] (the clap definition and its value parsers) → `settings`
//! (validated options) → `commands` (one module per subcommand) → `probe` (reading a
//! cluster), [`exec`] (applying plans) and `report` / `output` (presentation) → `cluster`
//! (the pure model, planners and verdicts) → `net` (connections and fan-out). See
//! docs/architecture.md.
//!
//! The library is the binary's: only [`run`], the clap definition ([`cli`], [`generate`],
//! for the generated docs' tests) and [`exec::interrupt::route_ctrl_c_to_one_thread`] (for
//! `main`) are public; everything else is `pub(crate)`, so the compiler reports dead code.

#![warn(missing_docs)]

mod address;
mod argv;
pub mod cli;
mod cluster;
mod commands;
mod error;
pub mod exec;
pub mod generate;
mod hex;
mod local;
mod net;
mod output;
mod probe;
mod progress;
mod prompt;
mod rate;
mod report;
mod server_binary;
mod settings;

use std::ffi::OsString;
use std::io::IsTerminal;

use clap::Parser;

use crate::error::exit_code;

/// Runs rcluster with the given argv and returns the process exit code.
///
/// The argv may be written as for `redis-cli --cluster` (or `valkey-cli --cluster`): it is
/// rewritten into rcluster's own grammar first ([`argv`]), notes about options accepted and
/// ignored go to stderr when it is a terminal (not with `-q`).
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    let json = wants(&args, &["--json"]);
    let rewritten = match argv::rewrite(args, read_all_stdin) {
        Ok(rewritten) => rewritten,
        Err(err) => {
            eprintln!("error: {err}");
            if json {
                print_json_error(&err.to_string(), exit_code::USAGE);
            }
            return exit_code::USAGE;
        }
    };
    // Only for a person at a terminal: scripts (Tcl's exec among them) take any stderr
    // output of a successful run as a failure, and redis-cli says nothing there.
    if std::io::stderr().is_terminal() && !wants(&rewritten.args, &["-q", "--quiet"]) {
        for note in &rewritten.notes {
            eprintln!("{note}");
        }
    }
    let cli = match cli::Cli::try_parse_from(rewritten.args) {
        Ok(cli) => cli,
        Err(err) => {
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    let _ = err.print();
                    exit_code::SUCCESS
                }
                _ => {
                    let _ = err.print();
                    if json {
                        let text = err.render().to_string();
                        let first = text.lines().next().unwrap_or_default();
                        print_json_error(first.trim_start_matches("error: "), exit_code::USAGE);
                    }
                    exit_code::USAGE
                }
            };
        }
    };
    let json = cli.global.json;
    prompt::set_json_output(json);
    match commands::dispatch(cli) {
        Ok(outcome) => outcome.code(),
        Err(err) => {
            let code = error::code_for(&err);
            eprintln!("error: {err:#}");
            if json {
                print_json_error(&format!("{err:#}"), code);
            }
            code
        }
    }
}

/// The one JSON document scripts reading stdout get when a command fails.
fn print_json_error(message: &str, code: i32) {
    let doc = serde_json::json!({ "error": message, "exit_code": code });
    println!("{doc:#}");
}

/// True when one of `flags` stands in `args` before a `--`.
fn wants(args: &[OsString], flags: &[&str]) -> bool {
    args.iter()
        .take_while(|a| *a != "--")
        .any(|a| flags.iter().any(|f| a == f))
}

/// The whole of stdin, for redis-cli's `-x`/`-X`.
fn read_all_stdin() -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}
