//! Moving the keys of open slots from a source to a target: pipelined GETKEYSINSLOT and
//! `MIGRATE ... KEYS`, database by database, under the throttle; keys that exist on both sides
//! compared by value (identical ones deduplicated; different ones stop the slot, or, where
//! the target's copy is the live one, the source's is saved and dropped); batches that time
//! out retried key by key, big keys reported.

use std::time::Duration;

use redis::Value;

use super::batch::{BatchContext, BatchOutcome};
use crate::address::NodeAddr;
use crate::exec::migrate::compare::{dump_all, same_unordered_content};
use crate::exec::migrate::conflicts::{ConflictLog, DroppedCopy};
use crate::exec::migrate::{BigKey, Endpoint};
use crate::net::conn::{Auth, NodeError, server_error_text};
use crate::net::db::InDb;
use crate::probe::scan::count_keys;

/// Keys of at least this many bytes are reported as big keys when they are retried alone.
const BIG_KEY_BYTES: u64 = 1024 * 1024;

/// Extra time allowed for a reply beyond the MIGRATE timeout the server applies itself.
const REPLY_MARGIN: Duration = Duration::from_secs(5);

/// MIGRATEs sent in one pipeline. A MIGRATE blocks the source until the target answers, so a
/// deeper pipeline to a target that stopped answering would block the source for a timeout
/// per MIGRATE; a few at a time keep almost all of the speed.
const MIGRATE_DEPTH: usize = 8;

/// Rounds of GETKEYSINSLOT + MIGRATE in a row that move nothing before a slot is given up.
const MAX_IDLE_ROUNDS: usize = 3;

/// Keys whose MEMORY USAGE is sampled per listing when `--max-bytes-per-sec` is given.
const SIZE_SAMPLES: usize = 32;

/// A MIGRATE error that means the transfer timed out or broke (worth a retry alone).
fn is_slow(text: &str) -> bool {
    text.starts_with("IOERR") || text.to_lowercase().contains("timeout")
}

/// MIGRATE's COPY and REPLACE options.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct MigrateFlags {
    /// Leave the keys on the source.
    pub(crate) copy: bool,
    /// Overwrite keys that exist on the target.
    pub(crate) replace: bool,
    /// The database the keys go to on the target.
    pub(crate) db: u32,
}

/// `MIGRATE host port "" db timeout [COPY] [REPLACE] [AUTH pw | AUTH2 user pw] KEYS k...`
/// towards `target`, with the cluster's credentials. The keys are read from the database
/// selected on the connection that sends it.
pub(crate) fn migrate_command(
    target: &NodeAddr,
    keys: &[Vec<u8>],
    timeout: Duration,
    flags: MigrateFlags,
    auth: &Auth,
) -> redis::Cmd {
    let mut cmd = redis::cmd("MIGRATE");
    cmd.arg(&target.host)
        .arg(target.port)
        .arg("")
        .arg(flags.db)
        .arg(timeout.as_millis().max(1) as u64);
    if flags.copy {
        cmd.arg("COPY");
    }
    if flags.replace {
        cmd.arg("REPLACE");
    }
    if let Some(password) = &auth.password {
        match &auth.user {
            Some(user) => cmd.arg("AUTH2").arg(user).arg(password),
            None => cmd.arg("AUTH").arg(password),
        };
    }
    cmd.arg("KEYS").arg(keys);
    cmd
}

/// Moves the keys of open slots from the source to the target.
pub(super) struct KeyMover<'a> {
    pub(super) ctx: &'a BatchContext<'a>,
    pub(super) src: &'a Endpoint,
    pub(super) dst: &'a Endpoint,
    pub(super) pair: usize,
    pub(super) batch_keys: usize,
    /// The database being drained (selected on every connection the mover leases).
    pub(super) db: u32,
    /// Average bytes per key of the last sample (only sampled with a byte throttle).
    pub(super) key_bytes: Option<u64>,
    /// Set when the target's copy of a colliding key is the live one (`fix` bringing keys to
    /// a slot's owner): the source's different copies are saved here and deleted.
    pub(super) conflicts: Option<&'a ConflictLog>,
}

