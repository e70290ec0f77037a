//! The migration engine shared by reshard, rebalance, fix and del-node --drain: applies a
//! [`MovePlan`] to the cluster, behind one interface ([`migrate`]) with two strategies:
//!
//! * [`atomic`]: the servers move the slots themselves (Valkey >= 9.0 `CLUSTER MIGRATESLOTS`),
//!   used for every pair whose source and target both have it (`--engine auto`, the default);
//! * [`legacy`]: rcluster moves the keys (SETSLOT, GETKEYSINSLOT, MIGRATE), for every server.
//!
//! Before anything changes, every node involved is checked, the keys of the planned slots are
//! counted and every target must report `cluster_state:ok` ([`prepare`]). After the moves the
//! engine waits (bounded) until every node sees the new owners, so the next command finds a
//! cluster that agrees.
//!
//! The folder: this file (the interface: [`migrate`], the run both engines share, the final
//! agreement wait), [`endpoint`] (the nodes as the engines reach them, [`MigrateSettings`]),
//! [`events`] (the tally, the observer and the report: what the engines tell the
//! presentation), [`prepare`], [`atomic`], [`legacy`] (the MIGRATE engine: its batches,
//! key mover, SETSLOT sender, schedule and announcer), and what key movers share:
//! [`compare`] (are two copies equal) and [`conflicts`] (copies `fix` drops, saved first).
//! `fix` and `import` use what this file re-exports.

mod atomic;
mod compare;
mod conflicts;
mod endpoint;
mod events;
mod legacy;
mod prepare;

pub(crate) use atomic::atomic_vetoes;
pub(crate) use compare::{dump_all, same_unordered_content};
pub(crate) use conflicts::{ConflictLog, DroppedCopy};
pub(crate) use endpoint::{Endpoint, MigrateSettings};
pub(crate) use events::{BigKey, MigrationReport, Observer, OpenSlot, PairReport, Tally};
pub(crate) use legacy::announce::Announcer;
pub(crate) use legacy::batch::{BatchContext, drain_slot, is_no_longer_master};
pub(crate) use legacy::keys::{MigrateFlags, migrate_command};
pub(crate) use legacy::setslot;
pub(crate) use prepare::wait_ready;
use prepare::*;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::interrupt;
use super::poll::{describe_lag, observe};
use super::throttle::{Throttle, ThrottleReport};
use crate::address::NodeAddr;
use crate::cluster::parse::capabilities::Capabilities;
use crate::cluster::parse::info::{ServerInfo, fields};
use crate::cluster::plan::engine::{Engine, EngineChoice};
use crate::cluster::plan::moves::{MovePlan, PairMoves};
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::converge::{Target, lagging};
use crate::net::conn::{Auth, ConnectOptions, NodeConn, NodeError};
use crate::net::conncache::ConnCache;
use crate::net::fanout::fan_out;
use crate::net::pool::NodePool;
use crate::probe::scan::{SlotKeys, count_keys_in};

/// How long to wait at the end for every node to see the new owners.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(10);

/// What to move, on which nodes, with which engine.
pub(crate) struct Job<'a> {
    /// Every node of the cluster; the plan's indices point here.
    pub(crate) nodes: &'a [Endpoint],
    /// The plan.
    pub(crate) plan: &'a MovePlan,
    /// The engine of each pair of `plan.pairs()` (see `cluster::engine::choose_engines`).
    pub(crate) engines: &'a [Engine],
}

