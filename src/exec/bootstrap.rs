//! Applying a create plan to empty nodes: slots and config epochs in one pipelined round,
//! MEET in parallel, wait (polling) until every node sees every other and the planned slots,
//! REPLICATE, wait until roles agree and every node reports `cluster_state:ok`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::poll::{describe_lag, wait_until_converged};
use crate::address::NodeAddr;
use crate::cluster::plan::create::CreatePlan;
use crate::cluster::slots::{SlotRange, SlotSet};
use crate::cluster::snapshot::Snapshot;
use crate::cluster::verdict::converge::{Lag, Target};
use crate::net::conn::{ConnectOptions, NodeError, humanize};
use crate::net::pool::NodePool;

/// A validated node about to join: what bootstrapping needs to know about it.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    /// The address the operator gave.
    pub(crate) addr: NodeAddr,
    /// The IP the address resolves to (what CLUSTER MEET needs).
    pub(crate) ip: String,
    /// The node id.
    pub(crate) id: String,
    /// Its cluster-bus port.
    pub(crate) bus_port: u16,
    /// What the node can do.
    pub(crate) server: crate::cluster::parse::capabilities::Capabilities,
}

/// The steps of a bootstrap, announced as they start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Slots assigned and config epochs set.
    SlotsAndEpochs,
    /// MEET sent; waiting for every node to know every other.
    Meet,
    /// REPLICATE sent; waiting for every node to agree on roles.
    Replicate,
    /// Waiting for every node to report `cluster_state:ok`.
    Settle,
}

/// How long each phase took.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub(crate) struct Timings {
    /// Milliseconds to assign slots and epochs.
    pub(crate) slots_ms: u128,
    /// Milliseconds from MEET until every node knew every other and the slot map.
    pub(crate) join_ms: u128,
    /// Milliseconds from REPLICATE until every node agreed on roles.
    pub(crate) replicate_ms: u128,
    /// Milliseconds from then until every node reported `cluster_state:ok`. Redis holds a
    /// new master back for min(cluster-node-timeout, 5 s) after it first serves slots.
    pub(crate) settle_ms: u128,
}

