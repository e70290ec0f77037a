//! `reshard` against real redis-server clusters: slots and keys move exactly as asked, data
//! survives byte for byte (an independent SCAN + DUMP digest), big keys, timeouts, key
//! collisions, auth, live clients, Ctrl-C, dry runs and refusals that change nothing. Every
//! test that moves data ends with `rcluster check` and `redis-cli --cluster check` passing.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    Digest, Node, NodeOpts, RunOutput, SLOTS, Spawned, TestCluster, all_text, assert_checks_pass,
    assert_repaired, auth_args, count_in_slot, digest, dump_all, json, key_slot, load_keys,
    owner_of, reduced_cluster_nodes, run, run_with_stdin, wait_until_timeout, write_pairs,
};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The full argv of `rcluster [auth] reshard <node 0> <args...>`.
fn reshard_argv(cluster: &TestCluster, args: &[&str]) -> Vec<String> {
    let mut argv = auth_args(cluster.opts());
    argv.push("reshard".into());
    argv.push(cluster.addr(0));
    argv.extend(args.iter().map(|s| s.to_string()));
    argv
}

/// `rcluster [auth] reshard <node 0> <args...>`.
fn reshard(cluster: &TestCluster, args: &[&str]) -> RunOutput {
    run(reshard_argv(cluster, args))
}

/// Node id of node `i`.
fn id(cluster: &TestCluster, i: usize) -> String {
    cluster.node(i).id().to_string()
}

/// Keys in every slot, counted on the slot's owner with CLUSTER COUNTKEYSINSLOT.
fn keys_per_slot(cluster: &TestCluster) -> Vec<u64> {
    let owners = cluster.slot_owners();
    let mut counts = vec![0u64; usize::from(SLOTS)];
    for m in 0..cluster.masters() {
        let slots: Vec<u16> = (0..SLOTS)
            .filter(|&s| owners[usize::from(s)] == Some(m))
            .collect();
        let mut conn = cluster.node(m).conn();
        for chunk in slots.chunks(2048) {
            let mut pipe = redis::pipe();
            for &s in chunk {
                pipe.cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(s);
            }
            let replies: Vec<u64> = pipe.query(&mut conn).expect("COUNTKEYSINSLOT");
            for (&s, n) in chunk.iter().zip(replies) {
                counts[usize::from(s)] = n;
            }
        }
    }
    counts
}

/// Every node's topology: CLUSTER NODES without the ping/pong times and link state, sorted
/// (open-slot markers included), and a master's DBSIZE (a replica's follows replication on
/// its own: a late or repeated full sync empties it for a moment).
fn topology(cluster: &TestCluster) -> Vec<(Vec<String>, String)> {
    cluster
        .nodes()
        .iter()
        .map(|n| {
            let lines = reduced_cluster_nodes(n, |f| {
                let mut kept: Vec<&str> = f[..4].to_vec();
                kept.push(f[6]);
                kept.extend(&f[8..]);
                kept.join(" ")
            });
            let replica = lines.iter().any(|l| l.contains("myself,slave"));
            let keys = if replica {
                "(replica)".to_string()
            } else {
                n.cmd_str(&["DBSIZE"])
            };
            (lines, keys)
        })
        .collect()
}

/// Every key of every master with its DUMP payload(s) (a key on two masters has two).
fn dump_map(cluster: &TestCluster) -> BTreeMap<Vec<u8>, Vec<Vec<u8>>> {
    let mut all: BTreeMap<Vec<u8>, Vec<Vec<u8>>> = BTreeMap::new();
    for i in cluster.live_masters() {
        for (k, v) in dump_all(cluster.node(i)) {
            all.entry(k).or_default().push(v);
        }
    }
    all
}

/// Sends `signal` (e.g. "STOP", "CONT", "INT") to `pid` with kill(1).
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// The number at `path` in a JSON document; panics when it is not one.
fn num(doc: &Value, path: &[&str]) -> u64 {
    let mut v = doc;
    for p in path {
        v = &v[*p];
    }
    v.as_u64()
        .unwrap_or_else(|| panic!("{path:?} is not a number in {doc}"))
}

/// Asserts a successful reshard's JSON document is complete and clean.
fn assert_complete(doc: &Value, slots: u64) {
    assert_moved(doc, slots);
    assert_eq!(doc["check"]["healthy"], true, "{doc}");
}

/// Asserts every planned slot moved, without error or open slot (the final check may still
/// find problems elsewhere).
fn assert_moved(doc: &Value, slots: u64) {
    assert_eq!(doc["dry_run"], false, "{doc}");
    assert_eq!(num(doc, &["plan", "slots"]), slots, "{doc}");
    let m = &doc["migration"];
    assert_eq!(num(m, &["slots_planned"]), slots, "{doc}");
    assert_eq!(num(m, &["slots_moved"]), slots, "{doc}");
    assert_eq!(m["interrupted"], false, "{doc}");
    assert!(m["error"].is_null(), "{doc}");
    assert_eq!(m["open_slots"], serde_json::json!([]), "{doc}");
}

/// Plants a copy of `key` = `value` on `stray`, which does not own the key's slot (the slot
/// is owned by `owner`): IMPORTING + ASKING + SET, then STABLE again.
fn plant_key(stray: &Node, owner: &Node, key: &str, value: &str) {
    let slot = key_slot(key).to_string();
    stray.cmd(&["CLUSTER", "SETSLOT", &slot, "IMPORTING", owner.id()]);
    let mut conn = stray.conn();
    redis::cmd("ASKING").query::<()>(&mut conn).unwrap();
    redis::cmd("SET")
        .arg(key)
        .arg(value)
        .query::<()>(&mut conn)
        .unwrap();
    stray.cmd(&["CLUSTER", "SETSLOT", &slot, "STABLE"]);
}

