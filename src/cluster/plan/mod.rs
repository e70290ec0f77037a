//! The planners: pure functions from a topology (or a diagnosis) to a plan, which `--dry-run`
//! prints and `exec` applies. [`create`] (slots and replica placement), [`reshard`] and
//! [`rebalance`] (both to a [`moves::MovePlan`]), [`membership`] (which master a replica
//! follows, where a drained master's slots go), [`fix`] (a repair per broken slot),
//! [`rejoin`] (which node must meet which after every node changed address), [`engine`]
//! (which engine moves each source/target pair).

pub mod create;
pub mod engine;
pub mod fix;
pub mod membership;
pub mod moves;
pub mod rebalance;
pub mod rejoin;
pub mod reshard;
