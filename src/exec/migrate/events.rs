//! What the engines tell the presentation: counters shared with the progress display, the
//! observer told of each pair as it finishes, and the report of a migration (the events
//! between engine and presentation, as a test runner and its reporter talk).

use super::*;

/// A key retried alone because its batch timed out or failed with IOERR.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BigKey {
    /// The key, as text.
    pub(crate) key: String,
    /// Its slot.
    pub(crate) slot: u16,
    /// MEMORY USAGE on the source, when known.
    pub(crate) bytes: Option<u64>,
    /// The source node.
    pub(crate) from: String,
}

/// Counters shared between the workers and the progress display.
pub(crate) struct Tally {
    pub(super) keys: AtomicU64,
    pub(super) pair_keys: Vec<AtomicU64>,
    pub(super) slots: AtomicUsize,
    pub(super) retries: AtomicU64,
    pub(super) equal_collisions: AtomicU64,
    pub(super) big_keys: Mutex<Vec<BigKey>>,
}

impl Tally {
    /// Counters for `pairs` source/target pairs.
    pub(crate) fn new(pairs: usize) -> Self {
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
    pub(crate) fn add_keys(&self, pair: usize, n: u64) {
        self.keys.fetch_add(n, Ordering::Relaxed);
        if let Some(counter) = self.pair_keys.get(pair) {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    /// Keys moved so far.
    pub(crate) fn keys(&self) -> u64 {
        self.keys.load(Ordering::Relaxed)
    }

    /// Counts one key retried alone.
    pub(crate) fn add_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts keys found on both sides with identical values (source copy dropped).
    pub(crate) fn add_equal_collisions(&self, n: u64) {
        self.equal_collisions.fetch_add(n, Ordering::Relaxed);
    }

    /// Records a big key.
    pub(crate) fn add_big_key(&self, key: BigKey) {
        self.big_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(key);
    }

    /// True when a big key of `slot` was already recorded.
    pub(crate) fn has_big_key_in(&self, slot: u16) -> bool {
        self.big_keys
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|k| k.slot == slot)
    }
}

/// What one source gave one target.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PairReport {
    /// Source `host:port`.
    pub(crate) from: String,
    /// Source node id.
    pub(crate) from_id: String,
    /// Target `host:port`.
    pub(crate) to: String,
    /// Target node id.
    pub(crate) to_id: String,
    /// How the pair was moved.
    pub(crate) engine: Engine,
    /// Slots planned for this pair.
    pub(crate) slots_planned: usize,
    /// Slots moved.
    pub(crate) slots_moved: usize,
    /// Keys moved.
    pub(crate) keys_moved: u64,
    /// From the first batch's start to the last batch's end (atomic: from the job's start to
    /// its end), in milliseconds.
    pub(crate) duration_ms: u128,
    /// Why the pair did not complete (an atomic job's failure, in the server's words).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// Why a pair planned atomic moved with MIGRATE instead: the servers refused to move it
    /// atomically (a loaded module without atomic slot migration support), in their words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fallback: Option<String>,
}

/// A slot the engine left open, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OpenSlot {
    /// The slot.
    pub(crate) slot: u16,
    /// Source `host:port` (migrating).
    pub(crate) from: String,
    /// Target `host:port` (importing).
    pub(crate) to: String,
    /// Why it was not finished.
    pub(crate) reason: String,
}

/// The result of a migration.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MigrationReport {
    /// Slots in the plan.
    pub(crate) slots_planned: usize,
    /// Slots moved.
    pub(crate) slots_moved: usize,
    /// Keys moved.
    pub(crate) keys_moved: u64,
    /// Wall time of the moves (preparation included, final convergence wait excluded).
    pub(crate) duration_ms: u128,
    /// Time until every node saw the new owners, when it did.
    pub(crate) converge_ms: Option<u128>,
    /// Keys retried alone after a batch timed out or failed with IOERR.
    pub(crate) retries: u64,
    /// Keys found on both sides with identical values, whose source copy was dropped.
    pub(crate) equal_collisions: u64,
    /// Keys retried alone: the big ones, or the largest of a failed batch.
    pub(crate) big_keys: Vec<BigKey>,
    /// Per source/target pair.
    pub(crate) pairs: Vec<PairReport>,
    /// Slots left open (migrating on the source, importing on the target).
    pub(crate) open_slots: Vec<OpenSlot>,
    /// Ctrl-C stopped the migration before the end of the plan.
    pub(crate) interrupted: bool,
    /// The first error, when the migration did not complete.
    pub(crate) error: Option<String>,
    /// Nodes that did not see the new owners in time, in plain words.
    pub(crate) lagging: Vec<String>,
    /// The throttle's limits and what went through it (`null` without a throttle).
    pub(crate) throttle: Option<ThrottleReport>,
}

impl MigrationReport {
    /// True when every planned slot moved.
    pub(crate) fn complete(&self) -> bool {
        self.slots_moved == self.slots_planned && self.error.is_none() && !self.interrupted
    }
}

/// Told about the migration's progress, from the calling thread.
pub(crate) trait Observer {
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
