//! The migration engine shared by reshard, rebalance, fix and del-node --drain: applies a
//! [`MovePlan`] to the cluster, behind one interface ([`migrate`]) with two strategies:
//!
//! * [`atomic`]: the servers move the slots themselves (Valkey >= 9.0 `CLUSTER MIGRATESLOTS`),
//!   used for every pair whose source and target both have it (`--engine auto`, the default);
//! * [`legacy`]: rcluster moves the keys (SETSLOT, GETKEYSINSLOT, MIGRATE), for every server.
//!
//! Before anything changes, every node involved is checked, the keys of the planned slots are
//! counted and every target must report `cluster_state:ok`. After the moves the engine waits
//! (bounded) until every node sees the new owners, so the next command finds a cluster that
//! agrees.

mod atomic;
mod compare;
mod conflicts;
mod legacy;

pub use atomic::atomic_vetoes;
pub(crate) use compare::{dump_all, same_unordered_content};
pub use conflicts::{ConflictLog, DroppedCopy};
pub(crate) use legacy::announce::Announcer;
pub(crate) use legacy::batch::{
    BatchContext, MigrateFlags, drain_slot, is_no_longer_master, migrate_command,
};
pub(crate) use legacy::setslot;

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

/// Keys per MIGRATE when `--pipeline` is not given, at most.
const DEFAULT_MIGRATE_KEYS: usize = 1000;
/// Bytes per MIGRATE the default batch size aims at, using the source's average key size.
const MIGRATE_BYTES: u64 = 8 * 1024 * 1024;
/// How long to wait at the end for every node to see the new owners.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// For a replica, its master's id.
    pub master_id: Option<String>,
}

impl Endpoint {
    /// Every node of `snapshot`, in the same order as [`crate::cluster::plan::moves::PlanNode::from_snapshot`].
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
                master_id: n.current().master_id.clone(),
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
    /// Which engine moves the slots (`--engine`).
    pub engine: EngineChoice,
    /// The MIGRATE engine's rate limit, shared by every batch (`--max-keys-per-sec`, ...).
    pub throttle: Option<Arc<Throttle>>,
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
    /// How the pair was moved.
    pub engine: Engine,
    /// Slots planned for this pair.
    pub slots_planned: usize,
    /// Slots moved.
    pub slots_moved: usize,
    /// Keys moved.
    pub keys_moved: u64,
    /// From the first batch's start to the last batch's end (atomic: from the job's start to
    /// its end), in milliseconds.
    pub duration_ms: u128,
    /// Why the pair did not complete (an atomic job's failure, in the server's words).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Why a pair planned atomic moved with MIGRATE instead: the servers refused to move it
    /// atomically (a loaded module without atomic slot migration support), in their words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
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
    /// The throttle's limits and what went through it (`null` without a throttle).
    pub throttle: Option<ThrottleReport>,
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
    /// The servers refused to move `slots` from `from` to `to` atomically (`reason`, in their
    /// words; nothing moved): MIGRATE moves them after the atomic pairs.
    fn fell_back(&mut self, slots: &SlotSet, from: &NodeAddr, to: &NodeAddr, reason: &str);
    /// The moves are done; waiting for the nodes to agree.
    fn converging(&mut self);
}

/// What to move, on which nodes, with which engine.
pub struct Job<'a> {
    /// Every node of the cluster; the plan's indices point here.
    pub nodes: &'a [Endpoint],
    /// The plan.
    pub plan: &'a MovePlan,
    /// The engine of each pair of `plan.pairs()` (see `cluster::engine::choose_engines`).
    pub engines: &'a [Engine],
}

