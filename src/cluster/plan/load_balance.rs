//! The load-aware rebalance planner (`rebalance --by keys|memory|cpu|net`): each master's
//! share of a measured load by weight, and cheap slot moves that bring every master within
//! the threshold of it. Pure: the masters' slots and one value per slot in, a [`MovePlan`]
//! and the predicted loads out, unit-tested without servers.
//!
//! The masters taking part and their weights are those of the slot-count planner
//! ([`participants`]). Then:
//! 1. Targets: the total load split by weight. A slot hotter than its master's whole share
//!    cannot be split: the master keeps it ([`Unsplittable`]), its target becomes that
//!    slot's value and the rest of the load is split over the others (repeated until no
//!    slot exceeds its master's share).
//! 2. Roles: masters above their target give, masters below it receive, masters of weight 0
//!    give everything. Nothing moves unless some master is beyond the threshold (or is
//!    drained).
//! 3. Amounts: the least load that brings every giver under and every receiver over the
//!    threshold, spread over givers and receivers in proportion to how far each is off.
//! 4. Choice: each giver picks its slots cheapest first (cost per unit of load, then keys
//!    per unit of load), or one contiguous run of its slots when that costs at most 5% more
//!    per unit of load; slots heavier than any receiver may take stay.
//! 5. Assignment: each giver's chosen slots, in slot order, fill the receiver that needs the
//!    most until it has its amount, then the next (few ranges per pair); a slot that fits no
//!    receiver stays.
//! 6. Repair: while some master is beyond the threshold, the one furthest off exchanges one
//!    slot with a partner furthest off the other way: a giver hands over one of its slots, a
//!    receiver passes on a slot it took or takes one, a giver that gave too much takes one
//!    back. The slot chosen lands the two closest to their targets, the cheapest among those
//!    that bring both within the threshold. A transfer must not push the partner beyond the
//!    threshold (or further off than it was); failing that, it must leave the worse of the
//!    two closer than the worst was. When none helps (or only slots too light to matter
//!    would), the planner stops and says why.
//!
//! `needed` is the threshold test alone: with threshold 0 a master a fraction of a slot off
//! is beyond it, yet no move may help (the plan is then empty).
//!
//! Every slot moves at most once (only givers give, only receivers receive). Sorting each
//! giver's slots once and ordered sets for the furthest-off masters keep 1000 masters ×
//! 16384 slots in milliseconds.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap};

use crate::cluster::load::{Metric, SlotValues};
use crate::cluster::plan::moves::{MovePlan, MovePlanError, PlanNode, SlotMove};
use crate::cluster::plan::rebalance::{Participant, Participants, RebalanceRequest, participants};
use crate::cluster::slots::SLOT_COUNT;

/// What `rebalance --by METRIC` balances and what a move costs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadBalanceRequest<'a> {
    /// Weights, `--use-empty-masters` and `--threshold` (percent off the target).
    pub(crate) base: &'a RebalanceRequest,
    /// The metric to balance, per slot.
    pub(crate) load: &'a SlotValues,
    /// What moving a slot costs (bytes, from the memory metric), minimised; None: the
    /// slot's key count when `keys` is given, else 1 per slot.
    pub(crate) cost: Option<&'a SlotValues>,
    /// Keys per slot: among equally costly slots, those with fewer keys move first.
    pub(crate) keys: Option<&'a SlotValues>,
}

/// One participating master, before and after the plan.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MasterChange {
    /// Node index in the planner's node list.
    pub(crate) node: usize,
    /// Its weight.
    pub(crate) weight: f64,
    /// The load the planner aimed at: its weighted share of the total, or the value of an
    /// unsplittable slot it keeps when that is more; 0 when drained.
    pub(crate) target: f64,
    /// Its load now.
    pub(crate) before: f64,
    /// Its predicted load after the plan.
    pub(crate) after: f64,
    /// Slots it serves now.
    pub(crate) slots_before: usize,
    /// Slots it serves after the plan.
    pub(crate) slots_after: usize,
}

/// A slot hotter than its master's whole fair share: moving it would only move the
/// imbalance, so its master keeps it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Unsplittable {
    /// The slot.
    pub(crate) slot: u16,
    /// Node index of the master that keeps it.
    pub(crate) owner: usize,
    /// Its value of the metric.
    pub(crate) value: f64,
    /// The share it exceeds: the master's weighted part of the load that no hotter slot
    /// pins elsewhere.
    pub(crate) fair_share: f64,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoadBalancePlan {
    /// The moves (empty when not needed).
    pub(crate) plan: MovePlan,
    /// True when some master is beyond the threshold or has weight 0 and slots.
    pub(crate) needed: bool,
    /// The metric balanced.
    pub(crate) metric: Metric,
    /// The masters taking part, in node order.
    pub(crate) masters: Vec<MasterChange>,
    /// The largest load / weighted share over masters of weight > 0 before the plan (max /
    /// mean when weights are equal; 1.0 is perfect balance, and when nothing was measured).
    pub(crate) imbalance_before: f64,
    /// The same after the plan.
    pub(crate) imbalance_after: f64,
    /// Slots their masters keep because each alone exceeds the master's share.
    pub(crate) unsplittable: Vec<Unsplittable>,
    /// What the operator should know (weights ignored, no load measured, a threshold that
    /// could not be met and why).
    pub(crate) notes: Vec<String>,
    /// Sum of the moved slots' costs (bytes with a cost metric, else keys or slots).
    pub(crate) moved_cost: f64,
}

/// Plans a load-aware rebalance of `request` over `nodes` (every node of the cluster).
pub(crate) fn plan_load_balance(
    nodes: &[PlanNode],
    request: &LoadBalanceRequest,
) -> Result<LoadBalancePlan, MovePlanError> {
    let Participants { masters, mut notes } = participants(nodes, request.base)?;
    let table = SlotTable::new(nodes, &masters, request);
    let mut members = members_of(nodes, &masters, &table);
    let total: f64 = members.iter().map(|m| m.before).sum();
    let (unsplittable, pinned) = set_targets(&mut members, &table, total);
    let theta = threshold_fraction(request.base.threshold);
    let eps = EPSILON * total;
    assign_roles(&mut members, eps);
    let needed = members.iter().any(|m| is_beyond(m, theta, eps));
    if total <= 0.0 {
        notes.push(nothing_measured_note(request.load.metric, &members));
    }
    let noisy = request.load.metric.is_rate();
    let mut planner = Planner::new(members, table, &pinned, (theta, eps), noisy);
    if needed {
        planner.bulk_moves();
        if let Some(stuck) = planner.repair() {
            notes.extend(planner.stuck_note(nodes, stuck, request.base.threshold));
        }
    }
    let unsplittable = unsplittable
        .into_iter()
        .map(|u| Unsplittable {
            owner: planner.members[u.owner].node,
            ..u
        })
        .collect();
    Ok(planner.into_plan(needed, request.load.metric, unsplittable, notes))
}

/// Relative tolerance of load comparisons (of the total load).
const EPSILON: f64 = 1e-9;

/// How much more per unit of load a contiguous run may cost than the cheapest slots.
const RUN_PREMIUM: f64 = 1.05;

/// The same for a rate, noisy per slot (see [`choose_slots`]).
const RATE_RUN_PREMIUM: f64 = 1.5;

/// Partners the repair tries for the master furthest off before it gives up.
const REPAIR_PARTNERS: usize = 4;

/// A repair transfer must carry at least this fraction (inverted) of what keeps the worst
/// master beyond the threshold: dribbling thousands of nearly empty slots toward a gap they
/// cannot fill would cost much and help little.
const SMALLEST_STEP: f64 = 256.0;

/// Most transfers the repair makes (each makes the spread of deviations strictly smaller,
/// so it ends anyway; this bounds the time).
const REPAIR_ROUNDS: usize = 4 * SLOT_COUNT as usize;

/// A value as the planner reads it: NaN, infinite and negative values are 0.
fn clean(value: f64) -> f64 {
    if value.is_finite() && value > 0.0 {
        value
    } else {
        0.0
    }
}

/// `values[slot]`, cleaned (0 when the vector is short).
fn value_at(values: &SlotValues, slot: usize) -> f64 {
    clean(values.values.get(slot).copied().unwrap_or(0.0))
}

/// `--threshold` percent as a fraction (0 for 0, negative or NaN).
fn threshold_fraction(percent: f64) -> f64 {
    clean(percent) / 100.0
}

/// An f64 ordered by `total_cmp`, for heaps and ordered sets.
#[derive(Debug, Clone, Copy)]
struct Key(f64);

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Slots with load, as `(value_bits(load), slot)`: ordered by load.
type Pool = BTreeSet<(u64, u16)>;

/// A non-negative value as a key that sorts like the value (for [`Pool`]s).
fn value_bits(value: f64) -> u64 {
    if value > 0.0 { value.to_bits() } else { 0 }
}

/// The per-slot inputs, cleaned, with the participant (index into the members) owning each.
struct SlotTable {
    /// `owner[slot]`: the member serving it, None when no participant does.
    owner: Vec<Option<usize>>,
    /// The metric.
    value: Vec<f64>,
    /// What moving the slot costs.
    cost: Vec<f64>,
    /// Keys in the slot (0 when unknown).
    keys: Vec<f64>,
}