/// Applies `job.plan`. Fails before any change when a node involved cannot be used, a target
/// does not report `cluster_state:ok` in time, or `--engine atomic` names a pair that cannot
/// use it; once moves start, problems end up in the report (`error`, `open_slots`) instead.
/// Atomic pairs go first (the servers move them by themselves), then the MIGRATE pairs, with
/// those the servers refused to move atomically under `--engine auto` (their reports say why
/// in `fallback`).
pub(crate) fn migrate(
    opts: &ConnectOptions,
    job: &Job<'_>,
    settings: &MigrateSettings,
    observer: &mut dyn Observer,
) -> anyhow::Result<MigrationReport> {
    let started = Instant::now();
    let pairs = job.plan.pairs();
    validate(job, &pairs)?;
    let engines = job.engines;
    let cache = ConnCache::new(opts.clone());
    let involved: Vec<usize> = involved_nodes(&pairs);
    let prep = prepare(&cache, job, &pairs, engines, &involved, settings)?;
    let total_keys: u64 = prep.keys_per_slot.iter().map(|(_, n)| n).sum();

    interrupt::install();
    observer.started(job.plan.len(), total_keys);
    let tally = Tally::new(pairs.len());
    let run = Run {
        job,
        pairs: &pairs,
        engines,
        cache: &cache,
        settings,
        prep: &prep,
        tally: &tally,
    };
    let mut outcome = EngineOutcome::default();
    if engines.contains(&Engine::Atomic) {
        atomic::run(&run, observer, &mut outcome);
    }
    let engines = with_fallbacks(engines, &outcome.fallback);
    let run = Run {
        engines: &engines,
        ..run
    };
    if engines.contains(&Engine::Legacy) && !interrupt::requested() {
        legacy::run(&run, observer, &mut outcome);
    }

    let mut pair_reports: Vec<PairReport> = (0..pairs.len())
        .map(|p| run.pair_report(p, engines[p], 0, Duration::ZERO, None))
        .collect();
    for (p, report) in std::mem::take(&mut outcome.pairs) {
        pair_reports[p] = report;
    }
    for (p, reason) in std::mem::take(&mut outcome.fallback) {
        pair_reports[p].fallback = Some(reason);
    }
    let mut open_slots = outcome.open_slots;
    open_slots.sort_by_key(|o| o.slot);
    let error = outcome.error;
    let moved_slots = outcome.moved;
    let slots_moved = moved_slots.len();
    let duration_ms = started.elapsed().as_millis();
    let interrupted = interrupt::requested() && slots_moved < job.plan.len() && error.is_none();

    let (converge_ms, lagging) = if slots_moved > 0 {
        observer.converging();
        wait_for_agreement(opts, job, &moved_slots)
    } else {
        (Some(0), Vec::new())
    };
    let big_keys = tally
        .big_keys
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    Ok(MigrationReport {
        slots_planned: job.plan.len(),
        slots_moved,
        keys_moved: tally.keys.load(Ordering::Relaxed),
        duration_ms,
        converge_ms,
        retries: tally.retries.load(Ordering::Relaxed),
        equal_collisions: tally.equal_collisions.load(Ordering::Relaxed),
        big_keys,
        pairs: pair_reports,
        open_slots,
        interrupted,
        error,
        lagging,
        throttle: settings.throttle.as_ref().map(|t| t.report()),
    })
}

/// What both engines share while they run.
pub(crate) struct Run<'a> {
    job: &'a Job<'a>,
    pairs: &'a [PairMoves],
    engines: &'a [Engine],
    cache: &'a ConnCache,
    settings: &'a MigrateSettings,
    prep: &'a Preparation,
    tally: &'a Tally,
}

impl Run<'_> {
    /// The report of pair `p`.
    fn pair_report(
        &self,
        p: usize,
        engine: Engine,
        slots_moved: usize,
        elapsed: Duration,
        error: Option<String>,
    ) -> PairReport {
        let pair = &self.pairs[p];
        let from = &self.job.nodes[pair.from];
        let to = &self.job.nodes[pair.to];
        PairReport {
            from: from.addr.to_string(),
            from_id: from.id.clone(),
            to: to.addr.to_string(),
            to_id: to.id.clone(),
            engine,
            slots_planned: pair.slots.len(),
            slots_moved,
            keys_moved: self.tally.pair_keys[p].load(Ordering::Relaxed),
            duration_ms: elapsed.as_millis(),
            error,
            fallback: None,
        }
    }

    /// Keys of `slot` on its source (counted before the moves).
    fn keys_of(&self, slot: u16) -> u64 {
        keys_in(&self.prep.keys_per_slot, slot)
    }
}

/// `engines` with the pairs of `fallback` moved with MIGRATE.
fn with_fallbacks(engines: &[Engine], fallback: &[(usize, String)]) -> Vec<Engine> {
    let mut engines = engines.to_vec();
    for &(p, _) in fallback {
        if let Some(engine) = engines.get_mut(p) {
            *engine = Engine::Legacy;
        }
    }
    engines
}

