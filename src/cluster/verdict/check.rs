//! The cluster health check as pure data: a function from a [`Snapshot`] to a [`CheckReport`].
//!
//! It finds what redis-cli's check finds (slot-configuration disagreement, open slots,
//! uncovered slots, multiple owners) and, beyond it, unreachable or failing nodes, membership
//! and role disagreement, replica-less masters and broken replication links, as warnings.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::cluster::parse::capabilities::{Flavor, Version};
use crate::cluster::parse::nodes::NodeEntry;
use crate::cluster::slots::{SLOT_COUNT, SlotRange, SlotSet, slot_list};
use crate::cluster::snapshot::{NodeState, Snapshot};
use crate::cluster::verdict::balance::Balance;
use crate::cluster::verdict::jobs::{MigrationSeen, slots_in_flight, unfinished_jobs};

/// Keys found in slots a master does not serve: master id → slots holding keys.
pub(crate) type StrayKeys = HashMap<String, SlotSet>;

/// Open slots on one node.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct NodeOpenSlots {
    /// `host:port`.
    pub(crate) addr: String,
    /// Node id.
    pub(crate) id: String,
    /// Slots the node is migrating away.
    pub(crate) migrating: Vec<u16>,
    /// Slots the node is importing.
    pub(crate) importing: Vec<u16>,
}

/// A run of uncovered slots and who, per the entry node, last served it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UncoveredRange {
    /// The slots.
    pub(crate) range: SlotRange,
    /// `host:port` of the node the entry node believes serves them, if any.
    pub(crate) claimed_by: Option<String>,
    /// Why that node does not count (e.g. `unreachable: connection refused`).
    pub(crate) reason: String,
}

/// A slot with more than one owner.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MultiOwner {
    /// The slot.
    pub(crate) slot: u16,
    /// `host:port` of every owner (claims it, or holds keys in it).
    pub(crate) owners: Vec<String>,
}

/// Everything the check found.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckReport {
    /// All reachable nodes agree about which node serves which slots.
    pub(crate) slots_agree: bool,
    /// Nodes whose slot configuration differs from the entry node's.
    pub(crate) disagreeing_nodes: Vec<String>,
    /// Nodes with migrating or importing slots.
    pub(crate) open_slots: Vec<NodeOpenSlots>,
    /// Every open slot, ascending.
    pub(crate) open_slot_numbers: Vec<u16>,
    /// Slots no reachable master serves.
    pub(crate) uncovered: SlotSet,
    /// The uncovered slots as ranges with their last known server.
    pub(crate) uncovered_ranges: Vec<UncoveredRange>,
    /// Slots with several owners; `None` when the search was not requested.
    pub(crate) multiple_owners: Option<Vec<MultiOwner>>,
    /// Problems beyond redis-cli's check; they do not make the check fail.
    pub(crate) warnings: Vec<String>,
    /// Replicas whose replication link to their master is not up (yet).
    pub(crate) replication_pending: Vec<ReplicaLink>,
    /// The servers the reachable nodes run, one entry per server and version (more than one
    /// during a rolling upgrade, which is a warning).
    pub(crate) servers: Vec<ServerGroup>,
    /// Atomic slot migration jobs (Valkey >= 9.0) that are running, failed or were cancelled.
    /// A running job is not a problem: the servers finish it or roll it back by themselves.
    pub(crate) slot_migrations: Vec<MigrationSeen>,
    /// The masters' shares of keys and memory.
    pub(crate) balance: Balance,
}

/// The reachable nodes that run one server and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ServerGroup {
    /// `redis` or `valkey`.
    pub(crate) server: Flavor,
    /// The server's own version.
    pub(crate) version: Version,
    /// `host:port` of each node running it, in snapshot order.
    pub(crate) nodes: Vec<String>,
}

/// A replica whose replication link is not up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ReplicaLink {
    /// The replica's address.
    pub(crate) addr: String,
    /// True while its first full sync is being transferred.
    pub(crate) syncing: bool,
}

impl ReplicaLink {
    /// The warning line for this replica.
    pub(crate) fn warning(&self) -> String {
        let why = if self.syncing {
            "is still loading its initial sync from its master"
        } else {
            "has its replication link to its master down"
        };
        format!("Replica {} {why}", self.addr)
    }
}

impl CheckReport {
    /// True when none of the failing findings is present (warnings do not count).
    pub(crate) fn healthy(&self) -> bool {
        self.errors().is_empty()
    }

