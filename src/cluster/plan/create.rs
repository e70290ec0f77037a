//! The plan of `create`: which nodes become masters, which slots each master serves and which
//! master every other node replicates.
//!
//! Pure: no I/O, no clock, no randomness from the environment. The same input always gives the
//! same plan.
//!
//! # Masters and slots: exactly redis-cli 7.0
//!
//! * `masters = N / (R + 1)`; fewer than 3 is an error ([`PlanError::TooFewMasters`]).
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

use std::cmp::Reverse;
use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::address::NodeAddr;
use crate::cluster::slots::{SLOT_COUNT, SlotRange};

/// Cost of one replica on the same host as its master (redis-cli's weight).
const OWN_HOST_WEIGHT: u64 = 10_000;

/// Walk effort, as in redis-cli: iterations per node of the cluster...
const WALK_ITERATIONS_PER_NODE: usize = 500;

/// ...up to this many (reached from 400 nodes; a step here moves counts, and with three-way
/// exchanges goes further than one of redis-cli's).
const WALK_MAX_ITERATIONS: usize = 200_000;

/// Phases of the walk: worsening moves are accepted less and less, then not at all.
const WALK_PHASES: usize = 5;

/// Seed of the replica-placement walk (fixed: plans are reproducible).
const WALK_SEED: u64 = 0x5EED_C1A5_7E12_0001;

/// One validated, empty node offered to `create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateNode {
    /// The node's client address.
    pub addr: NodeAddr,
    /// Grouping key for anti-affinity: the node's resolved IP text. Nodes with the same `host`
    /// are on the same machine.
    pub host: String,
}

/// The cluster-creation plan: masters with their slots, and the replica of each other node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatePlan {
    /// The masters, in redis-cli's `Master[i]` order.
    pub masters: Vec<PlannedMaster>,
    /// Every non-master node with its master, sorted by master index then node index.
    pub replicas: Vec<PlannedReplica>,
    /// The requested replicas per master (`--cluster-replicas`).
    pub replicas_per_master: usize,
    /// Anti-affinity score of the final assignment (0 is perfect; see [`anti_affinity_score`]).
    pub score: u64,
    /// True when redis-cli's initial assignment scored above 0, so a search for a better one ran.
    pub searched: bool,
    /// Anti-affinity score of redis-cli's initial assignment.
    pub initial_score: u64,
}

/// One master of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedMaster {
    /// Index of the node in the slice given to [`plan_create`].
    pub node: usize,
    /// The slots this master serves.
    pub slots: SlotRange,
}

/// One replica of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedReplica {
    /// Index of the node in the slice given to [`plan_create`].
    pub node: usize,
    /// Index of its master in [`CreatePlan::masters`].
    pub master: usize,
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
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

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::TooFewMasters {
                nodes,
                replicas,
                needed,
            } => write!(
                f,
                "Redis Cluster requires at least 3 master nodes. This is not possible with \
                 {nodes} nodes and {replicas} replicas per node. At least {needed} nodes are \
                 required."
            ),
            PlanError::TooManyMasters { masters, max } => write!(
                f,
                "Redis Cluster supports at most {max} master nodes (one hash slot each); these \
                 nodes would make {masters} masters. Use fewer nodes or more replicas per node."
            ),
        }
    }
}

