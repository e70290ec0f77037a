//! Data checks for tests that move keys: a digest of every key and value in the cluster,
//! taken independently of rcluster (SCAN + DUMP on each master).

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
}

/// Digest of the data on every alive node that calls itself a master.
pub fn digest(cluster: &TestCluster) -> Digest {
    let alive: Vec<&Node> = cluster
        .alive()
        .into_iter()
        .map(|i| cluster.node(i))
        .collect();
    digest_nodes(&alive)
}

/// Digest of the data on the nodes of `nodes` that answer and call themselves masters.
pub fn digest_nodes(nodes: &[&Node]) -> Digest {
    let mut all: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
    let mut duplicates = Vec::new();
    for node in nodes {
        if role(node).as_deref() != Some("master") {
            continue;
        }
        for (key, value) in dump_all(node) {
            if all.insert(key.clone(), value).is_some() {
                duplicates.push(String::from_utf8_lossy(&key).into_owned());
            }
        }
    }
    let mut hasher = DefaultHasher::new();
    for (key, value) in &all {
        key.hash(&mut hasher);
        value.hash(&mut hasher);
    }
    Digest {
        keys: all.len() as u64,
        hash: hasher.finish(),
        duplicates,
    }
}

/// (key, DUMP payload) of every key of one node.
pub fn dump_all(node: &Node) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut conn = node.conn();
    let mut out = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("COUNT")
            .arg(1000)
            .query(&mut conn)
            .expect("SCAN");
        if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("DUMP").arg(key);
            }
            let values: Vec<Option<Vec<u8>>> = pipe.query(&mut conn).expect("DUMP");
            for (key, value) in keys.into_iter().zip(values) {
                if let Some(value) = value {
                    out.push((key, value));
                }
            }
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    out
}

/// Writes `n` keys spread over every slot, `"{prefix}:{i}"` = `"value-{i}"` padded to about
/// `value_len` bytes, straight to each slot's owner; returns how many were written.
pub fn load_keys(cluster: &TestCluster, n: usize, prefix: &str, value_len: usize) -> usize {
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
        for (&idx, pairs) in &per_node {
            s.spawn(move || {
                let mut conn = cluster.node(idx).conn();
                for chunk in pairs.chunks(1000) {
                    let mut pipe = redis::pipe();
                    for (k, v) in chunk {
                        pipe.cmd("SET").arg(k).arg(v).ignore();
                    }
                    pipe.query::<()>(&mut conn).expect("SET");
                }
            });
        }
    });
    written
}

/// `(master, slot, keys)` for every slot in which a master among `nodes` (those that answer
/// and call themselves masters) holds keys without serving it in its own view
/// (COUNTKEYSINSLOT over all slots, pipelined).
pub fn misplaced_keys(nodes: &[&Node]) -> Vec<(String, u16, u64)> {
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
        let mut conn = node.conn();
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

/// `role` from INFO replication, or `None` when the node does not answer.
fn role(node: &Node) -> Option<String> {
    node.try_cmd(&["INFO", "replication"])
        .ok()
        .and_then(|v| redis::from_redis_value::<String>(v).ok())
        .and_then(|info| super::info_value(&info, "role"))
}
