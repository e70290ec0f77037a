//! `add-node` and `del-node` against real redis-server clusters: a new master that can take
//! slots the moment add-node returns, replicas of a named master (id prefix and the
//! redis-cli spellings) and of the automatically chosen one, refusals that change nothing,
//! dry runs, adding a member twice; removing replicas, masters that still serve slots (refused,
//! then drained with their keys), emptied masters whose replicas must move, nodes that are
//! down (forgotten for good, past Redis's 60 s FORGET ban), and removal with shutdown.
//!
//! Every test that changes the cluster ends with all surviving nodes agreeing on members,
//! roles and slots, `rcluster check` and `redis-cli --cluster check` passing on a surviving
//! node, and, where keys exist, the data digest (SCAN + DUMP of every master) unchanged.
//!
//! Extra empty nodes are started with the harness's `Node::start`, which takes its ports
//! from the same allocator as the clusters.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use crate::common::{
    CurrentEpoch, FORM_TIMEOUT, Node, NodeLine, NodeOpts, RunOutput, TestCluster, all_text,
    assert_check_and_oracle_pass, assert_healthy, digest_nodes, json, layout, load_keys, members,
    poll_until, run, wait_settled, wait_synced,
};

/// How long Redis refuses to re-learn a node after CLUSTER FORGET, plus a margin.
const PAST_FORGET_BAN: Duration = Duration::from_secs(70);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `rcluster add-node <new> <existing> <extra...>`.
fn add_node(new: &str, existing: &str, extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["add-node".into(), new.into(), existing.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

/// `rcluster del-node <entry> <id> <extra...>`.
fn del_node(entry: &str, id: &str, extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["del-node".into(), entry.into(), id.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

/// `rcluster reshard <entry> <extra...> --yes`.
fn reshard(entry: &str, extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["reshard".into(), entry.into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push("--yes".into());
    run(&args)
}

/// A fresh, empty, cluster-enabled node that knows only itself.
fn spare() -> Node {
    Node::start(&NodeOpts::new())
}

/// The line of `id` in `viewer`'s CLUSTER NODES.
fn line_of(viewer: &Node, id: &str) -> Option<NodeLine> {
    viewer.cluster_nodes().into_iter().find(|l| l.id == id)
}

/// Number of lines of `node`'s CLUSTER NODES.
fn known(node: &Node) -> usize {
    node.cluster_nodes().len()
}

/// Slots `viewer` says `id` serves.
fn slot_count(viewer: &Node, id: &str) -> usize {
    line_of(viewer, id).map_or(0, |l| l.slots.iter().map(|r| r.len()).sum())
}

/// Panics if any of `nodes` lists `id` in its CLUSTER NODES.
fn assert_nobody_lists(nodes: &[&Node], id: &str) {
    for n in nodes {
        let text = n.cmd_str(&["CLUSTER", "NODES"]);
        assert!(
            !text.lines().any(|l| l.starts_with(id)),
            "{} still lists {id}:\n{text}",
            n.addr()
        );
    }
}

/// Ok when every one of `nodes` lists `id`, not in handshake, as a replica of `master` (or
/// as a master when `master` is None); otherwise what the first node that does not says.
fn sees_as(nodes: &[&Node], id: &str, master: Option<&str>) -> Result<(), String> {
    for n in nodes {
        let Some(line) = line_of(n, id) else {
            return Err(format!(
                "{} does not list {id}:\n{}",
                n.addr(),
                n.cmd_str(&["CLUSTER", "NODES"])
            ));
        };
        let ok = !line.has_flag("handshake")
            && !line.has_flag("noaddr")
            && match master {
                None => line.is_master(),
                Some(m) => line.is_replica() && line.master.as_deref() == Some(m),
            };
        if !ok {
            return Err(format!(
                "{} sees {line:?}, expected {}",
                n.addr(),
                master.map_or("a master".to_string(), |m| format!("a replica of {m}"))
            ));
        }
    }
    Ok(())
}

/// Every one of `nodes` sees `id` as [`sees_as`] describes, right now.
fn assert_everyone_sees(nodes: &[&Node], id: &str, master: Option<&str>) {
    if let Err(e) = sees_as(nodes, id, master) {
        panic!("{e}");
    }
}

/// Puts one key on a lone empty cluster node, leaving it without slots: a cluster node only
/// takes writes for slots it serves, so it serves all of them for the write.
fn put_key_on_lone_node(node: &Node, key: &str) {
    node.cmd(&["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    poll_until("the lone node to take writes", FORM_TIMEOUT, || {
        node.try_cmd(&["SET", key, "v"])
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    node.cmd(&["CLUSTER", "DELSLOTSRANGE", "0", "16383"]);
    assert_eq!(node.cmd_str(&["DBSIZE"]), "1");
    assert_eq!(known(node), 1);
}

// ---------------------------------------------------------------------------------------------
// add-node
// ---------------------------------------------------------------------------------------------

#[test]
fn add_master_is_usable_at_once() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 3000, "am", 32);
    let new = spare();
    let nodes = members(&cluster, &[], &[&new]);
    let before = digest_nodes(&nodes);

    let out = add_node(&new.addr(), &cluster.addr(1), &["--json"]);
    out.assert_success();
    // Right after the exit, without waiting: everyone knows it, it reports ok.
    assert_everyone_sees(&nodes, new.id(), None);
    assert_eq!(known(&new), 4, "the new node must know every node");
    assert_eq!(
        new.cluster_info_field("cluster_state").as_deref(),
        Some("ok")
    );
    let doc = json(&out);
    assert_eq!(doc["node"], new.addr().as_str(), "{doc:#}");
    assert_eq!(doc["id"], new.id(), "{doc:#}");
    assert_eq!(doc["role"], "master", "{doc:#}");
    assert!(doc["master_id"].is_null(), "{doc:#}");
    assert!(doc["master_addr"].is_null(), "{doc:#}");
    assert_eq!(doc["auto_selected"], false, "{doc:#}");
    assert_eq!(doc["dry_run"], false, "{doc:#}");
    assert_eq!(doc["already_member"], false, "{doc:#}");
    assert_eq!(doc["functions_copied"], false, "{doc:#}");
    let join = doc["join_ms"].as_u64().expect("join_ms");
    let ready = doc["ready_ms"].as_u64().expect("ready_ms");
    assert!(join <= ready, "{doc:#}");

    // Usable at once: a reshard to it right away succeeds.
    let out = reshard(
        &new.addr(),
        &["--from", "all", "--to", new.id(), "--slots", "100"],
    );
    out.assert_success();
    assert_healthy(&nodes);
    for n in &nodes {
        assert_eq!(slot_count(n, new.id()), 100, "as {} sees it", n.addr());
    }
    assert!(
        new.cmd_str(&["DBSIZE"]).parse::<u64>().unwrap() > 0,
        "keys of the moved slots must be on the new master"
    );
    digest_nodes(&nodes).assert_same_data_as(&before);
}

#[test]
fn add_replica_of_a_named_master() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 1500, "rn", 16);
    let (a, b) = (spare(), spare());
    let before = digest_nodes(&members(&cluster, &[], &[]));

    // valkey-cli's spelling (--cluster-replica --cluster-primary-id) with a prefix of master 1's id.
    let m1 = cluster.node(1);
    let prefix = &m1.id()[..8];
    let out = add_node(
        &a.addr(),
        &cluster.addr(0),
        &["--cluster-replica", "--cluster-primary-id", prefix],
    );
    out.assert_success();
    assert!(
        !all_text(&out).contains("Automatically selected"),
        "a named master is not chosen automatically:\n{out}"
    );
    let with_a = members(&cluster, &[], &[&a]);
    assert_everyone_sees(&with_a, a.id(), Some(m1.id()));
    wait_synced(&a, m1);

    // The redis-cli spelling, full id, with JSON.
    let m2 = cluster.node(2);
    let out = add_node(
        &b.addr(),
        &cluster.addr(1),
        &["--cluster-slave", "--cluster-master-id", m2.id(), "--json"],
    );
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["id"], b.id(), "{doc:#}");
    assert_eq!(doc["role"], "replica", "{doc:#}");
    assert_eq!(doc["master_id"], m2.id(), "{doc:#}");
    assert_eq!(doc["master_addr"], m2.addr().as_str(), "{doc:#}");
    assert_eq!(doc["auto_selected"], false, "{doc:#}");
    assert_eq!(doc["already_member"], false, "{doc:#}");
    let all = members(&cluster, &[], &[&a, &b]);
    assert_everyone_sees(&all, b.id(), Some(m2.id()));
    assert_everyone_sees(&all, a.id(), Some(m1.id()));
    wait_synced(&b, m2);

    assert_healthy(&all);
    digest_nodes(&all).assert_same_data_as(&before);
}

#[test]
fn add_replica_without_master_id_picks_the_master_without_replica() {
    // Replica 3 follows master 0, 4 follows 1, 5 follows 2; removing 5 leaves master 2 alone.
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    del_node(&cluster.addr(0), cluster.node(5).id(), &[]).assert_success();
    let survivors = members(&cluster, &[5], &[]);
    wait_settled(&survivors);

    let new = spare();
    let out = add_node(&new.addr(), &cluster.addr(1), &["--replica"]);
    out.assert_success();
    let m2 = cluster.node(2);
    assert!(
        out.stdout
            .contains(&format!("Automatically selected master {}", m2.addr())),
        "expected master 2 ({}) to be chosen:\n{out}",
        m2.addr()
    );
    let all = members(&cluster, &[5], &[&new]);
    assert_everyone_sees(&all, new.id(), Some(m2.id()));
    wait_synced(&new, m2);
    assert_healthy(&all);
}

#[test]
fn add_node_refusals_and_dry_run_change_nothing() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let nodes = members(&cluster, &[], &[]);
    let before = layout(&nodes, CurrentEpoch::Compared);
    let entry = cluster.addr(0);

    // A node holding a key.
    let full = spare();
    put_key_on_lone_node(&full, "refused-key");
    let out = add_node(&full.addr(), &entry, &[]);
    out.assert_code(1);
    assert!(all_text(&out).contains("key"), "{out}");
    assert_eq!(known(&full), 1, "the refused node met someone");
    assert_eq!(
        layout(&nodes, CurrentEpoch::Compared),
        before,
        "a refused add changed the cluster"
    );

    // Nodes of another cluster: its master (serves slots) and its replica.
    let other = TestCluster::start(1, 1, NodeOpts::new());
    for i in 0..2 {
        let out = add_node(&other.addr(i), &entry, &[]);
        out.assert_code(1);
        assert!(all_text(&out).contains("knows"), "{out}");
        assert_eq!(known(other.node(i)), 2, "the other cluster changed");
    }
    assert_eq!(
        layout(&nodes, CurrentEpoch::Compared),
        before,
        "a refused add changed the cluster"
    );

    // A node that is not cluster-enabled.
    let plain = Node::start(&NodeOpts::new().cluster(false));
    let out = add_node(&plain.addr(), &entry, &[]);
    out.assert_code(1);
    assert!(all_text(&out).contains("cluster"), "{out}");
    assert_eq!(
        layout(&nodes, CurrentEpoch::Compared),
        before,
        "a refused add changed the cluster"
    );

    // The new node and the existing node are the same: a usage error.
    add_node(&entry, &entry, &[]).assert_code(2);
    assert_eq!(layout(&nodes, CurrentEpoch::Compared), before);

    // Dry runs, as a master and as a replica.
    let new = spare();
    let out = add_node(&new.addr(), &entry, &["--dry-run"]);
    out.assert_success();
    assert!(out.stdout.contains("Dry run"), "{out}");
    let out = add_node(&new.addr(), &entry, &["--dry-run", "--replica", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true, "{doc:#}");
    assert_eq!(doc["role"], "replica", "{doc:#}");
    assert_eq!(doc["auto_selected"], true, "{doc:#}");
    assert!(doc["join_ms"].is_null(), "{doc:#}");
    assert_eq!(known(&new), 1, "a dry run made the node meet someone");
    assert_eq!(
        layout(&nodes, CurrentEpoch::Compared),
        before,
        "a dry run changed the cluster"
    );

    // A cluster whose check fails (an open slot) is refused.
    cluster
        .node(0)
        .cmd(&["CLUSTER", "SETSLOT", "0", "MIGRATING", cluster.node(1).id()]);
    let out = add_node(&new.addr(), &entry, &[]);
    out.assert_code(1);
    assert_eq!(known(&new), 1, "refused, yet the node met someone");
    cluster.node(0).cmd(&["CLUSTER", "SETSLOT", "0", "STABLE"]);
    assert_eq!(layout(&nodes, CurrentEpoch::Compared), before);

    // Adding the same node twice: the second run has nothing to do.
    add_node(&new.addr(), &entry, &[]).assert_success();
    let all = members(&cluster, &[], &[&new]);
    assert_everyone_sees(&all, new.id(), None);
    let after_add = layout(&all, CurrentEpoch::Compared);
    let out = add_node(&new.addr(), &cluster.addr(2), &[]);
    out.assert_success();
    assert!(out.stdout.contains("already"), "{out}");
    let out = add_node(&new.addr(), &entry, &["--json"]);
    out.assert_success();
    assert_eq!(json(&out)["already_member"], true, "{out}");
    // Asking for another role is refused.
    let out = add_node(&new.addr(), &entry, &["--replica"]);
    out.assert_code(1);
    assert!(all_text(&out).contains("already"), "{out}");
    assert_eq!(
        layout(&all, CurrentEpoch::Compared),
        after_add,
        "re-adding a member changed the cluster"
    );

    assert_healthy(&all);
}

// ---------------------------------------------------------------------------------------------
// del-node
// ---------------------------------------------------------------------------------------------

#[test]
fn del_replica_leaves_it_running_and_alone() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 1000, "dr", 16);
    let gone = cluster.node(4);
    let all = members(&cluster, &[], &[]);
    let survivors = members(&cluster, &[4], &[]);
    let before = digest_nodes(&all);
    let before_layout = layout(&all, CurrentEpoch::Compared);

    // Not an id: a usage error. Unknown prefix: refused. Dry run: nothing changes.
    del_node(&cluster.addr(0), "not-an-id", &[]).assert_code(2);
    let unknown = ["ffffffff", "00000000"]
        .into_iter()
        .find(|p| all.iter().all(|n| !n.id().starts_with(p)))
        .unwrap();
    del_node(&cluster.addr(0), unknown, &[]).assert_code(1);
    let out = del_node(&cluster.addr(0), gone.id(), &["--dry-run"]);
    out.assert_success();
    assert!(out.stdout.contains("Dry run"), "{out}");
    assert_eq!(
        layout(&all, CurrentEpoch::Compared),
        before_layout,
        "a dry run changed the cluster"
    );

    let out = del_node(&cluster.addr(0), gone.id(), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["id"], gone.id(), "{doc:#}");
    assert_eq!(doc["addr"], gone.addr().as_str(), "{doc:#}");
    assert_eq!(doc["already_gone"], false, "{doc:#}");
    assert_eq!(doc["reachable"], true, "{doc:#}");
    assert_eq!(doc["after"], "reset", "{doc:#}");
    assert_eq!(
        doc["repointed"].as_array().map(Vec::len),
        Some(0),
        "{doc:#}"
    );
    assert_eq!(
        doc["forgotten_by"].as_array().map(Vec::len),
        Some(survivors.len()),
        "{doc:#}"
    );
    // Right after the exit.
    assert_nobody_lists(&survivors, gone.id());
    // The removed node still runs, reset: it knows only itself.
    assert_eq!(gone.cmd_str(&["PING"]), "PONG");
    assert_eq!(known(gone), 1, "{}", gone.cmd_str(&["CLUSTER", "NODES"]));

    assert_healthy(&survivors);
    digest_nodes(&survivors).assert_same_data_as(&before);
    assert_nobody_lists(&survivors, gone.id());
    assert_eq!(known(gone), 1, "the removed node re-learned the cluster");
}

