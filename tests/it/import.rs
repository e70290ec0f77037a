//! `import` against real redis-server processes: a standalone source (cluster-enabled no) is
//! copied or moved into a 3-master cluster. Values of every type (strings, integers, big
//! strings, hashes, lists, sets, sorted sets, some keys with a TTL) must arrive byte for byte
//! (DUMP compared key by key on the master owning the slot), the source must be untouched with
//! --copy and empty without it, collisions must be settled (identical taken over, different
//! left on the source and named, overwritten with --replace), refusals must move nothing, and
//! both the source's and the cluster's credentials must be honoured (MIGRATE carries AUTH).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use crate::common::{
    KeyValue, KeyValues, Node, NodeOpts, RunOutput, Spawned, TestCluster, all_text, auth_args,
    conn_in, digest, digest_nodes, json, key_slot, key_values, owner_of, read_key_values,
    redis_cli_available, run, signal, wait_until_timeout,
};
use serde_json::Value;

/// Keys of the two big imports.
const BIG: usize = 50_000;
/// TTL given to one key in [`TTL_EVERY`] (long enough never to expire during a test).
const TTL_MS: i64 = 3_600_000;
/// One key in this many has a TTL.
const TTL_EVERY: usize = 7;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A standalone redis-server (cluster-enabled no) on a harness port, killed on drop.
fn standalone(opts: NodeOpts) -> Node {
    Node::start(&opts.cluster(false))
}

/// `rcluster [cluster auth] import <node 0> --from <source> <extra...>`.
fn import(cluster: &TestCluster, source: &str, extra: &[&str]) -> RunOutput {
    let mut argv = auth_args(cluster.opts());
    argv.extend([
        "import".to_string(),
        cluster.addr(0),
        "--from".to_string(),
        source.to_string(),
    ]);
    argv.extend(extra.iter().map(|s| s.to_string()));
    run(argv)
}

/// DBSIZE of database `db` of `node`.
fn dbsize(node: &Node, db: u32) -> u64 {
    redis::cmd("DBSIZE")
        .query(&mut conn_in(node, db))
        .expect("DBSIZE")
}

/// Name of key `i` of a load: one in 11 carries a hash tag (several keys per slot).
fn key_name(prefix: &str, i: usize) -> String {
    if i.is_multiple_of(11) {
        format!("{prefix}:{{tag{}}}:{i}", i % 13)
    } else {
        format!("{prefix}:{i}")
    }
}

/// What a load writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mix {
    /// Every type, with hashtable-encoded sets (string members) and hashes (2000 fields).
    All,
    /// Every type, but sets are intsets and hashes small listpacks: encodings whose DUMP
    /// payload does not depend on the server. (A hashtable's DUMP lists its members in the
    /// order of the server's randomly seeded hash table, so the same set has different DUMP
    /// payloads on two servers; rcluster then compares sorted members, which
    /// `identical_hashtable_sets_and_hashes_are_not_conflicts` tests.)
    Deterministic,
}

