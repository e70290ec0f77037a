//! Integration-test harness: server child processes (Redis or Valkey, see `server.rs`),
//! clusters formed with raw commands, TLS material and helpers to run the rcluster binary.
//!
//! `mod common;` in `tests/it/main.rs`; the test modules use `crate::common::...`.

mod broken;
mod cli;
mod cluster;
mod data;
mod health;
mod node;
mod nodes_conf;
mod ports;
mod server;
mod tls;
mod views;

use std::time::{Duration, Instant};

pub use broken::{
    delete_slots_everywhere, fill_slot, fill_slot_in, half_migrate, migrate, setslot,
};
pub use cli::{
    RUN_TIMEOUT, RunOutput, Spawned, all_text, auth_args, exit_code, fix_until_ok, json, rcluster,
    redis_cli, redis_cli_command, run, run_command, run_with_stdin, signal,
};
pub use cluster::{
    ClusterSpec, FORM_TIMEOUT, SlotMap, TestCluster, consecutive_slot_ranges, even_slot_ranges,
    owner_of, slot_map,
};
pub use data::{
    Digest, KeyValue, KeyValues, conn_in, count_in_slot, digest, digest_nodes, digest_nodes_in,
    dump_all, dump_all_in, hex_bytes, key_values, load_keys, load_keys_in, misplaced_keys,
    misplaced_keys_in, read_key_values, role, scan, write_pairs,
};
pub use health::{
    agreed_view, assert_check_and_oracle_pass, assert_checks_pass, assert_healthy, assert_repaired,
    members, settled, wait_flagged_fail, wait_replicas_synced, wait_settled, wait_synced,
};
pub use node::{
    CRASH_MARKERS, DATABASES, Node, NodeOpts, TlsAuthClients, info_value, redis_cli_available,
};
pub use nodes_conf::NodeLine;
pub use ports::{allocate_block, port_pair_free};
pub(crate) use server::require;
pub use server::{Feature, Flavor, applicable, has_feature, matrix_server, server, server_label};
pub use tls::{TlsFiles, install_crypto_provider};
pub use views::{
    CurrentEpoch, layout, nodes_with_open_slots, open_slot_nodes, reduced_cluster_nodes,
    served_slots, try_view,
};

/// Number of hash slots.
pub const SLOTS: u16 = 16384;
/// Default timeout of [`wait_until`].
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(20);
/// Poll interval of the wait helpers.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Hash slot of `key` (CRC16/XMODEM of the hash tag or whole key, mod 16384),
/// computed independently of rcluster's own implementation.
pub fn key_slot(key: impl AsRef<[u8]>) -> u16 {
    let key = key.as_ref();
    let hashed = key
        .iter()
        .position(|&b| b == b'{')
        .and_then(|open| {
            let rest = &key[open + 1..];
            let close = rest.iter().position(|&b| b == b'}')?;
            (close > 0).then(|| &rest[..close])
        })
        .unwrap_or(key);
    crc16_xmodem(hashed) % SLOTS
}

fn crc16_xmodem(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Polls `cond` every 20 ms until it is true; panics after [`WAIT_TIMEOUT`].
pub fn wait_until(what: &str, cond: impl FnMut() -> bool) {
    wait_until_timeout(what, WAIT_TIMEOUT, cond);
}

/// Polls `cond` every 20 ms until it is true; panics after `timeout`.
pub fn wait_until_timeout(what: &str, timeout: Duration, mut cond: impl FnMut() -> bool) {
    poll_until(what, timeout, || {
        if cond() {
            Ok(())
        } else {
            Err("condition false".into())
        }
    });
}

/// Polls `check` every 20 ms until it returns Ok; panics after `timeout`
/// with the last error, which should describe what is still missing.
pub fn poll_until(what: &str, timeout: Duration, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match check() {
            Ok(()) => return,
            Err(e) => e,
        };
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}: {last}");
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}
