//! Scanning one node's keyspace for `bigkeys` / `memkeys`: SCAN in batches, then one
//! pipeline of TYPE and one of size commands per batch (redis-cli sends SCAN COUNT 10 and
//! waits for every reply). `interval` sleeps after each batch to limit the load. Each database
//! that holds keys is scanned in turn (Valkey >= 9.0 `cluster-databases`), on a connection of
//! the scan's own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use redis::Value;

use crate::address::NodeAddr;
use crate::cluster::keysizes::{KeySizes, Measure, SizedKey, length_command};
use crate::net::conn::{ConnectOptions, NodeConn, NodeError};
use crate::net::db::select;

/// Keys asked of SCAN per call.
const SCAN_COUNT: usize = 1000;

/// How to scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanSettings {
    /// What a key's size is.
    pub(crate) measure: Measure,
    /// MEMORY USAGE's SAMPLES (None: the server's default).
    pub(crate) samples: Option<u32>,
    /// Pause after each SCAN batch.
    pub(crate) interval: Duration,
    /// Biggest keys kept per type.
    pub(crate) keep: usize,
}

/// Scans every key of databases `dbs` of `addr` (a replica is asked with READONLY semantics by
/// plain commands: scanning and sizing are reads it serves for its own data); `scanned` counts
/// keys as they are done, for progress.
pub(crate) fn scan_node(
    opts: &ConnectOptions,
    addr: &NodeAddr,
    dbs: &[u32],
    settings: &ScanSettings,
    scanned: &AtomicU64,
) -> Result<KeySizes, NodeError> {
    let mut conn = opts.connect(addr)?;
    // A replica redirects reads of keys it does not own as master unless READONLY.
    let _ = conn.raw(&redis::cmd("READONLY"));
    let mut sizes = KeySizes::new(settings.keep);
    for &db in dbs {
        // The connection is closed afterwards: it may stay in the last database.
        if db != 0 {
            conn.query::<()>(&select(db))?;
        }
        scan_db(&mut conn, db, settings, scanned, &mut sizes)?;
    }
    Ok(sizes)
}

/// Scans the selected database `db` of `conn` into `sizes`.
fn scan_db(
    conn: &mut NodeConn,
    db: u32,
    settings: &ScanSettings,
    scanned: &AtomicU64,
    sizes: &mut KeySizes,
) -> Result<(), NodeError> {
    let node = conn.addr.to_string();
    let mut cursor: u64 = 0;
    loop {
        let mut scan = redis::cmd("SCAN");
        scan.arg(cursor).arg("COUNT").arg(SCAN_COUNT);
        let (next, keys): (u64, Vec<Vec<u8>>) = conn.query(&scan)?;
        if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("TYPE").arg(key);
            }
            let mut types = Vec::with_capacity(keys.len());
            for reply in conn.pipeline(&pipe)? {
                types.push(conn.convert::<String>(reply)?);
            }
            let mut pipe = redis::pipe();
            let mut asked = Vec::with_capacity(keys.len());
            for (key, kind) in keys.iter().zip(&types) {
                let cmd = match settings.measure {
                    Measure::Memory if kind != "none" => {
                        let mut c = redis::cmd("MEMORY");
                        c.arg("USAGE").arg(key);
                        if let Some(n) = settings.samples {
                            c.arg("SAMPLES").arg(n);
                        }
                        Some(c)
                    }
                    Measure::Length => length_command(kind).map(|name| {
                        let mut c = redis::cmd(name);
                        c.arg(key);
                        c
                    }),
                    Measure::Memory => None,
                };
                asked.push(cmd.is_some());
                if let Some(cmd) = cmd {
                    pipe.add_command(cmd);
                }
            }
            let mut replies = conn.pipeline(&pipe)?.into_iter();
            for ((key, kind), was_asked) in keys.iter().zip(&types).zip(asked) {
                if kind == "none" {
                    continue; // deleted or expired since SCAN
                }
                let size = if was_asked {
                    match replies.next() {
                        Some(Value::Int(n)) if n >= 0 => Some(n as u64),
                        // The key changed type, or vanished, since TYPE.
                        Some(Value::ServerError(e)) if e.code() == "WRONGTYPE" => None,
                        Some(Value::Nil) | None => None,
                        Some(other) => {
                            conn.convert::<i64>(other)?;
                            None
                        }
                    }
                } else {
                    None
                };
                let sized = size.map(|size| SizedKey::new(kind, key, size, &node, db));
                sizes.add(kind, key.len(), sized);
            }
            scanned.fetch_add(keys.len() as u64, Ordering::Relaxed);
        }
        cursor = next;
        if cursor == 0 {
            return Ok(());
        }
        if !settings.interval.is_zero() {
            std::thread::sleep(settings.interval);
        }
    }
}
