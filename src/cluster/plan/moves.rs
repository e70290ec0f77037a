//! Slot moves as data: what the reshard and rebalance planners produce, what `--dry-run`
//! prints and what the migration engine applies. Pure, no I/O.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;

/// A master as the planners see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlanNode {
    /// Full node id.
    pub(crate) id: String,
    /// `host:port`, for messages.
    pub(crate) addr: String,
    /// True for a master (replicas are listed so that a replica id gets a precise error).
    pub(crate) is_master: bool,
    /// Slots the node serves (empty for replicas).
    pub(crate) slots: SlotSet,
}

impl PlanNode {
    /// The nodes of `snapshot`, in snapshot order: every node's own view of its role and
    /// slots when it answered, else the entry node's view.
    pub(crate) fn from_snapshot(snapshot: &Snapshot) -> Vec<PlanNode> {
        snapshot
            .nodes
            .iter()
            .map(|n| PlanNode {
                id: n.id().to_string(),
                addr: n.addr_text(),
                is_master: n.is_master(),
                slots: if n.is_master() {
                    n.current().slots.clone()
                } else {
                    SlotSet::new()
                },
            })
            .collect()
    }
}

/// One slot to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SlotMove {
    /// The slot.
    pub(crate) slot: u16,
    /// Index of the source node in the planner's node list.
    pub(crate) from: usize,
    /// Index of the target node in the planner's node list.
    pub(crate) to: usize,
}

/// The slots one source gives one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PairMoves {
    /// Index of the source node.
    #[serde(skip)]
    pub(crate) from: usize,
    /// Index of the target node.
    #[serde(skip)]
    pub(crate) to: usize,
    /// The slots, ascending.
    pub(crate) slots: SlotSet,
}

/// A set of slot moves; every slot appears at most once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MovePlan {
    /// The moves, ascending by slot.
    pub(crate) moves: Vec<SlotMove>,
}

impl MovePlan {
    /// A plan from moves in any order; panics in debug builds if a slot appears twice.
    pub(crate) fn new(mut moves: Vec<SlotMove>) -> Self {
        moves.sort();
        debug_assert!(moves.windows(2).all(|w| w[0].slot != w[1].slot));
        MovePlan { moves }
    }

    /// Number of slots moved.
    pub(crate) fn len(&self) -> usize {
        self.moves.len()
    }

    /// True when nothing moves.
    pub(crate) fn is_empty(&self) -> bool {
        self.moves.is_empty()
    }

    /// The moves grouped by (source, target), in (source, target) index order.
    pub(crate) fn pairs(&self) -> Vec<PairMoves> {
        let mut by_pair: BTreeMap<(usize, usize), SlotSet> = BTreeMap::new();
        for m in &self.moves {
            by_pair.entry((m.from, m.to)).or_default().insert(m.slot);
        }
        by_pair
            .into_iter()
            .map(|((from, to), slots)| PairMoves { from, to, slots })
            .collect()
    }
}

/// A request the planners refuse: an unknown or ambiguous node, a replica where a master is
/// needed, an impossible amount. The message says what to give instead; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MovePlanError(pub(crate) String);

impl std::fmt::Display for MovePlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MovePlanError {}

/// Finds the node whose id is `text` or starts with it (case-insensitive; a prefix must match
/// exactly one node). Replicas are found too, so that callers can say "is a replica".
pub(crate) fn resolve_node(nodes: &[PlanNode], text: &str) -> Result<usize, MovePlanError> {
    let wanted = text.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return Err(MovePlanError("an empty node id was given".into()));
    }
    if let Some(i) = nodes
        .iter()
        .position(|n| n.id.eq_ignore_ascii_case(&wanted))
    {
        return Ok(i);
    }
    let matches: Vec<usize> = (0..nodes.len())
        .filter(|&i| nodes[i].id.to_ascii_lowercase().starts_with(&wanted))
        .collect();
    match matches.as_slice() {
        [i] => Ok(*i),
        [] => Err(MovePlanError(format!(
            "no node of the cluster has an id starting with {text:?} (`rcluster nodes HOST:PORT` lists them)"
        ))),
        many => Err(MovePlanError(format!(
            "{text:?} is the start of {} node ids ({}); give more characters",
            many.len(),
            many.iter()
                .map(|&i| format!("{} at {}", nodes[i].id, nodes[i].addr))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Like [`resolve_node`], but the node must be a master.
pub(crate) fn resolve_master(nodes: &[PlanNode], text: &str) -> Result<usize, MovePlanError> {
    let i = resolve_node(nodes, text)?;
    if nodes[i].is_master {
        Ok(i)
    } else {
        Err(MovePlanError(format!(
            "{} ({}) is a replica, not a master; give the id of a master",
            nodes[i].addr, nodes[i].id
        )))
    }
}

/// Plan nodes for the planners' unit tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::PlanNode;
    use crate::cluster::slots::{SlotRange, SlotSet};

    /// A master `id` at `127.0.0.1:<id>` serving `ranges` (inclusive).
    pub(crate) fn master(id: &str, ranges: &[(u16, u16)]) -> PlanNode {
        let mut slots = SlotSet::new();
        for &(start, end) in ranges {
            slots.insert_range(SlotRange { start, end });
        }
        PlanNode {
            id: id.into(),
            addr: format!("127.0.0.1:{id}"),
            is_master: true,
            slots,
        }
    }

    /// A replica `id`.
    pub(crate) fn replica(id: &str) -> PlanNode {
        PlanNode {
            is_master: false,
            ..master(id, &[])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_group_and_sort() {
        let plan = MovePlan::new(vec![
            SlotMove {
                slot: 9,
                from: 1,
                to: 0,
            },
            SlotMove {
                slot: 3,
                from: 2,
                to: 0,
            },
            SlotMove {
                slot: 4,
                from: 1,
                to: 0,
            },
        ]);
        assert_eq!(plan.len(), 3);
        let pairs = plan.pairs();
        assert_eq!(pairs.len(), 2);
        assert_eq!((pairs[0].from, pairs[0].to), (1, 0));
        assert_eq!(pairs[0].slots.iter().collect::<Vec<_>>(), vec![4, 9]);
        assert_eq!((pairs[1].from, pairs[1].to), (2, 0));
    }

    fn node(id: &str, is_master: bool) -> PlanNode {
        PlanNode {
            id: id.into(),
            addr: format!("127.0.0.1:{}", 7000 + id.len()),
            is_master,
            slots: SlotSet::new(),
        }
    }

    #[test]
    fn ids_resolve_by_unique_prefix() {
        let nodes = vec![node("abc1", true), node("abd2", true), node("ffff", false)];
        assert_eq!(resolve_node(&nodes, "ABC1"), Ok(0));
        assert_eq!(resolve_node(&nodes, "abd"), Ok(1));
        assert!(
            resolve_node(&nodes, "ab")
                .unwrap_err()
                .0
                .contains("2 node ids")
        );
        assert!(
            resolve_node(&nodes, "zz")
                .unwrap_err()
                .0
                .contains("no node")
        );
        assert!(resolve_node(&nodes, " ").is_err());
        assert!(
            resolve_master(&nodes, "ff")
                .unwrap_err()
                .0
                .contains("replica")
        );
    }
}