    /// Drops the replication-link warnings, for a cluster just created, whose replicas are
    /// expected to be still doing their first sync; returns how many replicas that concerns.
    pub(crate) fn expect_initial_sync(&mut self) -> usize {
        let pending: Vec<String> = self
            .replication_pending
            .iter()
            .map(ReplicaLink::warning)
            .collect();
        self.warnings.retain(|w| !pending.contains(w));
        self.replication_pending.len()
    }

    /// One line per failing finding.
    pub(crate) fn errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if !self.slots_agree {
            errors.push("nodes don't agree about the slots configuration".to_string());
        }
        if !self.open_slot_numbers.is_empty() {
            errors.push(format!(
                "open slots: {}",
                slot_list(&self.open_slot_numbers)
            ));
        }
        if !self.uncovered.is_empty() {
            errors.push(format!(
                "{} slots not covered: {}",
                self.uncovered.len(),
                self.uncovered.abbreviated()
            ));
        }
        if let Some(multi) = self.multiple_owners.as_ref().filter(|m| !m.is_empty()) {
            let slots: Vec<u16> = multi.iter().map(|m| m.slot).collect();
            errors.push(format!("slots with multiple owners: {}", slot_list(&slots)));
        }
        errors
    }
}

/// Runs every check on `snapshot`. `stray_keys` comes from a multiple-owners key scan, when
/// one was requested.
pub(crate) fn check(snapshot: &Snapshot, stray_keys: Option<&StrayKeys>) -> CheckReport {
    let (slots_agree, disagreeing_nodes) = slot_agreement(snapshot);
    let (open_slots, open_slot_numbers) = open_slots(snapshot);
    let uncovered = uncovered(snapshot);
    let uncovered_ranges = uncovered_ranges(snapshot, &uncovered);
    let mut warnings = Vec::new();
    warn_unreachable(snapshot, &mut warnings);
    let views = views(snapshot);
    warn_failing(snapshot, &views, &mut warnings);
    warn_cluster_state(snapshot, &mut warnings);
    warn_membership(snapshot, &mut warnings);
    warn_roles(snapshot, &views, &mut warnings);
    let replication_pending = replica_links(snapshot);
    warn_replication(snapshot, &mut warnings);
    warnings.extend(replication_pending.iter().map(ReplicaLink::warning));
    let servers = servers(snapshot);
    warn_servers(&servers, &mut warnings);
    let balance = Balance::of(snapshot);
    warnings.extend(balance.warnings());
    CheckReport {
        slots_agree,
        disagreeing_nodes,
        open_slots,
        open_slot_numbers,
        uncovered,
        uncovered_ranges,
        multiple_owners: stray_keys.map(|stray| multiple_owners(snapshot, stray)),
        warnings,
        replication_pending,
        servers,
        slot_migrations: unfinished_jobs(snapshot),
        balance,
    }
}

/// redis-cli's signature: per viewer, the sorted `id:ranges` of every line that has slots.
fn signature(node: &NodeState) -> Option<String> {
    let probe = node.probe()?;
    let mut parts: Vec<String> = probe
        .view
        .iter()
        .filter_map(|n| n.slot_signature())
        .collect();
    if parts.is_empty() {
        return None;
    }
    parts.sort();
    Some(parts.join("|"))
}

fn slot_agreement(snapshot: &Snapshot) -> (bool, Vec<String>) {
    let reachable: Vec<&NodeState> = snapshot.nodes.iter().filter(|n| n.reachable()).collect();
    let Some(first) = reachable.first() else {
        return (true, Vec::new());
    };
    let reference = signature(first);
    let differing: Vec<String> = reachable
        .iter()
        .filter(|n| reference.is_none() || signature(n) != reference)
        .map(|n| n.addr_text())
        .collect();
    let agree = reachable.len() == 1 || differing.is_empty();
    (agree, if agree { Vec::new() } else { differing })
}

fn open_slots(snapshot: &Snapshot) -> (Vec<NodeOpenSlots>, Vec<u16>) {
    let mut per_node = Vec::new();
    let mut all = BTreeSet::new();
    for node in snapshot.nodes.iter().filter(|n| n.reachable()) {
        let me = node.current();
        if me.migrating.is_empty() && me.importing.is_empty() {
            continue;
        }
        let migrating: Vec<u16> = me.migrating.iter().map(|o| o.slot).collect();
        let importing: Vec<u16> = me.importing.iter().map(|o| o.slot).collect();
        all.extend(migrating.iter().chain(importing.iter()).copied());
        per_node.push(NodeOpenSlots {
            addr: node.addr_text(),
            id: node.id().to_string(),
            migrating,
            importing,
        });
    }
    (per_node, all.into_iter().collect())
}

