//! `rcluster del-node`: remove a node from the cluster, reachable or not. Its replicas (if it
//! is a master) are moved to a surviving master first, every other node forgets it in
//! parallel, it is reset (or shut down), and the forget is repeated within Redis's 60 s ban
//! window until no node lists it, so that gossip cannot bring it back.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::migration::{self, FinalCheck, names};
use crate::address::NodeAddr;
use crate::cli::DelNodeArgs;
use crate::cluster::parse::nodes::NodeEntry;
use crate::cluster::plan::membership::{drain_plan, master_choices, pick_master};
use crate::cluster::plan::moves::MovePlan;
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::cluster::verdict::converge::Target;
use crate::error::{Outcome, UsageError};
use crate::exec::bootstrap::{Nudger, connect_pool, reachable_members};
use crate::exec::migrate::MigrationReport;
use crate::exec::poll::{describe_lag, wait_until_converged};
use crate::net::conn::{ConnectOptions, ErrorKind};
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::output::{Output, Style};
use crate::report::migration::{PlanJson, plan_lines, throttle_lines};
use crate::settings;

/// Pause between two rounds of checking that no node lists the removed node.
const POLL: Duration = Duration::from_millis(100);

/// The node to remove, as found in the nodes' views.
struct Doomed {
    id: String,
    /// Its address, from whichever view knows it.
    addr: Option<NodeAddr>,
    /// Its state when the entry node knows it.
    state: Option<NodeState>,
}

impl Doomed {
    fn label(&self) -> String {
        self.addr
            .as_ref()
            .map_or_else(|| self.id.clone(), |a| format!("{a} ({})", self.id))
    }

    fn reachable(&self) -> bool {
        self.state.as_ref().is_some_and(NodeState::reachable)
    }

    fn entry(&self) -> Option<&NodeEntry> {
        self.state.as_ref().map(NodeState::current)
    }
}

/// A replica to re-point, for JSON.
#[derive(Serialize)]
struct Repoint {
    replica: String,
    new_master: String,
    new_master_id: String,
}

/// The JSON document of `del-node`.
#[derive(Serialize)]
struct DelNodeJson {
    id: String,
    addr: Option<String>,
    already_gone: bool,
    reachable: bool,
    dry_run: bool,
    drain_plan: Option<PlanJson>,
    drain: Option<MigrationReport>,
    drain_check: Option<FinalCheck>,
    repointed: Vec<Repoint>,
    forgotten_by: Vec<String>,
    after: &'static str,
    seconds: Option<f64>,
    warnings: Vec<String>,
}

/// What `del-node` was asked to do, once the options are checked.
struct DelNodeSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// The id (or prefix) of the node to remove, in lower case.
    wanted: String,
    /// `--drain`.
    drain: bool,
    /// `--dry-run`.
    dry_run: bool,
    /// `--shutdown`.
    shutdown: bool,
    /// `--wait-timeout`, in seconds.
    wait_timeout: f64,
}

impl DelNodeSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(args: &DelNodeArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
        let wanted = args.node_id.trim().to_ascii_lowercase();
        if wanted.is_empty() || !wanted.chars().all(|c| c.is_ascii_hexdigit()) || wanted.len() > 40
        {
            bail!(UsageError::new(format!(
                "{:?} is not a node id: give the 40-character id (or a unique prefix) shown by \
                 `rcluster nodes {entry}`",
                args.node_id
            )));
        }
        Ok(DelNodeSettings {
            entry,
            wanted,
            drain: args.drain,
            dry_run: args.dry_run,
            shutdown: args.shutdown,
            wait_timeout: args.wait_timeout,
        })
    }
}

/// What removing the node takes once it serves no slot: its replicas re-pointed (replica
/// index, new master index), and the reachable nodes that must forget it.
struct Removal<'a> {
    repoint: Vec<(usize, usize)>,
    forgetters: Vec<&'a NodeState>,
}