/// GET on a node that may not own the key's slot (ASKING first).
fn asking_get(node: &Node, key: &str) -> Option<String> {
    let mut conn = node.conn();
    redis::cmd("ASKING").query::<()>(&mut conn).unwrap();
    redis::cmd("GET").arg(key).query(&mut conn).unwrap()
}

// ---------------------------------------------------------------------------------------------
// 1. Keys move with their slots, exactly N slots
// ---------------------------------------------------------------------------------------------

#[test]
fn moves_exactly_n_slots_with_all_their_keys() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 30_000, "k", 32);
    let before = digest(&cluster);
    assert_eq!(before.keys, 30_000);
    let counts_before = cluster.slot_counts();
    let owners_before = cluster.slot_owners();
    let keys_before = keys_per_slot(&cluster);

    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 0),
            "--slots",
            "2000",
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 2000);

    cluster.wait_cluster_ok();
    let counts_after = cluster.slot_counts();
    assert_eq!(counts_after[0], counts_before[0] + 2000, "{counts_after:?}");
    assert_eq!(
        counts_after.iter().sum::<usize>(),
        usize::from(SLOTS),
        "{counts_after:?}"
    );
    // The moved slots are exactly those that changed owner, all to node 0.
    let owners_after = cluster.slot_owners();
    let moved: Vec<usize> = (0..usize::from(SLOTS))
        .filter(|&s| owners_before[s] != owners_after[s])
        .collect();
    assert_eq!(moved.len(), 2000);
    assert!(moved.iter().all(|&s| owners_after[s] == Some(0)));
    let keys_in_moved: u64 = moved.iter().map(|&s| keys_before[s]).sum();
    assert!(keys_in_moved > 3000, "too few keys moved to mean much");
    assert_eq!(
        num(&doc, &["migration", "keys_moved"]),
        keys_in_moved,
        "{doc}"
    );
    let pairs = doc["migration"]["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{doc}");
    let pair_keys: u64 = pairs.iter().map(|p| num(p, &["keys_moved"])).sum();
    assert_eq!(pair_keys, keys_in_moved, "{doc}");
    let pair_slots: u64 = pairs.iter().map(|p| num(p, &["slots_moved"])).sum();
    assert_eq!(pair_slots, 2000, "{doc}");
    // The sources gave in proportion to what they had (5462 and 5461 slots).
    for m in 1..3 {
        let given = counts_before[m] - counts_after[m];
        assert!((999..=1001).contains(&given), "{counts_after:?}");
    }
    assert_eq!(num(&doc, &["migration", "retries"]), 0, "{doc}");
    assert_eq!(num(&doc, &["migration", "equal_collisions"]), 0, "{doc}");
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 2. redis-cli spellings and id prefixes
// ---------------------------------------------------------------------------------------------

#[test]
fn cluster_spellings_and_id_prefixes() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 5000, "s", 16);
    let before = digest(&cluster);
    let counts_before = cluster.slot_counts();
    let prefix = |i: usize| id(&cluster, i)[..8].to_string();
    let from = format!("{},{}", prefix(1), prefix(2));

    // The redis-cli command line, word for word but for the program name.
    let out = run([
        "--cluster",
        "reshard",
        &cluster.addr(3),
        "--cluster-from",
        &from,
        "--cluster-to",
        &prefix(0),
        "--cluster-slots",
        "300",
        "--cluster-yes",
        "--cluster-timeout",
        "20000",
        "--cluster-pipeline",
        "37",
        "--cluster-replace",
    ]);
    out.assert_success();
    for line in [
        "Ready to move 300 slots.",
        "[OK] Moved 300 of 300 slot(s)",
        "[OK] Cluster check passed after the move.",
    ] {
        assert!(out.stdout.contains(line), "missing {line:?}:\n{out}");
    }
    cluster.wait_cluster_ok();
    let counts = cluster.slot_counts();
    assert_eq!(counts[0], counts_before[0] + 300, "{counts:?}\n{out}");
    assert_eq!(
        counts[1] + counts[2],
        counts_before[1] + counts_before[2] - 300
    );

    // Short spellings, one source by prefix, the node given as HOST PORT.
    let node = cluster.node(4);
    let out = run([
        "reshard",
        node.host(),
        &node.port().to_string(),
        "--from",
        &prefix(2),
        "--to",
        &prefix(1),
        "--slots",
        "50",
        "-y",
        "--pipeline",
        "5",
        "--parallel",
        "2",
        "--timeout",
        "30000",
    ]);
    out.assert_success();
    cluster.wait_cluster_ok();
    let after = cluster.slot_counts();
    assert_eq!(after[1], counts[1] + 50, "{after:?}\n{out}");
    assert_eq!(after[2], counts[2] - 50, "{after:?}\n{out}");
    assert_eq!(after[0], counts[0]);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 3. Named slots
// ---------------------------------------------------------------------------------------------

