//! Numbered databases in cluster mode (Valkey >= 9.0, `cluster-databases 16`) outside slot
//! moves: check/info/nodes count the keys of every database and show them per database
//! (text and JSON), create refuses a node whose keys are all in database 3, import takes each
//! database of a standalone source into its own database (or `--to-db`), backup then restore
//! keeps each key in its database, and bigkeys/memkeys see the keys of every database.
//!
//! The server is the harness's (`RCLUSTER_TEST_SERVER`). On a server without numbered databases
//! each test is not applicable (`require!`): it says so and passes, or fails in CI;
//! `scripts/test` runs this module on Valkey 9 only.

use std::collections::BTreeMap;

use crate::common::{
    DATABASES, Feature, Node, NodeOpts, RunOutput, TestCluster, conn_in, json, key_slot,
    poll_until, require, run, server,
};

/// Databases the tests write to.
const DBS: [u32; 4] = [0, 1, 5, 15];
/// Keys per database.
const PER_DB: usize = 300;

/// Every key of a cluster (or a node): database -> key -> value.
type Contents = BTreeMap<u32, BTreeMap<String, String>>;

/// `k:{i}` = `db{db}:v{i}` in each database of `dbs`, written to the node serving its slot
/// (`owner(slot)`).
fn write(nodes: &[&Node], owner: impl Fn(u16) -> usize, dbs: &[u32], prefix: &str) {
    for &db in dbs {
        let mut conns: Vec<redis::Connection> = nodes.iter().map(|n| conn_in(n, db)).collect();
        for i in 0..PER_DB {
            let key = format!("{prefix}:{i}");
            let node = owner(key_slot(&key));
            redis::cmd("SET")
                .arg(&key)
                .arg(format!("db{db}:v{i}"))
                .query::<()>(&mut conns[node])
                .unwrap();
        }
    }
}

/// Writes [`PER_DB`] keys into each database of [`DBS`] of `cluster`.
fn load(cluster: &TestCluster) {
    let owners = cluster.slot_owners();
    let masters: Vec<&Node> = (0..cluster.masters()).map(|m| cluster.node(m)).collect();
    write(
        &masters,
        |slot| owners[usize::from(slot)].expect("covered"),
        &DBS,
        "k",
    );
}

/// Every key and value of databases `0..DATABASES` of `nodes`.
fn contents(nodes: &[&Node]) -> Contents {
    let mut out = Contents::new();
    for db in 0..DATABASES {
        for node in nodes {
            let mut conn = conn_in(node, db);
            let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut conn).unwrap();
            for key in keys {
                let value: String = redis::cmd("GET").arg(&key).query(&mut conn).unwrap();
                out.entry(db).or_default().insert(key, value);
            }
        }
    }
    out
}

fn masters_of(cluster: &TestCluster) -> Vec<&Node> {
    (0..cluster.masters()).map(|m| cluster.node(m)).collect()
}

