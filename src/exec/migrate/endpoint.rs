//! The nodes of a migration job as the engines reach them, and how keys are moved.

use super::*;

/// A node of the job, with what the engine needs to reach it.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Full node id.
    pub(crate) id: String,
    /// Address (a placeholder `?:0` when the cluster knows none).
    pub(crate) addr: NodeAddr,
    /// True for a master.
    pub(crate) is_master: bool,
    /// True when the node answered when the cluster was loaded.
    pub(crate) reachable: bool,
    /// Slots it served when the cluster was loaded (empty for replicas).
    pub(crate) slots: SlotSet,
    /// What the server can do (default: an old Redis, when it did not answer).
    pub(crate) server: Capabilities,
    /// For a replica, its master's id.
    pub(crate) master_id: Option<String>,
}

impl Endpoint {
    /// Every node of `snapshot`, in the same order as [`crate::cluster::plan::moves::PlanNode::from_snapshot`].
    pub(crate) fn from_snapshot(snapshot: &Snapshot) -> Vec<Endpoint> {
        snapshot
            .nodes
            .iter()
            .map(|n| Endpoint {
                id: n.id().to_string(),
                addr: n.addr().cloned().unwrap_or_else(|| NodeAddr::new("?", 0)),
                is_master: n.is_master(),
                reachable: n.reachable() && n.addr().is_some(),
                slots: if n.is_master() {
                    n.current().slots.clone()
                } else {
                    SlotSet::new()
                },
                server: n.probe().map(|p| p.info.server).unwrap_or_default(),
                master_id: n.current().master_id.clone(),
            })
            .collect()
    }
}

/// How keys are moved.
#[derive(Debug, Clone)]
pub(crate) struct MigrateSettings {
    /// MIGRATE timeout for a key retried alone (`--timeout`).
    pub(crate) timeout: Duration,
    /// MIGRATE timeout for batches of keys.
    pub(crate) batch_timeout: Duration,
    /// Reply timeout for every other command (`-t`).
    pub(crate) io_timeout: Duration,
    /// Keys per MIGRATE; `None` picks it per source from its average key size.
    pub(crate) batch_keys: Option<usize>,
    /// MIGRATE with REPLACE.
    pub(crate) replace: bool,
    /// Batches in flight at once.
    pub(crate) parallel: usize,
    /// Credentials MIGRATE passes to the target (AUTH / AUTH2).
    pub(crate) auth: Auth,
    /// How long a target may take to report `cluster_state:ok` before the first move.
    pub(crate) ready_timeout: Duration,
    /// Which engine moves the slots (`--engine`).
    pub(crate) engine: EngineChoice,
    /// The MIGRATE engine's rate limit, shared by every batch (`--max-keys-per-sec`, ...).
    pub(crate) throttle: Option<Arc<Throttle>>,
}
