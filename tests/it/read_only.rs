//! check / info / nodes / slots against real clusters formed without rcluster, with
//! `redis-cli --cluster` as an independent oracle where it is installed.

use crate::common::{NodeOpts, TestCluster, json, redis_cli_available, run, wait_until};
use serde_json::Value;

/// The lines of a report with redis-cli's ANSI colors removed.
fn plain_lines(text: &str) -> Vec<String> {
    let mut clean = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            clean.push(c);
        }
    }
    clean.lines().map(str::to_string).collect()
}

/// Lines of a check report that do not depend on node order.
fn sorted_lines(text: &str) -> Vec<String> {
    let mut lines = plain_lines(text);
    lines.sort();
    lines
}

/// The heading of the block rcluster adds to `info` and `check`: each master's share of the
/// keys and the data memory.
const SHARES_HEADING: &str = ">>> Shares of keys and data memory";

/// [`sorted_lines`] of rcluster's report without its shares block (asserted present: one
/// line per master), which is what redis-cli prints.
fn sorted_lines_without_shares(text: &str, masters: usize) -> Vec<String> {
    let lines = plain_lines(text);
    let start = lines
        .iter()
        .position(|l| l.starts_with(SHARES_HEADING))
        .unwrap_or_else(|| panic!("no shares block:\n{text}"));
    let block = &lines[start + 1..start + 1 + masters];
    assert!(
        block
            .iter()
            .all(|l| l.contains(" -> keys ") && l.contains("%, memory ")),
        "the shares block does not list every master:\n{text}"
    );
    let mut rest: Vec<String> = lines[..start]
        .iter()
        .chain(&lines[start + 1 + masters..])
        .cloned()
        .collect();
    rest.sort();
    rest
}

#[test]
fn healthy_cluster_check_reads_like_redis_cli() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(3000, "k");
    let out = run(["check", &cluster.addr(0)]);
    out.assert_success();
    let text = &out.stdout;
    // As redis-cli: the info summary first, then the check itself.
    let first = text.lines().next().unwrap_or_default();
    assert!(first.contains(" keys | 5461 slots | 1 slaves."), "{out}");
    for line in [
        &format!(
            ">>> Performing Cluster Check (using node {})",
            cluster.addr(0)
        ),
        "[OK] All nodes agree about slots configuration.",
        ">>> Check for open slots...",
        ">>> Check slots coverage...",
        "[OK] All 16384 slots covered.",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?}:\n{out}");
    }
    assert_eq!(text.lines().filter(|l| l.starts_with("M: ")).count(), 3);
    assert_eq!(text.lines().filter(|l| l.starts_with("S: ")).count(), 3);
    assert!(
        text.contains("   slots:[0-5460] (5461 slots) master"),
        "{out}"
    );
    assert!(text.contains("   1 additional replica(s)"), "{out}");

    if redis_cli_available() {
        let oracle = cluster.redis_cli_check(0);
        oracle.assert_success();
        assert_eq!(
            sorted_lines(&oracle.stdout),
            sorted_lines_without_shares(text, 3),
            "redis-cli:\n{oracle}\nrcluster:\n{out}"
        );
    }
}

#[test]
fn addresses_accept_two_words_and_cluster_prefix() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let node = cluster.node(1);
    run(["check", node.host(), &node.port().to_string()]).assert_success();
    run(["--cluster", "check", &node.addr()]).assert_success();
    run(["info", &format!("{}@{}", node.addr(), node.bus_port())]).assert_success();
    let json_out = run(["check", &node.addr(), "--json"]);
    json_out.assert_success();
    assert_eq!(json(&json_out)["entry"], node.addr());
}

