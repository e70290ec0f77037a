//! The atomic engine: the servers move the slots themselves (Valkey >= 9.0).
//!
//! One `CLUSTER MIGRATESLOTS` per source carries all its pairs (`SLOTSRANGE` ranges `NODE`
//! target, once per target); each pair becomes one job that the source snapshots, streams and
//! hands over in one step (clients never see ASK; every database moves with the slot; a
//! failure rolls back). Up to `--parallel` sources run at once. The engine polls
//! `CLUSTER GETSLOTMIGRATIONS` on each source until every job has finished: a job that makes
//! no progress for `--timeout` is cancelled, a failed one is reported with the server's
//! message after checking that its slots are still the source's. The first Ctrl-C cancels the
//! running jobs (`CLUSTER CANCELSLOTMIGRATIONS`, which cancels every export of a source)
//! and waits until they say so. A pair the servers refuse to move atomically because of a
//! loaded module (the source refuses `CLUSTER MIGRATESLOTS`, or a target fails the job in its
//! handshake; nothing moved either way) is handed to the MIGRATE engine under `--engine auto`.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Endpoint, EngineOutcome, Observer, Run, databases_with_keys};
use crate::cluster::parse::nodes::parse_cluster_nodes;
use crate::cluster::parse::slot_migrations::{
    Operation, Phase, SlotMigrationJob, parse_jobs, slotsrange_args,
};
use crate::cluster::plan::engine::{Engine, EngineChoice, NoAtomicMigration, refused_for_module};
use crate::cluster::plan::moves::PairMoves;
use crate::cluster::slots::SlotSet;
use crate::exec::interrupt;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError, server_error_text};
use crate::net::conncache::ConnCache;
use crate::net::fanout::fan_out;
use crate::probe::scan::count_keys_in;

/// How often the jobs are polled: a few milliseconds of a job that takes hundreds.
const POLL: Duration = Duration::from_millis(5);
/// How long cancelled jobs may take to say so before the engine stops waiting.
const CANCEL_WAIT: Duration = Duration::from_secs(30);

const FIRST_NOTE: &str = "Interrupted: cancelling the running slot migrations (CLUSTER \
     CANCELSLOTMIGRATIONS on their sources) and waiting until they stop; their slots stay \
     where they are, nothing is left half-way (press Ctrl-C again to exit now)";

/// Why a job was cancelled by this engine.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CancelReason {
    /// Ctrl-C.
    Interrupt,
    /// The job (or another of the same source) made no progress for `--timeout`.
    Stuck(String),
}

/// One pair's job, as the engine follows it.
struct Tracked {
    /// Pair index.
    pair: usize,
    /// The job's name, once found in the source's list.
    name: Option<String>,
    /// The server's last state name.
    state: String,
    /// When the job was started.
    started: Instant,
    /// The last progress mark, and when it changed.
    mark: Option<(String, i64, i64, u64, Option<u64>)>,
    changed: Instant,
    /// Set when this engine cancelled it.
    cancelled: Option<CancelReason>,
    /// Finished (a report was made).
    done: bool,
}

/// One source with its jobs.
struct Source {
    node: usize,
    jobs: Vec<Tracked>,
    /// When CANCELSLOTMIGRATIONS was sent.
    cancel_sent: Option<Instant>,
    /// The last poll error, and since when the source has not answered.
    unreachable_since: Option<(Instant, String)>,
}

impl Source {
    fn running(&self) -> bool {
        self.jobs.iter().any(|j| !j.done)
    }
}

