//! Load per slot, as data: the metrics rcluster reads from servers (keys, memory, CPU,
//! network), one value per slot for each, what they add up to per master, and the hottest
//! slots. Pure: the readings are filled by `crate::probe::load`, balanced by
//! `crate::cluster::plan::load_balance` and drawn by `crate::report` (the heat maps:
//! `heatmap`, `svg`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::cluster::plan::moves::PlanNode;
use crate::cluster::slots::SLOT_COUNT;

/// A per-slot measure of load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Metric {
    /// Keys in the slot (`key-count`, or `CLUSTER COUNTKEYSINSLOT`).
    Keys,
    /// Bytes the slot's keys use (`memory-bytes` where a server has it, else sampled with
    /// `MEMORY USAGE` and scaled by the key count).
    Memory,
    /// CPU time spent on the slot's commands, microseconds per second of the window.
    Cpu,
    /// Bytes per second the slot's commands brought in.
    NetIn,
    /// Bytes per second the slot's replies sent out.
    NetOut,
    /// `NetIn` + `NetOut`.
    Net,
}

impl Metric {
    /// Every metric, in display order.
    pub(crate) const ALL: [Metric; 6] = [
        Metric::Keys,
        Metric::Memory,
        Metric::Cpu,
        Metric::NetIn,
        Metric::NetOut,
        Metric::Net,
    ];

    /// The name operators type (`keys`, `memory`, `cpu`, `net-in`, `net-out`, `net`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Metric::Keys => "keys",
            Metric::Memory => "memory",
            Metric::Cpu => "cpu",
            Metric::NetIn => "net-in",
            Metric::NetOut => "net-out",
            Metric::Net => "net",
        }
    }

    /// True for metrics measured as a rate over a window (two readings).
    pub(crate) fn is_rate(self) -> bool {
        matches!(
            self,
            Metric::Cpu | Metric::NetIn | Metric::NetOut | Metric::Net
        )
    }

    /// The unit of one value, for headers (`keys`, `bytes`, `usec/s`, `bytes/s`).
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Metric::Keys => "keys",
            Metric::Memory => "bytes",
            Metric::Cpu => "usec/s",
            Metric::NetIn | Metric::NetOut | Metric::Net => "bytes/s",
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Metric {
    type Err = String;

    fn from_str(text: &str) -> Result<Metric, String> {
        Metric::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!(
                    "{text:?} is not a metric (one of: {})",
                    Metric::ALL.map(Metric::name).join(", ")
                )
            })
    }
}

/// Where a metric's values came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub(crate) enum Source {
    /// `CLUSTER SLOT-STATS` on every master.
    SlotStats,
    /// `CLUSTER COUNTKEYSINSLOT` per slot (servers without slot stats).
    CountKeys,
    /// `MEMORY USAGE` of up to `keys_per_slot` keys of each slot, scaled by its key count.
    Sampled {
        /// Keys sampled per slot at most.
        keys_per_slot: usize,
    },
}

/// One metric over the whole cluster: a value per slot (16384 of them, 0 for slots no
/// master reported).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SlotValues {
    /// The metric.
    pub(crate) metric: Metric,
    /// How it was read.
    pub(crate) source: Source,
    /// `values[slot]`.
    #[serde(skip)]
    pub(crate) values: Vec<f64>,
}

impl SlotValues {
    /// All-zero values of `metric` read from `source`.
    pub(crate) fn zeroed(metric: Metric, source: Source) -> SlotValues {
        SlotValues {
            metric,
            source,
            values: vec![0.0; usize::from(SLOT_COUNT)],
        }
    }

    /// Sum over all slots (0, never -0, when there are none).
    pub(crate) fn total(&self) -> f64 {
        self.values.iter().sum::<f64>() + 0.0
    }
}

/// A reading of the cluster's load: each metric read, with notes on what could not be.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LoadReading {
    /// The metrics read.
    pub(crate) metrics: BTreeMap<Metric, SlotValues>,
    /// Seconds between the two readings rates come from (None: no rate was read).
    pub(crate) window_secs: Option<f64>,
    /// Sample keys of some slots (the hottest ones), for reports.
    pub(crate) sample_keys: BTreeMap<u16, Vec<Vec<u8>>>,
    /// What the reader wants the operator to know (a node with slot stats disabled, ...).
    pub(crate) notes: Vec<String>,
}

