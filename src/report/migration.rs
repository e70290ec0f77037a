//! Text and JSON for slot moves: the plan before moving, a line per finished source/target
//! pair, and the final summary. Pure functions from data to a [`Doc`] or a serializable value.

use serde::Serialize;

use crate::cluster::plan::engine::Engine;
use crate::cluster::plan::moves::{MovePlan, PairMoves};
use crate::cluster::slots::SlotSet;
use crate::exec::migrate::{MigrationReport, PairReport};
use crate::exec::throttle::Limits;
use crate::output::{Doc, Style};

/// A node as plans name it.
#[derive(Debug, Clone)]
pub(crate) struct Named {
    /// Full id.
    pub(crate) id: String,
    /// `host:port`.
    pub(crate) addr: String,
}

/// One source/target pair of a plan, for JSON.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PairJson {
    /// Source `host:port`.
    pub(crate) from: String,
    /// Source id.
    pub(crate) from_id: String,
    /// Target `host:port`.
    pub(crate) to: String,
    /// Target id.
    pub(crate) to_id: String,
    /// The engine that moves the pair: `atomic` (the servers' slot migration) or `legacy`
    /// (MIGRATE).
    pub(crate) engine: Engine,
    /// Number of slots.
    pub(crate) count: usize,
    /// The slots as ranges, e.g. `0-99,500`.
    pub(crate) slots: String,
}

/// A plan, for JSON.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlanJson {
    /// Slots to move.
    pub(crate) slots: usize,
    /// Per source/target pair.
    pub(crate) pairs: Vec<PairJson>,
    /// The MIGRATE engine's limits (`--max-keys-per-sec`, `--max-bytes-per-sec`); `null`
    /// without a throttle.
    pub(crate) throttle: Option<Limits>,
}

impl PlanJson {
    /// The plan with node names from `nodes` (the plan's index space) and the engine of each
    /// pair (`engines`, in the order of `plan.pairs()`).
    pub(crate) fn new(plan: &MovePlan, nodes: &[Named], engines: &[Engine]) -> Self {
        PlanJson {
            slots: plan.len(),
            pairs: plan
                .pairs()
                .iter()
                .zip(engines)
                .map(|(p, engine)| PairJson {
                    from: nodes[p.from].addr.clone(),
                    from_id: nodes[p.from].id.clone(),
                    to: nodes[p.to].addr.clone(),
                    to_id: nodes[p.to].id.clone(),
                    engine: *engine,
                    count: p.slots.len(),
                    slots: p.slots.to_string(),
                })
                .collect(),
            throttle: None,
        }
    }

    /// The plan with the throttle's limits.
    pub(crate) fn throttled(mut self, limits: Option<Limits>) -> Self {
        self.throttle = limits;
        self
    }
}

/// `Throttled to 5000 keys/s over all parallel batches` under a plan, when there is a
/// throttle; nothing otherwise.
pub(crate) fn throttle_lines(limits: Option<Limits>, indent: &str) -> Doc {
    let mut doc = Doc::new();
    if let Some(limits) = limits {
        doc.plain(format!(
            "{indent}Throttled to {} over all parallel batches.",
            limits.describe()
        ));
    }
    doc
}

/// `Moving 1365 slot(s) from A to B with MIGRATE: 0-1364` lines, one per pair (`engines` in
/// the order of `pairs`).
pub(crate) fn plan_lines(
    pairs: &[PairMoves],
    nodes: &[Named],
    engines: &[Engine],
    indent: &str,
) -> Doc {
    let mut doc = Doc::new();
    for (pair, engine) in pairs.iter().zip(engines) {
        doc.plain(format!(
            "{indent}Moving {} slot(s) from {} ({}) to {} ({}) with {engine}: {}",
            pair.slots.len(),
            nodes[pair.from].addr,
            nodes[pair.from].id,
            nodes[pair.to].addr,
            nodes[pair.to].id,
            pair.slots
        ));
    }
    doc
}

/// The note saying that a pair whose nodes both have atomic slot migration moves with
/// MIGRATE, and why (a veto found before the move, or the servers' refusal at its start).
pub(crate) fn fallback_note(slots: &SlotSet, from: &str, to: &str, reason: &str) -> String {
    format!("Slots {slots} move from {from} to {to} with MIGRATE, not atomically: {reason}")
}

