//! redis-cli-style text reports: the `M:`/`S:` node blocks, the info summary and the check
//! report. Pure functions from data to a [`Doc`].

use crate::cluster::load::Metric;
use crate::cluster::parse::info::{numbered_dbs_used, per_db_text};
use crate::cluster::parse::slot_migrations::Phase;
use crate::cluster::plan::create::CreatePlan;
use crate::cluster::slots::slot_list;
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::cluster::verdict::balance::Balance;
use crate::cluster::verdict::check::CheckReport;
use crate::cluster::verdict::jobs::MigrationSeen;
use crate::exec::bootstrap::Member;
use crate::output::{Doc, Style};
use crate::report::quantity::metric_value;

/// `fd4eff6b...`: the first eight characters of an id, as redis-cli abbreviates it.
fn short_id(id: &str) -> String {
    format!("{}...", &id[..id.len().min(8)])
}

/// The `M:`/`S:` block of one node, as redis-cli's check prints it.
pub(crate) fn node_block(snapshot: &Snapshot, node: &NodeState) -> Doc {
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

/// redis-cli's info summary: one line per reachable master, the total and the average. Where
/// a database other than 0 holds keys, each count is followed by its share per database.
pub(crate) fn info_summary(snapshot: &Snapshot) -> Doc {
    let mut doc = Doc::new();
    let all_dbs = snapshot.master_keys_per_db();
    let per_db = |counts: &[(u32, u64)]| {
        if numbered_dbs_used(&all_dbs) {
            format!(" ({})", per_db_text(counts))
        } else {
            String::new()
        }
    };
    let mut masters = 0usize;
    for node in snapshot.masters() {
        match node.probe() {
            Some(probe) => {
                let replicas = snapshot
                    .replicas_of(node.id())
                    .filter(|r| r.reachable())
                    .count();
                doc.plain(format!(
                    "{} ({}) -> {} keys{} | {} slots | {} slaves.",
                    node.addr_text(),
                    short_id(node.id()),
                    probe.info.total_keys(),
                    per_db(&probe.info.keys_per_db()),
                    probe.myself.slots.len(),
                    replicas
                ));
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
    let total_keys: u64 = all_dbs.iter().map(|(_, k)| k).sum();
    doc.push(
        Style::Ok,
        format!(
            "[OK] {total_keys} keys in {masters} masters{}.",
            per_db(&all_dbs)
        ),
    );
    doc.plain(format!(
        "{:.2} keys per slot on average.",
        total_keys as f64 / 16384.0
    ));
    doc.extend(balance_lines(&Balance::of(snapshot)));
    doc
}

/// Each master's share of the keys and of the data memory, with the imbalances (nothing
/// when no master holds a key: the memory of an empty server is its own bookkeeping).
fn balance_lines(balance: &Balance) -> Doc {
    let mut doc = Doc::new();
    if balance.masters.iter().all(|m| m.keys == 0) {
        return doc;
    }
    doc.push(
        Style::Info,
        format!(
            ">>> Shares of keys and data memory (max/mean: keys {:.2}, memory {:.2})",
            balance.keys_imbalance, balance.memory_imbalance
        ),
    );
    for m in &balance.masters {
        doc.plain(format!(
            // Not redis-cli's "N keys | " shape: scripts count masters by it.
            "{} ({}) -> keys {:.1}%, memory {:.1}% ({}).",
            m.addr,
            short_id(&m.id),
            100.0 * m.keys_share,
            100.0 * m.memory_share,
            metric_value(Metric::Memory, m.memory_bytes as f64)
        ));
    }
    doc
}

/// The check report in redis-cli's words and order, followed by rcluster's extra findings
/// (only when there are any, so a healthy report reads exactly like redis-cli's).
pub(crate) fn check_report(snapshot: &Snapshot, report: &CheckReport) -> Doc {
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(
            ">>> Performing Cluster Check (using node {})",
            snapshot.entry
        ),
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
                    slot_list(&node.migrating)
                ),
            );
        }
        if !node.importing.is_empty() {
            doc.push(
                Style::Warn,
                format!(
                    "[WARNING] Node {} has slots in importing state {}.",
                    node.addr,
                    slot_list(&node.importing)
                ),
            );
        }
    }
    if !report.open_slot_numbers.is_empty() {
        doc.push(
            Style::Warn,
            format!(
                "[WARNING] The following slots are open: {}.",
                slot_list(&report.open_slot_numbers)
            ),
        );
    }
    doc.push(Style::Info, ">>> Check slots coverage...");
    if report.uncovered.is_empty() {
        doc.push(Style::Ok, "[OK] All 16384 slots covered.");
    } else {
        doc.push(
            Style::Err,
            "[ERR] Not all 16384 slots are covered by nodes.",
        );
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
        doc.push(
            Style::Err,
            "   With cluster-require-full-coverage yes (the default), every node refuses all \
             queries (CLUSTERDOWN) while any slot is uncovered, not only those of these slots.",
        );
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
    if !report.slot_migrations.is_empty() {
        doc.push(Style::Info, ">>> Check slot migrations...");
        doc.extend(slot_migration_lines(&report.slot_migrations));
    }
    if !report.warnings.is_empty() {
        doc.push(Style::Info, ">>> Check nodes health...");
        for warning in &report.warnings {
            doc.push(Style::Warn, format!("[WARNING] {warning}"));
        }
    }
    doc
}

/// Finished jobs shown in the text report; JSON carries every one.
const FINISHED_JOBS_SHOWN: usize = 10;

/// One line per running, failed or cancelled slot migration job (the most recent finished
/// ones only).
pub(crate) fn slot_migration_lines(jobs: &[MigrationSeen]) -> Doc {
    let mut doc = Doc::new();
    let what = |job: &MigrationSeen| {
        format!(
            "slots {} from {} to {}",
            job.slots,
            job.source.as_deref().unwrap_or("?"),
            job.target.as_deref().unwrap_or("?")
        )
    };
    let finished = jobs.iter().filter(|j| j.phase != Phase::Running).count();
    for job in jobs.iter().filter(|j| j.phase == Phase::Running) {
        doc.plain(format!(
            "[INFO] Slot migration {} is running on {} ({}): {}. A running migration is not a \
             broken cluster: the servers finish it, or roll it back, on their own.",
            short_id(&job.name),
            job.node,
            job.state,
            what(job)
        ));
    }
    for job in jobs
        .iter()
        .filter(|j| j.phase != Phase::Running)
        .take(FINISHED_JOBS_SHOWN)
    {
        let ended = if job.phase == Phase::Failed {
            "failed"
        } else {
            "was cancelled"
        };
        let why = if job.message.is_empty() {
            String::new()
        } else {
            format!(": {}", job.message)
        };
        doc.push(
            Style::Warn,
            format!(
                "[WARNING] Slot migration {} {ended} {} ago ({}, reported by {}){why}. Its slots \
                 stayed on the source; run the move again to retry.",
                short_id(&job.name),
                humanize_secs(job.age_secs),
                what(job),
                job.node
            ),
        );
    }
    if finished > FINISHED_JOBS_SHOWN {
        doc.plain(format!(
            "... and {} older failed or cancelled slot migration(s) (`--json` lists them all).",
            finished - FINISHED_JOBS_SHOWN
        ));
    }
    doc
}

/// `42 s`, `3 min`, `5 h`, `2 days`.
fn humanize_secs(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}

/// The create plan in redis-cli's words: allocation, replica lines, anti-affinity verdict,
/// then the `M:`/`S:` listing. Everything printed is exactly what will be applied.
pub(crate) fn create_plan(plan: &CreatePlan, members: &[Member]) -> Doc {
    let mut doc = Doc::new();
    doc.push(
        Style::Info,
        format!(
            ">>> Performing hash slots allocation on {} nodes...",
            members.len()
        ),
    );
    for (i, m) in plan.masters.iter().enumerate() {
        doc.plain(format!(
            "Master[{i}] -> Slots {} - {}",
            m.slots.start, m.slots.end
        ));
    }
    for r in &plan.replicas {
        doc.plain(format!(
            "Adding replica {} to {}",
            members[r.node].addr, members[plan.masters[r.master].node].addr
        ));
    }
    if plan.searched {
        doc.push(
            Style::Info,
            ">>> Optimizing replica placement for anti-affinity",
        );
    }
    if plan.score >= 10_000 {
        doc.push(
            Style::Warn,
            "[WARNING] Some replicas are in the same host as their master",
        );
    } else if plan.score > 0 {
        doc.push(
            Style::Warn,
            "[WARNING] Some replicas of the same master are in the same host",
        );
    } else if plan.searched {
        doc.push(Style::Ok, "[OK] Perfect anti-affinity obtained!");
    }
    for m in &plan.masters {
        let member = &members[m.node];
        doc.plain(format!("M: {} {}", member.id, member.addr));
        doc.plain(format!(
            "   slots:[{}] ({} slots) master",
            m.slots,
            m.slots.len()
        ));
    }
    for r in &plan.replicas {
        let member = &members[r.node];
        doc.plain(format!("S: {} {}", member.id, member.addr));
        doc.plain(format!(
            "   replicates {}",
            members[plan.masters[r.master].node].id
        ));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::snapshot::fixtures::{HEALTHY, all_views, snapshot};
    use crate::cluster::verdict::check::check;

    /// The healthy report has exactly the lines and order of redis-cli's (seed 000).
    #[test]
    fn healthy_check_reads_like_redis_cli() {
        let snap = snapshot(&all_views(HEALTHY));
        let mut doc = info_summary(&snap);
        doc.extend(check_report(&snap, &check(&snap, None)));
        let expected = "\
172.20.0.2:6379 (1ad5a315...) -> 10 keys | 5461 slots | 1 slaves.
172.20.0.3:6379 (aa75a427...) -> 10 keys | 5462 slots | 1 slaves.
172.20.0.4:6379 (159ccdcd...) -> 10 keys | 5461 slots | 1 slaves.
[OK] 30 keys in 3 masters.
0.00 keys per slot on average.
>>> Shares of keys and data memory (max/mean: keys 1.00, memory 1.00)
172.20.0.2:6379 (1ad5a315...) -> keys 33.3%, memory 0.0% (0 B).
172.20.0.3:6379 (aa75a427...) -> keys 33.3%, memory 0.0% (0 B).
172.20.0.4:6379 (159ccdcd...) -> keys 33.3%, memory 0.0% (0 B).
>>> Performing Cluster Check (using node 172.20.0.2:6379)
M: 1ad5a315b83b55dfcacbf1ef02ccf684513151c9 172.20.0.2:6379
   slots:[0-5460] (5461 slots) master
   1 additional replica(s)
M: aa75a42766edf123a8af89970965d0f41be40cf8 172.20.0.3:6379
   slots:[5461-10922] (5462 slots) master
   1 additional replica(s)
M: 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 172.20.0.4:6379
   slots:[10923-16383] (5461 slots) master
   1 additional replica(s)
S: 11cce7fdb1a82e7937005a956ff7c7c9c3eb1410 172.20.0.5:6379
   slots: (0 slots) slave
   replicates 1ad5a315b83b55dfcacbf1ef02ccf684513151c9
S: e463eb0b118c3292687f78244988b38d4b220b40 172.20.0.6:6379
   slots: (0 slots) slave
   replicates aa75a42766edf123a8af89970965d0f41be40cf8
S: 9d4e26c55c3a96b2921ed2476caf1fa78593e5d4 172.20.0.7:6379
   slots: (0 slots) slave
   replicates 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35
[OK] All nodes agree about slots configuration.
>>> Check for open slots...
>>> Check slots coverage...
[OK] All 16384 slots covered.
";
        assert_eq!(doc.to_text(), expected);
    }

    #[test]
    fn keys_of_numbered_databases_are_counted_and_shown_per_database() {
        let mut snap = snapshot(&all_views(HEALTHY));
        if let Ok(probe) = &mut snap.nodes[0].probe {
            probe.info.keyspace = vec![(0, 10), (5, 7)];
        }
        let text = info_summary(&snap).to_text();
        assert!(
            text.contains("(1ad5a315...) -> 17 keys (db0 10, db5 7) | 5461 slots"),
            "{text}"
        );
        assert!(
            text.contains("(aa75a427...) -> 10 keys (db0 10) | "),
            "{text}"
        );
        assert!(
            text.contains("[OK] 37 keys in 3 masters (db0 30, db5 7).\n"),
            "{text}"
        );
        let table = crate::report::table::nodes_table(&snap);
        assert!(table.contains("17 (db0 10, db5 7)"), "{table}");
        assert!(table.contains("redis 7.0.15"), "{table}");
    }

    #[test]
    fn failed_master_report_names_the_failing_slots() {
        let mut views = all_views(HEALTHY);
        views[1] = None;
        let snap = snapshot(&views);
        let text = check_report(&snap, &check(&snap, None)).to_text();
        assert!(text.contains("[ERR] Not all 16384 slots are covered by nodes.\n   slots 5461-10922 (5462 slots): served by 172.20.0.3:6379, its master is unreachable: connection refused\n"), "{text}");
        assert!(text.contains(">>> Check nodes health...\n[WARNING] Node 172.20.0.3:6379 (aa75a427, master) is unreachable"), "{text}");
    }
}
