//! `rcluster bigkeys` and `rcluster memkeys`: redis-cli's --bigkeys / --memkeys over the
//! whole cluster, every master (or one replica per shard) scanned at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::address::NodeAddr;
use crate::cli::{KeyScanArgs, MemkeysArgs};
use crate::cluster::keysizes::{KeySizes, Measure, SizedKey, TypeStats, unit};
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::error::Outcome;
use crate::exec::keyscan::{ScanSettings, scan_node};
use crate::net::conn::ConnectOptions;
use crate::net::fanout::fan_out;
use crate::output::{Output, Style};
use crate::progress::KeyBar;
use crate::report::keysizes::{summary, table};
use crate::settings;

/// One node scanned, for JSON.
#[derive(Serialize)]
struct ScannedNode {
    addr: String,
    id: String,
    role: &'static str,
    keys: u64,
    error: Option<String>,
}

/// One type's totals, for JSON.
#[derive(Serialize)]
struct TypeJson {
    #[serde(rename = "type")]
    kind: String,
    unit: &'static str,
    count: u64,
    total: u64,
    average: f64,
    biggest: Vec<SizedKey>,
}

/// The JSON document of `bigkeys` / `memkeys`.
#[derive(Serialize)]
struct KeyScanJson {
    measure: Measure,
    nodes: Vec<ScannedNode>,
    sampled: u64,
    key_bytes: u64,
    types: Vec<TypeJson>,
    top: Vec<SizedKey>,
    seconds: f64,
}

/// Runs `rcluster bigkeys`.
pub fn bigkeys(opts: &ConnectOptions, out: Output, args: &KeyScanArgs) -> anyhow::Result<Outcome> {
    run(opts, out, args, Measure::Length, None)
}

/// Runs `rcluster memkeys`.
pub fn memkeys(opts: &ConnectOptions, out: Output, args: &MemkeysArgs) -> anyhow::Result<Outcome> {
    run(opts, out, &args.scan, Measure::Memory, args.samples)
}

fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &KeyScanArgs,
    measure: Measure,
    samples: Option<u32>,
) -> anyhow::Result<Outcome> {
    let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
    let top = args.top.unwrap_or(match measure {
        Measure::Length => 1,
        Measure::Memory => 10,
    });
    let snapshot = Snapshot::load(opts, &entry)?;
    let (nodes, warnings) = nodes_to_scan(&snapshot, args.from_replicas);
    for w in &warnings {
        out.line(Style::Warn, format!("[WARNING] {w}"));
    }
    let what = match measure {
        Measure::Length => "biggest keys",
        Measure::Memory => "keys using the most memory",
    };
    out.line(
        Style::Plain,
        format!(
            "\n# Scanning the entire keyspace of {} node(s) to find {what} as well as\n\
             # average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n\
             # after each SCAN batch (not usually needed).",
            nodes.len()
        ),
    );
    let total: u64 = nodes
        .iter()
        .filter_map(|n| n.probe().map(|p| p.info.total_keys()))
        .sum();
    // Each node's databases that hold keys (database 0 alone when none does).
    let dbs: Vec<Vec<u32>> = nodes
        .iter()
        .map(|n| {
            let with_keys: Vec<u32> = n
                .probe()
                .map(|p| p.info.keys_per_db().iter().map(|(db, _)| *db).collect())
                .unwrap_or_default();
            if with_keys.is_empty() {
                vec![0]
            } else {
                with_keys
            }
        })
        .collect();
    let with_db = dbs.iter().flatten().any(|db| *db != 0);
    let settings = ScanSettings {
        measure,
        samples,
        interval: Duration::from_secs_f64(args.interval.min(3600.0)),
        keep: top,
    };
    let started = Instant::now();
    let counters: Vec<AtomicU64> = nodes.iter().map(|_| AtomicU64::new(0)).collect();
    let bar = KeyBar::start(&out, total, "scanning");
    let indexed: Vec<(usize, &NodeState)> = nodes.iter().copied().enumerate().collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let results = std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set(counters.iter().map(|c| c.load(Ordering::Relaxed)).sum());
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let results = fan_out(&indexed, args.parallel, |(i, node)| {
            let addr: NodeAddr = node
                .addr()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no address known for this node"))?;
            Ok::<KeySizes, anyhow::Error>(scan_node(
                opts,
                &addr,
                &dbs[*i],
                &settings,
                &counters[*i],
            )?)
        });
        done.store(true, Ordering::Relaxed);
        let _ = ticker.join();
        results
    });
    bar.finish();
    let mut merged = KeySizes::new(top);
    let mut doc = KeyScanJson {
        measure,
        nodes: Vec::new(),
        sampled: 0,
        key_bytes: 0,
        types: Vec::new(),
        top: Vec::new(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let mut failed = 0;
    for (node, result) in nodes.iter().zip(results) {
        let (keys, error) = match result {
            Ok(sizes) => {
                let keys = sizes.sampled;
                merged.merge(sizes);
                (keys, None)
            }
            Err(err) => {
                failed += 1;
                out.line(
                    Style::Err,
                    format!("[ERR] {} could not be scanned: {err:#}", node.addr_text()),
                );
                (0, Some(format!("{err:#}")))
            }
        };
        doc.nodes.push(ScannedNode {
            addr: node.addr_text(),
            id: node.id().to_string(),
            role: if node.is_master() {
                "master"
            } else {
                "replica"
            },
            keys,
            error,
        });
    }
    out.doc(&summary(&merged, measure, with_db));
    let listed: Vec<SizedKey> = match measure {
        Measure::Length => merged
            .ordered()
            .into_iter()
            .flat_map(|(_, stats)| stats.biggest)
            .collect(),
        Measure::Memory => merged.top_overall(top),
    };
    if !listed.is_empty() {
        out.block("");
        out.block(&table(&listed, measure, with_db));
    }
    doc.sampled = merged.sampled;
    doc.key_bytes = merged.key_bytes;
    doc.types = merged
        .ordered()
        .into_iter()
        .map(|(kind, stats)| type_json(kind, stats, measure))
        .collect();
    doc.top = listed;
    out.json(&doc);
    Ok(if failed > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

fn type_json(kind: String, stats: TypeStats, measure: Measure) -> TypeJson {
    TypeJson {
        unit: unit(&kind, measure),
        count: stats.count,
        total: stats.total,
        average: if stats.measured == 0 {
            0.0
        } else {
            stats.total as f64 / stats.measured as f64
        },
        biggest: stats.biggest,
        kind,
    }
}

/// The masters (or per shard one healthy replica, else its master), sorted by address, and
/// warnings for shards scanned on their master instead of a replica.
fn nodes_to_scan(snapshot: &Snapshot, from_replicas: bool) -> (Vec<&NodeState>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut nodes: Vec<&NodeState> = snapshot
        .masters()
        .map(|m| {
            if !from_replicas {
                return m;
            }
            let replica = snapshot.replicas_of(m.id()).find(|r| {
                r.probe()
                    .is_some_and(|p| p.info.master_link_up == Some(true))
                    && !r.seen.flags.failing()
            });
            replica.unwrap_or_else(|| {
                warnings.push(format!(
                    "master {} has no healthy replica: scanning the master",
                    m.addr_text()
                ));
                m
            })
        })
        .collect();
    nodes.sort_by(|a, b| a.addr().cmp(&b.addr()));
    (nodes, warnings)
}