impl SlotTable {
    /// The table of `request` over the participants' slots.
    fn new(nodes: &[PlanNode], masters: &[Participant], request: &LoadBalanceRequest) -> Self {
        let count = usize::from(SLOT_COUNT);
        let mut owner = vec![None; count];
        for (member, master) in masters.iter().enumerate() {
            for slot in nodes[master.node].slots.iter() {
                owner[usize::from(slot)] = Some(member);
            }
        }
        let value = (0..count).map(|s| value_at(request.load, s)).collect();
        let keys: Vec<f64> = (0..count)
            .map(|s| request.keys.map_or(0.0, |k| value_at(k, s)))
            .collect();
        let cost = (0..count)
            .map(|s| match (request.cost, request.keys) {
                (Some(cost), _) => value_at(cost, s),
                (None, Some(_)) => keys[s],
                (None, None) => 1.0,
            })
            .collect();
        SlotTable {
            owner,
            value,
            cost,
            keys,
        }
    }

    /// Each member's slots, ascending.
    fn slots_by_member(&self, members: usize) -> Vec<Vec<u16>> {
        let mut lists = vec![Vec::new(); members];
        for (slot, owner) in (0..SLOT_COUNT).zip(&self.owner) {
            if let Some(m) = owner {
                lists[*m].push(slot);
            }
        }
        lists
    }
}

/// What a participant does in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Weight 0: gives every slot.
    Drain,
    /// Above its target: may give.
    Giver,
    /// At or below its target: may receive.
    Receiver,
}

/// A participant's numbers while planning.
#[derive(Debug, Clone)]
struct Member {
    /// Node index.
    node: usize,
    /// Its weight.
    weight: f64,
    /// Its weighted share of the total load.
    share: f64,
    /// The load aimed at.
    target: f64,
    /// Its load now.
    before: f64,
    /// Its load with the moves planned so far.
    load: f64,
    /// Slots it serves now.
    slots_before: usize,
    /// What it does.
    role: Role,
}

/// The participants as members, with their loads and weighted shares.
fn members_of(nodes: &[PlanNode], masters: &[Participant], table: &SlotTable) -> Vec<Member> {
    let mut loads = vec![0.0; masters.len()];
    for (owner, value) in table.owner.iter().zip(&table.value) {
        if let Some(m) = owner {
            loads[*m] += value;
        }
    }
    let total: f64 = loads.iter().sum();
    let total_weight: f64 = masters.iter().map(|m| m.weight).sum();
    masters
        .iter()
        .zip(loads)
        .map(|(master, load)| Member {
            node: master.node,
            weight: master.weight,
            share: total * master.weight / total_weight,
            target: 0.0,
            before: load,
            load,
            slots_before: nodes[master.node].slots.len(),
            role: Role::Receiver,
        })
        .collect()
}

/// Sets each member's target: its weighted share, except that a master whose hottest slot
/// exceeds its share keeps that slot (listed, with the member index as owner) and aims at
/// its value, the others sharing the rest. Returns the unsplittable slots and whether each
/// slot is pinned to its master.
fn set_targets(
    members: &mut [Member],
    table: &SlotTable,
    total: f64,
) -> (Vec<Unsplittable>, Vec<bool>) {
    let hottest = hottest_slots(members.len(), table);
    let mut pinned = vec![false; usize::from(SLOT_COUNT)];
    let mut unsplittable = Vec::new();
    let mut pinned_load = 0.0;
    loop {
        let free_weight: f64 = members
            .iter()
            .enumerate()
            .filter(|(i, m)| m.weight > 0.0 && !is_pinned(&pinned, hottest[*i]))
            .map(|(_, m)| m.weight)
            .sum();
        let free_load = (total - pinned_load).max(0.0);
        let mut found = false;
        for (i, member) in members.iter_mut().enumerate() {
            if member.weight <= 0.0 || is_pinned(&pinned, hottest[i]) || free_weight <= 0.0 {
                continue;
            }
            let fair = free_load * member.weight / free_weight;
            if let Some((slot, value)) = hottest[i]
                && value > fair * (1.0 + EPSILON)
            {
                pinned[usize::from(slot)] = true;
                pinned_load += value;
                member.target = value;
                unsplittable.push(Unsplittable {
                    slot,
                    owner: i,
                    value,
                    fair_share: fair,
                });
                found = true;
            } else {
                member.target = fair;
            }
        }
        if !found {
            break;
        }
    }
    (unsplittable, pinned)
}

/// Each member's hottest slot with a positive value (the lowest-numbered among equals).
fn hottest_slots(members: usize, table: &SlotTable) -> Vec<Option<(u16, f64)>> {
    let mut hottest: Vec<Option<(u16, f64)>> = vec![None; members];
    for (slot, (owner, &value)) in (0..SLOT_COUNT).zip(table.owner.iter().zip(&table.value)) {
        if let Some(m) = owner
            && value > hottest[*m].map_or(0.0, |(_, v)| v)
        {
            hottest[*m] = Some((slot, value));
        }
    }
    hottest
}

/// True when `hottest` is a slot already pinned.
fn is_pinned(pinned: &[bool], hottest: Option<(u16, f64)>) -> bool {
    hottest.is_some_and(|(slot, _)| pinned[usize::from(slot)])
}

/// Drains for weight 0, givers above their target (by more than `eps`), receivers for the
/// rest. With a weight-0 master but no receiver (rounding only), the least loaded master
/// receives.
fn assign_roles(members: &mut [Member], eps: f64) {
    for m in members.iter_mut() {
        m.role = if m.weight <= 0.0 {
            Role::Drain
        } else if m.load > m.target + eps {
            Role::Giver
        } else {
            Role::Receiver
        };
    }
    let drains = members.iter().any(|m| m.role == Role::Drain);
    let receivers = members.iter().any(|m| m.role == Role::Receiver);
    if drains
        && !receivers
        && let Some(least) = members
            .iter_mut()
            .filter(|m| m.weight > 0.0)
            .min_by(|a, b| (a.load - a.target).total_cmp(&(b.load - b.target)))
    {
        least.role = Role::Receiver;
    }
}

/// True when `member` must change: weight 0 with slots, or more than `theta` of its target
/// away from it.
fn is_beyond(member: &Member, theta: f64, eps: f64) -> bool {
    match member.role {
        Role::Drain => member.slots_before > 0,
        _ => (member.load - member.target).abs() > theta * member.target + eps,
    }
}

/// The note for a metric that reads 0 everywhere.
fn nothing_measured_note(metric: Metric, members: &[Member]) -> String {
    let drains = members
        .iter()
        .any(|m| m.role == Role::Drain && m.slots_before > 0);
    format!(
        "no {metric} was measured on any slot (every value is 0): nothing to balance{}",
        if drains {
            "; masters of weight 0 are still emptied, their slots spread by weight"
        } else {
            ""
        }
    )
}

/// How much each member gives (givers, drains) or takes (receivers), and how much more it
/// may without overshooting: `goal[m]` and `slack[m]`.
struct Amounts {
    /// The amount aimed at.
    goal: Vec<f64>,
    /// How much beyond the goal is still fine.
    slack: Vec<f64>,
}

/// The least flow that brings every giver under `target × (1 + theta)` and every receiver
/// over `target × (1 − theta)`, spread in proportion to how far each is off its target.
fn planned_amounts(members: &[Member], theta: f64) -> Amounts {
    let must = |m: &Member| match m.role {
        Role::Drain => m.load,
        Role::Giver => (m.load - m.target * (1.0 + theta)).max(0.0),
        Role::Receiver => (m.target * (1.0 - theta) - m.load).max(0.0),
    };
    let may = |m: &Member| match m.role {
        Role::Drain => m.load,
        Role::Giver => (m.load - m.target).max(must(m)),
        Role::Receiver => (m.target - m.load).max(must(m)),
    };
    let side = |giving: bool| -> (Vec<f64>, Vec<f64>) {
        members
            .iter()
            .map(|m| {
                if (m.role != Role::Receiver) == giving {
                    (must(m), may(m))
                } else {
                    (0.0, 0.0)
                }
            })
            .unzip()
    };
    let (give_must, give_may) = side(true);
    let (take_must, take_may) = side(false);
    let flow = give_must
        .iter()
        .sum::<f64>()
        .max(take_must.iter().sum::<f64>());
    let gives = spread(flow, &give_must, &give_may);
    let takes = spread(flow, &take_must, &take_may);
    let goal: Vec<f64> = gives.iter().zip(&takes).map(|(g, t)| g + t).collect();
    let slack = members
        .iter()
        .zip(&goal)
        .map(|(m, &goal)| match m.role {
            Role::Drain => 0.0,
            Role::Giver => ((m.load - m.target) - goal).max(0.0) / 2.0,
            Role::Receiver => (m.target * (1.0 + theta / 2.0) - m.load - goal).max(0.0),
        })
        .collect();
    Amounts { goal, slack }
}

