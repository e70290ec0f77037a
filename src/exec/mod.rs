//! Applying changes to a cluster: the steps that write, and the polling that waits for the
//! cluster to agree. Plans come from the pure [`crate::cluster`] layer; this layer only
//! carries them out over [`crate::net`].

pub(crate) mod backup;
pub(crate) mod bootstrap;
pub(crate) mod fix;
pub(crate) mod import;
pub mod interrupt;
pub(crate) mod keyscan;
pub(crate) mod migrate;
pub(crate) mod poll;
pub(crate) mod rejoin;
pub(crate) mod scratch_server;
pub(crate) mod throttle;
