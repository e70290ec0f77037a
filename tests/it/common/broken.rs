//! Broken slot states built with raw commands on real nodes, with real keys moved by MIGRATE:
//! what a migration killed half-way leaves (open slots), and slots no node serves.

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

use super::cluster::{FORM_TIMEOUT, TestCluster};
use super::data::{count_in_slot, write_pairs};
use super::node::Node;
use super::{SLOTS, key_slot, poll_until};

/// Writes `n` keys `{tag}:i` (values of various sizes) to the master serving the slot of
/// `{tag}`, for the first tag `<prefix><number>` whose slot is in `range` and holds no key
/// yet; returns (slot, owner index, the keys).
pub fn fill_slot_in(
    cluster: &TestCluster,
    prefix: &str,
    range: RangeInclusive<u16>,
    n: usize,
) -> (u16, usize, Vec<String>) {
    let owners = cluster.slot_owners();
    let (tag, slot, owner) = (0..)
        .map(|i| format!("{prefix}{i}"))
        .find_map(|tag| {
            let slot = key_slot(format!("{{{tag}}}"));
            let owner = owners[usize::from(slot)]?;
            (range.contains(&slot) && count_in_slot(cluster.node(owner), slot) == 0)
                .then_some((tag, slot, owner))
        })
        .unwrap();
    let keys: Vec<String> = (0..n).map(|i| format!("{{{tag}}}:{i}")).collect();
    write_pairs(
        cluster.node(owner),
        keys.iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), format!("{k}={}", "v".repeat(i % 97)))),
    );
    assert_eq!(count_in_slot(cluster.node(owner), slot), n as u64);
    (slot, owner, keys)
}

/// [`fill_slot_in`] anywhere.
pub fn fill_slot(cluster: &TestCluster, prefix: &str, n: usize) -> (u16, usize, Vec<String>) {
    fill_slot_in(cluster, prefix, 0..=SLOTS - 1, n)
}

/// MIGRATEs `keys` from `from` to `to` (the target must accept them: it serves their slot or
/// imports it).
pub fn migrate(from: &Node, to: &Node, keys: &[String]) {
    let mut conn = from.conn();
    redis::cmd("MIGRATE")
        .arg(to.host())
        .arg(to.port())
        .arg("")
        .arg(0)
        .arg(5000)
        .arg("KEYS")
        .arg(keys)
        .query::<()>(&mut conn)
        .unwrap_or_else(|e| panic!("MIGRATE {} -> {}: {e}", from.addr(), to.addr()));
}

/// `CLUSTER SETSLOT slot <how> [id]` on `node`.
pub fn setslot(node: &Node, slot: u16, how: &str, id: Option<&str>) {
    let slot = slot.to_string();
    let mut args = vec!["CLUSTER", "SETSLOT", &slot, how];
    args.extend(id);
    node.cmd(&args);
}

/// The first half of a slot migration from `from` to `to`, as a killed redis-cli would leave
/// it: IMPORTING on the target, MIGRATING on the source, and `keys` moved by MIGRATE.
pub fn half_migrate(from: &Node, to: &Node, slot: u16, keys: &[String]) {
    setslot(to, slot, "IMPORTING", Some(from.id()));
    setslot(from, slot, "MIGRATING", Some(to.id()));
    migrate(from, to, keys);
}

/// Deletes `range` (all served by one master) from every node's view, the owner first so
/// that no node learns the slots back from its gossip, and waits until no alive node sees
/// any of them assigned. The owner keeps the keys it has in them.
pub fn delete_slots_everywhere(cluster: &TestCluster, range: RangeInclusive<u16>) {
    let owners = cluster.slot_owners();
    let owner = owners[usize::from(*range.start())].expect("the slots are served");
    assert!(
        range.clone().all(|s| owners[usize::from(s)] == Some(owner)),
        "{range:?} is not served by one master"
    );
    let mut order = vec![owner];
    order.extend(cluster.alive().into_iter().filter(|&i| i != owner));
    let delete_where_assigned = |i: usize| {
        let node = cluster.node(i);
        let assigned: BTreeSet<u16> = node
            .cluster_nodes()
            .into_iter()
            .flat_map(|l| l.slots)
            .flatten()
            .collect();
        let mut args = vec!["CLUSTER".to_string(), "DELSLOTS".to_string()];
        args.extend(
            range
                .clone()
                .filter(|s| assigned.contains(s))
                .map(|s| s.to_string()),
        );
        if args.len() > 2 {
            node.cmd(&args);
            false
        } else {
            true
        }
    };
    for &i in &order {
        delete_where_assigned(i);
    }
    poll_until("slots deleted everywhere", FORM_TIMEOUT, || {
        let mut pending = Vec::new();
        for &i in &order {
            if !delete_where_assigned(i) {
                pending.push(cluster.addr(i));
            }
        }
        if pending.is_empty() {
            Ok(())
        } else {
            Err(format!("still assigned on {pending:?}"))
        }
    });
    cluster.wait_consistent();
}
