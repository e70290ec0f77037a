//! `rcluster fix`: diagnose, plan, confirm, act, check again, and repeat (a few rounds) until
//! the cluster is healthy. The plan is pure data from the diagnosis (see
//! [`crate::cluster::plan::fix`]); this module gathers, prints and applies it.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::bail;
use serde::Serialize;

use super::migration;
use crate::address::NodeAddr;
use crate::cli::FixArgs;
use crate::cluster::plan::engine::EngineChoice;
use crate::cluster::plan::fix::{
    Diagnosis, FixOptions, FixPlan, Problem, SlotFix, grouped, plan_fix,
};
use crate::cluster::plan::rejoin::plan_rejoin;
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::check::{CheckReport, check};
use crate::error::Outcome;
use crate::exec::fix::{FixReport, apply, diagnose};
use crate::exec::migrate::{ConflictLog, DroppedCopy, Endpoint, MigrateSettings};
use crate::exec::rejoin as rejoin_exec;
use crate::net::conn::ConnectOptions;
use crate::output::{Doc, Output, Style};
use crate::probe::scan::stray_keys;
use crate::prompt;
use crate::report::migration::throttle_lines;
use crate::report::text;
use crate::settings;

/// Diagnose-and-repair rounds before giving up.
const ROUNDS: usize = 3;
/// How long to wait for every node to agree after a round.
const SETTLE: Duration = Duration::from_secs(10);
/// Dropped copies named one per line; the rest are counted.
const DROPPED_LISTED: usize = 10;

/// One group of slots with the same decision, for JSON.
#[derive(Serialize)]
struct FixJson {
    slots: String,
    problem: Problem,
    owner: String,
    owner_id: String,
    finish_from: Option<String>,
    keys_from: Vec<String>,
    reason: String,
}

/// Slots left alone, for JSON.
#[derive(Serialize)]
struct RefusalJson {
    slots: String,
    reason: String,
}

/// Slots open only on a master's replicas, for JSON.
#[derive(Serialize)]
struct ReplicaResetJson {
    master: String,
    master_id: String,
    slots: String,
}

/// One round, for JSON.
#[derive(Serialize)]
struct RoundJson {
    plan: Vec<FixJson>,
    replica_resets: Vec<ReplicaResetJson>,
    refused: Vec<RefusalJson>,
    result: Option<FixReport>,
}

/// The JSON document of `fix`.
#[derive(Serialize)]
struct FixDoc {
    dry_run: bool,
    healthy_before: bool,
    rounds: Vec<RoundJson>,
    /// The file the dropped copies were saved to, when any was dropped.
    conflicts_file: Option<String>,
    check: migration::FinalCheck,
}

/// How long nodes given to `--rejoin` may take to see each other at their new addresses.
const REJOIN_TIMEOUT: Duration = Duration::from_secs(30);

/// `--rejoin`: reaches the entry node and every given address, plans the MEETs (refusing a
/// node the entry does not know), prints the plan, and, unless `--dry-run`, confirms, sends
/// them and waits until every node sees every other at its current address. With
/// `--dry-run`, returns the outcome to exit with.
fn rejoin(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
    args: &FixArgs,
) -> anyhow::Result<Outcome> {
    let mut addrs = vec![entry.clone()];
    for given in &args.rejoin {
        addrs.push(settings::node_addr(std::slice::from_ref(given))?);
    }
    let nodes = rejoin_exec::reach(opts, &addrs)?;
    let plan = plan_rejoin(&nodes).map_err(|refusal| anyhow::anyhow!("{refusal}"))?;
    out.line(
        Style::Info,
        format!(
            ">>> Rejoining {} nodes at their current addresses",
            nodes.len()
        ),
    );
    for (node, old) in nodes.iter().zip(&plan.old_addresses) {
        let was = old
            .as_ref()
            .map_or_else(String::new, |o| format!(", known as {o}"));
        out.line(
            Style::Plain,
            format!(
                "  {} ({}) is node {}{was}",
                node.given,
                node.current_addr(),
                node.myself.id
            ),
        );
    }
    for (id, addr) in &plan.not_given {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] Node {id} (last known at {addr}) was not given: it stays unreachable \
                 until it is given too"
            ),
        );
    }
    if plan.meets.is_empty() {
        out.line(
            Style::Ok,
            "[OK] Every node already sees the others at their current addresses.",
        );
        return Ok(Outcome::Success);
    }
    out.line(
        Style::Plain,
        format!(
            "  {} CLUSTER MEET(s) to send, each node to the others it does not reach",
            plan.meets.len()
        ),
    );
    if args.dry_run {
        out.line(Style::Info, ">>> Dry run: no node was told anything.");
        return Ok(Outcome::Problems);
    }
    if !prompt::confirm("Tell the nodes where the others are now?", args.yes)? {
        bail!("fix cancelled: nothing was changed");
    }
    let took = rejoin_exec::apply(opts, &nodes, &plan, REJOIN_TIMEOUT)?;
    out.line(
        Style::Ok,
        format!(
            "[OK] Every node sees the others at their current addresses ({:.2} s).",
            took.as_secs_f64()
        ),
    );
    Ok(Outcome::Success)
}

