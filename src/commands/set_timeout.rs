//! `rcluster set-timeout`: CONFIG SET cluster-node-timeout on every node at once, then CONFIG
//! REWRITE; per node which step failed. A node that took the value but has no config file to
//! save it in is a warning, not a failure.

use anyhow::bail;
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::SetTimeoutArgs;
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::error::{Outcome, UsageError};
use crate::net::conn::ConnectOptions;
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::output::{Output, Style};
use crate::settings;

/// Below this Redis nodes would flag each other failing on ordinary hiccups.
const MIN_TIMEOUT_MS: u64 = 100;

/// What happened on one node.
#[derive(Serialize)]
struct NodeResult {
    addr: String,
    id: String,
    /// True when CONFIG SET succeeded (the node uses the new timeout now).
    set: bool,
    /// True when CONFIG REWRITE saved it to the node's config file.
    saved: bool,
    /// Why a step failed.
    error: Option<String>,
}

/// The JSON document of `set-timeout`.
#[derive(Serialize)]
struct SetTimeoutJson {
    timeout_ms: u64,
    dry_run: bool,
    ok: usize,
    not_saved: usize,
    failed: usize,
    nodes: Vec<NodeResult>,
}

/// What `set-timeout` was asked to do, once the options are checked.
struct SetTimeoutSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// The new cluster-node-timeout.
    millis: u64,
    /// `--dry-run`.
    dry_run: bool,
}

impl SetTimeoutSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(args: &SetTimeoutArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
        if args.millis < MIN_TIMEOUT_MS {
            bail!(UsageError::new(format!(
                "a node timeout of {} ms is a bad idea: nodes would flag each other failing on \
                 any hiccup. Give at least {MIN_TIMEOUT_MS} (Redis's default is 15000)",
                args.millis
            )));
        }
        Ok(SetTimeoutSettings {
            entry,
            millis: args.millis,
            dry_run: args.dry_run,
        })
    }
}

/// Runs `rcluster set-timeout`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &SetTimeoutArgs,
) -> anyhow::Result<Outcome> {
    let settings = SetTimeoutSettings::from_args(args)?;
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let mut nodes: Vec<&NodeState> = snapshot.nodes.iter().collect();
    nodes.sort_by(|a, b| a.addr().cmp(&b.addr()));
    out.line(
        Style::Info,
        format!(
            ">>> Reconfiguring node timeout ({} ms) in every cluster node ({})...",
            settings.millis,
            nodes.len()
        ),
    );
    let results: Vec<NodeResult> = if settings.dry_run {
        nodes.iter().map(|n| would_set(n)).collect()
    } else {
        fan_out(&nodes, DEFAULT_PARALLELISM, |node| {
            apply(opts, node, settings.millis)
        })
    };
    let mut doc = SetTimeoutJson {
        timeout_ms: settings.millis,
        dry_run: settings.dry_run,
        ok: 0,
        not_saved: 0,
        failed: 0,
        nodes: Vec::new(),
    };
    for r in results {
        report_node(&out, settings.dry_run, &r, &mut doc);
        doc.nodes.push(r);
    }
    if settings.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was changed.");
    } else {
        out.line(
            if doc.failed > 0 {
                Style::Err
            } else {
                Style::Ok
            },
            format!(
                ">>> New node timeout set. {} OK, {} not saved, {} ERR.",
                doc.ok, doc.not_saved, doc.failed
            ),
        );
    }
    out.json(&doc);
    Ok(if doc.failed > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// A dry run's result for one node: nothing set, and why it could not be, when it cannot
/// be reached.
fn would_set(node: &NodeState) -> NodeResult {
    NodeResult {
        addr: node.addr_text(),
        id: node.id().to_string(),
        set: false,
        saved: false,
        error: node.probe.as_ref().err().map(|e| e.message.clone()),
    }
}

/// Says how one node went, and counts it in `doc`.
fn report_node(out: &Output, dry_run: bool, r: &NodeResult, doc: &mut SetTimeoutJson) {
    match (&r.error, dry_run, r.set, r.saved) {
        (None, true, ..) => out.line(Style::Plain, format!("would set {}", r.addr)),
        (Some(e), true, ..) => {
            doc.failed += 1;
            out.line(
                Style::Err,
                format!("[ERR] {} cannot be reached: {e}", r.addr),
            );
        }
        (_, false, true, true) => {
            doc.ok += 1;
            out.line(Style::Warn, format!("*** New timeout set for {}", r.addr));
        }
        (e, false, true, false) => {
            doc.not_saved += 1;
            out.line(
                Style::Warn,
                format!(
                    "[WARNING] New timeout set for {}, but not saved to its config file: {}",
                    r.addr,
                    e.as_deref().unwrap_or("CONFIG REWRITE failed")
                ),
            );
        }
        (e, false, false, _) => {
            doc.failed += 1;
            out.line(
                Style::Err,
                format!(
                    "[ERR] setting node-timeout for {}: {}",
                    r.addr,
                    e.as_deref().unwrap_or("failed")
                ),
            );
        }
    }
}

/// CONFIG SET, then CONFIG REWRITE, on one node.
fn apply(opts: &ConnectOptions, node: &NodeState, millis: u64) -> NodeResult {
    let mut result = NodeResult {
        addr: node.addr_text(),
        id: node.id().to_string(),
        set: false,
        saved: false,
        error: None,
    };
    let Some(addr) = node.addr() else {
        result.error = Some("no address known for this node".into());
        return result;
    };
    let mut conn = match opts.connect(addr) {
        Ok(conn) => conn,
        Err(e) => {
            result.error = Some(e.message);
            return result;
        }
    };
    let mut set = redis::cmd("CONFIG");
    set.arg("SET").arg("cluster-node-timeout").arg(millis);
    if let Err(e) = conn.query::<()>(&set) {
        result.error = Some(format!("CONFIG SET failed: {}", e.message));
        return result;
    }
    result.set = true;
    match conn.query::<()>(redis::cmd("CONFIG").arg("REWRITE")) {
        Ok(()) => result.saved = true,
        Err(e) => result.error = Some(format!("CONFIG REWRITE failed: {}", e.message)),
    }
    result
}
