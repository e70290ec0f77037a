//! Importing a standalone Redis into the cluster: one thread SCANs the source and groups the
//! keys by the master that serves their slot; one worker per group of masters sends them with
//! `MIGRATE ... KEYS` in batches (redis-cli sends one MIGRATE per key). Collisions follow the
//! engine's rules: a key whose value is identical on both sides is taken over (REPLACE), a
//! different one stays on the source and is reported, unless `replace`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use redis::Value;
use serde::Serialize;

use super::compare::{dump_all, same_unordered_content};
use super::interrupt;
use super::slot_batch::{MigrateFlags, migrate_command};
use crate::address::NodeAddr;
use crate::cluster::slots::key_slot;
use crate::cluster::snapshot::Snapshot;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError, server_error_text};

/// Batches queued per worker before the scanner waits.
const QUEUE_DEPTH: usize = 4;
/// Keys asked of SCAN per call.
const SCAN_COUNT: usize = 1000;
/// Colliding keys named in the report (the count is always complete).
const NAMED_KEYS: usize = 20;

/// What an import needs to know.
pub struct ImportJob<'a> {
    /// How to connect to the source (its own credentials).
    pub source_opts: &'a ConnectOptions,
    /// The source.
    pub source: &'a NodeAddr,
    /// The source database.
    pub db: u32,
    /// The masters, as the source must reach them for MIGRATE.
    pub masters: &'a [NodeAddr],
    /// How to connect to the masters (to compare colliding values).
    pub cluster_opts: &'a ConnectOptions,
    /// Master index serving each slot.
    pub owner: &'a [usize],
    /// Leave the keys on the source.
    pub copy: bool,
    /// Overwrite keys that exist in the cluster.
    pub replace: bool,
    /// Keys per MIGRATE.
    pub batch_keys: usize,
    /// Workers (each serves a share of the masters).
    pub workers: usize,
    /// MIGRATE timeout.
    pub timeout: Duration,
}

/// The outcome of an import.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Keys the SCAN returned (a key may be counted twice if the source rehashed meanwhile).
    pub scanned: u64,
    /// Keys sent to the cluster (moved, or copied with `copy`). A key SCAN returns twice
    /// (possible while the source's table resizes) is counted twice.
    pub imported: u64,
    /// Of those, keys found in the cluster with an identical value after a collision (there
    /// before, or copied by the batch that met the collision).
    pub identical: u64,
    /// Keys that exist in the cluster with a different value: left on the source.
    pub conflicts: u64,
    /// Some of those keys.
    pub conflict_keys: Vec<String>,
    /// Keys that could not be sent (errors), left on the source.
    pub failed: u64,
    /// What went wrong, one line per distinct failure.
    pub errors: Vec<String>,
    /// Seconds the import took.
    pub seconds: f64,
    /// True when Ctrl-C stopped the scan early.
    pub interrupted: bool,
}

impl ImportReport {
    /// True when every key reached the cluster.
    pub fn complete(&self) -> bool {
        self.conflicts == 0 && self.failed == 0 && !self.interrupted
    }
}

/// Live counters, shared with the progress display.
#[derive(Default)]
pub struct ImportCounters {
    /// Keys scanned so far.
    pub scanned: AtomicU64,
    /// Keys done (imported, already there, conflicting or failed).
    pub done: AtomicU64,
}

struct Batch {
    master: usize,
    keys: Vec<Vec<u8>>,
}

#[derive(Default)]
struct Totals {
    imported: u64,
    identical: u64,
    conflicts: u64,
    conflict_keys: Vec<String>,
    failed: u64,
    errors: Vec<String>,
}

impl Totals {
    fn error(&mut self, keys: u64, message: String) {
        self.failed += keys;
        if !self.errors.contains(&message) && self.errors.len() < NAMED_KEYS {
            self.errors.push(message);
        }
    }
}

/// The masters that serve slots (their addresses, as MIGRATE targets) and, per slot, the
/// index of its master in that list.
pub fn targets(snapshot: &Snapshot) -> anyhow::Result<(Vec<NodeAddr>, Vec<usize>)> {
    let mut owner = vec![0usize; 16384];
    let mut addrs = Vec::new();
    for node in snapshot.masters() {
        let slots = &node.current().slots;
        if slots.is_empty() {
            continue;
        }
        for slot in slots.iter() {
            owner[usize::from(slot)] = addrs.len();
        }
        addrs.push(
            node.addr()
                .cloned()
                .with_context(|| format!("master {} has no address", node.id()))?,
        );
    }
    Ok((addrs, owner))
}

