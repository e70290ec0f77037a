//! Hash slots: the key → slot function and a compact set of slots.
//!
//! Pure data, no I/O. `SlotSet` is a 16384-bit bitmap that renders itself as the ranges
//! redis-cli prints (`0-5460`, `[0-5460],[10923]`).

use std::fmt;

/// Number of hash slots in a Redis Cluster.
pub(crate) const SLOT_COUNT: u16 = 16384;

/// The hash slot of `key`: CRC16/XMODEM of the key (or of its first non-empty `{hashtag}`),
/// modulo 16384 — the same function as `CLUSTER KEYSLOT`.
pub(crate) fn key_slot(key: &[u8]) -> u16 {
    crc16::State::<crc16::XMODEM>::calculate(hash_tag(key)) % SLOT_COUNT
}

/// The part of `key` that is hashed: the text between the first `{` and the next `}` when it
/// is non-empty, else the whole key.
fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = key.iter().position(|&b| b == b'{') {
        let rest = &key[open + 1..];
        if let Some(len) = rest.iter().position(|&b| b == b'}').filter(|&len| len > 0) {
            return &rest[..len];
        }
    }
    key
}

/// How many ranges [`SlotSet::abbreviated`] and [`slot_list`] show before they count the rest.
const RANGES_SHOWN: usize = 20;

/// Slot numbers (in any order, repeats allowed) as ranges for a message: `2560-2600,3000`;
/// see [`SlotSet::abbreviated`]. The one way messages list slots.
pub(crate) fn slot_list(slots: &[u16]) -> String {
    slots.iter().copied().collect::<SlotSet>().abbreviated()
}

/// An inclusive range of slots, `start..=end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub(crate) struct SlotRange {
    /// First slot of the range.
    pub(crate) start: u16,
    /// Last slot of the range (inclusive).
    pub(crate) end: u16,
}

impl SlotRange {
    /// Number of slots in the range.
    pub(crate) fn len(&self) -> usize {
        usize::from(self.end - self.start) + 1
    }
}

impl fmt::Display for SlotRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// A set of hash slots stored as a 16384-bit bitmap. The empty set allocates nothing (most
/// `CLUSTER NODES` lines, replicas', have no slot).
#[derive(Clone, Default)]
pub(crate) struct SlotSet {
    /// Either empty (no slot) or exactly 256 words.
    words: Vec<u64>,
}

const WORDS: usize = SLOT_COUNT as usize / 64;

impl PartialEq for SlotSet {
    fn eq(&self, other: &Self) -> bool {
        (0..WORDS).all(|i| self.word(i) == other.word(i))
    }
}

impl Eq for SlotSet {}

impl SlotSet {
    /// The empty set.
    pub(crate) fn new() -> Self {
        SlotSet { words: Vec::new() }
    }

    /// Every slot, 0..=16383.
    pub(crate) fn full() -> Self {
        SlotSet {
            words: vec![u64::MAX; WORDS],
        }
    }

    fn word(&self, i: usize) -> u64 {
        self.words.get(i).copied().unwrap_or(0)
    }

    fn words_mut(&mut self) -> &mut [u64] {
        if self.words.is_empty() {
            self.words = vec![0; WORDS];
        }
        &mut self.words
    }

    /// Adds one slot (ignored when out of range).
    pub(crate) fn insert(&mut self, slot: u16) {
        if slot < SLOT_COUNT {
            self.words_mut()[usize::from(slot / 64)] |= 1 << (slot % 64);
        }
    }

    /// Removes one slot.
    pub(crate) fn remove(&mut self, slot: u16) {
        if slot < SLOT_COUNT && !self.words.is_empty() {
            self.words[usize::from(slot / 64)] &= !(1 << (slot % 64));
        }
    }

    /// Adds every slot of `range`.
    pub(crate) fn insert_range(&mut self, range: SlotRange) {
        let end = range.end.min(SLOT_COUNT - 1);
        if range.start > end {
            return;
        }
        let words = self.words_mut();
        let mut slot = usize::from(range.start);
        let end = usize::from(end);
        while slot <= end {
            let bit = slot % 64;
            let span = (64 - bit).min(end - slot + 1);
            let mask = if span == 64 {
                u64::MAX
            } else {
                ((1u64 << span) - 1) << bit
            };
            words[slot / 64] |= mask;
            slot += span;
        }
    }

