//! Topology tables: `nodes` (one row per node, grouped by shard) and `slots` (slot ranges and
//! who serves them). Pure functions from a snapshot to rows, then to a comfy-table.

use comfy_table::{Table, presets};
use serde::Serialize;

use crate::cluster::parse::info::{numbered_dbs_used, per_db_text};
use crate::cluster::slots::{SLOT_COUNT, SlotRange, SlotSet};
use crate::cluster::snapshot::{NodeState, Snapshot};

/// The nodes grouped by shard: each master (ordered by its first slot, slot-less masters last)
/// followed by its replicas; replicas of unknown masters come last.
pub(crate) fn shards(snapshot: &Snapshot) -> Vec<(&NodeState, Vec<&NodeState>)> {
    let mut masters: Vec<&NodeState> = snapshot.masters().collect();
    masters.sort_by_key(|m| {
        (
            m.current().slots.iter().next().unwrap_or(SLOT_COUNT),
            m.addr_text(),
        )
    });
    let mut out: Vec<(&NodeState, Vec<&NodeState>)> = masters
        .into_iter()
        .map(|m| {
            let mut replicas: Vec<&NodeState> = snapshot.replicas_of(m.id()).collect();
            replicas.sort_by_key(|r| r.addr_text());
            (m, replicas)
        })
        .collect();
    let placed: Vec<&str> = out
        .iter()
        .flat_map(|(m, rs)| std::iter::once(m.id()).chain(rs.iter().map(|r| r.id())))
        .collect();
    let orphans: Vec<&NodeState> = snapshot
        .nodes
        .iter()
        .filter(|n| !placed.contains(&n.id()))
        .collect();
    for orphan in orphans {
        out.push((orphan, Vec::new()));
    }
    out
}

/// Slot ranges for a table cell: at most three ranges, then a count of the rest.
fn slots_cell(slots: &SlotSet) -> String {
    if slots.is_empty() {
        return "-".to_string();
    }
    let ranges = slots.ranges();
    let mut text = ranges
        .iter()
        .take(3)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if ranges.len() > 3 {
        text.push_str(&format!(" +{} ranges", ranges.len() - 3));
    }
    format!("{text} ({})", slots.len())
}

/// A table in the style of every rcluster table, with `header`.
pub(crate) fn new_table(header: Vec<&str>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_header(header);
    table
}

/// The `nodes` table.
pub(crate) fn nodes_table(snapshot: &Snapshot) -> String {
    let with_hostname = snapshot
        .nodes
        .iter()
        .any(|n| n.current().hostname.is_some());
    let mut header = vec!["ROLE", "ID", "ADDRESS"];
    if with_hostname {
        header.push("HOSTNAME");
    }
    header.extend([
        "SLOTS",
        "KEYS",
        "SERVER",
        "LINK",
        "FLAGS",
        "EPOCH",
        "REPLICATION",
    ]);
    let columns = Columns {
        hostname: with_hostname,
        per_db: numbered_dbs_used(&snapshot.master_keys_per_db()),
    };
    let mut table = new_table(header);
    for (master, replicas) in shards(snapshot) {
        let master_offset = master.probe().map(|p| p.info.repl_offset);
        table.add_row(node_row(snapshot, master, columns, None));
        for replica in replicas {
            table.add_row(node_row(snapshot, replica, columns, master_offset));
        }
    }
    table.to_string()
}

/// The optional parts of a `nodes` row.
#[derive(Clone, Copy)]
struct Columns {
    /// A HOSTNAME column.
    hostname: bool,
    /// Keys per database after the total (some database other than 0 holds keys).
    per_db: bool,
}

/// The KEYS cell: the total over every database, then per database when `per_db`.
fn keys_cell(node: &NodeState, per_db: bool) -> String {
    node.probe().map_or("-".to_string(), |p| {
        let total = p.info.total_keys();
        if per_db && total > 0 {
            format!("{total} ({})", per_db_text(&p.info.keys_per_db()))
        } else {
            total.to_string()
        }
    })
}

