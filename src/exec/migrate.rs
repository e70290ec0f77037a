//! The migration engine shared by reshard, rebalance, fix and del-node --drain: applies a
//! [`MovePlan`] to the cluster.
//!
//! The plan's slots are cut into batches of one source/target pair (up to 256 slots and about
//! 20 000 keys each); `parallel` workers take batches round-robin over the pairs, so several
//! sources and targets work at once, and each batch changes slot states with one pipeline per
//! node and moves keys with pipelined MIGRATEs (see [`super::slot_batch`]). Before anything
//! changes, every node involved is checked and every target must report `cluster_state:ok`.
//! Ctrl-C stops taking batches and finishes those in flight; after the moves the engine waits
//! (bounded) until every node sees the new owners, so the next command finds a cluster that
//! agrees.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::Serialize;

use super::announce::Announcer;
use super::interrupt;
use super::poll::{describe_lag, observe};
use super::schedule::BatchQueue;
use super::slot_batch::{BatchContext, BatchOutcome, SlotBatch, move_batch};
use crate::address::NodeAddr;
use crate::cluster::capabilities::Capabilities;
use crate::cluster::converge::{Target, lagging};
use crate::cluster::info::{ServerInfo, fields};
use crate::cluster::moves::MovePlan;
use crate::cluster::scan::{SlotKeys, count_keys};
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;
use crate::net::conn::{Auth, ConnectOptions, NodeConn, NodeError};
use crate::net::conncache::ConnCache;
use crate::net::fanout::fan_out;
use crate::net::pool::NodePool;

/// Most slots in one batch.
const BATCH_SLOTS: usize = 256;
/// Keys in one batch, beyond which a new batch starts (a batch holds at least one slot).
const BATCH_KEYS: u64 = 20_000;
/// Keys per MIGRATE when `--pipeline` is not given, at most.
const DEFAULT_MIGRATE_KEYS: usize = 1000;
/// Bytes per MIGRATE the default batch size aims at, using the source's average key size.
const MIGRATE_BYTES: u64 = 8 * 1024 * 1024;
/// How long to wait at the end for every node to see the new owners.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often progress is refreshed.
const TICK: Duration = Duration::from_millis(100);

/// A node of the job, with what the engine needs to reach it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Full node id.
    pub id: String,
    /// Address (a placeholder `?:0` when the cluster knows none).
    pub addr: NodeAddr,
    /// True for a master.
    pub is_master: bool,
    /// True when the node answered when the cluster was loaded.
    pub reachable: bool,
    /// Slots it served when the cluster was loaded (empty for replicas).
    pub slots: SlotSet,
    /// What the server can do (default: an old Redis, when it did not answer).
    pub server: Capabilities,
}

impl Endpoint {
    /// Every node of `snapshot`, in the same order as [`crate::cluster::moves::PlanNode::from_snapshot`].
    pub fn from_snapshot(snapshot: &Snapshot) -> Vec<Endpoint> {
        snapshot
            .nodes
            .iter()
            .map(|n| Endpoint {
                id: n.id().to_string(),
                addr: n.addr().cloned().unwrap_or_else(|| NodeAddr::new("?", 0)),
                is_master: n.is_master(),
                reachable: n.reachable() && n.addr().is_some(),
                slots: if n.is_master() {
                    n.current().slots.clone()
                } else {
                    SlotSet::new()
                },
                server: n.probe().map(|p| p.info.server).unwrap_or_default(),
            })
            .collect()
    }
}

/// How keys are moved.
#[derive(Debug, Clone)]
pub struct MigrateSettings {
    /// MIGRATE timeout for a key retried alone (`--timeout`).
    pub timeout: Duration,
    /// MIGRATE timeout for batches of keys.
    pub batch_timeout: Duration,
    /// Reply timeout for every other command (`-t`).
    pub io_timeout: Duration,
    /// Keys per MIGRATE; `None` picks it per source from its average key size.
    pub batch_keys: Option<usize>,
    /// MIGRATE with REPLACE.
    pub replace: bool,
    /// Batches in flight at once.
    pub parallel: usize,
    /// Credentials MIGRATE passes to the target (AUTH / AUTH2).
    pub auth: Auth,
    /// How long a target may take to report `cluster_state:ok` before the first move.
    pub ready_timeout: Duration,
}

