//! The server matrix: every command's main path and every data-safety property, against
//! whichever server the harness runs (`RCLUSTER_TEST_SERVER`; `scripts/test` runs this file on
//! Redis 6.2, 7.0, 8.2 and Valkey 8.1, 9.0, 9.1). The other test files go deeper on one
//! command each, on the default server.
//!
//! Moves of keys (reshard, rebalance, fix, del-node --drain, import, restore) are checked with
//! a digest of every key and value taken by the test itself (SCAN + DUMP of every master), and
//! end with no slot open on any node (replicas included: Valkey >= 8 replicates SETSLOT),
//! `rcluster check` and `redis-cli --cluster check` passing. Any server that crashes
//! (`ASSERTION FAILED`, a bug report in its log) fails the test that ran it.

use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    ClusterSpec, Feature, Node, NodeOpts, RunOutput, TestCluster, assert_checks_pass,
    assert_healthy, assert_repaired, delete_slots_everywhere, digest, digest_nodes, fill_slot,
    fix_until_ok, half_migrate, has_feature, json, key_slot, load_keys, members,
    nodes_with_open_slots, poll_until, require, role, run, server, server_label, setslot, signal,
    wait_replicas_synced, wait_synced, write_pairs,
};
use serde_json::Value;

/// `rcluster <args...> --yes`, which must exit 0.
fn run_ok(args: &[&str]) -> RunOutput {
    let mut argv: Vec<&str> = args.to_vec();
    argv.push("--yes");
    let out = run(&argv);
    out.assert_success();
    out
}

/// `rcluster <args...> --json`, which must exit 0; its JSON document.
fn run_json(args: &[&str]) -> Value {
    let mut argv: Vec<&str> = args.to_vec();
    argv.push("--json");
    let out = run(&argv);
    out.assert_success();
    json(&out)
}

/// True when `node`'s CLUSTER NODES shows `slot` open (`[slot->-id]` or `[slot-<-id]`).
fn shows_open(node: &Node, slot: u16) -> bool {
    let text = node.cmd_str(&["CLUSTER", "NODES"]);
    text.contains(&format!("[{slot}->-")) || text.contains(&format!("[{slot}-<-"))
}

/// Waits (up to 5 s) until `replica` shows `slot` open, as Valkey >= 8 replicates SETSLOT.
fn wait_shows_open(replica: &Node, slot: u16) {
    poll_until(
        "the replica to show the open slot",
        Duration::from_secs(5),
        || match shows_open(replica, slot) {
            true => Ok(()),
            false => Err(replica.cmd_str(&["CLUSTER", "NODES"])),
        },
    );
}

#[test]
fn server_features_are_as_the_harness_says() {
    // Replicated SETSLOT: a replica shows the slot its master opened.
    let cluster = TestCluster::start(2, 1, NodeOpts::new());
    let (master, other) = (cluster.node(0), cluster.node(1));
    let replica = cluster.node(cluster.replicas_of(0)[0]);
    setslot(master, 100, "MIGRATING", Some(other.id()));
    if has_feature(Feature::ReplicatedSetslot) {
        wait_shows_open(replica, 100);
    } else {
        thread::sleep(Duration::from_millis(500));
        assert!(!shows_open(replica, 100), "SETSLOT reached the replica");
    }
    setslot(master, 100, "STABLE", None);

    // Numbered databases: a cluster node has only db 0 unless --cluster-databases says more.
    assert!(master.try_cmd(&["SELECT", "1"]).is_err(), "SELECT 1 works");
    if has_feature(Feature::NumberedDbs) {
        let node = Node::start(&NodeOpts::new().args(["--cluster-databases", "16"]));
        node.add_slots(&[0..=16383]);
        let mut conn = node.conn();
        redis::cmd("SELECT")
            .arg(5)
            .query::<()>(&mut conn)
            .expect("SELECT 5");
    }
}

