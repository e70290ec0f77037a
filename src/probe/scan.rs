//! Key counts per slot: [`count_keys`] on one node, in every database it has (Valkey >= 9.0
//! `cluster-databases`: COUNTKEYSINSLOT counts the selected database only), and which masters
//! hold keys in slots they do not serve (for the multiple-owners search). Pipelined
//! `CLUSTER COUNTKEYSINSLOT` (every database in the same pipelines), masters in parallel: a
//! few milliseconds instead of redis-cli's 16384 serial round trips per master.

use crate::cluster::slots::{SLOT_COUNT, SlotSet};
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::check::StrayKeys;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError};
use crate::net::db::select;
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};

/// Commands in one pipeline of [`count_keys`].
const COUNT_PIPELINE: usize = 4096;

/// Keys of some slots on one node, per database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SlotKeys {
    /// The slots counted.
    pub(crate) slots: Vec<u16>,
    /// `per_db[db][i]`: keys of `slots[i]` in database `db`.
    pub(crate) per_db: Vec<Vec<u64>>,
}

impl SlotKeys {
    /// Keys of each slot over every database (in the order of `slots`).
    pub(crate) fn totals(&self) -> Vec<u64> {
        (0..self.slots.len())
            .map(|i| self.per_db.iter().map(|counts| counts[i]).sum())
            .collect()
    }

    /// The slots holding keys in any database, with their totals (in the order of `slots`).
    pub(crate) fn with_keys(&self) -> Vec<(u16, u64)> {
        self.slots
            .iter()
            .copied()
            .zip(self.totals())
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Each database that holds keys of these slots, with those slots (ascending databases).
    pub(crate) fn by_db(&self) -> Vec<(u32, Vec<u16>)> {
        (0u32..)
            .zip(&self.per_db)
            .filter_map(|(db, counts)| {
                let slots: Vec<u16> = self
                    .slots
                    .iter()
                    .zip(counts)
                    .filter(|(_, n)| **n > 0)
                    .map(|(s, _)| *s)
                    .collect();
                (!slots.is_empty()).then_some((db, slots))
            })
            .collect()
    }
}

/// COUNTKEYSINSLOT of every slot of `slots` in each database `0..databases` of `conn` (in
/// database 0 already, and back there after), pipelined: the databases follow each other in
/// the same pipelines, each after a SELECT (none with one database).
pub(crate) fn count_keys(
    conn: &mut NodeConn,
    slots: &[u16],
    databases: u32,
) -> Result<SlotKeys, NodeError> {
    let all: Vec<u32> = (0..databases.max(1)).collect();
    count_keys_in(conn, slots, databases, &all)
}

/// [`count_keys`] asking only the databases of `used` (the others count as empty): for
/// estimates, when INFO keyspace just said which databases hold keys. Safety checks count
/// every database.
pub(crate) fn count_keys_in(
    conn: &mut NodeConn,
    slots: &[u16],
    databases: u32,
    used: &[u32],
) -> Result<SlotKeys, NodeError> {
    let databases = databases.max(1);
    let mut per_db: Vec<Vec<u64>> = (0..databases)
        .map(|db| {
            if used.contains(&db) {
                Vec::with_capacity(slots.len())
            } else {
                vec![0; slots.len()]
            }
        })
        .collect();
    let all: Vec<(u32, u16)> = (0..databases)
        .filter(|db| used.contains(db))
        .flat_map(|db| slots.iter().map(move |&slot| (db, slot)))
        .collect();
    for chunk in all.chunks(COUNT_PIPELINE) {
        for (db, count) in count_chunk(conn, chunk)? {
            per_db[db as usize].push(count);
        }
    }
    Ok(SlotKeys {
        slots: slots.to_vec(),
        per_db,
    })
}

/// One round trip of [`count_keys`]: COUNTKEYSINSLOT of each `(db, slot)`, a SELECT before
/// each change of database and `SELECT 0` at the end. Fails when a SELECT is refused (the
/// counts after it would be another database's).
fn count_chunk(conn: &mut NodeConn, chunk: &[(u32, u16)]) -> Result<Vec<(u32, u64)>, NodeError> {
    let mut pipe = redis::pipe();
    // The database a count reply belongs to; None for a SELECT's reply.
    let mut owners: Vec<Option<u32>> = Vec::with_capacity(chunk.len() + 2);
    let mut current = 0;
    for &(db, slot) in chunk {
        if db != current {
            pipe.add_command(select(db));
            owners.push(None);
            current = db;
        }
        pipe.cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(slot);
        owners.push(Some(db));
    }
    if current != 0 {
        pipe.add_command(select(0));
        owners.push(None);
    }
    let replies = conn.pipeline(&pipe)?;
    let mut counts = Vec::with_capacity(chunk.len());
    for (owner, reply) in owners.into_iter().zip(replies) {
        match owner {
            Some(db) => counts.push((db, conn.convert(reply)?)),
            None => conn.convert::<()>(reply)?,
        }
    }
    Ok(counts)
}

/// For every reachable master, the slots it does not serve but holds keys in (in any
/// database).
pub(crate) fn stray_keys(
    opts: &ConnectOptions,
    snapshot: &Snapshot,
) -> Result<StrayKeys, NodeError> {
    let masters: Vec<_> = snapshot
        .masters()
        .filter(|m| m.reachable() && m.addr().is_some())
        .collect();
    let results = fan_out(&masters, DEFAULT_PARALLELISM, |master| {
        let addr = master.addr().expect("filtered on address");
        let databases = master
            .probe()
            .map_or(1, |p| p.info.server.cluster_databases);
        let owned = &master.current().slots;
        let unowned: Vec<u16> = (0..SLOT_COUNT).filter(|s| !owned.contains(*s)).collect();
        let mut conn = opts.connect(addr)?;
        let counts = count_keys(&mut conn, &unowned, databases)?;
        let stray: SlotSet = counts.with_keys().into_iter().map(|(s, _)| s).collect();
        Ok::<_, NodeError>((master.id().to_string(), stray))
    });
    results.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_and_databases_with_keys() {
        let keys = SlotKeys {
            slots: vec![3, 7, 9],
            per_db: vec![vec![1, 0, 0], vec![0, 0, 0], vec![0, 4, 2]],
        };
        assert_eq!(keys.totals(), vec![1, 4, 2]);
        assert_eq!(keys.with_keys(), vec![(3, 1), (7, 4), (9, 2)]);
        assert_eq!(keys.by_db(), vec![(0, vec![3]), (2, vec![7, 9])]);
        assert!(SlotKeys::default().by_db().is_empty());
    }
}
