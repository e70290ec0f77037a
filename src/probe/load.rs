//! Reading the load per slot ([`read_load`]): keys, memory, CPU and network of every slot, from
//! every master at once. Servers with `CLUSTER SLOT-STATS` (see [`Capabilities::slot_stats`])
//! answer one pipeline per master (one `SLOTSRANGE` per contiguous range it serves); older ones
//! count keys with pipelined `CLUSTER COUNTKEYSINSLOT`. CPU and network are rates: two readings
//! `window` apart, each slot's counter difference over the time between its master's two
//! answers. Memory is `memory-bytes` where every master reports it, else sampled: `MEMORY USAGE`
//! of up to `keys_per_slot` keys of each slot (`CLUSTER GETKEYSINSLOT`), scaled by its key
//! count, after the window (a sampled key counts as a command on its slot). The CPU and network
//! counters exist only with `cluster-slot-stats-enabled yes`; with
//! [`LoadRequest::enable_slot_stats`] the reader turns the setting on where it is off and back
//! off afterwards, also when the reading fails or Ctrl-C stops it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, Instant};

use redis::Value;

use crate::address::NodeAddr;
use crate::cluster::load::{LoadReading, Metric, SlotValues, Source, hottest_slots};
use crate::cluster::parse::capabilities::{Capabilities, SLOT_STATS_SERVERS};
use crate::cluster::parse::slot_stats::{SlotStat, parse_slot_stats};
use crate::cluster::slots::{SLOT_COUNT, SlotSet, slot_list};
use crate::cluster::snapshot::Snapshot;
use crate::error::UsageError;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError};
use crate::net::db::select;
use crate::net::pool::NodePool;
use crate::probe::scan::count_keys_in;
use crate::probe::snapshot::config_value;

/// Keys sampled per slot for memory, at most, unless the request says otherwise.
pub(crate) const DEFAULT_KEYS_PER_SLOT: usize = 16;
/// Sample keys kept per hot slot.
const HOT_SLOT_KEYS: usize = 3;
/// Commands per pipeline when sampling keys.
const SAMPLE_PIPELINE: usize = 1024;
/// How often the wait between two readings looks for Ctrl-C.
const STOP_POLL: Duration = Duration::from_millis(50);
/// The setting that switches the CPU and network counters on.
const STATS_SETTING: &str = "cluster-slot-stats-enabled";

/// What to read.
#[derive(Debug, Clone)]
pub(crate) struct LoadRequest {
    /// The metric that must be read (an error says why it cannot be); it ranks the hot slots.
    pub(crate) by: Metric,
    /// Metrics read too when the cluster can give them (a note says why one is left out).
    pub(crate) also: Vec<Metric>,
    /// Hot slots (by `by`) whose sample keys go to [`LoadReading::sample_keys`].
    pub(crate) top: usize,
    /// Time between the two readings rates come from.
    pub(crate) window: Duration,
    /// Turn `cluster-slot-stats-enabled` on where it is off, for the reading only.
    pub(crate) enable_slot_stats: bool,
    /// Keys sampled per slot for memory, at most.
    pub(crate) keys_per_slot: usize,
    /// Asked between the two readings: true stops the reading (Ctrl-C).
    pub(crate) stop: fn() -> bool,
}

impl LoadRequest {
    /// Reads `by` alone: a 1 s window, 10 hot slots, [`DEFAULT_KEYS_PER_SLOT`], the setting left
    /// as it is, nothing stops it.
    pub(crate) fn new(by: Metric) -> LoadRequest {
        LoadRequest {
            by,
            also: Vec::new(),
            top: 10,
            window: Duration::from_secs(1),
            enable_slot_stats: false,
            keys_per_slot: DEFAULT_KEYS_PER_SLOT,
            stop: || false,
        }
    }
}

/// What kind of failure a [`LoadError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoadFailure {
    /// The request cannot be read from this cluster as it is (a node too old, the counters
    /// off): another command line is the fix.
    Usage,
    /// A node failed or answered something unexpected.
    Node,
    /// `stop` said so between the two readings.
    Interrupted,
}