/// The harness notices a crash: a node whose log holds a crash report fails the test when it
/// is reaped, naming the server (`DEBUG ASSERT` makes the server fail an assertion).
#[test]
fn a_crashed_server_fails_the_test() {
    let mut opts = NodeOpts::new();
    if server().at_least_redis_7() {
        opts = opts.args(["--enable-debug-command", "yes"]);
    }
    let mut node = Node::start(&opts);
    let _ = node.try_cmd(&["DEBUG", "ASSERT"]);
    poll_until(
        "the server to die",
        Duration::from_secs(10),
        || match node.is_running() {
            true => Err("still running".to_string()),
            false => Ok(()),
        },
    );
    let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(node)))
        .expect_err("a crashed node was reaped without failing the test");
    let message = failure
        .downcast_ref::<String>()
        .expect("a formatted panic message");
    assert!(
        message.contains("ASSERTION FAILED") && message.contains(&server_label()),
        "{message}"
    );
}

#[test]
fn create_three_masters_then_three_plus_three() {
    for (nodes, replicas) in [(3, "0"), (6, "1")] {
        let cluster = TestCluster::start_unformed(nodes, NodeOpts::new());
        let mut argv = vec!["create"];
        let addrs = cluster.addrs();
        argv.extend(addrs.iter().map(String::as_str));
        argv.extend(["--replicas", replicas]);
        let out = run_ok(&argv);
        assert!(
            out.stdout.contains("[OK] All 16384 slots covered."),
            "{out}"
        );
        assert_checks_pass(&cluster);
        let info = run_json(&["info", &cluster.addr(0)]);
        assert_eq!(info["master_count"], 3, "{info:#}");
        for master in info["masters"].as_array().unwrap() {
            assert_eq!(master["replicas"].to_string(), replicas, "{info:#}");
        }
    }
}

#[test]
fn check_info_nodes_slots_and_their_json() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let written = cluster.populate(2000, "ro").len() as u64;
    let entry = cluster.addr(4);
    for cmd in ["check", "info", "nodes", "slots"] {
        let out = run([cmd, &entry]);
        out.assert_success();
        for addr in cluster.master_addrs() {
            assert!(out.stdout.contains(&addr), "{cmd}: {addr} missing:\n{out}");
        }
    }

    let check = run_json(&["check", &entry]);
    assert_eq!(check["healthy"], true, "{check:#}");
    let nodes = check["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 6, "{check:#}");
    let keys: u64 = nodes
        .iter()
        .filter(|n| n["role"] == "master")
        .map(|n| n["keys"].as_u64().unwrap())
        .sum();
    assert_eq!(keys, written, "{check:#}");
    let info = run_json(&["info", &entry]);
    assert_eq!(info["total_keys"], written, "{info:#}");
    assert_eq!(info["master_count"], 3, "{info:#}");
    let shards = run_json(&["nodes", &entry]);
    let shards = shards["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    assert!(
        shards
            .iter()
            .all(|s| s["replicas"].as_array().unwrap().len() == 1)
    );
    let slots = run_json(&["slots", &entry]);
    assert_eq!(slots["ranges"].as_array().unwrap().len(), 3, "{slots:#}");
    assert_checks_pass(&cluster);
}

#[test]
fn reshard_and_rebalance_with_replicas_keep_every_key() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 20_000, "rr", 32);
    let before = digest(&cluster);
    let entry = cluster.addr(0);
    let to = cluster.node(1).id().to_string();
    run_ok(&[
        "reshard", &entry, "--from", "all", "--to", &to, "--slots", "2000",
    ]);
    assert_repaired(&cluster, &before);
    assert_eq!(cluster.slot_counts()[1], 5462 + 2000);

    run_ok(&["rebalance", &entry]);
    assert_repaired(&cluster, &before);
    let counts = cluster.slot_counts();
    let spread = counts.iter().max().unwrap() - counts.iter().min().unwrap();
    assert!(spread <= 2, "not balanced: {counts:?}");
    wait_replicas_synced(&cluster);
}

