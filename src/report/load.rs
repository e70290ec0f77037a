//! `load`'s report: the per-master table (each metric's total, share and the imbalance), the
//! hottest slots (owner, value, sample keys, hash tags), the lines saying where each metric
//! came from, and the JSON document. Pure: from the masters (as the planners see them) and a
//! [`LoadReading`] to text and `Serialize` values.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::keysizes::quoted;
use crate::cluster::load::{
    LoadReading, MasterLoad, Metric, SlotValues, Source, hash_tag, imbalance, per_master,
};
use crate::cluster::plan::moves::PlanNode;
use crate::cluster::slots::SLOT_COUNT;
use crate::output::{Doc, Style};
use crate::report::quantity::metric_value;
use crate::report::table::new_table;

/// Longest key name shown in the hot slots table (longer ones are cut with `…`).
const KEY_WIDTH: usize = 40;

/// What `load` shows: the nodes (in snapshot order) and what was read.
#[derive(Debug, Clone)]
pub(crate) struct LoadReport<'a> {
    /// The node the cluster was loaded through.
    pub(crate) entry: String,
    /// The metric that ranks the hot slots.
    pub(crate) by: Metric,
    /// Every node, as the planners see them (masters with their slots).
    pub(crate) nodes: &'a [PlanNode],
    /// The reading.
    pub(crate) reading: &'a LoadReading,
}

impl LoadReport<'_> {
    /// The masters' loads of each metric read, in metric order (-0, the sum over no slot,
    /// as 0).
    fn loads(&self) -> Vec<(&SlotValues, Vec<MasterLoad>)> {
        self.reading
            .metrics
            .values()
            .map(|values| (values, per_master(self.nodes, values)))
            .collect()
    }

    /// The masters' node indices, by first slot then address (slot-less masters last).
    fn master_order(&self) -> Vec<usize> {
        let mut masters: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_master)
            .collect();
        masters.sort_by_key(|&i| {
            let node = &self.nodes[i];
            (
                node.slots.iter().next().unwrap_or(SLOT_COUNT),
                node.addr.clone(),
            )
        });
        masters
    }

    /// The node serving `slot`, if any master does.
    fn owner(&self, slot: u16) -> Option<&PlanNode> {
        self.nodes
            .iter()
            .find(|n| n.is_master && n.slots.contains(slot))
    }
}

/// The heading and where each metric came from, then the notes (as warnings).
pub(crate) fn summary(report: &LoadReport) -> Doc {
    let mut doc = Doc::new();
    let masters = report.nodes.iter().filter(|n| n.is_master).count();
    let plural = if masters == 1 { "" } else { "s" };
    doc.push(
        Style::Info,
        format!(
            ">>> Load of {masters} master{plural}, read through {}",
            report.entry
        ),
    );
    for values in report.reading.metrics.values() {
        doc.plain(format!(
            "{}: {}",
            values.metric,
            source_text(values, report.reading.window_secs)
        ));
    }
    for note in &report.reading.notes {
        doc.push(Style::Warn, format!("[WARNING] {note}"));
    }
    doc
}

/// How `values` were read, in words.
fn source_text(values: &SlotValues, window: Option<f64>) -> String {
    let over = match (values.metric.is_rate(), window) {
        (true, Some(secs)) => format!(", per second over {secs:.2} s"),
        _ => String::new(),
    };
    match values.source {
        Source::SlotStats => format!("CLUSTER SLOT-STATS{over}"),
        Source::CountKeys => "CLUSTER COUNTKEYSINSLOT".to_string(),
        Source::Sampled { keys_per_slot } => format!(
            "estimated: MEMORY USAGE of up to {keys_per_slot} keys per slot, times the slot's keys"
        ),
    }
}