/// One MIGRATE's worth of keys of one slot.
struct KeyBatch {
    slot: u16,
    keys: Vec<Vec<u8>>,
}

impl<'a> KeyMover<'a> {
    /// Moves every key of `slots` in every database; returns the slots with no key left on
    /// the source in any database it drained. Slots that cannot be drained are recorded in
    /// `outcome.open`. A server with one database is drained directly; otherwise the keys of
    /// `slots` are counted per database and each database holding some is drained in turn.
    pub(super) fn drain(&mut self, slots: &[u16], outcome: &mut BatchOutcome) -> Vec<u16> {
        self.db = 0;
        let databases = self.src.server.cluster_databases;
        if databases <= 1 {
            return self.drain_db(slots, outcome);
        }
        let counted = self.ctx.cache.lease(&self.src.addr).and_then(|mut source| {
            count_keys(&mut source, slots, databases).inspect_err(|_| source.discard())
        });
        let counts = match counted {
            Ok(counts) => counts,
            Err(err) => {
                for &slot in slots {
                    outcome
                        .open
                        .push((slot, format!("cannot count its keys: {err}")));
                }
                outcome.error.get_or_insert(err.to_string());
                return Vec::new();
            }
        };
        let mut failed: Vec<u16> = Vec::new();
        for (db, with_keys) in counts.by_db() {
            let todo: Vec<u16> = with_keys
                .into_iter()
                .filter(|s| !failed.contains(s))
                .collect();
            self.db = db;
            let drained = self.drain_db(&todo, outcome);
            failed.extend(todo.into_iter().filter(|s| !drained.contains(s)));
        }
        self.db = 0;
        slots
            .iter()
            .copied()
            .filter(|s| !failed.contains(s))
            .collect()
    }

    /// Moves every key of `slots` in database `self.db`; returns the slots with no key left
    /// there. Slots that cannot be drained are recorded in `outcome.open`.
    fn drain_db(&mut self, slots: &[u16], outcome: &mut BatchOutcome) -> Vec<u16> {
        let mut pending: Vec<u16> = slots.to_vec();
        let mut drained = Vec::new();
        let mut idle_rounds = vec![0usize; pending.len()];
        while !pending.is_empty() {
            let listed = match self.list_keys(&pending) {
                Ok(listed) => listed,
                Err(err) => {
                    for &slot in &pending {
                        outcome
                            .open
                            .push((slot, format!("cannot list its keys: {err}")));
                    }
                    outcome.error.get_or_insert(err.to_string());
                    return drained;
                }
            };
            let per_migrate = self.keys_per_migrate(&listed);
            let mut batches = Vec::new();
            let mut still = Vec::new();
            let mut still_idle = Vec::new();
            let mut complete = Vec::new();
            for ((slot, keys), idle) in pending.iter().zip(listed).zip(idle_rounds) {
                if keys.is_empty() {
                    drained.push(*slot);
                    continue;
                }
                still.push(*slot);
                still_idle.push(idle);
                // Fewer keys than asked for: the listing holds every key of the slot.
                complete.push(keys.len() < self.list_count());
                for chunk in keys.chunks(per_migrate) {
                    batches.push(KeyBatch {
                        slot: *slot,
                        keys: chunk.to_vec(),
                    });
                }
            }
            if batches.is_empty() {
                break;
            }
            let failures = self.migrate_batches(batches);
            pending = Vec::new();
            idle_rounds = Vec::new();
            for ((slot, idle), complete) in still.into_iter().zip(still_idle).zip(complete) {
                match failures.iter().find(|(s, _)| *s == slot) {
                    Some((_, SlotTrouble::Blocked(reason))) => {
                        outcome.open.push((slot, reason.clone()));
                    }
                    Some((_, SlotTrouble::NoProgress(reason))) if idle + 1 >= MAX_IDLE_ROUNDS => {
                        outcome.open.push((slot, reason.clone()));
                    }
                    Some((_, SlotTrouble::NoProgress(_))) => {
                        pending.push(slot);
                        idle_rounds.push(idle + 1);
                    }
                    // Every key moved: the caller's COUNTKEYSINSLOT confirms it.
                    None if complete => drained.push(slot),
                    None => {
                        pending.push(slot);
                        idle_rounds.push(0);
                    }
                }
            }
        }
        drained
    }

