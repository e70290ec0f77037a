//! Sending `CLUSTER SETSLOT` commands to one node the way that node needs them.
//!
//! Redis (and Valkey before 8.0) answers SETSLOT at once: one pipeline carries any number.
//! A Valkey >= 8.0 primary with replicas replicates each SETSLOT first and blocks the caller
//! until every replica acknowledges it (capabilities: `replicated_setslot`). Two things follow:
//! - one connection gets one SETSLOT done per replica round trip, so the commands are spread
//!   over several connections at once (the blocked callers share the replicas' acknowledgements);
//! - a blocked connection stops reading: what the server had not yet read from the socket when
//!   it blocked (beyond its first 16 KB read) is not read again until more data arrives, and a
//!   longer pipeline stalls until the reply timeout. So each connection sends at most
//!   [`CHUNK`] commands before it reads their replies.

use redis::Value;

use crate::exec::migrate::Endpoint;
use crate::net::conn::NodeError;
use crate::net::conncache::ConnCache;

/// Commands per write on a server that blocks on SETSLOT: well under its 16 KB first read.
const CHUNK: usize = 64;

/// Connections used at once on a server that blocks on SETSLOT.
const LANES: usize = 32;

/// Sends `groups` of commands to `node` and returns one reply per command, in order. The
/// commands of one group run in their order on one connection (e.g. a slot's STABLE then its
/// NODE); different groups may run on different connections at once on a server that blocks
/// on SETSLOT. An error reply is a reply; only a failed connection is an error.
pub(crate) fn send(
    cache: &ConnCache,
    node: &Endpoint,
    groups: Vec<Vec<redis::Cmd>>,
) -> Result<Vec<Value>, NodeError> {
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    if !node.server.replicated_setslot() {
        let mut pipe = redis::pipe();
        for cmd in groups.into_iter().flatten() {
            pipe.add_command(cmd);
        }
        let mut conn = cache.lease(&node.addr)?;
        return conn.pipeline(&pipe).inspect_err(|_| conn.discard());
    }
    let per_lane = groups.len().div_ceil(LANES);
    let mut lanes: Vec<Vec<Vec<redis::Cmd>>> = Vec::new();
    let mut groups = groups.into_iter().peekable();
    while groups.peek().is_some() {
        lanes.push(groups.by_ref().take(per_lane).collect());
    }
    let results: Vec<Result<Vec<Value>, NodeError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| scope.spawn(move || send_in_chunks(cache, node, lane)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut replies = Vec::new();
    for result in results {
        replies.extend(result?);
    }
    Ok(replies)
}

/// One connection: the groups' commands in writes of at most [`CHUNK`] (a group is never
/// split across connections, but may be across writes).
fn send_in_chunks(
    cache: &ConnCache,
    node: &Endpoint,
    groups: Vec<Vec<redis::Cmd>>,
) -> Result<Vec<Value>, NodeError> {
    let commands: Vec<redis::Cmd> = groups.into_iter().flatten().collect();
    let mut conn = cache.lease(&node.addr)?;
    let mut replies = Vec::with_capacity(commands.len());
    for chunk in commands.chunks(CHUNK) {
        let mut pipe = redis::pipe();
        for cmd in chunk {
            pipe.add_command(cmd.clone());
        }
        replies.extend(conn.pipeline(&pipe).inspect_err(|_| conn.discard())?);
    }
    Ok(replies)
}

/// `CLUSTER SETSLOT <slot> <state> [node]`.
pub(crate) fn setslot(slot: u16, state: &str, node: Option<&str>) -> redis::Cmd {
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("SETSLOT").arg(slot).arg(state);
    if let Some(node) = node {
        cmd.arg(node);
    }
    cmd
}

/// One group per slot: `CLUSTER SETSLOT <slot> <state> [node]`.
pub(crate) fn each(slots: &[u16], state: &str, node: Option<&str>) -> Vec<Vec<redis::Cmd>> {
    slots
        .iter()
        .map(|&slot| vec![setslot(slot, state, node)])
        .collect()
}
