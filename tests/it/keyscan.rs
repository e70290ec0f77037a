//! `bigkeys` and `memkeys` against real redis-server clusters.
//!
//! Every test loads a known data set: on each master, for each of the six key types, a local
//! biggest key (sizes differ per master), two medium keys and five small ones, plus string
//! filler keys; each type's cluster-wide biggest key (its champion) sits on a chosen master,
//! so that every shard holds the champions of different types. Keys are placed on a master by
//! their name's slot (`crate::common::key_slot` and the cluster's slot owners). A twin of the
//! biggest set of each master has the same size, so the set champion is a tie, which must be
//! won by the key SCAN returns first.
//!
//! rcluster's answers are checked against what the test created (names, sizes, nodes, slots,
//! counts and totals per type), against MEMORY USAGE read by the test itself, and against
//! `redis-cli --bigkeys` / `--memkeys` run on each master separately: per type, rcluster's
//! biggest key must be the first largest of the per-master results taken in address order,
//! and the counts and totals must be their sums.
//!
//! The last tests pin behaviour rcluster once got wrong: a cluster that is down, binary key
//! names, a one-node cluster.

use std::collections::{BTreeMap, HashMap};

use crate::common::{
    NodeOpts, RunOutput, TestCluster, all_text, json, key_slot, redis_cli_available, run, scan,
    wait_flagged_fail, wait_until,
};
use serde_json::Value;

/// The key types in redis-cli's order.
const TYPES: [&str; 6] = ["string", "list", "set", "zset", "hash", "stream"];
/// What a length counts, per type (bigkeys).
const UNITS: [&str; 6] = ["bytes", "items", "members", "members", "fields", "entries"];
/// The master holding each type's champion: every master holds the champions of two types.
const CHAMPION_ON: [usize; 6] = [0, 1, 2, 0, 1, 2];
/// Each type's champion size.
const CHAMPION_SIZE: [u64; 6] = [700, 90, 70, 60, 50, 40];
/// Each type's local biggest size on master 0; master m has `+ 3 * m`.
const LOCAL_BASE: [u64; 6] = [300, 40, 30, 25, 20, 10];
/// Small keys of each type per master, sized 1..=SMALL.
const SMALL: u64 = 5;
/// Medium keys of each type per master.
const MEDIUM: u64 = 2;
/// String filler keys over the whole cluster (value = key name).
const FILLER: usize = 600;
/// Index of "set" in [`TYPES`]: the type whose local biggest key has a twin.
const TWIN_TYPE: usize = 2;

// ---------------------------------------------------------------------------------------------
// The data set
// ---------------------------------------------------------------------------------------------

/// One key the test created.
#[derive(Clone, Debug)]
struct Made {
    key: Vec<u8>,
    kind: &'static str,
    /// Its length (STRLEN, LLEN, ...).
    size: u64,
    /// Master index (formation order).
    master: usize,
}

/// Everything created in a cluster.
struct Dataset {
    keys: Vec<Made>,
}

impl Dataset {
    fn of_type(&self, kind: &str) -> impl Iterator<Item = &Made> {
        self.keys.iter().filter(move |k| k.kind == kind)
    }

    fn count(&self, kind: &str) -> u64 {
        self.of_type(kind).count() as u64
    }

    fn total(&self, kind: &str) -> u64 {
        self.of_type(kind).map(|k| k.size).sum()
    }

    fn key_bytes(&self) -> u64 {
        self.keys.iter().map(|k| k.key.len() as u64).sum()
    }

    fn find(&self, key: &[u8]) -> Option<&Made> {
        self.keys.iter().find(|k| k.key == key)
    }
}

/// `"{prefix}:{n}"` for the first n whose slot master `m` serves.
fn key_on(owners: &[Option<usize>], m: usize, prefix: &str) -> String {
    (0..)
        .map(|n| format!("{prefix}:{n}"))
        .find(|k| owners[usize::from(key_slot(k))] == Some(m))
        .unwrap()
}

/// Size of the local biggest key of type `t` on master `m`.
fn local_biggest(t: usize, m: usize) -> u64 {
    if CHAMPION_ON[t] == m {
        CHAMPION_SIZE[t]
    } else {
        LOCAL_BASE[t] + 3 * m as u64
    }
}

/// Loads the data set described at the top of this file into the masters of `cluster`.
fn load_dataset(cluster: &TestCluster) -> Dataset {
    let owners = cluster.slot_owners();
    let mut keys = Vec::new();
    for m in 0..cluster.masters() {
        for (t, &kind) in TYPES.iter().enumerate() {
            let mut add = |prefix: String, size: u64| {
                keys.push(Made {
                    key: key_on(&owners, m, &prefix).into_bytes(),
                    kind,
                    size,
                    master: m,
                })
            };
            add(format!("big:{kind}:m{m}"), local_biggest(t, m));
            if t == TWIN_TYPE {
                add(format!("twin:{kind}:m{m}"), local_biggest(t, m));
            }
            for j in 0..MEDIUM {
                add(format!("mid:{kind}:m{m}:{j}"), LOCAL_BASE[t] / 2 + j);
            }
            for j in 1..=SMALL {
                add(format!("small:{kind}:m{m}:{j}"), j);
            }
        }
    }
    std::thread::scope(|s| {
        for m in 0..cluster.masters() {
            let mine: Vec<&Made> = keys.iter().filter(|k| k.master == m).collect();
            let node = cluster.node(m);
            s.spawn(move || {
                let mut conn = node.conn();
                for made in mine {
                    write_key(&mut conn, made);
                }
            });
        }
    });
    for key in cluster.populate(FILLER, "fill") {
        let master = owners[usize::from(key_slot(&key))].unwrap();
        keys.push(Made {
            size: key.len() as u64,
            key: key.into_bytes(),
            kind: "string",
            master,
        });
    }
    let data = Dataset { keys };
    settle(cluster, &data);
    data
}

