//! Parsing of `INFO` and `CLUSTER INFO` replies into the few fields rcluster uses.

use serde::Serialize;

use crate::cluster::parse::capabilities::Capabilities;

/// What one node says about itself in `INFO`, `CLUSTER INFO` and `DBSIZE`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ServerInfo {
    /// Which server it is, its version and what it can do.
    #[serde(skip)]
    pub(crate) server: Capabilities,
    /// `cluster_enabled:1`.
    pub(crate) cluster_enabled: bool,
    /// `cluster_state:ok` in CLUSTER INFO.
    pub(crate) cluster_state_ok: bool,
    /// `cluster_known_nodes` in CLUSTER INFO.
    pub(crate) known_nodes: u64,
    /// `cluster_current_epoch` in CLUSTER INFO.
    pub(crate) current_epoch: u64,
    /// Keys in the selected database (DBSIZE).
    pub(crate) keys: u64,
    /// Keys per database from the keyspace section: `(db, keys)`.
    pub(crate) keyspace: Vec<(u32, u64)>,
    /// `role` from the replication section: `master` or `slave`.
    pub(crate) role: String,
    /// For a replica: whether `master_link_status` is `up`.
    pub(crate) master_link_up: Option<bool>,
    /// For a replica: `master_sync_in_progress:1` (the initial full sync is running).
    pub(crate) sync_in_progress: bool,
    /// `master_repl_offset` (for a replica, the offset it has processed).
    pub(crate) repl_offset: i64,
    /// The modules loaded (the `module:` lines of the modules section).
    pub(crate) modules: Vec<ModuleInfo>,
    /// `used_memory_dataset`: bytes the data uses (used memory less the server's overhead).
    pub(crate) dataset_bytes: u64,
}

/// A module loaded in a server: one `module:name=...,options=[...]` line of INFO.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ModuleInfo {
    /// Its name.
    pub(crate) name: String,
    /// What it declared (`options=[handle-io-errors|...]`); None when the line lists no
    /// options field at all (then nothing is known about them).
    pub(crate) options: Option<Vec<String>>,
}

/// The option a module declares when it supports atomic slot migration (Valkey >= 9.0).
const ATOMIC_SLOT_MIGRATION_OPTION: &str = "handle-atomic-slot-migration";

impl ModuleInfo {
    /// Parses the value of a `module:` line; None without a name.
    fn parse(value: &str) -> Option<Self> {
        let mut name = None;
        let mut options = None;
        for field in value.split(',') {
            if let Some(n) = field.strip_prefix("name=") {
                name = Some(n.to_string());
            } else if let Some(list) = field.strip_prefix("options=") {
                let list = list.trim_start_matches('[').trim_end_matches(']');
                options = Some(
                    list.split('|')
                        .filter(|o| !o.is_empty())
                        .map(str::to_string)
                        .collect(),
                );
            }
        }
        Some(ModuleInfo {
            name: name.filter(|n| !n.is_empty())?,
            options,
        })
    }

    /// Whether the module declares support for atomic slot migration (a server refuses
    /// `CLUSTER MIGRATESLOTS`, as source or target, while a module that does not is
    /// loaded); None when its options are not listed.
    pub(crate) fn handles_atomic_slot_migration(&self) -> Option<bool> {
        self.options
            .as_ref()
            .map(|o| o.iter().any(|o| o == ATOMIC_SLOT_MIGRATION_OPTION))
    }
}

