//! Numbered databases in cluster mode (Valkey >= 9.0, `cluster-databases 16`) through every
//! slot move: keys of several types, some with a TTL, in databases 0, 1, 5 and 15 (the same
//! names in each database, with different values) must survive reshard, rebalance,
//! `del-node --drain`, and `fix` after rcluster was SIGKILLed mid-reshard: every key of every
//! database still there with its value and TTL, in its database, on the master that serves its
//! slot, and no server log reporting a crash. A target with fewer databases than the keys
//! need is refused before anything changes.
//!
//! The server is the harness's (`RCLUSTER_TEST_SERVER`). On a server without numbered databases
//! each test is not applicable (`require!`): it says so and passes, or fails in CI;
//! `scripts/test` runs this module on Valkey 9 only.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::{
    ClusterSpec, CurrentEpoch, DATABASES, Digest, Feature, Node, NodeOpts, RunOutput, Spawned,
    TestCluster, conn_in, digest_nodes_in, fix_until_ok, key_slot, layout, misplaced_keys_in,
    nodes_with_open_slots, poll_until, require, run, scan, signal,
};

/// Databases the tests write to.
const DBS: [u32; 4] = [0, 1, 5, 15];

/// Writes `per_db` keys into each database of [`DBS`], straight to each slot's owner: `k:{i}`
/// in every database with a value naming the database, of five types by `i % 5`, and a
/// one-hour TTL on every seventh key.
fn load(cluster: &TestCluster, per_db: usize) {
    let owners = cluster.slot_owners();
    std::thread::scope(|s| {
        for m in 0..cluster.masters() {
            let owners = &owners;
            s.spawn(move || {
                for db in DBS {
                    let keys: Vec<usize> = (0..per_db)
                        .filter(|i| owners[usize::from(key_slot(key(*i)))] == Some(m))
                        .collect();
                    write_keys(cluster.node(m), db, &keys);
                }
            });
        }
    });
}

fn key(i: usize) -> String {
    format!("k:{i}")
}

/// Writes the keys numbered `keys` into database `db` of `node`.
fn write_keys(node: &Node, db: u32, keys: &[usize]) {
    let mut conn = conn_in(node, db);
    for chunk in keys.chunks(500) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let k = key(i);
            let v = format!("db{db}-value-{i}");
            match i % 5 {
                0 => pipe.cmd("SET").arg(&k).arg(&v).ignore(),
                1 => pipe
                    .cmd("HSET")
                    .arg(&k)
                    .arg("a")
                    .arg(&v)
                    .arg("b")
                    .arg(i)
                    .ignore(),
                2 => pipe.cmd("SADD").arg(&k).arg(&v).arg(db).ignore(),
                3 => pipe.cmd("RPUSH").arg(&k).arg(&v).arg(i).ignore(),
                _ => pipe.cmd("ZADD").arg(&k).arg(i).arg(&v).ignore(),
            };
            if i % 7 == 0 {
                pipe.cmd("PEXPIRE").arg(&k).arg(3_600_000).ignore();
            }
        }
        pipe.query::<()>(&mut conn)
            .unwrap_or_else(|e| panic!("writing db {db} of {}: {e}", node.addr()));
    }
}

/// What the test compares before and after: per database, the digest of every key and value
/// and how many keys have a TTL.
type Data = BTreeMap<u32, (Digest, u64)>;

/// [`Data`] of every database `0..DATABASES` over `nodes` (those that are masters).
fn data(nodes: &[&Node]) -> Data {
    (0..DATABASES)
        .map(|db| (db, (digest_nodes_in(nodes, db), keys_with_ttl(nodes, db))))
        .collect()
}

/// Keys with a TTL in database `db` of the masters among `nodes`.
fn keys_with_ttl(nodes: &[&Node], db: u32) -> u64 {
    let mut n = 0;
    for node in nodes {
        if crate::common::role(node).as_deref() != Some("master") {
            continue;
        }
        scan(&mut conn_in(node, db), |conn, keys| {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("PTTL").arg(key);
            }
            let ttls: Vec<i64> = pipe.query(conn).expect("PTTL");
            n += ttls.iter().filter(|t| **t > 0).count() as u64;
        });
    }
    n
}