/// Writes `n` keys of mixed types into database `db` of `node` (pipelined): strings (one in
/// two an integer, a few of 100 kB), hashes (with [`Mix::All`] a few of 2000 fields), lists,
/// sets (intsets, and with [`Mix::All`] sets of strings) and sorted sets; one key in
/// [`TTL_EVERY`] gets a one-hour TTL. Returns the names.
fn load_source(node: &Node, db: u32, prefix: &str, n: usize, mix: Mix) -> Vec<String> {
    let mut conn = conn_in(node, db);
    let mut names = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut pipe = redis::pipe();
        for &i in chunk {
            let key = key_name(prefix, i);
            match i % 5 {
                0 if i % 10_000 == 5 => {
                    pipe.cmd("SET").arg(&key).arg("b".repeat(100_000)).ignore();
                }
                0 if i % 10 == 0 => {
                    pipe.cmd("SET").arg(&key).arg(i).ignore();
                }
                0 => {
                    let value = format!("s-{i}-{}", "x".repeat(i % 40));
                    pipe.cmd("SET").arg(&key).arg(value).ignore();
                }
                1 if i % 10_000 == 1 && mix == Mix::All => {
                    let cmd = pipe.cmd("HSET").arg(&key);
                    for f in 0..2000 {
                        cmd.arg(format!("field-{f}")).arg(f);
                    }
                    cmd.ignore();
                }
                1 => {
                    pipe.cmd("HSET")
                        .arg(&key)
                        .arg("f1")
                        .arg(format!("a{i}"))
                        .arg("f2")
                        .arg("b")
                        .arg("n")
                        .arg(i)
                        .ignore();
                }
                2 => {
                    pipe.cmd("RPUSH")
                        .arg(&key)
                        .arg("x")
                        .arg("y")
                        .arg(format!("z{i}"))
                        .ignore();
                }
                3 if i % 10 == 8 || mix == Mix::Deterministic => {
                    pipe.cmd("SADD").arg(&key).arg(1).arg(2).arg(i).ignore();
                }
                3 => {
                    pipe.cmd("SADD")
                        .arg(&key)
                        .arg("m1")
                        .arg("m2")
                        .arg(format!("m{i}"))
                        .ignore();
                }
                _ => {
                    pipe.cmd("ZADD")
                        .arg(&key)
                        .arg(1)
                        .arg("a")
                        .arg(2.5)
                        .arg("b")
                        .arg(i)
                        .arg(format!("m{i}"))
                        .ignore();
                }
            }
            if i.is_multiple_of(TTL_EVERY) {
                pipe.cmd("PEXPIRE").arg(&key).arg(TTL_MS).ignore();
            }
            names.push(key);
        }
        pipe.query::<()>(&mut conn)
            .unwrap_or_else(|e| panic!("loading {} failed: {e}", node.addr()));
    }
    assert_eq!(dbsize(node, db), n as u64, "keys loaded into db{db}");
    names
}

/// [`KeyValues`] of every key of database `db` of `node`.
fn snapshot_db(node: &Node, db: u32) -> KeyValues {
    key_values(&mut conn_in(node, db))
}

/// Each of `keys` read from the master that owns its slot.
fn cluster_values<'a>(
    cluster: &TestCluster,
    keys: impl IntoIterator<Item = &'a Vec<u8>>,
) -> BTreeMap<Vec<u8>, Option<(KeyValue, i64)>> {
    let owners = cluster.slot_owners();
    let mut per_master: HashMap<usize, Vec<Vec<u8>>> = HashMap::new();
    for key in keys {
        let owner = owners[usize::from(key_slot(key))].expect("every slot is served");
        per_master.entry(owner).or_default().push(key.clone());
    }
    let mut out = BTreeMap::new();
    for (m, keys) in per_master {
        let mut conn = cluster.node(m).conn();
        for chunk in keys.chunks(1000) {
            for (key, value) in chunk.iter().zip(read_key_values(&mut conn, chunk)) {
                out.insert(key.clone(), value);
            }
        }
    }
    out
}

/// Every key of `expected` is on the master owning its slot with the same value (same DUMP
/// payload; for hashtables, whose payload order depends on the server, same members), with a
/// TTL (at most the one set) exactly when it had one; the cluster holds `total` keys in all,
/// none of them on two masters.
fn assert_cluster_holds(cluster: &TestCluster, expected: &KeyValues, total: u64) {
    let found = cluster_values(cluster, expected.keys());
    let mut missing = Vec::new();
    let mut different = Vec::new();
    let mut bad_ttl = Vec::new();
    for (key, want) in expected {
        let name = String::from_utf8_lossy(key).into_owned();
        match &found[key] {
            None => missing.push(name),
            Some((got, _)) if !got.same_value(want) => different.push(name),
            Some((_, pttl)) if want.ttl && !(*pttl > 0 && *pttl <= TTL_MS) => {
                bad_ttl.push(format!("{name} (PTTL {pttl})"))
            }
            Some((_, pttl)) if !want.ttl && *pttl != -1 => {
                bad_ttl.push(format!("{name} (PTTL {pttl})"))
            }
            _ => {}
        }
    }
    let show = |v: &[String]| v.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
    assert!(
        missing.is_empty(),
        "{} key(s) missing at their slot's owner: {}",
        missing.len(),
        show(&missing)
    );
    assert!(
        different.is_empty(),
        "{} key(s) with another value in the cluster: {}",
        different.len(),
        show(&different)
    );
    assert!(
        bad_ttl.is_empty(),
        "{} key(s) with a wrong TTL in the cluster: {}",
        bad_ttl.len(),
        show(&bad_ttl)
    );
    let d = digest(cluster);
    assert!(
        d.duplicates.is_empty(),
        "keys on two masters: {:?}",
        d.duplicates
    );
    assert_eq!(d.keys, total, "keys in the cluster");
}