/// The line printed when a source/target pair is done.
pub(crate) fn pair_line(pair: &PairReport) -> String {
    let secs = pair.duration_ms as f64 / 1000.0;
    if let Some(error) = &pair.error {
        return format!(
            "Moved {} of {} slot(s) from {} to {}: {error}",
            pair.slots_moved, pair.slots_planned, pair.from, pair.to
        );
    }
    format!(
        "Moved {} of {} slot(s), {} key(s), from {} to {} in {secs:.2} s{}",
        pair.slots_moved,
        pair.slots_planned,
        pair.keys_moved,
        pair.from,
        pair.to,
        rate(pair.keys_moved, pair.duration_ms)
    )
}

fn rate(keys: u64, ms: u128) -> String {
    if keys == 0 || ms == 0 {
        return String::new();
    }
    format!(" ({:.0} keys/s)", keys as f64 * 1000.0 / ms as f64)
}

/// The summary after the moves: what moved, big keys, open slots with their reasons, nodes
/// that did not agree in time.
pub(crate) fn summary(report: &MigrationReport) -> Doc {
    let mut doc = Doc::new();
    let secs = report.duration_ms as f64 / 1000.0;
    let moved = format!(
        "{} of {} slot(s), {} key(s), in {secs:.2} s{}",
        report.slots_moved,
        report.slots_planned,
        report.keys_moved,
        rate(report.keys_moved, report.duration_ms)
    );
    if report.complete() {
        doc.push(Style::Ok, format!("[OK] Moved {moved}."));
    } else if report.interrupted {
        doc.push(
            Style::Warn,
            format!("[WARNING] Interrupted: moved {moved}; the other slots did not move."),
        );
    } else {
        doc.push(Style::Err, format!("[ERR] Moved only {moved}."));
    }
    if let Some(throttle) = &report.throttle {
        let limits = Limits::new(throttle.keys_per_sec, throttle.bytes_per_sec);
        doc.plain(format!(
            "Throttled to {}: batches waited {:.2} s in all (summed over the parallel workers).",
            limits.describe(),
            throttle.waited_ms as f64 / 1000.0
        ));
    }
    if report.equal_collisions > 0 {
        doc.plain(format!(
            "{} key(s) existed on both sides with identical values; the source copies were \
             dropped.",
            report.equal_collisions
        ));
    }
    for big in &report.big_keys {
        let size = big
            .bytes
            .map_or_else(|| "size unknown".to_string(), |b| format!("{b} bytes"));
        doc.push(
            Style::Warn,
            format!(
                "[WARNING] Big key {} (slot {}, {size}) from {} was retried alone.",
                big.key, big.slot, big.from
            ),
        );
    }
    if let Some(error) = &report.error {
        doc.push(Style::Err, format!("[ERR] {error}"));
    }
    // Every other pair that failed on its own (atomic jobs fail one by one).
    for error in report.pairs.iter().filter_map(|p| p.error.as_ref()) {
        if Some(error) != report.error.as_ref() {
            doc.push(Style::Err, format!("[ERR] {error}"));
        }
    }
    // Slots left open for the same reason between the same nodes: one line with their ranges.
    let mut groups: Vec<(&str, &str, &str, SlotSet)> = Vec::new();
    for open in &report.open_slots {
        match groups.iter_mut().find(|(from, to, reason, _)| {
            (*from, *to, *reason) == (&open.from, &open.to, &open.reason)
        }) {
            Some(group) => group.3.insert(open.slot),
            None => groups.push((
                &open.from,
                &open.to,
                &open.reason,
                [open.slot].into_iter().collect(),
            )),
        }
    }
    for (from, to, reason, slots) in groups {
        let word = if slots.len() == 1 { "Slot" } else { "Slots" };
        doc.push(
            Style::Err,
            format!(
                "[ERR] {word} {slots} left open (migrating on {from}, importing on {to}): {reason}"
            ),
        );
    }
    if !report.open_slots.is_empty() {
        doc.plain(format!(
            "Open slots keep serving clients (through ASK redirections); no key is lost. \
             {OPEN_SLOT_HINT}"
        ));
    }
    if !report.lagging.is_empty() {
        doc.push(
            Style::Warn,
            "[WARNING] Some nodes do not see the new owners yet (they will by gossip):",
        );
        for line in &report.lagging {
            doc.plain(line.clone());
        }
    }
    doc
}

/// What to do about slots left open.
const OPEN_SLOT_HINT: &str = "Close them with `rcluster fix HOST:PORT` (it finishes or \
     closes each move without losing a key), after resolving the cause above.";
