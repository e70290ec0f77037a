//! The rebalance planner: each master's share of the slots by weight, and the fewest moves
//! that reach it. Pure: a function from the masters' slots and the request to a [`MovePlan`],
//! unit-tested without servers.
//!
//! Shares are an exact integer apportionment of the served slots (largest remainder, so no
//! slot is left over and weight 0 empties a master). Only masters above their share give,
//! only masters below it receive, so every slot moves at most once; each giver hands out its
//! lowest-numbered slots in one run per receiver, which keeps ranges contiguous.

use crate::cluster::plan::moves::{MovePlan, MovePlanError, PlanNode, SlotMove, resolve_node};

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RebalanceRequest {
    /// `(id or unique prefix, weight)`; masters not named weigh 1.
    pub(crate) weights: Vec<(String, f64)>,
    /// Let masters with no slot take part (and receive).
    pub(crate) use_empty_masters: bool,
    /// Percent a master may be off its share before anything moves; 0 balances exactly.
    pub(crate) threshold: f64,
}

/// One master taking part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Share {
    /// Node index.
    pub(crate) node: usize,
    /// Its weight.
    pub(crate) weight: f64,
    /// Slots it serves now.
    pub(crate) slots: usize,
    /// Slots it serves after the rebalance.
    pub(crate) expected: usize,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RebalancePlan {
    /// The moves (empty when not needed).
    pub(crate) plan: MovePlan,
    /// True when some master is beyond the threshold.
    pub(crate) needed: bool,
    /// Sum of the weights of the masters taking part.
    pub(crate) total_weight: f64,
    /// The masters taking part, in node order.
    pub(crate) shares: Vec<Share>,
    /// Things worth saying about the request (e.g. a weight given to an empty master that
    /// does not take part).
    pub(crate) notes: Vec<String>,
}

/// Parses `ID=W` (W a finite number of 0 or more).
pub(crate) fn parse_weight(text: &str) -> Result<(String, f64), String> {
    let Some((id, weight)) = text.split_once('=') else {
        return Err("expected ID=WEIGHT".into());
    };
    let id = id.trim();
    if id.is_empty() {
        return Err("the node id before '=' is empty".into());
    }
    match weight.trim().parse::<f64>() {
        Ok(w) if w.is_finite() && w >= 0.0 => Ok((id.to_string(), w)),
        _ => Err(format!(
            "{:?} is not a weight (a number of 0 or more)",
            weight.trim()
        )),
    }
}

/// A master taking part in a rebalance.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Participant {
    /// Node index.
    pub(crate) node: usize,
    /// Its weight (1 unless `--weight` names it).
    pub(crate) weight: f64,
}

/// The masters taking part in a rebalance, and what is worth saying about the weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Participants {
    /// In node order.
    pub(crate) masters: Vec<Participant>,
    /// E.g. a weight given to a replica, or to an empty master that does not take part.
    pub(crate) notes: Vec<String>,
}

/// The masters of `nodes` that take part in `request`: every master with slots, and the
/// slotless ones too with `--use-empty-masters`; masters not named weigh 1. Refuses an
/// unknown or twice-named node, a cluster without slots and weights that are all 0. Shared
/// by the slot-count and the load-aware planners.
pub(crate) fn participants(
    nodes: &[PlanNode],
    request: &RebalanceRequest,
) -> Result<Participants, MovePlanError> {
    let mut weights: Vec<Option<f64>> = vec![None; nodes.len()];
    let mut notes = Vec::new();
    for (id, weight) in &request.weights {
        let i =
            resolve_node(nodes, id).map_err(|e| MovePlanError(format!("--weight {id}: {e}")))?;
        if !nodes[i].is_master {
            // A master that has since become a replica: redis-cli ignores its weight too.
            notes.push(format!(
                "--weight {id}: {} ({}) is a replica now; its weight is ignored",
                nodes[i].addr, nodes[i].id
            ));
            continue;
        }
        if weights[i].is_some() {
            return Err(MovePlanError(format!(
                "--weight names {} ({}) twice",
                nodes[i].addr, nodes[i].id
            )));
        }
        weights[i] = Some(*weight);
    }
    let mut masters = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if !node.is_master {
            continue;
        }
        if node.slots.is_empty() && !request.use_empty_masters {
            if weights[i].is_some_and(|w| w > 0.0) {
                notes.push(format!(
                    "{} ({}) has no slots and takes part only with --use-empty-masters",
                    node.addr, node.id
                ));
            }
            continue;
        }
        masters.push(Participant {
            node: i,
            weight: weights[i].unwrap_or(1.0),
        });
    }
    if masters.iter().all(|m| nodes[m.node].slots.is_empty()) {
        return Err(MovePlanError(
            "no master serves any slot: nothing to rebalance".into(),
        ));
    }
    if masters.iter().map(|m| m.weight).sum::<f64>() <= 0.0 {
        return Err(MovePlanError(
            "every master taking part has weight 0: at least one must keep the slots".into(),
        ));
    }
    Ok(Participants { masters, notes })
}