#[test]
fn healthy_cluster_json_and_tables() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let written = cluster.populate(2000, "j");
    let entry = cluster.addr(4);

    let check = run(["--json", "check", &entry]);
    check.assert_success();
    let doc = json(&check);
    assert_eq!(doc["healthy"], true);
    assert_eq!(doc["slots_agree"], true);
    assert_eq!(doc["errors"].as_array().unwrap().len(), 0);
    assert_eq!(doc["uncovered"].as_array().unwrap().len(), 0);
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 6);
    assert_eq!(doc["nodes"][0]["addr"], entry);
    let keys: u64 = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["role"] == "master")
        .map(|n| n["keys"].as_u64().unwrap())
        .sum();
    assert_eq!(keys, written.len() as u64);

    let info = run(["info", &entry, "--json"]);
    info.assert_success();
    let doc = json(&info);
    assert_eq!(doc["total_keys"], written.len() as u64);
    assert_eq!(doc["master_count"], 3);
    for master in doc["masters"].as_array().unwrap() {
        assert_eq!(master["replicas"], 1);
        assert_eq!(master["reachable"], true);
    }

    let nodes = run(["nodes", &entry, "--json"]);
    nodes.assert_success();
    let doc = json(&nodes);
    let shards = doc["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    assert_eq!(shards[0]["master"]["addr"], cluster.addr(0));
    assert_eq!(shards[0]["master"]["slots"], serde_json::json!([[0, 5460]]));
    for (m, shard) in shards.iter().enumerate() {
        let replicas = shard["replicas"].as_array().unwrap();
        assert_eq!(replicas.len(), 1);
        assert_eq!(replicas[0]["addr"], cluster.addr(cluster.replicas_of(m)[0]));
        assert_eq!(replicas[0]["role"], "replica");
    }

    let slots = run(["slots", &entry, "--json"]);
    slots.assert_success();
    let doc = json(&slots);
    let ranges = doc["ranges"].as_array().unwrap();
    assert_eq!(ranges.len(), 3);
    assert_eq!(
        ranges[1]["range"],
        serde_json::json!({"start": 5461, "end": 10922})
    );
    assert_eq!(ranges[1]["master"], cluster.addr(1));
    assert_eq!(
        ranges[1]["replicas"],
        serde_json::json!([cluster.addr(cluster.replicas_of(1)[0])])
    );

    let table = run(["nodes", &entry]);
    table.assert_success();
    for addr in cluster.addrs() {
        assert!(table.stdout.contains(&addr), "{addr} missing:\n{table}");
    }
    let table = run(["slots", &entry]);
    table.assert_success();
    for needle in ["0-5460", "5461-10922", "10923-16383"] {
        assert!(table.stdout.contains(needle), "{needle} missing:\n{table}");
    }
}

#[test]
fn info_matches_redis_cli() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    cluster.populate(5000, "i");
    let out = run(["info", &cluster.addr(0)]);
    out.assert_success();
    let lines = plain_lines(&out.stdout);
    assert!(
        lines.iter().any(|l| l == "[OK] 5000 keys in 3 masters."),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l == "0.31 keys per slot on average."),
        "{out}"
    );
    let master_lines: Vec<&String> = lines.iter().filter(|l| l.contains(" keys | ")).collect();
    assert_eq!(master_lines.len(), 3, "{out}");
    assert!(
        master_lines.iter().all(|l| l.ends_with("| 1 slaves.")),
        "{out}"
    );

    if redis_cli_available() {
        let oracle = cluster.redis_cli(["--cluster", "info", &cluster.addr(0)]);
        oracle.assert_success();
        assert_eq!(
            sorted_lines(&oracle.stdout),
            sorted_lines_without_shares(&out.stdout, 3)
        );
    }
}

#[test]
fn open_slots_are_listed_as_ranges() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let (source, target) = (cluster.node(0), cluster.node(1));
    for slot in (100..=163).chain([200]) {
        let slot = slot.to_string();
        target.cmd(&["CLUSTER", "SETSLOT", &slot, "IMPORTING", source.id()]);
        source.cmd(&["CLUSTER", "SETSLOT", &slot, "MIGRATING", target.id()]);
    }

    let out = run(["check", &cluster.addr(2)]);
    out.assert_code(1);
    for line in [
        format!(
            "[WARNING] Node {} has slots in migrating state 100-163,200.",
            source.addr()
        ),
        format!(
            "[WARNING] Node {} has slots in importing state 100-163,200.",
            target.addr()
        ),
        "[WARNING] The following slots are open: 100-163,200.".to_string(),
    ] {
        assert!(
            out.stdout.lines().any(|l| l == line),
            "missing {line:?}:\n{out}"
        );
    }
    let doc = json(&run(["check", &cluster.addr(2), "--json"]));
    assert_eq!(doc["open_slot_numbers"].as_array().map(Vec::len), Some(65));
}