/// `amount` split as `must` plus the rest in proportion to `may − must` (never above `may`).
fn spread(amount: f64, must: &[f64], may: &[f64]) -> Vec<f64> {
    let floor: f64 = must.iter().sum();
    let room: f64 = may.iter().zip(must).map(|(a, b)| a - b).sum();
    let extra = (amount - floor).clamp(0.0, room.max(0.0));
    must.iter()
        .zip(may)
        .map(|(&lo, &hi)| {
            if room > 0.0 {
                (lo + extra * (hi - lo) / room).min(hi)
            } else {
                lo
            }
        })
        .collect()
}

/// A slot a giver may hand out, with what it weighs.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The slot.
    slot: u16,
    /// Its load.
    value: f64,
    /// What moving it costs.
    cost: f64,
    /// Its keys.
    keys: f64,
}

/// Slots picked by a giver, with their load and cost.
#[derive(Debug, Default)]
struct Selection {
    /// The slots, ascending.
    slots: Vec<u16>,
    /// Their load.
    load: f64,
    /// Their cost.
    cost: f64,
}

impl Selection {
    /// True when `self` costs at most `premium` times as much per unit of load as `other`.
    fn is_about_as_cheap_as(&self, other: &Selection, premium: f64) -> bool {
        other.load <= 0.0 || self.cost * other.load <= premium * other.cost * self.load
    }
}

/// The slots a giver hands out to give about `goal` (at most `goal + slack`): one
/// contiguous run of its slots when it costs at most [`RUN_PREMIUM`] times as much per unit
/// of load as the cheapest slots, else those. For a rate (`noisy`) the run may cost
/// [`RATE_RUN_PREMIUM`] times as much and is the first such run, not the cheapest: a rate
/// read over a window is noisy per slot, and the slots (or the shortest run) cheapest per
/// unit of load are those whose reading came out high, so choosing them moves less real
/// load than planned (measured on Valkey 9.1: the master that kept its slots ended 15% above
/// its share). A run chosen by position averages the noise out.
fn choose_slots(candidates: &[Candidate], goal: f64, slack: f64, noisy: bool) -> Vec<u16> {
    let limit = goal + slack;
    let cheapest = cheapest_slots(candidates, goal, limit);
    let premium = if noisy { RATE_RUN_PREMIUM } else { RUN_PREMIUM };
    let affordable = |run: &Selection| run.is_about_as_cheap_as(&cheapest, premium);
    let run = if noisy {
        first_run(candidates, goal, limit, affordable)
    } else {
        cheapest_run(candidates, goal, limit).filter(affordable)
    };
    run.unwrap_or(cheapest).slots
}

/// Slots by cost per unit of load, then keys per unit of load, then number, taken while
/// they stay within `limit`, until `goal` is reached.
fn cheapest_slots(candidates: &[Candidate], goal: f64, limit: f64) -> Selection {
    let mut order: Vec<(f64, f64, &Candidate)> = candidates
        .iter()
        .filter(|c| c.value > 0.0)
        .map(|c| (c.cost / c.value, c.keys / c.value, c))
        .collect();
    order.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.slot.cmp(&b.2.slot))
    });
    let mut picked = Selection::default();
    for (_, _, c) in order {
        if picked.load >= goal * (1.0 - EPSILON) {
            break;
        }
        if picked.load + c.value <= limit * (1.0 + EPSILON) {
            picked.slots.push(c.slot);
            picked.load += c.value;
            picked.cost += c.cost;
        }
    }
    picked.slots.sort_unstable();
    picked
}

/// The runs of consecutive candidates (in slot order) whose load reaches `goal` without
/// passing `limit`, one per start (the shortest), in slot order.
fn runs(candidates: &[Candidate], goal: f64, limit: f64) -> Vec<Run> {
    if goal <= 0.0 {
        return Vec::new();
    }
    let prefix = |f: fn(&Candidate) -> f64| -> Vec<f64> {
        std::iter::once(0.0)
            .chain(candidates.iter().scan(0.0, |sum, c| {
                *sum += f(c);
                Some(*sum)
            }))
            .collect()
    };
    let load = prefix(|c| c.value);
    let cost = prefix(|c| c.cost);
    let mut out = Vec::new();
    let mut end = 0;
    for start in 0..candidates.len() {
        end = end.max(start);
        while end < candidates.len() && load[end] - load[start] < goal * (1.0 - EPSILON) {
            end += 1;
        }
        let run_load = load[end] - load[start];
        if run_load < goal * (1.0 - EPSILON) {
            break;
        }
        if run_load > limit * (1.0 + EPSILON) {
            continue;
        }
        out.push(Run {
            start,
            end,
            load: run_load,
            cost: cost[end] - cost[start],
        });
    }
    out
}

/// A run of candidates `start..end` with its load and cost.
#[derive(Debug, Clone, Copy)]
struct Run {
    start: usize,
    end: usize,
    load: f64,
    cost: f64,
}

impl Run {
    /// The run's slots as a [`Selection`].
    fn selection(self, candidates: &[Candidate]) -> Selection {
        Selection {
            slots: candidates[self.start..self.end]
                .iter()
                .map(|c| c.slot)
                .collect(),
            load: self.load,
            cost: self.cost,
        }
    }
}

/// The cheapest of [`runs`], fewest slots among equals; None when no run fits.
fn cheapest_run(candidates: &[Candidate], goal: f64, limit: f64) -> Option<Selection> {
    runs(candidates, goal, limit)
        .into_iter()
        .min_by(|a, b| {
            a.cost
                .total_cmp(&b.cost)
                .then((a.end - a.start).cmp(&(b.end - b.start)))
        })
        .map(|r| r.selection(candidates))
}

/// The first of [`runs`] (in slot order) that `accept` takes.
fn first_run(
    candidates: &[Candidate],
    goal: f64,
    limit: f64,
    accept: impl Fn(&Selection) -> bool,
) -> Option<Selection> {
    // `accept` weighs load and cost only: the slots are listed for the run it takes.
    let summary = |r: &Run| Selection {
        slots: Vec::new(),
        load: r.load,
        cost: r.cost,
    };
    runs(candidates, goal, limit)
        .into_iter()
        .find(|r| accept(&summary(r)))
        .map(|r| r.selection(candidates))
}

/// The receivers' side of the bulk assignment: what each still needs, the one being filled,
/// and a max-heap of needs (stale entries skipped).
struct Intake {
    /// Load each member is to take.
    goal: Vec<f64>,
    /// How much more it may take.
    slack: Vec<f64>,
    /// Load it took so far.
    got: Vec<f64>,
    /// `(need, Reverse(member))`, possibly stale.
    heap: BinaryHeap<(Key, Reverse<usize>)>,
    /// The receiver the current giver fills.
    current: Option<usize>,
}

impl Intake {
    /// The receivers among `members` with `amounts`.
    fn new(members: &[Member], amounts: &Amounts) -> Self {
        let heap = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.role == Role::Receiver)
            .map(|(i, _)| (Key(amounts.goal[i]), Reverse(i)))
            .collect();
        Intake {
            goal: amounts.goal.clone(),
            slack: amounts.slack.clone(),
            got: vec![0.0; members.len()],
            heap,
            current: None,
        }
    }

    /// The most any receiver may take (a slot heavier than that fits none).
    fn largest(&self) -> f64 {
        self.heap
            .iter()
            .map(|&(_, Reverse(r))| self.goal[r] + self.slack[r])
            .fold(0.0, f64::max)
    }

    /// What `member` still needs.
    fn need(&self, member: usize) -> f64 {
        self.goal[member] - self.got[member]
    }

    /// True when `member` still needs load and `value` keeps it within its slack.
    fn fits(&self, member: usize, value: f64) -> bool {
        self.need(member) > 0.0
            && self.got[member] + value
                <= (self.goal[member] + self.slack[member]) * (1.0 + EPSILON)
    }

    /// The receiver needing the most.
    fn neediest(&mut self) -> Option<usize> {
        while let Some(&(Key(need), Reverse(member))) = self.heap.peek() {
            if need.to_bits() == self.need(member).to_bits() {
                return Some(member);
            }
            self.heap.pop();
        }
        None
    }

    /// Where a slot of `value` goes: the receiver being filled when it fits, else the
    /// neediest when it fits (or when the slot must move, or carries no load).
    fn pick(&mut self, value: f64, must_move: bool) -> Option<usize> {
        if let Some(current) = self.current
            && (value <= 0.0 || self.fits(current, value))
        {
            return Some(current);
        }
        let neediest = self.neediest()?;
        if must_move || value <= 0.0 || self.fits(neediest, value) {
            self.current = Some(neediest);
            return Some(neediest);
        }
        None
    }

    /// Records that `member` took `value`.
    fn take(&mut self, member: usize, value: f64) {
        self.got[member] += value;
        self.heap.push((Key(self.need(member)), Reverse(member)));
    }
}

/// The members furthest off their targets, kept ordered for the repair.
#[derive(Default)]
struct Extremes {
    /// `(|deviation|, member)` of every member with weight > 0.
    spread: BTreeSet<(Key, usize)>,
    /// `(deviation, member)` of receivers.
    low: BTreeSet<(Key, usize)>,
    /// `(deviation, member)` of givers with a slot of their own left to give.
    high: BTreeSet<(Key, usize)>,
}