/// Why a reading failed, in words that say what to do.
#[derive(Debug, Clone)]
pub(crate) struct LoadError {
    /// The kind, which picks the exit code.
    pub(crate) kind: LoadFailure,
    /// The message (with a hint).
    pub(crate) message: String,
}

impl LoadError {
    fn usage(message: String) -> LoadError {
        LoadError {
            kind: LoadFailure::Usage,
            message,
        }
    }

    /// The error a command returns: a [`UsageError`] (exit 2) for [`LoadFailure::Usage`].
    pub(crate) fn into_command_error(self) -> anyhow::Error {
        match self.kind {
            LoadFailure::Usage => UsageError::new(self.message).into(),
            LoadFailure::Node | LoadFailure::Interrupted => self.into(),
        }
    }

    /// The same error, saying too where the setting could not be turned back off.
    fn with_restore_failures(mut self, failures: &[String]) -> LoadError {
        if !failures.is_empty() {
            self.message.push_str("; and ");
            self.message.push_str(&failures.join("; "));
        }
        self
    }
}

impl From<NodeError> for LoadError {
    fn from(err: NodeError) -> LoadError {
        LoadError {
            kind: LoadFailure::Node,
            message: err.to_string(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// One master whose slots are read.
#[derive(Debug, Clone)]
struct Master {
    /// Where it is.
    addr: NodeAddr,
    /// What it is and can do.
    server: Capabilities,
    /// The slots read from it: those it serves by its own view (a slot two masters claim is
    /// read from the first).
    slots: SlotSet,
    /// `cluster-databases` (1 on most servers).
    databases: u32,
    /// The databases holding keys by INFO keyspace, and 0 (ascending).
    dbs: Vec<u32>,
}

/// Reads the load of the slots `snapshot`'s masters serve, as `request` asks.
pub(crate) fn read_load(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
    request: &LoadRequest,
) -> Result<LoadReading, LoadError> {
    let mut reading = LoadReading::default();
    let masters = masters_of(snapshot, &mut reading.notes);
    let wanted = wanted_metrics(request);
    let mut rates = readable_rates(&masters, request.by, &wanted, &mut reading.notes)?;
    let pool = connect(opts, &masters)?;
    let switch = prepare_counters(&pool, &masters, request, &mut rates, &mut reading.notes)?;
    let rounds = read_rounds(&pool, &masters, !rates.is_empty(), request);
    let restore_failures = switch.restore(&pool, &masters);
    let (first, last) = rounds.map_err(|e| e.with_restore_failures(&restore_failures))?;
    reading.notes.extend(restore_failures);
    let keys = key_counts(&pool, &masters, &last)?;
    if let Some(first) = &first {
        add_rates(&mut reading, &rates, first, &last);
    }
    if wanted.contains(&Metric::Memory) {
        let memory = memory(&pool, &masters, &last, &keys, request.keys_per_slot)?;
        reading.metrics.insert(Metric::Memory, memory);
    }
    reading.metrics.insert(Metric::Keys, keys);
    if let Some(values) = reading.metrics.get(&request.by) {
        let hot: Vec<u16> = hottest_slots(values, request.top)
            .into_iter()
            .map(|(slot, _)| slot)
            .collect();
        reading.sample_keys = hot_slot_keys(&pool, &masters, &hot)?;
    }
    Ok(reading)
}

/// `by` and `also`, without repeats.
fn wanted_metrics(request: &LoadRequest) -> BTreeSet<Metric> {
    std::iter::once(request.by)
        .chain(request.also.iter().copied())
        .collect()
}

/// The masters serving slots, in snapshot order; a note for each one that did not answer
/// (its slots count 0).
fn masters_of(snapshot: &Snapshot, notes: &mut Vec<String>) -> Vec<Master> {
    let mut claimed = SlotSet::new();
    let mut masters = Vec::new();
    for node in snapshot.masters() {
        let slots = node.current().slots.difference(&claimed);
        if slots.is_empty() {
            continue;
        }
        claimed.union_with(&slots);
        let (Some(probe), Some(addr)) = (node.probe(), node.addr()) else {
            notes.push(format!(
                "master {} did not answer: its {} slots count 0",
                node.addr_text(),
                slots.len()
            ));
            continue;
        };
        // Database 0 always: keys written since the snapshot count too.
        let mut dbs: Vec<u32> = probe
            .info
            .keys_per_db()
            .into_iter()
            .map(|(db, _)| db)
            .collect();
        if !dbs.contains(&0) {
            dbs.insert(0, 0);
        }
        masters.push(Master {
            addr: addr.clone(),
            server: probe.info.server,
            slots,
            databases: probe.info.server.cluster_databases,
            dbs,
        });
    }
    masters
}

/// The rate metrics of `wanted` that every master can report. A master without slot stats
/// makes `by` an error naming it and its version, and the other rates a note.
fn readable_rates(
    masters: &[Master],
    by: Metric,
    wanted: &BTreeSet<Metric>,
    notes: &mut Vec<String>,
) -> Result<Vec<Metric>, LoadError> {
    let rates: Vec<Metric> = wanted.iter().copied().filter(|m| m.is_rate()).collect();
    let Some(old) = masters.iter().find(|m| !m.server.slot_stats()) else {
        return Ok(rates);
    };
    if by.is_rate() {
        return Err(LoadError::usage(format!(
            "{} ({}) cannot report {by}: per-slot CPU and network counters need CLUSTER \
             SLOT-STATS ({SLOT_STATS_SERVERS}); keys and memory can be read from any server \
             (--by keys, --by memory)",
            old.addr,
            old.server.label()
        )));
    }
    if !rates.is_empty() {
        notes.push(format!(
            "{} not read: {} ({}) has no CLUSTER SLOT-STATS ({SLOT_STATS_SERVERS})",
            names(&rates),
            old.addr,
            old.server.label()
        ));
    }
    Ok(Vec::new())
}

/// `cpu, net-in`.
fn names(metrics: &[Metric]) -> String {
    metrics
        .iter()
        .map(|m| m.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Opens one connection per master.
fn connect(opts: &ConnectOptions, masters: &[Master]) -> Result<NodePool, LoadError> {
    let addrs: Vec<NodeAddr> = masters.iter().map(|m| m.addr.clone()).collect();
    let conns = NodePool::connect_all(opts, &addrs)
        .into_iter()
        .collect::<Result<Vec<NodeConn>, NodeError>>()?;
    Ok(NodePool::new(conns))
}

/// Makes sure the CPU and network counters of `rates` run on every master: turned on where
/// they are off when the request allows it, else an error (`by` is a rate) or a note (the
/// rates are dropped).
fn prepare_counters(
    pool: &NodePool,
    masters: &[Master],
    request: &LoadRequest,
    rates: &mut Vec<Metric>,
    notes: &mut Vec<String>,
) -> Result<StatsSwitch, LoadError> {
    if rates.is_empty() {
        return Ok(StatsSwitch::default());
    }
    let off = match counters_off(pool) {
        Ok(off) => off,
        // A node that will not say (CONFIG renamed or not allowed) costs the rates only.
        Err(err) if !request.by.is_rate() => {
            notes.push(format!("{} not read: {err}", names(rates)));
            rates.clear();
            return Ok(StatsSwitch::default());
        }
        Err(err) => return Err(err),
    };
    if off.is_empty() {
        return Ok(StatsSwitch::default());
    }
    let addrs: Vec<String> = off.iter().map(|&i| masters[i].addr.to_string()).collect();
    if request.enable_slot_stats {
        let switch = StatsSwitch::turn_on(pool, masters, off)?;
        notes.push(format!(
            "{STATS_SETTING} was turned on for this reading on {} and back off after",
            addrs.join(", ")
        ));
        return Ok(switch);
    }
    if request.by.is_rate() {
        return Err(LoadError::usage(format!(
            "{} needs the per-slot CPU and network counters, which are off ({STATS_SETTING} \
             no) on {}: pass --enable-slot-stats to turn them on for this reading (each \
             node's setting is restored after), or turn them on for good with CONFIG SET \
             {STATS_SETTING} yes on every node (rcluster call HOST:PORT CONFIG SET \
             {STATS_SETTING} yes)",
            request.by,
            addrs.join(", ")
        )));
    }
    notes.push(format!(
        "{} not read: {STATS_SETTING} is off on {} (--enable-slot-stats turns it on for the \
         reading)",
        names(rates),
        addrs.join(", ")
    ));
    rates.clear();
    Ok(StatsSwitch::default())
}

/// The masters (indices) whose `cluster-slot-stats-enabled` is not `yes`.
fn counters_off(pool: &NodePool) -> Result<Vec<usize>, LoadError> {
    let mut get = redis::cmd("CONFIG");
    get.arg("GET").arg(STATS_SETTING);
    let states = pool.each(|i, conn| {
        let reply = conn.raw(&get)?;
        if let Value::ServerError(err) = &reply {
            let text = crate::net::conn::server_error_text(err);
            return Err(conn.server_error(&format!("CONFIG GET {STATS_SETTING} failed: {text}")));
        }
        Ok::<_, NodeError>((i, config_value(reply).is_some_and(|v| v == "yes")))
    });
    let mut off = Vec::new();
    for state in states {
        let (i, on) = state?;
        if !on {
            off.push(i);
        }
    }
    Ok(off)
}

/// The masters whose `cluster-slot-stats-enabled` this reading turned on, to turn back off.
#[derive(Debug, Default)]
struct StatsSwitch {
    /// Their indices.
    turned_on: Vec<usize>,
}

impl StatsSwitch {
    /// Turns the setting on for the masters `off`; when one refuses, turns the others back
    /// off and fails naming it.
    fn turn_on(
        pool: &NodePool,
        masters: &[Master],
        off: Vec<usize>,
    ) -> Result<StatsSwitch, LoadError> {
        let results = pool.some(&off, |_, conn| set_counters(conn, true));
        let turned_on: Vec<usize> = off
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(&i, _)| i)
            .collect();
        let Some(Err(err)) = results.into_iter().find(Result::is_err) else {
            return Ok(StatsSwitch { turned_on });
        };
        let failures = StatsSwitch { turned_on }.restore(pool, masters);
        Err(LoadError::from(err).with_restore_failures(&failures))
    }

    /// Turns the setting back off where it was turned on; a line for each node where that
    /// failed, saying what to run there.
    fn restore(self, pool: &NodePool, masters: &[Master]) -> Vec<String> {
        let results = pool.some(&self.turned_on, |_, conn| set_counters(conn, false));
        self.turned_on
            .iter()
            .zip(results)
            .filter_map(|(&i, result)| {
                result.err().map(|err| {
                    format!(
                        "{STATS_SETTING} could not be turned back off on {} ({}): run CONFIG \
                         SET {STATS_SETTING} no there",
                        masters[i].addr, err.message
                    )
                })
            })
            .collect()
    }
}

/// `CONFIG SET cluster-slot-stats-enabled yes|no`.
fn set_counters(conn: &mut NodeConn, on: bool) -> Result<(), NodeError> {
    let mut set = redis::cmd("CONFIG");
    set.arg("SET")
        .arg(STATS_SETTING)
        .arg(if on { "yes" } else { "no" });
    conn.query::<()>(&set).map_err(|err| NodeError {
        message: format!("CONFIG SET {STATS_SETTING} failed: {}", err.message),
        ..err
    })
}

/// One reading of every master's slot stats.
#[derive(Debug, Clone)]
struct Round {
    /// `slots[slot]`: the index of the master that reported it and its counters.
    slots: Vec<Option<(usize, SlotStat)>>,
    /// When each master answered (None: it has no slot stats).
    at: Vec<Option<Instant>>,
}

/// The last reading, and the first one when rates are read (`window` before it). Fails with
/// [`LoadFailure::Interrupted`] when `stop` says so in between.
fn read_rounds(
    pool: &NodePool,
    masters: &[Master],
    rates: bool,
    request: &LoadRequest,
) -> Result<(Option<Round>, Round), LoadError> {
    if !rates {
        return Ok((None, read_round(pool, masters)?));
    }
    let first = read_round(pool, masters)?;
    let deadline = Instant::now() + request.window;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if (request.stop)() {
            return Err(LoadError {
                kind: LoadFailure::Interrupted,
                message: "interrupted between the two readings".into(),
            });
        }
        std::thread::sleep(left.min(STOP_POLL));
    }
    Ok((Some(first), read_round(pool, masters)?))
}

/// The slot stats of every master that has them, all at once.
fn read_round(pool: &NodePool, masters: &[Master]) -> Result<Round, LoadError> {
    let answers = pool.each(|i, conn| {
        let master = &masters[i];
        if !master.server.slot_stats() {
            return Ok(None);
        }
        slot_stats_of(conn, &master.slots).map(|stats| Some((stats, Instant::now())))
    });
    let mut round = Round {
        slots: vec![None; usize::from(SLOT_COUNT)],
        at: vec![None; masters.len()],
    };
    for (i, answer) in answers.into_iter().enumerate() {
        let Some((stats, at)) = answer? else { continue };
        round.at[i] = Some(at);
        for stat in stats
            .into_iter()
            .filter(|s| masters[i].slots.contains(s.slot))
        {
            round.slots[usize::from(stat.slot)] = Some((i, stat));
        }
    }
    Ok(round)
}

/// `CLUSTER SLOT-STATS SLOTSRANGE start end` for each range of `slots`, in one pipeline.
fn slot_stats_of(conn: &mut NodeConn, slots: &SlotSet) -> Result<Vec<SlotStat>, NodeError> {
    let mut pipe = redis::pipe();
    for range in slots.ranges() {
        pipe.cmd("CLUSTER")
            .arg("SLOT-STATS")
            .arg("SLOTSRANGE")
            .arg(range.start)
            .arg(range.end);
    }
    let mut stats = Vec::with_capacity(slots.len());
    for reply in conn.pipeline(&pipe)? {
        let reply: Value = conn.convert(reply)?;
        stats.extend(parse_slot_stats(&reply).map_err(|e| NodeError {
            addr: conn.addr.clone(),
            kind: crate::net::conn::ErrorKind::Io,
            message: e,
        })?);
    }
    Ok(stats)
}

/// Keys per slot: the last round's `key-count`, and pipelined `COUNTKEYSINSLOT` (over the
/// databases holding keys) on masters without slot stats.
fn key_counts(pool: &NodePool, masters: &[Master], last: &Round) -> Result<SlotValues, LoadError> {
    let old: Vec<usize> = (0..masters.len())
        .filter(|&i| !masters[i].server.slot_stats())
        .collect();
    let source = if old.is_empty() {
        Source::SlotStats
    } else {
        Source::CountKeys
    };
    let mut keys = SlotValues::zeroed(Metric::Keys, source);
    for (slot, entry) in last.slots.iter().enumerate() {
        if let Some((_, stat)) = entry {
            keys.values[slot] = stat.key_count as f64;
        }
    }
    let counted = pool.some(&old, |i, conn| {
        let master = &masters[i];
        let slots: Vec<u16> = master.slots.iter().collect();
        count_keys_in(conn, &slots, master.databases, &master.dbs)
    });
    for counts in counted {
        let counts = counts?;
        for (slot, n) in counts.slots.iter().zip(counts.totals()) {
            keys.values[usize::from(*slot)] = n as f64;
        }
    }
    Ok(keys)
}

/// Adds each rate of `rates` from the two rounds, the window, and a note listing the slots
/// that count 0 because a round lacks them or their counter went back.
fn add_rates(reading: &mut LoadReading, rates: &[Metric], first: &Round, last: &Round) {
    let mut skipped = BTreeSet::new();
    for &metric in rates {
        let (values, missing) = rate_values(metric, first, last);
        skipped.extend(missing);
        reading.metrics.insert(metric, values);
    }
    reading.window_secs = mean_window(first, last);
    if !skipped.is_empty() {
        let slots: Vec<u16> = skipped.into_iter().collect();
        reading.notes.push(format!(
            "{} slots changed owner or had their counters reset during the window: their \
             {} count 0 (slots {})",
            slots.len(),
            names(rates),
            slot_list(&slots)
        ));
    }
}

/// The counter of `metric` in `stat` (`net` is in + out).
fn counter(stat: &SlotStat, metric: Metric) -> Option<u64> {
    match metric {
        Metric::Keys => Some(stat.key_count),
        Metric::Memory => stat.memory_bytes,
        Metric::Cpu => stat.cpu_usec,
        Metric::NetIn => stat.network_bytes_in,
        Metric::NetOut => stat.network_bytes_out,
        Metric::Net => Some(stat.network_bytes_in? + stat.network_bytes_out?),
    }
}

/// Per-second rates of `metric` from two rounds: for each slot, (b − a) over the seconds
/// between its master's two answers. A slot both rounds lack counts 0; one that only one
/// round has, whose master changed, whose counter is missing or went back counts 0 and is
/// listed.
fn rate_values(metric: Metric, a: &Round, b: &Round) -> (SlotValues, Vec<u16>) {
    let mut values = SlotValues::zeroed(metric, Source::SlotStats);
    let mut skipped = Vec::new();
    for slot in 0..SLOT_COUNT {
        let s = usize::from(slot);
        let rate = match (&a.slots[s], &b.slots[s]) {
            (None, None) => continue,
            (Some((ma, sa)), Some((mb, sb))) if ma == mb => {
                let secs = match (a.at[*ma], b.at[*mb]) {
                    (Some(ta), Some(tb)) => tb.saturating_duration_since(ta).as_secs_f64(),
                    _ => 0.0,
                };
                match (counter(sa, metric), counter(sb, metric)) {
                    (Some(ca), Some(cb)) if cb >= ca && secs > 0.0 => Some((cb - ca) as f64 / secs),
                    _ => None,
                }
            }
            _ => None,
        };
        match rate {
            Some(rate) => values.values[s] = rate,
            None => skipped.push(slot),
        }
    }
    (values, skipped)
}

/// Mean seconds between the masters' two answers (None when no master answered twice).
fn mean_window(a: &Round, b: &Round) -> Option<f64> {
    let secs: Vec<f64> =
        a.at.iter()
            .zip(&b.at)
            .filter_map(|(ta, tb)| Some(tb.as_ref()?.saturating_duration_since(*ta.as_ref()?)))
            .map(|d| d.as_secs_f64())
            .collect();
    (!secs.is_empty()).then(|| secs.iter().sum::<f64>() / secs.len() as f64)
}

/// Memory per slot: `memory-bytes` when every master reported it in the last round, else
/// sampled on every master at once.
fn memory(
    pool: &NodePool,
    masters: &[Master],
    last: &Round,
    keys: &SlotValues,
    keys_per_slot: usize,
) -> Result<SlotValues, LoadError> {
    let reported = !masters.is_empty()
        && masters.iter().all(|m| m.server.slot_stats_memory())
        && last
            .slots
            .iter()
            .flatten()
            .all(|(_, stat)| stat.memory_bytes.is_some());
    if reported {
        let mut memory = SlotValues::zeroed(Metric::Memory, Source::SlotStats);
        for (slot, entry) in last.slots.iter().enumerate() {
            if let Some((_, stat)) = entry {
                memory.values[slot] = stat.memory_bytes.unwrap_or(0) as f64;
            }
        }
        return Ok(memory);
    }
    let cap = keys_per_slot.max(1);
    let mut memory = SlotValues::zeroed(Metric::Memory, Source::Sampled { keys_per_slot: cap });
    for estimates in pool.each(|i, conn| sample_memory(conn, &masters[i], keys, cap)) {
        for (slot, bytes) in estimates? {
            memory.values[usize::from(slot)] = bytes;
        }
    }
    Ok(memory)
}

/// One master's memory per slot holding keys: the mean `MEMORY USAGE` of up to `cap` of its
/// keys times its key count.
fn sample_memory(
    conn: &mut NodeConn,
    master: &Master,
    keys: &SlotValues,
    cap: usize,
) -> Result<Vec<(u16, f64)>, NodeError> {
    let slots: Vec<(u16, usize)> = master
        .slots
        .iter()
        .map(|s| (s, keys.values[usize::from(s)]))
        .filter(|(_, n)| *n > 0.0)
        .map(|(s, n)| (s, cap.min(n as usize).max(1)))
        .collect();
    let sampled = keys_in_slots(conn, &slots, &master.dbs)?;
    let cmds: Vec<(u32, redis::Cmd)> = sampled
        .iter()
        .flat_map(|(_, keys)| keys.iter())
        .map(|(db, key)| {
            let mut cmd = redis::cmd("MEMORY");
            cmd.arg("USAGE").arg(key);
            (*db, cmd)
        })
        .collect();
    let mut sizes = run_in_dbs(conn, &cmds)?.into_iter();
    let mut estimates = Vec::with_capacity(sampled.len());
    for (slot, found) in sampled {
        // A key deleted since GETKEYSINSLOT has no size (nil): it is left out of the mean.
        let mut measured = Vec::with_capacity(found.len());
        for reply in sizes.by_ref().take(found.len()) {
            measured.extend(conn.convert::<Option<u64>>(reply)?);
        }
        if !measured.is_empty() {
            let mean = measured.iter().sum::<u64>() as f64 / measured.len() as f64;
            estimates.push((slot, mean * keys.values[usize::from(slot)]));
        }
    }
    Ok(estimates)
}

/// Keys of one slot, each with its database.
type SlotSample = (u16, Vec<(u32, Vec<u8>)>);

/// Up to `n` keys of each slot `(slot, n)` with their database, taken from each database of
/// `dbs` in turn; slots in the order given.
fn keys_in_slots(
    conn: &mut NodeConn,
    slots: &[(u16, usize)],
    dbs: &[u32],
) -> Result<Vec<SlotSample>, NodeError> {
    let cmds: Vec<(u32, redis::Cmd)> = dbs
        .iter()
        .flat_map(|&db| {
            slots.iter().map(move |&(slot, n)| {
                let mut cmd = redis::cmd("CLUSTER");
                cmd.arg("GETKEYSINSLOT").arg(slot).arg(n);
                (db, cmd)
            })
        })
        .collect();
    let replies = run_in_dbs(conn, &cmds)?;
    let mut found: Vec<SlotSample> = slots.iter().map(|&(slot, _)| (slot, Vec::new())).collect();
    for ((db, _), (i, reply)) in cmds.iter().zip(replies.into_iter().enumerate()) {
        let keys: Vec<Vec<u8>> = conn.convert(reply)?;
        let (_, list) = &mut found[i % slots.len()];
        let room = slots[i % slots.len()].1.saturating_sub(list.len());
        list.extend(keys.into_iter().take(room).map(|k| (*db, k)));
    }
    Ok(found)
}

/// Runs `cmds`, each in its database, in pipelines of [`SAMPLE_PIPELINE`] commands: a SELECT
/// before each change of database and `SELECT 0` at the end of each pipeline (none for
/// database 0). The replies of `cmds`, in order, server errors included; a refused SELECT
/// fails.
fn run_in_dbs(conn: &mut NodeConn, cmds: &[(u32, redis::Cmd)]) -> Result<Vec<Value>, NodeError> {
    let mut replies = Vec::with_capacity(cmds.len());
    for chunk in cmds.chunks(SAMPLE_PIPELINE) {
        let mut pipe = redis::pipe();
        let mut is_select = Vec::with_capacity(chunk.len() + 2);
        let mut current = 0;
        for (db, cmd) in chunk {
            if *db != current {
                pipe.add_command(select(*db));
                is_select.push(true);
                current = *db;
            }
            pipe.add_command(cmd.clone());
            is_select.push(false);
        }
        if current != 0 {
            pipe.add_command(select(0));
            is_select.push(true);
        }
        for (selecting, reply) in is_select.into_iter().zip(conn.pipeline(&pipe)?) {
            if selecting {
                conn.convert::<()>(reply)?;
            } else {
                replies.push(reply);
            }
        }
    }
    Ok(replies)
}

/// A few keys of each slot of `slots`, asked of the master that serves it (all masters at
/// once).
fn hot_slot_keys(
    pool: &NodePool,
    masters: &[Master],
    slots: &[u16],
) -> Result<BTreeMap<u16, Vec<Vec<u8>>>, LoadError> {
    let owners: Vec<usize> = (0..masters.len())
        .filter(|&i| slots.iter().any(|&s| masters[i].slots.contains(s)))
        .collect();
    let found = pool.some(&owners, |i, conn| {
        let mine: Vec<(u16, usize)> = slots
            .iter()
            .filter(|&&s| masters[i].slots.contains(s))
            .map(|&s| (s, HOT_SLOT_KEYS))
            .collect();
        keys_in_slots(conn, &mine, &masters[i].dbs)
    });
    let mut keys = BTreeMap::new();
    for list in found {
        for (slot, sampled) in list? {
            keys.insert(slot, sampled.into_iter().map(|(_, k)| k).collect());
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::parse::capabilities::{Flavor, Version};

    fn round(entries: &[(u16, usize, u64)], masters: usize, at: Instant) -> Round {
        let mut round = Round {
            slots: vec![None; usize::from(SLOT_COUNT)],
            at: vec![Some(at); masters],
        };
        for &(slot, master, cpu) in entries {
            let stat = SlotStat {
                slot,
                key_count: 1,
                cpu_usec: Some(cpu),
                network_bytes_in: Some(cpu * 2),
                network_bytes_out: Some(cpu * 3),
                memory_bytes: None,
            };
            round.slots[usize::from(slot)] = Some((master, stat));
        }
        round
    }

    #[test]
    fn rates_are_differences_over_each_masters_seconds() {
        let t0 = Instant::now();
        let a = round(&[(1, 0, 100), (2, 0, 50), (3, 1, 10)], 2, t0);
        let b = round(
            &[(1, 0, 300), (2, 0, 40), (3, 0, 90), (4, 1, 5)],
            2,
            t0 + Duration::from_secs(2),
        );
        let (cpu, skipped) = rate_values(Metric::Cpu, &a, &b);
        assert_eq!(cpu.values[1], 100.0);
        // Counter went back (reset), owner changed, only in the second round: 0 and listed.
        assert_eq!(skipped, vec![2, 3, 4]);
        assert_eq!(cpu.total(), 100.0);
        let (net, _) = rate_values(Metric::Net, &a, &b);
        assert_eq!(net.values[1], 500.0);
        assert_eq!(mean_window(&a, &b), Some(2.0));
    }

    fn master(flavor: Flavor, version: Version) -> Master {
        Master {
            addr: NodeAddr::new("10.0.0.1", 7000),
            server: Capabilities {
                flavor,
                version,
                cluster_databases: 1,
            },
            slots: SlotSet::full(),
            databases: 1,
            dbs: vec![0],
        }
    }

    #[test]
    fn rates_on_an_old_server_are_a_usage_error_or_a_note() {
        let masters = [
            master(Flavor::Valkey, Version(9, 1, 2)),
            master(Flavor::Redis, Version(7, 0, 15)),
        ];
        let all: BTreeSet<Metric> = Metric::ALL.into_iter().collect();
        let mut notes = Vec::new();
        let err = readable_rates(&masters, Metric::Cpu, &all, &mut notes).unwrap_err();
        assert_eq!(err.kind, LoadFailure::Usage);
        assert!(
            err.message
                .contains("10.0.0.1:7000 (redis 7.0.15) cannot report cpu")
        );
        let rates = readable_rates(&masters, Metric::Memory, &all, &mut notes).unwrap();
        assert!(rates.is_empty());
        assert!(
            notes[0].starts_with("cpu, net-in, net-out, net not read"),
            "{notes:?}"
        );
        let rates = readable_rates(&masters[..1], Metric::Keys, &all, &mut notes).unwrap();
        assert_eq!(
            rates,
            vec![Metric::Cpu, Metric::NetIn, Metric::NetOut, Metric::Net]
        );
    }

    #[test]
    fn restore_failures_extend_the_message() {
        let err = LoadError::usage("first".into());
        assert_eq!(err.clone().with_restore_failures(&[]).message, "first");
        let both = err.with_restore_failures(&["second".into(), "third".into()]);
        assert_eq!(both.message, "first; and second; third");
    }
}
