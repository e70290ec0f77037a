//! `rcluster add-node`: an empty node joins as a master or as a replica. The cluster must be
//! healthy and the node empty and alone (as for create); the command returns only when every
//! node knows the new one and it reports `cluster_state:ok`, so that a reshard can follow.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::migration;
use crate::address::NodeAddr;
use crate::cli::AddNodeArgs;
use crate::cluster::plan::membership::{master_choices, pick_master};
use crate::cluster::plan::moves::{PlanNode, resolve_master};
use crate::cluster::snapshot::{NodeProbe, Snapshot};
use crate::cluster::verdict::admission::join_problems;
use crate::cluster::verdict::converge::{Lag, Target};
use crate::error::{Outcome, UsageError};
use crate::exec::bootstrap::{Member, Nudger, connect_pool, meet, reachable_members, resolve_ip};
use crate::exec::poll::{describe_lag, wait_until_converged};
use crate::net::conn::{ConnectOptions, humanize};
use crate::net::pool::NodePool;
use crate::output::{Output, Style};
use crate::probe::snapshot::probe_node;
use crate::progress::Spinner;
use crate::settings;

/// The JSON document of `add-node`.
#[derive(Serialize)]
struct AddNodeJson {
    node: String,
    id: String,
    role: &'static str,
    master_id: Option<String>,
    master_addr: Option<String>,
    auto_selected: bool,
    functions_copied: bool,
    dry_run: bool,
    already_member: bool,
    join_ms: Option<u128>,
    ready_ms: Option<u128>,
}

/// What `add-node` was asked to do, once the options are checked.
struct AddNodeSettings {
    /// The node to add.
    new_addr: NodeAddr,
    /// Any node of the cluster.
    entry: NodeAddr,
    /// It joins as a replica (`--replica`, or `--master-id`).
    as_replica: bool,
    /// `--master-id`.
    master_id: Option<String>,
    /// `--dry-run`.
    dry_run: bool,
    /// `--wait-timeout`, in seconds.
    wait_timeout: f64,
}

impl AddNodeSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(args: &AddNodeArgs) -> anyhow::Result<Self> {
        let new_addr = settings::node_addr(std::slice::from_ref(&args.new_node))?;
        let entry = settings::node_addr(std::slice::from_ref(&args.existing))?;
        if new_addr == entry {
            bail!(UsageError::new(format!(
                "the new node and the existing node are both {new_addr}: give the new node \
                 first, then any node of the cluster"
            )));
        }
        Ok(AddNodeSettings {
            new_addr,
            entry,
            as_replica: args.replica || args.master_id.is_some(),
            master_id: args.master_id.clone(),
            dry_run: args.dry_run,
            wait_timeout: args.wait_timeout,
        })
    }
}

/// What the join takes: the master the new node follows (its snapshot index), and the
/// cluster's functions to copy to a new master.
struct JoinPlan {
    master: Option<usize>,
    functions: Option<Vec<u8>>,
}

/// Runs `rcluster add-node`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &AddNodeArgs,
) -> anyhow::Result<Outcome> {
    let settings = AddNodeSettings::from_args(args)?;
    out.line(
        Style::Info,
        format!(
            ">>> Adding node {} to cluster {}",
            settings.new_addr, settings.entry
        ),
    );
    let snapshot = migration::healthy_cluster(opts, &settings.entry, &out, "adding a node")?;
    let probe = probe_node(opts, &settings.new_addr)
        .with_context(|| format!("cannot use the new node {}", settings.new_addr))?;
    let mut doc = AddNodeJson::new(&settings, &probe);
    if let Some(member) = snapshot.node(&doc.id) {
        let its_master = member
            .current()
            .master_id
            .clone()
            .filter(|_| !member.is_master());
        doc.master_addr = its_master
            .as_deref()
            .and_then(|id| snapshot.node(id))
            .map(|m| m.addr_text());
        return already_member(&out, doc, its_master, &settings);
    }
    admit(&out, &settings.new_addr, &probe)?;
    let plan = plan_join(opts, &out, &settings, &snapshot, &mut doc)?;
    if settings.dry_run {
        dry_run(&out, &settings, &snapshot, &plan, &doc);
        return Ok(Outcome::Success);
    }
    let ready = join(opts, &out, &settings, &snapshot, &probe, plan, &mut doc)?;
    out.line(
        Style::Ok,
        format!(
            "[OK] New node added correctly: every node knows {} and it reports \
             cluster_state:ok ({:.2} s).",
            settings.new_addr,
            ready.as_secs_f64()
        ),
    );
    out.json(&doc);
    Ok(Outcome::Success)
}