/// Applies `plan` to the nodes of `pool` (same order as `members`). `on_step` is told when a
/// step starts and `on_wait` how many nodes still lag while waiting.
pub(crate) fn bootstrap(
    pool: &NodePool,
    members: &[Member],
    plan: &CreatePlan,
    wait_timeout: Duration,
    mut on_step: impl FnMut(Step),
    mut on_wait: impl FnMut(usize),
) -> anyhow::Result<Timings> {
    let deadline = Instant::now() + wait_timeout;
    let mut timings = Timings::default();
    // Per node: the slot range it is to serve, and for a replica the id of its master.
    let mut range_of: Vec<Option<SlotRange>> = vec![None; members.len()];
    for master in &plan.masters {
        range_of[master.node] = Some(master.slots);
    }
    let mut master_id_of: Vec<Option<&str>> = vec![None; members.len()];
    for replica in &plan.replicas {
        master_id_of[replica.node] = Some(&members[plan.masters[replica.master].node].id);
    }

    on_step(Step::SlotsAndEpochs);
    let started = Instant::now();
    let results = pool.each(|i, conn| {
        let mut pipe = redis::pipe();
        if let Some(range) = range_of[i] {
            if members[i].server.addslotsrange() {
                pipe.cmd("CLUSTER")
                    .arg("ADDSLOTSRANGE")
                    .arg(range.start)
                    .arg(range.end);
            } else {
                pipe.cmd("CLUSTER")
                    .arg("ADDSLOTS")
                    .arg((range.start..=range.end).collect::<Vec<u16>>());
            }
        }
        pipe.cmd("CLUSTER").arg("SET-CONFIG-EPOCH").arg(i + 1);
        conn.pipeline_ok(&pipe, "assigning slots and the config epoch")
    });
    first_error(results)?;
    timings.slots_ms = started.elapsed().as_millis();

    on_step(Step::Meet);
    // Every pair meets directly (node i meets nodes 0..i): each learns the other's id and
    // slots from its own handshake instead of waiting for gossip to relay them, which takes
    // seconds with a star of MEETs towards one node.
    let results = pool.each(|i, conn| {
        let mut pipe = redis::pipe();
        for peer in &members[..i] {
            pipe.add_command(meet(peer));
        }
        conn.pipeline_ok(&pipe, "CLUSTER MEET")
    });
    first_error(results)?;
    let mut target = Target::default();
    for m in members {
        target.members.insert(m.id.clone(), m.addr.to_string());
    }
    for master in &plan.masters {
        let mut set = SlotSet::new();
        set.insert_range(master.slots);
        target.slots.insert(members[master.node].id.clone(), set);
    }
    let mut nudger = Nudger::new(members);
    let mut on_round = |lag: &[Lag]| {
        on_wait(lag.len());
        nudger.nudge(pool, lag);
    };
    let join = wait_until_converged(pool, &target, wait_timeout, &mut on_round).map_err(|lag| {
        anyhow::anyhow!(
            "the nodes did not all see each other within {}:\n{}\n\
             hint: every node must reach every other node's cluster-bus port \
             (port+10000 unless cluster-port is set) at its announced address",
            humanize(wait_timeout),
            describe_lag(&lag)
        )
    })?;
    timings.join_ms = join.as_millis();

    on_step(Step::Replicate);
    let started = Instant::now();
    let replica_nodes: Vec<usize> = plan.replicas.iter().map(|r| r.node).collect();
    let results = pool.some(&replica_nodes, |i, conn| {
        let master_id = master_id_of[i].expect("replica index comes from the plan");
        let mut pipe = redis::pipe();
        pipe.cmd("CLUSTER").arg("REPLICATE").arg(master_id);
        conn.pipeline_ok(&pipe, "CLUSTER REPLICATE")
    });
    first_error(results)?;
    for &i in &replica_nodes {
        if let Some(master_id) = master_id_of[i] {
            target
                .replica_of
                .insert(members[i].id.clone(), master_id.to_string());
        }
    }
    let remaining = deadline.saturating_duration_since(Instant::now());
    wait_until_converged(pool, &target, remaining, &mut on_round).map_err(|lag| {
        anyhow::anyhow!(
            "the nodes did not agree on the replicas within {}:\n{}",
            humanize(wait_timeout),
            describe_lag(&lag)
        )
    })?;
    timings.replicate_ms = started.elapsed().as_millis();

    on_step(Step::Settle);
    let started = Instant::now();
    target.state_ok = true;
    let remaining = deadline.saturating_duration_since(Instant::now());
    wait_until_converged(pool, &target, remaining, &mut on_round).map_err(|lag| {
        anyhow::anyhow!(
            "the cluster did not report cluster_state:ok everywhere within {}:\n{}",
            humanize(wait_timeout),
            describe_lag(&lag)
        )
    })?;
    timings.settle_ms = started.elapsed().as_millis();
    Ok(timings)
}

/// Speeds up convergence. A node learns another's slots and role only from packets that
/// other node sends it, and the cluster bus pings a given peer only every few seconds; and
/// it ignores gossip about a node it was told to forget in the last 60 s. When a node is
/// behind on a member, or does not know it at all, that member is asked to MEET it: the MEET carries the member's
/// current slots and role, the receiver recognises the sender and updates at once, and the
/// duplicate handshake on the sender's side is dropped when the reply arrives.
pub(crate) struct Nudger {
    index_of: HashMap<String, usize>,
    meets: Vec<redis::Cmd>,
    last: HashMap<(usize, usize), Instant>,
}

impl Nudger {
    /// Minimum time between two nudges of the same pair.
    const INTERVAL: Duration = Duration::from_millis(250);