/// A removed node can be added back at once. del-node resets it HARD (a new id, which no
/// node has banned); and add-node has the new node MEET any node that does not learn it,
/// since nodes ignore gossip about an id they were told to forget in the last 60 s (the
/// state redis-cli's del-node leaves: RESET SOFT keeps the id).
#[test]
fn a_removed_node_can_be_added_back_at_once() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let node = cluster.node(4);
    let old_id = node.id().to_string();
    del_node(&cluster.addr(0), &old_id, &[]).assert_success();
    let new_id = node.cmd_str(&["CLUSTER", "MYID"]);
    assert_ne!(new_id, old_id, "del-node resets the node with a new id");
    let add_back = |id: &str| {
        let started = std::time::Instant::now();
        let out = add_node(&node.addr(), &cluster.addr(0), &["--replica", "--json"]);
        out.assert_success();
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "add-node took {:?}: {out}",
            started.elapsed()
        );
        let doc = json(&out);
        assert_eq!(doc["id"], id, "{doc:#}");
        let master = doc["master_id"].as_str().unwrap().to_string();
        assert_everyone_sees(&members(&cluster, &[], &[]), id, Some(&master));
    };
    add_back(&new_id);

    // The same id, forgotten everywhere a moment ago (as redis-cli's del-node leaves it).
    for n in members(&cluster, &[4], &[]) {
        n.cmd(&["CLUSTER", "FORGET", &new_id]);
    }
    node.cmd(&["CLUSTER", "RESET", "SOFT"]);
    assert_eq!(node.cmd_str(&["CLUSTER", "MYID"]), new_id);
    add_back(&new_id);
    // (assert_healthy would compare with the ids the harness remembers: the node has a new one.)
    assert_check_and_oracle_pass(&cluster.addr(0), cluster.opts());
}