impl ServerInfo {
    /// Builds the summary from the raw texts of `INFO` and `CLUSTER INFO` and the DBSIZE reply.
    pub(crate) fn parse(info: &str, cluster_info: &str, dbsize: u64) -> Self {
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
                "module" => out.modules.extend(ModuleInfo::parse(value)),
                "used_memory_dataset" => out.dataset_bytes = value.parse().unwrap_or(0),
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
    pub(crate) fn with_cluster_databases(mut self, reply: Option<u32>) -> Self {
        self.server = self.server.with_cluster_databases(reply);
        self
    }

    /// Keys per database that holds any, ascending: db 0 from DBSIZE (or the keyspace
    /// section, whichever says more), the others from the keyspace section.
    pub(crate) fn keys_per_db(&self) -> Vec<(u32, u64)> {
        let db0 = self
            .keyspace
            .iter()
            .find(|(db, _)| *db == 0)
            .map_or(0, |(_, k)| *k)
            .max(self.keys);
        let mut out: Vec<(u32, u64)> = (db0 > 0).then_some((0, db0)).into_iter().collect();
        out.extend(
            self.keyspace
                .iter()
                .filter(|(db, keys)| *db != 0 && *keys > 0),
        );
        out.sort_unstable();
        out
    }

    /// Total keys over every database.
    pub(crate) fn total_keys(&self) -> u64 {
        self.keys_per_db().iter().map(|(_, k)| k).sum()
    }
}

/// True when a database other than 0 holds keys in `per_db` (`(db, keys)` pairs).
pub(crate) fn numbered_dbs_used(per_db: &[(u32, u64)]) -> bool {
    per_db.iter().any(|(db, keys)| *db != 0 && *keys > 0)
}

/// `db0 1000, db1 1000, db5 1000`.
pub(crate) fn per_db_text(per_db: &[(u32, u64)]) -> String {
    per_db
        .iter()
        .map(|(db, keys)| format!("db{db} {keys}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `per_db` into `totals` (both `(db, keys)` pairs, ascending).
pub(crate) fn add_per_db(totals: &mut Vec<(u32, u64)>, per_db: &[(u32, u64)]) {
    for &(db, keys) in per_db {
        match totals.binary_search_by_key(&db, |(d, _)| *d) {
            Ok(i) => totals[i].1 += keys,
            Err(i) => totals.insert(i, (db, keys)),
        }
    }
}

/// `key:value` lines of an INFO-style reply.
pub(crate) fn fields(text: &str) -> impl Iterator<Item = (&str, &str)> {
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
        assert_eq!(si.keys_per_db(), vec![(0, 10), (3, 2)]);
        assert!(numbered_dbs_used(&si.keys_per_db()));
        assert_eq!(per_db_text(&si.keys_per_db()), "db0 10, db3 2");
    }

    #[test]
    fn modules_and_their_atomic_slot_migration_support() {
        let info = "# Modules\r\n\
            module:name=rcltestmod,ver=1,api=1,filters=0,usedby=[],using=[],options=[]\r\n\
            module:name=lua,ver=1,api=1,filters=0,usedby=[],using=[],\
            options=[handle-repl-async-load|handle-atomic-slot-migration]\r\n\
            module:name=old,ver=1,api=1\r\n\
            module:ver=1\r\n";
        let modules = ServerInfo::parse(info, "", 0).modules;
        let support: Vec<(&str, Option<bool>)> = modules
            .iter()
            .map(|m| (m.name.as_str(), m.handles_atomic_slot_migration()))
            .collect();
        assert_eq!(
            support,
            vec![
                ("rcltestmod", Some(false)),
                ("lua", Some(true)),
                ("old", None)
            ]
        );
        assert_eq!(modules[0].options, Some(vec![]));
        assert!(ServerInfo::parse("# Modules\r\n", "", 0).modules.is_empty());
    }

    #[test]
    fn keys_per_db_take_dbsize_for_db0_and_skip_empty_dbs() {
        let si = ServerInfo::parse("db5:keys=0,expires=0\r\ndb1:keys=4,expires=0\r\n", "", 7);
        assert_eq!(si.keys_per_db(), vec![(0, 7), (1, 4)]);
        assert_eq!(si.total_keys(), 11);
        let empty = ServerInfo::parse("", "", 0);
        assert!(empty.keys_per_db().is_empty() && !numbered_dbs_used(&[(0, 3)]));
        let mut totals = vec![(0, 1), (5, 2)];
        add_per_db(&mut totals, &[(1, 3), (5, 1)]);
        assert_eq!(totals, vec![(0, 1), (1, 3), (5, 3)]);
    }
}
