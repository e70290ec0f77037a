//! Key counts per slot: [`count_keys`] on one node, in every database it has (Valkey >= 9.0
//! `cluster-databases`: COUNTKEYSINSLOT counts the selected database only), and which masters
//! hold keys in slots they do not serve (for the multiple-owners search). One pipeline of
//! `CLUSTER COUNTKEYSINSLOT` per database and master, masters in parallel: a few milliseconds
//! instead of redis-cli's 16384 serial round trips per master.

use super::check::StrayKeys;
use super::slots::{SLOT_COUNT, SlotSet};
use super::snapshot::Snapshot;
use crate::net::conn::{ConnectOptions, NodeConn, NodeError};
use crate::net::db::pipeline_in;
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};

/// Commands in one pipeline of [`count_keys`].
const COUNT_PIPELINE: usize = 4096;

/// Keys of some slots on one node, per database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotKeys {
    /// The slots counted.
    pub slots: Vec<u16>,
    /// `per_db[db][i]`: keys of `slots[i]` in database `db`.
    pub per_db: Vec<Vec<u64>>,
}

impl SlotKeys {
    /// Keys of each slot over every database (in the order of `slots`).
    pub fn totals(&self) -> Vec<u64> {
        (0..self.slots.len())
            .map(|i| self.per_db.iter().map(|counts| counts[i]).sum())
            .collect()
    }

    /// Each database that holds keys of these slots, with those slots (ascending databases).
    pub fn by_db(&self) -> Vec<(u32, Vec<u16>)> {
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

/// COUNTKEYSINSLOT of every slot of `slots` in each database `0..databases` of `conn`,
/// pipelined (a SELECT around each pipeline of another database than 0; the connection is
/// back in database 0 after).
pub fn count_keys(
    conn: &mut NodeConn,
    slots: &[u16],
    databases: u32,
) -> Result<SlotKeys, NodeError> {
    let mut per_db = Vec::new();
    for db in 0..databases.max(1) {
        let mut counts = Vec::with_capacity(slots.len());
        for chunk in slots.chunks(COUNT_PIPELINE) {
            let mut pipe = redis::pipe();
            for &slot in chunk {
                pipe.cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(slot);
            }
            for reply in pipeline_in(conn, db, &pipe)? {
                counts.push(conn.convert(reply)?);
            }
        }
        per_db.push(counts);
    }
    Ok(SlotKeys {
        slots: slots.to_vec(),
        per_db,
    })
}

/// For every reachable master, the slots it does not serve but holds keys in (in any
/// database).
pub fn stray_keys(opts: &ConnectOptions, snapshot: &Snapshot) -> Result<StrayKeys, NodeError> {
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
        let stray: SlotSet = unowned
            .iter()
            .zip(counts.totals())
            .filter(|(_, n)| *n > 0)
            .map(|(s, _)| *s)
            .collect();
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
        assert_eq!(keys.by_db(), vec![(0, vec![3]), (2, vec![7, 9])]);
        assert!(SlotKeys::default().by_db().is_empty());
    }
}