/// Slots with load by member while the repair runs, each keyed by load: a giver's own
/// slots not moved yet and the slots it gave, the slots a receiver took.
struct Holdings {
    /// A giver's slots that stay so far.
    own: Vec<Pool>,
    /// A giver's slots that move.
    given: Vec<Pool>,
    /// The slots a receiver takes.
    taken: Vec<Pool>,
}

/// A slot changing hands in the repair: from its owner to a receiver, from one receiver to
/// another, or back to its owner (so that it still moves at most once).
#[derive(Debug, Clone, Copy)]
struct Transfer {
    /// The slot.
    slot: u16,
    /// The member holding it now.
    from: usize,
    /// The member holding it after.
    to: usize,
}

/// Why the repair stopped short of the threshold: the member furthest off.
#[derive(Debug, Clone, Copy)]
struct Stuck {
    /// The member.
    member: usize,
}

/// The planning state: members, slots, and where each slot goes.
struct Planner {
    /// The participants.
    members: Vec<Member>,
    /// The per-slot inputs.
    table: SlotTable,
    /// Each member's movable slots (not pinned), ascending.
    movable: Vec<Vec<u16>>,
    /// `dest[slot]`: the member it moves to.
    dest: Vec<Option<usize>>,
    /// The threshold as a fraction.
    theta: f64,
    /// Absolute tolerance of load comparisons.
    eps: f64,
    /// The metric is a rate, noisy per slot (see [`choose_slots`]).
    noisy: bool,
}

impl Planner {
    /// A planner with nothing moved yet.
    fn new(
        members: Vec<Member>,
        table: SlotTable,
        pinned: &[bool],
        (theta, eps): (f64, f64),
        noisy: bool,
    ) -> Self {
        let movable = table
            .slots_by_member(members.len())
            .into_iter()
            .map(|slots| {
                slots
                    .into_iter()
                    .filter(|&s| !pinned[usize::from(s)])
                    .collect()
            })
            .collect();
        Planner {
            members,
            table,
            movable,
            dest: vec![None; usize::from(SLOT_COUNT)],
            theta,
            eps,
            noisy,
        }
    }

    /// Moves `slot` from its owner to `to`.
    fn move_slot(&mut self, slot: u16, to: usize) {
        let s = usize::from(slot);
        let Some(from) = self.table.owner[s] else {
            return;
        };
        let value = self.table.value[s];
        self.members[from].load -= value;
        self.members[to].load += value;
        self.dest[s] = Some(to);
    }

    /// The slots of `member` a giver may choose from: those no heavier than `largest`.
    fn candidates(&self, member: usize, largest: f64) -> Vec<Candidate> {
        self.movable[member]
            .iter()
            .filter(|&&slot| self.table.value[usize::from(slot)] <= largest)
            .map(|&slot| {
                let s = usize::from(slot);
                Candidate {
                    slot,
                    value: self.table.value[s],
                    cost: self.table.cost[s],
                    keys: self.table.keys[s],
                }
            })
            .collect()
    }

    /// Steps 3 to 5: amounts, each giver's choice, the assignment to receivers. Drains go
    /// first, then givers by amount, largest first.
    fn bulk_moves(&mut self) {
        let amounts = planned_amounts(&self.members, self.theta);
        let mut intake = Intake::new(&self.members, &amounts);
        let largest_intake = intake.largest();
        let mut givers: Vec<usize> = (0..self.members.len())
            .filter(|&m| self.members[m].role != Role::Receiver)
            .collect();
        givers.sort_by(|&a, &b| {
            let drain = |m: usize| self.members[m].role == Role::Drain;
            drain(b)
                .cmp(&drain(a))
                .then(amounts.goal[b].total_cmp(&amounts.goal[a]))
                .then(a.cmp(&b))
        });
        for giver in givers {
            if self.members[giver].role == Role::Drain {
                self.drain(giver, &mut intake);
            } else {
                let chosen = choose_slots(
                    &self.candidates(giver, largest_intake),
                    amounts.goal[giver],
                    amounts.slack[giver],
                    self.noisy,
                );
                self.hand_out(giver, &chosen, false, &mut intake);
            }
        }
    }

    /// Every slot of a weight-0 member goes: by load when it has some, else split by
    /// weight over the receivers in contiguous runs.
    fn drain(&mut self, giver: usize, intake: &mut Intake) {
        let slots = std::mem::take(&mut self.movable[giver]);
        if self.members[giver].load > self.eps {
            self.hand_out(giver, &slots, true, intake);
            return;
        }
        let receivers: Vec<usize> = (0..self.members.len())
            .filter(|&m| self.members[m].role == Role::Receiver)
            .collect();
        let weights: Vec<f64> = receivers.iter().map(|&r| self.members[r].weight).collect();
        let counts = split_by_weight(slots.len(), &weights);
        let mut rest = slots.iter();
        for (receiver, count) in receivers.into_iter().zip(counts) {
            for &slot in rest.by_ref().take(count) {
                self.move_slot(slot, receiver);
            }
        }
    }

    /// Hands `slots` of `giver` (ascending) to receivers; those that fit none stay unless
    /// `must_move`.
    fn hand_out(&mut self, giver: usize, slots: &[u16], must_move: bool, intake: &mut Intake) {
        intake.current = None;
        for &slot in slots {
            let value = self.table.value[usize::from(slot)];
            if let Some(receiver) = intake.pick(value, must_move) {
                self.move_slot(slot, receiver);
                intake.take(receiver, value);
            }
        }
        let dest = &self.dest;
        self.movable[giver].retain(|&s| dest[usize::from(s)].is_none());
    }

    /// How far `member` is off its target, relative to it.
    fn deviation(&self, member: usize) -> f64 {
        deviation(
            self.members[member].load,
            self.members[member].target,
            self.eps,
        )
    }

    /// Step 6: single-slot transfers until every member is within the threshold, or the
    /// member furthest off cannot get closer (returned). A transfer first must not push its
    /// partner beyond the threshold (or further off than it was); failing that, it must only
    /// leave the worse of the two closer than the worst was.
    fn repair(&mut self) -> Option<Stuck> {
        let mut holdings = self.holdings();
        let mut extremes = Extremes::default();
        for m in 0..self.members.len() {
            self.index(m, &holdings, &mut extremes);
        }
        for _ in 0..REPAIR_ROUNDS {
            let &(Key(worst), x) = extremes.spread.last()?;
            if worst <= self.theta + EPSILON {
                return None;
            }
            let transfer = self
                .best_transfer(x, worst, true, &holdings, &extremes)
                .or_else(|| self.best_transfer(x, worst, false, &holdings, &extremes));
            let Some(transfer) = transfer else {
                return Some(Stuck { member: x });
            };
            self.apply(transfer, &mut holdings, &mut extremes);
        }
        let &(Key(worst), x) = extremes.spread.last()?;
        (worst > self.theta + EPSILON).then_some(Stuck { member: x })
    }

    /// Each member's slots as the repair sees them (slots without load left out).
    fn holdings(&self) -> Holdings {
        let count = self.members.len();
        let mut holdings = Holdings {
            own: vec![BTreeSet::new(); count],
            given: vec![BTreeSet::new(); count],
            taken: vec![BTreeSet::new(); count],
        };
        for (member, slots) in self.movable.iter().enumerate() {
            if self.members[member].role != Role::Giver {
                continue;
            }
            for &slot in slots {
                let value = self.table.value[usize::from(slot)];
                if value > 0.0 && self.dest[usize::from(slot)].is_none() {
                    holdings.own[member].insert((value_bits(value), slot));
                }
            }
        }
        for (slot, dest) in (0..SLOT_COUNT).zip(&self.dest) {
            let value = self.table.value[usize::from(slot)];
            if let (Some(to), Some(owner)) = (*dest, self.table.owner[usize::from(slot)])
                && value > 0.0
            {
                holdings.given[owner].insert((value_bits(value), slot));
                holdings.taken[to].insert((value_bits(value), slot));
            }
        }
        holdings
    }

    /// Adds `member` to the ordered sets.
    fn index(&self, member: usize, holdings: &Holdings, extremes: &mut Extremes) {
        let m = &self.members[member];
        if m.weight <= 0.0 {
            return;
        }
        let dev = self.deviation(member);
        extremes.spread.insert((Key(dev.abs()), member));
        match m.role {
            Role::Receiver => {
                extremes.low.insert((Key(dev), member));
            }
            Role::Giver if !holdings.own[member].is_empty() => {
                extremes.high.insert((Key(dev), member));
            }
            _ => {}
        }
    }

    /// Removes `member` from the ordered sets (before its load changes).
    fn unindex(&self, member: usize, extremes: &mut Extremes) {
        let dev = self.deviation(member);
        extremes.spread.remove(&(Key(dev.abs()), member));
        extremes.low.remove(&(Key(dev), member));
        extremes.high.remove(&(Key(dev), member));
    }

