//! A Redis Cluster of child redis-servers, formed with raw commands (no
//! rcluster, no redis-cli).

use std::collections::{BTreeSet, HashMap};
use std::ffi::OsStr;
use std::ops::RangeInclusive;
use std::thread;
use std::time::{Duration, Instant};

use super::cli::{self, RunOutput};
use super::node::{Node, NodeOpts};
use super::nodes_conf::{NodeLine, merge_ranges};
use super::tls::TlsFiles;
use super::{SLOTS, key_slot, poll_until};

/// Upper bound for forming a cluster (it normally takes ~2.1 s, dominated by
/// redis' fixed 2 s CLUSTER_WRITABLE_DELAY before a fresh master reports ok).
pub const FORM_TIMEOUT: Duration = Duration::from_secs(20);
/// SETs sent per pipeline by [`TestCluster::populate`].
const POPULATE_BATCH: usize = 1000;

/// Splits the 16384 slots evenly over `masters`, exactly like
/// `redis-cli --cluster create` (0-5460, 5461-10922, 10923-16383 for 3).
pub fn even_slot_ranges(masters: usize) -> Vec<RangeInclusive<u16>> {
    assert!(masters > 0, "need at least one master");
    let per_node = f32::from(SLOTS) / masters as f32;
    let mut first: u16 = 0;
    let mut cursor = 0f32;
    (0..masters)
        .map(|i| {
            let mut last = (cursor + per_node - 1.0).round() as i64;
            if last > i64::from(SLOTS) || i == masters - 1 {
                last = i64::from(SLOTS) - 1;
            }
            let last = (last as u16).max(first);
            let range = first..=last;
            first = last + 1;
            cursor += per_node;
            range
        })
        .collect()
}

/// Ranges for a custom layout: consecutive runs of the given sizes from slot 0, one entry per
/// master (an entry of 0 is a master without slots); the sizes must add up to 16384.
pub fn consecutive_slot_ranges(sizes: &[u16]) -> Vec<Vec<RangeInclusive<u16>>> {
    assert_eq!(
        sizes.iter().map(|&s| usize::from(s)).sum::<usize>(),
        usize::from(SLOTS)
    );
    let mut first = 0u16;
    sizes
        .iter()
        .map(|&n| {
            if n == 0 {
                return vec![];
            }
            let range = first..=first + (n - 1);
            first += n;
            vec![range]
        })
        .collect()
}

/// Describes a test cluster to start (builder style).
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    replicas: usize,
    slots: Vec<Vec<RangeInclusive<u16>>>,
    hosts: Vec<String>,
    opts: NodeOpts,
    form: bool,
}

impl ClusterSpec {
    /// `masters` masters with even slot split, `replicas` replicas each.
    pub fn new(masters: usize, replicas: usize) -> Self {
        ClusterSpec {
            replicas,
            slots: even_slot_ranges(masters)
                .into_iter()
                .map(|r| vec![r])
                .collect(),
            hosts: Vec::new(),
            opts: NodeOpts::new(),
            form: true,
        }
    }

    /// Node options shared by every node (host is overridden by [`Self::hosts`]).
    pub fn opts(mut self, opts: NodeOpts) -> Self {
        self.opts = opts;
        self
    }

    /// Explicit slot ranges per master (one entry per master; may leave slots
    /// unassigned or give a master no slots at all).
    pub fn slots(mut self, slots: Vec<Vec<RangeInclusive<u16>>>) -> Self {
        assert!(!slots.is_empty(), "need at least one master");
        self.slots = slots;
        self
    }

    /// Bind addresses assigned round-robin to nodes (node i gets `hosts[i % len]`).
    pub fn hosts(mut self, hosts: &[&str]) -> Self {
        self.hosts = hosts.iter().map(|h| h.to_string()).collect();
        self
    }

    /// Only start the nodes (cluster-enabled, each knowing only itself).
    pub fn unformed(mut self) -> Self {
        self.form = false;
        self
    }

    /// Starts the nodes (in parallel) and forms the cluster.
    pub fn start(self) -> TestCluster {
        let started = Instant::now();
        let total = self.slots.len() * (1 + self.replicas);
        let node_opts: Vec<NodeOpts> = (0..total).map(|i| self.node_opts(i)).collect();
        let mut cluster = TestCluster {
            nodes: start_nodes(&node_opts),
            replicas: self.replicas,
            slots: self.slots,
            opts: self.opts,
            started_in: Duration::ZERO,
        };
        if self.form {
            cluster.form();
        }
        cluster.started_in = started.elapsed();
        cluster
    }

    fn node_opts(&self, i: usize) -> NodeOpts {
        match self.hosts.is_empty() {
            true => self.opts.clone(),
            false => self.opts.clone().host(&self.hosts[i % self.hosts.len()]),
        }
    }
}