    /// Keys per MIGRATE for the keys just listed: `batch_keys`, or fewer under a throttle, so
    /// that one pipeline of MIGRATEs stays within the throttle's pipeline budget (with a byte
    /// limit, the listed keys' sizes are sampled first).
    fn keys_per_migrate(&mut self, listed: &[Vec<Vec<u8>>]) -> usize {
        let Some(throttle) = &self.ctx.settings.throttle else {
            return self.batch_keys.max(1);
        };
        let limits = throttle.limits();
        if limits.bytes_per_sec.is_some()
            && let Some(bytes) = self.sample_key_bytes(listed)
        {
            self.key_bytes = Some(bytes);
        }
        limits.keys_per_migrate(self.batch_keys, MIGRATE_DEPTH, self.key_bytes)
    }

    /// The average MEMORY USAGE of up to [`SIZE_SAMPLES`] keys spread over `listed`; `None`
    /// when none could be measured.
    fn sample_key_bytes(&self, listed: &[Vec<Vec<u8>>]) -> Option<u64> {
        let total: usize = listed.iter().map(Vec::len).sum();
        let step = total.div_ceil(SIZE_SAMPLES).max(1);
        let sample: Vec<Vec<u8>> = listed
            .iter()
            .flatten()
            .step_by(step)
            .take(SIZE_SAMPLES)
            .cloned()
            .collect();
        if sample.is_empty() {
            return None;
        }
        let sizes: Vec<u64> = self.sizes(&sample).ok()?.into_iter().flatten().collect();
        let count = sizes.len() as u64;
        (count > 0).then(|| sizes.iter().sum::<u64>() / count)
    }

    /// Keys asked for per slot by one GETKEYSINSLOT: a few MIGRATEs' worth.
    fn list_count(&self) -> usize {
        self.batch_keys.max(1).saturating_mul(4)
    }

    /// GETKEYSINSLOT for every slot in one pipeline (a few batches' worth per slot).
    fn list_keys(&self, slots: &[u16]) -> Result<Vec<Vec<Vec<u8>>>, NodeError> {
        let mut source = self.on(self.src)?;
        let mut pipe = redis::pipe();
        let count = self.list_count();
        for &slot in slots {
            pipe.cmd("CLUSTER")
                .arg("GETKEYSINSLOT")
                .arg(slot)
                .arg(count);
        }
        let replies = source.pipeline(&pipe).inspect_err(|_| source.discard())?;
        replies.into_iter().map(|v| source.convert(v)).collect()
    }

    /// Sends every batch's MIGRATE in one pipeline and deals with each failure. Returns the
    /// slots in trouble.
    fn migrate_batches(&mut self, batches: Vec<KeyBatch>) -> Vec<(u16, SlotTrouble)> {
        let mut troubles = Vec::new();
        let mut batches = batches.into_iter();
        loop {
            let chunk: Vec<KeyBatch> = batches.by_ref().take(MIGRATE_DEPTH).collect();
            if chunk.is_empty() {
                return troubles;
            }
            let stalled = self.migrate_chunk(chunk, &mut troubles);
            if let Some(reason) = stalled {
                // The target (or the source) does not answer in time: sending the rest would
                // only keep the source blocked for a timeout per MIGRATE.
                for batch in batches {
                    troubles.push((
                        batch.slot,
                        SlotTrouble::Blocked(format!("not attempted: {reason}")),
                    ));
                }
                return troubles;
            }
        }
    }

