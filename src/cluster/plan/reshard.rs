//! The reshard planner: which slots move to the target, from which sources. Pure: a function
//! from the masters' slots and the request to a [`MovePlan`], unit-tested without servers.
//!
//! A count is split over the sources in proportion to their slot counts by exact integer
//! apportionment (largest remainder), so exactly N slots move (redis-cli's float quotas
//! sometimes move fewer). Each source gives its lowest-numbered slots, as redis-cli does.

use crate::cluster::plan::moves::{MovePlan, MovePlanError, PlanNode, SlotMove, resolve_master};
use crate::cluster::slots::{SLOT_COUNT, SlotRange, SlotSet};

/// Where the slots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Sources {
    /// Every master except the target.
    All,
    /// These node ids (or unique prefixes).
    Ids(Vec<String>),
}

/// How many slots move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Amount {
    /// This many slots, from the sources in proportion to their slot counts.
    Count(usize),
    /// Exactly these slots, from whichever master serves each.
    Slots(SlotSet),
}

/// What the operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReshardRequest {
    /// The receiving master: node id or unique prefix.
    pub(crate) to: String,
    /// The sources.
    pub(crate) from: Sources,
    /// The amount.
    pub(crate) amount: Amount,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReshardPlan {
    /// The moves.
    pub(crate) plan: MovePlan,
    /// Node indices of the sources that give slots, in the order given (or node order).
    pub(crate) sources: Vec<usize>,
    /// Node index of the target.
    pub(crate) target: usize,
    /// Named slots the target already serves (nothing to do for them).
    pub(crate) already_there: SlotSet,
}

/// Parses `0-99,500,1000-1001` into a slot set.
pub(crate) fn parse_slot_ranges(text: &str) -> Result<SlotSet, String> {
    let mut set = SlotSet::new();
    for part in text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err("empty range in the list".into());
        }
        let (start, end) = match part.split_once('-') {
            Some((a, b)) => (parse_slot(a)?, parse_slot(b)?),
            None => {
                let slot = parse_slot(part)?;
                (slot, slot)
            }
        };
        if start > end {
            return Err(format!("range {part} ends before it starts"));
        }
        set.insert_range(SlotRange { start, end });
    }
    Ok(set)
}

fn parse_slot(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u16>() {
        Ok(slot) if slot < SLOT_COUNT => Ok(slot),
        _ => Err(format!("{:?} is not a slot (0 to 16383)", text.trim())),
    }
}

/// Plans a reshard of `request` over `nodes` (every node of the cluster, replicas included).
pub(crate) fn plan_reshard(
    nodes: &[PlanNode],
    request: &ReshardRequest,
) -> Result<ReshardPlan, MovePlanError> {
    let target = resolve_master(nodes, &request.to)
        .map_err(|e| MovePlanError(format!("receiving node (--to): {e}")))?;
    let sources = resolve_sources(nodes, &request.from, target)?;
    match &request.amount {
        Amount::Count(count) => plan_count(nodes, target, &sources, *count),
        Amount::Slots(named) => plan_named(nodes, target, &sources, named, &request.from),
    }
}

/// The source node indices; the target may not be one of them.
fn resolve_sources(
    nodes: &[PlanNode],
    from: &Sources,
    target: usize,
) -> Result<Vec<usize>, MovePlanError> {
    let sources: Vec<usize> = match from {
        Sources::All => (0..nodes.len())
            .filter(|&i| nodes[i].is_master && i != target)
            .collect(),
        Sources::Ids(ids) => {
            let mut sources = Vec::new();
            for id in ids {
                let i = resolve_master(nodes, id)
                    .map_err(|e| MovePlanError(format!("source node (--from): {e}")))?;
                if i == target {
                    return Err(MovePlanError(format!(
                        "the receiving node {} ({}) is also in the source list; a node cannot \
                         give slots to itself",
                        nodes[i].addr, nodes[i].id
                    )));
                }
                if !sources.contains(&i) {
                    sources.push(i);
                }
            }
            sources
        }
    };
    if sources.is_empty() {
        return Err(MovePlanError(
            "no source node: the cluster has no other master than the target".into(),
        ));
    }
    Ok(sources)
}

/// `count` slots split over `sources` by largest remainder on their slot counts.
fn plan_count(
    nodes: &[PlanNode],
    target: usize,
    sources: &[usize],
    count: usize,
) -> Result<ReshardPlan, MovePlanError> {
    let held: Vec<usize> = sources.iter().map(|&i| nodes[i].slots.len()).collect();
    let total: usize = held.iter().sum();
    if count == 0 || count > usize::from(SLOT_COUNT) {
        return Err(MovePlanError(format!(
            "cannot move {count} slots: give a number from 1 to 16384"
        )));
    }
    if count > total {
        return Err(MovePlanError(format!(
            "cannot move {count} slots: the source node(s) serve only {total}"
        )));
    }
    let quotas = apportion(count, &held);
    let mut moves = Vec::with_capacity(count);
    let mut giving = Vec::new();
    for ((&source, quota), _) in sources.iter().zip(quotas).zip(&held) {
        if quota == 0 {
            continue;
        }
        giving.push(source);
        moves.extend(nodes[source].slots.iter().take(quota).map(|slot| SlotMove {
            slot,
            from: source,
            to: target,
        }));
    }
    Ok(ReshardPlan {
        plan: MovePlan::new(moves),
        sources: giving,
        target,
        already_there: SlotSet::new(),
    })
}

