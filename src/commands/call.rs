//! `rcluster call`: one command on every node (or only masters / replicas) at once, each
//! reply printed in address order as redis-cli prints it, exit 1 when any node failed.

use anyhow::bail;
use redis::Value;
use serde::Serialize;

use crate::cli::CallArgs;
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::error::{Outcome, UsageError};
use crate::net::conn::{ConnectOptions, ErrorKind, server_error_text};
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::output::{Doc, Output, Style};
use crate::report::reply::{raw_lines, to_json};
use crate::settings;

/// One node's answer, for JSON.
#[derive(Serialize)]
struct NodeReplyJson {
    addr: String,
    id: String,
    role: &'static str,
    /// True when the node replied without an error.
    ok: bool,
    /// The reply (absent when the node could not be reached).
    reply: Option<serde_json::Value>,
    /// The error reply or why the node could not be reached.
    error: Option<String>,
}

/// The JSON document of `call`.
#[derive(Serialize)]
struct CallJson {
    command: Vec<String>,
    ok: usize,
    failed: usize,
    nodes: Vec<NodeReplyJson>,
}

/// The entry node and the command: `HOST:PORT COMMAND...`, or `HOST PORT COMMAND...` as the
/// other subcommands take it (a command is never a port number).
fn entry_and_command<'a>(
    entry: &str,
    command: &'a [String],
) -> anyhow::Result<(crate::address::NodeAddr, &'a [String])> {
    let as_one = settings::node_addr(&[entry.to_string()]);
    if as_one.is_err()
        && command.len() >= 2
        && command[0].parse::<u16>().is_ok()
        && let Ok(addr) = settings::node_addr(&[entry.to_string(), command[0].clone()])
    {
        return Ok((addr, &command[1..]));
    }
    Ok((as_one?, command))
}

/// Runs `rcluster call`.
pub fn run(opts: &ConnectOptions, out: Output, args: &CallArgs) -> anyhow::Result<Outcome> {
    let (entry, command) = entry_and_command(&args.entry, &args.command)?;
    if command.iter().all(|a| a.trim().is_empty()) {
        bail!(UsageError::new(
            "give a command to run, e.g. `rcluster call HOST:PORT DBSIZE`"
        ));
    }
    let snapshot = Snapshot::load(opts, &entry)?;
    let mut selected: Vec<&NodeState> = snapshot
        .nodes
        .iter()
        .filter(|n| {
            if args.only_masters {
                n.is_master()
            } else if args.only_replicas {
                !n.is_master()
            } else {
                true
            }
        })
        .collect();
    selected.sort_by(|a, b| a.addr().cmp(&b.addr()).then(a.id().cmp(b.id())));
    out.line(Style::Info, format!(">>> Calling {}", command.join(" ")));
    if selected.is_empty() {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] No {} in this cluster: the command was sent nowhere.",
                if args.only_replicas {
                    "replica"
                } else {
                    "master"
                }
            ),
        );
    }
    let mut cmd = redis::cmd(&command[0]);
    for arg in &command[1..] {
        cmd.arg(arg);
    }
    let replies = fan_out(&selected, DEFAULT_PARALLELISM, |node| {
        // A node that could not be reached or did not answer within -t while the cluster was
        // loaded is not waited for a second time.
        if let Err(err) = &node.probe
            && matches!(err.kind, ErrorKind::Connect | ErrorKind::Io)
        {
            return Err(err.message.clone());
        }
        let addr = node
            .addr()
            .ok_or_else(|| "no address known for this node".to_string())?;
        let mut conn = opts.connect(addr).map_err(|e| e.message)?;
        conn.raw(&cmd).map_err(|e| e.message)
    });
    let mut doc = Doc::new();
    let mut json = CallJson {
        command: command.to_vec(),
        ok: 0,
        failed: 0,
        nodes: Vec::new(),
    };
    for (node, reply) in selected.iter().zip(&replies) {
        let addr = node.addr_text();
        let (ok, reply_json, error) = match reply {
            Ok(Value::ServerError(err)) => {
                let text = server_error_text(err);
                doc.plain(format!("{addr}: {text}"));
                doc.plain("");
                (
                    false,
                    Some(to_json(&Value::ServerError(err.clone()))),
                    Some(text),
                )
            }
            Ok(value) => {
                let lines = raw_lines(value);
                doc.plain(format!("{addr}: {}", lines.join("\n")));
                (true, Some(to_json(value)), None)
            }
            Err(why) => {
                doc.plain(format!("{addr}: Failed! {why}"));
                (false, None, Some(why.clone()))
            }
        };
        if ok {
            json.ok += 1;
        } else {
            json.failed += 1;
        }
        json.nodes.push(NodeReplyJson {
            addr,
            id: node.id().to_string(),
            role: if node.is_master() {
                "master"
            } else {
                "replica"
            },
            ok,
            reply: reply_json,
            error,
        });
    }
    // The replies are the result: they are printed even with --quiet.
    if !out.json {
        let text = doc.to_text();
        print!("{text}");
    }
    if json.failed > 0 {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] {} of {} node(s) replied with an error or could not be reached.",
                json.failed,
                selected.len()
            ),
        );
    }
    out.json(&json);
    Ok(if json.failed > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}
