//! Port allocation that is safe across threads of one test binary and across
//! several test processes running at the same time.
//!
//! Ports are taken from `20000..22700`, so the cluster bus port (`port + 10000`)
//! stays below the Linux ephemeral range (32768+). A port is only handed out
//! when both the port and its bus port can be bound on the node's address.
//! Races with other processes are still possible between the check and
//! redis-server binding; callers retry with a fresh port when the server fails
//! to start.

use std::net::TcpListener;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// First port of the range handed out to test nodes.
pub const PORT_BASE: u16 = 20000;
/// Number of ports in the range.
pub const PORT_SPAN: u16 = 2700;
/// Distance between a node's client port and its cluster bus port.
pub const BUS_PORT_OFFSET: u16 = 10000;

/// Process-wide counter; each call to [`allocate`] takes the next candidate.
static NEXT: AtomicU32 = AtomicU32::new(0);

/// Start offset of this process inside the range, derived from pid and time so
/// that concurrently running test binaries probe different ports first.
fn process_offset() -> u32 {
    static OFFSET: OnceLock<u32> = OnceLock::new();
    *OFFSET.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        std::process::id()
            .wrapping_mul(7919)
            .wrapping_add(nanos / 1000)
            % u32::from(PORT_SPAN)
    })
}

/// True when both `port` and its bus port `port + 10000` can be bound on `host` right now.
pub fn port_pair_free(host: &str, port: u16) -> bool {
    is_free(host, port) && is_free(host, port + BUS_PORT_OFFSET)
}

/// Reserves `count` consecutive ports of the range for this process (for tools that take a
/// first port and use the following ones, like `rcluster local up`). The caller still checks
/// that they are free.
pub fn allocate_block(count: u16) -> u16 {
    let span = u32::from(PORT_SPAN);
    let count32 = u32::from(count);
    loop {
        let n = NEXT.fetch_add(count32, Ordering::Relaxed);
        let offset = (process_offset() + n) % span;
        if offset + count32 <= span {
            return PORT_BASE + offset as u16;
        }
    }
}

/// True when `host:port` can be bound right now.
pub fn is_free(host: &str, port: u16) -> bool {
    TcpListener::bind((host, port)).is_ok()
}

/// Returns a port `P` such that both `P` and `P + 10000` are currently free on
/// `host`. Panics if the whole range is exhausted.
pub fn allocate(host: &str) -> u16 {
    let span = u32::from(PORT_SPAN);
    for _ in 0..span {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = PORT_BASE + ((process_offset() + n) % span) as u16;
        if is_free(host, port) && is_free(host, port + BUS_PORT_OFFSET) {
            return port;
        }
    }
    panic!(
        "no free port pair (P and P+{BUS_PORT_OFFSET}) in {PORT_BASE}..{} on {host}",
        PORT_BASE + PORT_SPAN
    );
}
