//! The fix planner: what to do about every broken slot, decided from a diagnosis (who claims
//! the slot, who has it open, who holds its keys) without any I/O. Deterministic: the same
//! diagnosis gives the same plan, which `--dry-run` prints and the executor applies.
//!
//! For each broken slot the plan names one final owner and the nodes whose keys move into it:
//! - an open slot whose owner migrates it to a reachable master that imports it, or that
//!   holds keys of it (clients were sent there): the move is finished (the target becomes
//!   the owner), as redis-cli does;
//! - any other open slot: closed back on its owner; keys that reached other nodes come back;
//! - a slot claimed by several masters: the claimant with the most keys keeps it;
//! - an uncovered slot: the master with the most keys of it takes it; with no keys anywhere,
//!   uncovered slots go to the masters with the fewest slots, in contiguous runs;
//! - keys of a slot on a master that does not own it: moved to the owner.
//!
//! - a slot open only on a replica (Valkey >= 8 replicates SETSLOT to replicas before the
//!   primary runs it, so a caller that dies mid-command leaves the replica ahead): its master
//!   is sent `SETSLOT STABLE`, which it replicates. Only where the master itself has the slot
//!   stable; otherwise the master's fix comes first and a later round sees what is left.
//!
//! A key found on a holder and on the owner with different values: where the owner served
//! the slot to clients meanwhile (an open slot closed on its owner, stray keys, a failed
//! master's slot that its replica took over), the owner's copy is kept and the holder's is
//! saved to a file and dropped ([`SlotFix::owner_copy_wins`]); elsewhere it stops the slot.
//!
//! Slots whose owner cannot be reached are left alone unless `fix_with_unreachable` is set
//! (then they count as uncovered: their keys on the unreachable master are lost).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::cluster::slots::{SLOT_COUNT, SlotSet};

/// A master as the fix planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FixNode {
    /// Node id.
    pub(crate) id: String,
    /// `host:port`.
    pub(crate) addr: String,
    /// Answered when the cluster was loaded: its keys are counted and it can be changed.
    pub(crate) usable: bool,
    /// Flagged `fail` by the cluster (a failure the majority agreed on, not just `fail?`).
    pub(crate) failed: bool,
    /// Slots it serves: its own view when it answered, else what the cluster believes.
    pub(crate) slots: SlotSet,
    /// `(slot, target index)` it migrates (its own view).
    pub(crate) migrating: Vec<(u16, Option<usize>)>,
    /// `(slot, source index)` it imports (its own view).
    pub(crate) importing: Vec<(u16, Option<usize>)>,
    /// Slots migrating or importing on a reachable replica of it (their own views).
    pub(crate) replica_open: SlotSet,
}

impl FixNode {
    /// True when the node itself migrates or imports `slot`.
    fn has_open(&self, slot: u16) -> bool {
        self.migrating
            .iter()
            .chain(&self.importing)
            .any(|(s, _)| *s == slot)
    }
}

/// Everything the planner needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Diagnosis {
    /// The masters (replicas take no part in a fix).
    pub(crate) nodes: Vec<FixNode>,
    /// Keys per (slot, node index) for the slots that may need fixing (missing: none, or
    /// unknown for a node that is not usable).
    pub(crate) keys: BTreeMap<(u16, usize), u64>,
}

/// Planner options.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FixOptions {
    /// Reassign the slots of unreachable masters.
    pub(crate) fix_with_unreachable: bool,
}

/// Why a slot is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Problem {
    /// Migrating or importing somewhere.
    Open,
    /// No usable master serves it.
    Uncovered,
    /// Several masters claim it.
    MultipleOwners,
    /// A master that does not own it holds keys of it.
    StrayKeys,
}