/// A key retried alone because its batch timed out or failed with IOERR.
#[derive(Debug, Clone, Serialize)]
pub struct BigKey {
    /// The key, as text.
    pub key: String,
    /// Its slot.
    pub slot: u16,
    /// MEMORY USAGE on the source, when known.
    pub bytes: Option<u64>,
    /// The source node.
    pub from: String,
}

/// Counters shared between the workers and the progress display.
pub struct Tally {
    keys: AtomicU64,
    pair_keys: Vec<AtomicU64>,
    slots: AtomicUsize,
    retries: AtomicU64,
    equal_collisions: AtomicU64,
    big_keys: Mutex<Vec<BigKey>>,
}

impl Tally {
    /// Counters for `pairs` source/target pairs.
    pub fn new(pairs: usize) -> Self {
        Tally {
            keys: AtomicU64::new(0),
            pair_keys: (0..pairs).map(|_| AtomicU64::new(0)).collect(),
            slots: AtomicUsize::new(0),
            retries: AtomicU64::new(0),
            equal_collisions: AtomicU64::new(0),
            big_keys: Mutex::new(Vec::new()),
        }
    }

    /// Counts `n` keys moved for pair `pair`.
    pub fn add_keys(&self, pair: usize, n: u64) {
        self.keys.fetch_add(n, Ordering::Relaxed);
        if let Some(counter) = self.pair_keys.get(pair) {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Keys moved so far.
    pub fn keys(&self) -> u64 {
        self.keys.load(Ordering::Relaxed)
    }

    /// Counts one key retried alone.
    pub fn add_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts keys found on both sides with identical values (source copy dropped).
    pub fn add_equal_collisions(&self, n: u64) {
        self.equal_collisions.fetch_add(n, Ordering::Relaxed);
    }

    /// Records a big key.
    pub fn add_big_key(&self, key: BigKey) {
        self.big_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
    }

    /// True when a big key of `slot` was already recorded.
    pub fn has_big_key_in(&self, slot: u16) -> bool {
        self.big_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|k| k.slot == slot)
    }
}

/// What one source gave one target.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    /// Source `host:port`.
    pub from: String,
    /// Source node id.
    pub from_id: String,
    /// Target `host:port`.
    pub to: String,
    /// Target node id.
    pub to_id: String,
    /// Slots planned for this pair.
    pub slots_planned: usize,
    /// Slots moved.
    pub slots_moved: usize,
    /// Keys moved.
    pub keys_moved: u64,
    /// From the first batch's start to the last batch's end, in milliseconds.
    pub duration_ms: u128,
}

/// A slot the engine left open, and why.
#[derive(Debug, Clone, Serialize)]
pub struct OpenSlot {
    /// The slot.
    pub slot: u16,
    /// Source `host:port` (migrating).
    pub from: String,
    /// Target `host:port` (importing).
    pub to: String,
    /// Why it was not finished.
    pub reason: String,
}

/// The result of a migration.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    /// Slots in the plan.
    pub slots_planned: usize,
    /// Slots moved.
    pub slots_moved: usize,
    /// Keys moved.
    pub keys_moved: u64,
    /// Wall time of the moves (preparation included, final convergence wait excluded).
    pub duration_ms: u128,
    /// Time until every node saw the new owners, when it did.
    pub converge_ms: Option<u128>,
    /// Keys retried alone after a batch timed out or failed with IOERR.
    pub retries: u64,
    /// Keys found on both sides with identical values, whose source copy was dropped.
    pub equal_collisions: u64,
    /// Keys retried alone: the big ones, or the largest of a failed batch.
    pub big_keys: Vec<BigKey>,
    /// Per source/target pair.
    pub pairs: Vec<PairReport>,
    /// Slots left open (migrating on the source, importing on the target).
    pub open_slots: Vec<OpenSlot>,
    /// Ctrl-C stopped the migration before the end of the plan.
    pub interrupted: bool,
    /// The first error, when the migration did not complete.
    pub error: Option<String>,
    /// Nodes that did not see the new owners in time, in plain words.
    pub lagging: Vec<String>,
}

impl MigrationReport {
    /// True when every planned slot moved.
    pub fn complete(&self) -> bool {
        self.slots_moved == self.slots_planned && self.error.is_none() && !self.interrupted
    }
}

