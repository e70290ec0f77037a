//! What a repaired or changed cluster must look like: every member agrees, no slot is open,
//! every key sits on the master serving its slot, `rcluster check` and the oracle
//! (`redis-cli --cluster check`) pass, and the data is what it was.

use std::collections::{BTreeMap, BTreeSet};

use super::cli::{auth_args, redis_cli, run};
use super::cluster::{FORM_TIMEOUT, TestCluster};
use super::data::{Digest, digest, misplaced_keys};
use super::node::{Node, NodeOpts, redis_cli_available};
use super::nodes_conf::{NodeLine, merge_ranges};
use super::views::{nodes_with_open_slots, try_view};
use super::{SLOTS, poll_until};

/// No open slot anywhere, no key outside its master's slots, `rcluster check` and
/// `redis-cli --cluster check` both pass.
pub fn assert_checks_pass(cluster: &TestCluster) {
    cluster.wait_cluster_ok();
    let open = nodes_with_open_slots(cluster);
    assert!(open.is_empty(), "open slots left on {open:?}");
    let stray = misplaced_keys(&cluster.alive_nodes());
    assert!(
        stray.is_empty(),
        "keys on masters that do not serve their slot (master, slot, keys): {stray:?}"
    );
    assert_check_and_oracle_pass(&cluster.addr(cluster.alive()[0]), cluster.opts());
}

/// `rcluster check` and `redis-cli --cluster check` both pass on `entry` (auth and TLS from
/// `opts`).
pub fn assert_check_and_oracle_pass(entry: &str, opts: &NodeOpts) {
    let mut argv = auth_args(opts);
    argv.extend(["check".to_string(), entry.to_string()]);
    let check = run(argv);
    assert!(check.success(), "rcluster check failed:\n{check}");
    if redis_cli_available() {
        let oracle = redis_cli(opts, ["--cluster", "check", entry]);
        assert!(
            oracle.success() && !oracle.stdout.contains("[ERR]"),
            "redis-cli --cluster check failed:\n{oracle}"
        );
    }
}

/// The cluster passes both checks and holds exactly the data of `before`: same keys, same
/// DUMP payloads, no key on two masters.
pub fn assert_repaired(cluster: &TestCluster, before: &Digest) {
    assert_checks_pass(cluster);
    digest(cluster).assert_same_data_as(before);
}

/// The nodes of `cluster` except the indices in `except` (and those the harness killed),
/// followed by `extra`.
pub fn members<'a>(
    cluster: &'a TestCluster,
    except: &[usize],
    extra: &[&'a Node],
) -> Vec<&'a Node> {
    cluster
        .alive()
        .into_iter()
        .filter(|i| !except.contains(i))
        .map(|i| cluster.node(i))
        .chain(extra.iter().copied())
        .collect()
}

/// One node's view reduced to what all nodes must agree on: id → (master id, merged slots).
pub type AgreedView = BTreeMap<String, (Option<String>, Vec<(u16, u16)>)>;

/// The [`AgreedView`] of one node's `CLUSTER NODES` lines.
pub fn agreed_view(lines: &[NodeLine]) -> AgreedView {
    lines
        .iter()
        .map(|l| {
            let slots = merge_ranges(&l.slots)
                .into_iter()
                .map(|r| (*r.start(), *r.end()))
                .collect();
            (l.id.clone(), (l.master.clone(), slots))
        })
        .collect()
}

