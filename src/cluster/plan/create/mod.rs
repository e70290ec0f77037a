//! The plan of `create`: which nodes become masters, which slots each master serves and which
//! master every other node replicates.
//!
//! Pure: no I/O, no clock, no randomness from the environment. The same input always gives the
//! same plan.
//!
//! # Masters and slots: exactly redis-cli 7.0
//!
//! * `masters = N / (R + 1)`; fewer than 3 is an error ([`CreatePlanError::TooFewMasters`]).
//! * Nodes are grouped by [`CreateNode::host`] in order of first appearance, then interleaved
//!   round-robin across the groups (one node of each host per round). The first `masters`
//!   nodes of that list are `Master[0]`, `Master[1]`, ...; the rest are replica candidates.
//! * Slots are split with redis-cli's 32-bit float arithmetic ([`slot_ranges`]), so
//!   `Master[i] -> Slots a - b` is the line redis-cli prints.
//!
//! # Replica placement: deterministic, at least as good as redis-cli
//!
//! Quality is redis-cli's anti-affinity score ([`anti_affinity_score`]): on every host, a
//! master together with `k` of its own replicas costs `10000 * k`; `k >= 2` replicas of one
//! master on a host without that master cost `k`. redis-cli assigns replicas greedily and, when
//! the score is not 0, runs a clock-seeded random walk and keeps whatever state it ends in. We:
//!
//! 1. Build redis-cli's own initial assignment (candidate list rotated left by one; each master
//!    in turn takes up to `R` replicas, the first remaining candidate on another host, else the
//!    first remaining; then extra rounds of one replica per master, in master order, repeated
//!    until no node is left — redis-cli stops after one extra round). If it scores 0 it is the
//!    plan, replica for replica what redis-cli prints.
//! 2. Otherwise we work on counts (how many replicas of master `i` sit on host `h`; nodes of one
//!    host are interchangeable) with a fixed number of replicas per master: `R`, plus the
//!    leftover nodes dealt one per master per round in master order (never a node left out).
//!    A lower bound comes first, from a max flow of "single" replicas (at most one per master
//!    and host, none on the master's host) plus, when one host is dominant (its candidates plus
//!    its masters' demand exceed the candidates), the replicas forced onto their master's host
//!    and the groups forced elsewhere. Reaching the bound ends the search.
//! 3. Two starts, each improved by strict-gain hill-climbing: redis-cli's assignment, and a
//!    greedy fill, most constrained host first, that never lets a host become dominant (so it
//!    puts the minimum number of replicas on their master's host) and spreads each master
//!    over distinct hosts. Moves are exchanges of the masters of two replicas and, when none
//!    helps, three-way exchanges (needed where every two-way exchange would put a replica on
//!    its master's host). The better result is kept.
//! 4. If the score is still above 0 while the bound is 0, the max flow of step 2 places every
//!    candidate as a single: its flow, dealt round-robin, is a zero-score assignment. So the
//!    score is 0 whenever 0 is possible.
//! 5. Otherwise two walks like redis-cli's (move a replica of an offending group, keep the
//!    exchange unless the score rose), 500 steps per node (at most 200,000) each, driven by an
//!    inline fixed-seed SplitMix64 and keeping the best assignment seen: one also making
//!    three-way exchanges, one annealed (early on it accepts a rise of `d` with probability
//!    `2^-(d*s)`, `s` growing; never a rise of 10000 or more). Each is followed by
//!    hill-climbing.
//!
//! Steps 3 and 4 guarantee: never more replicas on their master's host than necessary, and
//! score 0 whenever possible. Beyond that the search is a heuristic; the tests check it against
//! an exhaustive search on every layout of up to 12 nodes over up to 4 hosts (it is optimal on
//! all of them), and against a port of redis-cli's walk (50 seeds per layout), never ending
//! above it.
//!
//! Counts are turned back into nodes keeping redis-cli's initial choice wherever the counts
//! allow it, so a plan differs from redis-cli's first guess only where that guess was worse.
//!
//! This file holds the API, the search driver (`optimize`) and `realize`; `problem` (the
//! placement problem and assignments as counts), `bound` (the lower bound and its max flow),
//! `climb` (the greedy start and hill-climbing) and `walk` (the walks) the steps.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::address::NodeAddr;
use crate::cluster::slots::{SLOT_COUNT, SlotRange};

