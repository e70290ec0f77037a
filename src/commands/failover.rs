//! `rcluster failover`: promote a replica with CLUSTER FAILOVER (default, FORCE or TAKEOVER)
//! and wait until every reachable node sees it as the master of its slots.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde::Serialize;

use crate::cli::FailoverArgs;
use crate::cluster::snapshot::Snapshot;
use crate::error::{Outcome, UsageError};
use crate::net::conn::ConnectOptions;
use crate::output::{Output, Style};
use crate::probe::snapshot::probe_node;
use crate::settings;

/// How often the nodes are asked whether they see the promotion.
const POLL: Duration = Duration::from_millis(50);

/// The JSON document of `failover`.
#[derive(Serialize)]
struct FailoverJson {
    node: String,
    id: String,
    old_master_id: String,
    mode: &'static str,
    dry_run: bool,
    seconds: Option<f64>,
    slots: String,
}

/// Runs `rcluster failover`.
pub fn run(opts: &ConnectOptions, out: Output, args: &FailoverArgs) -> anyhow::Result<Outcome> {
    let addr = settings::node_addr(&args.target.node)?;
    let mode = match (args.force, args.takeover) {
        (false, false) => "default",
        (true, false) => "force",
        (false, true) => "takeover",
        (true, true) => bail!(UsageError::new(
            "--force and --takeover exclude each other: give one of them"
        )),
    };
    let probe = probe_node(opts, &addr)?;
    let myself = &probe.myself;
    let Some(master_id) = myself.master_id.clone().filter(|_| myself.is_replica()) else {
        bail!(
            "{addr} ({}) is a master already: give the address of a replica to promote \
             (`rcluster nodes {addr}` lists them)",
            myself.id
        );
    };
    let master = probe.view.iter().find(|n| n.id == master_id);
    let slots = master.map(|m| m.slots.clone()).unwrap_or_default();
    if mode == "default"
        && (master.is_none_or(|m| m.flags.failing()) || probe.info.master_link_up == Some(false))
    {
        bail!(
            "{addr} cannot reach its master {master_id}: a default failover needs the master's \
             agreement. Use --force (the replicas agree without the master) or --takeover \
             (no agreement at all, for when most masters are down)"
        );
    }
    let mut doc = FailoverJson {
        node: addr.to_string(),
        id: myself.id.clone(),
        old_master_id: master_id.clone(),
        mode,
        dry_run: args.dry_run,
        seconds: None,
        slots: slots.to_string(),
    };
    out.line(
        Style::Info,
        format!(
            ">>> Promoting {addr} ({}) in place of its master {master_id} (CLUSTER FAILOVER{})",
            myself.id,
            if mode == "default" {
                String::new()
            } else {
                format!(" {}", mode.to_uppercase())
            }
        ),
    );
    if args.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was changed.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    let mut conn = opts.connect(&addr)?;
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("FAILOVER");
    if mode != "default" {
        cmd.arg(mode.to_uppercase());
    }
    conn.query::<()>(&cmd)?;
    let started = Instant::now();
    let limit = Duration::from_secs_f64(args.wait_timeout);
    loop {
        let lagging = not_yet_promoted(opts, &addr, &myself.id, &master_id);
        match lagging {
            Ok(lagging) if lagging.is_empty() => break,
            Ok(lagging) if started.elapsed() >= limit => bail!(
                "{addr} was asked to take over, but after {:.0} s these nodes do not see it as \
                 master yet: {}. A default failover waits for the master to catch up and can \
                 be refused; try --force",
                limit.as_secs_f64(),
                lagging.join(", ")
            ),
            Err(err) if started.elapsed() >= limit => return Err(err),
            _ => std::thread::sleep(POLL),
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    doc.seconds = Some(seconds);
    out.line(
        Style::Ok,
        format!(
            "[OK] {addr} is the master of slots {} now; every reachable node agrees ({seconds:.2} s).",
            if slots.is_empty() {
                "(none)".to_string()
            } else {
                slots.to_string()
            }
        ),
    );
    out.json(&doc);
    Ok(Outcome::Success)
}

/// The reachable nodes that do not see node `id` as a master yet, or (when it answers) the
/// old master `old` as a replica yet (by address).
fn not_yet_promoted(
    opts: &ConnectOptions,
    entry: &crate::address::NodeAddr,
    id: &str,
    old: &str,
) -> anyhow::Result<Vec<String>> {
    let snapshot = Snapshot::load(opts, entry)?;
    let old_answers = snapshot
        .nodes
        .iter()
        .any(|n| n.id() == old && n.reachable());
    Ok(snapshot
        .nodes
        .iter()
        .filter_map(|n| {
            let probe = n.probe()?;
            let promoted = probe.view.iter().any(|e| e.id == id && !e.is_replica());
            let demoted = !old_answers || probe.view.iter().any(|e| e.id == old && e.is_replica());
            (!(promoted && demoted)).then(|| n.addr_text())
        })
        .collect())
}
