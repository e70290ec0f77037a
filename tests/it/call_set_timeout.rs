//! `call` and `set-timeout` against real clusters: replies in address order, node selection,
//! error and unreachable nodes, arguments after `--`, and cluster-node-timeout checked on
//! every node directly (never through rcluster).

use crate::common::{NodeOpts, RunOutput, TestCluster, json, key_slot, owner_of, run, wait_until};
use std::fmt::Display;

use serde_json::Value;

/// The harness' default cluster-node-timeout (ms), which `set-timeout` tests change.
const DEFAULT_TIMEOUT_MS: u64 = 2000;

/// `(addr, rest of the line)` of every stdout line that starts with `ADDR: ` for a node of
/// the cluster, in printed order.
fn node_lines(out: &RunOutput, cluster: &TestCluster) -> Vec<(String, String)> {
    let addrs = cluster.addrs();
    out.stdout
        .lines()
        .filter_map(|line| {
            let (addr, rest) = line.split_once(": ")?;
            addrs
                .iter()
                .any(|a| a == addr)
                .then(|| (addr.to_string(), rest.to_string()))
        })
        .collect()
}

/// Sort key of an address: host, then the port as a number.
fn addr_key(addr: &str) -> (String, u16) {
    let (host, port) = addr.rsplit_once(':').expect("host:port");
    (host.to_string(), port.parse().expect("numeric port"))
}

/// The addresses of `indices`, in address order.
fn sorted_addrs(cluster: &TestCluster, indices: impl IntoIterator<Item = usize>) -> Vec<String> {
    let mut addrs: Vec<String> = indices.into_iter().map(|i| cluster.addr(i)).collect();
    addrs.sort_by_key(|a| addr_key(a));
    addrs
}

/// Index of the node at `addr`.
fn index_of(cluster: &TestCluster, addr: &str) -> usize {
    cluster
        .addrs()
        .iter()
        .position(|a| a == addr)
        .unwrap_or_else(|| panic!("{addr} is not a node of the cluster"))
}

/// cluster-node-timeout as node `i` reports it (CONFIG GET on a direct connection).
fn node_timeout(cluster: &TestCluster, i: usize) -> u64 {
    let reply: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("cluster-node-timeout")
        .query(&mut cluster.node(i).conn())
        .unwrap_or_else(|e| panic!("CONFIG GET on {}: {e}", cluster.addr(i)));
    assert_eq!(reply.len(), 2, "CONFIG GET reply {reply:?}");
    reply[1].parse().expect("numeric timeout")
}

/// Asserts every node in `indices` reports `want` as its cluster-node-timeout.
fn assert_timeouts(cluster: &TestCluster, indices: &[usize], want: u64, after: impl Display) {
    for &i in indices {
        assert_eq!(
            node_timeout(cluster, i),
            want,
            "cluster-node-timeout of {} after {after}",
            cluster.addr(i)
        );
    }
}

/// The `nodes` array of a JSON document.
fn json_nodes(doc: &Value) -> &Vec<Value> {
    doc["nodes"].as_array().expect("nodes is an array")
}

/// The `addr` fields of a JSON `nodes` array, in order.
fn json_addrs(doc: &Value) -> Vec<String> {
    json_nodes(doc)
        .iter()
        .map(|n| n["addr"].as_str().expect("addr is a string").to_string())
        .collect()
}

/// The field names of a JSON object, sorted.
fn sorted_fields(object: &Value) -> Vec<&str> {
    let mut fields: Vec<&str> = object
        .as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {object}"))
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    fields
}

