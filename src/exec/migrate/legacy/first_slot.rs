//! A master that serves no slot yet gets one slot first, alone, and the parallel batches start
//! once every master agrees that it owns it.
//!
//! Cluster clients build their node list from `CLUSTER SLOTS`, where a master without slots
//! does not appear; some (redis-py, redis/redis-py#4015) fail a command that an ASK sends to a
//! node missing from that list. Giving the new master one slot first (the one with the fewest
//! keys, so that its own move sends almost no ASK) makes it a slot owner in every master's
//! view before the batches that send most ASKs start.

use std::time::Duration;

use crate::address::NodeAddr;
use crate::cluster::converge::Target;
use crate::exec::migrate::Endpoint;
use crate::exec::poll::wait_until_converged;
use crate::exec::slot_batch::SlotBatch;
use crate::net::conncache::ConnCache;
use crate::net::pool::NodePool;

use super::super::keys_in;

/// How long the parallel batches wait for the masters to agree on the first slots' owners;
/// they start anyway after that (agreement only helps the clients, it is not needed for
/// safety).
const AGREEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// Takes out of `batches`, for every target that serves no slot yet (`slotless`), one slot:
/// the one with the fewest keys (the lowest among equals), as a batch of its own, returned in
/// the order the targets first appear. A batch left empty is dropped.
pub(super) fn split_first_slots(
    batches: &mut Vec<SlotBatch>,
    slotless: impl Fn(usize) -> bool,
    keys_per_slot: &[(u16, u64)],
) -> Vec<SlotBatch> {
    let mut targets: Vec<usize> = Vec::new();
    for batch in batches.iter() {
        if slotless(batch.to) && !targets.contains(&batch.to) {
            targets.push(batch.to);
        }
    }
    targets
        .into_iter()
        .filter_map(|to| take_lightest_slot(batches, to, keys_per_slot))
        .collect()
}

/// Removes the slot with the fewest keys among the batches of target `to`, and returns it as
/// a one-slot batch of the same pair.
fn take_lightest_slot(
    batches: &mut Vec<SlotBatch>,
    to: usize,
    keys_per_slot: &[(u16, u64)],
) -> Option<SlotBatch> {
    let (_, slot, b, s) = batches
        .iter()
        .enumerate()
        .filter(|(_, batch)| batch.to == to)
        .flat_map(|(b, batch)| {
            batch
                .slots
                .iter()
                .enumerate()
                .map(move |(s, &slot)| (keys_in(keys_per_slot, slot), slot, b, s))
        })
        .min()?;
    let source = &mut batches[b];
    source.slots.remove(s);
    let first = SlotBatch {
        slots: vec![slot],
        ..source.clone()
    };
    if source.slots.is_empty() {
        batches.remove(b);
    }
    Some(first)
}

/// The slots every master should serve once `moved` (slot, new owner's index) have moved.
fn layout_after(nodes: &[Endpoint], moved: &[(u16, usize)]) -> Target {
    let mut target = Target::default();
    for (i, node) in nodes.iter().enumerate() {
        target
            .members
            .insert(node.id.clone(), node.addr.to_string());
        if node.is_master {
            let mut slots = node.slots.clone();
            for &(slot, to) in moved {
                if to == i {
                    slots.insert(slot);
                } else {
                    slots.remove(slot);
                }
            }
            target.slots.insert(node.id.clone(), slots);
        }
    }
    target
}

/// Polls every reachable master's `CLUSTER NODES` until all see `moved` at their new owners,
/// for at most [`AGREEMENT_TIMEOUT`]; returns either way.
pub(super) fn wait_for_owners(cache: &ConnCache, nodes: &[Endpoint], moved: &[(u16, usize)]) {
    let target = layout_after(nodes, moved);
    let masters: Vec<NodeAddr> = nodes
        .iter()
        .filter(|n| n.is_master && n.reachable)
        .map(|n| n.addr.clone())
        .collect();
    let conns = NodePool::connect_all(cache.options(), &masters)
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    let pool = NodePool::new(conns);
    // A timeout is no failure: the batches are safe without agreement.
    let _ = wait_until_converged(&pool, &target, AGREEMENT_TIMEOUT, |_| {});
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::capabilities::Capabilities;
    use crate::cluster::slots::SlotSet;

    fn batch(pair: usize, from: usize, to: usize, slots: &[u16]) -> SlotBatch {
        SlotBatch {
            pair,
            from,
            to,
            slots: slots.to_vec(),
        }
    }

    #[test]
    fn an_empty_target_gets_its_lightest_slot_first() {
        let mut batches = vec![
            batch(0, 0, 3, &[10, 11, 12]),
            batch(1, 1, 3, &[20, 21]),
            batch(0, 0, 3, &[13]),
        ];
        let keys = [(10, 5), (11, 2), (12, 9), (13, 7), (20, 2), (21, 0)];
        let first = split_first_slots(&mut batches, |n| n == 3, &keys);
        assert_eq!(first.len(), 1);
        assert_eq!((first[0].pair, first[0].from, first[0].to), (1, 1, 3));
        assert_eq!(first[0].slots, vec![21]);
        assert_eq!(batches[1].slots, vec![20]);
        assert_eq!(batches.len(), 3);
    }

    #[test]
    fn ties_take_the_lowest_slot_and_an_emptied_batch_goes() {
        let mut batches = vec![batch(0, 0, 2, &[7]), batch(0, 0, 2, &[8, 9])];
        let first = split_first_slots(&mut batches, |_| true, &[]);
        assert_eq!(first[0].slots, vec![7]);
        assert_eq!(batches.len(), 1);
        assert_eq!(batches[0].slots, vec![8, 9]);
    }

    #[test]
    fn targets_with_slots_keep_their_batches() {
        let mut batches = vec![batch(0, 0, 2, &[1, 2]), batch(1, 0, 3, &[5, 6])];
        let first = split_first_slots(&mut batches, |n| n == 3, &[]);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].slots, vec![5]);
        assert_eq!(batches[0].slots, vec![1, 2]);
        assert_eq!(batches[1].slots, vec![6]);
        assert!(split_first_slots(&mut batches, |_| false, &[]).is_empty());
    }

    #[test]
    fn the_layout_moves_the_first_slots_to_their_owners() {
        let node = |id: &str, master: bool, slots: std::ops::RangeInclusive<u16>| Endpoint {
            id: id.to_string(),
            addr: NodeAddr::new("127.0.0.1", 7000),
            is_master: master,
            reachable: true,
            slots: slots.collect::<SlotSet>(),
            server: Capabilities::default(),
            master_id: None,
        };
        let nodes = [
            node("a", true, 0..=9),
            node("b", true, 1..=0),
            node("r", false, 1..=0),
        ];
        let target = layout_after(&nodes, &[(3, 1)]);
        assert_eq!(target.members.len(), 3);
        assert_eq!(target.slots.len(), 2);
        assert!(!target.slots["a"].contains(3));
        assert_eq!(target.slots["a"].len(), 9);
        assert!(target.slots["b"].contains(3));
        assert_eq!(target.slots["b"].len(), 1);
    }
}