#[test]
fn slot_range_moves_exactly_the_named_slots() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 20_000, "r", 16);
    let before = digest(&cluster);
    let owners_before = cluster.slot_owners();
    let keys_before = keys_per_slot(&cluster);
    let target = id(&cluster, 2);

    // Slots of masters 0 and 1, and 16000-16005 which master 2 already serves.
    let out = reshard(
        &cluster,
        &[
            "--to",
            &target,
            "--slot-range",
            "0-9,100,5461-5470,16000-16005",
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 21);
    assert_eq!(doc["already_on_target"], "16000-16005", "{doc}");
    let pairs = doc["plan"]["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{doc}");
    let mut plan_slots: Vec<(String, String)> = pairs
        .iter()
        .map(|p| {
            (
                p["from_id"].as_str().unwrap().to_string(),
                p["slots"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    plan_slots.sort();
    let mut expected = vec![
        (id(&cluster, 0), "0-9,100".to_string()),
        (id(&cluster, 1), "5461-5470".to_string()),
    ];
    expected.sort();
    assert_eq!(plan_slots, expected, "{doc}");

    cluster.wait_cluster_ok();
    let named: BTreeSet<usize> = (0..=9).chain([100]).chain(5461..=5470).collect();
    let owners_after = cluster.slot_owners();
    for s in 0..usize::from(SLOTS) {
        let want = if named.contains(&s) {
            Some(2)
        } else {
            owners_before[s]
        };
        assert_eq!(owners_after[s], want, "owner of slot {s}");
    }
    let keys_named: u64 = named.iter().map(|&s| keys_before[s]).sum();
    assert_eq!(num(&doc, &["migration", "keys_moved"]), keys_named, "{doc}");
    for &s in &named {
        let s = s as u16;
        assert_eq!(
            count_in_slot(cluster.node(2), s),
            keys_before[usize::from(s)]
        );
        let old = owners_before[usize::from(s)].unwrap();
        assert_eq!(count_in_slot(cluster.node(old), s), 0);
    }

    // Only slots the target already has: nothing to do, said so, exit 0.
    let out = reshard(
        &cluster,
        &["--to", &target, "--slot-range", "16000-16005", "--yes"],
    );
    out.assert_success();
    assert!(
        out.stdout.contains("16000-16005") && out.stdout.contains("already served by the target"),
        "{out}"
    );
    assert!(out.stdout.contains("Nothing to move"), "{out}");

    // A named slot whose master is not in --from is refused, nothing moves.
    let topo = topology(&cluster);
    let out = reshard(
        &cluster,
        &[
            "--from",
            &id(&cluster, 0),
            "--to",
            &target,
            "--slot-range",
            "20-29,5500",
            "--yes",
        ],
    );
    out.assert_code(1);
    assert!(
        out.stderr.contains("5500") && out.stderr.contains("--from"),
        "{out}"
    );
    assert_eq!(topology(&cluster), topo);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 4. Slots crowded by hash tags
// ---------------------------------------------------------------------------------------------

#[test]
fn hashtag_heavy_slots_move_every_key() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 5000, "h", 16);
    let hot = key_slot("{user1}");
    let warm = key_slot("{user2}");
    write_pairs(
        cluster.node(owner_of(&cluster, hot)),
        (0..20_000).map(|i| (format!("{{user1}}:{i}"), format!("profile-{i}"))),
    );
    write_pairs(
        cluster.node(owner_of(&cluster, warm)),
        (0..3000).map(|i| (format!("{{user2}}:{i}"), format!("cart-{i}"))),
    );
    let before = digest(&cluster);
    let (hot_owner, warm_owner) = (owner_of(&cluster, hot), owner_of(&cluster, warm));
    let target = (0..3)
        .find(|&m| m != hot_owner && m != warm_owner)
        .expect("a master owning neither slot");
    let hot_keys = count_in_slot(cluster.node(hot_owner), hot);
    let warm_keys = count_in_slot(cluster.node(warm_owner), warm);
    assert!(hot_keys >= 20_000 && warm_keys >= 3000);

    let range = format!("{hot},{warm}");
    let out = reshard(
        &cluster,
        &[
            "--to",
            &id(&cluster, target),
            "--slot-range",
            &range,
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, if hot == warm { 1 } else { 2 });
    assert_eq!(
        num(&doc, &["migration", "keys_moved"]),
        hot_keys + warm_keys,
        "{doc}"
    );
    cluster.wait_cluster_ok();
    assert_eq!(count_in_slot(cluster.node(target), hot), hot_keys);
    assert_eq!(count_in_slot(cluster.node(target), warm), warm_keys);
    assert_eq!(count_in_slot(cluster.node(hot_owner), hot), 0);
    assert_eq!(count_in_slot(cluster.node(warm_owner), warm), 0);
    assert_eq!(owner_of(&cluster, hot), target);
    assert_eq!(owner_of(&cluster, warm), target);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 5. A 50 MB key, and keys retried alone after their batch timed out
// ---------------------------------------------------------------------------------------------

/// `len` bytes that do not compress (DUMP compresses with LZF).
fn incompressible(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

#[test]
fn a_50_mb_key_moves_with_its_slot() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 3000, "b", 16);
    let key = "{big}:blob";
    let slot = key_slot(key);
    let source = owner_of(&cluster, slot);
    let target = (source + 1) % 3;
    let value = incompressible(50 * 1024 * 1024);
    {
        let mut conn = cluster.node(source).conn();
        redis::cmd("SET")
            .arg(key)
            .arg(&value)
            .query::<()>(&mut conn)
            .expect("SET 50 MB");
    }
    write_pairs(
        cluster.node(source),
        (0..200).map(|i| (format!("{{big}}:small:{i}"), format!("v{i}"))),
    );
    let in_slot = count_in_slot(cluster.node(source), slot);
    let before = digest(&cluster);

    let range = slot.to_string();
    let out = reshard(
        &cluster,
        &[
            "--to",
            &id(&cluster, target),
            "--slot-range",
            &range,
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 1);
    assert_eq!(num(&doc, &["migration", "keys_moved"]), in_slot, "{doc}");
    cluster.wait_cluster_ok();
    assert_eq!(owner_of(&cluster, slot), target);
    let mut conn = cluster.node(target).conn();
    let moved: Vec<u8> = redis::cmd("GET").arg(key).query(&mut conn).unwrap();
    assert!(moved == value, "the 50 MB value changed on the way");
    assert_eq!(count_in_slot(cluster.node(source), slot), 0);
    assert_repaired(&cluster, &before);
}

#[test]
fn keys_of_a_timed_out_batch_are_retried_alone() {
    // A long node timeout so that a target stopped for a few seconds is not flagged failing.
    let cluster = TestCluster::start(3, 0, NodeOpts::new().node_timeout_ms(20_000));
    load_keys(&cluster, 2000, "t", 16);
    let slot = key_slot("{hot}");
    let source = owner_of(&cluster, slot);
    let target = (source + 1) % 3;
    let total: usize = 150_000;
    write_pairs(
        cluster.node(source),
        (0..total).map(|i| (format!("{{hot}}:{i}"), format!("value-{i}"))),
    );
    let in_slot = count_in_slot(cluster.node(source), slot);
    let before = digest(&cluster);
    let target_pid = cluster.node(target).pid().unwrap();

    // Batches get a 1 s MIGRATE timeout, keys retried alone 8 s.
    let argv = reshard_argv(
        &cluster,
        &[
            "--to",
            &id(&cluster, target),
            "--slot-range",
            &slot.to_string(),
            "--timeout",
            "8000",
            "--pipeline",
            "100",
            "--parallel",
            "1",
            "-t",
            "15",
            "--yes",
            "--json",
        ],
    );
    let child = Spawned::start(&argv);
    // As soon as keys start leaving the source, freeze the target for 2.5 s.
    let src = cluster.node(source);
    wait_until_timeout("keys start moving", Duration::from_secs(30), || {
        count_in_slot(src, slot) < in_slot
    });
    signal(target_pid, "STOP");
    thread::sleep(Duration::from_millis(2500));
    signal(target_pid, "CONT");
    let out = child.wait(Duration::from_secs(50));
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 1);
    let retries = num(&doc, &["migration", "retries"]);
    assert!(retries > 0, "no key was retried alone:\n{doc}");
    assert_eq!(
        num(&doc, &["migration", "keys_moved"]),
        in_slot,
        "every key of the slot counted once:\n{doc}"
    );
    cluster.wait_cluster_ok();
    assert_eq!(count_in_slot(cluster.node(target), slot), in_slot);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 6. Keys on both sides (BUSYKEY)
// ---------------------------------------------------------------------------------------------

/// A cluster whose slot of `{coll}` holds 50 keys plus `{coll}:dup` on its owner, and a copy
/// of `{coll}:dup` with `target_value` planted on another master. Returns (cluster, slot,
/// source, target, digest before the copy was planted).
fn collision_setup(target_value: &str) -> (TestCluster, u16, usize, usize, Digest) {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 2000, "c", 16);
    let slot = key_slot("{coll}");
    let source = owner_of(&cluster, slot);
    let target = (source + 1) % 3;
    write_pairs(
        cluster.node(source),
        (0..50)
            .map(|i| (format!("{{coll}}:{i}"), format!("v{i}")))
            .chain([("{coll}:dup".to_string(), "source-value".to_string())]),
    );
    let before = digest(&cluster);
    plant_key(
        cluster.node(target),
        cluster.node(source),
        "{coll}:dup",
        target_value,
    );
    (cluster, slot, source, target, before)
}

#[test]
fn busykey_with_equal_values_drops_the_source_copy() {
    let (cluster, slot, source, target, before) = collision_setup("source-value");
    let in_slot = count_in_slot(cluster.node(source), slot);
    assert_eq!(in_slot, 51);
    let out = reshard(
        &cluster,
        &[
            "--to",
            &id(&cluster, target),
            "--slot-range",
            &slot.to_string(),
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 1);
    assert_eq!(num(&doc, &["migration", "equal_collisions"]), 1, "{doc}");
    cluster.wait_cluster_ok();
    assert_eq!(count_in_slot(cluster.node(source), slot), 0);
    assert_eq!(count_in_slot(cluster.node(target), slot), 51);
    assert_eq!(
        asking_get(cluster.node(target), "{coll}:dup").as_deref(),
        Some("source-value")
    );
    assert_repaired(&cluster, &before);
    // The 50 keys that MIGRATE moved in the same batch as the colliding one (Redis moves
    // the others and answers BUSYKEY for the batch) left the source too and count.
    assert_eq!(
        num(&doc, &["migration", "keys_moved"]),
        in_slot,
        "keys_moved must count every key that left the source:\n{doc}"
    );
}

#[test]
fn busykey_with_different_values_stops_and_leaves_the_slot_open() {
    let (cluster, slot, source, target, before) = collision_setup("target-value");
    let (src, dst) = (cluster.node(source), cluster.node(target));
    let out = reshard(
        &cluster,
        &[
            "--to",
            dst.id(),
            "--slot-range",
            &slot.to_string(),
            "--yes",
            "--json",
        ],
    );
    out.assert_code(1);
    let doc = json(&out);
    let m = &doc["migration"];
    assert_eq!(num(m, &["slots_moved"]), 0, "{doc}");
    let error = m["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error: {doc}"));
    assert!(
        error.contains("{coll}:dup"),
        "the error names the key: {doc}"
    );
    let open = m["open_slots"].as_array().unwrap();
    assert_eq!(open.len(), 1, "{doc}");
    assert_eq!(num(&open[0], &["slot"]), u64::from(slot), "{doc}");
    assert_eq!(open[0]["from"], src.addr(), "{doc}");
    assert_eq!(open[0]["to"], dst.addr(), "{doc}");
    assert_eq!(doc["check"]["healthy"], false, "{doc}");

    // The slot is open: migrating on the source, importing on the target.
    let src_nodes = src.cmd_str(&["CLUSTER", "NODES"]);
    let dst_nodes = dst.cmd_str(&["CLUSTER", "NODES"]);
    assert!(
        src_nodes.contains(&format!("[{slot}->-{}]", dst.id())),
        "{src_nodes}"
    );
    assert!(
        dst_nodes.contains(&format!("[{slot}-<-{}]", src.id())),
        "{dst_nodes}"
    );
    // No key lost: both copies still exist, every other key is on one side.
    let mut conn = src.conn();
    let src_copy: Option<String> = redis::cmd("GET")
        .arg("{coll}:dup")
        .query(&mut conn)
        .unwrap();
    assert_eq!(src_copy.as_deref(), Some("source-value"));
    assert_eq!(
        asking_get(dst, "{coll}:dup").as_deref(),
        Some("target-value")
    );
    assert_eq!(count_in_slot(src, slot) + count_in_slot(dst, slot), 52);
    let check = run(["check", &cluster.addr(0)]);
    check.assert_code(1);

    // Close the slot by hand: drop the target's copy, move what is left, assign the slot.
    let mut conn = dst.conn();
    redis::cmd("ASKING").query::<()>(&mut conn).unwrap();
    redis::cmd("DEL")
        .arg("{coll}:dup")
        .query::<()>(&mut conn)
        .unwrap();
    let mut conn = src.conn();
    let left: Vec<String> = redis::cmd("CLUSTER")
        .arg("GETKEYSINSLOT")
        .arg(slot)
        .arg(1000)
        .query(&mut conn)
        .unwrap();
    assert!(left.contains(&"{coll}:dup".to_string()), "{left:?}");
    redis::cmd("MIGRATE")
        .arg(dst.host())
        .arg(dst.port())
        .arg("")
        .arg(0)
        .arg(5000)
        .arg("KEYS")
        .arg(&left)
        .query::<()>(&mut conn)
        .unwrap();
    for node in [dst, src] {
        node.cmd(&["CLUSTER", "SETSLOT", &slot.to_string(), "NODE", dst.id()]);
    }
    let other = 3 - source - target;
    cluster
        .node(other)
        .cmd(&["CLUSTER", "SETSLOT", &slot.to_string(), "NODE", dst.id()]);
    assert_repaired(&cluster, &before);
    // The hint about --replace must say what it does: the source's value overwrites the
    // target's (see busykey_with_different_values_and_replace_keeps_the_source_value).
    assert!(
        error.contains("--replace") && !error.contains("keep the target's"),
        "misleading --replace hint: {error}"
    );
}

#[test]
fn busykey_with_different_values_and_replace_keeps_the_source_value() {
    let (cluster, slot, source, target, before) = collision_setup("target-value");
    let in_slot = count_in_slot(cluster.node(source), slot);
    let out = reshard(
        &cluster,
        &[
            "--to",
            &id(&cluster, target),
            "--slot-range",
            &slot.to_string(),
            "--replace",
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 1);
    assert_eq!(num(&doc, &["migration", "keys_moved"]), in_slot, "{doc}");
    cluster.wait_cluster_ok();
    assert_eq!(
        asking_get(cluster.node(target), "{coll}:dup").as_deref(),
        Some("source-value")
    );
    assert_eq!(count_in_slot(cluster.node(source), slot), 0);
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 7. Auth: MIGRATE must authenticate to the target
// ---------------------------------------------------------------------------------------------

fn reshard_with_auth(opts: NodeOpts) {
    let cluster = TestCluster::start(3, 0, opts);
    load_keys(&cluster, 10_000, "a", 16);
    let before = digest(&cluster);
    let counts = cluster.slot_counts();
    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 1),
            "--slots",
            "500",
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 500);
    assert!(num(&doc, &["migration", "keys_moved"]) > 0, "{doc}");
    cluster.wait_cluster_ok();
    assert_eq!(cluster.slot_counts()[1], counts[1] + 500);
    assert_repaired(&cluster, &before);

    // Without credentials nothing is touched.
    let topo = topology(&cluster);
    let out = run([
        "reshard",
        &cluster.addr(0),
        "--from",
        "all",
        "--to",
        &id(&cluster, 1),
        "--slots",
        "10",
        "--yes",
    ]);
    out.assert_code(1);
    assert_eq!(topology(&cluster), topo);
}

#[test]
fn password_protected_cluster() {
    reshard_with_auth(NodeOpts::new().password("s3cret-pass"));
}

#[test]
fn acl_user_cluster() {
    reshard_with_auth(NodeOpts::new().acl_user("operator", "op-pass"));
}

// ---------------------------------------------------------------------------------------------
// 8. Clients keep working during a reshard
// ---------------------------------------------------------------------------------------------

#[test]
fn cluster_clients_keep_working_during_a_reshard() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 50_000, "p", 16);
    let baseline = dump_map(&cluster);
    assert_eq!(baseline.len(), 50_000);

    let urls: Vec<String> = cluster
        .addrs()
        .iter()
        .map(|a| format!("redis://{a}/"))
        .collect();
    let client = redis::cluster::ClusterClient::builder(urls)
        .retries(20)
        .min_retry_wait(5)
        .max_retry_wait(200)
        .connection_timeout(Duration::from_secs(5))
        .response_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let errors: Arc<Mutex<Vec<String>>> = Arc::default();
    let writer = {
        let (stop, written, errors) = (stop.clone(), written.clone(), errors.clone());
        thread::spawn(move || {
            let mut conn = client.get_connection().expect("cluster connection");
            let mut i = 0usize;
            while !stop.load(Ordering::SeqCst) {
                let key = format!("live:{i}");
                let value = format!("live-value-{i}");
                match redis::cmd("SET")
                    .arg(&key)
                    .arg(&value)
                    .query::<()>(&mut conn)
                {
                    Ok(()) => {}
                    Err(e) => {
                        errors.lock().unwrap().push(format!("SET {key}: {e}"));
                        i += 1;
                        continue;
                    }
                }
                match redis::cmd("GET")
                    .arg(&key)
                    .query::<Option<String>>(&mut conn)
                {
                    Ok(Some(v)) if v == value => {}
                    Ok(other) => errors
                        .lock()
                        .unwrap()
                        .push(format!("GET {key} right after SET: {other:?}")),
                    Err(e) => errors.lock().unwrap().push(format!("GET {key}: {e}")),
                }
                // Also read a preloaded key.
                let old = format!("p:{}", (i * 7919) % 50_000);
                match redis::cmd("GET")
                    .arg(&old)
                    .query::<Option<String>>(&mut conn)
                {
                    Ok(Some(_)) => {}
                    Ok(None) => errors.lock().unwrap().push(format!("GET {old}: nil")),
                    Err(e) => errors.lock().unwrap().push(format!("GET {old}: {e}")),
                }
                i += 1;
                written.store(i, Ordering::SeqCst);
            }
            conn
        })
    };
    wait_until_timeout("the client writes", Duration::from_secs(20), || {
        written.load(Ordering::SeqCst) >= 200
    });
    let at_start = written.load(Ordering::SeqCst);
    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 2),
            "--slots",
            "3500",
            "--yes",
            "--json",
        ],
    );
    let at_end = written.load(Ordering::SeqCst);
    // A little more traffic once the new owners are in place.
    thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::SeqCst);
    let mut conn = writer.join().expect("writer thread");
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 3500);
    assert!(
        at_end - at_start >= 50,
        "the client barely ran during the reshard ({} writes)",
        at_end - at_start
    );
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors.is_empty(),
        "{} client error(s) during the reshard, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );

    // Every write landed, once, with its value; everything else is as before.
    let total = written.load(Ordering::SeqCst);
    for i in 0..total {
        let key = format!("live:{i}");
        let v: Option<String> = redis::cmd("GET").arg(&key).query(&mut conn).unwrap();
        assert_eq!(v, Some(format!("live-value-{i}")), "{key}");
    }
    cluster.wait_cluster_ok();
    let mut after = dump_map(&cluster);
    let dups: Vec<String> = after
        .iter()
        .filter(|(_, v)| v.len() > 1)
        .map(|(k, _)| String::from_utf8_lossy(k).into_owned())
        .collect();
    assert!(dups.is_empty(), "keys on two masters: {dups:?}");
    let live: Vec<Vec<u8>> = after
        .keys()
        .filter(|k| k.starts_with(b"live:"))
        .cloned()
        .collect();
    assert!(
        live.len() >= total,
        "{} live keys, {total} written",
        live.len()
    );
    for k in live {
        after.remove(&k);
    }
    assert!(after == baseline, "preloaded keys changed");
    assert_checks_pass(&cluster);
}