#[test]
fn call_dbsize_everywhere_and_by_role() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let keys = cluster.populate(2000, "k").len() as u64;
    let masters: Vec<usize> = (0..3).collect();
    let replicas: Vec<usize> = (3..6).collect();
    // Replicas answer DBSIZE too: wait until they hold their master's keys.
    wait_until("replicas to catch up", || {
        replicas.iter().all(|&r| {
            let m = cluster.formed_master_of(r).unwrap();
            cluster.node(r).cmd_str(&["DBSIZE"]) == cluster.node(m).cmd_str(&["DBSIZE"])
        })
    });
    let entry = cluster.addr(4);

    let out = run(["call", &entry, "DBSIZE"]);
    out.assert_success();
    assert_eq!(
        out.stdout.lines().next(),
        Some(">>> Calling DBSIZE"),
        "{out}"
    );
    let lines = node_lines(&out, &cluster);
    let printed: Vec<String> = lines.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(
        printed,
        sorted_addrs(&cluster, 0..6),
        "address order:\n{out}"
    );
    // Exactly the header and one line per node.
    assert_eq!(out.stdout.lines().count(), 7, "{out}");
    // The entry as two words HOST PORT, as the other subcommands take it, prints the same.
    let node = cluster.node(4);
    let two_words = run(["call", "127.0.0.1", &node.port().to_string(), "DBSIZE"]);
    two_words.assert_success();
    assert_eq!(node_lines(&two_words, &cluster).len(), 6, "{two_words}");
    let size_of = |addr: &str| -> u64 {
        let (_, reply) = lines.iter().find(|(a, _)| a == addr).unwrap();
        reply
            .parse()
            .unwrap_or_else(|_| panic!("{reply:?}:\n{out}"))
    };
    let master_sum: u64 = masters.iter().map(|&i| size_of(&cluster.addr(i))).sum();
    let replica_sum: u64 = replicas.iter().map(|&i| size_of(&cluster.addr(i))).sum();
    assert_eq!(master_sum, keys, "{out}");
    assert_eq!(replica_sum, keys, "{out}");
    for &i in &masters {
        let own: u64 = cluster.node(i).cmd_str(&["DBSIZE"]).parse().unwrap();
        assert_eq!(size_of(&cluster.addr(i)), own, "{out}");
    }

    for (flag, selected) in [
        ("--only-masters", &masters),
        ("--cluster-only-masters", &masters),
        ("--cluster-only-primaries", &masters),
        ("--only-replicas", &replicas),
        ("--cluster-only-replicas", &replicas),
    ] {
        let out = run(["call", &entry, "DBSIZE", flag]);
        out.assert_success();
        let printed: Vec<String> = node_lines(&out, &cluster)
            .into_iter()
            .map(|l| l.0)
            .collect();
        assert_eq!(printed, sorted_addrs(&cluster, selected.clone()), "{out}");
    }
    // Both selections at once make no sense.
    run([
        "call",
        &entry,
        "DBSIZE",
        "--only-masters",
        "--only-replicas",
    ])
    .assert_code(2);

    // Array replies: one element per line, the first after the address.
    let out = run([
        "call",
        &entry,
        "CONFIG",
        "GET",
        "cluster-node-timeout",
        "--only-masters",
    ]);
    out.assert_success();
    let want: String = sorted_addrs(&cluster, masters.clone())
        .iter()
        .map(|a| format!("{a}: cluster-node-timeout\n{DEFAULT_TIMEOUT_MS}\n"))
        .collect();
    assert_eq!(
        out.stdout,
        format!(">>> Calling CONFIG GET cluster-node-timeout\n{want}"),
        "{out}"
    );

    let out = run(["--json", "call", &entry, "DBSIZE"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["command"], serde_json::json!(["DBSIZE"]), "{doc}");
    assert_eq!(doc["ok"], 6, "{doc}");
    assert_eq!(doc["failed"], 0, "{doc}");
    assert_eq!(json_addrs(&doc), sorted_addrs(&cluster, 0..6), "{doc}");
    let mut json_master_sum = 0;
    for node in json_nodes(&doc) {
        let i = index_of(&cluster, node["addr"].as_str().unwrap());
        assert_eq!(node["id"], cluster.node(i).id(), "{node}");
        assert_eq!(node["ok"], true, "{node}");
        assert!(node["error"].is_null(), "{node}");
        let role = if i < 3 { "master" } else { "replica" };
        assert_eq!(node["role"], role, "{node}");
        let reply = node["reply"].as_u64().expect("DBSIZE reply is a number");
        if i < 3 {
            json_master_sum += reply;
        }
    }
    assert_eq!(json_master_sum, keys, "{doc}");
}

