//! Talking to nodes: connections and concurrent fan-out. The only layer that does network I/O.

pub(crate) mod conn;
pub(crate) mod conncache;
pub(crate) mod db;
pub(crate) mod fanout;
pub(crate) mod pool;
pub(crate) mod raw_stream;
