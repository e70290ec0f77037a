//! `rcluster fix --rejoin`: every node of a cluster comes back at a new address (here a new
//! port on loopback: each server restarted from its own directory, `nodes.conf` and saved data
//! kept), so none reaches the others and the cluster is down; given the current addresses, fix
//! brings them back into the one cluster (same ids, same slots, every key). An address that
//! answers with an id the cluster does not know is refused, changing nothing.
//! (`scripts/docker-test.sh` does the same with containers that get new IP addresses.)

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::{
    Node, NodeOpts, TestCluster, digest_nodes, load_keys, poll_until, run, signal,
};

/// The cluster's nodes, all stopped (after a SAVE), then restarted on new ports from their
/// own directories: no node is where the others knew it.
fn restarted_elsewhere(cluster: &TestCluster) -> Vec<Node> {
    let mut dirs = Vec::new();
    for node in cluster.nodes() {
        node.cmd(&["SAVE"]);
        dirs.push(node.dir().to_str().expect("UTF-8 dir").to_string());
    }
    for node in cluster.nodes() {
        signal(node.pid().expect("running"), "9");
    }
    dirs.iter()
        .map(|dir| Node::start(&NodeOpts::new().args(["--dir", dir.as_str()])))
        .collect()
}

/// `id -> slots` as `node` sees the masters.
fn slot_map(node: &Node) -> BTreeMap<String, String> {
    node.cluster_nodes()
        .into_iter()
        .filter(|l| l.has_flag("master"))
        .map(|l| (l.id.clone(), format!("{:?}", l.slots)))
        .collect()
}

#[test]
fn fix_rejoin_brings_back_nodes_that_all_changed_address() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 3000, "k", 16);
    let masters: Vec<&Node> = (0..3).map(|m| cluster.node(m)).collect();
    let before = digest_nodes(&masters);
    let ids: Vec<String> = cluster.nodes().iter().map(|n| n.id().to_string()).collect();
    let map_before = slot_map(cluster.node(0));

    let moved = restarted_elsewhere(&cluster);
    let addrs: Vec<String> = moved.iter().map(Node::addr).collect();
    let entry = addrs[0].clone();
    // Down: every other node is unreachable at its old address.
    let down = run(["check", entry.as_str()]);
    assert_eq!(down.code, 1, "check of the moved cluster:\n{down}");

    // A stranger among the addresses: refused, nothing changed.
    let stranger = Node::start(&NodeOpts::new());
    let with_stranger = format!("{},{}", addrs[1], stranger.addr());
    let refused = run(["fix", entry.as_str(), "--rejoin", &with_stranger, "--yes"]);
    assert_eq!(refused.code, 1, "a stranger must be refused:\n{refused}");
    assert!(
        crate::common::all_text(&refused).contains("not a member"),
        "the refusal does not say why:\n{refused}"
    );
    assert!(
        !moved[0]
            .cluster_nodes()
            .iter()
            .any(|l| l.id == stranger.id()),
        "the stranger was met"
    );

    // Dry run: the plan, nothing sent.
    let rest = addrs[1..].join(",");
    let dry = run(["fix", entry.as_str(), "--rejoin", &rest, "--dry-run"]);
    assert!(
        dry.stdout.contains("CLUSTER MEET(s) to send"),
        "dry run shows no plan:\n{dry}"
    );

    let out = run(["fix", entry.as_str(), "--rejoin", &rest, "--yes"]);
    out.assert_success();
    poll_until("check passes", Duration::from_secs(20), || {
        let check = run(["check", entry.as_str()]);
        if check.code == 0 {
            Ok(())
        } else {
            Err(check.stdout)
        }
    });
    let ids_after: Vec<String> = moved.iter().map(|n| n.id().to_string()).collect();
    assert_eq!(ids_after, ids, "node ids changed");
    assert_eq!(slot_map(&moved[0]), map_before, "slots changed");
    let masters_after: Vec<&Node> = moved.iter().collect();
    assert!(
        digest_nodes(&masters_after) == before,
        "keys or values changed"
    );
}
