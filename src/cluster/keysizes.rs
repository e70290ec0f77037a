//! What `bigkeys` and `memkeys` learn about the keyspace, as pure data: per key type the
//! count, the total size and the biggest keys, merged over the nodes scanned. Sizes are the
//! type's length (bytes of a string, items of a list, ...) or MEMORY USAGE bytes.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use serde::Serialize;

/// What a key's size counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Measure {
    /// The type's length command (STRLEN, LLEN, SCARD, ZCARD, HLEN, XLEN).
    Length,
    /// MEMORY USAGE, in bytes.
    Memory,
}

/// The key types in redis-cli's order, with the length command and its unit.
const KNOWN_TYPES: [(&str, &str, &str); 6] = [
    ("string", "STRLEN", "bytes"),
    ("list", "LLEN", "items"),
    ("set", "SCARD", "members"),
    ("zset", "ZCARD", "members"),
    ("hash", "HLEN", "fields"),
    ("stream", "XLEN", "entries"),
];

/// The length command for `kind`, when it has one.
pub(crate) fn length_command(kind: &str) -> Option<&'static str> {
    KNOWN_TYPES
        .iter()
        .find(|(t, _, _)| *t == kind)
        .map(|(_, cmd, _)| *cmd)
}

/// The unit sizes of `kind` are counted in.
pub(crate) fn unit(kind: &str, measure: Measure) -> &'static str {
    match measure {
        Measure::Memory => "bytes",
        Measure::Length => KNOWN_TYPES
            .iter()
            .find(|(t, _, _)| *t == kind)
            .map_or("items", |(_, _, unit)| *unit),
    }
}

/// One key and its size, where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct SizedKey {
    /// The key type.
    #[serde(rename = "type")]
    pub(crate) kind: String,
    /// The key (bytes that are not UTF-8 replaced by U+FFFD).
    pub(crate) key: String,
    /// The key as redis-cli quotes it (exact for any bytes).
    pub(crate) quoted: String,
    /// Its size (see [`Measure`]).
    pub(crate) size: u64,
    /// The node it was found on (`host:port`).
    pub(crate) node: String,
    /// Its database.
    pub(crate) db: u32,
    /// Its hash slot.
    pub(crate) slot: u16,
}

impl SizedKey {
    /// A key of `kind` named `key` (any bytes) of `size`, found in database `db` of `node`.
    pub(crate) fn new(kind: &str, key: &[u8], size: u64, node: &str, db: u32) -> Self {
        SizedKey {
            kind: kind.to_string(),
            key: String::from_utf8_lossy(key).into_owned(),
            quoted: quoted(key),
            size,
            node: node.to_string(),
            db,
            slot: crate::cluster::slots::key_slot(key),
        }
    }
}

/// Totals of one key type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct TypeStats {
    /// Keys of the type.
    pub(crate) count: u64,
    /// Keys whose size could be measured (a key may vanish between TYPE and its size).
    pub(crate) measured: u64,
    /// Sum of their sizes.
    pub(crate) total: u64,
    /// The biggest keys, biggest first (the first found wins a tie, as in redis-cli).
    pub(crate) biggest: Vec<SizedKey>,
}

/// What a scan found, merged over nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct KeySizes {
    /// Keys seen.
    pub(crate) sampled: u64,
    /// Sum of the key names' lengths.
    pub(crate) key_bytes: u64,
    /// Per type.
    pub(crate) types: BTreeMap<String, TypeStats>,
    /// How many biggest keys each type keeps.
    #[serde(skip)]
    pub(crate) keep: usize,
}

impl KeySizes {
    /// Empty totals keeping the `keep` biggest keys per type.
    pub(crate) fn new(keep: usize) -> Self {
        KeySizes {
            keep: keep.max(1),
            ..KeySizes::default()
        }
    }

    /// Counts one key; `sized` is `None` when its size could not be measured.
    pub(crate) fn add(&mut self, kind: &str, key_len: usize, sized: Option<SizedKey>) {
        self.sampled += 1;
        self.key_bytes += key_len as u64;
        let stats = self.types.entry(kind.to_string()).or_default();
        stats.count += 1;
        if let Some(key) = sized {
            stats.measured += 1;
            stats.total += key.size;
            insert_biggest(&mut stats.biggest, key, self.keep);
        }
    }