/// Keys of `slot` in `keys_per_slot` (sorted by slot); 0 for a slot not listed.
fn keys_in(keys_per_slot: &[(u16, u64)], slot: u16) -> u64 {
    keys_per_slot
        .binary_search_by_key(&slot, |(s, _)| *s)
        .map_or(0, |i| keys_per_slot[i].1)
}

/// What one engine did with its pairs.
#[derive(Default)]
pub(crate) struct EngineOutcome {
    /// Reports of the pairs it moved, by pair index.
    pairs: Vec<(usize, PairReport)>,
    /// Slots it left open.
    open_slots: Vec<OpenSlot>,
    /// Slots moved, with their new owner's node index.
    moved: Vec<(u16, usize)>,
    /// Its first error.
    error: Option<String>,
    /// Pairs the servers refused to move atomically, for MIGRATE to move, with the refusal
    /// (atomic engine, `--engine auto` only; nothing of them moved).
    fallback: Vec<(usize, String)>,
}

/// Polls every reachable node until all see the new owners of the moved slots, for at most
/// [`CONVERGE_TIMEOUT`]. Returns the time it took, or what still lags.
fn wait_for_agreement(
    opts: &ConnectOptions,
    job: &Job<'_>,
    moved: &[(u16, usize)],
) -> (Option<u128>, Vec<String>) {
    let mut owned: Vec<SlotSet> = job.nodes.iter().map(|n| n.slots.clone()).collect();
    for &(slot, to) in moved {
        for set in &mut owned {
            set.remove(slot);
        }
        owned[to].insert(slot);
    }
    let mut target = Target::default();
    for (node, slots) in job.nodes.iter().zip(&owned) {
        target
            .members
            .insert(node.id.clone(), node.addr.to_string());
        if node.is_master {
            target.slots.insert(node.id.clone(), slots.clone());
        }
    }
    let addrs: Vec<NodeAddr> = job
        .nodes
        .iter()
        .filter(|n| n.reachable)
        .map(|n| n.addr.clone())
        .collect();
    let conns: Vec<NodeConn> = NodePool::connect_all(opts, &addrs)
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    let pool = NodePool::new(conns);
    let started = Instant::now();
    loop {
        let lag = lagging(&observe(&pool), &target);
        if lag.is_empty() {
            return (Some(started.elapsed().as_millis()), Vec::new());
        }
        if started.elapsed() >= CONVERGE_TIMEOUT {
            return (
                None,
                describe_lag(&lag).lines().map(str::to_string).collect(),
            );
        }
        std::thread::sleep(super::poll::POLL_INTERVAL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PairMoves;

    #[test]
    fn batch_size_follows_average_key_size() {
        assert_eq!(batch_size_for(0, 0), 1000);
        assert_eq!(batch_size_for(100 * 1_000_000, 1_000_000), 1000);
        assert_eq!(batch_size_for(64 * 1024 * 1000, 1000), 128);
        assert_eq!(batch_size_for(50 * 1024 * 1024, 1), 1);
    }

    /// A pair moving `slots` from node `from` to node `to` (for the engines' tests too).
    pub(super) fn pair(from: usize, to: usize, slots: std::ops::RangeInclusive<u16>) -> PairMoves {
        PairMoves {
            from,
            to,
            slots: slots.collect(),
        }
    }

    #[test]
    fn keys_in_a_database_the_target_lacks_are_found() {
        let counts = SlotKeys {
            slots: vec![1, 2, 3],
            per_db: vec![vec![5, 0, 0], vec![0, 2, 0], vec![0, 0, 0], vec![0, 0, 1]],
        };
        let moving_1_2 = pair(0, 1, 1..=2);
        // A target with 16 databases takes everything; one with 1 lacks db 1 (slot 2).
        assert_eq!(beyond_target(&counts, &moving_1_2, 16), None);
        assert_eq!(beyond_target(&counts, &moving_1_2, 1), Some((1, 2)));
        assert_eq!(beyond_target(&counts, &moving_1_2, 2), None);
        // Slot 3's keys in db 3 only matter to a pair that moves slot 3.
        assert_eq!(beyond_target(&counts, &pair(0, 1, 3..=3), 2), Some((3, 3)));
        assert_eq!(beyond_target(&counts, &pair(0, 1, 1..=1), 1), None);
    }
}
