//! Bringing a cluster whose nodes all came back with new addresses (containers recreated, a
//! host rebooted) into one cluster again: each node still knows the others by their old
//! addresses (its `nodes.conf`), so nobody reaches anybody. Given every node's current
//! address, the plan says which node must meet which (`CLUSTER MEET` to the new address: the
//! node that answers there has a known id, and the server moves that member to the address).
//! Pure: from what each address answered to a plan, or a refusal.

use std::fmt;

use crate::address::NodeAddr;
use crate::cluster::parse::nodes::{LinkState, NodeEntry};

/// What one node answered at its current address.
#[derive(Debug, Clone)]
pub(crate) struct Reached {
    /// The address as given (`host:port`, a host name is fine).
    pub(crate) given: String,
    /// The IP the host resolved to (CLUSTER MEET needs an IP).
    pub(crate) ip: String,
    /// Its client port.
    pub(crate) port: u16,
    /// Its cluster-bus port.
    pub(crate) bus_port: u16,
    /// Its own line of `CLUSTER NODES` (its id; its address there may be the old one).
    pub(crate) myself: NodeEntry,
    /// Every line of its `CLUSTER NODES`.
    pub(crate) view: Vec<NodeEntry>,
}

impl Reached {
    /// Where it answers now (`ip:port`, an IPv6 address in brackets when displayed).
    pub(crate) fn current_addr(&self) -> NodeAddr {
        NodeAddr::new(self.ip.clone(), self.port)
    }
}

/// One `CLUSTER MEET` to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meet {
    /// Index (in the `Reached` list) of the node that sends it.
    pub(crate) from: usize,
    /// Index of the node it meets at its current address.
    pub(crate) to: usize,
}

/// What the rejoin does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RejoinPlan {
    /// For each node (same order as given): the address the others knew it by, when any of
    /// them knew another one.
    pub(crate) old_addresses: Vec<Option<String>>,
    /// The MEETs to send.
    pub(crate) meets: Vec<Meet>,
    /// Members the nodes know that were not given, with their last known address: they stay
    /// where the others cannot reach them.
    pub(crate) not_given: Vec<(String, String)>,
}

/// Why a rejoin is refused (nothing is changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RejoinRefusal(pub(crate) String);

impl fmt::Display for RejoinRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `ip:port` of a view line, when it has an address.
fn line_addr(line: &NodeEntry) -> Option<String> {
    line.addr.as_ref().map(ToString::to_string)
}

/// The plan for `nodes` (the first one is the entry: its cluster is the one rejoined), or why
/// not: fewer than two nodes, two addresses answering with the same node id, or a node whose
/// id the entry node does not know (a node of another cluster, or a reset one: meeting it
/// would merge it in).
pub(crate) fn plan_rejoin(nodes: &[Reached]) -> Result<RejoinPlan, RejoinRefusal> {
    if nodes.len() < 2 {
        return Err(RejoinRefusal(
            "give the current address of every node of the cluster (at least two)".into(),
        ));
    }
    for (i, a) in nodes.iter().enumerate() {
        if let Some(b) = nodes[..i].iter().find(|b| b.myself.id == a.myself.id) {
            return Err(RejoinRefusal(format!(
                "{} and {} answer as the same node {}: give each node once",
                b.given, a.given, a.myself.id
            )));
        }
    }
    // The cluster is the one the first node (the entry) belongs to.
    let entry = &nodes[0];
    for node in &nodes[1..] {
        let known = entry
            .view
            .iter()
            .any(|l| !l.flags.myself && !l.flags.handshake && l.id == node.myself.id);
        if !known {
            return Err(RejoinRefusal(format!(
                "{} answers as node {}, which {} (node {}) does not know: it is not a member of \
                 that cluster (another cluster's node, or one that was reset); nothing was \
                 changed",
                node.given, node.myself.id, entry.given, entry.myself.id
            )));
        }
    }
    let current = |n: &Reached| n.current_addr().to_string();
    let mut meets = Vec::new();
    for (from, a) in nodes.iter().enumerate() {
        for (to, b) in nodes.iter().enumerate().filter(|(to, _)| *to != from) {
            if !sees(&a.view, b) {
                meets.push(Meet { from, to });
            }
        }
    }
    let old_addresses = nodes
        .iter()
        .map(|b| {
            nodes
                .iter()
                .flat_map(|a| a.view.iter())
                .filter(|l| !l.flags.myself && l.id == b.myself.id)
                .filter_map(line_addr)
                .find(|addr| *addr != current(b))
        })
        .collect();
    let mut not_given: Vec<(String, String)> = Vec::new();
    for line in nodes.iter().flat_map(|n| n.view.iter()) {
        if line.flags.handshake
            || nodes.iter().any(|n| n.myself.id == line.id)
            || not_given.iter().any(|(id, _)| *id == line.id)
        {
            continue;
        }
        not_given.push((
            line.id.clone(),
            line_addr(line).unwrap_or_else(|| "?".into()),
        ));
    }
    Ok(RejoinPlan {
        old_addresses,
        meets,
        not_given,
    })
}