/// Moves the pairs whose engine is [`Engine::Atomic`], adding what happened to `outcome`.
pub(super) fn run(run: &Run<'_>, observer: &mut dyn Observer, outcome: &mut EngineOutcome) {
    let mut by_source: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (p, pair) in run.pairs.iter().enumerate() {
        if run.engines[p] == Engine::Atomic {
            by_source.entry(pair.from).or_default().push(p);
        }
    }
    // Valkey 9.0 and 9.1 misplace keys on a target's replica when two imports run into that
    // target at once and numbered databases hold keys: then each pair is its own unit, and a
    // target takes one import at a time.
    let one_import_per_target = run.prep.numbered_dbs_in_use;
    let mut pending: VecDeque<(usize, Vec<usize>)> = if one_import_per_target {
        by_source
            .into_iter()
            .flat_map(|(source, pairs)| pairs.into_iter().map(move |p| (source, vec![p])))
            .collect()
    } else {
        by_source.into_iter().collect()
    };
    let mut active: Vec<Source> = Vec::new();
    let limit = run.settings.parallel.max(1);
    let mut interrupted_seen = false;
    interrupt::set_notes(FIRST_NOTE, forced_note(run, &active));
    loop {
        if !interrupt::requested() {
            let room = limit.saturating_sub(active.len());
            let mut busy: Vec<usize> = active
                .iter()
                .flat_map(|s| s.jobs.iter().filter(|j| !j.done))
                .map(|j| run.pairs[j.pair].to)
                .collect();
            let mut starting: Vec<(usize, Vec<usize>)> = Vec::new();
            let mut waiting = VecDeque::new();
            while let Some(unit) = pending.pop_front() {
                let target = run.pairs[unit.1[0]].to;
                if starting.len() < room && !(one_import_per_target && busy.contains(&target)) {
                    busy.push(target);
                    starting.push(unit);
                } else {
                    waiting.push_back(unit);
                }
            }
            pending = waiting;
            let any_started = !starting.is_empty();
            let started = fan_out(&starting, starting.len().max(1), |(source, pairs)| {
                start(run, *source, pairs)
            });
            for ((source, pairs), result) in starting.into_iter().zip(started) {
                match result {
                    Ok(jobs) => active.push(Source {
                        node: source,
                        jobs,
                        cancel_sent: None,
                        unreachable_since: None,
                    }),
                    Err(message) => {
                        for p in pairs {
                            if !fall_back(run, observer, outcome, p, &message) {
                                let message = with_hint(run, message.clone());
                                fail_pair(run, observer, outcome, p, Instant::now(), message);
                            }
                        }
                    }
                }
            }
            if any_started {
                interrupt::set_notes(FIRST_NOTE, forced_note(run, &active));
            }
        } else if !interrupted_seen {
            interrupted_seen = true;
            for source in active.iter_mut().filter(|s| s.running()) {
                cancel(run, source, &CancelReason::Interrupt);
            }
        }
        if active.is_empty() && (pending.is_empty() || interrupt::requested()) {
            break;
        }
        std::thread::sleep(POLL);
        let polls = fan_out(&active, active.len().max(1), |source| {
            poll(run, source.node)
        });
        for (source, polled) in active.iter_mut().zip(polls) {
            follow(run, observer, outcome, source, polled);
        }
        let before = active.len();
        active.retain(Source::running);
        if active.len() != before {
            interrupt::set_notes(FIRST_NOTE, forced_note(run, &active));
        }
        observer.progress(
            run.tally.slots.load(Ordering::Relaxed),
            run.tally.keys.load(Ordering::Relaxed),
        );
    }
}