/// After a copying import (`copy_flag` names how it was asked for): the source's db0 is still
/// `expected`, and [`assert_cluster_holds`] `expected` among `total` keys.
fn assert_copied(
    cluster: &TestCluster,
    source: &Node,
    expected: &KeyValues,
    total: u64,
    copy_flag: &str,
) {
    assert!(
        snapshot_db(source, 0) == *expected,
        "{copy_flag} changed the source"
    );
    assert_cluster_holds(cluster, expected, total);
}

/// No open slot, `rcluster check` and `redis-cli --cluster check` both clean.
fn assert_checks_pass(cluster: &TestCluster) {
    cluster.wait_cluster_ok();
    let mut argv = auth_args(cluster.opts());
    argv.extend(["check".to_string(), cluster.addr(0)]);
    let check = run(&argv);
    assert!(check.success(), "rcluster check failed:\n{check}");
    if redis_cli_available() {
        let oracle = cluster.redis_cli_check(0);
        assert!(
            oracle.success()
                && oracle.stdout.contains("[OK] All 16384 slots covered.")
                && !oracle.stdout.contains("[ERR]")
                && !oracle.stdout.contains("[WARNING]"),
            "redis-cli --cluster check not clean:\n{oracle}"
        );
    }
}

/// The `report` object of an import's JSON, with the counters every finished import has.
fn report(doc: &Value) -> &Value {
    let report = &doc["report"];
    for field in [
        "scanned",
        "imported",
        "identical",
        "conflicts",
        "failed",
        "seconds",
    ] {
        assert!(
            report[field].is_number(),
            "report.{field} missing:\n{doc:#}"
        );
    }
    report
}

/// Asserts a JSON import document describes a complete import of `n` keys.
fn assert_complete(doc: &Value, n: u64, copy: bool, left: u64) {
    let r = report(doc);
    assert_eq!(doc["keys_on_source"], n, "{doc:#}");
    assert_eq!(doc["copy"], copy, "{doc:#}");
    assert_eq!(doc["dry_run"], false, "{doc:#}");
    // SCAN may return a key twice while the source's table is resized (moving keys away
    // shrinks it); such a key is counted twice.
    let imported = r["imported"].as_u64().unwrap();
    assert!(imported >= n, "{doc:#}");
    assert!(r["scanned"].as_u64().unwrap() >= imported, "{doc:#}");
    assert_eq!(r["conflicts"], 0, "{doc:#}");
    assert_eq!(r["failed"], 0, "{doc:#}");
    assert_eq!(r["interrupted"], false, "{doc:#}");
    assert_eq!(r["errors"].as_array().map(Vec::len), Some(0), "{doc:#}");
    assert!(doc["keys_per_second"].as_f64().unwrap() > 0.0, "{doc:#}");
    assert_eq!(doc["left_on_source"], left, "{doc:#}");
    assert_eq!(doc["masters"].as_array().map(Vec::len), Some(3), "{doc:#}");
}

/// The cluster holds no key at all, and the source `snapshot` is still all there.
fn assert_nothing_moved(cluster: &TestCluster, source: &Node, db: u32, before: &KeyValues) {
    assert_eq!(cluster.total_keys(), 0, "keys reached the cluster");
    assert!(
        snapshot_db(source, db) == *before,
        "the source's db{db} changed"
    );
}

/// Keys of a snapshot, as strings.
fn names(snapshot: &KeyValues) -> BTreeSet<String> {
    snapshot
        .keys()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// Writes `key` into the cluster (on its slot's owner) with the value and TTL presence of
/// `entry`: RESTORE of the source's DUMP payload.
fn preset_identical(cluster: &TestCluster, key: &str, entry: &KeyValue) {
    let mut conn = cluster.node(owner_of(cluster, key_slot(key))).conn();
    redis::cmd("RESTORE")
        .arg(key)
        .arg(if entry.ttl { TTL_MS } else { 0 })
        .arg(entry.dump.as_slice())
        .query::<()>(&mut conn)
        .expect("RESTORE");
}

// ---------------------------------------------------------------------------------------------
// (a), (b): big imports
// ---------------------------------------------------------------------------------------------

#[test]
fn copy_of_50k_mixed_keys_leaves_the_source_unchanged() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "copy", BIG, Mix::All);
    let before = snapshot_db(&source, 0);
    let before_digest = digest_nodes(&[&source]);
    assert_eq!(before.len(), BIG);
    assert!(before.values().filter(|e| e.ttl).count() >= BIG / TTL_EVERY);

    let out = import(&cluster, &source.addr(), &["--copy", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, BIG as u64, true, BIG as u64);
    assert_eq!(doc["source"], source.addr(), "{doc:#}");
    assert_eq!(doc["db"], 0, "{doc:#}");
    assert_eq!(doc["replace"], false, "{doc:#}");

    // The source is exactly as before: same DBSIZE, same DUMP digest, same TTL keys.
    assert_eq!(dbsize(&source, 0), BIG as u64, "source DBSIZE after --copy");
    assert_eq!(digest_nodes(&[&source]), before_digest, "source digest");
    assert!(
        snapshot_db(&source, 0) == before,
        "source keys/TTLs changed"
    );

    // Every key at its slot's owner with the same value and TTL presence.
    assert_cluster_holds(&cluster, &before, BIG as u64);
    assert_checks_pass(&cluster);
}