/// The per-master table: address, id, slots, then each metric's total and share; the last
/// row is each metric's imbalance (max / mean).
pub(crate) fn masters_table(report: &LoadReport) -> String {
    let loads = report.loads();
    let headers: Vec<String> = loads
        .iter()
        .map(|(v, _)| v.metric.name().to_uppercase())
        .collect();
    let mut header = vec!["MASTER", "ID", "SLOTS"];
    header.extend(headers.iter().map(String::as_str));
    let mut table = new_table(header);
    for i in report.master_order() {
        let node = &report.nodes[i];
        let mut row = vec![
            node.addr.clone(),
            node.id.chars().take(8).collect(),
            node.slots.len().to_string(),
        ];
        for (values, per) in &loads {
            let cell = per.iter().find(|l| l.node == i).map_or("-".into(), |l| {
                format!(
                    "{} ({:.1}%)",
                    metric_value(values.metric, l.total),
                    l.share * 100.0
                )
            });
            row.push(cell);
        }
        table.add_row(row);
    }
    let mut last = vec![
        "imbalance (max/mean)".to_string(),
        String::new(),
        String::new(),
    ];
    last.extend(
        loads
            .iter()
            .map(|(_, per)| format!("{:.2}", imbalance(per))),
    );
    table.add_row(last);
    table.to_string()
}

/// The hottest slots by `report.by`: slot, master, value, share of the cluster's total,
/// sample keys and their hash tags. None when nothing was hot (no slot above 0).
pub(crate) fn hot_slots_table(report: &LoadReport) -> Option<String> {
    let slots = hot_slots(report);
    if slots.is_empty() {
        return None;
    }
    let by = report.by.name().to_uppercase();
    let mut table = new_table(vec!["SLOT", "MASTER", &by, "SHARE", "KEYS", "HASH TAGS"]);
    for slot in slots {
        let keys: Vec<String> = slot.keys.iter().map(|k| cut(&k.quoted)).collect();
        let tags: Vec<String> = slot.hash_tags.iter().map(|t| cut(&quoted(t))).collect();
        table.add_row(vec![
            slot.slot.to_string(),
            slot.master_addr.unwrap_or_else(|| "-".into()),
            metric_value(report.by, slot.value),
            format!("{:.2}%", slot.share * 100.0),
            if keys.is_empty() {
                "-".into()
            } else {
                keys.join("\n")
            },
            if tags.is_empty() {
                "-".into()
            } else {
                tags.join("\n")
            },
        ]);
    }
    Some(table.to_string())
}

/// `text` cut to [`KEY_WIDTH`] characters.
fn cut(text: &str) -> String {
    if text.chars().count() <= KEY_WIDTH {
        return text.to_string();
    }
    let mut short: String = text.chars().take(KEY_WIDTH - 1).collect();
    short.push('…');
    short
}

/// The JSON document of `load`.
#[derive(Debug, Serialize)]
pub(crate) struct LoadJson {
    /// The node the cluster was loaded through.
    entry: String,
    /// The metric that ranks `hottest`.
    by: Metric,
    /// Seconds between the two readings of the rates (null: no rate read).
    window_secs: Option<f64>,
    /// Each metric read: unit, source, cluster total, imbalance.
    metrics: Vec<MetricJson>,
    /// Each master's part of each metric.
    masters: Vec<MasterJson>,
    /// The hottest slots by `by`, hottest first.
    hottest: Vec<HotSlot>,
    /// What could not be read, and what the reading changed for a while.
    notes: Vec<String>,
}

/// One metric in [`LoadJson`].
#[derive(Debug, Serialize)]
struct MetricJson {
    metric: Metric,
    unit: &'static str,
    source: Source,
    total: f64,
    imbalance: f64,
}

/// One master in [`LoadJson`].
#[derive(Debug, Serialize)]
struct MasterJson {
    id: String,
    addr: String,
    slot_count: usize,
    load: BTreeMap<Metric, MasterLoad>,
}

/// A key in [`HotSlot`]: the name (bytes that are not UTF-8 replaced) and as redis-cli
/// quotes it (exact).
#[derive(Debug, Serialize)]
struct KeyJson {
    key: String,
    quoted: String,
}

/// One hot slot.
#[derive(Debug, Serialize)]
struct HotSlot {
    slot: u16,
    master_id: Option<String>,
    master_addr: Option<String>,
    value: f64,
    share: f64,
    keys: Vec<KeyJson>,
    #[serde(serialize_with = "lossy_strings")]
    hash_tags: Vec<Vec<u8>>,
}