impl AddNodeJson {
    /// The document before anything is decided.
    fn new(settings: &AddNodeSettings, probe: &NodeProbe) -> Self {
        AddNodeJson {
            node: settings.new_addr.to_string(),
            id: probe.myself.id.clone(),
            role: if settings.as_replica {
                "replica"
            } else {
                "master"
            },
            master_id: None,
            master_addr: None,
            auto_selected: false,
            functions_copied: false,
            dry_run: settings.dry_run,
            already_member: false,
            join_ms: None,
            ready_ms: None,
        }
    }
}

/// Refuses a node that cannot join (not empty, not alone, ...), naming each problem.
fn admit(out: &Output, new_addr: &NodeAddr, probe: &NodeProbe) -> anyhow::Result<()> {
    let problems = join_problems(probe);
    if !problems.is_empty() {
        for p in &problems {
            out.line(Style::Err, format!("[ERR] Node {new_addr} {p}"));
        }
        bail!(
            "{new_addr} cannot join: {}. Nothing was changed",
            problems.join("; ")
        );
    }
    Ok(())
}

/// The master a new replica follows (said when chosen automatically), or the functions a new
/// master gets; both recorded in `doc`.
fn plan_join(
    opts: &ConnectOptions,
    out: &Output,
    settings: &AddNodeSettings,
    snapshot: &Snapshot,
    doc: &mut AddNodeJson,
) -> anyhow::Result<JoinPlan> {
    if !settings.as_replica {
        let functions = functions_to_copy(opts, &settings.entry, &settings.new_addr)?;
        return Ok(JoinPlan {
            master: None,
            functions,
        });
    }
    let (index, auto) = choose_master(
        snapshot,
        &settings.new_addr,
        settings.master_id.as_deref(),
        opts.prefer_ipv6,
    )?;
    let m = &snapshot.nodes[index];
    if auto {
        out.line(
            Style::Plain,
            format!("Automatically selected master {}", m.addr_text()),
        );
    }
    doc.master_id = Some(m.id().to_string());
    doc.master_addr = Some(m.addr_text());
    doc.auto_selected = auto;
    Ok(JoinPlan {
        master: Some(index),
        functions: None,
    })
}

/// `--dry-run`: says what would happen.
fn dry_run(
    out: &Output,
    settings: &AddNodeSettings,
    snapshot: &Snapshot,
    plan: &JoinPlan,
    doc: &AddNodeJson,
) {
    let (new_addr, new_id) = (&settings.new_addr, &doc.id);
    out.line(
        Style::Info,
        match plan.master {
            Some(m) => format!(
                ">>> Would add {new_addr} ({new_id}) as a replica of {} ({}).",
                snapshot.nodes[m].addr_text(),
                snapshot.nodes[m].id()
            ),
            None => format!(">>> Would add {new_addr} ({new_id}) as a master without slots."),
        },
    );
    out.line(Style::Info, ">>> Dry run: nothing was changed.");
    out.json(doc);
}

/// Copies the functions, sends the MEET, and waits until the node is known, a replica when
/// asked, and the cluster agrees. Returns how long the node took to be ready.
fn join(
    opts: &ConnectOptions,
    out: &Output,
    settings: &AddNodeSettings,
    snapshot: &Snapshot,
    probe: &NodeProbe,
    plan: JoinPlan,
    doc: &mut AddNodeJson,
) -> anyhow::Result<Duration> {
    let new_addr = &settings.new_addr;
    let (pool, members) = connect_members(opts, snapshot, new_addr, probe)?;
    if let Some(payload) = plan.functions {
        out.line(Style::Info, format!(">>> Copying functions to {new_addr}"));
        let mut conn = opts.connect(new_addr)?;
        conn.query::<()>(redis::cmd("FUNCTION").arg("RESTORE").arg(payload))
            .context("FUNCTION RESTORE on the new node failed; nothing else was changed")?;
        doc.functions_copied = true;
    }
    out.line(
        Style::Info,
        format!(">>> Send CLUSTER MEET to node {new_addr} to make it join the cluster."),
    );
    // The entry node is the snapshot's first node, so it is the first member.
    opts.connect(new_addr)?
        .query::<()>(&meet(&members[0]))
        .context("CLUSTER MEET failed; the node did not join")?;
    wait_ready(out, settings, snapshot, &pool, &members, plan.master, doc)
}

