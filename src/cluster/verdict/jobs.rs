//! The slot migration jobs a snapshot's masters report (Valkey >= 9.0 `CLUSTER
//! GETSLOTMIGRATIONS`, parsed in [`crate::cluster::parse::slot_migrations`]): which are
//! unfinished, running or handing over, and which slots they are moving.

use serde::Serialize;

use crate::cluster::parse::slot_migrations::{Operation, Phase, SlotMigrationJob};
use crate::cluster::slots::SlotSet;
use crate::cluster::snapshot::Snapshot;

/// A job as `check` reports it: seen on a master, with its nodes' addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MigrationSeen {
    /// `host:port` of the master that reported it (the source when it knows the job).
    pub(crate) node: String,
    /// The job's name.
    pub(crate) name: String,
    /// Export or import, on `node`.
    pub(crate) operation: Operation,
    /// Running, or how it ended.
    pub(crate) phase: Phase,
    /// The server's state name.
    pub(crate) state: String,
    /// The slots, `0-99 200-299`.
    pub(crate) slots: String,
    /// The source's `host:port` (its id when the cluster does not know it).
    pub(crate) source: Option<String>,
    /// The target's `host:port` (its id when the cluster does not know it).
    pub(crate) target: Option<String>,
    /// The server's message, empty when none.
    pub(crate) message: String,
    /// Seconds since its last state change, when the cluster was loaded.
    pub(crate) age_secs: i64,
}

/// The running, failed and cancelled slot migration jobs the masters of `snapshot` report
/// (successful ones are history), each job once: the source's export when the source reports
/// it, else the target's import. Running jobs first, then the most recent first.
pub(crate) fn unfinished_jobs(snapshot: &Snapshot) -> Vec<MigrationSeen> {
    let addr_of = |id: &Option<String>| {
        id.as_ref().map(|id| {
            snapshot
                .node(id)
                .map_or_else(|| id.clone(), |n| n.addr_text())
        })
    };
    let mut seen: Vec<(MigrationSeen, bool)> = Vec::new();
    for master in snapshot.masters() {
        let Some(probe) = master.probe() else {
            continue;
        };
        for job in probe
            .migrations
            .iter()
            .filter(|j| j.phase() != Phase::Success)
        {
            let entry = MigrationSeen {
                node: master.addr_text(),
                name: job.name.clone(),
                operation: job.operation,
                phase: job.phase(),
                state: job.state.clone(),
                slots: job.slot_ranges.clone(),
                source: addr_of(&job.source_node),
                target: addr_of(&job.target_node),
                message: job.message.clone(),
                age_secs: (snapshot.loaded_unix - job.last_update_time).max(0),
            };
            let export = job.operation == Operation::Export;
            match seen.iter_mut().find(|(s, _)| s.name == job.name) {
                Some(existing) if export && !existing.1 => *existing = (entry, export),
                Some(_) => {}
                None => seen.push((entry, export)),
            }
        }
    }
    let mut jobs: Vec<MigrationSeen> = seen.into_iter().map(|(s, _)| s).collect();
    jobs.sort_by_key(|j| (j.phase != Phase::Running, j.age_secs));
    jobs
}

/// The jobs of [`unfinished_jobs`] that are running.
pub(crate) fn running_jobs(snapshot: &Snapshot) -> Vec<MigrationSeen> {
    let mut jobs = unfinished_jobs(snapshot);
    jobs.retain(|j| j.phase == Phase::Running);
    jobs
}

/// Seconds after a job's success during which nodes may still disagree about its slots.
const HANDOVER_SECS: i64 = 5;

/// True when a master reports a job that is running or succeeded in the last few seconds:
/// nodes may then disagree about its slots for a moment (the new owner's announcement reaches
/// every node by gossip).
pub(crate) fn handing_over(snapshot: &Snapshot) -> bool {
    snapshot.masters().filter_map(|m| m.probe()).any(|p| {
        p.migrations.iter().any(|j| {
            j.running()
                || (j.phase() == Phase::Success
                    && snapshot.loaded_unix - j.last_update_time <= HANDOVER_SECS)
        })
    })
}

/// True when a master of `snapshot` reports a slot migration job that is not finished.
pub(crate) fn any_running(snapshot: &Snapshot) -> bool {
    snapshot
        .masters()
        .filter_map(|m| m.probe())
        .any(|p| p.migrations.iter().any(SlotMigrationJob::running))
}

/// Slots that running jobs are moving, as reported by any master: keys of these slots may be
/// on the target before it owns them (the import in progress), which is not a stray key.
pub(crate) fn slots_in_flight(snapshot: &Snapshot) -> SlotSet {
    let mut slots = SlotSet::new();
    for master in snapshot.masters() {
        for job in master.probe().iter().flat_map(|p| &p.migrations) {
            if job.running() {
                slots.union_with(&job.slots);
            }
        }
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, operation: Operation, state: &str, updated: i64) -> SlotMigrationJob {
        SlotMigrationJob {
            name: name.into(),
            operation,
            slot_ranges: "0-99".into(),
            slots: (0..=99).collect(),
            source_node: Some("1ad5a315b83b55dfcacbf1ef02ccf684513151c9".into()),
            target_node: Some("aa75a42766edf123a8af89970965d0f41be40cf8".into()),
            state: state.into(),
            message: String::new(),
            create_time: updated,
            last_update_time: updated,
            last_ack_time: updated,
            cow_size: 0,
            remaining_repl_size: None,
        }
    }

    #[test]
    fn check_sees_each_unfinished_job_once_with_addresses() {
        use crate::cluster::snapshot::fixtures::{HEALTHY, all_views, snapshot};
        let mut snap = snapshot(&all_views(HEALTHY));
        snap.loaded_unix = 1000;
        let source = snap
            .nodes
            .iter()
            .position(|n| n.id().starts_with("1ad5"))
            .unwrap();
        let target = snap
            .nodes
            .iter()
            .position(|n| n.id().starts_with("aa75"))
            .unwrap();
        let set = |snap: &mut Snapshot, i: usize, jobs: Vec<SlotMigrationJob>| {
            snap.nodes[i].probe.as_mut().unwrap().migrations = jobs;
        };
        set(
            &mut snap,
            source,
            vec![
                job("a", Operation::Export, "replicating", 990),
                job("b", Operation::Export, "failed", 900),
                job("c", Operation::Export, "success", 800),
            ],
        );
        set(
            &mut snap,
            target,
            vec![
                job("a", Operation::Import, "receiving-snapshot", 995),
                job("d", Operation::Import, "cancelled", 950),
            ],
        );
        let jobs = unfinished_jobs(&snap);
        let names: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(
            names,
            vec!["a", "d", "b"],
            "running first, then most recent"
        );
        assert_eq!(
            jobs[0].operation,
            Operation::Export,
            "the source's view wins"
        );
        assert_eq!(jobs[0].source.as_deref(), Some("172.20.0.2:6379"));
        assert_eq!(jobs[0].target.as_deref(), Some("172.20.0.3:6379"));
        assert_eq!(jobs[1].age_secs, 50);
        assert!(any_running(&snap));
        assert_eq!(running_jobs(&snap).len(), 1);
        assert_eq!(slots_in_flight(&snap).len(), 100);
    }
}