/// Byte strings as UTF-8 strings (invalid bytes replaced).
fn lossy_strings<S: serde::Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(list.iter().map(|b| String::from_utf8_lossy(b)))
}

impl LoadJson {
    /// The document of `report`.
    pub(crate) fn new(report: &LoadReport) -> LoadJson {
        let loads = report.loads();
        let metrics = loads
            .iter()
            .map(|(values, per)| MetricJson {
                metric: values.metric,
                unit: values.metric.unit(),
                source: values.source,
                total: values.total(),
                imbalance: imbalance(per),
            })
            .collect();
        let masters = report
            .master_order()
            .into_iter()
            .map(|i| master_json(report, &loads, i))
            .collect();
        LoadJson {
            entry: report.entry.clone(),
            by: report.by,
            window_secs: report.reading.window_secs,
            metrics,
            masters,
            hottest: hot_slots(report),
            notes: report.reading.notes.clone(),
        }
    }
}

/// Node `i` in the document.
fn master_json(
    report: &LoadReport,
    loads: &[(&SlotValues, Vec<MasterLoad>)],
    i: usize,
) -> MasterJson {
    let node = &report.nodes[i];
    MasterJson {
        id: node.id.clone(),
        addr: node.addr.clone(),
        slot_count: node.slots.len(),
        load: loads
            .iter()
            .filter_map(|(values, per)| {
                let load = per.iter().find(|l| l.node == i)?;
                Some((values.metric, load.clone()))
            })
            .collect(),
    }
}