#[test]
fn call_error_replies_fail_the_run() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let entry = cluster.addr(0);
    let key = "call-test-key";
    let owner = owner_of(&cluster, key_slot(key));

    let out = run(["call", &entry, "--only-masters", "SET", key, "v"]);
    out.assert_code(1);
    for (addr, reply) in node_lines(&out, &cluster) {
        if addr == cluster.addr(owner) {
            assert_eq!(reply, "OK", "{out}");
        } else {
            assert!(reply.starts_with("MOVED "), "{addr}: {reply}\n{out}");
        }
    }
    assert_eq!(cluster.node(owner).cmd_str(&["GET", key]), "v");

    let out = run(["--json", "call", &entry, "--only-masters", "SET", key, "w"]);
    out.assert_code(1);
    let doc = json(&out);
    assert_eq!(doc["ok"], 1, "{doc}");
    assert_eq!(doc["failed"], 2, "{doc}");
    assert_eq!(
        doc["command"],
        serde_json::json!(["SET", key, "w"]),
        "{doc}"
    );
    for node in json_nodes(&doc) {
        if node["addr"] == cluster.addr(owner).as_str() {
            assert_eq!(node["ok"], true, "{node}");
            assert_eq!(node["reply"], "OK", "{node}");
            assert!(node["error"].is_null(), "{node}");
        } else {
            assert_eq!(node["ok"], false, "{node}");
            let error = node["error"].as_str().expect("error text");
            assert!(error.starts_with("MOVED "), "{node}");
            assert_eq!(node["reply"]["error"], error, "{node}");
        }
    }
    assert_eq!(cluster.node(owner).cmd_str(&["GET", key]), "w");

    // An error everywhere: each error line is followed by a blank line.
    let out = run(["call", &entry, "NOSUCHCOMMAND", "x"]);
    out.assert_code(1);
    let lines: Vec<&str> = out.stdout.lines().collect();
    for addr in sorted_addrs(&cluster, 0..3) {
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{addr}: ")))
            .unwrap_or_else(|| panic!("no line for {addr}:\n{out}"));
        assert!(lines[at].contains("unknown command"), "{out}");
        assert_eq!(
            lines.get(at + 1),
            Some(&""),
            "blank line after error:\n{out}"
        );
    }

    // No command at all is a usage error.
    run(["call", &entry]).assert_code(2);
    run(["call", &entry, ""]).assert_code(2);
}

#[test]
fn call_reports_unreachable_node() {
    let mut cluster = TestCluster::start(3, 1, NodeOpts::new());
    let dead = 4;
    let dead_addr = cluster.addr(dead);
    cluster.kill(dead);
    let entry = cluster.addr(0);

    let out = run(["call", &entry, "PING"]);
    out.assert_code(1);
    let lines = node_lines(&out, &cluster);
    let printed: Vec<String> = lines.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(printed, sorted_addrs(&cluster, 0..6), "{out}");
    for (addr, reply) in &lines {
        if *addr == dead_addr {
            assert!(reply.starts_with("Failed!"), "{addr}: {reply}\n{out}");
        } else {
            assert_eq!(reply, "PONG", "{addr}:\n{out}");
        }
    }

    let out = run(["--json", "call", &entry, "PING"]);
    out.assert_code(1);
    let doc = json(&out);
    assert_eq!(doc["ok"], 5, "{doc}");
    assert_eq!(doc["failed"], 1, "{doc}");
    let node = json_nodes(&doc)
        .iter()
        .find(|n| n["addr"] == dead_addr.as_str())
        .expect("dead node listed");
    assert_eq!(node["ok"], false, "{node}");
    assert!(node["reply"].is_null(), "{node}");
    assert!(
        node["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{node}"
    );

    // The dead node is a replica: the masters alone all answer.
    let out = run(["call", &entry, "PING", "--only-masters"]);
    out.assert_success();
    assert_eq!(node_lines(&out, &cluster).len(), 3, "{out}");
    assert!(!out.stdout.contains("Failed!"), "{out}");
}

/// A node that does not answer (stopped) costs one -t, not two: the load of the cluster
/// already waited for it, and call does not wait again.
#[test]
fn call_waits_once_for_a_stopped_node() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let stopped = cluster.node(4).pid().expect("the node runs");
    crate::common::signal(stopped, "STOP");
    let started = std::time::Instant::now();
    let out = run(["call", &cluster.addr(0), "PING", "-t", "2"]);
    let took = started.elapsed();
    crate::common::signal(stopped, "CONT");
    out.assert_code(1);
    assert!(out.stdout.contains("Failed!"), "{out}");
    assert!(
        took < std::time::Duration::from_millis(3_500),
        "took {took:?} with -t 2:\n{out}"
    );
}