/// Exactly the named slots, each from the master that serves it.
fn plan_named(
    nodes: &[PlanNode],
    target: usize,
    sources: &[usize],
    named: &SlotSet,
    from: &Sources,
) -> Result<ReshardPlan, MovePlanError> {
    if named.is_empty() {
        return Err(MovePlanError("--slot-range names no slot".into()));
    }
    let already_there = named.intersection(&nodes[target].slots);
    let mut moves = Vec::new();
    let mut giving = Vec::new();
    let mut unserved = SlotSet::new();
    let mut foreign = SlotSet::new();
    for slot in named.difference(&already_there).iter() {
        let owner = (0..nodes.len()).find(|&i| nodes[i].is_master && nodes[i].slots.contains(slot));
        match owner {
            None => unserved.insert(slot),
            Some(owner) if !sources.contains(&owner) => foreign.insert(slot),
            Some(owner) => {
                if !giving.contains(&owner) {
                    giving.push(owner);
                }
                moves.push(SlotMove {
                    slot,
                    from: owner,
                    to: target,
                });
            }
        }
    }
    if !unserved.is_empty() {
        return Err(MovePlanError(format!(
            "slot(s) {} are not served by any master: nothing to move them from \
             (`rcluster fix` assigns uncovered slots)",
            unserved.abbreviated()
        )));
    }
    if !foreign.is_empty() && matches!(from, Sources::Ids(_)) {
        return Err(MovePlanError(format!(
            "slot(s) {} are served by a master that is not in --from; add it, or leave \
             --from out to take each slot from whichever master serves it",
            foreign.abbreviated()
        )));
    }
    giving.sort_unstable();
    Ok(ReshardPlan {
        plan: MovePlan::new(moves),
        sources: giving,
        target,
        already_there,
    })
}

