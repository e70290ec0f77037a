//! Connections shared by worker threads: a thread leases an idle connection to a node (or
//! opens one), and hands it back when done, unless it broke.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

use super::conn::{ConnectOptions, NodeConn, NodeError};
use crate::address::NodeAddr;

/// Idle connections per node address.
pub(crate) struct ConnCache {
    opts: ConnectOptions,
    idle: Mutex<HashMap<NodeAddr, Vec<NodeConn>>>,
}

impl ConnCache {
    /// An empty cache that opens connections with `opts`.
    pub(crate) fn new(opts: ConnectOptions) -> Self {
        ConnCache {
            opts,
            idle: Mutex::new(HashMap::new()),
        }
    }

    /// An idle connection to `addr`, or a new one.
    pub(crate) fn lease(&self, addr: &NodeAddr) -> Result<Lease<'_>, NodeError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(addr)
            .and_then(Vec::pop);
        let conn = match idle {
            Some(conn) => conn,
            None => self.opts.connect(addr)?,
        };
        Ok(Lease {
            cache: self,
            conn: Some(conn),
            broken: false,
        })
    }

    fn give_back(&self, conn: NodeConn) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(conn.addr.clone())
            .or_default()
            .push(conn);
    }
}

/// A leased connection; returns to the cache when dropped unless marked broken.
pub(crate) struct Lease<'a> {
    cache: &'a ConnCache,
    conn: Option<NodeConn>,
    broken: bool,
}

impl Lease<'_> {
    /// Closes the connection instead of reusing it (after a timeout or a lost connection its
    /// next reply could belong to an earlier command).
    pub(crate) fn discard(&mut self) {
        self.broken = true;
    }

    /// True when the connection will be closed instead of reused ([`Lease::discard`], or a
    /// transport error).
    pub(crate) fn is_discarded(&self) -> bool {
        self.broken || self.conn.as_ref().is_none_or(NodeConn::is_broken)
    }
}

impl Deref for Lease<'_> {
    type Target = NodeConn;

    fn deref(&self) -> &NodeConn {
        self.conn
            .as_ref()
            .expect("leased connection present until drop")
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut NodeConn {
        self.conn
            .as_mut()
            .expect("leased connection present until drop")
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if !self.is_discarded()
            && let Some(conn) = self.conn.take()
        {
            self.cache.give_back(conn);
        }
    }
}