    /// Adds another node's totals (found after this one's, for ties).
    pub(crate) fn merge(&mut self, other: KeySizes) {
        self.sampled += other.sampled;
        self.key_bytes += other.key_bytes;
        for (kind, theirs) in other.types {
            let ours = self.types.entry(kind).or_default();
            ours.count += theirs.count;
            ours.measured += theirs.measured;
            ours.total += theirs.total;
            for key in theirs.biggest {
                insert_biggest(&mut ours.biggest, key, self.keep);
            }
        }
    }

    /// The types in redis-cli's order (known types first, then others by name), including
    /// known types with no key.
    pub(crate) fn ordered(&self) -> Vec<(String, TypeStats)> {
        let mut out: Vec<(String, TypeStats)> = KNOWN_TYPES
            .iter()
            .map(|(t, _, _)| {
                (
                    t.to_string(),
                    self.types.get(*t).cloned().unwrap_or_default(),
                )
            })
            .collect();
        for (kind, stats) in &self.types {
            if length_command(kind).is_none() {
                out.push((kind.clone(), stats.clone()));
            }
        }
        out
    }

    /// The `n` biggest keys of every type together, biggest first (for memory, where sizes
    /// of different types compare).
    pub(crate) fn top_overall(&self, n: usize) -> Vec<SizedKey> {
        let mut all: Vec<SizedKey> = self
            .types
            .values()
            .flat_map(|s| s.biggest.iter().cloned())
            .collect();
        all.sort_by_key(|k| Reverse(k.size));
        all.truncate(n);
        all
    }
}

/// Keeps `list` sorted biggest first with at most `keep` keys; an equal size goes after the
/// keys already there.
fn insert_biggest(list: &mut Vec<SizedKey>, key: SizedKey, keep: usize) {
    let at = list.partition_point(|k| k.size >= key.size);
    if at < keep {
        list.insert(at, key);
        list.truncate(keep);
    }
}

/// A key as redis-cli quotes it: `"..."` with escapes for quotes, backslashes and bytes that
/// are not printable.
pub(crate) fn quoted(key: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in key {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: &str, name: &str, size: u64, node: &str) -> SizedKey {
        SizedKey {
            kind: kind.into(),
            key: name.into(),
            quoted: quoted(name.as_bytes()),
            size,
            node: node.into(),
            db: 0,
            slot: 0,
        }
    }

    #[test]
    fn biggest_per_type_first_found_wins_ties() {
        let mut a = KeySizes::new(2);
        a.add("string", 1, Some(key("string", "a", 5, "n1")));
        a.add("string", 1, Some(key("string", "b", 9, "n1")));
        a.add("string", 1, Some(key("string", "c", 9, "n1")));
        a.add("list", 4, None);
        let mut b = KeySizes::new(2);
        b.add("string", 1, Some(key("string", "d", 9, "n2")));
        b.add("hash", 1, Some(key("hash", "h", 3, "n2")));
        a.merge(b);
        let s = &a.types["string"];
        assert_eq!((s.count, s.measured, s.total), (4, 4, 32));
        let names: Vec<&str> = s.biggest.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(a.sampled, 6);
        assert_eq!(a.key_bytes, 9);
        assert_eq!(a.types["list"].measured, 0);
        let order: Vec<String> = a.ordered().into_iter().map(|(t, _)| t).collect();
        assert_eq!(order, ["string", "list", "set", "zset", "hash", "stream"]);
        assert_eq!(a.top_overall(1)[0].key, "b");
    }

    #[test]
    fn unknown_types_are_listed_after_the_known_ones() {
        let mut a = KeySizes::new(1);
        a.add("ReJSON-RL", 3, None);
        let order: Vec<String> = a.ordered().into_iter().map(|(t, _)| t).collect();
        assert_eq!(order.last().map(String::as_str), Some("ReJSON-RL"));
    }

    #[test]
    fn keys_are_quoted_like_redis_cli() {
        assert_eq!(quoted(b"user:1"), "\"user:1\"");
        assert_eq!(quoted(b"a\"b\\\n\x01"), "\"a\\\"b\\\\\\n\\x01\"");
    }
}
