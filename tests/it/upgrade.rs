//! A rolling upgrade, as operators do it, on a cluster that mixes two servers: Valkey 8.1
//! masters get Valkey 9.1 replicas (`add-node --replica`), each new replica is promoted
//! (`failover`), the old nodes are removed (`del-node`). Throughout, `nodes` names each node's
//! server and version, `check` warns about the mix and passes, and every key is kept.
//!
//! The two servers come from `scripts/fetch-servers.sh` (the test fails, never skips, when they
//! are missing: run that script first).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::common::{
    Node, NodeOpts, RunOutput, TestCluster, json, load_keys, matrix_server, role, run, scan,
    wait_until,
};

/// `rcluster <args>` that must succeed.
fn ok(args: &[&str]) -> RunOutput {
    let out = run(args);
    assert!(out.success(), "rcluster {args:?} failed:\n{out}");
    out
}

/// `server version` of every node, from `rcluster nodes --json` (shards: a master and its
/// replicas).
fn servers(entry: &str) -> Vec<String> {
    let doc = json(&ok(&["nodes", entry, "--json"]));
    let label = |n: &serde_json::Value| {
        format!(
            "{} {}",
            n["server"].as_str().unwrap_or("?"),
            n["version"].as_str().unwrap_or("?")
        )
    };
    let mut out = Vec::new();
    for shard in doc["shards"].as_array().expect("shards array") {
        out.push(label(&shard["master"]));
        for replica in shard["replicas"].as_array().expect("replicas array") {
            out.push(label(replica));
        }
    }
    out.sort();
    out
}

/// Every string key of the masters among `nodes` with its value. Values are compared, not
/// DUMP payloads: the DUMP format changes between server versions (RDB 11 on Valkey 8.1, 80 on
/// 9.1).
fn values(nodes: &[&Node]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut out = BTreeMap::new();
    for node in nodes
        .iter()
        .filter(|n| role(n).as_deref() == Some("master"))
    {
        scan(&mut node.conn(), |conn, keys| {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("GET").arg(key);
            }
            let got: Vec<Vec<u8>> = pipe.query(conn).expect("GET");
            for (key, value) in keys.into_iter().zip(got) {
                assert!(out.insert(key, value).is_none(), "a key on two masters");
            }
        });
    }
    out
}

#[test]
fn valkey_8_1_to_9_1_rolling_upgrade_keeps_every_key() {
    let old: PathBuf = matrix_server("valkey-8.1");
    let new: PathBuf = matrix_server("valkey-9.1");
    let cluster = TestCluster::start(3, 0, NodeOpts::new().binary(&old));
    load_keys(&cluster, 3000, "upgrade", 32);
    let old_nodes: Vec<&Node> = cluster.nodes().iter().collect();
    let before = values(&old_nodes);
    let entry = cluster.addr(0);

    // 1. A Valkey 9.1 replica for every Valkey 8.1 master.
    let replicas: Vec<Node> = (0..3)
        .map(|_| Node::start(&NodeOpts::new().binary(&new)))
        .collect();
    for (master, replica) in cluster.nodes().iter().zip(&replicas) {
        ok(&[
            "add-node",
            &replica.addr(),
            &entry,
            "--replica",
            "--master-id",
            master.id(),
            "--wait-timeout",
            "10",
        ]);
    }
    wait_until("the new replicas to finish their first sync", || {
        replicas.iter().all(|r| {
            r.info_field("replication", "master_link_status").as_deref() == Some("up")
                && r.info_field("replication", "master_sync_in_progress")
                    .as_deref()
                    == Some("0")
        })
    });
    assert_eq!(
        servers(&entry),
        [
            "valkey 8.1.8",
            "valkey 8.1.8",
            "valkey 8.1.8",
            "valkey 9.1.2",
            "valkey 9.1.2",
            "valkey 9.1.2"
        ]
    );
    let check = ok(&["check", &entry]);
    assert!(
        check.stdout.contains("valkey 8.1.8") && check.stdout.contains("valkey 9.1.2"),
        "check names both servers of a mixed cluster:\n{check}"
    );

    // 2. Each new replica takes over its master's slots.
    for replica in &replicas {
        ok(&["failover", &replica.addr()]);
    }
    let new_entry = replicas[0].addr();
    wait_until("every new node to be a master", || {
        replicas
            .iter()
            .all(|r| r.info_field("replication", "role").as_deref() == Some("master"))
    });

    // 3. The old nodes leave.
    for old_node in cluster.nodes() {
        ok(&["del-node", &new_entry, old_node.id()]);
    }
    assert_eq!(
        servers(&new_entry),
        ["valkey 9.1.2", "valkey 9.1.2", "valkey 9.1.2"]
    );
    let check = ok(&["check", &new_entry]);
    assert!(
        check.stdout.contains("[OK] All 16384 slots covered."),
        "{check}"
    );
    let after = values(&replicas.iter().collect::<Vec<_>>());
    assert_eq!(before.len(), 3000);
    assert!(before == after, "every key and value survives the upgrade");
}