/// A master drained by weight 0 loses its replica on the way: once the master is empty its
/// replica migrates to another master (cluster-allow-replica-migration), so on a server that
/// replicates SETSLOT (Valkey >= 8) the master's last `SETSLOT NODE` is answered NOREPLICAS,
/// UNBLOCKED, or the connection closes. The target owns the slot by then: the drain counts it
/// as moved (as valkey-cli does), exit 0, every key kept, both checks pass. The layout of
/// Valkey's own test (unit/cluster/replica-migration: four masters, the last one serving only
/// slot 0), run three times.
#[test]
fn drain_of_a_master_whose_replica_migrates_away() {
    for round in 0..3 {
        let cluster = ClusterSpec::new(4, 1)
            .slots(vec![
                vec![1..=5461],
                vec![5462..=10922],
                vec![10923..=16383],
                vec![0..=0],
            ])
            .opts(
                NodeOpts::new()
                    .node_timeout_ms(1000)
                    .args(["--cluster-migration-barrier", "999"]),
            )
            .start();
        load_keys(&cluster, 2_000, "rm", 16);
        let before = digest(&cluster);
        let drained = cluster.node(3);
        let replica = cluster.node(cluster.replicas_of(3)[0]);
        drained.cmd(&["CONFIG", "SET", "cluster-allow-replica-migration", "no"]);
        replica.cmd(&["CONFIG", "SET", "cluster-allow-replica-migration", "yes"]);
        let out = run([
            "rebalance",
            &cluster.addr(0),
            "--weight",
            &format!("{}=0", drained.id()),
            "--engine",
            "legacy",
        ]);
        out.assert_success();
        assert_eq!(cluster.slot_counts()[3], 0, "round {round}:\n{out}");
        poll_until("the nodes to settle", Duration::from_secs(20), || {
            settled_soft(&cluster)
        });
        assert_repaired(&cluster, &before);
    }
}

/// Ok when every node of `cluster` reports `cluster_state:ok` and no node shows an open slot
/// (the drained master's replica may still be moving to its new master).
fn settled_soft(cluster: &TestCluster) -> Result<(), String> {
    let down: Vec<String> = cluster
        .alive_nodes()
        .iter()
        .filter(|n| n.cluster_info_field("cluster_state").as_deref() != Some("ok"))
        .map(|n| n.addr())
        .collect();
    let open = nodes_with_open_slots(cluster);
    if down.is_empty() && open.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "not cluster_state:ok: {down:?}; open slots: {open:?}"
        ))
    }
}

#[test]
fn fix_closes_a_slot_open_on_masters_and_their_replicas() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 5000, "fo", 24);
    let (slot, owner, keys) = fill_slot(&cluster, "open", 200);
    let target = (owner + 1) % 3;
    wait_replicas_synced(&cluster);
    let before = digest(&cluster);
    half_migrate(
        cluster.node(owner),
        cluster.node(target),
        slot,
        &keys[..100],
    );
    if server().supports(Feature::ReplicatedSetslot) {
        for m in [owner, target] {
            let replica = cluster.node(cluster.replicas_of(m)[0]);
            wait_shows_open(replica, slot);
        }
    }
    fix_until_ok(&cluster.addr(2));
    assert_repaired(&cluster, &before);
}

