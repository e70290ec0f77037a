//! Per-slot counters as servers report them: the reply of `CLUSTER SLOT-STATS SLOTSRANGE
//! start end` (Valkey >= 8.0, Redis >= 8.2), one entry per slot the node serves in the range.
//! RESP2 sends `[[slot, [field, value, ...]], ...]`, RESP3 the same with a map for each slot's
//! fields. `key-count` is always there; `cpu-usec`, `network-bytes-in` and `network-bytes-out`
//! only with `cluster-slot-stats-enabled yes`; `memory-bytes` only on Redis >= 8.4. Counters
//! are cumulative since the slot came to the node. Parsing only.

use redis::Value;

use crate::cluster::slots::SLOT_COUNT;

/// One slot's counters on one node (None: the node did not report that field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct SlotStat {
    /// The slot.
    pub(crate) slot: u16,
    /// `key-count`: keys in the slot (over every database).
    pub(crate) key_count: u64,
    /// `cpu-usec`: microseconds spent on the slot's commands.
    pub(crate) cpu_usec: Option<u64>,
    /// `network-bytes-in`: bytes of the slot's commands.
    pub(crate) network_bytes_in: Option<u64>,
    /// `network-bytes-out`: bytes of the slot's replies.
    pub(crate) network_bytes_out: Option<u64>,
    /// `memory-bytes`: bytes the slot's keys use (Redis >= 8.4).
    pub(crate) memory_bytes: Option<u64>,
}

/// Parses a `CLUSTER SLOT-STATS` reply. Unknown fields are ignored (newer servers add some);
/// a slot out of range, an entry without `key-count` or a value that is not a count of 0 or
/// more is an error.
pub(crate) fn parse_slot_stats(reply: &Value) -> Result<Vec<SlotStat>, String> {
    let Value::Array(entries) = reply else {
        return Err(format!("unexpected CLUSTER SLOT-STATS reply: {reply:?}"));
    };
    entries.iter().map(parse_entry).collect()
}

/// One `[slot, fields]` entry.
fn parse_entry(entry: &Value) -> Result<SlotStat, String> {
    let (slot, fields) = match entry {
        Value::Array(pair) if pair.len() == 2 => (&pair[0], &pair[1]),
        other => return Err(format!("unexpected slot stats entry: {other:?}")),
    };
    let slot = count(slot)
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&s| s < SLOT_COUNT)
        .ok_or_else(|| format!("bad slot in a slot stats entry: {slot:?}"))?;
    let mut stat = SlotStat {
        slot,
        ..SlotStat::default()
    };
    let mut key_count = None;
    for (name, value) in field_pairs(fields)? {
        let target = match name.as_str() {
            "key-count" => &mut key_count,
            "cpu-usec" => &mut stat.cpu_usec,
            "network-bytes-in" => &mut stat.network_bytes_in,
            "network-bytes-out" => &mut stat.network_bytes_out,
            "memory-bytes" => &mut stat.memory_bytes,
            _ => continue,
        };
        *target =
            Some(count(value).ok_or_else(|| format!("bad {name} of slot {slot}: {value:?}"))?);
    }
    stat.key_count = key_count.ok_or_else(|| format!("slot {slot} has no key-count"))?;
    Ok(stat)
}

/// The field/value pairs of a flat array (RESP2) or a map (RESP3).
fn field_pairs(fields: &Value) -> Result<Vec<(String, &Value)>, String> {
    match fields {
        Value::Map(pairs) => pairs.iter().map(|(k, v)| Ok((name(k)?, v))).collect(),
        Value::Array(flat) if flat.len() % 2 == 0 => flat
            .chunks(2)
            .map(|kv| Ok((name(&kv[0])?, &kv[1])))
            .collect(),
        other => Err(format!("unexpected slot stats fields: {other:?}")),
    }
}

/// A field name.
fn name(value: &Value) -> Result<String, String> {
    match value {
        Value::BulkString(bytes) => Ok(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => Ok(s.clone()),
        other => Err(format!("unexpected slot stats field name: {other:?}")),
    }
}

/// A count of 0 or more, sent as an integer (or, to be lenient, as digits).
fn count(value: &Value) -> Option<u64> {
    match value {
        Value::Int(n) => u64::try_from(*n).ok(),
        Value::BulkString(bytes) => std::str::from_utf8(bytes).ok()?.trim().parse().ok(),
        Value::SimpleString(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    /// `[slot, [field, value, ...]]` as Valkey 9.1 and Redis 8.2 send it over RESP2.
    fn resp2_entry(slot: i64, fields: &[(&str, i64)]) -> Value {
        let flat = fields
            .iter()
            .flat_map(|(k, v)| [bulk(k), Value::Int(*v)])
            .collect();
        Value::Array(vec![Value::Int(slot), Value::Array(flat)])
    }

    #[test]
    fn resp2_reply_with_and_without_stats_enabled() {
        let reply = Value::Array(vec![
            resp2_entry(12181, &[("key-count", 0)]),
            resp2_entry(
                12182,
                &[
                    ("key-count", 1),
                    ("cpu-usec", 4),
                    ("network-bytes-in", 22),
                    ("network-bytes-out", 9),
                ],
            ),
        ]);
        let stats = parse_slot_stats(&reply).unwrap();
        assert_eq!(
            stats[0],
            SlotStat {
                slot: 12181,
                ..SlotStat::default()
            }
        );
        assert_eq!(
            stats[1],
            SlotStat {
                slot: 12182,
                key_count: 1,
                cpu_usec: Some(4),
                network_bytes_in: Some(22),
                network_bytes_out: Some(9),
                memory_bytes: None,
            }
        );
    }

    #[test]
    fn resp3_maps_memory_bytes_and_unknown_fields() {
        let fields = Value::Map(vec![
            (bulk("key-count"), Value::Int(7)),
            (bulk("memory-bytes"), Value::Int(4096)),
            (bulk("some-future-field"), bulk("whatever")),
        ]);
        let reply = Value::Array(vec![Value::Array(vec![Value::Int(5), fields])]);
        let stats = parse_slot_stats(&reply).unwrap();
        assert_eq!(stats.len(), 1);
        assert_eq!((stats[0].key_count, stats[0].memory_bytes), (7, Some(4096)));
        assert_eq!(stats[0].cpu_usec, None);
    }

    #[test]
    fn an_empty_range_is_an_empty_list() {
        assert_eq!(parse_slot_stats(&Value::Array(vec![])), Ok(vec![]));
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        let bad = [
            Value::Nil,
            Value::Array(vec![Value::Int(1)]),
            Value::Array(vec![resp2_entry(16384, &[("key-count", 0)])]),
            Value::Array(vec![resp2_entry(-1, &[("key-count", 0)])]),
            Value::Array(vec![resp2_entry(3, &[("cpu-usec", 1)])]),
            Value::Array(vec![resp2_entry(3, &[("key-count", -2)])]),
            Value::Array(vec![Value::Array(vec![
                Value::Int(3),
                Value::Array(vec![bulk("key-count")]),
            ])]),
            Value::Array(vec![Value::Array(vec![
                Value::Int(3),
                Value::Array(vec![Value::Int(1), Value::Int(2)]),
            ])]),
        ];
        for reply in bad {
            assert!(parse_slot_stats(&reply).is_err(), "{reply:?}");
        }
    }
}