/// What to do about one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SlotFix {
    /// The slot.
    pub(crate) slot: u16,
    /// What is wrong.
    pub(crate) problem: Problem,
    /// The master that serves the slot afterwards.
    pub(crate) owner: usize,
    /// `Some(old owner)` when a migration to `owner` is finished: the old owner keeps
    /// serving (with ASK redirections) until its keys are gone.
    pub(crate) finish_from: Option<usize>,
    /// Other masters that claim the slot and must give it up (they keep their keys until
    /// those are moved).
    pub(crate) disown: Vec<usize>,
    /// Masters whose keys of the slot move to `owner`, with their key counts (the
    /// `finish_from` node included).
    pub(crate) holders: Vec<(usize, u64)>,
    /// The owner served the slot to clients while the holders' keys sat elsewhere, so where a
    /// key exists on both with different values the owner's copy is the live one: the
    /// holder's copy is saved to a file and dropped. Otherwise (a move being finished, an
    /// uncovered slot, several claimants) such a key stops the slot.
    pub(crate) owner_copy_wins: bool,
    /// Why this owner, in plain words.
    pub(crate) reason: String,
}

/// A slot the planner will not touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The slots.
    pub(crate) slots: SlotSet,
    /// The unreachable master that serves them (node index).
    pub(crate) master: usize,
    /// Why, and what to do instead.
    pub(crate) reason: String,
}

/// Slots open on a master's replicas only, cleared by `SETSLOT STABLE` on the master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplicaReset {
    /// The master (node index).
    pub(crate) master: usize,
    /// The slots.
    pub(crate) slots: SlotSet,
}

/// The plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FixPlan {
    /// Slot fixes, ascending by slot.
    pub(crate) fixes: Vec<SlotFix>,
    /// Replica-only slot states to clear, by master.
    pub(crate) replica_resets: Vec<ReplicaReset>,
    /// Slots left alone.
    pub(crate) refusals: Vec<Refusal>,
}

impl FixPlan {
    /// True when the plan changes something.
    pub(crate) fn has_work(&self) -> bool {
        !self.fixes.is_empty() || !self.replica_resets.is_empty()
    }
}