// ---------------------------------------------------------------------------------------------
// 9. Ctrl-C
// ---------------------------------------------------------------------------------------------

#[test]
fn ctrl_c_stops_cleanly_between_slots() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 100_000, "i", 16);
    let before = digest(&cluster);
    let counts = cluster.slot_counts();
    let target_size: u64 = cluster.node(0).cmd_str(&["DBSIZE"]).parse().unwrap();
    let argv = reshard_argv(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 0),
            "--slots",
            "8000",
            "--parallel",
            "1",
            "--pipeline",
            "10",
            "--yes",
            "--json",
        ],
    );
    let child = Spawned::start(&argv);
    // Interrupt as soon as keys arrive on the target: the moves are under way, so the Ctrl-C
    // handler is installed, and most of the plan is still ahead.
    let target = cluster.node(0);
    wait_until_timeout("keys arrive on the target", Duration::from_secs(30), || {
        target.cmd_str(&["DBSIZE"]).parse::<u64>().unwrap() > target_size
    });
    let interrupted_at = Instant::now();
    signal(child.pid(), "INT");
    let out = child.wait(Duration::from_secs(30));
    let took = interrupted_at.elapsed();
    out.assert_code(130);
    assert!(
        took < Duration::from_secs(10),
        "took {took:?} to stop after Ctrl-C"
    );
    assert!(
        out.stderr.to_lowercase().contains("interrupted"),
        "stderr should say it was interrupted:\n{out}"
    );
    let doc = json(&out);
    let m = &doc["migration"];
    assert_eq!(m["interrupted"], true, "{doc}");
    assert!(m["error"].is_null(), "{doc}");
    assert_eq!(m["open_slots"], serde_json::json!([]), "{doc}");
    let moved = num(m, &["slots_moved"]);
    assert!(moved > 0 && moved < 8000, "a partial move: {doc}");

    cluster.wait_cluster_ok();
    let after = cluster.slot_counts();
    assert_eq!(after[0] as u64, counts[0] as u64 + moved, "{after:?} {doc}");
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// 10. Dry run
// ---------------------------------------------------------------------------------------------