/// Drives each master's keyspace dict to the end of any incremental rehash (every lookup
/// moves a bucket), so that SCAN returns the keys in the same order to every tool: ties are
/// won by the key SCAN returns first.
fn settle(cluster: &TestCluster, data: &Dataset) {
    for m in 0..cluster.masters() {
        let mut pipe = redis::pipe();
        for _ in 0..4 {
            for made in data.keys.iter().filter(|k| k.master == m) {
                pipe.cmd("EXISTS").arg(&made.key).ignore();
            }
        }
        pipe.query::<()>(&mut cluster.node(m).conn()).unwrap();
    }
}

/// Creates `made` with exactly `made.size` bytes / items / members / fields / entries.
fn write_key(conn: &mut redis::Connection, made: &Made) {
    let n = made.size;
    let mut pipe = redis::pipe();
    match made.kind {
        "string" => {
            pipe.cmd("SET").arg(&made.key).arg("v".repeat(n as usize));
        }
        "list" => {
            let items: Vec<String> = (0..n).map(|i| format!("item-{i}")).collect();
            pipe.cmd("RPUSH").arg(&made.key).arg(items);
        }
        "set" => {
            let members: Vec<String> = (0..n).map(|i| format!("member-{i}")).collect();
            pipe.cmd("SADD").arg(&made.key).arg(members);
        }
        "zset" => {
            let cmd = pipe.cmd("ZADD").arg(&made.key);
            for i in 0..n {
                cmd.arg(i).arg(format!("member-{i}"));
            }
        }
        "hash" => {
            let cmd = pipe.cmd("HSET").arg(&made.key);
            for i in 0..n {
                cmd.arg(format!("field-{i}")).arg(format!("value-{i}"));
            }
        }
        "stream" => {
            for i in 0..n {
                pipe.cmd("XADD")
                    .arg(&made.key)
                    .arg(format!("1-{}", i + 1))
                    .arg("f")
                    .arg(i);
            }
        }
        other => panic!("unknown type {other}"),
    }
    pipe.ignore()
        .query::<()>(conn)
        .unwrap_or_else(|e| panic!("writing {}: {e}", show(&made.key)));
}

fn show(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

// ---------------------------------------------------------------------------------------------
// What the nodes hold, read by the test
// ---------------------------------------------------------------------------------------------

/// One key as measured by the test on a node.
#[derive(Clone, Debug, PartialEq)]
struct Measured {
    key: Vec<u8>,
    kind: String,
    size: u64,
    node: String,
    slot: u16,
}

/// Every key of each of `nodes` (in the order given, each in SCAN order) with its type and
/// its size: the length command's answer, or MEMORY USAGE with `memory`.
fn measure_nodes(cluster: &TestCluster, nodes: &[usize], memory: bool) -> Vec<Measured> {
    let mut out = Vec::new();
    for &i in nodes {
        let node = cluster.node(i);
        let mut conn = node.conn();
        redis::cmd("READONLY").query::<()>(&mut conn).unwrap();
        scan(&mut conn, |conn, keys| {
            for key in keys {
                let kind: String = redis::cmd("TYPE").arg(&key).query(conn).unwrap();
                let mut cmd = if memory {
                    let mut cmd = redis::cmd("MEMORY");
                    cmd.arg("USAGE");
                    cmd
                } else {
                    let t = TYPES.iter().position(|t| *t == kind).unwrap();
                    redis::cmd(["STRLEN", "LLEN", "SCARD", "ZCARD", "HLEN", "XLEN"][t])
                };
                let size: u64 = cmd.arg(&key).query(conn).unwrap();
                out.push(Measured {
                    slot: key_slot(&key),
                    key,
                    kind,
                    size,
                    node: node.addr(),
                });
            }
        });
    }
    out
}

/// Master indices sorted by address (the order rcluster merges nodes in, so the order in
/// which a tie between nodes is decided).
fn masters_by_addr(cluster: &TestCluster) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..cluster.masters()).collect();
    idx.sort_by_key(|&i| cluster.addr(i));
    idx
}

/// The first key of the biggest size of `kind` among `measured`.
fn first_biggest<'a>(measured: &'a [Measured], kind: &str) -> &'a Measured {
    let mut best: Option<&Measured> = None;
    for m in measured.iter().filter(|m| m.kind == kind) {
        if best.is_none_or(|b| m.size > b.size) {
            best = Some(m);
        }
    }
    best.unwrap_or_else(|| panic!("no {kind} key"))
}

/// Waits until every replica's replication offset and DBSIZE equal its master's.
fn wait_replicas_at_master_offset(cluster: &TestCluster) {
    for m in 0..cluster.masters() {
        for r in cluster.replicas_of(m) {
            wait_until("replica in sync", || {
                let offset = |i: usize| {
                    cluster
                        .node(i)
                        .info_field("replication", "master_repl_offset")
                        .unwrap()
                };
                cluster.node(r).cmd_str(&["DBSIZE"]) == cluster.node(m).cmd_str(&["DBSIZE"])
                    && offset(r) == offset(m)
            });
        }
    }
}

