//! What the nodes say about the cluster, reduced for before/after comparisons.

use super::cluster::TestCluster;
use super::node::Node;
use super::nodes_conf::{NodeLine, parse};

/// Whether [`layout`] records each node's current epoch, so that an epoch bump counts as a
/// change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CurrentEpoch {
    /// Recorded: a bumped epoch makes two layouts differ.
    Compared,
    /// Left out (always `None`).
    Ignored,
}

/// One node's view of the layout, without anything that changes by itself (ping times, link
/// state, failure flags).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The node's address.
    pub addr: String,
    /// `cluster_current_epoch` from CLUSTER INFO, with [`CurrentEpoch::Compared`].
    pub current_epoch: Option<String>,
    /// Its CLUSTER NODES lines as `id role master config-epoch slot-tokens` (role `master`
    /// or `replica`, open-slot markers included), sorted.
    pub lines: Vec<String>,
    /// Its DBSIZE when it is a master (`(replica)` for a replica, whose key count follows
    /// replication on its own: a late or repeated full sync empties it for a moment).
    pub dbsize: String,
}

/// [`Layout`] of each of `nodes`, in order.
pub fn layout(nodes: &[&Node], epoch: CurrentEpoch) -> Vec<Layout> {
    nodes
        .iter()
        .map(|n| {
            let lines = reduced_cluster_nodes(n, |f| {
                let role = if f[2].contains("master") {
                    "master"
                } else {
                    "replica"
                };
                format!("{} {role} {} {} {}", f[0], f[3], f[6], f[8..].join(" "))
            });
            let current_epoch = match epoch {
                CurrentEpoch::Compared => Some(
                    n.cluster_info_field("cluster_current_epoch")
                        .unwrap_or_default(),
                ),
                CurrentEpoch::Ignored => None,
            };
            let replica = n.cmd_str(&["CLUSTER", "NODES"]).contains("myself,slave");
            Layout {
                addr: n.addr(),
                current_epoch,
                lines,
                dbsize: if replica {
                    "(replica)".to_string()
                } else {
                    n.cmd_str(&["DBSIZE"])
                },
            }
        })
        .collect()
}

/// `node`'s CLUSTER NODES lines, each given to `reduce` split into its fields, sorted.
pub fn reduced_cluster_nodes(node: &Node, reduce: impl Fn(&[&str]) -> String) -> Vec<String> {
    let mut lines: Vec<String> = node
        .cmd_str(&["CLUSTER", "NODES"])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| reduce(&l.split_whitespace().collect::<Vec<&str>>()))
        .collect();
    lines.sort();
    lines
}

/// Addresses of the alive nodes of `cluster` whose CLUSTER NODES shows an open slot
/// (`[slot->-id]` or `[slot-<-id]`).
pub fn nodes_with_open_slots(cluster: &TestCluster) -> Vec<String> {
    cluster
        .alive()
        .into_iter()
        .filter(|&i| cluster.node(i).cmd_str(&["CLUSTER", "NODES"]).contains('['))
        .map(|i| cluster.addr(i))
        .collect()
}

/// Addresses of the nodes of `nodes` whose CLUSTER NODES shows an open slot (one that does
/// not answer counts as showing none).
pub fn open_slot_nodes(nodes: &[&Node]) -> Vec<String> {
    nodes
        .iter()
        .filter(|n| {
            n.try_cmd(&["CLUSTER", "NODES"])
                .ok()
                .and_then(|v| redis::from_redis_value::<String>(v).ok())
                .is_some_and(|t| t.contains('['))
        })
        .map(|n| n.addr())
        .collect()
}

/// `CLUSTER NODES` of `node` on a fresh connection, parsed, or the error.
pub fn try_view(node: &Node) -> Result<Vec<NodeLine>, String> {
    let mut conn = node
        .try_conn()
        .map_err(|e| format!("{}: {e}", node.addr()))?;
    let text: String = redis::cmd("CLUSTER")
        .arg("NODES")
        .query(&mut conn)
        .map_err(|e| format!("{}: {e}", node.addr()))?;
    Ok(parse(&text))
}

/// How many slots `node` serves, in its own view.
pub fn served_slots(node: &Node) -> usize {
    node.cluster_nodes()
        .into_iter()
        .find(|l| l.id == node.id())
        .map_or(0, |l| l.slots.iter().map(|r| r.len()).sum())
}