/// Starts all nodes concurrently; if any fails, the others are killed and the
/// panic is propagated.
fn start_nodes(opts: &[NodeOpts]) -> Vec<Node> {
    thread::scope(|s| {
        let handles: Vec<_> = opts
            .iter()
            .map(|o| s.spawn(move || Node::start(o)))
            .collect();
        let mut nodes = Vec::new();
        let mut failure = None;
        for handle in handles {
            match handle.join() {
                Ok(node) => nodes.push(node),
                Err(payload) => failure = failure.or(Some(payload)),
            }
        }
        if let Some(payload) = failure {
            drop(nodes);
            std::panic::resume_unwind(payload);
        }
        nodes
    })
}

/// A running test cluster. Node layout: indices `0..masters` are the masters
/// (as formed); replica `k` of master `m` is `masters + m * replicas + k`.
/// All nodes are killed on drop.
#[derive(Debug)]
pub struct TestCluster {
    nodes: Vec<Node>,
    replicas: usize,
    slots: Vec<Vec<RangeInclusive<u16>>>,
    opts: NodeOpts,
    started_in: Duration,
}

impl TestCluster {
    /// `masters` x `replicas` cluster with an even slot split.
    pub fn start(masters: usize, replicas: usize, opts: NodeOpts) -> Self {
        ClusterSpec::new(masters, replicas).opts(opts).start()
    }

    /// Cluster with explicit slot ranges per master (uncovered slots allowed;
    /// then cluster_state stays `fail` unless full coverage is disabled).
    pub fn start_with_slots(
        slots: Vec<Vec<RangeInclusive<u16>>>,
        replicas: usize,
        opts: NodeOpts,
    ) -> Self {
        ClusterSpec::new(1, replicas)
            .slots(slots)
            .opts(opts)
            .start()
    }

    /// `n` cluster-enabled nodes that do not know each other (for `create`).
    pub fn start_unformed(n: usize, opts: NodeOpts) -> Self {
        ClusterSpec::new(n, 0).opts(opts).unformed().start()
    }

    /// Time spent starting the nodes and forming the cluster.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Number of masters as formed.
    pub fn masters(&self) -> usize {
        self.slots.len()
    }

    /// Node `i`.
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// All nodes.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// `"host:port"` of node `i`.
    pub fn addr(&self, i: usize) -> String {
        self.nodes[i].addr()
    }

    /// Addresses of all nodes.
    pub fn addrs(&self) -> Vec<String> {
        self.nodes.iter().map(Node::addr).collect()
    }

    /// Addresses of the masters as formed.
    pub fn master_addrs(&self) -> Vec<String> {
        (0..self.masters()).map(|i| self.addr(i)).collect()
    }

    /// Indices of the replicas of master `m` as formed.
    pub fn replicas_of(&self, m: usize) -> Vec<usize> {
        let first = self.masters() + m * self.replicas;
        (first..first + self.replicas).collect()
    }

    /// Master index a node was formed under (None for masters).
    pub fn formed_master_of(&self, i: usize) -> Option<usize> {
        (i >= self.masters()).then(|| (i - self.masters()) / self.replicas.max(1))
    }

    /// Slot ranges assigned to master `m` at formation.
    pub fn formed_slots(&self, m: usize) -> &[RangeInclusive<u16>] {
        &self.slots[m]
    }

    /// Base node options (auth/TLS) of the cluster.
    pub fn opts(&self) -> &NodeOpts {
        &self.opts
    }

    /// TLS files when the cluster runs TLS.
    pub fn tls(&self) -> Option<&TlsFiles> {
        self.opts.tls.as_deref()
    }

    /// SIGKILLs node `i` (e.g. to create a failed master).
    pub fn kill(&mut self, i: usize) {
        self.nodes[i].kill();
    }

    /// Indices of nodes not killed by the harness.
    pub fn alive(&self) -> Vec<usize> {
        (0..self.len())
            .filter(|&i| self.nodes[i].is_alive())
            .collect()
    }

    /// The nodes not killed by the harness.
    pub fn alive_nodes(&self) -> Vec<&Node> {
        self.nodes.iter().filter(|n| n.is_alive()).collect()
    }

    /// Indices of alive nodes that currently report `role:master`.
    pub fn live_masters(&self) -> Vec<usize> {
        self.alive()
            .into_iter()
            .filter(|&i| {
                self.nodes[i].info_field("replication", "role").as_deref() == Some("master")
            })
            .collect()
    }