/// For each pair, why it must not move atomically, checked on the live cluster: a replica of
/// its target that already holds keys of its slots. Valkey 9.0 and 9.1 leave such keys on a
/// replica of a primary that exported slots after importing some (with keys in numbered
/// databases), and the replica then crashes (`ASSERTION FAILED` in kvstore.c) when those slots
/// are imported into its primary atomically. A replica that cannot be asked vetoes nothing.
pub(crate) fn atomic_vetoes(
    opts: &ConnectOptions,
    nodes: &[Endpoint],
    pairs: &[PairMoves],
) -> Vec<Option<NoAtomicMigration>> {
    let cache = ConnCache::new(opts.clone());
    fan_out(pairs, pairs.len().max(1), |pair| {
        let target = &nodes[pair.to];
        let slots: Vec<u16> = pair.slots.iter().collect();
        nodes
            .iter()
            .filter(|n| n.reachable && n.master_id.as_deref() == Some(target.id.as_str()))
            .find_map(|replica| {
                let mut conn = cache.lease(&replica.addr).ok()?;
                let databases = replica.server.cluster_databases;
                let used = databases_with_keys(&mut conn, databases).ok()?;
                let counts = count_keys_in(&mut conn, &slots, databases, &used).ok()?;
                let stale = counts.with_keys();
                let (first, _) = *stale.first()?;
                let keys: u64 = stale.iter().map(|(_, n)| n).sum();
                Some(NoAtomicMigration {
                    node: pair.to,
                    reason: format!(
                        "has a replica {} that holds {keys} key(s) of {} of these slots (slot \
                         {first} first) although its primary does not serve them: left behind \
                         by a Valkey bug of atomic migration, and an atomic import of those \
                         slots would crash that replica",
                        replica.addr,
                        stale.len(),
                    ),
                })
            })
    })
}

/// Sends one MIGRATESLOTS for all of `pairs` (same source) and finds the jobs it created.
fn start(run: &Run<'_>, source: usize, pairs: &[usize]) -> Result<Vec<Tracked>, String> {
    let node = &run.job.nodes[source];
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("MIGRATESLOTS");
    for &p in pairs {
        let pair = &run.pairs[p];
        cmd.arg("SLOTSRANGE")
            .arg(slotsrange_args(&pair.slots))
            .arg("NODE")
            .arg(&run.job.nodes[pair.to].id);
    }
    let started = Instant::now();
    let mut conn = run.cache.lease(&node.addr).map_err(|e| e.to_string())?;
    let accepted: Result<(), NodeError> = conn.query(&cmd);
    if let Err(err) = accepted {
        return Err(format!(
            "{} refused CLUSTER MIGRATESLOTS (nothing moved): {}",
            node.addr, err.message
        ));
    }
    let mut jobs: Vec<Tracked> = pairs
        .iter()
        .map(|&p| Tracked {
            pair: p,
            name: None,
            state: "started".into(),
            started,
            mark: None,
            changed: started,
            cancelled: None,
            done: false,
        })
        .collect();
    // The names are found now if the list can be read, else at the first poll.
    if let Ok(list) = list_jobs(&mut conn) {
        name_jobs(run, &mut jobs, &list);
    }
    Ok(jobs)
}

/// The source's jobs.
fn poll(run: &Run<'_>, source: usize) -> Result<Vec<SlotMigrationJob>, String> {
    let node = &run.job.nodes[source];
    let mut conn = run.cache.lease(&node.addr).map_err(|e| e.to_string())?;
    list_jobs(&mut conn).inspect_err(|_| conn.discard())
}

/// `CLUSTER GETSLOTMIGRATIONS` on `conn`, parsed.
fn list_jobs(conn: &mut NodeConn) -> Result<Vec<SlotMigrationJob>, String> {
    let reply: redis::Value = conn
        .query(redis::cmd("CLUSTER").arg("GETSLOTMIGRATIONS"))
        .map_err(|e| e.to_string())?;
    parse_jobs(&reply)
}

/// Gives each unnamed job the name of the newest export job (the list is newest first) of the
/// same slots to the same target.
fn name_jobs(run: &Run<'_>, jobs: &mut [Tracked], list: &[SlotMigrationJob]) {
    for job in jobs.iter_mut().filter(|j| j.name.is_none()) {
        let pair = &run.pairs[job.pair];
        let target = &run.job.nodes[pair.to].id;
        let found = list.iter().find(|j| {
            j.operation == Operation::Export
                && j.target_node.as_deref() == Some(target.as_str())
                && j.slots == pair.slots
        });
        if let Some(found) = found {
            job.name = Some(found.name.clone());
        }
    }
}

