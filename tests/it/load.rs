//! `load` against real clusters: keys per master against each master's DBSIZE, a memory skew
//! (big values in one master's slots) against the test's own MEMORY USAGE sums, hot slots made
//! by a client hammering a few slots of one master (`--by cpu --enable-slot-stats`, and each
//! node's `cluster-slot-stats-enabled` put back after, also when a master dies or Ctrl-C comes
//! during the window), and the refusals: CPU from a server without `CLUSTER SLOT-STATS`
//! (Redis < 8.2), and CPU while the counters are off.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::common::{
    Feature, NodeOpts, Spawned, TestCluster, has_feature, json, key_slot, require, run, server,
    signal, wait_until,
};

/// `rcluster load <node 0> args... --json`, which must succeed; its document.
fn load_json(cluster: &TestCluster, args: &[&str]) -> Value {
    let entry = cluster.addr(0);
    let mut argv = vec!["load", entry.as_str(), "--json"];
    argv.extend_from_slice(args);
    let out = run(&argv);
    out.assert_success();
    json(&out)
}

/// The document's entry for the master at `addr`.
fn master<'a>(doc: &'a Value, addr: &str) -> &'a Value {
    doc["masters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["addr"] == addr)
        .unwrap_or_else(|| panic!("no master {addr} in {doc:#}"))
}

/// A metric's `{total, share}` of the master at `addr`.
fn share(doc: &Value, addr: &str, metric: &str) -> (f64, f64) {
    let load = &master(doc, addr)["load"][metric];
    (
        load["total"].as_f64().unwrap(),
        load["share"].as_f64().unwrap(),
    )
}

/// The `source.kind` of a metric, or None when it was not read.
fn source(doc: &Value, metric: &str) -> Option<String> {
    doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == metric)
        .map(|m| m["source"]["kind"].as_str().unwrap().to_string())
}

/// `cluster-slot-stats-enabled` of node `i`.
fn stats_setting(cluster: &TestCluster, i: usize) -> String {
    let reply = cluster
        .node(i)
        .cmd(&["CONFIG", "GET", "cluster-slot-stats-enabled"]);
    let values: Vec<String> = match reply {
        redis::Value::Map(pairs) => pairs
            .into_iter()
            .map(|(_, v)| redis::from_redis_value(v).unwrap())
            .collect(),
        other => redis::from_redis_value(other).unwrap(),
    };
    values.last().cloned().unwrap_or_default()
}

/// `n` key names `{prefix}:{i}` whose slots master `m` serves.
fn keys_on(cluster: &TestCluster, m: usize, prefix: &str, n: usize) -> Vec<String> {
    let owners = cluster.slot_owners();
    (0..)
        .map(|i| format!("{prefix}:{i}"))
        .filter(|k| owners[usize::from(key_slot(k))] == Some(m))
        .take(n)
        .collect()
}

/// SETs every `(key, value)` on node `i`, pipelined.
fn set_all(cluster: &TestCluster, i: usize, pairs: &[(String, Vec<u8>)]) {
    let mut conn = cluster.node(i).conn();
    for chunk in pairs.chunks(500) {
        let mut pipe = redis::pipe();
        for (key, value) in chunk {
            pipe.cmd("SET").arg(key).arg(value).ignore();
        }
        pipe.query::<()>(&mut conn).unwrap();
    }
}

/// Sum of MEMORY USAGE of every key on node `i` (read with SCAN by the test itself).
fn memory_usage(cluster: &TestCluster, i: usize) -> u64 {
    let mut conn = cluster.node(i).conn();
    let mut keys: Vec<Vec<u8>> = Vec::new();
    crate::common::scan(&mut conn, |_, batch| keys.extend(batch));
    let mut pipe = redis::pipe();
    for key in &keys {
        pipe.cmd("MEMORY").arg("USAGE").arg(key);
    }
    let sizes: Vec<Option<u64>> = pipe.query(&mut conn).unwrap();
    sizes.into_iter().flatten().sum()
}

#[test]
fn keys_per_master_match_each_masters_dbsize() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(5000, "k");
    // A slot with many keys of one hash tag: counted like any other.
    let tagged: Vec<(String, Vec<u8>)> = (0..300)
        .map(|i| (format!("{{tag}}:{i}"), b"v".to_vec()))
        .collect();
    let owner = cluster.slot_owners()[usize::from(key_slot("{tag}"))].unwrap();
    set_all(&cluster, owner, &tagged);

    let doc = load_json(&cluster, &["--by", "keys", "--top", "3"]);
    for m in 0..3 {
        let dbsize: u64 = cluster.node(m).cmd_str(&["DBSIZE"]).parse().unwrap();
        let (keys, _) = share(&doc, &cluster.addr(m), "keys");
        assert_eq!(keys, dbsize as f64, "master {m} on {}: {doc:#}", server());
    }
    let expected = if has_feature(Feature::SlotStats) {
        "slot-stats"
    } else {
        "count-keys"
    };
    assert_eq!(source(&doc, "keys").as_deref(), Some(expected), "{doc:#}");
    let hottest = &doc["hottest"][0];
    assert_eq!(hottest["slot"], key_slot("{tag}"), "{doc:#}");
    assert_eq!(hottest["master_addr"], cluster.addr(owner), "{doc:#}");
    assert_eq!(hottest["hash_tags"], serde_json::json!(["tag"]), "{doc:#}");
    assert_eq!(hottest["keys"].as_array().unwrap().len(), 3, "{doc:#}");
}