/// Plans the repair of `diagnosis`.
pub(crate) fn plan_fix(diagnosis: &Diagnosis, options: FixOptions) -> FixPlan {
    let nodes = &diagnosis.nodes;
    let keys_of = |slot: u16, node: usize| diagnosis.keys.get(&(slot, node)).copied().unwrap_or(0);
    let mut plan = FixPlan::default();
    let mut unreachable_slots: BTreeMap<usize, SlotSet> = BTreeMap::new();
    let mut empty_uncovered = SlotSet::new();

    for slot in 0..SLOT_COUNT {
        let claimants: Vec<usize> = (0..nodes.len())
            .filter(|&i| nodes[i].slots.contains(slot))
            .collect();
        let usable_claimants: Vec<usize> = claimants
            .iter()
            .copied()
            .filter(|&i| nodes[i].usable)
            .collect();
        let holders: Vec<(usize, u64)> = (0..nodes.len())
            .filter(|&i| nodes[i].usable)
            .map(|i| (i, keys_of(slot, i)))
            .filter(|&(_, n)| n > 0)
            .collect();
        let open = nodes.iter().any(|n| n.usable && n.has_open(slot));
        let stray = holders.iter().any(|(i, _)| !usable_claimants.contains(i));

        // A failed master's claim is stale once a reachable master claims the slot in its own
        // view: the failover happened (its replica took over), and a target that imported the
        // slot from it still names it. The slot is fixed with the new owner.
        let superseded = |i: usize| nodes[i].failed && !usable_claimants.is_empty();
        let unreachable_claimant = claimants
            .iter()
            .copied()
            .find(|&i| !nodes[i].usable && !superseded(i));
        let taken_over = claimants
            .iter()
            .copied()
            .find(|&i| !nodes[i].usable && superseded(i));
        if let Some(dead) = unreachable_claimant
            && !options.fix_with_unreachable
        {
            if usable_claimants.is_empty() || open || stray {
                unreachable_slots.entry(dead).or_default().insert(slot);
            }
            continue;
        }

        let problem = if usable_claimants.is_empty() {
            Problem::Uncovered
        } else if usable_claimants.len() > 1 {
            Problem::MultipleOwners
        } else if open {
            Problem::Open
        } else if stray {
            Problem::StrayKeys
        } else {
            continue;
        };

        if problem == Problem::Uncovered && holders.is_empty() {
            empty_uncovered.insert(slot);
            continue;
        }
        let mut fix = fix_slot(nodes, slot, problem, &usable_claimants, &holders);
        fix.owner_copy_wins = taken_over.is_some()
            || problem == Problem::StrayKeys
            || (problem == Problem::Open && fix.finish_from.is_none());
        if let Some(dead) = taken_over {
            fix.reason = format!(
                "{} failed and {} took over its slots; {}",
                nodes[dead].addr, nodes[fix.owner].addr, fix.reason
            );
        }
        plan.fixes.push(fix);
    }

    plan.fixes.extend(cover_empty(nodes, &empty_uncovered));
    plan.fixes.sort_by_key(|f| f.slot);
    let fixed: BTreeSet<u16> = plan.fixes.iter().map(|f| f.slot).collect();
    for (master, node) in nodes.iter().enumerate().filter(|(_, n)| n.usable) {
        let slots: SlotSet = node
            .replica_open
            .iter()
            .filter(|&s| !node.has_open(s) && !fixed.contains(&s))
            .collect();
        if !slots.is_empty() {
            plan.replica_resets.push(ReplicaReset { master, slots });
        }
    }
    for (dead, slots) in unreachable_slots {
        plan.refusals.push(Refusal {
            reason: format!(
                "their master {} ({}) cannot be reached or is failing. If it has a replica, \
                 a failover should promote it (the cluster does so by itself within \
                 cluster-node-timeout; `rcluster failover REPLICA_HOST:PORT --force` forces \
                 it). Reassigning them loses the keys on that master: only with \
                 --fix-with-unreachable-masters",
                nodes[dead].addr, nodes[dead].id
            ),
            slots,
            master: dead,
        });
    }
    plan
}