/// What `fix` was asked to do, once the options are checked.
struct FixSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// How keys move (one batch at a time, MIGRATE only).
    migrate: MigrateSettings,
    /// Where copies dropped in favour of the owner's are saved.
    conflicts: ConflictLog,
    /// What the planner may do.
    options: FixOptions,
    /// `--dry-run`.
    dry_run: bool,
    /// `--yes`.
    yes: bool,
    /// `--search-multiple-owners`.
    search: bool,
    /// `--wait-timeout`, in seconds.
    wait_timeout: f64,
}

impl FixSettings {
    /// Checks the options (usage errors, nothing contacted).
    fn from_args(opts: &ConnectOptions, args: &FixArgs) -> anyhow::Result<Self> {
        let entry = settings::node_addr(&args.target.node)?;
        let migrate = migration::settings(&args.keys, 1, EngineChoice::Legacy, opts)?;
        Ok(FixSettings {
            entry,
            migrate,
            conflicts: ConflictLog::new(conflicts_path(args)),
            options: FixOptions {
                fix_with_unreachable: args.fix_with_unreachable_masters,
            },
            dry_run: args.dry_run,
            yes: args.yes,
            search: args.search_multiple_owners,
            wait_timeout: args.wait_timeout,
        })
    }
}

/// Runs `rcluster fix`.
pub(crate) fn run(opts: &ConnectOptions, out: Output, args: &FixArgs) -> anyhow::Result<Outcome> {
    let settings = FixSettings::from_args(opts, args)?;
    let mut doc = FixDoc {
        dry_run: settings.dry_run,
        healthy_before: false,
        rounds: Vec::new(),
        conflicts_file: None,
        check: migration::FinalCheck {
            healthy: false,
            errors: Vec::new(),
        },
    };
    if !args.rejoin.is_empty() {
        let rejoined = rejoin(opts, &out, &settings.entry, args)?;
        if settings.dry_run {
            return Ok(rejoined);
        }
    }
    let loaded = wait_for_jobs(opts, &out, &settings.entry)?;
    if let ControlFlow::Break(outcome) = fix_rounds(opts, &out, &settings, loaded, &mut doc)? {
        return Ok(outcome);
    }
    if settings.conflicts.used() {
        doc.conflicts_file = Some(settings.conflicts.path().display().to_string());
    }
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let report = full_check(opts, &snapshot, settings.search)?;
    out.doc(&text::check_report(&snapshot, &report));
    doc.check = migration::FinalCheck {
        healthy: report.healthy(),
        errors: report.errors(),
    };
    out.json(&doc);
    Ok(if report.healthy() {
        Outcome::Success
    } else {
        Outcome::Problems
    })
}