/// Keys per database of `contents`, as `keys_per_db` maps them in JSON.
fn per_db(contents: &Contents) -> serde_json::Value {
    contents
        .iter()
        .map(|(db, keys)| (db.to_string(), serde_json::json!(keys.len())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn rc(args: &[&str]) -> RunOutput {
    run(args)
}

#[test]
fn check_info_and_nodes_count_every_database() {
    require!(Feature::NumberedDbs);
    let cluster = TestCluster::start(3, 1, NodeOpts::new().numbered_dbs());
    load(&cluster);
    let entry = cluster.addr(0);
    let total = DBS.len() * PER_DB;
    let per_db_words = format!("(db0 {PER_DB}, db1 {PER_DB}, db5 {PER_DB}, db15 {PER_DB})");

    let check = rc(&["check", &entry]);
    check.assert_success();
    assert!(
        check
            .stdout
            .contains(&format!("[OK] {total} keys in 3 masters {per_db_words}.")),
        "{check}"
    );
    for m in 0..3 {
        let line = check
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{} (", cluster.addr(m))))
            .unwrap_or_else(|| panic!("no line for master {m}:\n{check}"));
        assert!(
            line.contains(" keys (db0 ") && line.contains(", db15 "),
            "{line}"
        );
    }
    assert!(!check.stdout.contains("different servers"), "{check}");

    let want = contents(&masters_of(&cluster));
    let doc = json(&rc(&["check", &entry, "--json"]));
    let nodes = doc["nodes"].as_array().unwrap();
    let master_keys: u64 = nodes
        .iter()
        .filter(|n| n["role"] == "master")
        .map(|n| n["keys"].as_u64().unwrap())
        .sum();
    assert_eq!(master_keys, total as u64, "{doc:#}");
    for node in nodes {
        let map = node["keys_per_db"].as_object().unwrap();
        assert_eq!(map.len(), DBS.len(), "{node:#}");
        assert_eq!(node["server"], "valkey", "{node:#}");
    }
    assert_eq!(doc["servers"].as_array().unwrap().len(), 1, "{doc:#}");

    let doc = json(&rc(&["info", &entry, "--json"]));
    assert_eq!(doc["total_keys"], total as u64, "{doc:#}");
    assert_eq!(doc["keys_per_db"], per_db(&want), "{doc:#}");
    let info = rc(&["info", &entry]);
    assert!(info.stdout.contains(&per_db_words), "{info}");

    let table = rc(&["nodes", &entry]);
    table.assert_success();
    assert!(table.stdout.contains("SERVER"), "{table}");
    assert!(table.stdout.contains("valkey 9."), "{table}");
    assert!(table.stdout.contains(" (db0 "), "{table}");
    let doc = json(&rc(&["nodes", &entry, "--json"]));
    for shard in doc["shards"].as_array().unwrap() {
        let keys = shard["master"]["keys"].as_u64().unwrap();
        let sum: u64 = shard["master"]["keys_per_db"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(keys, sum, "{shard:#}");
        assert_eq!(shard["replicas"][0]["keys"], keys, "{shard:#}");
    }
}

#[test]
fn create_refuses_a_node_with_keys_only_in_database_3() {
    require!(Feature::NumberedDbs);
    let nodes = TestCluster::start_unformed(3, NodeOpts::new().numbered_dbs());
    // A cluster node only takes writes for slots it serves: lend it the key's slot.
    let node = nodes.node(1);
    let slot = key_slot("only:here").to_string();
    node.cmd(&["CONFIG", "SET", "cluster-require-full-coverage", "no"]);
    node.cmd(&["CLUSTER", "ADDSLOTS", &slot]);
    poll_until(
        "the lone node to take writes",
        crate::common::WAIT_TIMEOUT,
        || {
            redis::cmd("SET")
                .arg("only:here")
                .arg("x")
                .query::<()>(&mut conn_in(node, 3))
                .map_err(|e| e.to_string())
        },
    );
    node.cmd(&["CLUSTER", "DELSLOTS", &slot]);
    let out = run(["create".to_string(), "--yes".to_string()]
        .into_iter()
        .chain(nodes.addrs()));
    out.assert_code(1);
    assert!(
        out.stderr
            .lines()
            .any(|l| l.contains(&nodes.addr(1)) && l.contains("holds 1 key(s) (db3 1)")),
        "{out}"
    );
    assert!(out.stderr.contains("nothing was changed"), "{out}");
    for node in nodes.nodes() {
        assert_eq!(node.cluster_info_field("cluster_known_nodes").unwrap(), "1");
    }
}

#[test]
fn import_takes_each_database_into_its_own_or_to_db() {
    require!(Feature::NumberedDbs);
    let cluster = TestCluster::start(3, 0, NodeOpts::new().numbered_dbs());
    let source = Node::start(&NodeOpts::new().cluster(false).args(["--databases", "32"]));
    write(&[&source], |_| 0, &DBS, "s");
    let source_before = contents(&[&source]);
    let (entry, from) = (cluster.addr(0), source.addr());
    let import = |extra: &[&str]| {
        let mut argv = vec!["import", &entry, "--from", &from];
        argv.extend(extra);
        run(argv)
    };

    // Bad database choices: usage errors, nothing moved.
    for (extra, needle) in [
        (&["--from-db", "16"][..], "no database 16"),
        (&["--from-db", "1", "--to-db", "16"][..], "--to-db 16"),
        (&["--to-db", "3"][..], "--from-db"),
    ] {
        let out = import(extra);
        out.assert_code(2);
        assert!(out.stderr.contains(needle), "{needle}:\n{out}");
    }
    assert!(contents(&masters_of(&cluster)).is_empty(), "keys moved");

    // No --from-db: every database into the same number.
    let out = import(&["--copy", "--json"]);
    out.assert_success();
    let doc = json(&out);
    assert_eq!(
        doc["keys_on_source"],
        (DBS.len() * PER_DB) as u64,
        "{doc:#}"
    );
    assert_eq!(doc["databases"].as_array().unwrap().len(), DBS.len());
    assert_eq!(contents(&masters_of(&cluster)), source_before);
    assert_eq!(
        contents(&[&source]),
        source_before,
        "--copy changed the source"
    );

    // --from-db 5 --to-db 7, moving: db 7 of the cluster holds db 5's keys.
    let out = import(&["--from-db", "5", "--to-db", "7"]);
    out.assert_success();
    assert!(out.stdout.contains("from DB 5 (into DB 7)"), "{out}");
    let now = contents(&masters_of(&cluster));
    assert_eq!(now.get(&7), source_before.get(&5));
    assert_eq!(now.get(&5), source_before.get(&5));
    assert!(!contents(&[&source]).contains_key(&5), "db 5 not moved");

    // A source database the cluster does not have: refused before anything moves.
    write(&[&source], |_| 0, &[20], "far");
    let before = contents(&masters_of(&cluster));
    let out = import(&[]);
    out.assert_code(2);
    assert!(out.stderr.contains("db20"), "{out}");
    assert_eq!(contents(&masters_of(&cluster)), before);
}

#[test]
fn backup_then_restore_keeps_each_key_in_its_database() {
    require!(Feature::NumberedDbs);
    let source = TestCluster::start(3, 0, NodeOpts::new().numbered_dbs());
    load(&source);
    let want = contents(&masters_of(&source));
    let dir = tempfile::tempdir().unwrap();
    let dir_text = dir.path().display().to_string();
    rc(&["backup", &source.addr(0), &dir_text]).assert_success();

    let server = server().path().display().to_string();
    // A cluster with 4 databases cannot take db 5 and db 15: refused from the manifest,
    // before any key moves.
    let small = TestCluster::start(2, 0, NodeOpts::new().args(["--cluster-databases", "4"]));
    let refused = rc(&["restore", &small.addr(0), &dir_text, "--server", &server]);
    refused.assert_code(2);
    assert!(
        refused
            .stderr
            .contains("databases the cluster does not have")
            && refused.stderr.contains("Nothing was restored"),
        "{refused}"
    );
    for node in small.nodes() {
        let keyspace = node.cmd_str(&["INFO", "keyspace"]);
        assert!(!keyspace.contains("keys="), "nothing restored: {keyspace}");
    }

    let target = TestCluster::start(2, 0, NodeOpts::new().numbered_dbs());
    let out = rc(&[
        "restore",
        &target.addr(0),
        &dir_text,
        "--redis-server",
        &server,
        "--json",
    ]);
    out.assert_success();
    assert_eq!(json(&out)["keys_restored"], (DBS.len() * PER_DB) as u64);
    assert_eq!(contents(&masters_of(&target)), want);
}

#[test]
fn bigkeys_and_memkeys_see_every_database() {
    require!(Feature::NumberedDbs);
    let cluster = TestCluster::start(3, 0, NodeOpts::new().numbered_dbs());
    load(&cluster);
    let owners = cluster.slot_owners();
    let big = "big:list";
    let owner = cluster.node(owners[usize::from(key_slot(big))].unwrap());
    let mut conn = conn_in(owner, 15);
    let items: Vec<String> = (0..500).map(|i| i.to_string()).collect();
    redis::cmd("RPUSH")
        .arg(big)
        .arg(&items)
        .query::<()>(&mut conn)
        .unwrap();
    let total = (DBS.len() * PER_DB + 1) as u64;

    let out = rc(&["bigkeys", &cluster.addr(0)]);
    out.assert_success();
    assert!(
        out.stdout.contains(&format!("Sampled {total} keys")),
        "{out}"
    );
    assert!(
        out.stdout.contains(&format!(
            "Biggest   list found '\"{big}\"' has 500 items (on {}, db 15, slot",
            owner.addr()
        )),
        "{out}"
    );
    assert!(out.stdout.contains(" DB "), "no DB column:\n{out}");

    let doc = json(&rc(&[
        "memkeys",
        &cluster.addr(0),
        "--top",
        "2000",
        "--json",
    ]));
    assert_eq!(doc["sampled"], total, "{doc:#}");
    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for key in doc["top"].as_array().unwrap() {
        *seen.entry(key["db"].as_u64().unwrap()).or_default() += 1;
    }
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        vec![0, 1, 5, 15],
        "{seen:?}"
    );
}
