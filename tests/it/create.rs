//! `create` against real, fresh redis-server nodes: layouts, refusals that change nothing,
//! dry runs, JSON, and a real cluster client using the result.

use std::collections::BTreeMap;

use crate::common::{Node, NodeOpts, RunOutput, TestCluster, json, redis_cli_available, run};

/// `rcluster create <addrs> <extra...>`.
fn create(addrs: &[String], extra: &[&str]) -> RunOutput {
    let mut args: Vec<String> = vec!["create".into()];
    args.extend(addrs.iter().cloned());
    args.extend(extra.iter().map(|s| s.to_string()));
    run(&args)
}

/// What each node says about itself: (known nodes, slots assigned, dbsize).
fn fingerprint(nodes: &[&Node]) -> Vec<(String, String, String)> {
    nodes
        .iter()
        .map(|n| {
            (
                n.cluster_info_field("cluster_known_nodes").unwrap(),
                n.cluster_info_field("cluster_slots_assigned").unwrap(),
                n.cmd_str(&["DBSIZE"]),
            )
        })
        .collect()
}

/// Asserts the cluster built from `nodes` is healthy in every node's eyes and in redis-cli's,
/// with `masters` masters of `replicas`-ish replicas; returns master address → replica count.
fn assert_created(nodes: &[&Node], out: &RunOutput, masters: usize) -> BTreeMap<String, usize> {
    out.assert_success();
    assert!(
        out.stdout.contains("[OK] All 16384 slots covered."),
        "{out}"
    );
    for n in nodes {
        assert_eq!(
            n.cluster_info_field("cluster_state").as_deref(),
            Some("ok"),
            "{}",
            n.addr()
        );
        assert_eq!(n.cluster_nodes().len(), nodes.len(), "{}", n.addr());
    }
    let view = nodes[0].cluster_nodes();
    let by_id: BTreeMap<&str, &str> = view
        .iter()
        .map(|l| (l.id.as_str(), l.addr.as_str()))
        .collect();
    let mut replicas: BTreeMap<String, usize> = BTreeMap::new();
    for line in &view {
        if line.is_master() {
            replicas.entry(line.addr.clone()).or_default();
        }
    }
    for line in view.iter().filter(|l| l.is_replica()) {
        let master = by_id[line.master.as_deref().unwrap()];
        *replicas.get_mut(master).unwrap() += 1;
    }
    assert_eq!(replicas.len(), masters, "{view:?}");
    if redis_cli_available() {
        let mut cmd = crate::common::redis_cli_command(&NodeOpts::new());
        cmd.args(["--cluster", "check", &nodes[0].addr()]);
        crate::common::run_command(cmd, None).assert_success();
    }
    replicas
}

#[test]
fn three_masters_no_replicas() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let out = create(&nodes.addrs(), &["--yes"]);
    for line in [
        ">>> Performing hash slots allocation on 3 nodes...",
        "Master[0] -> Slots 0 - 5460",
        "Master[1] -> Slots 5461 - 10922",
        "Master[2] -> Slots 10923 - 16383",
        ">>> Performing Cluster Check (using node ",
    ] {
        assert!(out.stdout.contains(line), "missing {line:?}:\n{out}");
    }
    let replicas = assert_created(&all, &out, 3);
    assert!(replicas.values().all(|&r| r == 0));
}

