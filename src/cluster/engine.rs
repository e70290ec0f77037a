//! Which engine moves each source/target pair of a plan: the servers' own atomic slot
//! migration (Valkey >= 9.0 `CLUSTER MIGRATESLOTS`) where both ends have it, MIGRATE
//! otherwise, as `--engine` asks.

use std::fmt;

use serde::Serialize;

use super::capabilities::{AtomicMigration, Capabilities};
use super::moves::PairMoves;

/// What the operator asked for (`--engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// Atomic where both ends of a pair have it, MIGRATE elsewhere.
    #[default]
    Auto,
    /// Atomic for every pair; refused when a node lacks it.
    Atomic,
    /// MIGRATE for every pair.
    Legacy,
}

/// How one source/target pair is moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// The servers move the slots (`CLUSTER MIGRATESLOTS`), all of a pair's slots at once.
    Atomic,
    /// rcluster moves the keys (SETSLOT, GETKEYSINSLOT, MIGRATE).
    Legacy,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Engine::Atomic => "atomic slot migration",
            Engine::Legacy => "MIGRATE",
        })
    }
}

/// A node that cannot take part in an atomic migration `--engine atomic` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAtomicMigration {
    /// Index of the node (plan index space).
    pub node: usize,
    /// Why, in plain words.
    pub reason: String,
}

/// True when rcluster can move slots between two such servers atomically. Redis >= 8.4 has
/// its own API (`CLUSTER MIGRATION`), which rcluster does not drive: no such server can be
/// tested here, so Redis pairs always use MIGRATE.
fn atomic_capable(server: &Capabilities) -> Result<(), String> {
    match server.atomic_migration() {
        Some(AtomicMigration::ValkeyMigrateSlots) => Ok(()),
        Some(AtomicMigration::RedisMigration) => Err(format!(
            "runs {}, whose atomic slot migration (CLUSTER MIGRATION) rcluster does not use yet",
            server.label()
        )),
        None => Err(format!(
            "runs {}, which has no atomic slot migration (Valkey >= 9.0 has CLUSTER MIGRATESLOTS)",
            server.label()
        )),
    }
}

/// The engine of each pair of `pairs` (same order); `servers[i]` is what node `i` runs;
/// `vetoes[p]`, when set, is why pair `p` must not move atomically although both its nodes
/// could (checked on the live cluster). With [`EngineChoice::Atomic`], the first node that
/// lacks atomic migration, or the target of a vetoed pair, is an error.
pub fn choose_engines(
    pairs: &[PairMoves],
    servers: &[Capabilities],
    choice: EngineChoice,
    vetoes: &[Option<String>],
) -> Result<Vec<Engine>, NoAtomicMigration> {
    pairs
        .iter()
        .enumerate()
        .map(|(p, pair)| {
            if choice == EngineChoice::Legacy {
                return Ok(Engine::Legacy);
            }
            if let Some(reason) = vetoes.get(p).cloned().flatten() {
                return match choice {
                    EngineChoice::Atomic => Err(NoAtomicMigration {
                        node: pair.to,
                        reason,
                    }),
                    _ => Ok(Engine::Legacy),
                };
            }
            let check = |node: usize| {
                servers
                    .get(node)
                    .map_or_else(|| Err("is unknown".to_string()), atomic_capable)
                    .map_err(|reason| NoAtomicMigration { node, reason })
            };
            match (check(pair.from), check(pair.to), choice) {
                (Ok(()), Ok(()), _) => Ok(Engine::Atomic),
                (Err(e), _, EngineChoice::Atomic) | (_, Err(e), EngineChoice::Atomic) => Err(e),
                _ => Ok(Engine::Legacy),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::capabilities::{Flavor, Version};

    fn server(flavor: Flavor, major: u32, minor: u32) -> Capabilities {
        Capabilities {
            flavor,
            version: Version(major, minor, 0),
            cluster_databases: 1,
        }
    }

    fn pair(from: usize, to: usize) -> PairMoves {
        PairMoves {
            from,
            to,
            slots: (0..=9).collect(),
        }
    }

    #[test]
    fn auto_uses_atomic_only_where_both_ends_have_it() {
        let servers = [
            server(Flavor::Valkey, 9, 0),
            server(Flavor::Valkey, 9, 1),
            server(Flavor::Valkey, 8, 1),
            server(Flavor::Redis, 8, 4),
        ];
        let pairs = [pair(0, 1), pair(0, 2), pair(2, 1), pair(3, 0)];
        assert_eq!(
            choose_engines(&pairs, &servers, EngineChoice::Auto, &[]).unwrap(),
            vec![
                Engine::Atomic,
                Engine::Legacy,
                Engine::Legacy,
                Engine::Legacy
            ]
        );
        assert_eq!(
            choose_engines(&pairs, &servers, EngineChoice::Legacy, &[]).unwrap(),
            vec![Engine::Legacy; 4]
        );
    }

    #[test]
    fn atomic_names_the_first_node_without_it() {
        let servers = [server(Flavor::Valkey, 9, 1), server(Flavor::Valkey, 8, 1)];
        let err = choose_engines(&[pair(0, 1)], &servers, EngineChoice::Atomic, &[]).unwrap_err();
        assert_eq!(err.node, 1);
        assert!(err.reason.contains("valkey 8.1.0"), "{}", err.reason);
        let redis = [server(Flavor::Redis, 8, 4), server(Flavor::Redis, 8, 4)];
        let err = choose_engines(&[pair(0, 1)], &redis, EngineChoice::Atomic, &[]).unwrap_err();
        assert_eq!(err.node, 0);
        assert!(err.reason.contains("does not use yet"), "{}", err.reason);
        assert!(
            choose_engines(&[pair(0, 1)], &servers[..1], EngineChoice::Atomic, &[]).is_err(),
            "a node index outside the list is refused, not a panic"
        );
    }

    #[test]
    fn a_vetoed_pair_falls_back_to_migrate_or_is_refused() {
        let servers = [server(Flavor::Valkey, 9, 1), server(Flavor::Valkey, 9, 1)];
        let pairs = [pair(0, 1), pair(1, 0)];
        let vetoes = [Some("stale keys on a replica".to_string()), None];
        assert_eq!(
            choose_engines(&pairs, &servers, EngineChoice::Auto, &vetoes).unwrap(),
            vec![Engine::Legacy, Engine::Atomic]
        );
        let err = choose_engines(&pairs, &servers, EngineChoice::Atomic, &vetoes).unwrap_err();
        assert_eq!(
            (err.node, err.reason.as_str()),
            (1, "stale keys on a replica")
        );
    }
}
