//! May slots be moved on this cluster now? A pure judgement from the snapshot, its check
//! report and the move plan: problems that touch the slots or nodes of the plan refuse the
//! move; problems elsewhere are warnings. Views that only lag behind are "transient": the
//! caller may reload and ask again after a moment.

use crate::cluster::plan::moves::MovePlan;
use crate::cluster::slots::slot_list;
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::check::CheckReport;
use crate::cluster::verdict::jobs::slots_in_flight;

/// The judgement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Preflight {
    /// Reasons not to move anything.
    pub(crate) blockers: Vec<String>,
    /// Problems outside the plan, worth saying.
    pub(crate) warnings: Vec<String>,
    /// True when every blocker is a node whose view has not caught up yet.
    pub(crate) transient: bool,
}

impl Preflight {
    /// True when moving may start.
    pub(crate) fn clear(&self) -> bool {
        self.blockers.is_empty()
    }
}

/// The slots as a list for a message, or `none`.
fn or_none(slots: &[u16]) -> String {
    if slots.is_empty() {
        "none".to_string()
    } else {
        slot_list(slots)
    }
}

/// Judges `plan` (whose node indices point into `snapshot.nodes`) against `report`. Nodes of
/// `also_involved` must be healthy even when the plan does not move their slots (rebalance
/// weighs every master taking part).
pub(crate) fn preflight(
    snapshot: &Snapshot,
    report: &CheckReport,
    plan: &MovePlan,
    also_involved: &[usize],
) -> Preflight {
    let mut out = Preflight::default();
    let moving: crate::cluster::slots::SlotSet = plan.moves.iter().map(|m| m.slot).collect();
    let involved: Vec<usize> = {
        let mut v: Vec<usize> = plan.moves.iter().flat_map(|m| [m.from, m.to]).collect();
        v.extend_from_slice(also_involved);
        v.sort_unstable();
        v.dedup();
        v
    };

    for open in &report.open_slots {
        let touched: Vec<u16> = open
            .migrating
            .iter()
            .chain(&open.importing)
            .copied()
            .filter(|s| moving.contains(*s))
            .collect();
        let text = format!(
            "{} has open slots (migrating {}, importing {})",
            open.addr,
            or_none(&open.migrating),
            or_none(&open.importing)
        );
        if touched.is_empty() {
            out.warnings
                .push(format!("{text}, outside the slots being moved"));
        } else {
            out.blockers.push(format!(
                "{text}, among them slot(s) being moved: {}",
                slot_list(&touched)
            ));
        }
    }
    let in_flight = slots_in_flight(snapshot).intersection(&moving);
    if !in_flight.is_empty() {
        out.blockers.push(format!(
            "slot(s) {} are being moved by a running slot migration job (`rcluster check` shows \
             it); wait until it finishes, then plan again",
            in_flight.abbreviated()
        ));
    }
    let uncovered = &report.uncovered;
    if !uncovered.is_empty() {
        let touched = uncovered.intersection(&moving);
        if touched.is_empty() {
            out.warnings.push(format!(
                "{} slot(s) are not covered by any master, outside the slots being moved",
                uncovered.len()
            ));
        } else {
            out.blockers.push(format!(
                "{} of the slots being moved are not served: {} (their master is down or \
                 unreachable)",
                touched.len(),
                touched.abbreviated()
            ));
        }
    }

    for &i in &involved {
        let Some(node) = snapshot.nodes.get(i) else {
            continue;
        };
        if let Err(err) = &node.probe {
            out.blockers.push(format!(
                "{} ({}) takes part in the move but cannot be reached: {}",
                node.addr_text(),
                node.id(),
                err.message
            ));
        } else if node.seen.flags.failing() || node.current().flags.failing() {
            out.blockers.push(format!(
                "{} ({}) takes part in the move but is flagged {}",
                node.addr_text(),
                node.id(),
                node.flags_text()
            ));
        }
    }
    for (i, node) in snapshot.nodes.iter().enumerate() {
        if involved.contains(&i) {
            continue;
        }
        if !node.reachable() {
            out.warnings.push(format!(
                "{} ({}) cannot be reached; it will learn the new owners by gossip",
                node.addr_text(),
                node.id()
            ));
        } else if node.seen.flags.failing() {
            out.warnings.push(format!(
                "{} is flagged {}",
                node.addr_text(),
                node.flags_text()
            ));
        }
    }

    // Every reachable node must agree that each moving slot is served by its source; a
    // master that thinks otherwise is a conflict, a replica is only behind.
    let mut lagging_only = true;
    let mut disagreeing = Vec::new();
    for node in &snapshot.nodes {
        let Some(probe) = node.probe() else {
            continue;
        };
        let wrong = plan.moves.iter().find(|m| {
            let source_id = snapshot.nodes[m.from].id();
            !probe
                .view
                .iter()
                .any(|e| e.id == source_id && e.slots.contains(m.slot))
        });
        if let Some(m) = wrong {
            if !probe.myself.is_replica() {
                lagging_only = false;
            }
            disagreeing.push(format!(
                "{} does not see slot {} served by {} yet",
                node.addr_text(),
                m.slot,
                snapshot.nodes[m.from].addr_text()
            ));
        }
    }
    let other_blockers = !out.blockers.is_empty();
    out.transient = !disagreeing.is_empty() && !other_blockers && lagging_only;
    out.blockers.extend(disagreeing);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::plan::moves::SlotMove;
    use crate::cluster::snapshot::fixtures;
    use crate::cluster::verdict::check::check;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

    fn layout(extra_a: &str) -> String {
        format!(
            "{A} 127.0.0.1:7000@17000 master - 0 0 1 connected 0-5460{extra_a}\n\
             {B} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922\n\
             {C} 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383\n"
        )
    }

    fn plan(slots: &[u16]) -> MovePlan {
        MovePlan::new(
            slots
                .iter()
                .map(|&slot| SlotMove {
                    slot,
                    from: 0,
                    to: 1,
                })
                .collect(),
        )
    }

    #[test]
    fn healthy_cluster_is_clear() {
        let snapshot = fixtures::snapshot(&fixtures::all_views(&layout("")));
        let report = check(&snapshot, None);
        let judged = preflight(&snapshot, &report, &plan(&[0, 1, 2]), &[]);
        assert!(judged.clear(), "{judged:?}");
        assert!(judged.warnings.is_empty());
    }

    #[test]
    fn open_slot_blocks_only_when_moved() {
        let global = layout(&format!(" [100->-{B}]"));
        let snapshot = fixtures::snapshot(&fixtures::all_views(&global));
        let report = check(&snapshot, None);
        let elsewhere = preflight(&snapshot, &report, &plan(&[0, 1]), &[]);
        assert!(elsewhere.clear(), "{elsewhere:?}");
        assert_eq!(elsewhere.warnings.len(), 1);
        let touched = preflight(&snapshot, &report, &plan(&[100]), &[]);
        assert!(!touched.clear());
        assert!(touched.blockers[0].contains("100"), "{touched:?}");
    }

    #[test]
    fn unreachable_participant_blocks() {
        let global = layout("");
        let mut views = fixtures::all_views(&global);
        views[1] = None;
        let snapshot = fixtures::snapshot(&views);
        let report = check(&snapshot, None);
        let judged = preflight(&snapshot, &report, &plan(&[0]), &[]);
        assert!(!judged.clear());
        assert!(
            judged.blockers[0].contains("cannot be reached"),
            "{judged:?}"
        );
        assert!(!judged.transient);
    }

    #[test]
    fn weighed_nodes_must_be_healthy_even_when_nothing_moves() {
        let global = layout("");
        let mut views = fixtures::all_views(&global);
        views[2] = None;
        let snapshot = fixtures::snapshot(&views);
        let report = check(&snapshot, None);
        let nothing = MovePlan::default();
        assert!(preflight(&snapshot, &report, &nothing, &[]).clear());
        let judged = preflight(&snapshot, &report, &nothing, &[0, 1, 2]);
        assert!(!judged.clear());
        assert!(judged.blockers[0].contains("127.0.0.1:7002"), "{judged:?}");
    }
}