/// Waits for running slot migration jobs, and refuses to act while one still runs: it has
/// no open slot to close, but its target already holds keys of slots it does not own yet.
/// Returns the cluster as last loaded.
fn wait_for_jobs(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
) -> anyhow::Result<Snapshot> {
    let (loaded, running) = migration::wait_for_running_jobs(opts, out, entry)?;
    if running {
        bail!(
            "slot migration jobs are still running after {} s: fix changes nothing while the \
             servers move slots. `rcluster check {entry}` shows them; they finish or roll back \
             on their own (CLUSTER CANCELSLOTMIGRATIONS on their source cancels them)",
            migration::JOBS_WAIT.as_secs()
        );
    }
    Ok(loaded)
}

/// Diagnose, plan, confirm (the first round) and apply, up to [`ROUNDS`] times, until
/// nothing is left to do or a round makes no progress. Breaks with the outcome to exit with
/// (its JSON document printed) when the cluster is healthy or after a dry run.
fn fix_rounds(
    opts: &ConnectOptions,
    out: &Output,
    settings: &FixSettings,
    loaded: Snapshot,
    doc: &mut FixDoc,
) -> anyhow::Result<ControlFlow<Outcome>> {
    let mut first = Some(loaded);
    for round in 1..=ROUNDS {
        let (snapshot, report) = load_round(opts, out, settings, first.take(), round, doc)?;
        let (diagnosis, endpoints) = diagnose(opts, &snapshot, settings.search)?;
        let plan = plan_fix(&diagnosis, settings.options);
        let mut round_doc = RoundJson::new(&plan, &diagnosis);
        if !plan.has_work() {
            doc.rounds.push(round_doc);
            out.doc(&refusals_text(&plan, &diagnosis, &snapshot));
            if plan.refusals.is_empty() && report.healthy() {
                return Ok(ControlFlow::Break(healthy(out, round, doc)));
            }
            break;
        }
        out.doc(&plan_text(&plan, &diagnosis, round));
        out.doc(&throttle_lines(
            migration::throttle_limits(&settings.migrate),
            "  ",
        ));
        out.doc(&refusals_text(&plan, &diagnosis, &snapshot));
        if settings.dry_run {
            out.line(Style::Info, ">>> Dry run: nothing was changed.");
            doc.rounds.push(round_doc);
            doc.check = migration::FinalCheck {
                healthy: report.healthy(),
                errors: report.errors(),
            };
            out.json(doc);
            return Ok(ControlFlow::Break(Outcome::Problems));
        }
        if round == 1 && !prompt::confirm("Fix these slots as planned?", settings.yes)? {
            bail!("fix cancelled: nothing was changed");
        }
        let result = apply_round(opts, out, &endpoints, &plan, settings);
        let progress_made = result.fixed > 0;
        round_doc.result = Some(result);
        doc.rounds.push(round_doc);
        settle(opts, &settings.entry);
        if !progress_made {
            break;
        }
    }
    Ok(ControlFlow::Continue(()))
}

/// A round's cluster and check: the snapshot given (else a fresh one), after waiting for
/// masters that are down only for now; the first round prints the summary and the check.
fn load_round(
    opts: &ConnectOptions,
    out: &Output,
    settings: &FixSettings,
    loaded: Option<Snapshot>,
    round: usize,
    doc: &mut FixDoc,
) -> anyhow::Result<(Snapshot, CheckReport)> {
    let mut snapshot = match loaded {
        Some(snapshot) => snapshot,
        None => Snapshot::load(opts, &settings.entry)?,
    };
    let mut report = full_check(opts, &snapshot, settings.search)?;
    if !settings.dry_run
        && !report.healthy()
        && let Some(fresh) = wait_until_up(opts, out, settings, &snapshot, &report)
    {
        snapshot = fresh;
        report = full_check(opts, &snapshot, settings.search)?;
    }
    if round == 1 {
        doc.healthy_before = report.healthy();
        out.doc(&text::info_summary(&snapshot));
        out.doc(&text::check_report(&snapshot, &report));
    }
    Ok((snapshot, report))
}

/// Nothing to do and the check passes: says so and prints the document.
fn healthy(out: &Output, round: usize, doc: &mut FixDoc) -> Outcome {
    out.line(
        Style::Ok,
        if round == 1 {
            "[OK] The cluster is healthy: nothing to fix."
        } else {
            "[OK] The cluster is healthy."
        },
    );
    doc.check = migration::FinalCheck {
        healthy: true,
        errors: Vec::new(),
    };
    out.json(doc);
    Outcome::Success
}