impl std::error::Error for PlanError {}

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
pub fn slot_ranges(masters: usize) -> Vec<SlotRange> {
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
pub fn anti_affinity_score(
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
pub fn master_count(nodes: usize, replicas: usize) -> Result<usize, PlanError> {
    let group = replicas.saturating_add(1);
    let master_count = nodes / group;
    if master_count < 3 {
        return Err(PlanError::TooFewMasters {
            nodes,
            replicas,
            needed: group.saturating_mul(3),
        });
    }
    if master_count > usize::from(SLOT_COUNT) {
        return Err(PlanError::TooManyMasters {
            masters: master_count,
            max: usize::from(SLOT_COUNT),
        });
    }
    Ok(master_count)
}

/// Plans the creation of a cluster from `nodes` (validated, empty) with `replicas` replicas per
/// master: the masters and slots redis-cli would choose, and a deterministic replica placement
/// at least as good as redis-cli's (see the module documentation).
pub fn plan_create(nodes: &[CreateNode], replicas: usize) -> Result<CreatePlan, PlanError> {
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

/// The placement problem in host ids. Masters and candidates are numbered in interleaved
/// order.
struct Problem {
    /// Host id of each master.
    master_host: Vec<usize>,
    /// Replicas each master receives: `R` plus its share of the leftover nodes.
    demand: Vec<usize>,
    /// Host id of each replica candidate.
    cand_host: Vec<usize>,
    /// Number of candidates on each host id.
    supply: Vec<usize>,
    /// The requested replicas per master.
    replicas: usize,
}

impl Problem {
    fn new(host_of: &[usize], masters: &[usize], cands: &[usize], replicas: usize) -> Self {
        let hosts = host_of.iter().max().map_or(0, |&h| h + 1);
        let m = masters.len();
        let extra = cands.len() - m * replicas;
        let demand = (0..m)
            .map(|i| replicas + extra / m + usize::from(i < extra % m))
            .collect();
        let cand_host: Vec<usize> = cands.iter().map(|&n| host_of[n]).collect();
        let mut supply = vec![0; hosts];
        for &h in &cand_host {
            supply[h] += 1;
        }
        Problem {
            master_host: masters.iter().map(|&n| host_of[n]).collect(),
            demand,
            cand_host,
            supply,
            replicas,
        }
    }

    fn masters(&self) -> usize {
        self.master_host.len()
    }

    fn hosts(&self) -> usize {
        self.supply.len()
    }

    /// Cost of `k` replicas of master `i` on host `h`.
    fn cost(&self, i: usize, h: usize, k: usize) -> u64 {
        group_cost(self.master_host[i] == h, k as u64)
    }

    /// True when `k >= 1` replicas of master `i` on host `h` count in the score.
    fn offending(&self, i: usize, h: usize, k: usize) -> bool {
        self.master_host[i] == h || k >= 2
    }
}

/// redis-cli's initial assignment (master index of each candidate), with its extra round
/// repeated until every candidate has a master.
fn redis_initial(p: &Problem) -> Vec<usize> {
    let t = p.cand_host.len();
    let mut owner = vec![usize::MAX; t];
    if t == 0 {
        return owner;
    }
    // The candidate list rotated left by one.
    let list: Vec<usize> = (1..t).chain([0]).collect();
    let mut taken = vec![false; t];
    let mut start = 0;
    let mut available = t;
    let mut take = |i: usize, start: &mut usize, available: &mut usize| {
        while taken[*start] {
            *start += 1;
        }
        let pos = (*start..t)
            .find(|&pos| !taken[pos] && p.cand_host[list[pos]] != p.master_host[i])
            .unwrap_or(*start);
        taken[pos] = true;
        owner[list[pos]] = i;
        *available -= 1;
    };
    for i in 0..p.masters() {
        for _ in 0..p.replicas {
            if available == 0 {
                break;
            }
            take(i, &mut start, &mut available);
        }
    }
    while available > 0 {
        for i in 0..p.masters() {
            if available == 0 {
                break;
            }
            take(i, &mut start, &mut available);
        }
    }
    owner
}

/// An assignment as counts: for each master, its hosts with how many of its replicas are
/// there, plus the score. Rows live in one flat array (cheap to copy).
#[derive(Clone)]
struct Assign {
    /// Row capacity: the largest demand (a row never has more entries than its demand).
    stride: usize,
    /// Entries used in each row.
    lens: Vec<usize>,
    /// `(host, count)` entries, `count > 0`.
    cells: Vec<(usize, usize)>,
    /// Anti-affinity score.
    score: u64,
}

impl Assign {
    fn empty(p: &Problem) -> Self {
        let stride = p.demand.iter().copied().max().unwrap_or(0).max(1);
        Assign {
            stride,
            lens: vec![0; p.masters()],
            // One spare cell: `inc` looks one past a full last row.
            cells: vec![(0, 0); stride * p.masters() + 1],
            score: 0,
        }
    }

    fn from_owners(p: &Problem, owner: &[usize]) -> Self {
        let mut a = Assign::empty(p);
        for (c, &i) in owner.iter().enumerate() {
            a.place(p, i, p.cand_host[c]);
        }
        a
    }

    fn row(&self, i: usize) -> &[(usize, usize)] {
        let base = i * self.stride;
        &self.cells[base..base + self.lens[i]]
    }

    fn count(&self, i: usize, h: usize) -> usize {
        let row = self.row(i);
        row.binary_search_by_key(&h, |c| c.0)
            .map_or(0, |pos| row[pos].1)
    }

    /// Adds one replica of master `i` on host `h`, without touching the score. Rows stay
    /// sorted by host.
    fn inc(&mut self, i: usize, h: usize) {
        let base = i * self.stride;
        let len = self.lens[i];
        let row = &mut self.cells[base..base + len + 1];
        match row[..len].binary_search_by_key(&h, |c| c.0) {
            Ok(pos) => row[pos].1 += 1,
            Err(pos) => {
                row.copy_within(pos..len, pos + 1);
                row[pos] = (h, 1);
                self.lens[i] += 1;
            }
        }
    }

    /// Removes one replica of master `i` on host `h` (which must be there), without touching
    /// the score.
    fn dec(&mut self, i: usize, h: usize) {
        let base = i * self.stride;
        let len = self.lens[i];
        let row = &mut self.cells[base..base + len];
        let pos = row
            .binary_search_by_key(&h, |c| c.0)
            .expect("replica to remove is assigned");
        row[pos].1 -= 1;
        if row[pos].1 == 0 {
            row.copy_within(pos + 1..len, pos);
            self.lens[i] -= 1;
        }
    }

    /// Adds one replica of master `i` on host `h`, updating the score.
    fn place(&mut self, p: &Problem, i: usize, h: usize) {
        let k = self.count(i, h);
        self.score = self.score - p.cost(i, h, k) + p.cost(i, h, k + 1);
        self.inc(i, h);
    }

    /// Score change of exchanging the masters of a replica of `i` on host `a` and a replica of
    /// `j` on host `b` (`i != j`, `a != b`, both replicas present).
    fn swap_delta(&self, p: &Problem, i: usize, a: usize, j: usize, b: usize) -> i64 {
        let change = |m: usize, h: usize, from: usize, to: usize| {
            p.cost(m, h, to) as i64 - p.cost(m, h, from) as i64
        };
        let (ia, ib) = (self.count(i, a), self.count(i, b));
        let (jb, ja) = (self.count(j, b), self.count(j, a));
        change(i, a, ia, ia - 1)
            + change(i, b, ib, ib + 1)
            + change(j, b, jb, jb - 1)
            + change(j, a, ja, ja + 1)
    }

    fn swap(&mut self, i: usize, a: usize, j: usize, b: usize, delta: i64) {
        self.dec(i, a);
        self.inc(i, b);
        self.dec(j, b);
        self.inc(j, a);
        self.score = self.score.wrapping_add_signed(delta);
    }

    fn is_offending(&self, p: &Problem, i: usize) -> bool {
        self.row(i).iter().any(|&(h, k)| p.offending(i, h, k))
    }
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

/// A score no assignment can beat, with the flow of single replicas behind it.
///
/// When one host's candidates plus the demand of its masters exceed the number of candidates
/// (a dominant host), `excess` replicas must sit with their master, every master elsewhere is
/// filled from that host, and the dominant host's masters take all the other candidates, of
/// which at most the max flow of singles (one per master and host) escape grouping. Otherwise
/// no replica needs its master's host, and every replica that is not the only one of its
/// master on its host costs 1: the score is at least the candidates minus the max flow of
/// singles (a master with more replicas than other hosts keeps at most one host fewer).
fn lower_bound(p: &Problem) -> (u64, Singles) {
    let t = p.cand_host.len();
    let mut host_demand = vec![0; p.hosts()];
    for (i, &h) in p.master_host.iter().enumerate() {
        host_demand[h] += p.demand[i];
    }
    let dominant = (0..p.hosts())
        .map(|h| (p.supply[h] + host_demand[h], h))
        .max()
        .filter(|&(load, _)| load > t);
    match dominant {
        Some((load, host)) => {
            let forced: u64 = (0..p.masters())
                .filter(|&i| p.master_host[i] != host && p.demand[i] >= 2)
                .map(|i| p.demand[i] as u64)
                .sum();
            let singles = Singles::new(p, Some((host, load - t)));
            let grouped = (t - p.supply[host] - singles.value) as u64;
            // The groups count only while the own-host count is minimal: one more replica on
            // its master's host would cost 10000 (matters only with 10000+ candidates).
            let groups = (forced + grouped).min(OWN_HOST_WEIGHT);
            (OWN_HOST_WEIGHT * (load - t) as u64 + groups, singles)
        }
        None => {
            let singles = Singles::new(p, None);
            let groups = ((t - singles.value) as u64).min(OWN_HOST_WEIGHT);
            (groups, singles)
        }
    }
}

/// Masters of one host with one demand.
struct Kind {
    host: usize,
    masters: Vec<usize>,
}

/// Max flow of single replicas: each master takes at most one replica per host, none on its own
/// host. Masters are grouped by host and demand; a group of `n` masters sends at most `n`
/// replicas to a host, so dealing a group's replicas host by host round-robin over its masters
/// gives every master distinct hosts.
struct Singles {
    kinds: Vec<Kind>,
    graph: FlowGraph,
    /// `(kind, host, edge)` for every kind-to-host edge.
    edges: Vec<(usize, usize, usize)>,
    value: usize,
}

impl Singles {
    /// Over every master and host, or (with a dominant host and its excess) over that host's
    /// masters and the other hosts.
    ///
    /// A master with more replicas than other hosts (`c > d`) has at most `d - 1` singles
    /// unless `c - d` of its replicas sit on its own host; only the dominant host's excess can
    /// sit there, which bounds how many masters get the extra single.
    fn new(p: &Problem, dominant: Option<(usize, usize)>) -> Self {
        let dominant_host = dominant.map(|(host, _)| host);
        let excess = dominant.map_or(0, |(_, excess)| excess);
        let hosts: Vec<usize> = (0..p.hosts())
            .filter(|&h| p.supply[h] > 0 && Some(h) != dominant_host)
            .collect();
        let mut kinds: Vec<Kind> = Vec::new();
        let mut kind_of: HashMap<(usize, usize), usize> = HashMap::new();
        // Per kind: (other hosts, demand).
        let mut shapes = Vec::new();
        for i in 0..p.masters() {
            if dominant_host.is_some_and(|d| p.master_host[i] != d) {
                continue;
            }
            let key = (p.master_host[i], p.demand[i]);
            let k = *kind_of.entry(key).or_insert(kinds.len());
            if k == kinds.len() {
                shapes.push((hosts.len() - usize::from(hosts.contains(&key.0)), key.1));
                kinds.push(Kind {
                    host: key.0,
                    masters: Vec::new(),
                });
            }
            kinds[k].masters.push(i);
        }
        let min_gap = shapes
            .iter()
            .filter(|&&(d, c)| c > d)
            .map(|&(d, c)| c - d)
            .min();
        let (source, sink, bonus) = (0, 1, 2);
        let first_kind = 3;
        let first_host = first_kind + kinds.len();
        let mut graph = FlowGraph::new(first_host + hosts.len());
        if let Some(gap) = min_gap {
            graph.add_edge(source, bonus, excess / gap);
        }
        let mut edges = Vec::new();
        for (k, kind) in kinds.iter().enumerate() {
            let n = kind.masters.len();
            let (d, c) = shapes[k];
            if c > d {
                graph.add_edge(source, first_kind + k, n * d.saturating_sub(1));
                graph.add_edge(bonus, first_kind + k, n);
            } else {
                graph.add_edge(source, first_kind + k, n * c);
            }
            for (x, &h) in hosts.iter().enumerate() {
                if h != kind.host {
                    let e = graph.add_edge(first_kind + k, first_host + x, n);
                    edges.push((k, h, e));
                }
            }
        }
        for (x, &h) in hosts.iter().enumerate() {
            graph.add_edge(first_host + x, sink, p.supply[h]);
        }
        let value = graph.max_flow(source, sink);
        Singles {
            kinds,
            graph,
            edges,
            value,
        }
    }

    /// The zero-score assignment, when the flow (without a dominant host) places every
    /// candidate.
    fn zero_score_assignment(&self, p: &Problem) -> Option<Assign> {
        if self.value < p.cand_host.len() {
            return None;
        }
        let mut a = Assign::empty(p);
        let mut dealt = vec![0; self.kinds.len()];
        for &(k, h, e) in &self.edges {
            let masters = &self.kinds[k].masters;
            for _ in 0..self.graph.flow(e) {
                a.place(p, masters[dealt[k] % masters.len()], h);
                dealt[k] += 1;
            }
        }
        debug_assert_eq!(a.score, 0);
        Some(a)
    }
}

/// Greedy fill, host by host, the host with the most candidates plus own-master demand first.
/// A candidate goes to the master where it adds the least to the score, preferring the master
/// with the most replicas still to receive, then the one whose own host has the most candidates
/// left (it cannot take those). A host that would otherwise become dominant is served first,
/// which keeps the number of replicas sharing their master's host at its minimum.
fn greedy(p: &Problem) -> Assign {
    let mut a = Assign::empty(p);
    let mut rem_demand = p.demand.clone();
    let mut rem_supply = p.supply.clone();
    let mut host_demand = vec![0; p.hosts()];
    for (i, &h) in p.master_host.iter().enumerate() {
        host_demand[h] += p.demand[i];
    }
    let mut remaining = p.cand_host.len();
    while remaining > 0 {
        let Some(h) = (0..p.hosts())
            .filter(|&h| rem_supply[h] > 0)
            .max_by_key(|&h| (rem_supply[h] + host_demand[h], Reverse(h)))
        else {
            break;
        };
        while rem_supply[h] > 0 {
            let tight =
                (0..p.hosts()).find(|&x| x != h && rem_supply[x] + host_demand[x] >= remaining);
            let marginal = |i: usize| {
                let k = a.count(i, h);
                p.cost(i, h, k + 1) - p.cost(i, h, k)
            };
            let Some(i) = (0..p.masters())
                .filter(|&i| rem_demand[i] > 0 && tight.is_none_or(|x| p.master_host[i] == x))
                .min_by_key(|&i| {
                    (
                        marginal(i),
                        Reverse(rem_demand[i]),
                        Reverse(rem_supply[p.master_host[i]]),
                        i,
                    )
                })
            else {
                break;
            };
            a.place(p, i, h);
            rem_demand[i] -= 1;
            rem_supply[h] -= 1;
            host_demand[p.master_host[i]] -= 1;
            remaining -= 1;
        }
    }
    a
}

/// Masters grouped by host and row: members of a class are interchangeable. `order` lists
/// the masters class by class (each class in master order), class `c` being
/// `order[bounds[c]..bounds[c + 1]]`; classes are ordered by their first member.
struct Classes {
    order: Vec<usize>,
    bounds: Vec<usize>,
}

impl Classes {
    fn new(p: &Problem, a: &Assign) -> Self {
        let mut order: Vec<usize> = (0..p.masters()).collect();
        order.sort_by(|&x, &y| {
            (p.master_host[x], a.row(x), x).cmp(&(p.master_host[y], a.row(y), y))
        });
        let mut bounds = vec![0];
        for k in 1..order.len() {
            let (x, y) = (order[k - 1], order[k]);
            if p.master_host[x] != p.master_host[y] || a.row(x) != a.row(y) {
                bounds.push(k);
            }
        }
        bounds.push(order.len());
        let mut spans: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        spans.sort_by_key(|&(start, _)| order[start]);
        let mut sorted = Vec::with_capacity(order.len());
        let mut new_bounds = vec![0];
        for (start, end) in spans {
            sorted.extend_from_slice(&order[start..end]);
            new_bounds.push(sorted.len());
        }
        Classes {
            order: sorted,
            bounds: new_bounds,
        }
    }

    /// One member of each class, avoiding the masters in `not` when the class has another.
    fn representatives<'s>(&'s self, not: &'s [usize]) -> impl Iterator<Item = usize> + 's {
        self.bounds.windows(2).filter_map(move |w| {
            self.order[w[0]..w[1]]
                .iter()
                .copied()
                .find(|m| !not.contains(m))
        })
    }
}

/// Bound on the score evaluations of the exchange-of-three search (it is quadratic in the
/// number of master classes; in large layouts with many distinct masters the walk takes over).
const CYCLE_EVALUATIONS: usize = 4_000_000;

/// Strict-improvement hill-climbing until no move lowers the score (or `bound` is reached):
/// first exchanges of the masters of two replicas, then, when none helps, exchanges among three
/// replicas (one master's replica goes to a second master, whose replica goes to a third, whose
/// replica goes to the first), which escape the states where every two-way exchange would put
/// a replica on its master's host. The scan resumes where the last move was found.
fn hill_climb(p: &Problem, a: &mut Assign, bound: u64) {
    let mut budget = CYCLE_EVALUATIONS;
    let mut cycles = false;
    let mut cursor = 0;
    while a.score > bound {
        let classes = Classes::new(p, a);
        let budget = cycles.then_some(&mut budget);
        match improve_once(p, a, &classes, cursor, budget) {
            Some(at) => {
                cursor = at;
                cycles = false;
            }
            None if cycles => return,
            None => cycles = true,
        }
    }
}

/// Applies the first improving move found for an offending group, scanning the classes from
/// the one whose first member is `cursor` (or the next) round to it; with `cycle_budget`,
/// moves of three replicas, else of two. Returns the master the move started from.
fn improve_once(
    p: &Problem,
    a: &mut Assign,
    classes: &Classes,
    cursor: usize,
    mut cycle_budget: Option<&mut usize>,
) -> Option<usize> {
    let reps: Vec<usize> = classes.representatives(&[]).collect();
    let start = reps.partition_point(|&i| i < cursor);
    for &i in reps[start..].iter().chain(&reps[..start]) {
        for e in 0..a.lens[i] {
            let (h, k) = a.row(i)[e];
            if !p.offending(i, h, k) {
                continue;
            }
            let found = match cycle_budget.as_deref_mut() {
                None => improving_swap(p, a, classes, i, h),
                Some(budget) => improving_cycle(p, a, classes, i, h, budget),
            };
            if found {
                return Some(i);
            }
        }
    }
    None
}

/// Applies the first exchange of a replica of `i` on host `h` with another master's replica on
/// another host that lowers the score.
fn improving_swap(p: &Problem, a: &mut Assign, classes: &Classes, i: usize, h: usize) -> bool {
    for j in classes.representatives(&[i]).filter(|&j| j != i) {
        for e in 0..a.lens[j] {
            let b = a.row(j)[e].0;
            if b != h {
                let delta = a.swap_delta(p, i, h, j, b);
                if delta < 0 {
                    a.swap(i, h, j, b, delta);
                    return true;
                }
            }
        }
    }
    false
}

/// Applies the first three-way exchange starting with a replica of `i` on host `h` that lowers
/// the score: `i` gives `h` to `j` and takes `j`'s `b`, then gives `b` to `k` and takes `k`'s
/// `c`.
fn improving_cycle(
    p: &Problem,
    a: &mut Assign,
    classes: &Classes,
    i: usize,
    h: usize,
    budget: &mut usize,
) -> bool {
    let js: Vec<usize> = classes.representatives(&[i]).filter(|&j| j != i).collect();
    for j in js {
        let bs: Vec<usize> = a.row(j).iter().map(|c| c.0).filter(|&b| b != h).collect();
        for b in bs {
            let first = a.swap_delta(p, i, h, j, b);
            a.swap(i, h, j, b, first);
            for k in classes
                .representatives(&[i, j])
                .filter(|&k| k != i && k != j)
            {
                for e in 0..a.lens[k] {
                    if *budget == 0 {
                        a.swap(j, h, i, b, -first);
                        return false;
                    }
                    *budget -= 1;
                    let c = a.row(k)[e].0;
                    if c != b {
                        let second = a.swap_delta(p, i, b, k, c);
                        if first + second < 0 {
                            a.swap(i, b, k, c, second);
                            return true;
                        }
                    }
                }
            }
            a.swap(j, h, i, b, -first);
        }
    }
    false
}

/// Dinic's max flow on a small graph.
struct FlowGraph {
    adj: Vec<Vec<usize>>,
    to: Vec<usize>,
    cap: Vec<usize>,
    original: Vec<usize>,
}

impl FlowGraph {
    fn new(nodes: usize) -> Self {
        FlowGraph {
            adj: vec![Vec::new(); nodes],
            to: Vec::new(),
            cap: Vec::new(),
            original: Vec::new(),
        }
    }

    /// Adds `u -> v` with capacity `cap` and returns the edge id.
    fn add_edge(&mut self, u: usize, v: usize, cap: usize) -> usize {
        let id = self.to.len();
        self.adj[u].push(id);
        self.to.push(v);
        self.cap.push(cap);
        self.original.push(cap);
        self.adj[v].push(id + 1);
        self.to.push(u);
        self.cap.push(0);
        self.original.push(0);
        id
    }

    /// Flow on edge `id` after [`FlowGraph::max_flow`].
    fn flow(&self, id: usize) -> usize {
        self.original[id] - self.cap[id]
    }

    fn max_flow(&mut self, source: usize, sink: usize) -> usize {
        let n = self.adj.len();
        let mut total = 0;
        loop {
            let mut level = vec![usize::MAX; n];
            level[source] = 0;
            let mut queue = std::collections::VecDeque::from([source]);
            while let Some(u) = queue.pop_front() {
                for &e in &self.adj[u] {
                    let v = self.to[e];
                    if self.cap[e] > 0 && level[v] == usize::MAX {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[sink] == usize::MAX {
                return total;
            }
            let mut next = vec![0; n];
            loop {
                let pushed = self.augment(source, sink, usize::MAX, &level, &mut next);
                if pushed == 0 {
                    break;
                }
                total += pushed;
            }
        }
    }

    fn augment(
        &mut self,
        u: usize,
        sink: usize,
        limit: usize,
        level: &[usize],
        next: &mut [usize],
    ) -> usize {
        if u == sink {
            return limit;
        }
        while next[u] < self.adj[u].len() {
            let e = self.adj[u][next[u]];
            let v = self.to[e];
            if self.cap[e] > 0 && level[v] == level[u] + 1 {
                let pushed = self.augment(v, sink, limit.min(self.cap[e]), level, next);
                if pushed > 0 {
                    self.cap[e] -= pushed;
                    self.cap[e ^ 1] += pushed;
                    return pushed;
                }
            }
            next[u] += 1;
        }
        0
    }
}

/// SplitMix64: a tiny deterministic generator for the walk.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One walk of the search: redis-cli's walk (pick an offending group, exchange the master of
/// one of its replicas with the master of a random replica, keep the exchange unless the score
/// rose) with a fixed seed, optionally with three-way exchanges and with annealing.
struct Walk {
    /// Seed of the walk's SplitMix64.
    seed: u64,
    /// Half the moves are three-way exchanges (`i` gives a replica's host to `j`, `j` to `k`,
    /// `k` to `i`).
    cycles: bool,
    /// A rise of `delta` (below 10000: never one more replica on its master's host) is
    /// accepted with probability `2^-(delta * s)`, `s` going 1, 2, 3, 4 over the first four
    /// fifths of the walk; no rise in the last fifth (nor at all without annealing).
    anneal: bool,
}

/// The walks run one after the other from the best assignment so far, each keeping the best it
/// sees: they find different improvements, and neither alone is as reliable.
const WALKS: [Walk; 2] = [
    Walk {
        seed: WALK_SEED,
        cycles: true,
        anneal: false,
    },
    Walk {
        seed: WALK_SEED ^ 0xA11E_A1ED,
        cycles: false,
        anneal: true,
    },
];

impl Walk {
    /// Runs `iterations` steps (fewer when `bound` is reached) from `a`; returns the best
    /// assignment seen.
    fn run(&self, p: &Problem, mut a: Assign, bound: u64, iterations: usize) -> Assign {
        let t = p.cand_host.len();
        let mut starts = Vec::with_capacity(p.masters() + 1);
        let mut sum = 0;
        for &d in &p.demand {
            starts.push(sum);
            sum += d;
        }
        // Masters with an offending group, and each master's position in that list.
        let mut offenders: Vec<usize> = Vec::new();
        let mut position = vec![usize::MAX; p.masters()];
        let refresh =
            |a: &Assign, i: usize, offenders: &mut Vec<usize>, position: &mut [usize]| match (
                a.is_offending(p, i),
                position[i] != usize::MAX,
            ) {
                (true, false) => {
                    position[i] = offenders.len();
                    offenders.push(i);
                }
                (false, true) => {
                    let at = position[i];
                    offenders.swap_remove(at);
                    if let Some(&moved) = offenders.get(at) {
                        position[moved] = at;
                    }
                    position[i] = usize::MAX;
                }
                _ => {}
            };
        for i in 0..p.masters() {
            refresh(&a, i, &mut offenders, &mut position);
        }
        let mut best = a.clone();
        let mut rng = SplitMix64(self.seed);
        // A random replica: uniform over all replica slots.
        let sample = |a: &Assign, rng: &mut SplitMix64| -> Option<(usize, usize)> {
            let slot = rng.below(t);
            let j = starts.partition_point(|&s| s <= slot) - 1;
            let mut offset = slot - starts[j];
            for &(host, k) in a.row(j) {
                if offset < k {
                    return Some((j, host));
                }
                offset -= k;
            }
            None
        };
        for step in 0..iterations {
            if best.score <= bound || offenders.is_empty() {
                break;
            }
            let strictness = if self.anneal {
                1 + step * WALK_PHASES / iterations
            } else {
                WALK_PHASES
            };
            let accept = |delta: i64, rng: &mut SplitMix64| {
                delta <= 0
                    || (strictness < WALK_PHASES
                        && delta < OWN_HOST_WEIGHT as i64
                        && rng.next() & ((1u64 << (delta as usize * strictness).min(63)) - 1) == 0)
            };
            let i = offenders[rng.below(offenders.len())];
            let offending = a.row(i).iter().filter(|&&(h, k)| p.offending(i, h, k));
            let pick = rng.below(offending.clone().count());
            let Some(&(h, _)) = offending.clone().nth(pick) else {
                continue;
            };
            let Some((j, b)) = sample(&a, &mut rng) else {
                continue;
            };
            if j == i || b == h {
                continue;
            }
            let first = a.swap_delta(p, i, h, j, b);
            let cycle = self.cycles && rng.below(2) == 0;
            if !cycle {
                if !accept(first, &mut rng) {
                    continue;
                }
                a.swap(i, h, j, b, first);
            } else {
                // Three-way: `i` gives `h` to `j` and takes `j`'s `b`, then gives `b` to `k` and
                // takes `k`'s `c`.
                let Some((k, c)) = sample(&a, &mut rng) else {
                    continue;
                };
                if k == i || k == j || c == b {
                    continue;
                }
                a.swap(i, h, j, b, first);
                let second = a.swap_delta(p, i, b, k, c);
                if !accept(first + second, &mut rng) {
                    a.swap(j, h, i, b, -first);
                    continue;
                }
                a.swap(i, b, k, c, second);
                refresh(&a, k, &mut offenders, &mut position);
            }
            refresh(&a, i, &mut offenders, &mut position);
            refresh(&a, j, &mut offenders, &mut position);
            if a.score < best.score {
                best = a.clone();
            }
        }
        best
    }
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