/// Panics unless `after` holds the same keys and values as `before` in every database, no key
/// is on two masters or on a master that does not serve its slot, and no server log reports a
/// crash.
fn assert_kept(nodes: &[&Node], before: &Data, after: &Data) {
    for (db, (digest, ttl)) in before {
        let (now, now_ttl) = &after[db];
        if digest.keys > 0 {
            eprintln!("db {db}: {} keys, {ttl} with a TTL", digest.keys);
        }
        now.assert_same_data_as(digest);
        assert_eq!(now_ttl, ttl, "keys with a TTL in db {db}");
        let misplaced = misplaced_keys_in(nodes, *db);
        assert!(
            misplaced.is_empty(),
            "db {db}: keys on masters that do not serve their slot: {misplaced:?}"
        );
    }
}

/// A loaded cluster and its data.
fn loaded(spec: ClusterSpec, per_db: usize) -> (TestCluster, Data) {
    let cluster = spec.opts(NodeOpts::new().numbered_dbs()).start();
    load(&cluster, per_db);
    let before = data(&cluster.nodes().iter().collect::<Vec<_>>());
    for db in DBS {
        assert!(before[&db].0.keys > 0, "nothing written to db {db}");
    }
    (cluster, before)
}

/// `rcluster check` passes and redis-level views agree.
fn assert_healthy(cluster: &TestCluster) {
    cluster.wait_cluster_ok();
    let out = run(["check", &cluster.addr(0)]);
    assert!(out.success(), "check after the move:\n{out}");
}

/// `rcluster check <entry>` passes, or its output.
fn check_passes(entry: &str) -> Result<(), String> {
    let out = run(["check", entry]);
    if out.success() {
        Ok(())
    } else {
        Err(out.to_string())
    }
}

fn assert_success(what: &str, out: &RunOutput) {
    assert!(out.success(), "{what}:\n{out}");
}

/// After a move that succeeded: a healthy cluster, and every node's data kept.
fn assert_moved_and_kept(what: &str, out: &RunOutput, cluster: &TestCluster, before: &Data) {
    assert_success(what, out);
    assert_healthy(cluster);
    let nodes: Vec<&Node> = cluster.nodes().iter().collect();
    assert_kept(&nodes, before, &data(&nodes));
}

