//! Parsing of `INFO` and `CLUSTER INFO` replies into the few fields rcluster uses.

use serde::Serialize;

use super::capabilities::Capabilities;

/// What one node says about itself in `INFO`, `CLUSTER INFO` and `DBSIZE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ServerInfo {
    /// Which server it is, its version and what it can do.
    #[serde(skip)]
    pub server: Capabilities,
    /// `cluster_enabled:1`.
    pub cluster_enabled: bool,
    /// `cluster_state:ok` in CLUSTER INFO.
    pub cluster_state_ok: bool,
    /// `cluster_known_nodes` in CLUSTER INFO.
    pub known_nodes: u64,
    /// `cluster_current_epoch` in CLUSTER INFO.
    pub current_epoch: u64,
    /// Keys in the selected database (DBSIZE).
    pub keys: u64,
    /// Keys per database from the keyspace section: `(db, keys)`.
    pub keyspace: Vec<(u32, u64)>,
    /// `role` from the replication section: `master` or `slave`.
    pub role: String,
    /// For a replica: whether `master_link_status` is `up`.
    pub master_link_up: Option<bool>,
    /// For a replica: `master_sync_in_progress:1` (the initial full sync is running).
    pub sync_in_progress: bool,
    /// `master_repl_offset` (for a replica, the offset it has processed).
    pub repl_offset: i64,
}

impl ServerInfo {
    /// Builds the summary from the raw texts of `INFO` and `CLUSTER INFO` and the DBSIZE reply.
    pub fn parse(info: &str, cluster_info: &str, dbsize: u64) -> Self {
        let mut out = ServerInfo {
            keys: dbsize,
            server: Capabilities::from_info(info),
            ..ServerInfo::default()
        };
        for (key, value) in fields(info) {
            match key {
                "cluster_enabled" => out.cluster_enabled = value == "1",
                "role" => out.role = value.to_string(),
                "master_link_status" => out.master_link_up = Some(value == "up"),
                "master_sync_in_progress" => out.sync_in_progress = value == "1",
                "master_repl_offset" => out.repl_offset = value.parse().unwrap_or(0),
                db if db.starts_with("db") => {
                    if let (Ok(n), Some(keys)) = (db[2..].parse(), keyspace_keys(value)) {
                        out.keyspace.push((n, keys));
                    }
                }
                _ => {}
            }
        }
        for (key, value) in fields(cluster_info) {
            match key {
                "cluster_state" => out.cluster_state_ok = value == "ok",
                "cluster_known_nodes" => out.known_nodes = value.parse().unwrap_or(0),
                "cluster_current_epoch" => out.current_epoch = value.parse().unwrap_or(0),
                _ => {}
            }
        }
        out
    }

    /// The same info with `CONFIG GET cluster-databases` applied (see
    /// [`Capabilities::with_cluster_databases`]).
    pub fn with_cluster_databases(mut self, reply: Option<u32>) -> Self {
        self.server = self.server.with_cluster_databases(reply);
        self
    }

    /// Total keys over every database.
    pub fn total_keys(&self) -> u64 {
        self.keyspace.iter().map(|(_, k)| k).sum()
    }
}

/// `key:value` lines of an INFO-style reply.
pub fn fields(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
}

/// `keys=12,expires=0,avg_ttl=0` → 12.
fn keyspace_keys(value: &str) -> Option<u64> {
    value
        .split(',')
        .find_map(|kv| kv.strip_prefix("keys="))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_fields_used() {
        let info = "# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:slave\r\nmaster_link_status:up\r\nmaster_repl_offset:1234\r\n# Cluster\r\ncluster_enabled:1\r\n# Keyspace\r\ndb0:keys=10,expires=0,avg_ttl=0\r\ndb3:keys=2,expires=1,avg_ttl=5\r\n";
        let cluster = "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:6\r\ncluster_current_epoch:6\r\n";
        let si = ServerInfo::parse(info, cluster, 10);
        assert_eq!(si.server.label(), "redis 7.0.15");
        assert!(si.cluster_enabled && si.cluster_state_ok);
        assert_eq!(si.known_nodes, 6);
        assert_eq!(si.current_epoch, 6);
        assert_eq!(si.role, "slave");
        assert_eq!(si.master_link_up, Some(true));
        assert_eq!(si.repl_offset, 1234);
        assert_eq!(si.keyspace, vec![(0, 10), (3, 2)]);
        assert_eq!(si.total_keys(), 12);
        assert_eq!(si.keys, 10);
    }
}