/// Waits until every node knows the new node, makes it a replica of `master` when asked,
/// and waits until the cluster agrees and reports `cluster_state:ok`; records the times.
fn wait_ready(
    out: &Output,
    settings: &AddNodeSettings,
    snapshot: &Snapshot,
    pool: &NodePool,
    members: &[Member],
    master: Option<usize>,
    doc: &mut AddNodeJson,
) -> anyhow::Result<Duration> {
    let (new_addr, entry) = (&settings.new_addr, &settings.entry);
    let limit = Duration::from_secs_f64(settings.wait_timeout);
    let spinner = Spinner::start(out, "waiting for every node to know the new node");
    let started = Instant::now();
    let mut target = join_target(snapshot, &doc.id, new_addr);
    let mut nudger = Nudger::new(members);
    let mut on_round = |lag: &[Lag]| nudger.nudge(pool, lag);
    let waited = |what: &str, lag: Vec<Lag>| {
        anyhow::anyhow!(
            "{new_addr} joined, but {what} within {}:\n{}\nhint: every node must reach the \
             new node's cluster-bus port (port+10000 unless cluster-port is set); `rcluster \
             check {entry}` shows the state",
            humanize(limit),
            describe_lag(&lag)
        )
    };
    wait_until_converged(pool, &target, limit, &mut on_round)
        .map_err(|lag| waited("not every node knew it", lag))?;
    doc.join_ms = Some(started.elapsed().as_millis());
    if let Some(m) = master {
        let master_node = &snapshot.nodes[m];
        spinner.suspend(|| {
            out.line(
                Style::Info,
                format!(
                    ">>> Configure node as replica of {}.",
                    master_node.addr_text()
                ),
            )
        });
        replicate_on(pool, members.len() - 1, master_node.id())?;
        target
            .replica_of
            .insert(doc.id.clone(), master_node.id().to_string());
    }
    spinner.set_message("waiting for every node to agree and report cluster_state:ok");
    target.state_ok = true;
    let remaining = limit.saturating_sub(started.elapsed());
    wait_until_converged(pool, &target, remaining, &mut on_round)
        .map_err(|lag| waited("the cluster did not agree", lag))?;
    spinner.finish();
    let ready = started.elapsed();
    doc.ready_ms = Some(ready.as_millis());
    Ok(ready)
}

/// What every node must see once the new node has joined: every member at its address, the
/// new node too, and the masters' slots as they are.
fn join_target(snapshot: &Snapshot, new_id: &str, new_addr: &NodeAddr) -> Target {
    let mut target = Target::default();
    for node in &snapshot.nodes {
        target
            .members
            .insert(node.id().to_string(), node.addr_text());
        if node.is_master() && !node.current().slots.is_empty() {
            target
                .slots
                .insert(node.id().to_string(), node.current().slots.clone());
        }
    }
    target
        .members
        .insert(new_id.to_string(), new_addr.to_string());
    target
}

/// The new node is a member already: fine if it has the role asked for.
fn already_member(
    out: &Output,
    mut doc: AddNodeJson,
    its_master: Option<String>,
    settings: &AddNodeSettings,
) -> anyhow::Result<Outcome> {
    doc.already_member = true;
    let is_replica = its_master.is_some();
    let as_replica = settings.as_replica;
    let wanted_master_matches = match (&settings.master_id, &its_master) {
        (Some(wanted), Some(actual)) => actual.starts_with(&wanted.to_ascii_lowercase()),
        _ => true,
    };
    if is_replica == as_replica && wanted_master_matches {
        doc.master_id = its_master;
        out.line(
            Style::Ok,
            format!(
                "[OK] {} is already a {} of this cluster: nothing to do.",
                doc.node, doc.role
            ),
        );
        out.json(&doc);
        return Ok(Outcome::Success);
    }
    bail!(
        "{} ({}) is already a member of this cluster, as a {}{}. To change its role use \
         `rcluster failover` or CLUSTER REPLICATE; to re-add it, del-node it first",
        doc.node,
        doc.id,
        if is_replica { "replica of " } else { "master" },
        its_master.unwrap_or_default()
    )
}