/// Applies one poll of `source` to its jobs: progress marks, finished jobs, stuck jobs.
fn follow(
    run: &Run<'_>,
    observer: &mut dyn Observer,
    outcome: &mut EngineOutcome,
    source: &mut Source,
    polled: Result<Vec<SlotMigrationJob>, String>,
) {
    let now = Instant::now();
    let list = match polled {
        Ok(list) => {
            source.unreachable_since = None;
            list
        }
        Err(err) => {
            let since = source
                .unreachable_since
                .get_or_insert_with(|| (now, err.clone()))
                .0;
            // A source that does not answer for `-t` is given up (it died, or is cut off):
            // its jobs are not waited for the much longer no-progress `--timeout`.
            if now.duration_since(since) >= run.settings.io_timeout.min(run.settings.timeout) {
                let addr = run.job.nodes[source.node].addr.to_string();
                for job in source.jobs.iter_mut().filter(|j| !j.done) {
                    job.done = true;
                    let message = format!(
                        "lost contact with the source {addr} ({err}); the job may still finish \
                         or roll back on its own: `rcluster check {addr}` shows it"
                    );
                    fail_pair(run, observer, outcome, job.pair, job.started, message);
                }
            }
            return;
        }
    };
    name_jobs(run, &mut source.jobs, &list);
    let mut stuck: Option<String> = None;
    for job in source.jobs.iter_mut().filter(|j| !j.done) {
        let Some(seen) = job
            .name
            .as_ref()
            .and_then(|name| list.iter().find(|j| &j.name == name))
        else {
            if now.duration_since(job.changed) >= run.settings.timeout {
                stuck.get_or_insert_with(|| "its job cannot be found on the source".into());
            }
            continue;
        };
        job.state.clone_from(&seen.state);
        let mark = seen.progress_mark();
        if job.mark.as_ref() != Some(&mark) {
            job.mark = Some(mark);
            job.changed = now;
        }
        match seen.phase() {
            Phase::Running => {
                if job.cancelled.is_none()
                    && now.duration_since(job.changed) >= run.settings.timeout
                {
                    stuck.get_or_insert_with(|| {
                        format!(
                            "job {} made no progress for {} s (state {})",
                            seen.name,
                            run.settings.timeout.as_secs(),
                            seen.state
                        )
                    });
                }
            }
            Phase::Success => {
                job.done = true;
                succeed_pair(run, observer, outcome, job.pair, job.started);
            }
            Phase::Failed => {
                job.done = true;
                let words = server_words(&seen.name, &seen.message, "failed");
                let view = source_view(run, source.node, &seen.slots);
                let kept = view == SourceView::Keeps;
                if !(kept && fall_back(run, observer, outcome, job.pair, &words)) {
                    let message = with_hint(run, format!("{words}; {}", view.words()));
                    fail_pair(run, observer, outcome, job.pair, job.started, message);
                }
            }
            Phase::Cancelled => {
                job.done = true;
                match &job.cancelled {
                    Some(CancelReason::Interrupt) => {
                        let report = run.pair_report(
                            job.pair,
                            Engine::Atomic,
                            0,
                            job.started.elapsed(),
                            None,
                        );
                        observer.pair_done(&report);
                        outcome.pairs.push((job.pair, report));
                    }
                    Some(CancelReason::Stuck(why)) => {
                        let message = format!("cancelled: {why}; its slots stayed on the source");
                        fail_pair(run, observer, outcome, job.pair, job.started, message);
                    }
                    None => {
                        let message = "cancelled on the source by someone else (CLUSTER \
                                       CANCELSLOTMIGRATIONS); its slots stayed there"
                            .to_string();
                        fail_pair(run, observer, outcome, job.pair, job.started, message);
                    }
                }
            }
        }
    }
    if let Some(why) = stuck {
        cancel(run, source, &CancelReason::Stuck(why));
    }
    // Cancelled jobs that do not say so in time are given up on.
    if let Some(sent) = source.cancel_sent
        && now.duration_since(sent) >= CANCEL_WAIT
    {
        let addr = run.job.nodes[source.node].addr.to_string();
        for job in source.jobs.iter_mut().filter(|j| !j.done) {
            job.done = true;
            let message = format!(
                "still {} {} s after CLUSTER CANCELSLOTMIGRATIONS; `rcluster check {addr}` \
                 shows whether it finished",
                job.state,
                CANCEL_WAIT.as_secs()
            );
            fail_pair(run, observer, outcome, job.pair, job.started, message);
        }
    }
}