impl RoundJson {
    /// A round's plan, before it is applied.
    fn new(plan: &FixPlan, diagnosis: &Diagnosis) -> Self {
        RoundJson {
            plan: plan_json(plan, diagnosis),
            replica_resets: plan
                .replica_resets
                .iter()
                .map(|r| ReplicaResetJson {
                    master: diagnosis.nodes[r.master].addr.clone(),
                    master_id: diagnosis.nodes[r.master].id.clone(),
                    slots: r.slots.to_string(),
                })
                .collect(),
            refused: plan
                .refusals
                .iter()
                .map(|r| RefusalJson {
                    slots: r.slots.to_string(),
                    reason: r.reason.clone(),
                })
                .collect(),
            result: None,
        }
    }
}

/// Reachable masters that report `cluster_state:fail` while every slot is covered: a state
/// that passes by itself (a master just back from a stop, its failure flag still clearing),
/// not one that fix repairs. Acting then fails with CLUSTERDOWN on every slot. A master with
/// a slot open from or to a failed node is not counted: fix is what repairs that.
fn down_for_now(snapshot: &Snapshot, report: &CheckReport) -> Vec<String> {
    if !report.uncovered.is_empty() {
        return Vec::new();
    }
    // A master that imports or migrates a slot from or to a failed node stays down until
    // fix closes that slot (it ignores the claim of the failed node's promoted replica):
    // waiting for it would only wait out the timeout.
    let failed = |id: &str| {
        snapshot
            .nodes
            .iter()
            .any(|n| n.id() == id && !n.reachable() && n.seen.flags.fail)
    };
    let open_with_failed_peer = |node: &crate::cluster::snapshot::NodeState| {
        let line = node.current();
        line.importing
            .iter()
            .chain(&line.migrating)
            .any(|open| failed(&open.peer))
    };
    snapshot
        .nodes
        .iter()
        .filter(|n| n.is_master())
        .filter(|n| n.probe().is_some_and(|p| !p.info.cluster_state_ok))
        .filter(|n| !open_with_failed_peer(n))
        .map(|n| n.addr_text())
        .collect()
}

/// Before acting: when masters report `cluster_state:fail` although every slot is covered,
/// waits (up to `--wait-timeout`) until they report `cluster_state:ok`, saying so, and returns
/// the snapshot loaded then; `None` when there was nothing to wait for. After the wait fix
/// goes on either way (what is left may be what keeps them down).
fn wait_until_up(
    opts: &ConnectOptions,
    out: &Output,
    settings: &FixSettings,
    snapshot: &Snapshot,
    report: &CheckReport,
) -> Option<Snapshot> {
    let (entry, wait_timeout) = (&settings.entry, settings.wait_timeout);
    let down = down_for_now(snapshot, report);
    if down.is_empty() || wait_timeout <= 0.0 {
        return None;
    }
    out.line(
        Style::Info,
        format!(
            ">>> Waiting up to {} s for {} to report cluster_state:ok before fixing (every \
             slot is covered: the state should pass by itself)",
            wait_timeout,
            down.join(", ")
        ),
    );
    let deadline = Instant::now() + Duration::from_secs_f64(wait_timeout.min(3600.0));
    let mut last = None;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        let Ok(fresh) = Snapshot::load(opts, entry) else {
            continue;
        };
        let still = down_for_now(&fresh, &check(&fresh, None));
        if still.is_empty() {
            out.line(Style::Ok, "[OK] Every master reports cluster_state:ok.");
            return Some(fresh);
        }
        last = Some((fresh, still));
    }
    let (fresh, still) = last?;
    out.line(
        Style::Warn,
        format!(
            "[WARNING] {} still report(s) cluster_state:fail after {} s; fixing anyway",
            still.join(", "),
            wait_timeout
        ),
    );
    Some(fresh)
}

