//! `rcluster call`: one command on every node (or only masters / replicas) at once, each
//! reply printed in address order as redis-cli prints it, exit 1 when any node failed.

use std::fmt;

use anyhow::bail;
use redis::Value;
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::CallArgs;
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::error::{Outcome, UsageError};
use crate::net::conn::{ConnectOptions, ErrorKind, NodeError, server_error_text};
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

/// What `call` was asked to do, once the options are checked.
struct CallSettings<'a> {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// The command and its arguments.
    command: &'a [String],
    /// `--only-masters`.
    only_masters: bool,
    /// `--only-replicas`.
    only_replicas: bool,
}

impl<'a> CallSettings<'a> {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(args: &'a CallArgs) -> anyhow::Result<Self> {
        let (entry, command) = entry_and_command(&args.entry, &args.command)?;
        if command.iter().all(|a| a.trim().is_empty()) {
            bail!(UsageError::new(
                "give a command to run, e.g. `rcluster call HOST:PORT DBSIZE`"
            ));
        }
        Ok(CallSettings {
            entry,
            command,
            only_masters: args.only_masters,
            only_replicas: args.only_replicas,
        })
    }
}

/// Why a node gave no reply.
#[derive(Debug)]
enum NoReply {
    /// It could not be reached, or did not answer within -t, while the cluster was loaded:
    /// it is not waited for a second time.
    AtLoad(NodeError),
    /// The cluster knows no address for it.
    NoAddress,
    /// Connecting to it or sending the command failed.
    Now(NodeError),
}

impl fmt::Display for NoReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoReply::AtLoad(err) | NoReply::Now(err) => f.write_str(&err.message),
            NoReply::NoAddress => f.write_str("no address known for this node"),
        }
    }
}

/// The entry node and the command: `HOST:PORT COMMAND...`, or `HOST PORT COMMAND...` as the
/// other subcommands take it (a command is never a port number).
fn entry_and_command<'a>(
    entry: &str,
    command: &'a [String],
) -> anyhow::Result<(NodeAddr, &'a [String])> {
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
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &CallArgs) -> anyhow::Result<Outcome> {
    let settings = CallSettings::from_args(args)?;
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let selected = select(&snapshot, &settings);
    out.line(
        Style::Info,
        format!(">>> Calling {}", settings.command.join(" ")),
    );
    if selected.is_empty() {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] No {} in this cluster: the command was sent nowhere.",
                if settings.only_replicas {
                    "replica"
                } else {
                    "master"
                }
            ),
        );
    }
    let replies = call(opts, &selected, settings.command);
    let (doc, json) = render(settings.command, &selected, &replies);
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

/// The nodes to call (all, the masters or the replicas), by address.
fn select<'a>(snapshot: &'a Snapshot, settings: &CallSettings) -> Vec<&'a NodeState> {
    let mut selected: Vec<&NodeState> = snapshot
        .nodes
        .iter()
        .filter(|n| {
            if settings.only_masters {
                n.is_master()
            } else if settings.only_replicas {
                !n.is_master()
            } else {
                true
            }
        })
        .collect();
    selected.sort_by(|a, b| a.addr().cmp(&b.addr()).then(a.id().cmp(b.id())));
    selected
}

/// Sends the command to every node at once; each node's reply (an error reply included).
fn call(
    opts: &ConnectOptions,
    selected: &[&NodeState],
    command: &[String],
) -> Vec<Result<Value, NoReply>> {
    let mut cmd = redis::cmd(&command[0]);
    for arg in &command[1..] {
        cmd.arg(arg);
    }
    fan_out(selected, DEFAULT_PARALLELISM, |node| {
        if let Err(err) = &node.probe
            && matches!(err.kind, ErrorKind::Connect | ErrorKind::Io)
        {
            return Err(NoReply::AtLoad(err.clone()));
        }
        let addr = node.addr().ok_or(NoReply::NoAddress)?;
        let mut conn = opts.connect(addr).map_err(NoReply::Now)?;
        conn.raw(&cmd).map_err(NoReply::Now)
    })
}

/// Each reply as redis-cli prints it, and the JSON document.
fn render(
    command: &[String],
    selected: &[&NodeState],
    replies: &[Result<Value, NoReply>],
) -> (Doc, CallJson) {
    let mut doc = Doc::new();
    let mut json = CallJson {
        command: command.to_vec(),
        ok: 0,
        failed: 0,
        nodes: Vec::new(),
    };
    for (node, reply) in selected.iter().zip(replies) {
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
                (false, None, Some(why.to_string()))
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
    (doc, json)
}