#[test]
fn del_master_with_slots_is_refused_then_drained() {
    // Redis 7 defaults to cluster-allow-replica-migration yes: as its last slot leaves, the
    // drained master (and its replica) may turn into replicas of the master that took it.
    drain_master_with_replica(NodeOpts::new(), false);
}

#[test]
fn del_drained_master_repoints_its_replica() {
    // Without replica migration the drained master stays a master with its replica, which
    // del-node must move to a surviving master.
    drain_master_with_replica(
        NodeOpts::new().args(["--cluster-allow-replica-migration", "no"]),
        true,
    );
}

/// del-node of master 0 (with 5000 keys and a replica): refused without --drain, without
/// --yes, changes nothing with --dry-run; removes it with --drain --yes, keys and replica kept
/// (`expect_repoint`: the drained master still had its replica, del-node must move it).
fn drain_master_with_replica(opts: NodeOpts, expect_repoint: bool) {
    let cluster = TestCluster::start(3, 1, opts);
    let written = load_keys(&cluster, 5000, "dm", 64);
    let doomed = cluster.node(0);
    let its_replica = cluster.node(cluster.replicas_of(0)[0]);
    let all = members(&cluster, &[], &[]);
    let survivors = members(&cluster, &[0], &[]);
    let before = digest_nodes(&all);
    assert_eq!(before.keys, written as u64);
    let before_layout = layout(&all, CurrentEpoch::Compared);

    // Without --drain: refused, nothing changed.
    let out = del_node(&cluster.addr(1), doomed.id(), &[]);
    out.assert_code(1);
    assert!(all_text(&out).contains("--drain"), "{out}");
    assert_eq!(
        layout(&all, CurrentEpoch::Compared),
        before_layout,
        "a refused del-node changed the cluster"
    );
    // --drain without --yes and without a terminal: refused, nothing changed.
    let out = del_node(&cluster.addr(1), doomed.id(), &["--drain"]);
    out.assert_code(1);
    assert_eq!(
        layout(&all, CurrentEpoch::Compared),
        before_layout,
        "an unconfirmed drain changed the cluster"
    );
    // --drain --dry-run: nothing changed.
    let out = del_node(
        &cluster.addr(1),
        doomed.id(),
        &["--drain", "--dry-run", "--json"],
    );
    out.assert_success();
    assert!(!json(&out)["drain_plan"].is_null(), "{out}");
    assert_eq!(
        layout(&all, CurrentEpoch::Compared),
        before_layout,
        "a dry run changed the cluster"
    );

    let out = del_node(
        &cluster.addr(1),
        doomed.id(),
        &["--drain", "--yes", "--json"],
    );
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["id"], doomed.id(), "{doc:#}");
    assert!(!doc["drain_plan"].is_null(), "{doc:#}");
    assert!(!doc["drain"].is_null(), "{doc:#}");
    if expect_repoint {
        let repointed = doc["repointed"].as_array().expect("repointed");
        assert_eq!(repointed.len(), 1, "{doc:#}");
        assert_eq!(
            repointed[0]["replica"],
            its_replica.addr().as_str(),
            "{doc:#}"
        );
    }
    assert_nobody_lists(&survivors, doomed.id());

    assert_healthy(&survivors);
    digest_nodes(&survivors).assert_same_data_as(&before);
    assert_eq!(slot_count(survivors[0], doomed.id()), 0);
    // Its replica is still a member and follows a surviving master.
    let masters: BTreeSet<&str> = [1, 2].iter().map(|&i| cluster.node(i).id()).collect();
    let line = line_of(survivors[0], its_replica.id()).expect("the replica left the cluster");
    let master = line.master.clone().unwrap_or_default();
    assert!(
        line.is_replica() && masters.contains(master.as_str()),
        "the deleted master's replica is {line:?}"
    );
    let master_node = survivors.iter().find(|n| n.id() == master).unwrap();
    wait_synced(its_replica, master_node);
    // The removed node is reset and holds nothing.
    assert_eq!(known(doomed), 1);
    assert_eq!(doomed.cmd_str(&["DBSIZE"]), "0");
}

