//! `rcluster failover`: promote a replica with CLUSTER FAILOVER (default, FORCE or TAKEOVER)
//! and wait until every reachable node sees it as the master of its slots.

use std::time::{Duration, Instant};

use anyhow::bail;
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::FailoverArgs;
use crate::cluster::slots::SlotSet;
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

/// CLUSTER FAILOVER's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// With the master's agreement.
    Default,
    /// `FORCE`: the replicas agree without the master.
    Force,
    /// `TAKEOVER`: no agreement at all.
    Takeover,
}

impl Mode {
    /// `default`, `force` or `takeover`, as in JSON.
    fn name(self) -> &'static str {
        match self {
            Mode::Default => "default",
            Mode::Force => "force",
            Mode::Takeover => "takeover",
        }
    }

    /// CLUSTER FAILOVER's option, none for the default.
    fn option(self) -> Option<String> {
        (self != Mode::Default).then(|| self.name().to_uppercase())
    }
}

/// What `failover` was asked to do, once the options are checked.
struct FailoverSettings {
    /// The replica to promote.
    addr: NodeAddr,
    /// `--force`, `--takeover`, or neither.
    mode: Mode,
    /// `--dry-run`.
    dry_run: bool,
    /// `--wait-timeout`, in seconds.
    wait_timeout: f64,
}

impl FailoverSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(args: &FailoverArgs) -> anyhow::Result<Self> {
        let addr = settings::node_addr(&args.target.node)?;
        let mode = match (args.force, args.takeover) {
            (false, false) => Mode::Default,
            (true, false) => Mode::Force,
            (false, true) => Mode::Takeover,
            (true, true) => bail!(UsageError::new(
                "--force and --takeover exclude each other: give one of them"
            )),
        };
        Ok(FailoverSettings {
            addr,
            mode,
            dry_run: args.dry_run,
            wait_timeout: args.wait_timeout,
        })
    }
}

/// The promotion: the replica's id, its master's, and the master's slots.
struct Promotion {
    id: String,
    master_id: String,
    slots: SlotSet,
}

/// Runs `rcluster failover`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &FailoverArgs,
) -> anyhow::Result<Outcome> {
    let settings = FailoverSettings::from_args(args)?;
    let (addr, mode) = (&settings.addr, settings.mode);
    let promotion = load_and_plan(opts, &settings)?;
    let mut doc = FailoverJson {
        node: addr.to_string(),
        id: promotion.id.clone(),
        old_master_id: promotion.master_id.clone(),
        mode: mode.name(),
        dry_run: settings.dry_run,
        seconds: None,
        slots: promotion.slots.to_string(),
    };
    out.line(
        Style::Info,
        format!(
            ">>> Promoting {addr} ({}) in place of its master {} (CLUSTER FAILOVER{})",
            promotion.id,
            promotion.master_id,
            mode.option().map(|o| format!(" {o}")).unwrap_or_default()
        ),
    );
    if settings.dry_run {
        out.line(Style::Info, ">>> Dry run: nothing was changed.");
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    let mut conn = opts.connect(addr)?;
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("FAILOVER");
    if let Some(option) = mode.option() {
        cmd.arg(option);
    }
    conn.query::<()>(&cmd)?;
    let seconds = wait_promoted(opts, &settings, &promotion)?;
    doc.seconds = Some(seconds);
    out.line(
        Style::Ok,
        format!(
            "[OK] {addr} is the master of slots {} now; every reachable node agrees ({seconds:.2} s).",
            if promotion.slots.is_empty() {
                "(none)".to_string()
            } else {
                promotion.slots.to_string()
            }
        ),
    );
    out.json(&doc);
    Ok(Outcome::Success)
}

/// Probes the node, which must be a replica; a default failover also needs its master up
/// and its link to it.
fn load_and_plan(opts: &ConnectOptions, settings: &FailoverSettings) -> anyhow::Result<Promotion> {
    let addr = &settings.addr;
    let probe = probe_node(opts, addr)?;
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
    if settings.mode == Mode::Default
        && (master.is_none_or(|m| m.flags.failing()) || probe.info.master_link_up == Some(false))
    {
        bail!(
            "{addr} cannot reach its master {master_id}: a default failover needs the master's \
             agreement. Use --force (the replicas agree without the master) or --takeover \
             (no agreement at all, for when most masters are down)"
        );
    }
    Ok(Promotion {
        id: myself.id.clone(),
        master_id,
        slots,
    })
}

/// Polls until every reachable node sees the promotion; returns how long it took.
fn wait_promoted(
    opts: &ConnectOptions,
    settings: &FailoverSettings,
    promotion: &Promotion,
) -> anyhow::Result<f64> {
    let addr = &settings.addr;
    let started = Instant::now();
    let limit = Duration::from_secs_f64(settings.wait_timeout);
    loop {
        let lagging = not_yet_promoted(opts, addr, &promotion.id, &promotion.master_id);
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
    Ok(started.elapsed().as_secs_f64())
}

/// The reachable nodes that do not see node `id` as a master yet, or (when it answers) the
/// old master `old` as a replica yet (by address).
fn not_yet_promoted(
    opts: &ConnectOptions,
    entry: &NodeAddr,
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
