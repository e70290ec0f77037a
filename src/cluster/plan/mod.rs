//! The planners: pure functions from a topology (or a diagnosis) to a plan, which `--dry-run`
//! prints and `exec` applies. [`create`] (slots and replica placement), [`reshard`] and
//! [`rebalance`] (both to a [`moves::MovePlan`]), [`load_balance`] (`rebalance --by`: a
//! measured load per slot balanced by weight, also to a [`moves::MovePlan`]), [`membership`]
//! (which master a replica follows, where a drained master's slots go), [`fix`] (a repair
//! per broken slot), [`rejoin`] (which node must meet which after every node changed
//! address), [`engine`] (which engine moves each source/target pair).

pub(crate) mod create;
pub(crate) mod engine;
pub(crate) mod fix;
pub(crate) mod load_balance;
pub(crate) mod membership;
pub(crate) mod moves;
pub(crate) mod rebalance;
pub(crate) mod rejoin;
pub(crate) mod reshard;
