//! Which engine moves each source/target pair of a plan: the servers' own atomic slot
//! migration (Valkey >= 9.0 `CLUSTER MIGRATESLOTS`) where both ends have it, MIGRATE
//! otherwise, as `--engine` asks.

use std::fmt;

use serde::Serialize;

use crate::cluster::parse::capabilities::{AtomicMigration, Capabilities};
use crate::cluster::parse::info::ModuleInfo;
use crate::cluster::plan::moves::PairMoves;

/// What a Valkey server answers, as source (to `CLUSTER MIGRATESLOTS`) or as target (in the
/// job's handshake), while a module that does not declare atomic slot migration support is
/// loaded: `The module NAME does not support atomic slot migrations. ...`.
const MODULE_REFUSAL: &str = "does not support atomic slot migration";

/// What the operator asked for (`--engine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum EngineChoice {
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
pub(crate) enum Engine {
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

/// A node that cannot take part in an atomic migration `--engine atomic` asked for, or a
/// veto: why a pair must not move atomically although both its nodes could.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoAtomicMigration {
    /// Index of the node (plan index space).
    pub(crate) node: usize,
    /// Why, in plain words that follow the node's address (`runs ...`, `loads ...`).
    pub(crate) reason: String,
}

/// True when a server's error text refuses an atomic slot migration because of a loaded
/// module (nothing was moved: the source refuses `CLUSTER MIGRATESLOTS` up front, a target
/// fails the job in its handshake).
pub(crate) fn refused_for_module(error: &str) -> bool {
    let error = error.to_ascii_lowercase();
    error.contains("module") && error.contains(MODULE_REFUSAL)
}

/// For each pair, a veto when its source or target (that order) loads a module that does not
/// declare atomic slot migration support: the server would refuse the move. `modules[i]` is
/// what node `i` lists in INFO (a node without an entry lists none); a module whose options
/// are not listed vetoes nothing (the refusal, if any, is met when the move starts).
pub(crate) fn module_vetoes(
    pairs: &[PairMoves],
    modules: &[Vec<ModuleInfo>],
) -> Vec<Option<NoAtomicMigration>> {
    let veto = |node: usize| {
        let names: Vec<&str> = modules
            .get(node)?
            .iter()
            .filter(|m| m.handles_atomic_slot_migration() == Some(false))
            .map(|m| m.name.as_str())
            .collect();
        (!names.is_empty()).then(|| NoAtomicMigration {
            node,
            reason: format!(
                "loads the module(s) {}, which do not declare support for atomic slot \
                 migration (no handle-atomic-slot-migration in INFO modules): Valkey refuses \
                 to migrate slots atomically out of or into a server while they are loaded",
                names.join(", ")
            ),
        })
    };
    pairs
        .iter()
        .map(|pair| veto(pair.from).or_else(|| veto(pair.to)))
        .collect()
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
/// lacks atomic migration, or the first veto, is an error.
pub(crate) fn choose_engines(
    pairs: &[PairMoves],
    servers: &[Capabilities],
    choice: EngineChoice,
    vetoes: &[Option<NoAtomicMigration>],
) -> Result<Vec<Engine>, NoAtomicMigration> {
    pairs
        .iter()
        .enumerate()
        .map(|(p, pair)| {
            if choice == EngineChoice::Legacy {
                return Ok(Engine::Legacy);
            }
            if let Some(veto) = vetoes.get(p).cloned().flatten() {
                return match choice {
                    EngineChoice::Atomic => Err(veto),
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
    use crate::cluster::parse::capabilities::{Flavor, Version};

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
        let vetoes = [
            Some(NoAtomicMigration {
                node: 1,
                reason: "has stale keys on a replica".to_string(),
            }),
            None,
        ];
        assert_eq!(
            choose_engines(&pairs, &servers, EngineChoice::Auto, &vetoes).unwrap(),
            vec![Engine::Legacy, Engine::Atomic]
        );
        let err = choose_engines(&pairs, &servers, EngineChoice::Atomic, &vetoes).unwrap_err();
        assert_eq!(
            (err.node, err.reason.as_str()),
            (1, "has stale keys on a replica")
        );
    }

    fn module(name: &str, options: Option<&[&str]>) -> ModuleInfo {
        ModuleInfo {
            name: name.to_string(),
            options: options.map(|o| o.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn a_module_without_atomic_migration_support_vetoes_its_pairs() {
        let supported = module("lua", Some(&["handle-atomic-slot-migration"]));
        let modules = vec![
            vec![supported.clone()],
            vec![
                supported,
                module("blockonkeys", Some(&["handle-io-errors"])),
            ],
            vec![module("unknown", None)],
        ];
        let pairs = [pair(0, 2), pair(0, 1), pair(1, 0), pair(3, 0)];
        let vetoes = module_vetoes(&pairs, &modules);
        let vetoed: Vec<Option<usize>> =
            vetoes.iter().map(|v| v.as_ref().map(|v| v.node)).collect();
        // Declared support, or options nobody can read: no veto; node 1 as source or target.
        assert_eq!(vetoed, vec![None, Some(1), Some(1), None]);
        let reason = &vetoes[1].as_ref().unwrap().reason;
        assert!(
            reason.starts_with("loads the module(s) blockonkeys,"),
            "{reason}"
        );

        let servers = [server(Flavor::Valkey, 9, 1); 4];
        assert_eq!(
            choose_engines(&pairs, &servers, EngineChoice::Auto, &vetoes).unwrap(),
            vec![
                Engine::Atomic,
                Engine::Legacy,
                Engine::Legacy,
                Engine::Atomic
            ]
        );
        let err = choose_engines(&pairs, &servers, EngineChoice::Atomic, &vetoes).unwrap_err();
        assert_eq!(err.node, 1);
    }

    #[test]
    fn a_module_refusal_is_told_from_other_errors() {
        for text in [
            "ERR The module blockonkeys does not support atomic slot migrations. Please ensure \
             all modules have declared support for atomic slot migration and try again",
            "Received error during handshake to target: -ERR The module m does not support \
             atomic slot migrations",
            "ERR the module X DOES NOT SUPPORT ATOMIC SLOT MIGRATION",
        ] {
            assert!(refused_for_module(text), "{text}");
        }
        for text in [
            "ERR Slot 0 is not owned by this node",
            "ERR Target node does not support atomic slot migration",
        ] {
            assert!(!refused_for_module(text), "{text}");
        }
    }
}