    /// True when `slot` is in the set.
    pub(crate) fn contains(&self, slot: u16) -> bool {
        slot < SLOT_COUNT && self.word(usize::from(slot / 64)) & (1 << (slot % 64)) != 0
    }

    /// Number of slots in the set.
    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when the set holds no slot.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Adds every slot of `other`.
    pub(crate) fn union_with(&mut self, other: &SlotSet) {
        if other.words.is_empty() {
            return;
        }
        for (a, b) in self.words_mut().iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
    }

    /// The slots of `self` that are not in `other`.
    pub(crate) fn difference(&self, other: &SlotSet) -> SlotSet {
        let mut out = self.clone();
        for (a, b) in out.words.iter_mut().zip(other.words.iter()) {
            *a &= !b;
        }
        out
    }

    /// The slots in both sets.
    pub(crate) fn intersection(&self, other: &SlotSet) -> SlotSet {
        if other.words.is_empty() {
            return SlotSet::new();
        }
        let mut out = self.clone();
        for (a, b) in out.words.iter_mut().zip(other.words.iter()) {
            *a &= b;
        }
        out
    }

    /// The slots in ascending order (word by word: empty stretches cost nothing).
    pub(crate) fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let base = (i * 64) as u16;
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as u16;
                rest &= rest - 1;
                Some(base + bit)
            })
        })
    }

    /// The set as maximal contiguous ranges, ascending.
    pub(crate) fn ranges(&self) -> Vec<SlotRange> {
        let mut out: Vec<SlotRange> = Vec::new();
        for (i, &word) in self.words.iter().enumerate() {
            let base = (i * 64) as u16;
            if word == u64::MAX {
                match out.last_mut() {
                    Some(last) if last.end + 1 == base => last.end = base + 63,
                    _ => out.push(SlotRange {
                        start: base,
                        end: base + 63,
                    }),
                }
                continue;
            }
            let mut rest = word;
            while rest != 0 {
                let slot = base + rest.trailing_zeros() as u16;
                rest &= rest - 1;
                match out.last_mut() {
                    Some(last) if last.end + 1 == slot => last.end = slot,
                    _ => out.push(SlotRange {
                        start: slot,
                        end: slot,
                    }),
                }
            }
        }
        out
    }

    /// Same as [`SlotSet::ranges`], slot by slot (reference for tests).
    #[cfg(test)]
    fn ranges_slow(&self) -> Vec<SlotRange> {
        let mut out: Vec<SlotRange> = Vec::new();
        for slot in self.iter() {
            match out.last_mut() {
                Some(last) if last.end + 1 == slot => last.end = slot,
                _ => out.push(SlotRange {
                    start: slot,
                    end: slot,
                }),
            }
        }
        out
    }

    /// For messages: the ranges (`0-5460,10923`), at most [`RANGES_SHOWN`] of them, then how
    /// many more there are (`0,2,4,...,38, ... and 8172 more ranges (8192 slots)`), so that a
    /// scattered set never makes a line of kilobytes. Empty string for the empty set.
    pub(crate) fn abbreviated(&self) -> String {
        let ranges = self.ranges();
        let shown: Vec<String> = ranges
            .iter()
            .take(RANGES_SHOWN)
            .map(ToString::to_string)
            .collect();
        let mut text = shown.join(",");
        let more = ranges.len().saturating_sub(RANGES_SHOWN);
        if more > 0 {
            text.push_str(&format!(
                ", ... and {more} more ranges ({} slots)",
                self.len()
            ));
        }
        text
    }

    /// redis-cli's bracketed form: `[0-5460],[10923]` (empty string for the empty set).
    pub(crate) fn bracketed(&self) -> String {
        self.ranges()
            .iter()
            .map(|r| format!("[{r}]"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl FromIterator<u16> for SlotSet {
    fn from_iter<I: IntoIterator<Item = u16>>(iter: I) -> Self {
        let mut set = SlotSet::new();
        for slot in iter {
            set.insert(slot);
        }
        set
    }
}

/// Plain form: `0-5460,10923` (empty string for the empty set).
impl fmt::Display for SlotSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self
            .ranges()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",");
        f.write_str(&text)
    }
}

impl fmt::Debug for SlotSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SlotSet({self})")
    }
}

