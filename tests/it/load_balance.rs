//! `rebalance --by`: balancing what lives in the slots (memory, CPU) rather than their count,
//! against slot-count rebalancing (rcluster's and redis-cli's), with every key kept.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{
    Feature, NodeOpts, TestCluster, digest, json, key_slot, load_keys, redis_cli,
    redis_cli_available, require, run, write_pairs,
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

/// Each master's memory for data, `used_memory_dataset`: `used_memory` less what the server
/// uses for itself, which differs between servers by megabytes (Redis 8.2 starts at 13 MB,
/// and a master that received slots keeps buffers of the transfer) and says nothing about
/// where the keys are.
fn data_memory(cluster: &TestCluster) -> Vec<u64> {
    (0..cluster.masters())
        .map(|i| {
            cluster
                .node(i)
                .info_field("memory", "used_memory_dataset")
                .and_then(|v| v.parse().ok())
                .expect("used_memory_dataset")
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
    let skewed = data_memory(&cluster);

    // load shows it: the first master's memory share, the heat map, an SVG report.
    let dir = tempfile::tempdir().expect("temp dir");
    let svg = dir.path().join("heat.svg");
    let load = run(["load", &entry, "--svg", svg.to_str().expect("utf-8 path")]);
    load.assert_success();
    assert!(
        load.stdout.contains(">>> Heat map of memory per slot"),
        "{load}"
    );
    let doc = std::fs::read_to_string(&svg).expect("the SVG file");
    assert!(
        doc.contains("<svg") && doc.trim_end().ends_with("</svg>"),
        "{doc}"
    );
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
    assert_eq!(data_memory(&cluster).len(), 3);
    digest(&cluster).assert_same_data_as(&before);

    let moved = run(["rebalance", &entry, "--by", "memory"]);
    moved.assert_success();
    let after = data_memory(&cluster);
    assert!(
        spread_from_mean(&after) <= 0.10,
        "data memory not within 10% of the mean after rebalance --by memory: {after:?} \
         (before {skewed:?})\n{moved}"
    );
    digest(&cluster).assert_same_data_as(&before);
    let check = run(["check", &entry]);
    check.assert_success();
    assert!(!check.stdout.contains("Unbalanced memory"), "{check}");
}

/// GETs per second each of the four hammer connections sends, well below what the servers
/// can serve: each key's rate then stays the same wherever its slot moves.
const HAMMER_RATE: u32 = 2000;

/// GETs `keys` from four cluster-client connections until `stop`, each key as often as the
/// others (keys dealt out round-robin, each connection paced to [`HAMMER_RATE`]); errors
/// are ignored (slots move meanwhile).
fn hammer(seeds: &[String], keys: &[String], stop: &AtomicBool) {
    thread::scope(|s| {
        for t in 0..4 {
            let mine: Vec<&String> = keys.iter().skip(t).step_by(4).collect();
            s.spawn(move || {
                let seeds: Vec<String> = seeds.iter().map(|a| format!("redis://{a}")).collect();
                let client = redis::cluster::ClusterClient::new(seeds).expect("cluster client");
                let mut conn = client.get_connection().expect("cluster connection");
                let pass = Duration::from_secs_f64(mine.len() as f64 / f64::from(HAMMER_RATE));
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    for key in &mine {
                        let _: redis::RedisResult<Option<String>> =
                            redis::cmd("GET").arg(*key).query(&mut conn);
                    }
                    thread::sleep(pass.saturating_sub(started.elapsed()));
                }
            });
        }
    });
}

/// Each master's share of the CPU in a `load --by cpu --json` reading of `window` seconds.
fn cpu_shares(entry: &str, window: &str) -> Vec<f64> {
    let out = run([
        "load",
        entry,
        "--by",
        "cpu",
        "--window",
        window,
        "--enable-slot-stats",
        "--json",
    ]);
    out.assert_success();
    let doc = json(&out);
    doc["masters"]
        .as_array()
        .expect("masters")
        .iter()
        .map(|m| m["load"]["cpu"]["share"].as_f64().expect("cpu share"))
        .collect()
}

/// Per master, the median of its shares in `readings`. CPU per slot is the time its
/// commands took, preemption of the server included: on a loaded machine one window can
/// charge a few milliseconds to whichever slot was running, and the median of three readings
/// leaves such a spike out.
fn median_shares(readings: Vec<Vec<f64>>) -> Vec<f64> {
    (0..readings[0].len())
        .map(|m| {
            let mut v: Vec<f64> = readings.iter().map(|r| r[m]).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        })
        .collect()
}

#[test]
fn rebalance_by_cpu_spreads_hot_slots() {
    require!(Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 5000, "small", 24);
    let hot: Vec<String> = key_per_slot("hot", 0..200).into_values().collect();
    write_pairs(
        cluster.node(0),
        hot.iter().map(|k| (k.clone(), "v".repeat(64))),
    );
    let entry = cluster.addr(1);
    let before = digest(&cluster);
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| hammer(&cluster.addrs(), &hot, &stop));
        thread::sleep(Duration::from_millis(500));
        let skewed = cpu_shares(&entry, "3");
        assert!(
            skewed[0] > 0.8,
            "setup: the first master is not the hot one: {skewed:?}"
        );

        let moved = run([
            "rebalance",
            &entry,
            "--by",
            "cpu",
            "--window",
            "6",
            "--enable-slot-stats",
        ]);
        moved.assert_success();
        thread::sleep(Duration::from_secs(1));
        let after = median_shares((0..3).map(|_| cpu_shares(&entry, "3")).collect());
        stop.store(true, Ordering::Relaxed);
        let mean = 1.0 / after.len() as f64;
        assert!(
            after.iter().all(|s| (s - mean).abs() <= 0.15 * mean),
            "CPU shares not within 15% of the mean after rebalance --by cpu: {after:?} \
             (before {skewed:?})\n{moved}"
        );
    });
    digest(&cluster).assert_same_data_as(&before);
}

#[test]
fn a_slot_hotter_than_a_share_is_reported_not_moved() {
    require!(Feature::SlotStats);
    let cluster = TestCluster::start(3, 0, NodeOpts::new());
    load_keys(&cluster, 3000, "small", 24);
    let hot = key_per_slot("one", 100..101)
        .into_values()
        .next()
        .expect("a key");
    write_pairs(cluster.node(0), [(hot.clone(), "v".repeat(64))]);
    let entry = cluster.addr(1);
    let stop = AtomicBool::new(false);
    thread::scope(|s| {
        s.spawn(|| hammer(&cluster.addrs(), std::slice::from_ref(&hot), &stop));
        thread::sleep(Duration::from_millis(500));
        let out = run([
            "rebalance",
            &entry,
            "--by",
            "cpu",
            "--window",
            "2",
            "--enable-slot-stats",
            "--dry-run",
            "--json",
        ]);
        stop.store(true, Ordering::Relaxed);
        out.assert_success();
        let doc = json(&out);
        let unsplittable = doc["load"]["unsplittable"]
            .as_array()
            .expect("unsplittable");
        assert_eq!(unsplittable.len(), 1, "{doc}");
        assert_eq!(unsplittable[0]["slot"], 100, "{doc}");
        assert_eq!(unsplittable[0]["owner"], cluster.addr(0), "{doc}");
        let moved_slot_100 = doc["plan"].to_string().contains("\"100\"");
        assert!(!moved_slot_100, "the hot slot is in the plan: {doc}");
    });
}
