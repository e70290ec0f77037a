//! Minimal, independent parser of `CLUSTER NODES` output (a test oracle).

use std::ops::RangeInclusive;

/// One line of `CLUSTER NODES`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeLine {
    /// Node id.
    pub id: String,
    /// `ip:port` (bus port and hostname stripped).
    pub addr: String,
    /// Flags (`myself`, `master`, `slave`, `fail?`, `handshake`, ...).
    pub flags: Vec<String>,
    /// Master id for replicas, None for masters.
    pub master: Option<String>,
    /// Config epoch.
    pub config_epoch: u64,
    /// `connected` / `disconnected`.
    pub link: String,
    /// Served slot ranges (migrating/importing entries are skipped).
    pub slots: Vec<RangeInclusive<u16>>,
}

impl NodeLine {
    /// True when the line carries `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// True for `master` lines.
    pub fn is_master(&self) -> bool {
        self.has_flag("master")
    }

    /// True for `slave` lines.
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave")
    }
}

/// Parses the whole `CLUSTER NODES` reply; panics on malformed lines.
pub fn parse(text: &str) -> Vec<NodeLine> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> NodeLine {
    let f: Vec<&str> = line.split_whitespace().collect();
    assert!(f.len() >= 8, "malformed CLUSTER NODES line: {line:?}");
    let addr = f[1]
        .split(['@', ','])
        .next()
        .unwrap_or_default()
        .to_string();
    NodeLine {
        id: f[0].to_string(),
        addr,
        flags: f[2].split(',').map(str::to_string).collect(),
        master: (f[3] != "-").then(|| f[3].to_string()),
        config_epoch: f[6].parse().unwrap_or(0),
        link: f[7].to_string(),
        slots: f[8..].iter().filter_map(|t| parse_slot_token(t)).collect(),
    }
}

fn parse_slot_token(token: &str) -> Option<RangeInclusive<u16>> {
    if token.starts_with('[') {
        return None;
    }
    let (a, b) = token.split_once('-').unwrap_or((token, token));
    Some(a.parse().ok()?..=b.parse().ok()?)
}

/// Sorts and merges overlapping/adjacent ranges into canonical form.
pub fn merge_ranges(ranges: &[RangeInclusive<u16>]) -> Vec<RangeInclusive<u16>> {
    let mut sorted: Vec<(u16, u16)> = ranges.iter().map(|r| (*r.start(), *r.end())).collect();
    sorted.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::new();
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out.into_iter().map(|(a, b)| a..=b).collect()
}
