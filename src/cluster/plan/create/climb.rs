//! The greedy start and the strict-gain hill-climbing (two-way and three-way exchanges).

use super::*;

/// Greedy fill, host by host, the host with the most candidates plus own-master demand first.
/// A candidate goes to the master where it adds the least to the score, preferring the master
/// with the most replicas still to receive, then the one whose own host has the most candidates
/// left (it cannot take those). A host that would otherwise become dominant is served first,
/// which keeps the number of replicas sharing their master's host at its minimum.
pub(super) fn greedy(p: &Problem) -> Assign {
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
pub(super) struct Classes {
    pub(super) order: Vec<usize>,
    pub(super) bounds: Vec<usize>,
}

impl Classes {
    pub(super) fn new(p: &Problem, a: &Assign) -> Self {
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
    pub(super) fn representatives<'s>(
        &'s self,
        not: &'s [usize],
    ) -> impl Iterator<Item = usize> + 's {
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
pub(super) const CYCLE_EVALUATIONS: usize = 4_000_000;

/// Strict-improvement hill-climbing until no move lowers the score (or `bound` is reached):
/// first exchanges of the masters of two replicas, then, when none helps, exchanges among three
/// replicas (one master's replica goes to a second master, whose replica goes to a third, whose
/// replica goes to the first), which escape the states where every two-way exchange would put
/// a replica on its master's host. The scan resumes where the last move was found.
pub(super) fn hill_climb(p: &Problem, a: &mut Assign, bound: u64) {
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
pub(super) fn improve_once(
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
pub(super) fn improving_swap(
    p: &Problem,
    a: &mut Assign,
    classes: &Classes,
    i: usize,
    h: usize,
) -> bool {
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
pub(super) fn improving_cycle(
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
