//! What reshard and rebalance share: turning `--timeout`/`--pipeline`/... into engine
//! settings, loading a cluster that is fit for moving (waiting briefly for views that only
//! lag), running the engine with progress, and the final check.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::{EngineArg, EngineOpts, KeyMoveOpts};
use crate::cluster::parse::capabilities::Capabilities;
use crate::cluster::parse::info::{ModuleInfo, numbered_dbs_used};
use crate::cluster::plan::engine::{
    Engine, EngineChoice, NoAtomicMigration, choose_engines, module_vetoes,
};
use crate::cluster::plan::fix::{FixOptions, FixPlan, ReplicaReset, plan_fix};
use crate::cluster::plan::moves::{MovePlan, PairMoves, PlanNode};
use crate::cluster::slots::{SlotSet, slot_list};
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::check::{CheckReport, check};
use crate::cluster::verdict::jobs::any_running;
use crate::cluster::verdict::preflight::{Preflight, preflight};
use crate::error::{Outcome, UsageError};
use crate::exec::fix::{apply as apply_fix, diagnose};
use crate::exec::migrate::{
    Endpoint, Job, MigrateSettings, MigrationReport, Observer, PairReport, atomic_vetoes, migrate,
};
use crate::exec::throttle::{Limits, Throttle};
use crate::net::conn::ConnectOptions;
use crate::output::{Output, Style};
use crate::progress::MigrationBar;
use crate::report::migration::{Named, fallback_note, pair_line, summary, throttle_lines};

/// How long views that only lag behind (replicas still learning the last change) are waited
/// for before a move is refused.
const LAG_WAIT: Duration = Duration::from_secs(5);
/// Longest MIGRATE timeout for a batch of keys: a batch that takes longer is retried key by
/// key with the full `--timeout`.
const BATCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Shortest MIGRATE timeout for a batch (unless `--timeout` itself is shorter).
const MIN_BATCH_TIMEOUT: Duration = Duration::from_secs(1);
/// How long running slot migration jobs are waited for before a move is planned.
pub(crate) const JOBS_WAIT: Duration = Duration::from_secs(60);
/// How long a target may take to report `cluster_state:ok`.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// The engine `--engine` (or valkey-cli's `--cluster-use-atomic-slot-migration`) asks for.
pub(crate) fn engine_choice(opts: &EngineOpts) -> EngineChoice {
    if opts.use_atomic_slot_migration {
        return EngineChoice::Atomic;
    }
    match opts.engine {
        EngineArg::Auto => EngineChoice::Auto,
        EngineArg::Atomic => EngineChoice::Atomic,
        EngineArg::Legacy => EngineChoice::Legacy,
    }
}

/// Validates the key-moving options; `parallel` is the number of batches (atomic: sources) in
/// flight.
pub(crate) fn settings(
    opts: &KeyMoveOpts,
    parallel: usize,
    engine: EngineChoice,
    connect: &ConnectOptions,
) -> anyhow::Result<MigrateSettings> {
    let limits = Limits::new(
        opts.throttle.max_keys_per_sec,
        opts.throttle.max_bytes_per_sec,
    );
    if !limits.unlimited() && engine == EngineChoice::Atomic {
        bail!(UsageError::new(format!(
            "--engine atomic cannot be throttled ({}): the servers move the slots at their own \
             pace. Leave the throttle out, or leave --engine out (auto moves every pair with \
             MIGRATE under a throttle). Nothing was changed",
            limits.describe()
        )));
    }
    let timeout = Duration::from_millis(opts.migrate_timeout_ms);
    Ok(MigrateSettings {
        timeout,
        batch_timeout: batch_timeout(timeout),
        io_timeout: connect.io_timeout,
        batch_keys: opts.pipeline,
        replace: opts.replace,
        parallel,
        auth: connect.auth.clone(),
        ready_timeout: READY_TIMEOUT,
        engine,
        throttle: Throttle::new(limits).map(Arc::new),
    })
}

/// MIGRATE timeout for batches: a tenth of `--timeout`, between 1 s (or `--timeout` when
/// shorter) and 10 s, so that a key retried alone gets a longer timeout than its batch had.
fn batch_timeout(timeout: Duration) -> Duration {
    (timeout / 10).clamp(timeout.min(MIN_BATCH_TIMEOUT), BATCH_TIMEOUT)
}