    /// A nudger for `members`, in the order of the pool it will be used with.
    pub(crate) fn new(members: &[Member]) -> Self {
        Nudger {
            index_of: members
                .iter()
                .enumerate()
                .map(|(i, m)| (m.id.clone(), i))
                .collect(),
            meets: members.iter().map(meet).collect(),
            last: HashMap::new(),
        }
    }

    /// Asks every member that an observer in `lag` is behind on to MEET that observer.
    pub(crate) fn nudge(&mut self, pool: &NodePool, lag: &[Lag]) {
        let now = Instant::now();
        let mut todo: HashMap<usize, Vec<usize>> = HashMap::new();
        for l in lag {
            let Some(observer) = l.node_id.as_ref().and_then(|id| self.index_of.get(id)) else {
                continue;
            };
            let subjects = l.stale.iter().chain(&l.unknown);
            for subject in subjects.filter_map(|id| self.index_of.get(id)) {
                let recent = self
                    .last
                    .get(&(*observer, *subject))
                    .is_some_and(|t| now.duration_since(*t) < Self::INTERVAL);
                if !recent && subject != observer {
                    self.last.insert((*observer, *subject), now);
                    todo.entry(*subject).or_default().push(*observer);
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        let subjects: Vec<usize> = todo.keys().copied().collect();
        pool.some(&subjects, |i, conn| {
            let mut pipe = redis::pipe();
            for &observer in &todo[&i] {
                pipe.add_command(self.meets[observer].clone());
            }
            // Best effort: a failed nudge only means waiting for the next gossip round.
            let _ = conn.pipeline(&pipe);
        });
    }
}

/// `CLUSTER MEET ip port [bus-port]` towards `peer`.
pub(crate) fn meet(peer: &Member) -> redis::Cmd {
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("MEET").arg(&peer.ip).arg(peer.addr.port);
    if peer.bus_port != peer.addr.port.wrapping_add(10000) {
        cmd.arg(peer.bus_port);
    }
    cmd
}

fn first_error(results: Vec<Result<(), NodeError>>) -> anyhow::Result<()> {
    let errors: Vec<String> = results
        .into_iter()
        .filter_map(Result::err)
        .map(|e| e.to_string())
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    bail!(
        "{}\nthe cluster is half-built: inspect it with `rcluster check`, or reset the nodes \
         (CLUSTER RESET HARD) and run create again",
        errors.join("\n")
    )
}

/// The reachable nodes of `snapshot` except `skip`, as members (at the address the cluster
/// knows them by).
pub(crate) fn reachable_members(snapshot: &Snapshot, skip: &str) -> Vec<Member> {
    snapshot
        .nodes
        .iter()
        .filter(|n| n.id() != skip)
        .filter_map(|n| {
            let probe = n.probe()?;
            let addr = n.addr()?.clone();
            Some(Member {
                ip: addr.host.clone(),
                addr,
                id: n.id().to_string(),
                bus_port: probe.myself.bus_port.unwrap_or(0),
                server: probe.info.server,
            })
        })
        .collect()
}

/// One connection per member, in order.
pub(crate) fn connect_pool(
    opts: &ConnectOptions,
    members: &[Member],
) -> Result<NodePool, NodeError> {
    let addrs: Vec<NodeAddr> = members.iter().map(|m| m.addr.clone()).collect();
    let conns = NodePool::connect_all(opts, &addrs)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NodePool::new(conns))
}

/// Resolves `addr`'s host to the IP text CLUSTER MEET needs: IPv4 preferred, IPv6 with
/// `prefer_ipv6` (`-6`).
pub(crate) fn resolve_ip(addr: &NodeAddr, prefer_ipv6: bool) -> anyhow::Result<String> {
    use std::net::ToSocketAddrs;
    let found: Vec<std::net::SocketAddr> = (addr.host.as_str(), addr.port)
        .to_socket_addrs()
        .with_context(|| format!("{addr}: cannot resolve host name {:?}", addr.host))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv6() == prefer_ipv6)
        .or(found.first())
        .map(|a| a.ip().to_string())
        .with_context(|| format!("{addr}: host name {:?} has no address", addr.host))
}