#[test]
fn move_of_50k_mixed_keys_empties_the_source() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "move", BIG, Mix::All);
    let before = snapshot_db(&source, 0);

    let out = import(&cluster, &source.addr(), &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, BIG as u64, false, 0);

    assert_eq!(dbsize(&source, 0), 0, "source DBSIZE after a move");
    assert_cluster_holds(&cluster, &before, BIG as u64);
    assert_checks_pass(&cluster);

    // A second run finds nothing to do.
    let again = import(&cluster, &source.addr(), &[]);
    again.assert_success();
    assert_eq!(cluster.total_keys(), BIG as u64);
}

/// Ctrl-C during an import: the batches in flight finish, the command exits 130, and every
/// key is in exactly one place (the source or the cluster) with its value; running import
/// again moves the rest.
#[test]
fn interrupted_import_loses_no_key_and_resumes() {
    const N: usize = 200_000;
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    let mut conn = source.conn();
    for chunk in (0..N).collect::<Vec<_>>().chunks(10_000) {
        let mut pipe = redis::pipe();
        for i in chunk {
            pipe.cmd("SET").arg(format!("int:{i}")).arg(i).ignore();
        }
        pipe.query::<()>(&mut conn).expect("load the source");
    }
    let before = snapshot_db(&source, 0);

    // Small batches and one worker so that the import takes a while.
    let argv: Vec<String> = [
        "import",
        &cluster.addr(0),
        "--from",
        &source.addr(),
        "--pipeline",
        "10",
        "--parallel",
        "1",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let child = Spawned::start(&argv);
    wait_until_timeout(
        "keys to arrive in the cluster",
        Duration::from_secs(30),
        || cluster.total_keys() > 0,
    );
    signal(child.pid(), "INT");
    let out = child.wait(Duration::from_secs(30));
    out.assert_code(130);
    assert_eq!(report(&json(&out))["interrupted"], true, "{out}");
    let moved = cluster.total_keys();
    let left = dbsize(&source, 0);
    assert!(
        moved > 0 && left > 0,
        "a partial import: {moved} moved, {left} left"
    );
    assert_eq!(moved + left, N as u64, "keys lost or duplicated");

    import(&cluster, &source.addr(), &[]).assert_success();
    assert_eq!(dbsize(&source, 0), 0);
    assert_cluster_holds(&cluster, &before, N as u64);
}

// ---------------------------------------------------------------------------------------------
// (c): collisions
// ---------------------------------------------------------------------------------------------

#[test]
fn collisions_identical_taken_over_different_reported_then_replaced() {
    const N: usize = 3000;
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    let keys = load_source(&source, 0, "coll", N, Mix::All);
    let before = snapshot_db(&source, 0);

    // 15 keys of every type (no hashtable: see the ignored test below) pre-set in the cluster
    // with the source's value and TTL, 12 with a value of their own.
    let identical: Vec<&String> = keys
        .iter()
        .filter(|k| before[k.as_bytes()].encoding != "hashtable")
        .step_by(150)
        .take(15)
        .collect();
    let different: Vec<&String> = keys.iter().skip(50).step_by(233).take(12).collect();
    assert_eq!((identical.len(), different.len()), (15, 12));
    assert!(identical.iter().all(|k| !different.contains(k)));
    for key in &identical {
        preset_identical(&cluster, key, &before[key.as_bytes()]);
    }
    for key in &different {
        cluster.node(owner_of(&cluster, key_slot(key))).cmd(&[
            "SET",
            key,
            &format!("cluster-own-{key}"),
        ]);
    }
    let different_keys: Vec<Vec<u8>> = different.iter().map(|k| k.as_bytes().to_vec()).collect();
    let cluster_own: KeyValues = cluster_values(&cluster, &different_keys)
        .into_iter()
        .map(|(k, v)| (k, v.expect("pre-set in the cluster").0))
        .collect();

    // Text run: exit 1, the 12 conflicting keys named.
    let out = import(&cluster, &source.addr(), &[]);
    out.assert_code(1);
    let text = all_text(&out);
    assert!(
        text.contains("12 key(s) exist in the cluster with a different value"),
        "no conflict count:\n{out}"
    );
    assert!(
        text.contains("15 key(s) met a key of the same name in the cluster, with an identical"),
        "identical keys not counted:\n{out}"
    );
    let listed: BTreeSet<String> = text
        .lines()
        .find_map(|l| l.split_once("were left on the source: "))
        .and_then(|(_, rest)| rest.split_once(". Rerun"))
        .map(|(list, _)| list.split(", ").map(String::from).collect())
        .unwrap_or_else(|| panic!("no list of conflicting keys:\n{out}"));
    let want_left: BTreeSet<String> = different.iter().map(|k| k.to_string()).collect();
    assert_eq!(listed, want_left, "keys named as conflicts:\n{out}");

    // The different ones stay on the source with their value; the cluster keeps its own.
    let left = snapshot_db(&source, 0);
    assert_eq!(names(&left), want_left, "keys left on the source");
    for (key, value) in &left {
        assert_eq!(Some(value), before.get(key), "source value changed");
    }
    // Everything else (identical ones included) is in the cluster with the source's value.
    let moved: KeyValues = before
        .iter()
        .filter(|(k, _)| !left.contains_key(*k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(moved.len(), N - 12);
    assert_cluster_holds(&cluster, &moved, N as u64);
    let now = cluster_values(&cluster, &different_keys);
    for (key, own) in &cluster_own {
        assert!(
            now[key].as_ref().is_some_and(|(e, _)| e == own),
            "the cluster's own value of {} changed",
            String::from_utf8_lossy(key)
        );
    }

    // A JSON run on what is left: the same 12 conflicts, all named, nothing else to do.
    let out = import(&cluster, &source.addr(), &["--json"]);
    out.assert_code(1);
    let doc = json(&out);
    let r = report(&doc);
    assert_eq!(doc["keys_on_source"], 12, "{doc:#}");
    assert_eq!(r["conflicts"], 12, "{doc:#}");
    assert_eq!(r["imported"], 0, "{doc:#}");
    assert_eq!(r["failed"], 0, "{doc:#}");
    assert_eq!(doc["left_on_source"], 12, "{doc:#}");
    let named: BTreeSet<String> = r["conflict_keys"]
        .as_array()
        .expect("conflict_keys")
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(named, want_left, "{doc:#}");
    assert_eq!(
        snapshot_db(&source, 0),
        left,
        "source changed by the second run"
    );

    // --replace: the source's values win, the source ends empty.
    let out = import(&cluster, &source.addr(), &["--replace", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 12, false, 0);
    assert_eq!(doc["replace"], true, "{doc:#}");
    assert_eq!(dbsize(&source, 0), 0, "source after --replace");
    assert_cluster_holds(&cluster, &before, N as u64);
    assert_checks_pass(&cluster);
}

#[test]
fn collisions_with_copy_keep_the_source_and_count_identical_keys() {
    const N: usize = 2000;
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    let keys = load_source(&source, 0, "ccopy", N, Mix::Deterministic);
    let before = snapshot_db(&source, 0);
    let identical: Vec<&String> = keys.iter().step_by(101).take(10).collect();
    for key in &identical {
        preset_identical(&cluster, key, &before[key.as_bytes()]);
    }
    let different = &keys[7];
    cluster
        .node(owner_of(&cluster, key_slot(different)))
        .cmd(&["SET", different, "theirs"]);

    let out = import(&cluster, &source.addr(), &["--copy", "--json"]);
    out.assert_code(1);
    let doc = json(&out);
    let r = report(&doc);
    assert_eq!(r["conflicts"], 1, "{doc:#}");
    assert_eq!(
        r["conflict_keys"],
        serde_json::json!([different]),
        "{doc:#}"
    );
    assert_eq!(r["imported"], (N - 1) as u64, "{doc:#}");
    assert!(r["identical"].as_u64().unwrap() >= 10, "{doc:#}");
    assert_eq!(doc["left_on_source"], N as u64, "{doc:#}");
    assert!(
        snapshot_db(&source, 0) == before,
        "--copy changed the source"
    );
    let mut expected = before.clone();
    expected.remove(different.as_bytes());
    assert_cluster_holds(&cluster, &expected, N as u64);
    assert_eq!(
        cluster
            .node(owner_of(&cluster, key_slot(different)))
            .cmd_str(&["GET", different]),
        "theirs"
    );

    let out = import(&cluster, &source.addr(), &["--copy", "--replace"]);
    out.assert_success();
    assert_copied(&cluster, &source, &before, N as u64, "--copy");

    // Copying the same data again: every key collides with an identical one.
    let out = import(&cluster, &source.addr(), &["--copy", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, N as u64, true, N as u64);
    assert_eq!(report(&doc)["identical"], N as u64, "{doc:#}");
    assert_cluster_holds(&cluster, &before, N as u64);
}

/// A hashtable-encoded set or hash serialises its members in hash-table order, which depends
/// on the server's random hash seed, so the same set has another DUMP payload in the cluster.
/// A second `import --copy` of unchanged data must still count such keys as identical (it
/// once reported them as conflicts: rcluster now compares their sorted members).
#[test]
fn identical_hashtable_sets_and_hashes_are_not_conflicts() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    for i in 0..20 {
        let mut sadd = vec!["SADD".to_string(), format!("set:{i}")];
        sadd.extend((0..20).map(|m| format!("member-{m}")));
        source.cmd(&sadd);
        let mut hset = vec!["HSET".to_string(), format!("hash:{i}")];
        for f in 0..600 {
            hset.extend([format!("field-{f}"), f.to_string()]);
        }
        source.cmd(&hset);
    }
    let before = snapshot_db(&source, 0);
    assert!(before.values().all(|e| e.encoding == "hashtable"));

    import(&cluster, &source.addr(), &["--copy"]).assert_success();
    assert_cluster_holds(&cluster, &before, 40);

    // Nothing changed on either side: every key is identical.
    let out = import(&cluster, &source.addr(), &["--copy", "--json"]);
    let doc = json(&out);
    assert_eq!(report(&doc)["conflicts"], 0, "{doc:#}");
    assert_eq!(report(&doc)["identical"], 40, "{doc:#}");
    out.assert_success();
}

// ---------------------------------------------------------------------------------------------
// (d): refusals, --from-db, dry run
// ---------------------------------------------------------------------------------------------

#[test]
fn a_cluster_node_as_source_is_refused() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let other = TestCluster::start(1, 0, NodeOpts::new());
    // Its only master serves every slot (populate cannot be used: a lone node does not know
    // its own address in CLUSTER NODES).
    for i in 0..200 {
        other.node(0).cmd(&["SET", &format!("other:{i}"), "x"]);
    }
    let other_before = digest(&other);
    assert_eq!(other_before.keys, 200);

    // A node of another cluster.
    let out = import(&cluster, &other.addr(0), &[]);
    out.assert_code(1);
    assert!(
        all_text(&out).contains("The source node should not be a cluster node"),
        "{out}"
    );
    assert_eq!(cluster.total_keys(), 0, "keys reached the cluster");
    assert_eq!(digest(&other), other_before, "the other cluster changed");

    // A node of the cluster itself.
    cluster.populate(300, "own");
    let own_before = digest(&cluster);
    for i in [0, 2] {
        let out = import(&cluster, &cluster.addr(i), &["--json"]);
        out.assert_code(1);
        let doc = json(&out);
        assert_eq!(doc["exit_code"], 1, "{doc:#}");
        assert_eq!(digest(&cluster), own_before, "the cluster's data changed");
    }
    // --dry-run refuses the same way.
    let out = import(&cluster, &other.addr(0), &["--dry-run"]);
    out.assert_code(1);
    assert_eq!(digest(&other), other_before, "the other cluster changed");
    assert_checks_pass(&cluster);
}

#[test]
fn keys_outside_db0_are_refused_unless_from_db_names_the_database() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "zero", 500, Mix::All);
    load_source(&source, 3, "three", 300, Mix::All);
    let db0 = snapshot_db(&source, 0);
    let db3 = snapshot_db(&source, 3);

    for extra in [&[][..], &["--copy"][..], &["--json"][..]] {
        let out = import(&cluster, &source.addr(), extra);
        out.assert_code(1);
        let text = all_text(&out);
        assert!(text.contains("db3"), "db3 not named:\n{out}");
        assert!(!text.contains("db0"), "db0 named:\n{out}");
        assert!(text.contains("--from-db"), "no hint:\n{out}");
        assert_nothing_moved(&cluster, &source, 0, &db0);
        assert_nothing_moved(&cluster, &source, 3, &db3);
    }

    // --from-db 3: the db3 keys (and only they) arrive; db0 is untouched.
    let out = import(&cluster, &source.addr(), &["--from-db", "3", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["db"], 3, "{doc:#}");
    assert_complete(&doc, 300, false, 0);
    assert_eq!(dbsize(&source, 3), 0, "db3 after the move");
    assert!(snapshot_db(&source, 0) == db0, "db0 changed");
    assert_cluster_holds(&cluster, &db3, 300);

    // db0 is importable now that no other database holds keys.
    let out = import(&cluster, &source.addr(), &["--copy"]);
    out.assert_success();
    let mut all = db0.clone();
    all.extend(db3.clone());
    assert_cluster_holds(&cluster, &all, 800);
    assert_checks_pass(&cluster);
}

#[test]
fn bad_from_dry_run_and_unhealthy_cluster_move_nothing() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "dry", 1000, Mix::All);
    let before = snapshot_db(&source, 0);

    // Malformed --from: usage error, nothing contacted.
    for bad in [
        "nonsense",
        "127.0.0.1",
        "127.0.0.1:notaport",
        "127.0.0.1:99999",
        "",
    ] {
        let out = import(&cluster, bad, &[]);
        out.assert_code(2);
        assert!(all_text(&out).contains("--from"), "{out}");
    }
    // No --from at all.
    let out = run(["import", &cluster.addr(0)]);
    out.assert_code(2);
    // Bad numbers.
    for extra in [
        &["--pipeline", "0"][..],
        &["--parallel", "0"][..],
        &["--timeout", "0"][..],
        &["--from-db", "x"][..],
    ] {
        import(&cluster, &source.addr(), extra).assert_code(2);
    }
    // Nobody listens there: a failure, not a usage error.
    let out = import(&cluster, "127.0.0.1:1", &[]);
    out.assert_code(1);
    assert_nothing_moved(&cluster, &source, 0, &before);

    // Dry run: counts the keys, moves nothing.
    let out = import(&cluster, &source.addr(), &["--dry-run", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["dry_run"], true, "{doc:#}");
    assert_eq!(doc["keys_on_source"], 1000, "{doc:#}");
    assert!(doc["report"].is_null(), "{doc:#}");
    let out = import(&cluster, &source.addr(), &["--dry-run"]);
    out.assert_success();
    assert!(out.stdout.contains("1000 keys"), "{out}");
    assert_nothing_moved(&cluster, &source, 0, &before);

    // A cluster that fails its check (an open slot) is refused.
    let owner = owner_of(&cluster, key_slot("anything"));
    let slot = key_slot("anything").to_string();
    let target = cluster.node((owner + 1) % 3).id().to_string();
    cluster
        .node(owner)
        .cmd(&["CLUSTER", "SETSLOT", &slot, "MIGRATING", &target]);
    let out = import(&cluster, &source.addr(), &[]);
    out.assert_code(1);
    assert!(all_text(&out).contains("fix your cluster"), "{out}");
    assert_nothing_moved(&cluster, &source, 0, &before);
    cluster
        .node(owner)
        .cmd(&["CLUSTER", "SETSLOT", &slot, "STABLE"]);

    // Healthy again: the import goes through.
    import(&cluster, &source.addr(), &[]).assert_success();
    assert_cluster_holds(&cluster, &before, 1000);
    assert_eq!(dbsize(&source, 0), 0);
}

// ---------------------------------------------------------------------------------------------
// (e): credentials
// ---------------------------------------------------------------------------------------------

#[test]
fn source_with_a_password_needs_from_pass() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new().password("source-secret"));
    load_source(&source, 0, "spw", 2000, Mix::All);
    let before = snapshot_db(&source, 0);

    // No password, or a wrong one.
    for extra in [
        &[][..],
        &["--from-pass", "wrong"][..],
        &["--from-user", "default", "--from-pass", "wrong"][..],
    ] {
        let out = import(&cluster, &source.addr(), extra);
        out.assert_code(1);
        assert_nothing_moved(&cluster, &source, 0, &before);
    }

    let out = import(
        &cluster,
        &source.addr(),
        &["--from-pass", "source-secret", "--json"],
    );
    out.assert_success();
    assert_complete(&json(&out), 2000, false, 0);
    assert_eq!(dbsize(&source, 0), 0);
    assert_cluster_holds(&cluster, &before, 2000);
}

