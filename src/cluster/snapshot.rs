//! Loading the cluster as it is right now: the entry node's view, then every node's own view,
//! taken concurrently.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::address::NodeAddr;
use crate::cluster::parse::info::{ServerInfo, add_per_db};
use crate::cluster::parse::nodes::NodeEntry;
use crate::cluster::parse::slot_migrations::SlotMigrationJob;
use crate::error::NodeError;

/// What one reachable node says: its own `CLUSTER NODES` view and its INFO.
#[derive(Debug, Clone)]
pub(crate) struct NodeProbe {
    /// The node's line about itself (authoritative for its slots and open slots).
    pub(crate) myself: NodeEntry,
    /// Every line of the node's `CLUSTER NODES` (its view of the whole cluster).
    pub(crate) view: Vec<NodeEntry>,
    /// INFO / CLUSTER INFO / DBSIZE summary.
    pub(crate) info: ServerInfo,
    /// Its `CLUSTER GETSLOTMIGRATIONS` jobs (running and recently finished); empty on a
    /// server without atomic slot migration.
    pub(crate) migrations: Vec<SlotMigrationJob>,
}

/// One node of the cluster, as known by the entry node, with its own answers if reachable.
#[derive(Debug, Clone)]
pub(crate) struct NodeState {
    /// The entry node's line for this node (flags as the entry node sees them).
    pub(crate) seen: NodeEntry,
    /// The node's own answers, or why it could not be asked.
    pub(crate) probe: Result<NodeProbe, NodeError>,
}

impl NodeState {
    /// The node id.
    pub(crate) fn id(&self) -> &str {
        &self.seen.id
    }

    /// The address the entry node knows for it.
    pub(crate) fn addr(&self) -> Option<&NodeAddr> {
        self.seen.addr.as_ref()
    }

    /// `host:port`, or `<no address>`.
    pub(crate) fn addr_text(&self) -> String {
        self.addr()
            .map_or_else(|| "<no address>".to_string(), ToString::to_string)
    }

    /// The best current description of the node: its own line when reachable, else the entry
    /// node's line for it.
    pub(crate) fn current(&self) -> &NodeEntry {
        match &self.probe {
            Ok(p) => &p.myself,
            Err(_) => &self.seen,
        }
    }

    /// The node's answers, when it was reachable.
    pub(crate) fn probe(&self) -> Option<&NodeProbe> {
        self.probe.as_ref().ok()
    }

    /// True when the node answered.
    pub(crate) fn reachable(&self) -> bool {
        self.probe.is_ok()
    }

    /// True for a master (by its own view when reachable).
    pub(crate) fn is_master(&self) -> bool {
        !self.current().is_replica()
    }

    /// The node's flags combining its own view and the entry node's (so that `fail` as seen
    /// by the cluster shows even though a node never flags itself failing).
    pub(crate) fn flags_text(&self) -> String {
        let mut flags = self.current().flags.clone();
        flags.fail |= self.seen.flags.fail;
        flags.pfail |= self.seen.flags.pfail;
        flags.describe()
    }
}

/// The whole cluster as loaded from one entry node.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The address the snapshot was loaded through.
    pub(crate) entry: NodeAddr,
    /// The entry node first, then the nodes in the entry node's `CLUSTER NODES` order.
    pub(crate) nodes: Vec<NodeState>,
    /// Unix time (seconds) when it was loaded, to tell the age of what nodes report.
    pub(crate) loaded_unix: i64,
}

impl Snapshot {
    /// Finds a node by full id.
    pub(crate) fn node(&self, id: &str) -> Option<&NodeState> {
        self.nodes.iter().find(|n| n.id() == id)
    }

    /// Masters in snapshot order (by their own view when reachable).
    pub(crate) fn masters(&self) -> impl Iterator<Item = &NodeState> {
        self.nodes.iter().filter(|n| n.is_master())
    }

    /// Keys per database over the reachable masters, `(db, keys)` ascending, databases
    /// holding keys only.
    pub(crate) fn master_keys_per_db(&self) -> Vec<(u32, u64)> {
        let mut totals = Vec::new();
        for probe in self.masters().filter_map(NodeState::probe) {
            add_per_db(&mut totals, &probe.info.keys_per_db());
        }
        totals
    }

