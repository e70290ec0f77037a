//! The JSON documents printed with `--json`: stable field names, documented in docs/json.md.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::snapshot::{NodeJson, Snapshot};
use crate::cluster::verdict::balance::Balance;
use crate::cluster::verdict::check::CheckReport;
use crate::cluster::verdict::jobs::{MigrationSeen, running_jobs};
use crate::report::table::SlotRow;

/// `check --json`.
#[derive(Debug, Serialize)]
pub(crate) struct CheckJson<'a> {
    /// The entry node the cluster was loaded through.
    pub(crate) entry: String,
    /// True when no failing finding was made (warnings do not count).
    pub(crate) healthy: bool,
    /// One line per failing finding.
    pub(crate) errors: Vec<String>,
    /// Every node, entry node first.
    pub(crate) nodes: Vec<NodeJson>,
    /// The findings.
    #[serde(flatten)]
    pub(crate) report: &'a CheckReport,
}

impl<'a> CheckJson<'a> {
    /// Builds the document.
    pub(crate) fn new(snapshot: &Snapshot, report: &'a CheckReport) -> Self {
        CheckJson {
            entry: snapshot.entry.to_string(),
            healthy: report.healthy(),
            errors: report.errors(),
            nodes: snapshot.nodes.iter().map(NodeJson::from_state).collect(),
            report,
        }
    }
}

/// One master in `info --json`.
#[derive(Debug, Serialize)]
pub(crate) struct InfoMaster {
    /// `host:port`.
    pub(crate) addr: String,
    /// Node id.
    pub(crate) id: String,
    /// Keys over every database, null when unreachable.
    pub(crate) keys: Option<u64>,
    /// Keys per database that holds any, null when unreachable.
    pub(crate) keys_per_db: Option<BTreeMap<u32, u64>>,
    /// Slots served.
    pub(crate) slots: usize,
    /// Reachable replicas.
    pub(crate) replicas: usize,
    /// Whether the master answered.
    pub(crate) reachable: bool,
}

/// `info --json`.
#[derive(Debug, Serialize)]
pub(crate) struct InfoJson {
    /// The entry node.
    pub(crate) entry: String,
    /// Every master, in snapshot order.
    pub(crate) masters: Vec<InfoMaster>,
    /// Keys over reachable masters, every database.
    pub(crate) total_keys: u64,
    /// Keys over reachable masters per database that holds any.
    pub(crate) keys_per_db: BTreeMap<u32, u64>,
    /// Reachable masters.
    pub(crate) master_count: usize,
    /// `total_keys / 16384`.
    pub(crate) keys_per_slot: f64,
    /// The masters' shares of keys and data memory, and the imbalances.
    pub(crate) balance: Balance,
}

impl InfoJson {
    /// Builds the document.
    pub(crate) fn new(snapshot: &Snapshot) -> Self {
        let masters: Vec<InfoMaster> = snapshot
            .masters()
            .map(|m| InfoMaster {
                addr: m.addr_text(),
                id: m.id().to_string(),
                keys: m.probe().map(|p| p.info.total_keys()),
                keys_per_db: m
                    .probe()
                    .map(|p| p.info.keys_per_db().into_iter().collect()),
                slots: m.current().slots.len(),
                replicas: snapshot
                    .replicas_of(m.id())
                    .filter(|r| r.reachable())
                    .count(),
                reachable: m.reachable(),
            })
            .collect();
        let total_keys = masters.iter().filter_map(|m| m.keys).sum();
        InfoJson {
            entry: snapshot.entry.to_string(),
            master_count: masters.iter().filter(|m| m.reachable).count(),
            masters,
            total_keys,
            keys_per_db: snapshot.master_keys_per_db().into_iter().collect(),
            keys_per_slot: total_keys as f64 / 16384.0,
            balance: Balance::of(snapshot),
        }
    }
}

/// One shard in `nodes --json`.
#[derive(Debug, Serialize)]
pub(crate) struct ShardJson {
    /// The master.
    pub(crate) master: NodeJson,
    /// Its replicas.
    pub(crate) replicas: Vec<NodeJson>,
}

/// `nodes --json`.
#[derive(Debug, Serialize)]
pub(crate) struct NodesJson {
    /// The entry node.
    pub(crate) entry: String,
    /// Shards: a master (by first slot) and its replicas.
    pub(crate) shards: Vec<ShardJson>,
    /// Atomic slot migration jobs running now (Valkey >= 9.0), as in `check --json`.
    pub(crate) slot_migrations: Vec<MigrationSeen>,
}

impl NodesJson {
    /// Builds the document.
    pub(crate) fn new(snapshot: &Snapshot) -> Self {
        NodesJson {
            entry: snapshot.entry.to_string(),
            shards: crate::report::table::shards(snapshot)
                .into_iter()
                .map(|(m, rs)| ShardJson {
                    master: NodeJson::from_state(m),
                    replicas: rs.into_iter().map(NodeJson::from_state).collect(),
                })
                .collect(),
            slot_migrations: running_jobs(snapshot),
        }
    }
}

/// `slots --json`.
#[derive(Debug, Serialize)]
pub(crate) struct SlotsJson<'a> {
    /// The entry node.
    pub(crate) entry: String,
    /// Slot ranges in ascending order, covering 0..=16383.
    pub(crate) ranges: &'a [SlotRow],
}