/// The check, with the multiple-owners key scan when asked for.
fn full_check(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    search: bool,
) -> anyhow::Result<CheckReport> {
    let stray = if search {
        Some(stray_keys(opts, snapshot)?)
    } else {
        None
    };
    Ok(check(snapshot, stray.as_ref()))
}

/// Applies one round's plan, printing a line per group of slots as it goes.
fn apply_round(
    opts: &ConnectOptions,
    out: &Output,
    endpoints: &[Endpoint],
    plan: &FixPlan,
    settings: &FixSettings,
) -> FixReport {
    let conflicts = &settings.conflicts;
    let started = Instant::now();
    // Failures with the same reason are said once, with their slots as ranges.
    let mut failures: BTreeMap<String, SlotSet> = BTreeMap::new();
    let report = apply(
        opts,
        endpoints,
        plan,
        &settings.migrate,
        Some(conflicts),
        |fix, result| {
            if let Err(reason) = result {
                failures.entry(reason.clone()).or_default().insert(fix.slot);
            }
        },
    );
    for (reason, slots) in &failures {
        let what = if slots.len() == 1 {
            format!("Slot {slots}")
        } else {
            format!("Slots {} ({})", slots.abbreviated(), slots.len())
        };
        out.line(Style::Err, format!("[ERR] {what} not fixed: {reason}"));
    }
    out.doc(&dropped_copies_text(&report.dropped_copies, conflicts));
    for note in &report.notes {
        out.line(Style::Warn, format!("[WARNING] {note}"));
    }
    let secs = started.elapsed().as_secs_f64();
    if report.failed.is_empty() {
        out.line(
            Style::Ok,
            format!(
                "[OK] Fixed {} slot(s), moved {} key(s), in {secs:.2} s.",
                report.fixed, report.keys_moved
            ),
        );
    } else {
        out.line(
            Style::Err,
            format!(
                "[ERR] Fixed {} slot(s), {} failed, moved {} key(s), in {secs:.2} s. No key \
                 was dropped: what could not move stays where it is.",
                report.fixed,
                report.failed.len(),
                report.keys_moved
            ),
        );
    }
    report
}

/// Copies dropped in favour of the owner's, listed in the conflicts file (at most
/// [`DROPPED_LISTED`] named).
fn dropped_copies_text(dropped: &[DroppedCopy], conflicts: &ConflictLog) -> Doc {
    let mut doc = Doc::new();
    if dropped.is_empty() {
        return doc;
    }
    doc.push(
        Style::Warn,
        format!(
            "[WARNING] {} key(s) existed on two masters with different values: kept the copy \
             on the slot's owner, which clients were sent to meanwhile; the other copies are \
             saved in {} (one JSON line per key, with its TTL and DUMP payload: RESTORE brings \
             one back)",
            dropped.len(),
            conflicts.path().display()
        ),
    );
    for copy in dropped.iter().take(DROPPED_LISTED) {
        doc.push(
            Style::Plain,
            format!(
                "  {} (slot {}): kept on {}, dropped from {}",
                copy.key, copy.slot, copy.kept_on, copy.dropped_from
            ),
        );
    }
    if dropped.len() > DROPPED_LISTED {
        doc.push(
            Style::Plain,
            format!("  ... and {} more", dropped.len() - DROPPED_LISTED),
        );
    }
    doc
}

/// `--conflicts-file`, or `rcluster-fix-conflicts-<unix time>.jsonl` in the current directory.
fn conflicts_path(args: &FixArgs) -> PathBuf {
    args.conflicts_file.clone().unwrap_or_else(|| {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        PathBuf::from(format!("rcluster-fix-conflicts-{secs}.jsonl"))
    })
}