/// Told about the migration's progress, from the calling thread.
pub trait Observer {
    /// The moves start: totals for the progress bar.
    fn started(&mut self, slots: usize, keys: u64);
    /// Periodically: slots and keys moved so far.
    fn progress(&mut self, slots: usize, keys: u64);
    /// A source/target pair finished (all its batches are done).
    fn pair_done(&mut self, pair: &PairReport);
    /// The moves are done; waiting for the nodes to agree.
    fn converging(&mut self);
}

/// What to move, on which nodes.
pub struct Job<'a> {
    /// Every node of the cluster; the plan's indices point here.
    pub nodes: &'a [Endpoint],
    /// The plan.
    pub plan: &'a MovePlan,
}

/// Applies `job.plan`. Fails before any change when a node involved cannot be used or a
/// target does not report `cluster_state:ok` in time; once moves start, problems end up in
/// the report (`error`, `open_slots`) instead.
pub fn migrate(
    opts: &ConnectOptions,
    job: &Job<'_>,
    settings: &MigrateSettings,
    observer: &mut dyn Observer,
) -> anyhow::Result<MigrationReport> {
    let started = Instant::now();
    let pairs = job.plan.pairs();
    validate(job, &pairs)?;
    let cache = ConnCache::new(opts.clone());
    let involved: Vec<usize> = involved_nodes(&pairs);
    let prep = prepare(&cache, job, &pairs, &involved, settings)?;
    let mut batches = cut_batches(&pairs, &prep.keys_per_slot);
    let total_keys: u64 = prep.keys_per_slot.iter().map(|(_, n)| n).sum();
    let masters: Vec<usize> = (0..job.nodes.len())
        .filter(|&i| job.nodes[i].is_master && job.nodes[i].reachable)
        .collect();

    interrupt::install();
    observer.started(job.plan.len(), total_keys);
    let tally = Tally::new(pairs.len());
    let announcer = Announcer::default();
    let ctx = BatchContext {
        nodes: job.nodes,
        cache: &cache,
        settings,
        batch_keys: &prep.batch_keys,
        tally: &tally,
        announcer: &announcer,
    };
    let remaining: Vec<AtomicUsize> = pairs
        .iter()
        .enumerate()
        .map(|(p, _)| AtomicUsize::new(batches.iter().filter(|b| b.pair == p).count()))
        .collect();
    let pair_started: Vec<Mutex<Option<Instant>>> =
        pairs.iter().map(|_| Mutex::new(None)).collect();
    let queue = BatchQueue::new(std::mem::take(&mut batches), job.nodes.len());
    let outcomes: Mutex<Vec<(SlotBatch, BatchOutcome)>> = Mutex::new(Vec::new());
    let finished_pairs: Mutex<Vec<(usize, Duration)>> = Mutex::new(Vec::new());
    let workers = settings.parallel.clamp(1, 256);
    let active = AtomicUsize::new(workers);
    // Each worker holds a sender; the progress loop wakes when the last one is dropped.
    let (all_done, finished) = std::sync::mpsc::channel::<()>();

    std::thread::scope(|scope| {
        scope.spawn(|| announcer.run(job.nodes, &masters, &cache));
        for _ in 0..workers {
            let all_done = all_done.clone();
            scope.spawn(|| {
                let _all_done = all_done;
                while !interrupt::requested() {
                    let Some(batch) = queue.take() else {
                        break;
                    };
                    pair_started[batch.pair]
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert_with(Instant::now);
                    let outcome = {
                        // Frees the source's place even if moving panics, so that the other
                        // workers never wait for it forever.
                        let _in_flight = queue.in_flight(batch.from);
                        move_batch(&ctx, &batch)
                    };
                    tally
                        .slots
                        .fetch_add(outcome.moved.len(), Ordering::Relaxed);
                    if outcome.error.is_some() {
                        queue.stop();
                    }
                    let pair = batch.pair;
                    outcomes
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((batch, outcome));
                    if remaining[pair].fetch_sub(1, Ordering::SeqCst) == 1 {
                        let since = pair_started[pair]
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .map_or(Duration::ZERO, |t| t.elapsed());
                        finished_pairs
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((pair, since));
                    }
                }
                if active.fetch_sub(1, Ordering::SeqCst) == 1 {
                    // The last worker: no more news for the other masters.
                    announcer.close();
                }
            });
        }
        drop(all_done);
        // The calling thread shows progress until the workers are done.
        loop {
            let done = matches!(
                finished.recv_timeout(TICK),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected)
            );
            observer.progress(
                tally.slots.load(Ordering::Relaxed),
                tally.keys.load(Ordering::Relaxed),
            );
            let finished: Vec<(usize, Duration)> =
                std::mem::take(&mut *finished_pairs.lock().unwrap_or_else(|e| e.into_inner()));
            for (p, elapsed) in finished {
                let outcomes = outcomes.lock().unwrap_or_else(|e| e.into_inner());
                observer.pair_done(&pair_report(job, &pairs, p, &outcomes, &tally, elapsed));
            }
            if done {
                break;
            }
        }
    });

    let outcomes = outcomes.into_inner().unwrap_or_else(|e| e.into_inner());
    let pair_reports: Vec<PairReport> = (0..pairs.len())
        .map(|p| {
            let elapsed = pair_started[p]
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .map_or(Duration::ZERO, |t| t.elapsed());
            pair_report(job, &pairs, p, &outcomes, &tally, elapsed)
        })
        .collect();
    let mut open_slots = Vec::new();
    let mut error = None;
    let mut moved_slots: Vec<(u16, usize)> = Vec::new();
    for (batch, outcome) in &outcomes {
        for (slot, reason) in &outcome.open {
            open_slots.push(OpenSlot {
                slot: *slot,
                from: job.nodes[batch.from].addr.to_string(),
                to: job.nodes[batch.to].addr.to_string(),
                reason: reason.clone(),
            });
        }
        if error.is_none() {
            error.clone_from(&outcome.error);
        }
        moved_slots.extend(outcome.moved.iter().map(|&s| (s, batch.to)));
    }
    open_slots.sort_by_key(|o| o.slot);
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
    })
}