/// Valkey >= 8 replicates SETSLOT to the replicas before the primary runs it; a caller that
/// goes away while the primary waits for the acknowledgement (SIGKILLed, or the wait timed
/// out) leaves the replica with a slot state its primary never took. Made here by stopping the
/// replica (SIGSTOP) so that a `SETSLOT ... TIMEOUT 200` on its primary times out unexecuted;
/// the replica applies it once resumed. `check` must fail on it and `fix` must clear it.
#[test]
fn fix_clears_a_slot_open_only_on_a_replica() {
    require!(Feature::ReplicatedSetslot);
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 3000, "ro", 24);
    wait_replicas_synced(&cluster);
    let before = digest(&cluster);
    let replica = cluster.node(cluster.replicas_of(0)[0]);
    let slot = cluster.formed_slots(1)[0].start() + 7;
    let pid = replica.pid().expect("replica pid");
    signal(pid, "STOP");
    // Times out unexecuted: an error reply.
    let _ = cluster.node(0).try_cmd(&[
        "CLUSTER",
        "SETSLOT",
        &slot.to_string(),
        "IMPORTING",
        cluster.node(1).id(),
        "TIMEOUT",
        "200",
    ]);
    signal(pid, "CONT");
    wait_shows_open(replica, slot);
    assert!(
        !shows_open(cluster.node(0), slot),
        "the primary never ran it"
    );

    let check = run(["check", &cluster.addr(0)]);
    check.assert_code(1);
    assert!(check.stdout.contains(&replica.addr()), "{check}");
    let dry = run(["fix", &cluster.addr(0), "--dry-run"]);
    assert!(dry.stdout.contains("open on a replica of"), "{dry}");
    assert!(shows_open(replica, slot), "a dry run changes nothing");
    fix_until_ok(&cluster.addr(0));
    assert!(
        !shows_open(replica, slot),
        "fix cleared the replica's state"
    );
    assert_repaired(&cluster, &before);
}

#[test]
fn fix_covers_uncovered_slots_keeping_their_keys() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 5000, "fu", 24);
    let before = digest(&cluster);
    delete_slots_everywhere(&cluster, 100..=199);
    fix_until_ok(&cluster.addr(1));
    assert_repaired(&cluster, &before);
}

#[test]
fn reshard_sigkilled_mid_way_is_repaired_by_fix() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 60_000, "kr", 24);
    let before = digest(&cluster);
    let entry = cluster.addr(0);
    let to = cluster.node(2).id().to_string();
    let mut child = crate::common::rcluster()
        .args([
            "reshard", &entry, "--from", "all", "--to", &to, "--slots", "4000", "--yes",
            // MIGRATE leaves open slots when killed (atomic jobs finish on their own).
            "--engine", "legacy",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn rcluster reshard");
    // SIGKILL it as soon as a slot is seen open.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut open = Vec::new();
    while open.is_empty()
        && Instant::now() < deadline
        && child.try_wait().expect("try_wait").is_none()
    {
        open = nodes_with_open_slots(&cluster);
    }
    signal(child.id(), "9");
    let status = child.wait().expect("wait");
    assert!(
        !open.is_empty(),
        "setup: no slot seen open before reshard ended ({status})"
    );
    eprintln!("rcluster killed with slots open on {open:?}");
    fix_until_ok(&entry);
    assert_repaired(&cluster, &before);
}

#[test]
fn add_node_master_and_replica_then_del_node_replica_and_drain() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 5000, "mb", 32);
    let (master, replica) = (Node::start(&NodeOpts::new()), Node::start(&NodeOpts::new()));
    let before = digest(&cluster);
    let entry = cluster.addr(0);

    run(["add-node", &master.addr(), &entry]).assert_success();
    run([
        "add-node",
        &replica.addr(),
        &entry,
        "--replica",
        "--master-id",
        master.id(),
    ])
    .assert_success();
    run_ok(&[
        "reshard",
        &entry,
        "--from",
        "all",
        "--to",
        master.id(),
        "--slots",
        "1000",
    ]);
    let all = members(&cluster, &[], &[&master, &replica]);
    wait_synced(&replica, &master);
    assert_healthy(&all);
    digest_nodes(&all).assert_same_data_as(&before);

    run(["del-node", &entry, replica.id()]).assert_success();
    run_ok(&["del-node", &entry, master.id(), "--drain"]);
    let survivors = members(&cluster, &[], &[]);
    assert_healthy(&survivors);
    digest_nodes(&survivors).assert_same_data_as(&before);
}

