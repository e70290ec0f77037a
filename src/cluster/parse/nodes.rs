//! Parser for the text `CLUSTER NODES` returns: one node per line.
//!
//! `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent> <pong-recv> <config-epoch>
//! <link-state> <slot> ...`, where a slot is `n`, `a-b`, `[n->-id]` (migrating) or `[n-<-id]`
//! (importing). Pure parsing, no I/O.

use std::fmt;

use serde::Serialize;

use crate::address::NodeAddr;
use crate::cluster::slots::{SLOT_COUNT, SlotRange, SlotSet};

/// The flags of a node as another node (or itself) sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct NodeFlags {
    /// The line describes the node that answered.
    pub(crate) myself: bool,
    /// The node is a master.
    pub(crate) master: bool,
    /// The node is a replica (`slave` or `replica`).
    pub(crate) replica: bool,
    /// `fail?`: the viewer suspects the node is down.
    pub(crate) pfail: bool,
    /// `fail`: the cluster agreed the node is down.
    pub(crate) fail: bool,
    /// The viewer is still handshaking with the node.
    pub(crate) handshake: bool,
    /// The viewer has no address for the node.
    pub(crate) noaddr: bool,
    /// The replica will not fail over.
    pub(crate) nofailover: bool,
}

impl NodeFlags {
    fn parse(text: &str) -> Self {
        let mut flags = NodeFlags::default();
        for flag in text.split(',') {
            match flag {
                "myself" => flags.myself = true,
                "master" => flags.master = true,
                "slave" | "replica" => flags.replica = true,
                "fail?" => flags.pfail = true,
                "fail" => flags.fail = true,
                "handshake" => flags.handshake = true,
                "noaddr" => flags.noaddr = true,
                "nofailover" => flags.nofailover = true,
                _ => {}
            }
        }
        flags
    }

    /// The flags in redis-cli's words, without `myself`: `master`, `slave`, `master,fail`.
    pub(crate) fn describe(&self) -> String {
        let mut words = Vec::new();
        if self.master {
            words.push("master");
        }
        if self.replica {
            words.push("slave");
        }
        if self.pfail {
            words.push("fail?");
        }
        if self.fail {
            words.push("fail");
        }
        if self.handshake {
            words.push("handshake");
        }
        if self.noaddr {
            words.push("noaddr");
        }
        if self.nofailover {
            words.push("nofailover");
        }
        words.join(",")
    }

    /// True when the node is flagged failing or suspected failing.
    pub(crate) fn failing(&self) -> bool {
        self.fail || self.pfail
    }
}

/// Whether the viewer's cluster-bus link to the node is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LinkState {
    /// The bus link is up.
    Connected,
    /// The bus link is down.
    Disconnected,
}

/// A slot being moved, from the point of view of one node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OpenSlot {
    /// The slot.
    pub(crate) slot: u16,
    /// For migrating: the target node id. For importing: the source node id.
    pub(crate) peer: String,
}

/// One line of `CLUSTER NODES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeEntry {
    /// The 40-hex-digit node id.
    pub(crate) id: String,
    /// Client address; `None` when the viewer has none (`:0`, `noaddr`).
    pub(crate) addr: Option<NodeAddr>,
    /// Cluster-bus port, when given.
    pub(crate) bus_port: Option<u16>,
    /// Announced hostname (`cluster-announce-hostname`), when set.
    pub(crate) hostname: Option<String>,
    /// Flags.
    pub(crate) flags: NodeFlags,
    /// For a replica, the id of its master.
    pub(crate) master_id: Option<String>,
    /// Milliseconds timestamp of the last unanswered PING (0 if none).
    pub(crate) ping_sent: u64,
    /// Milliseconds timestamp of the last PONG received.
    pub(crate) pong_recv: u64,
    /// The node's config epoch as the viewer knows it.
    pub(crate) config_epoch: u64,
    /// Bus link state.
    pub(crate) link: LinkState,
    /// Slots the node serves, as the viewer knows it.
    pub(crate) slots: SlotSet,
    /// Slots this node is migrating away (`[slot->-target]`); only on `myself` lines.
    pub(crate) migrating: Vec<OpenSlot>,
    /// Slots this node is importing (`[slot-<-source]`); only on `myself` lines.
    pub(crate) importing: Vec<OpenSlot>,
}

impl NodeEntry {
    /// True for a replica.
    pub(crate) fn is_replica(&self) -> bool {
        self.flags.replica
    }

    /// The slots in redis-cli's `slot-owner signature` form: `id:0-5460,10923` (ranges sorted
    /// as strings, as redis-cli does), or `None` when the node serves no slot.
    pub(crate) fn slot_signature(&self) -> Option<String> {
        if self.slots.is_empty() {
            return None;
        }
        let mut ranges: Vec<String> = self.slots.ranges().iter().map(|r| r.to_string()).collect();
        ranges.sort();
        Some(format!("{}:{}", self.id, ranges.join(",")))
    }
}

