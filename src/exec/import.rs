//! Importing a standalone Redis into the cluster: one thread SCANs the source and groups the
//! keys by the master that serves their slot; one worker per group of masters sends them with
//! `MIGRATE ... KEYS` in batches (redis-cli sends one MIGRATE per key). Collisions follow the
//! engine's rules: a key whose value is identical on both sides is taken over (REPLACE), a
//! different one stays on the source and is reported, unless `replace`. Several source
//! databases are imported one after the other, each into its own database of the cluster
//! (Valkey >= 9.0 `cluster-databases`); with database 0 alone no SELECT is sent.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use redis::Value;
use serde::Serialize;

use super::interrupt;
use super::migrate::{MigrateFlags, dump_all, migrate_command, same_unordered_content};
use crate::address::NodeAddr;
use crate::cluster::slots::key_slot;
use crate::cluster::snapshot::Snapshot;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError, server_error_text};
use crate::net::db::select;

/// Batches queued per worker before the scanner waits.
const QUEUE_DEPTH: usize = 4;
/// Keys asked of SCAN per call.
const SCAN_COUNT: usize = 1000;
/// Colliding keys named in the report (the count is always complete).
const NAMED_KEYS: usize = 20;

/// One source database and the database of the cluster its keys go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct DbPair {
    /// The database on the source.
    pub(crate) from: u32,
    /// The database on the cluster (MIGRATE's destination database).
    pub(crate) to: u32,
}

/// What an import needs to know.
pub(crate) struct ImportJob<'a> {
    /// How to connect to the source (its own credentials).
    pub(crate) source_opts: &'a ConnectOptions,
    /// The source.
    pub(crate) source: &'a NodeAddr,
    /// The source databases to import, in this order, each with its cluster database.
    pub(crate) dbs: &'a [DbPair],
    /// The masters, as the source must reach them for MIGRATE.
    pub(crate) masters: &'a [NodeAddr],
    /// How to connect to the masters (to compare colliding values).
    pub(crate) cluster_opts: &'a ConnectOptions,
    /// Master index serving each slot.
    pub(crate) owner: &'a [usize],
    /// Leave the keys on the source.
    pub(crate) copy: bool,
    /// Overwrite keys that exist in the cluster.
    pub(crate) replace: bool,
    /// Keys per MIGRATE.
    pub(crate) batch_keys: usize,
    /// Workers (each serves a share of the masters).
    pub(crate) workers: usize,
    /// MIGRATE timeout.
    pub(crate) timeout: Duration,
}

/// The outcome of an import.
#[derive(Debug, Default, Serialize)]
pub(crate) struct ImportReport {
    /// Keys the SCAN returned (a key may be counted twice if the source rehashed meanwhile).
    pub(crate) scanned: u64,
    /// Keys sent to the cluster (moved, or copied with `copy`). A key SCAN returns twice
    /// (possible while the source's table resizes) is counted twice.
    pub(crate) imported: u64,
    /// Of those, keys found in the cluster with an identical value after a collision (there
    /// before, or copied by the batch that met the collision).
    pub(crate) identical: u64,
    /// Keys that exist in the cluster with a different value: left on the source.
    pub(crate) conflicts: u64,
    /// Some of those keys.
    pub(crate) conflict_keys: Vec<String>,
    /// Keys that could not be sent (errors), left on the source.
    pub(crate) failed: u64,
    /// What went wrong, one line per distinct failure.
    pub(crate) errors: Vec<String>,
    /// Seconds the import took.
    pub(crate) seconds: f64,
    /// True when Ctrl-C stopped the scan early.
    pub(crate) interrupted: bool,
}

impl ImportReport {
    /// True when every key reached the cluster.
    pub(crate) fn complete(&self) -> bool {
        self.conflicts == 0 && self.failed == 0 && !self.interrupted
    }
}

/// Live counters, shared with the progress display.
#[derive(Default)]
pub(crate) struct ImportCounters {
    /// Keys scanned so far.
    pub(crate) scanned: AtomicU64,
    /// Keys done (imported, already there, conflicting or failed).
    pub(crate) done: AtomicU64,
}