/// The fix of one slot that has an owner to keep or keys to follow.
fn fix_slot(
    nodes: &[FixNode],
    slot: u16,
    problem: Problem,
    claimants: &[usize],
    holders: &[(usize, u64)],
) -> SlotFix {
    let keys_on = |i: usize| holders.iter().find(|(h, _)| *h == i).map_or(0, |(_, n)| *n);
    let most_keys = |candidates: &[usize]| {
        candidates
            .iter()
            .copied()
            .max_by(|&a, &b| keys_on(a).cmp(&keys_on(b)).then(b.cmp(&a)))
    };
    let (owner, finish_from, reason) = match claimants {
        [] => {
            let all: Vec<usize> = holders.iter().map(|(i, _)| *i).collect();
            let owner = most_keys(&all).expect("an uncovered slot in a fix has holders");
            let reason = if all.len() == 1 {
                format!("uncovered; only {} holds keys of it", nodes[owner].addr)
            } else {
                format!(
                    "uncovered; {} holds the most keys of it ({})",
                    nodes[owner].addr,
                    keys_on(owner)
                )
            };
            (owner, None, reason)
        }
        [owner] => {
            let owner = *owner;
            let target = nodes[owner]
                .migrating
                .iter()
                .find(|(s, _)| *s == slot)
                .and_then(|(_, t)| *t);
            let importer = target
                .filter(|&t| nodes[t].usable && nodes[t].importing.iter().any(|(s, _)| *s == slot));
            // A target that stopped importing but holds keys of the slot: clients were sent
            // there, so the move is finished forward rather than brought back (bringing keys
            // back would let the owner serve the slot as a plain owner while some of its keys
            // are still elsewhere).
            let holding = target.filter(|&t| nodes[t].usable && keys_on(t) > 0);
            match (target, importer.or(holding)) {
                (_, Some(t)) if importer.is_some() => (
                    t,
                    Some(owner),
                    format!(
                        "{} was migrating it to {}, which imports it: finishing the move",
                        nodes[owner].addr, nodes[t].addr
                    ),
                ),
                (_, Some(t)) => (
                    t,
                    Some(owner),
                    format!(
                        "{} was migrating it to {}, which no longer imports it but holds {} of \
                         its keys: finishing the move",
                        nodes[owner].addr,
                        nodes[t].addr,
                        keys_on(t)
                    ),
                ),
                (Some(t), None) => (
                    owner,
                    None,
                    format!(
                        "{} was migrating it to {}, which {}: closing it back on {}",
                        nodes[owner].addr,
                        nodes[t].addr,
                        if nodes[t].usable {
                            "does not import it"
                        } else {
                            "cannot be reached"
                        },
                        nodes[owner].addr
                    ),
                ),
                (None, None) if problem == Problem::StrayKeys => (
                    owner,
                    None,
                    format!("served by {}; keys elsewhere move to it", nodes[owner].addr),
                ),
                (None, None) => (
                    owner,
                    None,
                    format!("served by {}: closing it there", nodes[owner].addr),
                ),
            }
        }
        several => {
            let owner = most_keys(several).expect("several claimants");
            (
                owner,
                None,
                format!(
                    "claimed by {} masters; {} holds the most keys of it ({}) and keeps it",
                    several.len(),
                    nodes[owner].addr,
                    keys_on(owner)
                ),
            )
        }
    };
    let disown: Vec<usize> = claimants
        .iter()
        .copied()
        .filter(|&c| c != owner && Some(c) != finish_from)
        .collect();
    let moving: Vec<(usize, u64)> = holders
        .iter()
        .copied()
        .filter(|(i, _)| *i != owner)
        .collect();
    SlotFix {
        slot,
        problem,
        owner,
        finish_from,
        disown,
        holders: moving,
        owner_copy_wins: false,
        reason,
    }
}

/// Uncovered slots without keys go to the usable masters with the fewest slots, one unit at
/// a time to the current minimum (ties: node order), then handed out as contiguous runs.
fn cover_empty(nodes: &[FixNode], slots: &SlotSet) -> Vec<SlotFix> {
    let usable: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].usable).collect();
    if slots.is_empty() || usable.is_empty() {
        return Vec::new();
    }
    let mut counts: Vec<usize> = usable.iter().map(|&i| nodes[i].slots.len()).collect();
    let mut quota = vec![0usize; usable.len()];
    for _ in 0..slots.len() {
        let (pos, _) = counts
            .iter()
            .enumerate()
            .min_by_key(|&(p, c)| (*c, p))
            .expect("at least one usable master");
        counts[pos] += 1;
        quota[pos] += 1;
    }
    let mut order: Vec<usize> = (0..usable.len()).filter(|&p| quota[p] > 0).collect();
    order.sort_by_key(|&p| (nodes[usable[p]].slots.len(), p));
    let mut slots = slots.iter();
    let mut fixes = Vec::new();
    for p in order {
        let owner = usable[p];
        for slot in slots.by_ref().take(quota[p]) {
            fixes.push(SlotFix {
                slot,
                problem: Problem::Uncovered,
                owner,
                finish_from: None,
                disown: Vec::new(),
                holders: Vec::new(),
                owner_copy_wins: false,
                reason: format!(
                    "uncovered and holds no key anywhere; {} has the fewest slots",
                    nodes[owner].addr
                ),
            });
        }
    }
    fixes
}

