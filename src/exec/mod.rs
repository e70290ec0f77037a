//! Applying changes to a cluster: the steps that write, and the polling that waits for the
//! cluster to agree. Plans come from the pure [`crate::cluster`] layer; this layer only
//! carries them out over [`crate::net`].

pub mod backup;
pub mod bootstrap;
pub mod fix;
pub mod import;
pub mod interrupt;
pub mod keyscan;
pub mod migrate;
pub mod poll;
pub mod rejoin;
pub mod scratch_server;
pub mod throttle;
