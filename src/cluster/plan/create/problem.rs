//! The placement problem in host ids, and an assignment of replicas to masters as counts
//! per host (what the search works on); redis-cli's initial assignment.

use super::*;

/// The placement problem in host ids. Masters and candidates are numbered in interleaved
/// order.
pub(super) struct Problem {
    /// Host id of each master.
    pub(super) master_host: Vec<usize>,
    /// Replicas each master receives: `R` plus its share of the leftover nodes.
    pub(super) demand: Vec<usize>,
    /// Host id of each replica candidate.
    pub(super) cand_host: Vec<usize>,
    /// Number of candidates on each host id.
    pub(super) supply: Vec<usize>,
    /// The requested replicas per master.
    pub(super) replicas: usize,
}

impl Problem {
    pub(super) fn new(
        host_of: &[usize],
        masters: &[usize],
        cands: &[usize],
        replicas: usize,
    ) -> Self {
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

    pub(super) fn masters(&self) -> usize {
        self.master_host.len()
    }

    pub(super) fn hosts(&self) -> usize {
        self.supply.len()
    }

    /// Cost of `k` replicas of master `i` on host `h`.
    pub(super) fn cost(&self, i: usize, h: usize, k: usize) -> u64 {
        group_cost(self.master_host[i] == h, k as u64)
    }

    /// True when `k >= 1` replicas of master `i` on host `h` count in the score.
    pub(super) fn offending(&self, i: usize, h: usize, k: usize) -> bool {
        self.master_host[i] == h || k >= 2
    }
}

/// redis-cli's initial assignment (master index of each candidate), with its extra round
/// repeated until every candidate has a master.
pub(super) fn redis_initial(p: &Problem) -> Vec<usize> {
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
pub(super) struct Assign {
    /// Row capacity: the largest demand (a row never has more entries than its demand).
    pub(super) stride: usize,
    /// Entries used in each row.
    pub(super) lens: Vec<usize>,
    /// `(host, count)` entries, `count > 0`.
    pub(super) cells: Vec<(usize, usize)>,
    /// Anti-affinity score.
    pub(super) score: u64,
}

impl Assign {
    pub(super) fn empty(p: &Problem) -> Self {
        let stride = p.demand.iter().copied().max().unwrap_or(0).max(1);
        Assign {
            stride,
            lens: vec![0; p.masters()],
            // One spare cell: `inc` looks one past a full last row.
            cells: vec![(0, 0); stride * p.masters() + 1],
            score: 0,
        }
    }

    pub(super) fn from_owners(p: &Problem, owner: &[usize]) -> Self {
        let mut a = Assign::empty(p);
        for (c, &i) in owner.iter().enumerate() {
            a.place(p, i, p.cand_host[c]);
        }
        a
    }

    pub(super) fn row(&self, i: usize) -> &[(usize, usize)] {
        let base = i * self.stride;
        &self.cells[base..base + self.lens[i]]
    }

    pub(super) fn count(&self, i: usize, h: usize) -> usize {
        let row = self.row(i);
        row.binary_search_by_key(&h, |c| c.0)
            .map_or(0, |pos| row[pos].1)
    }

    /// Adds one replica of master `i` on host `h`, without touching the score. Rows stay
    /// sorted by host.
    pub(super) fn inc(&mut self, i: usize, h: usize) {
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
    pub(super) fn dec(&mut self, i: usize, h: usize) {
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
    pub(super) fn place(&mut self, p: &Problem, i: usize, h: usize) {
        let k = self.count(i, h);
        self.score = self.score - p.cost(i, h, k) + p.cost(i, h, k + 1);
        self.inc(i, h);
    }

    /// Score change of exchanging the masters of a replica of `i` on host `a` and a replica of
    /// `j` on host `b` (`i != j`, `a != b`, both replicas present).
    pub(super) fn swap_delta(&self, p: &Problem, i: usize, a: usize, j: usize, b: usize) -> i64 {
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

    pub(super) fn swap(&mut self, i: usize, a: usize, j: usize, b: usize, delta: i64) {
        self.dec(i, a);
        self.inc(i, b);
        self.dec(j, b);
        self.inc(j, a);
        self.score = self.score.wrapping_add_signed(delta);
    }

    pub(super) fn is_offending(&self, p: &Problem, i: usize) -> bool {
        self.row(i).iter().any(|&(h, k)| p.offending(i, h, k))
    }
}
