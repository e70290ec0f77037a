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
pub(crate) fn bigkeys(
    opts: &ConnectOptions,
    out: Output,
    args: &KeyScanArgs,
) -> anyhow::Result<Outcome> {
    run(opts, out, args, Measure::Length, None)
}

/// Runs `rcluster memkeys`.
pub(crate) fn memkeys(
    opts: &ConnectOptions,
    out: Output,
    args: &MemkeysArgs,
) -> anyhow::Result<Outcome> {
    run(opts, out, &args.scan, Measure::Memory, args.samples)
}

/// What `bigkeys`/`memkeys` was asked to do, once the options are read.
struct KeyScanSettings {
    /// Any node of the cluster.
    entry: NodeAddr,
    /// `--from-replicas`: scan one healthy replica per shard.
    from_replicas: bool,
    /// `--parallel`: nodes scanned at once.
    parallel: usize,
    /// How each node is scanned (`keep` is `--top`).
    scan: ScanSettings,
}

impl KeyScanSettings {
    /// Reads the options; `--top` defaults to 1 for bigkeys and 10 for memkeys.
    fn from_args(
        args: &KeyScanArgs,
        measure: Measure,
        samples: Option<u32>,
    ) -> anyhow::Result<Self> {
        let entry = settings::node_addr(std::slice::from_ref(&args.entry))?;
        let top = args.top.unwrap_or(match measure {
            Measure::Length => 1,
            Measure::Memory => 10,
        });
        Ok(KeyScanSettings {
            entry,
            from_replicas: args.from_replicas,
            parallel: args.parallel,
            scan: ScanSettings {
                measure,
                samples,
                interval: Duration::from_secs_f64(args.interval.min(3600.0)),
                keep: top,
            },
        })
    }
}

fn run(
    opts: &ConnectOptions,
    out: Output,
    args: &KeyScanArgs,
    measure: Measure,
    samples: Option<u32>,
) -> anyhow::Result<Outcome> {
    let settings = KeyScanSettings::from_args(args, measure, samples)?;
    let snapshot = Snapshot::load(opts, &settings.entry)?;
    let nodes = choose_nodes(&out, &snapshot, &settings);
    let dbs: Vec<Vec<u32>> = nodes.iter().map(|n| dbs_with_keys(n)).collect();
    let started = Instant::now();
    let results = scan(opts, &out, &settings, &nodes, &dbs);
    let seconds = started.elapsed().as_secs_f64();
    let (merged, scanned, failed) = merge(&out, &nodes, results, settings.scan.keep);
    let with_db = dbs.iter().flatten().any(|db| *db != 0);
    report(&out, &settings, merged, scanned, with_db, seconds);
    Ok(if failed > 0 {
        Outcome::Problems
    } else {
        Outcome::Success
    })
}

/// The nodes to scan, with the warnings of that choice and redis-cli's heading.
fn choose_nodes<'a>(
    out: &Output,
    snapshot: &'a Snapshot,
    settings: &KeyScanSettings,
) -> Vec<&'a NodeState> {
    let (nodes, warnings) = nodes_to_scan(snapshot, settings.from_replicas);
    for w in &warnings {
        out.line(Style::Warn, format!("[WARNING] {w}"));
    }
    let what = match settings.scan.measure {
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
    nodes
}

/// A node's databases that hold keys (database 0 alone when none does).
fn dbs_with_keys(node: &NodeState) -> Vec<u32> {
    let with_keys: Vec<u32> = node
        .probe()
        .map(|p| p.info.keys_per_db().iter().map(|(db, _)| *db).collect())
        .unwrap_or_default();
    if with_keys.is_empty() {
        vec![0]
    } else {
        with_keys
    }
}

/// Scans every node (`--parallel` at once) with a progress bar over the keys INFO counts.
fn scan(
    opts: &ConnectOptions,
    out: &Output,
    settings: &KeyScanSettings,
    nodes: &[&NodeState],
    dbs: &[Vec<u32>],
) -> Vec<anyhow::Result<KeySizes>> {
    let total: u64 = nodes
        .iter()
        .filter_map(|n| n.probe().map(|p| p.info.total_keys()))
        .sum();
    let counters: Vec<AtomicU64> = nodes.iter().map(|_| AtomicU64::new(0)).collect();
    let bar = KeyBar::start(out, total, "scanning");
    let indexed: Vec<(usize, &NodeState)> = nodes.iter().copied().enumerate().collect();
    let done = std::sync::atomic::AtomicBool::new(false);
    let results = std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                bar.set(counters.iter().map(|c| c.load(Ordering::Relaxed)).sum());
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let results = fan_out(&indexed, settings.parallel, |(i, node)| {
            let addr: NodeAddr = node
                .addr()
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("no address known for this node"))?;
            Ok::<KeySizes, anyhow::Error>(scan_node(
                opts,
                &addr,
                &dbs[*i],
                &settings.scan,
                &counters[*i],
            )?)
        });
        done.store(true, Ordering::Relaxed);
        let _ = ticker.join();
        results
    });
    bar.finish();
    results
}

/// Merges the nodes' tallies, keeping the `top` biggest keys; says which nodes could not be
/// scanned. Returns the merged tallies, each node for JSON, and how many failed.
fn merge(
    out: &Output,
    nodes: &[&NodeState],
    results: Vec<anyhow::Result<KeySizes>>,
    top: usize,
) -> (KeySizes, Vec<ScannedNode>, usize) {
    let mut merged = KeySizes::new(top);
    let mut scanned = Vec::new();
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
        scanned.push(ScannedNode {
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
    (merged, scanned, failed)
}

/// The summary, the table of the biggest keys, and the JSON document.
fn report(
    out: &Output,
    settings: &KeyScanSettings,
    merged: KeySizes,
    scanned: Vec<ScannedNode>,
    with_db: bool,
    seconds: f64,
) {
    let measure = settings.scan.measure;
    out.doc(&summary(&merged, measure, with_db));
    let listed: Vec<SizedKey> = match measure {
        Measure::Length => merged
            .ordered()
            .into_iter()
            .flat_map(|(_, stats)| stats.biggest)
            .collect(),
        Measure::Memory => merged.top_overall(settings.scan.keep),
    };
    if !listed.is_empty() {
        out.block("");
        out.block(&table(&listed, measure, with_db));
    }
    out.json(&KeyScanJson {
        measure,
        nodes: scanned,
        sampled: merged.sampled,
        key_bytes: merged.key_bytes,
        types: merged
            .ordered()
            .into_iter()
            .map(|(kind, stats)| type_json(kind, stats, measure))
            .collect(),
        top: listed,
        seconds,
    });
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