/// A `CLUSTER NODES` reply that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// 1-based line number.
    pub(crate) line: usize,
    /// What was wrong.
    pub(crate) reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot parse CLUSTER NODES line {}: {}",
            self.line, self.reason
        )
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole `CLUSTER NODES` reply. Blank lines are skipped.
pub(crate) fn parse_cluster_nodes(text: &str) -> Result<Vec<NodeEntry>, ParseError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_line(l).map_err(|reason| ParseError {
                line: i + 1,
                reason,
            })
        })
        .collect()
}

/// Parses one line of `CLUSTER NODES`.
fn parse_line(line: &str) -> Result<NodeEntry, String> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 8 {
        return Err(format!(
            "expected at least 8 fields, found {}: '{line}'",
            fields.len()
        ));
    }
    let id = fields[0].to_string();
    if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("'{id}' is not a 40-hex-digit node id"));
    }
    let (addr, bus_port, hostname) = parse_address(fields[1])?;
    let flags = NodeFlags::parse(fields[2]);
    let master_id = match fields[3] {
        "-" => None,
        m => Some(m.to_string()),
    };
    let number = |i: usize, what: &str| -> Result<u64, String> {
        fields[i]
            .parse()
            .map_err(|_| format!("{what} '{}' is not a number", fields[i]))
    };
    let ping_sent = number(4, "ping-sent")?;
    let pong_recv = number(5, "pong-recv")?;
    let config_epoch = number(6, "config-epoch")?;
    let link = match fields[7] {
        "connected" => LinkState::Connected,
        "disconnected" => LinkState::Disconnected,
        other => return Err(format!("unknown link state '{other}'")),
    };
    let mut entry = NodeEntry {
        id,
        addr: if flags.noaddr { None } else { addr },
        bus_port,
        hostname,
        flags,
        master_id,
        ping_sent,
        pong_recv,
        config_epoch,
        link,
        slots: SlotSet::new(),
        migrating: Vec::new(),
        importing: Vec::new(),
    };
    for token in &fields[8..] {
        parse_slot_token(token, &mut entry)?;
    }
    Ok(entry)
}

/// `ip:port@cport[,hostname]`, `ip:port` (before Redis 4), `:0@0` (no address).
/// The parts of an address field: client address, bus port, hostname.
type AddressParts = (Option<NodeAddr>, Option<u16>, Option<String>);

fn parse_address(field: &str) -> Result<AddressParts, String> {
    let (client, bus_and_aux) = match field.rsplit_once('@') {
        Some((client, rest)) => (client, Some(rest)),
        None => (field, None),
    };
    let mut bus_port = None;
    let mut hostname = None;
    if let Some(rest) = bus_and_aux {
        let mut parts = rest.split(',');
        let bus = parts.next().unwrap_or_default();
        bus_port = Some(
            bus.parse::<u16>()
                .map_err(|_| format!("bad bus port in address '{field}'"))?,
        );
        hostname = parts.next().filter(|h| !h.is_empty()).map(str::to_string);
    }
    let Some((host, port)) = client.rsplit_once(':') else {
        return Err(format!("address '{field}' has no port"));
    };
    let port: u16 = port
        .parse()
        .map_err(|_| format!("bad port in address '{field}'"))?;
    let addr = if host.is_empty() || port == 0 {
        None
    } else {
        Some(NodeAddr::new(host, port))
    };
    Ok((addr, bus_port.filter(|&p| p != 0), hostname))
}

fn parse_slot_token(token: &str, entry: &mut NodeEntry) -> Result<(), String> {
    let bad = || format!("bad slot entry '{token}'");
    if let Some(inner) = token.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        if let Some((slot, peer)) = inner.split_once("->-") {
            entry.migrating.push(OpenSlot {
                slot: parse_slot(slot).ok_or_else(bad)?,
                peer: peer.to_string(),
            });
        } else if let Some((slot, peer)) = inner.split_once("-<-") {
            entry.importing.push(OpenSlot {
                slot: parse_slot(slot).ok_or_else(bad)?,
                peer: peer.to_string(),
            });
        } else {
            return Err(bad());
        }
        return Ok(());
    }
    let (start, end) = match token.split_once('-') {
        Some((a, b)) => (
            parse_slot(a).ok_or_else(bad)?,
            parse_slot(b).ok_or_else(bad)?,
        ),
        None => {
            let s = parse_slot(token).ok_or_else(bad)?;
            (s, s)
        }
    };
    if start > end {
        return Err(bad());
    }
    entry.slots.insert_range(SlotRange { start, end });
    Ok(())
}

