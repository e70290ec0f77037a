//! What a server can do, read from its own `INFO`: which server it is (Redis or Valkey), its
//! version, and the features rcluster adapts to. This is the one place where version numbers
//! are compared; commands ask the [`Capabilities`] of the nodes they touch, never a version.

use std::fmt;

use serde::Serialize;

use crate::cluster::parse::info::fields;

/// The server software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Flavor {
    /// Redis (redis_version is its own version).
    #[default]
    Redis,
    /// Valkey (`server_name:valkey`; its own version is `valkey_version`).
    Valkey,
}

impl Flavor {
    /// `redis` or `valkey`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Flavor::Redis => "redis",
            Flavor::Valkey => "valkey",
        }
    }
}

/// A server version, `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub(crate) struct Version(pub(crate) u32, pub u32, pub u32);

impl Version {
    /// Parses `7.0.15` (missing or unreadable parts are 0).
    pub(crate) fn parse(text: &str) -> Version {
        let mut parts = text
            .trim()
            .split('.')
            .map(|p| p.trim().parse::<u32>().unwrap_or(0));
        Version(
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        )
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The servers that have `CLUSTER SLOT-STATS` ([`Capabilities::slot_stats`]), for messages.
pub(crate) const SLOT_STATS_SERVERS: &str = "Valkey >= 8.0 or Redis >= 8.2";

/// How a server moves slots by itself, when it can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum AtomicMigration {
    /// Valkey >= 9.0: `CLUSTER MIGRATESLOTS` on the source, `CLUSTER GETSLOTMIGRATIONS`.
    ValkeyMigrateSlots,
    /// Redis >= 8.4: `CLUSTER MIGRATION IMPORT|STATUS|CANCEL` on the target.
    RedisMigration,
}

/// What one server is and can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Capabilities {
    /// Redis or Valkey.
    pub(crate) flavor: Flavor,
    /// The server's own version (Valkey's `valkey_version`, not its `redis_version`).
    pub(crate) version: Version,
    /// `cluster-databases` (Valkey >= 9.0): databases usable in cluster mode; 1 elsewhere
    /// or when the node would not say.
    pub(crate) cluster_databases: u32,
}

impl Capabilities {
    /// Reads flavor and version from an `INFO` (or `INFO server`) text. `cluster_databases`
    /// is 1 until [`Capabilities::with_cluster_databases`] sets it.
    pub(crate) fn from_info(info: &str) -> Capabilities {
        let mut flavor = Flavor::Redis;
        let mut redis_version = None;
        let mut valkey_version = None;
        for (key, value) in fields(info) {
            match key {
                "server_name" if value.eq_ignore_ascii_case("valkey") => flavor = Flavor::Valkey,
                "valkey_version" => valkey_version = Some(Version::parse(value)),
                "redis_version" => redis_version = Some(Version::parse(value)),
                _ => {}
            }
        }
        if valkey_version.is_some() {
            flavor = Flavor::Valkey;
        }
        let version = match flavor {
            Flavor::Valkey => valkey_version.or(redis_version),
            Flavor::Redis => redis_version,
        }
        .unwrap_or_default();
        Capabilities {
            flavor,
            version,
            cluster_databases: 1,
        }
    }

    /// The same server with the reply of `CONFIG GET cluster-databases` applied (None when the
    /// server has no such setting or refused to say).
    pub(crate) fn with_cluster_databases(mut self, reply: Option<u32>) -> Capabilities {
        if self.numbered_databases() {
            self.cluster_databases = reply.unwrap_or(1).max(1);
        }
        self
    }

    /// `redis 7.0.15`, `valkey 9.1.2`.
    pub(crate) fn label(&self) -> String {
        format!("{} {}", self.flavor.name(), self.version)
    }

    fn valkey_at_least(&self, major: u32, minor: u32) -> bool {
        self.flavor == Flavor::Valkey && self.version >= Version(major, minor, 0)
    }

    fn redis_at_least(&self, major: u32, minor: u32) -> bool {
        self.flavor == Flavor::Redis && self.version >= Version(major, minor, 0)
    }