/// `reshard <entry> --from all --to <to> --slots <slots> --yes --engine <engine>`.
fn reshard_argv(entry: &str, to: &str, slots: u32, engine: &str) -> Vec<String> {
    let slots = slots.to_string();
    [
        "reshard", entry, "--from", "all", "--to", to, "--slots", &slots, "--yes", "--engine",
        engine,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Both engines: the servers' atomic slot migration (Valkey >= 9.0 moves every database with
/// its slot) and MIGRATE (rcluster drains each database in turn).
#[test]
fn reshard_keeps_every_database() {
    require!(Feature::NumberedDbs);
    let (cluster, before) = loaded(ClusterSpec::new(3, 1), 6000);
    for (engine, to) in [("auto", 0), ("legacy", 1)] {
        let out = run(reshard_argv(
            &cluster.addr(0),
            cluster.node(to).id(),
            3000,
            engine,
        ));
        assert_moved_and_kept(
            &format!("reshard --engine {engine}"),
            &out,
            &cluster,
            &before,
        );
    }
}

#[test]
fn rebalance_keeps_every_database() {
    require!(Feature::NumberedDbs);
    let spec = ClusterSpec::new(3, 1).slots(vec![
        vec![0..=9999],
        vec![10000..=13999],
        vec![14000..=16383],
    ]);
    let (cluster, before) = loaded(spec, 6000);
    let out = run(["rebalance", &cluster.addr(0), "--yes"]);
    assert_moved_and_kept("rebalance", &out, &cluster, &before);
    let counts = cluster.slot_counts();
    assert!(
        counts.iter().all(|&n| n.abs_diff(5461) <= 200),
        "not rebalanced: {counts:?}"
    );
}

#[test]
fn del_node_drain_keeps_every_database() {
    require!(Feature::NumberedDbs);
    let (cluster, before) = loaded(ClusterSpec::new(3, 0), 6000);
    let gone = cluster.node(2).id().to_string();
    let out = run([
        "del-node",
        &cluster.addr(0),
        &gone,
        "--drain",
        "--yes",
        "--engine",
        "legacy",
    ]);
    assert_success("del-node --drain", &out);
    let rest: Vec<&Node> = cluster.nodes()[..2].iter().collect();
    poll_until("the two masters agree", Duration::from_secs(20), || {
        check_passes(&cluster.addr(0))
    });
    assert_kept(&rest, &before, &data(&rest));
}

/// Delays before the SIGKILL of each round, in turn.
const KILL_DELAYS_MS: [u64; 6] = [150, 400, 800, 250, 600, 1200];

/// Rounds of the SIGKILL test: `NUMBERED_DBS_KILL_ROUNDS`, 3 by default (the full-length
/// runs of scripts/kill-test.sh use more).
fn kill_rounds() -> usize {
    std::env::var("NUMBERED_DBS_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
}

#[test]
fn fix_after_sigkill_mid_reshard_keeps_every_database() {
    require!(Feature::NumberedDbs);
    let (cluster, before) = loaded(ClusterSpec::new(3, 1), 25_000);
    let nodes: Vec<&Node> = cluster.nodes().iter().collect();
    let entry = cluster.addr(0);
    let mut rounds_with_open_slots = 0;
    for round in 0..kill_rounds() {
        let delay = KILL_DELAYS_MS[round % KILL_DELAYS_MS.len()];
        let to = cluster.node(round % cluster.masters()).id();
        // MIGRATE: the engine that leaves open slots behind when it is killed.
        let child = Spawned::start(&reshard_argv(&entry, to, 6000, "legacy"));
        std::thread::sleep(Duration::from_millis(delay));
        signal(child.pid(), "9");
        let killed = child.wait(Duration::from_secs(30));
        let open = nodes_with_open_slots(&cluster);
        if !open.is_empty() {
            rounds_with_open_slots += 1;
        }
        let runs = fix_until_ok(&entry);
        eprintln!(
            "round {round}: killed after {delay} ms (exit {}), open slots on {open:?}, \
             fix runs {}",
            killed.code,
            runs.len()
        );
        assert_healthy(&cluster);
        assert_kept(&nodes, &before, &data(&nodes));
    }
    assert!(
        rounds_with_open_slots > 0,
        "no kill landed while a slot was open: the test did not exercise fix"
    );
}

#[test]
fn target_without_the_database_is_refused_before_any_change() {
    require!(Feature::NumberedDbs);
    let (cluster, before) = loaded(ClusterSpec::new(2, 0), 2000);
    // A new master with only 4 databases: keys of databases 5 and 15 cannot go there.
    let small = Node::start(&NodeOpts::new().args(["--cluster-databases", "4"]));
    let first = cluster.node(0);
    small.cmd(&["CLUSTER", "MEET", first.host(), &first.port().to_string()]);
    let all: Vec<&Node> = cluster.nodes().iter().chain([&small]).collect();
    poll_until("the new master joined", Duration::from_secs(20), || {
        if all.iter().any(|n| n.cluster_nodes().len() != all.len()) {
            return Err("not every node knows every other".into());
        }
        check_passes(&cluster.addr(0))
    });
    let views_before = layout(&all, CurrentEpoch::Compared);
    let out = run(reshard_argv(&cluster.addr(0), small.id(), 1000, "auto"));
    assert_eq!(out.code, 1, "reshard to a node without database 5:\n{out}");
    let text = crate::common::all_text(&out);
    assert!(
        text.contains(&small.addr()) && text.contains("database 5"),
        "the refusal names neither the node nor the database:\n{out}"
    );
    assert!(
        nodes_with_open_slots(&cluster).is_empty(),
        "slots were opened"
    );
    assert_eq!(
        views_before,
        layout(&all, CurrentEpoch::Compared),
        "the cluster changed"
    );
    let cluster_nodes: Vec<&Node> = cluster.nodes().iter().collect();
    assert_kept(&cluster_nodes, &before, &data(&cluster_nodes));
}
