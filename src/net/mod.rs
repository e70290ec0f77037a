//! Talking to nodes: connections and concurrent fan-out. The only layer that does network I/O.

pub mod conn;
pub mod conncache;
pub mod db;
pub mod fanout;
pub mod pool;
pub mod raw_stream;
