//! Talking to nodes: connections and concurrent fan-out. The only layer that opens network
//! connections: [`conn`] (a node connection: TCP or TLS, AUTH, timeouts, errors that name the
//! node), [`conncache`] (connections leased to worker threads), [`db`] (work in a numbered
//! database on a shared connection), [`pool`] (connections kept across the steps of one
//! operation), [`fanout`] (one piece of work on many nodes at once), [`raw_stream`] (a plain
//! or TLS byte stream, for backup's SYNC).

pub(crate) mod conn;
pub(crate) mod conncache;
pub(crate) mod db;
pub(crate) mod fanout;
pub(crate) mod pool;
pub(crate) mod raw_stream;
