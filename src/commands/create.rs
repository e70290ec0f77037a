//! `rcluster create`: validate every node (concurrently, before any write), plan, show the
//! plan in redis-cli's words, confirm, bootstrap, and finish with the same check as `check`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::CreateArgs;
use crate::cluster::plan::create::{CreateNode, CreatePlan, master_count, plan_create};
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::admission::join_problems;
use crate::cluster::verdict::check::{CheckReport, check};
use crate::error::{Outcome, UsageError};
use crate::exec::bootstrap::{Member, Step, Timings, bootstrap, resolve_ip};
use crate::net::conn::ConnectOptions;
use crate::net::pool::NodePool;
use crate::output::{Doc, Output, Style};
use crate::probe::snapshot::probe_conn;
use crate::progress::Spinner;
use crate::prompt;
use crate::report::json::CheckJson;
use crate::report::text;

/// What `create` was asked to do, once the arguments are parsed.
pub(crate) struct CreateRequest {
    /// The nodes, in argument order.
    pub(crate) addrs: Vec<NodeAddr>,
    /// Replicas per master.
    pub(crate) replicas: usize,
    /// Skip the confirmation.
    pub(crate) yes: bool,
    /// Only print the plan.
    pub(crate) dry_run: bool,
    /// Bound on waiting for the nodes to agree.
    pub(crate) wait_timeout: Duration,
}

/// The result of a create, for callers that go on with the new cluster (`local up`).
pub(crate) struct Created {
    /// Exit outcome: success only when the final check passed.
    pub(crate) outcome: Outcome,
    /// The cluster as loaded after creation (None for a dry run).
    pub(crate) snapshot: Option<Snapshot>,
}

/// Runs `rcluster create`.
pub(crate) fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &CreateArgs,
) -> anyhow::Result<Outcome> {
    let addrs = NodeAddr::list(&args.nodes).map_err(|e| UsageError::new(e.to_string()))?;
    let request = CreateRequest {
        addrs,
        replicas: args.replicas,
        yes: args.yes,
        dry_run: args.dry_run,
        wait_timeout: wait_timeout(args.wait_timeout),
    };
    Ok(create(opts, out, &request)?.outcome)
}

/// `--wait-timeout` (positive, checked by clap) as a duration of at most a day.
pub(crate) fn wait_timeout(secs: f64) -> Duration {
    Duration::from_secs_f64(secs.min(86_400.0))
}

/// The whole create flow; shared with `local up`.
pub(crate) fn create(
    opts: &ConnectOptions,
    out: Output,
    request: &CreateRequest,
) -> anyhow::Result<Created> {
    let started = Instant::now();
    let (pool, members, plan) = load_and_plan(opts, request)?;
    out.doc(&text::create_plan(&plan, &members));
    if request.dry_run {
        out.line(Style::Info, "Dry run: nothing was changed.");
        out.json(&CreateJson::new(&plan, &members, true, None, None));
        return Ok(Created {
            outcome: Outcome::Success,
            snapshot: None,
        });
    }
    if !prompt::confirm("Can I set the above configuration?", request.yes)? {
        bail!("the configuration was not accepted: nothing was changed");
    }
    let timings = apply(&out, &pool, &members, &plan, request.wait_timeout)?;
    out.line(
        Style::Ok,
        format!(
            "[OK] {} nodes joined and agree ({:.2} s)",
            members.len(),
            started.elapsed().as_secs_f64()
        ),
    );
    final_check(opts, &out, &members, &plan, timings)
}

/// Checks the request, validates every node (nothing is written) and plans the cluster.
fn load_and_plan(
    opts: &ConnectOptions,
    request: &CreateRequest,
) -> anyhow::Result<(NodePool, Vec<Member>, CreatePlan)> {
    master_count(request.addrs.len(), request.replicas)
        .context("invalid configuration for cluster creation")?;
    let (pool, members) = validate(opts, &request.addrs)?;
    let nodes: Vec<CreateNode> = members
        .iter()
        .map(|m| CreateNode {
            addr: m.addr.clone(),
            host: m.ip.clone(),
        })
        .collect();
    let plan = plan_create(&nodes, request.replicas)?;
    Ok((pool, members, plan))
}