/// Sends `CLUSTER CANCELSLOTMIGRATIONS` to the source (once) and notes why on its running
/// jobs: the command cancels every export of the source.
fn cancel(run: &Run<'_>, source: &mut Source, reason: &CancelReason) {
    if source.cancel_sent.is_some() {
        return;
    }
    source.cancel_sent = Some(Instant::now());
    for job in source.jobs.iter_mut().filter(|j| !j.done) {
        job.cancelled.get_or_insert_with(|| match reason {
            CancelReason::Stuck(why) => CancelReason::Stuck(why.clone()),
            CancelReason::Interrupt => CancelReason::Interrupt,
        });
    }
    let node = &run.job.nodes[source.node];
    if let Ok(mut conn) = run.cache.lease(&node.addr) {
        // Valkey 9.0 and 9.1 take no argument (their help text says `ALL`, which they
        // refuse); a server that wants `ALL` gets it on a second try. "No migrations
        // ongoing" means they all finished meanwhile: the next poll says how.
        let bare = conn.raw(redis::cmd("CLUSTER").arg("CANCELSLOTMIGRATIONS"));
        if let Ok(redis::Value::ServerError(err)) = &bare
            && server_error_text(err).contains("wrong number of arguments")
        {
            let _ = conn.raw(redis::cmd("CLUSTER").arg("CANCELSLOTMIGRATIONS").arg("ALL"));
        }
    }
}

/// A pair whose job succeeded: its slots and keys count as moved.
fn succeed_pair(
    run: &Run<'_>,
    observer: &mut dyn Observer,
    outcome: &mut EngineOutcome,
    p: usize,
    started: Instant,
) {
    let pair = &run.pairs[p];
    let keys: u64 = pair.slots.iter().map(|s| run.keys_of(s)).sum();
    run.tally.add_keys(p, keys);
    run.tally
        .slots
        .fetch_add(pair.slots.len(), Ordering::Relaxed);
    outcome
        .moved
        .extend(pair.slots.iter().map(|s| (s, pair.to)));
    let report = run.pair_report(p, Engine::Atomic, pair.slots.len(), started.elapsed(), None);
    observer.pair_done(&report);
    outcome.pairs.push((p, report));
}

/// Hands pair `p` to the MIGRATE engine when the servers refused to move it atomically for a
/// loaded module (`refusal`, nothing of it moved), `--engine auto` allows it and MIGRATE can
/// carry its keys; says so. False when the pair must fail instead.
fn fall_back(
    run: &Run<'_>,
    observer: &mut dyn Observer,
    outcome: &mut EngineOutcome,
    p: usize,
    refusal: &str,
) -> bool {
    if run.settings.engine != EngineChoice::Auto || !refused_for_module(refusal) {
        return false;
    }
    let pair = &run.pairs[p];
    let (from, to) = (&run.job.nodes[pair.from], &run.job.nodes[pair.to]);
    let no_keys = pair.slots.iter().all(|s| run.keys_of(s) == 0);
    if !(no_keys || to.server.reads_dumps_of(&from.server)) {
        return false;
    }
    observer.fell_back(&pair.slots, &from.addr, &to.addr, refusal);
    outcome.fallback.push((p, refusal.to_string()));
    true
}

/// `message` with a hint when it is a module's refusal that `--engine atomic` made final.
fn with_hint(run: &Run<'_>, message: String) -> String {
    if run.settings.engine == EngineChoice::Atomic && refused_for_module(&message) {
        format!(
            "{message}; --engine atomic moves no pair with MIGRATE: leave --engine out (auto) \
             or give --engine legacy to move such pairs with MIGRATE"
        )
    } else {
        message
    }
}