#[test]
fn call_passes_negative_arguments_after_double_dash() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let entry = cluster.addr(1);
    let key = "{x}counter";
    let owner = owner_of(&cluster, key_slot(key));

    let out = run(["call", &entry, "--only-masters", "--", "INCRBY", key, "-1"]);
    // The other masters answer MOVED.
    out.assert_code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l == ">>> Calling INCRBY {x}counter -1"),
        "{out}"
    );
    let lines = node_lines(&out, &cluster);
    assert_eq!(lines.len(), 3, "{out}");
    for (addr, reply) in &lines {
        if *addr == cluster.addr(owner) {
            assert_eq!(reply, "-1", "{out}");
        } else {
            assert!(reply.starts_with("MOVED "), "{addr}: {reply}\n{out}");
        }
    }
    assert_eq!(cluster.node(owner).cmd_str(&["GET", key]), "-1");

    // --json before `--` still applies.
    let out = run([
        "--json",
        "call",
        &entry,
        "--only-masters",
        "--",
        "INCRBY",
        key,
        "-2",
    ]);
    out.assert_code(1);
    let doc = json(&out);
    assert_eq!(
        doc["command"],
        serde_json::json!(["INCRBY", key, "-2"]),
        "{doc}"
    );
    let node = json_nodes(&doc)
        .iter()
        .find(|n| n["addr"] == cluster.addr(owner).as_str())
        .expect("owner listed");
    assert_eq!(node["reply"], -3, "{node}");

    // Without `--`, "-1" is taken for an option: usage error, nothing sent.
    run(["call", &entry, "INCRBY", key, "-1"]).assert_code(2);
    assert_eq!(cluster.node(owner).cmd_str(&["GET", key]), "-3");
}

#[test]
fn set_timeout_reaches_every_node() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let all: Vec<usize> = (0..cluster.len()).collect();
    assert_timeouts(&cluster, &all, DEFAULT_TIMEOUT_MS, "startup");

    let out = run(["set-timeout", &cluster.addr(2), "4321"]);
    // The harness starts nodes without a config file: set, but not saved, is a warning.
    out.assert_success();
    assert_timeouts(&cluster, &all, 4321, &out);
    for addr in cluster.addrs() {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.contains(&addr) && l.contains("not saved")),
            "no `not saved` warning for {addr}:\n{out}"
        );
    }
    assert!(
        out.stdout.contains("0 OK, 6 not saved, 0 ERR"),
        "summary:\n{out}"
    );

    let out = run(["--json", "set-timeout", &cluster.addr(5), "5432"]);
    out.assert_success();
    assert_timeouts(&cluster, &all, 5432, &out);
    let doc = json(&out);
    assert_eq!(doc["timeout_ms"], 5432, "{doc}");
    assert_eq!(doc["dry_run"], false, "{doc}");
    assert_eq!(doc["ok"], 0, "{doc}");
    assert_eq!(doc["not_saved"], 6, "{doc}");
    assert_eq!(doc["failed"], 0, "{doc}");
    assert_eq!(json_addrs(&doc), sorted_addrs(&cluster, 0..6), "{doc}");
    for node in json_nodes(&doc) {
        let i = index_of(&cluster, node["addr"].as_str().unwrap());
        assert_eq!(node["id"], cluster.node(i).id(), "{node}");
        assert_eq!(node["set"], true, "{node}");
        assert_eq!(node["saved"], false, "{node}");
        let error = node["error"].as_str().expect("why not saved");
        assert!(error.contains("CONFIG REWRITE"), "{node}");
    }
}

