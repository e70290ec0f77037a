//! A set of open node connections that a multi-step operation keeps between its steps and
//! uses concurrently (one thread per node, bounded as [`fan_out`]).

use std::sync::Mutex;

use super::conn::{ConnectOptions, NodeConn, NodeError};
use super::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::address::NodeAddr;

/// Open connections, one per node, in a fixed order.
pub struct NodePool {
    conns: Vec<Mutex<NodeConn>>,
}

impl NodePool {
    /// Connects to every address concurrently; returns each address's result in order.
    pub fn connect_all(
        opts: &ConnectOptions,
        addrs: &[NodeAddr],
    ) -> Vec<Result<NodeConn, NodeError>> {
        fan_out(addrs, DEFAULT_PARALLELISM, |addr| opts.connect(addr))
    }

    /// A pool over connections that are already open.
    pub fn new(conns: Vec<NodeConn>) -> Self {
        NodePool {
            conns: conns.into_iter().map(Mutex::new).collect(),
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.conns.len()
    }

    /// True when the pool has no node.
    pub fn is_empty(&self) -> bool {
        self.conns.is_empty()
    }

    /// The address of node `i`.
    pub fn addr(&self, i: usize) -> NodeAddr {
        self.lock(i).addr.clone()
    }

    /// Runs `work(i, conn)` on every node concurrently; results in node order.
    pub fn each<R, F>(&self, work: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize, &mut NodeConn) -> R + Sync,
    {
        let indices: Vec<usize> = (0..self.conns.len()).collect();
        self.some(&indices, work)
    }

    /// Runs `work(i, conn)` on the nodes `indices` concurrently; results in `indices` order.
    pub fn some<R, F>(&self, indices: &[usize], work: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize, &mut NodeConn) -> R + Sync,
    {
        fan_out(indices, DEFAULT_PARALLELISM, |&i| {
            work(i, &mut self.lock(i))
        })
    }

    fn lock(&self, i: usize) -> std::sync::MutexGuard<'_, NodeConn> {
        self.conns[i].lock().unwrap_or_else(|e| e.into_inner())
    }
}