    /// The best transfer that brings `x` (the member furthest off, `worst`) closer. Over
    /// its target, `x` hands one of its own slots (a giver) or of the slots it took (a
    /// receiver) to one of the receivers furthest below theirs. Under it, `x` takes a slot
    /// from one of the givers furthest above their targets or from a receiver above its
    /// target (a receiver), or takes back a slot it gave (a giver).
    fn best_transfer(
        &self,
        x: usize,
        worst: f64,
        strict: bool,
        holdings: &Holdings,
        extremes: &Extremes,
    ) -> Option<Transfer> {
        let over = self.deviation(x) > 0.0;
        let lowest = || extremes.low.iter().map(|e| e.1).filter(move |&r| r != x);
        let highest = || {
            extremes
                .low
                .iter()
                .rev()
                .map(|e| e.1)
                .filter(move |&r| r != x)
        };
        let mut options: Vec<(&Pool, Option<usize>)> = Vec::new();
        match (over, self.members[x].role) {
            (true, Role::Giver) => {
                options.extend(
                    lowest()
                        .take(REPAIR_PARTNERS)
                        .map(|r| (&holdings.own[x], Some(r))),
                );
            }
            (true, Role::Receiver) => {
                options.extend(
                    lowest()
                        .take(REPAIR_PARTNERS)
                        .map(|r| (&holdings.taken[x], Some(r))),
                );
            }
            (false, Role::Receiver) => {
                let givers = extremes.high.iter().rev().take(REPAIR_PARTNERS);
                options.extend(givers.map(|&(_, g)| (&holdings.own[g], Some(g))));
                let above = highest()
                    .filter(|&r| self.deviation(r) > 0.0 && !holdings.taken[r].is_empty())
                    .take(REPAIR_PARTNERS);
                options.extend(above.map(|r| (&holdings.taken[r], Some(r))));
            }
            (false, Role::Giver) => options.push((&holdings.given[x], None)),
            _ => {}
        }
        options
            .into_iter()
            .flat_map(|(pool, partner)| {
                self.candidate_slots(pool, x, partner)
                    .into_iter()
                    .map(move |slot| self.transfer_of(slot, x, over, partner))
            })
            .filter_map(|t| self.score(t, x, worst, strict).map(|score| (score, t)))
            .min_by(|(a, _), (b, _)| a.rank(b))
            .map(|(_, t)| t)
    }

    /// The transfer of `slot` for `x`: away from `x` to `partner` when `x` is over its
    /// target, else to `x` from `partner` (or from wherever the slot went).
    fn transfer_of(&self, slot: u16, x: usize, over: bool, partner: Option<usize>) -> Transfer {
        let holder = || self.holder(slot);
        if over {
            Transfer {
                slot,
                from: x,
                to: partner.unwrap_or_else(holder),
            }
        } else {
            Transfer {
                slot,
                from: partner.unwrap_or_else(holder),
                to: x,
            }
        }
    }

    /// The member serving `slot` with the moves planned so far.
    fn holder(&self, slot: u16) -> usize {
        let s = usize::from(slot);
        self.dest[s].or(self.table.owner[s]).unwrap_or_default()
    }

    /// The slots of `pool` worth trying for `x`: the lightest, and those whose load is
    /// nearest what brings `x` within the threshold, to its target, and (with a partner)
    /// what the partner can take or give within the threshold and what levels the two.
    fn candidate_slots(&self, pool: &Pool, x: usize, partner: Option<usize>) -> Vec<u16> {
        let m = &self.members[x];
        let off = (m.load - m.target).abs();
        let mut amounts = vec![off - self.theta * m.target, off];
        if let Some(p) = partner {
            let q = &self.members[p];
            let (xs, ps) = (scale(m.target, self.eps), scale(q.target, self.eps));
            let other = if m.load > m.target {
                q.target - q.load
            } else {
                q.load - q.target
            };
            amounts.push(other + self.theta * q.target);
            amounts.push((off * ps + other * xs) / (xs + ps));
        }
        let mut slots: Vec<u16> = amounts
            .into_iter()
            .flat_map(|v| neighbours(pool, v))
            .chain(pool.first().map(|e| e.1))
            .collect();
        slots.sort_unstable();
        slots.dedup();
        slots
    }

    /// How `transfer` leaves its two members, None when it is not acceptable: its slot must
    /// carry at least 1/[`SMALLEST_STEP`] of what keeps `x` beyond the threshold, it must
    /// bring `x` closer and, when `strict`, not push the other beyond the threshold or further off
    /// than it was; else only leave the worse of the two closer than `worst`.
    fn score(&self, transfer: Transfer, x: usize, worst: f64, strict: bool) -> Option<MoveScore> {
        let s = usize::from(transfer.slot);
        let value = self.table.value[s];
        let (from, to) = (&self.members[transfer.from], &self.members[transfer.to]);
        let from_after = deviation(from.load - value, from.target, self.eps).abs();
        let to_after = deviation(to.load + value, to.target, self.eps).abs();
        let (x_after, other_after, other) = if transfer.from == x {
            (from_after, to_after, transfer.to)
        } else {
            (to_after, from_after, transfer.from)
        };
        let closest = from_after.max(to_after);
        let x_member = &self.members[x];
        let gap = (x_member.load - x_member.target).abs() - self.theta * x_member.target;
        if value * SMALLEST_STEP < gap {
            return None;
        }
        let acceptable = if strict {
            x_after < self.deviation(x).abs() - EPSILON
                && other_after <= self.deviation(other).abs().max(self.theta) + EPSILON
        } else {
            closest < worst - EPSILON
        };
        let owner = self.table.owner[s];
        let cost = if Some(transfer.to) == owner {
            -self.table.cost[s]
        } else if Some(transfer.from) == owner {
            self.table.cost[s]
        } else {
            0.0
        };
        acceptable.then_some(MoveScore {
            beyond: (closest - self.theta).max(0.0),
            cost,
            closest,
        })
    }

    /// Carries out `transfer`: loads, destinations, holdings and ordered sets.
    fn apply(&mut self, transfer: Transfer, holdings: &mut Holdings, extremes: &mut Extremes) {
        let Transfer { slot, from, to } = transfer;
        let s = usize::from(slot);
        let Some(owner) = self.table.owner[s] else {
            return;
        };
        let key = (value_bits(self.table.value[s]), slot);
        self.unindex(from, extremes);
        self.unindex(to, extremes);
        if from == owner {
            holdings.own[owner].remove(&key);
        } else {
            holdings.taken[from].remove(&key);
        }
        if to == owner {
            holdings.given[owner].remove(&key);
            holdings.own[owner].insert(key);
            self.dest[s] = None;
        } else {
            holdings.given[owner].insert(key);
            holdings.taken[to].insert(key);
            self.dest[s] = Some(to);
        }
        self.members[from].load -= self.table.value[s];
        self.members[to].load += self.table.value[s];
        self.index(from, holdings, extremes);
        self.index(to, holdings, extremes);
    }

    /// The note for a threshold the repair could not reach.
    fn stuck_note(&self, nodes: &[PlanNode], stuck: Stuck, threshold: f64) -> Option<String> {
        if self.theta <= 0.0 {
            return None;
        }
        let m = &self.members[stuck.member];
        let dev = self.deviation(stuck.member);
        Some(format!(
            "could not bring every master within {threshold}% of its target: {} ({}) ends {:+.1}% off, and no single slot can move to or from it without leaving another master further off (the slots are too coarse)",
            nodes[m.node].addr,
            nodes[m.node].id,
            dev * 100.0
        ))
    }

    /// The answer.
    fn into_plan(
        self,
        needed: bool,
        metric: Metric,
        unsplittable: Vec<Unsplittable>,
        notes: Vec<String>,
    ) -> LoadBalancePlan {
        let mut slots_after: Vec<usize> = self.members.iter().map(|m| m.slots_before).collect();
        let mut moves = Vec::new();
        let mut moved_cost = 0.0;
        for (slot, dest) in (0..SLOT_COUNT).zip(&self.dest) {
            let (Some(to), Some(from)) = (*dest, self.table.owner[usize::from(slot)]) else {
                continue;
            };
            slots_after[from] -= 1;
            slots_after[to] += 1;
            moved_cost += self.table.cost[usize::from(slot)];
            moves.push(SlotMove {
                slot,
                from: self.members[from].node,
                to: self.members[to].node,
            });
        }
        let masters = self
            .members
            .iter()
            .zip(slots_after)
            .map(|(m, slots_after)| MasterChange {
                node: m.node,
                weight: m.weight,
                target: m.target,
                before: m.before,
                after: m.load,
                slots_before: m.slots_before,
                slots_after,
            })
            .collect();
        LoadBalancePlan {
            plan: MovePlan::new(moves),
            needed,
            metric,
            masters,
            imbalance_before: weighted_imbalance(&self.members, |m| m.before),
            imbalance_after: weighted_imbalance(&self.members, |m| m.load),
            unsplittable,
            notes,
            moved_cost,
        }
    }
}

/// A candidate transfer, ordered best first: within the threshold, then cheap (a slot
/// returning to its owner saves its cost), then close.
#[derive(Debug, Clone, Copy)]
struct MoveScore {
    /// How far beyond the threshold the worse of the two ends (0 when both are within).
    beyond: f64,
    /// What it adds to the plan's cost.
    cost: f64,
    /// How far off its target the worse of the two ends, relative.
    closest: f64,
}