/// Splits `total` into integer parts proportional to `weights` that add up to exactly
/// `total` (largest remainder; ties go to the larger weight, then to the earlier entry).
/// Requires `total <= sum(weights)` so that no part exceeds its weight.
fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<usize> = weights.iter().map(|&w| total * w / sum).collect();
    let mut left = total - parts.iter().sum::<usize>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Remainder of total*w/sum, compared exactly as integers.
    order.sort_by(|&a, &b| {
        let ra = total * weights[a] % sum;
        let rb = total * weights[b] % sum;
        rb.cmp(&ra)
            .then(weights[b].cmp(&weights[a]))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        if parts[i] < weights[i] {
            parts[i] += 1;
            left -= 1;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::plan::moves::fixtures::{master, replica};

    /// Three masters with redis-cli's split, a replica, and an empty master.
    fn cluster() -> Vec<PlanNode> {
        vec![
            master("aaaa", &[(0, 5460)]),
            master("bbbb", &[(5461, 10922)]),
            master("cccc", &[(10923, 16383)]),
            replica("dddd"),
            master("eeee", &[]),
        ]
    }

    fn request(to: &str, from: Sources, amount: Amount) -> ReshardRequest {
        ReshardRequest {
            to: to.into(),
            from,
            amount,
        }
    }

    fn counts(plan: &ReshardPlan, nodes: usize) -> Vec<usize> {
        let mut counts = vec![0; nodes];
        for m in &plan.plan.moves {
            counts[m.from] += 1;
        }
        counts
    }

    #[test]
    fn moves_exactly_n_from_all() {
        let nodes = cluster();
        for n in [1, 2, 10, 11, 1000, 4096, 16384 - 1] {
            let planned =
                plan_reshard(&nodes, &request("eeee", Sources::All, Amount::Count(n))).unwrap();
            assert_eq!(planned.plan.len(), n, "asked {n}");
            assert!(planned.plan.moves.iter().all(|m| m.to == 4));
        }
        // redis-cli moves 10 when asked for 11 from three equal sources; we move 11.
        let planned =
            plan_reshard(&nodes, &request("eeee", Sources::All, Amount::Count(11))).unwrap();
        let c = counts(&planned, 5);
        assert_eq!(c[0] + c[1] + c[2], 11);
        assert!(c[..3].iter().all(|&x| (3..=4).contains(&x)), "{c:?}");
    }

    #[test]
    fn sources_give_their_lowest_slots_in_proportion() {
        let nodes = vec![
            master("aaaa", &[(0, 9999)]),
            master("bbbb", &[(10000, 14999)]),
            master("cccc", &[(15000, 16383)]),
        ];
        let planned = plan_reshard(
            &nodes,
            &request(
                "cccc",
                Sources::Ids(vec!["aaaa".into(), "bbbb".into()]),
                Amount::Count(300),
            ),
        )
        .unwrap();
        let c = counts(&planned, 3);
        assert_eq!(c, vec![200, 100, 0]);
        let from_a: Vec<u16> = planned
            .plan
            .moves
            .iter()
            .filter(|m| m.from == 0)
            .map(|m| m.slot)
            .collect();
        assert_eq!(from_a, (0..200).collect::<Vec<_>>());
        assert_eq!(planned.sources, vec![0, 1]);
        assert_eq!(planned.target, 2);
    }

    #[test]
    fn every_source_slot_can_move() {
        let nodes = cluster();
        let all = plan_reshard(
            &nodes,
            &request(
                "aaaa",
                Sources::Ids(vec!["bbbb".into()]),
                Amount::Count(5462),
            ),
        )
        .unwrap();
        assert_eq!(all.plan.len(), 5462);
        let too_many = plan_reshard(
            &nodes,
            &request(
                "aaaa",
                Sources::Ids(vec!["bbbb".into()]),
                Amount::Count(5463),
            ),
        );
        assert!(too_many.unwrap_err().0.contains("serve only 5462"));
    }

    #[test]
    fn bad_requests_are_refused() {
        let nodes = cluster();
        let err = |r: ReshardRequest| plan_reshard(&nodes, &r).unwrap_err().0;
        assert!(err(request("dddd", Sources::All, Amount::Count(1))).contains("replica"));
        assert!(err(request("zzzz", Sources::All, Amount::Count(1))).contains("no node"));
        assert!(err(request("aaaa", Sources::All, Amount::Count(0))).contains("1 to 16384"));
        assert!(err(request("aaaa", Sources::All, Amount::Count(20000))).contains("1 to 16384"));
        assert!(
            err(request(
                "aaaa",
                Sources::Ids(vec!["aaaa".into()]),
                Amount::Count(1)
            ))
            .contains("also in the source list")
        );
        assert!(
            err(request(
                "aaaa",
                Sources::Ids(vec!["dddd".into()]),
                Amount::Count(1)
            ))
            .contains("replica")
        );
        let lone = vec![master("aaaa", &[(0, 16383)])];
        assert!(
            plan_reshard(&lone, &request("aaaa", Sources::All, Amount::Count(1)))
                .unwrap_err()
                .0
                .contains("no other master")
        );
    }

    #[test]
    fn named_slots_come_from_their_owners() {
        let nodes = cluster();
        let named = parse_slot_ranges("0-9,5461,10923-10924,16383").unwrap();
        let planned =
            plan_reshard(&nodes, &request("eeee", Sources::All, Amount::Slots(named))).unwrap();
        assert_eq!(planned.plan.len(), 14);
        assert_eq!(planned.sources, vec![0, 1, 2]);
        let pairs = planned.plan.pairs();
        assert_eq!(pairs[0].slots.len(), 10);
        assert_eq!(pairs[2].slots.len(), 3);
    }

    #[test]
    fn named_slots_on_the_target_are_skipped() {
        let nodes = cluster();
        let named = parse_slot_ranges("5460-5462").unwrap();
        let planned =
            plan_reshard(&nodes, &request("bbbb", Sources::All, Amount::Slots(named))).unwrap();
        assert_eq!(planned.plan.len(), 1);
        assert_eq!(planned.already_there.len(), 2);
    }

    #[test]
    fn named_slots_must_be_served_and_by_the_given_sources() {
        let mut nodes = cluster();
        nodes[0].slots.remove(7);
        let err = plan_reshard(
            &nodes,
            &request(
                "eeee",
                Sources::All,
                Amount::Slots(parse_slot_ranges("5-8").unwrap()),
            ),
        )
        .unwrap_err();
        assert!(err.0.contains("not served"), "{err}");
        let err = plan_reshard(
            &nodes,
            &request(
                "eeee",
                Sources::Ids(vec!["bbbb".into()]),
                Amount::Slots(parse_slot_ranges("0-1").unwrap()),
            ),
        )
        .unwrap_err();
        assert!(err.0.contains("not in --from"), "{err}");
    }

    #[test]
    fn slot_ranges_parse() {
        let set = parse_slot_ranges("0-99, 500,16383").unwrap();
        assert_eq!(set.len(), 102);
        assert!(parse_slot_ranges("").is_err());
        assert!(parse_slot_ranges("5-3").is_err());
        assert!(parse_slot_ranges("16384").is_err());
        assert!(parse_slot_ranges("1,,2").is_err());
        assert!(parse_slot_ranges("a-b").is_err());
    }

    #[test]
    fn apportion_is_exact() {
        assert_eq!(apportion(11, &[5461, 5462, 5461]), vec![4, 4, 3]);
        assert_eq!(apportion(0, &[3, 4]), vec![0, 0]);
        assert_eq!(apportion(7, &[7, 0]), vec![7, 0]);
        assert_eq!(apportion(5, &[1, 1, 1, 1, 1, 1]).iter().sum::<usize>(), 5);
        for total in 0..=30 {
            let weights = [10, 3, 17, 0, 1];
            let parts = apportion(total, &weights);
            assert_eq!(parts.iter().sum::<usize>(), total);
            assert!(parts.iter().zip(&weights).all(|(p, w)| p <= w));
        }
    }
}