#[test]
fn six_nodes_one_replica_each_and_a_cluster_client_works() {
    let nodes = TestCluster::start_unformed(6, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let out = create(
        &nodes.addrs(),
        &["--cluster-replicas", "1", "--cluster-yes"],
    );
    let replicas = assert_created(&all, &out, 3);
    assert!(replicas.values().all(|&r| r == 1), "{replicas:?}");

    let urls: Vec<String> = nodes
        .addrs()
        .iter()
        .map(|a| format!("redis://{a}/"))
        .collect();
    let client = redis::cluster::ClusterClient::new(urls).unwrap();
    let mut conn = client.get_connection().unwrap();
    for i in 0..10_000 {
        redis::cmd("SET")
            .arg(format!("key:{i}"))
            .arg(i)
            .query::<()>(&mut conn)
            .unwrap();
    }
    for i in (0..10_000).step_by(97) {
        let v: i64 = redis::cmd("GET")
            .arg(format!("key:{i}"))
            .query(&mut conn)
            .unwrap();
        assert_eq!(v, i);
    }
}

#[test]
fn nine_nodes_two_replicas_each() {
    let nodes = TestCluster::start_unformed(9, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let out = create(&nodes.addrs(), &["--replicas", "2", "-y"]);
    let replicas = assert_created(&all, &out, 3);
    assert!(replicas.values().all(|&r| r == 2), "{replicas:?}");
}

#[test]
fn seven_nodes_one_replica_places_the_extra_node() {
    let nodes = TestCluster::start_unformed(7, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let out = create(&nodes.addrs(), &["--replicas", "1", "--yes"]);
    let replicas = assert_created(&all, &out, 3);
    let mut counts: Vec<usize> = replicas.values().copied().collect();
    counts.sort();
    assert_eq!(counts, vec![1, 1, 2], "{replicas:?}");
}

#[test]
fn replicas_avoid_their_masters_host() {
    let nodes = crate::common::ClusterSpec::new(6, 0)
        .hosts(&["127.0.0.1", "127.0.0.2", "127.0.0.3"])
        .unformed()
        .start();
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let out = create(&nodes.addrs(), &["--replicas", "1", "--yes"]);
    assert_created(&all, &out, 3);
    let view = all[0].cluster_nodes();
    let host = |addr: &str| addr.rsplit_once(':').unwrap().0.to_string();
    let addr_of: BTreeMap<&str, &str> = view
        .iter()
        .map(|l| (l.id.as_str(), l.addr.as_str()))
        .collect();
    for replica in view.iter().filter(|l| l.is_replica()) {
        let master = addr_of[replica.master.as_deref().unwrap()];
        assert_ne!(host(&replica.addr), host(master), "{view:?}");
    }
    assert!(!out.stdout.contains("[WARNING] Some replicas"), "{out}");
}

#[test]
fn dry_run_changes_nothing_and_prints_the_plan_as_json() {
    let nodes = TestCluster::start_unformed(6, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let before = fingerprint(&all);
    let out = create(&nodes.addrs(), &["--replicas", "1", "--dry-run"]);
    out.assert_success();
    assert!(
        out.stdout.contains("Master[2] -> Slots 10923 - 16383"),
        "{out}"
    );
    let doc = json(&create(
        &nodes.addrs(),
        &["--replicas", "1", "--dry-run", "--json"],
    ));
    assert_eq!(doc["dry_run"], true);
    assert_eq!(doc["plan"]["masters"].as_array().unwrap().len(), 3);
    assert_eq!(doc["plan"]["replicas"].as_array().unwrap().len(), 3);
    assert_eq!(
        doc["plan"]["masters"][0]["slots"],
        serde_json::json!({"start": 0, "end": 5460})
    );
    assert_eq!(fingerprint(&all), before);
}

#[test]
fn the_answer_is_one_line_of_stdin_and_an_ended_stdin_refuses() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let before = fingerprint(&all);
    let args = ["create", &nodes.addr(0), &nodes.addr(1), &nodes.addr(2)];
    // Stdin at its end: refused with the hint, nothing changed.
    let out = crate::common::run(args);
    out.assert_code(1);
    assert!(out.stderr.contains("--yes"), "{out}");
    assert_eq!(fingerprint(&all), before);
    // Another answer than yes: declined (exit 1), nothing changed.
    for answer in ["no\n", "y\n", "Yes\n"] {
        let out = crate::common::run_with_stdin(args, answer);
        out.assert_code(1);
        assert!(out.stdout.contains("(type 'yes' to accept): "), "{out}");
        assert_eq!(fingerprint(&all), before, "{answer:?}");
    }
    // `echo yes |`: created, the question and its answer shown as on a terminal.
    let out = crate::common::run_with_stdin(args, "yes\n");
    out.assert_success();
    assert!(
        out.stdout
            .contains("Can I set the above configuration? (type 'yes' to accept): yes"),
        "{out}"
    );
    assert!(
        out.stdout.contains("[OK] All 16384 slots covered."),
        "{out}"
    );
}

#[test]
fn json_result_of_a_real_create() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let out = create(&nodes.addrs(), &["--yes", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["created"], true);
    assert_eq!(doc["check"]["healthy"], true);
    assert!(doc["timings_ms"]["join_ms"].is_u64());
}

#[test]
fn password_cluster_is_created_with_auth() {
    let opts = NodeOpts::new().password("s3cret");
    let nodes = TestCluster::start_unformed(3, opts);
    let wrong = create(&nodes.addrs(), &["--yes", "-a", "nope"]);
    wrong.assert_code(1);
    assert!(wrong.stderr.contains("WRONGPASS"), "{wrong}");
    assert_eq!(
        nodes
            .node(0)
            .cluster_info_field("cluster_slots_assigned")
            .as_deref(),
        Some("0")
    );
    let out = create(&nodes.addrs(), &["--yes", "-a", "s3cret"]);
    out.assert_success();
}

/// Every refusal names each offending node, exits 1 and leaves every node as it was.
#[test]
fn refusals_change_nothing() {
    let nodes = TestCluster::start_unformed(6, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    // A cluster node only takes writes for slots it serves: lend it the key's slot.
    // (Redis 7 cluster nodes cannot hold keys outside db0 at all; the db3 wording is
    // unit-tested in cluster::admission.)
    let slot = crate::common::key_slot("a").to_string();
    nodes
        .node(1)
        .cmd(&["CONFIG", "SET", "cluster-require-full-coverage", "no"]);
    nodes.node(1).cmd(&["CLUSTER", "ADDSLOTS", &slot]);
    crate::common::wait_until("the lone node to take writes", || {
        nodes.node(1).try_cmd(&["SET", "a", "1"]).is_ok()
    });
    nodes.node(1).cmd(&["CLUSTER", "DELSLOTS", &slot]);
    nodes.node(2).cmd(&["CLUSTER", "ADDSLOTS", "7"]);
    let other = TestCluster::start(3, 0, NodeOpts::new());
    let plain = Node::start(&NodeOpts::new().cluster(false));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap().to_string();
    drop(closed);
    let before = fingerprint(&all);

    let addrs = vec![
        nodes.addr(0),
        nodes.addr(1),
        nodes.addr(2),
        other.addr(0),
        plain.addr(),
        closed_addr.clone(),
        nodes.addr(3),
        format!("localhost:{}", nodes.node(3).port()),
    ];
    let out = create(&addrs, &["--yes"]);
    out.assert_code(1);
    for (who, why) in [
        (nodes.addr(1), "holds 1 key(s) (db0 1)"),
        (nodes.addr(2), "already serves 1 slot(s): 7"),
        (other.addr(0), "already knows 2 other node(s)"),
        (plain.addr(), "not a cluster node"),
        (closed_addr.clone(), "connection refused"),
        (
            format!("localhost:{}", nodes.node(3).port()),
            "same address as",
        ),
    ] {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.contains(&who) && l.contains(why)),
            "expected {who}: {why}\n{out}"
        );
    }
    assert!(out.stderr.contains("nothing was changed"), "{out}");
    assert_eq!(fingerprint(&all), before);

    let few = create(&nodes.addrs()[..5], &["--replicas", "1", "--yes"]);
    few.assert_code(1);
    assert!(
        few.stderr.contains("At least 6 nodes are required"),
        "{few}"
    );
    assert_eq!(fingerprint(&all), before);

    let dup = create(&[nodes.addr(0), nodes.addr(0), nodes.addr(3)], &["--yes"]);
    dup.assert_code(1);
    assert!(dup.stderr.contains("same address as"), "{dup}");
    assert_eq!(fingerprint(&all), before);
}

#[test]
fn scattered_slots_are_refused_in_one_short_line() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let mut addslots = vec!["CLUSTER".to_string(), "ADDSLOTS".to_string()];
    addslots.extend((0..16384).step_by(2).map(|s: u32| s.to_string()));
    nodes.node(0).cmd(&addslots);
    let before = fingerprint(&all);

    let out = create(&nodes.addrs(), &["--yes"]);
    out.assert_code(1);
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains(&nodes.addr(0)) && l.contains("already serves"))
        .unwrap_or_else(|| panic!("no refusal line for {}\n{out}", nodes.addr(0)));
    assert!(
        line.contains("already serves 8192 slot(s): 0,2,4,")
            && line.ends_with("... and 8172 more ranges (8192 slots)"),
        "{line}"
    );
    let longest = out.stderr.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 300, "a line of {longest} bytes:\n{out}");
    assert_eq!(fingerprint(&all), before);
}