    /// The databases every reachable master serving slots has in cluster mode (Valkey >= 9.0
    /// `cluster-databases`); 1 where any has database 0 only.
    pub(crate) fn cluster_databases(&self) -> u32 {
        self.masters()
            .filter(|m| !m.current().slots.is_empty())
            .filter_map(NodeState::probe)
            .map(|p| p.info.server.cluster_databases)
            .min()
            .unwrap_or(1)
    }

    /// Replicas of `master_id` in snapshot order.
    pub(crate) fn replicas_of<'a>(
        &'a self,
        master_id: &'a str,
    ) -> impl Iterator<Item = &'a NodeState> {
        self.nodes
            .iter()
            .filter(move |n| n.current().master_id.as_deref() == Some(master_id) && !n.is_master())
    }
}

/// How a node is described in JSON reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NodeJson {
    /// Full node id.
    pub(crate) id: String,
    /// `host:port` as the entry node knows it (null when unknown).
    pub(crate) addr: Option<String>,
    /// Cluster-bus port.
    pub(crate) bus_port: Option<u16>,
    /// Announced hostname.
    pub(crate) hostname: Option<String>,
    /// `master` or `replica`.
    pub(crate) role: &'static str,
    /// For a replica, its master's id.
    pub(crate) master_id: Option<String>,
    /// Flags, e.g. `["master"]` or `["master","fail"]`.
    pub(crate) flags: Vec<String>,
    /// Whether the node answered.
    pub(crate) reachable: bool,
    /// Why it did not, when it did not.
    pub(crate) error: Option<String>,
    /// Slot ranges as `[start, end]` pairs.
    pub(crate) slots: crate::cluster::slots::SlotSet,
    /// Number of slots served.
    pub(crate) slot_count: usize,
    /// Keys over every database, null when unreachable.
    pub(crate) keys: Option<u64>,
    /// Keys per database that holds any (`{"0": 1000, "5": 20}`), null when unreachable.
    pub(crate) keys_per_db: Option<BTreeMap<u32, u64>>,
    /// Config epoch.
    pub(crate) config_epoch: u64,
    /// Bus link state as the entry node sees it.
    pub(crate) link_state: crate::cluster::parse::nodes::LinkState,
    /// Slots being migrated away: `{slot, to}`.
    pub(crate) migrating: Vec<OpenSlotJson>,
    /// Slots being imported: `{slot, from}`.
    pub(crate) importing: Vec<OpenSlotJson>,
    /// Replication offset, null when unreachable.
    pub(crate) repl_offset: Option<i64>,
    /// `redis` or `valkey`, null when unreachable.
    pub(crate) server: Option<crate::cluster::parse::capabilities::Flavor>,
    /// The server's own version (Valkey's, not its `redis_version`), null when unreachable.
    pub(crate) version: Option<String>,
}

/// An open slot in JSON: the slot and the peer node id.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OpenSlotJson {
    /// The slot.
    pub(crate) slot: u16,
    /// The other node's id (target when migrating, source when importing).
    pub(crate) peer: String,
}

impl NodeJson {
    /// The JSON description of `node`.
    pub(crate) fn from_state(node: &NodeState) -> Self {
        let current = node.current();
        let open = |list: &[crate::cluster::parse::nodes::OpenSlot]| {
            list.iter()
                .map(|o| OpenSlotJson {
                    slot: o.slot,
                    peer: o.peer.clone(),
                })
                .collect()
        };
        NodeJson {
            id: node.id().to_string(),
            addr: node.addr().map(ToString::to_string),
            bus_port: current.bus_port,
            hostname: current.hostname.clone(),
            role: if node.is_master() {
                "master"
            } else {
                "replica"
            },
            master_id: current.master_id.clone(),
            flags: node
                .flags_text()
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            reachable: node.reachable(),
            error: node.probe.as_ref().err().map(|e| e.message.clone()),
            slots: current.slots.clone(),
            slot_count: current.slots.len(),
            keys: node.probe().map(|p| p.info.total_keys()),
            keys_per_db: node
                .probe()
                .map(|p| p.info.keys_per_db().into_iter().collect()),
            config_epoch: current.config_epoch,
            link_state: node.seen.link,
            migrating: open(&current.migrating),
            importing: open(&current.importing),
            repl_offset: node.probe().map(|p| p.info.repl_offset),
            server: node.probe().map(|p| p.info.server.flavor),
            version: node.probe().map(|p| p.info.server.version.to_string()),
        }
    }
}