struct Batch {
    master: usize,
    dbs: DbPair,
    keys: Vec<Vec<u8>>,
}

/// A connection to the source, with the database of the keys at hand selected (it is the
/// import's own connection, closed afterwards).
struct SourceConn {
    conn: NodeConn,
    db: u32,
}

impl SourceConn {
    fn open(job: &ImportJob<'_>) -> Result<SourceConn, NodeError> {
        Ok(SourceConn {
            conn: job.source_opts.connect(job.source)?,
            db: 0,
        })
    }

    /// The connection, in database `db`.
    fn in_db(&mut self, db: u32) -> Result<&mut NodeConn, NodeError> {
        if self.db != db {
            self.conn.query::<()>(&select(db))?;
            self.db = db;
        }
        Ok(&mut self.conn)
    }
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
pub(crate) fn targets(snapshot: &Snapshot) -> anyhow::Result<(Vec<NodeAddr>, Vec<usize>)> {
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

/// Each database of `per_db` (`(db, keys)`, the source's databases holding keys) imported into
/// the database of the same number, on a cluster whose masters have `cluster_dbs` databases;
/// database 0 alone when none holds keys. `Err`: the databases the cluster lacks.
pub(crate) fn same_db_pairs(
    per_db: &[(u32, u64)],
    cluster_dbs: u32,
) -> Result<Vec<DbPair>, Vec<(u32, u64)>> {
    let missing: Vec<(u32, u64)> = per_db
        .iter()
        .filter(|(db, keys)| *db >= cluster_dbs && *keys > 0)
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let pairs: Vec<DbPair> = per_db
        .iter()
        .filter(|(_, keys)| *keys > 0)
        .map(|&(db, _)| DbPair { from: db, to: db })
        .collect();
    Ok(if pairs.is_empty() {
        vec![DbPair { from: 0, to: 0 }]
    } else {
        pairs
    })
}

/// Runs the import; `on_progress` is called from the scanning thread as batches are queued.
pub(crate) fn import(
    job: &ImportJob<'_>,
    counters: &ImportCounters,
    mut on_progress: impl FnMut(),
) -> Result<ImportReport, NodeError> {
    let started = Instant::now();
    let mut scanner = SourceConn::open(job)?;
    let workers = job.workers.clamp(1, job.masters.len().max(1));
    let mut source_conns = Vec::with_capacity(workers);
    for _ in 0..workers {
        source_conns.push(SourceConn::open(job)?);
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
        let send = |master: usize, dbs: DbPair, keys: Vec<Vec<u8>>| {
            // A worker that stopped (it cannot fail: it drains its queue) would drop keys.
            let _ = senders[master % workers].send(Batch { master, dbs, keys });
        };
        for &dbs in job.dbs {
            let scanner = scanner.in_db(dbs.from)?;
            let mut buffers: Vec<Vec<Vec<u8>>> = vec![Vec::new(); job.masters.len()];
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
                        send(master, dbs, std::mem::take(&mut buffers[master]));
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
                    send(master, dbs, keys);
                }
            }
            if interrupted {
                break;
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

/// A worker: MIGRATE every batch it is given; a batch that fails is sorted out key by key.
fn work(
    job: &ImportJob<'_>,
    mut source: SourceConn,
    batches: Receiver<Batch>,
    totals: &Mutex<Totals>,
    counters: &ImportCounters,
) {
    let _ = source
        .conn
        .set_timeout(job.timeout + Duration::from_secs(5));
    for batch in batches {
        let n = batch.keys.len() as u64;
        let mut local = Totals::default();
        let target = &job.masters[batch.master];
        let cmd = migrate_cmd(job, target, batch.dbs.to, &batch.keys, job.replace);
        match source.in_db(batch.dbs.from).and_then(|conn| conn.raw(&cmd)) {
            Ok(Value::ServerError(err)) => {
                let text = server_error_text(&err);
                recover(job, &mut source, &batch, &text, &mut local);
            }
            Ok(_) => local.imported += n,
            Err(err) => {
                // The connection is out of step after a transport error: start a new one.
                match reopen(job, &mut source, batch.dbs.from) {
                    Ok(()) => recover(job, &mut source, &batch, "", &mut local),
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

/// Replaces `source` by a new connection in database `db`.
fn reopen(job: &ImportJob<'_>, source: &mut SourceConn, db: u32) -> Result<(), NodeError> {
    let mut fresh = SourceConn::open(job)?;
    fresh.in_db(db)?;
    let _ = fresh.conn.set_timeout(job.timeout + Duration::from_secs(5));
    *source = fresh;
    Ok(())
}

/// A batch MIGRATE failed. BUSYKEY: the batch is settled as a whole by comparing values;
/// anything else (a timeout, IOERR): each key is sent alone.
fn recover(
    job: &ImportJob<'_>,
    source: &mut SourceConn,
    batch: &Batch,
    error: &str,
    t: &mut Totals,
) {
    if error.contains("BUSYKEY") {
        settle_collisions(job, source, batch, &batch.keys, t);
        return;
    }
    let target = &job.masters[batch.master];
    for key in &batch.keys {
        let keys = std::slice::from_ref(key);
        let cmd = migrate_cmd(job, target, batch.dbs.to, keys, job.replace);
        match source.in_db(batch.dbs.from).and_then(|conn| conn.raw(&cmd)) {
            Ok(Value::ServerError(err)) => {
                let text = server_error_text(&err);
                if text.contains("BUSYKEY") {
                    settle_collisions(job, source, batch, keys, t);
                } else {
                    t.error(1, format!("MIGRATE to {target} failed: {text}"));
                }
            }
            // OK, or NOKEY: the key expired or was deleted meanwhile.
            Ok(_) => t.imported += 1,
            Err(err) => {
                t.error(1, err.to_string());
                let _ = reopen(job, source, batch.dbs.from);
            }
        }
    }
}

/// After BUSYKEY: the keys still on the source are compared (DUMP) with the cluster's. Equal
/// values count as imported (taken over with REPLACE unless copying), keys the cluster does
/// not have are sent again, different values are conflicts left on the source.
fn settle_collisions(
    job: &ImportJob<'_>,
    source: &mut SourceConn,
    batch: &Batch,
    keys: &[Vec<u8>],
    t: &mut Totals,
) {
    let target = &job.masters[batch.master];
    let n = keys.len() as u64;
    let source = match source.in_db(batch.dbs.from) {
        Ok(conn) => conn,
        Err(err) => return t.error(n, format!("cannot compare colliding keys: {err}")),
    };
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
    // A connection of its own, closed afterwards: it may stay in the target database.
    let cluster = job.cluster_opts.connect(target).and_then(|mut conn| {
        if batch.dbs.to != 0 {
            conn.query::<()>(&select(batch.dbs.to))?;
        }
        Ok(conn)
    });
    let mut cluster = match cluster {
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
        match source.raw(&migrate_cmd(job, target, batch.dbs.to, &keys, replace)) {
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

/// The MIGRATE of `keys` towards database `db` of `target`.
fn migrate_cmd(
    job: &ImportJob<'_>,
    target: &NodeAddr,
    db: u32,
    keys: &[Vec<u8>],
    replace: bool,
) -> redis::Cmd {
    let flags = MigrateFlags {
        copy: job.copy,
        replace,
        db,
    };
    migrate_command(target, keys, job.timeout, flags, &job.cluster_opts.auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_database_goes_to_its_own_number() {
        let pair = |from, to| DbPair { from, to };
        assert_eq!(same_db_pairs(&[], 1), Ok(vec![pair(0, 0)]));
        assert_eq!(same_db_pairs(&[(0, 5)], 1), Ok(vec![pair(0, 0)]));
        assert_eq!(
            same_db_pairs(&[(0, 5), (1, 0), (5, 2)], 16),
            Ok(vec![pair(0, 0), pair(5, 5)])
        );
        assert_eq!(same_db_pairs(&[(0, 5), (3, 2)], 1), Err(vec![(3, 2)]));
        assert_eq!(same_db_pairs(&[(16, 1), (20, 0)], 16), Err(vec![(16, 1)]));
    }
}
