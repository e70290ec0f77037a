//! `rebalance --by`: balancing what lives in the slots (memory, CPU) rather than their count,
//! against slot-count rebalancing (rcluster's and redis-cli's), with every key kept.

use std::collections::BTreeMap;

use crate::common::{
    NodeOpts, TestCluster, digest, json, key_slot, load_keys, redis_cli, redis_cli_available, run,
    write_pairs,
};

/// Bytes of each big value.
const BIG_VALUE: usize = 8 * 1024;

/// One key name per slot of `slots` (a hash tag found by trying `{<prefix><i>}`).
fn key_per_slot(prefix: &str, slots: std::ops::Range<u16>) -> BTreeMap<u16, String> {
    let mut keys = BTreeMap::new();
    let wanted = usize::from(slots.end - slots.start);
    for i in 0.. {
        let key = format!("{{{prefix}{i}}}");
        let slot = key_slot(&key);
        if slots.contains(&slot) {
            keys.entry(slot).or_insert(key);
            if keys.len() == wanted {
                break;
            }
        }
    }
    keys
}

/// A 3-master cluster with 20000 small keys everywhere and a big value in each of slots
/// 0..3000, all served by the first master (about 24 MB there, under 1 MB elsewhere).
fn memory_skewed_cluster() -> TestCluster {
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 20_000, "small", 24);
    let owners = cluster.slot_owners();
    let big = key_per_slot("big", 0..3000);
    assert!(big.keys().all(|&s| owners[usize::from(s)] == Some(0)));
    write_pairs(
        cluster.node(0),
        big.into_values().map(|k| (k, "v".repeat(BIG_VALUE))),
    );
    cluster
}

/// Each master's `used_memory`.
fn used_memory(cluster: &TestCluster) -> Vec<u64> {
    (0..cluster.masters())
        .map(|i| {
            cluster
                .node(i)
                .info_field("memory", "used_memory")
                .and_then(|v| v.parse().ok())
                .expect("used_memory")
        })
        .collect()
}

/// The largest distance from the mean, as a fraction of the mean.
fn spread_from_mean(values: &[u64]) -> f64 {
    let mean = values.iter().sum::<u64>() as f64 / values.len() as f64;
    values
        .iter()
        .map(|&v| (v as f64 - mean).abs() / mean)
        .fold(0.0, f64::max)
}

#[test]
fn rebalance_by_memory_evens_memory_where_slot_counts_do_not() {
    let cluster = memory_skewed_cluster();
    let entry = cluster.addr(1);
    let before = digest(&cluster);
    let check = run(["check", &entry]);
    check.assert_success();
    assert!(
        check.stdout.contains(&format!(
            "[WARNING] Unbalanced memory: {} holds",
            cluster.addr(0)
        )),
        "check does not warn about the skew:\n{check}"
    );

    // Slot counts are even: rcluster's and redis-cli's rebalance see nothing to do.
    let by_slots = run(["rebalance", &entry]);
    by_slots.assert_success();
    assert!(
        by_slots.stdout.contains("No rebalancing needed"),
        "{by_slots}"
    );
    if redis_cli_available() {
        let oracle = redis_cli(cluster.opts(), ["--cluster", "rebalance", &entry]);
        assert!(oracle.success(), "{oracle}");
    }
    let skewed = used_memory(&cluster);
    assert!(
        spread_from_mean(&skewed) > 0.5,
        "setup: memory is not skewed: {skewed:?}"
    );

    // The plan shows each master's memory before and after, and changes nothing.
    let dry = run(["rebalance", &entry, "--by", "memory", "--dry-run", "--json"]);
    dry.assert_success();
    let doc = json(&dry);
    assert_eq!(doc["by"], "memory", "{doc}");
    assert!(
        doc["load"]["imbalance_before"].as_f64().unwrap() > 1.5,
        "{doc}"
    );
    assert!(
        doc["load"]["imbalance_after"].as_f64().unwrap() < 1.05,
        "{doc}"
    );
    assert_eq!(used_memory(&cluster).len(), 3);
    digest(&cluster).assert_same_data_as(&before);

    let moved = run(["rebalance", &entry, "--by", "memory"]);
    moved.assert_success();
    let after = used_memory(&cluster);
    assert!(
        spread_from_mean(&after) <= 0.10,
        "used memory not within 10% of the mean after rebalance --by memory: {after:?} \
         (before {skewed:?})\n{moved}"
    );
    digest(&cluster).assert_same_data_as(&before);
    let check = run(["check", &entry]);
    check.assert_success();
    assert!(!check.stdout.contains("Unbalanced memory"), "{check}");
}