/// Runs `rcluster del-node`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &DelNodeArgs,
) -> anyhow::Result<Outcome> {
    let settings = DelNodeSettings::from_args(args)?;
    let started = Instant::now();
    let mut snapshot = Snapshot::load(opts, &settings.entry)?;
    let Some(mut doomed) = find(&snapshot, &settings.wanted)? else {
        out.line(
            Style::Ok,
            format!(
                "[OK] No node of the cluster knows node {}: it is already removed.",
                settings.wanted
            ),
        );
        out.json(&json_for(&settings.wanted, None, &settings, true));
        return Ok(Outcome::Success);
    };
    out.line(
        Style::Info,
        format!(
            ">>> Removing node {} from cluster {}",
            doomed.label(),
            settings.entry
        ),
    );
    let mut doc = json_for(&doomed.id, doomed.addr.as_ref(), &settings, false);
    doc.reachable = doomed.reachable();
    if doomed.entry().is_some_and(|e| !e.slots.is_empty()) {
        match drain_first(opts, &out, &settings, args, &doomed, &mut doc)? {
            ControlFlow::Continue(drained) => (snapshot, doomed) = drained,
            ControlFlow::Break(outcome) => {
                out.json(&doc);
                return Ok(outcome);
            }
        }
    }
    let removal = plan_removal(&out, &snapshot, &doomed, &settings, &mut doc)?;
    if settings.dry_run {
        dry_run(&out, &removal, &doc);
        return Ok(Outcome::Success);
    }
    remove(
        opts, &out, &snapshot, &doomed, &removal, &settings, &mut doc,
    )?;
    doc.seconds = Some(started.elapsed().as_secs_f64());
    report(&out, &doomed, &removal, &doc);
    Ok(Outcome::Success)
}

/// The closing lines and the JSON document of a removal.
fn report(out: &Output, doomed: &Doomed, removal: &Removal, doc: &DelNodeJson) {
    out.line(
        Style::Ok,
        format!(
            "[OK] Node {} removed from the cluster: none of the {} remaining node(s) lists it \
             ({:.2} s).",
            doomed.label(),
            removal.forgetters.len(),
            doc.seconds.unwrap_or_default()
        ),
    );
    if !doomed.reachable() {
        out.line(
            Style::Plain,
            format!(
                "If {} comes back, reset it (CLUSTER RESET HARD) before anything else: it \
                 still believes it is a member.",
                doomed.label()
            ),
        );
    }
    out.json(doc);
}

/// A node that still serves slots: refused without `--drain` or when it is down, else
/// drained. Continues with the cluster reloaded and the node as found again; breaks with
/// the outcome to exit with after a dry run, a refused confirmation or a drain that did not
/// finish.
fn drain_first(
    opts: &ConnectOptions,
    out: &Output,
    settings: &DelNodeSettings,
    args: &DelNodeArgs,
    doomed: &Doomed,
    doc: &mut DelNodeJson,
) -> anyhow::Result<ControlFlow<Outcome, (Snapshot, Doomed)>> {
    let entry = &settings.entry;
    let slots = doomed.entry().map(|e| e.slots.clone()).unwrap_or_default();
    if !settings.drain {
        bail!(
            "node {} still serves {} slot(s) ({slots}): nothing was changed. Move them \
             first: add --drain to let del-node do it, or run `rcluster rebalance {entry} \
             --weight {}=0` or `rcluster reshard`",
            doomed.label(),
            slots.len(),
            &doomed.id[..8]
        );
    }
    if !doomed.reachable() {
        bail!(
            "node {} is down and still serves {} slot(s): its keys cannot be moved. \
             Promote one of its replicas (`rcluster failover REPLICA --force`), or give \
             the slots to other masters with `rcluster fix {entry} \
             --fix-with-unreachable-masters` (its keys are lost), then delete it",
            doomed.label(),
            slots.len()
        );
    }
    let outcome = drain(opts, out, entry, &doomed.id, args, doc)?;
    if outcome != Outcome::Success || settings.dry_run {
        return Ok(ControlFlow::Break(outcome));
    }
    let snapshot = Snapshot::load(opts, entry)?;
    let doomed = find(&snapshot, &doomed.id)?.context("the drained node vanished")?;
    let left = doomed.entry().map(|e| e.slots.len()).unwrap_or_default();
    if left > 0 {
        bail!(
            "node {} still serves {left} slot(s) after the drain",
            doomed.label()
        );
    }
    Ok(ControlFlow::Continue((snapshot, doomed)))
}

