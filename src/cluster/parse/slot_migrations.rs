//! Slot migration jobs as the servers report them (`CLUSTER GETSLOTMIGRATIONS`, Valkey >= 9.0):
//! the jobs of atomic slot migration, which the servers run by themselves once
//! `CLUSTER MIGRATESLOTS` started them. Parsing and classification only.

use serde::Serialize;

use crate::cluster::slots::{SlotRange, SlotSet};

/// Which end of a migration a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Operation {
    /// The source's side.
    Export,
    /// The target's side (on a replica: the primary's import, tracked).
    Import,
}

/// Where a job is, in the terms an operator cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Phase {
    /// Not finished: the servers are still moving (or cleaning up after) it.
    Running,
    /// Finished: the slots belong to the target.
    Success,
    /// Finished: the slots stayed with the source (rolled back).
    Failed,
    /// Finished: cancelled (CANCELSLOTMIGRATIONS), the slots stayed with the source.
    Cancelled,
}

/// One job of one node's `CLUSTER GETSLOTMIGRATIONS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SlotMigrationJob {
    /// The job's name (40 hex characters, the same on the source and the target).
    pub(crate) name: String,
    /// Export (source) or import (target).
    pub(crate) operation: Operation,
    /// The slots, as the server wrote them (`0-99 200-299`).
    pub(crate) slot_ranges: String,
    /// The slots, parsed.
    #[serde(skip)]
    pub(crate) slots: SlotSet,
    /// Source node id (absent on a replica's tracking entry).
    pub(crate) source_node: Option<String>,
    /// Target node id (absent on a replica's tracking entry).
    pub(crate) target_node: Option<String>,
    /// The server's state name (`snapshotting`, `replicating`, `success`, `failed`, ...).
    pub(crate) state: String,
    /// The server's message (why it failed), empty when none.
    pub(crate) message: String,
    /// Unix time the job was created.
    pub(crate) create_time: i64,
    /// Unix time of its last state change.
    pub(crate) last_update_time: i64,
    /// Unix time the other end last acknowledged.
    pub(crate) last_ack_time: i64,
    /// Copy-on-write bytes of the snapshot fork.
    pub(crate) cow_size: u64,
    /// Bytes of the incremental stream not yet acknowledged (Valkey >= 9.1).
    pub(crate) remaining_repl_size: Option<u64>,
}

impl SlotMigrationJob {
    /// Running, or how it ended.
    pub(crate) fn phase(&self) -> Phase {
        match self.state.as_str() {
            "success" => Phase::Success,
            "failed" => Phase::Failed,
            "cancelled" => Phase::Cancelled,
            _ => Phase::Running,
        }
    }

    /// True while the job is not finished.
    pub(crate) fn running(&self) -> bool {
        self.phase() == Phase::Running
    }

    /// What changes while a job makes progress: its state, its last state change, its
    /// copy-on-write and pending bytes, and, while a snapshot is taken (which may take long
    /// and changes nothing else), the other end's acknowledgements. The same mark for longer
    /// than the timeout means the job is stuck (for example a source that cannot pause
    /// writes to hand the slots over).
    pub(crate) fn progress_mark(&self) -> (String, i64, i64, u64, Option<u64>) {
        let snapshotting = self.state.contains("snapshot");
        (
            self.state.clone(),
            self.last_update_time,
            if snapshotting { self.last_ack_time } else { 0 },
            self.cow_size,
            self.remaining_repl_size,
        )
    }
}

/// Parses a `CLUSTER GETSLOTMIGRATIONS` reply: an array of maps (RESP3) or of flat
/// field/value arrays (RESP2). Unknown fields are ignored; a job without a name, operation or
/// state is an error.
pub(crate) fn parse_jobs(reply: &redis::Value) -> Result<Vec<SlotMigrationJob>, String> {
    let redis::Value::Array(items) = reply else {
        return Err(format!(
            "unexpected CLUSTER GETSLOTMIGRATIONS reply: {reply:?}"
        ));
    };
    items.iter().map(parse_job).collect()
}

fn parse_job(item: &redis::Value) -> Result<SlotMigrationJob, String> {
    let pairs: Vec<(String, &redis::Value)> = match item {
        redis::Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| (text(k).unwrap_or_default(), v))
            .collect(),
        redis::Value::Array(flat) if flat.len() % 2 == 0 => flat
            .chunks(2)
            .map(|kv| (text(&kv[0]).unwrap_or_default(), &kv[1]))
            .collect(),
        other => return Err(format!("unexpected slot migration entry: {other:?}")),
    };
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let string = |name: &str| field(name).and_then(text);
    let number = |name: &str| field(name).and_then(integer);
    let required =
        |name: &str| string(name).ok_or_else(|| format!("slot migration entry without '{name}'"));
    let operation = match required("operation")?.as_str() {
        "EXPORT" => Operation::Export,
        "IMPORT" => Operation::Import,
        other => return Err(format!("unknown slot migration operation '{other}'")),
    };
    let slot_ranges = string("slot_ranges").unwrap_or_default();
    Ok(SlotMigrationJob {
        name: required("name")?,
        operation,
        slots: parse_ranges(&slot_ranges)?,
        slot_ranges,
        source_node: string("source_node"),
        target_node: string("target_node"),
        state: required("state")?,
        message: string("message").unwrap_or_default(),
        create_time: number("create_time").unwrap_or(0),
        last_update_time: number("last_update_time").unwrap_or(0),
        last_ack_time: number("last_ack_time").unwrap_or(0),
        cow_size: number("cow_size").map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        remaining_repl_size: number("remaining_repl_size").map(|n| u64::try_from(n).unwrap_or(0)),
    })
}

