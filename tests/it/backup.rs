//! `backup` and `restore` against real redis-server (or valkey-server) clusters.
//!
//! A backup must hold exactly one RDB per slot-serving master, named after the master's id,
//! each starting with the RDB magic of its server (`REDIS`, or `VALKEY` from Valkey 9 on) and
//! matching the size, SHA-256 and server of manifest.json, with no temporary file left behind,
//! plus a nodes.json listing the topology. Every RDB must load in a fresh standalone
//! `redis-server --dbfilename <file>` and hold exactly the keys and values its master held at
//! backup time. Restore reads each file with a server of the kind that wrote it, at least as
//! new: found on PATH, or `--server`; without one it refuses before changing anything.
//!
//! A restore into an empty cluster (same shape or another number of masters) must give back
//! the same data, leave both `rcluster check` and `redis-cli --cluster check` clean, refuse a
//! damaged backup or one without a manifest before changing anything, and leave a key that
//! exists with a different value alone (named, exit 1) unless `--replace`.
//!
//! Values are compared key by key across servers with `crate::common::KeyValue`: the DUMP payload,
//! except for hashtable-encoded sets and hashes, whose DUMP order depends on each server's
//! random hash seed (so `crate::common::digest`, a hash of DUMP payloads, differs between two servers
//! holding the same sets); those are compared by their sorted members. `crate::common::digest` still
//! provides the key count and the check that no key is on two masters.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{
    KeyValues, Node, NodeOpts, RunOutput, SLOTS, Spawned, TestCluster, all_text, auth_args, digest,
    json, key_slot, key_values, load_keys, misplaced_keys, rcluster, redis_cli_available, run,
    run_command, server, signal, wait_until_timeout,
};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tempfile::TempDir;

/// Keys of the big mixed load.
const MIXED_KEYS: usize = 20_000;
/// Keys of the smaller loads.
const SMALL_KEYS: usize = 3_000;
/// TTL of the keys that get one (long enough never to expire during a test).
const TTL_MS: u64 = 3_600_000;
/// Keys per pipeline while loading.
const LOAD_BATCH: usize = 500;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// `rcluster [auth] backup <node 0> <dir> <extra...>`.
fn backup(cluster: &TestCluster, dir: &Path, extra: &[&str]) -> RunOutput {
    let mut argv = auth_args(cluster.opts());
    argv.extend(["backup".to_string(), cluster.addr(0), path_str(dir)]);
    argv.extend(extra.iter().map(|s| s.to_string()));
    run(argv)
}

/// `rcluster [auth] restore <node 0> <dir> --server <harness's> <extra...>`.
fn restore(cluster: &TestCluster, dir: &Path, extra: &[&str]) -> RunOutput {
    let mut argv = auth_args(cluster.opts());
    argv.extend([
        "restore".to_string(),
        cluster.addr(0),
        path_str(dir),
        "--server".to_string(),
        path_str(server().path()),
    ]);
    argv.extend(extra.iter().map(|s| s.to_string()));
    run(argv)
}

/// `rcluster restore <node 0> <dir> <extra...>` without `--server`, with PATH set to `path`
/// only: the scratch server must be found there.
fn restore_with_path(cluster: &TestCluster, dir: &Path, path: &Path, extra: &[&str]) -> RunOutput {
    let mut cmd = rcluster();
    cmd.env("PATH", path)
        .args(["restore", &cluster.addr(0), &path_str(dir)])
        .args(extra);
    run_command(cmd, None)
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("UTF-8 path").to_string()
}

/// Name of key `i`: one in 11 carries a hash tag (several keys per slot).
fn key_name(prefix: &str, i: usize) -> String {
    if i % 11 == 5 {
        format!("{prefix}:{{tag{}}}:{i}", i % 13)
    } else {
        format!("{prefix}:{i}")
    }
}

/// The string value key `i` gets (for `i % 10` in 0..=3).
fn string_value(i: usize) -> String {
    format!("v-{i}-{}", "x".repeat(i % 30))
}

/// What [`load_mixed`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mix {
    /// Every type, including hashtable-encoded sets and hashes.
    All,
    /// No hashtable-encoded set or hash (sets are intsets, hashes listpacks): every value
    /// has the same DUMP payload on any server, so a test that counts conflicts does not also
    /// depend on rcluster comparing hashtable-encoded values by their sorted members (which
    /// [`one_conflicting_key_is_the_only_conflict_reported`] tests).
    Deterministic,
}

