//! Rejoining nodes that came back with new addresses (see [`crate::cluster::plan::rejoin`]): each
//! given address is reached and asked who it is, the plan's `CLUSTER MEET`s are sent, and the
//! nodes are polled until every one sees every other at its current address.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::bootstrap::resolve_ip;
use crate::address::NodeAddr;
use crate::cluster::parse::info::fields;
use crate::cluster::parse::nodes::{NodeEntry, parse_cluster_nodes};
use crate::cluster::plan::rejoin::{Meet, Reached, RejoinPlan, apart};
use crate::net::conn::ConnectOptions;
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};

/// How often the nodes are polled while they meet.
const POLL: Duration = Duration::from_millis(200);
/// How often MEETs that have not taken effect yet are sent again.
const RESEND: Duration = Duration::from_secs(3);

/// Reaches every address: resolves it to an IP, asks `CLUSTER NODES`. Fails, naming the
/// address, when one cannot be resolved or reached.
pub(crate) fn reach(opts: &ConnectOptions, addrs: &[NodeAddr]) -> anyhow::Result<Vec<Reached>> {
    fan_out(addrs, DEFAULT_PARALLELISM, |addr| {
        // CLUSTER MEET takes no host name.
        let ip = resolve_ip(addr, opts.prefer_ipv6)?;
        let mut conn = opts.connect(addr)?;
        let text: String = conn.query(redis::cmd("CLUSTER").arg("NODES"))?;
        let view = parse_cluster_nodes(&text).with_context(|| format!("{addr}: CLUSTER NODES"))?;
        let myself = view
            .iter()
            .find(|l| l.flags.myself)
            .cloned()
            .with_context(|| format!("{addr}: CLUSTER NODES has no 'myself' line"))?;
        // The bus port keeps its offset from the client port (10000 unless cluster-port).
        let offset = match (&myself.addr, myself.bus_port) {
            (Some(a), Some(bus)) if bus > a.port => bus - a.port,
            _ => 10_000,
        };
        Ok(Reached {
            given: addr.to_string(),
            ip,
            port: addr.port,
            bus_port: addr.port.saturating_add(offset),
            myself,
            view,
        })
    })
    .into_iter()
    .collect()
}

/// Sends the MEETs of `plan`, then polls until every node sees every other at its current
/// address (sending again the MEETs that did not take yet) and reports `cluster_state:ok`, for
/// at most `timeout`. Returns how long it took.
pub(crate) fn apply(
    opts: &ConnectOptions,
    nodes: &[Reached],
    plan: &RejoinPlan,
    timeout: Duration,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let mut pending: Vec<Meet> = plan.meets.clone();
    let mut last_sent: Option<Instant> = None;
    loop {
        if last_sent.is_none_or(|t| t.elapsed() >= RESEND) {
            send_meets(opts, nodes, &pending)?;
            last_sent = Some(Instant::now());
        }
        std::thread::sleep(POLL);
        pending = apart(nodes, &views(opts, nodes));
        if pending.is_empty() && all_ok(opts, nodes) {
            return Ok(started.elapsed());
        }
        if started.elapsed() >= timeout {
            let apart: Vec<String> = pending
                .iter()
                .map(|m| format!("{} does not see {}", nodes[m.from].given, nodes[m.to].given))
                .collect();
            if apart.is_empty() {
                bail!(
                    "the nodes see each other, but not all report cluster_state:ok after {} s",
                    timeout.as_secs()
                );
            }
            bail!(
                "the nodes did not all meet within {} s: {}",
                timeout.as_secs(),
                apart.join("; ")
            );
        }
    }
}

/// Sends `CLUSTER MEET ip port busport` for each meet, the nodes at once.
fn send_meets(opts: &ConnectOptions, nodes: &[Reached], meets: &[Meet]) -> anyhow::Result<()> {
    let senders: Vec<usize> = {
        let mut v: Vec<usize> = meets.iter().map(|m| m.from).collect();
        v.dedup();
        v
    };
    let results = fan_out(&senders, DEFAULT_PARALLELISM, |&from| {
        let node = &nodes[from];
        let mut conn = opts.connect(&NodeAddr::new(node.ip.clone(), node.port))?;
        for meet in meets.iter().filter(|m| m.from == from) {
            let to = &nodes[meet.to];
            conn.query::<()>(
                redis::cmd("CLUSTER")
                    .arg("MEET")
                    .arg(&to.ip)
                    .arg(to.port)
                    .arg(to.bus_port),
            )
            .with_context(|| format!("CLUSTER MEET {} on {}", to.current_addr(), node.given))?;
        }
        Ok::<_, anyhow::Error>(())
    });
    results.into_iter().collect()
}

/// True when every node reports `cluster_state:ok` (a node that was cut off keeps refusing
/// queries for a moment after it sees the others again).
fn all_ok(opts: &ConnectOptions, nodes: &[Reached]) -> bool {
    fan_out(nodes, DEFAULT_PARALLELISM, |node| {
        opts.connect(&NodeAddr::new(node.ip.clone(), node.port))
            .and_then(|mut c| c.query::<String>(redis::cmd("CLUSTER").arg("INFO")))
            .is_ok_and(|info| fields(&info).any(|(k, v)| k == "cluster_state" && v == "ok"))
    })
    .into_iter()
    .all(|ok| ok)
}

/// Each node's current view (empty when it does not answer).
fn views(opts: &ConnectOptions, nodes: &[Reached]) -> Vec<Vec<NodeEntry>> {
    fan_out(nodes, DEFAULT_PARALLELISM, |node| {
        opts.connect(&NodeAddr::new(node.ip.clone(), node.port))
            .and_then(|mut c| c.query::<String>(redis::cmd("CLUSTER").arg("NODES")))
            .ok()
            .and_then(|text| parse_cluster_nodes(&text).ok())
            .unwrap_or_default()
    })
}