fn node_row(
    snapshot: &Snapshot,
    node: &NodeState,
    columns: Columns,
    master_offset: Option<i64>,
) -> Vec<String> {
    let me = node.current();
    let role = if node.is_master() {
        "master".to_string()
    } else {
        "└ replica".to_string()
    };
    let link = match (&node.probe, node.id() == snapshot.nodes[0].id()) {
        (Err(_), _) => "unreachable".to_string(),
        (Ok(_), true) => "myself".to_string(),
        (Ok(_), false) => format!("{:?}", node.seen.link).to_lowercase(),
    };
    let repl = match node.probe() {
        None => node
            .probe
            .as_ref()
            .err()
            .map(|e| e.message.clone())
            .unwrap_or_default(),
        Some(p) if node.is_master() => format!("offset {}", p.info.repl_offset),
        Some(p) => match (p.info.master_link_up, master_offset) {
            (Some(false), _) => "link down".to_string(),
            (_, Some(m)) => format!(
                "offset {}, lag {} B",
                p.info.repl_offset,
                (m - p.info.repl_offset).max(0)
            ),
            _ => format!("offset {}", p.info.repl_offset),
        },
    };
    let mut row = vec![
        role,
        me.id[..8.min(me.id.len())].to_string(),
        node.addr_text(),
    ];
    if columns.hostname {
        row.push(me.hostname.clone().unwrap_or_default());
    }
    row.extend([
        slots_cell(&me.slots),
        keys_cell(node, columns.per_db),
        node.probe()
            .map_or("-".to_string(), |p| p.info.server.label()),
        link,
        node.flags_text(),
        me.config_epoch.to_string(),
        repl,
    ]);
    row
}

/// One row of the `slots` view: a range and who serves it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SlotRow {
    /// The slot range.
    pub(crate) range: SlotRange,
    /// Number of slots in it.
    pub(crate) count: usize,
    /// `host:port` of the master, null when not covered.
    pub(crate) master: Option<String>,
    /// Master id, null when not covered.
    pub(crate) master_id: Option<String>,
    /// Whether the master answered (false: the slots are effectively not served).
    pub(crate) master_reachable: bool,
    /// `host:port` of each replica.
    pub(crate) replicas: Vec<String>,
    /// Migrating/importing markers inside the range, e.g. `504 migrating to 127.0.0.1:7001`.
    pub(crate) open: Vec<String>,
}

/// The slot map from the masters' own views: maximal ranges with the same master.
pub(crate) fn slot_rows(snapshot: &Snapshot) -> Vec<SlotRow> {
    let mut owner: Vec<Option<&NodeState>> = vec![None; usize::from(SLOT_COUNT)];
    for node in snapshot.masters() {
        for slot in node.current().slots.iter() {
            owner[usize::from(slot)] = Some(node);
        }
    }
    let addr_of = |id: &str| {
        snapshot
            .node(id)
            .map_or_else(|| id[..8.min(id.len())].to_string(), NodeState::addr_text)
    };
    let mut markers: Vec<(u16, String)> = Vec::new();
    for node in snapshot.nodes.iter().filter(|n| n.reachable()) {
        for m in &node.current().migrating {
            markers.push((
                m.slot,
                format!(
                    "{} migrating from {} to {}",
                    m.slot,
                    node.addr_text(),
                    addr_of(&m.peer)
                ),
            ));
        }
        for i in &node.current().importing {
            markers.push((
                i.slot,
                format!(
                    "{} importing into {} from {}",
                    i.slot,
                    node.addr_text(),
                    addr_of(&i.peer)
                ),
            ));
        }
    }
    markers.sort();
    let mut rows: Vec<SlotRow> = Vec::new();
    for slot in 0..SLOT_COUNT {
        let node = owner[usize::from(slot)];
        let id = node.map(|n| n.id().to_string());
        match rows.last_mut() {
            Some(last) if last.master_id == id => {
                last.range.end = slot;
                last.count += 1;
            }
            _ => rows.push(SlotRow {
                range: SlotRange {
                    start: slot,
                    end: slot,
                },
                count: 1,
                master: node.map(NodeState::addr_text),
                master_id: id,
                master_reachable: node.is_some_and(NodeState::reachable),
                replicas: node
                    .map(|n| {
                        snapshot
                            .replicas_of(n.id())
                            .map(NodeState::addr_text)
                            .collect()
                    })
                    .unwrap_or_default(),
                open: Vec::new(),
            }),
        }
    }
    for row in &mut rows {
        row.open = markers
            .iter()
            .filter(|(s, _)| (row.range.start..=row.range.end).contains(s))
            .map(|(_, text)| text.clone())
            .collect();
    }
    rows
}

/// The `slots` table.
pub(crate) fn slots_table(rows: &[SlotRow]) -> String {
    let mut table = new_table(vec!["SLOTS", "COUNT", "MASTER", "REPLICAS", "OPEN"]);
    for row in rows {
        table.add_row(vec![
            row.range.to_string(),
            row.count.to_string(),
            match (&row.master, row.master_reachable) {
                (None, _) => "(not covered)".to_string(),
                (Some(m), true) => m.clone(),
                (Some(m), false) => format!("{m} (unreachable)"),
            },
            row.replicas.join(", "),
            row.open.join("; "),
        ]);
    }
    table.to_string()
}