/// Runs the import; `on_progress` is called from the scanning thread as batches are queued.
pub fn import(
    job: &ImportJob<'_>,
    counters: &ImportCounters,
    mut on_progress: impl FnMut(),
) -> Result<ImportReport, NodeError> {
    let started = Instant::now();
    let mut scanner = source_conn(job)?;
    let workers = job.workers.clamp(1, job.masters.len().max(1));
    let mut source_conns = Vec::with_capacity(workers);
    for _ in 0..workers {
        source_conns.push(source_conn(job)?);
    }
    let totals = Mutex::new(Totals::default());
    let mut interrupted = false;
    let scan_result = std::thread::scope(|scope| {
        let mut senders: Vec<SyncSender<Batch>> = Vec::with_capacity(workers);
        for conn in source_conns {
            let (tx, rx) = sync_channel::<Batch>(QUEUE_DEPTH);
            senders.push(tx);
            let totals = &totals;
            scope.spawn(move || work(job, conn, rx, totals, counters));
        }
        let mut buffers: Vec<Vec<Vec<u8>>> = vec![Vec::new(); job.masters.len()];
        let send = |master: usize, keys: Vec<Vec<u8>>| {
            // A worker that stopped (it cannot fail: it drains its queue) would drop keys.
            let _ = senders[master % workers].send(Batch { master, keys });
        };
        let mut cursor: u64 = 0;
        loop {
            if interrupt::requested() {
                interrupted = true;
                break;
            }
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(cursor).arg("COUNT").arg(SCAN_COUNT);
            let (next, keys): (u64, Vec<Vec<u8>>) = scanner.query(&cmd)?;
            counters
                .scanned
                .fetch_add(keys.len() as u64, Ordering::Relaxed);
            for key in keys {
                let master = job.owner[usize::from(key_slot(&key))];
                buffers[master].push(key);
                if buffers[master].len() >= job.batch_keys {
                    send(master, std::mem::take(&mut buffers[master]));
                }
            }
            on_progress();
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        for (master, keys) in buffers.into_iter().enumerate() {
            if !keys.is_empty() {
                send(master, keys);
            }
        }
        Ok::<(), NodeError>(())
    });
    let totals = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    scan_result?;
    Ok(ImportReport {
        scanned: counters.scanned.load(Ordering::Relaxed),
        imported: totals.imported,
        identical: totals.identical,
        conflicts: totals.conflicts,
        conflict_keys: totals.conflict_keys,
        failed: totals.failed,
        errors: totals.errors,
        seconds: started.elapsed().as_secs_f64(),
        interrupted,
    })
}

fn source_conn(job: &ImportJob<'_>) -> Result<NodeConn, NodeError> {
    let mut conn = job.source_opts.connect(job.source)?;
    if job.db != 0 {
        conn.query::<()>(redis::cmd("SELECT").arg(job.db))?;
    }
    Ok(conn)
}

/// A worker: MIGRATE every batch it is given; a batch that fails is sorted out key by key.
fn work(
    job: &ImportJob<'_>,
    mut source: NodeConn,
    batches: Receiver<Batch>,
    totals: &Mutex<Totals>,
    counters: &ImportCounters,
) {
    let _ = source.set_timeout(job.timeout + Duration::from_secs(5));
    for batch in batches {
        let n = batch.keys.len() as u64;
        let mut local = Totals::default();
        let target = &job.masters[batch.master];
        match source.raw(&migrate_cmd(job, target, &batch.keys, job.replace)) {
            Ok(Value::ServerError(err)) => {
                let text = server_error_text(&err);
                recover(job, &mut source, &batch, &text, &mut local);
            }
            Ok(_) => local.imported += n,
            Err(err) => {
                // The connection is out of step after a transport error: start a new one.
                match source_conn(job) {
                    Ok(conn) => {
                        source = conn;
                        let _ = source.set_timeout(job.timeout + Duration::from_secs(5));
                        recover(job, &mut source, &batch, "", &mut local);
                    }
                    Err(_) => local.error(n, err.to_string()),
                }
            }
        }
        counters.done.fetch_add(n, Ordering::Relaxed);
        let mut t = totals.lock().unwrap_or_else(|e| e.into_inner());
        t.imported += local.imported;
        t.identical += local.identical;
        t.conflicts += local.conflicts;
        t.failed += local.failed;
        for k in local.conflict_keys {
            if t.conflict_keys.len() < NAMED_KEYS {
                t.conflict_keys.push(k);
            }
        }
        for e in local.errors {
            if !t.errors.contains(&e) && t.errors.len() < NAMED_KEYS {
                t.errors.push(e);
            }
        }
    }
}

/// A batch MIGRATE failed. BUSYKEY: the batch is settled as a whole by comparing values;
/// anything else (a timeout, IOERR): each key is sent alone.
fn recover(job: &ImportJob<'_>, source: &mut NodeConn, batch: &Batch, error: &str, t: &mut Totals) {
    if error.contains("BUSYKEY") {
        settle_collisions(job, source, batch.master, &batch.keys, t);
        return;
    }
    let target = &job.masters[batch.master];
    for key in &batch.keys {
        let keys = std::slice::from_ref(key);
        match source.raw(&migrate_cmd(job, target, keys, job.replace)) {
            Ok(Value::ServerError(err)) => {
                let text = server_error_text(&err);
                if text.contains("BUSYKEY") {
                    settle_collisions(job, source, batch.master, keys, t);
                } else {
                    t.error(1, format!("MIGRATE to {target} failed: {text}"));
                }
            }
            // OK, or NOKEY: the key expired or was deleted meanwhile.
            Ok(_) => t.imported += 1,
            Err(err) => {
                t.error(1, err.to_string());
                if let Ok(conn) = source_conn(job) {
                    *source = conn;
                }
            }
        }
    }
}

/// After BUSYKEY: the keys still on the source are compared (DUMP) with the cluster's. Equal
/// values count as imported (taken over with REPLACE unless copying), keys the cluster does
/// not have are sent again, different values are conflicts left on the source.
fn settle_collisions(
    job: &ImportJob<'_>,
    source: &mut NodeConn,
    master: usize,
    keys: &[Vec<u8>],
    t: &mut Totals,
) {
    let target = &job.masters[master];
    let n = keys.len() as u64;
    let ours = match dump_all(source, keys, false) {
        Ok(dumps) => dumps,
        Err(err) => return t.error(n, format!("cannot compare colliding keys: {err}")),
    };
    let present: Vec<(&Vec<u8>, Vec<u8>)> = keys
        .iter()
        .zip(ours)
        .filter_map(|(k, dump)| dump.map(|d| (k, d)))
        .collect();
    // Without COPY, a key gone from the source was moved by the MIGRATE that met BUSYKEY
    // (or deleted meanwhile); with COPY, it was deleted or expired on the source.
    t.imported += n - present.len() as u64;
    let present_keys: Vec<Vec<u8>> = present.iter().map(|(k, _)| (*k).clone()).collect();
    let mut cluster = match job.cluster_opts.connect(target) {
        Ok(conn) => conn,
        Err(err) => {
            return t.error(
                present.len() as u64,
                format!("cannot compare colliding keys: {err}"),
            );
        }
    };
    let theirs = match dump_all(&mut cluster, &present_keys, false) {
        Ok(dumps) => dumps,
        Err(err) => {
            return t.error(
                present.len() as u64,
                format!("cannot compare colliding keys: {err}"),
            );
        }
    };
    let mut take_over = Vec::new();
    let mut send = Vec::new();
    for ((key, ours), theirs) in present.into_iter().zip(theirs) {
        // Identical sets and hashes can dump differently (hash-table order): look closer.
        let same = theirs.as_ref().is_some_and(|theirs| {
            *theirs == ours
                || same_unordered_content(source, &mut cluster, key, false).unwrap_or(false)
        });
        match theirs {
            Some(_) if same => {
                t.imported += 1;
                t.identical += 1;
                if !job.copy {
                    take_over.push(key.clone());
                }
            }
            None => send.push(key.clone()),
            Some(_) => {
                t.conflicts += 1;
                if t.conflict_keys.len() < NAMED_KEYS {
                    t.conflict_keys
                        .push(String::from_utf8_lossy(key).into_owned());
                }
            }
        }
    }
    // Identical keys were counted above; the others count once they are sent.
    for (keys, replace, counted) in [(take_over, true, true), (send, job.replace, false)] {
        if keys.is_empty() {
            continue;
        }
        let count = keys.len() as u64;
        match source.raw(&migrate_cmd(job, target, &keys, replace)) {
            Ok(Value::ServerError(err)) => t.error(
                count,
                format!("MIGRATE to {target} failed: {}", server_error_text(&err)),
            ),
            Ok(_) if !counted => t.imported += count,
            Ok(_) => {}
            Err(err) => t.error(count, err.to_string()),
        }
    }
}

/// The MIGRATE of `keys` towards `target`.
fn migrate_cmd(
    job: &ImportJob<'_>,
    target: &NodeAddr,
    keys: &[Vec<u8>],
    replace: bool,
) -> redis::Cmd {
    let flags = MigrateFlags {
        copy: job.copy,
        replace,
        db: 0,
    };
    migrate_command(target, keys, job.timeout, flags, &job.cluster_opts.auth)
}