/// Appends the command writing key `i` to `pipe`: strings (some with a TTL, some integers, a
/// few of 20 kB), small and big hashes, lists, sets (some intsets), sorted sets and streams.
fn push_key(pipe: &mut redis::Pipeline, key: &str, i: usize, mix: Mix) {
    match i % 10 {
        1 => {
            pipe.cmd("SET")
                .arg(key)
                .arg(string_value(i))
                .arg("PX")
                .arg(TTL_MS)
                .ignore();
        }
        0..=3 => {
            pipe.cmd("SET").arg(key).arg(string_value(i)).ignore();
        }
        4 => {
            pipe.cmd("SET").arg(key).arg(i).ignore();
        }
        5 => {
            pipe.cmd("HSET")
                .arg(key)
                .arg("f1")
                .arg(format!("a{i}"))
                .arg("f2")
                .arg("b")
                .arg("n")
                .arg(i)
                .ignore();
        }
        6 => {
            pipe.cmd("RPUSH").arg(key).arg("a").arg("b").arg(i).ignore();
        }
        7 if mix == Mix::Deterministic => {
            pipe.cmd("SADD").arg(key).arg(1).arg(2).arg(i).ignore();
        }
        7 => {
            pipe.cmd("SADD")
                .arg(key)
                .arg("x")
                .arg("y")
                .arg(format!("m{i}"))
                .ignore();
        }
        8 => {
            pipe.cmd("ZADD")
                .arg(key)
                .arg(1)
                .arg("a")
                .arg(2.5)
                .arg("b")
                .arg(i)
                .arg(format!("m{i}"))
                .ignore();
        }
        _ => match i % 100 {
            9 => {
                pipe.cmd("XADD")
                    .arg(key)
                    .arg("*")
                    .arg("f")
                    .arg(i)
                    .arg("g")
                    .arg("h")
                    .ignore();
            }
            19 => {
                let fields = if mix == Mix::All { 300 } else { 100 };
                let cmd = pipe.cmd("HSET").arg(key);
                for f in 0..fields {
                    cmd.arg(format!("field-{f}")).arg(f * i);
                }
                cmd.ignore();
            }
            29 => {
                let cmd = pipe.cmd("RPUSH").arg(key);
                for e in 0..600 {
                    cmd.arg(format!("element-{e}-{i}"));
                }
                cmd.ignore();
            }
            39 => {
                let cmd = pipe.cmd("ZADD").arg(key);
                for m in 0..200 {
                    cmd.arg(m).arg(format!("member-{m}"));
                }
                cmd.ignore();
            }
            49 => {
                let cmd = pipe.cmd("SADD").arg(key);
                for m in 0..300 {
                    cmd.arg(m * 7 + i);
                }
                cmd.ignore();
            }
            59 => {
                pipe.cmd("SET").arg(key).arg("z".repeat(20_000)).ignore();
            }
            _ => {
                pipe.cmd("SADD").arg(key).arg(i).arg(i + 1).ignore();
            }
        },
    }
}

/// Writes `n` keys of mixed types straight to each slot's owner (pipelined); returns how many
/// were written.
fn load_mixed(cluster: &TestCluster, n: usize, prefix: &str, mix: Mix) -> usize {
    let owners = cluster.slot_owners();
    let mut per_node: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let owner = owners[usize::from(key_slot(key_name(prefix, i)))]
            .unwrap_or_else(|| panic!("key {i} hashes to an unserved slot"));
        per_node.entry(owner).or_default().push(i);
    }
    std::thread::scope(|s| {
        for (&idx, indices) in &per_node {
            s.spawn(move || {
                let node = cluster.node(idx);
                let mut conn = node.conn();
                for chunk in indices.chunks(LOAD_BATCH) {
                    let mut pipe = redis::pipe();
                    for &i in chunk {
                        push_key(&mut pipe, &key_name(prefix, i), i, mix);
                    }
                    pipe.query::<()>(&mut conn)
                        .unwrap_or_else(|e| panic!("load on {}: {e}", node.addr()));
                }
            });
        }
    });
    n
}

/// The master (per the cluster's slot map) serving `key`.
fn owner<'a>(cluster: &'a TestCluster, key: &str) -> &'a Node {
    let idx = cluster.slot_owners()[usize::from(key_slot(key))]
        .unwrap_or_else(|| panic!("slot of {key} is not served"));
    cluster.node(idx)
}

/// GET `key` on the master serving it.
fn get(cluster: &TestCluster, key: &str) -> Option<String> {
    let value = owner(cluster, key).cmd(&["GET", key]);
    redis::from_redis_value::<Option<String>>(value).expect("GET reply")
}

/// PTTL of `key` on the master serving it.
fn pttl(cluster: &TestCluster, key: &str) -> i64 {
    let value = owner(cluster, key).cmd(&["PTTL", key]);
    redis::from_redis_value::<i64>(value).expect("PTTL reply")
}

/// DBSIZE of `node`.
fn dbsize(node: &Node) -> u64 {
    node.cmd_str(&["DBSIZE"]).parse().expect("DBSIZE")
}

/// [`KeyValues`] of every key on the masters of `cluster` (a key on two masters panics).
fn cluster_values(cluster: &TestCluster) -> KeyValues {
    let mut all = KeyValues::new();
    for m in cluster.live_masters() {
        for (key, value) in key_values(&mut cluster.node(m).conn()) {
            if all.insert(key.clone(), value).is_some() {
                panic!(
                    "key {} on more than one master",
                    String::from_utf8_lossy(&key)
                );
            }
        }
    }
    all
}

/// Panics naming a few keys when `got` and `want` differ (missing, extra, other value or TTL
/// presence).
fn assert_same_values(got: &KeyValues, want: &KeyValues, what: &str) {
    let show = |k: &Vec<u8>| String::from_utf8_lossy(k).into_owned();
    let first_keys_not_in = |keys: &KeyValues, other: &KeyValues| -> Vec<String> {
        keys.keys()
            .filter(|k| !other.contains_key(*k))
            .take(5)
            .map(show)
            .collect()
    };
    let missing = first_keys_not_in(want, got);
    let extra = first_keys_not_in(got, want);
    let differing: Vec<String> = want
        .iter()
        .filter(|(k, v)| {
            got.get(*k)
                .is_some_and(|g| !g.same_value(v) || g.ttl != v.ttl)
        })
        .take(5)
        .map(|(k, _)| show(k))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differing.is_empty(),
        "{what}: {} keys, expected {}; missing e.g. {missing:?}, unexpected e.g. {extra:?}, \
         other value or TTL e.g. {differing:?}",
        got.len(),
        want.len()
    );
}