#[test]
fn del_emptied_master_repoints_its_replica() {
    // Without replica migration the emptied master stays a master and keeps its replica.
    let opts = NodeOpts::new().args(["--cluster-allow-replica-migration", "no"]);
    let cluster = TestCluster::start(3, 1, opts);
    load_keys(&cluster, 2000, "em", 16);
    let doomed = cluster.node(0);
    let replica = cluster.node(cluster.replicas_of(0)[0]);
    let all = members(&cluster, &[], &[]);
    let survivors = members(&cluster, &[0], &[]);
    let before = digest_nodes(&all);

    let slots = slot_count(doomed, doomed.id()).to_string();
    let to = cluster.node(1).id();
    reshard(
        &cluster.addr(1),
        &["--from", doomed.id(), "--to", to, "--slots", &slots],
    )
    .assert_success();
    wait_settled(&all);
    let line = line_of(cluster.node(1), doomed.id()).unwrap();
    assert!(line.is_master() && line.slots.is_empty(), "{line:?}");
    assert_eq!(
        line_of(cluster.node(1), replica.id())
            .unwrap()
            .master
            .as_deref(),
        Some(doomed.id())
    );

    let out = del_node(&cluster.addr(2), doomed.id(), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    let repointed = doc["repointed"].as_array().expect("repointed");
    assert_eq!(repointed.len(), 1, "{doc:#}");
    assert_eq!(repointed[0]["replica"], replica.addr().as_str(), "{doc:#}");
    let new_master_id = repointed[0]["new_master_id"].as_str().unwrap();
    let new_master = [1, 2]
        .iter()
        .map(|&i| cluster.node(i))
        .find(|n| n.id() == new_master_id)
        .unwrap_or_else(|| panic!("the replica was moved to a non-surviving master:\n{doc:#}"));
    assert_eq!(
        repointed[0]["new_master"],
        new_master.addr().as_str(),
        "{doc:#}"
    );
    assert_nobody_lists(&survivors, doomed.id());
    // del-node returns only when every node sees the replica under its new master (it used
    // to return before, and right after it the others listed the replica with master "-").
    assert_everyone_sees(&survivors, replica.id(), Some(new_master_id));

    assert_healthy(&survivors);
    assert_everyone_sees(&survivors, replica.id(), Some(new_master_id));
    wait_synced(replica, new_master);
    digest_nodes(&survivors).assert_same_data_as(&before);
}

#[test]
fn del_dead_node_stays_forgotten() {
    let mut cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 1000, "dd", 16);
    let dead = cluster.replicas_of(2)[0];
    let dead_id = cluster.node(dead).id().to_string();
    let dead_addr = cluster.addr(dead);
    cluster.kill(dead);
    let survivors = members(&cluster, &[dead], &[]);
    let before = digest_nodes(&survivors);

    let out = del_node(&cluster.addr(0), &dead_id, &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["id"], dead_id.as_str(), "{doc:#}");
    assert_eq!(doc["addr"], dead_addr.as_str(), "{doc:#}");
    assert_eq!(doc["reachable"], false, "{doc:#}");
    assert_eq!(doc["after"], "none", "{doc:#}");
    assert_nobody_lists(&survivors, &dead_id);
    assert_healthy(&survivors);

    // Past the 60 s ban, gossip must not bring it back.
    thread::sleep(PAST_FORGET_BAN);
    assert_nobody_lists(&survivors, &dead_id);

    let out = del_node(&cluster.addr(1), &dead_id, &[]);
    out.assert_success();
    assert!(out.stdout.contains("already removed"), "{out}");
    let out = del_node(&cluster.addr(1), &dead_id, &["--json"]);
    out.assert_success();
    assert_eq!(json(&out)["already_gone"], true, "{out}");

    assert_healthy(&survivors);
    assert_nobody_lists(&survivors, &dead_id);
    digest_nodes(&survivors).assert_same_data_as(&before);
}

#[test]
fn del_node_with_shutdown_stops_the_process() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let gone = cluster.node(3);
    let survivors = members(&cluster, &[3], &[]);

    let out = del_node(&cluster.addr(1), gone.id(), &["--shutdown", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["after"], "shutdown", "{doc:#}");
    assert!(
        doc["warnings"].as_array().is_some_and(Vec::is_empty),
        "{doc:#}"
    );
    poll_until(
        "the removed node's port to close",
        FORM_TIMEOUT,
        || match TcpStream::connect((gone.host(), gone.port())) {
            Ok(_) => Err(format!("{} still accepts connections", gone.addr())),
            Err(_) => Ok(()),
        },
    );
    assert_nobody_lists(&survivors, gone.id());
    assert_healthy(&survivors);
}