impl MoveScore {
    /// Best first.
    fn rank(&self, other: &MoveScore) -> Ordering {
        self.beyond
            .total_cmp(&other.beyond)
            .then(self.cost.total_cmp(&other.cost))
            .then(self.closest.total_cmp(&other.closest))
    }
}

/// The slots of `pool` with the load just below and just above `value`.
fn neighbours(pool: &Pool, value: f64) -> impl Iterator<Item = u16> {
    let key = (value_bits(value), 0);
    let below = pool.range(..key).next_back().map(|e| e.1);
    let above = pool.range(key..).next().map(|e| e.1);
    below.into_iter().chain(above)
}

/// What deviations are relative to: the target, or `eps` (a tiny part of the total) when
/// the target is about 0.
fn scale(target: f64, eps: f64) -> f64 {
    target.max(eps).max(f64::MIN_POSITIVE)
}

/// `(load − target) / target`, safe for a target of 0.
fn deviation(load: f64, target: f64, eps: f64) -> f64 {
    (load - target) / scale(target, eps)
}

/// The largest `load / share` over members of weight > 0 (1.0 when nothing is measured).
fn weighted_imbalance(members: &[Member], load: impl Fn(&Member) -> f64) -> f64 {
    members
        .iter()
        .filter(|m| m.weight > 0.0 && m.share > 0.0)
        .map(|m| load(m) / m.share)
        .fold(None, |max: Option<f64>, ratio| {
            Some(max.map_or(ratio, |m| m.max(ratio)))
        })
        .unwrap_or(1.0)
}