/// After a restore into `target`: both checks pass, no key is on two masters, and the cluster
/// holds exactly `keys` keys with the values of `original` ([`assert_same_values`]).
fn assert_restored(target: &TestCluster, original: &KeyValues, keys: u64, what: &str) {
    assert_checks_pass(target);
    let restored = digest(target);
    assert!(restored.duplicates.is_empty(), "{restored:?}");
    assert_eq!(restored.keys, keys, "key count after restore");
    assert_same_values(&cluster_values(target), original, what);
}

/// SHA-256 of a file, lowercase hex (computed here, independently of rcluster).
fn sha256_hex(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Names of the entries of `dir`.
fn dir_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

/// Parses `dir/<name>` as JSON.
fn read_json(dir: &Path, name: &str) -> Value {
    let path = dir.join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Copies the plain files of `from` into a new directory `to`, leaving out `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    fs::create_dir_all(to).expect("create copy dir");
    for name in dir_names(from) {
        if !skip.contains(&name.as_str()) {
            fs::copy(from.join(&name), to.join(&name)).expect("copy backup file");
        }
    }
}

/// Slot ranges as the JSON documents write them: `[[start, end], ...]`.
fn ranges_json(cluster: &TestCluster, m: usize) -> Value {
    Value::Array(
        cluster
            .formed_slots(m)
            .iter()
            .map(|r| serde_json::json!([r.start(), r.end()]))
            .collect(),
    )
}

/// Number of slots master `m` was formed with.
fn slot_count(cluster: &TestCluster, m: usize) -> u64 {
    cluster.formed_slots(m).iter().map(|r| r.len() as u64).sum()
}

/// Checks one manifest `masters` entry against master `m` of `cluster` and the file on disk;
/// returns the file's path.
fn assert_manifest_entry(dir: &Path, entry: &Value, cluster: &TestCluster, m: usize) -> PathBuf {
    let node = cluster.node(m);
    assert_eq!(entry["id"], node.id(), "{entry}");
    assert_eq!(entry["addr"], node.addr(), "{entry}");
    let file = format!("{}.rdb", node.id());
    assert_eq!(entry["file"], file.as_str(), "{entry}");
    let path = dir.join(&file);
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(9)]).into_owned();
    let magic = server().rdb_magic();
    assert!(
        head.starts_with(magic) && head[magic.len()..].bytes().all(|b| b.is_ascii_digit()),
        "{file} does not start with the RDB magic {magic} and a version: {head:?}"
    );
    assert_eq!(entry["rdb_format"], head.as_str(), "{entry}");
    assert_eq!(entry["server"], server().flavor().name(), "{entry}");
    assert_eq!(
        entry["server_version"],
        server().version().as_str(),
        "{entry}"
    );
    assert_eq!(entry["bytes"], bytes.len() as u64, "{entry}");
    assert_eq!(entry["sha256"], sha256_hex(&path).as_str(), "{entry}");
    assert_eq!(entry["slots"], ranges_json(cluster, m), "{entry}");
    assert_eq!(entry["slot_count"], slot_count(cluster, m), "{entry}");
    assert!(entry["seconds"].is_number(), "{entry}");
    path
}

/// A standalone redis-server (harness ports, killed on drop) started with `--dir` set to a
/// fresh directory holding a copy of `rdb` and `--dbfilename` naming it, so that it loads the
/// file at startup; it never saves (`--save ''`, `--appendonly no` from the harness).
fn load_standalone(rdb: &Path) -> (Node, TempDir) {
    let dir = tempfile::Builder::new()
        .prefix("rcluster-backup-load-")
        .tempdir()
        .expect("temp dir");
    let name = rdb.file_name().expect("file name").to_str().expect("UTF-8");
    fs::copy(rdb, dir.path().join(name)).expect("copy RDB");
    let opts = NodeOpts::new().cluster(false).args([
        "--dir".to_string(),
        path_str(dir.path()),
        "--dbfilename".to_string(),
        name.to_string(),
    ]);
    (Node::start(&opts), dir)
}

/// The cluster is ok, every key sits on the master serving its slot, and both `rcluster check`
/// and `redis-cli --cluster check` pass.
fn assert_checks_pass(cluster: &TestCluster) {
    cluster.wait_cluster_ok();
    let stray = misplaced_keys(&cluster.alive_nodes());
    assert!(
        stray.is_empty(),
        "keys on masters that do not serve their slot (master, slot, keys): {stray:?}"
    );
    let mut argv = auth_args(cluster.opts());
    argv.extend(["check".to_string(), cluster.addr(0)]);
    let check = run(argv);
    assert!(check.success(), "rcluster check failed:\n{check}");
    if redis_cli_available() {
        let oracle = cluster.redis_cli_check(0);
        assert!(
            oracle.success() && !oracle.stdout.contains("[ERR]"),
            "redis-cli --cluster check failed:\n{oracle}"
        );
    }
}

/// A cluster with `masters` masters of `replicas` replicas each, loaded with `n` mixed keys,
/// backed up (exit 0) into `<tmp>/backup`.
struct Source {
    cluster: TestCluster,
    keys: usize,
    tmp: TempDir,
}

impl Source {
    fn start(masters: usize, replicas: usize, n: usize, mix: Mix) -> Source {
        let cluster = TestCluster::start(masters, replicas, NodeOpts::new());
        let keys = load_mixed(&cluster, n, "mix", mix);
        let tmp = tempfile::Builder::new()
            .prefix("rcluster-backup-")
            .tempdir()
            .expect("temp dir");
        let source = Source { cluster, keys, tmp };
        let out = backup(&source.cluster, &source.dir(), &[]);
        assert!(out.success(), "backup failed:\n{out}");
        source
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("backup")
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// 3 masters + 3 replicas, 20k keys of mixed types: one RDB per master named after its id,
/// each with the magic and the manifest's size and SHA-256, no temporary file left, a
/// nodes.json of the 6 nodes; every RDB loads in a fresh standalone redis-server and holds the
/// keys and DUMP payloads of its master at backup time.
#[test]
fn backup_writes_one_verified_rdb_per_master_that_loads_standalone() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let written = load_mixed(&cluster, MIXED_KEYS, "mix", Mix::All);
    let before: Vec<(u64, KeyValues)> = (0..3)
        .map(|m| {
            let node = cluster.node(m);
            (dbsize(node), key_values(&mut node.conn()))
        })
        .collect();
    let total: u64 = before.iter().map(|(n, _)| n).sum();
    assert_eq!(total, written as u64, "the load wrote every key once");

    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("backup");
    let out = backup(&cluster, &dir, &[]);
    out.assert_success();
    let text = all_text(&out);
    assert!(text.contains("[OK]"), "no success line:\n{out}");
    assert!(
        !text.contains("[WARNING]"),
        "healthy cluster warned:\n{out}"
    );

    // Exactly the masters' RDBs, nodes.json and manifest.json: no replica file, no temp file.
    let names = dir_names(&dir);
    let mut expected: BTreeSet<String> = (0..3)
        .map(|m| format!("{}.rdb", cluster.node(m).id()))
        .collect();
    expected.extend(["nodes.json".to_string(), "manifest.json".to_string()]);
    assert_eq!(names, expected, "files in the backup directory");
    assert!(
        names
            .iter()
            .all(|n| !n.starts_with('.') && !n.ends_with(".tmp")),
        "temporary files left: {names:?}"
    );

    let manifest = read_json(&dir, "manifest.json");
    assert_eq!(manifest["format"], 1, "{manifest}");
    assert_eq!(manifest["healthy"], true, "{manifest}");
    assert_eq!(
        manifest["check_errors"],
        serde_json::json!([]),
        "{manifest}"
    );
    assert_eq!(manifest["failed"], serde_json::json!([]), "{manifest}");
    assert_eq!(manifest["entry"], cluster.addr(0), "{manifest}");
    assert_eq!(
        manifest["rcluster_version"],
        env!("CARGO_PKG_VERSION"),
        "{manifest}"
    );
    assert!(manifest["created_unix"].as_u64().unwrap_or(0) > 1_600_000_000);
    let masters = manifest["masters"].as_array().expect("masters array");
    assert_eq!(masters.len(), 3, "{manifest}");
    let mut files = Vec::new();
    for (m, (keys, _)) in before.iter().enumerate() {
        let entry = masters
            .iter()
            .find(|e| e["id"] == cluster.node(m).id())
            .unwrap_or_else(|| panic!("master {m} missing from the manifest: {manifest}"));
        files.push(assert_manifest_entry(&dir, entry, &cluster, m));
        assert_eq!(entry["keys"], *keys, "keys of master {m}: {entry}");
    }
    let slots: u64 = masters
        .iter()
        .map(|e| e["slot_count"].as_u64().unwrap())
        .sum();
    assert_eq!(slots, u64::from(SLOTS));

    // nodes.json: the 6 nodes, masters with their slots, replicas without.
    let nodes = read_json(&dir, "nodes.json");
    let nodes = nodes.as_array().expect("nodes.json is an array");
    assert_eq!(nodes.len(), 6, "{nodes:?}");
    for i in 0..6 {
        let node = nodes
            .iter()
            .find(|n| n["id"] == cluster.node(i).id())
            .unwrap_or_else(|| panic!("node {i} missing from nodes.json: {nodes:?}"));
        assert_eq!(node["addr"], cluster.addr(i), "{node}");
        match cluster.formed_master_of(i) {
            None => {
                assert_eq!(node["role"], "master", "{node}");
                assert_eq!(node["slots"], ranges_json(&cluster, i), "{node}");
                assert_eq!(node["slot_count"], slot_count(&cluster, i), "{node}");
            }
            Some(m) => {
                assert_eq!(node["role"], "replica", "{node}");
                assert_eq!(node["master_id"], cluster.node(m).id(), "{node}");
                assert_eq!(node["slot_count"], 0, "{node}");
            }
        }
    }

    // Every RDB loads in a fresh standalone redis-server with its master's keys and values.
    for (m, file) in files.iter().enumerate() {
        let (server, _dir) = load_standalone(file);
        assert_eq!(
            dbsize(&server),
            before[m].0,
            "DBSIZE of {} loaded standalone vs master {m} at backup time",
            file.display()
        );
        assert_same_values(
            &key_values(&mut server.conn()),
            &before[m].1,
            &format!("{} loaded standalone vs master {m}", file.display()),
        );
    }
}

/// A backup restored into an empty cluster of the same shape gives back the same values and
/// TTLs, and both checks pass; restored into a cluster of 4 masters, every key is there with
/// its value.
#[test]
fn restore_into_empty_clusters_of_the_same_and_another_shape() {
    let source = Source::start(3, 1, MIXED_KEYS, Mix::All);
    let original = cluster_values(&source.cluster);
    assert_eq!(original.len(), source.keys);
    let keys = source.keys as u64;
    let ttl_key = key_name("mix", 1);
    assert!(pttl(&source.cluster, &ttl_key) > 0, "{ttl_key} has a TTL");
    let dir = source.dir();
    let Source { cluster, tmp, .. } = source;
    drop(cluster); // keep the number of processes down

    // Same shape.
    let target = TestCluster::start(3, 1, NodeOpts::new());
    let out = restore(&target, &dir, &["--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc["keys_restored"], keys, "{doc}");
    assert_eq!(doc["conflicts"], 0, "{doc}");
    assert_eq!(doc["failed"], 0, "{doc}");
    assert_eq!(doc["dry_run"], false, "{doc}");
    let files = doc["files"].as_array().expect("files");
    assert_eq!(files.len(), 3, "{doc}");
    let in_files: u64 = files
        .iter()
        .map(|f| f["keys_in_file"].as_u64().unwrap())
        .sum();
    assert_eq!(in_files, keys, "{doc}");
    assert_restored(
        &target,
        &original,
        keys,
        "restored data differs from the backup's",
    );
    let ttl = pttl(&target, &ttl_key);
    assert!(
        ttl > 0 && ttl <= TTL_MS as i64,
        "{ttl_key} lost its TTL: {ttl}"
    );
    assert_eq!(pttl(&target, &key_name("mix", 0)), -1, "no TTL invented");
    drop(target);

    // Another shape: 4 masters, no replica.
    let target = TestCluster::start(4, 0, NodeOpts::new());
    let out = restore(&target, &dir, &[]);
    out.assert_success();
    assert_restored(&target, &original, keys, "4-master cluster restored");
    for m in 0..4 {
        assert!(
            dbsize(target.node(m)) > 0,
            "master {m} of the 4-master cluster got no key"
        );
    }
    drop(tmp);
}

/// A damaged RDB or a missing manifest is refused with nothing restored; a dry run changes
/// nothing; a key that exists in the target with another value is named and kept (exit 1),
/// then overwritten with --replace (exit 0). The data holds no hashtable-encoded set or hash
/// (see [`Mix::Deterministic`]).
#[test]
fn restore_refuses_damaged_backups_and_reports_conflicts() {
    let source = Source::start(3, 0, SMALL_KEYS, Mix::Deterministic);
    let original = cluster_values(&source.cluster);
    let dir = source.dir();
    let target = TestCluster::start(3, 0, NodeOpts::new());

    // One byte flipped in the middle of one RDB.
    let damaged = source.tmp.path().join("damaged");
    copy_dir(&dir, &damaged, &[]);
    let file = format!("{}.rdb", source.cluster.node(1).id());
    let path = damaged.join(&file);
    let mut bytes = fs::read(&path).expect("read RDB");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    fs::write(&path, &bytes).expect("write RDB");
    let out = restore(&target, &damaged, &[]);
    out.assert_code(1);
    assert!(
        all_text(&out).contains(&file),
        "the damaged file is not named:\n{out}"
    );
    assert_eq!(target.total_keys(), 0, "a damaged backup restored keys");

    // A truncated RDB.
    let truncated = source.tmp.path().join("truncated");
    copy_dir(&dir, &truncated, &[]);
    let path = truncated.join(&file);
    let bytes = fs::read(&path).expect("read RDB");
    fs::write(&path, &bytes[..bytes.len() - 1]).expect("write RDB");
    restore(&target, &truncated, &[]).assert_code(1);
    assert_eq!(target.total_keys(), 0, "a truncated backup restored keys");

    // No manifest.
    let bare = source.tmp.path().join("no-manifest");
    copy_dir(&dir, &bare, &["manifest.json"]);
    let out = restore(&target, &bare, &[]);
    out.assert_code(1);
    assert!(
        all_text(&out).contains("manifest.json"),
        "the missing manifest is not named:\n{out}"
    );
    assert_eq!(
        target.total_keys(),
        0,
        "a backup without manifest restored keys"
    );

    // Dry run.
    let out = restore(&target, &dir, &["--dry-run", "--json"]);
    out.assert_success();
    assert_eq!(json(&out)["dry_run"], true);
    assert_eq!(target.total_keys(), 0, "a dry run restored keys");

    // A key already in the target with another value.
    let key = key_name("mix", 0);
    let backup_value = string_value(0);
    assert_eq!(
        get(&source.cluster, &key).as_deref(),
        Some(backup_value.as_str())
    );
    owner(&target, &key).cmd(&["SET", &key, "cluster-value"]);
    let out = restore(&target, &dir, &[]);
    out.assert_code(1);
    assert!(
        all_text(&out).contains(&key),
        "the conflicting key {key} is not named:\n{out}"
    );
    assert_eq!(
        get(&target, &key).as_deref(),
        Some("cluster-value"),
        "the cluster's value was overwritten without --replace"
    );
    let mut got = cluster_values(&target);
    let mut want = original.clone();
    assert!(got.remove(key.as_bytes()).is_some() && want.remove(key.as_bytes()).is_some());
    assert_same_values(&got, &want, "every other key is restored");

    // --replace takes the backup's value.
    let out = restore(&target, &dir, &["--replace"]);
    out.assert_success();
    assert_eq!(get(&target, &key).as_deref(), Some(backup_value.as_str()));
    assert_same_values(
        &cluster_values(&target),
        &original,
        "data after restore --replace",
    );
}

/// Restore without `--server` reads each file with a server found on PATH of the kind that
/// wrote it (manifest.json's `server`), at least as new (`server_version`): with none on PATH,
/// or only older ones, it refuses (exit 2, with the `--server` hint) before changing
/// anything; with the harness's binary on PATH under its own name, it uses it and says so;
/// `--server` forces a binary the manifest does not ask for, with a warning.
#[test]
fn restore_finds_a_server_that_can_read_the_backup() {
    let source = Source::start(3, 0, SMALL_KEYS, Mix::Deterministic);
    let original = cluster_values(&source.cluster);
    let dir = source.dir();
    let (flavor, version) = (server().flavor().name(), server().version());
    let program = format!("{flavor}-server");
    let target = TestCluster::start(3, 0, NodeOpts::new());

    // Nothing on PATH.
    let empty = source.tmp.path().join("empty-path");
    fs::create_dir(&empty).expect("mkdir");
    let out = restore_with_path(&target, &dir, &empty, &[]);
    out.assert_code(2);
    let text = all_text(&out);
    assert!(
        text.contains(&format!("{program} {version} or newer"))
            && text.contains("--server")
            && text.contains("found: none"),
        "{out}"
    );
    assert_eq!(target.total_keys(), 0, "a refused restore restored keys");

    // The harness's binary on PATH under its own name.
    let bin = source.tmp.path().join("bin");
    fs::create_dir(&bin).expect("mkdir");
    std::os::unix::fs::symlink(server().path(), bin.join(&program)).expect("symlink");

    // A backup written by a newer server than any on PATH.
    let newer = source.tmp.path().join("newer");
    copy_dir(&dir, &newer, &[]);
    let mut manifest = read_json(&newer, "manifest.json");
    for entry in manifest["masters"].as_array_mut().unwrap() {
        entry["server_version"] = "99.0.0".into();
    }
    fs::write(newer.join("manifest.json"), manifest.to_string()).expect("write manifest");
    let out = restore_with_path(&target, &newer, &bin, &[]);
    out.assert_code(2);
    let text = all_text(&out);
    assert!(
        text.contains(&format!("{program} 99.0.0 or newer"))
            && text.contains(&format!("{program} {version}"))
            && text.contains("--server"),
        "{out}"
    );
    assert_eq!(target.total_keys(), 0, "a refused restore restored keys");

    // Found on PATH and named.
    let out = restore_with_path(&target, &dir, &bin, &["--json"]);
    out.assert_success();
    let doc = json(&out);
    for file in doc["files"].as_array().expect("files") {
        assert_eq!(file["read_by"]["server"], flavor, "{doc}");
        assert_eq!(file["read_by"]["version"], version.as_str(), "{doc}");
        assert_eq!(
            file["read_by"]["path"],
            path_str(&bin.join(&program)).as_str(),
            "{doc}"
        );
    }
    let out = restore_with_path(&target, &dir, &bin, &[]);
    out.assert_success();
    assert!(
        out.stdout.contains(&format!(
            "read by a scratch {program} {version} on 127.0.0.1:"
        )),
        "{out}"
    );
    assert_same_values(&cluster_values(&target), &original, "data after restore");

    // --server forces a binary older than the manifest asks for: a warning, then the restore.
    let out = restore(&target, &newer, &[]);
    out.assert_success();
    assert!(
        out.stdout.contains("[WARNING]") && out.stdout.contains("may not read it"),
        "{out}"
    );
    assert_checks_pass(&target);
}

/// `backup --json` into a nested directory that does not exist yet prints the manifest
/// document; with a master killed (no failover waited for), the other masters are saved, the
/// dead one is listed in `failed`, and the exit code is 1.
#[test]
fn backup_json_nested_dir_and_a_dead_master() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_mixed(&cluster, SMALL_KEYS, "mix", Mix::All);
    let tmp = tempfile::tempdir().expect("temp dir");

    // Healthy, --json, nested directory.
    let nested = tmp.path().join("a").join("b").join("c");
    let out = backup(&cluster, &nested, &["--json", "--parallel", "2"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(doc, read_json(&nested, "manifest.json"), "--json document");
    assert_eq!(doc["dir"], path_str(&nested), "{doc}");
    assert_eq!(doc["masters"].as_array().map(Vec::len), Some(3), "{doc}");
    for m in 0..3 {
        assert!(
            nested
                .join(format!("{}.rdb", cluster.node(m).id()))
                .is_file()
        );
    }

    // Master 1 killed.
    let dead_id = cluster.node(1).id().to_string();
    let dead_addr = cluster.addr(1);
    cluster.kill(1);
    let dir = tmp.path().join("degraded");
    let out = backup(&cluster, &dir, &[]);
    out.assert_code(1);
    assert!(
        all_text(&out).contains(&dead_addr),
        "the dead master is not named:\n{out}"
    );
    let manifest = read_json(&dir, "manifest.json");
    let failed = manifest["failed"].as_array().expect("failed array");
    assert_eq!(failed.len(), 1, "{manifest}");
    assert_eq!(failed[0]["id"], dead_id.as_str(), "{manifest}");
    assert_eq!(failed[0]["addr"], dead_addr.as_str(), "{manifest}");
    assert!(
        failed[0]["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{manifest}"
    );
    let masters = manifest["masters"].as_array().expect("masters array");
    assert_eq!(masters.len(), 2, "{manifest}");
    for m in [0, 2] {
        let entry = masters
            .iter()
            .find(|e| e["id"] == cluster.node(m).id())
            .unwrap_or_else(|| panic!("master {m} missing: {manifest}"));
        assert_manifest_entry(&dir, entry, &cluster, m);
        assert_eq!(entry["keys"], dbsize(cluster.node(m)), "{entry}");
    }
    let names = dir_names(&dir);
    assert!(
        !names.contains(&format!("{dead_id}.rdb")),
        "a file for the dead master: {names:?}"
    );
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "temporary files left: {names:?}"
    );
    assert!(names.contains("nodes.json"), "{names:?}");
    assert_eq!(names.len(), 4, "{names:?}");

    // The same with --json: exit 1 and the manifest on stdout.
    let dir = tmp.path().join("degraded-json");
    let out = backup(&cluster, &dir, &["--json"]);
    out.assert_code(1);
    let doc = json(&out);
    assert_eq!(doc, read_json(&dir, "manifest.json"), "--json document");
    assert_eq!(doc["failed"][0]["id"], dead_id.as_str(), "{doc}");
}

/// A directory that already holds a backup is refused (exit 1, nothing written, the directory
/// and `--overwrite` named); `--overwrite` replaces it, and the RDB files of the old backup
/// that the new one does not write are removed (other files stay).
#[test]
fn backup_into_a_backup_needs_overwrite() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 300, "ow", 16);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("backup");
    backup(&cluster, &dir, &[]).assert_success();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let old_rdb = format!("{}.rdb", "0".repeat(40));
    fs::write(dir.join(&old_rdb), "an RDB of a node that is gone").unwrap();
    let contents = |dir: &Path| -> BTreeMap<String, String> {
        dir_names(dir)
            .into_iter()
            .map(|n| {
                let sum = sha256_hex(&dir.join(&n));
                (n, sum)
            })
            .collect()
    };
    let before = contents(&dir);

    let out = backup(&cluster, &dir, &[]);
    out.assert_code(1);
    assert!(
        out.stderr.contains(&path_str(&dir))
            && out.stderr.contains("already holds a backup")
            && out.stderr.contains("--overwrite"),
        "{out}"
    );
    assert_eq!(out.stdout, "", "{out}");
    assert_eq!(contents(&dir), before, "the refused backup changed files");

    let out = backup(&cluster, &dir, &["--overwrite"]);
    out.assert_success();
    assert!(
        out.stdout
            .contains("Removed 1 RDB file(s) of the replaced backup."),
        "{out}"
    );
    let names = dir_names(&dir);
    assert!(!names.contains(&old_rdb), "{names:?}");
    assert!(names.contains("notes.txt"), "{names:?}");
    let manifest = read_json(&dir, "manifest.json");
    let masters = manifest["masters"].as_array().expect("masters array");
    assert_eq!(masters.len(), 3, "{manifest}");
    for m in 0..3 {
        let entry = masters
            .iter()
            .find(|e| e["id"] == cluster.node(m).id())
            .unwrap_or_else(|| panic!("master {m} missing: {manifest}"));
        assert_manifest_entry(&dir, entry, &cluster, m);
    }
    assert_eq!(names.len(), 3 + 3, "{names:?}");
}

/// Ctrl-C during a restore: the batches in flight finish, the command exits 130, its scratch
/// redis-server is gone, and a second restore completes the data.
#[test]
fn interrupted_restore_stops_its_scratch_server_and_resumes() {
    let source = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&source, 150_000, "rs", 8);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("backup");
    backup(&source, &dir, &[]).assert_success();
    let target = TestCluster::start(3, 0, NodeOpts::new());

    // Small batches so that the restore takes a while.
    let argv: Vec<String> = [
        "restore",
        &target.addr(0),
        &path_str(&dir),
        "--server",
        &path_str(server().path()),
        "--pipeline",
        "10",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let child = Spawned::start(&argv);
    wait_until_timeout("keys to arrive", std::time::Duration::from_secs(30), || {
        target.total_keys() > 0
    });
    signal(child.pid(), "INT");
    let out = child.wait(std::time::Duration::from_secs(30));
    out.assert_code(130);
    assert!(out.stdout.contains("Interrupted"), "{out}");
    // The scratch servers it named (redis-server rewrites its command line, so the address
    // printed is how to find them) no longer answer.
    let scratch: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.split("read by a scratch ").nth(1)?.split(" on ").nth(1))
        .collect();
    assert!(!scratch.is_empty(), "{out}");
    for addr in scratch {
        assert!(
            std::net::TcpStream::connect(addr.trim()).is_err(),
            "the scratch redis-server on {addr} outlived the restore"
        );
    }
    assert!(
        target.total_keys() < 150_000,
        "the restore was not interrupted"
    );

    restore(&target, &dir, &[]).assert_success();
    assert_eq!(digest(&target), digest(&source));
}

/// The backup in `dir` has one manifest entry per master of the 3-master `cluster`, each
/// file checked by [`assert_manifest_entry`], and each loads standalone with its master's
/// key count.
fn assert_rdbs_load_with_the_masters_key_counts(dir: &Path, cluster: &TestCluster) {
    let manifest = read_json(dir, "manifest.json");
    let masters = manifest["masters"].as_array().expect("masters array");
    assert_eq!(masters.len(), 3, "{manifest}");
    for m in 0..3 {
        let entry = masters
            .iter()
            .find(|e| e["id"] == cluster.node(m).id())
            .unwrap_or_else(|| panic!("master {m} missing: {manifest}"));
        let file = assert_manifest_entry(dir, entry, cluster, m);
        let (server, _dir) = load_standalone(&file);
        assert_eq!(
            dbsize(&server),
            dbsize(cluster.node(m)),
            "{}",
            file.display()
        );
    }
}

/// A TLS cluster (mutual TLS) is backed up: the SYNC stream is read through rustls, with the
/// CA verified, or with --insecure; the files load standalone with the masters' key counts.
#[test]
fn tls_cluster_is_backed_up() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new().tls());
    load_mixed(&cluster, SMALL_KEYS, "tls", Mix::All);
    let tls = cluster.tls().expect("a TLS cluster");
    let tmp = tempfile::tempdir().expect("temp dir");
    let client = [
        "--cert".to_string(),
        path_str(&tls.client_cert),
        "--key".to_string(),
        path_str(&tls.client_key),
    ];
    let verified = tls.cli_args();
    let insecure: Vec<String> = ["--tls".to_string(), "--insecure".to_string()]
        .into_iter()
        .chain(client)
        .collect();
    for (name, tls_args) in [("verified", verified), ("insecure", insecure)] {
        let dir = tmp.path().join(name);
        let mut argv = tls_args;
        argv.extend(["backup".to_string(), cluster.addr(0), path_str(&dir)]);
        run(argv).assert_success();
        assert_rdbs_load_with_the_masters_key_counts(&dir, &cluster);
    }
}

/// A password-protected cluster is backed up with -a (refused without), and restored with -a.
#[test]
fn password_protected_cluster_is_backed_up_and_restored_with_a() {
    let opts = NodeOpts::new().password("s3cret");
    let cluster = TestCluster::start(3, 0, opts.clone());
    load_mixed(&cluster, SMALL_KEYS, "mix", Mix::All);
    let original = cluster_values(&cluster);
    let tmp = tempfile::tempdir().expect("temp dir");

    let dir = tmp.path().join("no-auth");
    let out = run(["backup", &cluster.addr(0), &path_str(&dir)]);
    assert!(
        !out.success(),
        "backup without the password succeeded:\n{out}"
    );
    let rdbs = if dir.is_dir() {
        dir_names(&dir)
            .into_iter()
            .filter(|n| n.ends_with(".rdb"))
            .count()
    } else {
        0
    };
    assert_eq!(rdbs, 0, "RDBs saved without the password");

    let dir = tmp.path().join("backup");
    let out = backup(&cluster, &dir, &[]);
    out.assert_success();
    assert_rdbs_load_with_the_masters_key_counts(&dir, &cluster);

    for m in 0..3 {
        cluster.node(m).cmd(&["FLUSHALL"]);
    }
    assert_eq!(cluster.total_keys(), 0);
    let out = restore(&cluster, &dir, &[]);
    out.assert_success();
    assert_checks_pass(&cluster);
    assert_same_values(
        &cluster_values(&cluster),
        &original,
        "data after restore with -a",
    );
}

/// Restoring the same backup a second time (as restore itself advises after an interruption)
/// finds every key already there with the same value: nothing to report, exit 0.
/// Hashtable-encoded sets and hashes dump in hash-table order (random hash seed per server),
/// so they are compared by their sorted members (they were once reported as conflicts).
#[test]
fn restoring_the_same_backup_twice_reports_no_conflict() {
    let source = Source::start(3, 0, SMALL_KEYS, Mix::All);
    let original = cluster_values(&source.cluster);
    let target = TestCluster::start(3, 0, NodeOpts::new());
    restore(&target, &source.dir(), &[]).assert_success();
    let out = restore(&target, &source.dir(), &["--json"]);
    let doc = json(&out);
    assert_eq!(
        doc["conflicts"], 0,
        "identical keys reported as conflicts:\n{out}"
    );
    out.assert_success();
    assert_same_values(&cluster_values(&target), &original, "after two restores");
}

/// One key already in the cluster with another value is the one conflict restore reports; the
/// other keys of its MIGRATE batch are restored with their values.
/// The hashtable-encoded sets copied by the very batch that met the collision dump in
/// another order on the cluster; they must not be reported as conflicts.
#[test]
fn one_conflicting_key_is_the_only_conflict_reported() {
    let source = Source::start(3, 0, SMALL_KEYS, Mix::All);
    let original = cluster_values(&source.cluster);
    let target = TestCluster::start(3, 0, NodeOpts::new());
    let key = key_name("mix", 0);
    owner(&target, &key).cmd(&["SET", &key, "cluster-value"]);
    let out = restore(&target, &source.dir(), &["--json"]);
    out.assert_code(1);
    assert_eq!(get(&target, &key).as_deref(), Some("cluster-value"));
    let mut got = cluster_values(&target);
    let mut want = original;
    assert!(got.remove(key.as_bytes()).is_some() && want.remove(key.as_bytes()).is_some());
    assert_same_values(&got, &want, "every other key is restored");
    let doc = json(&out);
    assert_eq!(doc["conflicts"], 1, "only {key} conflicts:\n{out}");
}
