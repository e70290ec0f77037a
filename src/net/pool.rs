//! A set of open node connections that a multi-step operation keeps between its steps and
//! uses concurrently (one thread per node, bounded as [`fan_out`]).

use std::sync::Mutex;

use super::conn::{ConnectOptions, NodeConn, NodeError};
use super::fanout::{DEFAULT_PARALLELISM, fan_out};
use crate::address::NodeAddr;

/// Open connections, one per node, in a fixed order.
pub(crate) struct NodePool {
    conns: Vec<Mutex<NodeConn>>,
}

impl NodePool {
    /// Connects to every address concurrently; returns each address's result in order.
    pub(crate) fn connect_all(
        opts: &ConnectOptions,
        addrs: &[NodeAddr],
    ) -> Vec<Result<NodeConn, NodeError>> {
        fan_out(addrs, DEFAULT_PARALLELISM, |addr| opts.connect(addr))
    }

    /// A pool over connections that are already open.
    pub(crate) fn new(conns: Vec<NodeConn>) -> Self {
        NodePool {
            conns: conns.into_iter().map(Mutex::new).collect(),
        }
    }

    /// Runs `work(i, conn)` on every node concurrently; results in node order.
    pub(crate) fn each<R, F>(&self, work: F) -> Vec<R>
    where
        R: Send,
        F: Fn(usize, &mut NodeConn) -> R + Sync,
    {
        let indices: Vec<usize> = (0..self.conns.len()).collect();
        self.some(&indices, work)
    }

    /// Runs `work(i, conn)` on the nodes `indices` concurrently; results in `indices` order.
    pub(crate) fn some<R, F>(&self, indices: &[usize], work: F) -> Vec<R>
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