fn uncovered(snapshot: &Snapshot) -> SlotSet {
    let mut covered = SlotSet::new();
    for node in snapshot.nodes.iter().filter(|n| n.reachable()) {
        covered.union_with(&node.current().slots);
    }
    SlotSet::full().difference(&covered)
}

fn uncovered_ranges(snapshot: &Snapshot, uncovered: &SlotSet) -> Vec<UncoveredRange> {
    // Who the entry node believes serves each slot.
    let mut claimant: Vec<Option<&NodeState>> = vec![None; usize::from(SLOT_COUNT)];
    if let Some(entry) = snapshot.nodes.first().and_then(|n| n.probe()) {
        for line in &entry.view {
            if let Some(state) = snapshot.node(&line.id) {
                for slot in line.slots.iter() {
                    claimant[usize::from(slot)] = Some(state);
                }
            }
        }
    }
    let mut out: Vec<UncoveredRange> = Vec::new();
    for slot in uncovered.iter() {
        let owner = claimant[usize::from(slot)];
        let addr = owner.map(NodeState::addr_text);
        match out.last_mut() {
            Some(last) if last.range.end + 1 == slot && last.claimed_by == addr => {
                last.range.end = slot;
            }
            _ => out.push(UncoveredRange {
                range: SlotRange {
                    start: slot,
                    end: slot,
                },
                reason: match owner {
                    None => "not assigned to any node".to_string(),
                    Some(n) => match &n.probe {
                        Err(e) => format!("its master is unreachable: {}", e.message),
                        Ok(_) => "the node does not claim it itself".to_string(),
                    },
                },
                claimed_by: addr,
            }),
        }
    }
    out
}

/// Slots held by several masters. Keys a running atomic migration has already copied to its
/// target do not count: the target takes the slots over in one step, or drops them.
fn multiple_owners(snapshot: &Snapshot, stray: &StrayKeys) -> Vec<MultiOwner> {
    let in_flight = slots_in_flight(snapshot);
    let mut owners: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    for node in snapshot.masters().filter(|n| n.reachable()) {
        let mut owned = node.current().slots.clone();
        if let Some(extra) = stray.get(node.id()) {
            owned.union_with(&extra.difference(&in_flight));
        }
        for slot in owned.iter() {
            owners.entry(slot).or_default().push(node.addr_text());
        }
    }
    owners
        .into_iter()
        .filter(|(_, o)| o.len() > 1)
        .map(|(slot, owners)| MultiOwner { slot, owners })
        .collect()
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

fn warn_unreachable(snapshot: &Snapshot, warnings: &mut Vec<String>) {
    for node in &snapshot.nodes {
        if let Err(e) = &node.probe {
            let role = if node.seen.is_replica() {
                "replica"
            } else {
                "master"
            };
            warnings.push(format!(
                "Node {} ({}, {role}) is unreachable: {}",
                node.addr_text(),
                short(node.id()),
                e.message
            ));
        }
    }
    let others = &snapshot.nodes[1.min(snapshot.nodes.len())..];
    if !others.is_empty() && others.iter().all(|n| !n.reachable()) {
        warnings.push(format!(
            "No other node answers at the address {} knows it by: if the nodes came back at \
             new addresses (containers recreated, a reboot), `rcluster fix {} --rejoin \
             HOST:PORT,...` with their current addresses brings them back together",
            snapshot.entry, snapshot.entry
        ));
    }
}

/// Every reachable node's view, indexed by node id: `(viewer, id -> line)`.
type Views<'a> = Vec<(&'a NodeState, HashMap<&'a str, &'a NodeEntry>)>;

fn views(snapshot: &Snapshot) -> Views<'_> {
    snapshot
        .nodes
        .iter()
        .filter_map(|n| {
            let probe = n.probe()?;
            Some((n, probe.view.iter().map(|l| (l.id.as_str(), l)).collect()))
        })
        .collect()
}