#[test]
fn memory_skew_shows_in_the_skewed_masters_share() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(3000, "small");
    let big: Vec<(String, Vec<u8>)> = keys_on(&cluster, 1, "big", 3000)
        .into_iter()
        .map(|k| (k, vec![b'x'; 4096]))
        .collect();
    set_all(&cluster, 1, &big);
    // One slot with more keys than the sample takes (16): its estimate is scaled.
    let crowded: Vec<(String, Vec<u8>)> = (0..100)
        .map(|i| (format!("{{crowd}}:{i}"), vec![b'y'; 1000]))
        .collect();
    let crowd_owner = cluster.slot_owners()[usize::from(key_slot("{crowd}"))].unwrap();
    set_all(&cluster, crowd_owner, &crowded);

    let doc = load_json(&cluster, &["--by", "memory"]);
    assert_eq!(
        source(&doc, "memory").as_deref(),
        Some("sampled"),
        "{doc:#}"
    );
    let shares: Vec<f64> = (0..3)
        .map(|m| share(&doc, &cluster.addr(m), "memory").1)
        .collect();
    assert!(
        shares[1] > 0.8,
        "master 1 holds the big values: {shares:?} on {}",
        server()
    );
    for m in 0..3 {
        let (estimate, _) = share(&doc, &cluster.addr(m), "memory");
        let exact = memory_usage(&cluster, m) as f64;
        assert!(
            (estimate - exact).abs() <= exact * 0.1,
            "master {m}: estimate {estimate} vs MEMORY USAGE sum {exact} on {}",
            server()
        );
    }
    let imbalance = doc["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "memory")
        .unwrap()["imbalance"]
        .as_f64()
        .unwrap();
    assert!(imbalance > 2.4, "{doc:#}");
}

#[test]
fn cpu_from_a_server_without_slot_stats_is_a_usage_error() {
    require!(lacks Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(100, "k");
    let entry = cluster.addr(0);
    let out = run(["load", entry.as_str(), "--by", "cpu"]);
    out.assert_code(2);
    let named = format!(
        "{entry} ({} {}) cannot report cpu",
        "redis",
        server().version()
    );
    assert!(out.stderr.contains(&named), "{out}");
    assert!(out.stderr.contains("--by memory"), "{out}");
    // Without --by cpu the rest is read, and a note says what was not.
    let doc = load_json(&cluster, &[]);
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("cpu, net-in, net-out, net not read"),
        "{doc:#}"
    );
    assert!(
        source(&doc, "cpu").is_none() && doc["window_secs"].is_null(),
        "{doc:#}"
    );
}

