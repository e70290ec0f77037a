//! Parsing what servers answer: `CLUSTER NODES` lines ([`nodes`]), `INFO` and
//! `CLUSTER INFO` ([`info`]), what a server is and can do ([`capabilities`]), the jobs
//! of `CLUSTER GETSLOTMIGRATIONS` ([`slot_migrations`]) and the per-slot counters of
//! `CLUSTER SLOT-STATS` ([`slot_stats`]).

pub(crate) mod capabilities;
pub(crate) mod info;
pub(crate) mod nodes;
pub(crate) mod slot_migrations;
pub(crate) mod slot_stats;