    /// Runs redis-cli with this cluster's auth/TLS options prepended.
    pub fn redis_cli<I, S>(&self, args: I) -> RunOutput
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        cli::redis_cli(&self.opts, args)
    }

    /// `redis-cli --cluster check <addr(i)>`.
    pub fn redis_cli_check(&self, i: usize) -> RunOutput {
        self.redis_cli(["--cluster", "check", &self.addr(i)])
    }

    /// Node index owning each slot, per the first alive node's view.
    pub fn slot_owners(&self) -> Vec<Option<usize>> {
        let viewer = *self.alive().first().expect("no alive node");
        let by_addr: HashMap<String, usize> = (0..self.len()).map(|i| (self.addr(i), i)).collect();
        let mut owners = vec![None; usize::from(SLOTS)];
        for line in self.nodes[viewer].cluster_nodes() {
            let Some(&idx) = by_addr.get(&line.addr) else {
                continue;
            };
            for r in &line.slots {
                for s in r.clone() {
                    owners[usize::from(s)] = Some(idx);
                }
            }
        }
        owners
    }

    /// Slots served by each master (by formation index), per the first alive node's view.
    pub fn slot_counts(&self) -> Vec<usize> {
        let owners = self.slot_owners();
        (0..self.masters())
            .map(|m| owners.iter().filter(|o| **o == Some(m)).count())
            .collect()
    }

    /// Writes `n` keys `"{prefix}:{i}"` (value = key name) with pipelined SETs
    /// straight to each slot's owner. Keys hashing to unassigned slots are
    /// skipped; returns the keys written.
    pub fn populate(&self, n: usize, prefix: &str) -> Vec<String> {
        let owners = self.slot_owners();
        let mut per_node: HashMap<usize, Vec<String>> = HashMap::new();
        for i in 0..n {
            let key = format!("{prefix}:{i}");
            if let Some(owner) = owners[usize::from(key_slot(&key))] {
                per_node.entry(owner).or_default().push(key);
            }
        }
        thread::scope(|s| {
            for (&idx, keys) in &per_node {
                s.spawn(move || set_keys(&self.nodes[idx], keys));
            }
        });
        per_node.into_values().flatten().collect()
    }

    /// Sum of DBSIZE over the alive masters.
    pub fn total_keys(&self) -> u64 {
        self.live_masters()
            .into_iter()
            .map(|i| self.nodes[i].cmd_str(&["DBSIZE"]).parse::<u64>().unwrap())
            .sum()
    }

    /// Waits (up to [`FORM_TIMEOUT`]) until every alive node reports
    /// cluster_state:ok, knows every alive node (no handshake) and all alive
    /// nodes agree on the slot map. Use after rcluster changed the cluster.
    pub fn wait_cluster_ok(&self) {
        poll_until("cluster ok and consistent", FORM_TIMEOUT, || {
            self.check_consistent(true)
        });
    }

    /// Waits until all alive nodes agree on membership and slot map, without
    /// requiring cluster_state:ok (e.g. for uncovered-slot clusters).
    pub fn wait_consistent(&self) {
        poll_until("cluster consistent", FORM_TIMEOUT, || {
            self.check_consistent(false)
        });
    }

    /// ADDSLOTS(RANGE), SET-CONFIG-EPOCH, MEET, REPLICATE, then wait.
    fn form(&self) {
        for (m, ranges) in self.slots.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            self.nodes[m].add_slots(ranges);
        }
        for (i, node) in self.nodes.iter().enumerate() {
            node.cmd(&["CLUSTER", "SET-CONFIG-EPOCH", &(i + 1).to_string()]);
        }
        let first = &self.nodes[0];
        for node in &self.nodes[1..] {
            node.cmd(&["CLUSTER", "MEET", first.host(), &first.port().to_string()]);
        }
        poll_until("all nodes to meet", FORM_TIMEOUT, || {
            self.check_membership()
        });
        for m in 0..self.masters() {
            for r in self.replicas_of(m) {
                self.nodes[r].cmd(&["CLUSTER", "REPLICATE", self.nodes[m].id()]);
            }
        }
        poll_until("cluster to form", FORM_TIMEOUT, || self.check_formed());
    }

    /// Every node lists every node, none in handshake.
    fn check_membership(&self) -> Result<(), String> {
        let all: BTreeSet<&str> = self.nodes.iter().map(Node::id).collect();
        for node in &self.nodes {
            check_view_members(node, &node.cluster_nodes(), &all)?;
        }
        Ok(())
    }

    /// Membership, slots and roles as formed in every view; cluster_state ok
    /// when all slots are covered; replication links up.
    fn check_formed(&self) -> Result<(), String> {
        let all: BTreeSet<&str> = self.nodes.iter().map(Node::id).collect();
        let full = self.slots.iter().flatten().map(|r| r.len()).sum::<usize>() >= SLOTS.into();
        for node in &self.nodes {
            let view = node.cluster_nodes();
            check_view_members(node, &view, &all)?;
            self.check_view_layout(node, &view)?;
            if full {
                check_state_ok(node)?;
            }
        }
        for i in self.masters()..self.len() {
            let link = self.nodes[i].info_field("replication", "master_link_status");
            if link.as_deref() != Some("up") {
                return Err(format!("{}: master_link_status {link:?}", self.addr(i)));
            }
        }
        Ok(())
    }

    /// Slots and roles of one view match the formation plan.
    fn check_view_layout(&self, viewer: &Node, view: &[NodeLine]) -> Result<(), String> {
        let line_of = |i: usize| view.iter().find(|l| l.id == self.nodes[i].id()).unwrap();
        for m in 0..self.masters() {
            let line = line_of(m);
            if !line.is_master() || merge_ranges(&line.slots) != merge_ranges(&self.slots[m]) {
                return Err(format!("{} sees master {m} as {line:?}", viewer.addr()));
            }
        }
        for r in self.masters()..self.len() {
            let line = line_of(r);
            let master = self.formed_master_of(r).map(|m| self.nodes[m].id());
            if !line.is_replica() || line.master.as_deref() != master {
                return Err(format!("{} sees replica {r} as {line:?}", viewer.addr()));
            }
        }
        Ok(())
    }

    /// Alive nodes agree on members and slot map (and report ok if `want_ok`).
    fn check_consistent(&self, want_ok: bool) -> Result<(), String> {
        let alive = self.alive_nodes();
        let ids: BTreeSet<&str> = alive.iter().map(|n| n.id()).collect();
        let mut first_map: Option<(String, SlotMap)> = None;
        for node in alive {
            let view = node.cluster_nodes();
            check_view_contains(node, &view, &ids)?;
            if want_ok {
                check_state_ok(node)?;
            }
            let map = slot_map(&view);
            match &first_map {
                None => first_map = Some((node.addr(), map)),
                Some((addr, m)) if *m != map => {
                    return Err(format!("{} and {addr} disagree on slots", node.addr()));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// Canonical slot map: sorted (owner id, merged ranges) of slot-owning lines.
pub type SlotMap = Vec<(String, Vec<RangeInclusive<u16>>)>;

/// The [`SlotMap`] of one node's view (its parsed CLUSTER NODES).
pub fn slot_map(view: &[NodeLine]) -> SlotMap {
    let mut map: SlotMap = view
        .iter()
        .filter(|l| !l.slots.is_empty())
        .map(|l| (l.id.clone(), merge_ranges(&l.slots)))
        .collect();
    map.sort_by(|a, b| a.0.cmp(&b.0));
    map
}

/// The view lists exactly `ids`, none in handshake / noaddr.
fn check_view_members(node: &Node, view: &[NodeLine], ids: &BTreeSet<&str>) -> Result<(), String> {
    let seen: BTreeSet<&str> = view.iter().map(|l| l.id.as_str()).collect();
    if seen != *ids {
        return Err(format!(
            "{} knows {} of {} nodes",
            node.addr(),
            seen.len(),
            ids.len()
        ));
    }
    check_view_contains(node, view, ids)
}

/// The view contains every id in `ids`, none in handshake / noaddr.
fn check_view_contains(node: &Node, view: &[NodeLine], ids: &BTreeSet<&str>) -> Result<(), String> {
    if let Some(l) = view
        .iter()
        .find(|l| l.has_flag("handshake") || l.has_flag("noaddr"))
    {
        return Err(format!("{} sees {} as {:?}", node.addr(), l.addr, l.flags));
    }
    match ids.iter().find(|id| !view.iter().any(|l| l.id == **id)) {
        Some(id) => Err(format!("{} does not know {id}", node.addr())),
        None => Ok(()),
    }
}

fn check_state_ok(node: &Node) -> Result<(), String> {
    match node.cluster_info_field("cluster_state").as_deref() {
        Some("ok") => Ok(()),
        other => Err(format!("{}: cluster_state {other:?}", node.addr())),
    }
}

/// Pipelined SET key key, in batches.
fn set_keys(node: &Node, keys: &[String]) {
    let mut conn = node.conn();
    for batch in keys.chunks(POPULATE_BATCH) {
        let mut pipe = redis::pipe();
        for key in batch {
            pipe.cmd("SET").arg(key).arg(key).ignore();
        }
        if let Err(e) = pipe.query::<()>(&mut conn) {
            let text = e.to_string();
            let short: String = text.chars().take(300).collect();
            panic!("populate {}: {short}", node.addr());
        }
    }
}

/// Index of the master serving `slot` (in the first alive node's view); panics when none does.
pub fn owner_of(cluster: &TestCluster, slot: u16) -> usize {
    cluster.slot_owners()[usize::from(slot)].unwrap_or_else(|| panic!("slot {slot} is not served"))
}