#[test]
fn open_slot_is_reported_and_fails_the_check() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let (source, target) = (cluster.node(0), cluster.node(1));
    target.cmd(&["CLUSTER", "SETSLOT", "100", "IMPORTING", source.id()]);
    source.cmd(&["CLUSTER", "SETSLOT", "100", "MIGRATING", target.id()]);

    let out = run(["check", &cluster.addr(2)]);
    out.assert_code(1);
    for line in [
        format!(
            "[WARNING] Node {} has slots in migrating state 100.",
            source.addr()
        ),
        format!(
            "[WARNING] Node {} has slots in importing state 100.",
            target.addr()
        ),
        "[WARNING] The following slots are open: 100.".to_string(),
    ] {
        assert!(
            out.stdout.lines().any(|l| l == line),
            "missing {line:?}:\n{out}"
        );
    }
    let doc = json(&run(["check", &cluster.addr(2), "--json"]));
    assert_eq!(doc["healthy"], false);
    assert_eq!(doc["open_slot_numbers"], serde_json::json!([100]));

    let slots = json(&run(["slots", &cluster.addr(0), "--json"]));
    let first = &slots["ranges"][0];
    let open = first["open"].as_array().unwrap();
    assert!(
        open.iter()
            .any(|o| o.as_str().unwrap().starts_with("100 migrating")),
        "{slots}"
    );

    if redis_cli_available() {
        cluster.redis_cli_check(2).assert_code(1);
    }
}

#[test]
fn uncovered_slots_fail_the_check() {
    let slots = vec![vec![0..=5000], vec![5001..=10000], vec![10001..=16000]];
    let cluster = TestCluster::start_with_slots(slots, 0, NodeOpts::new());
    cluster.wait_consistent();
    let out = run(["check", &cluster.addr(0)]);
    out.assert_code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l == "[ERR] Not all 16384 slots are covered by nodes."),
        "{out}"
    );
    assert!(out.stdout.contains("16001-16383"), "{out}");
    let doc = json(&run(["check", &cluster.addr(0), "--json"]));
    assert_eq!(doc["uncovered"], serde_json::json!([[16001, 16383]]));
    let table = json(&run(["slots", &cluster.addr(0), "--json"]));
    let last = table["ranges"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["master"], Value::Null);
    if redis_cli_available() {
        cluster.redis_cli_check(0).assert_code(1);
    }
}

#[test]
fn stopped_master_without_replica_names_the_failing_slots() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new().node_timeout_ms(500));
    let dead_id = cluster.node(2).id().to_string();
    cluster.kill(2);
    wait_until("the others to flag the master as failed", || {
        [0, 1].iter().all(|&i| {
            cluster
                .node(i)
                .cluster_nodes()
                .iter()
                .any(|l| l.id == dead_id && l.has_flag("fail"))
        })
    });
    let out = run(["check", &cluster.addr(0)]);
    out.assert_code(1);
    assert!(
        out.stdout
            .lines()
            .any(|l| l == "[ERR] Not all 16384 slots are covered by nodes."),
        "{out}"
    );
    assert!(out.stdout.contains("10923-16383"), "{out}");
    assert!(out.stdout.contains(&cluster.addr(2)), "{out}");
    let doc = json(&run(["check", &cluster.addr(0), "--json"]));
    assert_eq!(doc["uncovered"], serde_json::json!([[10923, 16383]]));
    let dead = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == dead_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(dead["reachable"], false);
    assert!(dead["flags"].as_array().unwrap().contains(&"fail".into()));
    assert!(!doc["warnings"].as_array().unwrap().is_empty());

    let info = run(["info", &cluster.addr(1)]);
    info.assert_success();
    assert!(info.stdout.contains("unreachable"), "{info}");
    run(["nodes", &cluster.addr(1)]).assert_success();
    if redis_cli_available() {
        cluster.redis_cli_check(0).assert_code(1);
    }
}

#[test]
fn password_cluster() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new().password("s3cret"));
    let entry = cluster.addr(0);
    run(["-a", "s3cret", "check", &entry]).assert_success();
    run(["check", &entry, "--pass", "s3cret"]).assert_success();

    let mut cmd = crate::common::rcluster();
    cmd.env("REDISCLI_AUTH", "s3cret").args(["info", &entry]);
    crate::common::run_command(cmd, None).assert_success();

    let missing = run(["check", &entry]);
    missing.assert_code(1);
    assert!(missing.stderr.contains(&entry), "{missing}");
    assert!(missing.stderr.contains("authentication"), "{missing}");

    let wrong = run(["check", &entry, "-a", "nope"]);
    wrong.assert_code(1);
    assert!(wrong.stderr.contains("WRONGPASS"), "{wrong}");
    assert!(!wrong.stderr.contains("nope") && !wrong.stdout.contains("nope"));
    assert_eq!(wrong.stderr.trim().lines().count(), 1, "{wrong}");
}