/// A cluster loaded for a move, with the plan made from it and the preflight judgement.
pub(crate) struct Prepared<P> {
    /// The cluster.
    pub(crate) snapshot: Snapshot,
    /// The planner's result.
    pub(crate) planned: P,
    /// The judgement (clear, or why not).
    pub(crate) preflight: Preflight,
}

/// Loads the cluster through `entry` and plans with `plan`; `scope` names the plan's moves
/// and the nodes that must be healthy besides those the moves touch. Slot migration jobs
/// still running (a move whose rcluster was killed, or someone else's) are waited for first,
/// so that the plan starts from where they leave the slots and nothing moves twice. When the
/// only objections are nodes whose views lag behind, reloads and replans for up to a few
/// seconds.
pub(crate) fn load_and_plan<P>(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
    plan: impl Fn(&[PlanNode]) -> anyhow::Result<P>,
    scope: impl Fn(&P) -> (&MovePlan, Vec<usize>),
) -> anyhow::Result<Prepared<P>> {
    // A job still running after the wait is a blocker of the preflight if it moves any of the
    // planned slots.
    let mut first = Some(wait_for_running_jobs(opts, out, entry)?.0);
    let started = Instant::now();
    loop {
        let snapshot = match first.take() {
            Some(snapshot) => snapshot,
            None => Snapshot::load(opts, entry)?,
        };
        let nodes = PlanNode::from_snapshot(&snapshot);
        let planned = plan(&nodes)?;
        let report = check(&snapshot, None);
        let (moves, also_involved) = scope(&planned);
        let judged = preflight(&snapshot, &report, moves, &also_involved);
        if judged.clear() || !judged.transient || started.elapsed() >= LAG_WAIT {
            return Ok(Prepared {
                snapshot,
                planned,
                preflight: judged,
            });
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Waits, up to [`JOBS_WAIT`], until no master reports a running slot migration job; says so
/// once when there is one. Returns the cluster as last loaded, and true when a job is still
/// running (one load and no wait when none runs).
pub(crate) fn wait_for_running_jobs(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
) -> anyhow::Result<(Snapshot, bool)> {
    let started = Instant::now();
    let mut said = false;
    loop {
        let snapshot = Snapshot::load(opts, entry)?;
        let running = any_running(&snapshot);
        if !running || started.elapsed() >= JOBS_WAIT {
            return Ok((snapshot, running));
        }
        if !said {
            said = true;
            out.line(
                Style::Info,
                format!(
                    ">>> Waiting (up to {} s) for running slot migration jobs to finish \
                     (`rcluster check {entry}` shows them)...",
                    JOBS_WAIT.as_secs()
                ),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Loads the cluster and insists that its check passes (reloading for a few seconds while
/// the only problem is views catching up).
pub(crate) fn healthy_cluster(
    opts: &ConnectOptions,
    entry: &NodeAddr,
    out: &Output,
    verb: &str,
) -> anyhow::Result<Snapshot> {
    let started = Instant::now();
    loop {
        let snapshot = Snapshot::load(opts, entry)?;
        let report = check(&snapshot, None);
        if report.healthy() {
            return Ok(snapshot);
        }
        if started.elapsed() >= LAG_WAIT {
            let errors = report.errors();
            for e in &errors {
                out.line(Style::Err, format!("[ERR] {e}"));
            }
            bail!(
                "*** Please fix your cluster problems before {verb} ({}); nothing was changed. \
                 `rcluster check {entry}` shows them, `rcluster fix {entry}` repairs them",
                errors.join("; ")
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Prints the preflight's warnings, and fails with its blockers.
pub(crate) fn enforce(out: &Output, judged: &Preflight, verb: &str) -> anyhow::Result<()> {
    for warning in &judged.warnings {
        out.line(Style::Warn, format!("[WARNING] {warning}"));
    }
    if judged.clear() {
        return Ok(());
    }
    for blocker in &judged.blockers {
        out.line(Style::Err, format!("[ERR] {blocker}"));
    }
    if out.json {
        // The [ERR] lines are not printed in JSON mode: the error document carries them.
        bail!(
            "*** Please fix your cluster problems before {verb}: nothing was moved: {}",
            judged.blockers.join("; ")
        );
    }
    bail!(
        "*** Please fix your cluster problems before {verb}: nothing was moved. \
         `rcluster check HOST:PORT` shows them."
    )
}

/// The names of the snapshot's nodes, in plan index order.
pub(crate) fn names(snapshot: &Snapshot) -> Vec<Named> {
    snapshot
        .nodes
        .iter()
        .map(|n| Named {
            id: n.id().to_string(),
            addr: n.addr_text(),
        })
        .collect()
}

/// The engines chosen for a plan, and the notes that say why a pair does not move the way
/// its nodes could.
pub(crate) struct Engines {
    /// The engine of each pair, in the order of `plan.pairs()`.
    pub(crate) engines: Vec<Engine>,
    /// A line per pair vetoed from atomic migration (also printed as warnings), for JSON.
    pub(crate) notes: Vec<String>,
}

/// The engine of each pair of `plan` (in the order of `plan.pairs()`), as `settings.engine`
/// asks and the live cluster allows, checked before anything changes: `--engine atomic`
/// meeting a node without atomic slot migration, or a pair that must not move atomically (a
/// module without atomic slot migration support on one of its nodes, stale keys on a replica
/// of its target), is a usage error (auto moves such a pair with MIGRATE and says why). Under
/// a throttle, auto moves every pair with MIGRATE (the only engine rcluster can pace) and says
/// so when a pair could have moved atomically.
pub(crate) fn engines(
    opts: &ConnectOptions,
    out: &Output,
    snapshot: &Snapshot,
    plan: &MovePlan,
    settings: &MigrateSettings,
) -> anyhow::Result<Engines> {
    let nodes = Endpoint::from_snapshot(snapshot);
    let pairs = plan.pairs();
    let servers: Vec<Capabilities> = nodes.iter().map(|n| n.server).collect();
    let capable =
        choose_engines(&pairs, &servers, EngineChoice::Auto, &[]).expect("auto never refuses");
    let choice = match &settings.throttle {
        Some(throttle) if settings.engine == EngineChoice::Auto => {
            if capable.contains(&Engine::Atomic) {
                out.line(
                    Style::Info,
                    format!(
                        ">>> Throttled to {}: every pair moves with MIGRATE, also those whose \
                         nodes could move slots atomically (the servers' own slot migration \
                         cannot be throttled; leave the throttle out to use it)",
                        throttle.limits().describe()
                    ),
                );
            }
            EngineChoice::Legacy
        }
        _ => settings.engine,
    };
    let vetoes = if choice == EngineChoice::Legacy {
        vec![None; pairs.len()]
    } else {
        vetoes(opts, snapshot, &nodes, &pairs, &capable)
    };
    let engines = choose_engines(&pairs, &servers, choice, &vetoes).map_err(|refusal| {
        let node = &nodes[refusal.node.min(nodes.len().saturating_sub(1))];
        anyhow::Error::new(UsageError::new(format!(
            "--engine atomic: {} ({}) {}; leave --engine out (auto) or give --engine legacy to \
             move such pairs with MIGRATE. Nothing was changed",
            node.addr, node.id, refusal.reason
        )))
    })?;
    let mut notes = Vec::new();
    for ((pair, veto), engine) in pairs.iter().zip(&vetoes).zip(&engines) {
        if let (Some(veto), Engine::Legacy) = (veto, engine) {
            let (from, to) = (&nodes[pair.from].addr, &nodes[pair.to].addr);
            let reason = format!("{} {}", nodes[veto.node].addr, veto.reason);
            let note = fallback_note(&pair.slots, &from.to_string(), &to.to_string(), &reason);
            out.line(Style::Warn, format!("[WARNING] {note}"));
            notes.push(note);
        }
    }
    Ok(Engines { engines, notes })
}

/// Why each pair whose nodes could both move it atomically must not, checked on the live
/// cluster: a module without atomic slot migration support on either node (from the
/// snapshot's INFO), else, when numbered databases hold keys, stale keys on a replica of the
/// target. None for the pairs `capable` does not move atomically anyway.
fn vetoes(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    nodes: &[Endpoint],
    pairs: &[PairMoves],
    capable: &[Engine],
) -> Vec<Option<NoAtomicMigration>> {
    if !capable.contains(&Engine::Atomic) {
        return vec![None; pairs.len()];
    }
    let modules: Vec<Vec<ModuleInfo>> = snapshot
        .nodes
        .iter()
        .map(|n| {
            n.probe()
                .map(|p| p.info.modules.clone())
                .unwrap_or_default()
        })
        .collect();
    let by_module = module_vetoes(pairs, &modules);
    // The replica bug the other veto looks for needs keys in numbered databases.
    let by_replica = if numbered_dbs_used(&snapshot.master_keys_per_db()) {
        atomic_vetoes(opts, nodes, pairs)
    } else {
        vec![None; pairs.len()]
    };
    by_module
        .into_iter()
        .zip(by_replica)
        .zip(capable)
        .map(|((module, replica), engine)| {
            (*engine == Engine::Atomic)
                .then(|| module.or(replica))
                .flatten()
        })
        .collect()
}

/// The throttle's limits, for plans (`None` without a throttle).
pub(crate) fn throttle_limits(settings: &MigrateSettings) -> Option<Limits> {
    settings.throttle.as_ref().map(|t| t.limits())
}

/// The final state, for JSON.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FinalCheck {
    /// True when the check after the moves passed.
    pub(crate) healthy: bool,
    /// What the check found, in plain words.
    pub(crate) errors: Vec<String>,
}

/// After the printed plan: the throttle lines, then either the simulation's last line
/// (`dry_run`: None) or the moves ([`execute`]).
pub(crate) fn carry_out(
    opts: &ConnectOptions,
    out: &Output,
    snapshot: &Snapshot,
    plan: &MovePlan,
    engines: &[Engine],
    settings: &MigrateSettings,
    dry_run: bool,
) -> anyhow::Result<Option<(MigrationReport, FinalCheck, Outcome)>> {
    out.doc(&throttle_lines(throttle_limits(settings), ""));
    if dry_run {
        out.line(Style::Info, ">>> Simulation: nothing was moved.");
        return Ok(None);
    }
    execute(opts, out, snapshot, plan, engines, settings).map(Some)
}

/// Runs the engine on `plan` with progress, prints the summary, and checks the cluster
/// after. Returns the report, the final check and the outcome.
pub(crate) fn execute(
    opts: &ConnectOptions,
    out: &Output,
    snapshot: &Snapshot,
    plan: &MovePlan,
    engines: &[Engine],
    settings: &MigrateSettings,
) -> anyhow::Result<(MigrationReport, FinalCheck, Outcome)> {
    let nodes = Endpoint::from_snapshot(snapshot);
    let job = Job {
        nodes: &nodes,
        plan,
        engines,
    };
    let mut bar = MigrationBar::new(out);
    if let Some(throttle) = &settings.throttle {
        bar.throttled(throttle.limits().describe());
    }
    let mut observer = Progress { out, bar };
    let report = migrate(opts, &job, settings, &mut observer);
    observer.bar.finish();
    let report = report?;
    out.doc(&summary(&report));
    let moved: SlotSet = plan.moves.iter().map(|m| m.slot).collect();
    clear_replica_states(opts, out, &snapshot.entry, &moved, settings);
    let after = Snapshot::load(opts, &snapshot.entry).map(|s| check(&s, None));
    let (final_check, left) = match after {
        Ok(check) => (
            FinalCheck {
                healthy: check.healthy(),
                errors: check.errors(),
            },
            left_by_the_move(&check, &moved),
        ),
        Err(err) => {
            let error = format!("cannot load the cluster after the move: {err}");
            (
                FinalCheck {
                    healthy: false,
                    errors: vec![error.clone()],
                },
                vec![error],
            )
        }
    };
    if final_check.healthy {
        out.line(Style::Ok, "[OK] Cluster check passed after the move.");
    } else {
        for error in final_check.errors.iter().filter(|e| !left.contains(e)) {
            out.line(Style::Warn, format!("[WARNING] After the move: {error}"));
        }
        for error in &left {
            out.line(Style::Err, format!("[ERR] After the move: {error}"));
        }
        if !left.is_empty() && !report.interrupted {
            out.line(
                Style::Err,
                format!(
                    "[ERR] The moved slots are not clean: `rcluster fix {}` repairs them.",
                    snapshot.entry
                ),
            );
        }
    }
    let outcome = Outcome::of(report.interrupted, report.complete() && left.is_empty());
    Ok((report, final_check, outcome))
}

/// What the check after a move finds wrong with the slots the move touched: any of them
/// still open on a node (replicas included), uncovered, or nodes that disagree. Problems
/// elsewhere in the cluster stay warnings.
fn left_by_the_move(check: &CheckReport, moved: &SlotSet) -> Vec<String> {
    let mut left = Vec::new();
    if !check.slots_agree {
        left.push("nodes don't agree about the slots configuration".to_string());
    }
    let open: Vec<u16> = check
        .open_slot_numbers
        .iter()
        .copied()
        .filter(|&s| moved.contains(s))
        .collect();
    if !open.is_empty() {
        left.push(format!("moved slots still open: {}", slot_list(&open)));
    }
    let uncovered: Vec<u16> = check
        .uncovered
        .iter()
        .filter(|&s| moved.contains(s))
        .collect();
    if !uncovered.is_empty() {
        left.push(format!(
            "moved slots not covered: {}",
            slot_list(&uncovered)
        ));
    }
    left
}

/// Clears the slot states a server left on replicas of the nodes a move touched, as `fix`
/// clears them: `CLUSTER SETSLOT <slot> STABLE` on the primary, which replicates it. Valkey 8
/// replicates SETSLOT, and under writes a replica can keep an importing state that its
/// primary no longer has (fixed later upstream, valkey-io/valkey#998). Only slots of the move
/// that are open on replicas alone are touched; anything else is left to the check.
fn clear_replica_states(
    opts: &ConnectOptions,
    out: &Output,
    entry: &NodeAddr,
    moved: &SlotSet,
    settings: &MigrateSettings,
) {
    let Ok(snapshot) = Snapshot::load(opts, entry) else {
        return;
    };
    if check(&snapshot, None).open_slot_numbers.is_empty() {
        return;
    }
    let Ok((diagnosis, endpoints)) = diagnose(opts, &snapshot, false) else {
        return;
    };
    let plan = plan_fix(
        &diagnosis,
        FixOptions {
            fix_with_unreachable: false,
        },
    );
    let resets: Vec<ReplicaReset> = plan
        .replica_resets
        .into_iter()
        .map(|r| ReplicaReset {
            slots: r.slots.iter().filter(|&s| moved.contains(s)).collect(),
            master: r.master,
        })
        .filter(|r| !r.slots.is_empty())
        .collect();
    if resets.is_empty() {
        return;
    }
    for reset in &resets {
        out.line(
            Style::Info,
            format!(
                ">>> Clearing slot states left on the replicas of {}: {}",
                diagnosis.nodes[reset.master].addr,
                reset.slots.abbreviated()
            ),
        );
    }
    let plan = FixPlan {
        replica_resets: resets,
        ..FixPlan::default()
    };
    let report = apply_fix(opts, &endpoints, &plan, settings, None, |_, _| {});
    for failed in report.failed.iter().take(1) {
        out.line(
            Style::Warn,
            format!(
                "[WARNING] Could not clear the replicas' slot states ({} slot(s)): {}",
                report.failed.len(),
                failed.reason
            ),
        );
    }
    // The replicas take the STABLE from their primary's replication stream.
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let clean = Snapshot::load(opts, entry).is_ok_and(|s| {
            check(&s, None)
                .open_slot_numbers
                .iter()
                .all(|&slot| !moved.contains(slot))
        });
        if clean {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Shows the engine's progress: a bar on a terminal, one line per finished pair.
struct Progress<'a> {
    out: &'a Output,
    bar: MigrationBar,
}

impl Observer for Progress<'_> {
    fn started(&mut self, slots: usize, keys: u64) {
        self.bar.start(slots, keys);
    }

    fn progress(&mut self, slots: usize, keys: u64) {
        self.bar.update(slots, keys);
    }

    fn pair_done(&mut self, pair: &PairReport) {
        let out = self.out;
        self.bar.suspend(|| out.line(Style::Plain, pair_line(pair)));
    }

    fn fell_back(&mut self, slots: &SlotSet, from: &NodeAddr, to: &NodeAddr, reason: &str) {
        let out = self.out;
        let note = fallback_note(slots, &from.to_string(), &to.to_string(), reason);
        self.bar
            .suspend(|| out.line(Style::Warn, format!("[WARNING] {note}")));
    }

    fn converging(&mut self) {
        self.bar
            .set_message("waiting for every node to see the new owners");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_get_a_shorter_timeout_than_keys_alone() {
        let ms = |n| Duration::from_millis(n);
        assert_eq!(batch_timeout(ms(60_000)), ms(6_000));
        assert_eq!(batch_timeout(ms(500_000)), ms(10_000));
        assert_eq!(batch_timeout(ms(5_000)), ms(1_000));
        assert_eq!(batch_timeout(ms(300)), ms(300));
    }
}