// ---------------------------------------------------------------------------------------------
// rcluster's answers
// ---------------------------------------------------------------------------------------------

/// `rcluster <cmd> <node 0> <extra...>`.
fn rcluster(cmd: &str, cluster: &TestCluster, extra: &[&str]) -> RunOutput {
    let mut argv = vec![cmd.to_string(), cluster.addr(0)];
    argv.extend(extra.iter().map(|s| s.to_string()));
    run(argv)
}

/// `rcluster <cmd> ... --json`, which must exit 0.
fn rcluster_json(cmd: &str, cluster: &TestCluster, extra: &[&str]) -> Value {
    let mut extra = extra.to_vec();
    extra.push("--json");
    let out = rcluster(cmd, cluster, &extra);
    out.assert_success();
    json(&out)
}

/// The JSON entry of `kind` in `doc["types"]`.
fn type_entry<'a>(doc: &'a Value, kind: &str) -> &'a Value {
    doc["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {doc:#}"))
}

/// A JSON key object as (key, size, node, slot).
fn key_tuple(k: &Value) -> (String, u64, String, u64) {
    (
        k["key"].as_str().unwrap().to_string(),
        k["size"].as_u64().unwrap(),
        k["node"].as_str().unwrap().to_string(),
        k["slot"].as_u64().unwrap(),
    )
}

fn measured_tuple(m: &Measured) -> (String, u64, String, u64) {
    (show(&m.key), m.size, m.node.clone(), u64::from(m.slot))
}