    /// Sends a few MIGRATEs in one pipeline and deals with each failure, adding the slots in
    /// trouble to `troubles`. Returns why the transfer stalled, when a MIGRATE timed out (or
    /// failed with IOERR) and its retry alone failed too.
    fn migrate_chunk(
        &mut self,
        chunk: Vec<KeyBatch>,
        troubles: &mut Vec<(u16, SlotTrouble)>,
    ) -> Option<String> {
        let ctx = self.ctx;
        let settings = ctx.settings;
        if let Some(throttle) = &settings.throttle {
            let keys: u64 = chunk.iter().map(|b| b.keys.len() as u64).sum();
            throttle.acquire(keys, keys.saturating_mul(self.key_bytes.unwrap_or(0)));
        }
        let mut pipe = redis::pipe();
        for batch in &chunk {
            pipe.add_command(self.migrate_cmd(&batch.keys, settings.batch_timeout, false));
        }
        let mut stalled: Option<String> = None;
        let mut handled = 0;
        let read = match self.on(self.src) {
            Ok(mut source) => {
                let _ = source.set_timeout(settings.batch_timeout + REPLY_MARGIN);
                // Replies are handled as they come; after a stall the rest is not waited for
                // (each would take a MIGRATE timeout), and the connection is dropped.
                let read = source.pipeline_each(&pipe, |i, reply| {
                    handled = i + 1;
                    let batch = &chunk[i];
                    let trouble = match reply {
                        Value::ServerError(err) => {
                            let text = server_error_text(&err);
                            let trouble = self.handle_error(batch, &text);
                            if is_slow(&text) && matches!(trouble, Some(SlotTrouble::Blocked(_))) {
                                stalled = Some(text);
                            }
                            trouble
                        }
                        _ => {
                            self.ctx.tally.add_keys(self.pair, batch.keys.len() as u64);
                            None
                        }
                    };
                    if let Some(trouble) = trouble {
                        troubles.push((batch.slot, trouble));
                    }
                    stalled.is_none()
                });
                if read.is_ok() && !source.is_broken() {
                    let _ = source.set_timeout(settings.io_timeout);
                }
                read
            }
            Err(err) => Err(err),
        };
        match read {
            Ok(_) => {
                if let Some(reason) = &stalled {
                    for batch in &chunk[handled..] {
                        troubles.push((
                            batch.slot,
                            SlotTrouble::Blocked(format!("not attempted: {reason}")),
                        ));
                    }
                }
                stalled
            }
            Err(err) => {
                // Timed out or lost mid-way: which MIGRATE failed is unknown. The first batch
                // whose reply did not come is retried key by key with the full timeout (after
                // checking that the target answers); if that fails too, the rest is not tried.
                let mut rest = chunk.into_iter().skip(handled);
                let first = rest.next()?;
                let trouble = match self.target_answers() {
                    Err(reason) => Some(SlotTrouble::Blocked(reason)),
                    Ok(()) => self.retry_alone(&first),
                };
                if let Some(trouble) = trouble {
                    troubles.push((first.slot, trouble));
                    for batch in rest {
                        troubles.push((
                            batch.slot,
                            SlotTrouble::Blocked(format!("not attempted: {err}")),
                        ));
                    }
                    return Some(err.to_string());
                }
                for batch in rest {
                    if let Some(trouble) = self.retry_alone(&batch) {
                        troubles.push((batch.slot, trouble));
                    }
                }
                None
            }
        }
    }

