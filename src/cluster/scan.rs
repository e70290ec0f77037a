//! Key scans across masters: which masters hold keys in slots they do not serve (for the
//! multiple-owners search). One pipeline of `CLUSTER COUNTKEYSINSLOT` per master, masters in
//! parallel: a few milliseconds instead of redis-cli's 16384 serial round trips per master.

use super::check::StrayKeys;
use super::slots::{SLOT_COUNT, SlotSet};
use super::snapshot::Snapshot;
use crate::net::conn::{ConnectOptions, NodeError};
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};

/// For every reachable master, the slots it does not serve but holds keys in.
pub fn stray_keys(opts: &ConnectOptions, snapshot: &Snapshot) -> Result<StrayKeys, NodeError> {
    let masters: Vec<_> = snapshot
        .masters()
        .filter(|m| m.reachable() && m.addr().is_some())
        .collect();
    let results = fan_out(&masters, DEFAULT_PARALLELISM, |master| {
        let addr = master.addr().expect("filtered on address");
        let owned = &master.current().slots;
        let unowned: Vec<u16> = (0..SLOT_COUNT).filter(|s| !owned.contains(*s)).collect();
        let mut conn = opts.connect(addr)?;
        let mut pipe = redis::pipe();
        for slot in &unowned {
            pipe.cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(*slot);
        }
        let replies = conn.pipeline(&pipe)?;
        let mut stray = SlotSet::new();
        for (slot, reply) in unowned.iter().zip(replies) {
            let count: u64 = conn.convert(reply)?;
            if count > 0 {
                stray.insert(*slot);
            }
        }
        Ok::<_, NodeError>((master.id().to_string(), stray))
    });
    results.into_iter().collect()
}