#[test]
fn source_acl_user_with_cluster_spellings() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new().acl_user("importer", "imp-pass"));
    load_source(&source, 0, "sacl", 1500, Mix::All);
    let before = snapshot_db(&source, 0);

    let out = run([
        "import",
        &cluster.addr(0),
        "--cluster-from",
        &source.addr(),
        "--cluster-from-user",
        "importer",
        "--cluster-from-pass",
        "imp-pass",
        "--cluster-copy",
    ]);
    out.assert_success();
    assert_copied(&cluster, &source, &before, 1500, "--cluster-copy");

    // --from-user without a password is a usage error.
    let out = import(&cluster, &source.addr(), &["--from-user", "importer"]);
    out.assert_code(2);
}

/// Imports 3000 keys from a source without a password into a cluster started with `opts`
/// (password or ACL user): MIGRATE must authenticate to the masters.
fn import_into_protected_cluster(opts: NodeOpts) {
    let cluster = TestCluster::start(3, 0, opts);
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "cpw", 3000, Mix::All);
    let before = snapshot_db(&source, 0);

    // Without the cluster's credentials nothing happens.
    let out = run(["import", &cluster.addr(0), "--from", &source.addr()]);
    out.assert_code(1);
    assert_nothing_moved(&cluster, &source, 0, &before);

    let out = import(&cluster, &source.addr(), &["--json"]);
    out.assert_success();
    assert_complete(&json(&out), 3000, false, 0);
    assert_eq!(dbsize(&source, 0), 0);
    assert_cluster_holds(&cluster, &before, 3000);
    assert_checks_pass(&cluster);
}