impl serde::Serialize for SlotSet {
    /// Serialized as a list of `[start, end]` pairs.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let ranges = self.ranges();
        let mut seq = serializer.serialize_seq(Some(ranges.len()))?;
        for r in ranges {
            seq.serialize_element(&[r.start, r.end])?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values checked against `redis-cli cluster keyslot` on Redis 7.0.15.
    #[test]
    fn key_slot_matches_redis() {
        let cases: &[(&str, u16)] = &[
            ("", 0),
            ("foo", 12182),
            ("bar", 5061),
            ("123456789", 12739),
            ("{user1000}.following", 3443),
            ("{user1000}.followers", 3443),
            ("foo{}{bar}", 8363),
            ("foo{{bar}}zap", 4015),
            ("foo{bar}{zap}", 5061),
            ("{}", 15257),
            ("a{b", 13340),
            ("{a}b{c}", 15495),
        ];
        for (key, slot) in cases {
            assert_eq!(key_slot(key.as_bytes()), *slot, "key {key:?}");
        }
    }

    #[test]
    fn ranges_and_formatting() {
        let mut set = SlotSet::new();
        set.insert_range(SlotRange {
            start: 0,
            end: 5460,
        });
        set.insert(10923);
        set.insert(16383);
        assert_eq!(set.len(), 5463);
        assert_eq!(set.to_string(), "0-5460,10923,16383");
        assert_eq!(set.bracketed(), "[0-5460],[10923],[16383]");
        assert!(set.contains(16383) && !set.contains(5461));
        assert_eq!(SlotSet::full().len(), 16384);
        assert_eq!(SlotSet::new().to_string(), "");
        assert!(SlotSet::new().is_empty());
    }

    #[test]
    fn slot_lists_are_ranges_and_stay_short() {
        assert_eq!(slot_list(&[]), "");
        assert_eq!(slot_list(&[2562, 2560, 2561, 2561, 3000]), "2560-2562,3000");
        let open: Vec<u16> = (2560..=3071).collect();
        assert_eq!(slot_list(&open), "2560-3071");
        let exactly: Vec<u16> = (0..RANGES_SHOWN as u16).map(|i| i * 2).collect();
        assert!(!slot_list(&exactly).contains("more"));
        let scattered: Vec<u16> = (0..16384).step_by(2).collect();
        let text = slot_list(&scattered);
        assert!(
            text.starts_with("0,2,4,")
                && text.ends_with(",38, ... and 8172 more ranges (8192 slots)"),
            "{text}"
        );
        assert!(text.len() < 200, "{} bytes", text.len());
    }

    #[test]
    fn set_algebra() {
        let a: SlotSet = (0..10).collect();
        let b: SlotSet = (5..15).collect();
        assert_eq!(a.difference(&b).to_string(), "0-4");
        assert_eq!(a.intersection(&b).to_string(), "5-9");
        assert!(a.intersection(&SlotSet::new()).is_empty());
        assert_eq!(a.difference(&SlotSet::new()), a);
        assert!(SlotSet::new().difference(&a).is_empty());
        assert_eq!(SlotSet::new(), a.difference(&a), "empty equals all-zero");
        let mut u = a.clone();
        u.union_with(&b);
        assert_eq!(u.to_string(), "0-14");
        u.remove(7);
        assert_eq!(u.to_string(), "0-6,8-14");
    }

    #[test]
    fn word_wise_ranges_match_slot_by_slot() {
        let mut set = SlotSet::new();
        for (a, b) in [(0, 63), (64, 64), (66, 200), (255, 256), (1000, 16383)] {
            set.insert_range(SlotRange { start: a, end: b });
            assert_eq!(set.ranges(), set.ranges_slow());
        }
        assert_eq!(set.to_string(), "0-64,66-200,255-256,1000-16383");
        let mut one = SlotSet::new();
        one.insert_range(SlotRange { start: 5, end: 5 });
        assert_eq!(one.to_string(), "5");
        let stepped: SlotSet = (0..16384).step_by(3).collect();
        assert_eq!(stepped.ranges(), stepped.ranges_slow());
    }

    #[test]
    fn serializes_as_pairs() {
        let set: SlotSet = [1, 2, 3, 9].into_iter().collect();
        assert_eq!(serde_json::to_string(&set).unwrap(), "[[1,3],[9,9]]");
    }
}
