//! How evenly the masters hold the data: each reachable master's share of the keys and of the
//! data memory (`used_memory_dataset`), and the imbalance (the largest over the mean). `info`
//! and `check` show the shares; `check` warns when an imbalance passes [`WARN_IMBALANCE`] on a
//! cluster big enough for it to matter. Pure: read from a snapshot.

use serde::Serialize;

use crate::cluster::snapshot::Snapshot;

/// `check` warns when the largest master holds more than this times the mean: half as much
/// again as its share is worth acting on, while clusters fed by real workloads commonly sit
/// a quarter above (the docker scenario's writes: 1.26 on keys).
pub(crate) const WARN_IMBALANCE: f64 = 1.5;

/// Below this many keys per master (on average) key counts are not judged: a small or new
/// cluster is uneven by chance.
const MIN_KEYS_PER_MASTER: u64 = 1000;

/// Below this much data memory per master (on average) memory is not judged.
const MIN_BYTES_PER_MASTER: u64 = 4 * 1024 * 1024;

/// One reachable master's part of the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MasterShare {
    /// `host:port`.
    pub(crate) addr: String,
    /// Node id.
    pub(crate) id: String,
    /// Keys over every database.
    pub(crate) keys: u64,
    /// Its share of the keys (0 to 1).
    pub(crate) keys_share: f64,
    /// Data memory (`used_memory_dataset`), bytes.
    pub(crate) memory_bytes: u64,
    /// Its share of the data memory (0 to 1).
    pub(crate) memory_share: f64,
}

/// The masters' shares and the imbalances.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Balance {
    /// Masters that serve slots and answered, in snapshot order.
    pub(crate) masters: Vec<MasterShare>,
    /// max / mean of the keys (1.0 when even or empty).
    pub(crate) keys_imbalance: f64,
    /// max / mean of the data memory.
    pub(crate) memory_imbalance: f64,
}

impl Balance {
    /// The shares of the reachable masters of `snapshot` that serve slots.
    pub(crate) fn of(snapshot: &Snapshot) -> Balance {
        let read: Vec<(String, String, u64, u64)> = snapshot
            .masters()
            .filter_map(|n| {
                let probe = n.probe()?;
                (!probe.myself.slots.is_empty()).then(|| {
                    (
                        n.addr_text(),
                        n.id().to_string(),
                        probe.info.total_keys(),
                        probe.info.dataset_bytes,
                    )
                })
            })
            .collect();
        let keys: Vec<u64> = read.iter().map(|r| r.2).collect();
        let bytes: Vec<u64> = read.iter().map(|r| r.3).collect();
        let (key_total, byte_total) = (keys.iter().sum::<u64>(), bytes.iter().sum::<u64>());
        let masters = read
            .into_iter()
            .map(|(addr, id, keys, memory_bytes)| MasterShare {
                addr,
                id,
                keys,
                keys_share: share(keys, key_total),
                memory_bytes,
                memory_share: share(memory_bytes, byte_total),
            })
            .collect();
        Balance {
            masters,
            keys_imbalance: max_over_mean(&keys),
            memory_imbalance: max_over_mean(&bytes),
        }
    }

    /// `check`'s warnings: keys or memory beyond [`WARN_IMBALANCE`], naming the fullest
    /// master and what to run.
    pub(crate) fn warnings(&self) -> Vec<String> {
        let n = self.masters.len() as u64;
        let mut out = Vec::new();
        let keys: u64 = self.masters.iter().map(|m| m.keys).sum();
        if n > 1 && keys >= MIN_KEYS_PER_MASTER * n && self.keys_imbalance > WARN_IMBALANCE {
            out.push(self.warning("keys", self.keys_imbalance, |m| m.keys_share));
        }
        let bytes: u64 = self.masters.iter().map(|m| m.memory_bytes).sum();
        if n > 1 && bytes >= MIN_BYTES_PER_MASTER * n && self.memory_imbalance > WARN_IMBALANCE {
            out.push(self.warning("memory", self.memory_imbalance, |m| m.memory_share));
        }
        out
    }

    /// One imbalance warning for `metric`.
    fn warning(&self, metric: &str, imbalance: f64, share: fn(&MasterShare) -> f64) -> String {
        let fullest = self
            .masters
            .iter()
            .max_by(|a, b| share(a).total_cmp(&share(b)))
            .map_or(String::new(), |m| {
                format!(": {} holds {:.1}%", m.addr, 100.0 * share(m))
            });
        format!(
            "Unbalanced {metric}{fullest} (max/mean {imbalance:.2}, over \
             {WARN_IMBALANCE}); `rcluster load --by {metric}` shows where, `rcluster rebalance \
             --by {metric}` evens it out."
        )
    }
}

/// `part` of `total` (0 when the total is 0).
fn share(part: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        part as f64 / total as f64
    }
}

/// max / mean of `values` (1.0 when empty or all 0).
fn max_over_mean(values: &[u64]) -> f64 {
    let sum: u64 = values.iter().sum();
    if values.is_empty() || sum == 0 {
        return 1.0;
    }
    let max = values.iter().copied().max().unwrap_or(0);
    max as f64 * values.len() as f64 / sum as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balance(keys: &[u64], bytes: &[u64]) -> Balance {
        let masters = keys
            .iter()
            .zip(bytes)
            .enumerate()
            .map(|(i, (&k, &b))| MasterShare {
                addr: format!("10.0.0.{i}:6379"),
                id: format!("id{i}"),
                keys: k,
                keys_share: share(k, keys.iter().sum()),
                memory_bytes: b,
                memory_share: share(b, bytes.iter().sum()),
            })
            .collect();
        Balance {
            masters,
            keys_imbalance: max_over_mean(keys),
            memory_imbalance: max_over_mean(bytes),
        }
    }

    #[test]
    fn even_data_has_no_warning() {
        let even = balance(&[10_000, 10_100, 9_900], &[1 << 30, 1 << 30, 1 << 30]);
        assert!(even.warnings().is_empty());
        assert!((even.keys_imbalance - 1.0).abs() < 0.02);
    }

    #[test]
    fn skewed_memory_names_the_fullest_master() {
        let skewed = balance(
            &[10_000, 10_000, 10_000],
            &[900 << 20, 100 << 20, 100 << 20],
        );
        let warnings = skewed.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("Unbalanced memory: 10.0.0.0:6379 holds 81.8%"));
        assert!(warnings[0].contains("max/mean 2.45"));
    }

    #[test]
    fn small_clusters_are_not_judged() {
        assert!(balance(&[10, 0, 0], &[1 << 20, 0, 0]).warnings().is_empty());
        assert!(balance(&[90_000], &[1 << 34]).warnings().is_empty());
        assert_eq!(max_over_mean(&[]), 1.0);
        assert_eq!(max_over_mean(&[0, 0]), 1.0);
    }
}