fn warn_failing(snapshot: &Snapshot, views: &Views, warnings: &mut Vec<String>) {
    for node in &snapshot.nodes {
        let seen_by = |pred: fn(&NodeEntry) -> bool| {
            views
                .iter()
                .filter(|(_, lines)| lines.get(node.id()).is_some_and(|l| pred(l)))
                .count()
        };
        let fail = seen_by(|l| l.flags.fail);
        let pfail = seen_by(|l| l.flags.pfail);
        if fail > 0 {
            warnings.push(format!(
                "Node {} ({}) is flagged fail by {fail} of {} nodes",
                node.addr_text(),
                short(node.id()),
                views.len()
            ));
        } else if pfail > 0 {
            warnings.push(format!(
                "Node {} ({}) is suspected down (fail?) by {pfail} of {} nodes",
                node.addr_text(),
                short(node.id()),
                views.len()
            ));
        }
    }
}

fn warn_cluster_state(snapshot: &Snapshot, warnings: &mut Vec<String>) {
    for node in &snapshot.nodes {
        if node.probe().is_some_and(|p| !p.info.cluster_state_ok) {
            warnings.push(format!(
                "Node {} reports cluster_state:fail",
                node.addr_text()
            ));
        }
    }
}

fn warn_membership(snapshot: &Snapshot, warnings: &mut Vec<String>) {
    let known: BTreeSet<&str> = snapshot.nodes.iter().map(NodeState::id).collect();
    for node in &snapshot.nodes {
        let Some(probe) = node.probe() else { continue };
        let sees: BTreeSet<&str> = probe
            .view
            .iter()
            .filter(|l| !l.flags.handshake)
            .map(|l| l.id.as_str())
            .collect();
        let missing: Vec<String> = known
            .difference(&sees)
            .map(|id| {
                let addr = snapshot
                    .node(id)
                    .map(NodeState::addr_text)
                    .unwrap_or_default();
                format!("{addr} ({})", short(id))
            })
            .collect();
        if !missing.is_empty() {
            warnings.push(format!(
                "Nodes don't agree about membership: {} does not know {}",
                node.addr_text(),
                missing.join(", ")
            ));
        }
        let extra: Vec<String> = sees
            .difference(&known)
            .map(|id| {
                let addr = probe
                    .view
                    .iter()
                    .find(|l| l.id == *id)
                    .and_then(|l| l.addr.as_ref())
                    .map(ToString::to_string)
                    .unwrap_or_default();
                format!("{addr} ({})", short(id))
            })
            .collect();
        if !extra.is_empty() {
            warnings.push(format!(
                "Nodes don't agree about membership: {} knows {} that {} does not",
                node.addr_text(),
                extra.join(", "),
                snapshot.entry
            ));
        }
    }
}

fn role_words(line: &NodeEntry) -> String {
    match (&line.master_id, line.is_replica()) {
        (Some(m), true) => format!("replica of {}", short(m)),
        _ => "master".to_string(),
    }
}

fn warn_roles(snapshot: &Snapshot, views: &Views, warnings: &mut Vec<String>) {
    for node in &snapshot.nodes {
        let Some(own) = node.probe().map(|p| &p.myself) else {
            continue;
        };
        let own_role = role_words(own);
        let disagreeing: Vec<String> = views
            .iter()
            .filter_map(|(viewer, lines)| {
                let seen = role_words(lines.get(node.id())?);
                (seen != own_role).then(|| format!("{} sees {seen}", viewer.addr_text()))
            })
            .collect();
        if !disagreeing.is_empty() {
            warnings.push(format!(
                "Nodes don't agree about the role of {}: it is {own_role}, but {}",
                node.addr_text(),
                disagreeing.join(", ")
            ));
        }
    }
}

fn warn_replication(snapshot: &Snapshot, warnings: &mut Vec<String>) {
    let replica_counts: Vec<(&NodeState, usize)> = snapshot
        .masters()
        .filter(|m| !m.current().slots.is_empty())
        .map(|m| (m, snapshot.replicas_of(m.id()).count()))
        .collect();
    let most = replica_counts.iter().map(|(_, c)| *c).max().unwrap_or(0);
    if most > 0 {
        for (master, count) in &replica_counts {
            if *count == 0 {
                warnings.push(format!(
                    "Master {} ({} slots) has no replica while other masters have up to {most}: no failover is possible for its slots",
                    master.addr_text(),
                    master.current().slots.len()
                ));
            }
        }
    }
}