/// Bootstraps the cluster with a spinner, saying each step as redis-cli does.
fn apply(
    out: &Output,
    pool: &NodePool,
    members: &[Member],
    plan: &CreatePlan,
    wait_timeout: Duration,
) -> anyhow::Result<Timings> {
    let spinner = Spinner::start(out, "assigning slots");
    let phase = std::cell::RefCell::new("assigning slots");
    let timings = bootstrap(
        pool,
        members,
        plan,
        wait_timeout,
        |step| {
            let (line, message) = step_text(step);
            *phase.borrow_mut() = message;
            spinner.set_message(message);
            if step == Step::Replicate && plan.replicas.is_empty() {
                return;
            }
            spinner.suspend(|| {
                for l in line.lines() {
                    out.line(Style::Info, l);
                }
            });
        },
        |lagging| spinner.set_message(format!("{} ({lagging} node(s) behind)", phase.borrow())),
    );
    spinner.finish();
    timings
}

/// A bootstrap step's lines (redis-cli's) and the spinner's message while it runs.
fn step_text(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::SlotsAndEpochs => (
            ">>> Nodes configuration updated\n>>> Assign a different config epoch to each node",
            "assigning slots and config epochs",
        ),
        Step::Meet => (
            ">>> Sending CLUSTER MEET messages to join the cluster\nWaiting for the cluster to join",
            "waiting for every node to see every other",
        ),
        Step::Replicate => (
            ">>> Setting up replicas",
            "waiting for every node to agree on the replicas",
        ),
        Step::Settle => (
            ">>> Waiting for cluster_state:ok on every node",
            "waiting for cluster_state:ok (Redis holds new masters back for \
             min(cluster-node-timeout, 5 s))",
        ),
    }
}

/// Loads the new cluster, warns about nodes known under another address, and runs the same
/// check as `check`; prints the JSON document.
fn final_check(
    opts: &ConnectOptions,
    out: &Output,
    members: &[Member],
    plan: &CreatePlan,
    timings: Timings,
) -> anyhow::Result<Created> {
    let snapshot = Snapshot::load(opts, &members[0].addr)?;
    out.doc(&announced_address_warnings(&snapshot, members));
    let mut report = check(&snapshot, None);
    let syncing = report.expect_initial_sync();
    out.doc(&text::check_report(&snapshot, &report));
    if syncing > 0 {
        out.line(
            Style::Info,
            format!(
                ">>> {syncing} replica(s) are starting their first sync with their masters; \
                 `rcluster nodes` shows when their links are up"
            ),
        );
    }
    out.json(&CreateJson::new(
        plan,
        members,
        false,
        Some(timings),
        Some((&snapshot, &report)),
    ));
    let outcome = if report.healthy() {
        Outcome::Success
    } else {
        Outcome::Problems
    };
    Ok(Created {
        outcome,
        snapshot: Some(snapshot),
    })
}

