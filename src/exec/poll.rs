//! Waiting for the cluster to converge: ask every node for its view in parallel every few tens
//! of milliseconds until the pure comparison in [`crate::cluster::verdict::converge`] finds nothing
//! missing, or the deadline passes and we can say exactly who does not see whom.

use std::time::{Duration, Instant};

use crate::cluster::parse::info::fields;
use crate::cluster::parse::nodes::parse_cluster_nodes;
use crate::cluster::verdict::converge::{Lag, Observation, Target, lagging};
use crate::net::conn::NodeConn;
use crate::net::pool::NodePool;

/// Pause between two poll rounds.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Asks every node of `pool` for `CLUSTER NODES` and `CLUSTER INFO` (one round trip each).
pub(crate) fn observe(pool: &NodePool) -> Vec<Observation> {
    pool.each(|_, conn| Observation {
        node: conn.addr.to_string(),
        view: view_of(conn),
    })
}

fn view_of(
    conn: &mut NodeConn,
) -> Result<(Vec<crate::cluster::parse::nodes::NodeEntry>, bool), String> {
    let mut pipe = redis::pipe();
    pipe.cmd("CLUSTER").arg("NODES").cmd("CLUSTER").arg("INFO");
    let replies = conn.pipeline(&pipe).map_err(|e| e.message)?;
    let [nodes, info]: [redis::Value; 2] =
        replies.try_into().map_err(|_| "short reply".to_string())?;
    let nodes: String = conn.convert(nodes).map_err(|e| e.message)?;
    let info: String = conn.convert(info).map_err(|e| e.message)?;
    let view = parse_cluster_nodes(&nodes).map_err(|e| e.to_string())?;
    let ok = fields(&info).any(|(k, v)| k == "cluster_state" && v == "ok");
    Ok((view, ok))
}

/// Polls until every node sees `target`; returns how long it took, or what is still missing
/// when `timeout` runs out. `on_round` gets what is still missing after each round that did
/// not converge (to show progress, or to nudge the nodes that are behind).
pub(crate) fn wait_until_converged(
    pool: &NodePool,
    target: &Target,
    timeout: Duration,
    mut on_round: impl FnMut(&[Lag]),
) -> Result<Duration, Vec<Lag>> {
    let started = Instant::now();
    loop {
        let lag = lagging(&observe(pool), target);
        if lag.is_empty() {
            return Ok(started.elapsed());
        }
        on_round(&lag);
        if started.elapsed() >= timeout {
            return Err(lag);
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// Renders a timeout: one line per node that does not see everything yet.
pub(crate) fn describe_lag(lag: &[Lag]) -> String {
    lag.iter()
        .map(|l| format!("  {}: {}", l.node, l.missing.join("; ")))
        .collect::<Vec<_>>()
        .join("\n")
}