mod bound;
mod climb;
mod problem;
mod walk;

use bound::*;
use climb::*;
use problem::*;
use walk::*;

/// Cost of one replica on the same host as its master (redis-cli's weight).
const OWN_HOST_WEIGHT: u64 = 10_000;

/// One validated, empty node offered to `create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CreateNode {
    /// The node's client address.
    pub(crate) addr: NodeAddr,
    /// Grouping key for anti-affinity: the node's resolved IP text. Nodes with the same `host`
    /// are on the same machine.
    pub(crate) host: String,
}

/// The cluster-creation plan: masters with their slots, and the replica of each other node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CreatePlan {
    /// The masters, in redis-cli's `Master[i]` order.
    pub(crate) masters: Vec<PlannedMaster>,
    /// Every non-master node with its master, sorted by master index then node index.
    pub(crate) replicas: Vec<PlannedReplica>,
    /// The requested replicas per master (`--cluster-replicas`).
    pub(crate) replicas_per_master: usize,
    /// Anti-affinity score of the final assignment (0 is perfect; see [`anti_affinity_score`]).
    pub(crate) score: u64,
    /// True when redis-cli's initial assignment scored above 0, so a search for a better one ran.
    pub(crate) searched: bool,
    /// Anti-affinity score of redis-cli's initial assignment.
    pub(crate) initial_score: u64,
}

/// One master of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct PlannedMaster {
    /// Index of the node in the slice given to [`plan_create`].
    pub(crate) node: usize,
    /// The slots this master serves.
    pub(crate) slots: SlotRange,
}

/// One replica of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct PlannedReplica {
    /// Index of the node in the slice given to [`plan_create`].
    pub(crate) node: usize,
    /// Index of its master in [`CreatePlan::masters`].
    pub(crate) master: usize,
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CreatePlanError {
    /// Fewer than 3 masters would result.
    TooFewMasters {
        /// Number of nodes offered.
        nodes: usize,
        /// Requested replicas per master.
        replicas: usize,
        /// Nodes needed for 3 masters: `3 * (replicas + 1)`.
        needed: usize,
    },
    /// More masters than hash slots would result (each master needs at least one slot).
    TooManyMasters {
        /// Number of masters the nodes would make.
        masters: usize,
        /// The maximum, 16384.
        max: usize,
    },
}

impl fmt::Display for CreatePlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreatePlanError::TooFewMasters {
                nodes,
                replicas,
                needed,
            } => write!(
                f,
                "Redis Cluster requires at least 3 master nodes. This is not possible with \
                 {nodes} nodes and {replicas} replicas per node. At least {needed} nodes are \
                 required."
            ),
            CreatePlanError::TooManyMasters { masters, max } => write!(
                f,
                "Redis Cluster supports at most {max} master nodes (one hash slot each); these \
                 nodes would make {masters} masters. Use fewer nodes or more replicas per node."
            ),
        }
    }
}

impl std::error::Error for CreatePlanError {}