/// One master's part of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MasterLoad {
    /// Node index in the planner's node list.
    #[serde(skip)]
    pub(crate) node: usize,
    /// Sum of the metric over the master's slots.
    pub(crate) total: f64,
    /// `total` over the cluster's total (0 to 1; 0 when the cluster total is 0).
    pub(crate) share: f64,
}

/// Each master's [`MasterLoad`] of `values`, in node order (replicas left out).
pub(crate) fn per_master(nodes: &[PlanNode], values: &SlotValues) -> Vec<MasterLoad> {
    let grand: f64 = values.total();
    nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.is_master)
        .map(|(i, n)| {
            // + 0.0: an empty sum is -0.0.
            let total = n
                .slots
                .iter()
                .map(|s| values.values[usize::from(s)])
                .sum::<f64>()
                + 0.0;
            MasterLoad {
                node: i,
                total,
                share: if grand > 0.0 { total / grand } else { 0.0 },
            }
        })
        .collect()
}

/// max / mean of the masters' totals (1.0 is perfect balance; 1.0 too when all are 0 or
/// there is no master).
pub(crate) fn imbalance(loads: &[MasterLoad]) -> f64 {
    if loads.is_empty() {
        return 1.0;
    }
    let mean = loads.iter().map(|l| l.total).sum::<f64>() / loads.len() as f64;
    let max = loads.iter().map(|l| l.total).fold(0.0, f64::max);
    if mean > 0.0 { max / mean } else { 1.0 }
}

/// The `n` slots with the highest values, hottest first (ties: the lower slot first); slots
/// at 0, below 0 or NaN are not hot and are left out.
pub(crate) fn hottest_slots(values: &SlotValues, n: usize) -> Vec<(u16, f64)> {
    let mut hot: Vec<(u16, f64)> = (0..SLOT_COUNT)
        .zip(&values.values)
        .filter(|(_, v)| **v > 0.0)
        .map(|(slot, v)| (slot, *v))
        .collect();
    hot.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    hot.truncate(n);
    hot
}

/// The hash tag of `key` (the part between the first `{` and the next `}` when not empty),
/// which decides its slot.
pub(crate) fn hash_tag(key: &[u8]) -> Option<&[u8]> {
    let open = key.iter().position(|&b| b == b'{')?;
    let close = key[open + 1..].iter().position(|&b| b == b'}')?;
    (close > 0).then(|| &key[open + 1..open + 1 + close])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::slots::SlotSet;

    fn node(id: &str, master: bool, slots: std::ops::RangeInclusive<u16>) -> PlanNode {
        PlanNode {
            id: id.into(),
            addr: format!("{id}:1"),
            is_master: master,
            slots: if master {
                slots.collect::<SlotSet>()
            } else {
                SlotSet::new()
            },
        }
    }

    #[test]
    fn metric_names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(m.name().parse::<Metric>(), Ok(m));
        }
        assert!("bytes".parse::<Metric>().unwrap_err().contains("net-in"));
    }

    #[test]
    fn per_master_sums_each_masters_slots() {
        let nodes = [
            node("a", true, 0..=8191),
            node("r", false, 0..=0),
            node("b", true, 8192..=16383),
        ];
        let mut v = SlotValues::zeroed(Metric::Keys, Source::SlotStats);
        v.values[0] = 3.0;
        v.values[9000] = 1.0;
        let loads = per_master(&nodes, &v);
        assert_eq!(loads.len(), 2);
        assert_eq!((loads[0].node, loads[0].total), (0, 3.0));
        assert_eq!((loads[1].node, loads[1].share), (2, 0.25));
        assert_eq!(imbalance(&loads), 1.5);
    }

    #[test]
    fn hottest_slots_rank_positive_values() {
        let mut v = SlotValues::zeroed(Metric::Cpu, Source::SlotStats);
        v.values[7] = 5.0;
        v.values[3] = 5.0;
        v.values[16383] = 9.0;
        v.values[1] = f64::NAN;
        v.values[2] = -4.0;
        assert_eq!(hottest_slots(&v, 2), [(16383, 9.0), (3, 5.0)]);
        assert_eq!(hottest_slots(&v, 10).len(), 3);
        assert!(hottest_slots(&v, 0).is_empty());
    }

    #[test]
    fn hash_tags_follow_the_cluster_rule() {
        assert_eq!(hash_tag(b"user:{42}:cart"), Some(&b"42"[..]));
        assert_eq!(hash_tag(b"{}x{y}"), None);
        assert_eq!(hash_tag(b"plain"), None);
        assert_eq!(hash_tag(b"a{b"), None);
    }
}