/// Ok when each of `nodes` lists exactly the ids of `nodes`, none in handshake or failing,
/// reports cluster_state:ok, and all agree on roles and slots.
pub fn settled(nodes: &[&Node]) -> Result<(), String> {
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id()).collect();
    let mut first: Option<(String, AgreedView)> = None;
    for n in nodes {
        let lines = n.cluster_nodes();
        let seen: BTreeSet<&str> = lines.iter().map(|l| l.id.as_str()).collect();
        if seen != ids {
            return Err(format!("{} knows {seen:?}, expected {ids:?}", n.addr()));
        }
        if let Some(l) = lines.iter().find(|l| {
            ["handshake", "noaddr", "fail", "fail?"]
                .iter()
                .any(|f| l.has_flag(f))
        }) {
            return Err(format!("{} sees {} as {:?}", n.addr(), l.addr, l.flags));
        }
        let state = n.cluster_info_field("cluster_state");
        if state.as_deref() != Some("ok") {
            return Err(format!("{}: cluster_state {state:?}", n.addr()));
        }
        let view = agreed_view(&lines);
        match &first {
            None => first = Some((n.addr(), view)),
            Some((addr, v)) if *v != view => {
                return Err(format!(
                    "{} and {addr} disagree on roles or slots",
                    n.addr()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Waits until `nodes` form a settled cluster (see [`settled`]).
pub fn wait_settled(nodes: &[&Node]) {
    poll_until("the cluster to settle", FORM_TIMEOUT, || settled(nodes));
}

/// Every slot is served, by one of `nodes`, as `nodes[0]` sees it.
pub fn assert_full_coverage(nodes: &[&Node]) {
    let ids: BTreeSet<&str> = nodes.iter().map(|n| n.id()).collect();
    let mut covered = vec![false; usize::from(SLOTS)];
    for line in nodes[0].cluster_nodes() {
        for r in &line.slots {
            assert!(
                ids.contains(line.id.as_str()),
                "slots {r:?} served by {} which is not a member",
                line.id
            );
            for s in r.clone() {
                covered[usize::from(s)] = true;
            }
        }
    }
    let missing = covered.iter().filter(|c| !**c).count();
    assert_eq!(missing, 0, "{missing} slot(s) not served");
}

/// The end of every test that changes the cluster: `nodes` (the members) settle, no slot is
/// open, every key is where its slot is served, `rcluster check` and `redis-cli --cluster
/// check` pass on `nodes[0]`.
pub fn assert_healthy(nodes: &[&Node]) {
    wait_settled(nodes);
    assert_full_coverage(nodes);
    for n in nodes {
        let text = n.cmd_str(&["CLUSTER", "NODES"]);
        assert!(
            !text.contains("->-") && !text.contains("-<-"),
            "open slot on {}:\n{text}",
            n.addr()
        );
    }
    let stray = misplaced_keys(nodes);
    assert!(
        stray.is_empty(),
        "keys outside their master's slots: {stray:?}"
    );
    assert_check_and_oracle_pass(&nodes[0].addr(), nodes[0].opts());
}

/// Waits until `replica`'s replication link to its master is up and it holds as many keys.
pub fn wait_synced(replica: &Node, master: &Node) {
    poll_until("the replica to sync", FORM_TIMEOUT, || {
        let link = replica.info_field("replication", "master_link_status");
        let port = replica.info_field("replication", "master_port");
        let (have, want) = (replica.cmd_str(&["DBSIZE"]), master.cmd_str(&["DBSIZE"]));
        if link.as_deref() == Some("up")
            && port.as_deref() == Some(&master.port().to_string())
            && have == want
        {
            Ok(())
        } else {
            Err(format!(
                "{}: link {link:?}, master port {port:?}, {have} of {want} keys",
                replica.addr()
            ))
        }
    });
}

/// Waits until every replica of `cluster` (as formed) is in sync with its master
/// ([`wait_synced`]).
pub fn wait_replicas_synced(cluster: &TestCluster) {
    for m in 0..cluster.masters() {
        for r in cluster.replicas_of(m) {
            wait_synced(cluster.node(r), cluster.node(m));
        }
    }
}

/// Waits until every node of `viewers` flags `dead_id` as `fail` (a viewer that does not
/// answer yet is asked again).
pub fn wait_flagged_fail(viewers: &[&Node], dead_id: &str) {
    poll_until("the node to be flagged fail", FORM_TIMEOUT, || {
        for node in viewers {
            let view = try_view(node)?;
            match view.iter().find(|l| l.id == dead_id) {
                Some(l) if l.has_flag("fail") => {}
                other => return Err(format!("{} sees {other:?}", node.addr())),
            }
        }
        Ok(())
    });
}