/// Plans the removal of a node that serves no slot: where its replicas go, who forgets it,
/// what happens to it after; says so, and warns about the nodes that cannot be told.
fn plan_removal<'a>(
    out: &Output,
    snapshot: &'a Snapshot,
    doomed: &Doomed,
    settings: &DelNodeSettings,
    doc: &mut DelNodeJson,
) -> anyhow::Result<Removal<'a>> {
    let repoint = plan_repoint(snapshot, doomed)?;
    let forgetters: Vec<&NodeState> = snapshot
        .nodes
        .iter()
        .filter(|n| n.id() != doomed.id && n.reachable())
        .collect();
    for (replica, master) in &repoint {
        doc.repointed.push(Repoint {
            replica: snapshot.nodes[*replica].addr_text(),
            new_master: snapshot.nodes[*master].addr_text(),
            new_master_id: snapshot.nodes[*master].id().to_string(),
        });
    }
    doc.after = match (doomed.reachable(), settings.shutdown) {
        (false, _) => "none",
        (true, false) => "reset",
        (true, true) => "shutdown",
    };
    for r in &doc.repointed {
        out.line(
            Style::Info,
            format!(">>> {} as replica of {}", r.replica, r.new_master),
        );
    }
    for unreachable in snapshot
        .nodes
        .iter()
        .filter(|n| n.id() != doomed.id && !n.reachable())
    {
        let warning = format!(
            "{} ({}) cannot be reached and will not be told to forget the node; run del-node \
             again when it is back",
            unreachable.addr_text(),
            unreachable.id()
        );
        out.line(Style::Warn, format!("[WARNING] {warning}"));
        doc.warnings.push(warning);
    }
    Ok(Removal {
        repoint,
        forgetters,
    })
}

/// `--dry-run`: says what would happen.
fn dry_run(out: &Output, removal: &Removal, doc: &DelNodeJson) {
    out.line(
        Style::Info,
        format!(
            ">>> Would send CLUSTER FORGET to {} node(s), then {}.",
            removal.forgetters.len(),
            match doc.after {
                "reset" => "reset the node (CLUSTER RESET HARD: a new id)",
                "shutdown" => "shut the node down (SHUTDOWN NOSAVE)",
                _ => "leave the node alone (it is down)",
            }
        ),
    );
    out.line(Style::Info, ">>> Dry run: nothing was changed.");
    out.json(doc);
}

/// Re-points the replicas, has every reachable node forget the node, resets (or shuts down)
/// the node, and waits until no node lists it.
fn remove(
    opts: &ConnectOptions,
    out: &Output,
    snapshot: &Snapshot,
    doomed: &Doomed,
    removal: &Removal,
    settings: &DelNodeSettings,
    doc: &mut DelNodeJson,
) -> anyhow::Result<()> {
    let limit = Duration::from_secs_f64(settings.wait_timeout);
    repoint_replicas(opts, out, snapshot, &doomed.id, &removal.repoint, limit)?;
    out.line(
        Style::Info,
        ">>> Sending CLUSTER FORGET messages to the cluster...",
    );
    let forgetters = &removal.forgetters;
    let forget_results = fan_out(forgetters, DEFAULT_PARALLELISM, |n| {
        forget(opts, n.addr(), &doomed.id)
    });
    for (n, result) in forgetters.iter().zip(forget_results) {
        if let Err(e) = result {
            bail!(
                "{} refused to forget the node: {e}. Run del-node again within 60 s (the other \
                 nodes ban the id for that long)",
                n.addr_text()
            );
        }
    }
    if let Some(addr) = doomed.addr.clone().filter(|_| doomed.reachable()) {
        after_removal(opts, out, &addr, settings.shutdown, doc);
    }
    let lingering = wait_forgotten(opts, forgetters, &doomed.id, limit);
    doc.forgotten_by = forgetters.iter().map(|n| n.addr_text()).collect();
    if !lingering.is_empty() {
        bail!(
            "these nodes still list {} after {:.0} s: {}. Run del-node again (forgetting must \
             reach every node within 60 s)",
            doomed.label(),
            limit.as_secs_f64(),
            lingering.join(", ")
        );
    }
    Ok(())
}

