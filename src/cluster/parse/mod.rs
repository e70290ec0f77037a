//! Parsing what servers answer: `CLUSTER NODES` lines ([`nodes`]), `INFO` and
//! `CLUSTER INFO` ([`info`]), what a server is and can do ([`capabilities`]), and the jobs
//! of `CLUSTER GETSLOTMIGRATIONS` ([`slot_migrations`]).

pub mod capabilities;
pub mod info;
pub mod nodes;
pub mod slot_migrations;