/// The slots of `reading.sample_keys` (the hottest, picked by the reader) by value of
/// `report.by`, hottest first, with their keys and hash tags.
fn hot_slots(report: &LoadReport) -> Vec<HotSlot> {
    let Some(values) = report.reading.metrics.get(&report.by) else {
        return Vec::new();
    };
    let total = values.total();
    let mut slots: Vec<HotSlot> = report
        .reading
        .sample_keys
        .iter()
        .map(|(&slot, keys)| {
            let value = values.values[usize::from(slot)];
            let owner = report.owner(slot);
            let mut tags: Vec<Vec<u8>> = Vec::new();
            for tag in keys.iter().filter_map(|k| hash_tag(k)) {
                if !tags.iter().any(|t| t == tag) {
                    tags.push(tag.to_vec());
                }
            }
            HotSlot {
                slot,
                master_id: owner.map(|n| n.id.clone()),
                master_addr: owner.map(|n| n.addr.clone()),
                value,
                share: if total > 0.0 { value / total } else { 0.0 },
                keys: keys
                    .iter()
                    .map(|k| KeyJson {
                        key: String::from_utf8_lossy(k).into_owned(),
                        quoted: quoted(k),
                    })
                    .collect(),
                hash_tags: tags,
            }
        })
        .collect();
    slots.sort_by(|a, b| b.value.total_cmp(&a.value).then(a.slot.cmp(&b.slot)));
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::slots::SlotSet;

    fn nodes() -> Vec<PlanNode> {
        let node = |id: &str, port: u16, slots: std::ops::RangeInclusive<u16>| PlanNode {
            id: id.repeat(40),
            addr: format!("127.0.0.1:{port}"),
            is_master: true,
            slots: slots.collect::<SlotSet>(),
        };
        vec![node("b", 7001, 8192..=16383), node("a", 7000, 0..=8191)]
    }

    fn reading() -> LoadReading {
        let mut keys = SlotValues::zeroed(Metric::Keys, Source::SlotStats);
        keys.values[0] = 30.0;
        keys.values[9000] = 10.0;
        let mut memory = SlotValues::zeroed(Metric::Memory, Source::Sampled { keys_per_slot: 16 });
        memory.values[0] = 3_000_000.0;
        memory.values[9000] = 1_000_000.0;
        let mut reading = LoadReading::default();
        reading.metrics.insert(Metric::Keys, keys);
        reading.metrics.insert(Metric::Memory, memory);
        reading
            .sample_keys
            .insert(0, vec![b"user:{42}:a".to_vec(), b"user:{42}:b".to_vec()]);
        reading
            .sample_keys
            .insert(9000, vec![b"plain\xff".to_vec()]);
        reading
            .notes
            .push("cpu, net-in, net-out, net not read: ...".into());
        reading
    }

    #[test]
    fn masters_table_orders_by_first_slot_and_shows_shares() {
        let (nodes, reading) = (nodes(), reading());
        let report = LoadReport {
            entry: "127.0.0.1:7001".into(),
            by: Metric::Memory,
            nodes: &nodes,
            reading: &reading,
        };
        let table = masters_table(&report);
        let a = table.find("127.0.0.1:7000").unwrap();
        let b = table.find("127.0.0.1:7001").unwrap();
        assert!(a < b, "{table}");
        assert!(
            table.contains("3.0 MB (75.0%)") && table.contains("10 (25.0%)"),
            "{table}"
        );
        assert!(
            table.contains("imbalance (max/mean)") && table.contains("1.50"),
            "{table}"
        );
        let summary = summary(&report).to_text();
        assert!(
            summary.contains("memory: estimated: MEMORY USAGE of up to 16 keys"),
            "{summary}"
        );
        assert!(summary.contains("[WARNING] cpu, net-in"), "{summary}");
    }

    #[test]
    fn hot_slots_carry_owner_keys_and_hash_tags() {
        let (nodes, reading) = (nodes(), reading());
        let report = LoadReport {
            entry: "127.0.0.1:7001".into(),
            by: Metric::Memory,
            nodes: &nodes,
            reading: &reading,
        };
        let table = hot_slots_table(&report).unwrap();
        assert!(
            table.contains("\"user:{42}:a\"") && table.contains("\"42\""),
            "{table}"
        );
        assert!(table.contains("\"plain\\xff\""), "{table}");
        let json = serde_json::to_value(LoadJson::new(&report)).unwrap();
        assert_eq!(json["by"], "memory");
        assert_eq!(json["hottest"][0]["slot"], 0);
        assert_eq!(json["hottest"][0]["master_addr"], "127.0.0.1:7000");
        assert_eq!(json["hottest"][0]["share"], 0.75);
        assert_eq!(json["hottest"][0]["hash_tags"], serde_json::json!(["42"]));
        assert_eq!(json["hottest"][1]["keys"][0]["key"], "plain\u{fffd}");
        assert_eq!(json["masters"][0]["addr"], "127.0.0.1:7000");
        assert_eq!(json["masters"][0]["load"]["keys"]["share"], 0.75);
        assert_eq!(json["metrics"][1]["source"]["kind"], "sampled");
        assert_eq!(json["metrics"][1]["imbalance"], 1.5);
        assert_eq!(json["window_secs"], serde_json::Value::Null);
    }

    #[test]
    fn nothing_hot_is_no_table() {
        let nodes = nodes();
        let reading = LoadReading::default();
        let report = LoadReport {
            entry: "e:1".into(),
            by: Metric::Cpu,
            nodes: &nodes,
            reading: &reading,
        };
        assert!(hot_slots_table(&report).is_none());
        assert!(masters_table(&report).contains("imbalance"));
        let slotless = [PlanNode {
            slots: SlotSet::new(),
            ..nodes[0].clone()
        }];
        let mut keys = LoadReading::default();
        let values = SlotValues::zeroed(Metric::Keys, Source::CountKeys);
        keys.metrics.insert(Metric::Keys, values);
        let report = LoadReport {
            entry: "e:1".into(),
            by: Metric::Keys,
            nodes: &slotless,
            reading: &keys,
        };
        assert!(!masters_table(&report).contains("-0"));
        let json = serde_json::to_string(&LoadJson::new(&report)).unwrap();
        assert!(!json.contains("-0"), "{json}");
        assert!(
            summary(&report)
                .to_text()
                .starts_with(">>> Load of 1 master,")
        );
    }
}