#[test]
fn dry_run_changes_nothing() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 3000, "d", 16);
    cluster.wait_cluster_ok();
    let topo = topology(&cluster);
    let to = id(&cluster, 1);

    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &to,
            "--slots",
            "500",
            "--dry-run",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true, "{doc}");
    assert_eq!(num(&doc, &["plan", "slots"]), 500, "{doc}");
    let pairs = doc["plan"]["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{doc}");
    let planned: u64 = pairs.iter().map(|p| num(p, &["count"])).sum();
    assert_eq!(planned, 500, "{doc}");
    let from: BTreeSet<&str> = pairs
        .iter()
        .map(|p| p["from_id"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<String> = [id(&cluster, 0), id(&cluster, 2)].into();
    assert_eq!(
        from,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    for p in pairs {
        assert_eq!(p["to_id"], to, "{doc}");
        assert_eq!(p["to"], cluster.addr(1), "{doc}");
        assert!(p["slots"].as_str().is_some_and(|s| !s.is_empty()), "{doc}");
    }
    assert!(doc["migration"].is_null(), "{doc}");
    assert!(doc["check"].is_null(), "{doc}");
    assert_eq!(topology(&cluster), topo);

    // Text, without --yes, and with named slots.
    let out = reshard(
        &cluster,
        &["--to", &to, "--slot-range", "0-99", "--dry-run"],
    );
    out.assert_success();
    assert!(out.stdout.contains("Ready to move 100 slots."), "{out}");
    assert!(out.stdout.contains("Dry run"), "{out}");
    let out = reshard(
        &cluster,
        &["--to", &to, "--slot-range", "0-99", "--dry-run", "--json"],
    );
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true);
    assert_eq!(num(&doc, &["plan", "slots"]), 100, "{doc}");
    assert_eq!(doc["plan"]["pairs"][0]["slots"], "0-99", "{doc}");
    assert_eq!(topology(&cluster), topo);
}

// ---------------------------------------------------------------------------------------------
// 11. Refusals
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_requests_are_refused_and_change_nothing() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    load_keys(&cluster, 2000, "x", 16);
    cluster.wait_cluster_ok();
    let topo = topology(&cluster);
    let (m0, m1) = (id(&cluster, 0), id(&cluster, 1));
    let replica = id(&cluster, cluster.replicas_of(0)[0]);
    let target_and_source = format!("{m0},{m1}");

    // (args, expected exit codes, words the error must contain)
    let cases: Vec<(Vec<&str>, &[i32], Vec<&str>)> = vec![
        (
            vec![
                "--from",
                "all",
                "--to",
                "not-a-node-id",
                "--slots",
                "10",
                "--yes",
            ],
            &[1],
            vec!["--to", "not-a-node-id"],
        ),
        (
            vec!["--from", "all", "--to", &replica, "--slots", "10", "--yes"],
            &[1],
            vec!["replica"],
        ),
        (
            vec![
                "--from",
                &target_and_source,
                "--to",
                &m0,
                "--slots",
                "10",
                "--yes",
            ],
            &[1],
            vec!["source"],
        ),
        (
            vec!["--from", "all", "--to", &m0, "--slots", "0", "--yes"],
            &[1, 2],
            vec!["16384"],
        ),
        (
            vec!["--from", "all", "--to", &m0, "--slots", "20000", "--yes"],
            &[1, 2],
            vec!["16384"],
        ),
        (
            vec!["--from", &m1, "--to", &m0, "--slots", "6000", "--yes"],
            &[1],
            vec!["6000", "5462"],
        ),
        (
            vec!["--to", &m0, "--slot-range", "5-3", "--yes"],
            &[2],
            vec!["--slot-range"],
        ),
        (
            vec!["--to", &m0, "--slot-range", "abc", "--yes"],
            &[2],
            vec!["--slot-range"],
        ),
        (
            vec!["--to", &m0, "--slot-range", "16384", "--yes"],
            &[2],
            vec!["--slot-range"],
        ),
        (
            vec!["--to", &m0, "--slot-range", "1-2", "--slots", "5", "--yes"],
            &[2],
            vec!["--slot"],
        ),
        (
            vec![
                "--from",
                "all",
                "--to",
                &m0,
                "--slots",
                "10",
                "--pipeline",
                "0",
                "--yes",
            ],
            &[2],
            vec!["--pipeline"],
        ),
        (
            vec![
                "--from",
                "all",
                "--to",
                &m0,
                "--slots",
                "10",
                "--parallel",
                "0",
                "--yes",
            ],
            &[2],
            vec!["--parallel"],
        ),
        (
            vec![
                "--from",
                "all",
                "--to",
                &m0,
                "--slots",
                "10",
                "--timeout",
                "0",
                "--yes",
            ],
            &[2],
            vec!["--timeout"],
        ),
        // No --slots, stdin not a terminal: name it, never wait for an answer.
        (
            vec!["--from", "all", "--to", &m0, "--yes"],
            &[1],
            vec!["--slots"],
        ),
        // No --yes and no terminal to confirm on.
        (
            vec!["--from", "all", "--to", &m0, "--slots", "10"],
            &[1],
            vec!["--yes"],
        ),
    ];
    for (args, codes, needles) in &cases {
        let started = Instant::now();
        let out = reshard(&cluster, args);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{args:?} took {:?}",
            started.elapsed()
        );
        assert!(
            codes.contains(&out.code),
            "{args:?}: exit {}:\n{out}",
            out.code
        );
        assert!(!out.stderr.contains("panicked"), "{args:?}:\n{out}");
        for needle in needles {
            assert!(
                out.stderr.contains(needle),
                "{args:?}: stderr should mention {needle:?}:\n{out}"
            );
        }
        assert_eq!(topology(&cluster), topo, "{args:?} changed the cluster");
    }

    // Answers on a pipe are read one line per question, as redis-cli asks them: declined
    // here, so nothing moves; a pipe that ends before the sources names --from.
    let argv = reshard_argv(&cluster, &["--to", &m0]);
    let out = run_with_stdin(&argv, "100\nall\nno\n");
    out.assert_code(1);
    assert!(
        out.stdout
            .contains("How many slots do you want to move (from 1 to 16384)?: 100"),
        "{out}"
    );
    assert!(out.stdout.contains("Source node #1: all"), "{out}");
    assert_eq!(topology(&cluster), topo);
    let out = run_with_stdin(&argv, "100\n");
    out.assert_code(1);
    assert!(out.stderr.contains("--from"), "{out}");
    assert_eq!(topology(&cluster), topo);

    // JSON gets the error document.
    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            "not-a-node-id",
            "--slots",
            "10",
            "--json",
        ],
    );
    out.assert_code(1);
    let doc = json(&out);
    assert_eq!(doc["exit_code"], 1, "{doc}");
    assert!(
        doc["error"].as_str().unwrap().contains("not-a-node-id"),
        "{doc}"
    );
    assert_eq!(topology(&cluster), topo);
}