/// `0-99 200-299` (a single slot may be written alone) into a set.
fn parse_ranges(text: &str) -> Result<SlotSet, String> {
    let mut set = SlotSet::new();
    for part in text.split_whitespace() {
        let (start, end) = part.split_once('-').unwrap_or((part, part));
        let parse = |s: &str| {
            s.parse::<u16>()
                .ok()
                .filter(|&n| n < crate::cluster::slots::SLOT_COUNT)
                .ok_or_else(|| format!("bad slot range '{part}' in a slot migration entry"))
        };
        let (start, end) = (parse(start)?, parse(end)?);
        if start > end {
            return Err(format!("bad slot range '{part}' in a slot migration entry"));
        }
        set.insert_range(SlotRange { start, end });
    }
    Ok(set)
}

fn text(value: &redis::Value) -> Option<String> {
    match value {
        redis::Value::BulkString(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
        redis::Value::SimpleString(s) | redis::Value::VerbatimString { text: s, .. } => {
            Some(s.clone())
        }
        redis::Value::Int(n) => Some(n.to_string()),
        _ => None,
    }
}

fn integer(value: &redis::Value) -> Option<i64> {
    match value {
        redis::Value::Int(n) => Some(*n),
        other => text(other)?.parse().ok(),
    }
}

/// The `SLOTSRANGE start end ...` arguments for a set of slots: its contiguous ranges.
pub(crate) fn slotsrange_args(slots: &SlotSet) -> Vec<u16> {
    slots
        .ranges()
        .into_iter()
        .flat_map(|r| [r.start, r.end])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::Value;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    fn entry(state: &str, ranges: &str, with_nodes: bool) -> Vec<Value> {
        let mut flat = vec![
            bulk("name"),
            bulk("e69b614538a695e7de1a6ba26807e03fa596bc7a"),
            bulk("operation"),
            bulk("EXPORT"),
            bulk("slot_ranges"),
            bulk(ranges),
        ];
        if with_nodes {
            flat.extend([
                bulk("target_node"),
                bulk("6e0fdf111436d0d9dbc327662bf6d38d990d7604"),
                bulk("source_node"),
                bulk("b816abf299c23558f4228cb79be1e55f60ad967f"),
            ]);
        }
        flat.extend([
            bulk("create_time"),
            Value::Int(1_796_394_690),
            bulk("last_update_time"),
            Value::Int(1_796_394_691),
            bulk("last_ack_time"),
            Value::Int(1_796_394_692),
            bulk("state"),
            bulk(state),
            bulk("message"),
            bulk(""),
            bulk("cow_size"),
            Value::Int(0),
            bulk("remaining_repl_size"),
            Value::Int(12),
        ]);
        flat
    }

    #[test]
    fn parses_a_resp2_reply_as_valkey_9_1_sends_it() {
        let reply = Value::Array(vec![
            Value::Array(entry("replicating", "0-99 200-299", true)),
            Value::Array(entry("success", "5", false)),
        ]);
        let jobs = parse_jobs(&reply).unwrap();
        assert_eq!(jobs.len(), 2);
        let job = &jobs[0];
        assert_eq!(job.operation, Operation::Export);
        assert_eq!(job.slots.len(), 200);
        assert!(job.slots.contains(250) && !job.slots.contains(150));
        assert_eq!(
            job.target_node.as_deref(),
            Some("6e0fdf111436d0d9dbc327662bf6d38d990d7604")
        );
        assert_eq!(job.phase(), Phase::Running);
        assert_eq!(job.remaining_repl_size, Some(12));
        assert_eq!(jobs[1].phase(), Phase::Success);
        assert_eq!(jobs[1].source_node, None);
        assert_eq!(jobs[1].slots.len(), 1);
    }

    #[test]
    fn parses_a_resp3_map() {
        let flat = entry("failed", "0-9", true);
        let map = Value::Map(
            flat.chunks(2)
                .map(|kv| (kv[0].clone(), kv[1].clone()))
                .collect(),
        );
        let jobs = parse_jobs(&Value::Array(vec![map])).unwrap();
        assert_eq!(jobs[0].phase(), Phase::Failed);
        assert_eq!(jobs[0].last_ack_time, 1_796_394_692);
    }

    #[test]
    fn states_map_to_phases() {
        let job = |state: &str| {
            parse_jobs(&Value::Array(vec![Value::Array(entry(state, "1", true))])).unwrap()[0]
                .phase()
        };
        for running in [
            "connecting",
            "waiting-to-snapshot",
            "snapshotting",
            "replicating",
            "failover-granted",
            "cleaning-up",
            "occurring-on-primary",
        ] {
            assert_eq!(job(running), Phase::Running, "{running}");
        }
        assert_eq!(job("cancelled"), Phase::Cancelled);
    }

    #[test]
    fn bad_replies_are_errors_not_panics() {
        assert!(parse_jobs(&Value::Int(3)).is_err());
        assert!(parse_jobs(&Value::Array(vec![Value::Int(1)])).is_err());
        let mut broken = entry("success", "9-3", true);
        assert!(parse_jobs(&Value::Array(vec![Value::Array(broken.clone())])).is_err());
        broken.truncate(4);
        assert!(parse_jobs(&Value::Array(vec![Value::Array(broken)])).is_err());
        assert_eq!(parse_jobs(&Value::Array(vec![])).unwrap(), vec![]);
    }

    #[test]
    fn slotsrange_arguments_are_contiguous_ranges() {
        let mut slots = SlotSet::new();
        for s in (0..=99).chain(200..=200).chain(300..=301) {
            slots.insert(s);
        }
        assert_eq!(slotsrange_args(&slots), vec![0, 99, 200, 200, 300, 301]);
    }
}