    /// `CLUSTER ADDSLOTSRANGE` (Redis >= 7.0, every Valkey).
    pub(crate) fn addslotsrange(&self) -> bool {
        self.flavor == Flavor::Valkey || self.redis_at_least(7, 0)
    }

    /// A primary replicates `CLUSTER SETSLOT` to its replicas and blocks the caller until they
    /// acknowledge (Valkey >= 8.0). Such a SETSLOT must never be sent inside MULTI (the server
    /// cannot block there and aborts), and replicas then hold IMPORTING/MIGRATING states too.
    pub(crate) fn replicated_setslot(&self) -> bool {
        self.valkey_at_least(8, 0)
    }

    /// Databases other than 0 in cluster mode (Valkey >= 9.0, `cluster-databases`).
    fn numbered_databases(&self) -> bool {
        self.valkey_at_least(9, 0)
    }

    /// The RDB format version the server writes (and the newest it reads): DUMP payloads, and
    /// so MIGRATE, only go from a server to one with the same or a newer version.
    pub(crate) fn rdb_version(&self) -> u32 {
        match self.flavor {
            Flavor::Valkey if self.valkey_at_least(9, 0) => 80,
            Flavor::Valkey => 11,
            Flavor::Redis if self.redis_at_least(7, 4) => 12,
            Flavor::Redis if self.redis_at_least(7, 2) => 11,
            Flavor::Redis if self.redis_at_least(7, 0) => 10,
            Flavor::Redis => 9,
        }
    }

    /// True when this server accepts the DUMP payloads (and so the MIGRATEs) of `source`:
    /// a payload names its RDB format, and a server refuses one newer than its own.
    pub(crate) fn reads_dumps_of(&self, source: &Capabilities) -> bool {
        self.rdb_version() >= source.rdb_version()
    }

    /// `CLUSTER SLOT-STATS` (Valkey >= 8.0, Redis >= 8.2): per-slot key counts always, CPU
    /// and network counters when `cluster-slot-stats-enabled` is on.
    pub(crate) fn slot_stats(&self) -> bool {
        self.valkey_at_least(8, 0) || self.redis_at_least(8, 2)
    }

    /// `memory-bytes` in `CLUSTER SLOT-STATS` (Redis >= 8.4); elsewhere memory per slot is
    /// sampled.
    pub(crate) fn slot_stats_memory(&self) -> bool {
        self.redis_at_least(8, 4)
    }