#[test]
fn cluster_with_a_password_gets_migrate_with_auth() {
    import_into_protected_cluster(NodeOpts::new().password("cluster-secret"));
}

#[test]
fn cluster_with_an_acl_user_gets_migrate_with_auth2() {
    import_into_protected_cluster(NodeOpts::new().acl_user("admin", "admin-secret"));
}

#[test]
fn both_sides_protected_with_different_passwords() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new().password("cluster-secret"));
    let source = standalone(NodeOpts::new().password("source-secret"));
    load_source(&source, 0, "both", 1000, Mix::All);
    let before = snapshot_db(&source, 0);
    let out = import(
        &cluster,
        &source.addr(),
        &["--from-pass", "source-secret", "--copy"],
    );
    out.assert_success();
    assert_copied(&cluster, &source, &before, 1000, "--copy");
}

// ---------------------------------------------------------------------------------------------
// (f): redis-cli spellings
// ---------------------------------------------------------------------------------------------

#[test]
fn redis_cli_cluster_spellings_are_accepted() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let source = standalone(NodeOpts::new());
    load_source(&source, 0, "spell", 1000, Mix::All);
    let before = snapshot_db(&source, 0);

    let out = run([
        "import",
        &cluster.addr(0),
        "--cluster-from",
        &source.addr(),
        "--cluster-copy",
        "--json",
    ]);
    out.assert_success();
    let doc = json(&out);
    assert_complete(&doc, 1000, true, 1000);
    assert_copied(&cluster, &source, &before, 1000, "--cluster-copy");

    // Change one key on the source: --cluster-replace overwrites the cluster's copy.
    let key = key_name("spell", 1);
    source.cmd(&["HSET", &key, "f1", "changed"]);
    let changed = snapshot_db(&source, 0);
    let out = run([
        "import",
        &cluster.addr(0),
        "--cluster-from",
        &source.addr(),
        "--cluster-copy",
        "--cluster-replace",
        "--cluster-pipeline",
        "7",
        "--cluster-timeout",
        "5000",
    ]);
    out.assert_success();
    assert_copied(&cluster, &source, &changed, 1000, "--cluster-copy");
    assert_checks_pass(&cluster);
}
