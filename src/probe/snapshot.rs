//! Loading a [`Snapshot`]: the entry node's probe, then every node it knows, concurrently;
//! one pipelined probe per node (`INFO`, `CLUSTER INFO`, `CLUSTER NODES`, `DBSIZE`,
//! `cluster-databases`, `CLUSTER GETSLOTMIGRATIONS`).

use crate::address::NodeAddr;
use crate::cluster::parse::info::ServerInfo;
use crate::cluster::parse::nodes::{NodeEntry, parse_cluster_nodes};
use crate::cluster::parse::slot_migrations::parse_jobs;
use crate::cluster::snapshot::{NodeProbe, NodeState, Snapshot};
use crate::net::conn::{ConnectOptions, ErrorKind, NodeConn, NodeError};
use crate::net::fanout::{DEFAULT_PARALLELISM, fan_out};

impl Snapshot {
    /// Loads the cluster through `entry`. Fails only when the entry node itself cannot be
    /// used; other nodes that cannot be reached are recorded as such.
    pub(crate) fn load(opts: &ConnectOptions, entry: &NodeAddr) -> Result<Snapshot, NodeError> {
        let mut entry_probe = probe_node(opts, entry)?;
        if !entry_probe.info.cluster_enabled {
            return Err(not_a_cluster_node(entry));
        }
        // A node that never met another does not know its own IP: it is where we reached it.
        if entry_probe.myself.addr.is_none() && !entry_probe.myself.flags.noaddr {
            entry_probe.myself.addr = Some(entry.clone());
        }
        // A `handshake` line is not a member: it carries a random id until the handshake
        // completes, and a MEET to an address the node already knows can leave one behind for
        // a while (seen on Valkey 9.1), so a command that waited for every node to know it
        // would wait forever.
        let others: Vec<NodeEntry> = entry_probe
            .view
            .iter()
            .filter(|n| !n.flags.myself && !n.flags.handshake)
            .cloned()
            .collect();
        let probes = fan_out(&others, DEFAULT_PARALLELISM, |seen| match &seen.addr {
            Some(addr) => probe_node(opts, addr),
            None => Err(NodeError {
                addr: NodeAddr::new("?", 0),
                kind: ErrorKind::Connect,
                message: "no address known for this node".into(),
            }),
        });
        let mut nodes = vec![NodeState {
            seen: entry_probe.myself.clone(),
            probe: Ok(entry_probe),
        }];
        nodes.extend(
            others
                .into_iter()
                .zip(probes)
                .map(|(seen, probe)| NodeState { seen, probe }),
        );
        let loaded_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(Snapshot {
            entry: entry.clone(),
            nodes,
            loaded_unix,
        })
    }
}

/// Asks one node for `CLUSTER NODES`, `INFO`, `CLUSTER INFO`, `DBSIZE`, `cluster-databases` and
/// `CLUSTER GETSLOTMIGRATIONS` in one round trip.
pub(crate) fn probe_node(opts: &ConnectOptions, addr: &NodeAddr) -> Result<NodeProbe, NodeError> {
    let mut conn = opts.connect(addr)?;
    probe_conn(&mut conn)
}

/// Same as [`probe_node`] on an open connection.
pub(crate) fn probe_conn(conn: &mut NodeConn) -> Result<NodeProbe, NodeError> {
    let mut pipe = redis::pipe();
    pipe.cmd("INFO")
        .cmd("CLUSTER")
        .arg("INFO")
        .cmd("CLUSTER")
        .arg("NODES")
        .cmd("DBSIZE")
        .cmd("CONFIG")
        .arg("GET")
        .arg("cluster-databases")
        .cmd("CLUSTER")
        .arg("GETSLOTMIGRATIONS");
    let replies = conn.pipeline(&pipe)?;
    let [info, cluster_info, nodes, dbsize, databases, migrations]: [redis::Value; 6] =
        replies.try_into().map_err(|_| NodeError {
            addr: conn.addr.clone(),
            kind: ErrorKind::Io,
            message: "short reply to the probe pipeline".into(),
        })?;
    let info: String = conn.convert(info)?;
    if let redis::Value::ServerError(err) = &nodes {
        let text = crate::net::conn::server_error_text(err);
        if text.contains("cluster support disabled") {
            return Err(not_a_cluster_node(&conn.addr));
        }
        return Err(conn.server_error(&text));
    }
    let cluster_info: String = conn.convert(cluster_info)?;
    let nodes_text: String = conn.convert(nodes)?;
    let dbsize: u64 = conn.convert(dbsize)?;
    let view = parse_cluster_nodes(&nodes_text).map_err(|e| NodeError {
        addr: conn.addr.clone(),
        kind: ErrorKind::Io,
        message: e.to_string(),
    })?;
    let myself = view
        .iter()
        .find(|n| n.flags.myself)
        .cloned()
        .ok_or_else(|| NodeError {
            addr: conn.addr.clone(),
            kind: ErrorKind::Io,
            message: "CLUSTER NODES has no 'myself' line".into(),
        })?;
    Ok(NodeProbe {
        myself,
        view,
        info: ServerInfo::parse(&info, &cluster_info, dbsize)
            .with_cluster_databases(config_value(databases).and_then(|v| v.parse().ok())),
        // An error reply is a server without atomic slot migration (or a user not allowed
        // to ask): no jobs to show.
        migrations: parse_jobs(&migrations).unwrap_or_default(),
    })
}

/// The value of a one-parameter `CONFIG GET` reply (array or RESP3 map); None when the
/// server has no such parameter or refused the command.
pub(super) fn config_value(reply: redis::Value) -> Option<String> {
    let value = match reply {
        redis::Value::Array(mut items) if items.len() == 2 => items.pop()?,
        redis::Value::Map(mut pairs) if pairs.len() == 1 => pairs.pop()?.1,
        _ => return None,
    };
    redis::FromRedisValue::from_redis_value(value).ok()
}

fn not_a_cluster_node(addr: &NodeAddr) -> NodeError {
    NodeError {
        addr: addr.clone(),
        kind: ErrorKind::Server,
        message: "not a cluster node (cluster_enabled:0)".into(),
    }
}