/// Connects to and probes every node concurrently; returns the open pool and the members, or
/// an error listing every node that cannot join and why. Nothing is written.
fn validate(opts: &ConnectOptions, addrs: &[NodeAddr]) -> anyhow::Result<(NodePool, Vec<Member>)> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let ips: Vec<Option<String>> = addrs
        .iter()
        .map(|a| match resolve_ip(a, opts.prefer_ipv6) {
            Ok(ip) => Some(ip),
            Err(e) => {
                problems.push((a.to_string(), format!("{e:#}")));
                None
            }
        })
        .collect();
    let conns = NodePool::connect_all(opts, addrs);
    let mut open = Vec::new();
    let mut members = Vec::new();
    let mut seen_addr: HashMap<(String, u16), String> = HashMap::new();
    let mut seen_id: HashMap<String, String> = HashMap::new();
    for ((addr, ip), conn) in addrs.iter().zip(ips).zip(conns) {
        let label = addr.to_string();
        if let Some(ip) = &ip
            && let Some(first) = seen_addr.insert((ip.clone(), addr.port), label.clone())
        {
            problems.push((label, format!("is the same address as {first}")));
            continue;
        }
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                problems.push((label, e.message));
                continue;
            }
        };
        let probe = match probe_conn(&mut conn) {
            Ok(p) => p,
            Err(e) => {
                problems.push((label, e.message));
                continue;
            }
        };
        if let Some(first) = seen_id.insert(probe.myself.id.clone(), label.clone()) {
            problems.push((label, format!("is the same node as {first} (same node id)")));
            continue;
        }
        for p in join_problems(&probe) {
            problems.push((label.clone(), p));
        }
        let Some(ip) = ip else { continue };
        members.push(Member {
            addr: addr.clone(),
            ip,
            id: probe.myself.id.clone(),
            bus_port: probe
                .myself
                .bus_port
                .unwrap_or(addr.port.wrapping_add(10000)),
            server: probe.info.server,
        });
        open.push(conn);
    }
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .iter()
            .map(|(node, why)| format!("  {node}: {why}"))
            .collect();
        bail!(
            "{} of {} node(s) cannot join a new cluster; nothing was changed:\n{}",
            problems
                .iter()
                .map(|(n, _)| n)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            addrs.len(),
            lines.join("\n")
        );
    }
    Ok((NodePool::new(open), members))
}

/// Warnings for nodes the cluster knows under another address than the one given (the
/// docker/NAT pitfall: clients are redirected to the announced address).
fn announced_address_warnings(snapshot: &Snapshot, members: &[Member]) -> Doc {
    let mut doc = Doc::new();
    for m in members {
        let Some(node) = snapshot.node(&m.id) else {
            continue;
        };
        let Some(known) = node.addr() else { continue };
        if known.host != m.ip || known.port != m.addr.port {
            doc.push(
                Style::Warn,
                format!(
                    "[WARNING] {} is known in the cluster as {known}: clients and other nodes \
                     will use that address, so it must be reachable from where they run",
                    m.addr
                ),
            );
        }
    }
    doc
}

/// `create --json`.
#[derive(Serialize)]
struct CreateJson<'a> {
    dry_run: bool,
    created: bool,
    plan: PlanJson,
    timings_ms: Option<Timings>,
    check: Option<CheckJson<'a>>,
}

impl<'a> CreateJson<'a> {
    fn new(
        plan: &CreatePlan,
        members: &[Member],
        dry_run: bool,
        timings: Option<Timings>,
        checked: Option<(&Snapshot, &'a CheckReport)>,
    ) -> Self {
        CreateJson {
            dry_run,
            created: !dry_run,
            plan: PlanJson::new(plan, members),
            timings_ms: timings,
            check: checked.map(|(s, r)| CheckJson::new(s, r)),
        }
    }
}

/// The plan in JSON.
#[derive(Serialize)]
struct PlanJson {
    replicas_per_master: usize,
    anti_affinity_score: u64,
    masters: Vec<PlannedMasterJson>,
    replicas: Vec<PlannedReplicaJson>,
}

#[derive(Serialize)]
struct PlannedMasterJson {
    addr: String,
    id: String,
    slots: crate::cluster::slots::SlotRange,
    slot_count: usize,
}

#[derive(Serialize)]
struct PlannedReplicaJson {
    addr: String,
    id: String,
    master_addr: String,
    master_id: String,
}

impl PlanJson {
    fn new(plan: &CreatePlan, members: &[Member]) -> Self {
        PlanJson {
            replicas_per_master: plan.replicas_per_master,
            anti_affinity_score: plan.score,
            masters: plan
                .masters
                .iter()
                .map(|m| PlannedMasterJson {
                    addr: members[m.node].addr.to_string(),
                    id: members[m.node].id.clone(),
                    slots: m.slots,
                    slot_count: m.slots.len(),
                })
                .collect(),
            replicas: plan
                .replicas
                .iter()
                .map(|r| {
                    let master = &members[plan.masters[r.master].node];
                    PlannedReplicaJson {
                        addr: members[r.node].addr.to_string(),
                        id: members[r.node].id.clone(),
                        master_addr: master.addr.to_string(),
                        master_id: master.id.clone(),
                    }
                })
                .collect(),
        }
    }
}