#[test]
fn counters_off_without_enable_slot_stats_is_a_clear_error() {
    require!(Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(100, "k");
    let entry = cluster.addr(0);
    let out = run(["load", entry.as_str(), "--by", "cpu"]);
    out.assert_code(2);
    for needle in [
        "cluster-slot-stats-enabled no",
        "--enable-slot-stats",
        "CONFIG SET cluster-slot-stats-enabled yes",
    ] {
        assert!(out.stderr.contains(needle), "{needle:?}: {out}");
    }
    for m in 0..3 {
        assert!(out.stderr.contains(&cluster.addr(m)), "{out}");
        assert_eq!(stats_setting(&cluster, m), "no");
    }
    let doc = load_json(&cluster, &["--by", "keys"]);
    assert!(doc["notes"].to_string().contains("is off on"), "{doc:#}");
    assert!(source(&doc, "cpu").is_none(), "{doc:#}");
}

/// Hammers GET and SET on `keys` until `stop`; counts the commands.
fn hammer(node: redis::Connection, keys: Vec<String>, stop: &AtomicBool, sent: &AtomicU64) {
    let mut conn = node;
    while !stop.load(Ordering::Relaxed) {
        let mut pipe = redis::pipe();
        for key in &keys {
            pipe.cmd("SET").arg(key).arg("some value").ignore();
            pipe.cmd("GET").arg(key).ignore();
        }
        pipe.query::<()>(&mut conn).unwrap();
        sent.fetch_add(2 * keys.len() as u64, Ordering::Relaxed);
    }
}

#[test]
fn hot_slots_are_found_and_the_setting_is_put_back() {
    require!(Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(2000, "k");
    // Master 2 already has the counters on: it must keep them.
    cluster
        .node(2)
        .cmd(&["CONFIG", "SET", "cluster-slot-stats-enabled", "yes"]);
    // Three hash tags of master 1, in three different slots.
    let mut tags: Vec<String> = Vec::new();
    for key in keys_on(&cluster, 1, "hot", 20) {
        let tag = format!("{{{key}}}");
        if tags.len() < 3 && tags.iter().all(|t| key_slot(t) != key_slot(&tag)) {
            tags.push(tag);
        }
    }
    let hot_slots: BTreeSet<u64> = tags.iter().map(|t| u64::from(key_slot(t))).collect();
    let keys: Vec<String> = tags
        .iter()
        .flat_map(|t| (0..4).map(move |i| format!("{t}:{i}")))
        .collect();
    let (stop, sent) = (AtomicBool::new(false), AtomicU64::new(0));
    let entry = cluster.addr(0);
    let out = thread::scope(|s| {
        let conn = cluster.node(1).conn();
        let hammering = s.spawn(|| hammer(conn, keys, &stop, &sent));
        let out = run([
            "load",
            entry.as_str(),
            "--by",
            "cpu",
            "--enable-slot-stats",
            "--top",
            "5",
            "--json",
        ]);
        stop.store(true, Ordering::Relaxed);
        hammering.join().unwrap();
        out
    });
    out.assert_success();
    let doc = json(&out);
    assert!(sent.load(Ordering::Relaxed) > 0);
    let hottest = doc["hottest"].as_array().unwrap();
    let top: BTreeSet<u64> = hottest
        .iter()
        .take(3)
        .map(|h| h["slot"].as_u64().unwrap())
        .collect();
    assert_eq!(top, hot_slots, "{doc:#}");
    for h in hottest.iter().take(3) {
        assert_eq!(h["master_addr"], cluster.addr(1), "{doc:#}");
    }
    let (_, cpu_share) = share(&doc, &cluster.addr(1), "cpu");
    assert!(cpu_share > 0.8, "{doc:#}");
    assert!(doc["window_secs"].as_f64().unwrap() >= 1.0, "{doc:#}");
    for metric in ["cpu", "net-in", "net-out", "net"] {
        assert_eq!(
            source(&doc, metric).as_deref(),
            Some("slot-stats"),
            "{doc:#}"
        );
    }
    let settings: BTreeMap<usize, String> =
        (0..3).map(|m| (m, stats_setting(&cluster, m))).collect();
    let expected: BTreeMap<usize, String> = [(0, "no"), (1, "no"), (2, "yes")]
        .map(|(m, v)| (m, v.to_string()))
        .into();
    assert_eq!(settings, expected, "{doc:#}");
    let notes = doc["notes"].to_string();
    assert!(notes.contains("turned on for this reading"), "{doc:#}");
    assert!(
        notes.contains(&cluster.addr(0)) && !notes.contains(&cluster.addr(2)),
        "{doc:#}"
    );
}

/// `load <node 0> --by cpu --enable-slot-stats --window 5` in the background, once every
/// master's counters are on (the reading is then between its two readings, or about to be).
fn load_in_the_window(cluster: &TestCluster) -> Spawned {
    let argv: Vec<String> = [
        "load",
        &cluster.addr(0),
        "--by",
        "cpu",
        "--enable-slot-stats",
    ]
    .into_iter()
    .map(String::from)
    .chain(["--window".into(), "5".into()])
    .collect();
    let spawned = Spawned::start(&argv);
    wait_until("the counters on every master", || {
        (0..3).all(|m| stats_setting(cluster, m) == "yes")
    });
    spawned
}

#[test]
fn the_setting_is_put_back_when_a_master_dies_during_the_window() {
    require!(Feature::SlotStats);
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(100, "k");
    let spawned = load_in_the_window(&cluster);
    cluster.kill(2);
    let out = spawned.wait(Duration::from_secs(30));
    out.assert_code(1);
    assert!(out.stderr.contains(&cluster.addr(2)), "{out}");
    // The dead master could not be put back: the error says so and what to run there.
    assert!(out.stderr.contains("could not be turned back off"), "{out}");
    for m in 0..2 {
        assert_eq!(stats_setting(&cluster, m), "no", "master {m}: {out}");
    }
}

#[test]
fn ctrl_c_during_the_window_puts_the_setting_back() {
    require!(Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    cluster.populate(100, "k");
    let spawned = load_in_the_window(&cluster);
    signal(spawned.pid(), "INT");
    let out = spawned.wait(Duration::from_secs(30));
    out.assert_code(130);
    assert!(out.stderr.contains("back off"), "{out}");
    for m in 0..3 {
        assert_eq!(stats_setting(&cluster, m), "no", "master {m}: {out}");
    }
}