/// Plans a rebalance of `request` over `nodes` (every node of the cluster).
pub(crate) fn plan_rebalance(
    nodes: &[PlanNode],
    request: &RebalanceRequest,
) -> Result<RebalancePlan, MovePlanError> {
    let Participants { masters, notes } = participants(nodes, request)?;
    let mut shares: Vec<Share> = masters
        .iter()
        .map(|m| Share {
            node: m.node,
            weight: m.weight,
            slots: nodes[m.node].slots.len(),
            expected: 0,
        })
        .collect();
    let total_weight: f64 = shares.iter().map(|s| s.weight).sum();
    let total_slots: usize = shares.iter().map(|s| s.slots).sum();
    let expected = apportion_by_weight(total_slots, &shares);
    for (share, expected) in shares.iter_mut().zip(expected) {
        share.expected = expected;
    }
    let needed = shares
        .iter()
        .any(|s| beyond_threshold(s.slots, s.expected, request.threshold));
    let plan = if needed {
        moves_for(nodes, &shares)
    } else {
        MovePlan::default()
    };
    Ok(RebalancePlan {
        plan,
        needed,
        total_weight,
        shares,
        notes,
    })
}

/// redis-cli's test: more than `threshold` percent away from the share; an empty master is
/// beyond it when it should get slots. A threshold of 0 means any difference.
fn beyond_threshold(slots: usize, expected: usize, threshold: f64) -> bool {
    if slots == expected {
        return false;
    }
    if threshold <= 0.0 || slots == 0 {
        return true;
    }
    (100.0 - 100.0 * expected as f64 / slots as f64).abs() > threshold
}

/// `total` slots split by weight into integers that add up to `total` exactly. Ties of the
/// remainder go to the master that holds more slots now (fewer moves), then to node order.
fn apportion_by_weight(total: usize, shares: &[Share]) -> Vec<usize> {
    let weight: f64 = shares.iter().map(|s| s.weight).sum();
    let quotas: Vec<f64> = shares
        .iter()
        .map(|s| total as f64 * s.weight / weight)
        .collect();
    let mut parts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    let remainder = |i: usize| quotas[i] - quotas[i].floor();
    order.sort_by(|&a, &b| {
        remainder(b)
            .total_cmp(&remainder(a))
            .then(shares[b].slots.cmp(&shares[a].slots))
            .then(a.cmp(&b))
    });
    let mut sum: usize = parts.iter().sum();
    // Float rounding can leave the floors a little above or below the total: settle it.
    for &i in order.iter().cycle().take(order.len() * 2) {
        if sum >= total {
            break;
        }
        if shares[i].weight > 0.0 {
            parts[i] += 1;
            sum += 1;
        }
    }
    for &i in order.iter().rev() {
        if sum <= total {
            break;
        }
        if parts[i] > 0 {
            parts[i] -= 1;
            sum -= 1;
        }
    }
    parts
}

