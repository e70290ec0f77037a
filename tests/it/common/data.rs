//! Data checks for tests that move keys: a digest of every key and value in the cluster,
//! taken independently of rcluster (SCAN + DUMP on each master), and values comparable key
//! by key across servers ([`KeyValue`]).

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::cluster::TestCluster;
use super::node::Node;

/// Every key of the cluster and a hash of all keys with their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    /// Number of keys over all masters.
    pub keys: u64,
    /// Hash of the sorted (key, DUMP payload) pairs.
    pub hash: u64,
    /// Keys found on more than one master (must stay empty).
    pub duplicates: Vec<String>,
    /// Each key with a hash of its DUMP payload, to name the keys that differ.
    pub values: BTreeMap<Vec<u8>, u64>,
}

impl Digest {
    /// Panics unless no key is on two masters and the keys and their DUMP payloads are those
    /// of `before`.
    pub fn assert_same_data_as(&self, before: &Digest) {
        assert!(
            self.duplicates.is_empty(),
            "keys on more than one master: {:?}",
            &self.duplicates[..self.duplicates.len().min(20)]
        );
        assert_eq!(
            self.keys,
            before.keys,
            "key count changed; missing (key, slot): {:?}; new: {:?}",
            named_keys(
                before
                    .values
                    .keys()
                    .filter(|k| !self.values.contains_key(*k))
            ),
            named_keys(
                self.values
                    .keys()
                    .filter(|k| !before.values.contains_key(*k))
            ),
        );
        let changed = self
            .values
            .iter()
            .filter(|(k, v)| before.values.get(*k).is_some_and(|b| b != *v))
            .map(|(k, _)| k);
        assert_eq!(
            self.hash,
            before.hash,
            "some value changed: {:?}",
            named_keys(changed)
        );
    }
}

/// Up to 20 of `keys` as (key, slot), for failure messages.
fn named_keys<'a>(keys: impl Iterator<Item = &'a Vec<u8>>) -> Vec<(String, u16)> {
    keys.take(20)
        .map(|k| (String::from_utf8_lossy(k).into_owned(), super::key_slot(k)))
        .collect()
}

/// Digest of the data on every alive node that calls itself a master.
pub fn digest(cluster: &TestCluster) -> Digest {
    digest_nodes(&cluster.alive_nodes())
}

/// Digest of the data on the nodes of `nodes` that answer and call themselves masters.
pub fn digest_nodes(nodes: &[&Node]) -> Digest {
    digest_nodes_in(nodes, 0)
}