/// Snapshots built from `CLUSTER NODES` texts, for unit tests of the pure logic.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use crate::cluster::parse::nodes::parse_cluster_nodes;
    use crate::error::ErrorKind;

    /// A healthy six-node cluster (seed 000's layout): three masters, one replica each.
    pub(crate) const HEALTHY: &str = "\
1ad5a315b83b55dfcacbf1ef02ccf684513151c9 172.20.0.2:6379@16379 master - 0 1552082266000 1 connected 0-5460
aa75a42766edf123a8af89970965d0f41be40cf8 172.20.0.3:6379@16379 master - 0 1552082268000 2 connected 5461-10922
159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 172.20.0.4:6379@16379 master - 0 1552082268000 3 connected 10923-16383
11cce7fdb1a82e7937005a956ff7c7c9c3eb1410 172.20.0.5:6379@16379 slave 1ad5a315b83b55dfcacbf1ef02ccf684513151c9 0 1552082269574 4 connected
e463eb0b118c3292687f78244988b38d4b220b40 172.20.0.6:6379@16379 slave aa75a42766edf123a8af89970965d0f41be40cf8 0 1552082269000 5 connected
9d4e26c55c3a96b2921ed2476caf1fa78593e5d4 172.20.0.7:6379@16379 slave 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 0 1552082269160 6 connected
";

    /// The view of the node on line `index` of `global`: its line gets the `myself` flag.
    pub(crate) fn view_of(global: &str, index: usize) -> String {
        global
            .lines()
            .enumerate()
            .map(|(i, line)| {
                if i != index {
                    return format!("{line}\n");
                }
                let mut fields: Vec<String> = line.split(' ').map(str::to_string).collect();
                fields[2] = format!("myself,{}", fields[2]);
                format!("{}\n", fields.join(" "))
            })
            .collect()
    }

    /// A reachable, healthy node's INFO.
    fn healthy_info(replica: bool, keys: u64) -> ServerInfo {
        ServerInfo {
            server: crate::cluster::parse::capabilities::Capabilities::from_info(
                "redis_version:7.0.15",
            ),
            cluster_enabled: true,
            cluster_state_ok: true,
            keys,
            role: if replica { "slave" } else { "master" }.into(),
            master_link_up: replica.then_some(true),
            ..ServerInfo::default()
        }
    }

    /// A snapshot whose node `i` answers with `views[i]` (`None`: unreachable). The entry node
    /// is node 0; the order of the nodes is the order of the lines of node 0's view.
    pub(crate) fn snapshot(views: &[Option<String>]) -> Snapshot {
        let parsed: Vec<Option<Vec<NodeEntry>>> = views
            .iter()
            .map(|v| v.as_ref().map(|t| parse_cluster_nodes(t).unwrap()))
            .collect();
        let entry_view = parsed[0].clone().expect("the entry node answers");
        let mut order: Vec<NodeEntry> = entry_view
            .iter()
            .filter(|l| l.flags.myself)
            .cloned()
            .collect();
        order.extend(entry_view.iter().filter(|l| !l.flags.myself).cloned());
        let nodes = order
            .into_iter()
            .map(|seen| {
                let own = parsed
                    .iter()
                    .flatten()
                    .find(|view| view.iter().any(|l| l.flags.myself && l.id == seen.id));
                let probe = match own {
                    Some(view) => {
                        let myself = view.iter().find(|l| l.flags.myself).unwrap().clone();
                        Ok(NodeProbe {
                            info: healthy_info(myself.is_replica(), 10),
                            myself,
                            view: view.clone(),
                            migrations: Vec::new(),
                        })
                    }
                    None => Err(NodeError {
                        addr: seen.addr.clone().unwrap_or_else(|| NodeAddr::new("?", 0)),
                        kind: ErrorKind::Connect,
                        message: "connection refused".into(),
                    }),
                };
                NodeState { seen, probe }
            })
            .collect();
        Snapshot {
            entry: NodeAddr::new("172.20.0.2", 6379),
            nodes,
            loaded_unix: 0,
        }
    }

    /// Every node of `global` answering with its own view of `global`.
    pub(crate) fn all_views(global: &str) -> Vec<Option<String>> {
        (0..global.lines().count())
            .map(|i| Some(view_of(global, i)))
            .collect()
    }
}