/// A pair whose job did not move its slots.
fn fail_pair(
    run: &Run<'_>,
    observer: &mut dyn Observer,
    outcome: &mut EngineOutcome,
    p: usize,
    started: Instant,
    message: String,
) {
    let pair = &run.pairs[p];
    let text = format!(
        "atomic migration of slots {} from {} to {}: {message}",
        pair.slots, run.job.nodes[pair.from].addr, run.job.nodes[pair.to].addr
    );
    if outcome.error.is_none() {
        outcome.error = Some(text.clone());
    }
    let report = run.pair_report(p, Engine::Atomic, 0, started.elapsed(), Some(text));
    observer.pair_done(&report);
    outcome.pairs.push((p, report));
}

/// The server's message, or a plain one when it gave none.
fn server_words(name: &str, message: &str, state: &str) -> String {
    if message.is_empty() {
        format!("job {name} {state} (the server gave no reason)")
    } else {
        format!("job {name} {state}: {}", message.trim_end_matches('.'))
    }
}

/// What the source of a failed job says about the job's slots.
#[derive(Debug, PartialEq, Eq)]
enum SourceView {
    /// It still serves them all (the job rolled back).
    Keeps,
    /// It no longer serves these.
    Lost(SlotSet),
    /// It could not be asked.
    Unknown,
}

impl SourceView {
    /// In plain words, for a failed pair's message.
    fn words(&self) -> String {
        match self {
            SourceView::Keeps => {
                "its slots are still served by the source (rolled back)".to_string()
            }
            SourceView::Lost(slots) => format!(
                "CAUTION: the source no longer serves slots {slots}; `rcluster check` shows who \
                 does"
            ),
            SourceView::Unknown => "the source could not be asked whether it still serves \
                                    the slots; `rcluster check` shows who does"
                .to_string(),
        }
    }
}

/// Asks the source whether it still serves `slots` (a failed job must have rolled back).
fn source_view(run: &Run<'_>, source: usize, slots: &SlotSet) -> SourceView {
    let node = &run.job.nodes[source];
    let view = run.cache.lease(&node.addr).and_then(|mut conn| {
        conn.query::<String>(redis::cmd("CLUSTER").arg("NODES"))
            .inspect_err(|_| conn.discard())
    });
    let own = view.ok().and_then(|text| {
        parse_cluster_nodes(&text)
            .ok()?
            .into_iter()
            .find(|n| n.flags.myself)
            .map(|n| n.slots)
    });
    match own {
        Some(own) if slots.difference(&own).is_empty() => SourceView::Keeps,
        Some(own) => SourceView::Lost(slots.difference(&own)),
        None => SourceView::Unknown,
    }
}

/// What a second Ctrl-C says: the jobs still running, where, and how to see them.
fn forced_note(run: &Run<'_>, active: &[Source]) -> String {
    let running: Vec<String> = active
        .iter()
        .flat_map(|s| s.jobs.iter().filter(|j| !j.done).map(move |j| (s.node, j)))
        .map(|(node, job)| {
            let pair = &run.pairs[job.pair];
            format!(
                "  {} on {}: slots {} to {}",
                job.name.as_deref().unwrap_or("(unnamed)"),
                run.job.nodes[node].addr,
                pair.slots,
                run.job.nodes[pair.to].addr
            )
        })
        .collect();
    if running.is_empty() {
        return "Interrupted again: exiting now; no slot migration job of this run is running."
            .to_string();
    }
    let entry = &run.job.nodes[run.pairs[0].from].addr;
    format!(
        "Interrupted again: exiting now. These slot migration jobs are still running on the \
         servers, which finish or roll them back on their own:\n{}\nSee them with `rcluster \
         check {entry}` (or CLUSTER GETSLOTMIGRATIONS on their source).",
        running.join("\n")
    )
}