/// [`digest_nodes`] of database `db` (Valkey >= 9.0 `cluster-databases`).
pub fn digest_nodes_in(nodes: &[&Node], db: u32) -> Digest {
    let mut all: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for node in nodes {
        if role(node).as_deref() != Some("master") {
            continue;
        }
        for (key, value) in dump_all_in(node, db) {
            if all.insert(key.clone(), value).is_some() {
                duplicates.push(String::from_utf8_lossy(&key).into_owned());
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    let mut values = BTreeMap::new();
    for (key, value) in &all {
        key.hash(&mut hasher);
        value.hash(&mut hasher);
        let mut one = DefaultHasher::new();
        value.hash(&mut one);
        values.insert(key.clone(), one.finish());
    }
    Digest {
        keys: all.len() as u64,
        hash: hasher.finish(),
        duplicates,
        values,
    }
}

/// (key, DUMP payload) of every key of one node.
pub fn dump_all(node: &Node) -> Vec<(Vec<u8>, Vec<u8>)> {
    dump_all_in(node, 0)
}

/// (key, DUMP payload) of every key of database `db` of one node.
pub fn dump_all_in(node: &Node, db: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    scan(&mut conn_in(node, db), |conn, keys| {
        let mut pipe = redis::pipe();
        for key in &keys {
            pipe.cmd("DUMP").arg(key);
        }
        let values: Vec<Option<Vec<u8>>> = pipe.query(conn).expect("DUMP");
        for (key, value) in keys.into_iter().zip(values) {
            if let Some(value) = value {
                out.push((key, value));
            }
        }
    });
    out
}

/// Runs a full SCAN (COUNT 1000) of the database of `conn`, handing each non-empty batch of
/// keys to `batch` with the connection.
pub fn scan(
    conn: &mut redis::Connection,
    mut batch: impl FnMut(&mut redis::Connection, Vec<Vec<u8>>),
) {
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(1000)
            .query(conn)
            .expect("SCAN");
        if !keys.is_empty() {
            batch(conn, keys);
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
}

/// One key as read from a server, comparable with the same key read from another server
/// (see [`KeyValue::same_value`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// DUMP payload.
    pub dump: Vec<u8>,
    /// True when the key has a TTL.
    pub ttl: bool,
    /// TYPE.
    pub kind: String,
    /// OBJECT ENCODING.
    pub encoding: String,
    /// For hashtable-encoded sets and hashes: the sorted members (`field\0value` for hashes);
    /// empty for other keys. Their DUMP lists members in hash-table order, which depends on
    /// each server's random hash seed, so two servers holding the same value give different
    /// payloads.
    pub members: Vec<Vec<u8>>,
}

impl KeyValue {
    /// Same value (TTL aside): the same DUMP payload, or for hashtable-encoded sets and hashes
    /// the same type and members.
    pub fn same_value(&self, other: &KeyValue) -> bool {
        self.dump == other.dump
            || (self.is_hashtable()
                && other.is_hashtable()
                && self.kind == other.kind
                && self.members == other.members)
    }

    /// A hashtable-encoded set or hash, compared by [`KeyValue::members`].
    fn is_hashtable(&self) -> bool {
        matches!(self.kind.as_str(), "set" | "hash") && self.encoding == "hashtable"
    }
}

/// Every key of a database with its [`KeyValue`].
pub type KeyValues = BTreeMap<Vec<u8>, KeyValue>;

/// [`KeyValues`] of the database `conn` is connected to (SCAN, then [`read_key_values`]).
pub fn key_values(conn: &mut redis::Connection) -> KeyValues {
    let mut out = KeyValues::new();
    scan(conn, |conn, keys| {
        for (key, value) in keys.iter().zip(read_key_values(conn, &keys)) {
            if let Some((value, _)) = value {
                out.insert(key.clone(), value);
            }
        }
    });
    out
}

/// Each of `keys` as a [`KeyValue`] with its PTTL, `None` when it does not exist (two
/// pipelines: DUMP, PTTL, TYPE and OBJECT ENCODING of all, then the members of hashtables).
pub fn read_key_values(
    conn: &mut redis::Connection,
    keys: &[Vec<u8>],
) -> Vec<Option<(KeyValue, i64)>> {
    if keys.is_empty() {
        return Vec::new();
    }
    let mut pipe = redis::pipe();
    for key in keys {
        pipe.cmd("DUMP").arg(key);
        pipe.cmd("PTTL").arg(key);
        pipe.cmd("TYPE").arg(key);
        pipe.cmd("OBJECT").arg("ENCODING").arg(key);
    }
    let replies: Vec<redis::Value> = pipe.query(conn).expect("DUMP/PTTL/TYPE/OBJECT");
    let mut out: Vec<Option<(KeyValue, i64)>> = replies
        .chunks(4)
        .map(|r| {
            let dump: Option<Vec<u8>> = redis::from_redis_value(r[0].clone()).expect("DUMP");
            let pttl: i64 = redis::from_redis_value(r[1].clone()).expect("PTTL");
            let kind: String = redis::from_redis_value(r[2].clone()).expect("TYPE");
            let encoding: Option<String> = redis::from_redis_value(r[3].clone()).expect("OBJECT");
            let value = KeyValue {
                dump: dump?,
                ttl: pttl > 0,
                kind,
                encoding: encoding?,
                members: Vec::new(),
            };
            Some((value, pttl))
        })
        .collect();
    let tables: Vec<usize> = (0..keys.len())
        .filter(|&i| matches!(&out[i], Some((v, _)) if v.is_hashtable()))
        .collect();
    if !tables.is_empty() {
        let mut pipe = redis::pipe();
        for &i in &tables {
            match out[i].as_ref().unwrap().0.kind.as_str() {
                "set" => pipe.cmd("SMEMBERS").arg(&keys[i]),
                _ => pipe.cmd("HGETALL").arg(&keys[i]),
            };
        }
        let replies: Vec<Vec<Vec<u8>>> = pipe.query(conn).expect("SMEMBERS/HGETALL");
        for (&i, flat) in tables.iter().zip(replies) {
            let (value, _) = out[i].as_mut().unwrap();
            let mut members: Vec<Vec<u8>> = if value.kind == "hash" {
                flat.chunks(2)
                    .map(|fv| [fv[0].as_slice(), b"\0", fv[1].as_slice()].concat())
                    .collect()
            } else {
                flat
            };
            members.sort();
            value.members = members;
        }
    }
    out
}

/// `CLUSTER COUNTKEYSINSLOT slot` on one node (works whether or not it serves the slot).
pub fn count_in_slot(node: &Node, slot: u16) -> u64 {
    node.cmd_str(&["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()])
        .parse()
        .unwrap()
}

/// Writes `pairs` to `node` with pipelined SETs (the node must accept them: it serves their
/// slots or imports them).
pub fn write_pairs(node: &Node, pairs: impl IntoIterator<Item = (String, String)>) {
    write_pairs_in(node, 0, pairs);
}

/// [`write_pairs`] into database `db` (Valkey >= 9.0 `cluster-databases`).
pub fn write_pairs_in(node: &Node, db: u32, pairs: impl IntoIterator<Item = (String, String)>) {
    let pairs: Vec<(String, String)> = pairs.into_iter().collect();
    let mut conn = conn_in(node, db);
    for chunk in pairs.chunks(1000) {
        let mut pipe = redis::pipe();
        for (k, v) in chunk {
            pipe.cmd("SET").arg(k).arg(v).ignore();
        }
        pipe.query::<()>(&mut conn).expect("SET");
    }
}

/// Writes `n` keys spread over every slot, `"{prefix}:{i}"` = `"value-{i}"` padded to about
/// `value_len` bytes, straight to each slot's owner; returns how many were written.
pub fn load_keys(cluster: &TestCluster, n: usize, prefix: &str, value_len: usize) -> usize {
    load_keys_in(cluster, 0, n, prefix, value_len)
}

/// [`load_keys`] into database `db` (Valkey >= 9.0 `cluster-databases`).
pub fn load_keys_in(
    cluster: &TestCluster,
    db: u32,
    n: usize,
    prefix: &str,
    value_len: usize,
) -> usize {
    let owners = cluster.slot_owners();
    let mut per_node: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for i in 0..n {
        let key = format!("{prefix}:{i}");
        if let Some(owner) = owners[usize::from(super::key_slot(&key))] {
            let mut value = format!("value-{i}-");
            while value.len() < value_len {
                value.push('x');
            }
            per_node.entry(owner).or_default().push((key, value));
        }
    }
    let written = per_node.values().map(Vec::len).sum();
    std::thread::scope(|s| {
        for (idx, pairs) in per_node {
            s.spawn(move || write_pairs_in(cluster.node(idx), db, pairs));
        }
    });
    written
}

/// `(master, slot, keys)` for every slot in which a master among `nodes` (those that answer
/// and call themselves masters) holds keys without serving it in its own view
/// (COUNTKEYSINSLOT over all slots, pipelined).
pub fn misplaced_keys(nodes: &[&Node]) -> Vec<(String, u16, u64)> {
    misplaced_keys_in(nodes, 0)
}

/// [`misplaced_keys`] in database `db`.
pub fn misplaced_keys_in(nodes: &[&Node], db: u32) -> Vec<(String, u16, u64)> {
    let mut out = Vec::new();
    for node in nodes {
        if role(node).as_deref() != Some("master") {
            continue;
        }
        let served: std::collections::BTreeSet<u16> = node
            .cluster_nodes()
            .into_iter()
            .find(|l| l.id == node.id())
            .map(|l| l.slots.into_iter().flatten().collect())
            .unwrap_or_default();
        let mut conn = conn_in(node, db);
        let all: Vec<u16> = (0..super::SLOTS).collect();
        for chunk in all.chunks(4096) {
            let mut pipe = redis::pipe();
            for &s in chunk {
                pipe.cmd("CLUSTER").arg("COUNTKEYSINSLOT").arg(s);
            }
            let counts: Vec<u64> = pipe.query(&mut conn).expect("COUNTKEYSINSLOT");
            for (&s, n) in chunk.iter().zip(counts) {
                if n > 0 && !served.contains(&s) {
                    out.push((node.addr(), s, n));
                }
            }
        }
    }
    out
}

/// `role` from INFO replication ("master"/"slave"), or `None` when the node does not answer.
pub fn role(node: &Node) -> Option<String> {
    node.try_cmd(&["INFO", "replication"])
        .ok()
        .and_then(|v| redis::from_redis_value::<String>(v).ok())
        .and_then(|info| super::info_value(&info, "role"))
}

/// A new connection to `node` with database `db` selected (no SELECT for database 0).
pub fn conn_in(node: &Node, db: u32) -> redis::Connection {
    let mut conn = node.conn();
    if db != 0 {
        redis::cmd("SELECT")
            .arg(db)
            .query::<()>(&mut conn)
            .unwrap_or_else(|e| panic!("SELECT {db} on {}: {e}", node.addr()));
    }
    conn
}

/// The bytes of lower-case hexadecimal text (`fix --conflicts-file`'s `dump_hex`).
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hexadecimal text"))
        .collect()
}