/// The slots of `fixes` grouped by identical decision text, for printing ranges instead of
/// one line per slot.
pub(crate) fn grouped(fixes: &[SlotFix]) -> Vec<(SlotSet, &SlotFix)> {
    // Fixes are alike when they share owner, finished move, reason and key holders.
    type Likeness = (usize, Option<usize>, String, Vec<usize>);
    let mut groups: BTreeMap<Likeness, (SlotSet, &SlotFix)> = BTreeMap::new();
    for fix in fixes {
        let holders: BTreeSet<usize> = fix.holders.iter().map(|(i, _)| *i).collect();
        let key = (
            fix.owner,
            fix.finish_from,
            fix.reason.clone(),
            holders.into_iter().collect(),
        );
        groups
            .entry(key)
            .or_insert_with(|| (SlotSet::new(), fix))
            .0
            .insert(fix.slot);
    }
    let mut out: Vec<(SlotSet, &SlotFix)> = groups.into_values().collect();
    out.sort_by_key(|(slots, _)| slots.iter().next());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::slots::SlotRange;

    fn master(id: &str, ranges: &[(u16, u16)]) -> FixNode {
        let mut slots = SlotSet::new();
        for &(start, end) in ranges {
            slots.insert_range(SlotRange { start, end });
        }
        FixNode {
            id: id.into(),
            addr: format!("127.0.0.1:{id}"),
            usable: true,
            failed: false,
            slots,
            migrating: Vec::new(),
            importing: Vec::new(),
            replica_open: SlotSet::new(),
        }
    }

    /// Three masters covering everything.
    fn healthy() -> Diagnosis {
        Diagnosis {
            nodes: vec![
                master("7000", &[(0, 5460)]),
                master("7001", &[(5461, 10922)]),
                master("7002", &[(10923, 16383)]),
            ],
            keys: BTreeMap::new(),
        }
    }

    fn plan(d: &Diagnosis) -> FixPlan {
        plan_fix(d, FixOptions::default())
    }

    #[test]
    fn healthy_cluster_needs_nothing() {
        let p = plan(&healthy());
        assert!(!p.has_work() && p.refusals.is_empty());
    }

    #[test]
    fn migration_to_an_importer_is_finished() {
        let mut d = healthy();
        d.nodes[0].migrating.push((100, Some(1)));
        d.nodes[1].importing.push((100, Some(0)));
        d.keys.insert((100, 0), 5);
        d.keys.insert((100, 1), 2);
        let p = plan(&d);
        assert_eq!(p.fixes.len(), 1);
        let f = &p.fixes[0];
        assert_eq!((f.slot, f.owner, f.finish_from), (100, 1, Some(0)));
        assert_eq!(f.holders, vec![(0, 5)]);
        assert!(f.disown.is_empty());
        assert!(f.reason.contains("finishing"), "{}", f.reason);
        assert!(
            !f.owner_copy_wins,
            "the old owner served the keys it still holds"
        );
    }

    /// The target stopped importing but holds keys of the slot (clients were sent there):
    /// the move is finished forward, as redis-cli does (it counts a node holding keys of the
    /// slot as importing it), instead of the owner serving the slot while keys are elsewhere.
    #[test]
    fn migration_to_a_target_holding_keys_is_finished_forward() {
        let mut d = healthy();
        d.nodes[0].migrating.push((100, Some(1)));
        d.keys.insert((100, 0), 5);
        d.keys.insert((100, 1), 2);
        let p = plan(&d);
        let f = &p.fixes[0];
        assert_eq!((f.owner, f.finish_from), (1, Some(0)));
        assert_eq!(f.holders, vec![(0, 5)]);
        assert!(f.disown.is_empty());
        assert!(f.reason.contains("no longer imports"), "{}", f.reason);
    }

    #[test]
    fn migration_without_importer_or_keys_there_is_closed_back() {
        let mut d = healthy();
        d.nodes[0].migrating.push((100, Some(1)));
        d.keys.insert((100, 0), 5);
        d.keys.insert((100, 2), 1);
        let p = plan(&d);
        let f = &p.fixes[0];
        assert_eq!((f.owner, f.finish_from), (0, None));
        assert_eq!(f.holders, vec![(2, 1)]);
        assert!(f.reason.contains("closing it back"), "{}", f.reason);
        assert!(f.owner_copy_wins, "the owner serves the slot again");
    }

    /// The source master died mid-move and its replica took over: the target still imports
    /// from the dead master, which the entry node still names as the owner of the slot. The
    /// promoted replica claims it in its own view: it owns the slot now; the target's keys of
    /// it move there.
    #[test]
    fn a_slot_of_a_failed_master_that_its_replica_took_over_is_fixed() {
        let mut d = healthy();
        let mut promoted = master("7003", &[(0, 5460)]);
        promoted.slots = d.nodes[0].slots.clone();
        d.nodes[0].usable = false;
        d.nodes[0].failed = true;
        d.nodes.push(promoted);
        d.nodes[1].importing.push((100, Some(0)));
        d.keys.insert((100, 1), 7);
        d.keys.insert((100, 3), 40);
        let p = plan(&d);
        assert!(p.refusals.is_empty(), "{:?}", p.refusals);
        let f = p
            .fixes
            .iter()
            .find(|f| f.slot == 100)
            .expect("slot 100 fixed");
        assert_eq!(f.owner, 3);
        assert_eq!(f.holders, vec![(1, 7)]);
        assert!(f.reason.contains("took over"), "{}", f.reason);
        assert!(
            f.owner_copy_wins,
            "the promoted replica served the slot since"
        );
        // Not flagged failed (only unreachable): still refused, as before.
        d.nodes[0].failed = false;
        assert!(!plan(&d).refusals.is_empty());
    }

    #[test]
    fn migration_to_an_unreachable_target_is_closed_back() {
        let mut d = healthy();
        d.nodes[0].migrating.push((100, Some(2)));
        d.nodes[2].usable = false;
        d.nodes[2].slots = SlotSet::new();
        let p = plan(&d);
        let f = p.fixes.iter().find(|f| f.slot == 100).unwrap();
        assert_eq!(f.owner, 0);
        assert!(f.reason.contains("cannot be reached"), "{}", f.reason);
    }

    #[test]
    fn importing_without_migrating_keeps_the_owner() {
        let mut d = healthy();
        d.nodes[2].importing.push((7, Some(0)));
        d.keys.insert((7, 2), 3);
        let p = plan(&d);
        let f = &p.fixes[0];
        assert_eq!((f.slot, f.owner, f.problem), (7, 0, Problem::Open));
        assert_eq!(f.holders, vec![(2, 3)]);
    }

    #[test]
    fn slots_open_only_on_replicas_are_reset_through_their_master() {
        let mut d = healthy();
        // Replicas of 7000 (importing 6000) and of 7001 (migrating 200 and 201); 7001 also
        // migrates 201 itself, so its own fix comes first.
        d.nodes[0].replica_open = [6000].into_iter().collect();
        d.nodes[1].replica_open = [200, 201].into_iter().collect();
        d.nodes[1].migrating.push((201, Some(0)));
        let p = plan(&d);
        assert!(p.has_work());
        assert_eq!(
            p.fixes.iter().map(|f| f.slot).collect::<Vec<_>>(),
            vec![201]
        );
        let resets: Vec<(usize, Vec<u16>)> = p
            .replica_resets
            .iter()
            .map(|r| (r.master, r.slots.iter().collect()))
            .collect();
        assert_eq!(resets, vec![(0, vec![6000]), (1, vec![200])]);
        // An unreachable master's replicas are left alone.
        d.nodes[0].usable = false;
        assert!(plan(&d).replica_resets.iter().all(|r| r.master != 0));
    }

    #[test]
    fn several_importers_close_on_the_owner() {
        let mut d = healthy();
        d.nodes[0].migrating.push((9, Some(1)));
        d.nodes[1].importing.push((9, Some(0)));
        d.nodes[2].importing.push((9, Some(0)));
        d.keys.insert((9, 2), 4);
        let p = plan(&d);
        let f = &p.fixes[0];
        // The real target imports: the move finishes there, and the other importer's keys
        // follow.
        assert_eq!((f.owner, f.finish_from), (1, Some(0)));
        let holders: Vec<usize> = f.holders.iter().map(|(i, _)| *i).collect();
        assert_eq!(holders, vec![2]);
    }

    #[test]
    fn stray_keys_move_to_the_owner() {
        let mut d = healthy();
        d.keys.insert((42, 1), 7);
        d.keys.insert((42, 0), 1);
        let p = plan(&d);
        let f = &p.fixes[0];
        assert_eq!((f.slot, f.owner, f.problem), (42, 0, Problem::StrayKeys));
        assert_eq!(f.holders, vec![(1, 7)]);
        assert!(f.owner_copy_wins, "clients were sent to the owner");
    }

    #[test]
    fn multiple_owners_keep_the_one_with_most_keys() {
        let mut d = healthy();
        d.nodes[1].slots.insert(5);
        d.keys.insert((5, 0), 1);
        d.keys.insert((5, 1), 9);
        let p = plan(&d);
        let f = &p.fixes[0];
        assert_eq!((f.owner, f.problem), (1, Problem::MultipleOwners));
        assert_eq!(f.disown, vec![0]);
        assert_eq!(f.holders, vec![(0, 1)]);
        assert!(!f.owner_copy_wins, "both claimants may have served writes");
    }

    #[test]
    fn uncovered_slots_follow_their_keys() {
        let mut d = healthy();
        d.nodes[0].slots.remove(10);
        d.nodes[0].slots.remove(11);
        d.keys.insert((10, 2), 3);
        d.keys.insert((11, 1), 2);
        d.keys.insert((11, 2), 5);
        let p = plan(&d);
        assert_eq!(p.fixes.len(), 2);
        assert_eq!((p.fixes[0].owner, p.fixes[0].holders.clone()), (2, vec![]));
        assert_eq!(
            (p.fixes[1].owner, p.fixes[1].holders.clone()),
            (2, vec![(1, 2)])
        );
    }

    #[test]
    fn empty_uncovered_slots_are_spread_to_the_fewest_in_runs() {
        let mut d = healthy();
        // Master 0 lost 0-999: it has the fewest and gets them back first, then the others
        // share what is left evenly.
        for s in 0..1000 {
            d.nodes[0].slots.remove(s);
        }
        let p = plan(&d);
        assert_eq!(p.fixes.len(), 1000);
        let mut counts: Vec<usize> = d.nodes.iter().map(|n| n.slots.len()).collect();
        for f in &p.fixes {
            counts[f.owner] += 1;
            assert!(f.holders.is_empty());
        }
        assert!(
            counts.iter().max().unwrap() - counts.iter().min().unwrap() <= 1,
            "{counts:?}"
        );
        // Deterministic and contiguous: one run per receiving master.
        assert_eq!(p, plan(&d));
        for (slots, _) in grouped(&p.fixes) {
            assert_eq!(slots.ranges().len(), 1);
        }
    }

    #[test]
    fn unreachable_masters_are_refused_unless_asked() {
        let mut d = healthy();
        d.nodes[2].usable = false;
        let p = plan(&d);
        assert!(p.fixes.is_empty());
        assert_eq!(p.refusals.len(), 1);
        assert_eq!(p.refusals[0].slots.len(), 5461);
        assert!(
            p.refusals[0]
                .reason
                .contains("--fix-with-unreachable-masters")
        );

        let p = plan_fix(
            &d,
            FixOptions {
                fix_with_unreachable: true,
            },
        );
        assert!(p.refusals.is_empty());
        assert_eq!(p.fixes.len(), 5461);
        let mut counts = [0usize; 3];
        for f in &p.fixes {
            counts[f.owner] += 1;
        }
        assert_eq!(counts[2], 0);
        assert_eq!(counts[0] + 5461, 8192);
        assert_eq!(counts[1] + 5462, 8192);
    }
}