/// `count` split by `weights` into integers that add up to `count` (largest remainder,
/// ties to the first).
fn split_by_weight(count: usize, weights: &[f64]) -> Vec<usize> {
    let total: f64 = weights.iter().sum();
    if weights.is_empty() || total <= 0.0 {
        return vec![0; weights.len()];
    }
    let quotas: Vec<f64> = weights.iter().map(|w| count as f64 * w / total).collect();
    let mut parts: Vec<usize> = quotas.iter().map(|q| q.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (quotas[b] - quotas[b].floor())
            .total_cmp(&(quotas[a] - quotas[a].floor()))
            .then(a.cmp(&b))
    });
    let extras = count.saturating_sub(parts.iter().sum());
    for &i in order.iter().cycle().take(extras) {
        parts[i] += 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::load::Source;
    use crate::cluster::plan::moves::fixtures::{master, replica};

    /// Values of `metric`: `f(slot)` for every slot.
    fn values(metric: Metric, f: impl Fn(u16) -> f64) -> SlotValues {
        SlotValues {
            metric,
            source: Source::SlotStats,
            values: (0..SLOT_COUNT).map(f).collect(),
        }
    }

    /// A request without weights.
    fn base(use_empty_masters: bool, threshold: f64) -> RebalanceRequest {
        weighted(&[], use_empty_masters, threshold)
    }

    /// A request with `weights`.
    fn weighted(
        weights: &[(&str, f64)],
        use_empty_masters: bool,
        threshold: f64,
    ) -> RebalanceRequest {
        RebalanceRequest {
            weights: weights.iter().map(|(i, w)| (i.to_string(), *w)).collect(),
            use_empty_masters,
            threshold,
        }
    }

    /// Plans `load` (with optional `cost` and `keys`) and checks the invariants.
    fn plan(
        nodes: &[PlanNode],
        base: &RebalanceRequest,
        load: &SlotValues,
        cost: Option<&SlotValues>,
        keys: Option<&SlotValues>,
    ) -> LoadBalancePlan {
        let planned = plan_load_balance(
            nodes,
            &LoadBalanceRequest {
                base,
                load,
                cost,
                keys,
            },
        )
        .unwrap();
        check_invariants(nodes, load, cost, keys, &planned);
        planned
    }

    /// Each slot moves at most once, from its owner; no node both gives and receives; the
    /// predicted loads, slot counts and cost follow from the moves; unsplittable slots stay;
    /// weight-0 masters end empty; nothing moves unless needed.
    fn check_invariants(
        nodes: &[PlanNode],
        load: &SlotValues,
        cost: Option<&SlotValues>,
        keys: Option<&SlotValues>,
        planned: &LoadBalancePlan,
    ) {
        let moves = &planned.plan.moves;
        assert!(
            moves.windows(2).all(|w| w[0].slot < w[1].slot),
            "a slot moves twice"
        );
        let givers: BTreeSet<usize> = moves.iter().map(|m| m.from).collect();
        let takers: BTreeSet<usize> = moves.iter().map(|m| m.to).collect();
        assert!(
            givers.is_disjoint(&takers),
            "a master both gives and receives"
        );
        let mut load_after: Vec<f64> = vec![0.0; nodes.len()];
        let mut slots_after: Vec<usize> = nodes.iter().map(|n| n.slots.len()).collect();
        for (i, node) in nodes.iter().enumerate() {
            load_after[i] = node
                .slots
                .iter()
                .map(|s| value_at(load, usize::from(s)))
                .sum();
        }
        let mut moved_cost = 0.0;
        for m in moves {
            assert!(
                nodes[m.from].slots.contains(m.slot),
                "slot {} not on its source",
                m.slot
            );
            assert!(nodes[m.to].is_master && nodes[m.from].is_master);
            let v = value_at(load, usize::from(m.slot));
            load_after[m.from] -= v;
            load_after[m.to] += v;
            slots_after[m.from] -= 1;
            slots_after[m.to] += 1;
            moved_cost += match (cost, keys) {
                (Some(c), _) => value_at(c, usize::from(m.slot)),
                (None, Some(k)) => value_at(k, usize::from(m.slot)),
                (None, None) => 1.0,
            };
        }
        let total: f64 = planned.masters.iter().map(|m| m.before).sum();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * (1.0 + total);
        assert!(close(moved_cost, planned.moved_cost));
        for m in &planned.masters {
            assert!(nodes[m.node].is_master);
            assert!(
                close(m.after, load_after[m.node]),
                "{m:?} vs {}",
                load_after[m.node]
            );
            assert_eq!(m.slots_after, slots_after[m.node], "{m:?}");
            if m.weight == 0.0 {
                assert_eq!(m.slots_after, 0, "a weight-0 master keeps slots");
            }
        }
        for u in &planned.unsplittable {
            assert!(
                moves.iter().all(|m| m.slot != u.slot),
                "unsplittable slot {} moved",
                u.slot
            );
            assert!(nodes[u.owner].slots.contains(u.slot));
            assert!(u.value > u.fair_share);
        }
        if !planned.needed {
            assert!(moves.is_empty());
        }
        assert!(planned.imbalance_before.is_finite() && planned.imbalance_after.is_finite());
    }

    /// Three masters with the usual ranges.
    fn three() -> Vec<PlanNode> {
        vec![
            master("aaaa", &[(0, 5460)]),
            master("bbbb", &[(5461, 10922)]),
            master("cccc", &[(10923, 16383)]),
        ]
    }

    /// The largest |after − target| / target over masters of weight > 0.
    fn worst_off(planned: &LoadBalancePlan) -> f64 {
        planned
            .masters
            .iter()
            .filter(|m| m.weight > 0.0)
            .map(|m| (m.after - m.target).abs() / m.target)
            .fold(0.0, f64::max)
    }

    /// The largest |after − mean| / mean over the masters.
    fn worst_off_mean(planned: &LoadBalancePlan) -> f64 {
        let mean =
            planned.masters.iter().map(|m| m.after).sum::<f64>() / planned.masters.len() as f64;
        planned
            .masters
            .iter()
            .map(|m| (m.after - mean).abs() / mean)
            .fold(0.0, f64::max)
    }

    /// The least load that must move for every master to be within `theta` of its target.
    fn least_flow(planned: &LoadBalancePlan, theta: f64) -> f64 {
        let over: f64 = planned
            .masters
            .iter()
            .map(|m| (m.before - m.target * (1.0 + theta)).max(0.0))
            .sum();
        let under: f64 = planned
            .masters
            .iter()
            .map(|m| (m.target * (1.0 - theta) - m.before).max(0.0))
            .sum();
        over.max(under)
    }

    #[test]
    fn uniform_load_needs_nothing() {
        let keys = values(Metric::Keys, |_| 10.0);
        let planned = plan(&three(), &base(false, 2.0), &keys, None, Some(&keys));
        assert!(!planned.needed);
        assert!(planned.plan.is_empty());
        assert!(planned.notes.is_empty(), "{:?}", planned.notes);
        assert!(planned.imbalance_before < 1.001);
        assert_eq!(planned.metric, Metric::Keys);
        assert_eq!(planned.masters.len(), 3);
    }

    #[test]
    fn memory_skew_moves_little_more_than_needed() {
        // Big values in 3000 slots of the first master.
        let memory = values(
            Metric::Memory,
            |s| if s < 3000 { 100_000.0 } else { 1_000.0 },
        );
        let keys = values(Metric::Keys, |s| if s < 3000 { 2.0 } else { 10.0 });
        let planned = plan(
            &three(),
            &base(false, 5.0),
            &memory,
            Some(&memory),
            Some(&keys),
        );
        assert!(planned.needed);
        assert!(worst_off_mean(&planned) <= 0.10, "{:?}", planned.masters);
        assert!(worst_off(&planned) <= 0.05, "{:?}", planned.masters);
        let least = least_flow(&planned, 0.05);
        assert!(
            planned.moved_cost <= least * 1.02,
            "moved {} for at least {least}",
            planned.moved_cost
        );
        // One range per receiver.
        for pair in planned.plan.pairs() {
            assert_eq!(pair.slots.ranges().len(), 1, "{}", pair.slots);
        }
        assert!(planned.imbalance_before > 2.0 && planned.imbalance_after < 1.05);
    }

    #[test]
    fn hot_cpu_slots_spread() {
        // 200 hot slots scattered over the first master, a little CPU everywhere.
        let cpu = values(Metric::Cpu, |s| {
            if s < 4000 && s % 20 == 0 {
                5_000.0
            } else {
                10.0
            }
        });
        let memory = values(Metric::Memory, |_| 50_000.0);
        let keys = values(Metric::Keys, |_| 20.0);
        let planned = plan(
            &three(),
            &base(false, 10.0),
            &cpu,
            Some(&memory),
            Some(&keys),
        );
        assert!(planned.needed);
        assert!(worst_off_mean(&planned) <= 0.15, "{:?}", planned.masters);
        // Hot slots are cheap per unit of load: few slots move.
        assert!(
            planned.plan.len() < 200,
            "{} slots moved",
            planned.plan.len()
        );
        assert!(planned.plan.moves.iter().all(|m| m.from == 0));
    }

    #[test]
    fn weights_set_the_shares() {
        let keys = values(Metric::Keys, |_| 10.0);
        let planned = plan(
            &three(),
            &weighted(&[("aaaa", 2.0)], false, 2.0),
            &keys,
            None,
            Some(&keys),
        );
        assert!(planned.needed);
        let total = 163_840.0;
        let targets: Vec<f64> = planned.masters.iter().map(|m| m.target).collect();
        assert_eq!(targets, vec![total / 2.0, total / 4.0, total / 4.0]);
        assert!(worst_off(&planned) <= 0.02, "{:?}", planned.masters);
        // Uniform load: one contiguous range per pair.
        for pair in planned.plan.pairs() {
            assert_eq!(pair.slots.ranges().len(), 1, "{}", pair.slots);
        }
    }

    #[test]
    fn weight_zero_drains_completely() {
        let nodes = vec![
            master("aaaa", &[(0, 4095)]),
            master("bbbb", &[(4096, 8191)]),
            master("cccc", &[(8192, 12287)]),
            master("dddd", &[(12288, 16383)]),
        ];
        // Some slots of the drained master carry no load: they move too.
        let cpu = values(Metric::Cpu, |s| {
            if s % 7 == 0 {
                0.0
            } else {
                f64::from(s % 13) + 1.0
            }
        });
        let planned = plan(
            &nodes,
            &weighted(&[("dd", 0.0)], false, 2.0),
            &cpu,
            None,
            None,
        );
        assert!(planned.needed);
        assert_eq!(planned.masters[3].slots_after, 0);
        assert_eq!(planned.masters[3].after, 0.0);
        assert!(planned.plan.moves.iter().filter(|m| m.from == 3).count() == 4096);
        assert!(worst_off(&planned) <= 0.02, "{:?}", planned.masters);
    }

    #[test]
    fn empty_master_takes_part_with_the_flag() {
        let mut nodes = three();
        nodes.push(master("eeee", &[]));
        let keys = values(Metric::Keys, |s| f64::from(s % 5) + 1.0);
        let without = plan(&nodes, &base(false, 2.0), &keys, None, Some(&keys));
        assert_eq!(without.masters.len(), 3);
        assert!(!without.needed);

        let with = plan(&nodes, &base(true, 2.0), &keys, None, Some(&keys));
        assert!(with.needed);
        let total: f64 = with.masters.iter().map(|m| m.before).sum();
        let empty = &with.masters[3];
        assert_eq!((empty.node, empty.before), (3, 0.0));
        assert!(
            (empty.after / total - 0.25).abs() <= 0.25 * 0.02,
            "{:?}",
            with.masters
        );
        assert!(worst_off(&with) <= 0.02, "{:?}", with.masters);
        assert!(with.plan.moves.iter().all(|m| m.to == 3));
    }

    #[test]
    fn a_dominant_slot_stays_and_the_rest_balances() {
        // Slot 42 carries 60% of the load.
        let rest = 16383.0;
        let cpu = values(Metric::Cpu, |s| if s == 42 { rest * 1.5 } else { 1.0 });
        let planned = plan(&three(), &base(false, 2.0), &cpu, None, None);
        assert_eq!(planned.unsplittable.len(), 1);
        let hot = &planned.unsplittable[0];
        assert_eq!((hot.slot, hot.owner, hot.value), (42, 0, rest * 1.5));
        assert!((hot.fair_share - rest * 2.5 / 3.0).abs() < 1e-6);
        assert_eq!(planned.masters[0].target, rest * 1.5);
        // The other two share the rest; the first keeps only its hot slot's load.
        for m in &planned.masters[1..] {
            assert!((m.target - rest / 2.0).abs() < 1e-6);
        }
        assert!(worst_off(&planned) <= 0.02, "{:?}", planned.masters);
        assert!(planned.masters[0].after <= rest * 1.5 * 1.02);
    }

    #[test]
    fn a_slot_too_coarse_is_explained() {
        // Two masters, each holding one big slot and some small ones: 2 big slots of 1000
        // and small ones cannot meet a 1% threshold when one master holds both big ones.
        let nodes = vec![master("aaaa", &[(0, 9)]), master("bbbb", &[(10, 19)])];
        let cpu = values(Metric::Cpu, |s| match s {
            0 | 1 => 1000.0,
            2..=9 => 1.0,
            10..=19 => 100.0,
            _ => 0.0,
        });
        let planned = plan(&nodes, &base(false, 1.0), &cpu, None, None);
        assert!(planned.needed);
        assert!(!planned.notes.is_empty());
        assert!(
            planned.notes[0].contains("could not bring"),
            "{:?}",
            planned.notes
        );
        assert!(planned.imbalance_after < planned.imbalance_before);
    }

    #[test]
    fn threshold_is_respected() {
        // The first master carries about 1.3% more than its share.
        let load = |a: f64| values(Metric::Net, move |s| if s <= 5460 { a } else { 0.99 });
        let planned = plan(&three(), &base(false, 2.0), &load(1.02), None, None);
        assert!(!planned.needed && planned.plan.is_empty());
        let strict = plan(&three(), &base(false, 1.0), &load(1.02), None, None);
        assert!(strict.needed && !strict.plan.is_empty());
        assert!(worst_off(&strict) <= 0.01, "{:?}", strict.masters);
        // Threshold 0: as close as slots allow, not worse than one slot off.
        let exact = plan(&three(), &base(false, 0.0), &load(1.02), None, None);
        assert!(
            worst_off(&exact) < 1.02 / 5461.0 * 2.0,
            "{:?}",
            exact.masters
        );
    }

    #[test]
    fn nothing_measured_moves_only_drains() {
        let zero = values(Metric::Cpu, |_| 0.0);
        let planned = plan(&three(), &base(false, 2.0), &zero, None, None);
        assert!(!planned.needed && planned.plan.is_empty());
        assert_eq!(planned.notes.len(), 1);
        assert!(
            planned.notes[0].contains("no cpu was measured"),
            "{:?}",
            planned.notes
        );
        assert_eq!(planned.imbalance_before, 1.0);

        let drained = plan(
            &three(),
            &weighted(&[("cc", 0.0)], false, 2.0),
            &zero,
            None,
            None,
        );
        assert!(drained.needed);
        assert!(drained.notes[0].contains("weight 0"), "{:?}", drained.notes);
        let counts: Vec<usize> = drained.masters.iter().map(|m| m.slots_after).collect();
        assert_eq!(counts, vec![5461 + 2731, 5462 + 2730, 0]);
        for pair in drained.plan.pairs() {
            assert_eq!(pair.slots.ranges().len(), 1);
        }
    }

    #[test]
    fn replicas_are_left_out() {
        let nodes = vec![
            master("aaaa", &[(0, 8191)]),
            replica("rrrr"),
            master("bbbb", &[(8192, 16383)]),
            replica("ssss"),
        ];
        let memory = values(Metric::Memory, |s| if s < 8192 { 3.0 } else { 1.0 });
        let planned = plan(&nodes, &base(false, 2.0), &memory, Some(&memory), None);
        let listed: Vec<usize> = planned.masters.iter().map(|m| m.node).collect();
        assert_eq!(listed, vec![0, 2]);
        assert!(planned.plan.moves.iter().all(|m| m.from == 0 && m.to == 2));
        assert!(worst_off(&planned) <= 0.02);
    }

    #[test]
    fn bad_values_read_as_zero() {
        let load = values(Metric::Cpu, |s| match s % 4 {
            0 => f64::NAN,
            1 => -5.0,
            2 => f64::INFINITY,
            _ => f64::from(s % 17),
        });
        let cost = values(Metric::Memory, |s| if s % 3 == 0 { f64::NAN } else { -1.0 });
        let planned = plan(&three(), &base(false, 2.0), &load, Some(&cost), None);
        assert!(planned.masters.iter().all(|m| m.before.is_finite()));
        assert_eq!(planned.moved_cost, 0.0);
        let short = SlotValues {
            values: vec![1.0; 10],
            ..values(Metric::Keys, |_| 0.0)
        };
        plan(&three(), &base(false, 2.0), &short, None, None);
    }

    #[test]
    fn bad_weights_are_refused_as_in_rebalance() {
        let keys = values(Metric::Keys, |_| 1.0);
        let refused = |request: &RebalanceRequest| {
            plan_load_balance(
                &three(),
                &LoadBalanceRequest {
                    base: request,
                    load: &keys,
                    cost: None,
                    keys: None,
                },
            )
            .unwrap_err()
            .0
        };
        assert!(refused(&weighted(&[("zz", 1.0)], false, 2.0)).contains("no node"));
        let all_zero = weighted(&[("aa", 0.0), ("bb", 0.0), ("cc", 0.0)], false, 2.0);
        assert!(refused(&all_zero).contains("weight 0"));
    }

    #[test]
    fn split_by_weight_adds_up() {
        assert_eq!(split_by_weight(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        assert_eq!(split_by_weight(7, &[2.0, 0.5]), vec![6, 1]);
        assert_eq!(split_by_weight(5, &[]), Vec::<usize>::new());
    }

    /// A small deterministic generator (64-bit LCG, high bits).
    struct Lcg(u64);

    impl Lcg {
        /// The next 31 random bits.
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }

        /// A number in `0..n`.
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }

        /// A float in [0, 1).
        fn unit(&mut self) -> f64 {
            self.next() as f64 / (1u64 << 31) as f64
        }
    }

    /// Random masters (some empty) and replicas, the slots cut at random points.
    fn random_nodes(rng: &mut Lcg) -> Vec<PlanNode> {
        let masters = 2 + rng.below(7) as usize;
        let mut cuts: Vec<u16> = (1..masters).map(|_| rng.below(16384) as u16).collect();
        cuts.sort_unstable();
        let mut nodes = Vec::new();
        let mut start = 0u16;
        for i in 0..masters {
            let end = cuts.get(i).copied().unwrap_or(16384);
            let id = format!("{i:04}");
            nodes.push(if end > start {
                master(&id, &[(start, end - 1)])
            } else {
                master(&id, &[])
            });
            start = end;
            if rng.below(3) == 0 {
                nodes.push(replica(&format!("r{i:03}")));
            }
        }
        nodes
    }

    /// Random values: uniform, skewed, sparse and hot, or with bad readings.
    fn random_values(rng: &mut Lcg, metric: Metric) -> SlotValues {
        let kind = rng.below(5);
        let hot: Vec<u16> = (0..rng.below(20))
            .map(|_| rng.below(16384) as u16)
            .collect();
        let mut v = values(metric, |_| 0.0);
        for (slot, value) in (0..SLOT_COUNT).zip(v.values.iter_mut()) {
            *value = match kind {
                0 => 5.0,
                1 => rng.unit() * 100.0 * if slot < 4000 { 10.0 } else { 1.0 },
                2 => {
                    if rng.below(50) == 0 {
                        rng.unit() * 1e6
                    } else {
                        0.0
                    }
                }
                3 => {
                    if hot.contains(&slot) {
                        1e5 * (1.0 + rng.unit())
                    } else {
                        rng.unit()
                    }
                }
                _ => match rng.below(10) {
                    0 => f64::NAN,
                    1 => -1.0,
                    _ => rng.unit() * 10.0,
                },
            };
        }
        v
    }

    #[test]
    fn random_plans_keep_the_invariants() {
        let mut rng = Lcg(0x5eed);
        for round in 0..100 {
            let nodes = random_nodes(&mut rng);
            let masters: Vec<&PlanNode> = nodes.iter().filter(|n| n.is_master).collect();
            let mut weights = Vec::new();
            for m in &masters {
                match rng.below(6) {
                    0 => weights.push((m.id.clone(), 0.0)),
                    1 => weights.push((m.id.clone(), 0.5 + rng.unit() * 3.0)),
                    _ => {}
                }
            }
            let request = RebalanceRequest {
                weights,
                use_empty_masters: rng.below(2) == 0,
                threshold: [0.0, 1.0, 2.0, 5.0, 10.0][rng.below(5) as usize],
            };
            let load = random_values(&mut rng, Metric::Cpu);
            let cost = (rng.below(2) == 0).then(|| random_values(&mut rng, Metric::Memory));
            let keys = (rng.below(2) == 0).then(|| random_values(&mut rng, Metric::Keys));
            let Ok(planned) = plan_load_balance(
                &nodes,
                &LoadBalanceRequest {
                    base: &request,
                    load: &load,
                    cost: cost.as_ref(),
                    keys: keys.as_ref(),
                },
            ) else {
                continue;
            };
            check_invariants(&nodes, &load, cost.as_ref(), keys.as_ref(), &planned);
            let total: f64 = planned.masters.iter().map(|m| m.before).sum();
            let targets: f64 = planned.masters.iter().map(|m| m.target).sum();
            assert!(
                (total - targets).abs() <= 1e-6 * total.max(1.0),
                "round {round}"
            );
            let explained = planned.notes.iter().any(|n| n.contains("could not bring"));
            if planned.needed && request.threshold > 0.0 && !explained {
                assert!(
                    worst_off(&planned) <= request.threshold / 100.0 + 1e-6,
                    "round {round}: beyond the threshold without a note: {planned:?}"
                );
            }
            let beyond_before = planned
                .masters
                .iter()
                .any(|m| m.weight > 0.0 && (m.before - m.target).abs() > 1e-6 * m.target.max(1.0));
            if planned.needed && beyond_before {
                assert!(
                    planned.imbalance_after <= planned.imbalance_before * (1.0 + 1e-9)
                        || planned
                            .masters
                            .iter()
                            .any(|m| m.weight == 0.0 && m.slots_before > 0),
                    "round {round}: worse after: {planned:?}"
                );
            }
        }
    }

    /// Masters with skewed loads: a tenth of them three times as loaded, a few hot slots.
    fn skewed_cluster(masters: usize) -> (Vec<PlanNode>, SlotValues, SlotValues, SlotValues) {
        let per = 16384 / masters;
        let nodes: Vec<PlanNode> = (0..masters)
            .map(|i| {
                let start = (i * per) as u16;
                let end = if i + 1 == masters {
                    16383
                } else {
                    ((i + 1) * per - 1) as u16
                };
                master(&format!("{i:040}"), &[(start, end)])
            })
            .collect();
        let mut rng = Lcg(42);
        let heavy = |slot: u16| (usize::from(slot) / per).is_multiple_of(10);
        let cpu = values(Metric::Cpu, |_| 0.0);
        let mut cpu = SlotValues {
            values: (0..SLOT_COUNT)
                .map(|s| {
                    let base = 100.0 + rng.unit() * 100.0;
                    let hot = if rng.below(500) == 0 { 20.0 } else { 1.0 };
                    base * hot * if heavy(s) { 3.0 } else { 1.0 }
                })
                .collect(),
            ..cpu
        };
        cpu.metric = Metric::Cpu;
        let memory = values(Metric::Memory, |s| 1e6 + f64::from(s % 97) * 1e4);
        let keys = values(Metric::Keys, |s| 100.0 + f64::from(s % 31));
        (nodes, cpu, memory, keys)
    }

    /// Times the planner on 3, 100 and 1000 masters × 16384 slots, with thresholds 2% and 0
    /// (best of 5). Run with `scripts/bench-planner.sh`.
    #[test]
    #[ignore]
    fn bench_load_balance_planner() {
        for masters in [3, 100, 1000] {
            let (nodes, cpu, memory, keys) = skewed_cluster(masters);
            for threshold in [2.0, 0.0] {
                let request = base(false, threshold);
                let req = LoadBalanceRequest {
                    base: &request,
                    load: &cpu,
                    cost: Some(&memory),
                    keys: Some(&keys),
                };
                let mut best = std::time::Duration::MAX;
                let mut planned = plan_load_balance(&nodes, &req).unwrap();
                for _ in 0..5 {
                    let start = std::time::Instant::now();
                    planned = plan_load_balance(&nodes, &req).unwrap();
                    best = best.min(start.elapsed());
                }
                println!(
                    "{masters:>5} masters x 16384 slots, threshold {threshold}%: best {:>7.3} ms; \
                     {} slots moved, imbalance {:.3} -> {:.3}, worst master {:.1}% off its target",
                    best.as_secs_f64() * 1000.0,
                    planned.plan.len(),
                    planned.imbalance_before,
                    planned.imbalance_after,
                    worst_off(&planned) * 100.0
                );
                for note in &planned.notes {
                    println!("      {note}");
                }
            }
        }
    }
}