/// A key as redis-cli prints it (sdscatrepr), written here independently of rcluster.
fn repr(key: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in key {
        match b {
            b'\\' | b'"' => {
                out.push('\\');
                out.push(b as char);
            }
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b if b.is_ascii_graphic() || b == b' ' => out.push(b as char),
            b => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// redis-cli --bigkeys / --memkeys
// ---------------------------------------------------------------------------------------------

/// What redis-cli's summary says about one type.
#[derive(Clone, Debug, Default, PartialEq)]
struct CliType {
    /// (quoted key, size) of the biggest key, when there is one.
    biggest: Option<(String, u64)>,
    count: u64,
    total: u64,
}

/// redis-cli's summary: sampled keys, key bytes, and per type.
#[derive(Debug, Default)]
struct CliSummary {
    sampled: u64,
    key_bytes: u64,
    types: BTreeMap<String, CliType>,
}

/// Runs `redis-cli -h H -p P <mode>` on node `i` and parses its summary.
fn redis_cli_summary(cluster: &TestCluster, i: usize, mode: &str) -> CliSummary {
    let node = cluster.node(i);
    let out = cluster.redis_cli(["-h", node.host(), "-p", &node.port().to_string(), mode]);
    out.assert_success();
    parse_cli_summary(&out.stdout).unwrap_or_else(|e| panic!("{e}:\n{out}"))
}

fn parse_cli_summary(text: &str) -> Result<CliSummary, String> {
    let (_, summary) = text
        .split_once("-------- summary -------")
        .ok_or("no summary")?;
    let mut out = CliSummary::default();
    for line in summary.lines().map(str::trim_end) {
        let num = |s: &str| s.parse::<u64>().map_err(|e| format!("{line}: {e}"));
        if let Some(rest) = line.strip_prefix("Sampled ") {
            out.sampled = num(rest.split(' ').next().unwrap())?;
        } else if let Some(rest) = line.strip_prefix("Total key length in bytes is ") {
            out.key_bytes = num(rest.split(' ').next().unwrap())?;
        } else if let Some(rest) = line.strip_prefix("Biggest ") {
            // Biggest   hash found '"h"' has 2 fields
            let rest = rest.trim_start();
            let (kind, rest) = rest.split_once(" found '").ok_or(line)?;
            let (key, rest) = rest.rsplit_once("' has ").ok_or(line)?;
            let size = num(rest.split(' ').next().unwrap())?;
            out.types.entry(kind.to_string()).or_default().biggest = Some((key.to_string(), size));
        } else if let Some((count, rest)) = line.split_once(' ')
            && let Some((kinds, rest)) = rest.split_once(" with ")
            && let Ok(count) = count.parse::<u64>()
        {
            // 1 hashs with 2 fields (16.67% of keys, avg size 2.00)
            let kind = kinds.strip_suffix('s').ok_or(line)?;
            let total = num(rest.split(' ').next().unwrap())?;
            let entry = out.types.entry(kind.to_string()).or_default();
            entry.count = count;
            entry.total = total;
        }
    }
    if out.types.is_empty() {
        return Err("no type in the summary".into());
    }
    Ok(out)
}

/// Compares rcluster's JSON with redis-cli's summaries of each master (address order):
/// per type the first largest biggest key, and the sums of counts and totals.
fn assert_matches_redis_cli(cluster: &TestCluster, doc: &Value, mode: &str) {
    let order = masters_by_addr(cluster);
    let summaries: Vec<(usize, CliSummary)> = order
        .iter()
        .map(|&m| (m, redis_cli_summary(cluster, m, mode)))
        .collect();
    let sampled: u64 = summaries.iter().map(|(_, s)| s.sampled).sum();
    let key_bytes: u64 = summaries.iter().map(|(_, s)| s.key_bytes).sum();
    assert_eq!(doc["sampled"], sampled, "{mode}: sampled");
    assert_eq!(doc["key_bytes"], key_bytes, "{mode}: key_bytes");
    for kind in TYPES {
        let mut best: Option<(usize, String, u64)> = None;
        let (mut count, mut total) = (0, 0);
        for (m, s) in &summaries {
            let t = s.types.get(kind).cloned().unwrap_or_default();
            count += t.count;
            total += t.total;
            if let Some((key, size)) = t.biggest
                && best.as_ref().is_none_or(|b| size > b.2)
            {
                best = Some((*m, key, size));
            }
        }
        let ours = type_entry(doc, kind);
        assert_eq!(ours["count"], count, "{mode} {kind}: count vs redis-cli");
        assert_eq!(ours["total"], total, "{mode} {kind}: total vs redis-cli");
        let (m, key, size) = best.unwrap_or_else(|| panic!("redis-cli found no {kind}"));
        let big = &ours["biggest"][0];
        let (our_key, our_size, our_node, _) = key_tuple(big);
        assert_eq!(
            (repr(our_key.as_bytes()), our_size, our_node),
            (key, size, cluster.addr(m)),
            "{mode} {kind}: biggest vs redis-cli"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// (a) The champion of every type, in JSON and in text, and counts and totals per type.
#[test]
fn bigkeys_finds_each_types_biggest_key() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let data = load_dataset(&cluster);
    let lengths = measure_nodes(&cluster, &masters_by_addr(&cluster), false);
    assert_eq!(lengths.len(), data.keys.len(), "keys on the masters");

    let doc = rcluster_json("bigkeys", &cluster, &[]);
    assert_eq!(doc["measure"], "length");
    assert!(doc["seconds"].as_f64().unwrap() >= 0.0);
    let nodes = doc["nodes"].as_array().unwrap();
    let mut addrs: Vec<&str> = nodes.iter().map(|n| n["addr"].as_str().unwrap()).collect();
    addrs.sort();
    let mut masters = cluster.master_addrs();
    masters.sort();
    assert_eq!(addrs, masters, "nodes scanned");
    for n in nodes {
        let i = (0..3).find(|&i| cluster.addr(i) == n["addr"]).unwrap();
        assert_eq!(n["role"], "master");
        assert_eq!(n["id"], cluster.node(i).id());
        assert!(n["error"].is_null(), "{n}");
        assert_eq!(
            n["keys"].as_u64().unwrap(),
            data.keys.iter().filter(|k| k.master == i).count() as u64
        );
    }
    assert_eq!(doc["sampled"], data.keys.len() as u64);
    assert_eq!(doc["key_bytes"], data.key_bytes());
    let kinds: Vec<&str> = doc["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, TYPES, "types in redis-cli's order");

    let text = rcluster("bigkeys", &cluster, &[]);
    text.assert_success();
    let stdout = &text.stdout;
    assert!(
        stdout.contains(&format!(
            "Sampled {} keys in the keyspace!",
            data.keys.len()
        )),
        "{text}"
    );
    assert!(
        stdout.contains(&format!(
            "Total key length in bytes is {} (avg len {:.2})",
            data.key_bytes(),
            data.key_bytes() as f64 / data.keys.len() as f64
        )),
        "{text}"
    );

    for (t, kind) in TYPES.iter().enumerate() {
        let champion_master = CHAMPION_ON[t];
        // The champion is the biggest key of its master; for the twinned type, the one of the
        // pair that SCAN returns first.
        let expected = lengths
            .iter()
            .find(|m| m.kind == *kind && m.size == CHAMPION_SIZE[t])
            .unwrap();
        assert_eq!(expected.node, cluster.addr(champion_master));
        assert_eq!(expected, first_biggest(&lengths, kind));
        let made = data.find(&expected.key).unwrap();
        assert_eq!(made.master, champion_master);
        let prefix = if t == TWIN_TYPE { "" } else { "big:" };
        assert!(show(&expected.key).starts_with(prefix));

        let entry = type_entry(&doc, kind);
        assert_eq!(entry["unit"], UNITS[t]);
        assert_eq!(entry["count"], data.count(kind), "{kind} count");
        assert_eq!(entry["total"], data.total(kind), "{kind} total");
        let average = data.total(kind) as f64 / data.count(kind) as f64;
        assert!(
            (entry["average"].as_f64().unwrap() - average).abs() < 1e-9,
            "{kind} average {entry}"
        );
        let biggest = entry["biggest"].as_array().unwrap();
        assert_eq!(biggest.len(), 1, "--top defaults to 1: {entry}");
        assert_eq!(biggest[0]["type"], *kind);
        assert_eq!(key_tuple(&biggest[0]), measured_tuple(expected), "{kind}");
        assert_eq!(doc["top"][t], biggest[0], "top lists the biggest per type");

        let line = format!(
            "Biggest {kind:>6} found '{}' has {} {} (on {}, slot {})",
            repr(&expected.key),
            expected.size,
            UNITS[t],
            expected.node,
            expected.slot
        );
        assert!(stdout.contains(&line), "missing {line:?}:\n{text}");
        let line = format!(
            "{} {kind}s with {} {} ({:05.2}% of keys, avg size {average:.2})",
            data.count(kind),
            data.total(kind),
            UNITS[t],
            100.0 * data.count(kind) as f64 / data.keys.len() as f64,
        );
        assert!(stdout.contains(&line), "missing {line:?}:\n{text}");
        let row = table_row(stdout, &repr(&expected.key));
        for cell in [
            kind.to_string(),
            format!("{} {}", expected.size, UNITS[t]),
            expected.node.clone(),
            expected.slot.to_string(),
        ] {
            assert!(row.contains(&cell), "row {row:?} lacks {cell:?}");
        }
    }
    assert_eq!(doc["top"].as_array().unwrap().len(), TYPES.len());
}

/// The table line naming `quoted`, split into cells.
fn table_row(text: &str, quoted: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|l| !l.starts_with("Biggest") && l.contains(quoted))
        .unwrap_or_else(|| panic!("no table row for {quoted}:\n{text}"));
    line.split(['|', '│', '┆'])
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Table rows (lines with a key) in order, as cells.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let (_, after) = text
        .split_once("KEY")
        .unwrap_or_else(|| panic!("no table:\n{text}"));
    after
        .lines()
        .filter(|l| l.contains('"'))
        .map(|l| {
            l.split(['|', '│', '┆'])
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

/// (b) bigkeys and memkeys against redis-cli --bigkeys / --memkeys on each master, and
/// memkeys against MEMORY USAGE read key by key.
#[test]
fn bigkeys_and_memkeys_match_redis_cli_on_each_master() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let data = load_dataset(&cluster);
    let order = masters_by_addr(&cluster);

    let doc = rcluster_json("bigkeys", &cluster, &[]);
    let mem = rcluster_json("memkeys", &cluster, &[]);
    assert_eq!(mem["measure"], "memory");

    // MEMORY USAGE of every key, read by the test (masters in address order, SCAN order).
    let usage = measure_nodes(&cluster, &order, true);
    assert_eq!(mem["sampled"], usage.len() as u64);
    for kind in TYPES {
        let entry = type_entry(&mem, kind);
        let of_kind: Vec<&Measured> = usage.iter().filter(|m| m.kind == kind).collect();
        assert_eq!(entry["unit"], "bytes");
        assert_eq!(entry["count"], of_kind.len() as u64, "memkeys {kind} count");
        assert_eq!(entry["count"], data.count(kind), "memkeys {kind} count");
        assert_eq!(
            entry["total"],
            of_kind.iter().map(|m| m.size).sum::<u64>(),
            "memkeys {kind} total"
        );
        assert_eq!(
            key_tuple(&entry["biggest"][0]),
            measured_tuple(first_biggest(&usage, kind)),
            "memkeys {kind} biggest vs MEMORY USAGE"
        );
    }

    if !redis_cli_available() {
        eprintln!("redis-cli not found: skipping the comparison with redis-cli");
        return;
    }
    // Each master's own biggest key of each type is the one the data set made for it.
    for &m in &order {
        let s = redis_cli_summary(&cluster, m, "--bigkeys");
        for (t, kind) in TYPES.iter().enumerate() {
            let (key, size) = s.types[*kind].biggest.clone().unwrap();
            assert_eq!(size, local_biggest(t, m), "master {m} {kind}");
            let made = data
                .keys
                .iter()
                .find(|k| repr(&k.key) == key)
                .unwrap_or_else(|| panic!("redis-cli names {key}"));
            assert_eq!((made.master, made.size), (m, size));
        }
    }
    assert_matches_redis_cli(&cluster, &doc, "--bigkeys");
    assert_matches_redis_cli(&cluster, &mem, "--memkeys");
}

/// (c) --from-replicas scans one replica per shard and finds the same keys.
#[test]
fn from_replicas_scans_the_replicas() {
    let cluster = TestCluster::start(3, 1, NodeOpts::new());
    let data = load_dataset(&cluster);
    wait_replicas_at_master_offset(&cluster);

    let on_masters = rcluster_json("bigkeys", &cluster, &[]);
    let on_replicas = rcluster_json("bigkeys", &cluster, &["--from-replicas"]);
    let replica_of: HashMap<String, String> = (0..3)
        .map(|m| (cluster.addr(m), cluster.addr(cluster.replicas_of(m)[0])))
        .collect();
    let nodes = on_replicas["nodes"].as_array().unwrap();
    let mut addrs: Vec<&str> = nodes.iter().map(|n| n["addr"].as_str().unwrap()).collect();
    addrs.sort();
    let mut want: Vec<&str> = replica_of.values().map(String::as_str).collect();
    want.sort();
    assert_eq!(addrs, want, "one replica per shard");
    for n in nodes {
        assert_eq!(n["role"], "replica", "{n}");
        assert!(n["error"].is_null(), "{n}");
    }
    assert_eq!(on_replicas["sampled"], data.keys.len() as u64);
    for (t, kind) in TYPES.iter().enumerate() {
        let (rk, rsize, rnode, rslot) = key_tuple(&type_entry(&on_replicas, kind)["biggest"][0]);
        let (mk, msize, mnode, mslot) = key_tuple(&type_entry(&on_masters, kind)["biggest"][0]);
        assert_eq!(rsize, msize, "{kind}");
        assert_eq!(
            rnode, replica_of[&mnode],
            "{kind}: found on the master's replica"
        );
        if t == TWIN_TYPE {
            // The replica's SCAN order may differ (its own hash seed): either twin.
            let made = data.find(rk.as_bytes()).unwrap();
            assert_eq!((made.size, made.master), (rsize, CHAMPION_ON[t]), "{kind}");
            assert_eq!(rslot, u64::from(key_slot(&rk)));
        } else {
            assert_eq!((rk, rslot), (mk, mslot), "{kind}");
        }
        for key in ["count", "total"] {
            assert_eq!(
                type_entry(&on_replicas, kind)[key],
                type_entry(&on_masters, kind)[key],
                "{kind} {key}"
            );
        }
    }

    let mem = rcluster_json("memkeys", &cluster, &["--from-replicas", "--top", "3"]);
    let roles: Vec<&str> = mem["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["replica"; 3]);
    assert_eq!(mem["sampled"], data.keys.len() as u64);
    let replicas: Vec<usize> = (3..6).collect();
    let usage = measure_nodes(&cluster, &replicas, true);
    for k in mem["top"].as_array().unwrap() {
        let (key, size, node, _) = key_tuple(k);
        let m = usage
            .iter()
            .find(|m| show(&m.key) == key && m.node == node)
            .unwrap();
        assert_eq!(m.size, size, "{key} on {node}");
    }

    // A shard whose replica is down is scanned on its master, with a warning.
    let mut cluster = cluster;
    let lost = cluster.replicas_of(0)[0];
    cluster.kill(lost);
    let text = rcluster("bigkeys", &cluster, &["--from-replicas"]);
    text.assert_success();
    let warning = format!(
        "[WARNING] master {} has no healthy replica: scanning the master",
        cluster.addr(0)
    );
    assert!(text.stdout.contains(&warning), "{text}");
    assert!(
        text.stdout.contains(&format!(
            "Sampled {} keys in the keyspace!",
            data.keys.len()
        )),
        "{text}"
    );
    let doc = rcluster_json("bigkeys", &cluster, &["--from-replicas"]);
    let mut roles: Vec<(String, String)> = doc["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["addr"].as_str().unwrap().into(),
                n["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    roles.sort();
    let mut want: Vec<(String, String)> = vec![(cluster.addr(0), "master".into())];
    want.extend((1..3).map(|m| (cluster.addr(cluster.replicas_of(m)[0]), "replica".into())));
    want.sort();
    assert_eq!(roles, want);
    assert_eq!(doc["sampled"], data.keys.len() as u64);
}

/// (d) --top: biggest first, per type for bigkeys, overall for memkeys; -i works.
#[test]
fn top_lists_the_biggest_first_and_interval_works() {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let data = load_dataset(&cluster);

    let doc = rcluster_json("bigkeys", &cluster, &["--top", "3"]);
    let mut flat = Vec::new();
    for kind in TYPES {
        let biggest = type_entry(&doc, kind)["biggest"].as_array().unwrap();
        let sizes: Vec<u64> = biggest
            .iter()
            .map(|k| k["size"].as_u64().unwrap())
            .collect();
        let mut want: Vec<u64> = data.of_type(kind).map(|k| k.size).collect();
        want.sort_by(|a, b| b.cmp(a));
        want.truncate(3);
        assert_eq!(sizes, want, "{kind}: the 3 biggest, biggest first");
        let mut names: Vec<String> = Vec::new();
        for k in biggest {
            let (key, size, node, slot) = key_tuple(k);
            let made = data.find(key.as_bytes()).unwrap();
            assert_eq!((made.kind, made.size), (kind, size), "{key}");
            assert_eq!(node, cluster.addr(made.master), "{key}");
            assert_eq!(slot, u64::from(key_slot(&key)), "{key}");
            assert!(!names.contains(&key), "{key} listed twice");
            names.push(key);
        }
        flat.extend(biggest.iter().cloned());
    }
    assert_eq!(doc["top"].as_array().unwrap(), &flat);

    let text = rcluster("bigkeys", &cluster, &["--top", "3"]);
    text.assert_success();
    let rows = table_rows(&text.stdout);
    assert_eq!(rows.len(), 3 * TYPES.len(), "{text}");
    for (row, k) in rows.iter().zip(&flat) {
        let (key, size, node, slot) = key_tuple(k);
        assert_eq!(row[0], k["type"].as_str().unwrap(), "{row:?}");
        assert_eq!(row[1], repr(key.as_bytes()), "{row:?}");
        assert!(row[2].starts_with(&format!("{size} ")), "{row:?}");
        assert_eq!(row[3], node, "{row:?}");
        assert_eq!(row[4], slot.to_string(), "{row:?}");
    }

    let usage = measure_nodes(&cluster, &masters_by_addr(&cluster), true);
    let mem = rcluster_json("memkeys", &cluster, &["--top", "5"]);
    let top = mem["top"].as_array().unwrap();
    let sizes: Vec<u64> = top.iter().map(|k| k["size"].as_u64().unwrap()).collect();
    let mut want: Vec<u64> = usage.iter().map(|m| m.size).collect();
    want.sort_by(|a, b| b.cmp(a));
    want.truncate(5);
    assert_eq!(
        sizes, want,
        "memkeys --top 5: the 5 biggest overall, biggest first"
    );
    for k in top {
        let (key, size, node, slot) = key_tuple(k);
        let m = usage.iter().find(|m| show(&m.key) == key).unwrap();
        assert_eq!(
            (size, node, slot),
            (m.size, m.node.clone(), u64::from(m.slot)),
            "{key}"
        );
        assert_eq!(k["type"], m.kind.as_str());
    }
    let text = rcluster("memkeys", &cluster, &["--top", "5"]);
    text.assert_success();
    let rows = table_rows(&text.stdout);
    assert_eq!(rows.len(), 5, "{text}");
    for (row, k) in rows.iter().zip(top) {
        assert_eq!(row[1], repr(k["key"].as_str().unwrap().as_bytes()));
        assert_eq!(row[2], format!("{} bytes", k["size"]));
    }
    // Default memkeys --top is 10.
    let mem10 = rcluster_json("memkeys", &cluster, &[]);
    assert_eq!(mem10["top"].as_array().unwrap().len(), 10);

    // A pause after each SCAN batch changes nothing but the time taken.
    let slow = rcluster_json("bigkeys", &cluster, &["--top", "3", "-i", "0.001"]);
    assert_eq!(slow["types"], doc["types"]);
    assert_eq!(slow["top"], doc["top"]);
    let slow = rcluster_json(
        "memkeys",
        &cluster,
        &["--top", "5", "-i", "0.001", "--samples", "5"],
    );
    assert_eq!(slow["top"], mem["top"]);
    let all = rcluster_json("memkeys", &cluster, &["--samples", "0", "--parallel", "1"]);
    assert_eq!(all["sampled"], data.keys.len() as u64);
}

/// (d) Usage errors exit 2 before any connection is made.
#[test]
fn bad_options_exit_2() {
    let entry = "127.0.0.1:1";
    let cases: &[&[&str]] = &[
        &["bigkeys", entry, "-i", "-1"],
        &["bigkeys", entry, "-i=-1"],
        &["bigkeys", entry, "--interval", "-0.5"],
        &["bigkeys", entry, "-i", "abc"],
        &["bigkeys", entry, "-i", "nan"],
        &["bigkeys", entry, "-i", "inf"],
        &["bigkeys", entry, "--top", "0"],
        &["bigkeys", entry, "--top", "-1"],
        &["bigkeys", entry, "--top", "x"],
        &["bigkeys", entry, "--parallel", "0"],
        &["bigkeys", entry, "--samples", "5"],
        &["bigkeys", entry, "--nope"],
        &["bigkeys"],
        &["bigkeys", "not-an-address"],
        &["memkeys", entry, "--top", "0"],
        &["memkeys", entry, "-i=-1"],
        &["memkeys", entry, "--samples", "-1"],
        &["memkeys", entry, "--samples", "many"],
        &["memkeys"],
    ];
    for args in cases {
        let out = run(*args);
        assert_eq!(out.code, 2, "{args:?}:\n{out}");
        assert!(!out.stderr.trim().is_empty(), "{args:?}: no message\n{out}");
        assert!(out.stdout.trim().is_empty(), "{args:?}: stdout\n{out}");
    }
    let out = run(["bigkeys", entry, "--top", "0"]);
    assert!(all_text(&out).contains("--top"), "{out}");
    let out = run(["bigkeys", entry, "-i=-1"]);
    assert!(all_text(&out).contains("interval"), "{out}");
}

/// Checks a `bigkeys --json` run made after master `dead` of `cluster` was killed: exit 1,
/// every master listed, the dead one with an error, the others scanned in full.
fn check_dead_master_run(cluster: &TestCluster, data: &Dataset, dead: usize, out: &RunOutput) {
    let dead_addr = cluster.addr(dead);
    let survivors: Vec<&Made> = data.keys.iter().filter(|k| k.master != dead).collect();
    assert_eq!(out.code, 1, "{out}");
    let doc = json(out);
    let nodes = doc["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3, "every master listed:\n{out}");
    for n in nodes {
        if n["addr"] == dead_addr {
            assert!(n["error"].is_string(), "{n}\n{out}");
            assert_eq!(n["keys"], 0, "{n}");
        } else {
            let i = (0..3).find(|&i| cluster.addr(i) == n["addr"]).unwrap();
            let keys = data.keys.iter().filter(|k| k.master == i).count() as u64;
            assert!(n["error"].is_null(), "{n}\n{out}");
            assert_eq!(n["keys"], keys, "{n}\n{out}");
        }
    }
    assert_eq!(doc["sampled"], survivors.len() as u64, "{out}");
    for kind in TYPES {
        let entry = type_entry(&doc, kind);
        let of_kind = || survivors.iter().filter(|k| k.kind == kind);
        assert_eq!(entry["count"], of_kind().count() as u64, "{kind}");
        let max = of_kind().map(|k| k.size).max().unwrap();
        let (key, size, node, _) = key_tuple(&entry["biggest"][0]);
        assert_eq!(size, max, "{kind}\n{out}");
        assert_ne!(node, dead_addr, "{kind}");
        assert_eq!(data.find(key.as_bytes()).unwrap().size, max);
    }
}

/// (d) A killed master: exit 1, the node reported with its error, the others scanned, in
/// JSON and in text, at once and once the others flagged it failed (reads allowed then).
#[test]
fn killed_master_exits_1_and_reports_the_others() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    let data = load_dataset(&cluster);
    let dead = cluster.addr(2);
    cluster.kill(2);
    let survivors = data.keys.iter().filter(|k| k.master != 2).count();

    check_dead_master_run(
        &cluster,
        &data,
        2,
        &rcluster("bigkeys", &cluster, &["--json"]),
    );
    let text = rcluster("bigkeys", &cluster, &[]);
    assert_eq!(text.code, 1, "{text}");
    assert!(
        all_text(&text).contains(&format!("[ERR] {dead} could not be scanned")),
        "{text}"
    );
    assert!(
        text.stdout
            .contains(&format!("Sampled {survivors} keys in the keyspace!")),
        "{text}"
    );
    let mem = rcluster("memkeys", &cluster, &["--json"]);
    assert_eq!(mem.code, 1, "{mem}");
    assert_eq!(json(&mem)["sampled"], survivors as u64, "{mem}");

    wait_flagged_fail(&[cluster.node(0)], cluster.node(2).id());
    for i in 0..2 {
        cluster
            .node(i)
            .cmd(&["CONFIG", "SET", "cluster-allow-reads-when-down", "yes"]);
    }
    check_dead_master_run(
        &cluster,
        &data,
        2,
        &rcluster("bigkeys", &cluster, &["--json"]),
    );
}

/// A master killed and flagged failed leaves the cluster down (full coverage required): the
/// other masters answer SCAN but refuse TYPE with CLUSTERDOWN. rcluster must then report
/// those nodes as not scanned (or scan them), not as scanned with 0 keys.
#[test]
fn cluster_down_is_not_reported_as_empty_masters() {
    let mut cluster = TestCluster::start(3, 0, NodeOpts::new());
    let data = load_dataset(&cluster);
    cluster.kill(2);
    wait_flagged_fail(&[cluster.node(0)], cluster.node(2).id());
    let some_key = show(&data.keys.iter().find(|k| k.master == 0).unwrap().key);
    let refused = cluster.node(0).try_cmd(&["TYPE", &some_key]);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().to_uppercase().contains("CLUSTERDOWN")),
        "precondition: TYPE refused while the cluster is down, got {refused:?}"
    );
    let out = rcluster("bigkeys", &cluster, &["--json"]);
    assert_eq!(out.code, 1, "{out}");
    let doc = json(&out);
    for n in doc["nodes"].as_array().unwrap() {
        let i = (0..3).find(|&i| cluster.addr(i) == n["addr"]).unwrap();
        let keys = data.keys.iter().filter(|k| k.master == i).count() as u64;
        assert!(
            n["error"].is_string() || n["keys"] == keys,
            "{} holds {keys} keys, reported as scanned with {} and no error:\n{out}",
            n["addr"],
            n["keys"]
        );
    }
}

/// Odd key names, one biggest key of each type.
const ODD_NAMES: [&[u8]; 6] = [
    b"a\"b",
    b"new\nline",
    b"sp ace",
    b"back\\slash",
    b"tab\there\x01\x07\x08\r",
    b"caf\xc3\xa9 {tag}",
];

/// (e) Odd key names are quoted like redis-cli quotes them.
#[test]
fn odd_key_names_are_quoted_like_redis_cli() {
    odd_names(&ODD_NAMES);
}

/// (e) A key that is not UTF-8 is quoted byte for byte, as redis-cli does (`"\xff\x00"`).
#[test]
fn non_utf8_key_names_are_quoted_byte_for_byte() {
    odd_names(&[b"\xff\x00bin", b"l\x80", b"s", b"z", b"h", b"x"]);
}

/// Makes `names[t]` the biggest key of type t in a 3-master cluster (each on the master
/// serving its slot) and checks that rcluster's summary and table lines and redis-cli's
/// summary of that master name it the same way.
fn odd_names(names: &[&[u8]; 6]) {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    let owners = cluster.slot_owners();
    let owner = |key: &[u8]| owners[usize::from(key_slot(key))].unwrap();
    for (t, name) in names.iter().enumerate() {
        for (key, size) in [(name.to_vec(), 20), (format!("plain:{t}").into_bytes(), 3)] {
            let made = Made {
                master: owner(&key),
                key,
                kind: TYPES[t],
                size,
            };
            write_key(&mut cluster.node(made.master).conn(), &made);
        }
    }
    let text = rcluster("bigkeys", &cluster, &[]);
    text.assert_success();
    let cli: Vec<Option<CliSummary>> = (0..3)
        .map(|m| redis_cli_available().then(|| redis_cli_summary(&cluster, m, "--bigkeys")))
        .collect();
    for (t, name) in names.iter().enumerate() {
        let kind = TYPES[t];
        let line = format!(
            "Biggest {kind:>6} found '{}' has 20 {} (on {}, slot {})",
            repr(name),
            UNITS[t],
            cluster.addr(owner(name)),
            key_slot(name)
        );
        assert!(text.stdout.contains(&line), "missing {line:?}:\n{text}");
        let row = table_row(&text.stdout, &repr(name));
        assert_eq!(row[1], repr(name));
        if let Some(cli) = &cli[owner(name)] {
            let (key, size) = cli.types[kind].biggest.clone().unwrap();
            assert_eq!((key, size), (repr(name), 20), "redis-cli {kind}");
        }
    }
    let doc = rcluster_json("bigkeys", &cluster, &[]);
    for (t, name) in names.iter().enumerate() {
        let big = &type_entry(&doc, TYPES[t])["biggest"][0];
        assert_eq!(big["slot"], key_slot(name), "{}", repr(name));
        if let Ok(name) = std::str::from_utf8(name) {
            assert_eq!(big["key"], name);
        }
    }
}

/// A cluster of a single master that never met another node: its CLUSTER NODES line about
/// itself has no IP (`:port@bus`), but rcluster was given its address as the entry.
#[test]
fn one_node_cluster_is_scanned_through_its_entry_address() {
    let cluster = TestCluster::start(1, 0, NodeOpts::new());
    let keys = cluster.populate(50, "k");
    let doc = rcluster_json("bigkeys", &cluster, &[]);
    assert_eq!(doc["sampled"], keys.len() as u64);
    assert_eq!(doc["nodes"][0]["addr"], cluster.addr(0));
}