#[test]
fn acl_user_cluster() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new().acl_user("admin", "pw"));
    let entry = cluster.addr(0);
    run(["--user", "admin", "-a", "pw", "check", &entry]).assert_success();
    let doc = json(&run([
        "--user", "admin", "-a", "pw", "info", &entry, "--json",
    ]));
    assert_eq!(doc["master_count"], 3);
    let wrong = run(["--user", "admin", "-a", "bad", "check", &entry]);
    wrong.assert_code(1);
    assert!(wrong.stderr.contains("authentication failed"), "{wrong}");
    let no_pass = run(["--user", "admin", "check", &entry]);
    no_pass.assert_code(2);
}

#[test]
fn tls_cluster() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new().tls());
    let tls = cluster.tls().unwrap();
    let entry = cluster.addr(0);
    let mut args = tls.cli_args();
    args.extend(["check".to_string(), entry.clone()]);
    let out = run(&args);
    out.assert_success();
    assert!(
        out.stdout.contains("[OK] All 16384 slots covered."),
        "{out}"
    );

    let mut args = tls.cli_args();
    args.extend(["nodes".to_string(), entry.clone(), "--json".to_string()]);
    assert_eq!(json(&run(&args))["shards"].as_array().unwrap().len(), 3);

    // A CA directory works as well as a CA file.
    let ca_dir = tempfile::tempdir().unwrap();
    std::fs::copy(&tls.ca_cert, ca_dir.path().join("ca.pem")).unwrap();
    let out = run([
        "--tls",
        "--cacertdir",
        ca_dir.path().to_str().unwrap(),
        "--cert",
        tls.client_cert.to_str().unwrap(),
        "--key",
        tls.client_key.to_str().unwrap(),
        "info",
        &entry,
    ]);
    out.assert_success();

    // Without the CA the certificate is not trusted, unless --insecure.
    let untrusted = run([
        "--tls",
        "--cert",
        tls.client_cert.to_str().unwrap(),
        "--key",
        tls.client_key.to_str().unwrap(),
        "check",
        &entry,
    ]);
    untrusted.assert_code(1);
    assert!(untrusted.stderr.contains(&entry), "{untrusted}");
    let insecure = run([
        "--tls",
        "--insecure",
        "--cert",
        tls.client_cert.to_str().unwrap(),
        "--key",
        tls.client_key.to_str().unwrap(),
        "check",
        &entry,
    ]);
    insecure.assert_success();

    // Plain TCP to a TLS port fails with a clear error rather than hanging.
    let plain = run(["check", &entry, "-t", "2"]);
    assert_ne!(plain.code, 0, "{plain}");
    assert!(plain.stderr.contains(&entry), "{plain}");

    if redis_cli_available() {
        cluster.redis_cli_check(0).assert_success();
    }
}

#[test]
fn keys_on_a_non_owner_are_found_with_search_multiple_owners() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let (owner, stray) = (cluster.node(0), cluster.node(1));
    let key = "{b}stray";
    let slot = crate::common::key_slot(key).to_string();
    assert!(
        crate::common::key_slot(key) <= 5460,
        "key must hash to node 0"
    );
    // Plant a key on a node that does not own its slot, as an interrupted migration can.
    stray.cmd(&["CLUSTER", "SETSLOT", &slot, "IMPORTING", owner.id()]);
    let mut conn = stray.conn();
    redis::cmd("ASKING").query::<()>(&mut conn).unwrap();
    redis::cmd("SET")
        .arg(key)
        .arg("v")
        .query::<()>(&mut conn)
        .unwrap();
    stray.cmd(&["CLUSTER", "SETSLOT", &slot, "STABLE"]);

    // Without the search, check sees a healthy slot map.
    run(["check", &cluster.addr(2)]).assert_success();
    for flag in [
        "--search-multiple-owners",
        "--cluster-search-multiple-owners",
    ] {
        let out = run(["check", &cluster.addr(2), flag]);
        out.assert_code(1);
        assert!(
            out.stdout
                .lines()
                .any(|l| l == format!("[WARNING] Slot {slot} has 2 owners:")),
            "{out}"
        );
    }
    let doc = json(&run([
        "check",
        &cluster.addr(2),
        "--json",
        "--search-multiple-owners",
    ]));
    let multi = doc["multiple_owners"].as_array().unwrap();
    assert_eq!(multi.len(), 1, "{doc}");
    assert_eq!(multi[0]["slot"].to_string(), slot);
    if redis_cli_available() {
        let oracle = cluster.redis_cli([
            "--cluster",
            "check",
            &cluster.addr(2),
            "--cluster-search-multiple-owners",
        ]);
        oracle.assert_code(1);
    }
}
