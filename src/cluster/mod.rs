//! The cluster model: slots, `CLUSTER NODES` parsing, INFO parsing, the topology snapshot and
//! the health check.

pub mod admission;
pub mod capabilities;
pub mod check;
pub mod converge;
pub mod create_plan;
pub mod engine;
pub mod fix_plan;
pub mod info;
pub mod keysizes;
pub mod membership;
pub mod moves;
pub mod nodes;
pub mod preflight;
pub mod rebalance_plan;
pub mod rejoin;
pub mod reshard_plan;
pub mod slot_migrations;
pub mod slots;
pub mod snapshot;