fn json_for(
    id: &str,
    addr: Option<&NodeAddr>,
    settings: &DelNodeSettings,
    gone: bool,
) -> DelNodeJson {
    DelNodeJson {
        id: id.to_string(),
        addr: addr.map(ToString::to_string),
        already_gone: gone,
        reachable: false,
        dry_run: settings.dry_run,
        drain_plan: None,
        drain: None,
        drain_check: None,
        repointed: Vec::new(),
        forgotten_by: Vec::new(),
        after: "none",
        seconds: None,
        warnings: Vec::new(),
    }
}

/// Finds the node by id or unique prefix in every view: the entry node's and every reachable
/// node's (a half-finished removal leaves it known to only some). `None` when a full id is
/// known nowhere; an unknown or ambiguous prefix is an error.
fn find(snapshot: &Snapshot, wanted: &str) -> anyhow::Result<Option<Doomed>> {
    let mut known: BTreeMap<String, Option<NodeAddr>> = BTreeMap::new();
    for node in &snapshot.nodes {
        known
            .entry(node.id().to_string())
            .or_insert(node.addr().cloned());
        for e in node.probe().map(|p| p.view.as_slice()).unwrap_or_default() {
            known.entry(e.id.clone()).or_insert(e.addr.clone());
        }
    }
    let matches: Vec<(&String, &Option<NodeAddr>)> = known
        .iter()
        .filter(|(id, _)| id.starts_with(wanted))
        .collect();
    match matches.as_slice() {
        [] if wanted.len() == 40 => Ok(None),
        [] => bail!(
            "no node id starts with {wanted}: `rcluster nodes {}` lists them (a full 40-character \
             id that no node knows is reported as already removed)",
            snapshot.entry
        ),
        [(id, addr)] => Ok(Some(Doomed {
            id: (*id).clone(),
            addr: (*addr).clone(),
            state: snapshot.node(id).cloned(),
        })),
        many => bail!(
            "{wanted} matches {} nodes ({}): give more characters of the id",
            many.len(),
            many.iter()
                .map(|(id, _)| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Moves the node's slots to the other masters with the migration engine.
fn drain(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
    id: &str,
    args: &DelNodeArgs,
    doc: &mut DelNodeJson,
) -> anyhow::Result<Outcome> {
    let migrate_settings =
        migration::settings(&args.keys, 16, migration::engine_choice(&args.engine), opts)?;
    let prepared = migration::load_and_plan(
        opts,
        out,
        entry,
        |nodes| {
            let from = nodes
                .iter()
                .position(|n| n.id == id)
                .context("the node left the cluster while it was being loaded")?;
            Ok(drain_plan(nodes, from)?)
        },
        |plan: &MovePlan| (plan, Vec::new()),
    )?;
    let node_names = names(&prepared.snapshot);
    let migration::Engines { engines, notes } = migration::engines(
        opts,
        out,
        &prepared.snapshot,
        &prepared.planned,
        &migrate_settings,
    )?;
    doc.warnings.extend(notes);
    let throttle = migration::throttle_limits(&migrate_settings);
    doc.drain_plan =
        Some(PlanJson::new(&prepared.planned, &node_names, &engines).throttled(throttle));
    migration::enforce(out, &prepared.preflight, "draining the node")?;
    out.line(
        Style::Info,
        format!(
            ">>> Draining {} slot(s) off the node first:",
            prepared.planned.len()
        ),
    );
    out.doc(&plan_lines(
        &prepared.planned.pairs(),
        &node_names,
        &engines,
        "    ",
    ));
    out.doc(&throttle_lines(throttle, "    "));
    if args.dry_run {
        return Ok(Outcome::Success);
    }
    if !crate::prompt::confirm("Move these slots and then remove the node?", args.yes)? {
        out.line(Style::Warn, "*** Not confirmed: nothing was changed.");
        return Ok(Outcome::Problems);
    }
    let (report, final_check, outcome) = migration::execute(
        opts,
        out,
        &prepared.snapshot,
        &prepared.planned,
        &engines,
        &migrate_settings,
    )?;
    doc.drain = Some(report);
    doc.drain_check = Some(final_check);
    if outcome != Outcome::Success {
        out.line(
            Style::Err,
            "[ERR] The drain did not finish: the node was not removed. `rcluster fix` closes \
             any slot left open; run del-node again after.",
        );
    }
    Ok(outcome)
}

/// For each replica of the node (when it is a master): the surviving master it moves to.
fn plan_repoint(snapshot: &Snapshot, doomed: &Doomed) -> anyhow::Result<Vec<(usize, usize)>> {
    let replicas: Vec<usize> = (0..snapshot.nodes.len())
        .filter(|&i| {
            let n = &snapshot.nodes[i];
            n.reachable() && !n.is_master() && n.current().master_id.as_deref() == Some(&doomed.id)
        })
        .collect();
    if replicas.is_empty() {
        return Ok(Vec::new());
    }
    let (masters, mut choices) = master_choices(snapshot);
    let mut plan = Vec::new();
    for r in replicas {
        let host = snapshot.nodes[r]
            .addr()
            .map(|a| a.host.clone())
            .unwrap_or_default();
        let pick = pick_master(&choices, &host, &doomed.id).with_context(|| {
            format!(
                "{} is a replica of the node and no other healthy master can take it: delete \
                 it too, or add a master first",
                snapshot.nodes[r].addr_text()
            )
        })?;
        choices[pick].replicas += 1;
        plan.push((r, masters[pick]));
    }
    Ok(plan)
}

/// CLUSTER REPLICATE on each replica, then waits until every reachable node sees each under
/// its new master (a replica refuses to forget its master, and a node that forgets the old
/// master before it knows the new one loses track of the replica's master for a while).
/// Lagging views after `limit` are a warning: the replicas themselves have switched.
fn repoint_replicas(
    opts: &ConnectOptions,
    out: &Output,
    snapshot: &Snapshot,
    doomed: &str,
    plan: &[(usize, usize)],
    limit: Duration,
) -> anyhow::Result<()> {
    if plan.is_empty() {
        return Ok(());
    }
    let members = reachable_members(snapshot, doomed);
    let pool = connect_pool(opts, &members)?;
    let index_of = |id: &str| members.iter().position(|m| m.id == id);
    let replicas: Vec<usize> = plan
        .iter()
        .filter_map(|&(r, _)| index_of(snapshot.nodes[r].id()))
        .collect();
    let results = pool.some(&replicas, |i, conn| {
        let (_, m) = plan
            .iter()
            .find(|&&(r, _)| snapshot.nodes[r].id() == members[i].id)
            .expect("every replica index comes from the plan");
        let mut pipe = redis::pipe();
        pipe.cmd("CLUSTER")
            .arg("REPLICATE")
            .arg(snapshot.nodes[*m].id());
        conn.pipeline_ok(&pipe, "CLUSTER REPLICATE")
    });
    results
        .into_iter()
        .collect::<Result<Vec<()>, _>>()
        .context("moving the node's replicas failed; nothing was forgotten yet")?;
    let mut target = Target::default();
    for node in &snapshot.nodes {
        target
            .members
            .insert(node.id().to_string(), node.addr_text());
    }
    for &(r, m) in plan {
        target.replica_of.insert(
            snapshot.nodes[r].id().to_string(),
            snapshot.nodes[m].id().to_string(),
        );
    }
    let mut nudger = Nudger::new(&members);
    if let Err(lag) = wait_until_converged(&pool, &target, limit, |lag| nudger.nudge(&pool, lag)) {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] Not every node sees the moved replicas under their new masters \
                 yet:\n{}",
                describe_lag(&lag)
            ),
        );
    }
    Ok(())
}

/// CLUSTER FORGET on one node; "unknown node" counts as done.
fn forget(opts: &ConnectOptions, addr: Option<&NodeAddr>, id: &str) -> anyhow::Result<()> {
    let addr = addr.context("no address known for this node")?;
    let mut conn = opts.connect(addr)?;
    match conn.query::<()>(redis::cmd("CLUSTER").arg("FORGET").arg(id)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind == ErrorKind::Server && e.message.contains("Unknown node") => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Resets the removed node (or shuts it down); failures are warnings: the cluster has
/// already forgotten it.
fn after_removal(
    opts: &ConnectOptions,
    out: &Output,
    addr: &NodeAddr,
    shutdown: bool,
    doc: &mut DelNodeJson,
) {
    let result = opts
        .connect(addr)
        .map_err(anyhow::Error::from)
        .and_then(|mut conn| {
            if shutdown {
                out.line(
                    Style::Info,
                    ">>> Sending SHUTDOWN NOSAVE to the deleted node.",
                );
                // The node closes the connection instead of replying.
                match conn.query::<()>(redis::cmd("SHUTDOWN").arg("NOSAVE")) {
                    Err(e) if e.kind == ErrorKind::Server => Err(e.into()),
                    _ => Ok(()),
                }
            } else {
                out.line(
                    Style::Info,
                    ">>> Sending CLUSTER RESET HARD to the deleted node (a new id: it can be \
                     added again at once).",
                );
                Ok(conn.query::<()>(redis::cmd("CLUSTER").arg("RESET").arg("HARD"))?)
            }
        });
    if let Err(e) = result {
        let warning = format!(
            "the cluster forgot {addr}, but {} it failed: {e:#}. It still believes it is a \
             member: reset it (CLUSTER RESET) or stop it",
            if shutdown { "shutting" } else { "resetting" }
        );
        out.line(Style::Warn, format!("[WARNING] {warning}"));
        doc.warnings.push(warning);
    }
}

/// Polls until none of `nodes` lists `id`, forgetting it again on any that does (gossip from
/// a node that had not forgotten it yet can re-introduce it); returns the nodes still listing
/// it when `limit` runs out.
fn wait_forgotten(
    opts: &ConnectOptions,
    nodes: &[&NodeState],
    id: &str,
    limit: Duration,
) -> Vec<String> {
    let started = Instant::now();
    loop {
        let lists: Vec<bool> = fan_out(nodes, DEFAULT_PARALLELISM, |n| {
            let Some(addr) = n.addr() else { return false };
            let listed = opts
                .connect(addr)
                .and_then(|mut c| c.query::<String>(redis::cmd("CLUSTER").arg("NODES")))
                .map(|text| text.lines().any(|l| l.starts_with(id)));
            match listed {
                Ok(true) => {
                    let _ = forget(opts, Some(addr), id);
                    true
                }
                Ok(false) => false,
                // A node that does not answer cannot be confirmed.
                Err(_) => true,
            }
        });
        let lingering: Vec<String> = nodes
            .iter()
            .zip(lists)
            .filter(|(_, listed)| *listed)
            .map(|(n, _)| n.addr_text())
            .collect();
        if lingering.is_empty() || started.elapsed() >= limit {
            return lingering;
        }
        std::thread::sleep(POLL);
    }
}