/// Applies `job.plan`. Fails before any change when a node involved cannot be used, a target
/// does not report `cluster_state:ok` in time, or `--engine atomic` names a pair that cannot
/// use it; once moves start, problems end up in the report (`error`, `open_slots`) instead.
/// Atomic pairs go first (the servers move them by themselves), then the MIGRATE pairs, with
/// those the servers refused to move atomically under `--engine auto` (their reports say why
/// in `fallback`).
pub fn migrate(
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

/// Every source and target must be a reachable master that serves (sources) the slots.
fn validate(job: &Job<'_>, pairs: &[PairMoves]) -> anyhow::Result<()> {
    if job.engines.len() != pairs.len() {
        bail!("internal error: the plan has no engine for some pairs; nothing was moved");
    }
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

fn involved_nodes(pairs: &[PairMoves]) -> Vec<usize> {
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
    /// A node involved holds keys in a database other than 0.
    numbered_dbs_in_use: bool,
}

/// Concurrently, per node involved: a source counts the keys of its planned slots in every
/// database it has and, when MIGRATE moves them, gets its average key size (for the batch size); a target must
/// report `cluster_state:ok` within the ready timeout (a master that just joined answers
/// MIGRATE with CLUSTERDOWN for a while). Keys in a database their target does not have
/// refuse the whole job.
fn prepare(
    cache: &ConnCache,
    job: &Job<'_>,
    pairs: &[PairMoves],
    engines: &[Engine],
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
        let databases = node.server.cluster_databases;
        let used = databases_with_keys(&mut conn, databases).inspect_err(|_| conn.discard())?;
        let counts =
            count_keys_in(&mut conn, &slots, databases, &used).inspect_err(|_| conn.discard())?;
        for (pair, engine) in pairs.iter().zip(engines).filter(|(p, _)| p.from == i) {
            refuse_missing_database(&counts, pair, &job.nodes[pair.to])?;
            if *engine == Engine::Legacy {
                refuse_older_rdb(&counts, pair, node, &job.nodes[pair.to])?;
            }
        }
        // Under `--engine auto` an atomic pair the servers refuse moves with MIGRATE.
        let moves_keys = pairs.iter().zip(engines).any(|(p, e)| {
            p.from == i && (*e == Engine::Legacy || settings.engine == EngineChoice::Auto)
        });
        let batch = match settings.batch_keys {
            Some(n) => n.max(1),
            None if !moves_keys => DEFAULT_MIGRATE_KEYS,
            None => default_batch_keys(&mut conn)?,
        };
        if pairs.iter().any(|p| p.to == i) {
            wait_ready(&mut conn, settings.ready_timeout)?;
        }
        let totals = slots.into_iter().zip(counts.totals()).collect::<Vec<_>>();
        let numbered = used.iter().any(|&db| db > 0);
        Ok::<_, anyhow::Error>((batch, totals, numbered))
    });
    let mut batch_keys = vec![DEFAULT_MIGRATE_KEYS; job.nodes.len()];
    let mut keys_per_slot = Vec::new();
    let mut numbered_dbs_in_use = false;
    for (&i, result) in involved.iter().zip(results) {
        let (batch, counts, numbered) = result
            .with_context(|| format!("preparing {}; nothing was moved", job.nodes[i].addr))?;
        batch_keys[i] = batch;
        keys_per_slot.extend(counts);
        numbered_dbs_in_use |= numbered;
    }
    keys_per_slot.sort_unstable();
    Ok(Preparation {
        batch_keys,
        keys_per_slot,
        numbered_dbs_in_use,
    })
}

/// The databases of `conn` that hold keys (INFO keyspace), of `0..databases`; database 0
/// alone without asking when the server has one.
fn databases_with_keys(conn: &mut NodeConn, databases: u32) -> Result<Vec<u32>, NodeError> {
    if databases <= 1 {
        return Ok(vec![0]);
    }
    let keyspace: String = conn.query(redis::cmd("INFO").arg("keyspace"))?;
    Ok(ServerInfo::parse(&keyspace, "", 0)
        .keyspace
        .iter()
        .filter(|(db, keys)| *keys > 0 && *db < databases)
        .map(|(db, _)| *db)
        .collect())
}

/// Fails when the source holds keys of `pair`'s slots in a database `target` does not have
/// (a mixed cluster: fewer `cluster-databases` there, or a server without numbered databases).
fn refuse_missing_database(
    counts: &SlotKeys,
    pair: &PairMoves,
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

/// Fails when MIGRATE would carry keys of `pair`'s slots from `source` to a target that
/// refuses its DUMP payloads (an older RDB format: `DUMP payload version or checksum are
/// wrong`): every key would fail and the slots would stay open. Empty slots may move.
fn refuse_older_rdb(
    counts: &SlotKeys,
    pair: &PairMoves,
    source: &Endpoint,
    target: &Endpoint,
) -> anyhow::Result<()> {
    if target.server.reads_dumps_of(&source.server) {
        return Ok(());
    }
    let Some((slot, _)) = counts
        .with_keys()
        .into_iter()
        .find(|(s, _)| pair.slots.contains(*s))
    else {
        return Ok(());
    };
    bail!(
        "cannot move keys from {} ({}, RDB format {}) to {} ({}, RDB format {}), slot {slot} \
         first: a server refuses the DUMP payloads of a newer RDB format, so every MIGRATE \
         would fail. Nothing was moved; move keys from older servers to newer ones (upgrade {} \
         first)",
        source.addr,
        source.server.label(),
        source.server.rdb_version(),
        target.addr,
        target.server.label(),
        target.server.rdb_version(),
        target.addr
    )
}

/// The first database (with one of its slots) holding keys of `pair`'s slots that a target
/// with `target_databases` databases does not have.
fn beyond_target(counts: &SlotKeys, pair: &PairMoves, target_databases: u32) -> Option<(u32, u16)> {
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