#[test]
fn open_slots_refuse_only_the_moves_they_touch() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 5000, "o", 16);
    let before = digest(&cluster);
    let (n0, n1, n2) = (cluster.node(0), cluster.node(1), cluster.node(2));

    // Slot 5461 (master 1's first, so among the slots --slots takes) migrating to master 0.
    n1.cmd(&["CLUSTER", "SETSLOT", "5461", "MIGRATING", n0.id()]);
    let topo = topology(&cluster);
    let out = reshard(
        &cluster,
        &["--from", "all", "--to", n0.id(), "--slots", "100", "--yes"],
    );
    out.assert_code(1);
    let text = all_text(&out);
    assert!(text.contains("fix"), "{out}");
    assert!(text.contains("5461"), "{out}");
    assert_eq!(
        topology(&cluster),
        topo,
        "refused reshard changed the cluster"
    );
    // Named, too.
    let out = reshard(
        &cluster,
        &["--to", n2.id(), "--slot-range", "5461", "--yes"],
    );
    out.assert_code(1);
    assert_eq!(topology(&cluster), topo);
    n1.cmd(&["CLUSTER", "SETSLOT", "5461", "STABLE"]);

    // An open slot elsewhere: the reshard goes ahead and warns.
    n2.cmd(&["CLUSTER", "SETSLOT", "16000", "MIGRATING", n1.id()]);
    let counts = cluster.slot_counts();
    let out = reshard(
        &cluster,
        &[
            "--to",
            n0.id(),
            "--slot-range",
            "5461-5560",
            "--yes",
            "--json",
        ],
    );
    out.assert_success();
    let doc = json(&out);
    assert_moved(&doc, 100);
    // The final check still sees slot 16000 open, which is not this reshard's doing.
    assert_eq!(doc["check"]["healthy"], false, "{doc}");
    assert_eq!(
        doc["check"]["errors"],
        serde_json::json!(["open slots: 16000"]),
        "{doc}"
    );
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("16000")),
        "{doc}"
    );
    let out_text = reshard(
        &cluster,
        &["--to", n0.id(), "--slot-range", "5561", "--yes"],
    );
    out_text.assert_success();
    assert!(
        out_text.stdout.contains("[WARNING]") && out_text.stdout.contains("16000"),
        "{out_text}"
    );
    n2.cmd(&["CLUSTER", "SETSLOT", "16000", "STABLE"]);
    cluster.wait_cluster_ok();
    let after = cluster.slot_counts();
    assert_eq!(after[0], counts[0] + 101, "{after:?}");
    assert_eq!(after[1], counts[1] - 101, "{after:?}");
    assert_repaired(&cluster, &before);
}

