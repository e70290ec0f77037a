//! redis-cli-style text reports: the `M:`/`S:` node blocks, the info summary and the check
//! report. Pure functions from data to a [`Doc`].

use crate::cluster::check::{CheckReport, join_numbers};
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::output::{Doc, Style};

/// `fd4eff6b...`: the first eight characters of an id, as redis-cli abbreviates it.
pub fn short_id(id: &str) -> String {
    format!("{}...", &id[..id.len().min(8)])
}

/// The `M:`/`S:` block of one node, as redis-cli's check prints it.
pub fn node_block(snapshot: &Snapshot, node: &NodeState) -> Doc {
    let mut doc = Doc::new();
    let me = node.current();
    let letter = if node.is_master() { "M" } else { "S" };
    doc.plain(format!("{letter}: {} {}", node.id(), node.addr_text()));
    let ranges = me.slots.bracketed();
    doc.plain(format!(
        "   slots:{ranges} ({} slots) {}",
        me.slots.len(),
        node.flags_text()
    ));
    if node.is_master() {
        let replicas = snapshot
            .replicas_of(node.id())
            .filter(|r| r.reachable())
            .count();
        if replicas > 0 {
            doc.plain(format!("   {replicas} additional replica(s)"));
        }
    } else if let Some(master) = &me.master_id {
        doc.plain(format!("   replicates {master}"));
    }
    doc
}

/// redis-cli's info summary: one line per reachable master, the total and the average.
pub fn info_summary(snapshot: &Snapshot) -> Doc {
    let mut doc = Doc::new();
    let mut total_keys: u64 = 0;
    let mut masters = 0usize;
    for node in snapshot.masters() {
        match node.probe() {
            Some(probe) => {
                let replicas = snapshot
                    .replicas_of(node.id())
                    .filter(|r| r.reachable())
                    .count();
                doc.plain(format!(
                    "{} ({}) -> {} keys | {} slots | {} slaves.",
                    node.addr_text(),
                    short_id(node.id()),
                    probe.info.keys,
                    probe.myself.slots.len(),
                    replicas
                ));
                total_keys += probe.info.keys;
                masters += 1;
            }
            None => {
                let reason = node.probe.as_ref().err().map_or("", |e| e.message.as_str());
                doc.push(
                    Style::Warn,
                    format!(
                        "{} ({}) -> unreachable: {reason}",
                        node.addr_text(),
                        short_id(node.id())
                    ),
                );
            }
        }
    }
    doc.push(
        Style::Ok,
        format!("[OK] {total_keys} keys in {masters} masters."),
    );
    doc.plain(format!(
        "{:.2} keys per slot on average.",
        total_keys as f64 / 16384.0
    ));
    doc
}

/// The check report in redis-cli's words and order, followed by rcluster's extra findings
/// (only when there are any, so a healthy report reads exactly like redis-cli's).
pub fn check_report(snapshot: &Snapshot, report: &CheckReport) -> Doc {
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(">>> Performing Cluster Check (using node {})", snapshot.entry),
    );
    for node in snapshot.nodes.iter().filter(|n| n.reachable()) {
        doc.extend(node_block(snapshot, node));
    }
    if report.slots_agree {
        doc.push(Style::Ok, "[OK] All nodes agree about slots configuration.");
    } else {
        doc.push(Style::Err, "[ERR] Nodes don't agree about configuration!");
        for addr in &report.disagreeing_nodes {
            doc.push(
                Style::Err,
                format!("   {addr} has a different slot configuration"),
            );
        }
    }
    doc.push(Style::Info, ">>> Check for open slots...");
    for node in &report.open_slots {
        if !node.migrating.is_empty() {
            doc.push(
                Style::Warn,
                format!(
                    "[WARNING] Node {} has slots in migrating state {}.",
                    node.addr,
                    join_numbers(&node.migrating)
                ),
            );
        }
        if !node.importing.is_empty() {
            doc.push(
                Style::Warn,
                format!(
                    "[WARNING] Node {} has slots in importing state {}.",
                    node.addr,
                    join_numbers(&node.importing)
                ),
            );
        }
    }
    if !report.open_slot_numbers.is_empty() {
        doc.push(
            Style::Warn,
            format!(
                "[WARNING] The following slots are open: {}.",
                join_numbers(&report.open_slot_numbers)
            ),
        );
    }
    doc.push(Style::Info, ">>> Check slots coverage...");
    if report.uncovered.is_empty() {
        doc.push(Style::Ok, "[OK] All 16384 slots covered.");
    } else {
        doc.push(Style::Err, "[ERR] Not all 16384 slots are covered by nodes.");
        for range in &report.uncovered_ranges {
            let by = range
                .claimed_by
                .as_ref()
                .map(|a| format!("served by {a}, "))
                .unwrap_or_default();
            doc.push(
                Style::Err,
                format!(
                    "   slots {} ({} slots): {by}{}",
                    range.range,
                    range.range.len(),
                    range.reason
                ),
            );
        }
    }
    if let Some(multi) = &report.multiple_owners {
        doc.push(Style::Info, ">>> Check for multiple slot owners...");
        if multi.is_empty() {
            doc.push(Style::Ok, "[OK] No multiple owners found.");
        }
        for m in multi {
            doc.push(
                Style::Warn,
                format!("[WARNING] Slot {} has {} owners:", m.slot, m.owners.len()),
            );
            for owner in &m.owners {
                doc.push(Style::Warn, format!("    {owner}"));
            }
        }
    }
    if !report.warnings.is_empty() {
        doc.push(Style::Info, ">>> Check nodes health...");
        for warning in &report.warnings {
            doc.push(Style::Warn, format!("[WARNING] {warning}"));
        }
    }
    doc
}