/// The slot range of each of `masters` masters, computed like redis-cli 7.0: 32-bit float
/// slots per master and cursor, `lround(cursor + per_master - 1)` as each range's last slot,
/// the last master ending at 16383.
///
/// For absurd master counts (above about 7500) redis-cli's float cursor drifts past the end
/// of the slot space; there an exact integer split is returned instead.
///
/// # Panics
///
/// When `masters > 16384` (a master needs at least one slot); [`plan_create`] rejects that
/// case with an error first.
pub(crate) fn slot_ranges(masters: usize) -> Vec<SlotRange> {
    let total = usize::from(SLOT_COUNT);
    assert!(
        masters <= total,
        "{masters} masters cannot each own a hash slot"
    );
    if masters == 0 {
        return Vec::new();
    }
    let per_master = f32::from(SLOT_COUNT) / masters as f32;
    let mut cursor = 0f32;
    let mut first: i64 = 0;
    let mut bounds = Vec::with_capacity(masters);
    for i in 0..masters {
        let mut last = (cursor + per_master - 1.0).round() as i64;
        if last > total as i64 || i == masters - 1 {
            last = total as i64 - 1;
        }
        if last < first {
            last = first;
        }
        bounds.push((first, last));
        first = last + 1;
        cursor += per_master;
    }
    if bounds.iter().all(|&(_, last)| last < total as i64) {
        return bounds
            .into_iter()
            .map(|(start, end)| SlotRange {
                start: start as u16,
                end: end as u16,
            })
            .collect();
    }
    (0..masters)
        .map(|i| SlotRange {
            start: (i * total / masters) as u16,
            end: ((i + 1) * total / masters - 1) as u16,
        })
        .collect()
}

/// redis-cli's anti-affinity score of an assignment: for every host and master, a group made
/// of the master and `k` of its replicas costs `10000 * k`, and a group of `k >= 2` replicas of
/// one master on a host without that master costs `k`. 0 means no replica shares a host with
/// its master or with another replica of the same master.
///
/// Indexes out of range are ignored.
pub(crate) fn anti_affinity_score(
    nodes: &[CreateNode],
    masters: &[PlannedMaster],
    replicas: &[PlannedReplica],
) -> u64 {
    let mut groups: HashMap<(&str, usize), (bool, u64)> = HashMap::new();
    for (i, master) in masters.iter().enumerate() {
        if let Some(node) = nodes.get(master.node) {
            groups.entry((node.host.as_str(), i)).or_default().0 = true;
        }
    }
    for replica in replicas {
        if replica.master < masters.len()
            && let Some(node) = nodes.get(replica.node)
        {
            groups
                .entry((node.host.as_str(), replica.master))
                .or_default()
                .1 += 1;
        }
    }
    groups
        .values()
        .map(|&(with_master, k)| group_cost(with_master, k))
        .sum()
}

/// Cost of `k` replicas of one master on one host.
fn group_cost(with_master: bool, k: u64) -> u64 {
    if with_master {
        OWN_HOST_WEIGHT * k
    } else if k >= 2 {
        k
    } else {
        0
    }
}

/// How many masters `nodes` nodes make with `replicas` replicas each (redis-cli's
/// `N / (R+1)`), or why that is not a valid cluster. Needs no server, so callers can refuse
/// before connecting anywhere.
pub(crate) fn master_count(nodes: usize, replicas: usize) -> Result<usize, CreatePlanError> {
    let group = replicas.saturating_add(1);
    let master_count = nodes / group;
    if master_count < 3 {
        return Err(CreatePlanError::TooFewMasters {
            nodes,
            replicas,
            needed: group.saturating_mul(3),
        });
    }
    if master_count > usize::from(SLOT_COUNT) {
        return Err(CreatePlanError::TooManyMasters {
            masters: master_count,
            max: usize::from(SLOT_COUNT),
        });
    }
    Ok(master_count)
}

