//! Membership decisions for add-node and del-node, as pure functions: which master a new (or
//! orphaned) replica follows, and where a drained master's slots go.

use crate::cluster::plan::moves::{MovePlan, MovePlanError, PlanNode, SlotMove};
use crate::cluster::snapshot::Snapshot;

/// A master a replica could follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MasterChoice {
    /// Node id.
    pub(crate) id: String,
    /// The host (IP) it runs on.
    pub(crate) host: String,
    /// Replicas it has now.
    pub(crate) replicas: usize,
    /// Slots it serves.
    pub(crate) slots: usize,
    /// False when it is down or flagged failing: it gets no new replica.
    pub(crate) healthy: bool,
}

/// The masters of `snapshot` as choices for a replica, with their snapshot indices.
pub(crate) fn master_choices(snapshot: &Snapshot) -> (Vec<usize>, Vec<MasterChoice>) {
    let masters: Vec<usize> = (0..snapshot.nodes.len())
        .filter(|&i| snapshot.nodes[i].is_master())
        .collect();
    let choices = masters
        .iter()
        .map(|&i| {
            let n = &snapshot.nodes[i];
            MasterChoice {
                id: n.id().to_string(),
                host: n.addr().map(|a| a.host.clone()).unwrap_or_default(),
                replicas: snapshot.replicas_of(n.id()).count(),
                slots: n.current().slots.len(),
                healthy: n.reachable() && !n.seen.flags.failing(),
            }
        })
        .collect();
    (masters, choices)
}

/// The master a new replica on `replica_host` should follow: a healthy master, not
/// `exclude`; masters that serve slots first, then the fewest replicas, then one on another
/// host than the replica, then list order. `None` when no master qualifies.
pub(crate) fn pick_master(
    masters: &[MasterChoice],
    replica_host: &str,
    exclude: &str,
) -> Option<usize> {
    masters
        .iter()
        .enumerate()
        .filter(|(_, m)| m.healthy && m.id != exclude)
        .min_by_key(|(i, m)| (m.slots == 0, m.replicas, m.host == replica_host, *i))
        .map(|(i, _)| i)
}

/// Moves every slot of master `from` to the other masters that serve slots, so that they end
/// as even as possible (the ones with fewest slots receive first), each receiving one
/// contiguous run of `from`'s slots in ascending order.
pub(crate) fn drain_plan(nodes: &[PlanNode], from: usize) -> Result<MovePlan, MovePlanError> {
    let giver = &nodes[from];
    if !giver.is_master {
        return Err(MovePlanError(format!(
            "{} ({}) is a replica: it serves no slots to drain",
            giver.addr, giver.id
        )));
    }
    let receivers: Vec<usize> = (0..nodes.len())
        .filter(|&i| i != from && nodes[i].is_master && !nodes[i].slots.is_empty())
        .collect();
    if receivers.is_empty() {
        return Err(MovePlanError(format!(
            "{} is the only master that serves slots: there is nowhere to move them. Add a \
             master first (rcluster add-node), then drain",
            giver.addr
        )));
    }
    let mut counts: Vec<usize> = receivers.iter().map(|&i| nodes[i].slots.len()).collect();
    let mut gets = vec![0usize; receivers.len()];
    for _ in 0..giver.slots.len() {
        let k = (0..counts.len())
            .min_by_key(|&k| (counts[k], k))
            .expect("receivers is not empty");
        counts[k] += 1;
        gets[k] += 1;
    }
    let mut slots = giver.slots.iter();
    let mut moves = Vec::with_capacity(giver.slots.len());
    for (k, &to) in receivers.iter().enumerate() {
        for slot in slots.by_ref().take(gets[k]) {
            moves.push(SlotMove { slot, from, to });
        }
    }
    Ok(MovePlan::new(moves))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::plan::moves::fixtures::{master, replica};

    fn choice(id: &str, host: &str, replicas: usize, slots: usize) -> MasterChoice {
        MasterChoice {
            id: id.into(),
            host: host.into(),
            replicas,
            slots,
            healthy: true,
        }
    }

    #[test]
    fn fewest_replicas_then_other_host() {
        let masters = vec![
            choice("a", "10.0.0.1", 1, 100),
            choice("b", "10.0.0.2", 0, 100),
            choice("c", "10.0.0.3", 0, 100),
        ];
        assert_eq!(pick_master(&masters, "10.0.0.2", ""), Some(2));
        assert_eq!(pick_master(&masters, "10.0.0.9", ""), Some(1));
    }

    #[test]
    fn excluded_unhealthy_and_empty_masters_come_last_or_never() {
        let mut masters = vec![
            choice("a", "h", 0, 0),
            choice("b", "h", 2, 100),
            choice("c", "h", 0, 100),
        ];
        assert_eq!(pick_master(&masters, "x", "c"), Some(1));
        masters[1].healthy = false;
        assert_eq!(pick_master(&masters, "x", "c"), Some(0));
        assert_eq!(pick_master(&masters[..1], "x", "a"), None);
    }

    #[test]
    fn drain_fills_the_smallest_first_in_contiguous_runs() {
        let nodes = vec![
            master("a", &[(0, 99)]),
            master("b", &[(100, 109)]),
            master("c", &[(110, 139)]),
            replica("r"),
            master("e", &[]),
        ];
        let plan = drain_plan(&nodes, 0).unwrap();
        assert_eq!(plan.len(), 100);
        let pairs = plan.pairs();
        assert_eq!(pairs.len(), 2);
        // 100 + 10 + 30 = 140 over b and c: 70 each.
        assert_eq!(
            (pairs[0].to, pairs[0].slots.to_string()),
            (1, "0-59".into())
        );
        assert_eq!(
            (pairs[1].to, pairs[1].slots.to_string()),
            (2, "60-99".into())
        );
    }

    #[test]
    fn drain_refuses_replicas_and_a_lone_master() {
        let nodes = vec![master("a", &[(0, 16383)]), replica("r"), master("e", &[])];
        assert!(drain_plan(&nodes, 0).unwrap_err().0.contains("only master"));
        assert!(drain_plan(&nodes, 1).unwrap_err().0.contains("replica"));
    }
}