/// Every source and target must be a reachable master that serves (sources) the slots.
fn validate(job: &Job<'_>, pairs: &[crate::cluster::moves::PairMoves]) -> anyhow::Result<()> {
    for pair in pairs {
        for (index, role) in [(pair.from, "source"), (pair.to, "target")] {
            let Some(node) = job.nodes.get(index) else {
                bail!("internal error: the plan names a node that is not in the cluster");
            };
            if !node.reachable {
                bail!(
                    "{role} {} ({}) cannot be reached; nothing was moved",
                    node.addr,
                    node.id
                );
            }
            if !node.is_master {
                bail!(
                    "{role} {} ({}) is not a master; nothing was moved",
                    node.addr,
                    node.id
                );
            }
        }
        let source = &job.nodes[pair.from];
        let foreign = pair.slots.difference(&source.slots);
        if !foreign.is_empty() {
            bail!(
                "internal error: {} does not serve slots {}; nothing was moved",
                source.addr,
                foreign.bracketed()
            );
        }
    }
    Ok(())
}

fn involved_nodes(pairs: &[crate::cluster::moves::PairMoves]) -> Vec<usize> {
    let mut nodes: Vec<usize> = pairs.iter().flat_map(|p| [p.from, p.to]).collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// What the engine learns before the first change.
struct Preparation {
    /// Keys per MIGRATE, per node index.
    batch_keys: Vec<usize>,
    /// Keys in each planned slot on its source.
    keys_per_slot: Vec<(u16, u64)>,
}

/// Concurrently, per node involved: a source counts the keys of its planned slots in every
/// database it has and gets its average key size (for the MIGRATE batch size); a target must
/// report `cluster_state:ok` within the ready timeout (a master that just joined answers
/// MIGRATE with CLUSTERDOWN for a while). Keys in a database their target does not have
/// refuse the whole job.
fn prepare(
    cache: &ConnCache,
    job: &Job<'_>,
    pairs: &[crate::cluster::moves::PairMoves],
    involved: &[usize],
    settings: &MigrateSettings,
) -> anyhow::Result<Preparation> {
    let results = fan_out(involved, involved.len().max(1), |&i| {
        let node = &job.nodes[i];
        let mut conn = cache.lease(&node.addr)?;
        let mut slots: Vec<u16> = Vec::new();
        for pair in pairs.iter().filter(|p| p.from == i) {
            slots.extend(pair.slots.iter());
        }
        let counts = count_keys(&mut conn, &slots, node.server.cluster_databases)
            .inspect_err(|_| conn.discard())?;
        for pair in pairs.iter().filter(|p| p.from == i) {
            refuse_missing_database(&counts, pair, &job.nodes[pair.to])?;
        }
        let batch = match settings.batch_keys {
            Some(n) => n.max(1),
            None if slots.is_empty() => DEFAULT_MIGRATE_KEYS,
            None => default_batch_keys(&mut conn)?,
        };
        if pairs.iter().any(|p| p.to == i) {
            wait_ready(&mut conn, settings.ready_timeout)?;
        }
        let totals = slots.into_iter().zip(counts.totals()).collect::<Vec<_>>();
        Ok::<_, anyhow::Error>((batch, totals))
    });
    let mut batch_keys = vec![DEFAULT_MIGRATE_KEYS; job.nodes.len()];
    let mut keys_per_slot = Vec::new();
    for (&i, result) in involved.iter().zip(results) {
        let (batch, counts) = result
            .with_context(|| format!("preparing {}; nothing was moved", job.nodes[i].addr))?;
        batch_keys[i] = batch;
        keys_per_slot.extend(counts);
    }
    keys_per_slot.sort_unstable();
    Ok(Preparation {
        batch_keys,
        keys_per_slot,
    })
}

/// Fails when the source holds keys of `pair`'s slots in a database `target` does not have
/// (a mixed cluster: fewer `cluster-databases` there, or a server without numbered databases).
fn refuse_missing_database(
    counts: &SlotKeys,
    pair: &crate::cluster::moves::PairMoves,
    target: &Endpoint,
) -> anyhow::Result<()> {
    let databases = target.server.cluster_databases;
    match beyond_target(counts, pair, databases) {
        None => Ok(()),
        Some((db, slot)) => bail!(
            "slot {slot} holds keys in database {db}, but the target {} ({}, {}) has {} \
             database(s) (cluster-databases): they cannot move there",
            target.addr,
            target.id,
            target.server.label(),
            databases
        ),
    }
}

/// The first database (with one of its slots) holding keys of `pair`'s slots that a target
/// with `target_databases` databases does not have.
fn beyond_target(
    counts: &SlotKeys,
    pair: &crate::cluster::moves::PairMoves,
    target_databases: u32,
) -> Option<(u32, u16)> {
    counts
        .by_db()
        .into_iter()
        .filter(|(db, _)| *db >= target_databases)
        .find_map(|(db, slots)| {
            slots
                .into_iter()
                .find(|s| pair.slots.contains(*s))
                .map(|s| (db, s))
        })
}

/// Keys per MIGRATE for a source: up to 1000, fewer when its average key (over every
/// database) is large, so that a batch carries about 8 MB.
fn default_batch_keys(conn: &mut NodeConn) -> Result<usize, NodeError> {
    let mut pipe = redis::pipe();
    pipe.cmd("INFO").arg("memory").cmd("INFO").arg("keyspace");
    let replies = conn.pipeline(&pipe)?;
    let [memory, keyspace]: [redis::Value; 2] = replies
        .try_into()
        .map_err(|_| conn.server_error("short reply to INFO memory + INFO keyspace"))?;
    let memory: String = conn.convert(memory)?;
    let keyspace: String = conn.convert(keyspace)?;
    let keys = ServerInfo::parse(&keyspace, "", 0).total_keys();
    let dataset: u64 = fields(&memory)
        .find(|(k, _)| *k == "used_memory_dataset")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    Ok(batch_size_for(dataset, keys))
}

/// Keys per MIGRATE for an average key size of `dataset / keys` bytes.
fn batch_size_for(dataset: u64, keys: u64) -> usize {
    if keys == 0 || dataset == 0 {
        return DEFAULT_MIGRATE_KEYS;
    }
    let average = (dataset / keys).max(1);
    usize::try_from(MIGRATE_BYTES / average)
        .unwrap_or(DEFAULT_MIGRATE_KEYS)
        .clamp(1, DEFAULT_MIGRATE_KEYS)
}

/// Polls `CLUSTER INFO` until `cluster_state:ok`.
fn wait_ready(conn: &mut NodeConn, timeout: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let info: String = conn.query(redis::cmd("CLUSTER").arg("INFO"))?;
        if fields(&info).any(|(k, v)| k == "cluster_state" && v == "ok") {
            return Ok(());
        }
        if started.elapsed() >= timeout {
            bail!(
                "{} does not report cluster_state:ok after {} s (a master that just joined \
                 refuses MIGRATE with CLUSTERDOWN until it does); check it with `rcluster check`",
                conn.addr,
                timeout.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Batches of up to [`BATCH_SLOTS`] slots and about [`BATCH_KEYS`] keys per pair, queued
/// round-robin over the pairs so that every pair makes progress at once.
fn cut_batches(
    pairs: &[crate::cluster::moves::PairMoves],
    keys_per_slot: &[(u16, u64)],
) -> Vec<SlotBatch> {
    let keys_of = |slot: u16| {
        keys_per_slot
            .binary_search_by_key(&slot, |(s, _)| *s)
            .map_or(0, |i| keys_per_slot[i].1)
    };
    let mut per_pair: Vec<VecDeque<SlotBatch>> = Vec::new();
    for (p, pair) in pairs.iter().enumerate() {
        let mut batches = VecDeque::new();
        let mut current = SlotBatch {
            pair: p,
            from: pair.from,
            to: pair.to,
            slots: Vec::new(),
        };
        let mut keys = 0u64;
        for slot in pair.slots.iter() {
            let n = keys_of(slot);
            if !current.slots.is_empty()
                && (current.slots.len() >= BATCH_SLOTS || keys + n > BATCH_KEYS)
            {
                let next = SlotBatch {
                    slots: Vec::new(),
                    ..current.clone()
                };
                batches.push_back(std::mem::replace(&mut current, next));
                keys = 0;
            }
            current.slots.push(slot);
            keys += n;
        }
        if !current.slots.is_empty() {
            batches.push_back(current);
        }
        per_pair.push(batches);
    }
    let mut out = Vec::new();
    while per_pair.iter().any(|b| !b.is_empty()) {
        for batches in &mut per_pair {
            if let Some(batch) = batches.pop_front() {
                out.push(batch);
            }
        }
    }
    out
}

fn pair_report(
    job: &Job<'_>,
    pairs: &[crate::cluster::moves::PairMoves],
    p: usize,
    outcomes: &[(SlotBatch, BatchOutcome)],
    tally: &Tally,
    elapsed: Duration,
) -> PairReport {
    let pair = &pairs[p];
    let from = &job.nodes[pair.from];
    let to = &job.nodes[pair.to];
    PairReport {
        from: from.addr.to_string(),
        from_id: from.id.clone(),
        to: to.addr.to_string(),
        to_id: to.id.clone(),
        slots_planned: pair.slots.len(),
        slots_moved: outcomes
            .iter()
            .filter(|(b, _)| b.pair == p)
            .map(|(_, o)| o.moved.len())
            .sum(),
        keys_moved: tally.pair_keys[p].load(Ordering::Relaxed),
        duration_ms: elapsed.as_millis(),
    }
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
        std::thread::sleep(super::poll::POLL_INTERVAL * 5);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::moves::PairMoves;

    #[test]
    fn batch_size_follows_average_key_size() {
        assert_eq!(batch_size_for(0, 0), 1000);
        assert_eq!(batch_size_for(100 * 1_000_000, 1_000_000), 1000);
        assert_eq!(batch_size_for(64 * 1024 * 1000, 1000), 128);
        assert_eq!(batch_size_for(50 * 1024 * 1024, 1), 1);
    }

    fn pair(from: usize, to: usize, slots: std::ops::RangeInclusive<u16>) -> PairMoves {
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

    #[test]
    fn batches_are_bounded_and_round_robin() {
        let pairs = vec![pair(0, 2, 0..=299), pair(1, 2, 1000..=1029)];
        let keys: Vec<(u16, u64)> = (0..=299u16)
            .map(|s| (s, 10))
            .chain((1000..=1029).map(|s| (s, 15_000)))
            .collect();
        let batches = cut_batches(&pairs, &keys);
        // Pair 0: 256 + 44 slots; pair 1: one slot per batch (15 000 keys each).
        assert_eq!(batches.len(), 2 + 30);
        assert_eq!(batches[0].pair, 0);
        assert_eq!(batches[1].pair, 1);
        assert_eq!(batches[2].pair, 0);
        assert_eq!(batches[0].slots.len(), BATCH_SLOTS);
        assert_eq!(batches[2].slots.len(), 300 - BATCH_SLOTS);
        assert!(
            batches[3..]
                .iter()
                .all(|b| b.pair == 1 && b.slots.len() == 1)
        );
        let total: usize = batches.iter().map(|b| b.slots.len()).sum();
        assert_eq!(total, 330);
    }
}