// ---------------------------------------------------------------------------------------------
// The throttle
// ---------------------------------------------------------------------------------------------

#[test]
fn max_keys_per_sec_paces_the_move_over_all_batches() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 40_000, "t", 16);
    let before = digest(&cluster);
    // 8000 of the 16384 slots hold about 19 500 of the 40 000 keys: at 10 000 keys/s (with
    // 100 ms of burst), about 1.9 s however many batches run at once.
    let started = Instant::now();
    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 0),
            "--slots",
            "8000",
            "--max-keys-per-sec",
            "10k",
            "--parallel",
            "16",
            "--yes",
            "--json",
        ],
    );
    let took = started.elapsed();
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 8000);
    let keys = num(&doc, &["migration", "keys_moved"]);
    assert!(keys > 15_000, "{doc}");
    assert_eq!(num(&doc, &["plan", "throttle", "keys_per_sec"]), 10_000);
    assert!(doc["plan"]["throttle"]["bytes_per_sec"].is_null(), "{doc}");
    let throttle = &doc["migration"]["throttle"];
    assert_eq!(num(throttle, &["keys_per_sec"]), 10_000, "{doc}");
    assert!(num(throttle, &["keys"]) >= keys, "{doc}");
    assert!(num(throttle, &["waited_ms"]) > 0, "{doc}");
    let ms = num(&doc, &["migration", "duration_ms"]);
    eprintln!("throttled to 10 000 keys/s: {keys} keys in {ms} ms ({took:?} in all)");
    assert!(ms >= 1500, "{ms} ms for {keys} keys: {doc}");
    assert!(keys * 1000 / ms <= 11_000, "{ms} ms for {keys} keys: {doc}");
    // Generous: unthrottled, this move takes well under a second.
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_repaired(&cluster, &before);

    // Text mode says so in the plan and the summary; the bytes limit paces too.
    let out = reshard(
        &cluster,
        &[
            "--from",
            &id(&cluster, 0),
            "--to",
            &id(&cluster, 1),
            "--slots",
            "500",
            "--max-keys-per-sec",
            "20000",
            "--max-bytes-per-sec",
            "10MB",
            "--yes",
        ],
    );
    out.assert_success();
    let text = all_text(&out);
    assert!(
        text.contains("Throttled to 20000 keys/s and 10 MB/s over all parallel batches."),
        "{text}"
    );
    assert!(
        text.contains("Throttled to 20000 keys/s and 10 MB/s: batches waited"),
        "{text}"
    );
    assert_repaired(&cluster, &before);

    // Refusals name the option; nothing moves.
    for (flag, value) in [
        ("--max-keys-per-sec", "-5"),
        ("--max-keys-per-sec", "fast"),
        ("--max-bytes-per-sec", "10XB"),
    ] {
        let out = reshard(
            &cluster,
            &[
                "--from",
                "all",
                "--to",
                &id(&cluster, 0),
                "--slots",
                "10",
                flag,
                value,
                "--yes",
            ],
        );
        assert_eq!(out.code, 2, "{flag} {value}: {}", all_text(&out));
        assert!(all_text(&out).contains(flag), "{}", all_text(&out));
    }
    let out = reshard(
        &cluster,
        &[
            "--from",
            "all",
            "--to",
            &id(&cluster, 0),
            "--slots",
            "10",
            "--max-keys-per-sec",
            "1000",
            "--engine",
            "atomic",
            "--yes",
        ],
    );
    assert_eq!(out.code, 2, "{}", all_text(&out));
    assert!(
        all_text(&out).contains("cannot be throttled"),
        "{}",
        all_text(&out)
    );
    assert_repaired(&cluster, &before);
}
