//! rcluster's integration tests: one binary (`cargo test --test it`), one module per concern,
//! against real redis-server or valkey-server processes the tests start themselves (see
//! `common/`, the harness). A test's path is `module::name`: `cargo test --test it -- fix::`
//! runs one module (filters are substrings of the path, OR'd; `--skip` takes them out).
//!
//! * `atomic`: the atomic slot-migration engine (Valkey >= 9.0).
//! * `backup`: `backup` and `restore`.
//! * `bad_input`: every operator mistake gets one clear line, a non-zero code, no panic.
//! * `call_set_timeout`: `call` and `set-timeout`.
//! * `create`: `create` on fresh nodes.
//! * `drop_in`: command lines run with redis-cli or valkey-cli and with rcluster, outcomes
//!   compared.
//! * `faults`: processes and nodes killed, frozen or restarted mid-operation.
//! * `fix`: open and uncovered slots, and what `fix` does with them.
//! * `generated`: the committed completions, man pages and reference are fresh.
//! * `harness_smoke`: the harness itself.
//! * `import`: `import` from a standalone source.
//! * `keyscan`: `bigkeys` and `memkeys`.
//! * `live_traffic`: a cluster client writing and reading through every mutating command.
//! * `load`: `load` (keys, memory, CPU and network per slot).
//! * `load_balance`: `rebalance --by` (memory, CPU) against slot-count rebalancing.
//! * `local`: `local up/status/down`.
//! * `matrix`: every command's main path and data-safety property, run on every server.
//! * `membership`: `add-node` and `del-node`.
//! * `numbered_dbs`, `numbered_dbs_data`: numbered databases (Valkey >= 9.0) through slot
//!   moves, and outside them.
//! * `read_only`: `check`, `info`, `nodes`, `slots`.
//! * `rebalance`: `rebalance`.
//! * `rejoin`: `fix --rejoin` after every node moved.
//! * `reshard`: `reshard`.
//! * `upgrade`: a rolling upgrade from Valkey 8.1 to 9.1.

mod common;

mod atomic;
mod backup;
mod bad_input;
mod call_set_timeout;
mod create;
mod drop_in;
mod faults;
mod fix;
mod generated;
mod harness_smoke;
mod import;
mod keyscan;
mod live_traffic;
mod load;
mod load_balance;
mod local;
mod matrix;
mod membership;
mod numbered_dbs;
mod numbered_dbs_data;
mod read_only;
mod rebalance;
mod rejoin;
mod reshard;
mod upgrade;