/// Plans the creation of a cluster from `nodes` (validated, empty) with `replicas` replicas per
/// master: the masters and slots redis-cli would choose, and a deterministic replica placement
/// at least as good as redis-cli's (see the module documentation).
pub(crate) fn plan_create(
    nodes: &[CreateNode],
    replicas: usize,
) -> Result<CreatePlan, CreatePlanError> {
    let master_count = master_count(nodes.len(), replicas)?;
    let (host_of, order) = interleave(nodes);
    let (master_nodes, cand_nodes) = order.split_at(master_count);
    let problem = Problem::new(&host_of, master_nodes, cand_nodes, replicas);

    let initial_owner = redis_initial(&problem);
    let initial = Assign::from_owners(&problem, &initial_owner);
    let initial_score = initial.score;
    let (owner, score) = if initial_score == 0 {
        (initial_owner, 0)
    } else {
        let best = optimize(&problem, initial, nodes.len());
        (realize(&problem, &best, &initial_owner), best.score)
    };

    let masters: Vec<PlannedMaster> = master_nodes
        .iter()
        .zip(slot_ranges(master_count))
        .map(|(&node, slots)| PlannedMaster { node, slots })
        .collect();
    let mut replicas_out: Vec<PlannedReplica> = cand_nodes
        .iter()
        .zip(&owner)
        .map(|(&node, &master)| PlannedReplica { node, master })
        .collect();
    replicas_out.sort_unstable_by_key(|r| (r.master, r.node));
    debug_assert_eq!(
        anti_affinity_score(nodes, &masters, &replicas_out),
        score,
        "tracked score drifted"
    );
    Ok(CreatePlan {
        masters,
        replicas: replicas_out,
        replicas_per_master: replicas,
        score,
        searched: initial_score > 0,
        initial_score,
    })
}

/// Host ids (in order of first appearance) of every node, and redis-cli's interleaved node
/// order: one node of each host per round, hosts in order of first appearance.
fn interleave(nodes: &[CreateNode]) -> (Vec<usize>, Vec<usize>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut host_of = Vec::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let next = ids.len();
        let id = *ids.entry(node.host.as_str()).or_insert(next);
        if id == groups.len() {
            groups.push(Vec::new());
        }
        groups[id].push(index);
        host_of.push(id);
    }
    let rounds = groups.iter().map(Vec::len).max().unwrap_or(0);
    let mut order = Vec::with_capacity(nodes.len());
    for round in 0..rounds {
        order.extend(groups.iter().filter_map(|g| g.get(round).copied()));
    }
    (host_of, order)
}

/// Steps 2 to 5 of the module documentation, from redis-cli's initial assignment (score > 0).
fn optimize(p: &Problem, initial: Assign, node_count: usize) -> Assign {
    let (bound, singles) = lower_bound(p);
    if initial.score <= bound {
        return initial;
    }
    let mut best = initial;
    hill_climb(p, &mut best, bound);
    if best.score > bound {
        let mut greedy = greedy(p);
        hill_climb(p, &mut greedy, bound);
        if greedy.score < best.score {
            best = greedy;
        }
    }
    if best.score > bound
        && bound == 0
        && let Some(zero) = singles.zero_score_assignment(p)
    {
        return zero;
    }
    if best.score > bound {
        let iterations = node_count
            .saturating_mul(WALK_ITERATIONS_PER_NODE)
            .min(WALK_MAX_ITERATIONS);
        for walk in WALKS {
            let mut walked = walk.run(p, best.clone(), bound, iterations);
            hill_climb(p, &mut walked, bound);
            if walked.score < best.score {
                best = walked;
            }
        }
    }
    best
}

/// Turns counts into a master for every candidate, keeping `initial`'s choice wherever the
/// counts allow; the other candidates of a host go to the masters still short of replicas
/// there, in master order.
fn realize(p: &Problem, a: &Assign, initial: &[usize]) -> Vec<usize> {
    let mut quota = a.clone();
    let t = p.cand_host.len();
    let mut owner = vec![usize::MAX; t];
    for c in 0..t {
        let (i, h) = (initial[c], p.cand_host[c]);
        if quota.count(i, h) > 0 {
            quota.dec(i, h);
            owner[c] = i;
        }
    }
    let mut open: Vec<Vec<(usize, usize)>> = vec![Vec::new(); p.hosts()];
    for i in 0..p.masters() {
        for &(h, k) in quota.row(i) {
            open[h].push((i, k));
        }
    }
    for h in &mut open {
        h.sort_unstable();
        h.reverse();
    }
    for c in 0..t {
        if owner[c] != usize::MAX {
            continue;
        }
        let list = &mut open[p.cand_host[c]];
        let last = list.last_mut().expect("counts match the candidates");
        owner[c] = last.0;
        last.1 -= 1;
        if last.1 == 0 {
            list.pop();
        }
    }
    owner
}

#[cfg(test)]
mod tests;
