//! The lower bound of the score: a max flow of single replicas (one per master and host,
//! none on its master's host), plus the groups a dominant host forces.

use super::*;

/// A score no assignment can beat, with the flow of single replicas behind it.
///
/// When one host's candidates plus the demand of its masters exceed the number of candidates
/// (a dominant host), `excess` replicas must sit with their master, every master elsewhere is
/// filled from that host, and the dominant host's masters take all the other candidates, of
/// which at most the max flow of singles (one per master and host) escape grouping. Otherwise
/// no replica needs its master's host, and every replica that is not the only one of its
/// master on its host costs 1: the score is at least the candidates minus the max flow of
/// singles (a master with more replicas than other hosts keeps at most one host fewer).
pub(super) fn lower_bound(p: &Problem) -> (u64, Singles) {
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
pub(super) struct Kind {
    pub(super) host: usize,
    pub(super) masters: Vec<usize>,
}

/// Max flow of single replicas: each master takes at most one replica per host, none on its own
/// host. Masters are grouped by host and demand; a group of `n` masters sends at most `n`
/// replicas to a host, so dealing a group's replicas host by host round-robin over its masters
/// gives every master distinct hosts.
pub(super) struct Singles {
    pub(super) kinds: Vec<Kind>,
    pub(super) graph: FlowGraph,
    /// `(kind, host, edge)` for every kind-to-host edge.
    pub(super) edges: Vec<(usize, usize, usize)>,
    pub(super) value: usize,
}

impl Singles {
    /// Over every master and host, or (with a dominant host and its excess) over that host's
    /// masters and the other hosts.
    ///
    /// A master with more replicas than other hosts (`c > d`) has at most `d - 1` singles
    /// unless `c - d` of its replicas sit on its own host; only the dominant host's excess can
    /// sit there, which bounds how many masters get the extra single.
    pub(super) fn new(p: &Problem, dominant: Option<(usize, usize)>) -> Self {
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
    pub(super) fn zero_score_assignment(&self, p: &Problem) -> Option<Assign> {
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

/// Dinic's max flow on a small graph.
pub(super) struct FlowGraph {
    pub(super) adj: Vec<Vec<usize>>,
    pub(super) to: Vec<usize>,
    pub(super) cap: Vec<usize>,
    pub(super) original: Vec<usize>,
}

impl FlowGraph {
    pub(super) fn new(nodes: usize) -> Self {
        FlowGraph {
            adj: vec![Vec::new(); nodes],
            to: Vec::new(),
            cap: Vec::new(),
            original: Vec::new(),
        }
    }

    /// Adds `u -> v` with capacity `cap` and returns the edge id.
    pub(super) fn add_edge(&mut self, u: usize, v: usize, cap: usize) -> usize {
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
    pub(super) fn flow(&self, id: usize) -> usize {
        self.original[id] - self.cap[id]
    }

    pub(super) fn max_flow(&mut self, source: usize, sink: usize) -> usize {
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

    pub(super) fn augment(
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