#[test]
fn failover_plain_then_forced() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(3000, "fv");
    wait_replicas_synced(&cluster);
    let before = digest(&cluster);
    let (master, replica) = (cluster.node(0), cluster.node(cluster.replicas_of(0)[0]));
    for (promoted, demoted, extra) in [(replica, master, None), (master, replica, Some("--force"))]
    {
        let mut argv = vec!["failover".to_string(), promoted.addr()];
        argv.extend(extra.map(String::from));
        run(&argv).assert_success();
        poll_until("the roles to swap", Duration::from_secs(20), || {
            let roles = (role(promoted), role(demoted));
            match roles {
                (Some(p), Some(d)) if p == "master" && d == "slave" => Ok(()),
                other => Err(format!("roles {other:?}")),
            }
        });
        wait_synced(demoted, promoted);
        assert_repaired(&cluster, &before);
    }
}

#[test]
fn call_and_set_timeout_reach_every_node() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let out = run(["call", &cluster.addr(0), "DBSIZE"]);
    out.assert_success();
    for addr in cluster.addrs() {
        assert!(out.stdout.contains(&addr), "{addr} missing:\n{out}");
    }
    run(["set-timeout", &cluster.addr(1), "4321"]).assert_success();
    for node in cluster.nodes() {
        let reply: Vec<String> =
            redis::from_redis_value(node.cmd(&["CONFIG", "GET", "cluster-node-timeout"])).unwrap();
        assert_eq!(reply[1], "4321", "{}", node.addr());
    }
}

#[test]
fn import_from_a_standalone_server_moves_every_key() {
    let source = Node::start(&NodeOpts::new().cluster(false));
    write_pairs(
        &source,
        (0..5000).map(|i| (format!("im:{i}"), format!("value-{i}"))),
    );
    let before = digest_nodes(&[&source]);
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    run(["import", &cluster.addr(0), "--from", &source.addr()]).assert_success();
    assert_repaired(&cluster, &before);
    assert_eq!(
        source.cmd_str(&["DBSIZE"]),
        "0",
        "import left keys on the source"
    );
}

#[test]
fn backup_then_restore_keeps_every_key() {
    let source = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&source, 10_000, "br", 48);
    wait_replicas_synced(&source);
    let before = digest(&source);
    let dir = tempfile::tempdir().expect("temp dir");
    let dir = dir.path().to_str().unwrap();
    run(["backup", &source.addr(0), dir]).assert_success();

    let target = TestCluster::start(3, 0, NodeOpts::new());
    let server_path = server().path().to_str().unwrap();
    run(["restore", &target.addr(0), dir, "--server", server_path]).assert_success();
    assert_repaired(&target, &before);
}

#[test]
fn bigkeys_and_memkeys_find_the_biggest_keys() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 3000, "bk", 24);
    let owner =
        |key: &str| cluster.node(cluster.slot_owners()[usize::from(key_slot(key))].unwrap());
    owner("big:string").cmd(&["SET", "big:string", &"x".repeat(20_000)]);
    let items: Vec<String> = (0..300).map(|i| i.to_string()).collect();
    let mut rpush = vec!["RPUSH", "big:list"];
    rpush.extend(items.iter().map(String::as_str));
    owner("big:list").cmd(&rpush);

    for (cmd, string_size) in [("bigkeys", Some(20_000)), ("memkeys", None)] {
        let doc = run_json(&[cmd, &cluster.addr(0)]);
        assert_eq!(doc["sampled"], 3002, "{cmd}: {doc:#}");
        for (kind, key) in [("string", "big:string"), ("list", "big:list")] {
            let entry = doc["types"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["type"] == kind)
                .unwrap_or_else(|| panic!("{cmd}: no {kind} in {doc:#}"));
            let biggest = &entry["biggest"][0];
            assert_eq!(biggest["key"], key, "{cmd}: {entry:#}");
            if let (Some(size), "string") = (string_size, kind) {
                assert_eq!(biggest["size"], size, "{cmd}: {entry:#}");
            }
        }
    }
}