/// Waits (bounded) until every node agrees and no slot is open, so that the next round and
/// the final check see the result and not nodes that are still catching up.
fn settle(opts: &ConnectOptions, entry: &NodeAddr) {
    let started = Instant::now();
    while started.elapsed() < SETTLE {
        if let Ok(snapshot) = Snapshot::load(opts, entry) {
            let report = check(&snapshot, None);
            if report.slots_agree && report.open_slot_numbers.is_empty() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The plan in plain words: one line per group of slots with the same decision.
fn plan_text(plan: &FixPlan, diagnosis: &Diagnosis, round: usize) -> Doc {
    let mut doc = Doc::new();
    let count = plan.fixes.len()
        + plan
            .replica_resets
            .iter()
            .map(|r| r.slots.len())
            .sum::<usize>();
    let heading = if round == 1 {
        format!(">>> Fixing {count} slot(s):")
    } else {
        format!(">>> Round {round}: {count} slot(s) still need fixing:")
    };
    doc.push(Style::Info, heading);
    for (slots, fix) in grouped(&plan.fixes) {
        doc.plain(format!("  {}", describe(&slots, fix, diagnosis)));
    }
    for reset in &plan.replica_resets {
        let word = if reset.slots.len() == 1 {
            "slot"
        } else {
            "slots"
        };
        doc.plain(format!(
            "  {word} {}: open on a replica of {} only (a SETSLOT its master never ran); \
             {} sets them STABLE, which its replicas follow",
            reset.slots, diagnosis.nodes[reset.master].addr, diagnosis.nodes[reset.master].addr
        ));
    }
    doc
}

/// `slots 0-99: owner A; keys from B, C (reason)`.
fn describe(slots: &SlotSet, fix: &SlotFix, diagnosis: &Diagnosis) -> String {
    let addr = |i: usize| diagnosis.nodes[i].addr.clone();
    let word = if slots.len() == 1 { "slot" } else { "slots" };
    let mut text = format!("{word} {slots}: {}", fix.reason);
    let from: Vec<String> = fix.holders.iter().map(|(i, _)| addr(*i)).collect();
    if !from.is_empty() {
        text.push_str(&format!(
            "; keys move from {} to {}",
            from.join(", "),
            addr(fix.owner)
        ));
        if fix.owner_copy_wins {
            text.push_str(&format!(
                " (where both hold a key with different values, {}'s copy is kept and the \
                 other saved to the conflicts file)",
                addr(fix.owner)
            ));
        }
    } else {
        text.push_str(&format!("; {} serves it", addr(fix.owner)));
    }
    text
}

/// The slots left alone and why, with the replicas that could take over.
fn refusals_text(plan: &FixPlan, diagnosis: &Diagnosis, snapshot: &Snapshot) -> Doc {
    let mut doc = Doc::new();
    for refusal in &plan.refusals {
        doc.push(
            Style::Err,
            format!(
                "[ERR] Not fixing slots {} ({}): {}",
                refusal.slots,
                refusal.slots.len(),
                refusal.reason
            ),
        );
        let master = &diagnosis.nodes[refusal.master];
        let replicas: Vec<String> = snapshot
            .replicas_of(&master.id)
            .filter(|r| r.reachable())
            .map(|r| r.addr_text())
            .collect();
        if replicas.is_empty() {
            doc.plain(format!(
                "   {} has no reachable replica: restart it (its data is in its RDB/AOF files, \
                 if it persists), or reassign its slots with --fix-with-unreachable-masters.",
                master.addr
            ));
        } else {
            doc.plain(format!(
                "   Its reachable replica(s): {}. Promote one: rcluster failover {} --force",
                replicas.join(", "),
                replicas[0]
            ));
        }
    }
    doc
}

/// The plan for JSON, grouped as printed.
fn plan_json(plan: &FixPlan, diagnosis: &Diagnosis) -> Vec<FixJson> {
    let node = |i: usize| &diagnosis.nodes[i];
    grouped(&plan.fixes)
        .into_iter()
        .map(|(slots, fix)| FixJson {
            slots: slots.to_string(),
            problem: fix.problem,
            owner: node(fix.owner).addr.clone(),
            owner_id: node(fix.owner).id.clone(),
            finish_from: fix.finish_from.map(|i| node(i).addr.clone()),
            keys_from: fix
                .holders
                .iter()
                .map(|(i, _)| node(*i).addr.clone())
                .collect(),
            reason: fix.reason.clone(),
        })
        .collect()
}