/// The master the new replica follows: the one named (id or prefix), or the automatic
/// choice (a master on another host than the new node's address, resolved IPv6 first with
/// `prefer_ipv6`). Returns its snapshot index and whether it was chosen automatically.
fn choose_master(
    snapshot: &Snapshot,
    new_addr: &NodeAddr,
    named: Option<&str>,
    prefer_ipv6: bool,
) -> anyhow::Result<(usize, bool)> {
    if let Some(text) = named {
        let index = resolve_master(&PlanNode::from_snapshot(snapshot), text)?;
        let node = &snapshot.nodes[index];
        if !node.reachable() || node.seen.flags.failing() {
            bail!(
                "master {} ({}) is down or flagged failing: a new replica could not sync from \
                 it. Pick another master or leave --master-id out",
                node.addr_text(),
                node.id()
            );
        }
        return Ok((index, false));
    }
    let (masters, choices) = master_choices(snapshot);
    let host = resolve_ip(new_addr, prefer_ipv6).unwrap_or_else(|_| new_addr.host.clone());
    let pick =
        pick_master(&choices, &host, "").context("no healthy master can take a new replica")?;
    Ok((masters[pick], true))
}

/// The FUNCTION DUMP payload of the cluster when it has functions; `None` when there is
/// nothing to copy (or the servers predate functions). A new node that holds functions of its
/// own is refused, as redis-cli refuses it, whether or not the cluster has any.
fn functions_to_copy(
    opts: &ConnectOptions,
    entry: &NodeAddr,
    new_addr: &NodeAddr,
) -> anyhow::Result<Option<Vec<u8>>> {
    let mut new_conn = opts.connect(new_addr)?;
    let Ok(theirs) = new_conn.query::<Vec<redis::Value>>(redis::cmd("FUNCTION").arg("LIST")) else {
        return Ok(None);
    };
    if !theirs.is_empty() {
        bail!(
            "{new_addr}: node already contains functions, so it cannot join the cluster: run \
             FUNCTION FLUSH on it and try again. Nothing was changed"
        );
    }
    let mut conn = opts.connect(entry)?;
    let Ok(libraries) = conn.query::<Vec<redis::Value>>(redis::cmd("FUNCTION").arg("LIST")) else {
        return Ok(None);
    };
    if libraries.is_empty() {
        return Ok(None);
    }
    let payload: Vec<u8> = conn.query(redis::cmd("FUNCTION").arg("DUMP"))?;
    Ok(Some(payload))
}

/// Connections to every reachable node of the cluster plus the new node (last), and the
/// matching members for the nudger.
fn connect_members(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    new_addr: &NodeAddr,
    new_probe: &NodeProbe,
) -> anyhow::Result<(NodePool, Vec<Member>)> {
    let mut members = reachable_members(snapshot, "");
    members.push(Member {
        addr: new_addr.clone(),
        ip: resolve_ip(new_addr, opts.prefer_ipv6)?,
        id: new_probe.myself.id.clone(),
        bus_port: new_probe
            .myself
            .bus_port
            .unwrap_or(new_addr.port.wrapping_add(10000)),
        server: new_probe.info.server,
    });
    Ok((connect_pool(opts, &members)?, members))
}

/// `CLUSTER REPLICATE master_id` on pool node `i`.
fn replicate_on(pool: &NodePool, i: usize, master_id: &str) -> anyhow::Result<()> {
    let mut pipe = redis::pipe();
    pipe.cmd("CLUSTER").arg("REPLICATE").arg(master_id);
    pool.some(&[i], |_, conn| conn.pipeline_ok(&pipe, "CLUSTER REPLICATE"))
        .remove(0)
        .context("the node joined as a master, but did not become a replica; run `CLUSTER REPLICATE` on it or del-node it")
}