#[test]
fn hostnames_are_accepted() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let all: Vec<&Node> = nodes.nodes().iter().collect();
    let addrs: Vec<String> = all
        .iter()
        .map(|n| format!("localhost:{}", n.port()))
        .collect();
    let out = create(&addrs, &["--yes"]);
    assert_created(&all, &out, 3);
    assert!(!out.stdout.contains("[WARNING]"), "{out}");
}

/// The docker/NAT pitfall of seed 000: a node announces an address that is not the one it
/// was given (here one nobody can reach). create says so plainly and the check fails.
#[test]
fn announced_address_that_differs_is_reported() {
    let good = TestCluster::start_unformed(2, NodeOpts::new());
    let bad = Node::start(&NodeOpts::new().args(["--cluster-announce-ip", "127.0.0.9"]));
    let addrs = vec![good.addr(0), good.addr(1), bad.addr()];
    let out = create(&addrs, &["--yes", "--wait-timeout", "10"]);
    out.assert_code(1);
    let warning = format!(
        "[WARNING] {} is known in the cluster as 127.0.0.9:{}",
        bad.addr(),
        bad.port()
    );
    assert!(out.stdout.contains(&warning), "{out}");
}

/// create never waits forever: past --wait-timeout it says which node does not see which.
#[test]
fn wait_timeout_names_the_lagging_nodes() {
    let nodes = TestCluster::start_unformed(3, NodeOpts::new());
    let out = create(&nodes.addrs(), &["--yes", "--wait-timeout", "0.01"]);
    out.assert_code(1);
    assert!(
        out.stderr.contains("did not all see each other within"),
        "{out}"
    );
    assert!(out.stderr.contains("does not know"), "{out}");
    assert!(out.stderr.contains("bus port"), "{out}");
}