fn servers(snapshot: &Snapshot) -> Vec<ServerGroup> {
    let mut groups: BTreeMap<(Flavor, Version), Vec<String>> = BTreeMap::new();
    for node in &snapshot.nodes {
        if let Some(probe) = node.probe() {
            let server = probe.info.server;
            groups
                .entry((server.flavor, server.version))
                .or_default()
                .push(node.addr_text());
        }
    }
    groups
        .into_iter()
        .map(|((server, version), nodes)| ServerGroup {
            server,
            version,
            nodes,
        })
        .collect()
}

fn warn_servers(servers: &[ServerGroup], warnings: &mut Vec<String>) {
    if servers.len() < 2 {
        return;
    }
    let groups: Vec<String> = servers
        .iter()
        .map(|g| {
            format!(
                "{} {} on {}",
                g.server.name(),
                g.version,
                g.nodes.join(", ")
            )
        })
        .collect();
    warnings.push(format!(
        "Nodes run different servers ({}): an upgrade in progress? Commands use only what \
         every node they touch supports; finish the upgrade to use the newer servers' features",
        groups.join("; ")
    ));
}

fn replica_links(snapshot: &Snapshot) -> Vec<ReplicaLink> {
    snapshot
        .nodes
        .iter()
        .filter(|n| !n.is_master())
        .filter_map(|node| {
            let info = &node.probe()?.info;
            (info.master_link_up == Some(false)).then(|| ReplicaLink {
                addr: node.addr_text(),
                syncing: info.sync_in_progress,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::snapshot::fixtures::{HEALTHY, all_views, snapshot, view_of};

    const M1: &str = "1ad5a315b83b55dfcacbf1ef02ccf684513151c9";
    const M2: &str = "aa75a42766edf123a8af89970965d0f41be40cf8";

    #[test]
    fn healthy_cluster_has_no_findings() {
        let report = check(&snapshot(&all_views(HEALTHY)), None);
        assert!(report.healthy(), "{:?}", report.errors());
        assert!(report.slots_agree);
        assert!(report.uncovered.is_empty());
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn open_slots_are_listed_per_node() {
        let mut views = all_views(HEALTHY);
        views[0] =
            Some(view_of(HEALTHY, 0).replacen(" 0-5460", &format!(" 0-5460 [100->-{M2}]"), 1));
        views[1] = Some(view_of(HEALTHY, 1).replacen(
            " 5461-10922",
            &format!(" 5461-10922 [100-<-{M1}]"),
            1,
        ));
        let report = check(&snapshot(&views), None);
        assert_eq!(report.open_slot_numbers, vec![100]);
        assert_eq!(report.open_slots.len(), 2);
        assert_eq!(report.open_slots[0].migrating, vec![100]);
        assert_eq!(report.open_slots[1].importing, vec![100]);
        assert!(!report.healthy());
        assert!(
            report.slots_agree,
            "open-slot markers do not count for agreement"
        );
    }

    #[test]
    fn many_open_slots_are_one_line_of_ranges() {
        let open: String = (2560..=3071).map(|s| format!(" [{s}->-{M2}]")).collect();
        let mut views = all_views(HEALTHY);
        views[0] = Some(view_of(HEALTHY, 0).replacen(" 0-5460", &format!(" 0-5460{open}"), 1));
        let report = check(&snapshot(&views), None);
        assert_eq!(report.open_slot_numbers.len(), 512);
        assert_eq!(report.errors(), vec!["open slots: 2560-3071".to_string()]);
    }

    #[test]
    fn uncovered_slots_name_their_last_owner() {
        let global = HEALTHY.replace(" 10923-16383", " 10923-16000");
        let report = check(&snapshot(&all_views(&global)), None);
        assert_eq!(report.uncovered.to_string(), "16001-16383");
        assert_eq!(report.uncovered_ranges.len(), 1);
        assert_eq!(report.uncovered_ranges[0].claimed_by, None);
        assert!(report.errors()[0].contains("383 slots not covered"));
    }

    #[test]
    fn unreachable_master_leaves_its_slots_uncovered() {
        let mut views = all_views(HEALTHY);
        views[2] = None; // 172.20.0.4, serving 10923-16383
        let report = check(&snapshot(&views), None);
        assert_eq!(report.uncovered.to_string(), "10923-16383");
        let range = &report.uncovered_ranges[0];
        assert_eq!(range.claimed_by.as_deref(), Some("172.20.0.4:6379"));
        assert!(range.reason.contains("unreachable"), "{}", range.reason);
        assert!(
            report
                .warnings
                .iter()
                .any(|w| w.contains("172.20.0.4:6379") && w.contains("unreachable"))
        );
    }

    #[test]
    fn slot_disagreement_names_the_node() {
        let mut views = all_views(HEALTHY);
        let stale = HEALTHY
            .replace(" 0-5460", " 0-5400")
            .replace(" 5461-10922", " 5401-10922");
        views[3] = Some(view_of(&stale, 3));
        let report = check(&snapshot(&views), None);
        assert!(!report.slots_agree);
        assert_eq!(
            report.disagreeing_nodes,
            vec!["172.20.0.5:6379".to_string()]
        );
    }

    #[test]
    fn membership_and_role_disagreements_are_warnings() {
        let mut views = all_views(HEALTHY);
        // Node 4 does not know node 5; node 1 sees replica 3 as a master.
        let without_last: String = view_of(HEALTHY, 4)
            .lines()
            .take(5)
            .map(|l| format!("{l}\n"))
            .collect();
        views[4] = Some(without_last);
        views[1] = Some(view_of(HEALTHY, 1).replacen(&format!("slave {M1}"), "master -", 1));
        let report = check(&snapshot(&views), None);
        assert!(report.healthy(), "warnings do not fail the check");
        let text = report.warnings.join("\n");
        assert!(
            text.contains("172.20.0.6:6379 does not know 172.20.0.7:6379"),
            "{text}"
        );
        assert!(text.contains("role of 172.20.0.5:6379"), "{text}");
        assert!(text.contains("172.20.0.3:6379 sees master"), "{text}");
    }

    #[test]
    fn failing_flags_and_lonely_masters_are_warnings() {
        // Replica of the third master is gone and flagged fail everywhere.
        let global = HEALTHY.replace(
            "slave 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 0 1552082269160 6 connected",
            "slave,fail 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 0 1552082269160 6 disconnected",
        );
        let mut views = all_views(&global);
        views[5] = None;
        let report = check(&snapshot(&views), None);
        let text = report.warnings.join("\n");
        assert!(
            text.contains("172.20.0.7:6379 (9d4e26c5) is flagged fail by 5 of 5 nodes"),
            "{text}"
        );
        assert!(report.healthy());
    }

    #[test]
    fn different_servers_are_a_warning() {
        let snap = snapshot(&all_views(HEALTHY));
        let report = check(&snap, None);
        assert_eq!(report.servers.len(), 1);
        assert_eq!(report.servers[0].nodes.len(), 6);
        let mut mixed = snap.clone();
        for node in &mut mixed.nodes[3..] {
            if let Ok(probe) = &mut node.probe {
                probe.info.server.flavor = Flavor::Valkey;
                probe.info.server.version = Version(9, 1, 2);
            }
        }
        let report = check(&mixed, None);
        assert!(report.healthy(), "a warning, not an error");
        let labels: Vec<String> = report
            .servers
            .iter()
            .map(|g| format!("{} {} x{}", g.server.name(), g.version, g.nodes.len()))
            .collect();
        assert_eq!(labels, ["redis 7.0.15 x3", "valkey 9.1.2 x3"]);
        let text = report.warnings.join("\n");
        assert!(
            text.contains("Nodes run different servers (redis 7.0.15 on 172.20.0.2:6379, "),
            "{text}"
        );
        assert!(text.contains("an upgrade in progress?"), "{text}");
    }

    #[test]
    fn multiple_owners_from_stray_keys() {
        let snap = snapshot(&all_views(HEALTHY));
        let mut stray = StrayKeys::new();
        stray.insert(M2.to_string(), [7u16, 8].into_iter().collect());
        let report = check(&snap, Some(&stray));
        let multi = report.multiple_owners.as_ref().unwrap();
        assert_eq!(multi.iter().map(|m| m.slot).collect::<Vec<_>>(), vec![7, 8]);
        assert_eq!(multi[0].owners, vec!["172.20.0.2:6379", "172.20.0.3:6379"]);
        assert!(!report.healthy());
        let clean = check(&snap, Some(&StrayKeys::new()));
        assert_eq!(clean.multiple_owners.as_ref().map(Vec::len), Some(0));
        assert!(clean.healthy());
    }
}