#[test]
fn set_timeout_refuses_tiny_values_and_dry_run_changes_nothing() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let all: Vec<usize> = (0..cluster.len()).collect();
    let entry = cluster.addr(0);

    for tiny in ["50", "99", "0"] {
        let out = run(["set-timeout", &entry, tiny]);
        out.assert_code(2);
        assert!(out.stderr.contains("100"), "{out}");
        assert_timeouts(&cluster, &all, DEFAULT_TIMEOUT_MS, &out);
    }
    run(["set-timeout", &entry, "-5"]).assert_code(2);
    run(["set-timeout", &entry, "soon"]).assert_code(2);
    assert_timeouts(&cluster, &all, DEFAULT_TIMEOUT_MS, "bad values");

    let out = run(["set-timeout", &entry, "7000", "--dry-run"]);
    out.assert_success();
    assert_timeouts(&cluster, &all, DEFAULT_TIMEOUT_MS, &out);
    for addr in cluster.addrs() {
        assert!(
            out.stdout.lines().any(|l| l == format!("would set {addr}")),
            "{out}"
        );
    }
    // The lower bound itself is accepted (dry run, so the cluster is not disturbed).
    run(["set-timeout", &entry, "100", "--dry-run"]).assert_success();

    let out = run(["--json", "set-timeout", &entry, "--dry-run", "7000"]);
    out.assert_success();
    assert_timeouts(&cluster, &all, DEFAULT_TIMEOUT_MS, &out);
    let doc = json(&out);
    assert_eq!(
        sorted_fields(&doc),
        [
            "dry_run",
            "failed",
            "nodes",
            "not_saved",
            "ok",
            "timeout_ms"
        ],
        "{doc}"
    );
    assert_eq!(doc["timeout_ms"], 7000, "{doc}");
    assert_eq!(doc["dry_run"], true, "{doc}");
    assert_eq!(doc["failed"], 0, "{doc}");
    assert_eq!(doc["not_saved"], 0, "{doc}");
    assert_eq!(json_addrs(&doc), sorted_addrs(&cluster, 0..3), "{doc}");
    for node in json_nodes(&doc) {
        assert_eq!(
            sorted_fields(node),
            ["addr", "error", "id", "saved", "set"],
            "{node}"
        );
        assert_eq!(node["set"], false, "{node}");
        assert_eq!(node["saved"], false, "{node}");
        assert!(node["error"].is_null(), "{node}");
    }
}

#[test]
fn set_timeout_with_a_dead_node_fails_but_sets_the_rest() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    let dead = 2;
    let dead_addr = cluster.addr(dead);
    cluster.kill(dead);
    let alive = [0, 1];

    let out = run(["set-timeout", &cluster.addr(0), "3456"]);
    out.assert_code(1);
    assert_timeouts(&cluster, &alive, 3456, &out);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("[ERR]") && l.contains(&dead_addr)),
        "{out}"
    );
    assert!(out.stdout.contains("0 OK, 2 not saved, 1 ERR"), "{out}");

    let out = run(["--json", "set-timeout", &cluster.addr(1), "3457"]);
    out.assert_code(1);
    assert_timeouts(&cluster, &alive, 3457, &out);
    let doc = json(&out);
    assert_eq!(doc["failed"], 1, "{doc}");
    assert_eq!(doc["not_saved"], 2, "{doc}");
    assert_eq!(doc["ok"], 0, "{doc}");
    let node = json_nodes(&doc)
        .iter()
        .find(|n| n["addr"] == dead_addr.as_str())
        .expect("dead node listed");
    assert_eq!(node["set"], false, "{node}");
    assert_eq!(node["saved"], false, "{node}");
    assert!(
        node["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{node}"
    );

    // A dry run reports the unreachable node too.
    let out = run(["set-timeout", &cluster.addr(0), "7000", "--dry-run"]);
    out.assert_code(1);
    assert_timeouts(&cluster, &alive, 3457, &out);
}