    /// The server's own slot migration, if any.
    pub(crate) fn atomic_migration(&self) -> Option<AtomicMigration> {
        if self.valkey_at_least(9, 0) {
            Some(AtomicMigration::ValkeyMigrateSlots)
        } else if self.redis_at_least(8, 4) {
            Some(AtomicMigration::RedisMigration)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REDIS_6_2: &str = include_str!("capabilities/redis-6.2.14.txt");
    const REDIS_7_0: &str = include_str!("capabilities/redis-7.0.15.txt");
    const REDIS_8_2: &str = include_str!("capabilities/redis-8.2.3.txt");
    const VALKEY_8_1: &str = include_str!("capabilities/valkey-8.1.8.txt");
    const VALKEY_9_0: &str = include_str!("capabilities/valkey-9.0.0.txt");
    const VALKEY_9_1: &str = include_str!("capabilities/valkey-9.1.2.txt");

    #[test]
    fn flavor_and_version_of_each_server() {
        let cases = [
            (REDIS_6_2, "redis 6.2.14"),
            (REDIS_7_0, "redis 7.0.15"),
            (REDIS_8_2, "redis 8.2.3"),
            (VALKEY_8_1, "valkey 8.1.8"),
            (VALKEY_9_0, "valkey 9.0.0"),
            (VALKEY_9_1, "valkey 9.1.2"),
        ];
        for (info, label) in cases {
            assert_eq!(Capabilities::from_info(info).label(), label);
        }
        // INFO as it comes over the wire, with CRLF line ends.
        let crlf = VALKEY_9_1.replace('\n', "\r\n");
        assert_eq!(Capabilities::from_info(&crlf).label(), "valkey 9.1.2");
    }

    #[test]
    fn features_per_server() {
        let r62 = Capabilities::from_info(REDIS_6_2);
        let r70 = Capabilities::from_info(REDIS_7_0);
        let r82 = Capabilities::from_info(REDIS_8_2);
        let v81 = Capabilities::from_info(VALKEY_8_1);
        let v90 = Capabilities::from_info(VALKEY_9_0);
        let v91 = Capabilities::from_info(VALKEY_9_1);

        assert!(!r62.addslotsrange());
        for c in [r70, r82, v81, v90, v91] {
            assert!(c.addslotsrange(), "{}", c.label());
        }
        for c in [r62, r70, r82] {
            assert!(!c.replicated_setslot());
            assert!(!c.numbered_databases() && c.atomic_migration().is_none());
        }
        for c in [v81, v90, v91] {
            assert!(c.replicated_setslot());
        }
        assert!(!v81.numbered_databases() && v81.atomic_migration().is_none());
        for c in [v90, v91] {
            assert!(c.numbered_databases());
            assert_eq!(
                c.atomic_migration(),
                Some(AtomicMigration::ValkeyMigrateSlots)
            );
        }
        let r84 = Capabilities {
            version: Version(8, 4, 0),
            ..r82
        };
        assert_eq!(
            r84.atomic_migration(),
            Some(AtomicMigration::RedisMigration)
        );
    }

    #[test]
    fn slot_stats_per_server() {
        let server = |text: &str| Capabilities::from_info(text);
        for c in [server(REDIS_6_2), server(REDIS_7_0)] {
            assert!(!c.slot_stats() && !c.slot_stats_memory(), "{}", c.label());
        }
        for c in [
            server(REDIS_8_2),
            server(VALKEY_8_1),
            server(VALKEY_9_0),
            server(VALKEY_9_1),
        ] {
            assert!(c.slot_stats() && !c.slot_stats_memory(), "{}", c.label());
        }
        let redis = |major, minor| Capabilities {
            version: Version(major, minor, 0),
            ..server(REDIS_8_2)
        };
        assert!(!redis(8, 0).slot_stats() && !redis(7, 4).slot_stats());
        assert!(redis(8, 4).slot_stats() && redis(8, 4).slot_stats_memory());
        let valkey_7_2 = Capabilities {
            version: Version(7, 2, 5),
            ..server(VALKEY_8_1)
        };
        assert!(!valkey_7_2.slot_stats());
    }

    #[test]
    fn cluster_databases_only_where_supported() {
        let v91 = Capabilities::from_info(VALKEY_9_1);
        assert_eq!(v91.cluster_databases, 1);
        assert_eq!(v91.with_cluster_databases(Some(16)).cluster_databases, 16);
        assert_eq!(v91.with_cluster_databases(None).cluster_databases, 1);
        assert_eq!(v91.with_cluster_databases(Some(0)).cluster_databases, 1);
        // Redis in cluster mode has db 0 only, whatever `databases` says.
        let r82 = Capabilities::from_info(REDIS_8_2);
        assert_eq!(r82.with_cluster_databases(Some(16)).cluster_databases, 1);
    }

    #[test]
    fn unknown_info_is_an_old_redis() {
        let c = Capabilities::from_info("");
        assert_eq!(c.label(), "redis 0.0.0");
        assert!(!c.addslotsrange() && !c.replicated_setslot());
        assert_eq!(Version::parse("7.2"), Version(7, 2, 0));
        assert_eq!(Version::parse("x.y"), Version(0, 0, 0));
    }

    #[test]
    fn dumps_only_go_to_the_same_or_a_newer_rdb_format() {
        let server = |text: &str| Capabilities::from_info(text);
        let (v91, v81) = (server(VALKEY_9_1), server(VALKEY_8_1));
        let (r62, r70, r82) = (server(REDIS_6_2), server(REDIS_7_0), server(REDIS_8_2));
        assert!(v91.reads_dumps_of(&v81) && !v81.reads_dumps_of(&v91));
        assert!(r70.reads_dumps_of(&r62) && !r62.reads_dumps_of(&r70));
        assert!(r82.reads_dumps_of(&v81) && !v81.reads_dumps_of(&r82));
        assert!(v91.reads_dumps_of(&v91));
    }
}