    /// A connection to `node` in the database being drained.
    fn on(&self, node: &Endpoint) -> Result<InDb<'a>, NodeError> {
        InDb::lease(self.ctx.cache, &node.addr, self.db)
    }

    /// `MIGRATE host port "" db timeout [REPLACE] [AUTH ...] KEYS k...` towards the target,
    /// into the same database.
    fn migrate_cmd(&self, keys: &[Vec<u8>], timeout: Duration, replace: bool) -> redis::Cmd {
        let settings = self.ctx.settings;
        let flags = MigrateFlags {
            copy: false,
            replace: replace || settings.replace,
            db: self.db,
        };
        migrate_command(&self.dst.addr, keys, timeout, flags, &settings.auth)
    }

    /// Decides what to do after a MIGRATE error reply.
    fn handle_error(&mut self, batch: &KeyBatch, text: &str) -> Option<SlotTrouble> {
        if text.starts_with("NOKEY") {
            return None;
        }
        if text.contains("BUSYKEY") {
            return self.resolve_collisions(batch);
        }
        if is_slow(text) {
            if let Err(reason) = self.target_answers() {
                return Some(SlotTrouble::Blocked(reason));
            }
            return self.retry_alone(batch);
        }
        Some(SlotTrouble::NoProgress(format!(
            "{} refused MIGRATE: {text}",
            self.src.addr
        )))
    }

    /// A MIGRATE timed out: a big key, or a target that stopped answering? A PING within the
    /// reply timeout (`-t`) tells them apart, so that a frozen target costs one timeout, not
    /// one full MIGRATE timeout per key retried alone.
    fn target_answers(&self) -> Result<(), String> {
        let mut target = self
            .ctx
            .cache
            .lease(&self.dst.addr)
            .map_err(|e| format!("the target does not answer: {e}"))?;
        match target.raw(&redis::cmd("PING")) {
            Ok(_) => Ok(()),
            Err(err) => Err(format!("the target does not answer: {err}")),
        }
    }

    /// BUSYKEY: some keys exist on both sides. Keys with identical values (DUMP payloads) on
    /// both sides are moved with REPLACE, which drops the source copy; a key whose values
    /// differ stops the slot, named in the reason.
    fn resolve_collisions(&mut self, batch: &KeyBatch) -> Option<SlotTrouble> {
        let Compared {
            keys: compared,
            gone,
        } = match self.compare_values(&batch.keys) {
            Ok(compared) => compared,
            Err(err) => {
                return Some(SlotTrouble::NoProgress(format!(
                    "cannot compare colliding keys: {err}"
                )));
            }
        };
        // The MIGRATE that met BUSYKEY still moved (and deleted) every other key.
        self.ctx.tally.add_keys(self.pair, gone);
        let different: Vec<&Vec<u8>> = compared
            .iter()
            .filter(|(_, same)| *same == Some(false))
            .map(|(k, _)| k)
            .collect();
        let equal: Vec<Vec<u8>> = compared
            .iter()
            .filter(|(_, same)| *same == Some(true))
            .map(|(k, _)| k.clone())
            .collect();
        if !equal.is_empty() {
            let cmd = self.migrate_cmd(&equal, self.ctx.settings.batch_timeout, true);
            match self.run_on_source(&cmd, self.ctx.settings.batch_timeout) {
                Ok(Value::ServerError(err)) => {
                    return Some(SlotTrouble::NoProgress(format!(
                        "MIGRATE REPLACE of identical keys failed: {}",
                        server_error_text(&err)
                    )));
                }
                Ok(_) => {
                    self.ctx.tally.add_keys(self.pair, equal.len() as u64);
                    self.ctx.tally.add_equal_collisions(equal.len() as u64);
                }
                Err(err) => {
                    return Some(SlotTrouble::NoProgress(format!(
                        "MIGRATE REPLACE of identical keys failed: {err}"
                    )));
                }
            }
        }
        if different.is_empty() {
            return None;
        }
        if let Some(log) = self.conflicts {
            let different: Vec<Vec<u8>> = different.into_iter().cloned().collect();
            return self
                .drop_stale_copies(log, batch.slot, &different)
                .err()
                .map(SlotTrouble::Blocked);
        }
        let names: Vec<String> = different.iter().take(5).map(|k| show_key(k)).collect();
        let more = different.len().saturating_sub(names.len());
        Some(SlotTrouble::Blocked(format!(
            "{} key(s) exist on both {} and {} with different values: {}{}; \
             rerun with --replace to overwrite the target's values with the source's, or delete the copy you do not want",
            different.len(),
            self.src.addr,
            self.dst.addr,
            names.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )))
    }

    /// The source's copies of `keys` (each different from the target's, which is kept): each
    /// is saved to `log` (its DUMP payload and TTL) and only then deleted from the source.
    /// The next listing moves nothing for them; a key that left the source meanwhile is
    /// skipped.
    fn drop_stale_copies(
        &mut self,
        log: &ConflictLog,
        slot: u16,
        keys: &[Vec<u8>],
    ) -> Result<(), String> {
        let mut source = self.on(self.src).map_err(|e| e.to_string())?;
        let dumps = dump_all(&mut source, keys, true).inspect_err(|_| source.discard());
        let dumps = dumps.map_err(|e| e.to_string())?;
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("ASKING").cmd("PTTL").arg(key);
        }
        let ttls: Vec<Value> = source
            .pipeline(&pipe)
            .inspect_err(|_| source.discard())
            .map_err(|e| e.to_string())?;
        for ((key, dump), ttl) in keys
            .iter()
            .zip(dumps)
            .zip(ttls.into_iter().skip(1).step_by(2))
        {
            // PTTL -2: the key left the source since its DUMP.
            let (Some(dump), Value::Int(pttl @ (-1 | 0..))) = (dump, ttl) else {
                continue;
            };
            let copy = DroppedCopy {
                key: String::from_utf8_lossy(key).into_owned(),
                slot,
                dropped_from: self.src.addr.to_string(),
                kept_on: self.dst.addr.to_string(),
            };
            log.save(&copy, key, pttl, &dump).map_err(|e| {
                format!(
                    "cannot save the copy of {} before dropping it: {e}",
                    copy.key
                )
            })?;
            let mut del = redis::pipe();
            del.cmd("ASKING").cmd("DEL").arg(key);
            source
                .pipeline(&del)
                .inspect_err(|_| source.discard())
                .map_err(|e| e.to_string())?;
            log.dropped(copy);
        }
        Ok(())
    }

    /// For each key still on the source: `Some(true)` if the target holds an identical value,
    /// `Some(false)` if it holds a different one, `None` if the target does not have it.
    fn compare_values(&self, keys: &[Vec<u8>]) -> Result<Compared, NodeError> {
        // ASKING: a source that imports the slot (as `fix` sets holders) answers for its keys.
        let mut source = self.on(self.src)?;
        let src_dumps = dump_all(&mut source, keys, true).inspect_err(|_| source.discard())?;
        drop(source);
        // A key the source does not answer for is gone, or redirected with ASK because it
        // already moved.
        let present: Vec<(&Vec<u8>, Vec<u8>)> = keys
            .iter()
            .zip(src_dumps)
            .filter_map(|(k, dump)| dump.map(|d| (k, d)))
            .collect();
        let gone = (keys.len() - present.len()) as u64;
        let present_keys: Vec<Vec<u8>> = present.iter().map(|(k, _)| (*k).clone()).collect();
        let mut target = self.on(self.dst)?;
        let dst_dumps =
            dump_all(&mut target, &present_keys, true).inspect_err(|_| target.discard())?;
        let mut keys: Vec<Comparison> = present
            .into_iter()
            .zip(dst_dumps)
            .map(|((key, src), dst)| (key.clone(), dst.map(|bytes| bytes == src)))
            .collect();
        // Identical sets and hashes can dump differently (hash-table order): look closer.
        if keys.iter().any(|(_, same)| *same == Some(false)) {
            let mut source = self.on(self.src)?;
            for (key, same) in keys.iter_mut().filter(|(_, same)| *same == Some(false)) {
                let equal = same_unordered_content(&mut source, &mut target, key, true);
                match equal {
                    Ok(equal) => *same = Some(equal),
                    Err(err) => {
                        source.discard();
                        target.discard();
                        return Err(err);
                    }
                }
            }
        }
        Ok(Compared { keys, gone })
    }

    /// A batch that timed out or failed with IOERR: each key still on the source is moved
    /// alone with the full timeout; keys of a megabyte or more are reported as big keys.
    fn retry_alone(&mut self, batch: &KeyBatch) -> Option<SlotTrouble> {
        let sizes = self.sizes(&batch.keys).unwrap_or_default();
        let full = self.ctx.settings.timeout;
        let mut largest: Option<BigKey> = None;
        for (i, key) in batch.keys.iter().enumerate() {
            let bytes = sizes.get(i).copied().flatten();
            if sizes.len() == batch.keys.len() && bytes.is_none() {
                // No longer on the source: the batch moved it before it failed.
                self.ctx.tally.add_keys(self.pair, 1);
                continue;
            }
            self.ctx.tally.add_retry();
            let cmd = self.migrate_cmd(std::slice::from_ref(key), full, false);
            let reply = self.run_on_source(&cmd, full);
            let big = BigKey {
                key: show_key(key),
                slot: batch.slot,
                bytes,
                from: self.src.addr.to_string(),
            };
            match reply {
                Ok(Value::ServerError(err)) => {
                    let text = server_error_text(&err);
                    if text.starts_with("NOKEY") {
                        continue;
                    }
                    if !text.contains("BUSYKEY") {
                        return Some(SlotTrouble::Blocked(format!(
                            "key {} ({}) could not be moved even alone with a {} ms timeout: \
                             {text}",
                            big.key,
                            describe_size(bytes),
                            full.as_millis()
                        )));
                    }
                    // The failed batch delivered it but did not hear back: it is on both
                    // sides now, and the collision rules decide (counting it when moved).
                    let single = KeyBatch {
                        slot: batch.slot,
                        keys: vec![key.clone()],
                    };
                    if let Some(trouble) = self.resolve_collisions(&single) {
                        return Some(trouble);
                    }
                    self.remember_big(&mut largest, big);
                }
                Ok(_) => {
                    self.ctx.tally.add_keys(self.pair, 1);
                    self.remember_big(&mut largest, big);
                }
                Err(err) => {
                    return Some(SlotTrouble::Blocked(format!(
                        "key {} ({}) could not be moved alone either: {err}",
                        big.key,
                        describe_size(bytes)
                    )));
                }
            }
        }
        // Name the likely culprit even when no key reached the big-key size.
        if let Some(largest) = largest
            && !self.ctx.tally.has_big_key_in(batch.slot)
        {
            self.ctx.tally.add_big_key(largest);
        }
        None
    }

    /// Records a key that moved alone: as a big key when it is one, else as the largest of
    /// its batch so far.
    fn remember_big(&self, largest: &mut Option<BigKey>, key: BigKey) {
        if key.bytes.is_some_and(|b| b >= BIG_KEY_BYTES) {
            self.ctx.tally.add_big_key(key);
        } else if largest.as_ref().is_none_or(|l| l.bytes < key.bytes) {
            *largest = Some(key);
        }
    }

    /// MEMORY USAGE of each key (None when it is no longer on the source).
    fn sizes(&self, keys: &[Vec<u8>]) -> Result<Vec<Option<u64>>, NodeError> {
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("ASKING")
                .cmd("MEMORY")
                .arg("USAGE")
                .arg(key)
                .arg("SAMPLES")
                .arg(0);
        }
        let mut source = self.on(self.src)?;
        let replies = source.pipeline(&pipe).inspect_err(|_| source.discard())?;
        Ok(replies
            .into_iter()
            .skip(1)
            .step_by(2)
            .map(|v| match v {
                Value::Int(n) => u64::try_from(n).ok(),
                _ => None,
            })
            .collect())
    }

    /// Runs one command on the source with a reply timeout of `timeout` plus a margin.
    fn run_on_source(&self, cmd: &redis::Cmd, timeout: Duration) -> Result<Value, NodeError> {
        let mut source = self.on(self.src)?;
        source.set_timeout(timeout + REPLY_MARGIN)?;
        let reply = source.raw(cmd);
        match &reply {
            Ok(_) => {
                let _ = source.set_timeout(self.ctx.settings.io_timeout);
            }
            Err(_) => source.discard(),
        }
        reply
    }
}

/// A key and whether the target holds the same value (`None`: the target lacks it).
type Comparison = (Vec<u8>, Option<bool>);

/// The keys of a batch that are still on the source, compared with the target's copies, and
/// how many are no longer on the source.
struct Compared {
    keys: Vec<Comparison>,
    gone: u64,
}

/// Why a slot could not be drained this round.
enum SlotTrouble {
    /// Moving on would risk data: leave the slot open now.
    Blocked(String),
    /// Nothing moved this round; retried a few times before the slot is left open.
    NoProgress(String),
}

/// A key for messages: text when printable, else escaped bytes.
fn show_key(key: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(key))
}

fn describe_size(bytes: Option<u64>) -> String {
    match bytes {
        Some(b) if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        Some(b) => format!("{b} bytes"),
        None => "size unknown".to_string(),
    }
}