/// True when `view` shows `node` at its current address, with its link up and no failure
/// flag.
fn sees(view: &[NodeEntry], node: &Reached) -> bool {
    let current = node.current_addr().to_string();
    view.iter().any(|l| {
        l.id == node.myself.id
            && line_addr(l).as_deref() == Some(current.as_str())
            && l.link == LinkState::Connected
            && !l.flags.failing()
    })
}

/// The pairs where a node (`views[from]`, its current view) does not see another yet.
pub(crate) fn apart(nodes: &[Reached], views: &[Vec<NodeEntry>]) -> Vec<Meet> {
    let mut out = Vec::new();
    for (from, view) in views.iter().enumerate() {
        for (to, node) in nodes.iter().enumerate() {
            if to != from && !sees(view, node) {
                out.push(Meet { from, to });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::parse::nodes::parse_cluster_nodes;

    const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

    /// Node `me` at its new address `ip`, knowing the others at their old ones (10.0.0.x).
    fn reached(me: &str, ip: &str, members: &[(&str, &str, &str)]) -> Reached {
        let text: String = members
            .iter()
            .map(|(id, addr, slots)| {
                let flags = if *id == me {
                    "myself,master"
                } else {
                    "master,fail"
                };
                let link = if *id == me {
                    "connected"
                } else {
                    "disconnected"
                };
                format!("{id} {addr}:6379@16379 {flags} - 0 0 1 {link} {slots}\n")
            })
            .collect();
        let view = parse_cluster_nodes(&text).unwrap();
        Reached {
            given: format!("{ip}:6379"),
            ip: ip.into(),
            port: 6379,
            bus_port: 16379,
            myself: view.iter().find(|l| l.flags.myself).unwrap().clone(),
            view,
        }
    }

    fn old_cluster() -> Vec<(&'static str, &'static str, &'static str)> {
        vec![
            (A, "10.0.0.2", "0-5460"),
            (B, "10.0.0.3", "5461-10922"),
            (C, "10.0.0.4", "10923-16383"),
        ]
    }

    #[test]
    fn every_node_meets_every_other_at_its_new_address() {
        let members = old_cluster();
        let nodes = vec![
            reached(A, "10.0.1.7", &members),
            reached(B, "10.0.1.8", &members),
            reached(C, "10.0.1.9", &members),
        ];
        let plan = plan_rejoin(&nodes).unwrap();
        assert_eq!(plan.meets.len(), 6);
        assert_eq!(plan.old_addresses[1].as_deref(), Some("10.0.0.3:6379"));
        assert!(plan.not_given.is_empty());
        let views: Vec<Vec<NodeEntry>> = nodes.iter().map(|n| n.view.clone()).collect();
        assert_eq!(apart(&nodes, &views), plan.meets);
    }

    #[test]
    fn members_left_out_are_named() {
        let members = old_cluster();
        let nodes = vec![
            reached(A, "10.0.1.7", &members),
            reached(B, "10.0.1.8", &members),
        ];
        let plan = plan_rejoin(&nodes).unwrap();
        assert_eq!(plan.meets.len(), 2);
        assert_eq!(
            plan.not_given,
            vec![(C.to_string(), "10.0.0.4:6379".to_string())]
        );
    }

    #[test]
    fn a_stranger_or_a_duplicate_is_refused() {
        let members = old_cluster();
        let stranger = "dddddddddddddddddddddddddddddddddddddddd";
        let nodes = vec![
            reached(A, "10.0.1.7", &members),
            reached(stranger, "10.0.1.8", &[(stranger, "10.0.1.8", "")]),
        ];
        let err = plan_rejoin(&nodes).unwrap_err();
        assert!(
            err.0.contains(stranger) && err.0.contains("not a member"),
            "{err}"
        );
        let twice = vec![
            reached(A, "10.0.1.7", &members),
            reached(A, "10.0.1.7", &members),
        ];
        assert!(plan_rejoin(&twice).unwrap_err().0.contains("same node"));
        assert!(plan_rejoin(&twice[..1]).is_err());
    }

    #[test]
    fn ipv6_nodes_that_see_each_other_need_no_meet() {
        let ips = [(A, "fd00::2"), (B, "fd00::3")];
        let nodes: Vec<Reached> = ips
            .iter()
            .map(|&(me, ip)| {
                let text: String = ips
                    .iter()
                    .map(|&(id, addr)| {
                        let flags = if id == me { "myself,master" } else { "master" };
                        format!("{id} {addr}:6379@16379 {flags} - 0 0 1 connected\n")
                    })
                    .collect();
                let view = parse_cluster_nodes(&text).unwrap();
                Reached {
                    given: format!("[{ip}]:6379"),
                    ip: ip.into(),
                    port: 6379,
                    bus_port: 16379,
                    myself: view.iter().find(|l| l.flags.myself).unwrap().clone(),
                    view,
                }
            })
            .collect();
        assert_eq!(nodes[0].current_addr().to_string(), "[fd00::2]:6379");
        let plan = plan_rejoin(&nodes).unwrap();
        assert!(plan.meets.is_empty(), "{:?}", plan.meets);
        assert_eq!(plan.old_addresses, vec![None, None]);
    }
}