fn parse_slot(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|&s| s < SLOT_COUNT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real output from seed 000 (docker network, the 172.20.x view).
    const SEED_000: &str = "\
159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 172.20.0.4:6379@16379 master - 0 1552082268000 3 connected 10923-16383
aa75a42766edf123a8af89970965d0f41be40cf8 172.20.0.3:6379@16379 master - 0 1552082268000 2 connected 5461-10922
9d4e26c55c3a96b2921ed2476caf1fa78593e5d4 172.20.0.7:6379@16379 slave 159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35 0 1552082269160 6 connected
e463eb0b118c3292687f78244988b38d4b220b40 172.20.0.6:6379@16379 slave aa75a42766edf123a8af89970965d0f41be40cf8 0 1552082269000 5 connected
11cce7fdb1a82e7937005a956ff7c7c9c3eb1410 172.20.0.5:6379@16379 slave 1ad5a315b83b55dfcacbf1ef02ccf684513151c9 0 1552082269574 4 connected
1ad5a315b83b55dfcacbf1ef02ccf684513151c9 172.20.0.2:6379@16379 myself,master - 0 1552082266000 1 connected 0-5460
";

    #[test]
    fn parses_seed_output() {
        let nodes = parse_cluster_nodes(SEED_000).unwrap();
        assert_eq!(nodes.len(), 6);
        let me = nodes.iter().find(|n| n.flags.myself).unwrap();
        assert_eq!(me.id, "1ad5a315b83b55dfcacbf1ef02ccf684513151c9");
        assert_eq!(me.addr, Some(NodeAddr::new("172.20.0.2", 6379)));
        assert_eq!(me.bus_port, Some(16379));
        assert!(me.flags.master && !me.flags.replica);
        assert_eq!(me.slots.to_string(), "0-5460");
        assert_eq!(me.config_epoch, 1);
        let replica = &nodes[2];
        assert!(replica.is_replica());
        assert_eq!(
            replica.master_id.as_deref(),
            Some("159ccdcd88a3b2042c4dd9bf3bb1bfb54f16cf35")
        );
        assert_eq!(replica.pong_recv, 1552082269160);
        assert_eq!(replica.link, LinkState::Connected);
        let total: usize = nodes.iter().map(|n| n.slots.len()).sum();
        assert_eq!(total, 16384);
    }

    #[test]
    fn parses_open_slots_hostnames_and_failures() {
        let text = "\
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@40001,redis-1.example myself,master - 0 0 1 connected 0-5460 [93->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f] [77-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 master,fail - 1426238316232 1426238316232 2 disconnected
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f :0@0 slave,fail?,noaddr 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 0 0 disconnected
824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30004@40004 handshake,nofailover - 0 0 0 connected 5461 5463-5470
";
        let nodes = parse_cluster_nodes(text).unwrap();
        let me = &nodes[0];
        assert_eq!(me.hostname.as_deref(), Some("redis-1.example"));
        assert_eq!(
            me.migrating,
            vec![OpenSlot {
                slot: 93,
                peer: "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f".into()
            }]
        );
        assert_eq!(me.importing[0].slot, 77);
        assert_eq!(
            me.slots.len(),
            5461,
            "open-slot markers are not owned slots"
        );
        assert!(nodes[1].flags.fail && nodes[1].flags.master);
        assert_eq!(nodes[1].link, LinkState::Disconnected);
        assert_eq!(nodes[1].flags.describe(), "master,fail");
        assert!(nodes[2].flags.pfail && nodes[2].flags.noaddr && nodes[2].addr.is_none());
        assert!(nodes[3].flags.handshake && nodes[3].flags.nofailover);
        assert_eq!(nodes[3].slots.to_string(), "5461,5463-5470");
    }

    #[test]
    fn parses_legacy_and_ipv6_addresses() {
        let text = "\
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000 myself,master - 0 0 1 connected 0-16383
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 ::1:7001@17001 replica e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 0 1 connected
";
        let nodes = parse_cluster_nodes(text).unwrap();
        assert_eq!(nodes[0].bus_port, None);
        assert_eq!(nodes[1].addr, Some(NodeAddr::new("::1", 7001)));
        assert!(nodes[1].is_replica());
    }

    #[test]
    fn rejects_garbage_with_line_numbers() {
        let err = parse_cluster_nodes("\nnot a cluster nodes line").unwrap_err();
        assert_eq!(err.line, 2);
        let bad_slot = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-16384";
        assert!(parse_cluster_nodes(bad_slot).is_err());
        let bad_link = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000@17000 myself,master - 0 0 1 sideways";
        assert!(parse_cluster_nodes(bad_link).is_err());
    }

    #[test]
    fn signature_sorts_ranges_as_strings() {
        let line = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 5-6 100 20-30";
        let node = parse_line(line).unwrap();
        assert_eq!(
            node.slot_signature().unwrap(),
            "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca:100,20-30,5-6"
        );
    }
}