/// Givers (above their share) hand their lowest-numbered surplus slots to receivers (below
/// it), largest surplus to largest deficit first, each pair getting one run of slots.
fn moves_for(nodes: &[PlanNode], shares: &[Share]) -> MovePlan {
    let mut givers: Vec<(usize, usize)> = shares
        .iter()
        .filter(|s| s.slots > s.expected)
        .map(|s| (s.node, s.slots - s.expected))
        .collect();
    let mut takers: Vec<(usize, usize)> = shares
        .iter()
        .filter(|s| s.slots < s.expected)
        .map(|s| (s.node, s.expected - s.slots))
        .collect();
    givers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    takers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut moves = Vec::new();
    let mut takers = takers.into_iter().peekable();
    for (giver, surplus) in givers {
        let mut slots = nodes[giver].slots.iter();
        let mut left = surplus;
        while left > 0 {
            let Some((taker, deficit)) = takers.peek_mut() else {
                break;
            };
            let n = left.min(*deficit);
            moves.extend(slots.by_ref().take(n).map(|slot| SlotMove {
                slot,
                from: giver,
                to: *taker,
            }));
            left -= n;
            *deficit -= n;
            if *deficit == 0 {
                takers.next();
            }
        }
    }
    MovePlan::new(moves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::plan::moves::fixtures::master;

    fn request(weights: &[(&str, f64)], empty: bool, threshold: f64) -> RebalanceRequest {
        RebalanceRequest {
            weights: weights.iter().map(|(i, w)| (i.to_string(), *w)).collect(),
            use_empty_masters: empty,
            threshold,
        }
    }

    fn three_plus_empty() -> Vec<PlanNode> {
        vec![
            master("aaaa", &[(0, 5460)]),
            master("bbbb", &[(5461, 10922)]),
            master("cccc", &[(10923, 16383)]),
            master("eeee", &[]),
        ]
    }

    /// Slot counts after applying `plan`.
    fn after(nodes: &[PlanNode], plan: &MovePlan) -> Vec<usize> {
        let mut counts: Vec<usize> = nodes.iter().map(|n| n.slots.len()).collect();
        for m in &plan.moves {
            assert!(
                nodes[m.from].slots.contains(m.slot),
                "slot {} not on its source",
                m.slot
            );
            counts[m.from] -= 1;
            counts[m.to] += 1;
        }
        counts
    }

    #[test]
    fn empty_master_needs_the_flag() {
        let nodes = three_plus_empty();
        let planned = plan_rebalance(&nodes, &request(&[], false, 2.0)).unwrap();
        assert!(!planned.needed);
        assert!(planned.plan.is_empty());
        assert_eq!(planned.shares.len(), 3);

        let planned = plan_rebalance(&nodes, &request(&[], true, 2.0)).unwrap();
        assert!(planned.needed);
        assert_eq!(after(&nodes, &planned.plan), vec![4096, 4096, 4096, 4096]);
        // Each slot moves once; each giver hands one run to the taker.
        assert_eq!(planned.plan.len(), 1365 + 1366 + 1365);
        for pair in planned.plan.pairs() {
            assert_eq!(pair.slots.ranges().len(), 1);
        }
    }

    #[test]
    fn weight_given_to_an_ignored_empty_master_is_noted() {
        let planned =
            plan_rebalance(&three_plus_empty(), &request(&[("eeee", 2.0)], false, 2.0)).unwrap();
        assert_eq!(planned.notes.len(), 1);
    }

    #[test]
    fn weight_of_a_node_that_became_a_replica_is_ignored() {
        let mut nodes = three_plus_empty();
        nodes.push(crate::cluster::plan::moves::fixtures::replica("ffff"));
        let planned = plan_rebalance(&nodes, &request(&[("ffff", 0.01)], false, 2.0)).unwrap();
        assert_eq!(planned.notes.len(), 1, "{:?}", planned.notes);
        assert!(planned.notes[0].contains("is a replica now"));
        assert!(plan_rebalance(&nodes, &request(&[("zzzz", 1.0)], false, 2.0)).is_err());
    }

    #[test]
    fn weight_zero_drains_completely() {
        let nodes = vec![
            master("aaaa", &[(0, 4095)]),
            master("bbbb", &[(4096, 8191)]),
            master("cccc", &[(8192, 12287)]),
            master("dddd", &[(12288, 16383)]),
        ];
        let planned = plan_rebalance(&nodes, &request(&[("dd", 0.0)], false, 2.0)).unwrap();
        let counts = after(&nodes, &planned.plan);
        assert_eq!(counts[3], 0);
        assert_eq!(counts.iter().sum::<usize>(), 16384);
        assert!(
            counts[..3].iter().all(|&c| c == 5461 || c == 5462),
            "{counts:?}"
        );
        assert_eq!(planned.plan.len(), 4096);
    }

    #[test]
    fn weights_split_exactly() {
        let nodes = vec![
            master("aaaa", &[(0, 5460)]),
            master("bbbb", &[(5461, 10922)]),
            master("cccc", &[(10923, 16383)]),
        ];
        // redis-cli: a=2 b=0.5 c=1 -> 9362/2340/4681, one slot short; ours adds up.
        let planned = plan_rebalance(
            &nodes,
            &request(&[("aaaa", 2.0), ("bbbb", 0.5)], false, 2.0),
        )
        .unwrap();
        let expected: Vec<usize> = planned.shares.iter().map(|s| s.expected).collect();
        assert_eq!(expected.iter().sum::<usize>(), 16384);
        assert_eq!(expected, vec![9362, 2341, 4681]);
        assert_eq!(after(&nodes, &planned.plan), expected);
        assert_eq!(planned.total_weight, 3.5);
    }

    #[test]
    fn threshold_semantics() {
        // redis-cli's worked example: 5964/4962/5458.
        let nodes = vec![
            master("aaaa", &[(0, 5963)]),
            master("bbbb", &[(5964, 10925)]),
            master("cccc", &[(10926, 16383)]),
        ];
        let planned = plan_rebalance(&nodes, &request(&[], false, 2.0)).unwrap();
        assert!(planned.needed);
        let counts = after(&nodes, &planned.plan);
        assert_eq!(counts.iter().sum::<usize>(), 16384);
        assert!(counts.iter().all(|&c| c == 5461 || c == 5462), "{counts:?}");
        assert_eq!(planned.plan.len(), 5964 - counts[0]);

        let lenient = plan_rebalance(&nodes, &request(&[], false, 20.0)).unwrap();
        assert!(!lenient.needed && lenient.plan.is_empty());

        // 5461/5462/5461 is balanced for any threshold, 0 included (redis-cli: 0 = never).
        let even = vec![
            master("aaaa", &[(0, 5460)]),
            master("bbbb", &[(5461, 10922)]),
            master("cccc", &[(10923, 16383)]),
        ];
        assert!(
            !plan_rebalance(&even, &request(&[], false, 0.0))
                .unwrap()
                .needed
        );
        let slightly_off = vec![
            master("aaaa", &[(0, 5459)]),
            master("bbbb", &[(5460, 10922)]),
            master("cccc", &[(10923, 16383)]),
        ];
        let exact = plan_rebalance(&slightly_off, &request(&[], false, 0.0)).unwrap();
        assert!(exact.needed);
        assert_eq!(exact.plan.len(), 1);
        assert!(
            !plan_rebalance(&slightly_off, &request(&[], false, 2.0))
                .unwrap()
                .needed
        );
    }

    #[test]
    fn fragmented_masters_move_each_slot_once() {
        let nodes = vec![
            master("aaaa", &[(0, 999), (5000, 9999), (12000, 12999)]),
            master("bbbb", &[(1000, 4999)]),
            master("cccc", &[(10000, 11999), (13000, 16383)]),
            master("dddd", &[]),
        ];
        let planned = plan_rebalance(&nodes, &request(&[("cccc", 3.0)], true, 0.0)).unwrap();
        let counts = after(&nodes, &planned.plan);
        let expected: Vec<usize> = planned.shares.iter().map(|s| s.expected).collect();
        assert_eq!(counts, expected);
        let surplus: usize = planned
            .shares
            .iter()
            .map(|s| s.slots.saturating_sub(s.expected))
            .sum();
        assert_eq!(planned.plan.len(), surplus, "only surplus slots move");
    }

    #[test]
    fn bad_weights_are_refused() {
        let nodes = three_plus_empty();
        let err = |w: &[(&str, f64)]| {
            plan_rebalance(&nodes, &request(w, false, 2.0))
                .unwrap_err()
                .0
        };
        assert!(err(&[("zz", 1.0)]).contains("no node"));
        assert!(err(&[("aaaa", 0.0), ("bbbb", 0.0), ("cccc", 0.0)]).contains("weight 0"));
        assert!(err(&[("aaaa", 1.0), ("aa", 2.0)]).contains("twice"));
        assert_eq!(parse_weight("ab=2.5"), Ok(("ab".into(), 2.5)));
        assert!(parse_weight("ab").is_err());
        assert!(parse_weight("=1").is_err());
        assert!(parse_weight("ab=-1").is_err());
        assert!(parse_weight("ab=x").is_err());
        assert!(parse_weight("ab=inf").is_err());
    }

    #[test]
    fn apportionment_adds_up_for_awkward_weights() {
        for weights in [
            [1.0, 1.0, 1.0],
            [0.1, 0.2, 0.3],
            [1e-9, 1.0, 1e9],
            [3.0, 0.0, 7.0],
        ] {
            let shares: Vec<Share> = weights
                .iter()
                .enumerate()
                .map(|(node, &weight)| Share {
                    node,
                    weight,
                    slots: 100,
                    expected: 0,
                })
                .collect();
            for total in [1, 7, 300, 16384] {
                let parts = apportion_by_weight(total, &shares);
                assert_eq!(parts.iter().sum::<usize>(), total, "{weights:?} {total}");
                for (p, s) in parts.iter().zip(&shares) {
                    if s.weight == 0.0 {
                        assert_eq!(*p, 0);
                    }
                }
            }
        }
    }
}
